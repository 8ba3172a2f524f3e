import { fail } from '../core/errors';

/** One object-store model a server polls for new versions. */
export interface PolledModel {
  /** The version policy's kind. */
  readonly policy: 'latest' | 'all' | 'specific';
  /** With `specific`: how many versions it names. */
  readonly specificVersions?: number;
  /**
   * Set when TF Serving reads the model through a GCS FUSE mount (`ModelSource.gcsFuse`): the mount's
   * `metadata-cache:ttl-secs`. The calls are then gcsfuse's, not TF Serving's GcsFileSystem's (see {@link callsPerPoll}).
   *
   * @default - read through TF Serving's own GCS or S3 file system
   */
  readonly gcsFuseMetadataTtlSeconds?: number;
}

/** Inputs of {@link estimatePollingCost}. */
export interface PollingCostInputs {
  /** The server's models on GCS or S3, directly or through a GCS FUSE mount (models on a volume or in the image cost no operations). */
  readonly models: PolledModel[];
  /** Replicas that poll: the fixed count, or the autoscaler's maximum (an upper bound). */
  readonly replicas: number;
  /** `--file_system_poll_wait_seconds`. */
  readonly pollIntervalSeconds: number;
}

/** The result of {@link estimatePollingCost}. */
export interface PollingCost {
  /** Polls of one model on one replica in a 30-day month. */
  readonly pollsPerMonth: number;
  /** Object list calls (Cloud Storage Class A `objects.list`, S3 `ListObjectsV2`) a month, all models and replicas. */
  readonly listOpsPerMonth: number;
  /** Object metadata reads (Cloud Storage Class B `objects.get`, S3 `HEAD`) a month. */
  readonly getOpsPerMonth: number;
  /** What they cost a month at Cloud Storage Standard-class operation prices, USD. */
  readonly usdPerMonth: number;
}

/** Seconds in the 30-day month the estimates count. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * Cloud Storage operation prices, Standard storage class, USD per 1,000 operations: Class A (`objects.list`) $0.005,
 * Class B (`objects.get`) $0.0004 (https://cloud.google.com/storage/pricing#operations-pricing). S3 charges LIST like
 * PUT ($0.005 per 1,000) and GET/HEAD $0.0004 per 1,000 (https://aws.amazon.com/s3/pricing/, S3 Standard).
 */
export const OBJECT_STORE_OPERATION_USD_PER_1000 = { list: 0.005, get: 0.0004 } as const;

/**
 * Above this many list calls a month a TfServingModel refuses its polling unless `maxListOpsPerMonth` allows more:
 * 5,000,000 is about $25 a month, what one model polled by one replica at TF Serving's own default interval (1 s,
 * two list calls a poll) costs. A server that polls more than that default is worth a second look.
 */
export const DEFAULT_MAX_LIST_OPS_PER_MONTH = 5_000_000;

/**
 * Calls one poll of one model makes against a bucket, as TF Serving 2.20 polls
 * (tensorflow_serving/sources/storage_path/file_system_storage_path_source.cc, PollFileSystemForServable) through
 * TensorFlow's GcsFileSystem (tsl/platform/cloud/gcs_file_system.cc):
 *
 * - `FileExists(base_path)`: a metadata read of the object `base_path` (`StatForObject`, Class B; not found, since a
 *   directory is no object) and then `FolderExists`, one list call with `maxResults=1` (Class A);
 * - `latest` and `all`: `GetChildren(base_path)`, one list call per 1,000 entries (one for a few versions);
 * - `specific` with every named version present (`AspireSpecificVersionsFastPath`): `FileExists` for each version
 *   directory instead of `GetChildren`, a metadata read and a list call each.
 *
 * GcsFileSystem caches `FolderExists` for `GCS_STAT_CACHE_MAX_AGE` (5 s by default), so intervals under 5 s make
 * fewer list calls than counted here: the estimate is an upper bound for them.
 *
 * Through a GCS FUSE mount (`gcsFuseMetadataTtlSeconds` set) TF Serving polls a local path and gcsfuse makes the calls
 * (GoogleCloudPlatform/gcsfuse internal/fs/inode/dir.go):
 *
 * - `FileExists(base_path)`: the mount's root (the base path is the mount, `only-dir` for a prefix), whose attributes
 *   gcsfuse answers without a call;
 * - `latest` and `all`: `GetChildren` is a readdir, which gcsfuse answers with `ListObjects` (`ReadEntries` →
 *   `listObjectsAndBuildCores`, delimiter `/`, up to 5,000 entries a call) on every poll: the metadata cache
 *   (`metadata-cache:ttl-secs`) caches stats and types, not listings, and the kernel list cache
 *   (`file-system:kernel-list-cache-ttl-secs`) is off by default and not set by `ModelSource.gcsFuse`;
 * - `specific` (fast path): `FileExists` of each version directory is a lookup (`LookUpChild`); within the metadata
 *   cache's TTL the type cache answers it, after it gcsfuse stats the object and, with `implicit-dirs`, lists the
 *   prefix `N/` with one result (`findDirInode`): one list call and one metadata read per version, on the first poll
 *   after the TTL ran out. This function gives the calls of such a poll; {@link estimatePollingCost} counts those
 *   polls only.
 */
export function callsPerPoll(model: PolledModel): { list: number; get: number } {
  if (model.gcsFuseMetadataTtlSeconds !== undefined) {
    if (model.policy !== 'specific') return { list: 1, get: 0 };
    const k = model.specificVersions ?? 1;
    return { list: k, get: k };
  }
  if (model.policy === 'specific') {
    const k = model.specificVersions ?? 1;
    return { list: 1 + k, get: 1 + k };
  }
  return { list: 2, get: 1 };
}

/**
 * Estimates what version polling costs: list calls a month = Σ over models of (list calls per poll) × replicas ×
 * (seconds a month / poll interval), with {@link callsPerPoll} from TF Serving's file-system source. A `specific` model
 * on a GCS FUSE mount calls only on polls that find its metadata cache expired: one poll in ⌈TTL / interval⌉ (every
 * poll with a TTL of 0). Pure.
 *
 * @throws ConfigError for an input out of range
 */
export function estimatePollingCost(inputs: PollingCostInputs): PollingCost {
  const S = 'estimatePollingCost';
  if (!(Number.isInteger(inputs.replicas) && inputs.replicas >= 0)) fail(S, 'replicas', inputs.replicas, 'be a whole number of 0 or more', 'count the replicas that poll');
  if (!(Number.isFinite(inputs.pollIntervalSeconds) && inputs.pollIntervalSeconds >= 1)) {
    fail(S, 'pollIntervalSeconds', inputs.pollIntervalSeconds, 'be at least 1 (TF Serving\'s flag takes whole seconds; 0 turns polling off)', 'use 60');
  }
  const pollsPerMonth = Math.floor(SECONDS_PER_MONTH / inputs.pollIntervalSeconds);
  let list = 0;
  let get = 0;
  for (const m of inputs.models) {
    const c = callsPerPoll(m);
    const ttl = m.gcsFuseMetadataTtlSeconds;
    const polls = ttl !== undefined && m.policy === 'specific'
      ? Math.floor(pollsPerMonth / Math.max(1, Math.ceil(ttl / inputs.pollIntervalSeconds)))
      : pollsPerMonth;
    list += c.list * polls;
    get += c.get * polls;
  }
  const listOpsPerMonth = list * inputs.replicas;
  const getOpsPerMonth = get * inputs.replicas;
  const P = OBJECT_STORE_OPERATION_USD_PER_1000;
  const usdPerMonth = Math.round(((listOpsPerMonth / 1000) * P.list + (getOpsPerMonth / 1000) * P.get) * 100) / 100;
  return { pollsPerMonth, listOpsPerMonth, getOpsPerMonth, usdPerMonth };
}
