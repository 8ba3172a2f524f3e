import http from 'k6/http';
import grpc from 'k6/net/grpc';
import encoding from 'k6/encoding';
import { check } from 'k6';

const cfg = JSON.parse(open('/config/loadtest.json'));
const p = cfg.payload;
const client = new grpc.Client();
client.load(['/config'], 'predict.proto');

function nest(values, shape) {
  if (shape.length === 0) return values[0];
  const step = values.length / shape[0];
  const out = [];
  for (let i = 0; i < shape[0]; i++) out.push(nest(values.slice(i * step, (i + 1) * step), shape.slice(1)));
  return out;
}

function repeat(values, times) {
  let out = [];
  for (let i = 0; i < times; i++) out = out.concat(values);
  return out;
}

const restBodies = {};
const grpcRequests = {};
for (const s of cfg.scenarios) {
  const example = nest(p.values, p.shape);
  restBodies[s.batchSize] = JSON.stringify({ signature_name: p.signatureName, inputs: { [p.input]: repeat([example], s.batchSize) } });
  const values = repeat(p.values, s.batchSize);
  const tensor = { dtype: p.dtypeNumber, tensor_shape: { dim: [s.batchSize].concat(p.shape).map((d) => ({ size: d })) } };
  tensor[p.field] = p.field === 'string_val' ? values.map((v) => encoding.b64encode(v)) : values;
  grpcRequests[s.batchSize] = { model_spec: { name: cfg.model, signature_name: p.signatureName }, inputs: { [p.input]: tensor } };
}

const scenarios = {};
const thresholds = {};
for (const s of cfg.scenarios) {
  scenarios[s.name] = {
    executor: 'constant-vus', vus: cfg.concurrency, duration: cfg.durationSeconds + 's', startTime: s.startSeconds + 's',
    exec: s.protocol + 'Scenario', env: { BATCH: String(s.batchSize) }, tags: { protocol: s.protocol, batch_size: String(s.batchSize) },
  };
  // A threshold per scenario makes k6 print that scenario's percentiles and error rate in its summary.
  const metric = s.protocol === 'grpc' ? 'grpc_req_duration' : 'http_req_duration';
  thresholds[metric + '{scenario:' + s.name + '}'] = ['p(99)>=0'];
  thresholds['checks{scenario:' + s.name + '}'] = ['rate>=0'];
  thresholds['iterations{scenario:' + s.name + '}'] = ['count>=0'];
}

export const options = {
  scenarios,
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  discardResponseBodies: true,
};

let connected = false;

export function restScenario() {
  const res = http.post(cfg.restUrl, restBodies[__ENV.BATCH], { headers: { 'Content-Type': 'application/json' }, timeout: cfg.timeoutMs + 'ms' });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function grpcScenario() {
  if (!connected) {
    client.connect(cfg.grpcAddress, { plaintext: true, timeout: cfg.timeoutMs + 'ms' });
    connected = true;
  }
  const res = client.invoke('tensorflow.serving.PredictionService/Predict', grpcRequests[__ENV.BATCH], { timeout: cfg.timeoutMs + 'ms' });
  check(res, { 'status is OK': (r) => r && r.status === grpc.StatusOK });
}
