import { createHash } from 'crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BatchingConfig } from './batching-config';
import { GcsAccess } from './gcs-access';
import { ModelSource } from './model-source';
import type { IServingPlacement } from './placement';
import { formatDuration } from '../private/duration';
import { lazyValue } from '../private/lazy';
import { peersAdmitNamespace } from '../private/network-peers';
import { hardenPodTemplate } from '../private/pod-hardening';
import { ensureUniqueObjectNames } from '../private/unique-names';
import { IServingEndpoint } from './serving-endpoint';
import { MonitoringOptions, Scraper } from './monitoring';
import { PodMonitoring, PodMonitoringSpecEndpointsPort } from '../imports/monitoring.googleapis.com';
import { ServiceMonitor } from '../imports/monitoring.coreos.com';
import { validateBatchingParameters } from '../tfserving/batching-parameters';
import { ConfigError, fail, subjectOf } from '../core/errors';
import { TfServingImage } from '../tfserving/image';
import { ModelConfig, renderModelServerConfig, validateModelConfigs } from '../tfserving/model-server-config';
import { DEFAULT_PROMETHEUS_PATH, renderMonitoringConfig, validateMonitoringConfig } from '../tfserving/monitoring-config';
import { ServerFlags, validatePorts } from '../tfserving/server-flags';
import { deriveThreads, ThreadSettings } from '../tfserving/threads';
import { VersionPolicy } from '../tfserving/version-policy';
import { SERVER_NAME } from '../core/names';

/** One model served by a {@link TfServingModel}. */
export interface ServedModelOptions {
  /** The model's name in requests (`/v1/models/NAME`, gRPC `model_spec.name`). Unique within the server. */
  readonly name: string;
  /** Where the SavedModel versions live, e.g. `ModelSource.gcs('gs://bucket/resnet')`. */
  readonly source: ModelSource;
  /**
   * Which versions to serve.
   *
   * @default VersionPolicy.latest(1)
   */
  readonly versionPolicy?: VersionPolicy;
  /**
   * Version labels, e.g. `{ stable: 1, canary: 2 }` (served at `/v1/models/NAME/labels/LABEL`). Each must
   * point to a version the policy loads, unless `allowVersionLabelsForUnavailableModels` is set.
   *
   * @default - no labels
   */
  readonly versionLabels?: Record<string, number>;
  /**
   * The servable platform (`model_platform`).
   *
   * @default 'tensorflow'
   */
  readonly platform?: string;
  /**
   * Batching parameters for this model only. TF Serving reads them from `batching_params.pbtxt` inside
   * each SavedModel version directory (`--enable_per_model_batching_parameters`); the server-level
   * `batching` still supplies the shared batch thread pool, so it is required. The file's text is in the
   * `<name>-model-batching` ConfigMap and in {@link TfServingModel.perModelBatchingFiles}: publish it next
   * to `saved_model.pb` with the model export.
   *
   * @default - the server-level batching parameters
   */
  readonly batching?: BatchingConfig;
  /**
   * TF Serving's per-model `logging_config`. Refused with an error: the open-source model server stops
   * at start when it is set. Use Istio access logging for request logs.
   *
   * @default - not set (the only accepted value)
   */
  readonly loggingConfig?: unknown;
}

/** Replica range for a HorizontalPodAutoscaler on CPU utilization. */
export interface AutoscalingOptions {
  /** Fewest replicas. At least 1; 2 or more keeps serving through a node loss. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, percent of the request.
   *
   * @default 60
   */
  readonly targetCpuUtilization?: number;
}

/**
 * Thread pool sizes. Each one left out is derived from the CPU request (see {@link deriveThreads}).
 */
export interface ThreadOptions {
  /** `--tensorflow_intra_op_parallelism`. @default - CPU request in whole cores */
  readonly intraOp?: number;
  /** `--tensorflow_inter_op_parallelism`. @default - half the cores, at least 1 */
  readonly interOp?: number;
  /** `--tensorflow_session_parallelism`; when set alone, intra- and inter-op are not derived. @default - not set */
  readonly session?: number;
  /** `--rest_api_num_threads`. @default - 4 per core */
  readonly restApi?: number;
  /** `--grpc_max_threads`. @default - 4 per core */
  readonly grpcMax?: number;
  /** `num_batch_threads` of the batching file (when it does not set its own). @default - one per core */
  readonly batch?: number;
}

/** Health probes of the model server. */
export interface ServingProbeOptions {
  /**
   * Emit startup, readiness and liveness probes on `GET /v1/models/FIRST_MODEL` (REST port). TF Serving
   * opens its ports only once the initial models are AVAILABLE, so an answer means "loaded".
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How long the server may take to load its models before Kubernetes restarts it. Must exceed
   * `loadRetries × loadRetryInterval`, or the kubelet kills a server that is still retrying a load.
   *
   * @default Duration.minutes(10)
   */
  readonly startupTimeout?: Duration;
}

/** Graceful drain of a server that ignores SIGTERM. */
export interface DrainOptions {
  /**
   * A preStop pause that keeps the server answering while endpoints and meshes stop sending it traffic.
   *
   * @default Duration.seconds(15)
   */
  readonly preStopDelay?: Duration;
  /**
   * Pod termination grace period; must exceed the preStop delay (TF Serving ignores SIGTERM, so
   * in-flight requests finish in the time that remains, then the kubelet sends SIGKILL).
   *
   * @default Duration.seconds(45)
   */
  readonly terminationGracePeriod?: Duration;
}

/** The PodDisruptionBudget of the server. */
export interface DisruptionBudgetOptions {
  /**
   * Emit a PodDisruptionBudget.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Pods that voluntary disruptions (node drains, upgrades) may take at once.
   *
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/** The NetworkPolicy of the server. */
export interface ServingNetworkPolicyOptions {
  /**
   * Emit a NetworkPolicy that admits only serving (gRPC, REST) and scraping traffic to the pods.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who may connect to the serving ports, as NetworkPolicy peers. A NetworkPolicy sees addresses and ports only: whoever
   * it admits reaches every gRPC method, including the admin RPC `ModelService/HandleReloadConfigRequest`; only a
   * mesh (IstioCanary) can admit by method. Widen it explicitly, e.g. `{ namespaceSelector: { matchLabels:
   * { 'kubernetes.io/metadata.name': 'apps' } } }`.
   *
   * @default - the pods of the server's own namespace (plus the scraper's namespace on the REST port)
   */
  readonly allowFrom?: kplus.k8s.NetworkPolicyPeer[];
  /**
   * Restrict egress to DNS, HTTPS (object stores), the GKE metadata server (Workload Identity) and the
   * S3 endpoint port, plus `additionalEgress`.
   *
   * @default true
   */
  readonly restrictEgress?: boolean;
  /**
   * Extra egress rules when egress is restricted.
   *
   * @default - none
   */
  readonly additionalEgress?: kplus.k8s.NetworkPolicyEgressRule[];
  /**
   * Where HTTPS egress may go when egress is restricted. Narrowing to Google API ranges fits GCS models only (an S3
   * source is refused).
   *
   * @default HttpsEgress.ANY
   */
  readonly httpsEgress?: HttpsEgress;
}

/**
 * Where the server may open HTTPS (443) connections when egress is restricted: anywhere (object stores on the
 * internet), or only Google APIs through Private Google Access VIPs, for clusters without internet egress.
 * The narrowed ranges need DNS that resolves `*.googleapis.com` to them (a Cloud DNS private zone).
 *
 * @see https://cloud.google.com/vpc/docs/configure-private-google-access#config-domain
 */
export class HttpsEgress {
  /** Any address on 443 (GCS, S3-compatible stores, …). */
  public static readonly ANY = new HttpsEgress('any', []);
  /** `private.googleapis.com`: 199.36.153.8/30 (most Google APIs, including those outside VPC Service Controls). */
  public static readonly PRIVATE_GOOGLE_APIS = new HttpsEgress('private.googleapis.com', ['199.36.153.8/30']);
  /** `restricted.googleapis.com`: 199.36.153.4/30 (only APIs VPC Service Controls supports). */
  public static readonly RESTRICTED_GOOGLE_APIS = new HttpsEgress('restricted.googleapis.com', ['199.36.153.4/30']);

  private constructor(
    /** `any`, or the VIP's host name. */
    public readonly name: string,
    /** The address blocks; empty for any. */
    public readonly cidrs: string[],
  ) {}
}

/** Who a server's NetworkPolicy admits (see {@link TfServingModel.networkAdmission}). */
export interface NetworkAdmission {
  /** Peers admitted to the gRPC and REST ports. */
  readonly serving: kplus.k8s.NetworkPolicyPeer[];
  /** The namespace admitted to the REST port (metrics), when the server has metrics. */
  readonly scraperNamespace?: string;
}

/** Pod and container security settings. */
export interface ServingSecurityOptions {
  /**
   * The uid the server runs as. TF Serving runs fine as any non-root uid.
   *
   * @default 1000
   */
  readonly user?: number;
  /**
   * The gid the server runs as (also the fsGroup, so mounted volumes are readable).
   *
   * @default 1000
   */
  readonly group?: number;
}

/** Properties of a {@link TfServingModel}. */
export interface TfServingModelProps {
  /** The models this server serves; several models share its CPU/GPU. Grows with `addModel()`. */
  readonly models: ServedModelOptions[];
  /**
   * Base name of every object (Deployment, Service, ConfigMaps …) and the `app.kubernetes.io/instance` label.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The TF Serving image, pinned.
   *
   * @default TfServingImage.of('2.18.0')
   */
  readonly image?: TfServingImage;
  /**
   * CPU and memory of the server container. Pass `{}` to emit no requests and limits at all.
   *
   * @default - cpu request and limit 2, memory request and limit 4 GiB (Guaranteed QoS)
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * A fixed replica count. Exclusive with `autoscaling`.
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * A HorizontalPodAutoscaler on CPU utilization; the Deployment then has no fixed replica count.
   *
   * @default - no autoscaler; `replicas` pods
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Server-side batching: `--enable_batching` with `--batching_parameters_file`.
   *
   * @default - no batching; requests run one at a time
   */
  readonly batching?: BatchingConfig;
  /**
   * Prometheus metrics (`--monitoring_config_file`) and the scrape object.
   *
   * @default - metrics on at '/monitoring/prometheus/metrics', no scrape object
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * Thread pool sizes.
   *
   * @default - all derived from the CPU request (see `deriveThreads`)
   */
  readonly threads?: ThreadOptions;
  /**
   * gRPC port (`--port`).
   *
   * @default 8500
   */
  readonly grpcPort?: number;
  /**
   * REST port (`--rest_api_port`); also serves metrics and the probes.
   *
   * @default 8501
   */
  readonly restPort?: number;
  /**
   * How often TF Serving lists the model directories for new versions (`--file_system_poll_wait_seconds`).
   * TF Serving's own default is 1 second: on GCS or S3 that is 86,400 billed list calls a day per model and replica.
   *
   * @default Duration.seconds(60)
   */
  readonly fileSystemPollInterval?: Duration;
  /**
   * Re-read the model config file this often (`--model_config_file_poll_wait_seconds`), so a change to the
   * model list is served without a restart. When set, a model-list change does not roll the pods.
   *
   * @default - read once at start; a change rolls the pods
   */
  readonly modelConfigPollInterval?: Duration;
  /**
   * `--allow_version_labels_for_unavailable_models`: let a label point to a version that is not loaded yet.
   *
   * @default false
   */
  readonly allowVersionLabelsForUnavailableModels?: boolean;
  /**
   * How the server reads gs:// models. Required when a model is on GCS.
   *
   * @default - none; a gs:// model is an error
   */
  readonly gcsAccess?: GcsAccess;
  /**
   * Load retries after a failed model load (`--max_num_load_retries`).
   *
   * @default 5
   */
  readonly loadRetries?: number;
  /**
   * Wait between load retries (`--load_retry_interval_micros`).
   *
   * @default Duration.minutes(1)
   */
  readonly loadRetryInterval?: Duration;
  /**
   * Health probes.
   *
   * @default - startup, readiness and liveness probes on the model status endpoint; 10 minutes to start
   */
  readonly probes?: ServingProbeOptions;
  /**
   * Graceful drain.
   *
   * @default - 15 s preStop pause, 45 s grace period
   */
  readonly drain?: DrainOptions;
  /**
   * PodDisruptionBudget.
   *
   * @default - maxUnavailable 1
   */
  readonly podDisruptionBudget?: DisruptionBudgetOptions;
  /**
   * Spread pods across zones and nodes (topologySpreadConstraints, maxSkew 1, ScheduleAnyway).
   *
   * @default true
   */
  readonly topologySpread?: boolean;
  /**
   * NetworkPolicy.
   *
   * @default - ingress only to the serving ports; egress restricted to DNS, HTTPS and the metadata server
   */
  readonly networkPolicy?: ServingNetworkPolicyOptions;
  /**
   * Security settings. The pod always runs non-root with a read-only root filesystem (a writable /tmp),
   * all capabilities dropped, no privilege escalation, seccomp RuntimeDefault and no service-account token.
   *
   * @default - uid 1000, gid 1000
   */
  readonly security?: ServingSecurityOptions;
  /**
   * The Service type.
   *
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * The pod's PriorityClass.
   *
   * @default - none (the cluster's default priority)
   */
  readonly priorityClassName?: string;
  /**
   * The node pool the server runs on (a `NodePool` or `GpuNodePool`). The pods get a node affinity on the
   * pool's name label (and its accelerator), the pool's tolerations, and the pool's size is checked against
   * the container's requests. On a GPU pool the server also gets an `nvidia.com/gpu` limit (`gpus`), the
   * `-gpu` build of an official image, and, on a time-shared or MPS pool, a GPU memory fraction
   * (`--per_process_gpu_memory_fraction` = 1 / maxSharedClientsPerGpu) so that servers sharing a GPU fit; on an
   * MPS pool the pod also gets `hostIPC: true`, which GKE's MPS daemon needs (Pod Security "baseline" refuses it).
   *
   * @default - any node the scheduler picks
   */
  readonly nodePool?: IServingPlacement;
  /**
   * GPUs per replica (the `nvidia.com/gpu` limit). Needs a GPU `nodePool`.
   *
   * @default - 1 on a GPU pool, none elsewhere
   */
  readonly gpus?: number;
  /**
   * Extra labels on every object and pod.
   *
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra `tensorflow_model_server` flags, name without dashes → value, e.g. `{ enable_model_warmup: 'true' }`.
   * Only real flags are accepted, and not the ones a prop already sets.
   *
   * @default - none
   */
  readonly extraArgs?: Record<string, string>;
  /**
   * Size limit of the writable /tmp (an emptyDir).
   *
   * @default Size.gibibytes(1)
   */
  readonly tmpSize?: Size;
}

/** Where the ConfigMap with the server's config files is mounted. */
export const CONFIG_DIR = '/etc/tfserving';
const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(2) },
  memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
};

/**
 * One TF Serving server: a Deployment running `tensorflow_model_server` for one or more models, with its
 * Service (gRPC 8500 as `grpc`, REST 8501 as `http`), ServiceAccount, ConfigMaps, PodDisruptionBudget,
 * NetworkPolicy, and optionally a HorizontalPodAutoscaler and a scrape object.
 *
 * The Deployment is the default child (`ApiObject.of(model)` reaches it). Every generated object is a
 * public field.
 *
 * Other constructs that change a TfServingModel: an `IstioCanary` adds the pod label
 * `tfserving-constructs.io/canary: NAME`, in static mode also `version: stable|canary`, and in Flagger mode
 * `app: NAME` on the pods and in the Deployment selector (a selector cannot change on a running Deployment:
 * an existing one must be recreated).
 */
export class TfServingModel extends Construct implements IServingEndpoint {
  /** Base name of every object. */
  public readonly name: string;
  /** The image the server runs. */
  public readonly image: TfServingImage;
  /** gRPC port. */
  public readonly grpcPort: number;
  /** REST port. */
  public readonly restPort: number;
  /** Resolved thread pool sizes (before `session` handling: see `args`). */
  public readonly threads: ThreadSettings;
  /** Server-level batching, if on. */
  public readonly batching?: BatchingConfig;
  /** The metrics path, if metrics are on. */
  public readonly metricsPath?: string;
  /** GPUs per replica (0 on CPU). */
  public readonly gpus: number;
  /** The node pool the server is placed on, if any. */
  public readonly nodePool?: IServingPlacement;
  /** The labels that select this server's pods. */
  public readonly selectorLabels: Record<string, string>;
  /** The Deployment (id `Resource`). */
  public readonly deployment: kplus.Deployment;
  /** The `tensorflow-serving` container. */
  public readonly container: kplus.Container;
  /** The Service. */
  public readonly service: kplus.Service;
  /** The ServiceAccount the pods run as (no token mounted). */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The ConfigMap holding the model, batching and monitoring config files. */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The HorizontalPodAutoscaler, when `autoscaling` is set. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The PodDisruptionBudget, unless disabled. */
  public readonly podDisruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: kplus.k8s.KubeNetworkPolicy;
  /**
   * Who the NetworkPolicy admits: `serving` to the gRPC and REST ports, `scraperNamespace` to the REST port; undefined
   * without a NetworkPolicy (then every source reaches the pods). Other constructs check their own traffic against it.
   */
  public readonly networkAdmission?: NetworkAdmission;
  /** The ServiceMonitor, with `Scraper.SERVICE_MONITOR`. */
  public readonly serviceMonitor?: ServiceMonitor;
  /** The PodMonitoring, with `Scraper.POD_MONITORING`. */
  public readonly podMonitoring?: PodMonitoring;

  private readonly subject: string;
  private readonly props: TfServingModelProps;
  private readonly _models: ServedModelOptions[] = [];
  private readonly args: string[] = [];
  private readonly claims = new Set<string>();
  private readonly labels: Record<string, string>;
  private gcsWired = false;
  private perModelBatchingMap?: kplus.k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: TfServingModelProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? id;
    this.subject = subjectOf('TfServingModel', id);
    if (!SERVER_NAME.test(this.name)) {
      fail(this.subject, props.name === undefined ? 'name (from the construct id)' : 'name', this.name,
        'be a DNS label of at most 42 characters (lower-case letters, digits, \'-\'), so that every derived object name is valid',
        'pass name: \'resnet\' or use such an id');
    }
    this.nodePool = props.nodePool;
    const gpuPool = props.nodePool?.acceleratorType !== undefined;
    this.gpus = props.gpus ?? (gpuPool ? 1 : 0);
    if (!(Number.isInteger(this.gpus) && this.gpus >= 0)) fail(this.subject, 'gpus', this.gpus, 'be an integer of 0 or more', 'use 1');
    if (this.gpus > 0 && !gpuPool) {
      fail(this.subject, 'gpus', this.gpus, `come with a GPU nodePool (${props.nodePool ? `'${props.nodePool.name}' has no accelerator` : 'none is set'}); without one the pods never schedule`,
        'set nodePool to a GpuNodePool, or remove gpus');
    }
    const image = props.image ?? TfServingImage.of();
    // The pool decides the build: an official image becomes its -gpu variant on a GPU pool.
    this.image = this.gpus > 0 ? image.toGpu() : image;
    this.image.validate(this.subject);
    if (this.gpus > 0 && !this.image.isGpu) {
      fail(this.subject, 'image', this.image.image, `be a GPU build to use the ${this.gpus} GPU(s) of pool '${props.nodePool!.name}'`,
        'use an image built with CUDA support (a tag ending in -gpu, or TfServingImage.custom(\'…\', { gpu: true }))');
    }
    if (this.gpus === 0 && this.image.isGpu) {
      fail(this.subject, 'image', this.image.image, 'not be a GPU build without GPUs (the CUDA build needs an nvidia.com/gpu device to start)',
        'use TfServingImage.of(…), or place the server on a GpuNodePool');
    }
    this.grpcPort = checkPort(this.subject, 'grpcPort', props.grpcPort ?? 8500);
    this.restPort = checkPort(this.subject, 'restPort', props.restPort ?? 8501);
    // Checked before the container exists (cdk8s-plus would refuse the duplicate port with a bare message).
    validatePorts(this.subject, this.grpcPort, this.restPort);
    if (props.replicas !== undefined && props.autoscaling !== undefined) {
      fail(this.subject, 'replicas', props.replicas, 'not be set together with autoscaling (an autoscaled Deployment has no fixed replica count)',
        'remove replicas, or remove autoscaling');
    }
    if (props.replicas !== undefined && !(Number.isInteger(props.replicas) && props.replicas >= 1)) {
      fail(this.subject, 'replicas', props.replicas, 'be an integer of at least 1', 'use 2 or more for a server that survives a node loss');
    }
    if (props.autoscaling) checkAutoscaling(this.subject, props.autoscaling);
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const cpuMillis = cpuToMillis(resources.cpu?.request ?? resources.cpu?.limit);
    this.threads = resolveThreads(this.subject, deriveThreads(cpuMillis ?? 1000), props.threads ?? {});
    if (props.nodePool) {
      props.nodePool.checkWorkloadFits(
        { construct: 'TfServingModel', id, propNames: { gpus: 'gpus', cpu: 'resources.cpu', memory: 'resources.memory' } },
        { gpus: this.gpus, cpuMillis, memoryBytes: sizeToBytes(resources.memory?.request ?? resources.memory?.limit) },
      );
      if (props.nodePool.gpuPartitionSize && this.gpus > 1) {
        fail(this.subject, 'gpus', this.gpus, `be 1 on a MIG pool ('${props.nodePool.name}', partitions of ${props.nodePool.gpuPartitionSize}): a CUDA process uses one MIG instance`,
          'request gpus: 1, or choose a larger gpuPartitionSize for the pool');
      }
      const access = props.gcsAccess?.kind;
      const pool = props.nodePool.workloadIdentity;
      if (pool && access === 'node') {
        fail(this.subject, 'gcsAccess', 'GcsAccess.nodeServiceAccount()', `not be the node's identity on pool '${props.nodePool.name}': its cluster runs Workload Identity `
          + '(GKE_METADATA nodes hide the node service account from pods)', 'use GcsAccess.workloadIdentity(…) (e.g. workloadIdentity.gcsAccess()), or a key Secret');
      }
      if (!pool && access === 'workload-identity') {
        fail(this.subject, 'gcsAccess', 'GcsAccess.workloadIdentity(…)', `not be Workload Identity on pool '${props.nodePool.name}': its cluster has Workload Identity off`,
          'enable workloadIdentity on the GkeCluster, or use a key Secret or the node service account');
      }
    }
    this.batching = props.batching;
    if (this.batching) {
      validateBatchingParameters(this.subject, this.batching.toParameters(this.threads.batch), 'batching');
    }
    const monitoring = props.monitoring ?? {};
    if (monitoring.enabled !== false) {
      this.metricsPath = monitoring.path ?? DEFAULT_PROMETHEUS_PATH;
      validateMonitoringConfig(this.subject, { prometheusPath: this.metricsPath });
    } else if (monitoring.scraper && monitoring.scraper !== Scraper.NONE) {
      fail(this.subject, 'monitoring.scraper', monitoring.scraper.kind, 'be Scraper.NONE when monitoring is disabled (there are no metrics to scrape)',
        'remove the scraper, or enable monitoring');
    }
    const retries = props.loadRetries ?? 5;
    if (!(Number.isInteger(retries) && retries >= 0)) fail(this.subject, 'loadRetries', retries, 'be an integer of 0 or more', 'use the default 5');
    const retryInterval = props.loadRetryInterval ?? Duration.minutes(1);
    const startupTimeout = props.probes?.startupTimeout ?? Duration.minutes(10);
    if (props.probes?.enabled !== false && startupTimeout.toSeconds() <= retries * retryInterval.toSeconds()) {
      fail(this.subject, 'probes.startupTimeout', formatDuration(startupTimeout),
        `exceed loadRetries × loadRetryInterval (${retries} × ${formatDuration(retryInterval)}), or the kubelet restarts a server that is still retrying a model load`,
        'raise startupTimeout, or lower loadRetries / loadRetryInterval');
    }
    const preStop = props.drain?.preStopDelay ?? Duration.seconds(15);
    const grace = props.drain?.terminationGracePeriod ?? Duration.seconds(45);
    if (grace.toSeconds() <= preStop.toSeconds()) {
      fail(this.subject, 'drain.terminationGracePeriod', formatDuration(grace),
        `exceed drain.preStopDelay (${formatDuration(preStop)}); TF Serving ignores SIGTERM, so in-flight requests only have the time after the pause`,
        'make the grace period longer than the preStop pause, e.g. pause 15 s, grace 45 s');
    }
    const pollSeconds = (props.fileSystemPollInterval ?? Duration.seconds(60)).toSeconds({ integral: false });
    if (pollSeconds < 1) fail(this.subject, 'fileSystemPollInterval', formatDuration(props.fileSystemPollInterval!), 'be at least 1 second (0 disables polling for new versions)', 'use Duration.seconds(60)');

    this.selectorLabels = { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': this.name };
    const labels = { ...(props.labels ?? {}), ...this.selectorLabels, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
    this.labels = labels;

    // --- ServiceAccount and config files ---
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels },
      automountToken: false,
    });
    this.configMap = new kplus.k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-config`, labels },
      data: lazyValue(() => this.configFiles()),
    });

    // --- Deployment ---
    const security = props.security ?? {};
    const user = security.user ?? 1000;
    const group = security.group ?? 1000;
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: this.name, labels },
      podMetadata: { labels },
      replicas: props.autoscaling ? undefined : (props.replicas ?? 2),
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      // OnRootMismatch: a recursive chown of a large model volume at every start would delay it for minutes.
      securityContext: { ensureNonRoot: true, user, group, fsGroup: group, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      terminationGracePeriod: grace,
      // A new pod may need a node from a pool scaled to zero, a multi-GB image pull and the whole startup budget:
      // a deadline shorter than that marks a healthy rollout as failed (ProgressDeadlineExceeded).
      progressDeadline: Duration.seconds(startupTimeout.toSeconds() + 300),
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    this.deployment.podMetadata.addAnnotation('tfserving-constructs.io/config-hash', lazyValue(() => this.configHash()));
    // With an Istio sidecar, keep the proxy draining for the whole grace period (its default is 5 s, shorter than
    // the preStop pause, which would cut off requests the server is still answering). Ignored without Istio.
    this.deployment.podMetadata.addAnnotation('proxy.istio.io/config', JSON.stringify({ terminationDrainDuration: `${grace.toSeconds()}s` }));

    const probePath = lazyValue(() => `/v1/models/${this._models[0]?.name}`);
    const probes = props.probes?.enabled === false ? {} : {
      startup: kplus.Probe.fromHttpGet(probePath, {
        port: this.restPort, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5),
        failureThreshold: Math.ceil(startupTimeout.toSeconds() / 10),
      }),
      readiness: kplus.Probe.fromHttpGet(probePath, {
        port: this.restPort, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(3), failureThreshold: 3,
      }),
      liveness: kplus.Probe.fromHttpGet(probePath, {
        port: this.restPort, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6,
      }),
    };
    this.container = this.deployment.addContainer({
      name: 'tensorflow-serving',
      image: this.image.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/usr/bin/tensorflow_model_server'],
      args: this.args,
      ports: [
        { name: 'grpc', number: this.grpcPort, protocol: kplus.Protocol.TCP },
        { name: 'http', number: this.restPort, protocol: kplus.Protocol.TCP },
      ],
      resources,
      securityContext: {
        ensureNonRoot: true, user, group, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
      },
      lifecycle: { preStop: kplus.Handler.fromCommand(['/bin/sleep', String(preStop.toSeconds())]) },
      ...probes,
    });
    this.container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume',
      kplus.ConfigMap.fromConfigMapName(this, 'ConfigRef', `${this.name}-config`), { name: 'config' }), { readOnly: true });
    this.container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: props.tmpSize ?? Size.gibibytes(1) }));

    const podSpec = '/spec/template/spec';
    const patches = ApiObject.of(this.deployment);
    hardenPodTemplate(patches);
    patches.addJsonPatch(JsonPatch.add(`${podSpec}/containers/0/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
    if (props.priorityClassName) patches.addJsonPatch(JsonPatch.add(`${podSpec}/priorityClassName`, props.priorityClassName));
    if (props.topologySpread !== false) {
      // ScheduleAnyway: a single-zone cluster or a one-node pool must still run every replica.
      patches.addJsonPatch(JsonPatch.add(`${podSpec}/topologySpreadConstraints`, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((key) => ({
        maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: this.selectorLabels },
      }))));
    }

    // --- Placement ---
    if (props.nodePool) {
      // One call, one nodeSelectorTerm: its expressions are ANDed (separate terms would be ORed).
      this.deployment.scheduling.attract(kplus.Node.labeled(
        ...Object.entries(props.nodePool.nodeSelector()).map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
      for (const t of props.nodePool.tolerations()) {
        const effect = t.effect as kplus.TaintEffect | undefined;
        this.deployment.scheduling.tolerate(kplus.Node.tainted(
          t.operator === 'Exists' ? kplus.NodeTaintQuery.exists(t.key!, { effect }) : kplus.NodeTaintQuery.is(t.key!, t.value ?? '', { effect })));
      }
    }
    if (this.gpus > 0 && props.nodePool?.gpuSharing === 'MPS') {
      // GKE's MPS sharing: the container talks to the node's MPS control daemon over IPC, so the pod needs hostIPC.
      // https://cloud.google.com/kubernetes-engine/docs/how-to/nvidia-mps-gpus
      // The patch applies to the typed props (KubeDeployment serializes them afterwards): the key is hostIpc.
      patches.addJsonPatch(JsonPatch.add(`${podSpec}/hostIpc`, true));
    }
    if (this.gpus > 0) {
      // cdk8s-plus-27 has no extended resources. The patch goes through KubeDeployment's typed serializer,
      // which reads Quantity.value: a plain number would come out as null. Create the limits map when no
      // CPU/memory limit exists.
      const gpu = kplus.k8s.Quantity.fromNumber(this.gpus);
      const limits = resources.cpu?.limit !== undefined || resources.memory?.limit !== undefined;
      const requests = resources.cpu?.request !== undefined || resources.memory?.request !== undefined;
      const base = `${podSpec}/containers/0/resources`;
      if (limits) patches.addJsonPatch(JsonPatch.add(`${base}/limits/nvidia.com~1gpu`, gpu));
      else if (requests) patches.addJsonPatch(JsonPatch.add(`${base}/limits`, { 'nvidia.com/gpu': gpu }));
      else patches.addJsonPatch(JsonPatch.add(base, { limits: { 'nvidia.com/gpu': gpu } }));
    }

    // --- Service ---
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels },
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      // Names select the protocol in Istio ("grpc", "http" prefixes).
      ports: [
        { name: 'grpc', port: this.grpcPort, targetPort: this.grpcPort, protocol: kplus.Protocol.TCP },
        { name: 'http', port: this.restPort, targetPort: this.restPort, protocol: kplus.Protocol.TCP },
      ],
    });
    // Select on our stable labels, not cdk8s-plus's path-derived `cdk8s.io/metadata.addr`.
    for (const [k, v] of Object.entries(this.selectorLabels)) this.service.selectLabel(k, v);

    // --- Autoscaling and disruption budget ---
    if (props.autoscaling) {
      this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata: { name: this.name, labels },
        target: this.deployment,
        minReplicas: props.autoscaling.minReplicas,
        maxReplicas: props.autoscaling.maxReplicas,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(props.autoscaling.targetCpuUtilization ?? 60))],
      });
    }
    const pdb = props.podDisruptionBudget ?? {};
    if (pdb.enabled !== false) {
      const maxUnavailable = pdb.maxUnavailable ?? 1;
      if (!(Number.isInteger(maxUnavailable) && maxUnavailable >= 1)) {
        fail(this.subject, 'podDisruptionBudget.maxUnavailable', maxUnavailable, 'be an integer of at least 1 (0 blocks every node drain and upgrade)',
          'use 1, or disable the budget with enabled: false');
      }
      this.podDisruptionBudget = new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name, labels },
        spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(maxUnavailable), selector: { matchLabels: this.selectorLabels } },
      });
    }

    // --- Monitoring ---
    if (this.metricsPath && monitoring.scraper === Scraper.SERVICE_MONITOR) {
      this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
        metadata: { name: this.name, labels },
        spec: {
          selector: { matchLabels: this.selectorLabels },
          endpoints: [{ port: 'http', path: this.metricsPath, interval: `${(monitoring.interval ?? Duration.seconds(30)).toSeconds()}s` }],
        },
      });
    }
    if (this.metricsPath && monitoring.scraper === Scraper.POD_MONITORING) {
      this.podMonitoring = new PodMonitoring(this, 'PodMonitoring', {
        metadata: { name: this.name, labels },
        spec: {
          selector: { matchLabels: this.selectorLabels },
          endpoints: [{ port: PodMonitoringSpecEndpointsPort.fromString('http'), path: this.metricsPath, interval: `${(monitoring.interval ?? Duration.seconds(30)).toSeconds()}s` }],
        },
      });
    }

    // --- NetworkPolicy ---
    const np = props.networkPolicy ?? {};
    if (np.enabled !== false) {
      if (np.allowFrom && np.allowFrom.length === 0) {
        fail(this.subject, 'networkPolicy.allowFrom', [], 'name at least one peer: a NetworkPolicy ingress rule without peers admits every source',
          'leave it out to admit the server\'s own namespace, or list the peers that may connect');
      }
      this.networkAdmission = {
        // A peer with only an empty podSelector is every pod of the policy's own namespace (NetworkPolicyPeer).
        serving: np.allowFrom ? [...np.allowFrom] : [{ podSelector: {} }],
        scraperNamespace: this.metricsPath
          ? monitoring.scraperNamespace ?? (monitoring.scraper === Scraper.POD_MONITORING ? 'gmp-system' : 'monitoring')
          : undefined,
      };
      this.networkPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: { name: this.name, labels },
        spec: {
          podSelector: { matchLabels: this.selectorLabels },
          policyTypes: ['Ingress', 'Egress'],
          ingress: lazyValue(() => this.ingressRules(this.networkAdmission!)),
          egress: lazyValue(() => this.egressRules(np)),
        },
      });
    }

    for (const m of props.models) this.addModel(m);
    if (props.models.length === 0) validateModelConfigs(this.subject, []);
    ensureUniqueObjectNames(this);
    this.node.addValidation({ validate: () => this.validateFinal() });
  }

  /**
   * Adds a model to this server. Rules that concern one model are checked here; rules across the
   * models (unique names, one S3 endpoint) too.
   */
  public addModel(model: ServedModelOptions): void {
    const index = this._models.length;
    const next = [...this._models, model];
    validateModelConfigs(this.subject, next.map(toModelConfig), { allowVersionLabelsForUnavailableModels: this.props.allowVersionLabelsForUnavailableModels });
    const src = model.source;
    const p = `models[${index}]`;
    const https = this.props.networkPolicy?.httpsEgress;
    if (src.kind === 's3' && https && https !== HttpsEgress.ANY) {
      fail(this.subject, 'networkPolicy.httpsEgress', https.name, `allow the S3 endpoint of ${p} ('${model.name}'): it admits HTTPS to Google APIs only`,
        'use HttpsEgress.ANY, or add the S3 endpoint in networkPolicy.additionalEgress and keep the models on GCS');
    }
    if (src.kind === 'gcs' && !this.props.gcsAccess) {
      fail(this.subject, 'gcsAccess', undefined, `be set because ${p} ('${model.name}') reads from GCS`,
        'pass gcsAccess: GcsAccess.workloadIdentity(\'SA@PROJECT.iam.gserviceaccount.com\') (or keySecret / nodeServiceAccount)');
    }
    if (src.kind === 's3' && this.image.hasS3 === false) {
      fail(this.subject, `${p}.source`, src.basePath, `not be on S3 with image ${this.image.image}: TF Serving 2.7 and later have no S3 file system`,
        'use an image built with S3 support (TfServingImage.custom(\'…\', { s3Support: true })), an image before 2.7, or copy the model to GCS or a PVC');
    }
    if (src.kind === 's3') {
      const other = this._models.find((m) => m.source.kind === 's3');
      if (other && JSON.stringify(s3Key(other.source)) !== JSON.stringify(s3Key(src))) {
        fail(this.subject, `${p}.source`, src.basePath, `use the same S3 endpoint, region and credentials as '${other.name}' (they are process-wide environment variables)`,
          'serve models from different S3 stores in separate TfServingModels');
      }
    }
    if (model.batching) {
      if (!this.batching) {
        fail(this.subject, `${p}.batching`, `BatchingConfig(maxBatchSize ${model.batching.maxBatchSize})`,
          'come with server-level batching (it turns batching on and supplies the shared batch thread pool)',
          'set the \'batching\' prop of the TfServingModel too');
      }
      validateBatchingParameters(this.subject, model.batching.toParameters(this.threads.batch), `${p}.batching`);
      if (!this.perModelBatchingMap) {
        this.perModelBatchingMap = new kplus.k8s.KubeConfigMap(this, 'ModelBatching', {
          metadata: { name: `${this.name}-model-batching`, labels: this.labels },
          data: lazyValue(() => this.perModelBatchingFiles),
        });
      }
    }
    this._models.push(model);
    if (src.kind === 'pvc' && !this.claims.has(src.claimName!)) {
      this.claims.add(src.claimName!);
      const claim = kplus.PersistentVolumeClaim.fromClaimName(this, `Claim-${src.claimName}`, src.claimName!);
      const volume = kplus.Volume.fromPersistentVolumeClaim(this, `ClaimVolume-${src.claimName}`, claim, { name: `models-${src.claimName}`.slice(0, 63), readOnly: true });
      this.container.mount(src.mountPath!, volume, { readOnly: true });
    }
    this.refreshCredentials(src);
    this.refreshArgs();
  }

  /** The models, a copy. */
  public get models(): ServedModelOptions[] {
    return [...this._models];
  }

  /** The `--model_config_file` text. */
  public get modelConfigFile(): string {
    return renderModelServerConfig(this._models.map(toModelConfig));
  }

  /** The `--batching_parameters_file` text, with batching on. */
  public get batchingFile(): string | undefined {
    return this.batching?.render(this.threads.batch);
  }

  /** The `--monitoring_config_file` text, with metrics on. */
  public get monitoringFile(): string | undefined {
    return this.metricsPath ? renderMonitoringConfig({ prometheusPath: this.metricsPath }) : undefined;
  }

  /**
   * Per-model `batching_params.pbtxt` texts, keyed `MODEL.batching_params.pbtxt`: publish each into every
   * version directory of its model.
   */
  public get perModelBatchingFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const m of this._models) {
      if (m.batching) files[`${m.name}.batching_params.pbtxt`] = m.batching.render(this.threads.batch);
    }
    return files;
  }

  /** The container arguments (`--flag=value`), a copy. */
  public get serverArgs(): string[] {
    return [...this.args];
  }

  /** `host:port` of the gRPC endpoint inside the cluster. */
  public get grpcAddress(): string {
    return `${this.service.name}:${this.grpcPort}`;
  }

  /** Base URL of the REST API inside the cluster. */
  public get restUrl(): string {
    return `http://${this.service.name}:${this.restPort}`;
  }

  /** The Service's name. */
  public get serviceName(): string {
    return this.service.name;
  }

  /** The Service's namespace, when the chart sets one. */
  public get serviceNamespace(): string | undefined {
    return this.service.metadata.namespace;
  }

  /** Whether the NetworkPolicy admits pods of `namespace` to the serving ports (IServingEndpoint). */
  public admitsNamespace(namespace: string): boolean | undefined {
    if (!this.networkAdmission) return true;
    return peersAdmitNamespace(this.networkAdmission.serving, this.serviceNamespace ?? 'default', namespace);
  }

  /** Names of the models served, in order. */
  public get modelNames(): string[] {
    return this._models.map((m) => m.name);
  }

  private configFiles(): Record<string, string> {
    const files: Record<string, string> = { 'models.config': this.modelConfigFile };
    if (this.batchingFile) files['batching.config'] = this.batchingFile;
    if (this.monitoringFile) files['monitoring.config'] = this.monitoringFile;
    return files;
  }

  /** sha256 of the files the server reads only at start, so that a change rolls the pods. */
  private configHash(): string {
    const files = this.configFiles();
    if (this.props.modelConfigPollInterval) delete files['models.config'];
    return createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
  }

  private refreshArgs(): void {
    const f = new ServerFlags(this.subject);
    const t = this.threads;
    const userThreads = this.props.threads ?? {};
    f.set('port', this.grpcPort, 'grpcPort');
    f.set('rest_api_port', this.restPort, 'restPort');
    f.set('model_config_file', `${CONFIG_DIR}/models.config`, 'models');
    if (this.props.modelConfigPollInterval) {
      f.set('model_config_file_poll_wait_seconds', Math.max(1, Math.round(this.props.modelConfigPollInterval.toSeconds())), 'modelConfigPollInterval');
    }
    f.set('file_system_poll_wait_seconds', Math.round((this.props.fileSystemPollInterval ?? Duration.seconds(60)).toSeconds()), 'fileSystemPollInterval');
    if (this.props.allowVersionLabelsForUnavailableModels) f.set('allow_version_labels_for_unavailable_models', true, 'allowVersionLabelsForUnavailableModels');
    if (this.props.loadRetries !== undefined) f.set('max_num_load_retries', this.props.loadRetries, 'loadRetries');
    if (this.props.loadRetryInterval) f.set('load_retry_interval_micros', Math.round(this.props.loadRetryInterval.toMilliseconds() * 1000), 'loadRetryInterval');
    if (this.batching) {
      f.set('enable_batching', true, 'batching');
      f.set('batching_parameters_file', `${CONFIG_DIR}/batching.config`, 'batching');
      if (this._models.some((m) => m.batching)) f.set('enable_per_model_batching_parameters', true, 'models[].batching');
    }
    if (this.metricsPath) f.set('monitoring_config_file', `${CONFIG_DIR}/monitoring.config`, 'monitoring');
    // Session parallelism alone replaces the derived intra/inter-op settings.
    const sessionOnly = userThreads.session !== undefined && userThreads.intraOp === undefined && userThreads.interOp === undefined;
    if (!sessionOnly) {
      f.set('tensorflow_intra_op_parallelism', t.intraOp, 'threads.intraOp');
      f.set('tensorflow_inter_op_parallelism', t.interOp, 'threads.interOp');
    }
    if (userThreads.session !== undefined) f.set('tensorflow_session_parallelism', userThreads.session, 'threads.session');
    const sharedBy = this.nodePool?.maxSharedClientsPerGpu;
    if (this.gpus > 0 && sharedBy && sharedBy > 1) {
      // Servers time-sharing (or MPS-sharing) one GPU each take an equal share of its memory; TF's default grabs it all.
      f.set('per_process_gpu_memory_fraction', Math.floor(100 / sharedBy) / 100, 'nodePool');
    }
    f.set('rest_api_num_threads', t.restApi, 'threads.restApi');
    f.set('grpc_max_threads', t.grpcMax, 'threads.grpcMax');
    for (const [name, value] of Object.entries(this.props.extraArgs ?? {})) {
      if (f.has(name)) {
        fail(this.subject, `extraArgs.${name}`, value, 'not repeat a flag a prop already sets', `remove it from extraArgs and set the prop instead (current --${name}=${f.get(name)})`);
      }
      f.set(name, value, `extraArgs.${name}`);
    }
    f.validate();
    this.args.splice(0, this.args.length, ...f.toArgs());
  }

  private refreshCredentials(src: ModelSource): void {
    const gcs = this.props.gcsAccess;
    if (src.kind === 'gcs' && gcs && !this.gcsWired) {
      this.gcsWired = true;
      if (gcs.kind === 'workload-identity') {
        this.serviceAccount.metadata.addAnnotation('iam.gke.io/gcp-service-account', gcs.googleServiceAccount!);
      } else if (gcs.kind === 'key-secret') {
        const secret = kplus.Secret.fromSecretName(this, 'GcsKey', gcs.secretName!);
        this.container.mount('/var/secrets/google', kplus.Volume.fromSecret(this, 'GcsKeyVolume', secret, { name: 'gcs-key' }), { readOnly: true });
        this.container.env.addVariable('GOOGLE_APPLICATION_CREDENTIALS', kplus.EnvValue.fromValue(`/var/secrets/google/${gcs.secretKey}`));
      }
    }
    if (src.kind === 's3' && !this.container.env.variables.S3_USE_HTTPS) {
      const s3 = src.s3 ?? {};
      const env = this.container.env;
      env.addVariable('AWS_REGION', kplus.EnvValue.fromValue(s3.region ?? 'us-east-1'));
      if (s3.endpoint) env.addVariable('S3_ENDPOINT', kplus.EnvValue.fromValue(s3.endpoint));
      env.addVariable('S3_USE_HTTPS', kplus.EnvValue.fromValue(s3.useHttps === false ? '0' : '1'));
      env.addVariable('S3_VERIFY_SSL', kplus.EnvValue.fromValue(s3.verifySsl === false ? '0' : '1'));
      if (s3.credentials) {
        const secret = kplus.Secret.fromSecretName(this, 'S3Credentials', s3.credentials.secretName);
        env.addVariable('AWS_ACCESS_KEY_ID', kplus.EnvValue.fromSecretValue({ secret, key: s3.credentials.accessKeyIdKey }));
        env.addVariable('AWS_SECRET_ACCESS_KEY', kplus.EnvValue.fromSecretValue({ secret, key: s3.credentials.secretAccessKeyKey }));
      }
    }
  }

  private ingressRules(admission: NetworkAdmission): kplus.k8s.NetworkPolicyIngressRule[] {
    const port = (n: number) => ({ port: kplus.k8s.IntOrString.fromNumber(n), protocol: 'TCP' });
    const rules: kplus.k8s.NetworkPolicyIngressRule[] = [{ ports: [port(this.grpcPort), port(this.restPort)], from: admission.serving }];
    if (admission.scraperNamespace) {
      rules.push({ ports: [port(this.restPort)], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': admission.scraperNamespace } } }] });
    }
    return rules;
  }

  private egressRules(np: ServingNetworkPolicyOptions): kplus.k8s.NetworkPolicyEgressRule[] {
    if (np.restrictEgress === false) return [{}];
    const https = np.httpsEgress ?? HttpsEgress.ANY;
    const tcp = (n: number) => ({ port: kplus.k8s.IntOrString.fromNumber(n), protocol: 'TCP' });
    const rules: kplus.k8s.NetworkPolicyEgressRule[] = [
      { ports: [{ port: kplus.k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)] },
      // Object stores (GCS, S3) over HTTPS; optionally only Google's Private Google Access VIPs.
      { ...(https.cidrs.length ? { to: https.cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: [tcp(443)] },
      // GKE metadata server: Workload Identity tokens (169.254.169.254:80, and :988 on Dataplane V2).
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: '169.254.169.252/32' } }], ports: [tcp(80), tcp(988)] },
    ];
    const endpoints = new Set<number>();
    for (const m of this._models) {
      const ep = m.source.s3?.endpoint;
      if (!ep) continue;
      const match = /:(\d+)$/.exec(ep.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
      const portNumber = match ? Number(match[1]) : (m.source.s3?.useHttps === false ? 80 : 443);
      if (portNumber !== 443) endpoints.add(portNumber);
    }
    if (endpoints.size) rules.push({ ports: [...endpoints].sort((a, b) => a - b).map(tcp) });
    return [...rules, ...(np.additionalEgress ?? [])];
  }

  private validateFinal(): string[] {
    const errors: string[] = [];
    const binding = this.props.gcsAccess?.binding;
    if (binding) {
      const ns = this.service.metadata.namespace ?? 'default';
      if (binding.serviceAccountName !== this.serviceAccount.name || binding.namespace !== ns) {
        errors.push(`${this.subject}: 'gcsAccess' (WorkloadIdentity for ${binding.namespace}/${binding.serviceAccountName}) must bind the server's own ServiceAccount `
          + `(${ns}/${this.serviceAccount.name}), or GKE refuses the token. Fix: create the WorkloadIdentity with serviceAccountName '${this.serviceAccount.name}' and namespace '${ns}'`);
      }
      for (const m of this._models.filter((x) => x.source.kind === 'gcs')) {
        const bucket = m.source.bucket!;
        if (!binding.readerBuckets.includes(bucket)) {
          errors.push(`${this.subject}: 'gcsAccess' (WorkloadIdentity ${binding.email}) must grant read access to bucket '${bucket}' of model '${m.name}'. `
            + `Fix: add '${bucket}' to the WorkloadIdentity's modelBuckets (or call grantBucketRead('${bucket}'))`);
        }
      }
    }
    try {
      validateModelConfigs(this.subject, this._models.map(toModelConfig), { allowVersionLabelsForUnavailableModels: this.props.allowVersionLabelsForUnavailableModels });
      this.refreshArgs();
    } catch (e) {
      if (e instanceof ConfigError) return [...errors, e.message];
      throw e;
    }
    return errors;
  }
}

function toModelConfig(m: ServedModelOptions): ModelConfig {
  return {
    name: m.name,
    basePath: m.source.basePath,
    platform: m.platform,
    versionPolicy: m.versionPolicy,
    versionLabels: m.versionLabels,
    loggingConfig: m.loggingConfig,
  };
}

function s3Key(src: ModelSource) {
  const s = src.s3 ?? {};
  return [s.endpoint, s.region, s.useHttps, s.verifySsl, s.credentials?.secretName, s.credentials?.accessKeyIdKey, s.credentials?.secretAccessKeyKey];
}

function checkPort(subject: string, prop: string, port: number): number {
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) fail(subject, prop, port, 'be a TCP port between 1 and 65535', `use ${prop === 'grpcPort' ? 8500 : 8501}`);
  return port;
}

function checkAutoscaling(subject: string, a: AutoscalingOptions): void {
  if (!(Number.isInteger(a.minReplicas) && a.minReplicas >= 1)) fail(subject, 'autoscaling.minReplicas', a.minReplicas, 'be an integer of at least 1', 'use 2 or more');
  if (!(Number.isInteger(a.maxReplicas) && a.maxReplicas >= a.minReplicas)) {
    fail(subject, 'autoscaling.maxReplicas', a.maxReplicas, `be an integer of at least minReplicas (${a.minReplicas})`, 'raise maxReplicas or lower minReplicas');
  }
  const target = a.targetCpuUtilization;
  if (target !== undefined && !(Number.isInteger(target) && target >= 1 && target <= 100)) {
    fail(subject, 'autoscaling.targetCpuUtilization', target, 'be a whole percentage between 1 and 100', 'use 60');
  }
}

function resolveThreads(subject: string, derived: ThreadSettings, user: ThreadOptions): ThreadSettings {
  for (const [k, v] of Object.entries(user)) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) fail(subject, `threads.${k}`, v, 'be an integer of at least 1', 'leave it out to derive it from the CPU request');
  }
  return {
    intraOp: user.intraOp ?? derived.intraOp,
    interOp: user.interOp ?? derived.interOp,
    restApi: user.restApi ?? derived.restApi,
    grpcMax: user.grpcMax ?? derived.grpcMax,
    batch: user.batch ?? derived.batch,
  };
}

/** Bytes of a cdk8s Size. */
function sizeToBytes(size: Size | undefined): number | undefined {
  return size === undefined ? undefined : size.toKibibytes() * 1024;
}

/** Millicores of a cdk8s-plus Cpu amount (`'2'`, `'500m'`, `'1.5'`). */
export function cpuToMillis(cpu: kplus.Cpu | undefined): number | undefined {
  if (!cpu) return undefined;
  const a = cpu.amount;
  return a.endsWith('m') ? Number(a.slice(0, -1)) : Number(a) * 1000;
}
