import { fail } from '../core/errors';

/**
 * Every flag `tensorflow_model_server` defines (tensorflow_serving/model_servers/main.cc). The server
 * exits at start on an unknown flag, so only these are ever emitted.
 */
export const MODEL_SERVER_FLAGS: ReadonlySet<string> = new Set([
  'port', 'grpc_socket_path', 'rest_api_port', 'rest_api_num_threads', 'rest_api_timeout_in_ms', 'rest_api_enable_cors_support',
  'enable_batching', 'allow_version_labels_for_unavailable_models', 'batching_parameters_file', 'enable_per_model_batching_parameters',
  'model_config_file', 'model_config_file_poll_wait_seconds', 'model_name', 'model_base_path', 'num_load_threads', 'num_unload_threads',
  'max_num_load_retries', 'load_retry_interval_micros', 'file_system_poll_wait_seconds', 'flush_filesystem_caches',
  'tensorflow_session_parallelism', 'tensorflow_session_config_file', 'tensorflow_intra_op_parallelism', 'tensorflow_inter_op_parallelism',
  'use_alts_credentials', 'ssl_config_file', 'platform_config_file', 'per_process_gpu_memory_fraction', 'saved_model_tags',
  'grpc_channel_arguments', 'grpc_max_threads', 'enable_model_warmup', 'num_request_iterations_for_warmup', 'version',
  'monitoring_config_file', 'remove_unused_fields_from_bundle_metagraph', 'prefer_tflite_model', 'num_tflite_pools',
  'num_tflite_interpreters_per_pool', 'enable_signature_method_name_check', 'xla_cpu_compilation_enabled', 'xla_gpu_compilation_enabled',
  'enable_profiler', 'thread_pool_factory_config_file', 'mixed_precision', 'skip_initialize_tpu', 'enable_grpc_healthcheck_service',
  'enable_serialization_as_tensor_content',
]);

/** A flag value: rendered as `--name=value` (booleans as `true`/`false`). */
export type FlagValue = string | number | boolean;

/**
 * Builds the argument list of `tensorflow_model_server`: only real flags, each at most once, in the
 * order they were set (so output is stable), and checked against the start-up rules of the server.
 */
export class ServerFlags {
  private readonly values = new Map<string, FlagValue>();

  constructor(private readonly subject: string) {}

  /**
   * Sets a flag.
   *
   * @param prop the prop the value came from, for error messages
   */
  public set(name: string, value: FlagValue, prop: string = 'args'): this {
    if (!MODEL_SERVER_FLAGS.has(name)) {
      fail(this.subject, prop, `--${name}`, 'be a tensorflow_model_server flag (the server exits on an unknown flag)',
        'check the spelling against `tensorflow_model_server --help`');
    }
    if (typeof value === 'number' && !Number.isFinite(value)) fail(this.subject, prop, value, 'be a finite number', `give --${name} a number`);
    this.values.set(name, value);
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
