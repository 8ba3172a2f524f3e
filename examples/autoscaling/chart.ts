// A GPU server that scales on what saturates it — per-replica request rate, batch queueing time and GPU utilization —
// through KEDA against Google Managed Prometheus, with bounds and targets from a capacity plan, plus its Grafana
// dashboard and its alerts (Managed Prometheus Rules, since the server is scraped by a PodMonitoring).
// Prerequisites in the cluster: KEDA (with Workload Identity bound to a Google service account holding
// roles/monitoring.viewer), GKE's managed DCGM metrics, kube-state-metrics (GKE's package) and a Grafana whose
// dashboard sidecar watches the namespace.
import { Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  BatchingConfig, GkeCluster, MachineType, MetricsBackend, ModelSource, PrometheusServer, ScalingMetric, Scraper, ServingAlerts, ServingAutoscaler,
  ServingDashboard, TfServingModel, WorkloadIdentity, planCapacity,
} from '../../lib';

export class AutoscalingChart extends Chart {
  public readonly server: TfServingModel;
  public readonly autoscaler: ServingAutoscaler;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-serving' });

    // A LoadTest measured 120 requests/s per L4 replica at the p99 objective; the peak is 1,000 requests/s:
    // 2–12 replicas at 84 requests/s each, a 70 % GPU utilization target, a pool of at most 13 nodes.
    const plan = planCapacity({ targetQps: 1000, qpsPerReplica: 120, headroom: 0.3 });

    const cluster = new GkeCluster(this, 'cluster', { project: 'acme-ml', location: 'us-central1', name: 'serving' });
    const l4 = cluster.addGpuNodePool('l4', {
      machineType: MachineType.of('g2-standard-8'), minNodes: 0, maxNodes: plan.maxNodes, nodeLocations: ['us-central1-a'],
    });
    const identity = new WorkloadIdentity(this, 'serving-identity', {
      cluster, serviceAccountName: 'resnet', namespace: 'ml-serving', googleServiceAccountId: 'resnet-serving', modelBuckets: ['acme-models'],
    });

    this.server = new TfServingModel(this, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
      gcsAccess: identity.gcsAccess(),
      nodePool: l4,
      resources: { cpu: { request: Cpu.units(6), limit: Cpu.units(6) }, memory: { request: Size.gibibytes(24), limit: Size.gibibytes(24) } },
      batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2) }),
      monitoring: { scraper: Scraper.POD_MONITORING },
    });

    this.autoscaler = new ServingAutoscaler(this, 'resnet-autoscaler', {
      target: this.server,
      plan,
      metrics: [ScalingMetric.requestRate(), ScalingMetric.batchQueueLatency(Duration.millis(4)), ScalingMetric.gpuUtilization()],
      backend: MetricsBackend.keda(PrometheusServer.managedPrometheus('acme-ml')),
      modelLoadTime: Duration.minutes(3),
    });
    new ServingDashboard(this, 'resnet-dashboard', { target: this.server, autoscaler: true });
    new ServingAlerts(this, 'resnet-alerts', { target: this.server, autoscaler: true, p99Latency: Duration.millis(150) });
  }
}
