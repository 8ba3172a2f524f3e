/**
 * Config Connector annotation that names the Google Cloud project of a resource.
 *
 * @see https://cloud.google.com/config-connector/docs/reference/annotations
 */
export const KCC_PROJECT_ANNOTATION = 'cnrm.cloud.google.com/project-id';
