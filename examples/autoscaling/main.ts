import { App } from 'cdk8s';
import { AutoscalingChart } from './chart';

const app = new App();
new AutoscalingChart(app, 'autoscaling');
app.synth();
