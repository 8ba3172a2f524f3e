import { fail } from '../core/errors';
import { bucketOf, DNS_SUBDOMAIN } from '../core/names';

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
 * Where a model's SavedModel versions live: the directory that holds the numeric version directories.
 */
export class ModelSource {
  /**
   * A Google Cloud Storage path, `gs://bucket/path/to/model`. The server needs read access: set
   * `gcsAccess` on the TfServingModel (Workload Identity or a key Secret).
   */
  public static gcs(uri: string): ModelSource {
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(uri)) {
      fail('ModelSource.gcs', 'uri', uri, 'be a gs://BUCKET/PATH URI with a valid bucket name', 'write it as gs://my-bucket/models/resnet');
    }
    return new ModelSource('gcs', stripSlash(uri));
  }

  /**
   * An S3 or S3-compatible path, `s3://bucket/path/to/model`. Only TF Serving images before 2.7 (or
   * custom builds with the S3 file system) can read it.
   */
  public static s3(uri: string, options: S3SourceOptions = {}): ModelSource {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(uri)) {
      fail('ModelSource.s3', 'uri', uri, 'be an s3://BUCKET/PATH URI with a valid bucket name', 'write it as s3://my-bucket/models/resnet');
    }
    return new ModelSource('s3', stripSlash(uri), undefined, undefined, options);
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
    return new ModelSource('pvc', undefined, claimName, stripSlash(path));
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
    return new ModelSource('local', stripSlash(path));
  }

  private constructor(
    /** `gcs`, `s3`, `pvc` or `local`. */
    public readonly kind: 'gcs' | 's3' | 'pvc' | 'local',
    private readonly location?: string,
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

  /** The `base_path` TF Serving reads. */
  public get basePath(): string {
    if (this.kind === 'pvc') return this.pathInVolume ? `${this.mountPath}/${this.pathInVolume}` : this.mountPath!;
    return this.location!;
  }

  /** For `gcs` and `s3`: the bucket. */
  public get bucket(): string | undefined {
    return this.isRemote ? bucketOf(this.location!) : undefined;
  }

  /** Whether TF Serving polls a remote object store for this source (each poll is a billed list call). */
  public get isRemote(): boolean {
    return this.kind === 'gcs' || this.kind === 's3';
  }
}


function stripSlash(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}
