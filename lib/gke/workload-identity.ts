import { createHash } from 'crypto';
import { Construct } from 'constructs';
import type { GkeCluster } from './gke-cluster';
import { STORAGE_OBJECT_VIEWER_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from './iam-roles';
import { fail, subjectOf } from '../core/errors';
import { bucketOf, DNS_LABEL, DNS_SUBDOMAIN, GSA_ACCOUNT_ID, isBucketName, PROJECT_ID } from '../core/names';
import { IamPolicyMember, IamServiceAccount } from '../imports/iam.cnrm.cloud.google.com';
import { KCC_PROJECT_ANNOTATION } from '../private/config-connector';
import { claimUniqueName, ensureUniqueObjectNames } from '../private/unique-names';
import { GcsAccess } from '../serving/gcs-access';

/**
 * Properties of a {@link WorkloadIdentity}.
 */
export interface WorkloadIdentityProps {
  /** The cluster whose Workload Identity pool (`PROJECT.svc.id.goog`) the Kubernetes ServiceAccount belongs to. */
  readonly cluster: GkeCluster;

  /** Name of the Kubernetes ServiceAccount the Pods run as (e.g. a `TfServingModel`'s `serviceAccount`). */
  readonly serviceAccountName: string;

  /** Namespace of that Kubernetes ServiceAccount. */
  readonly namespace: string;

  /**
   * Account ID of the Google service account (the part of its email before `@`): 6 to 30 lower-case
   * letters, digits or '-'. Also the IAMServiceAccount's `metadata.name`.
   *
   * @default - the Kubernetes ServiceAccount name
   */
  readonly googleServiceAccountId?: string;

  /**
   * Project of the Google service account.
   *
   * @default - the cluster's project
   */
  readonly project?: string;

  /**
   * Display name of the Google service account.
   *
   * @default - 'Workload Identity for NAMESPACE/KSA'
   */
  readonly displayName?: string;

  /**
   * Buckets the Google service account may read (`roles/storage.objectViewer`: list and get objects),
   * as bucket names or `gs://` URIs. Grows with `grantBucketRead()`.
   *
   * @default - none
   */
  readonly modelBuckets?: string[];
}

/**
 * The resolved Workload Identity binding, engine-neutral (the Pulumi layer renders it with
 * `gcp.serviceaccount.Account`, `gcp.serviceaccount.IAMMember` and `gcp.storage.BucketIAMMember`).
 */
export interface WorkloadIdentitySpec {
  /** Project of the Google service account. */
  readonly project: string;
  /** Account ID of the Google service account. */
  readonly accountId: string;
  /** Email of the Google service account. */
  readonly email: string;
  /** Display name of the Google service account. */
  readonly displayName: string;
  /** Namespace of the Kubernetes ServiceAccount. */
  readonly namespace: string;
  /** Name of the Kubernetes ServiceAccount. */
  readonly serviceAccountName: string;
  /** The IAM member of the Kubernetes ServiceAccount: `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]`. */
  readonly workloadIdentityMember: string;
  /** Buckets with `roles/storage.objectViewer` for the Google service account. */
  readonly readerBuckets: readonly string[];
}

export { STORAGE_OBJECT_VIEWER_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from './iam-roles';
/** Annotation that binds a Kubernetes ServiceAccount to a Google service account. */
export const GCP_SERVICE_ACCOUNT_ANNOTATION = 'iam.gke.io/gcp-service-account';

// https://cloud.google.com/storage/docs/buckets#naming: 3-63 characters (up to 222 with dots), lower-case letters,
// digits, '-', '_' and '.', starting and ending with a letter or digit.

/**
 * Workload Identity for one Kubernetes ServiceAccount, as Config Connector objects: the Google service
 * account (`IAMServiceAccount`), the `roles/iam.workloadIdentityUser` binding that lets
 * `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]` act as it (`IAMPolicyMember` on the service
 * account), and `roles/storage.objectViewer` on each model bucket (`IAMPolicyMember` on the bucket,
 * referenced with `resourceRef.external`, so the bucket need not be managed by Config Connector).
 *
 * The Kubernetes ServiceAccount itself must carry the `iam.gke.io/gcp-service-account: EMAIL` annotation:
 * `TfServingModel` adds it when given `gcsAccess: identity.gcsAccess()`; for other ServiceAccounts use
 * `serviceAccountAnnotations()`.
 *
 * The IAMServiceAccount is the default child.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
 * @see https://cloud.google.com/config-connector/docs/reference/resource-docs/iam/iampolicymember
 */
export class WorkloadIdentity extends Construct {
  /** Email of the Google service account. */
  public readonly email: string;
  /** The Google service account (id `Resource`). */
  public readonly googleServiceAccount: IamServiceAccount;
  /** The `roles/iam.workloadIdentityUser` binding for the Kubernetes ServiceAccount. */
  public readonly workloadIdentityUser: IamPolicyMember;

  private readonly subject: string;
  private readonly accountId: string;
  private readonly project: string;
  private readonly displayName: string;
  /** Namespace of the Kubernetes ServiceAccount. */
  public readonly namespace: string;
  /** Name of the Kubernetes ServiceAccount. */
  public readonly serviceAccountName: string;
  private readonly member: string;
  private readonly _buckets = new Map<string, IamPolicyMember>();

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    this.subject = subjectOf('WorkloadIdentity', id);
    const pool = props.cluster.workloadPool;
    if (!pool) {
      fail(this.subject, 'cluster', props.cluster.name, 'have Workload Identity enabled',
        'remove workloadIdentity: false from the GkeCluster (it is on by default)');
    }
    if (!DNS_SUBDOMAIN.test(props.serviceAccountName)) {
      fail(this.subject, 'serviceAccountName', props.serviceAccountName, 'be a Kubernetes ServiceAccount name (a DNS subdomain)',
        'use the name of the ServiceAccount the Pods run as');
    }
    if (!DNS_LABEL.test(props.namespace)) {
      fail(this.subject, 'namespace', props.namespace, 'be a Kubernetes namespace name (a DNS label)', 'use the namespace of the ServiceAccount');
    }
    const accountId = props.googleServiceAccountId ?? props.serviceAccountName;
    if (!GSA_ACCOUNT_ID.test(accountId)) {
      fail(this.subject, props.googleServiceAccountId === undefined ? 'googleServiceAccountId (from serviceAccountName)' : 'googleServiceAccountId', accountId,
        'be a Google service account ID: 6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'',
        'pass googleServiceAccountId: \'resnet-serving\'');
    }
    this.accountId = accountId;
    if (props.project !== undefined && !PROJECT_ID.test(props.project)) {
      fail(this.subject, 'project', props.project,
        'be a Google Cloud project ID: 6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'',
        'use the project ID (not its name or number), as `gcloud projects list` shows it');
    }
    this.project = props.project ?? props.cluster.project;
    this.email = `${accountId}@${this.project}.iam.gserviceaccount.com`;
    this.namespace = props.namespace;
    this.serviceAccountName = props.serviceAccountName;
    this.displayName = props.displayName ?? `Workload Identity for ${props.namespace}/${props.serviceAccountName}`;
    this.member = `serviceAccount:${pool}[${props.namespace}/${props.serviceAccountName}]`;

    this.googleServiceAccount = new IamServiceAccount(this, 'Resource', {
      metadata: { name: accountId, annotations: { [KCC_PROJECT_ANNOTATION]: this.project } },
      spec: { displayName: this.displayName },
    });
    this.workloadIdentityUser = new IamPolicyMember(this, 'WorkloadIdentityUser', {
      metadata: { name: `${accountId}-workload-identity-user` },
      spec: {
        member: this.member,
        role: WORKLOAD_IDENTITY_USER_ROLE,
        resourceRef: { apiVersion: IamServiceAccount.GVK.apiVersion, kind: IamServiceAccount.GVK.kind, name: accountId },
      },
    });
    for (const bucket of props.modelBuckets ?? []) this.grantBucketRead(bucket);
    // IAM names a Google service account by its email: a second declaration would manage the same account.
    claimUniqueName(this, {
      key: `Google service account ${this.email}`, subject: this.subject,
      prop: props.googleServiceAccountId === undefined ? 'googleServiceAccountId (from serviceAccountName)' : 'googleServiceAccountId', value: accountId,
      scope: `per project (${this.project}) in the app`,
      consequence: 'both would manage one Google service account, and deleting either deletes it for both',
      fix: 'give one of them another googleServiceAccountId',
    });
    ensureUniqueObjectNames(this);
  }

  /**
   * Grants the Google service account `roles/storage.objectViewer` on a bucket (once per bucket).
   *
   * @param bucket a bucket name (`acme-models`) or a `gs://` URI inside it (`gs://acme-models/resnet`)
   * @returns the IAMPolicyMember on the bucket
   */
  public grantBucketRead(bucket: string): IamPolicyMember {
    const name = bucketName(this.subject, bucket);
    const existing = this._buckets.get(name);
    if (existing) return existing;
    const member = new IamPolicyMember(this, `BucketReader-${name}`, {
      metadata: { name: memberObjectName(`${this.accountId}-read-`, name) },
      spec: {
        memberFrom: { serviceAccountRef: { name: this.accountId } },
        role: STORAGE_OBJECT_VIEWER_ROLE,
        // A bucket's IAM external reference is its name.
        // https://cloud.google.com/config-connector/docs/reference/resource-docs/storage/storagebucket
        resourceRef: { kind: 'StorageBucket', external: name },
      },
    });
    this._buckets.set(name, member);
    return member;
  }

  /** The buckets the Google service account may read, in the order granted. */
  public get readerBuckets(): string[] {
    return [...this._buckets.keys()];
  }

  /** The `roles/storage.objectViewer` bindings, one per bucket (a copy). */
  public get bucketReaders(): IamPolicyMember[] {
    return [...this._buckets.values()];
  }

  /** The resolved binding, for the Pulumi layer. */
  public get spec(): WorkloadIdentitySpec {
    return {
      project: this.project,
      accountId: this.accountId,
      email: this.email,
      displayName: this.displayName,
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      workloadIdentityMember: this.member,
      readerBuckets: this.readerBuckets,
    };
  }

  /**
   * `GcsAccess.workloadIdentity(email)` bound to this construct, for a `TfServingModel`'s `gcsAccess`: the
   * model then checks at synth time that it runs as this ServiceAccount, in this namespace, and that every
   * gs:// model is in a bucket granted here.
   */
  public gcsAccess(): GcsAccess {
    return GcsAccess.workloadIdentity(this.email, this);
  }

  /** The annotation the Kubernetes ServiceAccount needs: `{ 'iam.gke.io/gcp-service-account': EMAIL }`. */
  public serviceAccountAnnotations(): Record<string, string> {
    return { [GCP_SERVICE_ACCOUNT_ANNOTATION]: this.email };
  }
}

function bucketName(subject: string, bucketOrUri: string): string {
  const name = bucketOrUri.startsWith('gs://') ? bucketOf(bucketOrUri) : bucketOrUri;
  if (!isBucketName(name)) {
    fail(subject, 'modelBuckets', bucketOrUri,
      'be a Cloud Storage bucket name or a gs://BUCKET/PATH URI (3 to 63 lower-case letters, digits, \'-\', \'_\' or \'.\')',
      'pass \'acme-models\' or \'gs://acme-models/resnet\'');
  }
  return name;
}

// object names are DNS subdomains: '_' is not allowed, so such names get a hash to stay unique.
function memberObjectName(prefix: string, bucket: string): string {
  const slug = bucket.replace(/_/g, '-');
  const hash = createHash('sha256').update(bucket).digest('hex').slice(0, 8);
  const full = `${prefix}${slug}`;
  if (slug === bucket && full.length <= 253) return full;
  return `${full.slice(0, 243).replace(/[-.]+$/, '')}-${hash}`;
}
