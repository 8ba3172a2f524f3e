/** Role that lets a Kubernetes ServiceAccount impersonate a Google service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';
/** Role that lists and reads the objects of a bucket. */
export const STORAGE_OBJECT_VIEWER_ROLE = 'roles/storage.objectViewer';
/**
 * OAuth scope of nodes that run as a chosen service account: `cloud-platform`, so that IAM alone limits what they may do
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa); the cluster's
 * temporary default pool gets it with the node service account.
 */
export const NODE_OAUTH_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
