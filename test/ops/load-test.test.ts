import * as vm from 'vm';
import { Chart, Duration, Testing } from 'cdk8s';
import * as protobuf from 'protobufjs';
import {
  ArrivalRate, BatchingConfig, GcsAccess, generateValues, GrpcTls, K6_IMAGE, LoadProtocol, LoadTest, LoadTestPayload, LoadTestProps, ModelSource,
  parseSummary, TensorDType, TfServingModel,
} from '../../lib';
import { predictProto } from '../../lib/ops/load-test';
import { readTfRecordFile } from '../../lib/tfserving/tfrecord';
import { PREDICTION_LOG_PROTO } from '../support/prediction-log-proto';
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

const configOf = (chart: any, name = 'load-k6') => only(synth(chart), 'ConfigMap', name).data['loadtest.json'];

/** What a sandboxed k6 run recorded: requests, metric samples (with the scenario they ran in), log lines. */
interface Recorder {
  calls: Array<Record<string, any>>;
  samples: Array<{ metric: string; value: number | boolean; scenario: string }>;
}

/**
 * Runs the k6 script in a sandbox with stand-ins for the k6 modules: `http`, `grpc`, `SharedArray`, `Rate`, `fail`,
 * `sleep`. `respond` decides each response; `__SCENARIO` is the scenario a call runs in (k6 tags samples with it).
 */
function runScript(config: string, respond: { rest?: (url: string) => any; grpc?: () => any; get?: (n: number) => any; now?: () => number } = {}) {
  const rec: Recorder = { calls: [], samples: [] };
  const src = only(synth(setup().chart), 'ConfigMap', 'load-k6').data['script.js']
    .replace(/^import .*$/gm, '').replace(/^export (const|function)/gm, '$1');
  let gets = 0;
  const sandbox: any = {
    open: (p: string) => { expect(p).toBe('/config/loadtest.json'); return config; },
    http: {
      post: (url: string, body: string, params: any) => { rec.calls.push({ url, body, params }); return respond.rest?.(url) ?? { status: 200 }; },
      get: (url: string, params: any) => { rec.calls.push({ get: url, params }); return respond.get?.(gets++) ?? { status: 200, body: '{"model_version_status":[{"version":"1","state":"AVAILABLE"}]}' }; },
    },
    grpc: {
      StatusOK: 0,
      Client: class {
        load(dirs: string[], file: string) { rec.calls.push({ load: [dirs, file] }); }
        connect(a: string) { rec.calls.push({ connect: a }); }
        invoke(m: string, req: any, params: any) { rec.calls.push({ invoke: m, req, params }); return respond.grpc?.() ?? { status: 0 }; }
      },
    },
    encoding: { b64encode: (s: string) => Buffer.from(s).toString('base64') },
    SharedArray: class { constructor(name: string, build: () => any[]) { rec.calls.push({ sharedArray: name }); return Object.freeze(build()); } },
    Rate: class {
      constructor(public name: string) {}
      add(v: boolean) { rec.samples.push({ metric: this.name, value: v, scenario: sandbox.__SCENARIO }); }
    },
    fail: (msg: string) => { throw new Error(`k6 fail: ${msg}`); },
    sleep: (s: number) => { rec.calls.push({ sleep: s }); },
    __ENV: {} as Record<string, string>,
    __SCENARIO: '',
    ...(respond.now ? { Date: { now: respond.now } } : {}),
  };
  const out = vm.runInNewContext(`${src}\n;({ options, examples, requests, restScenario, grpcScenario, setup, handleSummary })`, sandbox);
  /** Runs `iterations` iterations of a scenario the way k6 would (its exec function, its env). */
  const run = (name: string, iterations: number) => {
    const s = out.options.scenarios[name];
    sandbox.__ENV = s.env;
    sandbox.__SCENARIO = name;
    for (let i = 0; i < iterations; i++) out[s.exec]();
  };
  return { ...out, rec, run, sandbox };
}

/**
 * k6's end-of-test data for the thresholds the script declares, from the recorded samples: the Rate submetrics
 * and latency submetrics (fixed latencies here) with each threshold evaluated as k6 does for `rate<=x`, `p(99)<=x`
 * and `p(99)>=0`. Returns the data and whether any threshold failed (k6 then exits 99).
 */
function evaluate(options: any, rec: Recorder, latencyMs: number, dropped = 0) {
  const metrics: Record<string, any> = {};
  let failed = false;
  for (const [key, exprs] of Object.entries<string[]>(options.thresholds)) {
    const scenario = /scenario:([a-z0-9_]+)/.exec(key)![1];
    const mine = rec.samples.filter((s) => s.scenario === scenario);
    const values: any = key.startsWith('predict_failed')
      ? {
        rate: mine.filter((s) => s.value).length / mine.length,
        passes: mine.filter((s) => s.value).length,
        fails: mine.filter((s) => !s.value).length,
      }
      : key.startsWith('dropped_iterations') ? { count: dropped, rate: dropped / 60 }
        : { 'avg': latencyMs, 'med': latencyMs, 'p(90)': latencyMs, 'p(95)': latencyMs, 'p(99)': latencyMs, 'max': latencyMs };
    const thresholds: any = {};
    for (const e of exprs) {
      const m = /^(rate|count|p\(99\))(<=|>=)([0-9.]+)$/.exec(e)!;
      const v = values[m[1]];
      const ok = m[2] === '<=' ? v <= Number(m[3]) : v >= Number(m[3]);
      thresholds[e] = { ok };
      failed ||= !ok;
    }
    metrics[key] = { type: key.startsWith('predict') ? 'rate' : key.startsWith('dropped') ? 'counter' : 'trend', values, thresholds };
  }
  return { data: { metrics }, failed };
}

test('defaults: a bounded Job running k6 on the target Service, gRPC then REST, batch size 1', () => {
  const { chart, lt } = setup();
  const objects = synth(chart);
  expect(objects.filter((o) => o.kind === 'Job' || o.metadata.name.startsWith('load'))).toMatchSnapshot();
  const job = only(objects, 'Job');
  expect(job.metadata.name).toBe('load');
  // Run once: a failed threshold (k6 exit 99) fails the Job instead of re-running the test.
  expect(job.spec.backoffLimit).toBe(0);
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  expect(job.spec.podFailurePolicy).toBeUndefined();
  // Readiness wait (600 s) + 2 × (30 s warm-up + 5 s + 60 s) + 5 s gap + 120 s margin.
  expect(job.spec.activeDeadlineSeconds).toBe(600 + 30 + 5 + 60 + 5 + 30 + 5 + 60 + 120);
  expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
  const c = job.spec.template.spec.containers[0];
  expect(c.image).toBe(K6_IMAGE);
  expect(c.args).toEqual(['run', '--quiet', '/config/script.js']);
  expect(c.resources.limits.memory).toBe('512Mi');
  expect(lt.scenarios).toEqual(['grpc_b1', 'rest_b1']);
  expect(lt.totalDuration.toSeconds()).toBe(195);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  expect(cfg).toMatchObject({
    model: 'resnet', grpcAddress: 'resnet:8500', restUrl: 'http://resnet:8501/v1/models/resnet:predict', statusUrl: 'http://resnet:8501/v1/models/resnet',
    readiness: { timeoutSeconds: 600, intervalSeconds: 5 }, timeoutMs: 10000, objectives: { maxErrorRate: 0.01 }, headers: {}, annotations: {},
  });
  expect(cfg.scenarios.map((s: any) => [s.name, s.startSeconds, s.durationSeconds])).toEqual([
    ['warmup_grpc_b1', 0, 30], ['grpc_b1', 35, 60], ['warmup_rest_b1', 100, 30], ['rest_b1', 135, 60],
  ]);
});

test('the load test reaches a Service that exists in the same output, on its ports', () => {
  const objects = synth(setup().chart);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  const svc = only(objects, 'Service', cfg.grpcAddress.split(':')[0]);
  expect(svc.spec.ports.map((p: any) => p.port)).toEqual([Number(cfg.grpcAddress.split(':')[1]), 8501]);
});

test('the k6 script: a warm-up and a measured scenario per protocol × batch size, one after the other; thresholds on the measured ones only', () => {
  const { lt, chart } = setup({
    batchSizes: [1, 4], duration: Duration.seconds(30), concurrency: 3, warmup: Duration.seconds(10), latencyObjective: Duration.millis(250),
  });
  const { options } = runScript(configOf(chart));
  expect(Object.keys(options.scenarios)).toEqual(['warmup_grpc_b1', 'grpc_b1', 'warmup_grpc_b4', 'grpc_b4', 'warmup_rest_b1', 'rest_b1', 'warmup_rest_b4', 'rest_b4']);
  expect(lt.scenarios).toEqual(['grpc_b1', 'grpc_b4', 'rest_b1', 'rest_b4']);
  expect(options.scenarios.rest_b4).toEqual({
    executor: 'constant-vus', vus: 3, duration: '30s', startTime: '165s', exec: 'restScenario', env: { BATCH: '4' }, tags: { protocol: 'rest', batch_size: '4', warmup: 'false' },
  });
  expect(options.scenarios.warmup_rest_b4).toMatchObject({ executor: 'constant-vus', vus: 3, duration: '10s', startTime: '150s', tags: { warmup: 'true' } });
  expect(options.scenarios.warmup_grpc_b1.startTime).toBe('0s');
  expect(options.thresholds).toEqual({
    'grpc_req_duration{scenario:grpc_b1,status:0}': ['p(99)<=250'], 'predict_failed{scenario:grpc_b1}': ['rate<=0.01'],
    'grpc_req_duration{scenario:grpc_b4,status:0}': ['p(99)<=250'], 'predict_failed{scenario:grpc_b4}': ['rate<=0.01'],
    'http_req_duration{scenario:rest_b1,expected_response:true}': ['p(99)<=250'], 'predict_failed{scenario:rest_b1}': ['rate<=0.01'],
    'http_req_duration{scenario:rest_b4,expected_response:true}': ['p(99)<=250'], 'predict_failed{scenario:rest_b4}': ['rate<=0.01'],
  });
  expect(options.summaryTrendStats).toEqual(['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max']);
  expect(options.discardResponseBodies).toBe(true);
  expect(options.setupTimeout).toBe('630s');
});

test('arrival-rate scenarios: constant and ramping target QPS, concurrency caps the VUs', () => {
  const constant = runScript(configOf(setup({
    arrivalRate: ArrivalRate.constant(200), concurrency: 50, protocols: [LoadProtocol.GRPC],
  }).chart)).options;
  expect(constant.scenarios.grpc_b1).toMatchObject({ executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '60s', preAllocatedVUs: 50, maxVUs: 50 });
  // The warm-up stays a closed loop: it only has to warm the server.
  expect(constant.scenarios.warmup_grpc_b1).toMatchObject({ executor: 'constant-vus', vus: 50 });
  const { chart, lt } = setup({
    arrivalRate: ArrivalRate.ramping([{ target: 100, duration: Duration.minutes(1) }, { target: 400, duration: Duration.minutes(2) }], 10),
    protocols: [LoadProtocol.REST], concurrency: 64, warmup: Duration.seconds(0),
  });
  const ramping = runScript(configOf(chart)).options;
  expect(Object.keys(ramping.scenarios)).toEqual(['rest_b1']);
  expect(ramping.scenarios.rest_b1).toEqual({
    executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1s', preAllocatedVUs: 64, maxVUs: 64,
    stages: [{ target: 100, duration: '60s' }, { target: 400, duration: '120s' }],
    startTime: '0s', exec: 'restScenario', env: { BATCH: '1' }, tags: { protocol: 'rest', batch_size: '1', warmup: 'false' },
  });
  expect(lt.totalDuration.toSeconds()).toBe(180);
  // Iterations k6 could not start (every VU busy) are counted per open-model scenario and reported in the summary.
  const k6 = runScript(configOf(chart));
  expect(k6.options.thresholds['dropped_iterations{scenario:rest_b1}']).toEqual(['count>=0']);
  k6.run('rest_b1', 4);
  const summary = parseSummary(k6.handleSummary(evaluate(k6.options, k6.rec, 20, 37).data).stdout, 'stdout');
  expect(summary.scenarios[0]).toMatchObject({ executor: 'ramping-arrival-rate', durationSeconds: 180, requests: 4, droppedIterations: 37 });
  expect(constant.thresholds['dropped_iterations{scenario:grpc_b1}']).toEqual(['count>=0']);
  expect(runScript(configOf(setup().chart)).options.thresholds['dropped_iterations{scenario:grpc_b1}']).toBeUndefined();
});

test('the k6 script builds REST bodies and gRPC PredictRequests that encode with the shipped proto; both discard responses', () => {
  const { chart } = setup({ batchSizes: [1, 3], headers: { 'x-canary': 'stable' } });
  const { requests, restScenario, grpcScenario, rec, run } = runScript(configOf(chart));
  const r3 = requests(3);
  expect(JSON.parse(r3.rest)).toEqual({ signature_name: 'serving_default', inputs: { x: [[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1, 2], [3, 4]]] } });
  const root = protobuf.parse(predictProto(), { keepCase: true }).root;
  const Req = root.lookupType('tensorflow.serving.PredictRequest');
  const decoded: any = Req.toObject(Req.decode(Req.encode(Req.fromObject(r3.grpc)).finish()), { longs: Number });
  expect(decoded.model_spec).toEqual({ name: 'resnet', signature_name: 'serving_default' });
  expect(decoded.inputs.x.dtype).toBe(1);
  expect(decoded.inputs.x.tensor_shape.dim.map((d: any) => d.size)).toEqual([3, 2, 2]);
  expect(decoded.inputs.x.float_val).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  run('rest_b3', 1);
  run('grpc_b3', 2);
  expect(restScenario).toBeDefined();
  expect(grpcScenario).toBeDefined();
  expect(rec.calls).toContainEqual({ load: [['/config'], 'predict.proto'] });
  expect(rec.calls).toContainEqual({ url: 'http://resnet:8501/v1/models/resnet:predict', body: r3.rest, params: { headers: { 'Content-Type': 'application/json', 'x-canary': 'stable' }, timeout: '10000ms' } });
  expect(rec.calls.filter((c: any) => c.connect)).toEqual([{ connect: 'resnet:8500' }]);
  expect(rec.calls).toContainEqual({ invoke: 'tensorflow.serving.PredictionService/Predict', req: r3.grpc, params: { metadata: { 'x-canary': 'stable' }, timeout: '10000ms', discardResponseMessage: true } });
  expect(rec.samples).toEqual([
    { metric: 'predict_failed', value: false, scenario: 'rest_b3' }, { metric: 'predict_failed', value: false, scenario: 'grpc_b3' }, { metric: 'predict_failed', value: false, scenario: 'grpc_b3' },
  ]);
});

test('generated inputs: k6 generates the same values as the library, once for all VUs (SharedArray); several inputs', () => {
  const payload = LoadTestPayload.of({
    seed: 7,
    inputs: [
      { name: 'image', dtype: TensorDType.FLOAT, shape: [4, 4, 3], min: -1, max: 1 },
      { name: 'ids', dtype: TensorDType.INT64, shape: [5], min: 0, max: 9 },
      { name: 'tag', dtype: TensorDType.STRING, shape: [2], stringLength: 4 },
      { name: 'k', dtype: TensorDType.INT32, shape: [1], values: [3] },
    ],
  });
  const { chart } = setup({ payload, batchSizes: [2] });
  const { examples, requests, rec } = runScript(configOf(chart));
  expect(rec.calls.filter((c: any) => c.sharedArray)).toEqual([{ sharedArray: 'examples' }]);
  const ours = payload.examples().map((e) => e.values);
  expect(examples).toEqual(ours);
  expect(ours[0]).toEqual(generateValues({ dtypeNumber: 1, size: 48, seed: 7, min: -1, max: 1, stringLength: 8 }));
  expect((ours[0] as number[]).every((v) => v >= -1 && v <= 1 && Math.round(v * 10000) / 10000 === v)).toBe(true);
  expect((ours[1] as number[]).every((v) => Number.isInteger(v) && v >= 0 && v <= 9)).toBe(true);
  expect((ours[2] as string[]).every((v) => /^[a-z0-9]{4}$/.test(v))).toBe(true);
  const rest = JSON.parse(requests(2).rest);
  expect(Object.keys(rest.inputs)).toEqual(['image', 'ids', 'tag', 'k']);
  // DT_STRING over REST: {"b64": …}; over gRPC: bytes (base64 in k6's JSON form of the message).
  expect(rest.inputs.tag).toEqual([ours[2].map((s) => ({ b64: Buffer.from(s as string).toString('base64') })), ours[2].map((s) => ({ b64: Buffer.from(s as string).toString('base64') }))]);
  expect(rest.inputs.image[1][3][3]).toEqual(ours[0].slice(45, 48));
  const grpc = requests(2).grpc;
  expect(grpc.inputs.ids).toEqual({ dtype: 9, tensor_shape: { dim: [{ size: 2 }, { size: 5 }] }, int64_val: [...ours[1], ...ours[1]] });
  expect(grpc.inputs.tag.string_val).toEqual([...ours[2], ...ours[2]].map((s) => Buffer.from(s as string).toString('base64')));
  expect(grpc.inputs.k).toEqual({ dtype: 3, tensor_shape: { dim: [{ size: 2 }, { size: 1 }] }, int_val: [3, 3] });
});

test('a 224×224×3 float image fits: generated in k6, a small ConfigMap', () => {
  const payload = LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [224, 224, 3] }] });
  const { chart } = setup({ payload, batchSizes: [1, 8], concurrency: 16 });
  const objects = synth(chart);
  const cm = only(objects, 'ConfigMap', 'load-k6');
  expect(Buffer.byteLength(cm.data['loadtest.json'])).toBeLessThan(4096);
  expect(JSON.parse(cm.data['loadtest.json']).payload.inputs[0]).toEqual({
    name: 'images', dtype: 'DT_FLOAT', dtypeNumber: 1, field: 'float_val', shape: [224, 224, 3], generate: { seed: 1, min: 0, max: 1, stringLength: 8 },
  });
  // 602,112 bytes per example × batch 8 × 8 (JSON body and JS arrays) per user, 16 users, plus 256 MiB: 873 MiB, in 64 MiB steps.
  expect(only(objects, 'Job').spec.template.spec.containers[0].resources.limits.memory).toBe('896Mi');
  // The same image given as values would not fit.
  const values = Array.from({ length: 224 * 224 * 3 }, (_, i) => (i % 255) / 255);
  expect(() => setup({ payload: LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [224, 224, 3], values }] }) })).toThrow(
    "LoadTest 'load': 'payload' (\"2.88 MiB ConfigMap\") must fit the 1 MiB the API server allows a ConfigMap. "
    + "Fix: leave the large inputs' values out of LoadTestPayload.of so that k6 generates them from the seed");
});

test('setup() waits until the model is AVAILABLE, and gives up after readinessTimeout', () => {
  const loading = { status: 200, body: '{"model_version_status":[{"version":"1","state":"LOADING"}]}' };
  const ok = runScript(configOf(setup({ headers: { 'x-a': 'b' } }).chart), { get: (n) => (n < 2 ? (n === 0 ? { status: 404, body: '' } : loading) : undefined) });
  ok.setup();
  expect(ok.rec.calls.filter((c: any) => c.get || c.sleep)).toEqual([
    { get: 'http://resnet:8501/v1/models/resnet', params: { headers: { 'x-a': 'b' }, timeout: '5s', responseType: 'text' } }, { sleep: 5 },
    { get: 'http://resnet:8501/v1/models/resnet', params: { headers: { 'x-a': 'b' }, timeout: '5s', responseType: 'text' } }, { sleep: 5 },
    { get: 'http://resnet:8501/v1/models/resnet', params: { headers: { 'x-a': 'b' }, timeout: '5s', responseType: 'text' } },
  ]);
  // A clock that moves 600 ms per reading: the deadline (1 s after the first reading) passes on the third check.
  let now = 0;
  const never = runScript(configOf(setup({ readinessTimeout: Duration.seconds(1) }).chart), { get: () => loading, now: () => (now += 600) });
  expect(() => never.setup()).toThrow('k6 fail: model resnet not AVAILABLE at http://resnet:8501/v1/models/resnet after 1s (last HTTP status 200)');
  expect(never.rec.calls.filter((c: any) => c.get)).toHaveLength(2);
});

test('thresholds that fail: all requests failing misses the error-rate objective, k6 exits 99 and the summary says so', () => {
  const { chart } = setup({ protocols: [LoadProtocol.REST, LoadProtocol.GRPC], latencyObjective: Duration.millis(100), annotations: { variant: 'v1' } });
  const k6 = runScript(configOf(chart), { rest: () => ({ status: 503 }), grpc: () => ({ status: 14 }) });
  k6.run('warmup_rest_b1', 3);
  k6.run('rest_b1', 10);
  k6.run('grpc_b1', 10);
  const { data, failed } = evaluate(k6.options, k6.rec, 50);
  expect(failed).toBe(true);
  // The warm-up's samples are not in any threshold.
  expect(data.metrics['predict_failed{scenario:rest_b1}'].values).toEqual({ rate: 1, passes: 10, fails: 0 });
  const out = k6.handleSummary(data);
  expect(Object.keys(out)).toEqual(['stdout']);
  const summary = parseSummary(out.stdout, 'stdout');
  expect(summary).toMatchObject({ loadTest: 'load', model: 'resnet', annotations: { variant: 'v1' }, objectives: { latencyP99Ms: 100, maxErrorRate: 0.01 } });
  expect(summary.scenarios.map((s) => [s.name, s.requests, s.failed, s.okPerSecond, s.thresholdsOk])).toEqual([['rest_b1', 10, 10, 0, false], ['grpc_b1', 10, 10, 0, false]]);
});

test('thresholds that pass, and a latency objective that fails on its own', () => {
  const { chart } = setup({ latencyObjective: Duration.millis(100), duration: Duration.seconds(10) });
  const k6 = runScript(configOf(chart));
  k6.run('grpc_b1', 20);
  k6.run('rest_b1', 20);
  const fast = evaluate(k6.options, k6.rec, 40);
  expect(fast.failed).toBe(false);
  const summary = parseSummary(k6.handleSummary(fast.data).stdout, 'stdout');
  expect(summary.scenarios[0]).toEqual({
    name: 'grpc_b1', protocol: 'grpc', batchSize: 1, executor: 'constant-vus', durationSeconds: 10, requests: 20, failed: 0, okPerSecond: 2, droppedIterations: 0,
    latencyMs: { avg: 40, med: 40, p90: 40, p95: 40, p99: 40, max: 40 }, thresholdsOk: true,
  });
  const slow = evaluate(k6.options, k6.rec, 140);
  expect(slow.failed).toBe(true);
  expect(parseSummary(k6.handleSummary(slow.data).stdout, 'stdout').scenarios.map((s) => s.thresholdsOk)).toEqual([false, false]);
});

test('without a latency objective the latency submetrics are kept for the summary, and only the error rate binds', () => {
  const { options } = runScript(configOf(setup({ protocols: [LoadProtocol.GRPC] }).chart));
  expect(options.thresholds).toEqual({ 'grpc_req_duration{scenario:grpc_b1,status:0}': ['p(99)>=0'], 'predict_failed{scenario:grpc_b1}': ['rate<=0.01'] });
});

test('predict.proto has the real service path and field numbers', () => {
  const root = protobuf.parse(predictProto(), { keepCase: true }).root;
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
  expect(cfg.scenarios.map((s: any) => s.name)).toEqual(['warmup_rest_b1', 'rest_b1']);
  expect(cfg.restUrl).toBe('http://resnet:8501/v1/models/bert:predict');
});

test('string tensors: bytes over gRPC, {"b64": …} over REST', () => {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() });
  new LoadTest(chart, 'load', { target: server, payload: LoadTestPayload.tensor({ input: 's', dtype: TensorDType.STRING, shape: [2], values: ['hi', 'yo'] }), batchSizes: [2] });
  const { requests } = runScript(configOf(chart));
  expect(requests(2).grpc.inputs.s).toEqual({ dtype: 7, tensor_shape: { dim: [{ size: 2 }, { size: 2 }] }, string_val: ['aGk=', 'eW8=', 'aGk=', 'eW8='] });
  expect(JSON.parse(requests(2).rest).inputs.s).toEqual([[{ b64: 'aGk=' }, { b64: 'eW8=' }], [{ b64: 'aGk=' }, { b64: 'eW8=' }]]);
  const Req = protobuf.parse(predictProto(), { keepCase: true }).root.lookupType('tensorflow.serving.PredictRequest');
  const decoded: any = Req.toObject(Req.decode(Req.encode(Req.fromObject(requests(2).grpc)).finish()));
  expect(decoded.inputs.s.string_val.map((b: Uint8Array) => Buffer.from(b).toString())).toEqual(['hi', 'yo', 'hi', 'yo']);
});

test('startDelay shifts every scenario and the deadline', () => {
  const { chart, lt } = setup({ startDelay: Duration.minutes(10), duration: Duration.seconds(30), warmup: Duration.seconds(0) });
  const objects = synth(chart);
  expect(lt.startDelay.toSeconds()).toBe(600);
  expect(only(objects, 'Job').spec.activeDeadlineSeconds).toBe(600 + 600 + 30 + 5 + 30 + 120);
  const cfg = JSON.parse(only(objects, 'ConfigMap', 'load-k6').data['loadtest.json']);
  expect(cfg.scenarios.map((s: any) => s.startSeconds)).toEqual([600, 635]);
  expect(() => setup({ startDelay: Duration.days(2) })).toThrow(
    "LoadTest 'load': 'startDelay' (\"48h\") must be a whole number of seconds between 0 and 1 day. Fix: use e.g. Duration.minutes(5)");
});

test('warmup records: one PredictLog per batch size from the load test\'s payload, decodable with TF Serving\'s schema', () => {
  const payload = LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [2, 2, 3] }, { name: 'lang', dtype: TensorDType.STRING, shape: [1], values: ['en'] }] });
  const { lt } = setup({ payload, batchSizes: [1, 4] });
  const records = readTfRecordFile(lt.warmupRequests());
  expect(records).toHaveLength(2);
  const PredictionLog = protobuf.parse(PREDICTION_LOG_PROTO, { keepCase: true }).root.lookupType('tensorflow.serving.PredictionLog');
  const logs: any[] = records.map((r) => PredictionLog.toObject(PredictionLog.decode(r), { longs: Number, enums: String }));
  const example = payload.examples()[0].values as number[];
  expect(logs[1].predict_log.request.model_spec).toEqual({ name: 'resnet', signature_name: 'serving_default' });
  expect(logs[1].predict_log.request.inputs.images.tensor_shape.dim.map((d: any) => d.size)).toEqual([4, 2, 2, 3]);
  // float_val is float32 on the wire: the generated values, rounded to float32.
  expect(logs[1].predict_log.request.inputs.images.float_val).toEqual([...example, ...example, ...example, ...example].map(Math.fround));
  expect(Buffer.from(logs[0].predict_log.request.inputs.lang.string_val[0]).toString()).toBe('en');
});

test('summaryUri: the summary also goes to Cloud Storage, written by an upload container with the pod\'s Workload Identity', () => {
  const { chart } = setup({ summaryUri: 'gs://acme-bench/loadtests/resnet', serviceAccountName: 'loadtest-writer' });
  const objects = synth(chart);
  const pod = only(objects, 'Job').spec.template.spec;
  expect(pod.serviceAccountName).toBe('loadtest-writer');
  // k6 first (its exit code kept in /results), then the uploader, which exits with k6's code: a missed objective still fails the Job.
  expect(pod.initContainers.map((c: any) => [c.name, c.command])).toEqual([
    ['k6', ['sh', '-c', 'k6 run --quiet /config/script.js; echo "$?" > /results/load.exit-code']],
  ]);
  expect(pod.containers.map((c: any) => [c.name, c.command])).toEqual([
    ['upload', ['sh', '-c', 'k6 run --quiet /config/upload.js || exit 1; exit "$(cat /results/load.exit-code)"']],
  ]);
  expect(pod.initContainers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/results', name: 'results', readOnly: true });
  const cm = only(objects, 'ConfigMap', 'load-k6');
  const cfg = JSON.parse(cm.data['loadtest.json']);
  expect([cfg.summaryFile, cfg.upload]).toEqual(['/results/load.json', { bucket: 'acme-bench', prefix: 'loadtests/resnet/' }]);
  // handleSummary writes the file the uploader reads.
  const k6 = runScript(cm.data['loadtest.json']);
  k6.run('grpc_b1', 2);
  const out = k6.handleSummary(evaluate(k6.options, k6.rec, 10).data);
  expect(Object.keys(out)).toEqual(['stdout', '/results/load.json']);
  expect(out['/results/load.json']).toBe(out.stdout);

  // The uploader: a token from the metadata server, then a media upload with it.
  const calls: any[] = [];
  const run = (tokenStatus: number) => {
    const src = cm.data['upload.js'].replace(/^import .*$/gm, '').replace(/^export (const|default function)/gm, (_: string, w: string) => (w === 'const' ? 'const' : 'function main'));
    const sandbox: any = {
      open: (f: string) => (f === '/config/loadtest.json' ? cm.data['loadtest.json'] : `summary of ${f}`),
      http: {
        get: (url: string, params: any) => { calls.push({ get: url, params }); return { status: tokenStatus, body: '{"access_token":"tok"}' }; },
        post: (url: string, body: string, params: any) => { calls.push({ post: url, body, params }); return { status: 200, body: '{}' }; },
      },
      fail: (m: string) => { throw new Error(`k6 fail: ${m}`); },
      console: { log: (m: string) => calls.push({ log: m }) },
      Date: class { toISOString() { return '2026-11-30T10:00:00.000Z'; } },
    };
    vm.runInNewContext(`${src}\n;main();`, sandbox);
  };
  run(200);
  expect(calls[0]).toEqual({
    get: 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
    params: { headers: { 'Metadata-Flavor': 'Google' }, responseType: 'text', timeout: '10s' },
  });
  expect(calls[1]).toEqual({
    post: 'https://storage.googleapis.com/upload/storage/v1/b/acme-bench/o?uploadType=media&name=loadtests%2Fresnet%2Fload-2026-11-30T10-00-00-000Z.json',
    body: 'summary of /results/load.json', params: { headers: { 'Authorization': 'Bearer tok', 'Content-Type': 'application/json' }, responseType: 'text', timeout: '30s' },
  });
  expect(calls[2]).toEqual({ log: 'summary written to gs://acme-bench/loadtests/resnet/load-2026-11-30T10-00-00-000Z.json' });
  expect(() => run(404)).toThrow('k6 fail: no access token from the metadata server (HTTP 404): is Workload Identity set up for this pod?');
});

describe('rules', () => {
  test('summaryUri and its ServiceAccount', () => {
    expect(() => setup({ summaryUri: 's3://b/x', serviceAccountName: 'w' })).toThrow(
      "LoadTest 'load': 'summaryUri' (\"s3://b/x\") must be gs://BUCKET or gs://BUCKET/PREFIX with a valid bucket name. Fix: use e.g. gs://acme-bench/loadtests");
    expect(() => setup({ summaryUri: 'gs://acme-bench' })).toThrow(
      "LoadTest 'load': 'serviceAccountName' (undefined) must name the Workload Identity ServiceAccount that may write to the summaryUri bucket. "
      + 'Fix: bind a ServiceAccount to a Google service account with roles/storage.objectCreator and name it here');
    expect(() => setup({ serviceAccountName: 'Writer' })).toThrow(
      "LoadTest 'load': 'serviceAccountName' (\"Writer\") must be a DNS subdomain (a ServiceAccount name). Fix: use e.g. loadtest-writer");
  });

  test('payload values match the shape and the dtype', () => {
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [2, 2], values: [1, 2, 3] })).toThrow(
      "LoadTestPayload: 'values' (\"3 values\") must hold product(shape) = 4 values for shape [2,2]. Fix: flatten one example in row-major order");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [0], values: [] })).toThrow(
      "LoadTestPayload: 'shape' ([0]) must hold positive integer dimensions. Fix: give the shape of one example, e.g. [4]");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.INT64, shape: [1], values: ['1'] })).toThrow(
      "LoadTestPayload: 'values' ([\"1\"]) must all be numbers for DT_INT64. Fix: match the values to the dtype");
  });

  test('payloads refuse what cannot encode: NaN, fractions for integer dtypes, out-of-range integers, empty or repeated names', () => {
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [3], values: [1, NaN, 2] })).toThrow(
      "LoadTestPayload: 'values' (\"NaN at index 1\") must be finite numbers (JSON, which the REST API reads, has no NaN or Infinity). Fix: replace the value");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.DOUBLE, shape: [1], values: [Infinity] })).toThrow(
      "LoadTestPayload: 'values' (\"Infinity at index 0\") must be finite numbers (JSON, which the REST API reads, has no NaN or Infinity). Fix: replace the value");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.INT32, shape: [2], values: [1, 2.5] })).toThrow(
      "LoadTestPayload: 'values' (\"2.5 at index 1\") must be integers for DT_INT32 (a fraction does not encode as int_val/int64_val). Fix: round the values, or use TensorDType.FLOAT");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.INT32, shape: [1], values: [2 ** 31] })).toThrow(
      "LoadTestPayload: 'values' (\"2147483648 at index 0\") must fit DT_INT32. Fix: narrow the values");
    expect(() => LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.INT64, shape: [1], values: [2 ** 53] })).toThrow(
      "LoadTestPayload: 'values' (\"9007199254740992 at index 0\") must fit DT_INT64 as a safe JavaScript integer (|v| < 2^53). Fix: narrow the values");
    expect(() => LoadTestPayload.tensor({ input: '', dtype: TensorDType.FLOAT, shape: [1], values: [1] })).toThrow(
      "LoadTestPayload: 'input' (\"\") must be a non-empty input name of the signature. Fix: use the name saved_model_cli shows for the signature's input");
    const x = { name: 'x', dtype: TensorDType.FLOAT, shape: [1] };
    expect(() => LoadTestPayload.of({ inputs: [x, { ...x, name: '' }] })).toThrow(
      "LoadTestPayload.of: 'inputs[1].name' (\"\") must be a non-empty input name of the signature. Fix: use the name saved_model_cli shows for the signature's input");
    expect(() => LoadTestPayload.of({ inputs: [x, x] })).toThrow("LoadTestPayload.of: 'inputs[1].name' (\"x\") must name each input once. Fix: drop the repeated input");
    expect(() => LoadTestPayload.of({ inputs: [] })).toThrow("LoadTestPayload.of: 'inputs' ([]) must list at least one input. Fix: name the signature's inputs");
  });

  test('generated ranges: finite, ordered, whole for integer dtypes, within the type', () => {
    const f = { name: 'x', dtype: TensorDType.FLOAT, shape: [1] };
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, min: NaN }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].min' ([NaN, 1]) must be finite numbers with min <= max (JSON, which the REST API reads, has no NaN or Infinity). Fix: use e.g. min 0, max 1");
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, min: 2, max: 1 }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].min' ([2, 1]) must be finite numbers with min <= max (JSON, which the REST API reads, has no NaN or Infinity). Fix: use e.g. min 0, max 1");
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, dtype: TensorDType.INT32, min: 0.5 }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].min' ([0.5, 100]) must be integers for DT_INT32. Fix: use whole numbers");
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, dtype: TensorDType.INT32, max: 2 ** 31 }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].min' ([0, 2147483648]) must lie within the int32 range. Fix: narrow the range");
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, dtype: TensorDType.STRING, stringLength: 0 }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].stringLength' (0) must be an integer between 1 and 4096. Fix: use e.g. 8");
    expect(() => LoadTestPayload.of({ inputs: [{ ...f, values: [1], min: 0 }] })).toThrow(
      "LoadTestPayload.of: 'inputs[0].values' (\"1 values\") must be left out when min, max or stringLength is set (those shape generated values). Fix: give either values or a range");
    expect(() => LoadTestPayload.of({ inputs: [f], seed: -1 })).toThrow(
      "LoadTestPayload.of: 'seed' (-1) must be an integer between 0 and 2^32 - 1 minus the number of inputs. Fix: use e.g. 1");
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

  test('gRPC concurrency stays within the target\'s --grpc_max_threads (calls beyond it fail with RESOURCE_EXHAUSTED)', () => {
    expect(() => setup({ concurrency: 129 })).toThrow(
      "LoadTest 'load': 'concurrency' (129) must not exceed the target's gRPC cap (--grpc_max_threads=128 per replica): calls beyond it fail at once "
      + "with RESOURCE_EXHAUSTED. Fix: lower concurrency to 128, or raise the target's threads.grpcMax");
    expect(() => setup({ concurrency: 128 })).not.toThrow();
    // REST only: the gRPC cap does not apply.
    expect(() => setup({ concurrency: 129, protocols: [LoadProtocol.REST] })).not.toThrow();
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

  test('k6 memory within 16 GiB', () => {
    const payload = LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [224, 224, 3] }] });
    expect(() => setup({ payload, batchSizes: [64], concurrency: 128 })).toThrow(
      "LoadTest 'load': 'concurrency' (128) must keep k6's memory within 16 GiB (about 294 MiB per user at batch size 64). Fix: lower concurrency or the largest batch size, or split the load test");
  });

  test('arrival rates, objectives, warm-up, readiness, headers', () => {
    expect(() => setup({ arrivalRate: ArrivalRate.constant(0) })).toThrow(
      "LoadTest 'load': 'arrivalRate' (0) must be a whole number of requests per second between 1 and 100000. Fix: use e.g. ArrivalRate.constant(200)");
    expect(() => setup({ arrivalRate: ArrivalRate.ramping([]) })).toThrow(
      "LoadTest 'load': 'arrivalRate.stages' ([]) must list at least one stage. Fix: use e.g. [{ target: 100, duration: Duration.minutes(2) }]");
    expect(() => setup({ arrivalRate: ArrivalRate.ramping([{ target: 10, duration: Duration.minutes(1) }]), duration: Duration.minutes(1) })).toThrow(
      "LoadTest 'load': 'duration' (\"1m\") must be left out with a ramping arrival rate (its stages set the duration). Fix: drop duration, or use ArrivalRate.constant");
    expect(() => setup({ arrivalRate: ArrivalRate.ramping([{ target: 1.5, duration: Duration.minutes(1) }]) })).toThrow(
      "LoadTest 'load': 'arrivalRate.stages[0].target' (1.5) must be a whole number of requests per second, 0 or more. Fix: use e.g. 100");
    expect(() => setup({
      arrivalRate: ArrivalRate.ramping([{ target: 1, duration: Duration.minutes(40) }, { target: 1, duration: Duration.minutes(40) }]),
    })).toThrow(
      "LoadTest 'load': 'arrivalRate.stages' (\"4800s in all\") must last at most 1 hour in all (a load test is bounded). Fix: shorten the stages");
    expect(() => setup({ maxErrorRate: 1 })).toThrow("LoadTest 'load': 'maxErrorRate' (1) must be a share from 0 up to (not including) 1. Fix: use e.g. 0.01 for 1 %");
    expect(() => setup({ latencyObjective: Duration.millis(0) })).toThrow(
      "LoadTest 'load': 'latencyObjective' (\"0s\") must be at least 1 millisecond. Fix: use e.g. Duration.millis(200)");
    expect(() => setup({ warmup: Duration.minutes(11) })).toThrow(
      "LoadTest 'load': 'warmup' (\"11m\") must be a whole number of seconds between 0 and 10 minutes. Fix: use e.g. Duration.seconds(30)");
    expect(() => setup({ readinessTimeout: Duration.millis(500) })).toThrow(
      "LoadTest 'load': 'readinessTimeout' (\"0.5s\") must be a whole number of seconds between 1 second and 1 hour. Fix: use e.g. Duration.minutes(10)");
    expect(() => setup({ headers: { 'X-Version': '2' } })).toThrow(
      "LoadTest 'load': 'headers' (\"X-Version\") must be lower-case header names (letters, digits, '-', '_', '.'), not content-type, host, te, connection, user-agent or grpc-*. "
      + "Fix: use e.g. { 'x-model-version': '2' }");
    expect(() => setup({ headers: { 'grpc-timeout': '1S' } })).toThrow(/'headers' \("grpc-timeout"\) must be lower-case header names/);
    expect(() => setup({ headers: { 'x-a': 'ü' } })).toThrow("LoadTest 'load': 'headers.x-a' (\"ü\") must be printable ASCII. Fix: encode the value");
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
      "LoadTest 'load': 'target' (resnet) must admit the load test's namespace 'perf' through the NetworkPolicy of its servers (the NetworkPolicy of "
      + "TfServingModel 'resnet' does not admit namespace 'perf' to ports 8500/8501): the packets are dropped "
      + "before any mesh rule is read. Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'perf' } } } to networkPolicy.allowFrom "
      + "of the target's servers, or create the LoadTest in namespace 'ml'");
  });

  test('a runner admitted only through an ipBlock is refused with the same explanation IstioCanary gives', () => {
    // GIVEN a server that admits the pod range as an ipBlock (GKE Dataplane V2 never matches pod addresses against it)
    const app = Testing.app();
    const serving = new Chart(app, 'serving', { namespace: 'ml' });
    const server = new TfServingModel(serving, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(),
      networkPolicy: { allowFrom: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }] },
    });
    const perf = new Chart(app, 'perf', { namespace: 'perf' });
    new LoadTest(perf, 'load', { target: server, payload: PAYLOAD });
    // THEN the refusal says why the ipBlock did not count, in the words of lib/private/network-peers.ts
    expect(() => synth(perf)).toThrow(
      "LoadTest 'load': 'target' (resnet) must admit the load test's namespace 'perf' through the NetworkPolicy of its servers (the NetworkPolicy of "
      + "TfServingModel 'resnet' does not admit namespace 'perf' to ports 8500/8501; ipBlock peers do not count for pod traffic: Kubernetes means them "
      + 'for cluster-external addresses, and GKE Dataplane V2 (Cilium) never matches pod addresses against them): the packets are dropped '
      + "before any mesh rule is read. Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'perf' } } } to networkPolicy.allowFrom "
      + "of the target's servers, or create the LoadTest in namespace 'ml'");
  });

  test('an endpoint that only answers admitsNamespace gets the bare refusal', () => {
    const app = Testing.app();
    const perf = new Chart(app, 'perf', { namespace: 'perf' });
    const endpoint = {
      serviceName: 'resnet', serviceNamespace: 'ml', grpcPort: 8500, restPort: 8501, modelNames: ['resnet'], admitsNamespace: () => false,
    };
    new LoadTest(perf, 'load', { target: endpoint, payload: PAYLOAD });
    expect(() => synth(perf)).toThrow(
      "LoadTest 'load': 'target' (resnet) must admit the load test's namespace 'perf' through the NetworkPolicy of its servers (its servers' NetworkPolicy "
      + "does not admit namespace 'perf'): the packets are dropped before any mesh rule is read. Fix: add { namespaceSelector: { matchLabels: "
      + "{ 'kubernetes.io/metadata.name': 'perf' } } } to networkPolicy.allowFrom of the target's servers, or create the LoadTest in namespace 'ml'");
  });

  test('the image can be overridden (private registry, Binary Authorization)', () => {
    const { chart } = setup({ image: 'europe-docker.pkg.dev/acme/mirror/k6@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd' });
    expect(only(synth(chart), 'Job').spec.template.spec.containers[0].image).toBe('europe-docker.pkg.dev/acme/mirror/k6@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd');
  });
});

describe('a target with TLS on its gRPC port (grpcTls)', () => {
  function tlsTarget() {
    const chart = Testing.chart();
    const server = new TfServingModel(chart, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(),
      grpcTls: GrpcTls.fromSecret('resnet-grpc-tls'),
    });
    return { chart, server };
  }

  test('throws when the load test would call it in plaintext gRPC (the default protocols include gRPC)', () => {
    const { chart, server } = tlsTarget();
    expect(() => new LoadTest(chart, 'load', { target: server, payload: PAYLOAD })).toThrow(
      "LoadTest 'load': 'protocols' ([\"grpc\", \"rest\"]) must not include grpc: the target's gRPC port accepts TLS only (grpcTls from Secret "
      + "'resnet-grpc-tls'), and the load test speaks plaintext gRPC. Fix: use protocols: [LoadProtocol.REST], or a target without grpcTls");
  });

  test('REST alone is accepted: the REST port stays plaintext', () => {
    const { chart, server } = tlsTarget();
    const lt = new LoadTest(chart, 'load', { target: server, payload: PAYLOAD, protocols: [LoadProtocol.REST] });
    expect([...new Set(JSON.parse(configOf(chart)).scenarios.map((s: any) => s.protocol))]).toEqual(['rest']);
    expect(lt.node.id).toEqual('load');
  });
});
