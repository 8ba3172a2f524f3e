import * as vm from 'vm';
import { Chart, Duration, Testing } from 'cdk8s';
import * as protobuf from 'protobufjs';
import {
  BatchingConfig, GcsAccess, K6_IMAGE, LoadProtocol, LoadTest, LoadTestPayload, LoadTestProps, ModelSource, TensorDType, TfServingModel,
} from '../../lib';
import { PREDICT_PROTO } from '../../lib/ops/load-test';
import { only, synth } from '../support/synth';

const PAYLOAD = LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [2, 2], values: [1, 2, 3, 4] });

function setup(props: Partial<LoadTestProps> = {}, batching?: BatchingConfig) {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }],
    gcsAccess: GcsAccess.nodeServiceAccount(),
    batching,
  });
  const lt = new LoadTest(chart, 'load', { target: server, payload: PAYLOAD, ...props });
  return { chart, server, lt };
}

/** Runs the k6 script's init context in a sandbox with stand-ins for the k6 modules. */
function runScript(config: string) {
  const calls: any[] = [];
  const src = only(synth(setup().chart), 'ConfigMap', 'load-k6').data['script.js']
    .replace(/^import .*$/gm, '').replace(/^export (const|function)/gm, '$1');
  const sandbox: any = {
    open: (p: string) => { expect(p).toBe('/config/loadtest.json'); return config; },
    http: { post: (url: string, body: string, params: any) => { calls.push({ url, body, params }); return { status: 200 }; } },
    grpc: { StatusOK: 0, Client: class { load(dirs: string[], file: string) { calls.push({ load: [dirs, file] }); } connect(a: string) { calls.push({ connect: a }); } invoke(m: string, req: any) { calls.push({ invoke: m, req }); return { status: 0 }; } } },
    encoding: { b64encode: (s: string) => Buffer.from(s).toString('base64') },
    check: () => true,
    __ENV: {} as Record<string, string>,
  };
  const out = vm.runInNewContext(`${src}\n;({ options, restBodies, grpcRequests, restScenario, grpcScenario })`, sandbox);
  return { ...out, calls, env: sandbox.__ENV };
}

test('defaults: a bounded Job running k6 on the target Service, gRPC then REST, batch size 1', () => {
  const { chart, lt } = setup();
  const objects = synth(chart);
  expect(objects.filter((o) => o.kind === 'Job' || o.metadata.name.startsWith('load'))).toMatchSnapshot();
  const job = only(objects, 'Job');
  expect(job.metadata.name).toBe('load');
  expect(job.spec.backoffLimit).toBe(0);
  expect(job.spec.activeDeadlineSeconds).toBe(60 + 5 + 60 + 120);
  expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  const c = job.spec.template.spec.containers[0];
  expect(c.image).toBe(K6_IMAGE);
  expect(c.args).toEqual(['run', '--quiet', '/config/script.js']);
  expect(lt.scenarios).toEqual(['grpc_b1', 'rest_b1']);
  expect(lt.totalDuration.toSeconds()).toBe(125);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  expect(cfg).toMatchObject({ model: 'resnet', grpcAddress: 'resnet:8500', restUrl: 'http://resnet:8501/v1/models/resnet:predict', concurrency: 8, durationSeconds: 60, timeoutMs: 10000 });
});

test('the load test reaches a Service that exists in the same output, on its ports', () => {
  const objects = synth(setup().chart);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  const svc = only(objects, 'Service', cfg.grpcAddress.split(':')[0]);
  expect(svc.spec.ports.map((p: any) => p.port)).toEqual([Number(cfg.grpcAddress.split(':')[1]), 8501]);
});

test('the k6 script: one scenario per protocol × batch size, run one after the other, percentiles per scenario', () => {
  const { lt, chart } = setup({ batchSizes: [1, 4], duration: Duration.seconds(30), concurrency: 3 });
  const config = only(synth(chart), 'ConfigMap', 'load-k6').data['loadtest.json'];
  const { options } = runScript(config);
  expect(Object.keys(options.scenarios)).toEqual(lt.scenarios);
  expect(options.scenarios.rest_b4).toEqual({
    executor: 'constant-vus', vus: 3, duration: '30s', startTime: '105s', exec: 'restScenario', env: { BATCH: '4' }, tags: { protocol: 'rest', batch_size: '4' },
  });
  expect(options.scenarios.grpc_b1.startTime).toBe('0s');
  expect(options.thresholds['grpc_req_duration{scenario:grpc_b4}']).toEqual(['p(99)>=0']);
  expect(options.summaryTrendStats).toEqual(['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max']);
});

test('the k6 script builds REST bodies and gRPC PredictRequests that encode with the shipped proto', () => {
  const { chart } = setup({ batchSizes: [1, 3] });
  const config = only(synth(chart), 'ConfigMap', 'load-k6').data['loadtest.json'];
  const { restBodies, grpcRequests, restScenario, grpcScenario, calls, env } = runScript(config);
  expect(JSON.parse(restBodies[3])).toEqual({ signature_name: 'serving_default', inputs: { x: [[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1, 2], [3, 4]]] } });
  const root = protobuf.parse(PREDICT_PROTO, { keepCase: true }).root;
  const Req = root.lookupType('tensorflow.serving.PredictRequest');
  const decoded: any = Req.toObject(Req.decode(Req.encode(Req.fromObject(grpcRequests[3])).finish()), { longs: Number });
  expect(decoded.model_spec).toEqual({ name: 'resnet', signature_name: 'serving_default' });
  expect(decoded.inputs.x.dtype).toBe(1);
  expect(decoded.inputs.x.tensor_shape.dim.map((d: any) => d.size)).toEqual([3, 2, 2]);
  expect(decoded.inputs.x.float_val).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  env.BATCH = '3';
  restScenario();
  grpcScenario();
  expect(calls).toContainEqual({ load: [['/config'], 'predict.proto'] });
  expect(calls).toContainEqual(expect.objectContaining({ url: 'http://resnet:8501/v1/models/resnet:predict', body: restBodies[3] }));
  expect(calls).toContainEqual({ connect: 'resnet:8500' });
  expect(calls).toContainEqual({ invoke: 'tensorflow.serving.PredictionService/Predict', req: grpcRequests[3] });
});

test('predict.proto has the real service path and field numbers', () => {
  const root = protobuf.parse(PREDICT_PROTO, { keepCase: true }).root;
  expect(Object.keys(root.lookupService('tensorflow.serving.PredictionService').methods)).toEqual(['Predict']);
  const tensor = root.lookupType('tensorflow.serving.TensorProto');
  expect(Object.fromEntries(Object.values(tensor.fields).map((f) => [f.name, f.id]))).toEqual({
    dtype: 1, tensor_shape: 2, float_val: 5, double_val: 6, int_val: 7, string_val: 8, int64_val: 10,
  });
  expect(root.lookupType('tensorflow.serving.PredictRequest').fields.inputs.id).toBe(2);
});

test('props: model, protocols, Prometheus remote write, name, keepFinishedFor, namespace-qualified host', () => {
  const { chart } = setup({
    modelName: 'bert', protocols: [LoadProtocol.REST], prometheusRemoteWriteUrl: 'http://prom.monitoring:9090/api/v1/write', name: 'bert-lt', keepFinishedFor: Duration.hours(2),
  });
  const objects = synth(chart);
  const job = only(objects, 'Job', 'bert-lt');
  expect(job.spec.ttlSecondsAfterFinished).toBe(7200);
  const c = job.spec.template.spec.containers[0];
  expect(c.args).toEqual(['run', '--quiet', '-o', 'experimental-prometheus-rw', '/config/script.js']);
  expect(c.env).toContainEqual({ name: 'K6_PROMETHEUS_RW_SERVER_URL', value: 'http://prom.monitoring:9090/api/v1/write' });
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'bert-lt-k6').data['loadtest.json']);
  expect(cfg.scenarios.map((s: any) => s.name)).toEqual(['rest_b1']);
  expect(cfg.restUrl).toBe('http://resnet:8501/v1/models/bert:predict');
});

test('string tensors are sent base64-encoded over gRPC, plain over REST', () => {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() });
  new LoadTest(chart, 'load', { target: server, payload: LoadTestPayload.tensor({ input: 's', dtype: TensorDType.STRING, shape: [2], values: ['hi', 'yo'] }), batchSizes: [2] });
  const { grpcRequests, restBodies } = runScript(only(synth(chart), 'ConfigMap', 'load-k6').data['loadtest.json']);
  expect(grpcRequests[2].inputs.s).toEqual({ dtype: 7, tensor_shape: { dim: [{ size: 2 }, { size: 2 }] }, string_val: ['aGk=', 'eW8=', 'aGk=', 'eW8='] });
  expect(JSON.parse(restBodies[2]).inputs.s).toEqual([['hi', 'yo'], ['hi', 'yo']]);
  const Req = protobuf.parse(PREDICT_PROTO, { keepCase: true }).root.lookupType('tensorflow.serving.PredictRequest');
  const decoded: any = Req.toObject(Req.decode(Req.encode(Req.fromObject(grpcRequests[2])).finish()));
  expect(decoded.inputs.s.string_val.map((b: Uint8Array) => Buffer.from(b).toString())).toEqual(['hi', 'yo', 'hi', 'yo']);
});

test('startDelay shifts every scenario and the deadline', () => {
  const { chart, lt } = setup({ startDelay: Duration.minutes(10), duration: Duration.seconds(30) });
  const objects = synth(chart);
  expect(lt.startDelay.toSeconds()).toBe(600);
  expect(only(objects, 'Job').spec.activeDeadlineSeconds).toBe(600 + 30 + 5 + 30 + 120);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  expect(cfg.scenarios.map((s: any) => s.startSeconds)).toEqual([600, 635]);
  expect(() => setup({ startDelay: Duration.days(2) })).toThrow(
    "LoadTest 'load': 'startDelay' (\"48h\") must be a whole number of seconds between 0 and 1 day. Fix: use e.g. Duration.minutes(5)");
});

describe('rules', () => {
  test('payload values match the shape and the dtype', () => {
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [2, 2], values: [1, 2, 3] })).toThrow(
      "LoadTestPayload: 'values' (\"3 values\") must hold product(shape) = 4 values for shape [2,2]. Fix: flatten one example in row-major order");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [0], values: [] })).toThrow(
      "LoadTestPayload: 'shape' ([0]) must hold positive integer dimensions. Fix: give the shape of one example, e.g. [4]");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.INT64, shape: [1], values: ['1'] })).toThrow(
      "LoadTestPayload: 'values' ([\"1\"]) must all be numbers for DT_INT64. Fix: match the values to the dtype");
  });

  test('a model the target serves', () => {
    expect(() => setup({ modelName: 'gpt' })).toThrow("LoadTest 'load': 'modelName' (\"gpt\") must be a model the target serves (resnet, bert). Fix: pick one of those names");
  });

  test('batch sizes increasing, and within the target batch size', () => {
    expect(() => setup({ batchSizes: [8, 1] })).toThrow("LoadTest 'load': 'batchSizes' ([8, 1]) must be increasing positive integers, at least one. Fix: use e.g. [1, 8, 32]");
    expect(() => setup({ batchSizes: [1, 64] }, new BatchingConfig({ maxBatchSize: 32 }))).toThrow(
      "LoadTest 'load': 'batchSizes' ([1, 64]) must not exceed the target's maxBatchSize (32): TF Serving rejects a request larger than a batch. "
      + "Fix: drop the larger sizes, or turn on enableLargeBatchSplitting in the target's BatchingConfig");
    expect(() => setup({ batchSizes: [1, 64] }, new BatchingConfig({ maxBatchSize: 32, enableLargeBatchSplitting: true }))).not.toThrow();
  });

  test('concurrency, duration, protocols, URL, name', () => {
    expect(() => setup({ concurrency: 0 })).toThrow(
      "LoadTest 'load': 'concurrency' (0) must be an integer between 1 and 1000. Fix: use e.g. 8 (TF Serving advises 2 × maxBatchSize client threads for batching)");
    expect(() => setup({ duration: Duration.hours(2) })).toThrow(
      "LoadTest 'load': 'duration' (\"2h\") must be a whole number of seconds between 1 second and 1 hour (a load test is bounded). Fix: use e.g. Duration.minutes(2)");
    expect(() => setup({ protocols: [LoadProtocol.REST, LoadProtocol.REST] })).toThrow(
      "LoadTest 'load': 'protocols' ([\"rest\", \"rest\"]) must list each protocol at most once, at least one. Fix: use [LoadProtocol.GRPC, LoadProtocol.REST]");
    expect(() => setup({ prometheusRemoteWriteUrl: 'prom:9090' })).toThrow(
      "LoadTest 'load': 'prometheusRemoteWriteUrl' (\"prom:9090\") must be an http(s) URL. Fix: use e.g. http://prometheus.monitoring:9090/api/v1/write");
    expect(() => setup({ name: 'Load_Test' })).toThrow(
      "LoadTest 'load': 'name' (\"Load_Test\") must be a DNS label (lower-case letters, digits, '-', at most 63 characters). Fix: pass a shorter name");
  });
});

describe('network', () => {
  const tcp = (port: number) => ({ port, protocol: 'TCP' });
  const DNS = { ports: [{ port: 53, protocol: 'UDP' }, tcp(53)] };

  test('the Job gets its own NetworkPolicy: no ingress, egress to DNS and the target pods on their serving ports only', () => {
    const { chart } = setup();
    const np = only(synth(chart), 'NetworkPolicy', 'load');
    expect(np.spec).toEqual({
      // The Job's own label: a LoadTest may share its name (the instance label) with a server.
      podSelector: { matchLabels: { 'tfserving-constructs.io/load-test': 'load' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        DNS,
        { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': 'resnet' } } }], ports: [tcp(8500), tcp(8501)] },
      ],
    });
  });

  test('the Job\'s pods carry the selected label; with a mesh target, the sidecar\'s metrics ports take ingress', () => {
    const { chart } = setup();
    const objects = synth(chart);
    expect(only(objects, 'Job').spec.template.metadata.labels['tfserving-constructs.io/load-test']).toBe('load');
    expect(only(objects, 'NetworkPolicy', 'load').spec.ingress).toBeUndefined();
  });

  test('a target in another namespace is selected by namespace and pods; remote write gets its port', () => {
    const app = Testing.app();
    const serving = new Chart(app, 'serving', { namespace: 'ml' });
    const server = new TfServingModel(serving, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(),
      networkPolicy: { allowFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'perf' } } }] },
    });
    const perf = new Chart(app, 'perf', { namespace: 'perf' });
    new LoadTest(perf, 'load', { target: server, payload: PAYLOAD, prometheusRemoteWriteUrl: 'http://prometheus.monitoring:9090/api/v1/write' });
    expect(only(synth(perf), 'NetworkPolicy', 'load').spec.egress).toEqual([
      DNS,
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': 'resnet' } } }],
        ports: [tcp(8500), tcp(8501)],
      },
      { ports: [tcp(9090)] },
    ]);
  });

  test('a LoadTest in a namespace the target\'s NetworkPolicy does not admit is refused at synth', () => {
    const app = Testing.app();
    const serving = new Chart(app, 'serving', { namespace: 'ml' });
    const server = new TfServingModel(serving, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() });
    const perf = new Chart(app, 'perf', { namespace: 'perf' });
    new LoadTest(perf, 'load', { target: server, payload: PAYLOAD });
    expect(() => synth(perf)).toThrow(
      "LoadTest 'load': 'target' (resnet) must admit the load test's namespace 'perf' through the NetworkPolicy of its servers: the packets are dropped "
      + "before any mesh rule is read. Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'perf' } } } to networkPolicy.allowFrom "
      + "of the target's servers, or create the LoadTest in namespace 'ml'");
  });

  test('the image can be overridden (private registry, Binary Authorization)', () => {
    const { chart } = setup({ image: 'europe-docker.pkg.dev/acme/mirror/k6@sha256:0123' });
    expect(only(synth(chart), 'Job').spec.template.spec.containers[0].image).toBe('europe-docker.pkg.dev/acme/mirror/k6@sha256:0123');
  });
});
