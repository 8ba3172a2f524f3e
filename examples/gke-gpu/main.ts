import { GkeGpuChart } from './chart';
import { ServingApp } from '../../lib';

const app = new ServingApp();
new GkeGpuChart(app, 'gke-gpu');
app.synth();
