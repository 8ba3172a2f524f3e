import { createHash } from 'crypto';
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { BatchingConfig } from './batching-config';
import { ColdStartPlan, planColdStart } from './cold-start';
import type { GcsAccess } from './gcs-access';
import { checkGrpcTlsExtraArgs, GRPC_TLS_CONFIG_FILE } from './grpc-tls';
import { HttpsEgress } from './https-egress';
import { MonitoringOptions, Scraper } from './monitoring';
import type { IServingPlacement } from './placement';
import { DEFAULT_MAX_LIST_OPS_PER_MONTH, estimatePollingCost, OBJECT_STORE_OPERATION_USD_PER_1000, PollingCost } from './polling-cost';
import type {
  AutoscalingOptions, ServedModelOptions, ServingNetworkPolicyOptions, ThreadOptions, TfServingModelProps,
} from './tf-serving-model';
import { fail, subjectOf } from '../core/errors';
import { checkDuration, checkLabels, checkObjectName, checkSize } from '../core/kubernetes';
import { SERVER_NAME } from '../core/names';
import type { RolloutBudget, WorkloadRequest } from '../core/rule-context';
import { formatDuration } from '../private/duration';
import { validateBatchingParameters } from '../tfserving/batching-parameters';
import { TfServingImage } from '../tfserving/image';
import { ModelConfig, renderModelServerConfig, validateModelConfigs } from '../tfserving/model-server-config';
import { DEFAULT_PROMETHEUS_PATH, renderMonitoringConfig, validateMonitoringConfig } from '../tfserving/monitoring-config';
import { ServerFlags, validatePorts } from '../tfserving/server-flags';
import { batchAdmission, deriveThreads, grpcThreadsFor, ThreadSettings } from '../tfserving/threads';

/** Where the ConfigMap with the server's config files is mounted. */
export const CONFIG_DIR = '/etc/tfserving';

/** The largest int32: replicas, HPA bounds and PDB counts are int32 in the Kubernetes API. */
const INT32_MAX = 2 ** 31 - 1;

/** The label an IstioCanary sets on the pods of the servers it routes to (IstioCanary.CANARY_LABEL). */
const MESH_CANARY_LABEL = 'tfserving-constructs.io/canary';
/** Istio's proxy uid: istio-iptables excludes its traffic from redirection (the default --proxy-uid). */
const ISTIO_PROXY_UID = 1337;

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(2) },
  memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
};

/**
 * A TfServingModel's props, resolved once: every default filled in and every rule that concerns one prop (or
 * props together) checked. Plain data; the construct renders its objects from it.
 */
export interface ServerSettings {
  /** `TfServingModel 'id'`, for messages. */
  readonly subject: string;
  /** Base name of every object. */
  readonly name: string;
  /** The image, its GPU build on a GPU pool. */
  readonly image: TfServingImage;
  /** gRPC port. */
  readonly grpcPort: number;
  /** REST port. */
  readonly restPort: number;
  /** GPUs per replica. */
  readonly gpus: number;
  /** The node pool, if any. */
  readonly nodePool?: IServingPlacement;
  /** The container's resources. */
  readonly resources: kplus.ContainerResources;
  /** Thread pool sizes; `grpcMax` before the models are known (the spec sizes it from their batch queues). */
  readonly threads: ThreadSettings;
  /** The threads the user set (session parallelism is only ever set by the user). */
  readonly userThreads: ThreadOptions;
  /** Server-level batching. */
  readonly batching?: BatchingConfig;
  /** The metrics path, with metrics on. */
  readonly metricsPath?: string;
  /** The monitoring options as given. */
  readonly monitoring: MonitoringOptions;
  /** A fixed replica count, without autoscaling. */
  readonly replicas?: number;
  /** The autoscaler's bounds. */
  readonly autoscaling?: AutoscalingOptions;
  /** Whether the probes are emitted. */
  readonly probesEnabled: boolean;
  /** How long the server may take to load its models. */
  readonly startupTimeout: Duration;
  /** The cold-start plan, when the models declare `sizeGiB`. */
  readonly coldStart?: ColdStartPlan;
  /** `--file_system_poll_wait_seconds`. */
  readonly pollIntervalSeconds: number;
  /** The preStop pause. */
  readonly preStopDelay: Duration;
  /** The termination grace period. */
  readonly terminationGracePeriod: Duration;
  /** The pod's uid. */
  readonly user: number;
  /** The pod's gid and fsGroup. */
  readonly group: number;
  /** The labels of every object. */
  readonly labels: Record<string, string>;
  /** The labels that select the pods. */
  readonly selectorLabels: Record<string, string>;
  /** The rolling update that can complete on the node pool (`maxSurge 1 / maxUnavailable 0` unless the pool is full). */
  readonly rollout: RolloutBudget;
  /** The PodDisruptionBudget's maxUnavailable; undefined when the budget is disabled. */
  readonly pdbMaxUnavailable?: number;
  /** The NetworkPolicy options; undefined when the policy is disabled. */
  readonly networkPolicy?: ServingNetworkPolicyOptions;
  /** The /tmp size limit. */
  readonly tmpSize: Size;
  /** How the server reads gs:// models. */
  readonly gcsAccess?: GcsAccess;
  /** The props, for the flags that pass through unchanged. */
  readonly props: TfServingModelProps;
}

/**
 * What the server serves with its current models: the config files, their hash and the argument list. Plain
 * data, recomputed when a model is added.
 */
export interface ServerSpec {
  /** The models, in order. */
  readonly models: ServedModelOptions[];
  /** The `--model_config_file` text. */
  readonly modelConfigFile: string;
  /** The `--batching_parameters_file` text, with batching on. */
  readonly batchingFile?: string;
  /** The `--monitoring_config_file` text, with metrics on. */
  readonly monitoringFile?: string;
  /** The ConfigMap's files. */
  readonly configFiles: Record<string, string>;
  /** sha256 of the files the server reads only at start. */
  readonly configHash: string;
  /** Per-model `batching_params.pbtxt` texts, keyed `MODEL.batching_params.pbtxt`. */
  readonly perModelBatchingFiles: Record<string, string>;
  /** Thread pool sizes, `grpcMax` sized from the models' batch queues. */
  readonly threads: ThreadSettings;
  /** The container arguments. */
  readonly args: string[];
  /** The path the probes ask. */
  readonly probePath: string;
  /** What version polling of the object-store models costs; undefined without such models. */
  readonly pollingCost?: PollingCost;
}

/**
 * Resolves a TfServingModel's props (without its models), throwing a `ConfigError` for a bad prop.
 */
export function resolveServerSettings(id: string, props: TfServingModelProps): ServerSettings {
  const subject = subjectOf('TfServingModel', id);
  const name = props.name ?? id;
  if (!SERVER_NAME.test(name)) {
    fail(subject, props.name === undefined ? 'name (from the construct id)' : 'name', name,
      'be a DNS label of at most 42 characters (lower-case letters, digits, \'-\'), so that every derived object name is valid',
      'pass name: \'resnet\' or use such an id');
  }
  const pool = props.nodePool;
  const gpuPool = pool?.acceleratorType !== undefined;
  const gpus = props.gpus ?? (gpuPool ? 1 : 0);
  if (!(Number.isInteger(gpus) && gpus >= 0)) fail(subject, 'gpus', gpus, 'be an integer of 0 or more', 'use 1');
  if (gpus > 0 && !gpuPool) {
    fail(subject, 'gpus', gpus, `come with a GPU nodePool (${pool ? `'${pool.name}' has no accelerator` : 'none is set'}); without one the pods never schedule`,
      'set nodePool to a GpuNodePool, or remove gpus');
  }
  const requested = props.image ?? TfServingImage.of();
  // The pool decides the build: an official image becomes its -gpu variant on a GPU pool.
  const image = gpus > 0 ? requested.toGpu() : requested;
  image.validate(subject);
  if (gpus > 0 && !image.isGpu) {
    fail(subject, 'image', image.image, `be a GPU build to use the ${gpus} GPU(s) of pool '${pool?.name}'`,
      'use an image built with CUDA support (a tag ending in -gpu, or TfServingImage.custom(\'…\', { gpu: true }))');
  }
  if (gpus === 0 && image.isGpu) {
    fail(subject, 'image', image.image, 'not be a GPU build without GPUs (the CUDA build needs an nvidia.com/gpu device to start)',
      'use TfServingImage.of(…), or place the server on a GpuNodePool');
  }
  const grpcPort = checkPort(subject, 'grpcPort', props.grpcPort ?? 8500);
  const restPort = checkPort(subject, 'restPort', props.restPort ?? 8501);
  // Checked before the container exists (cdk8s-plus would refuse the duplicate port with a bare message).
  validatePorts(subject, grpcPort, restPort);
  if (props.replicas !== undefined && props.autoscaling !== undefined) {
    fail(subject, 'replicas', props.replicas, 'not be set together with autoscaling (an autoscaled Deployment has no fixed replica count)',
      'remove replicas, or remove autoscaling');
  }
  if (props.replicas !== undefined && !(Number.isInteger(props.replicas) && props.replicas >= 1)) {
    fail(subject, 'replicas', props.replicas, 'be an integer of at least 1', 'use 2 or more for a server that survives a node loss');
  }
  if (props.replicas !== undefined && props.replicas > INT32_MAX) {
    fail(subject, 'replicas', props.replicas, `be at most ${INT32_MAX} (an int32 in the Kubernetes API; the API server refuses more)`, 'use a realistic count, e.g. 2');
  }
  if (props.autoscaling) checkAutoscaling(subject, props.autoscaling);
  checkGrpcTlsExtraArgs(subject, props.extraArgs, props.grpcTls !== undefined);
  const resources = props.resources ?? DEFAULT_RESOURCES;
  checkResources(subject, resources);
  const cpuMillis = cpuToMillis(resources.cpu?.request ?? resources.cpu?.limit);
  const threads = resolveThreads(subject, deriveThreads(cpuMillis ?? 1000), props.threads ?? {});
  let rollout: RolloutBudget = { maxSurge: 1, maxUnavailable: 0 };
  if (pool) {
    const request: WorkloadRequest = {
      gpus, cpuMillis, memoryBytes: sizeToBytes(resources.memory?.request ?? resources.memory?.limit), multiGpu: props.multiGpu,
    };
    pool.checkWorkloadFits({ construct: 'TfServingModel', id, propNames: { gpus: 'gpus', cpu: 'resources.cpu', memory: 'resources.memory' } }, request);
    // A full pool cannot take a surge Pod: the pool picks a rolling update that completes (or refuses the count).
    rollout = pool.rolloutFor?.(
      { construct: 'TfServingModel', id, propNames: { replicas: props.autoscaling ? 'autoscaling.maxReplicas' : 'replicas' } },
      request, props.autoscaling?.maxReplicas ?? props.replicas ?? 2) ?? rollout;
    if (pool.gpuPartitionSize && gpus > 1) {
      fail(subject, 'gpus', gpus, `be 1 on a MIG pool ('${pool.name}', partitions of ${pool.gpuPartitionSize}): a CUDA process uses one MIG instance`,
        'request gpus: 1, or choose a larger gpuPartitionSize for the pool');
    }
    props.gcsAccess?._checkPlacement(subject, pool);
  }
  if (props.batching) validateBatchingParameters(subject, props.batching.toParameters(threads.batch), 'batching');
  const monitoring = props.monitoring ?? {};
  let metricsPath: string | undefined;
  if (monitoring.enabled !== false) {
    metricsPath = monitoring.path ?? DEFAULT_PROMETHEUS_PATH;
    validateMonitoringConfig(subject, { prometheusPath: metricsPath });
  } else if (monitoring.scraper && monitoring.scraper !== Scraper.NONE) {
    fail(subject, 'monitoring.scraper', monitoring.scraper.kind, 'be Scraper.NONE when monitoring is disabled (there are no metrics to scrape)',
      'remove the scraper, or enable monitoring');
  }
  // Durations and Sizes cdk8s-plus writes as whole seconds (probes, preStop sleep, grace period, scrape interval) or
  // whole MiB (the /tmp emptyDir sizeLimit) at synth time: checked here, where the prop is read.
  const durations: [string, Duration | undefined, number][] = [
    ['probes.startupTimeout', props.probes?.startupTimeout, 1], ['drain.preStopDelay', props.drain?.preStopDelay, 0],
    ['drain.terminationGracePeriod', props.drain?.terminationGracePeriod, 0],
    ['modelConfigPollInterval', props.modelConfigPollInterval, 1], ['monitoring.interval', props.monitoring?.interval, 1],
  ];
  for (const [prop, d, min] of durations) if (d) checkDuration(subject, prop, d, 'seconds', min);
  if (props.loadRetryInterval) checkDuration(subject, 'loadRetryInterval', props.loadRetryInterval, 'millis', 0);
  if (props.tmpSize) checkSize(subject, 'tmpSize', props.tmpSize, 'MiB', 1);
  checkLabels(subject, 'labels', props.labels);
  if (props.priorityClassName !== undefined) checkObjectName(subject, 'priorityClassName', props.priorityClassName);
  if (props.monitoring?.scraperNamespace !== undefined) checkObjectName(subject, 'monitoring.scraperNamespace', props.monitoring.scraperNamespace, 'dns-label');
  const retries = props.loadRetries ?? 5;
  if (!(Number.isInteger(retries) && retries >= 0)) fail(subject, 'loadRetries', retries, 'be an integer of 0 or more', 'use the default 5');
  const retryInterval = props.loadRetryInterval ?? Duration.minutes(1);
  const probesEnabled = props.probes?.enabled !== false;
  const coldStart = planServerColdStart(subject, props, gpus, pool);
  // With declared sizes the startup budget comes from the plan; it still exceeds the load retries (below) and the
  // JIT default on H100/H200.
  const startupTimeout = props.probes?.startupTimeout ?? (coldStart
    ? Duration.seconds(Math.max(coldStart.startupBudgetSeconds, retries * retryInterval.toSeconds() + 60,
      defaultStartupTimeout(image, gpus, pool, 0).toSeconds()))
    : defaultStartupTimeout(image, gpus, pool));
  if (probesEnabled && startupTimeout.toSeconds() <= retries * retryInterval.toSeconds({ integral: false })) {
    fail(subject, 'probes.startupTimeout', formatDuration(startupTimeout),
      `exceed loadRetries × loadRetryInterval (${retries} × ${formatDuration(retryInterval)}), or the kubelet restarts a server that is still retrying a model load`,
      'raise startupTimeout, or lower loadRetries / loadRetryInterval');
  }
  const preStopDelay = props.drain?.preStopDelay ?? Duration.seconds(15);
  const terminationGracePeriod = props.drain?.terminationGracePeriod ?? Duration.seconds(45);
  if (terminationGracePeriod.toSeconds() <= preStopDelay.toSeconds()) {
    fail(subject, 'drain.terminationGracePeriod', formatDuration(terminationGracePeriod),
      `exceed drain.preStopDelay (${formatDuration(preStopDelay)}); TF Serving ignores SIGTERM, so in-flight requests only have the time after the pause`,
      'make the grace period longer than the preStop pause, e.g. pause 15 s, grace 45 s');
  }
  const pollSeconds = (props.fileSystemPollInterval ?? Duration.seconds(60)).toSeconds({ integral: false });
  if (!(pollSeconds >= 1)) fail(subject, 'fileSystemPollInterval', formatDuration(props.fileSystemPollInterval!), 'be at least 1 second (0 disables polling for new versions)', 'use Duration.seconds(60)');
  if (props.fileSystemPollInterval) checkDuration(subject, 'fileSystemPollInterval', props.fileSystemPollInterval, 'seconds', 1);
  const user = props.security?.user ?? 1000;
  const group = props.security?.group ?? 1000;
  // The pod always runs non-root (runAsNonRoot): the kubelet refuses to start uid 0, and ids are non-negative int64s.
  if (!(Number.isSafeInteger(user) && user >= 1)) {
    fail(subject, 'security.user', user, 'be a whole uid of at least 1 (the pod runs as non-root; the kubelet refuses uid 0 and the API server a negative one)', 'use 1000');
  }
  if (!(Number.isSafeInteger(group) && group >= 0)) {
    fail(subject, 'security.group', group, 'be a whole gid of 0 or more', 'use 1000');
  }
  const pdb = props.podDisruptionBudget ?? {};
  let pdbMaxUnavailable: number | undefined;
  if (pdb.enabled !== false) {
    pdbMaxUnavailable = pdb.maxUnavailable ?? 1;
    if (!(Number.isInteger(pdbMaxUnavailable) && pdbMaxUnavailable >= 1 && pdbMaxUnavailable <= INT32_MAX)) {
      fail(subject, 'podDisruptionBudget.maxUnavailable', pdbMaxUnavailable, 'be an integer of at least 1 (0 blocks every node drain and upgrade)',
        'use 1, or disable the budget with enabled: false');
    }
  }
  const selectorLabels = { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': name };
  if (props.kubernetesVersion !== undefined && !/^1\.\d{1,2}$/.test(props.kubernetesVersion)) {
    fail(subject, 'kubernetesVersion', props.kubernetesVersion, 'be a Kubernetes minor version such as \'1.35\'', 'write the cluster\'s version as MAJOR.MINOR');
  }
  const np = props.networkPolicy ?? {};
  if (np.enabled !== false && np.allowFrom && np.allowFrom.length === 0) {
    fail(subject, 'networkPolicy.allowFrom', [], 'name at least one peer: a NetworkPolicy ingress rule without peers admits every source',
      'leave it out to admit the server\'s own namespace, or list the peers that may connect');
  }
  return {
    subject,
    name,
    image,
    grpcPort,
    restPort,
    gpus,
    nodePool: pool,
    resources,
    threads,
    userThreads: props.threads ?? {},
    batching: props.batching,
    metricsPath,
    monitoring,
    replicas: props.autoscaling ? undefined : (props.replicas ?? 2),
    autoscaling: props.autoscaling,
    probesEnabled,
    startupTimeout,
    coldStart,
    pollIntervalSeconds: Math.round(pollSeconds),
    preStopDelay,
    terminationGracePeriod,
    user,
    group,
    labels: { ...(props.labels ?? {}), ...selectorLabels, 'app.kubernetes.io/managed-by': 'tfserving-constructs' },
    selectorLabels,
    rollout,
    pdbMaxUnavailable,
    networkPolicy: np.enabled === false ? undefined : np,
    tmpSize: props.tmpSize ?? Size.gibibytes(1),
    gcsAccess: props.gcsAccess,
    props,
  };
}

/**
 * Resolves what the server serves with these models, throwing a `ConfigError` when a model, the models
 * together, or the resulting flags break a rule.
 */
export function resolveServerSpec(s: ServerSettings, models: ServedModelOptions[]): ServerSpec {
  const subject = s.subject;
  validateModelConfigs(subject, models.map(toModelConfig), {
    allowVersionLabelsForUnavailableModels: s.props.allowVersionLabelsForUnavailableModels,
    platformConfigFile: s.props.extraArgs?.platform_config_file !== undefined,
  });
  checkNodeEgress(s, models);
  models.forEach((model, index) => {
    const prop = `models[${index}]`;
    if (index >= s.props.models.length && (model.sizeGiB !== undefined || s.coldStart)) {
      fail(subject, `${prop}.sizeGiB`, model.sizeGiB, 'be declared on models passed in props.models only, and a server sized that way takes no model '
        + 'through addModel(): the startup probe and rollout deadline are sized when the TfServingModel is created', 'pass every model in props.models');
    }
    model.source._check({
      subject, prop, modelName: model.name, image: s.image, gcsAccess: s.gcsAccess, others: models.slice(0, index),
      nodePool: s.nodePool, kubernetesVersion: s.props.kubernetesVersion,
    });
    const https = s.networkPolicy?.httpsEgress;
    const outsideGoogle = model.source.kind === 's3' || (model.source.kind === 'storage-initializer' && model.source._gcsBucket === undefined);
    if (outsideGoogle && https && https !== HttpsEgress.ANY) {
      fail(subject, 'networkPolicy.httpsEgress', https.name, `allow the ${model.source.kind === 's3' ? 'S3 endpoint' : 'store'} of ${prop} ('${model.name}'): it admits HTTPS to Google APIs only`,
        'use HttpsEgress.ANY, or add the S3 endpoint in networkPolicy.additionalEgress and keep the models on GCS');
    }
    if (model.batching) {
      if (!s.batching) {
        fail(subject, `${prop}.batching`, `BatchingConfig(maxBatchSize ${model.batching.maxBatchSize})`,
          'come with server-level batching (it turns batching on and supplies the shared batch thread pool)',
          'set the \'batching\' prop of the TfServingModel too');
      }
      validateBatchingParameters(subject, model.batching.toParameters(s.threads.batch), `${prop}.batching`);
    }
  });
  const threads = serverThreads(s, models);
  const modelConfigFile = renderModelServerConfig(models.map(toModelConfig));
  const batchingFile = s.batching?.render(s.threads.batch);
  const monitoringFile = s.metricsPath ? renderMonitoringConfig({ prometheusPath: s.metricsPath }) : undefined;
  const configFiles: Record<string, string> = { 'models.config': modelConfigFile };
  if (batchingFile) configFiles['batching.config'] = batchingFile;
  if (monitoringFile) configFiles['monitoring.config'] = monitoringFile;
  // The hash covers the files the server reads only at start, so that a change rolls the pods.
  const hashed = { ...configFiles };
  if (s.props.modelConfigPollInterval) delete hashed['models.config'];
  // bundle_factory_util.cc GetPerModelBatchingParams: with --enable_per_model_batching_parameters a model whose
  // version directory has no batching_params.pbtxt is served without batching (the server-level file is not a
  // fallback). So once one model has its own parameters, every model gets a file: its own, or the server-level one.
  const perModelBatchingFiles: Record<string, string> = {};
  const server = s.batching;
  if (server && models.some((m) => m.batching)) {
    for (const m of models) perModelBatchingFiles[`${m.name}.batching_params.pbtxt`] = (m.batching ?? server).render(s.threads.batch);
  }
  return {
    models: [...models],
    modelConfigFile,
    batchingFile,
    monitoringFile,
    configFiles,
    configHash: createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 16),
    perModelBatchingFiles,
    threads,
    args: serverArgs(s, models, threads),
    probePath: `/v1/models/${models[0]?.name}`,
    pollingCost: checkPollingCost(s, models),
  };
}

/**
 * Whether an image reference names a registry inside Google's network (Artifact Registry `*.pkg.dev`, Container
 * Registry `gcr.io` and its regional hosts), which private nodes reach through Private Google Access. A reference
 * without a registry host (`tensorflow/serving`) is Docker Hub's. Docker's reference grammar: the first component is a
 * host when it contains '.' or ':' or is `localhost` (distribution/reference normalize.go, splitDockerDomain).
 */
export function isGoogleRegistryImage(image: string): boolean {
  const first = image.split('/')[0];
  if (!image.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost')) return false;
  const host = first.replace(/:\d+$/, '');
  return host === 'gcr.io' || host.endsWith('.gcr.io') || host.endsWith('.pkg.dev');
}

/**
 * The network rules of private nodes: the kubelet pulls the image and TF Serving reads the models from the node's
 * network, so a pool without internet egress (private nodes, no Cloud NAT) needs an image and models inside Google's
 * network, reached through Private Google Access.
 * https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation
 */
function checkNodeEgress(s: ServerSettings, models: ServedModelOptions[]): void {
  const egress = s.nodePool?.nodeEgress;
  if (!egress || egress.internet) return;
  const natFix = 'give the cluster Cloud NAT (ClusterNetwork cloudNat: CloudNat.CREATE, or CloudNat.EXISTING when the network has it)';
  if (!isGoogleRegistryImage(s.image.image)) {
    fail(s.subject, 'image', s.image.image, `come from a registry the nodes reach: ${egress.description}, and the image's registry is outside Google's network`,
      `mirror the image to Artifact Registry (TfServingImage.custom('us-docker.pkg.dev/PROJECT/REPO/serving:TAG')), or ${natFix}`);
  }
  models.forEach((m, i) => {
    if (m.source.kind === 's3') {
      fail(s.subject, `models[${i}].source`, m.source.basePath, `be reachable from the nodes: ${egress.description}, and S3 is outside Google's network`,
        `${natFix}, or copy the model to Cloud Storage (reached through Private Google Access)`);
    }
    if (m.source.kind === 'gcs' && !egress.googleApis) {
      fail(s.subject, `models[${i}].source`, m.source.basePath, `be reachable from the nodes: ${egress.description}`,
        `turn on Private Google Access on the nodes' subnetwork (ClusterNetwork.create privateGoogleAccess: true), or ${natFix}`);
    }
  });
}

/** What {@link validateServer} checks against the finished tree. */
export interface ServerValidationContext {
  /** The server's ServiceAccount name. */
  readonly serviceAccountName: string;
  /** The Service's namespace (`default` when the chart sets none). */
  readonly namespace: string;
  /** A pod template label as it is at synth (an IstioCanary adds its own). */
  podLabel(key: string): string | undefined;
}

/**
 * The synth-time problems of a server, as messages: the rules that need the finished tree. No side effects.
 *
 * The rules of {@link resolveServerSpec} are not run again here: every one of its inputs (the settings, the models,
 * their sources and batching) is immutable once the constructor or `addModel` resolved them, and a spec that breaks
 * a rule is never stored, so a second run at synth could only repeat a success, at the cost of rendering every
 * server's files and flags twice (bench/README.md). What can still change after construction (a WorkloadIdentity's
 * buckets, the pod labels an IstioCanary adds) is checked here.
 */
export function validateServer(s: ServerSettings, models: ServedModelOptions[], ctx: ServerValidationContext): string[] {
  const errors = s.gcsAccess?._validate({
    subject: s.subject,
    serviceAccountName: ctx.serviceAccountName,
    namespace: ctx.namespace,
    gcsModels: models.flatMap((m) => (m.source._gcsBucket ? [{ name: m.name, bucket: m.source._gcsBucket }] : [])),
  }) ?? [];
  // A server an IstioCanary routes to (or with sidecar injection asked on its pods) runs next to an Istio proxy, whose
  // iptables rules (istio-iptables, --proxy-uid 1337) let uid 1337's traffic bypass the proxy: mTLS and routing
  // silently stop applying to the server's own connections.
  const meshed = ctx.podLabel(MESH_CANARY_LABEL) !== undefined || ctx.podLabel('sidecar.istio.io/inject') === 'true';
  if (meshed && s.user === ISTIO_PROXY_UID) {
    errors.push(`${s.subject}: 'security.user' (${ISTIO_PROXY_UID}) must not be Istio's proxy uid on a server in the mesh: istio-iptables exempts that uid's `
      + 'traffic from the sidecar. Fix: run the server as another uid, e.g. 1000');
  }
  return errors;
}

/**
 * The thread settings with `grpcMax` sized from the batch queues (bundle_factory_util.cc: one queue per loaded model
 * version and signature in the shared batch scheduler, each with its model's parameters or the server-level ones).
 */
function serverThreads(s: ServerSettings, models: ServedModelOptions[]): ThreadSettings {
  const server = s.batching;
  const user = s.userThreads.grpcMax;
  // bundle_factory_util.cc WrapSessionForBatching runs once per loaded SavedModel version and adds one queue per
  // signature (batch_scheduler->AddQueue for each SignatureDef): count a queue per version the policy loads. One
  // serving signature per version is assumed (the usual export); a model with more needs threads.grpcMax.
  const queues = server ? models.flatMap((m, i) => {
    const p = (m.batching ?? server).toParameters(s.threads.batch);
    const queue = {
      maxBatchSize: p.maxBatchSize ?? 1000, maxEnqueuedBatches: p.maxEnqueuedBatches ?? 10, numBatchThreads: p.numBatchThreads ?? s.threads.batch,
    };
    const policy = m.versionPolicy;
    const versions = policy === undefined ? 1 : policy.kind === 'specific' ? policy.versions!.length : policy.numVersions;
    if (versions === undefined && user === undefined) {
      fail(s.subject, `models[${i}].versionPolicy`, policy!.toString(),
        'load a known number of versions for --grpc_max_threads to be derived: each loaded version has batch queues of its own, '
        + 'and calls beyond the cap fail at once with RESOURCE_EXHAUSTED',
        'use VersionPolicy.latest(n) or specific(…), or set threads.grpcMax to what the queues of all loaded versions admit');
    }
    return Array<typeof queue>(versions ?? 1).fill(queue);
  }) : [];
  const admitted = batchAdmission(queues);
  if (user !== undefined && user < admitted) {
    fail(s.subject, 'threads.grpcMax', user,
      `be at least what the batch queues admit (${admitted}: maxBatchSize × maxEnqueuedBatches per loaded model version plus numBatchThreads × maxBatchSize): `
      + 'gRPC fails calls beyond --grpc_max_threads at once with RESOURCE_EXHAUSTED, and every queued request holds one',
      `raise threads.grpcMax to ${admitted} or more, or leave it out to size it from the batching`);
  }
  return { ...s.threads, grpcMax: user ?? grpcThreadsFor(queues) };
}

/** The `--flag=value` arguments of `tensorflow_model_server`. */
function serverArgs(s: ServerSettings, models: ServedModelOptions[], t: ThreadSettings): string[] {
  const props = s.props;
  // Flags and their value types are those of the image's release (generated from its main.cc).
  const f = new ServerFlags(s.subject, s.image.release);
  const userThreads = s.userThreads;
  f.set('port', s.grpcPort, 'grpcPort');
  f.set('rest_api_port', s.restPort, 'restPort');
  f.set('model_config_file', `${CONFIG_DIR}/models.config`, 'models');
  if (props.modelConfigPollInterval) {
    f.set('model_config_file_poll_wait_seconds', Math.max(1, Math.round(props.modelConfigPollInterval.toSeconds())), 'modelConfigPollInterval');
  }
  f.set('file_system_poll_wait_seconds', Math.round((props.fileSystemPollInterval ?? Duration.seconds(60)).toSeconds()), 'fileSystemPollInterval');
  // server_core.cc ReloadConfig calls UpdateModelVersionLabelMap before AddModelsViaModelConfigList: at start no
  // version is available yet, so a label in the start-up config fails ("Request to assign label to version … which
  // is not currently available for inference") unless --allow_version_labels_for_unavailable_models is set.
  const labelled = models.find((m) => Object.keys(m.versionLabels ?? {}).length > 0);
  if (labelled && props.allowVersionLabelsForUnavailableModels === false) {
    fail(s.subject, 'allowVersionLabelsForUnavailableModels', false,
      `not be false while model '${labelled.name}' has version labels: TF Serving assigns labels before the first load and stops at start without the flag`,
      'remove allowVersionLabelsForUnavailableModels (the flag is set for labelled models), or remove the labels');
  }
  if (labelled || props.allowVersionLabelsForUnavailableModels) {
    f.set('allow_version_labels_for_unavailable_models', true, labelled ? `models[${models.indexOf(labelled)}].versionLabels` : 'allowVersionLabelsForUnavailableModels');
  }
  if (props.loadRetries !== undefined) f.set('max_num_load_retries', props.loadRetries, 'loadRetries');
  if (props.loadRetryInterval) f.set('load_retry_interval_micros', Math.round(props.loadRetryInterval.toMilliseconds() * 1000), 'loadRetryInterval');
  if (s.batching) {
    f.set('enable_batching', true, 'batching');
    f.set('batching_parameters_file', `${CONFIG_DIR}/batching.config`, 'batching');
    if (models.some((m) => m.batching)) f.set('enable_per_model_batching_parameters', true, 'models[].batching');
  }
  if (s.metricsPath) f.set('monitoring_config_file', `${CONFIG_DIR}/monitoring.config`, 'monitoring');
  // Session parallelism alone replaces the derived intra/inter-op settings. With --platform_config_file the
  // server ignores them (server.cc), so derived values are left out; values the user set are refused there.
  const derivedOnly = userThreads.intraOp === undefined && userThreads.interOp === undefined;
  const sessionOnly = userThreads.session !== undefined && derivedOnly;
  const platformConfig = props.extraArgs?.platform_config_file !== undefined;
  if (!sessionOnly && !(platformConfig && derivedOnly)) {
    f.set('tensorflow_intra_op_parallelism', t.intraOp, 'threads.intraOp');
    f.set('tensorflow_inter_op_parallelism', t.interOp, 'threads.interOp');
  }
  if (userThreads.session !== undefined) f.set('tensorflow_session_parallelism', userThreads.session, 'threads.session');
  const sharedBy = s.nodePool?.maxSharedClientsPerGpu;
  if (s.gpus > 0 && sharedBy && sharedBy > 1) {
    // Servers time-sharing (or MPS-sharing) one GPU each take an equal share of its memory; TF's default grabs it all.
    f.set('per_process_gpu_memory_fraction', Math.floor(100 / sharedBy) / 100, 'nodePool');
  }
  f.set('rest_api_num_threads', t.restApi, 'threads.restApi');
  f.set('grpc_max_threads', t.grpcMax, 'threads.grpcMax');
  if (props.grpcTls) f.set('ssl_config_file', GRPC_TLS_CONFIG_FILE, 'grpcTls');
  for (const [name, value] of Object.entries(props.extraArgs ?? {})) {
    if (f.has(name)) {
      fail(s.subject, `extraArgs.${name}`, value, 'not repeat a flag a prop already sets', `remove it from extraArgs and set the prop instead (current --${name}=${f.get(name)})`);
    }
    f.set(name, value, `extraArgs.${name}`);
  }
  f.validate();
  return f.toArgs();
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

function checkPort(subject: string, prop: string, port: number): number {
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) fail(subject, prop, port, 'be a TCP port between 1 and 65535', `use ${prop === 'grpcPort' ? 8500 : 8501}`);
  return port;
}

function checkAutoscaling(subject: string, a: AutoscalingOptions): void {
  if (!(Number.isInteger(a.minReplicas) && a.minReplicas >= 1)) fail(subject, 'autoscaling.minReplicas', a.minReplicas, 'be an integer of at least 1', 'use 2 or more');
  if (!(Number.isInteger(a.maxReplicas) && a.maxReplicas >= a.minReplicas)) {
    fail(subject, 'autoscaling.maxReplicas', a.maxReplicas, `be an integer of at least minReplicas (${a.minReplicas})`, 'raise maxReplicas or lower minReplicas');
  }
  if (a.maxReplicas > INT32_MAX) {
    fail(subject, 'autoscaling.maxReplicas', a.maxReplicas, `be at most ${INT32_MAX} (an int32 in the Kubernetes API; the API server refuses more)`, 'use a realistic bound, e.g. 10');
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

/**
 * CPU and memory the API server accepts: finite, not negative, and no request above its limit
 * (ValidateResourceRequirements: "must be less than or equal to cpu limit").
 */
function checkResources(subject: string, r: kplus.ContainerResources): void {
  const cpu = { request: cpuToMillis(r.cpu?.request), limit: cpuToMillis(r.cpu?.limit) };
  const mem = { request: sizeBytes(r.memory?.request), limit: sizeBytes(r.memory?.limit) };
  const disk = { request: sizeBytes(r.ephemeralStorage?.request), limit: sizeBytes(r.ephemeralStorage?.limit) };
  const bytes = (v: number) => `${v} bytes`;
  for (const [kind, q, show] of [['cpu', cpu, (v: number) => `${v}m`], ['memory', mem, bytes], ['ephemeralStorage', disk, bytes]] as const) {
    for (const side of ['request', 'limit'] as const) {
      const v = q[side];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        fail(subject, `resources.${kind}.${side}`, show(v), 'be a finite quantity of 0 or more', kind === 'cpu' ? 'use e.g. kplus.Cpu.units(2)' : 'use e.g. Size.gibibytes(4)');
      }
    }
    if (q.request !== undefined && q.limit !== undefined && q.request > q.limit) {
      fail(subject, `resources.${kind}.request`, show(q.request), `be at most the limit (${show(q.limit)}); the API server refuses a request above its limit`,
        'lower the request or raise the limit (equal values give Guaranteed QoS)');
    }
  }
}

/** Where GPU images keep the CUDA kernel cache (an emptyDir: the root filesystem is read-only). */
export const CUDA_CACHE_DIR = '/var/cache/cuda';

/** GPUs (Hopper: H100, H200, the A3 machine families) whose kernels the official -gpu images carry only as PTX. */
const JIT_ON_START = /^nvidia-h(100|200)/;

/**
 * How long a server may take to start. On H100/H200 nodes the official `-gpu` images ship PTX, not SASS, for
 * compute_90: the CUDA driver JIT-compiles every kernel at the first start of the pod (later container restarts
 * reuse the CUDA cache on its emptyDir), which takes many minutes on top of the model load.
 */
function defaultStartupTimeout(image: TfServingImage, gpus: number, pool: IServingPlacement | undefined, otherwiseMinutes: number = 10): Duration {
  const jit = gpus > 0 && image.official && JIT_ON_START.test(pool?.acceleratorType ?? '');
  return jit ? Duration.minutes(30) : Duration.minutes(otherwiseMinutes);
}

/** The tier each source reads like (planColdStart). */
/**
 * The cold-start plan of a server whose models declare `sizeGiB`: each model's size times the versions its policy
 * loads, read at its source's tier, one model after another (TF Serving's --num_load_threads is 0 by default: "servable
 * loads are performed serially in the manager's main work loop", main.cc).
 */
function planServerColdStart(
  subject: string, props: TfServingModelProps, gpus: number, pool: IServingPlacement | undefined,
): ColdStartPlan | undefined {
  const models = props.models;
  if (!models.some((m) => m.sizeGiB !== undefined)) return undefined;
  const loads = models.map((m, i) => {
    const prop = `models[${i}].sizeGiB`;
    if (m.sizeGiB === undefined) {
      fail(subject, prop, undefined, 'be declared when another model of the server declares it: the startup budget adds up every model the server loads',
        'declare sizeGiB on every model, or on none');
    }
    if (!(Number.isFinite(m.sizeGiB) && m.sizeGiB > 0)) fail(subject, prop, m.sizeGiB, 'be a number of GiB above 0', 'use the size of one SavedModel version directory');
    const policy = m.versionPolicy;
    const versions = policy === undefined ? 1 : policy.kind === 'specific' ? policy.versions!.length : policy.numVersions;
    if (versions === undefined) {
      fail(subject, prop, m.sizeGiB, `come with a version policy that loads a known number of versions (${policy!.toString()} loads every version found)`,
        'use VersionPolicy.latest(n) or specific(…), or leave sizeGiB out');
    }
    const tier = m.source._loadTier;
    // a source kind added later must say which tier it reads like (ModelSource._loadTier), not be planned as another one
    if (tier === undefined) {
      fail(subject, prop, m.sizeGiB, `come with a source whose load tier is known (source kind '${m.source.kind}' has none)`,
        'leave sizeGiB out, or plan with planColdStart directly');
    }
    return { sizeGiB: m.sizeGiB * versions, tier };
  });
  const replicas = props.autoscaling?.maxReplicas ?? props.replicas ?? 2;
  return planColdStart({
    modelSizeGiB: loads[0].sizeGiB, tier: loads[0].tier, additionalModels: loads.slice(1),
    replicas: Math.max(1, replicas), gpu: gpus > 0, imagePreload: pool?.imagePreload ?? 'none',
  });
}

/**
 * What version polling costs and the rule that caps it: object-store models, read directly or through a GCS FUSE mount
 * (a volume, a storage initializer's copy or the image costs no operations); replicas are the fixed count or the
 * autoscaler's maximum.
 */
function checkPollingCost(s: ServerSettings, models: ServedModelOptions[]): PollingCost | undefined {
  const polled = models.filter((m) => m.source._polling !== undefined);
  if (polled.length === 0) return undefined;
  const replicas = s.replicas ?? s.autoscaling?.maxReplicas ?? 1;
  const cost = estimatePollingCost({
    models: polled.map((m) => ({
      policy: m.versionPolicy?.kind ?? 'latest', specificVersions: m.versionPolicy?.versions?.length, ...m.source._polling,
    })),
    replicas, pollIntervalSeconds: s.pollIntervalSeconds,
  });
  const max = s.props.maxListOpsPerMonth ?? DEFAULT_MAX_LIST_OPS_PER_MONTH;
  if (cost.listOpsPerMonth > max) {
    fail(s.subject, 'fileSystemPollInterval', formatDuration(Duration.seconds(s.pollIntervalSeconds)),
      `keep version polling under maxListOpsPerMonth (${max}): ${polled.length} object-store model(s) × ${replicas} replica(s) × ${cost.pollsPerMonth} polls a month `
      + `make ${cost.listOpsPerMonth} list calls (about $${cost.usdPerMonth.toFixed(2)} a month at $${OBJECT_STORE_OPERATION_USD_PER_1000.list} per 1,000 list `
      + `and $${OBJECT_STORE_OPERATION_USD_PER_1000.get} per 1,000 metadata reads)`,
      'raise fileSystemPollInterval (e.g. Duration.seconds(60)), or raise maxListOpsPerMonth to accept the cost');
  }
  return cost;
}

/** Bytes of a cdk8s Size, NaN when it is not a number. */
function sizeBytes(size: Size | undefined): number | undefined {
  return size === undefined ? undefined : size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
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
