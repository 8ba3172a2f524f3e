import { DCGM_METRICS, TF_SERVING_METRICS } from '../tfserving/metrics';

/** What a PromQL query needs to pick one server's series. */
export interface ServingQueryTarget {
  /** The Deployment name (TfServingModel `name`); its pods are named `NAME-<replicaset hash>-<suffix>`. */
  readonly name: string;
  /**
   * The namespace of the server's objects.
   *
   * @default - no namespace matcher (Managed Prometheus `Rules` scope their queries to their own namespace anyway)
   */
  readonly namespace?: string;
}

/** Seconds of a rate window, as PromQL writes it. */
const W = '5m';

/**
 * The PromQL of one server, shared by the autoscaler, the dashboards and the alerts so that every place reads the
 * same series. Series are picked by the scrape target labels `namespace` and `pod`, which both a prometheus-operator
 * ServiceMonitor and a Managed Prometheus PodMonitoring attach; DCGM series by the exporter's `exported_namespace` /
 * `exported_pod` (see {@link DCGM_METRICS}).
 */
export class ServingQueries {
  /** The label matchers of the server's own series. */
  public readonly selector: string;
  /** The label matchers of the DCGM series of the server's GPUs. */
  public readonly gpuSelector: string;
  /** kube-state-metrics matchers of the Deployment. */
  public readonly deploymentSelector: string;
  /** kube-state-metrics matchers of the HorizontalPodAutoscaler (KEDA's is given the same name). */
  public readonly hpaSelector: string;

  constructor(public readonly target: ServingQueryTarget) {
    const ns = target.namespace === undefined ? '' : `namespace="${target.namespace}",`;
    const pod = `"${target.name}-[a-z0-9]+-[a-z0-9]+"`;
    this.selector = `${ns}pod=~${pod}`;
    this.gpuSelector = `${target.namespace === undefined ? '' : `exported_namespace="${target.namespace}",`}exported_pod=~${pod}`;
    this.deploymentSelector = `${ns}deployment="${target.name}"`;
    this.hpaSelector = `${ns}horizontalpodautoscaler="${target.name}"`;
  }

  /** Requests per second, optionally broken down by labels (e.g. `model_name`). */
  public requestRate(by: string[] = []): string {
    return `sum${by.length ? ` by (${by.join(', ')})` : ''} (rate(${TF_SERVING_METRICS.requestCount}{${this.selector}}[${W}]))`;
  }

  /** Requests per second per pod: the autoscaler's per-replica signal. */
  public requestRatePerPod(): string {
    return this.requestRate(['pod']);
  }

  /** Failed requests (status other than OK) per second by model and status. */
  public errorRate(): string {
    return `sum by (model_name, status) (rate(${TF_SERVING_METRICS.requestCount}{${this.selector},status!="OK"}[${W}]))`;
  }

  /** Share of requests that failed, 0–1. */
  public errorRatio(): string {
    return `sum(rate(${TF_SERVING_METRICS.requestCount}{${this.selector},status!="OK"}[${W}])) / sum(rate(${TF_SERVING_METRICS.requestCount}{${this.selector}}[${W}]))`;
  }

  /** Request latency quantile in milliseconds by model (the server records microseconds). */
  public latencyMs(quantile: number, by: string[] = ['model_name']): string {
    return `histogram_quantile(${quantile}, sum by (${['le', ...by].join(', ')}) (rate(${TF_SERVING_METRICS.requestLatency}_bucket{${this.selector}}[${W}]))) / 1000`;
  }

  /** Batch queueing latency quantile in milliseconds. */
  public queueingLatencyMs(quantile: number): string {
    return `histogram_quantile(${quantile}, sum by (le) (rate(${TF_SERVING_METRICS.batchQueueingLatency}_bucket{${this.selector}}[${W}]))) / 1000`;
  }

  /** Mean batch queueing latency in microseconds over the server (the autoscaler's queueing signal). */
  public meanQueueingLatencyMicros(): string {
    const m = TF_SERVING_METRICS.batchQueueingLatency;
    return `sum(rate(${m}_sum{${this.selector}}[1m])) / sum(rate(${m}_count{${this.selector}}[1m]))`;
  }

  /** Executed batch size quantile. */
  public batchSize(quantile: number): string {
    return `histogram_quantile(${quantile}, sum by (le) (rate(${TF_SERVING_METRICS.processedBatchSize}_bucket{${this.selector}}[${W}])))`;
  }

  /** SavedModel loads in the last hour by version directory and status. */
  public modelLoads(): string {
    return `sum by (model_path, status) (increase(${TF_SERVING_METRICS.loadAttemptCount}{${this.selector}}[1h]))`;
  }

  /** Failed SavedModel loads in the last 15 minutes. */
  public failedModelLoads(): string {
    return `sum(increase(${TF_SERVING_METRICS.loadAttemptCount}{${this.selector},status="fail"}[15m]))`;
  }

  /** Replicas the Deployment wants minus those Ready (a pod is Ready only once its models are AVAILABLE). */
  public unavailableReplicas(): string {
    return `kube_deployment_spec_replicas{${this.deploymentSelector}} - kube_deployment_status_replicas_available{${this.deploymentSelector}}`;
  }

  /** Ready replicas. */
  public availableReplicas(): string {
    return `kube_deployment_status_replicas_available{${this.deploymentSelector}}`;
  }

  /** Current and maximum replicas of the autoscaler. */
  public hpaReplicas(): { current: string; max: string } {
    return {
      current: `kube_horizontalpodautoscaler_status_current_replicas{${this.hpaSelector}}`,
      max: `kube_horizontalpodautoscaler_spec_max_replicas{${this.hpaSelector}}`,
    };
  }

  /** Sum of the GPU utilization percentages of the server's GPUs (÷ replicas = the per-replica average). */
  public gpuUtilizationSum(): string {
    return `sum(${DCGM_METRICS.gpuUtilization}{${this.gpuSelector}})`;
  }

  /** GPU utilization per pod, percent. */
  public gpuUtilizationByPod(): string {
    return `avg by (exported_pod) (${DCGM_METRICS.gpuUtilization}{${this.gpuSelector}})`;
  }

  /** GPU memory used per pod, MiB. */
  public gpuMemoryUsedByPod(): string {
    return `sum by (exported_pod) (${DCGM_METRICS.memoryUsed}{${this.gpuSelector}})`;
  }

  /**
   * Requests per second the callers' Istio sidecars (or an Istio ingress gateway) sent to the server's Service. It
   * exists while the server has no pod, which is why scale-from-zero activates on it.
   */
  public meshRequestRate(): string {
    const ns = this.target.namespace === undefined ? '' : `destination_service_namespace="${this.target.namespace}",`;
    return `sum(rate(istio_requests_total{reporter="source",${ns}destination_service_name="${this.target.name}"}[1m]))`;
  }
}
