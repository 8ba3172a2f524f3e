import { MultiModelChart } from './chart';
import { ServingApp } from '../../lib';

const app = new ServingApp();
new MultiModelChart(app, 'multi-model');
app.synth();
