import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  FlaggerLoadTesterOptions, FlaggerOptions, GatewayExposureOptions, IstioCanaryMode, JwtOptions, IstioCanaryProps, LabelRoutingOptions, MeshCaller,
  ScraperAccess,
} from './canary-options';
import { fail, show } from '../core/errors';
import { checkLabels, checkQuantity, checkSize } from '../core/kubernetes';
import { DNS_LABEL, DNS_SUBDOMAIN, HTTP_URL } from '../core/names';
import { formatDuration } from '../private/duration';
import { namespacePeerText, namespaceRefusal } from '../private/network-peers';
import {
  checkLoadTester, checkLoadTesterModel as checkFlaggerLoadTesterModel, checkProgressDeadline, LATENCY_BUDGET_MS, resolveFlaggerSteps,
} from '../serving/flagger-analysis';
import type { TfServingModel } from '../serving/tf-serving-model';
import {
  batchTimeoutOf, checkMirrorPercent, checkWeights, INFERENCE_BUDGET_MS, resolvePinHeader, resolveSplitName, TrafficWeights,
} from '../serving/traffic-split';

export { batchTimeoutOf };

/** The label every serving pod of a canary carries, valued with the canary's name. */
export const CANARY_LABEL = 'tfserving-constructs.io/canary';
/** The label that tells the versions apart in static mode. */
export const VERSION_LABEL = 'version';

/**
 * Only failures where the request never reached TF Serving: Envoy's `connect-failure` and `refused-stream` (router
 * filter, x-envoy-retry-on). TF Serving answers UNAVAILABLE when a batch queue is full (batching/
 * batch_scheduler_retrier and shared_batch_scheduler: "The batch scheduling queue to which this task was submitted is
 * full"), which http_rest_api_handler maps to 503: retrying it adds load exactly where the server is saturated.
 */
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream';
/** Default P99 latency limit of the Flagger analysis, on top of the batching timeout (serving/flagger-analysis.ts). */
export { LATENCY_BUDGET_MS };
/** The identity of the ingress gateway pods of Istio's default install (istioctl, `istio-ingressgateway`). */
const DEFAULT_GATEWAY_IDENTITY = () => MeshCaller.serviceAccount('istio-system', 'istio-ingressgateway-service-account');

/** Pod labels and annotations the canary puts on one of its servers. */
export interface PodLabelPlan {
  /** The prop that names the server, for messages. */
  readonly prop: 'stable' | 'canary';
  /** The server. */
  readonly server: TfServingModel;
  /** The labels. */
  readonly labels: Record<string, string>;
}

/** The sidecar settings, resolved. */
export interface ProxyPlan {
  /** `sidecar.istio.io/*` resource annotations (empty when the mesh defaults apply). */
  readonly annotations: Record<string, string>;
  /** Merge `holdApplicationUntilProxyStarts: true` into `proxy.istio.io/config`. */
  readonly holdApplication: boolean;
}

/**
 * Istio's injection label. The injector webhook selects pods by it (objectSelector of
 * `object.sidecar-injector.istio.io`, pkg/kube/inject `injectRequired`); the annotation form is deprecated
 * (istioctl analyze IST0135). Without a sidecar, PeerAuthentication and AuthorizationPolicy enforce nothing.
 */
export const INJECT_LABEL = 'sidecar.istio.io/inject';
/** Envoy's and the Istio agent's ports (15000 admin, 15001 outbound, 15006 inbound, 15020/15021 agent, 15090 metrics …). */
const ISTIO_PORTS = { first: 15000, last: 15090 };

/** Outlier detection with its defaults applied. */
export interface OutlierPlan {
  readonly consecutive5xxErrors: number;
  readonly consecutiveLocalOriginFailures: number;
  readonly interval: Duration;
  readonly baseEjectionTime: Duration;
  readonly maxEjectionPercent: number;
}

/** Gateway exposure with its defaults applied. */
export interface GatewayPlan {
  /** The Gateway's hosts as given (`[NAMESPACE/]HOST`). */
  readonly hosts: string[];
  /** The hosts of the gateway VirtualService: the host part of each (a VirtualService host has no namespace). */
  readonly routeHosts: string[];
  readonly tlsSecretName: string;
  readonly port: number;
  readonly selector: Record<string, string>;
  readonly identity: MeshCaller;
  readonly allowExternalPinning: boolean;
  readonly jwt?: JwtOptions;
}

/** Label routing with its defaults applied. */
export interface LabelRoutingPlan {
  readonly stableLabel: string;
  readonly canaryLabel: string;
  /** The models named in the props; undefined: every model with both labels, found at synthesis. */
  readonly models?: string[];
  readonly allowUnlabeledGrpcToCanary: boolean;
  /** The props as given, for messages. */
  readonly given: LabelRoutingOptions;
}

/** Flagger hand-off with its defaults applied (the latency limit depends on the models: see {@link maxLatencyOf}). */
export interface FlaggerPlan {
  readonly interval: string;
  readonly threshold: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
  readonly minSuccessRate: number;
  readonly maxLatency?: Duration;
  readonly maxGrpcErrorRate: number;
  readonly prometheusAddress: string;
  readonly progressDeadlineSeconds: number;
  readonly loadTester?: FlaggerLoadTesterOptions;
}

/**
 * Everything an IstioCanary's props decide, resolved once (defaults applied, every rule on the props checked).
 * The objects render from it; what depends on the servers' models, which can still grow, is read at synthesis
 * ({@link batchTimeoutOf}, {@link labelRoutedModels}).
 */
export interface CanaryPlan {
  readonly subject: string;
  readonly name: string;
  readonly namespace?: string;
  readonly mode: IstioCanaryMode;
  readonly stable: TfServingModel;
  readonly canary?: TfServingModel;
  /** stable, and canary in static mode. */
  readonly servers: TfServingModel[];
  readonly weights: TrafficWeights;
  readonly pinHeader?: string;
  readonly mirrorPercent?: number;
  readonly retryAttempts: number;
  readonly retryOn: string;
  /** Retry budget percent (static and label modes); undefined when retries are off. */
  readonly retryBudgetPercent?: number;
  /** Concurrent retries per client proxy (Flagger mode); undefined when retries are off. */
  readonly retryMaxConcurrent?: number;
  /** Set explicitly; else sized from the batching timeout at synthesis. */
  readonly perTryTimeout?: Duration;
  /** Set explicitly; else (attempts + 1) × perTryTimeout. */
  readonly timeout?: Duration;
  readonly outlier?: OutlierPlan;
  readonly gateway?: GatewayPlan;
  readonly labelRouting?: LabelRoutingPlan;
  readonly flagger?: FlaggerPlan;
  readonly allowFrom: MeshCaller[];
  readonly adminCallers: MeshCaller[];
  readonly scraper: ScraperAccess;
  /** The servers' metrics paths, sorted, without duplicates. */
  readonly metricsPaths: string[];
  readonly trustDomain: string;
  readonly istioNamespace?: string;
  /** Labels of every object the canary writes. */
  readonly labels: Record<string, string>;
  /** Labels that select the serving pods of every version. */
  readonly podSelector: Record<string, string>;
  readonly podLabels: PodLabelPlan[];
  readonly proxy: ProxyPlan;
}

/** Resolves and checks the props; throws the first ConfigError. Has no side effects. */
export function resolveCanaryPlan(subject: string, id: string, namespace: string | undefined, props: IstioCanaryProps): CanaryPlan {
  const name = resolveSplitName(subject, id, props.name);
  const { stable, canary } = props;
  const mode = resolveMode(subject, name, props);
  const weights = checkWeights(subject, props.weights);
  const pinHeader = mode !== IstioCanaryMode.FLAGGER ? resolvePinHeader(subject, props.pinning, 'Istio matches header names in lower case') : undefined;
  const mirrorPercent = checkMirrorPercent(subject, props.mirrorPercent);
  if (mirrorPercent !== undefined && mirrorPercent > 0 && mirrorPercent < 0.0001) {
    // pkg/config/validation validatePercentage: "percentage … is neither 0.0, nor in range [0.0001, 100.0]".
    fail(subject, 'mirrorPercent', mirrorPercent, 'be 0 or at least 0.0001 (istiod refuses a smaller mirror percentage)', 'use 0 to mirror nothing, or 0.0001 or more');
  }
  const retryAttempts = props.retries?.attempts ?? 2;
  if (!(Number.isInteger(retryAttempts) && retryAttempts >= 0 && retryAttempts <= 10)) {
    fail(subject, 'retries.attempts', retryAttempts, 'be an integer between 0 and 10', 'use 2, or 0 to turn retries off');
  }
  const retryOn = props.retries?.retryOn;
  if (retryOn !== undefined) checkRetryOn(subject, retryOn, retryAttempts);
  const budget = props.retries?.budgetPercent;
  if (budget !== undefined && !(budget > 0 && budget <= 100)) {
    fail(subject, 'retries.budgetPercent', budget, 'be a percentage above 0 and at most 100', 'use 20, or attempts: 0 to turn retries off');
  }
  const maxConcurrent = props.retries?.maxConcurrent;
  if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    fail(subject, 'retries.maxConcurrent', maxConcurrent, 'be an integer of at least 1', 'use 3, or attempts: 0 to turn retries off');
  }
  // One home per setting: each bound is read in one mode only, so one given in the other would silently do nothing.
  if (props.flagger && budget !== undefined) {
    fail(subject, 'retries.budgetPercent', budget,
      'not be set with flagger: Flagger\'s Canary has no retry budget field (its CRD schema prunes one, and Flagger copies only service.trafficPolicy)',
      'bound retries with retries.maxConcurrent (DestinationRule connectionPool.http.maxRetries) instead');
  }
  const servers = canary ? [stable, canary] : [stable];
  checkServers(subject, name, namespace, mode, stable, canary);
  for (const [prop, s] of [['stable', stable], ['canary', canary]] as const) {
    if (!s) continue;
    for (const [portProp, port] of [['grpcPort', s.grpcPort], ['restPort', s.restPort]] as const) {
      if (port >= ISTIO_PORTS.first && port <= ISTIO_PORTS.last) {
        fail(subject, prop, `${serverName(s)} ${portProp} ${port}`,
          `not use a port in ${ISTIO_PORTS.first}–${ISTIO_PORTS.last}: the Istio sidecar owns that range (15001 outbound, 15006 inbound, `
          + '15020/15021 agent, 15090 Envoy metrics …) and does not intercept traffic to it',
          `use the default ports 8500/8501, or any port outside ${ISTIO_PORTS.first}–${ISTIO_PORTS.last}`);
      }
    }
  }
  checkTimeouts(subject, props, servers);
  const outlier = resolveOutlier(subject, props);
  const gateway = props.gateway ? resolveGateway(subject, mode, namespace, props.gateway) : undefined;
  const flagger = props.flagger ? resolveFlagger(subject, props.flagger, props.allowFrom) : undefined;
  if (props.trustDomain !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.trustDomain)) {
    fail(subject, 'trustDomain', props.trustDomain, 'be a DNS name',
      'use \'cluster.local\', or \'PROJECT_ID.svc.id.goog\' on Cloud Service Mesh');
  }
  const lr = props.labelRouting;
  if (lr && (lr.stableLabel ?? 'stable') === (lr.canaryLabel ?? 'canary')) {
    fail(subject, 'labelRouting', `stableLabel = canaryLabel = '${lr.stableLabel ?? 'stable'}'`,
      'name two different version labels: with one label both routes reach the same version, and the canary is never served',
      'set stableLabel and canaryLabel to the labels of the two versions, e.g. \'stable\' and \'canary\'');
  }
  if (flagger) checkProgressDeadline(subject, 'flagger.progressDeadline', flagger.progressDeadlineSeconds, stable);
  const podSelector = { [CANARY_LABEL]: name };
  const scraper = props.scraper
    // Prometheus scrapes pod addresses directly, past the Service and any client sidecar: Google Managed Prometheus
    // and a prometheus-operator Prometheus without Istio certificates have no mesh identity and speak plaintext, which
    // STRICT mTLS refuses. With a scrape object, it therefore reads the agent's merged metrics (port 15020, outside
    // the capture), and every server port stays STRICT.
    ?? (servers.some((s) => s.podMonitoring || s.serviceMonitor) ? ScraperAccess.metricsMerging() : ScraperAccess.mesh(MeshCaller.namespace('monitoring')));
  checkScrapeObjects(subject, servers, scraper);
  checkNetworkReach(subject, namespace ?? 'default', servers, props, gateway, scraper);
  return {
    subject,
    name,
    namespace,
    mode,
    stable,
    canary,
    servers,
    weights,
    pinHeader,
    mirrorPercent,
    retryAttempts,
    retryOn: retryOn ?? DEFAULT_RETRY_ON,
    retryBudgetPercent: retryAttempts > 0 && !props.flagger ? budget ?? 20 : undefined,
    retryMaxConcurrent: retryAttempts > 0 ? maxConcurrent ?? 3 : undefined,
    perTryTimeout: props.retries?.perTryTimeout,
    timeout: props.timeout,
    outlier,
    gateway,
    flagger,
    labelRouting: mode === IstioCanaryMode.LABEL_ROUTING ? {
      stableLabel: lr?.stableLabel ?? 'stable',
      canaryLabel: lr?.canaryLabel ?? 'canary',
      models: lr?.models ? [...lr.models] : undefined,
      allowUnlabeledGrpcToCanary: lr?.allowUnlabeledGrpcToCanary ?? false,
      given: lr!,
    } : undefined,
    allowFrom: [...props.allowFrom],
    adminCallers: [...(props.adminCallers ?? [])],
    scraper,
    metricsPaths: [...new Set(servers.map((s) => s.metricsPath).filter((p): p is string => p !== undefined))].sort(),
    trustDomain: props.trustDomain ?? 'cluster.local',
    istioNamespace: props.istioNamespace,
    labels: { 'app.kubernetes.io/managed-by': 'tfserving-constructs', [CANARY_LABEL]: name },
    podSelector,
    podLabels: podLabelPlans(mode, name, stable, canary),
    proxy: resolveProxy(subject, props),
  };
}

function podLabelPlans(mode: IstioCanaryMode, name: string, stable: TfServingModel, canary?: TfServingModel): PodLabelPlan[] {
  const inject = { [INJECT_LABEL]: 'true' };
  switch (mode) {
    case IstioCanaryMode.STATIC:
      return [
        { prop: 'stable', server: stable, labels: { [CANARY_LABEL]: name, [VERSION_LABEL]: 'stable', ...inject } },
        { prop: 'canary', server: canary!, labels: { [CANARY_LABEL]: name, [VERSION_LABEL]: 'canary', ...inject } },
      ];
    case IstioCanaryMode.LABEL_ROUTING:
      return [{ prop: 'stable', server: stable, labels: { [CANARY_LABEL]: name, ...inject } }];
    case IstioCanaryMode.FLAGGER:
      return [{ prop: 'stable', server: stable, labels: { [CANARY_LABEL]: name, app: stable.name, ...inject } }];
  }
}

/**
 * The retry conditions istiod accepts (pkg/config/validation validateHTTPRetry: each comma-separated part, untrimmed,
 * is a policy of supportedRetryOnPolicies, or a number Go's http.StatusText knows), which pilot's
 * route/retry/retry.go parseRetryOn turns into Envoy's retry_on and retriable_status_codes. The policies are Envoy's
 * x-envoy-retry-on and x-envoy-retry-grpc-on values (router filter docs).
 */
const RETRY_ON_POLICIES = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/** The status codes Go's net/http names (http.StatusText), the numbers istiod accepts in retryOn. */
const GO_HTTP_STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

function checkRetryOn(subject: string, retryOn: string, attempts: number): void {
  if (attempts === 0) {
    // istiod refuses "http retry policy configured when attempts are set to 0 (disabled)"; we would drop it silently.
    fail(subject, 'retries.retryOn', retryOn, 'not be set when retries.attempts is 0 (retries are off, and istiod refuses a retry policy with 0 attempts)',
      'remove retryOn, or set attempts to 1 or more');
  }
  for (const part of retryOn.split(',')) {
    const known = RETRY_ON_POLICIES.has(part) || (/^[0-9]+$/.test(part) && GO_HTTP_STATUS_CODES.has(Number(part)));
    if (!known) {
      fail(subject, 'retries.retryOn', part,
        'be a retry condition istiod accepts: an HTTP status code, or one of ' + [...RETRY_ON_POLICIES].join(', ')
        + ' (comma-separated, no spaces)', 'use e.g. \'connect-failure,refused-stream\' (the default)');
    }
  }
}

function resolveProxy(subject: string, props: IstioCanaryProps): ProxyPlan {
  const p = props.proxy ?? {};
  // The injector copies the annotations into the proxy container's resources: a bad quantity fails pod creation.
  if (p.cpu) checkQuantity(subject, 'proxy.cpu', p.cpu.amount);
  if (p.memory) checkSize(subject, 'proxy.memory', p.memory, 'MiB', 1);
  // Annotation names and formats: Istio's injection template reads them as Kubernetes quantities
  // (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, `sidecar.istio.io/proxyCPU` …).
  const cpu = (p.cpu ?? kplus.Cpu.millis(500)).amount;
  const memory = `${(p.memory ?? Size.mebibytes(512)).toMebibytes()}Mi`;
  const annotations: Record<string, string> = p.guaranteedQos === false ? {} : {
    'sidecar.istio.io/proxyCPU': cpu, 'sidecar.istio.io/proxyCPULimit': cpu,
    'sidecar.istio.io/proxyMemory': memory, 'sidecar.istio.io/proxyMemoryLimit': memory,
  };
  return { annotations, holdApplication: p.holdApplicationUntilProxyStarts ?? true };
}

function resolveMode(subject: string, name: string, p: IstioCanaryProps): IstioCanaryMode {
  if (p.flagger) {
    const staticProps = (['canary', 'labelRouting', 'weights', 'pinning', 'mirrorPercent'] as const).filter((k) => p[k] !== undefined);
    if (staticProps.length) {
      fail(subject, 'flagger', staticProps,
        'not be combined with static routing props: Flagger writes its own VirtualService for host '
        + `'${name}', and two VirtualServices for one host conflict`,
        `remove ${staticProps.join(', ')} (Flagger shifts the traffic itself), or remove flagger`);
    }
    return IstioCanaryMode.FLAGGER;
  }
  if (p.labelRouting) {
    if (p.canary) {
      fail(subject, 'labelRouting', p.labelRouting,
        `not be combined with canary (${serverName(p.canary)}): label routing splits traffic between versions inside the one 'stable' server`,
        'remove canary (load both versions in stable, with version labels), or remove labelRouting');
    }
    if (p.mirrorPercent !== undefined) {
      fail(subject, 'mirrorPercent', p.mirrorPercent,
        'not be set with labelRouting: Istio mirrors to a host, not to a rewritten path, so the copy would reach the same server and version',
        'remove mirrorPercent, or run the canary as its own TfServingModel');
    }
    return IstioCanaryMode.LABEL_ROUTING;
  }
  if (!p.canary) {
    fail(subject, 'canary', undefined, 'be set unless labelRouting or flagger is', 'pass canary: <the TfServingModel of the new version>');
  }
  return IstioCanaryMode.STATIC;
}

function checkServers(subject: string, name: string, namespace: string | undefined, mode: IstioCanaryMode,
  stable: TfServingModel, canary: TfServingModel | undefined): void {
  if (Chart.of(stable).namespace !== namespace) {
    const theirs = show(Chart.of(stable).namespace ?? '(none)');
    fail(subject, 'stable', serverName(stable),
      `be in the namespace of the IstioCanary (${show(namespace ?? '(none)')}, not ${theirs}): `
      + 'Services and Istio objects route within one namespace',
      'create the IstioCanary in the chart of its servers');
  }
  for (const s of canary ? [stable, canary] : [stable]) {
    if (s.name === name) {
      fail(subject, 'name', name, `differ from the name of ${serverName(s)}: both would write a Service '${name}'`,
        'pass another name (the host clients call), or rename the TfServingModel, e.g. \'resnet-v1\'');
    }
    if (s.grpcTls) {
      // The sidecar forwards the gRPC port (Service port `grpc`) to the app as plaintext HTTP/2 after ending mTLS, and
      // Flagger's ghz load calls it with --insecure: a TLS-only port (server.cc BuildServerCredentials) refuses both.
      fail(subject, s === stable ? 'stable' : 'canary', serverName(s),
        'not have grpcTls: Istio forwards gRPC to the pod as plaintext HTTP/2 (the mesh\'s mTLS ends in the sidecar), which a TLS-only gRPC port refuses',
        'remove grpcTls (the mesh already encrypts gRPC between pods), or expose the servers through a GatewayCanary');
    }
  }
  if (mode === IstioCanaryMode.FLAGGER) {
    for (const suffix of ['-primary', '-canary']) {
      if (stable.name === `${name}${suffix}`) {
        fail(subject, 'name', name,
          `not make Flagger's Service '${name}${suffix}' collide with the Service of ${serverName(stable)}`,
          'choose another name');
      }
    }
  }
  if (!canary) return;
  if (canary === stable || canary.name === stable.name) {
    fail(subject, 'canary', serverName(canary),
      `be another workload than stable (${serverName(stable)}): one Deployment cannot be both versions`,
      'declare the new version as its own TfServingModel, or use labelRouting for two versions in one server');
  }
  if (Chart.of(canary).namespace !== namespace) {
    fail(subject, 'canary', serverName(canary),
      `be in the namespace of stable (${show(namespace ?? '(none)')}): one Service spans both versions`,
      'create both TfServingModels in the same chart or namespace');
  }
  if (canary.grpcPort !== stable.grpcPort || canary.restPort !== stable.restPort) {
    fail(subject, 'canary', `${serverName(canary)} ports ${canary.grpcPort}/${canary.restPort}`,
      `use the gRPC and REST ports of stable (${stable.grpcPort}/${stable.restPort}): one Service spans both versions`,
      'give both TfServingModels the same grpcPort and restPort');
  }
  checkModelNames(subject, stable, canary);
}

/**
 * A server's scrape object must be able to read the metrics through STRICT mTLS: with `none` nothing admits it, and a
 * PodMonitoring cannot present Istio certificates (Managed Prometheus collectors run without them).
 */
function checkScrapeObjects(subject: string, servers: TfServingModel[], scraper: ScraperAccess): void {
  for (const s of servers) {
    const object = s.podMonitoring ? 'PodMonitoring' : s.serviceMonitor ? 'ServiceMonitor' : undefined;
    if (!object || !s.metricsPath) continue;
    if (scraper.kind === 'none') {
      fail(subject, 'scraper', 'ScraperAccess.none()',
        `admit the ${object} of ${serverName(s)}: under STRICT mTLS a scrape without an admitted path reads nothing`,
        'leave scraper out (metrics merging on port 15020), or set monitoring.scraper: Scraper.NONE on the server');
    }
    if (scraper.kind === 'mesh' && object === 'PodMonitoring') {
      fail(subject, 'scraper', `ScraperAccess.mesh(${scraper.callers.join(', ')})`,
        `be usable by the PodMonitoring of ${serverName(s)}: Managed Prometheus collectors hold no Istio certificates, so they cannot scrape over mTLS`,
        'use ScraperAccess.metricsMerging() (the default with a scrape object)');
    }
  }
}

/**
 * The servers' NetworkPolicies must let through the traffic the mesh admits: every caller namespace, the ingress
 * gateway's and the admins' to the serving ports, a mesh scraper's to the REST port. A NetworkPolicy drops packets
 * before the sidecar sees them, so a contradiction fails silently at run time (connection timeouts).
 */
function checkNetworkReach(subject: string, namespace: string, servers: TfServingModel[], props: IstioCanaryProps,
  gateway: GatewayPlan | undefined, scraper: ScraperAccess): void {
  for (const s of servers) {
    const a = s.networkAdmission;
    if (!a) continue;
    const check = (prop: string, caller: MeshCaller, ports: number[]) => {
      const refusal = namespaceRefusal(a.serving, namespace, caller.namespace, ports);
      if (refusal === undefined) return;
      fail(subject, prop, caller.toString(),
        `be admitted by the NetworkPolicy of ${serverName(s)} too (it ${refusal}): the mesh would admit the caller and the network drop its packets`,
        `add ${namespacePeerText(caller.namespace)} to networkPolicy.allowFrom of ${serverName(s)}`);
    };
    const serving = [s.grpcPort, s.restPort];
    for (const c of props.allowFrom) check('allowFrom', c, serving);
    for (const c of props.adminCallers ?? []) check('adminCallers', c, [s.grpcPort]);
    if (gateway) check('gateway', gateway.identity, serving);
    if (scraper.kind === 'mesh' && s.metricsPath) {
      for (const c of scraper.callers) if (c.namespace !== a.scraperNamespace) check('scraper', c, [s.restPort]);
    }
  }
}

/** The canary serves the stable server's model names (re-checked at synthesis: models grow through addModel()). */
export function checkModelNames(subject: string, stable: TfServingModel, canary: TfServingModel | undefined): void {
  if (!canary) return;
  const names = (s: TfServingModel) => s.models.map((m) => m.name).sort();
  const a = names(stable);
  const b = names(canary);
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    fail(subject, 'canary', b,
      `serve the same model names as stable (${show(a)}): a request for a model only one version serves fails on the other`,
      'give both TfServingModels the same models (the versions differ, the names do not)');
  }
}

/** The timeout of each attempt: as set, or 10 s plus the largest batching timeout. */
export function perTryTimeoutOf(plan: CanaryPlan): Duration {
  const batchMs = batchTimeoutOf(plan.servers).timeout.toMilliseconds({ integral: false });
  return plan.perTryTimeout ?? Duration.millis(INFERENCE_BUDGET_MS + batchMs);
}

/** The route timeout: as set, or (attempts + 1) × perTryTimeout. */
export function timeoutOf(plan: CanaryPlan): Duration {
  return plan.timeout ?? Duration.millis(perTryTimeoutOf(plan).toMilliseconds({ integral: false }) * (plan.retryAttempts + 1));
}

/** The Flagger latency limit: as set, or 500 ms plus the largest batching timeout. */
export function maxLatencyOf(plan: CanaryPlan, f: FlaggerPlan): Duration {
  return f.maxLatency ?? Duration.millis(LATENCY_BUDGET_MS + batchTimeoutOf(plan.servers).timeout.toMilliseconds({ integral: false }));
}

/** Every set timeout is at least 1 ms and longer than the largest batching timeout (re-checked at synthesis). */
export function checkTimeouts(subject: string, props: Pick<IstioCanaryProps, 'timeout' | 'retries' | 'flagger'>, servers: TfServingModel[]): void {
  const batch = batchTimeoutOf(servers);
  const batchMs = batch.timeout.toMilliseconds({ integral: false });
  const check = (prop: string, d: Duration | undefined) => {
    if (d === undefined) return;
    const ms = d.toMilliseconds({ integral: false });
    if (!(ms >= 1)) {
      fail(subject, prop, formatDuration(d), 'be at least 1 millisecond (Istio\'s minimum)',
        'leave it out to size it from the batching timeout');
    }
    if (batchMs > 0 && ms <= batchMs) {
      fail(subject, prop, formatDuration(d),
        `be longer than the largest batching timeout (${formatDuration(batch.timeout)}, ${batch.source}): `
        + 'a request may wait that long for its batch to fill before it runs',
        `raise ${prop} well above ${formatDuration(batch.timeout)}, or leave it out to size it from the batching timeout`);
    }
  };
  check('timeout', props.timeout);
  check('retries.perTryTimeout', props.retries?.perTryTimeout);
  check('flagger.maxLatency', props.flagger?.maxLatency);
}

function resolveOutlier(subject: string, props: IstioCanaryProps): OutlierPlan | undefined {
  const o = props.outlierDetection ?? {};
  for (const k of ['consecutive5xxErrors', 'consecutiveLocalOriginFailures'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) fail(subject, `outlierDetection.${k}`, v, 'be an integer of at least 1', 'use 5');
  }
  if (o.maxEjectionPercent !== undefined && !(Number.isInteger(o.maxEjectionPercent) && o.maxEjectionPercent >= 0 && o.maxEjectionPercent <= 100)) {
    fail(subject, 'outlierDetection.maxEjectionPercent', o.maxEjectionPercent, 'be a whole percentage between 0 and 100', 'use 50');
  }
  for (const k of ['interval', 'baseEjectionTime'] as const) {
    const d = o[k];
    if (d !== undefined && !(d.toMilliseconds({ integral: false }) >= 1)) {
      fail(subject, `outlierDetection.${k}`, formatDuration(d), 'be at least 1 millisecond',
        `use ${k === 'interval' ? 'Duration.seconds(10)' : 'Duration.seconds(30)'}`);
    }
  }
  if (o.enabled === false) return undefined;
  return {
    // Outlier detection counts gRPC statuses by their HTTP mapping (UNAVAILABLE → 503), so load shedding would eject.
    consecutive5xxErrors: o.consecutive5xxErrors ?? 0,
    consecutiveLocalOriginFailures: o.consecutiveLocalOriginFailures ?? 5,
    interval: o.interval ?? Duration.seconds(10),
    baseEjectionTime: o.baseEjectionTime ?? Duration.seconds(30),
    maxEjectionPercent: o.maxEjectionPercent ?? 50,
  };
}

const IPV4 = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/**
 * Whether istiod accepts `host` as the host part of a Gateway server host, mirroring pkg/config/validation/agent
 * validateSidecarOrGatewayHostnamePart: `*`, or a name with a '.' that passes ValidateWildcardDomain (at most 255
 * characters; the first label `*` or a DNS-1123 label, every other label a DNS-1123 label, the last one not all digits,
 * a trailing '.' allowed), or an IP address; and no partial wildcard (ValidatePartialWildCard: a '*' only as `*` or a
 * leading `*.`).
 */
function isGatewayHostPart(host: string): boolean {
  if (host === '*') return true;
  // istiod refuses a host without '.' ("short names (non FQDN) are not allowed") before its IP fallback, so an
  // IPv6 address is refused too (validateSidecarOrGatewayHostnamePart); IPv4 addresses pass.
  if (IPV4.test(host)) return true;
  if (host.length === 0 || host.length > 255 || !host.includes('.')) return false;
  const labels = host.split('.');
  if (labels[labels.length - 1] === '') labels.pop();
  const [first, ...rest] = labels;
  if (!(first === '*' || DNS_LABEL.test(first)) || rest.length === 0) return false;
  if (/^[0-9]+$/.test(rest[rest.length - 1])) return false;
  return rest.every((l) => DNS_LABEL.test(l));
}

/**
 * Checks a Gateway host as istiod does (pkg/config/validation/agent ValidateNamespaceSlashWildcardHostname with
 * isGateway): `HOST` or `NAMESPACE/HOST`, the namespace `*`, `.` or a DNS-1123 label. A namespace names where the
 * VirtualServices that may bind to the host live: ours lives in the IstioCanary's namespace, so another namespace would
 * leave the host unrouted. Returns the host part, the VirtualService's host.
 */
function gatewayHost(subject: string, h: string, namespace: string | undefined): string {
  const slash = h.indexOf('/');
  const ns = slash === -1 ? undefined : h.slice(0, slash);
  const host = slash === -1 ? h : h.slice(slash + 1);
  if (ns !== undefined && !(ns === '*' || ns === '.' || DNS_LABEL.test(ns))) {
    fail(subject, 'gateway.hosts', h, 'have a namespace part that is \'*\', \'.\' or a namespace name (istiod refuses others)',
      'write NAMESPACE/HOST, ./HOST, */HOST or just HOST');
  }
  if (!isGatewayHostPart(host)) {
    fail(subject, 'gateway.hosts', h,
      'be a host istiod accepts: \'*\', a lower-case DNS name with at least one \'.\' (optionally starting with \'*.\'), or an IPv4 address, optionally after \'NAMESPACE/\'',
      'use e.g. \'resnet.ml.example.com\', \'*.example.com\' or \'ml/resnet.example.com\'');
  }
  const own = namespace ?? 'default';
  if (ns !== undefined && ns !== '*' && ns !== '.' && ns !== own) {
    fail(subject, 'gateway.hosts', h,
      `name the IstioCanary's namespace ('${own}'), '.' or '*': only VirtualServices in namespace '${ns}' may bind to it, and the gateway routes live in '${own}'`,
      `use '${own}/${host}', './${host}' or '${host}'`);
  }
  return host;
}

function resolveGateway(subject: string, mode: IstioCanaryMode, namespace: string | undefined, gw: GatewayExposureOptions): GatewayPlan {
  if (mode === IstioCanaryMode.FLAGGER) {
    fail(subject, 'gateway', gw.hosts,
      'not be set with flagger: Flagger routes every gateway request to one service port, so gRPC and REST cannot both be served through it',
      'expose the Flagger apex Service through your own gateway VirtualService, or use static mode');
  }
  if (gw.hosts.length === 0) fail(subject, 'gateway.hosts', gw.hosts, 'name at least one host', 'pass hosts: [\'resnet.ml.example.com\']');
  const routeHosts = gw.hosts.map((h) => gatewayHost(subject, h, namespace));
  // The selector picks the gateway pods by their labels: a key or value the API server refuses on a pod can match no
  // gateway pod, so the Gateway would never be applied.
  checkLabels(subject, 'gateway.selector', gw.selector);
  if (!DNS_SUBDOMAIN.test(gw.tlsSecretName)) {
    fail(subject, 'gateway.tlsSecretName', gw.tlsSecretName, 'be a Secret name (a DNS subdomain)',
      'use the name of the kubernetes.io/tls Secret in the gateway\'s namespace');
  }
  const port = gw.port ?? 443;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    fail(subject, 'gateway.port', port, 'be a TCP port between 1 and 65535', 'use 443');
  }
  if (gw.jwt) {
    if (!/^\S+$/.test(gw.jwt.issuer)) fail(subject, 'gateway.jwt.issuer', gw.jwt.issuer, 'be a token issuer (no spaces)', 'use the `iss` of your tokens, e.g. \'https://accounts.google.com\'');
    if (!/^https:\/\/\S+$/.test(gw.jwt.jwksUri)) {
      fail(subject, 'gateway.jwt.jwksUri', gw.jwt.jwksUri, 'be an https URL (istiod fetches the keys from it)', 'use e.g. \'https://www.googleapis.com/oauth2/v3/certs\'');
    }
  }
  return {
    hosts: [...gw.hosts],
    routeHosts: [...new Set(routeHosts)],
    tlsSecretName: gw.tlsSecretName,
    port,
    selector: { ...(gw.selector ?? { istio: 'ingressgateway' }) },
    identity: gw.gatewayIdentity ?? DEFAULT_GATEWAY_IDENTITY(),
    allowExternalPinning: gw.allowExternalPinning ?? false,
    jwt: gw.jwt ? { issuer: gw.jwt.issuer, jwksUri: gw.jwt.jwksUri, audiences: gw.jwt.audiences ? [...gw.jwt.audiences] : undefined } : undefined,
  };
}

function resolveFlagger(subject: string, f: FlaggerOptions, allowFrom: MeshCaller[]): FlaggerPlan {
  const steps = resolveFlaggerSteps(subject, 'flagger', f);
  for (const k of ['minSuccessRate', 'maxGrpcErrorRate'] as const) {
    const v = f[k];
    if (v !== undefined && !(v >= 0 && v <= 100)) {
      fail(subject, `flagger.${k}`, v, 'be a percentage between 0 and 100', `use ${k === 'minSuccessRate' ? 99 : 1}`);
    }
  }
  const lt = f.loadTester;
  if (lt) {
    const namespace = checkLoadTester(subject, 'flagger.loadTester', lt, 'the namespace is admitted by the mesh');
    if (!allowFrom.some((c) => c.namespace === namespace)) {
      fail(subject, 'flagger.loadTester', lt.url, `run in a namespace allowFrom admits ('${namespace}' is not): its checks and load would be refused by the AuthorizationPolicy`,
        `add MeshCaller.namespace('${namespace}') to allowFrom`);
    }
  }
  if (f.prometheusAddress !== undefined && !HTTP_URL.test(f.prometheusAddress)) {
    fail(subject, 'flagger.prometheusAddress', f.prometheusAddress, 'be an http(s) URL', 'use \'http://prometheus.istio-system:9090\'');
  }
  return {
    interval: steps.interval,
    threshold: steps.threshold,
    stepWeight: steps.stepWeight,
    maxWeight: steps.maxWeight,
    minSuccessRate: f.minSuccessRate ?? 99,
    maxLatency: f.maxLatency,
    maxGrpcErrorRate: f.maxGrpcErrorRate ?? 1,
    prometheusAddress: f.prometheusAddress ?? 'http://prometheus.istio-system:9090',
    progressDeadlineSeconds: steps.progressDeadlineSeconds,
    loadTester: f.loadTester,
  };
}

/** The gRPC load names a model the server serves (re-checked at synthesis: models grow through addModel()). */
export function checkLoadTesterModel(plan: CanaryPlan): void {
  checkFlaggerLoadTesterModel(plan.subject, 'flagger.loadTester', plan.flagger?.loadTester, plan.stable);
}

/** The models routed by label: the configured ones, or every model with both labels (read at synthesis). */
export function labelRoutedModels(plan: CanaryPlan): string[] {
  const lr = plan.labelRouting!;
  const { stableLabel, canaryLabel } = lr;
  const models = plan.stable.models;
  const hasBoth = (m: { versionLabels?: Record<string, number> }) =>
    m.versionLabels?.[stableLabel] !== undefined && m.versionLabels?.[canaryLabel] !== undefined;
  if (lr.models) {
    for (const name of lr.models) {
      const m = models.find((x) => x.name === name);
      if (!m) {
        fail(plan.subject, 'labelRouting.models', name, `be a model of ${serverName(plan.stable)} (${show(models.map((x) => x.name))})`,
          'list only models the server serves');
      }
      if (!hasBoth(m)) {
        fail(plan.subject, 'labelRouting.models', name,
          `have the version labels '${stableLabel}' and '${canaryLabel}' (it has ${show(Object.keys(m.versionLabels ?? {}))})`,
          `set versionLabels: { ${stableLabel}: OLD, ${canaryLabel}: NEW } on the model`);
      }
    }
    checkUnlabeledGrpc(plan, lr.models);
    return [...lr.models];
  }
  const found = models.filter(hasBoth).map((m) => m.name);
  checkUnlabeledGrpc(plan, found);
  if (found.length === 0) {
    fail(plan.subject, 'labelRouting', lr.given,
      `find a model of ${serverName(plan.stable)} with the version labels '${stableLabel}' and '${canaryLabel}'`,
      `set versionLabels: { ${stableLabel}: OLD, ${canaryLabel}: NEW } on a model`);
  }
  return found;
}

/**
 * Label routing rewrites REST paths only. An unlabeled gRPC request gets the highest loaded version: refuse a
 * setup where that is the canary (a `specific` policy with nothing newer than the canary, or `latest`/`all`,
 * where the canary is normally the newest), unless the user accepts it.
 */
function checkUnlabeledGrpc(plan: CanaryPlan, names: string[]): void {
  const lr = plan.labelRouting!;
  if (lr.allowUnlabeledGrpcToCanary) return;
  for (const m of plan.stable.models.filter((x) => names.includes(x.name))) {
    const canary = m.versionLabels?.[lr.canaryLabel];
    const versions = m.versionPolicy?.versions;
    if (canary === undefined || (versions && Math.max(...versions) > canary)) continue;
    fail(plan.subject, 'labelRouting', `model '${m.name}', ${lr.canaryLabel} → version ${canary}`,
      'not leave unlabeled gRPC traffic on the canary: only REST paths can be rewritten, and TF Serving answers a gRPC request '
      + 'without model_spec.version_label with the highest loaded version, here the canary',
      'have gRPC clients set model_spec.version_label, then set labelRouting.allowUnlabeledGrpcToCanary: true; or route with two servers (canary)');
  }
}

/** `TfServingModel 'ID'`, for messages. */
export function serverName(s: TfServingModel): string {
  return `TfServingModel '${s.node.id}'`;
}
