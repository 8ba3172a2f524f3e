import type * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import { STORAGE_OBJECT_VIEWER_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from '../gke/iam-roles';
import type { WorkloadIdentitySpec } from '../gke/workload-identity';

/**
 * The `gcp.serviceaccount.Account` arguments for a resolved {@link WorkloadIdentitySpec}: the Google
 * service account the Kubernetes ServiceAccount acts as. Pure.
 *
 * @param spec the binding's resolved spec (`WorkloadIdentity.spec`)
 */
export function serviceAccountArgs(spec: WorkloadIdentitySpec): gcp.serviceaccount.AccountArgs {
  return { project: spec.project, accountId: spec.accountId, displayName: spec.displayName };
}

/**
 * The `gcp.serviceaccount.IAMMember` arguments that let `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]`
 * act as the Google service account (`roles/iam.workloadIdentityUser`). Pure.
 *
 * The member names the cluster's Workload Identity pool, which exists only once a cluster with Workload
 * Identity does: create the binding after the cluster.
 *
 * @param spec the binding's resolved spec
 * @param serviceAccountId the service account's fully-qualified name (`gcp.serviceaccount.Account` `name` output)
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
 */
export function workloadIdentityUserArgs(spec: WorkloadIdentitySpec, serviceAccountId: pulumi.Input<string>): gcp.serviceaccount.IAMMemberArgs {
  return { serviceAccountId, role: WORKLOAD_IDENTITY_USER_ROLE, member: spec.workloadIdentityMember };
}

/**
 * The `gcp.storage.BucketIAMMember` arguments that let the Google service account list and read a
 * bucket's objects (`roles/storage.objectViewer`). Pure.
 *
 * @param bucket the bucket name (one of `WorkloadIdentitySpec.readerBuckets`)
 * @param member `serviceAccount:EMAIL` of the Google service account (the Account's `member` output)
 */
export function bucketReaderArgs(bucket: string, member: pulumi.Input<string>): gcp.storage.BucketIAMMemberArgs {
  return { bucket, role: STORAGE_OBJECT_VIEWER_ROLE, member };
}
