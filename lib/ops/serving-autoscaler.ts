import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CapacityPlan } from './capacity';
import { PROMETHEUS_ADAPTER_METRICS } from './prometheus-adapter';
import { DcgmLabels, ServingQueries } from './serving-queries';
import { fail, show, subjectOf } from '../core/errors';
import { checkDuration } from '../core/kubernetes';
import { ScaledObject, ScaledObjectSpecTriggers, TriggerAuthentication, TriggerAuthenticationSpecPodIdentityProvider } from '../imports/keda.sh';
import type { TfServingModel } from '../serving/tf-serving-model';
import { TF_SERVING_METRICS } from '../tfserving/metrics';

/** What the autoscaler measures against its target. */
export class ScalingMetric {
  /**
   * Requests per second per replica, from `:tensorflow:serving:request_count` (all models and statuses of the server).
   *
   * @param perReplica the target per replica; at most the plan's `plannedQpsPerReplica`
   * @default - the plan's `plannedQpsPerReplica` (the QPS one replica sustains at the latency objective, less headroom)
   */
  public static requestRate(perReplica?: number): ScalingMetric {
    return new ScalingMetric('request-rate', perReplica);
  }

  /**
   * Mean time a request waits in the batching queue (`:tensorflow:serving:batching_session:queuing_latency`). A
   * batching server queues long before its CPU or GPU peaks. Needs `batching` on the server.
   *
   * @param target the mean queueing time to hold; keep it below the batch timeout plus one batch's run time
   */
  public static batchQueueLatency(target: Duration): ScalingMetric {
    return new ScalingMetric('batch-queue-latency', target.toMilliseconds({ integral: false }) * 1000);
  }

  /**
   * Average GPU utilization of the server's GPUs, percent (`DCGM_FI_DEV_GPU_UTIL` from the DCGM exporter). Needs GPUs.
   *
   * @param percent the target; at most the plan's utilization target
   * @default - the plan's `targetCpuUtilization`, i.e. (1 − headroom) × 100
   */
  public static gpuUtilization(percent?: number): ScalingMetric {
    return new ScalingMetric('gpu-utilization', percent);
  }

  private constructor(
    /** `request-rate`, `batch-queue-latency` or `gpu-utilization`. */
    public readonly kind: 'request-rate' | 'batch-queue-latency' | 'gpu-utilization',
    /** The target as given (requests/s, microseconds or percent). */
    public readonly target?: number,
  ) {}
}

/** The Prometheus API a KEDA Prometheus trigger queries. */
export class PrometheusServer {
  /** A Prometheus server (or any Prometheus-compatible query API) at this URL, e.g. `http://prometheus-operated.monitoring:9090`. */
  public static url(address: string): PrometheusServer {
    return new PrometheusServer(address);
  }

  /**
   * Google Managed Prometheus's query API of a project. KEDA authenticates with its own Workload Identity (a
   * TriggerAuthentication with `podIdentity.provider: gcp` is emitted); its Google service account needs
   * `roles/monitoring.viewer`.
   *
   * @see https://keda.sh/docs/latest/scalers/prometheus/#google-managed-prometheus
   */
  public static managedPrometheus(project: string): PrometheusServer {
    return new PrometheusServer(`https://monitoring.googleapis.com/v1/projects/${project}/location/global/prometheus`, true);
  }

  private constructor(
    /** The query API's base URL. */
    public readonly address: string,
    /** Whether KEDA authenticates as its GCP workload identity. */
    public readonly gcpIdentity = false,
  ) {}
}

/** Scale to zero replicas when idle (KEDA only). */
export interface ScaleToZeroOptions {
  /**
   * Requests per second, as reported by the callers' Istio sidecars or gateway (`istio_requests_total`,
   * reporter="source"), above which an idle server wakes. At zero replicas TF Serving exports nothing, so only
   * what the callers see can wake it; callers outside the mesh cannot.
   */
  readonly activationRequestsPerSecond: number;
  /**
   * The cold start you accept for the first requests after an idle period: pod scheduling (a node from zero on a GPU
   * pool takes minutes) plus the model load time. It must be at least `modelLoadTime`; it is written on the
   * ScaledObject (annotation `tfserving-constructs/accepted-cold-start`) so that nobody is surprised.
   */
  readonly acceptedColdStart: Duration;
}

/** How the metrics reach the autoscaler. */
export class MetricsBackend {
  /**
   * An autoscaling/v2 HorizontalPodAutoscaler on `Pods` metrics served by the Custom Metrics Stackdriver Adapter from
   * Google Managed Prometheus (metric names `prometheus.googleapis.com|<name>|<kind>`). Needs the server scraped by
   * `Scraper.POD_MONITORING` and the adapter installed. Supports `ScalingMetric.requestRate` only.
   *
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/hpa
   */
  public static stackdriverAdapter(): MetricsBackend {
    return new MetricsBackend('stackdriver-adapter');
  }

  /**
   * An autoscaling/v2 HorizontalPodAutoscaler on `Pods` metrics served by prometheus-adapter from a Prometheus
   * (custom.metrics.k8s.io names {@link PROMETHEUS_ADAPTER_METRICS}; add `prometheusAdapterRules()` to the adapter's
   * rules). Supports every metric; no scale to zero (an HPA keeps at least one replica).
   *
   * @see https://github.com/kubernetes-sigs/prometheus-adapter
   */
  public static prometheusAdapter(): MetricsBackend {
    return new MetricsBackend('prometheus-adapter');
  }

  /**
   * A KEDA `ScaledObject` (keda.sh/v1alpha1) with Prometheus triggers (PromQL against `server`); KEDA creates and owns
   * the HorizontalPodAutoscaler (named like the server). Supports every metric and scale to zero.
   */
  public static keda(server: PrometheusServer, options: { readonly scaleToZero?: ScaleToZeroOptions } = {}): MetricsBackend {
    return new MetricsBackend('keda', server, options.scaleToZero);
  }

  private constructor(
    /** `stackdriver-adapter`, `prometheus-adapter` or `keda`. */
    public readonly kind: 'stackdriver-adapter' | 'prometheus-adapter' | 'keda',
    /** The Prometheus API KEDA queries. */
    public readonly server?: PrometheusServer,
    /** Scale to zero (KEDA). */
    public readonly scaleToZero?: ScaleToZeroOptions,
  ) {}
}

/** Properties of {@link ServingAutoscaler}. */
export interface ServingAutoscalerProps {
  /** The server to scale. It must have neither `replicas` nor `autoscaling` (this is its autoscaler). */
  readonly target: TfServingModel;
  /** The capacity plan (`planCapacity`): replica bounds and the targets' ceilings. */
  readonly plan: CapacityPlan;
  /** What to scale on; the autoscaler follows the metric that asks for the most replicas. */
  readonly metrics: ScalingMetric[];
  /** Where the metrics come from. */
  readonly backend: MetricsBackend;
  /**
   * How long a new replica takes to load its models and turn Ready (measure it: the time from pod start to Ready).
   *
   * @default - the target's cold-start estimate (`target.coldStart`) when its models declare `sizeGiB`, else Duration.minutes(2)
   */
  readonly modelLoadTime?: Duration;
  /**
   * How long the load must stay low before replicas are removed. At least `modelLoadTime`, so that a dip shorter
   * than a model load does not remove a replica that would take that long to come back.
   *
   * @default - the target's planned window (`coldStart.scaleDownStabilizationSeconds`: twice the estimate, at least 5
   *   minutes) when its models declare `sizeGiB` and modelLoadTime is not given; else the larger of modelLoadTime and 5 minutes
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * How DCGM series name the pod of a GPU (KEDA's GPU utilization query).
   *
   * @default DcgmLabels.EXPORTED
   */
  readonly dcgmLabels?: DcgmLabels;
}

/**
 * The Custom Metrics Stackdriver Adapter's name of the request counter: `|` for `/` in the Cloud Monitoring type
 * (provider.go). It turns a CUMULATIVE series into a per-second rate (translator/query_builder.go: ALIGN_RATE) and
 * sums the series of one pod (model_name × status) into its value (response_translator.go
 * getMetricValuesFromResponse, keyed by the `pod` label of a prometheus_target series).
 */
const STACKDRIVER_REQUEST_RATE = `prometheus.googleapis.com|${TF_SERVING_METRICS.requestCount}|counter`;

/** ScalingMetric kind → its key in PROMETHEUS_ADAPTER_METRICS. */
const METRIC_KEY = { 'request-rate': 'requestRate', 'batch-queue-latency': 'batchQueueLatency', 'gpu-utilization': 'gpuUtilization' } as const;

/**
 * Scales a {@link TfServingModel} on what inference saturates: per-replica request rate, batch queueing latency or
 * GPU utilization, through the Custom Metrics Stackdriver Adapter or prometheus-adapter (an autoscaling/v2 HPA) or
 * KEDA (a ScaledObject, optionally to zero). Bounds and targets come from a {@link CapacityPlan}; scale-up is immediate and scale-down
 * waits at least one model load time.
 */
export class ServingAutoscaler extends Construct {
  /** The HorizontalPodAutoscaler (Stackdriver adapter and prometheus-adapter backends). */
  public readonly hpa?: kplus.k8s.KubeHorizontalPodAutoscalerV2;
  /** The ScaledObject (KEDA backend). */
  public readonly scaledObject?: ScaledObject;
  /** The TriggerAuthentication (KEDA against Managed Prometheus). */
  public readonly triggerAuthentication?: TriggerAuthentication;
  /** The name of the HorizontalPodAutoscaler that scales the server (KEDA's is given the same name). */
  public readonly hpaName: string;
  /** The PromQL of the server's series. */
  public readonly queries: ServingQueries;
  /** Scale-down stabilization window. */
  public readonly scaleDownStabilization: Duration;
  /** The plan the autoscaler follows. */
  public readonly plan: CapacityPlan;

  private readonly subject: string;

  constructor(scope: Construct, id: string, props: ServingAutoscalerProps) {
    super(scope, id);
    const S = subjectOf('ServingAutoscaler', id);
    this.subject = S;
    const target = props.target;
    const backend = props.backend;
    this.plan = props.plan;
    if (target.autoscaler) {
      fail(S, 'target', target.node.id, 'not have its own autoscaling (the TfServingModel already scales on CPU; two autoscalers would fight over one Deployment)',
        'remove autoscaling from the TfServingModel');
    }
    if (target.fixedReplicas !== undefined) {
      fail(S, 'target', target.node.id, `not have a fixed replica count (replicas: ${target.fixedReplicas}; an autoscaler rejects a target with fixed replicas)`,
        'remove replicas from the TfServingModel');
    }
    // kubernetes pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler reads the target through
    // scaleForResourceMappings(ctx, hpa.Namespace, hpa.Spec.ScaleTargetRef.Name, …): a scaleTargetRef has no namespace
    // and resolves in the HPA's own. KEDA (controllers/keda/hpa.go newHPAForScaledObject) creates its HPA in the
    // ScaledObject's namespace with the same reference.
    const ownNamespace = Chart.of(this).namespace ?? 'default';
    const targetNamespace = target.deployment.metadata.namespace ?? 'default';
    if (ownNamespace !== targetNamespace) {
      fail(S, 'target', target.node.id, `be in the autoscaler's namespace '${ownNamespace}' (its Deployment is in '${targetNamespace}'; `
        + 'an autoscaler resolves scaleTargetRef in its own namespace, so it would find no Deployment and never scale)',
      `create the ServingAutoscaler in a chart with namespace '${targetNamespace}'`);
    }
    if (props.metrics.length === 0) fail(S, 'metrics', [], 'name at least one metric', 'use [ScalingMetric.requestRate()]');
    const kinds = props.metrics.map((m) => m.kind);
    if (new Set(kinds).size !== kinds.length) fail(S, 'metrics', kinds, 'name each metric once', 'remove the duplicate');

    // The HPA's stabilizationWindowSeconds and the cold-start annotation are written in whole seconds.
    if (props.modelLoadTime) checkDuration(S, 'modelLoadTime', props.modelLoadTime, 'seconds');
    if (props.scaleDownStabilization) checkDuration(S, 'scaleDownStabilization', props.scaleDownStabilization, 'seconds');
    if (props.backend.scaleToZero) checkDuration(S, 'backend.scaleToZero.acceptedColdStart', props.backend.scaleToZero.acceptedColdStart, 'seconds');
    // A target whose models declare sizeGiB carries a cold-start plan (planColdStart): its estimate and windows.
    const cold = target.coldStart;
    const load = props.modelLoadTime ?? (cold ? Duration.seconds(Math.ceil(cold.estimatedSeconds)) : Duration.minutes(2));
    this.scaleDownStabilization = props.scaleDownStabilization
      ?? Duration.seconds(cold && props.modelLoadTime === undefined ? cold.scaleDownStabilizationSeconds : Math.max(load.toSeconds(), 300));
    const window = this.scaleDownStabilization.toSeconds();
    if (window < load.toSeconds()) {
      fail(S, 'scaleDownStabilization', `${window}s`, `be at least modelLoadTime (${load.toSeconds()}s): a replica removed on a shorter dip takes a model load to come back`,
        `use Duration.seconds(${load.toSeconds()}) or more`);
    }
    // apiserver validation (pkg/apis/autoscaling/validation): stabilizationWindowSeconds ≤ 3600.
    if (window > 3600) fail(S, 'scaleDownStabilization', `${window}s`, 'be at most one hour (the HorizontalPodAutoscaler limit)', 'use Duration.hours(1) or less');

    // --- The metrics against the server and the plan ---
    const scraped = target.serviceMonitor !== undefined || target.podMonitoring !== undefined;
    props.metrics.forEach((m, i) => {
      const prop = `metrics[${i}]`;
      if (m.kind !== 'gpu-utilization' && !scraped) {
        fail(S, prop, m.kind, `come with a scraper on '${target.node.id}' (monitoring.scraper is Scraper.NONE: no series, so the autoscaler would read nothing and hold the replica count)`,
          'set monitoring: { scraper: Scraper.POD_MONITORING } (or SERVICE_MONITOR) on the TfServingModel');
      }
      if (m.kind === 'request-rate' && m.target !== undefined) {
        if (!(m.target > 0)) fail(S, prop, m.target, 'be a number of requests per second greater than 0', `use the plan's ${this.plan.plannedQpsPerReplica}`);
        if (m.target > this.plan.plannedQpsPerReplica) {
          fail(S, prop, m.target, `be at most the plan's plannedQpsPerReplica (${this.plan.plannedQpsPerReplica}): a higher target spends the headroom the plan keeps for bursts`,
            'leave the target out to use the plan\'s, or re-plan with less headroom');
        }
      }
      if (m.kind === 'gpu-utilization') {
        if (target.gpus === 0) fail(S, prop, m.kind, `come with GPUs on '${target.node.id}' (it has none; DCGM reports nothing for it)`, 'scale on requestRate or batchQueueLatency');
        if (m.target !== undefined) {
          if (!(Number.isInteger(m.target) && m.target >= 1 && m.target <= 100)) fail(S, prop, m.target, 'be a whole percentage between 1 and 100', `use the plan's ${this.plan.targetCpuUtilization}`);
          if (m.target > this.plan.targetCpuUtilization) {
            fail(S, prop, m.target, `be at most the plan's utilization target (${this.plan.targetCpuUtilization} %, from its headroom): a higher target spends the headroom the plan keeps`,
              'leave the target out to use the plan\'s, or re-plan with less headroom');
          }
        }
      }
      if (m.kind === 'batch-queue-latency') {
        if (!target.batching) fail(S, prop, m.kind, `come with batching on '${target.node.id}' (without --enable_batching the queueing series does not exist)`, 'set batching on the TfServingModel, or scale on requestRate');
        if (!(m.target! >= 1)) fail(S, prop, m.target, 'be a queueing time of at least 1 microsecond', 'use e.g. Duration.millis(5)');
      }
      if (backend.kind === 'stackdriver-adapter' && m.kind === 'batch-queue-latency') {
        // custom-metrics-stackdriver-adapter translator/query_builder.go aligns a DISTRIBUTION with ALIGN_DELTA and
        // response_translator.go getMetricValuesFromResponse accepts only int64/double points: no latency value.
        fail(S, prop, m.kind, 'not be read through the Stackdriver adapter (Managed Prometheus stores the histogram as a distribution, which the adapter cannot turn into a value)',
          'use MetricsBackend.keda(…), whose PromQL divides the _sum and _count rates');
      }
      if (backend.kind === 'stackdriver-adapter' && m.kind === 'gpu-utilization') {
        // response_translator.go metricKey keys a prometheus_target series by its `pod` label, which on DCGM series is
        // the exporter's own pod; the serving pods would get no value.
        fail(S, prop, m.kind, 'not be read through the Stackdriver adapter (it attributes a series to its `pod` label, which on DCGM series is the exporter\'s pod)',
          'use MetricsBackend.keda(…), whose PromQL selects the exporter\'s pod label');
      }
    });
    if (backend.kind === 'stackdriver-adapter' && kinds.includes('request-rate') && !target.podMonitoring) {
      fail(S, 'backend', 'MetricsBackend.stackdriverAdapter()', `read series that reach Cloud Monitoring ('${target.node.id}' is not scraped by Managed Prometheus)`,
        'set monitoring: { scraper: Scraper.POD_MONITORING } on the TfServingModel, or use MetricsBackend.keda(PrometheusServer.url(…))');
    }
    const zero = backend.scaleToZero;
    if (zero) {
      if (!(zero.activationRequestsPerSecond > 0)) {
        fail(S, 'backend.scaleToZero.activationRequestsPerSecond', zero.activationRequestsPerSecond, 'be greater than 0', 'use e.g. 0.1 (one request in ten seconds)');
      }
      if (zero.acceptedColdStart.toSeconds() < load.toSeconds()) {
        fail(S, 'backend.scaleToZero.acceptedColdStart', `${zero.acceptedColdStart.toSeconds()}s`,
          `be at least modelLoadTime (${load.toSeconds()}s): the first request after an idle period waits for a pod to start and load its models`,
          'accept the real cold start (plus node provisioning on a pool that scales from zero), or do not scale to zero');
      }
    }

    // --- The autoscaler ---
    this.queries = new ServingQueries({ name: target.name, namespace: target.serviceNamespace, dcgmLabels: props.dcgmLabels });
    this.hpaName = target.name;
    const labels = { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': target.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
    const behavior = {
      // Scale up at once: a saturated server queues requests now (HPA default scale-up window is 0 as well).
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    };
    // cdk8s-plus: the Deployment renders no `replicas` once it has an autoscaler (Deployment._toKube).
    target.deployment.markHasAutoscaler();

    const rate = (m: ScalingMetric) => m.target ?? this.plan.plannedQpsPerReplica;
    const hpaTarget = (m: ScalingMetric) => m.kind === 'request-rate' ? rate(m) : (m.target ?? this.plan.targetCpuUtilization);
    if (backend.kind !== 'keda') {
      this.hpa = new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
        metadata: { name: this.hpaName, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
          minReplicas: this.plan.minReplicas,
          maxReplicas: this.plan.maxReplicas,
          metrics: props.metrics.map((m) => ({
            type: 'Pods',
            pods: {
              metric: { name: backend.kind === 'stackdriver-adapter' ? STACKDRIVER_REQUEST_RATE : PROMETHEUS_ADAPTER_METRICS[METRIC_KEY[m.kind]] },
              target: { type: 'AverageValue', averageValue: kplus.k8s.Quantity.fromString(quantity(hpaTarget(m))) },
            },
          })),
          behavior,
        },
      });
    } else {
      const server = backend.server!;
      if (server.gcpIdentity) {
        this.triggerAuthentication = new TriggerAuthentication(this, 'TriggerAuthentication', {
          metadata: { name: `${target.name}-gmp`, labels },
          spec: { podIdentity: { provider: TriggerAuthenticationSpecPodIdentityProvider.GCP } },
        });
      }
      const auth = this.triggerAuthentication ? { authenticationRef: { name: this.triggerAuthentication.name } } : {};
      const trigger = (name: string, query: string, threshold: number, metricType: 'AverageValue' | 'Value', activation?: number): ScaledObjectSpecTriggers => ({
        type: 'prometheus',
        name,
        metricType,
        metadata: {
          serverAddress: server.address,
          query,
          threshold: decimal(threshold),
          ...(activation !== undefined ? { activationThreshold: decimal(activation) } : {}),
        },
        ...auth,
      });
      const triggers = props.metrics.map((m) => {
        switch (m.kind) {
          // AverageValue: KEDA's HPA divides the server's total by the replica count and compares with the threshold.
          case 'request-rate': return trigger('request-rate', this.queries.requestRate(), rate(m), 'AverageValue');
          case 'gpu-utilization': return trigger('gpu-utilization', this.queries.gpuUtilizationSum(), m.target ?? this.plan.targetCpuUtilization, 'AverageValue');
          // Value: the mean queueing time is a server-wide figure; replicas scale by current / target.
          default: return trigger('batch-queue-latency', this.queries.meanQueueingLatencyMicros(), m.target!, 'Value');
        }
      });
      if (zero) {
        triggers.push(trigger('mesh-activation', this.queries.meshRequestRate(), this.plan.plannedQpsPerReplica, 'AverageValue', zero.activationRequestsPerSecond));
      }
      this.scaledObject = new ScaledObject(this, 'Resource', {
        metadata: {
          name: target.name,
          labels,
          ...(zero ? { annotations: { 'tfserving-constructs/accepted-cold-start': `${zero.acceptedColdStart.toSeconds()}s` } } : {}),
        },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
          minReplicaCount: this.plan.minReplicas,
          maxReplicaCount: this.plan.maxReplicas,
          // KEDA: idleReplicaCount (only 0 is supported) applies while no trigger is active; minReplicaCount holds
          // the plan's floor whenever traffic flows. cooldownPeriod is the wait before going idle.
          ...(zero ? { idleReplicaCount: 0, cooldownPeriod: window } : {}),
          pollingInterval: 15,
          advanced: { horizontalPodAutoscalerConfig: { name: this.hpaName, behavior } },
          triggers,
        },
      });
      if (zero) this.node.addValidation({ validate: () => this.blockingBudgets(target) });
    }
  }

  /** PodDisruptionBudgets selecting the server's pods that allow no eviction at one replica. */
  private blockingBudgets(target: TfServingModel): string[] {
    const podLabels: Record<string, string> = target.deployment.podMetadata.toJson().labels ?? {};
    const ns = target.serviceNamespace;
    const errors: string[] = [];
    for (const c of this.node.root.node.findAll()) {
      if (!(c instanceof ApiObject) || c.kind !== 'PodDisruptionBudget') continue;
      const pdb = c.toJson();
      if ((pdb.metadata?.namespace ?? Chart.of(c).namespace) !== ns) continue;
      const match: Record<string, string> = pdb.spec?.selector?.matchLabels ?? {};
      if (pdb.spec?.selector?.matchExpressions?.length || !Object.entries(match).every(([k, v]) => podLabels[k] === v)) continue;
      const min = pdb.spec?.minAvailable;
      const max = pdb.spec?.maxUnavailable;
      // disruption controller: a percentage is scaled with round-up, so any minAvailable above 0 % keeps one pod.
      const blocks = (min !== undefined && min !== 0 && min !== '0%') || max === 0 || max === '0%';
      if (blocks) {
        errors.push(`${this.subject}: 'backend.scaleToZero' (PodDisruptionBudget '${pdb.metadata.name}' with ${min !== undefined ? `minAvailable ${show(min)}` : `maxUnavailable ${show(max)}`}) `
          + 'must not meet a budget that allows no eviction at one replica: the budget promises a pod that scale to zero removes, and it blocks every drain of '
          + 'the last replica\'s node. Fix: use maxUnavailable: 1 (the TfServingModel default), or do not scale to zero');
      }
    }
    return errors;
  }
}

/** A Kubernetes quantity for a positive number: whole numbers as is, else in thousandths (`84500m`). */
function quantity(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

/** A decimal string KEDA parses (strconv.ParseFloat), without float noise. */
function decimal(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
