import { fail } from '../core/errors';
import { checkImageReference } from '../core/kubernetes';

/** The TF Serving release the library defaults to. */
export const DEFAULT_TF_SERVING_VERSION = '2.20.0';

/**
 * A TF Serving container image, pinned by tag or digest (never `latest`).
 */
export class TfServingImage {
  /**
   * The official `tensorflow/serving:VERSION` image (CPU). For GPUs use {@link TfServingImage.gpu}.
   *
   * @param version a release such as `2.20.0`
   */
  public static of(version: string = DEFAULT_TF_SERVING_VERSION): TfServingImage {
    return new TfServingImage('tensorflow/serving', version, false, true);
  }

  /** The official `tensorflow/serving:VERSION-gpu` image. */
  public static gpu(version: string = DEFAULT_TF_SERVING_VERSION): TfServingImage {
    return new TfServingImage('tensorflow/serving', version, true, true);
  }

  /**
   * Any image that runs `tensorflow_model_server` (a mirror, or a build with your model baked in).
   *
   * @param image `repository:tag` or `repository@sha256:…`
   * @param options what the image is
   */
  public static custom(image: string, options: CustomImageOptions = {}): TfServingImage {
    const at = image.indexOf('@');
    const colon = image.lastIndexOf(':');
    const slash = image.lastIndexOf('/');
    const repository = at >= 0 ? image.slice(0, at) : colon > slash ? image.slice(0, colon) : image;
    const tag = at >= 0 ? image.slice(at) : colon > slash ? image.slice(colon + 1) : '';
    return new TfServingImage(repository, tag, options.gpu ?? /-gpu$/.test(tag), false, options.version, options.s3Support);
  }

  private constructor(
    /** Image repository, e.g. `tensorflow/serving`. */
    public readonly repository: string,
    /** Tag (`2.20.0-gpu` is rendered from version + gpu) or `@sha256:…` digest. */
    private readonly tagOrVersion: string,
    /** Whether this is a GPU build. */
    public readonly isGpu: boolean,
    /** Whether this is an official `tensorflow/serving` image. */
    public readonly official: boolean,
    private readonly declaredVersion?: string,
    private readonly declaredS3?: boolean,
  ) {}

  /** The image reference, e.g. `tensorflow/serving:2.20.0-gpu`. */
  public get image(): string {
    if (this.official) return `${this.repository}:${this.tagOrVersion}${this.isGpu ? '-gpu' : ''}`;
    if (this.tagOrVersion === '') return this.repository;
    return this.tagOrVersion.startsWith('@') ? `${this.repository}${this.tagOrVersion}` : `${this.repository}:${this.tagOrVersion}`;
  }

  /** The TF Serving release, when known: `2.20.0` (an official tag, or a custom image's declared version). */
  public get release(): string | undefined {
    const v = this.official ? this.tagOrVersion : this.declaredVersion;
    return v !== undefined && /^\d+\.\d+\.\d+$/.test(v) ? v : undefined;
  }

  /** The TF Serving release, when known (`[major, minor]`). */
  public get version(): [number, number] | undefined {
    const v = this.official ? this.tagOrVersion : this.declaredVersion;
    const m = /^(\d+)\.(\d+)/.exec(v ?? '');
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  }

  /**
   * Whether the image can read `s3://` paths: official images before 2.7 can; from 2.7 on the S3 file
   * system is gone from TF Serving (it moved to tensorflow-io, which the server does not load).
   */
  public get hasS3(): boolean | undefined {
    if (this.declaredS3 !== undefined) return this.declaredS3;
    const v = this.version;
    if (!v) return undefined;
    return v[0] < 2 || (v[0] === 2 && v[1] < 7);
  }

  /** The same image, its GPU build (official images only). */
  public toGpu(): TfServingImage {
    if (!this.official) return this;
    return new TfServingImage(this.repository, this.tagOrVersion, true, true);
  }

  /** Checks the image is pinned, throwing a {@link ConfigError}. */
  public validate(subject: string, prop: string = 'image'): void {
    if (this.official) {
      if (!/^\d+\.\d+\.\d+$/.test(this.tagOrVersion)) {
        fail(subject, prop, this.tagOrVersion, 'be a TF Serving release such as \'2.20.0\' (image tags are pinned, never \'latest\' or \'nightly\')',
          `use TfServingImage.of('${DEFAULT_TF_SERVING_VERSION}')`);
      }
      return;
    }
    checkImageReference(subject, prop, this.image);
    const t = this.tagOrVersion;
    if (t === '' || /^latest/.test(t) || /^nightly/.test(t)) {
      fail(subject, prop, this.image, 'be pinned to a version tag or an @sha256 digest, never \'latest\' or no tag (a moving tag changes what runs without a change in code)',
        'append a version tag such as :2.20.0, or a digest @sha256:…');
    }
  }

  /** The image reference. */
  public toString(): string {
    return this.image;
  }
}

/** What a custom TF Serving image is. */
export interface CustomImageOptions {
  /** Whether the image is a GPU build. @default - true when the tag ends with `-gpu` */
  readonly gpu?: boolean;
  /** The TF Serving release it was built from, e.g. `2.20.0`. @default - unknown; release-specific rules are skipped */
  readonly version?: string;
  /** Whether the image can read s3:// paths (a build with the S3 file system). @default - derived from version; unknown without one */
  readonly s3Support?: boolean;
}
