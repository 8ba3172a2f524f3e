import { Duration } from 'cdk8s';
import { gatewayApiDuration } from './gateway-options';
import { fail } from '../core/errors';
import { HTTP_URL } from '../core/names';
import {
  CanarySpec, CanarySpecProvider, MetricTemplateSpec, MetricTemplateSpecProviderType,
} from '../imports/flagger.app';
import { formatDuration } from '../private/duration';
import {
  checkLoadTester, checkProgressDeadline, FlaggerLoadTesterOptions, FlaggerStepOptions, FlaggerSteps, flaggerInterval, LATENCY_BUDGET_MS,
  loadTesterWebhooks,
  flaggerTarget, resolveFlaggerSteps,
  tfServingLatencyQuery, tfServingSuccessRateQuery,
} from '../serving/flagger-analysis';
import type { TfServingModel } from '../serving/tf-serving-model';
import { batchTimeoutOf, REST_PREFIX } from '../serving/traffic-split';

/*
 * GatewayCanary's Flagger mode: Flagger's Gateway API router (`provider: gatewayapi:v1`, pkg/router/gateway_api.go)
 * writes the HTTPRoute `NAME` in the servers' namespace, attached to this construct's Gateway through
 * `service.gatewayRefs`, with weighted backendRefs to its Services `NAME-primary` and `NAME-canary`, and shifts the
 * weights step by step. Its analysis metrics come from TF Serving's own counters: for `gatewayapi:*` Flagger's
 * built-in `request-success-rate` and `request-duration` read `http_request_duration_seconds` of the target pods
 * (pkg/metrics/observers/factory.go → HttpObserver, http.go), which TF Serving does not export, and GKE's load
 * balancer has no in-cluster Envoy metrics either. So the Canary names two MetricTemplates over TF Serving's
 * request count and latency (serving/flagger-analysis.ts), scraped by the server's PodMonitoring or ServiceMonitor.
 */

/**
 * Flagger hand-off for a {@link GatewayCanary}: a Flagger `Canary` with Flagger's Gateway API provider runs the
 * rollout (it copies `stable` to `NAME-primary`, creates the Services `NAME`, `NAME-primary`, `NAME-canary` and the
 * HTTPRoute `NAME`) and promotes or rolls back on TF Serving's own metrics.
 *
 * @see https://docs.flagger.app/tutorials/gatewayapi-progressive-delivery
 */
export interface GatewayFlaggerOptions extends FlaggerStepOptions {
  /**
   * The Prometheus HTTP API that holds the servers' TF Serving metrics (MetricTemplate `provider.address`). With
   * Google Cloud Managed Service for Prometheus, the in-cluster frontend that proxies its query API
   * (`http://frontend.NAMESPACE.svc:9090`); Flagger's Prometheus provider sends no Google credentials itself.
   *
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/query#ui-prometheus
   */
  readonly prometheusAddress: string;
  /**
   * Least share of the canary's requests (REST and gRPC) that TF Serving answers without a server error (UNKNOWN,
   * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), percent; from its
   * request counter.
   *
   * @default 99
   */
  readonly minSuccessRate?: number;
  /**
   * Highest P99 request latency of the canary, from TF Serving's request_latency histogram; must be longer than the
   * batching timeout.
   *
   * @default - 500 milliseconds plus the largest batching timeout
   */
  readonly maxLatency?: Duration;
  /**
   * Give the analysis traffic through Flagger's load tester (webhooks), so that an idle canary is not judged on no
   * requests: a `pre-rollout` check that the canary's first model is AVAILABLE, and loads on Flagger's canary
   * Service during rollout. The servers' NetworkPolicy must admit the load tester's namespace.
   *
   * @default - no webhooks: the analysis sees only the traffic clients send
   */
  readonly loadTester?: FlaggerLoadTesterOptions;
}

/** The Flagger hand-off with its defaults applied. */
export interface GatewayFlaggerPlan extends FlaggerSteps {
  readonly prometheusAddress: string;
  readonly minSuccessRate: number;
  readonly maxLatency?: Duration;
  readonly loadTester?: FlaggerLoadTesterOptions;
}

/** The props a Flagger rollout replaces: Flagger writes the route and shifts the weights itself. */
export const STATIC_ONLY_PROPS = ['canary', 'weights', 'pinning', 'mirrorPercent', 'grpcHost', 'allowCallerPinning', 'referenceGrant'] as const;

/** Checks the Flagger options against the target server; throws the first ConfigError. */
export function resolveGatewayFlagger(subject: string, name: string, f: GatewayFlaggerOptions, target: TfServingModel): GatewayFlaggerPlan {
  const steps = resolveFlaggerSteps(subject, 'flagger', f);
  if (f.minSuccessRate !== undefined && !(f.minSuccessRate >= 0 && f.minSuccessRate <= 100)) {
    fail(subject, 'flagger.minSuccessRate', f.minSuccessRate, 'be a percentage between 0 and 100', 'use 99');
  }
  if (!HTTP_URL.test(f.prometheusAddress)) {
    fail(subject, 'flagger.prometheusAddress', f.prometheusAddress, 'be an http(s) URL',
      'use the Managed Prometheus frontend, e.g. \'http://frontend.gmp-public.svc:9090\'');
  }
  if (f.maxLatency !== undefined) checkMaxLatency(subject, f.maxLatency, target);
  const id = `TfServingModel '${target.node.id}'`;
  if (f.loadTester?.grpcRequest && target.grpcTls) {
    // the load tester's ghz call is plaintext (`--insecure`, serving/flagger-analysis.ts loadTesterWebhooks); with
    // grpcTls the port speaks TLS only (server.cc BuildServerCredentials), so every call would fail the analysis.
    fail(subject, 'flagger.loadTester.grpcRequest', f.loadTester.grpcRequest.protoPath,
      `not send plaintext gRPC load to ${id}: its gRPC port has grpcTls and accepts TLS only`,
      'remove grpcRequest and load the canary over REST (requestBody)');
  }
  if (f.loadTester) {
    const ns = checkLoadTester(subject, 'flagger.loadTester', f.loadTester, 'its namespace must be admitted by the servers\' NetworkPolicy');
    if (target.admitsNamespace(ns) === false) {
      fail(subject, 'flagger.loadTester', f.loadTester.url,
        `run in a namespace the NetworkPolicy of ${id} admits ('${ns}' is not): its model check and load would be dropped`,
        `add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': '${ns}' } } } to networkPolicy.allowFrom of ${id}`);
    }
  }
  checkProgressDeadline(subject, 'flagger.progressDeadline', steps.progressDeadlineSeconds, target);
  if (!target.podMonitoring && !target.serviceMonitor) {
    // The MetricTemplates read the canary pods' TF Serving series: without a scrape object there are none, and
    // Flagger halts every step ("no values found") until it rolls back.
    fail(subject, 'flagger', undefined,
      `find the metrics of ${id} in Prometheus: the analysis reads TF Serving's request count and latency of the canary pods, and the server has no scrape object`,
      `set monitoring: { scraper: Scraper.POD_MONITORING } (Managed Prometheus) or Scraper.SERVICE_MONITOR on ${id}`);
  }
  for (const suffix of ['', '-primary', '-canary']) {
    // Flagger creates the Services NAME, NAME-primary and NAME-canary (pkg/router/kubernetes_default.go).
    if (target.name === `${name}${suffix}`) {
      fail(subject, 'name', name, `not make Flagger's Service '${name}${suffix}' collide with the Service of ${id}`,
        `choose another name, e.g. '${name}-rollout'`);
    }
  }
  return {
    ...steps,
    prometheusAddress: f.prometheusAddress,
    minSuccessRate: f.minSuccessRate ?? 99,
    maxLatency: f.maxLatency,
    loadTester: f.loadTester,
  };
}

/** A set latency limit is whole milliseconds and longer than the largest batching timeout (re-checked at synthesis). */
export function checkMaxLatency(subject: string, maxLatency: Duration, target: TfServingModel): void {
  const ms = maxLatency.toMilliseconds({ integral: false });
  const batch = batchTimeoutOf([target]);
  if (!(Number.isInteger(ms) && ms >= 1) || ms <= batch.timeout.toMilliseconds({ integral: false })) {
    fail(subject, 'flagger.maxLatency', formatDuration(maxLatency),
      `be whole milliseconds, longer than the largest batching timeout (${formatDuration(batch.timeout)}): a request may wait that long for its batch`,
      'raise maxLatency well above the batching timeout, or leave it out to size it from the batching timeout');
  }
}

/** The latency limit in milliseconds: as set, or 500 ms plus the largest batching timeout, rounded up. */
export function maxLatencyMsOf(f: GatewayFlaggerPlan, target: TfServingModel): number {
  if (f.maxLatency) return f.maxLatency.toMilliseconds({ integral: false });
  return Math.ceil(LATENCY_BUDGET_MS + batchTimeoutOf([target]).timeout.toMilliseconds({ integral: false }) - 1e-6);
}

/** What the Canary needs from the GatewayCanary's plan. */
export interface GatewayFlaggerTarget {
  readonly name: string;
  /** The namespace of the servers (and of the Canary, its Services and its HTTPRoute). */
  readonly namespace: string;
  /** The Gateway's namespace. */
  readonly gatewayNamespace: string;
  readonly target: TfServingModel;
  readonly restHost: string;
  /** HTTPRoute `timeouts.request` (only for classes that implement route timeouts). */
  readonly routeTimeout?: Duration;
  readonly flagger: GatewayFlaggerPlan;
}

/** The annotations GKE's NEG controller keeps on a Service a Gateway load-balances to (standalone NEGs). */
const GKE_NEG_ANNOTATIONS = ['cloud.google.com/neg', 'cloud.google.com/neg-status'] as const;

/**
 * The range of the metric queries (`{{ interval }}` in the MetricTemplates): the analysis interval, but at least four
 * scrapes, so that `rate()` has samples even when one scrape is late. An empty result is no pause: Flagger counts it
 * as a failed check (pkg/controller/scheduler_metrics.go "no values found", scheduler.go FailedChecks+1).
 */
export function metricWindow(analysisInterval: string, scrape: Duration): string {
  const m = /^(\d+)(m|s)$/.exec(analysisInterval)!;
  const analysisSec = Number(m[1]) * (m[2] === 'm' ? 60 : 1);
  return flaggerInterval(Duration.seconds(Math.max(analysisSec, 4 * Math.ceil(scrape.toSeconds({ integral: false })))))!;
}

/** The names of the two MetricTemplates. */
export function metricTemplateNames(name: string): { successRate: string; latency: string } {
  return { successRate: `${name}-tf-serving-success-rate`, latency: `${name}-tf-serving-latency` };
}

/**
 * The Flagger Canary. `service` is Flagger's HTTPRoute: the Gateway's `rest` listener (gatewayRefs), the REST host,
 * the REST prediction surface only (service.match → a PathPrefix match on /v1/models, pkg/router/gateway_api.go
 * `mapRouteMatches`; Flagger's default would be every path, the metrics endpoint included), the REST port (backendRefs
 * use `service.port`; port discovery adds the gRPC port to Flagger's Services for the gRPC load). No `timeout` on
 * GKE's classes: Flagger writes it as HTTPRoute `timeouts`, which GKE does not implement (the GCPBackendPolicy sets
 * the backend timeout instead).
 */
export function gatewayFlaggerSpec(t: GatewayFlaggerTarget): CanarySpec {
  const f = t.flagger;
  const s = t.target;
  const names = metricTemplateNames(t.name);
  const window = metricWindow(f.interval, s.scrapeInterval);
  return {
    provider: CanarySpecProvider.GATEWAYAPI_V1,
    ...flaggerTarget(s, f.progressDeadlineSeconds),
    service: {
      name: t.name,
      port: s.restPort,
      portName: 'http',
      targetPort: s.restPort,
      portDiscovery: true,
      // Flagger resets the annotations of the Services it owns to the Canary's (pkg/router/kubernetes_default.go
      // reconcileService) except the keys listed here; GKE's NEG controller writes these on a Gateway's backend Services.
      unmanagedMetadata: { annotations: [...GKE_NEG_ANNOTATIONS] },
      hosts: [t.restHost],
      gatewayRefs: [{ name: t.name, namespace: t.gatewayNamespace, sectionName: 'rest' }],
      match: [{ uri: { prefix: REST_PREFIX.replace(/\/$/, '') } }],
      ...(t.routeTimeout ? { timeout: gatewayApiDuration(t.routeTimeout) } : {}),
    },
    analysis: {
      interval: f.interval,
      threshold: f.threshold,
      stepWeight: f.stepWeight,
      maxWeight: f.maxWeight,
      ...(f.loadTester ? {
        webhooks: loadTesterWebhooks(
          { name: t.name, namespace: t.namespace, restPort: s.restPort, grpcPort: s.grpcPort, model: s.modelNames[0] }, f.loadTester),
      } : {}),
      metrics: [
        { name: 'tf-serving-success-rate', templateRef: { name: names.successRate }, thresholdRange: { min: f.minSuccessRate }, interval: window },
        { name: 'tf-serving-latency-p99', templateRef: { name: names.latency }, thresholdRange: { max: maxLatencyMsOf(f, s) }, interval: window },
      ],
    },
  };
}

/** The two MetricTemplates (Prometheus provider): success rate and P99 latency of the canary pods. */
export function metricTemplateSpecs(f: GatewayFlaggerPlan): { successRate: MetricTemplateSpec; latency: MetricTemplateSpec } {
  const provider = { type: MetricTemplateSpecProviderType.PROMETHEUS, address: f.prometheusAddress };
  return {
    successRate: { provider, query: tfServingSuccessRateQuery() },
    latency: { provider, query: tfServingLatencyQuery() },
  };
}
