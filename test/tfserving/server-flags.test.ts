import * as fs from 'fs';
import * as path from 'path';
import { FLAG_TABLES } from '../../lib/tfserving/flag-tables';
import { flagTableFor, flagValueProblem, MODEL_SERVER_FLAGS, ServerFlags } from '../../lib/tfserving/server-flags';
import { generateFlagTables } from '../../scripts/gen-flag-tables';
import { sharedDir } from '../support/shared';

const S = "TfServingModel 'm'";

test('renders --name=value in insertion order', () => {
  const f = new ServerFlags(S).set('port', 8500).set('rest_api_port', 8501).set('enable_batching', true);
  expect(f.toArgs()).toEqual(['--port=8500', '--rest_api_port=8501', '--enable_batching=true']);
  expect(f.has('port')).toBe(true);
  expect(f.get('rest_api_port')).toBe(8501);
  expect(f.toObject()).toEqual({ port: 8500, rest_api_port: 8501, enable_batching: true });
});

test('knows the model server flags (tensorflow_serving/model_servers/main.cc)', () => {
  expect(MODEL_SERVER_FLAGS.has('model_config_file')).toBe(true);
  expect(MODEL_SERVER_FLAGS.has('enable_per_model_batching_parameters')).toBe(true);
  expect(MODEL_SERVER_FLAGS.has('logging_config_file')).toBe(false);
});

test('only real flags', () => {
  expect(() => new ServerFlags(S).set('enable_batchng', true, 'extraArgs.enable_batchng')).toThrow(
    "TfServingModel 'm': 'extraArgs.enable_batchng' (\"--enable_batchng\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
    + 'Fix: check the spelling against `tensorflow_model_server --help`');
});

test('finite numbers only', () => {
  expect(() => new ServerFlags(S).set('port', NaN, 'grpcPort')).toThrow("TfServingModel 'm': 'grpcPort' (NaN) must be a finite number. Fix: give --port a number");
});

test('no batching file without batching on', () => {
  const f = new ServerFlags(S).set('batching_parameters_file', '/etc/b.config');
  expect(() => f.validate()).toThrow(
    "TfServingModel 'm': 'args' (\"--batching_parameters_file=/etc/b.config\") must come with --enable_batching (the server stops at start with a batching file and batching off). "
    + "Fix: configure batching with the 'batching' prop instead of raw flags");
  expect(() => f.set('enable_batching', 'false').validate()).toThrow('must come with --enable_batching');
  expect(() => f.set('enable_batching', true).validate()).not.toThrow();
});

test('no per-model batching without batching on', () => {
  expect(() => new ServerFlags(S).set('enable_per_model_batching_parameters', true).validate()).toThrow(
    "TfServingModel 'm': 'args' (\"--enable_per_model_batching_parameters\") must come with --enable_batching (per-model parameters apply only when batching is on). Fix: set the 'batching' prop");
});

test('intra-op, inter-op and session parallelism not all set', () => {
  const f = new ServerFlags(S).set('tensorflow_intra_op_parallelism', 4).set('tensorflow_inter_op_parallelism', 2);
  expect(() => f.validate()).not.toThrow();
  f.set('tensorflow_session_parallelism', 4);
  expect(() => f.validate()).toThrow(
    "TfServingModel 'm': 'threads' ({\"intraOp\":4,\"interOp\":2,\"session\":4}) must not set intra-op, inter-op and session parallelism all together (the server refuses to start). "
    + 'Fix: set intraOp and interOp, or only session');
});

test('REST port differs from gRPC port', () => {
  expect(() => new ServerFlags(S).set('port', 9000).set('rest_api_port', 9000).validate()).toThrow(
    "TfServingModel 'm': 'restPort' (9000) must differ from the gRPC port (9000); TF Serving does not export REST on the gRPC port. Fix: use 8501 for REST and 8500 for gRPC");
  expect(() => new ServerFlags(S).set('rest_api_port', 8500).validate()).toThrow("'restPort' (8500) must differ from the gRPC port (8500)");
  expect(() => new ServerFlags(S).set('rest_api_port', 0).validate()).not.toThrow();
});

describe('one flag table per release (generated from releases/<ver>/main.cc)', () => {
  test('the committed tables are what scripts/gen-flag-tables.ts generates from ../shared (when it is beside the checkout)', () => {
    const releases = sharedDir('tfserving', 'releases');
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'tfserving', 'flag-tables.ts'), 'utf8');
    if (releases === undefined) {
      // Without the upstream sources the tables still hold every release from 2.14.1 to 2.20.0.
      expect(Object.keys(FLAG_TABLES)).toEqual(['2.14.1', '2.15.1', '2.16.1', '2.17.1', '2.18.0', '2.18.1', '2.19.1', '2.20.0']);
      return;
    }
    expect(generateFlagTables(releases)).toBe(committed);
  });

  test('flags differ between releases: enable_serialization_as_tensor_content is absent in 2.18.0', () => {
    expect(FLAG_TABLES['2.20.0'].enable_serialization_as_tensor_content).toBe('bool');
    expect(FLAG_TABLES['2.18.0'].enable_serialization_as_tensor_content).toBeUndefined();
    expect(() => new ServerFlags(S, '2.18.0').set('enable_serialization_as_tensor_content', 'true', 'extraArgs.enable_serialization_as_tensor_content')).toThrow(
      "TfServingModel 'm': 'extraArgs.enable_serialization_as_tensor_content' (\"--enable_serialization_as_tensor_content\") must be a flag of tensorflow_model_server 2.18.0 "
      + '(only 2.19.1, 2.20.0 define it; the server exits on an unknown flag). Fix: use an image of a release that has --enable_serialization_as_tensor_content, or remove it');
    expect(() => new ServerFlags(S, '2.20.0').set('enable_serialization_as_tensor_content', 'true')).not.toThrow();
    // A patch release without its own table uses the newest table of its minor version; an unknown one, every flag.
    expect(flagTableFor('2.18.3')?.release).toBe('2.18.1');
    expect(flagTableFor('2.13.0')).toBeUndefined();
    expect(() => new ServerFlags(S).set('enable_serialization_as_tensor_content', 'true')).not.toThrow();
  });
});

describe('values typed as TensorFlow\'s flag parser reads them (command_line_flags.cc)', () => {
  const attempt = (name: string, value: string) => () => new ServerFlags(S, '2.20.0').set(name, value, `extraArgs.${name}`);

  test('bool: true or false only', () => {
    expect(attempt('enable_model_warmup', 'false')).not.toThrow();
    expect(attempt('enable_model_warmup', '1')).toThrow(
      "TfServingModel 'm': 'extraArgs.enable_model_warmup' (\"1\") must be true or false (TensorFlow's flag parser accepts no other spelling): "
      + '--enable_model_warmup is a bool flag and the server exits on a value its flag parser refuses. Fix: give --enable_model_warmup a bool value');
    expect(attempt('enable_model_warmup', 'True')).toThrow('must be true or false');
  });

  test('int32: whole numbers in range', () => {
    expect(attempt('num_load_threads', '4')).not.toThrow();
    expect(attempt('num_load_threads', '2147483648')).toThrow(
      "TfServingModel 'm': 'extraArgs.num_load_threads' (\"2147483648\") must be an int32 between -2147483648 and 2147483647: "
      + '--num_load_threads is an int32 flag and the server exits on a value its flag parser refuses. Fix: give --num_load_threads an int32 value');
    expect(attempt('num_load_threads', '4x')).toThrow('("4x") must be a whole number (an int32 flag)');
    expect(attempt('num_load_threads', '1.5')).toThrow('must be a whole number (an int32 flag)');
  });

  test('int64: whole numbers in range', () => {
    expect(attempt('load_retry_interval_micros', '9223372036854775807')).not.toThrow();
    expect(attempt('load_retry_interval_micros', '9223372036854775808')).toThrow('must be an int64 between -2^63 and 2^63-1');
  });

  test('float: a finite decimal number', () => {
    expect(attempt('per_process_gpu_memory_fraction', '0.5')).not.toThrow();
    expect(attempt('per_process_gpu_memory_fraction', 'half')).toThrow('("half") must be a finite decimal number (a float flag)');
  });

  test('string: anything', () => {
    expect(attempt('saved_model_tags', 'serve,gpu')).not.toThrow();
  });
  expect(flagValueProblem('string', '')).toBeUndefined();
});

test('--platform_config_file refuses batching and session settings (server.cc ignores them then)', () => {
  const f = new ServerFlags(S, '2.20.0').set('enable_batching', true, 'batching').set('platform_config_file', '/etc/p.config', 'extraArgs.platform_config_file');
  expect(() => f.validate()).toThrow(
    "TfServingModel 'm': 'batching' (\"--enable_batching=true\") must not be combined with --platform_config_file: server.cc then reads batching and session settings "
    + 'from the platform config file and ignores this flag. Fix: put the batching and session settings into the platform config file and drop the prop, or remove platform_config_file from extraArgs');
  expect(() => new ServerFlags(S, '2.20.0').set('grpc_max_threads', 64).set('platform_config_file', '/etc/p.config').validate()).not.toThrow();
});
