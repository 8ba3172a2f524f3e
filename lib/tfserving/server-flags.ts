import { FLAG_TABLES, FlagType } from './flag-tables';
import { fail } from '../core/errors';

/**
 * Every flag any known `tensorflow_model_server` release defines (tensorflow_serving/model_servers/main.cc), with
 * its type: the union of {@link FLAG_TABLES}, for images whose release is unknown.
 */
export const MODEL_SERVER_FLAGS: ReadonlySet<string> = new Set(Object.values(FLAG_TABLES).flatMap((t) => Object.keys(t)));

const ANY_RELEASE: Readonly<Record<string, FlagType>> = Object.assign({}, ...Object.values(FLAG_TABLES));

/**
 * The flag table of a release: its own (generated from its main.cc), else that of the newest known patch release
 * of the same minor version; undefined for a release we have no table for.
 */
export function flagTableFor(release: string | undefined): { release: string; flags: Readonly<Record<string, FlagType>> } | undefined {
  if (release === undefined) return undefined;
  if (FLAG_TABLES[release]) return { release, flags: FLAG_TABLES[release] };
  const minor = release.split('.').slice(0, 2).join('.');
  const sameMinor = Object.keys(FLAG_TABLES).filter((v) => v.startsWith(`${minor}.`));
  const newest = sameMinor[sameMinor.length - 1];
  return newest ? { release: newest, flags: FLAG_TABLES[newest] } : undefined;
}

/** Flags server.cc reads only when --platform_config_file is empty (BuildAndStart builds the SessionBundleConfig from them). */
const IGNORED_WITH_PLATFORM_CONFIG = [
  'enable_batching', 'batching_parameters_file', 'enable_per_model_batching_parameters', 'tensorflow_session_config_file',
  'per_process_gpu_memory_fraction', 'tensorflow_session_parallelism', 'tensorflow_intra_op_parallelism', 'tensorflow_inter_op_parallelism',
  'saved_model_tags', 'enable_model_warmup', 'num_request_iterations_for_warmup', 'remove_unused_fields_from_bundle_metagraph',
  'prefer_tflite_model', 'num_tflite_interpreters_per_pool', 'num_tflite_pools', 'mixed_precision',
];

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const INT64 = { min: -(BigInt(2) ** BigInt(63)), max: BigInt(2) ** BigInt(63) - BigInt(1) };

/**
 * Why TensorFlow's flag parser (tensorflow/core/util/command_line_flags.cc) refuses a value, or undefined when it
 * reads it: a bool is `true` or `false` (ParseBoolFlag), an int32 or int64 a whole number in range
 * (ParseInt32Flag / ParseInt64Flag, sscanf "%d%c" / "%lld%c": trailing text fails), a float a decimal number
 * (ParseFloatFlag). A refused value makes `tensorflow_model_server` print its usage and exit.
 */
export function flagValueProblem(type: FlagType, value: FlagValue): string | undefined {
  const text = String(value);
  switch (type) {
    case 'bool':
      return text === 'true' || text === 'false' ? undefined : 'be true or false (TensorFlow\'s flag parser accepts no other spelling)';
    case 'int32': {
      if (!/^[+-]?\d+$/.test(text)) return 'be a whole number (an int32 flag)';
      const n = Number(text);
      return n >= INT32.min && n <= INT32.max ? undefined : `be an int32 between ${INT32.min} and ${INT32.max}`;
    }
    case 'int64': {
      if (!/^[+-]?\d+$/.test(text)) return 'be a whole number (an int64 flag)';
      const n = BigInt(text);
      return n >= INT64.min && n <= INT64.max ? undefined : 'be an int64 between -2^63 and 2^63-1';
    }
    case 'float':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text)) ? undefined : 'be a finite decimal number (a float flag)';
    default:
      return undefined;
  }
}

/** A flag value: rendered as `--name=value` (booleans as `true`/`false`). */
export type FlagValue = string | number | boolean;

/**
 * Builds the argument list of `tensorflow_model_server`: only real flags, each at most once, in the
 * order they were set (so output is stable), and checked against the start-up rules of the server.
 */
export class ServerFlags {
  private readonly values = new Map<string, FlagValue>();
  private readonly props = new Map<string, string>();
  private readonly table?: { release: string; flags: Readonly<Record<string, FlagType>> };

  /**
   * @param release the TF Serving release of the image (`2.20.0`), to check flags against that release's own
   *   table; unknown releases are checked against every flag of every known release
   */
  constructor(private readonly subject: string, release?: string) {
    this.table = flagTableFor(release);
  }

  /**
   * Sets a flag.
   *
   * @param prop the prop the value came from, for error messages
   */
  public set(name: string, value: FlagValue, prop: string = 'args'): this {
    const type = this.table ? this.table.flags[name] : ANY_RELEASE[name];
    if (type === undefined) {
      if (this.table && ANY_RELEASE[name]) {
        const has = Object.keys(FLAG_TABLES).filter((v) => FLAG_TABLES[v][name] !== undefined);
        fail(this.subject, prop, `--${name}`, `be a flag of tensorflow_model_server ${this.table.release} (only ${has.join(', ')} define it; the server exits on an unknown flag)`,
          `use an image of a release that has --${name}, or remove it`);
      }
      fail(this.subject, prop, `--${name}`, 'be a tensorflow_model_server flag (the server exits on an unknown flag)',
        'check the spelling against `tensorflow_model_server --help`');
    }
    if (typeof value === 'number' && !Number.isFinite(value)) fail(this.subject, prop, value, 'be a finite number', `give --${name} a number`);
    const problem = flagValueProblem(type, value);
    const a = /^[aeiou]/.test(type) ? 'an' : 'a';
    if (problem) fail(this.subject, prop, value, `${problem}: --${name} is ${a} ${type} flag and the server exits on a value its flag parser refuses`, `give --${name} ${a} ${type} value`);
    this.values.set(name, value);
    this.props.set(name, prop);
    return this;
  }

  /** Whether a flag is set. */
  public has(name: string): boolean {
    return this.values.has(name);
  }

  /** A flag's value, if set. */
  public get(name: string): FlagValue | undefined {
    return this.values.get(name);
  }

  /** The flags as a plain object, a copy. */
  public toObject(): Record<string, FlagValue> {
    return Object.fromEntries(this.values);
  }

  /**
   * Checks the rules the server enforces at start (or the ways it silently misbehaves):
   * a batching file needs --enable_batching; intra-op, inter-op and session parallelism cannot all be
   * set; the REST port must differ from the gRPC port.
   */
  public validate(): void {
    const on = (name: string) => this.values.has(name) && this.values.get(name) !== false && this.values.get(name) !== 'false';
    if (this.values.has('batching_parameters_file') && !on('enable_batching')) {
      fail(this.subject, 'args', `--batching_parameters_file=${this.values.get('batching_parameters_file')}`,
        'come with --enable_batching (the server stops at start with a batching file and batching off)',
        'configure batching with the \'batching\' prop instead of raw flags');
    }
    if (this.values.has('enable_per_model_batching_parameters') && on('enable_per_model_batching_parameters') && !on('enable_batching')) {
      fail(this.subject, 'args', '--enable_per_model_batching_parameters', 'come with --enable_batching (per-model parameters apply only when batching is on)',
        'set the \'batching\' prop');
    }
    const p = (n: string) => Number(this.values.get(n) ?? 0) > 0;
    // server.cc: "Either configure SessionConfig.session_parallelism or intra/inter op parallelism, not both."
    if (p('tensorflow_intra_op_parallelism') && p('tensorflow_inter_op_parallelism') && p('tensorflow_session_parallelism')) {
      fail(this.subject, 'threads', {
        intraOp: this.values.get('tensorflow_intra_op_parallelism'),
        interOp: this.values.get('tensorflow_inter_op_parallelism'),
        session: this.values.get('tensorflow_session_parallelism'),
      }, 'not set intra-op, inter-op and session parallelism all together (the server refuses to start)',
      'set intraOp and interOp, or only session');
    }
    if (this.values.has('platform_config_file')) {
      // server.cc BuildAndStart: with --platform_config_file the platform config map comes from that file, and the
      // branch that turns these flags into a SessionBundleConfig (batching, session threads, GPU memory …) is skipped.
      const ignored = IGNORED_WITH_PLATFORM_CONFIG.find((n) => this.values.has(n));
      if (ignored) {
        fail(this.subject, this.props.get(ignored) ?? 'args', `--${ignored}=${this.values.get(ignored)}`,
          'not be combined with --platform_config_file: server.cc then reads batching and session settings from the platform config file and ignores this flag',
          'put the batching and session settings into the platform config file and drop the prop, or remove platform_config_file from extraArgs');
      }
    }
    const rest = this.values.get('rest_api_port');
    if (rest !== undefined) validatePorts(this.subject, Number(this.values.get('port') ?? 8500), Number(rest));
  }

  /** `--name=value` strings. */
  public toArgs(): string[] {
    return [...this.values].map(([k, v]) => `--${k}=${v}`);
  }
}

/**
 * main.cc: "--rest_api_port … must be different than the one specified in --port" (0 turns REST off).
 * Throws a {@link ConfigError}.
 */
export function validatePorts(subject: string, grpcPort: number, restPort: number): void {
  if (restPort !== 0 && restPort === grpcPort) {
    fail(subject, 'restPort', restPort, `differ from the gRPC port (${grpcPort}); TF Serving does not export REST on the gRPC port`, 'use 8501 for REST and 8500 for gRPC');
  }
}
