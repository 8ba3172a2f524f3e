import { fail } from '../core/errors';
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

/**
 * How the model server reads models from Google Cloud Storage. One choice per server: the credential
 * belongs to the process, not to a single model.
 */
export class GcsAccess {
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
    return new GcsAccess('workload-identity', googleServiceAccountEmail, undefined, undefined, binding);
  }

  /**
   * A service-account key JSON in a Secret, mounted read-only and pointed to by
   * `GOOGLE_APPLICATION_CREDENTIALS`. Prefer Workload Identity where the cluster has it.
   *
   * @param secretName the Secret, in the model's namespace
   * @param key the key holding the JSON
   */
  public static keySecret(secretName: string, key: string = 'key.json'): GcsAccess {
    return new GcsAccess('key-secret', undefined, secretName, key);
  }

  /**
   * The node's own service account (clusters without Workload Identity) or a public bucket.
   */
  public static nodeServiceAccount(): GcsAccess {
    return new GcsAccess('node');
  }

  private constructor(
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
}
