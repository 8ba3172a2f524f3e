/**
 * The name rules shared by every layer: one regex per rule, so that a rule is written once and has one strictness.
 * Each cites the system that enforces it.
 */

/**
 * A Google Cloud project id, unanchored, for patterns that embed one (`projects/ID/...`, `NAME@ID.iam...`): 6 to 30
 * characters, a lower-case letter first, no trailing '-' (Resource Manager's project id rule).
 */
export const PROJECT_ID_PART = '[a-z][-a-z0-9]{4,28}[a-z0-9]';

/** A Compute Engine resource name (RFC 1035, at most 63 characters), unanchored, for patterns that embed one. */
export const GCE_NAME_PART = '[a-z]([-a-z0-9]{0,61}[a-z0-9])?';

/**
 * A Kubernetes DNS-1123 label (namespaces, Service names, label-like names): 1–63 lower-case alphanumerics or '-',
 * alphanumeric at both ends. k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label.
 */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A DNS-1035 label (Service names, Job names that become pod hostnames): like {@link DNS_LABEL} but starting with a
 * letter. k8s.io/apimachinery/pkg/util/validation: IsDNS1035Label.
 */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A Kubernetes DNS-1123 subdomain (ConfigMap, Secret, ServiceAccount, PVC names): at most 253 characters.
 * k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain.
 */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Base name of a server or a canary: a DNS-1035 label of at most 42 characters, so that every object name derived
 * from it (`NAME-model-batching`, `NAME-canary` …) stays a valid label.
 */
export const SERVER_NAME = /^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** A GKE cluster or node pool name: a letter, then at most 39 lower-case alphanumerics or '-' (GKE API). */
export const GKE_RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

/** A Compute Engine region, e.g. `us-central1`. */
export const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

/** A Compute Engine zone, e.g. `us-central1-a`; group 1 is its region. */
export const ZONE = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;

/** A Google service account id (the part before '@'): 6–30 characters (IAM API). */
export const GSA_ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

/**
 * A Google Cloud project ID: 6–30 lower-case letters, digits or '-', starting with a letter and not ending with '-'
 * (Resource Manager, https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin),
 * optionally after a legacy `DOMAIN:` prefix.
 */
export const PROJECT_ID = new RegExp(`^([a-z0-9][-a-z0-9.]*[a-z0-9]:)?${PROJECT_ID_PART}$`);

/**
 * A Google service account email: a user-managed account (`NAME@PROJECT.iam.gserviceaccount.com`, PROJECT a project
 * ID as {@link PROJECT_ID} has it; a legacy domain-scoped project `DOMAIN:ID` appears as `ID.DOMAIN`) or the Compute
 * Engine default account (`NUMBER-compute@developer.gserviceaccount.com`).
 */
export const GSA_EMAIL = new RegExp(`^[^@\\s]+@${PROJECT_ID_PART}(\\.[a-z0-9][-a-z0-9.]*[a-z0-9])?\\.iam\\.gserviceaccount\\.com$|^[0-9]+-compute@developer\\.gserviceaccount\\.com$`);

/**
 * A Cloud Storage bucket name: 3–222 characters of lower-case letters, digits, '-', '_' and '.' (each dot-separated
 * part at most 63; checked by {@link isBucketName}).
 */
export const BUCKET = /^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$/;

/** An http(s) URL without spaces. */
export const HTTP_URL = /^https?:\/\/\S+$/;

/** Whether `name` is a valid Cloud Storage bucket name (https://cloud.google.com/storage/docs/buckets#naming). */
export function isBucketName(name: string): boolean {
  return BUCKET.test(name) && !(name.length > 63 && !name.includes('.')) && !name.includes('..');
}

/** The bucket of a `gs://BUCKET/…` or `s3://BUCKET/…` URI. */
export function bucketOf(uri: string): string {
  return uri.replace(/^[a-z0-9]+:\/\//, '').split('/')[0];
}
