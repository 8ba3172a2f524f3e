import { App } from 'cdk8s';
import { MultiModelChart } from './chart';

const app = new App();
new MultiModelChart(app, 'multi-model');
app.synth();
