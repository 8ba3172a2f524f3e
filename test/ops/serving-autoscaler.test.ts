import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { unparsable } from './promql';
import {
  BatchingConfig, DcgmLabels, GcsAccess, GkeCluster, MachineType, MetricsBackend, ModelSource, PROMETHEUS_ADAPTER_METRICS, PrometheusServer,
  ScalingMetric, Scraper, ServingAutoscaler, ServingAutoscalerProps, TfServingModel, TfServingModelProps, planCapacity, prometheusAdapterRules,
} from '../../lib';
import { only, synth } from '../support/synth';

const RESNET = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };
const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const GPU_RESOURCES = {
  cpu: { request: kplus.Cpu.units(6), limit: kplus.Cpu.units(6) },
  memory: { request: Size.gibibytes(24), limit: Size.gibibytes(24) },
};
// 1,000 QPS peak, 120 QPS per replica at the latency objective, 30 % headroom → 84 per replica, 2–12 replicas, 70 %.
const PLAN = planCapacity({ targetQps: 1000, qpsPerReplica: 120 });
const PROMETHEUS = PrometheusServer.url('http://prometheus-operated.monitoring:9090');

function gpuServer(props: Partial<TfServingModelProps> = {}) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' });
  const l4 = cluster.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8'), maxNodes: 4, nodeLocations: ['us-central1-a'] });
  const model = new TfServingModel(chart, 'resnet', {
    models: [RESNET], gcsAccess: WI, nodePool: l4, resources: GPU_RESOURCES,
    batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2) }),
    monitoring: { scraper: Scraper.POD_MONITORING }, ...props,
  });
  return { chart, model };
}

function inNamespace(props: Partial<TfServingModelProps> = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'serving', { namespace: 'ml' });
  const model = new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, monitoring: { scraper: Scraper.SERVICE_MONITOR }, ...props });
  return { chart, model };
}

const scaler = (model: TfServingModel, props: Partial<ServingAutoscalerProps> = {}) => new ServingAutoscaler(Chart.of(model), 'Autoscaler', {
  target: model, plan: PLAN, metrics: [ScalingMetric.requestRate()], backend: MetricsBackend.stackdriverAdapter(), ...props,
});

describe('Stackdriver adapter (HPA on Managed Prometheus)', () => {
  test('an autoscaling/v2 HPA on the per-pod request rate at the plan\'s planned QPS; the Deployment drops its replicas', () => {
    // GIVEN a GPU server scraped by Managed Prometheus WHEN it gets a ServingAutoscaler on request rate
    const { chart, model } = gpuServer();
    scaler(model);
    const objects = synth(chart);
    // THEN the HPA reads the adapter's name of the counter, as a per-second rate per pod
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet' },
      minReplicas: 2,
      maxReplicas: 12,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'prometheus.googleapis.com|:tensorflow:serving:request_count|counter' }, target: { type: 'AverageValue', averageValue: '84' } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      },
    });
    expect(only(objects, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('a fractional target becomes a milli-quantity; scale-down waits at least the model load time', () => {
    const { chart, model } = gpuServer();
    scaler(model, { metrics: [ScalingMetric.requestRate(42.5)], modelLoadTime: Duration.minutes(8) });
    const hpa = only(synth(chart), 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics[0].pods.target.averageValue).toBe('42500m');
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(480);
  });

  test('a target whose models declare sizeGiB: modelLoadTime and scale-down from its cold-start plan', () => {
    // GIVEN a 40 GiB model on the L4 pool: 4 GiB -gpu image (20.5 s) + 40960 MiB at one GCS stream (409.6 s) + 10 s = 440.1 s
    const { chart, model } = gpuServer({ models: [{ ...RESNET, sizeGiB: 40 }], probes: { startupTimeout: Duration.minutes(15) } });
    expect(model.coldStart?.estimatedSeconds).toBe(440.1);
    const s = scaler(model);
    // THEN scale-down waits twice the estimate (the plan's window), not the 2-minute default's 5 minutes
    expect(s.scaleDownStabilization.toSeconds()).toBe(881);
    expect(only(synth(chart), 'HorizontalPodAutoscaler').spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(881);
    // a given modelLoadTime still wins
    const { model: other } = gpuServer({ models: [{ ...RESNET, sizeGiB: 40 }], probes: { startupTimeout: Duration.minutes(15) } });
    expect(scaler(other, { modelLoadTime: Duration.minutes(8) }).scaleDownStabilization.toSeconds()).toBe(480);
  });

  test('refuses the metrics the adapter cannot serve', () => {
    expect(() => scaler(gpuServer().model, { metrics: [ScalingMetric.batchQueueLatency(Duration.millis(5))] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (\"batch-queue-latency\") must not be read through the Stackdriver adapter (Managed Prometheus stores the histogram "
      + 'as a distribution, which the adapter cannot turn into a value). Fix: use MetricsBackend.keda(…), whose PromQL divides the _sum and _count rates');
    expect(() => scaler(gpuServer().model, { metrics: [ScalingMetric.gpuUtilization()] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (\"gpu-utilization\") must not be read through the Stackdriver adapter (it attributes a series to its `pod` label, "
      + "which on DCGM series is the exporter's pod). Fix: use MetricsBackend.keda(…), whose PromQL selects the exporter's pod label");
  });

  test('refuses a server whose series do not reach Cloud Monitoring', () => {
    const { model } = inNamespace();
    expect(() => scaler(model)).toThrow(
      "ServingAutoscaler 'Autoscaler': 'backend' (\"MetricsBackend.stackdriverAdapter()\") must read series that reach Cloud Monitoring ('resnet' is not scraped by Managed Prometheus). "
      + 'Fix: set monitoring: { scraper: Scraper.POD_MONITORING } on the TfServingModel, or use MetricsBackend.keda(PrometheusServer.url(…))');
  });
});

describe('prometheus-adapter (HPA on custom.metrics.k8s.io)', () => {
  test('Pods metrics named by the adapter rules, targets from the plan', () => {
    const { chart, model } = gpuServer();
    scaler(model, {
      metrics: [ScalingMetric.requestRate(), ScalingMetric.batchQueueLatency(Duration.millis(4)), ScalingMetric.gpuUtilization(60)],
      backend: MetricsBackend.prometheusAdapter(),
    });
    const hpa = only(synth(chart), 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'tensorflow_serving_requests_per_second' }, target: { type: 'AverageValue', averageValue: '84' } } },
      { type: 'Pods', pods: { metric: { name: 'tensorflow_serving_batch_queueing_microseconds' }, target: { type: 'AverageValue', averageValue: '4000' } } },
      { type: 'Pods', pods: { metric: { name: 'tensorflow_serving_gpu_utilization_percent' }, target: { type: 'AverageValue', averageValue: '60' } } },
    ]);
  });

  test('the adapter rules serve those names, and their queries parse once the adapter fills its templates', () => {
    const rules = prometheusAdapterRules();
    expect(rules.map((r) => r.name.as)).toEqual(Object.values(PROMETHEUS_ADAPTER_METRICS));
    expect(rules[2].resources.overrides).toEqual({ exported_namespace: { resource: 'namespace' }, exported_pod: { resource: 'pod' } });
    // prometheus-adapter pkg/naming/metrics_query.go fills <<.Series>>, <<.LabelMatchers>> and <<.GroupBy>>.
    const filled = rules.map((r) => r.metricsQuery
      .replace(/<<\.Series>>/g, r.seriesQuery.split('{')[0])
      .replace(/<<\.LabelMatchers>>/g, 'namespace="ml",pod=~"resnet-a|resnet-b"')
      .replace(/<<\.GroupBy>>/g, 'pod'));
    expect(filled[0]).toBe('sum(rate(:tensorflow:serving:request_count{namespace="ml",pod=~"resnet-a|resnet-b"}[2m])) by (pod)');
    expect(unparsable([...filled, ...rules.map((r) => r.seriesQuery)])).toEqual([]);
    expect(prometheusAdapterRules(DcgmLabels.HONORED)[2].resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
  });
});

describe('KEDA', () => {
  test('a ScaledObject with Prometheus triggers for request rate, queueing and GPU utilization; KEDA\'s HPA named like the server', () => {
    const { chart, model } = gpuServer();
    scaler(model, {
      metrics: [ScalingMetric.requestRate(), ScalingMetric.batchQueueLatency(Duration.millis(4)), ScalingMetric.gpuUtilization()],
      backend: MetricsBackend.keda(PROMETHEUS),
    });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const so = only(objects, 'ScaledObject');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet' }, minReplicaCount: 2, maxReplicaCount: 12, pollingInterval: 15 });
    expect(so.spec.idleReplicaCount).toBeUndefined();
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('resnet');
    expect(so.spec.triggers).toEqual([
      {
        type: 'prometheus', name: 'request-rate', metricType: 'AverageValue',
        metadata: { serverAddress: 'http://prometheus-operated.monitoring:9090', query: 'sum (rate(:tensorflow:serving:request_count{pod=~"resnet-[a-z0-9]+-[a-z0-9]+"}[5m]))', threshold: '84' },
      },
      {
        type: 'prometheus', name: 'batch-queue-latency', metricType: 'Value',
        metadata: {
          serverAddress: 'http://prometheus-operated.monitoring:9090',
          query: 'sum(rate(:tensorflow:serving:batching_session:queuing_latency_sum{pod=~"resnet-[a-z0-9]+-[a-z0-9]+"}[1m])) '
            + '/ sum(rate(:tensorflow:serving:batching_session:queuing_latency_count{pod=~"resnet-[a-z0-9]+-[a-z0-9]+"}[1m]))',
          threshold: '4000',
        },
      },
      {
        type: 'prometheus', name: 'gpu-utilization', metricType: 'AverageValue',
        metadata: { serverAddress: 'http://prometheus-operated.monitoring:9090', query: 'sum(DCGM_FI_DEV_GPU_UTIL{exported_pod=~"resnet-[a-z0-9]+-[a-z0-9]+"})', threshold: '70' },
      },
    ]);
    expect(unparsable(so.spec.triggers.map((t: any) => t.metadata.query))).toEqual([]);
  });

  test('Managed Prometheus: the project\'s query API and a GCP workload identity TriggerAuthentication', () => {
    const { chart, model } = gpuServer();
    scaler(model, { backend: MetricsBackend.keda(PrometheusServer.managedPrometheus('acme-ml')) });
    const objects = synth(chart);
    const auth = only(objects, 'TriggerAuthentication');
    expect(auth.spec).toEqual({ podIdentity: { provider: 'gcp' } });
    const trigger = only(objects, 'ScaledObject').spec.triggers[0];
    expect(trigger.metadata.serverAddress).toBe('https://monitoring.googleapis.com/v1/projects/acme-ml/location/global/prometheus');
    expect(trigger.authenticationRef).toEqual({ name: auth.metadata.name });
  });

  test('namespaced selectors', () => {
    const { chart, model } = inNamespace();
    scaler(model, { backend: MetricsBackend.keda(PROMETHEUS) });
    expect(only(synth(chart), 'ScaledObject').spec.triggers[0].metadata.query)
      .toBe('sum (rate(:tensorflow:serving:request_count{namespace="ml",pod=~"resnet-[a-z0-9]+-[a-z0-9]+"}[5m]))');
  });

  test('scale to zero: idle at 0, woken by what the callers\' sidecars report, the accepted cold start written down', () => {
    const { chart, model } = inNamespace({ podDisruptionBudget: { enabled: false } });
    scaler(model, {
      backend: MetricsBackend.keda(PROMETHEUS, { scaleToZero: { activationRequestsPerSecond: 0.1, acceptedColdStart: Duration.minutes(6) } }),
      modelLoadTime: Duration.minutes(3),
    });
    const so = only(synth(chart), 'ScaledObject');
    expect(so.metadata.annotations).toEqual({ 'tfserving-constructs/accepted-cold-start': '360s' });
    expect(so.spec).toMatchObject({ minReplicaCount: 2, idleReplicaCount: 0, cooldownPeriod: 300 });
    const activation = so.spec.triggers[1];
    expect(activation).toEqual({
      type: 'prometheus', name: 'mesh-activation', metricType: 'AverageValue',
      metadata: {
        serverAddress: 'http://prometheus-operated.monitoring:9090',
        query: 'sum(rate(istio_requests_total{reporter="source",destination_service_namespace="ml",destination_service_name="resnet"}[1m]))',
        threshold: '84', activationThreshold: '0.1',
      },
    });
    expect(unparsable([activation.metadata.query])).toEqual([]);
  });

  test('scale to zero passes the TfServingModel\'s own budget (maxUnavailable 1)', () => {
    const { chart, model } = inNamespace();
    scaler(model, {
      backend: MetricsBackend.keda(PROMETHEUS, { scaleToZero: { activationRequestsPerSecond: 1, acceptedColdStart: Duration.minutes(5) } }),
    });
    expect(only(synth(chart), 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('refuses scale to zero with a budget that allows no eviction at one replica', () => {
    // GIVEN a platform team's budget that keeps one serving pod at all times
    const { chart, model } = inNamespace();
    new kplus.k8s.KubePodDisruptionBudget(chart, 'keep-one', {
      metadata: { name: 'keep-one' },
      spec: { minAvailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { 'app.kubernetes.io/instance': 'resnet' } } },
    });
    scaler(model, {
      backend: MetricsBackend.keda(PROMETHEUS, { scaleToZero: { activationRequestsPerSecond: 1, acceptedColdStart: Duration.minutes(5) } }),
    });
    // THEN synthesis fails on the finished tree
    expect(() => Testing.synth(chart)).toThrow(
      "ServingAutoscaler 'Autoscaler': 'backend.scaleToZero' (PodDisruptionBudget 'keep-one' with minAvailable 1) must not meet a budget that allows no eviction at one replica: "
      + "the budget promises a pod that scale to zero removes, and it blocks every drain of the last replica's node. Fix: use maxUnavailable: 1 (the TfServingModel default), or do not scale to zero");
  });

  test('a budget for other pods does not matter', () => {
    const { chart, model } = inNamespace();
    new kplus.k8s.KubePodDisruptionBudget(chart, 'other', {
      metadata: { name: 'other' },
      spec: { minAvailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { 'app.kubernetes.io/instance': 'bert' } } },
    });
    scaler(model, {
      backend: MetricsBackend.keda(PROMETHEUS, { scaleToZero: { activationRequestsPerSecond: 1, acceptedColdStart: Duration.minutes(5) } }),
    });
    expect(only(synth(chart), 'ScaledObject').spec.idleReplicaCount).toBe(0);
  });

  test('refuses a cold start shorter than a model load, and a zero activation', () => {
    const keda = (activationRequestsPerSecond: number, acceptedColdStart: Duration) =>
      MetricsBackend.keda(PROMETHEUS, { scaleToZero: { activationRequestsPerSecond, acceptedColdStart } });
    expect(() => scaler(inNamespace().model, { backend: keda(1, Duration.seconds(30)) })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'backend.scaleToZero.acceptedColdStart' (\"30s\") must be at least modelLoadTime (120s): the first request after an idle period waits "
      + 'for a pod to start and load its models. Fix: accept the real cold start (plus node provisioning on a pool that scales from zero), or do not scale to zero');
    expect(() => scaler(inNamespace().model, { backend: keda(0, Duration.minutes(5)) })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'backend.scaleToZero.activationRequestsPerSecond' (0) must be greater than 0. Fix: use e.g. 0.1 (one request in ten seconds)");
  });
});

describe('the target and the plan', () => {
  test('refuses a server with its own autoscaling or fixed replicas', () => {
    expect(() => scaler(gpuServer({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }).model)).toThrow(
      "ServingAutoscaler 'Autoscaler': 'target' (\"resnet\") must not have its own autoscaling (the TfServingModel already scales on CPU; two autoscalers would fight over one "
      + 'Deployment). Fix: remove autoscaling from the TfServingModel');
    expect(() => scaler(gpuServer({ replicas: 3 }).model)).toThrow(
      "ServingAutoscaler 'Autoscaler': 'target' (\"resnet\") must not have a fixed replica count (replicas: 3; an autoscaler rejects a target with fixed replicas). "
      + 'Fix: remove replicas from the TfServingModel');
  });

  test('refuses a target in another namespace: scaleTargetRef resolves in the autoscaler\'s own', () => {
    // GIVEN a server in namespace 'ml' WHEN its autoscaler sits in a chart without a namespace (applied to 'default')
    const { model } = inNamespace();
    const elsewhere = new Chart(Chart.of(model).node.scope as Construct, 'ops');
    const build = (backend: MetricsBackend) => () => new ServingAutoscaler(new Construct(elsewhere, backend.kind), 'Autoscaler', {
      target: model, plan: PLAN, metrics: [ScalingMetric.requestRate()], backend,
    });
    const message = "ServingAutoscaler 'Autoscaler': 'target' (\"resnet\") must be in the autoscaler's namespace 'default' (its Deployment is in 'ml'; an autoscaler resolves "
      + "scaleTargetRef in its own namespace, so it would find no Deployment and never scale). Fix: create the ServingAutoscaler in a chart with namespace 'ml'";
    // THEN both the HPA and the ScaledObject (whose HPA KEDA creates in the ScaledObject's namespace) are refused
    expect(build(MetricsBackend.prometheusAdapter())).toThrow(message);
    expect(build(MetricsBackend.keda(PROMETHEUS))).toThrow(message);
  });

  test('a target in another chart of the same namespace is accepted', () => {
    const { model } = inNamespace();
    const ops = new Chart(Chart.of(model).node.scope as Construct, 'ops', { namespace: 'ml' });
    new ServingAutoscaler(ops, 'Autoscaler', { target: model, plan: PLAN, metrics: [ScalingMetric.requestRate()], backend: MetricsBackend.prometheusAdapter() });
    const hpa = only(synth(ops), 'HorizontalPodAutoscaler');
    expect(hpa.metadata.namespace).toBe('ml');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet' });
  });

  test('refuses a custom metric without a scraper', () => {
    const { model } = gpuServer({ monitoring: { scraper: Scraper.NONE } });
    expect(() => scaler(model, { backend: MetricsBackend.keda(PROMETHEUS) })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (\"request-rate\") must come with a scraper on 'resnet' (monitoring.scraper is Scraper.NONE: no series, so the autoscaler "
      + 'would read nothing and hold the replica count). Fix: set monitoring: { scraper: Scraper.POD_MONITORING } (or SERVICE_MONITOR) on the TfServingModel');
  });

  test('refuses targets that contradict the capacity plan', () => {
    const keda = MetricsBackend.keda(PROMETHEUS);
    expect(() => scaler(gpuServer().model, { backend: keda, metrics: [ScalingMetric.requestRate(100)] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (100) must be at most the plan's plannedQpsPerReplica (84): a higher target spends the headroom the plan keeps for bursts. "
      + "Fix: leave the target out to use the plan's, or re-plan with less headroom");
    expect(() => scaler(gpuServer().model, { backend: keda, metrics: [ScalingMetric.gpuUtilization(90)] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (90) must be at most the plan's utilization target (70 %, from its headroom): a higher target spends the headroom the plan keeps. "
      + "Fix: leave the target out to use the plan's, or re-plan with less headroom");
    expect(() => scaler(gpuServer().model, {
      backend: keda, metrics: [ScalingMetric.requestRate()], modelLoadTime: Duration.minutes(10), scaleDownStabilization: Duration.minutes(5),
    })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'scaleDownStabilization' (\"300s\") must be at least modelLoadTime (600s): a replica removed on a shorter dip takes a model load to come back. "
      + 'Fix: use Duration.seconds(600) or more');
  });

  test('refuses metrics the server cannot produce', () => {
    const keda = MetricsBackend.keda(PROMETHEUS);
    expect(() => scaler(inNamespace().model, { backend: keda, metrics: [ScalingMetric.gpuUtilization()] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (\"gpu-utilization\") must come with GPUs on 'resnet' (it has none; DCGM reports nothing for it). Fix: scale on requestRate or batchQueueLatency");
    expect(() => scaler(inNamespace().model, { backend: keda, metrics: [ScalingMetric.batchQueueLatency(Duration.millis(5))] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics[0]' (\"batch-queue-latency\") must come with batching on 'resnet' (without --enable_batching the queueing series does not exist). "
      + 'Fix: set batching on the TfServingModel, or scale on requestRate');
    expect(() => scaler(inNamespace().model, { backend: keda, metrics: [] })).toThrow("ServingAutoscaler 'Autoscaler': 'metrics' ([]) must name at least one metric. Fix: use [ScalingMetric.requestRate()]");
    expect(() => scaler(inNamespace().model, { backend: keda, metrics: [ScalingMetric.requestRate(), ScalingMetric.requestRate(10)] })).toThrow(
      "ServingAutoscaler 'Autoscaler': 'metrics' ([\"request-rate\", \"request-rate\"]) must name each metric once. Fix: remove the duplicate");
  });

  test('defaultChild is the HPA or the ScaledObject', () => {
    const a = scaler(gpuServer().model);
    expect(a.node.defaultChild).toBe(a.hpa);
    const b = scaler(gpuServer().model, { backend: MetricsBackend.keda(PROMETHEUS) });
    expect(b.node.defaultChild).toBe(b.scaledObject);
  });
});

test('defaults: KEDA on request rate at the plan\'s targets (snapshot)', () => {
  const { chart, model } = inNamespace();
  scaler(model, { backend: MetricsBackend.keda(PROMETHEUS) });
  expect(synth(chart).filter((o) => ['ScaledObject', 'Deployment'].includes(o.kind))).toMatchSnapshot();
});
