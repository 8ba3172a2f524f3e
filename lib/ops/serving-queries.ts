import { DCGM_METRICS, TF_SERVING_METRICS } from '../tfserving/metrics';

/**
 * The labels that name the pod and namespace holding a GPU on DCGM exporter series. dcgm-exporter writes them as
 * `pod` / `namespace`; a Prometheus that does not honor the target's labels (the ServiceMonitor and PodMonitoring
 * default) keeps its own target labels under those names and renames the exporter's to `exported_pod` /
 * `exported_namespace`.
 */
export class DcgmLabels {
  /** `exported_pod` / `exported_namespace`: the exporter scraped without honoring its labels. */
  public static readonly EXPORTED = new DcgmLabels('exported_pod', 'exported_namespace');
  /** `pod` / `namespace`: the exporter scraped with `honorLabels: true`. */
  public static readonly HONORED = new DcgmLabels('pod', 'namespace');

  private constructor(
    /** The label naming the pod. */
    public readonly pod: string,
    /** The label naming the namespace. */
    public readonly namespace: string,
  ) {}
}

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
  /**
   * How DCGM series name the pod of a GPU.
   *
   * @default DcgmLabels.EXPORTED
   */
  readonly dcgmLabels?: DcgmLabels;
}

/** Seconds of a rate window, as PromQL writes it. */
const W = '5m';

/**
 * The PromQL of one server, shared by the autoscaler, the dashboards and the alerts so that every place reads the
 * same series. Series are picked by the scrape target labels `namespace` and `pod`, which both a prometheus-operator
 * ServiceMonitor and a Managed Prometheus PodMonitoring attach; DCGM series by the exporter's labels ({@link DcgmLabels}).
 */
export class ServingQueries {
  /** The label matchers of the server's own series. */
  public readonly selector: string;
  /** The label matchers of the DCGM series of the server's GPUs. */
  public readonly gpuSelector: string;
  /** The DCGM label naming the pod of a GPU. */
  public readonly gpuPodLabel: string;
  /** kube-state-metrics matchers of the Deployment. */
  public readonly deploymentSelector: string;
  /** kube-state-metrics matchers of the HorizontalPodAutoscaler (KEDA's is given the same name). */
  public readonly hpaSelector: string;

  constructor(public readonly target: ServingQueryTarget) {
    const ns = target.namespace === undefined ? '' : `namespace="${target.namespace}",`;
    const pod = `"${target.name}-[a-z0-9]+-[a-z0-9]+"`;
    this.selector = `${ns}pod=~${pod}`;
    const dcgm = target.dcgmLabels ?? DcgmLabels.EXPORTED;
    this.gpuPodLabel = dcgm.pod;
    this.gpuSelector = `${target.namespace === undefined ? '' : `${dcgm.namespace}="${target.namespace}",`}${dcgm.pod}=~${pod}`;
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
    return `avg by (${this.gpuPodLabel}) (${DCGM_METRICS.gpuUtilization}{${this.gpuSelector}})`;
  }

  /** GPU memory used per pod, MiB. */
  public gpuMemoryUsedByPod(): string {
    return `sum by (${this.gpuPodLabel}) (${DCGM_METRICS.memoryUsed}{${this.gpuSelector}})`;
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
