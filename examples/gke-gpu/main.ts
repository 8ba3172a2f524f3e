import { App } from 'cdk8s';
import { GkeGpuChart } from './chart';

const app = new App();
new GkeGpuChart(app, 'gke-gpu');
app.synth();
