/**
 * The error thrown for a configuration that TF Serving, Kubernetes or GKE would reject (or that would
 * misbehave at run time), raised at synth time so that nothing is written.
 *
 * Its message names the subject (construct and id), the prop, the value, the rule and the fix:
 * `TfServingModel 'resnet': 'batching.allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: …`
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Renders a value for an error message: strings quoted, arrays and objects as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * Throws a {@link ConfigError} in the project's message format.
 *
 * @param subject who owns the prop, e.g. `TfServingModel 'resnet'` or `BatchingConfig`
 * @param prop the prop path as the user wrote it, e.g. `models[0].name`
 * @param value the offending value
 * @param rule what the value must satisfy, phrased to follow "must", e.g. `be at least 1`
 * @param fix how to fix it
 */
export function fail(subject: string, prop: string, value: unknown, rule: string, fix: string): never {
  throw new ConfigError(`${subject}: '${prop}' (${show(value)}) must ${rule}. Fix: ${fix}`);
}

/** The subject of an error message for a construct: `Kind 'id'`. */
export function subjectOf(kind: string, id: string): string {
  return `${kind} '${id}'`;
}
