import { createHash } from 'crypto';
import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ModelLoadTier } from './cold-start';
import type { GcsAccess } from './gcs-access';
import type { IServingPlacement } from './placement';
import { fail } from '../core/errors';
import { checkDataKey, checkObjectName } from '../core/kubernetes';
import { bucketOf, DNS_SUBDOMAIN } from '../core/names';
import { addCheckedPatch, addRenderedPatch } from '../private/checked-patch';
import type { TfServingImage } from '../tfserving/image';
import type { VersionPolicy } from '../tfserving/version-policy';

/** Where an S3-compatible store is and how to sign in to it. */
export interface S3SourceOptions {
  /**
   * The endpoint of an S3-compatible store (MinIO, Ceph, …), e.g. `minio.storage:9000`; sets `S3_ENDPOINT`.
   *
   * @default - AWS S3
   */
  readonly endpoint?: string;
  /**
   * The region; sets `AWS_REGION`.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Whether to use HTTPS; sets `S3_USE_HTTPS`.
   *
   * @default true
   */
  readonly useHttps?: boolean;
  /**
   * Whether to verify TLS certificates; sets `S3_VERIFY_SSL`.
   *
   * @default true
   */
  readonly verifySsl?: boolean;
  /**
   * A Secret holding the access key; read into `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
   *
   * @default - no credentials (anonymous access)
   */
  readonly credentials?: S3Credentials;
}

/** S3 credentials from a Kubernetes Secret (never inline). */
export class S3Credentials {
  /**
   * @param secretName the Secret in the model's namespace
   * @param accessKeyIdKey the key holding the access key id
   * @param secretAccessKeyKey the key holding the secret access key
   */
  public static fromSecret(secretName: string, accessKeyIdKey: string = 'AWS_ACCESS_KEY_ID', secretAccessKeyKey: string = 'AWS_SECRET_ACCESS_KEY'): S3Credentials {
    checkObjectName('S3Credentials.fromSecret', 'secretName', secretName);
    checkDataKey('S3Credentials.fromSecret', 'accessKeyIdKey', accessKeyIdKey);
    checkDataKey('S3Credentials.fromSecret', 'secretAccessKeyKey', secretAccessKeyKey);
    return new S3Credentials(secretName, accessKeyIdKey, secretAccessKeyKey);
  }

  private constructor(
    /** The Secret's name. */
    public readonly secretName: string,
    /** The key holding the access key id. */
    public readonly accessKeyIdKey: string,
    /** The key holding the secret access key. */
    public readonly secretAccessKeyKey: string,
  ) {}
}

/**
 * Resources of the GCS FUSE sidecar, as `gke-gcsfuse/*` pod annotations. Per resource: nothing set gives limit "0"
 * (unlimited) and the webhook's default request; a request without a limit gets the limit equal to the request (the
 * webhook's `populateResource` in GoogleCloudPlatform/gcs-fuse-csi-driver pkg/webhook/config.go: "Set limit to equal
 * request when limit annotation is not provided"); a limit without a request gets the request equal to the limit.
 */
export interface GcsFuseSidecarResources {
  /**
   * CPU (`gke-gcsfuse/cpu-request`, `gke-gcsfuse/cpu-limit`).
   *
   * @default - limit 0 (unlimited; the webhook then requests its default, 250m)
   */
  readonly cpu?: kplus.CpuResources;
  /**
   * Memory (`gke-gcsfuse/memory-request`, `gke-gcsfuse/memory-limit`).
   *
   * @default - limit 0 (unlimited; the webhook then requests its default, 256Mi)
   */
  readonly memory?: kplus.MemoryResources;
  /**
   * Ephemeral storage (`gke-gcsfuse/ephemeral-storage-request`, `gke-gcsfuse/ephemeral-storage-limit`).
   *
   * @default - limit 0 (unlimited; the webhook then requests its default, 5Gi)
   */
  readonly ephemeralStorage?: kplus.EphemeralStorageResources;
}

/** How a GCS bucket is mounted through the Cloud Storage FUSE CSI driver. */
export interface GcsFuseOptions {
  /**
   * The gcsfuse file cache (`file-cache:max-size-mb`), kept on the pod's `gke-gcsfuse-cache` emptyDir (the node's
   * boot disk, or its local SSDs on a pool with ephemeral storage on local SSD). Needed for parallel downloads.
   *
   * @default - no file cache: each read goes to Cloud Storage
   */
  readonly fileCacheSize?: Size;
  /**
   * Download large files into the file cache with several parallel streams (`file-cache:enable-parallel-downloads`);
   * needs `fileCacheSize`. Always written out with a file cache: gcsfuse turns parallel downloads on by default when a
   * file cache is set (cfg/rationalize.go `resolveParallelDownloadsValue`, gcsfuse ≥ 2.12), so leaving it out would
   * not turn them off.
   *
   * @default - true with a file cache
   */
  readonly parallelDownloads?: boolean;
  /**
   * How long gcsfuse caches object metadata (`metadata-cache:ttl-secs`: its stat and type caches). Directory listings
   * are not cached (gcsfuse's kernel list cache, `file-system:kernel-list-cache-ttl-secs`, is off by default), so a
   * new version directory shows up at TF Serving's next poll; an object overwritten or deleted in place can look
   * unchanged for up to this long.
   *
   * @default Duration.seconds(60)
   */
  readonly metadataCacheTtl?: Duration;
  /**
   * Resources of the injected `gke-gcsfuse-sidecar` (one per pod: every GCS FUSE source of a server must agree).
   *
   * @default - cpu, memory and ephemeral-storage limits 0 (unlimited), the webhook's default requests
   */
  readonly sidecarResources?: GcsFuseSidecarResources;
}

/** The storage initializer's image: rclone, one static binary that copies from GCS, S3 (and S3-compatible stores) and HTTP(S). */
export const STORAGE_INITIALIZER_IMAGE = 'rclone/rclone:1.71.1';

/** How a storage initializer copies a model before the server starts. */
export interface StorageInitializerOptions {
  /**
   * The size limit of the emptyDir the model is copied to: more than the versions copied, i.e. the versions a
   * `VersionPolicy.specific(...)` names, or else every version under the path. On a pool with local SSD for
   * ephemeral storage, the emptyDir is on local SSD.
   */
  readonly size: Size;
  /**
   * For an `s3://` path: the store and its credentials (required: a Secret with the access key).
   *
   * @default - none (required for s3://)
   */
  readonly s3?: S3SourceOptions;
  /**
   * The copier image, pinned; it must run `rclone`.
   *
   * @default STORAGE_INITIALIZER_IMAGE
   */
  readonly image?: string;
  /**
   * The init container's resources.
   *
   * @default - cpu request and limit 1, memory request and limit 1 GiB
   */
  readonly resources?: kplus.ContainerResources;
}

/** How an OCI image holding a model is mounted (Kubernetes image volumes). */
export interface ImageSourceOptions {
  /**
   * The model's directory inside the image (the one holding the numeric version directories), relative to its root.
   *
   * @default '' (the image root)
   */
  readonly path?: string;
  /**
   * When the kubelet pulls the image.
   *
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly pullPolicy?: kplus.ImagePullPolicy;
}

/**
 * The server a {@link ModelSource} or a {@link GcsAccess} binds itself to (the aws-cdk `Code.bind` pattern): what
 * a source may change on it (volumes, environment, the ServiceAccount) and what its rules read.
 */
export interface IModelServer {
  /** The construct to create child objects in (volumes, Secret references). */
  readonly scope: Construct;
  /** The `tensorflow-serving` container. */
  readonly container: kplus.Container;
  /** The ServiceAccount the pods run as. */
  readonly serviceAccount: kplus.ServiceAccount;
  /** How the server reads gs:// models, if set. */
  readonly gcsAccess?: GcsAccess;
  /** The Deployment (pod annotations; patches for pod fields cdk8s-plus-27 lacks). */
  readonly deployment: kplus.Deployment;
  /** Merges fields into the pod's Istio proxy config (the `proxy.istio.io/config` annotation). */
  mergeProxyConfig(fields: Record<string, unknown>): void;
}

/** What a {@link ModelSource}'s rules need to know about the server and the model it serves. */
export interface ModelSourceCheck {
  /** The subject of error messages, e.g. `TfServingModel 'resnet'`. */
  readonly subject: string;
  /** The model's prop path, e.g. `models[1]`. */
  readonly prop: string;
  /** The model's name. */
  readonly modelName: string;
  /** The server's image. */
  readonly image: TfServingImage;
  /** How the server reads gs:// models, if set. */
  readonly gcsAccess?: GcsAccess;
  /** The models the server already serves. */
  readonly others: ReadonlyArray<{ readonly name: string; readonly source: ModelSource }>;
  /** The node pool the server runs on, if any. */
  readonly nodePool?: IServingPlacement;
  /** The cluster's Kubernetes minor version (`1.35`), when the server declares it. */
  readonly kubernetesVersion?: string;
}

/** The cold-start tier each kind of source reads like (lib/serving/cold-start.ts ModelLoadTier). */
const LOAD_TIER: Record<string, ModelLoadTier> = {
  'gcs': 'gcs-direct', 's3': 's3-direct', 'pvc': 'pvc', 'local': 'baked-image',
  'gcs-fuse': 'gcs-fuse', 'image': 'image-volume', 'storage-initializer': 'storage-initializer',
};

/**
 * Where a model's SavedModel versions live: the directory that holds the numeric version directories.
 */
export abstract class ModelSource {
  /**
   * A Google Cloud Storage path, `gs://bucket/path/to/model`. The server needs read access: set
   * `gcsAccess` on the TfServingModel (Workload Identity or a key Secret).
   */
  public static gcs(uri: string): ModelSource {
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(uri)) {
      fail('ModelSource.gcs', 'uri', uri, 'be a gs://BUCKET/PATH URI with a valid bucket name', 'write it as gs://my-bucket/models/resnet');
    }
    return new GcsSource(stripSlash(uri));
  }

  /**
   * An S3 or S3-compatible path, `s3://bucket/path/to/model`. Only TF Serving images before 2.7 (or
   * custom builds with the S3 file system) can read it.
   */
  public static s3(uri: string, options: S3SourceOptions = {}): ModelSource {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(uri)) {
      fail('ModelSource.s3', 'uri', uri, 'be an s3://BUCKET/PATH URI with a valid bucket name', 'write it as s3://my-bucket/models/resnet');
    }
    return new S3Source(stripSlash(uri), options);
  }

  /**
   * A Cloud Storage path mounted through the GKE Cloud Storage FUSE CSI driver: an ephemeral, read-only
   * `gcsfuse.csi.storage.gke.io` volume at `/models/gcsfuse/NAME` (`only-dir` narrows it to the path), with the
   * `gke-gcsfuse/volumes: "true"` pod annotation that makes GKE inject its `gke-gcsfuse-sidecar`. TF Serving then reads
   * and polls a local path. Needs the cluster's `gcsFuseCsiDriver` add-on and `gcsAccess: GcsAccess.workloadIdentity(…)`
   * (the driver authenticates as the pod's Kubernetes ServiceAccount through Workload Identity).
   *
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/cloud-storage-fuse-csi-driver
   */
  public static gcsFuse(uri: string, options: GcsFuseOptions = {}): ModelSource {
    const subject = 'ModelSource.gcsFuse';
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(uri)) {
      fail(subject, 'uri', uri, 'be a gs://BUCKET/PATH URI with a valid bucket name', 'write it as gs://my-bucket/models/resnet');
    }
    const clean = stripSlash(uri);
    const prefix = clean.slice(`gs://${bucketOf(clean)}`.length + 1);
    // The driver splits the mountOptions volume attribute at commas (pkg/csi_driver/utils.go parseVolumeAttributes).
    if (prefix.includes(',')) fail(subject, 'uri', uri, 'not contain \',\' in its path (the CSI driver splits mount options at commas)', 'rename the folder');
    if (prefix.split('/').includes('..')) fail(subject, 'uri', uri, 'not contain \'..\' in its path', 'name the model\'s folder directly');
    const cache = options.fileCacheSize;
    if (cache !== undefined && !(cache.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) >= 1024)) {
      fail(subject, 'fileCacheSize', `${cache.toKibibytes()} KiB`, 'be at least 1 MiB (gcsfuse sizes its file cache in MiB)', 'use Size.gibibytes(10), or leave it out for no file cache');
    }
    if (options.parallelDownloads && cache === undefined) {
      fail(subject, 'parallelDownloads', true, 'come with fileCacheSize: gcsfuse downloads in parallel into its file cache only',
        'set fileCacheSize (e.g. Size.gibibytes(20), more than the model), or remove parallelDownloads');
    }
    const ttl = options.metadataCacheTtl ?? Duration.seconds(60);
    const ttlSeconds = ttl.toSeconds({ integral: false });
    if (!(Number.isInteger(ttlSeconds) && ttlSeconds >= 0)) {
      fail(subject, 'metadataCacheTtl', `${ttl.toMilliseconds()}ms`, 'be whole seconds, 0 or more (metadata-cache:ttl-secs)', 'use Duration.seconds(60)');
    }
    return new GcsFuseSource(clean, prefix, options, ttlSeconds);
  }

  /**
   * An OCI image (or artifact) that holds the model, mounted read-only through a Kubernetes image volume
   * (`volumes[].image`, KEP-4639) at `/models/image/NAME`. The kubelet pulls it like a container image (the node's
   * image cache, image streaming and preloaded disks apply) before the server starts. Image volumes are beta and on by
   * default from Kubernetes 1.35 (beta but off by default in 1.33 and 1.34, alpha in 1.31): set `kubernetesVersion` on
   * the TfServingModel to have the version checked. The files must be readable by the server's uid.
   *
   * @param reference the image, pinned: `REPOSITORY:TAG` (not `latest`) or `REPOSITORY@sha256:…`
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/image-volumes/
   */
  public static image(reference: string, options: ImageSourceOptions = {}): ModelSource {
    const subject = 'ModelSource.image';
    const digest = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/.test(reference);
    const tag = /^[a-z0-9][a-z0-9._\-/:]*:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(reference);
    const lastSlash = reference.lastIndexOf('/');
    const tagged = tag !== null && reference.lastIndexOf(':') > lastSlash;
    if (!digest && !(tagged && tag[1] !== 'latest')) {
      fail(subject, 'reference', reference, 'be an image pinned by tag (not latest) or by digest',
        'write it as REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST, e.g. us-docker.pkg.dev/acme/models/resnet:v3');
    }
    const path = options.path ?? '';
    if (path.startsWith('/') || path.split('/').includes('..')) {
      fail(subject, 'path', path, 'be relative to the image root and not contain \'..\'', 'write it as \'models/resnet\'');
    }
    return new ImageSource(reference, stripSlash(path), options.pullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT);
  }

  /**
   * A model copied before the server starts: an init container (rclone, {@link STORAGE_INITIALIZER_IMAGE}) copies
   * the model to an emptyDir at `/models/init/NAME`, which the server mounts read-only: only the version directories
   * a `VersionPolicy.specific(...)` names (`--include /N/**`), else every version under the path (`latest(n)` and
   * `all()` depend on what the store holds at start; TF Serving then loads its choice from the copy). Reads
   * `gs://` (with the server's `gcsAccess`), `s3://` and S3-compatible stores (with `options.s3`, credentials required)
   * and `https://` directory listings. TF Serving then reads a local path: any image serves a model from S3, and version
   * polling lists a local directory. A new version in the store is served after the pods restart.
   *
   * @param uri `gs://BUCKET/PATH`, `s3://BUCKET/PATH` or `https://HOST/PATH`
   * @see https://rclone.org/commands/rclone_copy/
   */
  public static storageInitializer(uri: string, options: StorageInitializerOptions): ModelSource {
    const subject = 'ModelSource.storageInitializer';
    const clean = stripSlash(uri);
    const store = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(clean) ? 'gcs'
      : /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(clean) ? 's3'
        : /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/.*)?$/.test(clean) ? 'https' : undefined;
    if (!store) {
      fail(subject, 'uri', uri, 'be a gs://BUCKET/PATH, s3://BUCKET/PATH or https://HOST/PATH URI',
        'write it as gs://my-bucket/models/resnet (plain http:// is refused: the model would travel unauthenticated)');
    }
    if (clean.split('/').slice(3).includes('..')) fail(subject, 'uri', uri, 'not contain \'..\' in its path', 'name the model\'s folder directly');
    if (!(options.size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) >= 1024)) {
      fail(subject, 'size', `${options.size.toKibibytes({ rounding: SizeRoundingBehavior.NONE })} KiB`, 'be at least 1 MiB', 'use more than every version of the model takes, e.g. Size.gibibytes(20)');
    }
    if (options.s3 && store !== 's3') fail(subject, 's3', options.s3, `be set only for an s3:// path (got a ${store} one)`, 'remove s3');
    if (store === 's3' && !options.s3?.credentials) {
      fail(subject, 's3.credentials', undefined, 'be set: the storage initializer signs in to S3 with an access key from a Secret',
        'pass s3: { credentials: S3Credentials.fromSecret(\'SECRET\') } (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
    }
    const image = options.image ?? STORAGE_INITIALIZER_IMAGE;
    if (!/@sha256:[0-9a-f]{64}$/.test(image) && !/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(image.slice(image.lastIndexOf('/') + 1)) || /:latest$/.test(image)) {
      fail(subject, 'image', image, 'be pinned by tag (not latest) or digest', `use ${STORAGE_INITIALIZER_IMAGE}`);
    }
    return new StorageInitializerSource(clean, store, options, image);
  }

  /**
   * A PersistentVolumeClaim, mounted read-only at `/models/CLAIM`.
   *
   * @param claimName the claim, in the model's namespace
   * @param path the model's directory inside the volume; '' for the volume root
   */
  public static pvc(claimName: string, path: string = ''): ModelSource {
    if (!DNS_SUBDOMAIN.test(claimName)) {
      fail('ModelSource.pvc', 'claimName', claimName, 'be a valid PersistentVolumeClaim name (DNS subdomain)', 'use the claim\'s metadata.name');
    }
    if (path.startsWith('/') || path.split('/').includes('..')) {
      fail('ModelSource.pvc', 'path', path, 'be relative to the volume root and not contain \'..\'', 'write it as \'models/resnet\'');
    }
    return new PvcSource(claimName, stripSlash(path));
  }

  /**
   * A directory already in the container image (a custom image with the model baked in).
   *
   * @param path absolute path in the image, e.g. `/models/resnet`
   */
  public static local(path: string): ModelSource {
    if (!path.startsWith('/')) {
      fail('ModelSource.local', 'path', path, 'be an absolute path in the image', 'write it as /models/resnet');
    }
    return new LocalSource(stripSlash(path));
  }

  protected constructor(
    /** `gcs`, `s3`, `pvc`, `local`, `gcs-fuse`, `image` or `storage-initializer`. */
    public readonly kind: 'gcs' | 's3' | 'pvc' | 'local' | 'gcs-fuse' | 'image' | 'storage-initializer',
    /** The `base_path` TF Serving reads. */
    public readonly basePath: string,
    /** For `pvc`: the claim. */
    public readonly claimName?: string,
    /** For `pvc`: the path inside the volume. */
    public readonly pathInVolume?: string,
    /** For `s3`: endpoint, region and credentials. */
    public readonly s3?: S3SourceOptions,
  ) {}

  /** Where the source's volume is mounted in the container (`/models/CLAIM` for a PVC). */
  public get mountPath(): string | undefined {
    return this.claimName ? `/models/${this.claimName}` : undefined;
  }

  /** For `gcs` and `s3`: the bucket. */
  public get bucket(): string | undefined {
    return this.isRemote ? bucketOf(this.basePath) : undefined;
  }

  /** Whether TF Serving polls a remote object store for this source (each poll is a billed list call). */
  public get isRemote(): boolean {
    return false;
  }

  /** @internal The cold-start tier this source loads like (planColdStart). */
  public get _loadTier(): ModelLoadTier | undefined {
    return LOAD_TIER[this.kind];
  }

  /**
   * How TF Serving's version polling reaches an object store through this source (lib/serving/polling-cost.ts):
   * `{}` for its own GCS/S3 file system, the mount's metadata-cache TTL for GCS FUSE; undefined when polling makes no
   * object-store calls (a volume, a copy, the image).
   *
   * @internal
   */
  public get _polling(): { readonly gcsFuseMetadataTtlSeconds?: number } | undefined {
    return this.kind === 'gcs' || this.kind === 's3' ? {} : undefined;
  }

  /**
   * The GCS bucket a Workload Identity must grant read access to, for a gs:// source.
   *
   * @internal
   */
  public get _gcsBucket(): string | undefined {
    return undefined;
  }

  /**
   * Checks the source against the server that reads it, throwing a `ConfigError`.
   *
   * @internal
   */
  public _check(_ctx: ModelSourceCheck): void {}

  /**
   * Wires the source into the server: volumes, environment, credentials. Idempotent: several models may share
   * one volume or one set of credentials.
   *
   * @internal
   */
  public _bind(_server: IModelServer, _model?: { readonly versionPolicy?: VersionPolicy }): void {}

  /**
   * TCP ports other than 443 the server must reach to read this source (an S3-compatible endpoint).
   *
   * @internal
   */
  public _egressPorts(): number[] {
    return [];
  }
}

class GcsSource extends ModelSource {
  constructor(uri: string) {
    super('gcs', uri);
  }

  public get isRemote(): boolean {
    return true;
  }

  public get _gcsBucket(): string | undefined {
    return this.bucket;
  }

  public _check(ctx: ModelSourceCheck): void {
    if (!ctx.gcsAccess) {
      fail(ctx.subject, 'gcsAccess', undefined, `be set because ${ctx.prop} ('${ctx.modelName}') reads from GCS`,
        'pass gcsAccess: GcsAccess.workloadIdentity(\'SA@PROJECT.iam.gserviceaccount.com\') (or keySecret / nodeServiceAccount)');
    }
  }

  public _bind(server: IModelServer): void {
    server.gcsAccess?._bind(server);
  }
}

class S3Source extends ModelSource {
  constructor(uri: string, options: S3SourceOptions) {
    super('s3', uri, undefined, undefined, options);
  }

  public get isRemote(): boolean {
    return true;
  }

  public _check(ctx: ModelSourceCheck): void {
    if (ctx.image.hasS3 === false) {
      fail(ctx.subject, `${ctx.prop}.source`, this.basePath, `not be on S3 with image ${ctx.image.image}: TF Serving 2.7 and later have no S3 file system`,
        'use an image built with S3 support (TfServingImage.custom(\'…\', { s3Support: true })), an image before 2.7, or copy the model to GCS or a PVC');
    }
    const other = ctx.others.find((m) => m.source instanceof S3Source);
    if (other && JSON.stringify((other.source as S3Source).storeKey()) !== JSON.stringify(this.storeKey())) {
      fail(ctx.subject, `${ctx.prop}.source`, this.basePath, `use the same S3 endpoint, region and credentials as '${other.name}' (they are process-wide environment variables)`,
        'serve models from different S3 stores in separate TfServingModels');
    }
  }

  public _bind(server: IModelServer): void {
    const env = server.container.env;
    // The S3 settings are process-wide environment variables, set once (every S3 model shares them: see _check).
    if (env.variables.S3_USE_HTTPS) return;
    const s3 = this.s3 ?? {};
    env.addVariable('AWS_REGION', kplus.EnvValue.fromValue(s3.region ?? 'us-east-1'));
    if (s3.endpoint) env.addVariable('S3_ENDPOINT', kplus.EnvValue.fromValue(s3.endpoint));
    env.addVariable('S3_USE_HTTPS', kplus.EnvValue.fromValue(s3.useHttps === false ? '0' : '1'));
    env.addVariable('S3_VERIFY_SSL', kplus.EnvValue.fromValue(s3.verifySsl === false ? '0' : '1'));
    if (s3.credentials) {
      const secret = kplus.Secret.fromSecretName(server.scope, 'S3Credentials', s3.credentials.secretName);
      env.addVariable('AWS_ACCESS_KEY_ID', kplus.EnvValue.fromSecretValue({ secret, key: s3.credentials.accessKeyIdKey }));
      env.addVariable('AWS_SECRET_ACCESS_KEY', kplus.EnvValue.fromSecretValue({ secret, key: s3.credentials.secretAccessKeyKey }));
    }
  }

  public _egressPorts(): number[] {
    return s3EndpointPorts(this.s3);
  }

  private storeKey() {
    const s = this.s3 ?? {};
    return [
      s.endpoint, s.region, s.useHttps, s.verifySsl,
      s.credentials?.secretName, s.credentials?.accessKeyIdKey, s.credentials?.secretAccessKeyKey,
    ];
  }
}

class PvcSource extends ModelSource {
  private readonly claim: string;
  private readonly mountAt: string;

  constructor(claimName: string, path: string) {
    const mountAt = `/models/${claimName}`;
    super('pvc', path ? `${mountAt}/${path}` : mountAt, claimName, path);
    this.claim = claimName;
    this.mountAt = mountAt;
  }

  public _bind(server: IModelServer): void {
    // One read-only volume per claim, however many models live on it.
    if (server.scope.node.tryFindChild(`Claim-${this.claim}`)) return;
    const claim = kplus.PersistentVolumeClaim.fromClaimName(server.scope, `Claim-${this.claim}`, this.claim);
    const volume = kplus.Volume.fromPersistentVolumeClaim(server.scope, `ClaimVolume-${this.claim}`, claim, { name: `models-${this.claim}`.slice(0, 63), readOnly: true });
    server.container.mount(this.mountAt, volume, { readOnly: true });
  }
}

/** The pod annotation that makes GKE's webhook inject the gcsfuse sidecar (pkg/webhook/mutatingwebhook.go). */
const GCSFUSE_VOLUMES_ANNOTATION = 'gke-gcsfuse/volumes';
/** The volume the webhook uses for the file cache when the pod declares it (pkg/webhook/sidecar_spec.go). */
const GCSFUSE_CACHE_VOLUME = 'gke-gcsfuse-cache';
/** The GCS FUSE volumes of each server with a file cache: volume name → cache MiB (the cache volume's size is their sum). */
const fuseCaches = new WeakMap<Construct, Map<string, number>>();

class GcsFuseSource extends ModelSource {
  private readonly volumeName: string;
  private readonly mountAt: string;
  private readonly bucketName: string;

  constructor(
    uri: string,
    private readonly prefix: string,
    private readonly options: GcsFuseOptions,
    private readonly ttlSeconds: number,
  ) {
    const bucket = bucketOf(uri);
    const slug = bucket.replace(/[^a-z0-9-]/g, '-').slice(0, 40).replace(/-+$/, '');
    const volumeName = `gcsfuse-${slug}-${createHash('sha256').update(uri).digest('hex').slice(0, 8)}`;
    const mountAt = `/models/gcsfuse/${volumeName}`;
    super('gcs-fuse', mountAt);
    this.volumeName = volumeName;
    this.mountAt = mountAt;
    this.bucketName = bucket;
  }

  public get mountPath(): string {
    return this.mountAt;
  }

  public get bucket(): string {
    return this.bucketName;
  }

  public get _gcsBucket(): string {
    return this.bucketName;
  }

  /** Version polling lists through gcsfuse, whose metadata cache holds lookups for the TTL. */
  public get _polling(): { readonly gcsFuseMetadataTtlSeconds: number } {
    return { gcsFuseMetadataTtlSeconds: this.ttlSeconds };
  }

  /** A FUSE volume downloading in parallel into its file cache reads like `gcs-fuse-cached`. */
  public get _loadTier(): ModelLoadTier {
    return this.cacheMib !== undefined && this.options.parallelDownloads !== false ? 'gcs-fuse-cached' : 'gcs-fuse';
  }

  /** The `mountOptions` volume attribute (gcsfuse config keys, `section:key:value`). */
  public get mountOptions(): string {
    const o = this.options;
    const cacheMib = this.cacheMib;
    return [
      // Folders uploaded without placeholder objects (`gcloud storage cp -r`) are invisible without implicit-dirs.
      'implicit-dirs',
      ...(this.prefix ? [`only-dir=${this.prefix}`] : []),
      `metadata-cache:ttl-secs:${this.ttlSeconds}`,
      ...(cacheMib !== undefined ? [`file-cache:max-size-mb:${cacheMib}`] : []),
      // written either way: with a file cache gcsfuse defaults parallel downloads to on (cfg/rationalize.go
      // resolveParallelDownloadsValue), so only an explicit false turns them off.
      ...(cacheMib !== undefined ? [`file-cache:enable-parallel-downloads:${o.parallelDownloads !== false}`] : []),
      // TensorFlow restores large tensors from a thread pool, each read starting at its tensor's offset; gcsfuse caches
      // a file first read at a non-zero offset only with this set (internal/cache/file/cache_handler.go GetCacheHandle),
      // so without it the variables file might bypass the cache and its parallel download.
      ...(cacheMib !== undefined ? ['file-cache:cache-file-for-range-read:true'] : []),
    ].join(',');
  }

  public _check(ctx: ModelSourceCheck): void {
    const subject = ctx.subject;
    const prop = `${ctx.prop}.source`;
    const pool = ctx.nodePool;
    if (pool && !pool.workloadIdentity) {
      fail(subject, prop, `gs://${this.bucketName}`, `not be a GCS FUSE volume on pool '${pool.name}': its cluster has Workload Identity off, and the `
        + 'Cloud Storage FUSE CSI driver authenticates only through Workload Identity', 'enable workloadIdentity on the GkeCluster, or use ModelSource.gcs(…)');
    }
    if (pool && pool.gcsFuseCsiDriver === false) {
      fail(subject, prop, `gs://${this.bucketName}`, `not be a GCS FUSE volume on pool '${pool.name}': its cluster has the Cloud Storage FUSE CSI driver add-on off`,
        'set gcsFuseCsiDriver: true on the GkeCluster');
    }
    if (ctx.gcsAccess?.kind !== 'workload-identity') {
      fail(subject, 'gcsAccess', ctx.gcsAccess ? ctx.gcsAccess.kind : undefined,
        `be GcsAccess.workloadIdentity(…) because ${ctx.prop} ('${ctx.modelName}') is a GCS FUSE volume: the CSI driver authenticates as the pod's `
        + 'ServiceAccount through Workload Identity (a key Secret or the node\'s account are not used)',
        'pass gcsAccess: GcsAccess.workloadIdentity(\'SA@PROJECT.iam.gserviceaccount.com\') with roles/storage.objectViewer on the bucket (e.g. workloadIdentity.gcsAccess())');
    }
    const mine = JSON.stringify(sidecarAnnotations(this.options.sidecarResources));
    const other = ctx.others.find((m) => m.source instanceof GcsFuseSource
      && JSON.stringify(sidecarAnnotations(m.source.options.sidecarResources)) !== mine);
    if (other) {
      fail(subject, `${prop}.sidecarResources`, sidecarAnnotations(this.options.sidecarResources),
        `match those of '${other.name}': the pod has one gcsfuse sidecar, sized by pod annotations`, 'give every GCS FUSE source of the server the same sidecarResources');
    }
    const same = ctx.others.find((m) => m.source instanceof GcsFuseSource && m.source.volumeName === this.volumeName
      && m.source.mountOptions !== this.mountOptions);
    if (same) {
      fail(subject, prop, `gs://${this.bucketName}/${this.prefix}`, `use the same GCS FUSE options as '${same.name}', which mounts the same path as one volume`,
        'pass the same GcsFuseOptions to both sources');
    }
  }

  public _bind(server: IModelServer): void {
    server.gcsAccess?._bind(server);
    const scope = server.scope;
    if (scope.node.tryFindChild(`GcsFuse-${this.volumeName}`)) return;
    // An ephemeral inline CSI volume: the kubelet passes the pod's ServiceAccount token to the driver (the CSIDriver's
    // tokenRequests; pkg/csi_driver/node.go uses csi.storage.k8s.io/serviceAccount.tokens), so the pod itself needs
    // no token mounted. Read-only: the driver mounts with `ro`.
    const volume = kplus.Volume.fromCsi(scope, `GcsFuse-${this.volumeName}`, 'gcsfuse.csi.storage.gke.io', {
      name: this.volumeName,
      readOnly: true,
      attributes: { bucketName: this.bucketName, mountOptions: this.mountOptions },
    });
    server.container.mount(this.mountAt, volume, { readOnly: true });
    const meta = server.deployment.podMetadata;
    meta.addAnnotation(GCSFUSE_VOLUMES_ANNOTATION, 'true');
    for (const [k, v] of Object.entries(sidecarAnnotations(this.options.sidecarResources))) meta.addAnnotation(k, v);
    // With Istio, the gcsfuse sidecar starts before the proxy is ready and its token and GCS calls fail ("context
    // deadline exceeded", gcs-fuse-csi-driver issues #46/#53; docs/istio.md): hold the application until the proxy
    // starts and let metadata-server traffic bypass the proxy. Both annotations are ignored without Istio.
    server.mergeProxyConfig({ holdApplicationUntilProxyStarts: true });
    meta.addAnnotation('traffic.sidecar.istio.io/excludeOutboundIPRanges', '169.254.169.254/32');
    const cacheMib = this.cacheMib;
    if (cacheMib === undefined) return;
    let caches = fuseCaches.get(scope);
    if (!caches) {
      const registry = new Map<string, number>();
      caches = registry;
      fuseCaches.set(scope, registry);
      // The webhook keeps the file cache on a pod volume named gke-gcsfuse-cache when the pod declares one
      // (GetSidecarContainerVolumeSpec skips its own); sized by the sum of the caches, at render (sources may be added later).
      // The pod's fsGroup makes it writable for the sidecar's uid (docs/troubleshooting.md "custom caching volumes").
      addRenderedPatch(ApiObject.of(server.deployment), '/spec/template/spec/volumes/-', () => ({
        name: GCSFUSE_CACHE_VOLUME,
        // Headroom above the caches: past its sizeLimit the kubelet evicts the whole pod.
        emptyDir: { sizeLimit: `${Math.ceil([...registry.values()].reduce((a, b) => a + b, 0) * 1.1)}Mi` },
      }));
    }
    caches.set(this.volumeName, cacheMib);
  }

  private get cacheMib(): number | undefined {
    const size = this.options.fileCacheSize;
    return size === undefined ? undefined : Math.ceil(size.toKibibytes() / 1024);
  }
}

/** The `gke-gcsfuse/*` resource annotations (pkg/webhook/mutatingwebhook.go; a limit "0" means unlimited, config.go populateResource). */
function sidecarAnnotations(r: GcsFuseSidecarResources | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, request: string | undefined, limit: string | undefined) => {
    if (request !== undefined) out[`gke-gcsfuse/${name}-request`] = request;
    if (limit !== undefined) out[`gke-gcsfuse/${name}-limit`] = limit;
  };
  const mib = (s: Size | undefined) => (s === undefined ? undefined : `${Math.ceil(s.toKibibytes() / 1024)}Mi`);
  put('cpu', r?.cpu?.request?.amount, r?.cpu ? r.cpu.limit?.amount : '0');
  put('memory', mib(r?.memory?.request), r?.memory ? mib(r.memory.limit) : '0');
  put('ephemeral-storage', mib(r?.ephemeralStorage?.request), r?.ephemeralStorage ? mib(r.ephemeralStorage.limit) : '0');
  return out;
}

class ImageSource extends ModelSource {
  private readonly volumeName: string;
  private readonly mountAt: string;

  constructor(
    /** The image reference. */
    public readonly reference: string,
    path: string,
    private readonly pullPolicy: kplus.ImagePullPolicy,
  ) {
    const hash = createHash('sha256').update(reference).digest('hex').slice(0, 8);
    const mountAt = `/models/image/${hash}`;
    super('image', path ? `${mountAt}/${path}` : mountAt);
    this.volumeName = `model-image-${hash}`;
    this.mountAt = mountAt;
  }

  public get mountPath(): string {
    return this.mountAt;
  }

  public _check(ctx: ModelSourceCheck): void {
    const v = ctx.kubernetesVersion;
    const minor = v === undefined ? undefined : Number(/^1\.(\d+)/.exec(v)?.[1]);
    // ImageVolume: alpha in 1.31, beta off by default in 1.33 and 1.34, beta on by default from 1.35 (the API server
    // drops the field and the kubelet refuses the pod while the feature gate is off).
    if (minor !== undefined && minor < 35) {
      fail(ctx.subject, `${ctx.prop}.source`, this.reference, `not be an image volume on Kubernetes ${v}: image volumes are on by default from 1.35 `
        + '(the ImageVolume feature gate is off by default before)', 'upgrade the cluster to 1.35 or later (and set kubernetesVersion), or use ModelSource.gcs(…) or gcsFuse(…)');
    }
  }

  public _bind(server: IModelServer): void {
    const scope = server.scope;
    if (scope.node.tryFindChild(`ImageVolume-${this.volumeName}`)) return;
    // A marker child, so that two models of one image share one volume.
    new Construct(scope, `ImageVolume-${this.volumeName}`);
    // cdk8s-plus-27 (Kubernetes 1.27) knows no image volumes and its typed serializer drops unknown fields: the
    // volume and its mount are patched onto the rendered Deployment.
    const deployment = ApiObject.of(server.deployment);
    addRenderedPatch(deployment, '/spec/template/spec/volumes/-', () => ({
      name: this.volumeName, image: { reference: this.reference, pullPolicy: this.pullPolicy },
    }));
    addRenderedPatch(deployment, '/spec/template/spec/containers/0/volumeMounts/-', () => ({
      name: this.volumeName, mountPath: this.mountAt, readOnly: true,
    }));
  }
}

/**
 * What one storage initializer copies on one server: the versions of every model bound to it (several models may
 * share a path), or everything. Its `command` is the init container's own array (cdk8s-plus keeps the reference), so a
 * later model widens the filters of the container already rendered.
 */
class CopyPlan {
  private versions: Set<number> | 'all' | undefined;
  private readonly fixed: number;

  constructor(private readonly command: string[]) {
    this.fixed = command.length;
  }

  public add(policy: VersionPolicy | undefined): void {
    const named = policy?.versions;
    if (named && this.versions !== 'all') {
      this.versions = new Set([...(this.versions ?? []), ...named]);
    } else {
      this.versions = 'all';
    }
    // rclone filtering: a rooted `/1/**` matches version directory 1 only and implies the directory rule `/1/`, so a
    // copy (not naturally recursive) lists no other version directory; an --include implies `- **` for the rest.
    // Globs, not {{regexp}}: a regexp turns that directory optimisation off (rclone docs/content/filtering.md).
    // TF Serving reads `specific` versions at BASE/<N> first (file_system_storage_path_source.cc
    // AspireSpecificVersionsFastPath); a zero-padded directory (`0001`) is a version only through its slower listing
    // path, and is not copied.
    const filters = this.versions === 'all' ? [] : [...this.versions].sort((a, b) => a - b).flatMap((v) => ['--include', `/${v}/**`]);
    this.command.splice(this.fixed, this.command.length - this.fixed, ...filters);
  }
}

/** The copy plan of each storage initializer volume (per server). */
const COPY_PLANS = new WeakMap<Construct, CopyPlan>();

/** Istio's proxy uid: istio-iptables does not redirect its traffic (Istio: "Compatibility with application init containers"). */
const ISTIO_PROXY_UID = 1337;

class StorageInitializerSource extends ModelSource {
  private readonly volumeName: string;
  private readonly mountAt: string;

  constructor(
    /** The store's URI. */
    public readonly uri: string,
    /** `gcs`, `s3` or `https`. */
    public readonly store: 'gcs' | 's3' | 'https',
    private readonly options: StorageInitializerOptions,
    private readonly image: string,
  ) {
    const hash = createHash('sha256').update(uri).digest('hex').slice(0, 8);
    const mountAt = `/models/init/${hash}`;
    super('storage-initializer', mountAt, undefined, undefined, options.s3);
    this.volumeName = `model-init-${hash}`;
    this.mountAt = mountAt;
  }

  public get mountPath(): string {
    return this.mountAt;
  }

  public get _gcsBucket(): string | undefined {
    return this.store === 'gcs' ? bucketOf(this.uri) : undefined;
  }

  public _check(ctx: ModelSourceCheck): void {
    if (this.store === 'gcs' && !ctx.gcsAccess) {
      fail(ctx.subject, 'gcsAccess', undefined, `be set because ${ctx.prop} ('${ctx.modelName}') is copied from GCS by a storage initializer, which signs in as the server`,
        'pass gcsAccess: GcsAccess.workloadIdentity(\'SA@PROJECT.iam.gserviceaccount.com\') (or keySecret / nodeServiceAccount)');
    }
  }

  public _bind(server: IModelServer, model?: { readonly versionPolicy?: VersionPolicy }): void {
    const scope = server.scope;
    const bound = scope.node.tryFindChild(`Init-${this.volumeName}`);
    if (bound) {
      COPY_PLANS.get(bound)?.add(model?.versionPolicy);
      return;
    }
    const volume = kplus.Volume.fromEmptyDir(scope, `Init-${this.volumeName}`, this.volumeName, { sizeLimit: this.options.size });
    const tmp = kplus.Volume.fromEmptyDir(scope, `InitTmp-${this.volumeName}`, `${this.volumeName}-tmp`, { sizeLimit: Size.mebibytes(64) });
    const env: Record<string, kplus.EnvValue> = {};
    const mounts: kplus.VolumeMount[] = [{ path: this.mountAt, volume }, { path: '/tmp', volume: tmp }];
    let source: string;
    const path = this.uri.replace(/^[a-z0-9]+:\/\//, '');
    if (this.store === 'gcs') {
      const access = server.gcsAccess!;
      access._bind(server);
      source = `:gcs:${path}`;
      if (access.kind === 'key-secret') {
        const key = scope.node.findChild('GcsKeyVolume') as kplus.Volume;
        mounts.push({ path: '/var/secrets/google', volume: key, readOnly: true });
        env.RCLONE_GCS_SERVICE_ACCOUNT_FILE = kplus.EnvValue.fromValue(`/var/secrets/google/${access.secretKey}`);
      } else {
        // Workload Identity (the GKE metadata server answers for the pod's ServiceAccount) or the node's account.
        env.RCLONE_GCS_ENV_AUTH = kplus.EnvValue.fromValue('true');
      }
    } else if (this.store === 's3') {
      const s3 = this.options.s3!;
      const creds = s3.credentials!;
      source = `:s3:${path}`;
      env.RCLONE_S3_PROVIDER = kplus.EnvValue.fromValue(s3.endpoint ? 'Other' : 'AWS');
      env.RCLONE_S3_ENV_AUTH = kplus.EnvValue.fromValue('true');
      env.RCLONE_S3_REGION = kplus.EnvValue.fromValue(s3.region ?? 'us-east-1');
      if (s3.endpoint) env.RCLONE_S3_ENDPOINT = kplus.EnvValue.fromValue(`${s3.useHttps === false ? 'http' : 'https'}://${s3.endpoint.replace(/^https?:\/\//, '')}`);
      if (s3.verifySsl === false) env.RCLONE_NO_CHECK_CERTIFICATE = kplus.EnvValue.fromValue('true');
      const secret = kplus.Secret.fromSecretName(scope, `InitS3-${this.volumeName}`, creds.secretName);
      env.AWS_ACCESS_KEY_ID = kplus.EnvValue.fromSecretValue({ secret, key: creds.accessKeyIdKey });
      env.AWS_SECRET_ACCESS_KEY = kplus.EnvValue.fromSecretValue({ secret, key: creds.secretAccessKeyKey });
    } else {
      source = ':http:';
      env.RCLONE_HTTP_URL = kplus.EnvValue.fromValue(`${this.uri}/`);
    }
    const index = server.deployment.initContainers.length;
    const command = ['rclone', 'copy', source, this.mountAt, '--config=/tmp/rclone.conf', '--transfers=8'];
    const plan = new CopyPlan(command);
    plan.add(model?.versionPolicy);
    COPY_PLANS.set(volume, plan);
    server.deployment.addInitContainer({
      name: this.volumeName,
      image: this.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command,
      envVariables: env,
      volumeMounts: mounts,
      resources: this.options.resources ?? {
        cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(1) },
        memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
      },
      // In an Istio mesh without native sidecars, init containers run before the proxy while istio-init already redirects
      // their traffic to it: the copy would fail. Traffic of the proxy's uid is not redirected, so the copier runs as it.
      securityContext: {
        ensureNonRoot: true, user: ISTIO_PROXY_UID, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
      },
    });
    const patches = ApiObject.of(server.deployment);
    addCheckedPatch(patches, `/spec/template/spec/initContainers/${index}/securityContext/capabilities`, { drop: ['ALL'] });
    addCheckedPatch(patches, `/spec/template/spec/initContainers/${index}/securityContext/seccompProfile`, { type: 'RuntimeDefault' });
    server.container.mount(this.mountAt, volume, { readOnly: true });
  }

  public _egressPorts(): number[] {
    if (this.store === 's3') return s3EndpointPorts(this.options.s3);
    const port = /^https:\/\/[^/:]+:(\d+)/.exec(this.uri)?.[1];
    return port && port !== '443' ? [Number(port)] : [];
  }
}

class LocalSource extends ModelSource {
  constructor(path: string) {
    super('local', path);
  }
}

/** The TCP ports other than 443 an S3 endpoint needs. */
function s3EndpointPorts(s3: S3SourceOptions | undefined): number[] {
  const ep = s3?.endpoint;
  if (!ep) return [];
  const match = /:(\d+)$/.exec(ep.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
  const port = match ? Number(match[1]) : (s3?.useHttps === false ? 80 : 443);
  return port === 443 ? [] : [port];
}

function stripSlash(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}
