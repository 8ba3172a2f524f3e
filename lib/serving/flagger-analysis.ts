import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { TfServingModel } from './tf-serving-model';
import { fail, show } from '../core/errors';
import {
  CanarySpec, CanarySpecAnalysisWebhooks, CanarySpecAnalysisWebhooksType, CanarySpecAutoscalerRefKind, CanarySpecTargetRefKind,
} from '../imports/flagger.app';
import { formatDuration } from '../private/duration';
import { TF_SERVING_METRICS } from '../tfserving/metrics';

/*
 * The parts of a Flagger rollout that do not depend on the router (Istio in lib/mesh, the Gateway API in
 * lib/gateway): the analysis schedule, the load tester and its webhooks, and the MetricTemplate queries over TF
 * Serving's own metrics. Pure: rules and values only, no objects.
 */

/** Flagger's load tester (flagger-loadtester) and the requests it sends during the analysis. */
export interface FlaggerLoadTesterOptions {
  /** The load tester's URL, `http://SERVICE.NAMESPACE/` (its namespace is read from the host). */
  readonly url: string;
  /**
   * A JSON body for `POST /v1/models/MODEL:predict`, sent by `hey` for each analysis step.
   *
   * @default - no load: only the pre-rollout model check
   */
  readonly requestBody?: string;
  /**
   * A gRPC `PredictionService/Predict` load during rollout, sent by `ghz` (it ships in Flagger's load tester image)
   * to the canary Service's gRPC port, so that a canary whose clients speak only gRPC is judged on gRPC traffic
   * (the gRPC error-rate check reads only gRPC requests, and TF Serving has no gRPC reflection for ghz to use).
   *
   * @default - no gRPC load
   */
  readonly grpcRequest?: FlaggerGrpcLoadOptions;
  /**
   * Requests per second of each load (REST and gRPC).
   *
   * @default 10
   */
  readonly requestsPerSecond?: number;
}

/** The gRPC load of Flagger's load tester: one PredictRequest, sent by `ghz`. */
export interface FlaggerGrpcLoadOptions {
  /**
   * The PredictRequest in protobuf JSON (ghz `-d`), with `model_spec.name` one of the server's models, e.g.
   * `'{"model_spec": {"name": "resnet"}, "inputs": {"x": {"dtype": 1, "tensor_shape": {"dim": [{"size": 1}]}, "float_val": [1]}}}'`.
   */
  readonly requestJson: string;
  /**
   * Path, in the load tester container, of a `.proto` file that declares `tensorflow.serving.PredictionService`
   * (ghz `--proto`; mount it from a ConfigMap). The package's `build/ops/k6/predict.proto`, a self-contained
   * wire-compatible subset of TF Serving's predict.proto, will do.
   */
  readonly protoPath: string;
}

/** Default P99 latency limit of a Flagger analysis, on top of the largest batching timeout. */
export const LATENCY_BUDGET_MS = 500;

/** The analysis schedule every Flagger rollout has, whatever routes it (IstioCanary's and GatewayCanary's `flagger`). */
export interface FlaggerStepOptions {
  /**
   * How often Flagger runs the checks and shifts traffic (`analysis.interval`); whole seconds.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Failed checks before a rollback (`analysis.threshold`).
   *
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Percent of traffic added to the canary at each step (`analysis.stepWeight`).
   *
   * @default 10
   */
  readonly stepWeight?: number;
  /**
   * Canary percent at which Flagger promotes (`analysis.maxWeight`).
   *
   * @default 50
   */
  readonly maxWeight?: number;
  /**
   * How long the canary Deployment may take to become ready before Flagger rolls back (`progressDeadlineSeconds`).
   * At least the servers' own progress deadline (refused otherwise): TF Serving opens its ports only once the models
   * are loaded.
   *
   * @default Duration.minutes(15)
   */
  readonly progressDeadline?: Duration;
}

/** The analysis schedule with its defaults applied. */
export interface FlaggerSteps {
  /** `analysis.interval` as Flagger writes it (`1m`, `30s`). */
  readonly interval: string;
  readonly threshold: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
  readonly progressDeadlineSeconds: number;
}

/**
 * A Flagger interval (`^[0-9]+(m|s)`): `1m` for whole minutes, else whole seconds; `undefined` when the duration is
 * not a whole number of seconds of at least one.
 */
export function flaggerInterval(d: Duration): string | undefined {
  const ms = d.toMilliseconds({ integral: false });
  if (!(ms >= 1000 && ms % 1000 === 0)) return undefined;
  const s = ms / 1000;
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/**
 * Checks the schedule props (under `prefix`, e.g. `flagger`) and applies the defaults: every minute, 10 % steps up
 * to 50 %, rollback after 5 failed checks, 15 minutes for the canary to become ready.
 */
export function resolveFlaggerSteps(subject: string, prefix: string, f: FlaggerStepOptions): FlaggerSteps {
  const pct = (prop: string, v: number | undefined, min: number, fix: string) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= 100)) {
      fail(subject, prop, v, `be a whole percentage between ${min} and 100`, fix);
    }
  };
  pct(`${prefix}.stepWeight`, f.stepWeight, 1, 'use 10');
  pct(`${prefix}.maxWeight`, f.maxWeight, 1, 'use 50');
  const step = f.stepWeight ?? 10;
  const max = f.maxWeight ?? 50;
  if (step > max) fail(subject, `${prefix}.stepWeight`, step, `not exceed maxWeight (${max})`, 'lower stepWeight or raise maxWeight');
  if (f.threshold !== undefined && !(Number.isInteger(f.threshold) && f.threshold >= 1)) {
    fail(subject, `${prefix}.threshold`, f.threshold, 'be an integer of at least 1', 'use 5');
  }
  for (const k of ['interval', 'progressDeadline'] as const) {
    const d = f[k];
    if (d !== undefined && flaggerInterval(d) === undefined) {
      fail(subject, `${prefix}.${k}`, formatDuration(d), 'be a whole number of seconds, at least 1', 'use Duration.minutes(1)');
    }
  }
  return {
    interval: flaggerInterval(f.interval ?? Duration.minutes(1))!,
    threshold: f.threshold ?? 5,
    stepWeight: step,
    maxWeight: max,
    progressDeadlineSeconds: Math.round((f.progressDeadline ?? Duration.minutes(15)).toSeconds()),
  };
}

/**
 * Flagger rolls back a canary Deployment that has not become ready within progressDeadlineSeconds
 * (pkg/canary/deployment_controller IsCanaryReady). TF Serving opens its ports only once the models are loaded, so
 * the server's own rollout budget (startup timeout plus node and image time) is the floor.
 */
export function checkProgressDeadline(subject: string, prop: string, seconds: number, target: TfServingModel): void {
  const rolloutBudget = target.deployment.progressDeadline.toSeconds();
  if (seconds < rolloutBudget) {
    fail(subject, prop, `${seconds}s`,
      `be at least the progress deadline of TfServingModel '${target.node.id}' (${rolloutBudget}s: its startup timeout plus node and image time): `
      + 'Flagger would roll back a canary that is still loading its models',
      `set ${prop}: Duration.seconds(${rolloutBudget}) or more, or lower the server's probes.startupTimeout`);
  }
}

/** Checks the load tester props (under `prop`, e.g. `flagger.loadTester`); returns the load tester's namespace. */
export function checkLoadTester(subject: string, prop: string, lt: FlaggerLoadTesterOptions, why: string): string {
  const m = /^https?:\/\/[a-z0-9-]+\.([a-z0-9-]+)(\.[^/:]*)?(:\d+)?(\/.*)?$/.exec(lt.url);
  if (!m) fail(subject, `${prop}.url`, lt.url, `be http://SERVICE.NAMESPACE/ (${why})`, 'use \'http://flagger-loadtester.test/\'');
  if (lt.requestBody !== undefined) {
    try {
      JSON.parse(lt.requestBody);
    } catch {
      fail(subject, `${prop}.requestBody`, lt.requestBody.slice(0, 40), 'be JSON (TF Serving\'s REST predict body)', 'use e.g. \'{"instances": [[1.0, 2.0]]}\'');
    }
  }
  const grpc = lt.grpcRequest;
  if (grpc) {
    let request: any;
    try {
      request = JSON.parse(grpc.requestJson);
    } catch {
      request = undefined;
    }
    // TF Serving's Predict looks the model up by model_spec.name (predict_util / GetModelSpec); ghz reads the JSON
    // with protobuf's JSON names, where both `model_spec` and `modelSpec` are accepted.
    const spec = request?.model_spec ?? request?.modelSpec;
    if (typeof spec?.name !== 'string' || spec.name === '') {
      fail(subject, `${prop}.grpcRequest.requestJson`, grpc.requestJson.slice(0, 40),
        'be a PredictRequest in protobuf JSON that names its model (model_spec.name)', 'use e.g. \'{"model_spec": {"name": "resnet"}, "inputs": {…}}\'');
    }
    if (!/^\/\S+\.proto$/.test(grpc.protoPath)) {
      fail(subject, `${prop}.grpcRequest.protoPath`, grpc.protoPath, 'be an absolute path to a .proto file in the load tester container (no spaces)',
        'mount a ConfigMap with predict.proto into the load tester and use e.g. \'/protos/predict.proto\'');
    }
  }
  if (lt.requestsPerSecond !== undefined && !(Number.isInteger(lt.requestsPerSecond) && lt.requestsPerSecond >= 1)) {
    fail(subject, `${prop}.requestsPerSecond`, lt.requestsPerSecond, 'be an integer of at least 1', 'use 10');
  }
  return m[1];
}

/** The gRPC load names a model the server serves (re-checked at synthesis: models grow through addModel()). */
export function checkLoadTesterModel(subject: string, prop: string, lt: FlaggerLoadTesterOptions | undefined, server: TfServingModel): void {
  const grpc = lt?.grpcRequest;
  if (!grpc) return;
  const request = JSON.parse(grpc.requestJson);
  const name: string = (request.model_spec ?? request.modelSpec).name;
  const models = server.modelNames;
  if (!models.includes(name)) {
    fail(subject, `${prop}.grpcRequest.requestJson`, `model_spec.name '${name}'`,
      `name a model of TfServingModel '${server.node.id}' (${show(models)}): TF Serving answers NOT_FOUND, and the load would only count as errors`,
      `set model_spec.name to one of ${show(models)}`);
  }
}

/** Where Flagger's canary Service answers: `NAME-canary.NAMESPACE`, and the server's ports and first model. */
export interface FlaggerCanaryTarget {
  /** The apex name (`service.name`); Flagger's canary Service is `NAME-canary`. */
  readonly name: string;
  readonly namespace: string;
  readonly restPort: number;
  readonly grpcPort: number;
  /** The model the pre-rollout check reads and the REST load predicts with. */
  readonly model: string;
}

/**
 * Flagger webhooks run by its load tester (flagger-loadtester: `type: bash` runs `cmd` with bash, `cmd` alone runs
 * it with `sh -c` in the background, pkg/loadtester task_shell.go `CmdTask`): a pre-rollout check that the canary
 * Service (`NAME-canary`, which Flagger creates) reports the first model AVAILABLE (TF Serving's model status,
 * GET /v1/models/NAME), and REST and gRPC predict load during rollout.
 */
export function loadTesterWebhooks(target: FlaggerCanaryTarget, lt: FlaggerLoadTesterOptions): CanarySpecAnalysisWebhooks[] {
  const base = `http://${target.name}-canary.${target.namespace}:${target.restPort}/v1/models/${target.model}`;
  const quote = (text: string) => `'${text.replace(/'/g, '\'\\\'\'')}'`;
  const hooks: CanarySpecAnalysisWebhooks[] = [{
    name: 'model-available', type: CanarySpecAnalysisWebhooksType.PRE_HYPHEN_ROLLOUT, url: lt.url, timeout: '30s',
    metadata: { type: 'bash', cmd: `curl -sf ${base} | grep -q AVAILABLE` },
  }];
  const rps = lt.requestsPerSecond ?? 10;
  if (lt.requestBody !== undefined) {
    hooks.push({
      name: 'predict-load', type: CanarySpecAnalysisWebhooksType.ROLLOUT, url: lt.url, timeout: '15s',
      metadata: { cmd: `hey -z 1m -q ${rps} -c 2 -m POST -T application/json -d ${quote(lt.requestBody)} ${base}:predict` },
    });
  }
  if (lt.grpcRequest) {
    // ghz (in the load tester image, Dockerfile.loadtester) with the proto given: TF Serving registers no reflection
    // service (server.cc registers ModelService and PredictionService only). `--insecure` is plaintext from ghz (in a
    // mesh, the load tester's sidecar upgrades it to mTLS). `--rps` is ghz's constant request rate (`-q` before ghz 0.70).
    const target_ = `${target.name}-canary.${target.namespace}:${target.grpcPort}`;
    hooks.push({
      name: 'predict-load-grpc', type: CanarySpecAnalysisWebhooksType.ROLLOUT, url: lt.url, timeout: '15s',
      metadata: {
        cmd: `ghz -z 1m --rps ${rps} -c 2 --insecure --proto ${lt.grpcRequest.protoPath} --call tensorflow.serving.PredictionService/Predict `
          + `-d ${quote(lt.grpcRequest.requestJson)} ${target_}`,
      },
    });
  }
  return hooks;
}

/**
 * The canonical gRPC code names TF Serving records as `status` of its request counter for a failure of the server
 * (not of the caller): UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS
 * (codes 2, 4, 8, 12, 13, 14, 15). util.cc `RecordModelRequestCount` names the status with `error::Code_Name`; REST
 * requests are counted too (http_server.cc, after the handler answered).
 */
export const TF_SERVING_SERVER_ERRORS = ['UNKNOWN', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS'];

/**
 * The series of Flagger's canary pods, in Flagger's template variables: the target Deployment's own pods
 * (`TARGET-<replicaset hash>-<suffix>`; PromQL regex matches are anchored, so `TARGET-primary-…` pods, three parts,
 * never match), by the `namespace` and `pod` target labels that a PodMonitoring (Managed Prometheus) and a
 * ServiceMonitor both attach.
 */
const FLAGGER_CANARY_PODS = 'namespace="{{ namespace }}",pod=~"{{ target }}-[a-z0-9]+-[a-z0-9]+"';

/**
 * A Flagger MetricTemplate query: percent of the canary's requests (REST and gRPC) that TF Serving answered without
 * a server error, from its own request counter. No value (Flagger halts the step) while the canary gets no request.
 */
export function tfServingSuccessRateQuery(): string {
  const m = TF_SERVING_METRICS.requestCount;
  const errors = `sum(rate(${m}{${FLAGGER_CANARY_PODS},status=~"${TF_SERVING_SERVER_ERRORS.join('|')}"}[{{ interval }}]))`;
  const all = `(sum(rate(${m}{${FLAGGER_CANARY_PODS}}[{{ interval }}])) > 0)`;
  return `100 - (${errors} or on() vector(0)) / ${all} * 100`;
}

/**
 * A Flagger MetricTemplate query: the P99 request latency of the canary in milliseconds, from TF Serving's
 * request_latency histogram (microseconds; recorded for successful requests, http_server.cc and
 * prediction_service_impl.cc). No value while the canary gets no request.
 */
export function tfServingLatencyQuery(): string {
  const m = TF_SERVING_METRICS.requestLatency;
  return `histogram_quantile(0.99, sum by (le) (rate(${m}_bucket{${FLAGGER_CANARY_PODS}}[{{ interval }}]))) / 1000`;
}

/**
 * What Flagger rolls out, in any router's Canary: the server's Deployment (`targetRef`), its HPA when it has one
 * (`autoscalerRef`: Flagger creates the primary's copy), and the progress deadline.
 */
export function flaggerTarget(server: TfServingModel, progressDeadlineSeconds: number)
  : Pick<CanarySpec, 'targetRef' | 'autoscalerRef' | 'progressDeadlineSeconds'> {
  return {
    targetRef: { apiVersion: 'apps/v1', kind: CanarySpecTargetRefKind.DEPLOYMENT, name: server.name },
    ...(server.autoscaler
      ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: CanarySpecAutoscalerRefKind.HORIZONTAL_POD_AUTOSCALER, name: server.name } }
      : {}),
    progressDeadlineSeconds,
  };
}

/**
 * Hands a server's Deployment to Flagger as its target, whatever routes it: the selector `app: <name>` (Flagger names
 * its Services' selectors after the first of `app`, `name`, `app.kubernetes.io/name` in the target's selector,
 * pkg/canary/deployment_controller.go, and `app.kubernetes.io/name` is shared by every TF Serving server), and no
 * fixed `replicas`: Flagger owns the target's scale (zero after promotion, up for each analysis), and a fixed value
 * applied again by GitOps would fight it. The pod label `app` itself is the caller's (each canary checks it its way).
 */
export function handTargetToFlagger(server: TfServingModel): void {
  server.deployment.select(kplus.LabelSelector.of({ labels: { app: server.name } }));
  if (server.deployment.replicas !== undefined) ApiObject.of(server.deployment).addJsonPatch(JsonPatch.remove('/spec/replicas'));
}
