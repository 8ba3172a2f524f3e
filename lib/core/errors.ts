/**
 * The error thrown for a configuration that TF Serving, Kubernetes or GKE would reject (or that would
 * misbehave at run time), raised at synth time so that nothing is written.
 *
 * Its message names the subject (construct and id), the prop, the value, the rule and the fix:
 * `TfServingModel 'resnet': 'batching.allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: …`
 */
export class ConfigError extends Error {
  /**
   * The parts of the message when it was raised by {@link fail}, so that a construct that creates another one can
   * report the error under its own name and prop (an ExperimentMatrix variant's error names the matrix).
   */
  public readonly parts?: ConfigErrorParts;

  constructor(message: string, parts?: ConfigErrorParts) {
    super(message);
    this.name = 'ConfigError';
    this.parts = parts;
  }
}

/** The parts of a {@link ConfigError} message in the project's format. */
export interface ConfigErrorParts {
  /** Who owns the prop, e.g. `TfServingModel 'resnet'`. */
  readonly subject: string;
  /** The prop path. */
  readonly prop: string;
  /** The value as shown. */
  readonly value: string;
  /** The rule, completing "must …". */
  readonly rule: string;
  /** The fix. */
  readonly fix: string;
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
  throw configError({ subject, prop, value: show(value), rule, fix });
}

/** A {@link ConfigError} from its parts (the value already shown). */
export function configError(parts: ConfigErrorParts): ConfigError {
  return new ConfigError(`${parts.subject}: '${parts.prop}' (${parts.value}) must ${parts.rule}. Fix: ${parts.fix}`, parts);
}

/**
 * Runs `build` (which creates constructs on the user's behalf) and re-raises a {@link ConfigError} from it under the
 * user's construct and prop: `rename` maps the inner prop to the one the user set, and `context` says which generated
 * item failed. Errors without parts, and other errors, pass unchanged.
 */
export function reraiseAs<T>(subject: string, rename: (prop: string) => string, context: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof ConfigError) || !e.parts) throw e;
    const p = e.parts;
    throw configError({ subject, prop: rename(p.prop), value: p.value, rule: `${p.rule} (${context})`, fix: p.fix });
  }
}

/** The subject of an error message for a construct: `Kind 'id'`. */
export function subjectOf(kind: string, id: string): string {
  return `${kind} '${id}'`;
}
