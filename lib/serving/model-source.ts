import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { GcsAccess } from './gcs-access';
import { fail } from '../core/errors';
import { checkDataKey, checkObjectName } from '../core/kubernetes';
import { bucketOf, DNS_SUBDOMAIN } from '../core/names';
import type { TfServingImage } from '../tfserving/image';

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
}

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
    /** `gcs`, `s3`, `pvc` or `local`. */
    public readonly kind: 'gcs' | 's3' | 'pvc' | 'local',
    /** The `base_path` TF Serving reads. */
    public readonly basePath: string,
    /** For `pvc`: the claim. */
    public readonly claimName?: string,
    /** For `pvc`: the path inside the volume. */
    public readonly pathInVolume?: string,
    /** For `s3`: endpoint, region and credentials. */
    public readonly s3?: S3SourceOptions,
  ) {}

  /** Where the PVC is mounted in the container (`/models/CLAIM`). */
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
  public _bind(_server: IModelServer): void {}

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
    const ep = this.s3?.endpoint;
    if (!ep) return [];
    const match = /:(\d+)$/.exec(ep.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
    const port = match ? Number(match[1]) : (this.s3?.useHttps === false ? 80 : 443);
    return port === 443 ? [] : [port];
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

class LocalSource extends ModelSource {
  constructor(path: string) {
    super('local', path);
  }
}

function stripSlash(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}
