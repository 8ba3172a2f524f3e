import { Duration } from 'cdk8s';
import type { TfServingModel } from './tf-serving-model';
import { fail, show } from '../core/errors';
import { SERVER_NAME } from '../core/names';

/*
 * One declaration of a traffic split between a stable and a canary TF Serving server, whatever renders it (Istio's
 * VirtualService in lib/mesh, the Gateway API's HTTPRoute/GRPCRoute in lib/gateway): the weights, the pinning header,
 * the mirror share, the request budget sized from the batching timeout, and the prediction surface that is routed.
 * Pure: rules and values only, no objects.
 */

/** A traffic split in whole percent; the two sum to 100. */
export interface TrafficWeights {
  /** Percent of requests to the stable version. */
  readonly stable: number;
  /** Percent of requests to the canary version. */
  readonly canary: number;
}

/** Header pinning: a request header that sends a request to one version whatever the weights. */
export interface HeaderPinningOptions {
  /**
   * Route `HEADER: canary` to the canary and `HEADER: stable` to the stable version.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The header name, lower case (Istio matches header names in lower case).
   *
   * @default 'x-model-version'
   */
  readonly header?: string;
}

/** The largest batching timeout of a set of servers, and where it is set. */
export interface BatchTimeoutSource {
  /** The timeout (0 when no server batches). */
  readonly timeout: Duration;
  /** Where it is set, e.g. `TfServingModel 'resnet-v2' models[0].batching`. */
  readonly source?: string;
}

const HEADER_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Time a request may take once its batch runs, on top of the batching timeout (the default request budget). */
export const INFERENCE_BUDGET_MS = 10_000;

/** The gRPC prediction surface as service and method: every PredictionService method and ModelService/GetModelStatus. */
export const PREDICTION_GRPC_METHODS: ReadonlyArray<{ readonly service: string; readonly method: string }> = [
  ...['Classify', 'Regress', 'Predict', 'MultiInference', 'GetModelMetadata'].map((method) => ({ service: 'tensorflow.serving.PredictionService', method })),
  { service: 'tensorflow.serving.ModelService', method: 'GetModelStatus' },
];

/**
 * TF Serving's gRPC prediction surface, as Istio matches gRPC (`/package.Service/Method`): every method of
 * `PredictionService` (apis/prediction_service.proto) and `ModelService/GetModelStatus` (apis/model_service.proto).
 * server.cc (`Server::BuildAndStart`) registers ModelService and PredictionService on the one gRPC port.
 */
export const PREDICTION_GRPC_PATHS = PREDICTION_GRPC_METHODS.map((m) => `/${m.service}/${m.method}`);

/**
 * The admin RPC: model_service_impl.cc (`ModelServiceImpl::HandleReloadConfigRequest`) replaces the model config
 * (unloads every model not listed, loads any base_path the server can read) and checks no caller identity.
 */
export const RELOAD_GRPC_PATH = '/tensorflow.serving.ModelService/HandleReloadConfigRequest';

/**
 * The REST prediction surface. http_rest_api_util.cc (`ParseModelInfo`): POST `/v1/models/NAME[/versions/N|
 * /labels/L]:(classify|regress|predict)`, GET `/v1/models/NAME[…][/metadata]`; every other method or path is an
 * error. Routers compare paths case-sensitively while TF Serving's regexes start with `(?i)`, so `/V1/MODELS/…` is
 * not routed (fail closed).
 */
export const REST_PREFIX = '/v1/models/';
/** The methods of the REST prediction surface: GET (status, metadata) and POST (classify, regress, predict). */
export const REST_METHODS = ['GET', 'POST'];

/** Checks a split: whole percentages that sum to 100; stable only when none is given. */
export function checkWeights(subject: string, weights: TrafficWeights | undefined): TrafficWeights {
  const w = weights ?? { stable: 100, canary: 0 };
  for (const k of ['stable', 'canary'] as const) {
    if (!(Number.isInteger(w[k]) && w[k] >= 0 && w[k] <= 100)) {
      fail(subject, `weights.${k}`, w[k], 'be a whole percentage between 0 and 100', 'use e.g. { stable: 95, canary: 5 }');
    }
  }
  if (w.stable + w.canary !== 100) {
    fail(subject, 'weights', w, `sum to 100 (they sum to ${w.stable + w.canary})`, `use { stable: ${100 - w.canary}, canary: ${w.canary} }`);
  }
  return { stable: w.stable, canary: w.canary };
}

/**
 * The pinning header, or undefined when pinning is off. `why` says who matches the header in lower case (for the
 * message).
 */
export function resolvePinHeader(subject: string, pinning: HeaderPinningOptions | undefined, why: string): string | undefined {
  if (pinning?.enabled === false) return undefined;
  const header = pinning?.header ?? 'x-model-version';
  if (!HEADER_RE.test(header)) {
    fail(subject, 'pinning.header', header,
      `be a lower-case header name (letters, digits, '-'); ${why}`,
      `use ${show(header.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}`);
  }
  return header;
}

/** Checks the mirror share: a percentage between 0 and 100. */
export function checkMirrorPercent(subject: string, mirrorPercent: number | undefined): number | undefined {
  if (mirrorPercent !== undefined && !(mirrorPercent >= 0 && mirrorPercent <= 100)) {
    fail(subject, 'mirrorPercent', mirrorPercent, 'be between 0 and 100', 'use 10 to shadow one request in ten to the canary');
  }
  return mirrorPercent;
}

/** The largest batching timeout of the servers (server-level and per-model), with where it is set. */
export function batchTimeoutOf(servers: TfServingModel[]): BatchTimeoutSource {
  let best: BatchTimeoutSource = { timeout: Duration.millis(0) };
  for (const s of servers) {
    const candidates: [Duration | undefined, string][] = [[s.batching?.batchTimeout, `TfServingModel '${s.node.id}' batching`]];
    s.models.forEach((m, i) => candidates.push([m.batching?.batchTimeout, `TfServingModel '${s.node.id}' models[${i}].batching`]));
    for (const [d, source] of candidates) {
      if (d && d.toMilliseconds({ integral: false }) > best.timeout.toMilliseconds({ integral: false })) best = { timeout: d, source };
    }
  }
  return best;
}

/** The time one request may take: 10 s of inference plus the largest batching timeout of the servers. */
export function requestBudgetOf(servers: TfServingModel[]): Duration {
  return Duration.millis(INFERENCE_BUDGET_MS + batchTimeoutOf(servers).timeout.toMilliseconds({ integral: false }));
}

/** The name of a split (from the `name` prop or the construct id): a DNS label short enough for every derived object name. */
export function resolveSplitName(subject: string, id: string, name: string | undefined): string {
  const resolved = name ?? id;
  if (!SERVER_NAME.test(resolved)) {
    fail(subject, name === undefined ? 'name (from the construct id)' : 'name', resolved,
      'be a DNS label of at most 42 characters (lower-case letters, digits, \'-\'), so that every derived object name is valid',
      'pass name: \'resnet\' or use such an id');
  }
  return resolved;
}
