/**
 * Config Connector annotation that names the Google Cloud project of a resource.
 *
 * @see https://cloud.google.com/config-connector/docs/reference/annotations
 */
export const KCC_PROJECT_ANNOTATION = 'cnrm.cloud.google.com/project-id';

/**
 * Config Connector annotation that decides what deleting the object does: `abandon` leaves the Google Cloud resource
 * in place.
 *
 * @see https://cloud.google.com/config-connector/docs/reference/annotations
 */
export const KCC_DELETION_POLICY_ANNOTATION = 'cnrm.cloud.google.com/deletion-policy';
