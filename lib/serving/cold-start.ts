import { fail } from '../core/errors';

/**
 * How a replica gets its model bytes, from the slowest family to the fastest. A plain string so that any source
 * (including ones added later) maps onto a tier:
 *
 * - `gcs-direct` / `s3-direct`: TF Serving reads the object store itself (one sequential stream per file);
 * - `gcs-fuse`: the Cloud Storage FUSE CSI volume without a file cache (no parallel downloads);
 * - `gcs-fuse-cached`: the FUSE volume with a file cache, which turns on parallel downloads;
 * - `storage-initializer`: an init container copies the versions (parallel ranged GETs) to a local volume first;
 * - `image-volume`: an OCI image of the model mounted as a volume (pulled by the kubelet);
 * - `pvc`: a Persistent Disk (or any PersistentVolumeClaim) read from the node;
 * - `baked-image`: the model is a layer of the server image.
 */
export type ModelLoadTier = 'gcs-direct' | 's3-direct' | 'gcs-fuse' | 'gcs-fuse-cached' | 'storage-initializer' | 'image-volume' | 'pvc' | 'baked-image';

/** Every tier, in the order plans list them. */
export const MODEL_LOAD_TIERS: readonly ModelLoadTier[] = ['gcs-direct', 's3-direct', 'gcs-fuse', 'gcs-fuse-cached', 'storage-initializer', 'image-volume', 'pvc', 'baked-image'];

/**
 * What the node pool does for image pulls: nothing (a full pull), GKE Image streaming (`imageStreaming` on the pool),
 * or a secondary boot disk in `CONTAINER_IMAGE_CACHE` mode that already holds the images.
 */
export type ImagePreload = 'none' | 'image-streaming' | 'secondary-boot-disk';

/** One more model the server loads after the first (TF Serving loads serially by default). */
export interface AdditionalModelLoad {
  /** GiB the replica reads for this model: one version's SavedModel times the versions its policy loads. */
  readonly sizeGiB: number;
  /** How this model is read. */
  readonly tier: ModelLoadTier;
}

/** Inputs of {@link planColdStart}. */
export interface ColdStartInputs {
  /** GiB one replica reads at start: one version's SavedModel times the versions the policy loads. */
  readonly modelSizeGiB: number;
  /** How the model is read today; the plan reports this tier's time and whether another is worth the change. */
  readonly tier: ModelLoadTier;
  /**
   * Replicas that start at once (a scale-up step, or a rollout's surge). They share the project's Cloud Storage
   * bandwidth quota.
   *
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Whether the server runs the `-gpu` image (several GB more to pull).
   *
   * @default false
   */
  readonly gpu?: boolean;
  /**
   * Compressed size of the server image, GiB.
   *
   * @default - 0.5 for a CPU image, 4 for a `-gpu` image (assumed: measure yours with `crane manifest`)
   */
  readonly serverImageGiB?: number;
  /**
   * What the node pool does for image pulls.
   *
   * @default 'none'
   */
  readonly imagePreload?: ImagePreload;
  /**
   * Size of the node's boot disk (and of a PVC's disk), GiB: a Balanced Persistent Disk reads faster when larger.
   *
   * @default 100 (GKE's default boot disk)
   */
  readonly diskGiB?: number;
  /**
   * The node's network bandwidth, Gbps, which caps every download.
   *
   * @default - not capped
   */
  readonly nodeBandwidthGbps?: number;
  /**
   * Your measured throughputs, MiB/s per replica, in place of the documented figures (see {@link COLD_START_FIGURES}).
   *
   * @default - the documented figures
   */
  readonly throughputMiBps?: Partial<Record<ModelLoadTier, number>>;
  /**
   * Other models of the same server: TF Serving loads them one after another (`--num_load_threads` 0 by default).
   *
   * @default - none
   */
  readonly additionalModels?: AdditionalModelLoad[];
  /**
   * Margin of the startup budget over the estimate (cold buckets, shared NICs, slower disks).
   *
   * @default 2
   */
  readonly safetyFactor?: number;
  /**
   * Time a new node takes to join a pool scaled to zero (a GPU node with its driver); the rollout deadline adds it.
   *
   * @default 300
   */
  readonly nodeProvisioningSeconds?: number;
}

/** The estimate of one tier. */
export interface TierEstimate {
  /** The tier. */
  readonly tier: ModelLoadTier;
  /** Read throughput of the model bytes per replica, MiB/s, after the caps. */
  readonly throughputMiBps: number;
  /** Seconds to get the server image running. */
  readonly imagePullSeconds: number;
  /** Seconds to read the models (the first at this tier; additional models at their own tiers). */
  readonly modelLoadSeconds: number;
  /** Image pull + model load + process start, seconds. */
  readonly totalSeconds: number;
}

/** The result of {@link planColdStart}. */
export interface ColdStartPlan {
  /** The tier the inputs named. */
  readonly tier: ModelLoadTier;
  /** Its estimate, seconds from the pod's scheduling to Ready. */
  readonly estimatedSeconds: number;
  /** Every tier's estimate, in {@link MODEL_LOAD_TIERS} order. */
  readonly estimates: TierEstimate[];
  /** The fastest tier when it saves at least 20 % and 30 s over `tier`; `tier` otherwise. */
  readonly recommendedTier: ModelLoadTier;
  /** Startup probe budget, seconds: estimate × safetyFactor, rounded up to whole minutes. */
  readonly startupBudgetSeconds: number;
  /** The startup probe that allows it: `periodSeconds` 10, `failureThreshold` budget / 10. */
  readonly startupProbe: { readonly periodSeconds: number; readonly failureThreshold: number };
  /** The Deployment's `progressDeadlineSeconds`: the startup budget plus node provisioning. */
  readonly progressDeadlineSeconds: number;
  /** HPA `behavior.scaleUp.stabilizationWindowSeconds`: 0, capacity only arrives after a cold start. */
  readonly scaleUpStabilizationSeconds: number;
  /** HPA `behavior.scaleDown.stabilizationWindowSeconds`: at least 300, at least twice the estimate, at most 3600. */
  readonly scaleDownStabilizationSeconds: number;
}

/**
 * The throughput figures behind {@link planColdStart}, MiB/s unless named otherwise. Each says where it comes from;
 * the ones no public document states are marked as assumptions. Replace them with your measurements through
 * `throughputMiBps`.
 */
export const COLD_START_FIGURES = {
  /**
   * One sequential object-store stream. TF Serving reads each file of a SavedModel in one sequential stream of ranged
   * GETs (TensorFlow's GcsFileSystem: a RandomAccessFile with a block cache; S3 likewise). No Google document states a
   * per-stream figure: ASSUMPTION, 100 MiB/s. Measure with `gcloud storage cp` and sliced downloads off
   * (`storage/sliced_object_download_threshold 0`).
   */
  singleStreamMiBps: 100,
  /**
   * Cloud Storage FUSE parallel downloads (on with the file cache, gcsfuse 2.12+): "up to nine times faster model load
   * time" than one stream (https://cloud.google.com/storage/docs/cloud-storage-fuse/file-caching, "Parallel downloads").
   * An upper bound, taken as is; the safety factor covers the rest.
   */
  parallelDownloadSpeedup: 9,
  /**
   * Registry pulls (containerd fetches three layers at a time by default, then unpacks them). ASSUMPTION, 200 MiB/s.
   */
  registryPullMiBps: 200,
  /**
   * Image streaming: "from several minutes (in the case of large images) to a couple of seconds (irrespective of
   * container size)" (Google Cloud blog, "Introducing GKE image streaming", 2021-11-03). A preloaded image on a
   * secondary boot disk likewise skips the pull (https://cloud.google.com/kubernetes-engine/docs/how-to/data-container-image-preloading).
   */
  preloadedImageSeconds: 5,
  /**
   * Zonal Balanced Persistent Disk: 0.28 MiB/s per GiB over a baseline of 140 MiB/s, at most 1,200 MiB/s read per
   * instance (https://cloud.google.com/compute/docs/disks/performance, "Throughput limits for zonal Persistent Disk").
   */
  balancedPdBaselineMiBps: 140,
  /** See balancedPdBaselineMiBps. */
  balancedPdMiBpsPerGiB: 0.28,
  /** See balancedPdBaselineMiBps. */
  balancedPdMaxReadMiBps: 1200,
  /**
   * Cloud Storage bandwidth quota: 200 Gbps of egress per project and region (https://cloud.google.com/storage/quotas,
   * "Bandwidth"), shared by the replicas that start at once.
   */
  gcsProjectBandwidthGbps: 200,
  /** Process start, SavedModel restore and the first warm-up. ASSUMPTION, 10 s. */
  processStartSeconds: 10,
} as const;

const MIB_PER_GBPS = 1e9 / 8 / (1024 * 1024);

/**
 * Plans a model server's cold start: from the model size, how it is read, the replicas that start together and
 * the image, estimates the seconds from scheduling to Ready for every tier (documented throughput figures,
 * {@link COLD_START_FIGURES}), recommends a tier, and sizes what must wait for it: the startup probe, the rollout's
 * progress deadline and the HPA's stabilization windows.
 *
 * estimate = image pull (size / registry rate, or a few seconds when streamed or preloaded) + Σ model GiB × 1024 /
 * tier rate (capped by the node's bandwidth and, for Cloud Storage, by the project's bandwidth / replicas) + process
 * start. Pure: no side effects.
 *
 * @throws ConfigError for an input out of range
 */
export function planColdStart(inputs: ColdStartInputs): ColdStartPlan {
  const S = 'planColdStart';
  positive(S, 'modelSizeGiB', inputs.modelSizeGiB);
  checkTier(S, 'tier', inputs.tier);
  const replicas = inputs.replicas ?? 1;
  if (!(Number.isInteger(replicas) && replicas >= 1)) fail(S, 'replicas', replicas, 'be a whole number of at least 1', 'count the replicas that start at once');
  const gpu = inputs.gpu ?? false;
  const imageGiB = inputs.serverImageGiB ?? (gpu ? 4 : 0.5);
  if (!(Number.isFinite(imageGiB) && imageGiB >= 0)) fail(S, 'serverImageGiB', imageGiB, 'be 0 or more', 'use the compressed size of the image');
  const preload = inputs.imagePreload ?? 'none';
  if (!['none', 'image-streaming', 'secondary-boot-disk'].includes(preload)) {
    fail(S, 'imagePreload', preload, 'be \'none\', \'image-streaming\' or \'secondary-boot-disk\'', 'use \'none\'');
  }
  const diskGiB = inputs.diskGiB ?? 100;
  positive(S, 'diskGiB', diskGiB);
  if (inputs.nodeBandwidthGbps !== undefined) positive(S, 'nodeBandwidthGbps', inputs.nodeBandwidthGbps);
  for (const [tier, v] of Object.entries(inputs.throughputMiBps ?? {})) {
    checkTier(S, 'throughputMiBps', tier);
    positive(S, `throughputMiBps.${tier}`, v as number);
  }
  (inputs.additionalModels ?? []).forEach((m, i) => {
    positive(S, `additionalModels[${i}].sizeGiB`, m.sizeGiB);
    checkTier(S, `additionalModels[${i}].tier`, m.tier);
  });
  const safety = inputs.safetyFactor ?? 2;
  if (!(Number.isFinite(safety) && safety >= 1)) fail(S, 'safetyFactor', safety, 'be at least 1', 'use 2');
  const provisioning = inputs.nodeProvisioningSeconds ?? 300;
  if (!(Number.isInteger(provisioning) && provisioning >= 0)) fail(S, 'nodeProvisioningSeconds', provisioning, 'be a whole number of 0 or more', 'use 300');

  const F = COLD_START_FIGURES;
  const disk = Math.min(F.balancedPdMaxReadMiBps, F.balancedPdBaselineMiBps + F.balancedPdMiBpsPerGiB * diskGiB);
  const nodeCap = inputs.nodeBandwidthGbps === undefined ? Infinity : inputs.nodeBandwidthGbps * MIB_PER_GBPS;
  const gcsShare = (F.gcsProjectBandwidthGbps * MIB_PER_GBPS) / replicas;
  const preloaded = preload !== 'none';
  // MiB/s a replica reads its model bytes at, per tier. Two-step tiers (copy, then read locally) combine as
  // 1 / (1/download + 1/disk): the bytes cross both.
  const serial = (...rates: number[]) => 1 / rates.reduce((sum, r) => sum + 1 / r, 0);
  const rate = (tier: ModelLoadTier): number => {
    const given = inputs.throughputMiBps?.[tier];
    if (given !== undefined) return given;
    const stream = Math.min(F.singleStreamMiBps, nodeCap);
    const parallel = Math.min(F.singleStreamMiBps * F.parallelDownloadSpeedup, nodeCap, gcsShare);
    const pull = Math.min(F.registryPullMiBps, nodeCap);
    switch (tier) {
      case 'gcs-direct': return Math.min(stream, gcsShare);
      case 's3-direct': return stream;
      // without a file cache gcsfuse reads sequentially through one stream per file
      case 'gcs-fuse': return Math.min(stream, gcsShare);
      case 'gcs-fuse-cached': return parallel;
      case 'storage-initializer': return serial(Math.min(parallel, disk), disk);
      // a model image on a secondary boot disk is read from disk; otherwise pulled, unpacked, then read
      case 'image-volume': return preload === 'secondary-boot-disk' ? disk : serial(pull, disk);
      case 'pvc': return disk;
      // a baked model streams with the image (fetched on read, one stream) or comes with the preloaded image
      case 'baked-image': return preload === 'secondary-boot-disk' ? disk : preload === 'image-streaming' ? stream : serial(pull, disk);
    }
  };
  const imagePullSeconds = preloaded ? F.preloadedImageSeconds : (imageGiB * 1024) / Math.min(F.registryPullMiBps, nodeCap);
  const othersSeconds = (inputs.additionalModels ?? []).reduce((sum, m) => sum + (m.sizeGiB * 1024) / rate(m.tier), 0);
  const estimates: TierEstimate[] = MODEL_LOAD_TIERS.map((tier) => {
    const r = rate(tier);
    const modelLoadSeconds = round1((inputs.modelSizeGiB * 1024) / r + othersSeconds);
    const pull = round1(imagePullSeconds);
    return {
      tier, throughputMiBps: round1(r), imagePullSeconds: pull, modelLoadSeconds,
      totalSeconds: round1(pull + modelLoadSeconds + F.processStartSeconds),
    };
  });
  const current = estimates.find((e) => e.tier === inputs.tier)!;
  const fastest = estimates.reduce((best, e) => (e.totalSeconds < best.totalSeconds ? e : best), current);
  const worthIt = current.totalSeconds - fastest.totalSeconds >= Math.max(30, 0.2 * current.totalSeconds);
  const startupBudgetSeconds = Math.max(60, Math.ceil((current.totalSeconds * safety) / 60) * 60);
  return {
    tier: inputs.tier,
    estimatedSeconds: current.totalSeconds,
    estimates,
    recommendedTier: worthIt ? fastest.tier : inputs.tier,
    startupBudgetSeconds,
    startupProbe: { periodSeconds: 10, failureThreshold: startupBudgetSeconds / 10 },
    progressDeadlineSeconds: startupBudgetSeconds + provisioning,
    // New capacity serves only after a cold start: delaying the decision adds to that wait (the ServingAutoscaler's
    // scale-up is immediate for the same reason). Scale-down waits for twice the time a removed replica takes to
    // come back, at least the Kubernetes default (300 s) and at most the API's limit (3600 s).
    scaleUpStabilizationSeconds: 0,
    scaleDownStabilizationSeconds: Math.min(3600, Math.max(300, Math.ceil(2 * current.totalSeconds))),
  };
}

function positive(subject: string, prop: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(subject, prop, v, 'be a number above 0', `set ${prop} to a positive number`);
}

function checkTier(subject: string, prop: string, tier: string): void {
  if (!(MODEL_LOAD_TIERS as readonly string[]).includes(tier)) {
    fail(subject, prop, tier, `be one of ${MODEL_LOAD_TIERS.map((t) => `'${t}'`).join(', ')}`, 'map your source onto the tier it reads like');
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
