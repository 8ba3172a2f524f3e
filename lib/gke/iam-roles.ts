/** Role that lets a Kubernetes ServiceAccount impersonate a Google service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';
/** Role that lists and reads the objects of a bucket. */
export const STORAGE_OBJECT_VIEWER_ROLE = 'roles/storage.objectViewer';
