import { IstioCanaryMode, MeshCaller } from './canary-options';
import { CanaryPlan, FlaggerPlan, labelRoutedModels, maxLatencyOf, perTryTimeoutOf, timeoutOf, VERSION_LABEL } from './canary-plan';
import { istioDuration, requestIdBuckets, requestIdShareRegex, REQUEST_ID_BUCKETS, wholeMillis } from './routing';
import { SIDECAR_AGENT_PORT } from './sidecar-network-policy';
import {
  CanarySpec, CanarySpecProvider,
  CanarySpecServiceTrafficPolicyTlsMode,
} from '../imports/flagger.app';
import {
  DestinationRuleSpec, DestinationRuleSpecSubsetsTrafficPolicyTlsMode, DestinationRuleSpecTrafficPolicyOutlierDetection,
  DestinationRuleSpecTrafficPolicyTlsMode, GatewaySpec, GatewaySpecServersTlsMinProtocolVersion, GatewaySpecServersTlsMode,
  VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpRetries,
} from '../imports/networking.istio.io';
import {
  AuthorizationPolicySpecRules, AuthorizationPolicySpecRulesFrom, PeerAuthenticationSpec, PeerAuthenticationSpecMtlsMode,
  PeerAuthenticationSpecPortLevelMtlsMode,
} from '../imports/security.istio.io';
import { FlaggerCanaryTarget, flaggerTarget, loadTesterWebhooks } from '../serving/flagger-analysis';
import { PREDICTION_GRPC_PATHS, RELOAD_GRPC_PATH, REST_METHODS, REST_PREFIX } from '../serving/traffic-split';

/*
 * The specs of the objects an IstioCanary writes, as pure functions of its plan. Those that depend on the
 * servers' models (timeouts, label-routed models) are called at synthesis.
 */

/** The same surface as one RE2 regex, for gateway route matches (Envoy `safe_regex`: a full match of the path). */
const PREDICTION_GRPC_REGEX = '/tensorflow\\.serving\\.(PredictionService/(Classify|Regress|Predict|MultiInference|GetModelMetadata)|ModelService/GetModelStatus)';
/*
 * The prediction surface (PREDICTION_GRPC_PATHS, REST_PREFIX, REST_METHODS) is the split's (serving/traffic-split.ts).
 * Istio's default path normalization (BASE) decodes percent-encoded unreserved characters before routing and
 * authorization, so `%6E` cannot hide a model name either.
 */
export { PREDICTION_GRPC_PATHS, RELOAD_GRPC_PATH, REST_PREFIX };

/** gRPC status codes that mean the server failed (not the caller): 2, 4, 8, 12, 13, 14, 15. */
const GRPC_SERVER_ERRORS = '2|4|8|12|13|14|15';
const GRPC_CONTENT_TYPE = { 'content-type': { prefix: 'application/grpc' } };

/** The DestinationRule: ISTIO_MUTUAL, and in static mode a `stable` and a `canary` subset (outlier detection on the canary). */
export function destinationRuleSpec(plan: CanaryPlan): DestinationRuleSpec {
  // Envoy's retry_budget: concurrent retries at most this share of active requests (and at least 3, Envoy's default).
  // istiod applies retryBudget from 1.27 only, and until 1.29.2 drops it when a subset has a trafficPolicy of its own
  // (istio/istio#59668, ShallowCopyTrafficPolicy). The circuit breaker max_retries (Istio's default: MaxUint32,
  // cluster_traffic_policy.go) bounds retries on those releases too; where the budget applies, Envoy uses it instead.
  const budget = {
    ...(plan.retryBudgetPercent !== undefined ? { retryBudget: { percent: plan.retryBudgetPercent, minRetryConcurrency: 3 } } : {}),
    ...(plan.retryMaxConcurrent !== undefined ? { connectionPool: { http: { maxRetries: plan.retryMaxConcurrent } } } : {}),
  };
  return {
    host: plan.name,
    trafficPolicy: { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL }, ...budget },
    subsets: plan.mode === IstioCanaryMode.STATIC ? [
      { name: 'stable', labels: { [VERSION_LABEL]: 'stable' } },
      {
        name: 'canary',
        labels: { [VERSION_LABEL]: 'canary' },
        // Subset settings override the host's; the TLS mode is repeated so the subset's policy is complete on its own.
        trafficPolicy: {
          tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          outlierDetection: outlierDetection(plan),
          ...budget,
        },
      },
    ] : undefined,
  };
}

/** The Gateway: HTTPS on the gateway port for the external hosts, TLS 1.2 or newer. */
export function gatewaySpec(plan: CanaryPlan): GatewaySpec {
  const gw = plan.gateway!;
  return {
    selector: { ...gw.selector },
    servers: [{
      port: { number: gw.port, name: 'https', protocol: 'HTTPS' },
      hosts: [...gw.hosts],
      tls: {
        mode: GatewaySpecServersTlsMode.SIMPLE,
        credentialName: gw.tlsSecretName,
        minProtocolVersion: GatewaySpecServersTlsMinProtocolVersion.TLSV1_UNDERSCORE_2,
      },
    }],
  };
}

/** STRICT mTLS for the serving pods; the REST port PERMISSIVE when a plaintext scraper reads the metrics. */
export function peerAuthenticationSpec(plan: CanaryPlan): PeerAuthenticationSpec {
  return {
    selector: { matchLabels: plan.podSelector },
    mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
    ...(plan.scraper.kind === 'plaintext' && plan.metricsPaths.length
      ? { portLevelMtls: { [String(plan.stable.restPort)]: { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE } } }
      : {}),
  };
}

/** The path where the Istio agent serves merged metrics (pilot-agent status server `handleStats`; `/metrics` too). */
export const MERGED_METRICS_PATH = '/stats/prometheus';

/** Where and how a server's scrape object reads its metrics. */
export interface ScrapeEndpoint {
  /** The pod port scraped. */
  readonly port: number;
  /** The HTTP path. */
  readonly path: string;
  /** `http`, or `https` with the Istio certificates in `certificateDirectory`. */
  readonly scheme: 'http' | 'https';
  /** Where the scraper holds Istio's certificates, with `https`. */
  readonly certificateDirectory?: string;
}

/**
 * The scrape a server's metrics need under this canary's PeerAuthentication (undefined: no metrics or no scraper):
 * - metrics merging: the agent's status port 15020 in plaintext. The injector leaves the status port out of the
 *   inbound capture (injection template: istio-init `-d` from `excludeInboundPort(status.sidecar.istio.io/port, …)`,
 *   pkg/kube/inject), so STRICT does not apply to it; the agent answers `/stats/prometheus` with Envoy's metrics plus
 *   the application's, fetched from `http://localhost:<prometheus.io/port><prometheus.io/path>` (pilot-agent
 *   status server `handleStats`, the target given by the injector's `applyPrometheusMerge` in
 *   `ISTIO_PROMETHEUS_ANNOTATIONS`);
 * - plaintext: the REST port in plaintext, which the PeerAuthentication makes PERMISSIVE;
 * - mesh: the REST port over mTLS with Istio's certificates (STRICT).
 */
export function scrapeEndpoint(plan: CanaryPlan, restPort: number, metricsPath: string | undefined): ScrapeEndpoint | undefined {
  if (!metricsPath) return undefined;
  const scraper = plan.scraper;
  switch (scraper.kind) {
    case 'merged': return { port: SIDECAR_AGENT_PORT, path: MERGED_METRICS_PATH, scheme: 'http' };
    case 'plaintext': return { port: restPort, path: metricsPath, scheme: 'http' };
    case 'mesh': return { port: restPort, path: metricsPath, scheme: 'https', certificateDirectory: scraper.certificateDirectory };
    case 'none': return undefined;
  }
}

/**
 * The `prometheus.io/*` pod annotations for metrics merging: Istio's injector moves them into the sidecar's
 * `ISTIO_PROMETHEUS_ANNOTATIONS` and points them at the agent (pkg/kube/inject `applyPrometheusMerge`);
 * `prometheus.istio.io/merge-metrics` turns merging on for these pods whatever the mesh's `enablePrometheusMerge`
 * (`enablePrometheusMerge` reads the annotation first).
 */
export function metricsMergingAnnotations(restPort: number, metricsPath: string): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(restPort),
    'prometheus.io/path': metricsPath,
    'prometheus.istio.io/merge-metrics': 'true',
  };
}

/** The outlier detection of the canary's endpoints (Istio's DestinationRule form), or undefined when off. */
export function outlierDetection(plan: CanaryPlan): DestinationRuleSpecTrafficPolicyOutlierDetection | undefined {
  const o = plan.outlier;
  if (!o) return undefined;
  return {
    consecutive5XxErrors: o.consecutive5xxErrors,
    // Connection failures are counted apart from HTTP statuses (Envoy split_external_local_origin_errors).
    consecutiveLocalOriginFailures: o.consecutiveLocalOriginFailures,
    splitExternalLocalOriginErrors: true,
    interval: istioDuration(o.interval),
    baseEjectionTime: istioDuration(o.baseEjectionTime),
    maxEjectionPercent: o.maxEjectionPercent,
  };
}

/** The retry policy of every route. */
export function retryPolicy(plan: CanaryPlan): VirtualServiceSpecHttpRetries {
  if (plan.retryAttempts === 0) return { attempts: 0 };
  return {
    attempts: plan.retryAttempts,
    perTryTimeout: istioDuration(perTryTimeoutOf(plan)),
    retryOn: plan.retryOn,
  };
}

/**
 * The HTTP routes of the mesh VirtualService (`gateway` false: match by port) or of the gateway one (match by
 * content type and path: only the prediction surface is routed, everything else gets Envoy's 404).
 */
export function routes(plan: CanaryPlan, gateway: boolean): VirtualServiceSpecHttp[] {
  const grpc = plan.stable.grpcPort;
  const rest = plan.stable.restPort;
  const external = gateway && !plan.gateway?.allowExternalPinning;
  // Callers through the gateway do not choose the version: no pinning routes, and the header is removed before the
  // request goes on (Envoy request_headers_to_remove), so nothing behind the gateway sees it either.
  const pinHeader = external ? undefined : plan.pinHeader;
  const strip = external && plan.pinHeader ? { headers: { request: { remove: [plan.pinHeader] } } } : {};
  const common = { timeout: istioDuration(timeoutOf(plan)), retries: retryPolicy(plan), ...strip };
  // Inside the mesh a port picks the protocol; through the gateway both share one port, and gRPC says so in content-type.
  const on = (port: number, extra: VirtualServiceSpecHttpMatch = {}): VirtualServiceSpecHttpMatch => {
    if (!gateway) return { port, ...extra };
    return port === grpc
      ? { uri: { regex: PREDICTION_GRPC_REGEX }, ...extra, headers: { ...GRPC_CONTENT_TYPE, ...extra.headers } }
      : { uri: { prefix: REST_PREFIX }, ...extra };
  };
  const pin = (version: string) => (pinHeader ? { headers: { [pinHeader]: { exact: version } } } : {});
  const result: VirtualServiceSpecHttp[] = [];
  if (plan.mode === IstioCanaryMode.STATIC) {
    for (const [proto, port] of [['grpc', grpc], ['rest', rest]] as const) {
      const dest = (subset: string) => ({ host: plan.name, subset, port: { number: port } });
      if (pinHeader) {
        for (const version of ['canary', 'stable']) {
          result.push({ name: `${proto}-pin-${version}`, match: [on(port, pin(version))], route: [{ destination: dest(version) }], ...common });
        }
      }
      const split = (['stable', 'canary'] as const).filter((v) => plan.weights[v] > 0);
      const mirror = plan.mirrorPercent ? { mirrors: [{ destination: dest('canary'), percentage: { value: plan.mirrorPercent } }] } : {};
      result.push({
        name: proto,
        match: [on(port)],
        route: split.map((v) => ({ destination: dest(v), ...(split.length > 1 ? { weight: plan.weights[v] } : {}) })),
        ...mirror,
        ...common,
      });
    }
    return result;
  }
  // Label routing: one server; REST inference paths are rewritten to a version label.
  const dest = (port: number) => ({ host: plan.name, port: { number: port } });
  const { stableLabel, canaryLabel } = plan.labelRouting!;
  if (gateway) result.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
  for (const model of labelRoutedModels(plan)) {
    // TF Serving matches `/v1/models/` case-insensitively (http_rest_api_util.cc, kPredictionApiGegex starts with
    // `(?i)`) but model names exactly (a map lookup): match and rewrite the same way, so `/V1/Models/NAME:predict`
    // cannot skip the rewrite and reach the highest loaded version (the canary).
    const head = `^(?i:/v1/models/)${re2Escape(model)}:`;
    const uri = { uri: { regex: `${head.slice(1)}.*` } };
    const to = (label: string) => ({
      rewrite: { uriRegexRewrite: { match: head, rewrite: `/v1/models/${model}/labels/${label}:` } },
      route: [{ destination: dest(rest) }],
    });
    if (external) {
      // A path that names a version or label picks the canary itself: not from outside unless allowed.
      result.push({
        name: `rest-${model}-explicit-version`,
        match: [on(rest, { uri: { regex: `(?i:/v1/models/)${re2Escape(model)}/(?i:versions|labels)/.*` } })],
        directResponse: { status: 404, body: { string: '{ "error": "version and label paths are not served through this gateway" }' } },
        ...strip,
      });
    }
    if (pinHeader) {
      result.push({ name: `rest-${model}-pin-canary`, match: [on(rest, { ...uri, ...pin('canary') })], ...to(canaryLabel), ...common });
      result.push({ name: `rest-${model}-pin-stable`, match: [on(rest, { ...uri, ...pin('stable') })], ...to(stableLabel), ...common });
    }
    const share = requestIdShareRegex(plan.weights.canary);
    if (share !== undefined && requestIdBuckets(plan.weights.canary) < REQUEST_ID_BUCKETS) {
      const byRequestId = { ...uri, headers: { 'x-request-id': { regex: share } } };
      result.push({ name: `rest-${model}-canary-share`, match: [on(rest, byRequestId)], ...to(canaryLabel), ...common });
    }
    const rest100 = requestIdBuckets(plan.weights.canary) >= REQUEST_ID_BUCKETS;
    const label = rest100 ? canaryLabel : stableLabel;
    result.push({ name: `rest-${model}-${rest100 ? 'canary' : 'stable'}`, match: [on(rest, uri)], ...to(label), ...common });
  }
  result.push({ name: 'rest', match: [on(rest)], route: [{ destination: dest(rest) }], ...common });
  if (!gateway) result.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
  return result;
}

/** `s` with RE2's special characters escaped. */
function re2Escape(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * The ALLOW rules: callers (and the gateway) on the prediction surface only; admin callers on the reload RPC; the
 * scraper on `GET <metricsPath>`. Istio ANDs the fields of one operation and ORs the operations of `to`.
 */
export function authorizationRules(plan: CanaryPlan): AuthorizationPolicySpecRules[] {
  const from = (callers: MeshCaller[]) => sourcesOf(plan, callers);
  const grpc = String(plan.stable.grpcPort);
  const rest = String(plan.stable.restPort);
  const prediction = [
    { operation: { ports: [grpc], paths: [...PREDICTION_GRPC_PATHS] } },
    { operation: { ports: [rest], methods: [...REST_METHODS], paths: [`${REST_PREFIX}*`] } },
  ];
  const rules: AuthorizationPolicySpecRules[] = [];
  const gw = plan.gateway;
  const callers = [...plan.allowFrom];
  // With JWT, the gateway is admitted only with a validated token of the issuer (a request principal `ISS/SUB`).
  if (gw && !gw.jwt) callers.push(gw.identity);
  if (callers.length) rules.push({ from: from(callers), to: prediction });
  if (gw?.jwt) {
    rules.push({ from: [{ source: { principals: [principalOf(plan, gw.identity)], requestPrincipals: [`${gw.jwt.issuer}/*`] } }], to: prediction });
  }
  if (plan.adminCallers.length) rules.push({ from: from(plan.adminCallers), to: [{ operation: { ports: [grpc], paths: [RELOAD_GRPC_PATH] } }] });
  const paths = plan.metricsPaths;
  const scraper = plan.scraper;
  // Metrics merging reads the agent's port, which bypasses Envoy: no rule, and the REST port stays closed to the scraper.
  if (paths.length && (scraper.kind === 'mesh' || scraper.kind === 'plaintext')) {
    const to = [{ operation: { ports: [rest], methods: ['GET'], paths } }];
    rules.push(scraper.kind === 'mesh' ? { from: from(scraper.callers), to } : { to });
  }
  return rules;
}

/**
 * The DENY rule on the reload RPC for everyone but the admin callers. Istio evaluates DENY policies before ALLOW
 * ones, so no other ALLOW policy on these pods (a namespace-wide one, say) can reopen it. The fields of one
 * source are ANDed: denied unless the caller is a listed principal or in a listed namespace; a plaintext caller
 * has neither and is denied.
 */
export function denyReloadRules(plan: CanaryPlan): AuthorizationPolicySpecRules[] {
  const admins = plan.adminCallers;
  const notNamespaces = [...new Set(admins.filter((c) => !c.serviceAccount).map((c) => c.namespace))].sort();
  const notPrincipals = [...new Set(admins.filter((c) => c.serviceAccount).map((c) => principalOf(plan, c)))].sort();
  const source = { ...(notNamespaces.length ? { notNamespaces } : {}), ...(notPrincipals.length ? { notPrincipals } : {}) };
  return [{
    ...(Object.keys(source).length ? { from: [{ source }] } : {}),
    to: [{ operation: { paths: [RELOAD_GRPC_PATH] } }],
  }];
}

function principalOf(plan: CanaryPlan, c: MeshCaller): string {
  return `${plan.trustDomain}/ns/${c.namespace}/sa/${c.serviceAccount}`;
}

function sourcesOf(plan: CanaryPlan, callers: MeshCaller[]): AuthorizationPolicySpecRulesFrom[] {
  const namespaces = [...new Set(callers.filter((c) => !c.serviceAccount).map((c) => c.namespace))].sort();
  const principals = [...new Set(callers.filter((c) => c.serviceAccount).map((c) => principalOf(plan, c)))].sort();
  return [
    ...(namespaces.length ? [{ source: { namespaces } }] : []),
    ...(principals.length ? [{ source: { principals } }] : []),
  ];
}

/** The RequestAuthentication spec (security.istio.io/v1) for gateway JWTs, on the serving pods. */
export function requestAuthenticationSpec(plan: CanaryPlan): Record<string, unknown> {
  const jwt = plan.gateway!.jwt!;
  return {
    selector: { matchLabels: plan.podSelector },
    jwtRules: [{ issuer: jwt.issuer, jwksUri: jwt.jwksUri, ...(jwt.audiences ? { audiences: [...jwt.audiences] } : {}) }],
  };
}

/** The Flagger Canary. */
export function flaggerSpec(plan: CanaryPlan): CanarySpec {
  const f: FlaggerPlan = plan.flagger!;
  const s = plan.stable;
  const latency = maxLatencyOf(plan, f);
  const outlier = outlierDetection(plan);
  return {
    provider: CanarySpecProvider.ISTIO,
    ...flaggerTarget(s, f.progressDeadlineSeconds),
    service: {
      name: plan.name,
      // gRPC is the main port; port discovery adds REST (the container's other named port) to Flagger's Services.
      port: s.grpcPort,
      portName: 'grpc',
      targetPort: s.grpcPort,
      portDiscovery: true,
      timeout: istioDuration(timeoutOf(plan)),
      retries: retryPolicy(plan),
      trafficPolicy: {
        tls: { mode: CanarySpecServiceTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
        // Flagger's router writes this trafficPolicy into the primary's and the canary's DestinationRule
        // (pkg/router/istio.go reconcileDestinationRule). Its schema has no retryBudget, so retries are bounded by
        // Envoy's max_retries circuit breaker (Istio's default for it is unlimited).
        ...(plan.retryMaxConcurrent !== undefined ? { connectionPool: { http: { maxRetries: plan.retryMaxConcurrent } } } : {}),
        ...(outlier ? { outlierDetection: outlier } : {}),
      },
    },
    analysis: {
      interval: f.interval,
      threshold: f.threshold,
      stepWeight: f.stepWeight,
      maxWeight: f.maxWeight,
      ...(f.loadTester ? { webhooks: loadTesterWebhooks(flaggerTargetOf(plan), f.loadTester) } : {}),
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: f.minSuccessRate }, interval: f.interval },
        // Whole milliseconds, like every duration handed to Istio or Flagger.
        { name: 'request-duration', thresholdRange: { max: wholeMillis(latency) }, interval: f.interval },
        {
          name: 'grpc-error-rate',
          templateRef: { name: `${plan.name}-grpc-error-rate` },
          thresholdRange: { max: f.maxGrpcErrorRate },
          interval: f.interval,
        },
      ],
    },
  };
}

/** Where the load tester reaches Flagger's canary Service. */
function flaggerTargetOf(plan: CanaryPlan): FlaggerCanaryTarget {
  const s = plan.stable;
  return { name: plan.name, namespace: plan.namespace ?? 'default', restPort: s.restPort, grpcPort: s.grpcPort, model: s.modelNames[0] };
}

/** Flagger's gRPC error rate: server-side gRPC failures per gRPC request of the canary workload, percent; 0 without gRPC traffic. */
export function grpcErrorRateQuery(): string {
  const canary = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';
  const sel = (extra: string) => `${canary},${extra}`;
  const errors = `sum(rate(istio_requests_total{${sel(`grpc_response_status=~"${GRPC_SERVER_ERRORS}"`)}}[{{ interval }}]))`;
  // "> 0" drops a zero denominator, so a canary without gRPC traffic scores 0 rather than NaN or no value (Flagger halts on those).
  const all = `(sum(rate(istio_requests_total{${sel('grpc_response_status!=""')}}[{{ interval }}])) > 0)`;
  return `(${errors} / ${all} * 100) or on() vector(0)`;
}
