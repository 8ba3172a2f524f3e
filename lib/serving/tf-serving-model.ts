import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BatchingConfig } from './batching-config';
import type { ColdStartPlan } from './cold-start';
import { GcsAccess } from './gcs-access';
import { GrpcTls } from './grpc-tls';
import { HttpsEgress } from './https-egress';
import { IModelServer, ModelSource } from './model-source';
import { MonitoringOptions, Scraper } from './monitoring';
import type { IServingPlacement } from './placement';
import type { PollingCost } from './polling-cost';
import { CONFIG_DIR, CUDA_CACHE_DIR, resolveServerSettings, resolveServerSpec, ServerSettings, ServerSpec, validateServer } from './server-spec';
import { IServingEndpoint } from './serving-endpoint';
import { ServiceMonitor } from '../imports/monitoring.coreos.com';
import { PodMonitoring, PodMonitoringSpecEndpointsPort } from '../imports/monitoring.googleapis.com';
import { addCheckedPatch } from '../private/checked-patch';
import { lazyValue } from '../private/lazy';
import { namespacePeer, namespaceRefusal, peersAdmitNamespace, wireRules } from '../private/network-peers';
import { hardenPodTemplate } from '../private/pod-hardening';
import { ensureUniqueObjectNames } from '../private/unique-names';
import { lazyWire, renderAsWire, wire } from '../private/wire-object';
import { TfServingImage } from '../tfserving/image';
import { ThreadSettings } from '../tfserving/threads';
import { VersionPolicy } from '../tfserving/version-policy';

export { CONFIG_DIR, cpuToMillis } from './server-spec';

/** The Deployment annotation with the estimated object-store list calls a month of version polling. */
export const LIST_OPS_ANNOTATION = 'tfserving-constructs.io/estimated-list-ops-per-month';

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
   * point to a version the policy loads, unless `allowVersionLabelsForUnavailableModels` is set. A server with
   * labels gets `--allow_version_labels_for_unavailable_models` (TF Serving assigns labels before the first load
   * and stops at start without it); moving a label to another version later (through a polled model config)
   * still needs that version loaded first.
   *
   * @default - no labels
   */
  readonly versionLabels?: Record<string, number>;
  /**
   * Size of one version of the SavedModel, GiB (`gcloud storage du -s gs://…/1`). Declared on every model of a
   * server (in `props.models`), it sizes the startup probe from `planColdStart` (each size times the versions the
   * policy loads, read at the source's tier) instead of the fixed default; the rollout deadline follows, and
   * `model.coldStart` holds the plan.
   *
   * @default - not declared: the fixed startup budget (10 minutes)
   */
  readonly sizeGiB?: number;
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
   * to `saved_model.pb` with the model export. With per-model parameters on, TF Serving serves a model without
   * the file unbatched (bundle_factory_util.cc `GetPerModelBatchingParams`), so the other models of the server
   * get the server-level parameters as their file, to publish the same way.
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
  /**
   * `--grpc_max_threads`, a cap on concurrent gRPC calls (a gRPC ResourceQuota: calls beyond it fail at once with
   * RESOURCE_EXHAUSTED). At least what the batch queues admit.
   *
   * @default - what the batch queues admit (maxBatchSize × (maxEnqueuedBatches + numBatchThreads) for one model),
   *   at least 128
   */
  readonly grpcMax?: number;
  /** `num_batch_threads` of the batching file (when it does not set its own). @default - one per core */
  readonly batch?: number;
}

/** Health probes of the model server. */
export interface ServingProbeOptions {
  /**
   * Emit startup and readiness probes on `GET /v1/models/FIRST_MODEL` (REST port; TF Serving opens its ports
   * only once the initial models are AVAILABLE, so an answer means "loaded"), and a liveness probe that does not
   * depend on serving load: a TCP connect to the gRPC port.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How long the server may take to load its models before Kubernetes restarts it. Must exceed
   * `loadRetries × loadRetryInterval`, or the kubelet kills a server that is still retrying a load.
   *
   * @default - Duration.minutes(10); Duration.minutes(30) for an official GPU image on H100/H200 (A3) nodes, where
   *   the first start JIT-compiles the CUDA kernels the image ships only as PTX
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

/** Who a server's NetworkPolicy admits (see {@link TfServingModel.networkAdmission}). */
export interface NetworkAdmission {
  /** Peers admitted to the gRPC and REST ports. */
  readonly serving: kplus.k8s.NetworkPolicyPeer[];
  /** The namespace admitted to the metrics port (`scraperPort`), when the server has metrics. */
  readonly scraperNamespace?: string;
  /**
   * The port `scraperNamespace` is admitted to: the REST port, or the Istio agent's 15020 once an IstioCanary scrapes
   * the server through metrics merging (the scrape then never reaches the REST port, so it is not admitted there).
   */
  readonly scraperPort?: number;
}

/** Pod and container security settings. */
export interface ServingSecurityOptions {
  /**
   * The uid the server runs as. TF Serving runs fine as any non-root uid; 0 and negative uids are refused, and
   * so is Istio's proxy uid 1337 on a server in the mesh (istio-iptables exempts that uid's traffic from the sidecar).
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
   * @default TfServingImage.of('2.20.0')
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
   * Most object-store list calls a month that version polling may make (models on GCS, S3 or a GCS FUSE mount × replicas, or the
   * autoscaler's maximum, × polls a month × list calls a poll; see `estimatePollingCost`); more is refused. The
   * estimate is on the Deployment as `tfserving-constructs.io/estimated-list-ops-per-month`.
   *
   * @default 5000000 (about $25 a month in Cloud Storage Class A operations: one model on one replica at TF Serving's
   *   own 1-second default)
   */
  readonly maxListOpsPerMonth?: number;
  /**
   * Re-read the model config file this often (`--model_config_file_poll_wait_seconds`), so a change to the
   * model list is served without a restart. When set, a model-list change does not roll the pods.
   *
   * @default - read once at start; a change rolls the pods
   */
  readonly modelConfigPollInterval?: Duration;
  /**
   * `--allow_version_labels_for_unavailable_models`. TF Serving assigns the start-up config's labels before it
   * loads any version (server_core.cc `UpdateModelVersionLabelMap`), so the flag is set whenever a model has
   * labels; `false` with labels is refused. `true` also lets a label point to a version the policy does not load.
   *
   * @default - on when a model has version labels (and labels must point to versions the policy loads)
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
   * @default - startup and readiness probes on the model status endpoint, liveness by TCP on the gRPC port; 10 minutes to start
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
   * TLS on the gRPC port (`--ssl_config_file`), from a `kubernetes.io/tls` Secret: the port then accepts TLS only,
   * for every caller. Needed to route gRPC through a GKE Gateway (`GatewayCanary` `grpcHost`); refused by IstioCanary
   * and by gRPC load tests, which speak plaintext gRPC. REST stays plaintext.
   *
   * @default - plaintext gRPC
   */
  readonly grpcTls?: GrpcTls;
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
   * The SavedModel places its ops across several GPUs itself (ops pinned to `/device:GPU:1` and above), so
   * `gpus` above 1 is intended. Without it, more than one GPU per replica is refused: TensorFlow runs an
   * un-annotated model on GPU:0 only.
   *
   * @default false
   */
  readonly multiGpu?: boolean;
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
  /**
   * The Kubernetes minor version of the cluster's nodes (`'1.35'`), for the rules of features that need one
   * (`ModelSource.image` needs 1.35 or later).
   *
   * @default - unknown; version-dependent features are documented, not checked
   */
  readonly kubernetesVersion?: string;
}

/**
 * One TF Serving server: a Deployment running `tensorflow_model_server` for one or more models, with its
 * Service (gRPC 8500 as `grpc`, REST 8501 as `http`), ServiceAccount, ConfigMaps, PodDisruptionBudget,
 * NetworkPolicy, and optionally a HorizontalPodAutoscaler and a scrape object.
 *
 * The Deployment is the default child (`ApiObject.of(model)` reaches it). Every generated object is a
 * public field.
 *
 * How it is built: the props resolve once into plain {@link ServerSettings} (`resolveServerSettings`, every rule
 * of one prop checked there); the models resolve into a plain {@link ServerSpec} (`resolveServerSpec`: config
 * files, their hash, the argument list), recomputed by `addModel`; every object renders from those two. Model
 * sources and the GCS credential bind themselves to the server (`ModelSource._bind`, `GcsAccess._bind`).
 * `validateServer` checks at synth, without changing anything, the rules that need the finished tree.
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
  /** The ConfigMap holding the model, batching and monitoring config files. Rendered as API JSON (see `networkPolicy`). */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The HorizontalPodAutoscaler, when `autoscaling` is set. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The `replicas` prop as given (undefined when left to its default); an external autoscaler refuses a fixed count. */
  public readonly fixedReplicas?: number;
  /** The cold-start plan (`planColdStart`), when the models declare `sizeGiB`; it sized the startup probe. */
  public readonly coldStart?: ColdStartPlan;
  /** The PodDisruptionBudget, unless disabled. Rendered as API JSON (see `networkPolicy`). */
  public readonly podDisruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /**
   * The NetworkPolicy, unless disabled. Like the ConfigMaps, the PodDisruptionBudget and the scrape object, it renders
   * its props as API JSON, without its class's typed serializer: a JSON patch on it takes API field names and plain
   * values (`9000`, not `IntOrString.fromNumber(9000)`).
   */
  public readonly networkPolicy?: kplus.k8s.KubeNetworkPolicy;
  /**
   * Who the NetworkPolicy admits: `serving` to the gRPC and REST ports, `scraperNamespace` to `scraperPort` (the REST
   * port, or 15020 under Istio metrics merging); undefined without a NetworkPolicy (then every source reaches the pods).
   * Other constructs check their own traffic against it.
   */
  public readonly networkAdmission?: NetworkAdmission;
  /** The ServiceMonitor, with `Scraper.SERVICE_MONITOR`. Rendered as API JSON (see `networkPolicy`). */
  public readonly serviceMonitor?: ServiceMonitor;
  /** The PodMonitoring, with `Scraper.POD_MONITORING`. Rendered as API JSON (see `networkPolicy`). */
  public readonly podMonitoring?: PodMonitoring;
  /** TLS on the gRPC port, when set: every gRPC caller must speak TLS. */
  public readonly grpcTls?: GrpcTls;

  /** The resolved props. */
  private readonly settings: ServerSettings;
  /** The pod port the scraper reads, when a mesh moved it off the REST port (see `_scrapeThrough`). */
  private scrapePort?: number;
  /** What the server serves with its current models; set by `addModel`. */
  private spec?: ServerSpec;
  /** The container's argument array (cdk8s-plus keeps the reference); filled from the spec by `render`. */
  private readonly args: string[] = [];
  private perModelBatchingMap?: kplus.k8s.KubeConfigMap;
  /** The pod's `proxy.istio.io/config` fields (Istio reads them; ignored without Istio). */
  private readonly proxyConfig: Record<string, unknown> = {};
  private pollingAnnotated = false;

  constructor(scope: Construct, id: string, props: TfServingModelProps) {
    super(scope, id);
    // A construct whose props are refused leaves no trace: an app that catches the error and goes on would
    // otherwise synthesize a half-built server (constructs keeps a child from the moment super() runs).
    try {
      const s = resolveServerSettings(id, props);
      this.settings = s;
      this.fixedReplicas = props.replicas;
      this.coldStart = s.coldStart;
      this.name = s.name;
      this.image = s.image;
      this.grpcPort = s.grpcPort;
      this.restPort = s.restPort;
      this.batching = s.batching;
      this.metricsPath = s.metricsPath;
      this.gpus = s.gpus;
      this.nodePool = s.nodePool;
      this.selectorLabels = s.selectorLabels;
      const labels = s.labels;

      // --- ServiceAccount and config files ---
      this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: s.name, labels },
        automountToken: false,
      });
      this.configMap = renderAsWire(new kplus.k8s.KubeConfigMap(this, 'Config', {
        metadata: { name: `${s.name}-config`, labels },
        data: lazyValue(() => this.current.configFiles),
      }));

      // --- Deployment ---
      this.deployment = new kplus.Deployment(this, 'Resource', {
        metadata: { name: s.name, labels },
        podMetadata: { labels },
        replicas: s.replicas,
        select: false,
        serviceAccount: this.serviceAccount,
        automountServiceAccountToken: false,
        // OnRootMismatch: a recursive chown of a large model volume at every start would delay it for minutes.
        securityContext: {
          ensureNonRoot: true, user: s.user, group: s.group, fsGroup: s.group, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
        },
        terminationGracePeriod: s.terminationGracePeriod,
        // A new pod may need a node from a pool scaled to zero, a multi-GB image pull and the whole startup budget:
        // a deadline shorter than that marks a healthy rollout as failed (ProgressDeadlineExceeded).
        progressDeadline: Duration.seconds(s.startupTimeout.toSeconds() + 300),
        strategy: kplus.DeploymentStrategy.rollingUpdate({
          maxSurge: kplus.PercentOrAbsolute.absolute(s.rollout.maxSurge),
          maxUnavailable: kplus.PercentOrAbsolute.absolute(s.rollout.maxUnavailable),
        }),
      });
      this.deployment.select(kplus.LabelSelector.of({ labels: s.selectorLabels }));
      this.deployment.podMetadata.addAnnotation('tfserving-constructs.io/config-hash', lazyValue(() => this.current.configHash));
      // With an Istio sidecar, keep the proxy draining for the whole grace period (its default is 5 s, shorter than
      // the preStop pause, which would cut off requests the server is still answering). Ignored without Istio.
      this.mergeProxyConfig({ terminationDrainDuration: `${s.terminationGracePeriod.toSeconds()}s` });

      const probePath = lazyValue(() => this.current.probePath);
      const probes = !s.probesEnabled ? {} : {
        startup: kplus.Probe.fromHttpGet(probePath, {
          port: s.restPort, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5),
          failureThreshold: Math.ceil(s.startupTimeout.toSeconds() / 10),
        }),
        readiness: kplus.Probe.fromHttpGet(probePath, {
          port: s.restPort, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(3), failureThreshold: 3,
        }),
        // Liveness must not depend on serving load: GET /v1/models/NAME waits for a free REST worker
        // (http_server.cc CreateAndStartHttpServer: one RequestExecutor of --rest_api_num_threads for every request),
        // so a busy server failed it and was
        // killed. A TCP connect to the gRPC port is answered by the kernel's accept queue while the process lives.
        // (gRPC health, grpc.health.v1, exists from 2.15.1 behind --enable_grpc_healthcheck_service, off by default:
        // server.cc EnableDefaultHealthCheckService; TCP works on every release without another flag.)
        liveness: kplus.Probe.fromTcpSocket({
          port: s.grpcPort, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6,
        }),
      };
      this.container = this.deployment.addContainer({
        name: 'tensorflow-serving',
        image: s.image.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['/usr/bin/tensorflow_model_server'],
        args: this.args,
        ports: [
          { name: 'grpc', number: s.grpcPort, protocol: kplus.Protocol.TCP },
          { name: 'http', number: s.restPort, protocol: kplus.Protocol.TCP },
        ],
        resources: s.resources,
        securityContext: {
          ensureNonRoot: true, user: s.user, group: s.group, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
        },
        lifecycle: { preStop: kplus.Handler.fromCommand(['/bin/sleep', String(s.preStopDelay.toSeconds())]) },
        ...probes,
      });
      // The volumes and the ConfigMap reference are values that render inside the pod spec, not objects: they live in a
      // scope of their own outside the app's tree, so that cdk8s's per-construct passes at every synth (validation,
      // dependency graph) do not walk them (bench/README.md, "Where the time goes").
      const values = new Construct(undefined as unknown as Construct, '');
      this.container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(values, 'ConfigVolume',
        kplus.ConfigMap.fromConfigMapName(values, 'ConfigRef', `${s.name}-config`), { name: 'config' }), { readOnly: true });
      this.container.mount('/tmp', kplus.Volume.fromEmptyDir(values, 'TmpVolume', 'tmp', { sizeLimit: s.tmpSize }));
      if (s.image.isGpu) {
        // The CUDA driver caches JIT-compiled kernels under the home directory by default: unwritable for uid 1000 on a
        // read-only root, so every start recompiled the PTX kernels. An emptyDir keeps them across container restarts
        // (its size covers CUDA's default CUDA_CACHE_MAXSIZE of 1 GiB).
        this.container.env.addVariable('CUDA_CACHE_PATH', kplus.EnvValue.fromValue(CUDA_CACHE_DIR));
        this.container.mount(CUDA_CACHE_DIR, kplus.Volume.fromEmptyDir(values, 'CudaCacheVolume', 'cuda-cache', { sizeLimit: Size.gibibytes(2) }));
      }

      if (props.grpcTls) {
        this.grpcTls = props.grpcTls;
        props.grpcTls._bind({
          scope: this, deployment: this.deployment, container: this.container, image: s.image.image, user: s.user, group: s.group,
        });
      }

      // --- Pod fields cdk8s-plus lacks: JSON patches ---
      const podSpec = '/spec/template/spec';
      const patches = ApiObject.of(this.deployment);
      hardenPodTemplate(patches);
      addCheckedPatch(patches, `${podSpec}/containers/0/securityContext/seccompProfile`, { type: 'RuntimeDefault' });
      if (props.priorityClassName) addCheckedPatch(patches, `${podSpec}/priorityClassName`, props.priorityClassName);
      if (props.topologySpread !== false) {
        // ScheduleAnyway: a single-zone cluster or a one-node pool must still run every replica.
        addCheckedPatch(patches, `${podSpec}/topologySpreadConstraints`, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((key) => ({
          maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: s.selectorLabels },
        })));
      }

      // --- Placement ---
      const pool = s.nodePool;
      if (pool) {
        // One call, one nodeSelectorTerm: its expressions are ANDed (separate terms would be ORed).
        this.deployment.scheduling.attract(kplus.Node.labeled(
          ...Object.entries(pool.nodeSelector()).map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
        for (const t of pool.tolerations()) {
          const effect = t.effect as kplus.TaintEffect | undefined;
          this.deployment.scheduling.tolerate(kplus.Node.tainted(
            t.operator === 'Exists' ? kplus.NodeTaintQuery.exists(t.key!, { effect }) : kplus.NodeTaintQuery.is(t.key!, t.value ?? '', { effect })));
        }
      }
      if (s.gpus > 0 && pool?.gpuSharing === 'MPS') {
        // GKE's MPS sharing: the container talks to the node's MPS control daemon over IPC, so the pod needs hostIPC.
        // https://cloud.google.com/kubernetes-engine/docs/how-to/nvidia-mps-gpus
        // The patch applies to the typed props (KubeDeployment serializes them afterwards): the key is hostIpc.
        addCheckedPatch(patches, `${podSpec}/hostIpc`, true, { renderedPath: `${podSpec}/hostIPC` });
      }
      if (s.gpus > 0) {
        // cdk8s-plus-27 has no extended resources. The patch goes through KubeDeployment's typed serializer,
        // which reads Quantity.value: a plain number would come out as null. Create the limits map when no
        // CPU/memory limit exists.
        const gpu = kplus.k8s.Quantity.fromNumber(s.gpus);
        const r = s.resources;
        const limits = r.cpu?.limit !== undefined || r.memory?.limit !== undefined;
        const requests = r.cpu?.request !== undefined || r.memory?.request !== undefined;
        const base = `${podSpec}/containers/0/resources`;
        if (limits) addCheckedPatch(patches, `${base}/limits/nvidia.com~1gpu`, gpu);
        else if (requests) addCheckedPatch(patches, `${base}/limits`, { 'nvidia.com/gpu': gpu });
        else addCheckedPatch(patches, base, { limits: { 'nvidia.com/gpu': gpu } });
      }

      // --- Service ---
      this.service = new kplus.Service(this, 'Service', {
        metadata: { name: s.name, labels },
        type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
        // Names select the protocol in Istio ("grpc", "http" prefixes).
        ports: [
          { name: 'grpc', port: s.grpcPort, targetPort: s.grpcPort, protocol: kplus.Protocol.TCP },
          { name: 'http', port: s.restPort, targetPort: s.restPort, protocol: kplus.Protocol.TCP },
        ],
      });
      // Select on our stable labels, not cdk8s-plus's path-derived `cdk8s.io/metadata.addr`.
      for (const [k, v] of Object.entries(s.selectorLabels)) this.service.selectLabel(k, v);

      // --- Autoscaling and disruption budget ---
      if (s.autoscaling) {
        this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
          metadata: { name: s.name, labels },
          target: this.deployment,
          minReplicas: s.autoscaling.minReplicas,
          maxReplicas: s.autoscaling.maxReplicas,
          metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(s.autoscaling.targetCpuUtilization ?? 60))],
        });
      }
      if (s.pdbMaxUnavailable !== undefined) {
        this.podDisruptionBudget = renderAsWire(new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
          metadata: { name: s.name, labels },
          spec: { maxUnavailable: wire<kplus.k8s.IntOrString>(s.pdbMaxUnavailable), selector: { matchLabels: s.selectorLabels } },
        }));
      }

      // --- Monitoring ---
      const monitoring = s.monitoring;
      const interval = `${this.scrapeInterval.toSeconds()}s`;
      if (s.metricsPath && monitoring.scraper === Scraper.SERVICE_MONITOR) {
        this.serviceMonitor = renderAsWire(new ServiceMonitor(this, 'ServiceMonitor', {
          metadata: { name: s.name, labels },
          spec: {
            selector: { matchLabels: s.selectorLabels },
            endpoints: [{ port: 'http', path: s.metricsPath, interval }],
          },
        }));
      }
      if (s.metricsPath && monitoring.scraper === Scraper.POD_MONITORING) {
        this.podMonitoring = renderAsWire(new PodMonitoring(this, 'PodMonitoring', {
          metadata: { name: s.name, labels },
          spec: {
            selector: { matchLabels: s.selectorLabels },
            endpoints: [{ port: wire<PodMonitoringSpecEndpointsPort>('http'), path: s.metricsPath, interval }],
          },
        }));
      }

      // --- NetworkPolicy ---
      const np = s.networkPolicy;
      if (np) {
        const scraperNamespace = s.metricsPath
          ? monitoring.scraperNamespace ?? (monitoring.scraper === Scraper.POD_MONITORING ? 'gmp-system' : 'monitoring')
          : undefined;
        const scraperPort = () => (scraperNamespace ? this.scrapePort ?? s.restPort : undefined);
        this.networkAdmission = {
          // A peer with only an empty podSelector is every pod of the policy's own namespace (NetworkPolicyPeer).
          serving: np.allowFrom ? [...np.allowFrom] : [{ podSelector: {} }],
          scraperNamespace,
          get scraperPort() { return scraperPort(); },
        };
        const admission = this.networkAdmission;
        this.networkPolicy = renderAsWire(new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
          metadata: { name: s.name, labels },
          spec: {
            podSelector: { matchLabels: s.selectorLabels },
            policyTypes: ['Ingress', 'Egress'],
            ingress: lazyWire(() => this.ingressRules(admission, np)),
            egress: lazyWire(() => this.egressRules(np)),
          },
        }));
      }

      if (props.models.length === 0) resolveServerSpec(s, []);
      for (const m of props.models) this.addModel(m);
      ensureUniqueObjectNames(this);
      this.node.addValidation({
        validate: () => validateServer(s, this.current.models, {
          podLabel: (key) => this.deployment.podMetadata.getLabel(key),
          serviceAccountName: this.serviceAccount.name,
          namespace: this.service.metadata.namespace ?? 'default',
        }),
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * Adds a model to this server. Rules that concern one model are checked here; rules across the
   * models (unique names, one S3 endpoint) too.
   */
  public addModel(model: ServedModelOptions): void {
    const spec = resolveServerSpec(this.settings, [...(this.spec?.models ?? []), model]);
    if (model.batching && !this.perModelBatchingMap) {
      this.perModelBatchingMap = renderAsWire(new kplus.k8s.KubeConfigMap(this, 'ModelBatching', {
        metadata: { name: `${this.name}-model-batching`, labels: this.settings.labels },
        data: lazyValue(() => this.current.perModelBatchingFiles),
      }));
    }
    model.source._bind(this.binding, model);
    if (spec.pollingCost && !this.pollingAnnotated) {
      // On the Deployment, not the pod template: the estimate changes with the models and must not roll the pods.
      this.deployment.metadata.addAnnotation(LIST_OPS_ANNOTATION, lazyValue(() => String(this.current.pollingCost?.listOpsPerMonth ?? 0)));
      this.pollingAnnotated = true;
    }
    this.render(spec);
  }

  /**
   * Resolved thread pool sizes (before `session` handling: see `serverArgs`); `grpcMax` is sized from the batch
   * queues of the models served.
   */
  public get threads(): ThreadSettings {
    return this.current.threads;
  }

  /** `--grpc_max_threads`: concurrent gRPC calls one replica admits before it answers RESOURCE_EXHAUSTED. */
  public get grpcMaxThreads(): number {
    return this.current.threads.grpcMax;
  }

  /** What version polling of the object-store models costs (`estimatePollingCost`); undefined without such models. */
  public get pollingCost(): PollingCost | undefined {
    return this.current.pollingCost;
  }

  /** The models, a copy. */
  public get models(): ServedModelOptions[] {
    return [...this.current.models];
  }

  /** The `--model_config_file` text. */
  public get modelConfigFile(): string {
    return this.current.modelConfigFile;
  }

  /** The `--batching_parameters_file` text, with batching on. */
  public get batchingFile(): string | undefined {
    return this.current.batchingFile;
  }

  /** The `--monitoring_config_file` text, with metrics on. */
  public get monitoringFile(): string | undefined {
    return this.current.monitoringFile;
  }

  /**
   * Per-model `batching_params.pbtxt` texts, keyed `MODEL.batching_params.pbtxt`: publish each into every
   * version directory of its model. Once one model has its own batching, every model has a file (the others
   * the server-level parameters): a model without one would be served unbatched.
   */
  public get perModelBatchingFiles(): Record<string, string> {
    return { ...this.current.perModelBatchingFiles };
  }

  /** The container arguments (`--flag=value`), a copy. */
  public get serverArgs(): string[] {
    return [...this.current.args];
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

  /** How often the server's metrics are scraped (`monitoring.interval`). */
  public get scrapeInterval(): Duration {
    return this.settings.monitoring.interval ?? Duration.seconds(30);
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

  /** Why the NetworkPolicy refuses pods of `namespace` to the serving ports (IServingEndpoint); undefined unless certain. */
  public networkRefusal(namespace: string): string | undefined {
    if (!this.networkAdmission) return undefined;
    const refusal = namespaceRefusal(this.networkAdmission.serving, this.serviceNamespace ?? 'default', namespace, [this.grpcPort, this.restPort]);
    return refusal && `the NetworkPolicy of TfServingModel '${this.node.id}' ${refusal}`;
  }

  /** Names of the models served, in order. */
  public get modelNames(): string[] {
    return this.current.models.map((m) => m.name);
  }

  /** The spec of the current models (the constructor adds at least one, or throws). */
  private get current(): ServerSpec {
    if (!this.spec) throw new Error(`${this.settings.subject}: no model was added`);
    return this.spec;
  }

  /** What model sources and credentials bind themselves to. */
  private get binding(): IModelServer {
    return {
      scope: this, container: this.container, serviceAccount: this.serviceAccount, gcsAccess: this.settings.gcsAccess, deployment: this.deployment,
      mergeProxyConfig: (fields) => this.mergeProxyConfig(fields),
    };
  }

  private mergeProxyConfig(fields: Record<string, unknown>): void {
    Object.assign(this.proxyConfig, fields);
    this.deployment.podMetadata.addAnnotation('proxy.istio.io/config', JSON.stringify(this.proxyConfig));
  }

  /** The one place the spec reaches the objects: the lazy values read it, the argument array is filled from it. */
  private render(spec: ServerSpec): void {
    this.spec = spec;
    this.args.splice(0, this.args.length, ...spec.args);
  }

  /**
   * The scrape of this server's metrics reads pod port `port` instead of the REST port (Istio metrics merging: the
   * agent's 15020): the NetworkPolicy admits the scraper's namespace there, and no longer to the REST port.
   *
   * @internal
   */
  public _scrapeThrough(port: number): void {
    this.scrapePort = port;
  }

  // The NetworkPolicy's rules as API JSON (it is rendered with renderAsWire): the typed rules a user passes go through
  // cdk8s-plus-27's own serializer for them; ours are written as the API reads them.
  private ingressRules(admission: NetworkAdmission, np: ServingNetworkPolicyOptions): unknown[] {
    const serving = np.allowFrom ? admission.serving.map((p) => kplus.k8s.toJson_NetworkPolicyPeer(p)) : admission.serving;
    const rules: unknown[] = [{ ports: [wireRules.tcpPort(this.grpcPort), wireRules.tcpPort(this.restPort)], from: serving }];
    if (admission.scraperNamespace) {
      // The rule names the port the scrape reads. Under metrics merging that is the agent's 15020: NetworkPolicy is
      // enforced at the pod's interface, before Istio's in-pod capture rules, so Istio's own ports need admitting too
      // (istio/istio#52742: Calico drops Istio's 15008 unless a policy lists it; Dataplane V2 enforces per pod port alike).
      rules.push({ ports: [wireRules.tcpPort(admission.scraperPort!)], from: [namespacePeer(admission.scraperNamespace)] });
    }
    return rules;
  }

  private egressRules(np: ServingNetworkPolicyOptions): unknown[] {
    if (np.restrictEgress === false) return [{}];
    const https = np.httpsEgress ?? HttpsEgress.ANY;
    const rules: unknown[] = [
      wireRules.dnsEgress(),
      // Object stores (GCS, S3) over HTTPS; optionally only Google's Private Google Access VIPs.
      { ...(https.cidrs.length ? { to: https.cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: [wireRules.tcpPort(443)] },
      wireRules.gkeMetadataEgress(),
    ];
    const endpoints = new Set(this.current.models.flatMap((m) => m.source._egressPorts()));
    if (endpoints.size) rules.push({ ports: [...endpoints].sort((a, b) => a - b).map(wireRules.tcpPort) });
    return [...rules, ...(np.additionalEgress ?? []).map((r) => kplus.k8s.toJson_NetworkPolicyEgressRule(r))];
  }
}
