import { Chart, Duration } from 'cdk8s';
import { GatewayFlaggerPlan, resolveGatewayFlagger, STATIC_ONLY_PROPS } from './gateway-flagger';
import { GatewayCanaryProps, gatewayApiDuration, GatewayTls, GkeGatewayClass, IapOptions } from './gateway-options';
import { GatewayPolicyPlan, resolveGatewayPolicy } from './gateway-policy';
import { GrpcBackendMode, resolveGrpcBackend } from './grpc-backend';
import { fail, show } from '../core/errors';
import {
  GatewaySpec, GatewaySpecListenersTlsMode, GrpcRouteSpec, GrpcRouteSpecRules, GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatches,
  GrpcRouteSpecRulesMatchesHeadersType, GrpcRouteSpecRulesMatchesMethodType, HttpRouteSpec, HttpRouteSpecRules, HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatches, HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesMatchesMethod, HttpRouteSpecRulesMatchesPathType,
  ReferenceGrantSpec,
} from '../imports/gateway.networking.k8s.io';
import {
  GcpBackendPolicySpec, HealthCheckPolicySpec, HealthCheckPolicySpecDefaultConfigHttpHealthCheckPortSpecification,
  HealthCheckPolicySpecDefaultConfigType,
} from '../imports/networking.gke.io';
import { formatDuration } from '../private/duration';
import type { TfServingModel } from '../serving/tf-serving-model';
import {
  batchTimeoutOf, checkMirrorPercent, checkWeights, PREDICTION_GRPC_METHODS, PREDICTION_GRPC_PATHS, requestBudgetOf, resolvePinHeader,
  resolveSplitName, REST_METHODS, REST_PREFIX, TrafficWeights,
} from '../serving/traffic-split';

/*
 * A GatewayCanary's props resolved once into a plain plan, and the specs of its objects as pure functions of the plan.
 * What depends on the servers' models (the batching timeout, the health-check model) is read at synthesis.
 */

/** Where Google's health checkers (and the global load balancers' front ends) connect from. */
export const GOOGLE_HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'];

const HOST_RE = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The resolved props of a GatewayCanary. */
export interface GatewayCanaryPlan {
  readonly subject: string;
  readonly name: string;
  /** The namespace of the Gateway and the routes (the construct's chart). */
  readonly namespace?: string;
  /** The namespace of the servers, their Services and the policies. */
  readonly backendNamespace?: string;
  /** The routes reference Services in another namespace. */
  readonly crossNamespace: boolean;
  readonly referenceGrant: boolean;
  readonly stable: TfServingModel;
  readonly canary: TfServingModel;
  readonly weights: TrafficWeights;
  /** The header that pins a request, when callers may pin. */
  readonly pinHeader?: string;
  readonly mirrorPercent?: number;
  /** The Flagger hand-off; undefined: a static split. */
  readonly flagger?: GatewayFlaggerPlan;
  /** The GCPGatewayPolicy settings; undefined: no GCPGatewayPolicy. */
  readonly gatewayPolicy?: GatewayPolicyPlan;
  readonly gatewayClass: GkeGatewayClass;
  readonly restHost: string;
  /** The gRPC host; undefined: REST only (no gRPC listener, no GRPCRoute). */
  readonly grpcHost?: string;
  /** How gRPC reaches the servers, with grpcHost: a GRPCRoute, or an HTTPRoute to HTTP/2-over-TLS ports (grpc-backend.ts). */
  readonly grpcMode?: GrpcBackendMode;
  readonly tls: GatewayTls;
  readonly iap?: IapOptions;
  /** Set explicitly; else the request budget, read at synthesis. */
  readonly timeout?: Duration;
  readonly routeTimeout?: Duration;
  readonly drainingTimeoutSec: number;
  /** Millionths of requests logged; undefined: logging off. */
  readonly logSampleRate?: number;
  readonly labels: Record<string, string>;
  /** The backend Service of each version. */
  readonly services: { readonly stable: string; readonly canary: string };
}

/** Resolves and checks the props; throws the first ConfigError. Has no side effects. */
export function resolveGatewayCanaryPlan(subject: string, id: string, namespace: string | undefined, props: GatewayCanaryProps): GatewayCanaryPlan {
  const name = resolveSplitName(subject, id, props.name);
  const { stable } = props;
  checkMode(subject, props);
  // With Flagger, the target is the canary: Flagger copies it to NAME-primary, which serves the old version.
  const canary = props.canary ?? stable;
  const cls = props.gatewayClass;
  const weights = checkWeights(subject, props.weights);
  const { pinHeader } = resolvePinning(subject, props);
  const mirrorPercent = checkMirrorPercent(subject, props.mirrorPercent);
  if (mirrorPercent && !cls.features.requestMirror) {
    fail(subject, 'mirrorPercent', mirrorPercent,
      `not be set with GatewayClass '${cls.name}': its controller does not implement the RequestMirror filter (GKE GatewayClass capabilities)`,
      'remove mirrorPercent, or use a GatewayClass that mirrors, e.g. GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED');
  }
  checkGatewayApiVersion(subject, props.gatewayApiVersion, mirrorPercent);
  if (props.routeTimeout !== undefined && !cls.features.routeTimeouts) {
    fail(subject, 'routeTimeout', formatDuration(props.routeTimeout),
      `not be set with GatewayClass '${cls.name}': its controller does not implement HTTPRoute timeouts (GKE GatewayClass capabilities)`,
      'remove routeTimeout and set timeout, rendered as the backend service timeout (GCPBackendPolicy timeoutSec)');
  }
  if (!props.flagger) checkServers(subject, stable, canary);
  const grpcMode = props.grpcHost !== undefined ? resolveGrpcBackend(subject, cls, props.grpcHost, stable, canary) : undefined;
  for (const [prop, host] of [['restHost', props.restHost], ['grpcHost', props.grpcHost]] as const) {
    if (host === undefined) continue;
    if (!HOST_RE.test(host)) fail(subject, prop, host, 'be a lower-case DNS name (no wildcard)', 'use e.g. \'resnet.ml.example.com\'');
  }
  if (props.grpcHost !== undefined && props.restHost === props.grpcHost) {
    const reason = grpcMode === 'http2-tls'
      ? 'the rest and grpc listeners are both HTTPS on port 443, and two such listeners with one host name conflict '
      + '(Gateway API Listener conflicts), so one of them would not be programmed'
      : 'a listener accepts only one of an HTTPRoute and a GRPCRoute whose host names intersect (the older one; '
      + 'Gateway API GRPCRoute spec.hostnames), so REST or gRPC would be refused';
    fail(subject, 'grpcHost', props.grpcHost, `differ from restHost: ${reason}`,
      `use another name, e.g. '${props.grpcHost.replace(/^([^.]+)/, '$1-grpc')}'`);
  }
  if (props.tls.kind === 'certificate-map' && !cls.features.certificateMap) {
    fail(subject, 'tls', `GatewayTls.certificateMap('${props.tls.name}')`,
      `not be a Certificate Manager map with GatewayClass '${cls.name}': the networking.gke.io/certmap annotation is implemented by the global classes only`,
      'use GatewayTls.secret(…), or a global GatewayClass');
  }
  if (props.iap) {
    if (!/^\S+$/.test(props.iap.clientId)) fail(subject, 'iap.clientId', props.iap.clientId, 'be an OAuth 2.0 client ID', 'use the client ID of the OAuth client IAP signs in with');
    if (!SECRET_NAME.test(props.iap.oauth2ClientSecretName)) {
      fail(subject, 'iap.oauth2ClientSecretName', props.iap.oauth2ClientSecretName, 'be a Secret name (a DNS subdomain)',
        'use the name of the Secret whose key \'key\' holds the OAuth client secret');
    }
  } else if (cls.features.external && !props.allowUnauthenticated) {
    fail(subject, 'iap', undefined,
      `be set on a public Gateway (GatewayClass '${cls.name}' is external): without an identity in front, anyone on the internet can call the prediction API`,
      'set iap: { clientId, oauth2ClientSecretName }, use GkeGatewayClass.REGIONAL_INTERNAL, or accept an open endpoint with allowUnauthenticated: true');
  }
  const backendNamespace = Chart.of(stable).namespace;
  const crossNamespace = (backendNamespace ?? 'default') !== (namespace ?? 'default');
  const referenceGrant = props.referenceGrant ?? true;
  // Flagger's HTTPRoute lives with its Services, in the servers' namespace: no cross-namespace backendRef.
  if (crossNamespace && !referenceGrant && !props.flagger) {
    fail(subject, 'referenceGrant', false,
      `be true when the routes (namespace ${show(namespace ?? 'default')}) reference Services in another namespace (${show(backendNamespace ?? 'default')}): `
      + 'the Gateway API refuses a cross-namespace backendRef that no ReferenceGrant in the target namespace permits (ResolvedRefs False, RefNotPermitted)',
      'remove referenceGrant: false, or create the GatewayCanary in the chart of its servers');
  }
  const grace = Math.min(...[stable, canary].map(graceSeconds));
  let drainingTimeoutSec = grace;
  if (props.connectionDraining !== undefined) {
    const s = props.connectionDraining.toSeconds();
    if (!(Number.isInteger(s) && s >= 0 && s <= grace)) {
      fail(subject, 'connectionDraining', formatDuration(props.connectionDraining),
        `be whole seconds, at most the servers' termination grace period (${grace} s): the pod is killed then, and a longer drain keeps `
        + 'sending nothing but failing connections',
        `use Duration.seconds(${grace}), or lengthen drain.terminationGracePeriod of the servers`);
    }
    drainingTimeoutSec = s;
  }
  const logPercent = props.logSamplePercent ?? 100;
  if (!(logPercent >= 0 && logPercent <= 100)) fail(subject, 'logSamplePercent', logPercent, 'be between 0 and 100', 'use 100, or 0 to turn load balancer logging off');
  if (props.timeout !== undefined) checkTimeout(subject, props.timeout, [stable, canary]);
  if (props.proxyOnlySubnet !== undefined && !CIDR_RE.test(props.proxyOnlySubnet)) {
    fail(subject, 'proxyOnlySubnet', props.proxyOnlySubnet, 'be an IPv4 CIDR', 'use the range of the region\'s REGIONAL_MANAGED_PROXY subnet, e.g. \'10.129.0.0/23\'');
  }
  checkNetworkReach(subject, cls, [stable, canary], props.proxyOnlySubnet);
  const flagger = props.flagger ? resolveGatewayFlagger(subject, name, props.flagger, stable) : undefined;
  const gatewayPolicy = resolveGatewayPolicy(subject, props);
  return {
    subject,
    name,
    namespace,
    backendNamespace,
    crossNamespace,
    referenceGrant,
    stable,
    canary,
    weights,
    pinHeader,
    mirrorPercent,
    flagger,
    gatewayPolicy,
    gatewayClass: cls,
    restHost: props.restHost,
    grpcHost: props.grpcHost,
    grpcMode,
    tls: props.tls,
    iap: props.iap ? { ...props.iap } : undefined,
    timeout: props.timeout,
    routeTimeout: props.routeTimeout,
    drainingTimeoutSec,
    logSampleRate: logPercent > 0 ? Math.round(logPercent * 10_000) : undefined,
    labels: { 'app.kubernetes.io/managed-by': 'tfserving-constructs', 'tfserving-constructs.io/gateway-canary': name },
    // Flagger's Services (pkg/router/kubernetes_default.go): NAME-primary serves the old version, NAME-canary the target.
    services: flagger ? { stable: `${name}-primary`, canary: `${name}-canary` } : { stable: `${name}-stable`, canary: `${name}-canary` },
  };
}

/**
 * The declared Gateway API version has the fields written: RequestMirror `percent` is in the CRDs from v1.3.0
 * (HTTPRequestMirrorFilter `percent`/`fraction`, GEP-3171). GKE's conformance reports list HTTPRouteRequestPercentageMirror,
 * as a provisional test, for the global (1.33.4) and regional (1.34.4) external managed classes; none covers gke-l7-rilb.
 */
function checkGatewayApiVersion(subject: string, version: string | undefined, mirrorPercent: number | undefined): void {
  if (version === undefined) return;
  const m = /^1\.(\d{1,2})$/.exec(version);
  if (!m) fail(subject, 'gatewayApiVersion', version, 'be a Gateway API minor version such as \'1.3\'', 'write the CRDs\' version as MAJOR.MINOR');
  if (mirrorPercent !== undefined && mirrorPercent > 0 && mirrorPercent < 100 && Number(m[1]) < 3) {
    fail(subject, 'mirrorPercent', mirrorPercent,
      `be 100 with Gateway API ${version}: RequestMirror 'percent' is a field of the CRDs from v1.3.0, and an older CRD refuses it (kubectl) or drops `
      + 'it, mirroring every request',
      'set mirrorPercent: 100, or upgrade the CRDs (GKE 1.33.2-gke.1335000 or later) and set gatewayApiVersion: \'1.3\'');
  }
}

/** Static or Flagger: the props of one mode only (user-supplied values, never defaults). */
function checkMode(subject: string, props: GatewayCanaryProps): void {
  if (props.flagger) {
    const given = STATIC_ONLY_PROPS.filter((k) => props[k] !== undefined);
    if (given.length) {
      fail(subject, 'flagger', given,
        'not be combined with static routing props: Flagger writes its own HTTPRoute and shifts the weights itself, and its canary is stable',
        `remove ${given.join(', ')}, or remove flagger`);
    }
  } else if (!props.canary) {
    fail(subject, 'canary', undefined, 'be set unless flagger is', 'pass canary: <the TfServingModel of the new version>, or flagger: { prometheusAddress: … }');
  }
}

/**
 * The pinning header routes only with allowCallerPinning: through a Gateway every caller could send its requests to
 * the canary. Otherwise the routes have no rule that matches it, so the header chooses nothing. It is not removed
 * either: a `RequestHeaderModifier` would only repeat that, and GKE's conformance reports cover it for the
 * Envoy-based classes but not for the classic `gke-l7-gxlb`, where an unsupported filter fails the whole route.
 */
function resolvePinning(subject: string, props: GatewayCanaryProps): { pinHeader?: string } {
  if (props.flagger) return {};
  const header = resolvePinHeader(subject, props.pinning, 'HTTP/2 (gRPC) header names are lower case');
  const allow = props.allowCallerPinning ?? false;
  if (allow && header === undefined) {
    fail(subject, 'allowCallerPinning', true, 'not be set with pinning.enabled: false: no header would pin', 'remove allowCallerPinning, or pinning.enabled: false');
  }
  if (props.pinning?.enabled === true && !allow) {
    fail(subject, 'pinning.enabled', true,
      'come with allowCallerPinning: true: pinning through a Gateway lets every caller choose the canary, so no rule matches the header unless callers may pin',
      'set allowCallerPinning: true, or remove pinning.enabled');
  }
  return allow ? { pinHeader: header } : {};
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function graceSeconds(s: TfServingModel): number {
  // Pod default: 30 s (PodSpec terminationGracePeriodSeconds); TfServingModel always sets it (drain, 45 s by default).
  return Math.floor((s.deployment.terminationGracePeriod ?? Duration.seconds(30)).toSeconds());
}

function checkServers(subject: string, stable: TfServingModel, canary: TfServingModel): void {
  if (canary === stable || canary.name === stable.name) {
    fail(subject, 'canary', `TfServingModel '${canary.node.id}'`, `be another workload than stable (TfServingModel '${stable.node.id}')`,
      'declare the new version as its own TfServingModel');
  }
  if (Chart.of(canary).namespace !== Chart.of(stable).namespace) {
    fail(subject, 'canary', `TfServingModel '${canary.node.id}'`,
      `be in the namespace of stable (${show(Chart.of(stable).namespace ?? '(none)')}): one ReferenceGrant and one set of policies cover both backends`,
      'create both TfServingModels in the same chart or namespace');
  }
  if (canary.grpcPort !== stable.grpcPort || canary.restPort !== stable.restPort) {
    fail(subject, 'canary', `TfServingModel '${canary.node.id}' ports ${canary.grpcPort}/${canary.restPort}`,
      `use the gRPC and REST ports of stable (${stable.grpcPort}/${stable.restPort}): the routes name one port per protocol`,
      'give both TfServingModels the same grpcPort and restPort');
  }
  checkModelNames(subject, stable, canary);
}

/** The canary serves the stable server's model names (re-checked at synthesis: models grow through addModel()). */
export function checkModelNames(subject: string, stable: TfServingModel, canary: TfServingModel): void {
  const a = stable.models.map((m) => m.name).sort();
  const b = canary.models.map((m) => m.name).sort();
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    fail(subject, 'canary', b,
      `serve the same model names as stable (${show(a)}): a request for a model only one version serves fails on the other`,
      'give both TfServingModels the same models (the versions differ, the names do not)');
  }
}

/** A set timeout is whole seconds (timeoutSec) and longer than the largest batching timeout (re-checked at synthesis). */
export function checkTimeout(subject: string, timeout: Duration, servers: TfServingModel[]): void {
  const s = timeout.toSeconds();
  if (!(Number.isInteger(s) && s >= 1)) {
    fail(subject, 'timeout', formatDuration(timeout), 'be whole seconds, at least 1 (GCPBackendPolicy timeoutSec)', 'use e.g. Duration.seconds(30)');
  }
  const batch = batchTimeoutOf(servers);
  if (batch.timeout.toMilliseconds({ integral: false }) >= s * 1000) {
    fail(subject, 'timeout', formatDuration(timeout),
      `be longer than the largest batching timeout (${formatDuration(batch.timeout)}, ${batch.source}): a request may wait that long for its batch to fill before it runs`,
      'raise timeout well above the batching timeout, or leave it out to size it from the batching timeout');
  }
}

/**
 * The load balancer's proxies and Google's health checkers connect to the pods directly (container-native load
 * balancing, NEG endpoints): a server's NetworkPolicy must admit them, or every health check fails and the backends
 * stay unhealthy. Global classes connect from Google's front-end ranges, regional ones from the proxy-only subnet;
 * health checks come from 35.191.0.0/16 and 130.211.0.0/22 for every class.
 */
function checkNetworkReach(subject: string, cls: GkeGatewayClass, servers: TfServingModel[], proxyOnlySubnet: string | undefined): void {
  for (const s of servers) {
    const a = s.networkAdmission;
    if (!a) continue;
    const blocks = a.serving.flatMap((p) => (p.ipBlock && !p.podSelector && !p.namespaceSelector ? [p.ipBlock] : []));
    const admits = (cidr: string) => blocks.some((b) => cidrContains(b.cidr, cidr) && !(b.except ?? []).some((e) => cidrsOverlap(e, cidr)));
    const needed = [...GOOGLE_HEALTH_CHECK_RANGES];
    if (cls.features.regional) {
      if (proxyOnlySubnet === undefined) {
        fail(subject, 'proxyOnlySubnet', undefined,
          `be set with the regional GatewayClass '${cls.name}' while TfServingModel '${s.node.id}' has a NetworkPolicy: its proxies connect from the `
          + 'proxy-only subnet, which the NetworkPolicy must admit',
          'pass proxyOnlySubnet: \'<the REGIONAL_MANAGED_PROXY subnet range>\' and admit it in networkPolicy.allowFrom as an ipBlock');
      }
      needed.push(proxyOnlySubnet);
    }
    const missing = needed.filter((c) => !admits(c));
    if (missing.length) {
      fail(subject, 'gatewayClass', cls.name,
        `reach TfServingModel '${s.node.id}' through its NetworkPolicy, which does not admit ${missing.join(', ')} to ports ${s.grpcPort}/${s.restPort}: `
        + 'the load balancer and its health checks connect to the pods from there, and would be dropped',
        `add ${missing.map((c) => `{ ipBlock: { cidr: '${c}' } }`).join(', ')} to networkPolicy.allowFrom of TfServingModel '${s.node.id}'`);
    }
  }
}

function parseCidr(cidr: string): [number, number] | undefined {
  const m = CIDR_RE.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return [ip - (ip % size), size];
}

/** Whether the IPv4 range `outer` contains `inner` (false for anything that is not an IPv4 CIDR). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && i[0] >= o[0] && i[0] + i[1] <= o[0] + o[1];
}

function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x[0] < y[0] + y[1] && y[0] < x[0] + x[1];
}

/** GCPBackendPolicy timeoutSec: as set, or the request budget (10 s plus the largest batching timeout) in whole seconds, rounded up. */
export function timeoutSecOf(plan: GatewayCanaryPlan): number {
  if (plan.timeout) return plan.timeout.toSeconds();
  return Math.ceil(requestBudgetOf([plan.stable, plan.canary]).toMilliseconds({ integral: false }) / 1000 - 1e-9);
}

/** The Gateway: one HTTPS listener per API (host names must not intersect between an HTTPRoute and a GRPCRoute); REST only without grpcHost. */
export function gatewaySpec(plan: GatewayCanaryPlan): GatewaySpec {
  const tls = plan.tls.kind === 'secret'
    ? { tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: plan.tls.name }] } }
    : {};
  const listener = (name: string, hostname: string) => ({
    name, hostname, port: 443, protocol: 'HTTPS', ...tls,
    // Routes of this namespace only: the listener is this canary's. Flagger writes its HTTPRoute in the servers'
    // namespace: then that namespace only.
    allowedRoutes: { namespaces: plan.flagger && plan.crossNamespace ? routesOf(plan.backendNamespace ?? 'default') : { from: 'Same' } },
  });
  return {
    gatewayClassName: plan.gatewayClass.name,
    listeners: [listener('rest', plan.restHost), ...(plan.grpcHost !== undefined ? [listener('grpc', plan.grpcHost)] : [])],
  } as GatewaySpec;
}

function routesOf(namespace: string) {
  return { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** A backendRef to one version's Service on a port (namespaced when the routes are in another namespace). */
function backend(plan: GatewayCanaryPlan, version: 'stable' | 'canary', port: number) {
  return { name: plan.services[version], port, ...(plan.crossNamespace ? { namespace: plan.backendNamespace ?? 'default' } : {}) };
}

/**
 * The HTTPRoute: the REST prediction surface only (GET and POST under /v1/models, http_rest_api_util.cc
 * `ParseModelInfo`), pinning rules (one more header match: they take precedence over the split), the weighted split
 * with an optional mirror. Every other path gets the load balancer's 404. Without method matching (GKE) any method
 * under /v1/models reaches the servers, which serve only GET and POST: http_rest_api_handler.cc
 * `HttpRestApiHandler::ProcessRequest` dispatches those two, any other method keeps its "Malformed request"
 * InvalidArgument (400, http_server.cc `ToHTTPStatusCode`); OPTIONS is a CORS preflight answered without a body
 * (http_server.cc `RestApiRequestDispatcher`).
 */
export function httpRouteSpec(plan: GatewayCanaryPlan): HttpRouteSpec {
  const port = plan.stable.restPort;
  // PathPrefix matches whole path elements: '/v1/models' matches '/v1/models/resnet:predict'; '/v1/models/resnet'
  // would not (the element is 'resnet:predict').
  const prefix = REST_PREFIX.replace(/\/$/, '');
  const methods = plan.gatewayClass.features.methodMatching ? REST_METHODS : [undefined];
  const matches = (headers?: { name: string; value: string }): HttpRouteSpecRulesMatches[] => methods.map((m) => ({
    path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: prefix },
    // GKE's classes lack HTTPRouteMethodMatching and reject a route that uses it (see GKE_HTTP_ONLY).
    ...(plan.gatewayClass.features.methodMatching ? { method: m as HttpRouteSpecRulesMatchesMethod } : {}),
    ...(headers ? { headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, ...headers }] } : {}),
  }));
  const rules: HttpRouteSpecRules[] = splitRules(plan, port, matches, HttpRouteSpecRulesFiltersType.REQUEST_MIRROR, routeTimeouts(plan));
  return { parentRefs: [{ name: plan.name, sectionName: 'rest' }], hostnames: [plan.restHost], rules };
}

/**
 * The GRPCRoute (only with grpcHost, on a class that implements GRPCRoute): the gRPC prediction surface only
 * (PredictionService and ModelService/GetModelStatus, never ModelService/HandleReloadConfigRequest, which replaces the
 * model config and checks no identity), with the same pinning, split and mirror as the HTTPRoute. The load balancer
 * balances each call, so a long-lived client channel is spread over every pod.
 */
export function grpcRouteSpec(plan: GatewayCanaryPlan): GrpcRouteSpec {
  const port = plan.stable.grpcPort;
  const matches = (header?: { name: string; value: string }): GrpcRouteSpecRulesMatches[] => PREDICTION_GRPC_METHODS.map((m) => ({
    method: { type: GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method },
    ...(header ? { headers: [{ type: GrpcRouteSpecRulesMatchesHeadersType.EXACT, ...header }] } : {}),
  }));
  const rules: GrpcRouteSpecRules[] = splitRules(plan, port, matches, GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR);
  return { parentRefs: [{ name: plan.name, sectionName: 'grpc' }], hostnames: [plan.grpcHost!], rules };
}

/**
 * The HTTPRoute of the gRPC listener (servers with grpcTls on a class without GRPCRoute, grpc-backend.ts): an exact
 * path match for each method of the gRPC prediction surface (PredictionService and ModelService/GetModelStatus: never
 * ModelService/HandleReloadConfigRequest, which replaces the model config and checks no identity), POST only where
 * the class matches methods (every gRPC call is a POST), the same pinning, split, mirror and route timeout as the
 * REST route. Every other path gets the load balancer's 404.
 */
export function grpcHttpRouteSpec(plan: GatewayCanaryPlan): HttpRouteSpec {
  const port = plan.stable.grpcPort;
  const matches = (header?: { name: string; value: string }): HttpRouteSpecRulesMatches[] => PREDICTION_GRPC_PATHS.map((path) => ({
    path: { type: HttpRouteSpecRulesMatchesPathType.EXACT, value: path },
    ...(plan.gatewayClass.features.methodMatching ? { method: HttpRouteSpecRulesMatchesMethod.POST } : {}),
    ...(header ? { headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, ...header }] } : {}),
  }));
  const rules: HttpRouteSpecRules[] = splitRules(plan, port, matches, HttpRouteSpecRulesFiltersType.REQUEST_MIRROR, routeTimeouts(plan));
  return { parentRefs: [{ name: plan.name, sectionName: 'grpc' }], hostnames: [plan.grpcHost!], rules };
}

/** `rules[].timeouts` (HTTPRoute only, on classes with route timeouts; GKE's use the GCPBackendPolicy timeout instead). */
function routeTimeouts(plan: GatewayCanaryPlan): { timeouts?: { request: string } } {
  return plan.routeTimeout ? { timeouts: { request: gatewayApiDuration(plan.routeTimeout) } } : {};
}

/**
 * The rules of every split route on one port: with allowCallerPinning a rule per version matching the pinning header
 * (one more match than the split, so they take precedence), then the weighted split with the optional RequestMirror
 * to the canary. `matches` gives the route kind's matches (with the header match when asked).
 */
function splitRules<M, F extends string>(plan: GatewayCanaryPlan, port: number, matches: (header?: { name: string; value: string }) => M[],
  mirrorType: F, extra: { timeouts?: { request: string } } = {}) {
  const rules = [];
  if (plan.pinHeader) {
    for (const v of ['canary', 'stable'] as const) {
      rules.push({ ...ruleName(plan, `pin-${v}`), matches: matches({ name: plan.pinHeader, value: v }), backendRefs: [backend(plan, v, port)], ...extra });
    }
  }
  const filters = plan.mirrorPercent ? [{
    type: mirrorType,
    requestMirror: { backendRef: backend(plan, 'canary', port), ...(plan.mirrorPercent < 100 ? { percent: plan.mirrorPercent } : {}) },
  }] : undefined;
  rules.push({ ...ruleName(plan, 'split'), matches: matches(), backendRefs: split(plan, port), ...(filters ? { filters } : {}), ...extra });
  return rules;
}

/** `rules[].name`, for a class that implements named route rules (GKE's do not: HTTPRouteNamedRouteRule unsupported). */
function ruleName(plan: GatewayCanaryPlan, name: string): { name?: string } {
  return plan.gatewayClass.features.namedRouteRules ? { name } : {};
}

/** The split's backendRefs: the versions with weight above 0, weighted when both are. */
function split(plan: GatewayCanaryPlan, port: number) {
  const versions = (['stable', 'canary'] as const).filter((v) => plan.weights[v] > 0);
  return versions.map((v) => ({ ...backend(plan, v, port), ...(versions.length > 1 ? { weight: plan.weights[v] } : {}) }));
}

/** The ReferenceGrant in the servers' namespace: the routes' namespace may reference Services there. */
export function referenceGrantSpec(plan: GatewayCanaryPlan): ReferenceGrantSpec {
  const ns = plan.namespace ?? 'default';
  return {
    from: [
      ...(plan.grpcMode === 'grpc-route' ? [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: ns }] : []),
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ns },
    ],
    to: [{ group: '', kind: 'Service', name: plan.services.stable }, { group: '', kind: 'Service', name: plan.services.canary }],
  };
}

/**
 * The GCPBackendPolicy of one backend Service: timeoutSec from the batching budget (GKE implements no HTTPRoute
 * timeout), connection draining as long as the servers' termination grace period (a removed pod still answers
 * until then: TF Serving ignores SIGTERM), the logging sample rate, IAP.
 */
export function backendPolicySpec(plan: GatewayCanaryPlan, service: string): GcpBackendPolicySpec {
  return {
    targetRef: { group: '', kind: 'Service', name: service },
    default: {
      timeoutSec: timeoutSecOf(plan),
      connectionDraining: { drainingTimeoutSec: plan.drainingTimeoutSec },
      logging: plan.logSampleRate !== undefined ? { enabled: true, sampleRate: plan.logSampleRate } : { enabled: false },
      ...(plan.iap ? { iap: { enabled: true, clientId: plan.iap.clientId, oauth2ClientSecret: { name: plan.iap.oauth2ClientSecretName } } } : {}),
    },
  };
}

/**
 * The HealthCheckPolicy of one backend Service: HTTP GET on the REST port's model status (`/v1/models/NAME`, the
 * readiness path of the servers) for each of its ports. TF Serving's gRPC port answers the standard health service
 * only with --enable_grpc_healthcheck_service (server.cc, off by default) and never for the model's state, so a
 * gRPC backend is checked over HTTP on the fixed REST port too, also one of HTTP/2 over TLS (`grpcTls`): a Google
 * Cloud health check's protocol and port need not be its backend service's (HealthCheckPolicy `USE_FIXED_PORT`).
 *
 * The status answers 200 for every state of a version the server has seen, LOADING and END included
 * (get_model_status_impl.cc `GetModelStatusWithModelSpec`: NotFound only for a model without any tracked version),
 * so the check also needs `"state": "AVAILABLE"` in the body (http_rest_api_handler.cc `ProcessModelStatusRequest`
 * writes GetModelStatusResponse as JSON, enum states by name; get_model_status.proto `ModelVersionStatus.State`).
 * The load balancer matches `response` within the first 1024 bytes of the body (HealthCheckPolicy CRD).
 */
export function healthCheckPolicySpec(plan: GatewayCanaryPlan, service: string): HealthCheckPolicySpec {
  return {
    targetRef: { group: '', kind: 'Service', name: service },
    default: {
      checkIntervalSec: 5,
      timeoutSec: 5,
      healthyThreshold: 1,
      unhealthyThreshold: 3,
      config: {
        type: HealthCheckPolicySpecDefaultConfigType.HTTP,
        httpHealthCheck: {
          portSpecification: HealthCheckPolicySpecDefaultConfigHttpHealthCheckPortSpecification.USE_UNDERSCORE_FIXED_UNDERSCORE_PORT,
          port: plan.stable.restPort,
          requestPath: `${REST_PREFIX}${plan.stable.modelNames[0]}`,
          response: 'AVAILABLE',
        },
      },
    },
  };
}
