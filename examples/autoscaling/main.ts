import { AutoscalingChart } from './chart';
import { ServingApp } from '../../lib';

const app = new ServingApp();
new AutoscalingChart(app, 'autoscaling');
app.synth();
