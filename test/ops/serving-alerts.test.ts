import { Chart, Duration, Testing } from 'cdk8s';
import { unparsable } from './promql';
import {
  BatchingConfig, GcsAccess, ModelSource, Scraper, ServingAlerts, TfServingModel, TfServingModelProps, servingAlertRules,
} from '../../lib';
import { only, synth } from '../support/synth';

const TARGET = { name: 'resnet', namespace: 'ml' };

test('error ratio, p99 latency, model not AVAILABLE, batch queue saturated, replicas at the maximum; every expression parses', () => {
  const rules = servingAlertRules(TARGET, { batchTimeoutMicros: 2000 });
  expect(rules.map((r) => r.alert)).toEqual(['TfServingErrorRatioHigh', 'TfServingLatencyP99High', 'TfServingModelNotAvailable', 'TfServingBatchQueueSaturated', 'TfServingAtMaxReplicas']);
  expect(unparsable(rules.map((r) => r.expr))).toEqual([]);
  const sel = 'namespace="ml",pod=~"resnet-[a-z0-9]+-[a-z0-9]+"';
  expect(rules[0].expr).toBe(`sum(rate(:tensorflow:serving:request_count{${sel},status!="OK"}[5m])) / sum(rate(:tensorflow:serving:request_count{${sel}}[5m])) > 0.01`);
  expect(rules[1].expr).toBe(`histogram_quantile(0.99, sum by (le, model_name) (rate(:tensorflow:serving:request_latency_bucket{${sel}}[5m]))) / 1000 > 500`);
  expect(rules[2].expr).toBe(`sum(increase(:tensorflow:cc:saved_model:load_attempt_count{${sel},status="fail"}[15m])) > 0 `
    + 'or (kube_deployment_spec_replicas{namespace="ml",deployment="resnet"} - kube_deployment_status_replicas_available{namespace="ml",deployment="resnet"}) > 0');
  // The saturation threshold defaults to the batch timeout (2 ms).
  expect(rules[3].expr).toBe(`histogram_quantile(0.99, sum by (le) (rate(:tensorflow:serving:batching_session:queuing_latency_bucket{${sel}}[5m]))) / 1000 > 2`);
  expect(rules[4].expr).toBe('kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler="resnet"} '
    + '>= kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",horizontalpodautoscaler="resnet"}');
});

test('objectives set the thresholds; no batching or autoscaler rules without them', () => {
  const rules = servingAlertRules(TARGET, { maxErrorRatio: 0.001, p99Latency: Duration.millis(80), batching: false, autoscaler: false });
  expect(rules.map((r) => r.alert)).toEqual(['TfServingErrorRatioHigh', 'TfServingLatencyP99High', 'TfServingModelNotAvailable']);
  expect(rules[0].expr.endsWith('> 0.001')).toBe(true);
  expect(rules[1].expr.endsWith('> 80')).toBe(true);
  expect(servingAlertRules(TARGET, { batchQueueSaturation: Duration.millis(7) })[3].expr.endsWith('> 7')).toBe(true);
});

describe('ServingAlerts', () => {
  function server(props: Partial<TfServingModelProps> = {}) {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    const model = new TfServingModel(chart, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
      gcsAccess: GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com'),
      ...props,
    });
    return { chart, model };
  }

  test('a PrometheusRule with a ServiceMonitor scraper', () => {
    const { chart, model } = server({ monitoring: { scraper: Scraper.SERVICE_MONITOR }, autoscaling: { minReplicas: 2, maxReplicas: 6 } });
    const a = new ServingAlerts(chart, 'alerts', { target: model });
    const rule = only(synth(chart), 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.name).toBe('resnet-alerts');
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['TfServingErrorRatioHigh', 'TfServingLatencyP99High', 'TfServingModelNotAvailable', 'TfServingAtMaxReplicas']);
    expect(rules[0]).toMatchObject({ for: '5m', labels: { severity: 'critical' } });
    expect(unparsable(rules.map((r: any) => r.expr))).toEqual([]);
    expect(a.node.defaultChild).toBe(a.prometheusRule);
  });

  test('Managed Prometheus Rules with a PodMonitoring scraper; batching adds the queue rule', () => {
    const { chart, model } = server({
      monitoring: { scraper: Scraper.POD_MONITORING },
      batching: new BatchingConfig({ maxBatchSize: 16, batchTimeout: Duration.millis(3) }),
    });
    new ServingAlerts(chart, 'alerts', { target: model, autoscaler: true });
    const rules = only(synth(chart), 'Rules');
    expect(rules.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(rules.spec.groups[0].interval).toBe('30s');
    const saturated = rules.spec.groups[0].rules.find((r: any) => r.alert === 'TfServingBatchQueueSaturated');
    expect(saturated.expr.endsWith('> 3')).toBe(true);
    expect(rules.spec.groups[0].rules.map((r: any) => r.alert)).toContain('TfServingAtMaxReplicas');
  });

  test('refusals', () => {
    expect(() => new ServingAlerts(Testing.chart(), 'alerts', { target: server().model })).toThrow(
      "ServingAlerts 'alerts': 'target' (\"resnet\") must be scraped (monitoring.scraper is Scraper.NONE: no series, so no alert could ever fire). "
      + 'Fix: set monitoring: { scraper: Scraper.POD_MONITORING } (or SERVICE_MONITOR) on the TfServingModel');
    const scraped = () => server({ monitoring: { scraper: Scraper.POD_MONITORING } }).model;
    expect(() => new ServingAlerts(Testing.chart(), 'alerts', { target: scraped(), maxErrorRatio: 5 })).toThrow(
      "ServingAlerts 'alerts': 'maxErrorRatio' (5) must be between 0 and 1 (a share of requests). Fix: use 0.01");
    expect(() => new ServingAlerts(Testing.chart(), 'alerts', { target: scraped(), batchQueueSaturation: Duration.millis(5) })).toThrow(
      "ServingAlerts 'alerts': 'batchQueueSaturation' (\"5ms\") must come with batching on 'resnet' (the queueing series exists only with batching). "
      + 'Fix: remove batchQueueSaturation, or set batching on the TfServingModel');
  });
});
