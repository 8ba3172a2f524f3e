import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { fail } from '../core/errors';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../core/names';
import type { FlaggerLoadTesterOptions, FlaggerStepOptions } from '../serving/flagger-analysis';
import type { TfServingModel } from '../serving/tf-serving-model';
import type { HeaderPinningOptions, TrafficWeights } from '../serving/traffic-split';

/** The split's types (serving/traffic-split.ts), shared with GatewayCanary, re-exported where IstioCanary's props use them. */
export type { BatchTimeoutSource, HeaderPinningOptions, TrafficWeights } from '../serving/traffic-split';
/** The load tester's types (serving/flagger-analysis.ts), shared with GatewayCanary. */
export type { FlaggerGrpcLoadOptions, FlaggerLoadTesterOptions, FlaggerStepOptions } from '../serving/flagger-analysis';

/** Which of the three ways of running a canary an {@link IstioCanary} uses; decided by its props. */
export enum IstioCanaryMode {
  /** Two servers (`stable`, `canary`); this construct writes the Service, DestinationRule and VirtualService. */
  STATIC = 'static',
  /** One server that loads both versions under version labels (`labelRouting`); REST paths are rewritten. */
  LABEL_ROUTING = 'label-routing',
  /** Flagger shifts the traffic and analyses the canary (`flagger`); Flagger writes the routing objects. */
  FLAGGER = 'flagger',
}

/**
 * A workload identity that may call the model servers, for the AuthorizationPolicy. Identities come from Istio
 * mTLS certificates, so a caller must run in the mesh (with a sidecar or through a gateway).
 */
export class MeshCaller {
  /** Every workload in a namespace (`source.namespaces`). */
  public static namespace(namespace: string): MeshCaller {
    checkDnsLabel('MeshCaller', 'namespace', namespace);
    return new MeshCaller(namespace);
  }

  /** One Kubernetes service account (`source.principals`: `TRUST_DOMAIN/ns/NAMESPACE/sa/NAME`). */
  public static serviceAccount(namespace: string, name: string): MeshCaller {
    checkDnsLabel('MeshCaller', 'namespace', namespace);
    if (!DNS_SUBDOMAIN.test(name)) {
      fail('MeshCaller', 'name', name, 'be a service account name (a DNS subdomain)', 'use the name of the ServiceAccount object');
    }
    return new MeshCaller(namespace, name);
  }

  private constructor(
    /** The caller's namespace. */
    public readonly namespace: string,
    /** The caller's service account; `undefined` admits the whole namespace. */
    public readonly serviceAccount?: string,
  ) {}

  /** `ns/NAMESPACE` or `ns/NAMESPACE/sa/NAME`. */
  public toString(): string {
    return this.serviceAccount ? `ns/${this.namespace}/sa/${this.serviceAccount}` : `ns/${this.namespace}`;
  }
}

/**
 * How the metrics scraper reaches the servers' metrics through the mesh's STRICT mTLS. A Prometheus scrapes pod
 * addresses directly, past the Service and any client sidecar; the server's scrape object (ServiceMonitor,
 * PodMonitoring) is rewritten to the port and scheme the choice admits, so the two never disagree.
 */
export class ScraperAccess {
  /** Where Istio's documentation mounts the workload certificates into a Prometheus (`/etc/prom-certs`). */
  public static readonly DEFAULT_CERTIFICATE_DIRECTORY = '/etc/prom-certs';

  /**
   * The scraper has a mesh identity: a Prometheus that mounts Istio's workload certificates (Istio's
   * `OUTPUT_CERTS` + `sidecar.istio.io/userVolumeMount`, in `/etc/prom-certs`) and scrapes the REST port over https
   * with them (the ServiceMonitor gets `scheme: https` and that `tlsConfig`). It is admitted to `GET <metricsPath>`
   * by identity. Not for a PodMonitoring: Managed Prometheus collectors hold no Istio certificates.
   *
   * @see https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings
   */
  public static mesh(...callers: MeshCaller[]): ScraperAccess {
    return ScraperAccess.meshWithCertificates(ScraperAccess.DEFAULT_CERTIFICATE_DIRECTORY, ...callers);
  }

  /**
   * As {@link ScraperAccess.mesh}, with the Istio certificates (`root-cert.pem`, `cert-chain.pem`, `key.pem`) in
   * another directory of the Prometheus container.
   */
  public static meshWithCertificates(directory: string, ...callers: MeshCaller[]): ScraperAccess {
    if (callers.length === 0) fail('ScraperAccess', 'callers', [], 'name at least one caller', 'pass MeshCaller.namespace(\'monitoring\')');
    if (!/^\/\S*[^/\s]$/.test(directory)) {
      fail('ScraperAccess', 'directory', directory, 'be an absolute path without a trailing \'/\'', `use '${ScraperAccess.DEFAULT_CERTIFICATE_DIRECTORY}'`);
    }
    return new ScraperAccess('mesh', callers, directory);
  }

  /**
   * Istio metrics merging, for a scraper without a mesh identity (Google Managed Prometheus, a Prometheus without
   * Istio certificates): the sidecar's agent serves TF Serving's metrics together with Envoy's on its status port
   * (15020, `/stats/prometheus`) in plaintext, and the injector leaves that port out of the traffic capture, so
   * STRICT mTLS stays on every server port. The pods get the `prometheus.io/scrape|port|path` annotations the
   * injector hands to the agent (and `prometheus.istio.io/merge-metrics: "true"`, whatever the mesh's
   * `enablePrometheusMerge`); the scrape object reads 15020. The AuthorizationPolicy has no scraper rule (the agent
   * port bypasses Envoy) and the REST port stays closed to the scraper. The mesh must not set
   * `METRICS_LOCALHOST_ACCESS_ONLY` on the proxies (the agent then answers only localhost).
   *
   * @see https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
   */
  public static metricsMerging(): ScraperAccess {
    return new ScraperAccess('merged', []);
  }

  /**
   * The scraper has no mesh identity and reads the REST port in plaintext: that port accepts plaintext too
   * (PeerAuthentication PERMISSIVE on that port only), and the AuthorizationPolicy admits `GET <metricsPath>` from
   * any source. Inference on that port still needs a listed mTLS identity, because plaintext requests carry none.
   * Prefer {@link ScraperAccess.metricsMerging}, which keeps every server port STRICT.
   */
  public static plaintext(): ScraperAccess {
    return new ScraperAccess('plaintext', []);
  }

  /**
   * No rule for the scraper: nobody outside `allowFrom` reads the metrics. Refused for a server with a scrape object
   * (it would scrape nothing).
   */
  public static none(): ScraperAccess {
    return new ScraperAccess('none', []);
  }

  private constructor(
    /** `mesh`, `merged` (metrics merging), `plaintext` or `none`. */
    public readonly kind: 'mesh' | 'merged' | 'plaintext' | 'none',
    /** The admitted identities, with `mesh`. */
    public readonly callers: MeshCaller[],
    /** Where the scraper holds Istio's certificates, with `mesh`. */
    public readonly certificateDirectory?: string,
  ) {}
}

/** Retries of the routes. */
export interface RouteRetryOptions {
  /**
   * Retries after the first attempt; 0 turns retries off. Inference is idempotent, so a retry is safe.
   *
   * @default 2
   */
  readonly attempts?: number;
  /**
   * Timeout of each attempt; must be longer than the largest batching timeout of the servers.
   *
   * @default - 10 seconds plus the largest batching timeout of the servers
   */
  readonly perTryTimeout?: Duration;
  /**
   * Envoy retry conditions (`retryOn`); a number is a retriable HTTP status. The default retries only requests
   * that never reached TF Serving (the connection failed, or the server refused the HTTP/2 stream). A full batch
   * queue answers UNAVAILABLE (REST 503) on purpose: retrying those triples the load on a saturated server, so
   * `unavailable` and `503` are left out unless you add them.
   *
   * @default 'connect-failure,refused-stream'
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
   */
  readonly retryOn?: string;
  /**
   * Retry budget: concurrent retries may be at most this percent of the active requests to a host
   * (DestinationRule `trafficPolicy.retryBudget`, Envoy's `retry_budget`), so retries cannot multiply load when
   * many requests fail at once. Static and label modes; with `flagger`, see `maxConcurrent`. istiod applies it from
   * Istio 1.27, and to a subset with its own traffic policy (the static canary subset) from 1.29.2 (istio/istio#59668);
   * `maxConcurrent` bounds retries on older releases.
   *
   * @default 20
   */
  readonly budgetPercent?: number;
  /**
   * At most this many retries outstanding at once from each client proxy to each version, per service port
   * (`connectionPool.http.maxRetries`, Envoy's `max_retries` circuit breaker; Istio's own default is unlimited).
   * With `flagger` it is the only bound (`service.trafficPolicy`, which Flagger copies into both DestinationRules;
   * Flagger's Canary has no retry budget field, its CRD schema prunes one). In static and label modes it backs the
   * retry budget on Istio releases that do not apply it; where the budget applies, Envoy uses the budget instead.
   *
   * @default 3 (Envoy's default, and the floor of the retry budget of the other modes)
   */
  readonly maxConcurrent?: number;
}

/** Outlier detection (passive health checking) of the canary's endpoints. */
export interface OutlierDetectionOptions {
  /**
   * Emit outlier detection.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Consecutive 5xx responses from the server (gRPC errors count by their HTTP mapping) that eject an endpoint.
   * Off by default: TF Serving sheds load with UNAVAILABLE / 503 when its batch queue is full, and ejecting a pod for
   * that moves its load onto the others, which then shed too.
   *
   * @default - not counted (`consecutive5xxErrors: 0`)
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive connection-level failures (connect failure, reset, timeout; Envoy's locally originated errors,
   * counted apart from HTTP statuses with `splitExternalLocalOriginErrors`) that eject an endpoint.
   *
   * @default 5
   */
  readonly consecutiveLocalOriginFailures?: number;
  /**
   * How often endpoints are checked.
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;
  /**
   * How long an endpoint stays ejected (multiplied by the number of ejections).
   *
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * The largest share of endpoints that may be ejected at once.
   *
   * @default 50
   */
  readonly maxEjectionPercent?: number;
}

/** Exposure through an Istio ingress gateway (HTTPS; gRPC and REST share the port, told apart by content type). */
export interface GatewayExposureOptions {
  /** The external host names, e.g. `['resnet.ml.example.com']`. */
  readonly hosts: string[];
  /**
   * The TLS Secret (`credentialName`) with the certificate for the hosts. It must be in the namespace of the
   * ingress gateway pods (for example `istio-system`), not of this chart.
   */
  readonly tlsSecretName: string;
  /**
   * The HTTPS port of the gateway.
   *
   * @default 443
   */
  readonly port?: number;
  /**
   * Labels that select the ingress gateway pods.
   *
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: Record<string, string>;
  /**
   * The identity of the ingress gateway pods, admitted by the AuthorizationPolicy.
   *
   * @default MeshCaller.serviceAccount('istio-system', 'istio-ingressgateway-service-account')
   */
  readonly gatewayIdentity?: MeshCaller;
  /**
   * Let callers through the gateway choose the version: the pinning header routes them (it is removed from
   * gateway requests otherwise), and with `labelRouting`, REST paths that name a version or label
   * (`/v1/models/NAME/versions/N:…`, `/v1/models/NAME/labels/L:…`) are forwarded (refused with 404 otherwise).
   *
   * @default false
   */
  readonly allowExternalPinning?: boolean;
  /**
   * Require a valid JWT on every request through the gateway: a RequestAuthentication on the serving pods
   * validates tokens, and the AuthorizationPolicy admits the gateway only with a request principal of this issuer.
   *
   * @default - no end-user authentication: whoever reaches the gateway may call the prediction API
   */
  readonly jwt?: JwtOptions;
}

/** End-user authentication of gateway traffic by JWT (Istio RequestAuthentication). */
export interface JwtOptions {
  /** The token issuer (`iss`), e.g. `https://accounts.google.com`. */
  readonly issuer: string;
  /** The issuer's JSON Web Key Set URL, https. */
  readonly jwksUri: string;
  /**
   * Accepted audiences (`aud`).
   *
   * @default - any audience
   */
  readonly audiences?: string[];
}

/** Label routing: both versions in one server, told apart by TF Serving's version labels. */
export interface LabelRoutingOptions {
  /**
   * The version label of the stable version (`versionLabels` of the models).
   *
   * @default 'stable'
   */
  readonly stableLabel?: string;
  /**
   * The version label of the canary version.
   *
   * @default 'canary'
   */
  readonly canaryLabel?: string;
  /**
   * The models whose REST requests are routed by label.
   *
   * @default - every model of the server that has both labels
   */
  readonly models?: string[];
  /**
   * Accept that gRPC requests without `model_spec.version_label` reach the canary. Only REST paths can be
   * rewritten; TF Serving answers an unlabeled gRPC request with the highest loaded version, which is the
   * canary unless the policy provably loads a newer one. Without this, such a setup is an error.
   *
   * @default false
   */
  readonly allowUnlabeledGrpcToCanary?: boolean;
}

/**
 * Flagger hand-off: a Flagger `Canary` runs the rollout (it creates `<target>-primary`, the Services and the
 * VirtualService) and promotes or rolls back on its metric checks.
 *
 * @see https://docs.flagger.app/tutorials/istio-progressive-delivery
 */
export interface FlaggerOptions extends FlaggerStepOptions {
  /**
   * Least HTTP success rate, percent (Flagger's built-in `request-success-rate`; gRPC errors are HTTP 200, so they
   * are checked by the gRPC error-rate template instead).
   *
   * @default 99
   */
  readonly minSuccessRate?: number;
  /**
   * Highest P99 request duration (Flagger's built-in `request-duration`); must be longer than the batching timeout.
   *
   * @default - 500 milliseconds plus the largest batching timeout
   */
  readonly maxLatency?: Duration;
  /**
   * Highest share of gRPC requests that fail with a server-side status (UNKNOWN, DEADLINE_EXCEEDED,
   * RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), percent.
   *
   * @default 1
   */
  readonly maxGrpcErrorRate?: number;
  /**
   * The Prometheus that holds Istio's metrics (for the gRPC error-rate MetricTemplate).
   *
   * @default 'http://prometheus.istio-system:9090'
   */
  readonly prometheusAddress?: string;
  /**
   * Give the analysis traffic through Flagger's load tester (webhooks), so that an idle canary is not judged on no
   * requests: a `pre-rollout` check that the canary's first model is AVAILABLE, and `rollout` loads on the canary
   * Service: REST predict requests with `requestBody`, gRPC Predict calls with `grpcRequest`. The load tester's namespace must be in `allowFrom`.
   *
   * @default - no webhooks: the analysis sees only the traffic clients send
   * @see https://docs.flagger.app/usage/webhooks
   */
  readonly loadTester?: FlaggerLoadTesterOptions;
}

/** The Istio sidecar of the serving pods (pod annotations read by Istio's injector). */
export interface SidecarProxyOptions {
  /**
   * CPU of the proxy container, request and limit (`sidecar.istio.io/proxyCPU`, `proxyCPULimit`).
   *
   * @default kplus.Cpu.millis(500)
   */
  readonly cpu?: kplus.Cpu;
  /**
   * Memory of the proxy container, request and limit (`sidecar.istio.io/proxyMemory`, `proxyMemoryLimit`).
   *
   * @default Size.mebibytes(512)
   */
  readonly memory?: Size;
  /**
   * Set the proxy's requests equal to its limits, so that a server with equal requests and limits keeps Guaranteed
   * QoS (Kubernetes counts every container; Istio's own defaults, 100m/128Mi requests and 2/1Gi limits, make the
   * pod Burstable). `false` leaves the proxy's resources to the mesh defaults.
   *
   * @default true
   */
  readonly guaranteedQos?: boolean;
  /**
   * Start the server only once the proxy is ready (`holdApplicationUntilProxyStarts` in `proxy.istio.io/config`):
   * TF Serving reads its models from GCS at start, and with STRICT egress through the sidecar that read fails
   * while the proxy is not up. Native sidecars (Istio 1.27+ with Kubernetes 1.29+) start first anyway.
   *
   * @default true
   */
  readonly holdApplicationUntilProxyStarts?: boolean;
}

/** Properties of an {@link IstioCanary}. */
export interface IstioCanaryProps {
  /**
   * The server that serves the stable version. With `labelRouting`, the one server that loads both versions; with
   * `flagger`, the workload Flagger rolls out (Flagger copies it to `<name>-primary`, which then serves the stable
   * version, and analyses every change of this Deployment as a canary).
   */
  readonly stable: TfServingModel;
  /**
   * The server that serves the canary version: the same model names as `stable`, another Deployment, the same
   * namespace and ports.
   *
   * @default - none; then `labelRouting` or `flagger` must be set
   */
  readonly canary?: TfServingModel;
  /**
   * Label routing inside the one `stable` server instead of a second server.
   *
   * @default - no label routing
   */
  readonly labelRouting?: LabelRoutingOptions;
  /**
   * Hand the rollout to Flagger instead of routing statically. Exclusive with `canary`, `labelRouting`, `weights`,
   * `pinning`, `mirrorPercent` and `gateway`. Clients call the host `name` (Flagger's apex Service); calls to the
   * server's own Service, which selects primary and canary pods alike, are routed to Flagger's primary only.
   *
   * @default - static routing by this construct
   */
  readonly flagger?: FlaggerOptions;
  /**
   * Who may call the prediction API of the servers (AuthorizationPolicy): gRPC `PredictionService/*` methods and
   * `ModelService/GetModelStatus`, REST `GET`/`POST` under `/v1/models/`. An empty list admits nobody but the
   * scraper (and, with `gateway`, the ingress gateway). The admin RPC needs `adminCallers`.
   */
  readonly allowFrom: MeshCaller[];
  /**
   * Who may call TF Serving's admin RPC `tensorflow.serving.ModelService/HandleReloadConfigRequest` (it unloads
   * every model and loads any path the server can read). Everyone else is refused by a DENY policy, whatever
   * other ALLOW policies say; `allowFrom` callers get only the prediction API.
   *
   * @default - nobody
   */
  readonly adminCallers?: MeshCaller[];
  /**
   * The host name in the mesh: the name of the Service spanning both versions and of every Istio object.
   *
   * @default - the construct id
   */
  readonly name?: string;
  // The doc comment's lines are copied verbatim into docs/api (see test/package/api-reference.test.ts).
  /* eslint-disable @stylistic/max-len */
  /**
   * The traffic split, applied to gRPC and REST alike (with `labelRouting`, to REST only). With `labelRouting`, Istio cannot split one route by weight
   * and rewrite only one part, so the canary share of REST inference requests is chosen by the last three hex digits
   * of Envoy's random `x-request-id` (exact to 1/4096; a caller that sets its own `x-request-id` picks its route).
   *
   * @default { stable: 100, canary: 0 } - the canary gets only pinned and mirrored requests
   */
  readonly weights?: TrafficWeights;
  /* eslint-enable @stylistic/max-len */
  /**
   * Header pinning.
   *
   * @default - `x-model-version: canary` and `x-model-version: stable` pin a request to a version
   */
  readonly pinning?: HeaderPinningOptions;
  /**
   * Percent of the requests on the weighted routes that are also sent to the canary as a shadow copy (Istio
   * `mirrors`); the canary's answers are discarded. 0 to 100.
   *
   * @default - no shadow traffic
   */
  readonly mirrorPercent?: number;
  /**
   * Route timeout (all attempts); must be longer than the largest batching timeout of the servers.
   *
   * @default - (attempts + 1) × perTryTimeout
   */
  readonly timeout?: Duration;
  /**
   * Retries.
   *
   * @default - 2 retries on connection failures only, each attempt 10 s plus the batching timeout, within a 20 % retry budget
   * (with `flagger`: at most 3 concurrent retries per client proxy)
   */
  readonly retries?: RouteRetryOptions;
  /**
   * Outlier detection on the canary subset (with `flagger`, on primary and canary; with `labelRouting`, which has no
   * canary endpoints of its own, none).
   *
   * @default - eject a canary endpoint after 5 consecutive connection failures (not for 5xx) for 30 s, at most half of them
   */
  readonly outlierDetection?: OutlierDetectionOptions;
  /**
   * Expose the host through an Istio ingress gateway. When a server's `networkPolicy.allowFrom` narrows who may
   * connect, it must admit the ingress gateway's namespace too.
   *
   * @default - reachable only inside the mesh
   */
  readonly gateway?: GatewayExposureOptions;
  /**
   * How the metrics scraper is admitted to the metrics path (servers with metrics only).
   *
   * @default - ScraperAccess.metricsMerging() when a server has a ServiceMonitor or PodMonitoring (a Prometheus
   * scrapes pod addresses in plaintext, which STRICT mTLS refuses on the server ports), else
   * ScraperAccess.mesh(MeshCaller.namespace('monitoring'))
   */
  readonly scraper?: ScraperAccess;
  /**
   * The Istio sidecar of the serving pods: its resources and start order.
   *
   * @default - 500m CPU and 512 MiB, requests = limits; the server waits for the proxy
   */
  readonly proxy?: SidecarProxyOptions;
  /**
   * The mesh trust domain, for service-account principals.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The namespace of istiod, for the egress rule that lets the servers' sidecars fetch config and certificates
   * (port 15012) through their NetworkPolicy.
   *
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
}


function checkDnsLabel(subject: string, prop: string, value: string): void {
  if (!DNS_LABEL.test(value)) {
    fail(subject, prop, value, 'be a namespace name (a DNS label)', 'use the name of the Namespace object');
  }
}
