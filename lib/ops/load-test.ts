import { ApiObject, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IServingEndpoint } from '../serving/serving-endpoint';
import { DNS_1035_LABEL, HTTP_URL } from '../core/names';
import { formatDuration } from '../private/duration';
import { hardenPodTemplate } from '../private/pod-hardening';
import { ensureUniqueObjectNames } from '../private/unique-names';
import { fail, subjectOf } from '../core/errors';

/** The load generator: Grafana k6, pinned. */
export const K6_IMAGE = 'grafana/k6:0.54.0';

/** The protocol a load-test scenario speaks. */
export class LoadProtocol {
  /** gRPC `tensorflow.serving.PredictionService/Predict` on the gRPC port. */
  public static readonly GRPC = new LoadProtocol('grpc');
  /** REST `POST /v1/models/NAME:predict` on the REST port. */
  public static readonly REST = new LoadProtocol('rest');

  private constructor(
    /** `grpc` or `rest`. */
    public readonly name: 'grpc' | 'rest',
  ) {}
}

/** TF Serving tensor element types the load test can encode (`tensorflow.DataType`). */
export class TensorDType {
  /** `DT_FLOAT` (float_val). */
  public static readonly FLOAT = new TensorDType('DT_FLOAT', 1, 'float_val');
  /** `DT_DOUBLE` (double_val). */
  public static readonly DOUBLE = new TensorDType('DT_DOUBLE', 2, 'double_val');
  /** `DT_INT32` (int_val). */
  public static readonly INT32 = new TensorDType('DT_INT32', 3, 'int_val');
  /** `DT_INT64` (int64_val). */
  public static readonly INT64 = new TensorDType('DT_INT64', 9, 'int64_val');
  /** `DT_STRING` (string_val, bytes). */
  public static readonly STRING = new TensorDType('DT_STRING', 7, 'string_val');

  private constructor(
    /** The enum name, e.g. `DT_FLOAT`. */
    public readonly name: string,
    /** The enum number in tensorflow/core/framework/types.proto. */
    public readonly number: number,
    /** The TensorProto field holding the values. */
    public readonly field: string,
  ) {}
}

/** One example of one input tensor, repeated to form batches. */
export interface TensorExampleOptions {
  /** The input name in the signature, e.g. `images`. */
  readonly input: string;
  /** The element type. */
  readonly dtype: TensorDType;
  /** The shape of ONE example (the batch dimension is added in front), e.g. `[4]` or `[224, 224, 3]`. */
  readonly shape: number[];
  /** The example's values, flattened in row-major order; `product(shape)` of them. */
  readonly values: Array<number | string>;
  /**
   * The signature to call.
   *
   * @default 'serving_default'
   */
  readonly signatureName?: string;
}

/** The request a load test sends, written to a ConfigMap the Job mounts. */
export class LoadTestPayload {
  /**
   * One example of one input tensor; a batch of size B sends B copies, as `inputs` (columnar) JSON over REST
   * and as a TensorProto of shape `[B, ...shape]` over gRPC.
   */
  public static tensor(options: TensorExampleOptions): LoadTestPayload {
    const size = options.shape.reduce((a, b) => a * b, 1);
    if (!options.shape.every((d) => Number.isInteger(d) && d >= 1)) {
      fail('LoadTestPayload', 'shape', options.shape, 'hold positive integer dimensions', 'give the shape of one example, e.g. [4]');
    }
    if (options.values.length !== size) {
      fail('LoadTestPayload', 'values', `${options.values.length} values`, `hold product(shape) = ${size} values for shape ${JSON.stringify(options.shape)}`,
        'flatten one example in row-major order');
    }
    const isString = options.dtype === TensorDType.STRING;
    if (!options.values.every((v) => (isString ? typeof v === 'string' : typeof v === 'number'))) {
      fail('LoadTestPayload', 'values', options.values.slice(0, 3), `all be ${isString ? 'strings' : 'numbers'} for ${options.dtype.name}`, 'match the values to the dtype');
    }
    return new LoadTestPayload({ ...options, signatureName: options.signatureName ?? 'serving_default', dtype: options.dtype.name, dtypeNumber: options.dtype.number, field: options.dtype.field });
  }

  private constructor(
    /** The JSON the k6 script reads. @internal */
    public readonly _spec: Record<string, unknown>,
  ) {}
}

/** Properties of a {@link LoadTest}. */
export interface LoadTestProps {
  /** The Service to load: a TfServingModel, or a canary Service in front of several. */
  readonly target: IServingEndpoint;
  /**
   * The model to call.
   *
   * @default - the target's first model
   */
  readonly modelName?: string;
  /** The request. */
  readonly payload: LoadTestPayload;
  /**
   * Protocols to drive; each batch size runs once per protocol, one scenario after the other.
   *
   * @default [LoadProtocol.GRPC, LoadProtocol.REST]
   */
  readonly protocols?: LoadProtocol[];
  /**
   * Batch sizes to send (examples per request), increasing.
   *
   * @default [1]
   */
  readonly batchSizes?: number[];
  /**
   * Concurrent virtual users (in-flight requests) per scenario.
   *
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * How long each scenario runs; at most 1 hour.
   *
   * @default Duration.minutes(1)
   */
  readonly duration?: Duration;
  /**
   * Request timeout.
   *
   * @default Duration.seconds(10)
   */
  readonly requestTimeout?: Duration;
  /**
   * Send k6's metrics to a Prometheus remote-write endpoint (k6's `experimental-prometheus-rw` output).
   *
   * @default - metrics only in the Job's log
   */
  readonly prometheusRemoteWriteUrl?: string;
  /**
   * The Job's name.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Wait this long before the first scenario (k6 scenarios' startTime), e.g. to run several load tests one
   * after the other; the deadline grows by the same amount.
   *
   * @default Duration.seconds(0)
   */
  readonly startDelay?: Duration;
  /**
   * Keep the finished Job (and its log) this long.
   *
   * @default Duration.days(1)
   */
  readonly keepFinishedFor?: Duration;
  /**
   * The k6 image, e.g. a copy in a private registry (clusters without internet egress, Binary Authorization). It
   * must be k6 0.54 or compatible: the script uses `k6/net/grpc` and `k6/encoding`.
   *
   * @default K6_IMAGE
   */
  readonly image?: string;
  /**
   * The namespace istiod runs in, for the sidecar's egress (a target in a mesh).
   *
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
}

const GAP_SECONDS = 5;
/** The label that selects one LoadTest's pods (its NetworkPolicy). */
const LOAD_TEST_LABEL = 'tfserving-constructs.io/load-test';

/**
 * A bounded k6 load test against a TF Serving Service: a Job (never restarted, deadline = the scenarios'
 * total time plus a margin) that runs one scenario per protocol × batch size and prints latency percentiles
 * (p50/p90/p95/p99), throughput and error rates per scenario in its log.
 *
 * k6 because it drives both gRPC (with a proto file) and HTTP from one script, has per-scenario tags and
 * thresholds, prints percentiles without extra services, writes Prometheus remote-write natively, and is
 * maintained by Grafana Labs; ghz is gRPC-only, fortio's gRPC load only calls its own ping service, and
 * Locust needs Python glue for gRPC.
 */
export class LoadTest extends Construct {
  /** The Job (id `Resource`). */
  public readonly job: kplus.Job;
  /** The ConfigMap with the k6 script, the payload and the proto. */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The Job's name. */
  public readonly name: string;
  /** Scenario names, in the order they run (`grpc_b1`, `rest_b1`, …). */
  public readonly scenarios: string[];
  /** The sum of the scenarios' durations and the gaps between them. */
  public readonly totalDuration: Duration;
  /** The wait before the first scenario. */
  public readonly startDelay: Duration;
  /** The Job's NetworkPolicy: no ingress; egress to DNS, the target's serving ports (and istiod, in a mesh) only. */
  public readonly networkPolicy: kplus.k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: LoadTestProps) {
    super(scope, id);
    const subject = subjectOf('LoadTest', id);
    const target = props.target;
    const modelName = props.modelName ?? target.modelNames[0];
    if (!target.modelNames.includes(modelName)) {
      fail(subject, 'modelName', modelName, `be a model the target serves (${target.modelNames.join(', ')})`, 'pick one of those names');
    }
    const protocols = props.protocols ?? [LoadProtocol.GRPC, LoadProtocol.REST];
    if (protocols.length === 0 || new Set(protocols).size !== protocols.length) {
      fail(subject, 'protocols', protocols.map((p) => p.name), 'list each protocol at most once, at least one', 'use [LoadProtocol.GRPC, LoadProtocol.REST]');
    }
    const batchSizes = props.batchSizes ?? [1];
    if (batchSizes.length === 0 || !batchSizes.every((b, i) => Number.isInteger(b) && b >= 1 && (i === 0 || b > batchSizes[i - 1]))) {
      fail(subject, 'batchSizes', batchSizes, 'be increasing positive integers, at least one', 'use e.g. [1, 8, 32]');
    }
    const batching = target.batching;
    const maxRequest = batching?.maxBatchSize;
    const last = batchSizes[batchSizes.length - 1];
    if (maxRequest !== undefined && last > maxRequest && !batching!.toParameters(1).enableLargeBatchSplitting) {
      fail(subject, 'batchSizes', batchSizes, `not exceed the target's maxBatchSize (${maxRequest}): TF Serving rejects a request larger than a batch`,
        'drop the larger sizes, or turn on enableLargeBatchSplitting in the target\'s BatchingConfig');
    }
    const concurrency = props.concurrency ?? 8;
    if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000)) {
      fail(subject, 'concurrency', concurrency, 'be an integer between 1 and 1000', 'use e.g. 8 (TF Serving advises 2 × maxBatchSize client threads for batching)');
    }
    const duration = props.duration ?? Duration.minutes(1);
    const seconds = duration.toSeconds({ integral: false });
    if (!(seconds >= 1 && seconds <= 3600 && Number.isInteger(seconds))) {
      fail(subject, 'duration', formatDuration(duration), 'be a whole number of seconds between 1 second and 1 hour (a load test is bounded)', 'use e.g. Duration.minutes(2)');
    }
    const timeout = props.requestTimeout ?? Duration.seconds(10);
    const url = props.prometheusRemoteWriteUrl;
    if (url !== undefined && !HTTP_URL.test(url)) {
      fail(subject, 'prometheusRemoteWriteUrl', url, 'be an http(s) URL', 'use e.g. http://prometheus.monitoring:9090/api/v1/write');
    }

    this.name = props.name ?? id;
    if (!DNS_1035_LABEL.test(this.name)) {
      fail(subject, 'name', this.name, 'be a DNS label (lower-case letters, digits, \'-\', at most 63 characters)', 'pass a shorter name');
    }
    const delay = (props.startDelay ?? Duration.seconds(0)).toSeconds({ integral: false });
    if (!(Number.isInteger(delay) && delay >= 0 && delay <= 86400)) {
      fail(subject, 'startDelay', formatDuration(props.startDelay!), 'be a whole number of seconds between 0 and 1 day', 'use e.g. Duration.minutes(5)');
    }
    this.startDelay = Duration.seconds(delay);
    const scenarioList: Record<string, unknown>[] = [];
    let start = delay;
    for (const protocol of protocols) {
      for (const b of batchSizes) {
        scenarioList.push({ name: `${protocol.name}_b${b}`, protocol: protocol.name, batchSize: b, startSeconds: start });
        start += seconds + GAP_SECONDS;
      }
    }
    this.scenarios = scenarioList.map((s) => s.name as string);
    const totalSeconds = start - GAP_SECONDS - delay;
    this.totalDuration = Duration.seconds(totalSeconds);

    const host = target.serviceNamespace ? `${target.serviceName}.${target.serviceNamespace}.svc` : target.serviceName;
    const config = {
      model: modelName,
      grpcAddress: `${host}:${target.grpcPort}`,
      restUrl: `http://${host}:${target.restPort}/v1/models/${modelName}:predict`,
      concurrency,
      durationSeconds: seconds,
      timeoutMs: timeout.toMilliseconds(),
      scenarios: scenarioList,
      payload: props.payload._spec,
    };
    const labels = { 'app.kubernetes.io/name': 'tfserving-loadtest', 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
    this.configMap = new kplus.k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-k6`, labels },
      data: { 'loadtest.json': `${JSON.stringify(config, null, 2)}\n`, 'script.js': K6_SCRIPT, 'predict.proto': PREDICT_PROTO },
    });

    this.job = new kplus.Job(this, 'Resource', {
      metadata: { name: this.name, labels },
      podMetadata: { labels: { ...labels, [LOAD_TEST_LABEL]: this.name } },
      backoffLimit: 0,
      // Bounded: the deadline stops a stuck run; the scenarios' own durations stop a healthy one.
      activeDeadline: Duration.seconds(delay + totalSeconds + 120),
      ttlAfterFinished: props.keepFinishedFor ?? Duration.days(1),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: 12345, group: 12345 },
    });
    if (target.mesh) {
      // The target admits only mTLS callers: run with a sidecar, as a native sidecar so that it stops when k6 ends
      // (a classic sidecar keeps the Job running until its deadline). `sidecar.istio.io/inject` is a label: Istio's
      // injection webhook selects pods by it (objectSelector); the annotation form is deprecated (istioctl analyze IST0135).
      this.job.podMetadata.addLabel('sidecar.istio.io/inject', 'true');
      this.job.podMetadata.addAnnotation('sidecar.istio.io/nativeSidecar', 'true');
      const mesh = target.mesh;
      this.node.addValidation({
        validate: () => {
          const ns = Chart.of(this).namespace ?? 'default';
          return mesh.admits(ns, 'default') ? [] : [`${subject}: 'target' (${target.serviceName}) must admit the load test's identity ${ns}/default `
            + `(it admits ${mesh.callers.join(', ')}). Fix: put the LoadTest in a chart whose namespace the target's allowFrom lists, or add MeshCaller.namespace('${ns}') to allowFrom`];
        },
      });
    }
    const ns = Chart.of(this).namespace ?? 'default';
    if (target.admitsNamespace) {
      const admits = target.admitsNamespace.bind(target);
      this.node.addValidation({
        validate: () => (admits(ns) === false ? [`${subject}: 'target' (${target.serviceName}) must admit the load test's namespace '${ns}' `
          + 'through the NetworkPolicy of its servers: the packets are dropped before any mesh rule is read. '
          + `Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': '${ns}' } } } to networkPolicy.allowFrom of the target's servers, `
          + `or create the LoadTest in namespace '${target.serviceNamespace ?? 'default'}'`] : []),
      });
    }
    this.networkPolicy = this.loadTestNetworkPolicy(props, labels, ns);
    ensureUniqueObjectNames(this);
    const args = ['run', '--quiet', ...(url ? ['-o', 'experimental-prometheus-rw'] : []), '/config/script.js'];
    const container = this.job.addContainer({
      name: 'k6',
      image: props.image ?? K6_IMAGE,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args,
      resources: { cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(1) }, memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
      securityContext: { ensureNonRoot: true, user: 12345, group: 12345, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
    });
    if (url) {
      container.env.addVariable('K6_PROMETHEUS_RW_SERVER_URL', kplus.EnvValue.fromValue(url));
      container.env.addVariable('K6_PROMETHEUS_RW_TREND_STATS', kplus.EnvValue.fromValue('p(50),p(90),p(95),p(99),max'));
    }
    container.mount('/config', kplus.Volume.fromConfigMap(this, 'ConfigVolume', kplus.ConfigMap.fromConfigMapName(this, 'ConfigRef', `${this.name}-k6`), { name: 'k6' }), { readOnly: true });
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(64) }));
    hardenPodTemplate(ApiObject.of(this.job));
  }

  /**
   * No ingress; egress to DNS, to the target's pods on its serving ports (the Service's cluster IP is translated to
   * a pod address before NetworkPolicy applies; a sidecar connects to pod addresses itself), to istiod (15012) for
   * a sidecar, and to the remote-write port.
   */
  private loadTestNetworkPolicy(props: LoadTestProps, labels: Record<string, string>, namespace: string): kplus.k8s.KubeNetworkPolicy {
    const target = props.target;
    const tcp = (port: number) => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const byName = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
    const targetNs = target.serviceNamespace ?? namespace;
    const pods = target.selectorLabels ? { podSelector: { matchLabels: { ...target.selectorLabels } } } : {};
    const to = targetNs === namespace ? (target.selectorLabels ? [pods] : [{ podSelector: {} }]) : [{ ...byName(targetNs), ...pods }];
    const egress: kplus.k8s.NetworkPolicyEgressRule[] = [
      { ports: [{ port: kplus.k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)] },
      { to, ports: [tcp(target.grpcPort), tcp(target.restPort)] },
    ];
    if (target.mesh) egress.push({ to: [byName(props.istioNamespace ?? 'istio-system')], ports: [tcp(15012)] });
    const url = props.prometheusRemoteWriteUrl;
    if (url) {
      const m = /^(https?):\/\/[^/:]+(?::(\d+))?/.exec(url)!;
      egress.push({ ports: [tcp(m[2] ? Number(m[2]) : m[1] === 'https' ? 443 : 80)] });
    }
    // With a sidecar, the mesh's Prometheus scrapes Envoy's and the agent's metrics (15090, 15020); otherwise nothing
    // listens on the Job's pods and every ingress is refused.
    const ingress = target.mesh ? [{ ports: [tcp(15020), tcp(15090)] }] : undefined;
    return new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.name, labels },
      // The Job's own label only: a LoadTest may share its name (the instance label) with a server.
      spec: { podSelector: { matchLabels: { [LOAD_TEST_LABEL]: this.name } }, policyTypes: ['Ingress', 'Egress'], ...(ingress ? { ingress } : {}), egress },
    });
  }
}

/**
 * The smallest wire-compatible subset of TF Serving's prediction API: the service path
 * (`/tensorflow.serving.PredictionService/Predict`) and the field numbers are those of
 * tensorflow_serving/apis/{prediction_service,predict,model}.proto and tensorflow/core/framework/
 * {tensor,tensor_shape}.proto; only the fields a load test sends or reads are declared.
 */
export const PREDICT_PROTO = `syntax = "proto3";
package tensorflow.serving;

message TensorShapeProto {
  message Dim {
    int64 size = 1;
  }
  repeated Dim dim = 2;
}

message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10 [packed = true];
}

message ModelSpec {
  string name = 1;
  string signature_name = 3;
}

message PredictRequest {
  ModelSpec model_spec = 1;
  map<string, TensorProto> inputs = 2;
}

message PredictResponse {
  ModelSpec model_spec = 2;
  map<string, TensorProto> outputs = 1;
}

service PredictionService {
  rpc Predict(PredictRequest) returns (PredictResponse);
}
`;

/** The k6 script: reads /config/loadtest.json, one constant-VUs scenario per protocol × batch size. */
export const K6_SCRIPT = `import http from 'k6/http';
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
`;
