import { MODEL_SERVER_FLAGS, ServerFlags } from '../../lib/tfserving/server-flags';

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
