import * as kplus from 'cdk8s-plus-27';
import type { IModelServer } from './model-source';
import type { IServingPlacement } from './placement';
import { fail } from '../core/errors';
import { checkDataKey, checkObjectName } from '../core/kubernetes';
import { GSA_EMAIL } from '../core/names';

/** The Google side of a Workload Identity binding (a `WorkloadIdentity` construct). */
export interface IWorkloadIdentityBinding {
  /** The Google service account. */
  readonly email: string;
  /** The Kubernetes ServiceAccount allowed to act as it. */
  readonly serviceAccountName: string;
  /** That ServiceAccount's namespace. */
  readonly namespace: string;
  /** Buckets the Google service account may read. */
  readonly readerBuckets: string[];
}

/** What {@link GcsAccess} checks at synth time: the server's ServiceAccount and the buckets it reads. */
export interface GcsAccessCheck {
  /** The subject of error messages, e.g. `TfServingModel 'resnet'`. */
  readonly subject: string;
  /** The server's ServiceAccount name. */
  readonly serviceAccountName: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Each gs:// model's name and bucket. */
  readonly gcsModels: ReadonlyArray<{ readonly name: string; readonly bucket: string }>;
}

/**
 * How the model server reads models from Google Cloud Storage. One choice per server: the credential
 * belongs to the process, not to a single model.
 */
export abstract class GcsAccess {
  /**
   * GKE Workload Identity: the server's Kubernetes ServiceAccount is annotated with
   * `iam.gke.io/gcp-service-account: EMAIL`. The Google service account needs
   * `roles/storage.objectViewer` on the bucket and must allow
   * `roles/iam.workloadIdentityUser` to `PROJECT.svc.id.goog[NAMESPACE/KSA]`.
   *
   * @param binding the `WorkloadIdentity` construct that creates the binding, when this app declares it
   *   (use `workloadIdentity.gcsAccess()`)
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
   */
  public static workloadIdentity(googleServiceAccountEmail: string, binding?: IWorkloadIdentityBinding): GcsAccess {
    if (!GSA_EMAIL.test(googleServiceAccountEmail)) {
      fail('GcsAccess.workloadIdentity', 'googleServiceAccountEmail', googleServiceAccountEmail,
        'be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)', 'copy the email from `gcloud iam service-accounts list`');
    }
    return new WorkloadIdentityAccess(googleServiceAccountEmail, binding);
  }

  /**
   * A service-account key JSON in a Secret, mounted read-only and pointed to by
   * `GOOGLE_APPLICATION_CREDENTIALS`. Prefer Workload Identity where the cluster has it.
   *
   * @param secretName the Secret, in the model's namespace
   * @param key the key holding the JSON
   */
  public static keySecret(secretName: string, key: string = 'key.json'): GcsAccess {
    checkObjectName('GcsAccess.keySecret', 'secretName', secretName);
    checkDataKey('GcsAccess.keySecret', 'key', key);
    return new KeySecretAccess(secretName, key);
  }

  /**
   * The node's own service account (clusters without Workload Identity) or a public bucket.
   */
  public static nodeServiceAccount(): GcsAccess {
    return new NodeAccess();
  }

  protected constructor(
    /** `workload-identity`, `key-secret` or `node`. */
    public readonly kind: 'workload-identity' | 'key-secret' | 'node',
    /** For Workload Identity: the Google service account. */
    public readonly googleServiceAccount?: string,
    /** For a key Secret: its name. */
    public readonly secretName?: string,
    /** For a key Secret: the key holding the JSON. */
    public readonly secretKey?: string,
    /** For Workload Identity declared in this app: the binding, checked against the model at synth time. */
    public readonly binding?: IWorkloadIdentityBinding,
  ) {}

  /**
   * Checks the credential against the pool the server runs on, throwing a `ConfigError`.
   *
   * @internal
   */
  public _checkPlacement(_subject: string, _pool: IServingPlacement): void {}

  /**
   * The synth-time problems of the credential for this server (messages, no side effects).
   *
   * @internal
   */
  public _validate(_ctx: GcsAccessCheck): string[] {
    return [];
  }

  /**
   * Wires the credential into the server. Idempotent: called for every gs:// model.
   *
   * @internal
   */
  public _bind(_server: IModelServer): void {}
}

class WorkloadIdentityAccess extends GcsAccess {
  private readonly email: string;

  constructor(email: string, binding?: IWorkloadIdentityBinding) {
    super('workload-identity', email, undefined, undefined, binding);
    this.email = email;
  }

  public _checkPlacement(subject: string, pool: IServingPlacement): void {
    if (!pool.workloadIdentity) {
      fail(subject, 'gcsAccess', 'GcsAccess.workloadIdentity(…)', `not be Workload Identity on pool '${pool.name}': its cluster has Workload Identity off`,
        'enable workloadIdentity on the GkeCluster, or use a key Secret or the node service account');
    }
  }

  public _validate(ctx: GcsAccessCheck): string[] {
    const binding = this.binding;
    if (!binding) return [];
    const errors: string[] = [];
    if (binding.serviceAccountName !== ctx.serviceAccountName || binding.namespace !== ctx.namespace) {
      errors.push(`${ctx.subject}: 'gcsAccess' (WorkloadIdentity for ${binding.namespace}/${binding.serviceAccountName}) must bind the server's own ServiceAccount `
        + `(${ctx.namespace}/${ctx.serviceAccountName}), or GKE refuses the token. Fix: create the WorkloadIdentity with serviceAccountName '${ctx.serviceAccountName}' and namespace '${ctx.namespace}'`);
    }
    for (const m of ctx.gcsModels) {
      if (!binding.readerBuckets.includes(m.bucket)) {
        errors.push(`${ctx.subject}: 'gcsAccess' (WorkloadIdentity ${binding.email}) must grant read access to bucket '${m.bucket}' of model '${m.name}'. `
          + `Fix: add '${m.bucket}' to the WorkloadIdentity's modelBuckets (or call grantBucketRead('${m.bucket}'))`);
      }
    }
    return errors;
  }

  public _bind(server: IModelServer): void {
    server.serviceAccount.metadata.addAnnotation('iam.gke.io/gcp-service-account', this.email);
  }
}

class KeySecretAccess extends GcsAccess {
  private readonly secret: string;
  private readonly key: string;

  constructor(secretName: string, key: string) {
    super('key-secret', undefined, secretName, key);
    this.secret = secretName;
    this.key = key;
  }

  public _bind(server: IModelServer): void {
    if (server.scope.node.tryFindChild('GcsKey')) return;
    const secret = kplus.Secret.fromSecretName(server.scope, 'GcsKey', this.secret);
    server.container.mount('/var/secrets/google', kplus.Volume.fromSecret(server.scope, 'GcsKeyVolume', secret, { name: 'gcs-key' }), { readOnly: true });
    server.container.env.addVariable('GOOGLE_APPLICATION_CREDENTIALS', kplus.EnvValue.fromValue(`/var/secrets/google/${this.key}`));
  }
}

class NodeAccess extends GcsAccess {
  constructor() {
    super('node');
  }

  public _checkPlacement(subject: string, pool: IServingPlacement): void {
    if (pool.workloadIdentity) {
      fail(subject, 'gcsAccess', 'GcsAccess.nodeServiceAccount()', `not be the node's identity on pool '${pool.name}': its cluster runs Workload Identity `
        + '(GKE_METADATA nodes hide the node service account from pods)', 'use GcsAccess.workloadIdentity(…) (e.g. workloadIdentity.gcsAccess()), or a key Secret');
    }
  }
}
