import { Chart, Duration, Testing } from 'cdk8s';
import { unparsable } from './promql';
import {
  BatchingConfig, DcgmLabels, GcsAccess, ModelSource, Scraper, ServingDashboard, TfServingModel, cloudMonitoringDashboard, dashboardPanels,
  grafanaDashboard,
} from '../../lib';
import { only, synth } from '../support/synth';

const TARGET = { name: 'resnet', namespace: 'ml' };

test('the panels the issue asks for, every expression parses', () => {
  const panels = dashboardPanels(TARGET);
  expect(panels.map((p) => p.title)).toEqual([
    'Requests per second by model', 'Request latency by model', 'Errors per second by model and status', 'Model load state',
    'Batch size', 'Batch queueing latency', 'GPU utilization', 'GPU memory used', 'Replicas',
  ]);
  expect(unparsable(panels.flatMap((p) => p.series.map((s) => s.expr)))).toEqual([]);
  expect(panels[1].series[1].expr).toBe(
    'histogram_quantile(0.99, sum by (le, model_name) (rate(:tensorflow:serving:request_latency_bucket{namespace="ml",pod=~"resnet-[a-z0-9]+-[a-z0-9]+"}[5m]))) / 1000');
  expect(panels[6].series[0].expr).toBe('avg by (exported_pod) (DCGM_FI_DEV_GPU_UTIL{exported_namespace="ml",exported_pod=~"resnet-[a-z0-9]+-[a-z0-9]+"})');
});

test('DCGM label names follow how the exporter is scraped', () => {
  const panels = dashboardPanels({ ...TARGET, dcgmLabels: DcgmLabels.HONORED });
  expect(panels[6].series[0]).toEqual({ expr: 'avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="ml",pod=~"resnet-[a-z0-9]+-[a-z0-9]+"})', legend: '{{pod}}' });
  expect(panels[7].series[0].expr).toBe('sum by (pod) (DCGM_FI_DEV_FB_USED{namespace="ml",pod=~"resnet-[a-z0-9]+-[a-z0-9]+"})');
});

test('batching, GPU and autoscaler panels follow the options', () => {
  expect(dashboardPanels(TARGET, { batching: false, gpu: false, autoscaler: false }).map((p) => p.title)).toEqual([
    'Requests per second by model', 'Request latency by model', 'Errors per second by model and status', 'Model load state',
  ]);
});

test('Grafana JSON model: two panels a row on a prometheus datasource variable', () => {
  const d: any = grafanaDashboard(TARGET);
  expect(d.uid).toBe('tfserving-ml-resnet');
  expect(d.templating.list).toEqual([{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus' }]);
  expect(d.panels[0]).toMatchObject({ id: 1, type: 'timeseries', gridPos: { h: 8, w: 12, x: 0, y: 0 }, fieldConfig: { defaults: { unit: 'reqps' } } });
  expect(d.panels[3].gridPos).toEqual({ h: 8, w: 12, x: 12, y: 8 });
  expect(d.panels[1].targets.map((t: any) => t.refId)).toEqual(['A', 'B']);
  expect(unparsable(d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)))).toEqual([]);
});

test('Cloud Monitoring dashboard: the same panels as PromQL xyChart tiles', () => {
  const d: any = cloudMonitoringDashboard(TARGET);
  const panels = dashboardPanels(TARGET);
  expect(d.displayName).toBe('TF Serving ml/resnet');
  expect(d.mosaicLayout.columns).toBe(48);
  expect(d.mosaicLayout.tiles.map((t: any) => t.widget.title)).toEqual(panels.map((p) => p.title));
  expect(d.mosaicLayout.tiles[1]).toMatchObject({ xPos: 24, yPos: 0, width: 24, height: 16 });
  expect(d.mosaicLayout.tiles.flatMap((t: any) => t.widget.xyChart.dataSets.map((s: any) => s.timeSeriesQuery.prometheusQuery)))
    .toEqual(panels.flatMap((p) => p.series.map((s) => s.expr)));
});

describe('ServingDashboard', () => {
  function server(props: any = {}) {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    const model = new TfServingModel(chart, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
      gcsAccess: GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com'),
      monitoring: { scraper: Scraper.SERVICE_MONITOR },
      ...props,
    });
    return { chart, model };
  }

  test('a ConfigMap Grafana\'s sidecar loads, with the server\'s panels', () => {
    const { chart, model } = server({ batching: new BatchingConfig({ maxBatchSize: 16, batchTimeout: Duration.millis(1) }) });
    const d = new ServingDashboard(chart, 'dashboard', { target: model });
    const cm = only(synth(chart), 'ConfigMap', 'resnet-dashboard');
    expect(cm.metadata.labels).toEqual({ 'grafana_dashboard': '1', 'app.kubernetes.io/instance': 'resnet', 'app.kubernetes.io/managed-by': 'tfserving-constructs' });
    expect(Object.keys(cm.data)).toEqual(['tfserving-resnet.json']);
    const parsed = JSON.parse(cm.data['tfserving-resnet.json']);
    expect(parsed).toEqual(d.dashboard);
    expect(d.cloudMonitoringDashboard).toEqual(cloudMonitoringDashboard({ name: 'resnet', namespace: 'ml' }, { batching: true, gpu: false, autoscaler: false }));
    // A CPU server with batching and no autoscaler: no GPU or replica panels.
    expect(parsed.panels.map((p: any) => p.title)).toEqual([
      'Requests per second by model', 'Request latency by model', 'Errors per second by model and status', 'Model load state', 'Batch size', 'Batch queueing latency',
    ]);
    expect(d.node.defaultChild).toBe(d.configMap);
  });

  test('custom sidecar labels; the autoscaler panel on request', () => {
    const { chart, model } = server();
    new ServingDashboard(chart, 'dashboard', { target: model, sidecarLabels: { grafana_dashboard: 'serving' }, autoscaler: true });
    const cm = only(synth(chart), 'ConfigMap', 'resnet-dashboard');
    expect(cm.metadata.labels.grafana_dashboard).toBe('serving');
    expect(JSON.parse(cm.data['tfserving-resnet.json']).panels.map((p: any) => p.title)).toContain('Replicas');
  });
});
