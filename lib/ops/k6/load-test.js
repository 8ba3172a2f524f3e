import http from 'k6/http';
import grpc from 'k6/net/grpc';
import encoding from 'k6/encoding';
import { SharedArray } from 'k6/data';
import { Rate } from 'k6/metrics';
import { fail, sleep } from 'k6';

const cfg = JSON.parse(open('/config/loadtest.json'));
const p = cfg.payload;
const client = new grpc.Client();
client.load(['/config'], 'predict.proto');

// mulberry32 and the value rules are those of lib/ops/tensor-generator.ts (the tests compare the two).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function generate(input) {
  const g = input.generate;
  const next = mulberry32(g.seed);
  const size = input.shape.reduce((a, b) => a * b, 1);
  const out = new Array(size);
  for (let i = 0; i < size; i++) {
    if (input.dtypeNumber === 7) {
      let s = '';
      for (let k = 0; k < g.stringLength; k++) s += ALPHABET[next() % ALPHABET.length];
      out[i] = s;
    } else if (input.dtypeNumber === 1 || input.dtypeNumber === 2) {
      out[i] = Math.round((g.min + (g.max - g.min) * (next() / 4294967296)) * 10000) / 10000;
    } else {
      out[i] = g.min + Math.floor((next() / 4294967296) * (g.max - g.min + 1));
    }
  }
  return out;
}

// One copy of each input's example for all virtual users: built once, in the first VU's init context.
const examples = new SharedArray('examples', () => p.inputs.map((input) => (input.values ? input.values : generate(input))));

function nest(values, shape) {
  if (shape.length === 0) return values[0];
  const step = values.length / shape[0];
  const out = [];
  for (let i = 0; i < shape[0]; i++) out.push(nest(values.slice(i * step, (i + 1) * step), shape.slice(1)));
  return out;
}

function repeat(values, times) {
  const out = new Array(values.length * times);
  for (let t = 0; t < times; t++) for (let i = 0; i < values.length; i++) out[t * values.length + i] = values[i];
  return out;
}

/** The REST body and the gRPC request of a batch: `batch` copies of each input's example. */
function build(batch) {
  const restInputs = {};
  const grpcInputs = {};
  p.inputs.forEach((input, i) => {
    const values = examples[i];
    const isString = input.dtypeNumber === 7;
    // DT_STRING over REST: {"b64": …} is read as bytes whatever the input's name (TF Serving json_tensor.cc, kBase64Key).
    const restValues = isString ? values.map((v) => ({ b64: encoding.b64encode(v) })) : values;
    restInputs[input.name] = repeat([nest(restValues, input.shape)], batch);
    const flat = repeat(values, batch);
    const tensor = { dtype: input.dtypeNumber, tensor_shape: { dim: [batch].concat(input.shape).map((d) => ({ size: d })) } };
    tensor[input.field] = isString ? flat.map((v) => encoding.b64encode(v)) : flat;
    grpcInputs[input.name] = tensor;
  });
  return {
    batch,
    rest: JSON.stringify({ signature_name: p.signatureName, inputs: restInputs }),
    grpc: { model_spec: { name: cfg.model, signature_name: p.signatureName }, inputs: grpcInputs },
  };
}

// A VU keeps the requests of the batch size it runs now only (VUs move between scenarios).
let current = null;
function requests(batch) {
  if (current === null || current.batch !== batch) current = build(batch);
  return current;
}

// Every request counts here, failed or not; latency thresholds read only successful requests.
const failed = new Rate('predict_failed');

const scenarios = {};
const thresholds = {};
for (const s of cfg.scenarios) {
  scenarios[s.name] = Object.assign({}, s.executor, {
    startTime: s.startSeconds + 's',
    exec: s.protocol + 'Scenario',
    env: { BATCH: String(s.batchSize) },
    tags: { protocol: s.protocol, batch_size: String(s.batchSize), warmup: String(s.warmup) },
  });
  if (s.warmup) continue;
  // Latency of successful requests only: HTTP's expected_response tag (2xx/3xx), gRPC's status tag (0 = OK).
  const latency = s.protocol === 'grpc' ? 'grpc_req_duration{scenario:' + s.name + ',status:0}' : 'http_req_duration{scenario:' + s.name + ',expected_response:true}';
  // Without an objective the threshold only makes k6 keep this submetric in the summary; the error rate still binds.
  thresholds[latency] = [cfg.objectives.latencyP99Ms === undefined ? 'p(99)>=0' : 'p(99)<=' + cfg.objectives.latencyP99Ms];
  thresholds['predict_failed{scenario:' + s.name + '}'] = ['rate<=' + cfg.objectives.maxErrorRate];
  // Open model: iterations k6 could not start (all maxVUs busy) mean the target rate was not reached; reported.
  if (s.executor.executor !== 'constant-vus') thresholds['dropped_iterations{scenario:' + s.name + '}'] = ['count>=0'];
}

export const options = {
  scenarios,
  thresholds,
  setupTimeout: (cfg.readiness.timeoutSeconds + 30) + 's',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  // Equal client cost: neither protocol reads response bodies (gRPC: discardResponseMessage below).
  discardResponseBodies: true,
};

function available(body) {
  try {
    return (JSON.parse(body).model_version_status || []).some((v) => v.state === 'AVAILABLE');
  } catch (e) {
    return false;
  }
}

/** Waits until the target reports the model AVAILABLE (GET /v1/models/NAME, the REST twin of GetModelStatus). */
export function setup() {
  const deadline = Date.now() + cfg.readiness.timeoutSeconds * 1000;
  for (;;) {
    const res = http.get(cfg.statusUrl, { headers: cfg.headers, timeout: '5s', responseType: 'text' });
    if (res.status === 200 && available(res.body)) return;
    if (Date.now() >= deadline) fail('model ' + cfg.model + ' not AVAILABLE at ' + cfg.statusUrl + ' after ' + cfg.readiness.timeoutSeconds + 's (last HTTP status ' + res.status + ')');
    sleep(cfg.readiness.intervalSeconds);
  }
}

const restHeaders = Object.assign({ 'Content-Type': 'application/json' }, cfg.headers);

export function restScenario() {
  const res = http.post(cfg.restUrl, requests(Number(__ENV.BATCH)).rest, { headers: restHeaders, timeout: cfg.timeoutMs + 'ms' });
  failed.add(res.status !== 200);
}

let connected = false;

export function grpcScenario() {
  if (!connected) {
    client.connect(cfg.grpcAddress, { plaintext: true, timeout: cfg.timeoutMs + 'ms' });
    connected = true;
  }
  const res = client.invoke('tensorflow.serving.PredictionService/Predict', requests(Number(__ENV.BATCH)).grpc,
    { metadata: cfg.headers, timeout: cfg.timeoutMs + 'ms', discardResponseMessage: true });
  failed.add(!(res && res.status === grpc.StatusOK));
}

function round(n) {
  return Math.round(n * 1000) / 1000;
}

/** The run's result as one JSON line (format tfserving-constructs/load-test-summary@1): stdout, and a file if asked. */
export function handleSummary(data) {
  const measured = cfg.scenarios.filter((s) => !s.warmup).map((s) => {
    const latencyKey = s.protocol === 'grpc' ? 'grpc_req_duration{scenario:' + s.name + ',status:0}' : 'http_req_duration{scenario:' + s.name + ',expected_response:true}';
    const latency = data.metrics[latencyKey];
    const rate = data.metrics['predict_failed{scenario:' + s.name + '}'];
    // A Rate's passes count the true values added: the failed requests.
    const total = rate ? rate.values.passes + rate.values.fails : 0;
    const failures = rate ? rate.values.passes : 0;
    const v = latency ? latency.values : {};
    const dropped = data.metrics['dropped_iterations{scenario:' + s.name + '}'];
    const ok = [latency, rate].every((m) => !m || !m.thresholds || Object.keys(m.thresholds).every((k) => m.thresholds[k].ok));
    return {
      name: s.name, protocol: s.protocol, batchSize: s.batchSize, executor: s.executor.executor, durationSeconds: s.durationSeconds,
      requests: total, failed: failures, okPerSecond: round((total - failures) / s.durationSeconds),
      droppedIterations: dropped ? dropped.values.count : 0,
      latencyMs: { avg: round(v.avg || 0), med: round(v.med || 0), p90: round(v['p(90)'] || 0), p95: round(v['p(95)'] || 0), p99: round(v['p(99)'] || 0), max: round(v.max || 0) },
      thresholdsOk: ok && total > 0,
    };
  });
  const line = JSON.stringify({
    format: 'tfserving-constructs/load-test-summary@1', loadTest: cfg.name, model: cfg.model, annotations: cfg.annotations, objectives: cfg.objectives, scenarios: measured,
  }) + '\n';
  const out = { stdout: line };
  if (cfg.summaryFile) out[cfg.summaryFile] = line;
  return out;
}
