import { SizeRoundingBehavior } from 'cdk8s';
import type { Duration, Size } from 'cdk8s';
import { fail } from './errors';
import { DNS_LABEL, DNS_SUBDOMAIN } from './names';

/**
 * The syntax rules the Kubernetes API server enforces on the values we write, each once, in the project's message
 * format. Sources: k8s.io/apimachinery/pkg/util/validation (IsQualifiedName, IsValidLabelValue, IsDNS1123Label,
 * IsDNS1123Subdomain), k8s.io/apimachinery/pkg/api/validation (ValidateAnnotations), k8s.io/apimachinery/pkg/api/
 * resource (ParseQuantity), github.com/distribution/reference (the image reference grammar).
 */

/** The name part of a qualified name: at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A label value: empty, or like {@link QUALIFIED_NAME_PART} (validation.go: IsValidLabelValue). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The largest int32 (Kubernetes `replicas`, ports, HPA bounds and TF Serving's int32 fields). */
export const INT32_MAX = 2 ** 31 - 1;

/**
 * Node label prefixes the kubelet may not set (NodeRestriction admission: `kubernetes.io/` and `k8s.io/` and their
 * subdomains), apart from the ones it allows (k8s.io/kubernetes/pkg/kubelet/apis: kubeletapis.IsKubeletLabel).
 */
const RESERVED_NODE_LABEL_NAMESPACES = ['kubernetes.io', 'k8s.io'];
const ALLOWED_NODE_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** Whether a key is a Kubernetes qualified name (label and annotation keys): IsQualifiedName. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) return false;
  return prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
}

/** Whether a value is a valid label value (IsValidLabelValue). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * Checks a map of labels: keys are qualified names, values label values.
 *
 * @param subject who owns the prop, e.g. `TfServingModel 'resnet'`
 * @param prop the prop path, e.g. `labels`
 * @param labels the labels
 * @param options `node: true` also refuses the prefixes the kubelet may not set on its Node
 */
export function checkLabels(subject: string, prop: string, labels: Record<string, string> | undefined, options: { node?: boolean } = {}): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(key)) {
      fail(subject, `${prop}.${key}`, key, 'be a Kubernetes label key: an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\'',
        'use a key such as \'example.com/role\' or \'role\'');
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      fail(subject, `${prop}.${key}`, value, 'be a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
        'shorten or simplify the value');
    }
    if (options.node) checkNodeLabelKey(subject, `${prop}.${key}`, key);
  }
}

/** Refuses a node label key under `kubernetes.io/` or `k8s.io/` (or a subdomain) that the kubelet may not set. */
export function checkNodeLabelKey(subject: string, prop: string, key: string): void {
  const slash = key.indexOf('/');
  if (slash === -1) return;
  const prefix = key.slice(0, slash);
  const reserved = RESERVED_NODE_LABEL_NAMESPACES.some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
  const allowed = ALLOWED_NODE_LABEL_NAMESPACES.some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
  if (reserved && !allowed) {
    fail(subject, prop, key, 'not use the kubernetes.io/ or k8s.io/ prefix, which the NodeRestriction admission plugin refuses on node labels '
      + '(only node.kubernetes.io/ and kubelet.kubernetes.io/ are allowed)', 'use your own prefix, e.g. \'example.com/\'');
  }
}

/**
 * Checks annotation keys (qualified names) and the total size, which the API server limits to 256 KiB
 * (ValidateAnnotationsSize).
 */
export function checkAnnotations(subject: string, prop: string, annotations: Record<string, string> | undefined): void {
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!isQualifiedName(key.toLowerCase())) {
      fail(subject, `${prop}.${key}`, key, 'be a Kubernetes annotation key: an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\'',
        'use a key such as \'example.com/note\'');
    }
    size += key.length + value.length;
  }
  if (size > 256 * 1024) {
    fail(subject, prop, `${size} bytes`, 'total at most 256 KiB (262144 bytes), the API server\'s limit for all annotations of an object', 'move large data into a ConfigMap');
  }
}

/** The kind of object a name refers to, for {@link checkObjectName}. */
export type ObjectNameRule = 'dns-label' | 'dns-subdomain';

/**
 * Checks the name of an object we only reference (a Secret, ConfigMap, PriorityClass, namespace …): a name the API
 * server would refuse makes the reference fail at apply time or, for a volume, at pod start.
 */
export function checkObjectName(subject: string, prop: string, name: string, rule: ObjectNameRule = 'dns-subdomain'): void {
  if (rule === 'dns-label' && !DNS_LABEL.test(name)) {
    fail(subject, prop, name, 'be a DNS label: at most 63 lower-case letters, digits or \'-\', starting and ending with a letter or digit',
      'use the name as `kubectl get` shows it');
  }
  if (rule === 'dns-subdomain' && !DNS_SUBDOMAIN.test(name)) {
    fail(subject, prop, name, 'be a DNS subdomain: at most 253 lower-case letters, digits, \'-\' or \'.\', starting and ending with a letter or digit',
      'use the name as `kubectl get` shows it');
  }
}

// github.com/distribution/reference regexp.go: domain, path components, tag and digest.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

/**
 * Whether a string is a container image reference the kubelet can pull: the grammar of distribution/reference
 * (ReferenceRegexp) with its normalization rule (normalize.go: splitDockerDomain): the first component is a registry
 * only when it holds a '.' or ':' or is `localhost`, so `Tensorflow/serving` is an upper-case path and refused.
 */
export function isImageReference(image: string): boolean {
  if (image.length > 255 + 128 + 80 || !IMAGE_REFERENCE.test(image)) return false;
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  const isDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = (isDomain ? image.slice(slash + 1) : image).replace(/[@:].*$/, '');
  return path === path.toLowerCase() && path.length <= 255;
}

/** Refuses an image reference that no registry client can parse. */
export function checkImageReference(subject: string, prop: string, image: string): void {
  if (!isImageReference(image)) {
    fail(subject, prop, image, 'be a container image reference: [REGISTRY[:PORT]/]PATH[:TAG][@DIGEST], lower-case path components',
      'use a reference such as \'us-docker.pkg.dev/acme/serving/tfserving:2.20.0\'');
  }
}

/** Refuses a number that is not an integer in [min, 2^31−1] (the API server's int32 fields; NaN is refused). */
export function checkInt32(subject: string, prop: string, value: number, min: number, fix: string): number {
  if (!(Number.isInteger(value) && value >= min && value <= INT32_MAX)) {
    fail(subject, prop, value, `be an integer between ${min} and ${INT32_MAX} (a Kubernetes int32)`, fix);
  }
  return value;
}

// k8s.io/apimachinery/pkg/api/resource/quantity.go: ParseQuantity (signed number, binary or decimal SI suffix, or
// decimal exponent).
const QUANTITY = /^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The value of a Kubernetes quantity string (`500m` → 0.5, `4Gi` → 4294967296), or undefined when it does not parse. */
export function parseQuantity(quantity: string): number | undefined {
  const m = QUANTITY.exec(quantity);
  if (!m || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) return undefined;
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(m[1]) * factor;
}

/**
 * Checks a resource quantity: it parses, is finite and not negative (the API server refuses negative requests and
 * limits: ValidateResourceQuantityValue), and returns its value.
 */
export function checkQuantity(subject: string, prop: string, quantity: string): number {
  const value = parseQuantity(quantity);
  if (value === undefined || !Number.isFinite(value)) {
    fail(subject, prop, quantity, 'be a Kubernetes quantity such as \'500m\', \'2\' or \'4Gi\'', 'write the amount with a Kubernetes suffix');
  }
  if (value < 0) fail(subject, prop, quantity, 'not be negative', 'use a positive amount');
  return value;
}

/** Refuses a request above its limit (the API server: "must be less than or equal to … limit"). */
export function checkRequestWithinLimit(subject: string, prop: string, request: string | undefined, limit: string | undefined): void {
  if (request === undefined || limit === undefined) return;
  const r = checkQuantity(subject, `${prop}.request`, request);
  const l = checkQuantity(subject, `${prop}.limit`, limit);
  if (r > l) fail(subject, `${prop}.request`, request, `be at most the limit (${limit}); the API server refuses a request above its limit`, 'raise the limit or lower the request');
}

/** How a Duration is written into the output, for {@link checkDuration}. */
export type DurationUnit = 'seconds' | 'millis';

/**
 * Checks a Duration where the prop is read, before cdk8s converts it at synth time (`toSeconds()` and
 * `toMilliseconds()` throw a bare "cannot be converted into a whole number" error): it must be a whole number of
 * the unit the output uses, and at least `min` of it.
 *
 * @returns the whole number of units
 */
export function checkDuration(subject: string, prop: string, duration: Duration, unit: DurationUnit, min = 0): number {
  const value = unit === 'seconds' ? duration.toSeconds({ integral: false }) : duration.toMilliseconds({ integral: false });
  const name = unit === 'seconds' ? 'second' : 'millisecond';
  // Shown in the unit it is written in (toHumanString prints NaN as an empty string and 1.5 s as "1 second 500 millis").
  const shown = `${Number.isFinite(value) ? +value.toFixed(6) : value}${unit === 'seconds' ? 's' : 'ms'}`;
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    fail(subject, prop, shown, `be a whole number of ${name}s (it is written as ${name}s)`,
      `use Duration.${unit === 'seconds' ? 'seconds' : 'millis'}(${Number.isFinite(value) ? Math.max(min, Math.ceil(value)) : min})`);
  }
  if (value < min) fail(subject, prop, shown, `be at least ${min} ${name}${min === 1 ? '' : 's'}`, `use Duration.${unit === 'seconds' ? 'seconds' : 'millis'}(${min})`);
  return value;
}

/** How a Size is written into the output, for {@link checkSize}. */
export type SizeUnit = 'KiB' | 'MiB' | 'GiB';

/**
 * Checks a Size where the prop is read, before cdk8s or cdk8s-plus converts it (`toMebibytes()` throws a bare
 * "cannot be converted into a whole number" error; an emptyDir `sizeLimit` is written as whole MiB): it must be a
 * whole number of the unit the output uses, and at least `min` of it (NaN is refused).
 *
 * @returns the whole number of units
 */
export function checkSize(subject: string, prop: string, size: Size, unit: SizeUnit, min = 0): number {
  const value = unit === 'KiB' ? size.toKibibytes({ rounding: SizeRoundingBehavior.NONE })
    : unit === 'MiB' ? size.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) : size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  const factory = unit === 'KiB' ? 'kibibytes' : unit === 'MiB' ? 'mebibytes' : 'gibibytes';
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    fail(subject, prop, `${value} ${unit}`, `be a whole number of ${unit} (it is written as ${unit})`,
      `use Size.${factory}(${Number.isFinite(value) ? Math.max(min, Math.ceil(value)) : Math.max(min, 1)})`);
  }
  if (value < min) fail(subject, prop, `${value} ${unit}`, `be at least ${min} ${unit}`, `use Size.${factory}(${min})`);
  return value;
}

/**
 * Refuses a Secret or ConfigMap data key the API server would refuse (validation.go IsConfigMapKey: at most 253
 * letters, digits, '-', '_' or '.', and not '.', '..' or starting with '..').
 */
export function checkDataKey(subject: string, prop: string, key: string): void {
  if (!(key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && key !== '.' && !key.startsWith('..'))) {
    fail(subject, prop, key, 'be a Secret/ConfigMap key: at most 253 letters, digits, \'-\', \'_\' or \'.\', not \'.\' or starting with \'..\'',
      'use the key as `kubectl describe secret` lists it, e.g. \'key.json\'');
  }
}
