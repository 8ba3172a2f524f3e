import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { flaggerInterval, istioDuration, requestIdBuckets, requestIdShareRegex, REQUEST_ID_BUCKETS } from './routing';
import { sidecarPolicyFor } from './sidecar-network-policy';
import {
  Canary, CanarySpec, CanarySpecAutoscalerRefKind, CanarySpecProvider, CanarySpecServiceTrafficPolicyTlsMode, CanarySpecTargetRefKind,
  MetricTemplate, MetricTemplateSpecProviderType,
} from '../imports/flagger.app';
import {
  DestinationRule, DestinationRuleSpecSubsetsTrafficPolicyTlsMode, DestinationRuleSpecTrafficPolicyOutlierDetection,
  DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMinProtocolVersion, GatewaySpecServersTlsMode, VirtualService,
  VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpRetries,
} from '../imports/networking.istio.io';
import {
  AuthorizationPolicy, AuthorizationPolicySpecAction, AuthorizationPolicySpecRules, AuthorizationPolicySpecRulesFrom, PeerAuthentication,
  PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode,
} from '../imports/security.istio.io';
import { BatchingConfig } from '../serving/batching-config';
import { IMeshAdmission, IServingEndpoint } from '../serving/serving-endpoint';
import { TfServingModel } from '../serving/tf-serving-model';
import { formatDuration } from '../private/duration';
import { lazyValue } from '../private/lazy';
import { ConfigError, fail, show, subjectOf } from '../core/errors';
import { DNS_LABEL, DNS_SUBDOMAIN, HTTP_URL, SERVER_NAME } from '../core/names';

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
 * How the metrics scraper reaches the metrics path on the REST port through the mesh's STRICT mTLS.
 */
export class ScraperAccess {
  /**
   * The scraper has a mesh identity (it runs with an Istio sidecar, or mounts Istio's workload certificates) and
   * is admitted to `GET <metricsPath>` by identity.
   */
  public static mesh(...callers: MeshCaller[]): ScraperAccess {
    if (callers.length === 0) fail('ScraperAccess', 'callers', [], 'name at least one caller', 'pass MeshCaller.namespace(\'monitoring\')');
    return new ScraperAccess('mesh', callers);
  }

  /**
   * The scraper has no mesh identity (Google Managed Prometheus, a Prometheus without sidecar): the REST port
   * accepts plaintext too (PeerAuthentication PERMISSIVE on that port only), and the AuthorizationPolicy admits
   * `GET <metricsPath>` from any source. Inference on that port still needs a listed mTLS identity, because
   * plaintext requests carry none.
   */
  public static plaintext(): ScraperAccess {
    return new ScraperAccess('plaintext', []);
  }

  /** No rule for the scraper: nobody outside `allowFrom` reads the metrics. */
  public static none(): ScraperAccess {
    return new ScraperAccess('none', []);
  }

  private constructor(
    /** `mesh`, `plaintext` or `none`. */
    public readonly kind: 'mesh' | 'plaintext' | 'none',
    /** The admitted identities, with `mesh`. */
    public readonly callers: MeshCaller[],
  ) {}
}

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
   * Envoy retry conditions (`retryOn`); a number is a retriable HTTP status.
   *
   * @default 'connect-failure,refused-stream,unavailable,cancelled,503'
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
   */
  readonly retryOn?: string;
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
   * Consecutive 5xx responses (gRPC errors count by their HTTP mapping) that eject an endpoint.
   *
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
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
export interface FlaggerOptions {
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
   * How long the canary Deployment may take to become ready before Flagger rolls back (`progressDeadlineSeconds`).
   * Keep it longer than the servers' startup timeout: TF Serving opens its ports only once the models are loaded.
   *
   * @default Duration.minutes(15)
   */
  readonly progressDeadline?: Duration;
}

/** A batching timeout and where it is set. */
export interface BatchTimeoutSource {
  /** The timeout (0 when no server batches). */
  readonly timeout: Duration;
  /** Where it is set, e.g. `TfServingModel 'resnet-v2' models[0].batching`. */
  readonly source?: string;
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
   * `pinning`, `mirrorPercent` and `gateway`. Clients call the host `name` (Flagger's apex Service): the server's
   * own Service selects primary and canary pods alike and bypasses Flagger's weights.
   *
   * @default - static routing by this construct
   */
  readonly flagger?: FlaggerOptions;
  /**
   * Who may call the servers (AuthorizationPolicy). An empty list admits nobody but the scraper (and, with
   * `gateway`, the ingress gateway).
   */
  readonly allowFrom: MeshCaller[];
  /**
   * The host name in the mesh: the name of the Service spanning both versions and of every Istio object.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The traffic split, applied to gRPC and REST alike (with `labelRouting`, to REST only). With `labelRouting`, Istio cannot split one route by weight
   * and rewrite only one part, so the canary share of REST inference requests is chosen by the last three hex digits
   * of Envoy's random `x-request-id` (exact to 1/4096; a caller that sets its own `x-request-id` picks its route).
   *
   * @default { stable: 100, canary: 0 } - the canary gets only pinned and mirrored requests
   */
  readonly weights?: TrafficWeights;
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
   * @default - 2 retries on connection failures and UNAVAILABLE/503, each attempt 10 s plus the batching timeout
   */
  readonly retries?: RouteRetryOptions;
  /**
   * Outlier detection on the canary subset (with `flagger`, on primary and canary; with `labelRouting`, which has no
   * canary endpoints of its own, none).
   *
   * @default - eject a canary endpoint after 5 consecutive 5xx for 30 s, at most half of them
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
   * @default - ScraperAccess.plaintext() when a server has a PodMonitoring (Google Managed Prometheus has no
   * mesh identity), else ScraperAccess.mesh(MeshCaller.namespace('monitoring'))
   */
  readonly scraper?: ScraperAccess;
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

const HOST_RE = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HEADER_RE = /^[a-z0-9][a-z0-9-]*$/;
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,503';
/** Time a request may take once its batch runs, on top of the batching timeout (default per-try timeout). */
const INFERENCE_BUDGET_MS = 10_000;
/** Default P99 latency limit of the Flagger analysis, on top of the batching timeout. */
const LATENCY_BUDGET_MS = 500;
/** gRPC status codes that mean the server failed (not the caller): 2, 4, 8, 12, 13, 14, 15. */
const GRPC_SERVER_ERRORS = '2|4|8|12|13|14|15';
const GRPC_CONTENT_TYPE = { 'content-type': { prefix: 'application/grpc' } };
/** The identity of the ingress gateway pods of Istio's default install (istioctl, `istio-ingressgateway`). */
const DEFAULT_GATEWAY_IDENTITY = () => MeshCaller.serviceAccount('istio-system', 'istio-ingressgateway-service-account');

/**
 * A canary rollout of a TF Serving model on Istio, declared in code so that the manifests say exactly what runs.
 *
 * Three modes (see {@link IstioCanaryMode}):
 * - static (`stable` + `canary`, two servers): a Service spanning both, a DestinationRule with a `stable` and a
 *   `canary` subset (ISTIO_MUTUAL, outlier detection on the canary) and a VirtualService that splits gRPC and REST
 *   by `weights`, pins requests by header, mirrors a share to the canary, and retries with timeouts sized from the
 *   batching timeout; optionally a Gateway with a second VirtualService for the external hosts;
 * - label routing (`stable` + `labelRouting`, one server with version labels): REST inference requests
 *   `/v1/models/NAME:VERB` are rewritten to `/v1/models/NAME/labels/LABEL:VERB`; gRPC requests pass unchanged
 *   (a gRPC client names the label in `model_spec.version_label`);
 * - Flagger (`stable` + `flagger`): a Flagger Canary and a gRPC error-rate MetricTemplate; Flagger writes the
 *   Services, DestinationRules and VirtualService.
 *
 * In every mode: PeerAuthentication STRICT for the serving pods, an AuthorizationPolicy that admits only
 * `allowFrom` (and the scraper on the metrics path, and the ingress gateway), and, for each server with a
 * NetworkPolicy, an extra NetworkPolicy that lets its sidecar reach istiod. Callers need an Istio identity: a
 * LoadTest aimed at this host must run, with a sidecar, in a namespace `allowFrom` lists.
 *
 * **Side effects on the TfServingModels** (`model.deployment.podMetadata`): every pod template gets the label
 * `tfserving-constructs.io/canary: <name>`; in static mode also `version: stable` / `version: canary` (the subset
 * labels, also Istio's telemetry version); in Flagger mode `app: <stable.name>` on the pods and in the
 * Deployment's selector (Flagger builds its Service selectors from the first of `app`, `name`,
 * `app.kubernetes.io/name` in the selector, and `app.kubernetes.io/name` is shared by every TF Serving server).
 * A selector is immutable: a Deployment that already runs must be recreated to enter Flagger mode. A pod label
 * the model already has with another value is an error.
 *
 * The VirtualService (static and label modes) or the Canary (Flagger) is the default child.
 */
export class IstioCanary extends Construct implements IServingEndpoint {
  /** The label every serving pod of a canary carries, valued with the canary's name; the shared Service selects it. */
  public static readonly CANARY_LABEL = 'tfserving-constructs.io/canary';
  /** The label that tells the versions apart (static mode): `stable` or `canary`; the DestinationRule subsets select it. */
  public static readonly VERSION_LABEL = 'version';

  /** The host name in the mesh and the name of every object. */
  public readonly name: string;
  /** The mode, decided by the props. */
  public readonly mode: IstioCanaryMode;
  /** The labels that select the serving pods of every version (the shared Service's selector). */
  public readonly selectorLabels: Record<string, string>;
  /** The stable server (label mode: the one server; Flagger: the target). */
  public readonly stable: TfServingModel;
  /** The canary server (static mode). */
  public readonly canary?: TfServingModel;
  /** The traffic split (static and label modes). */
  public readonly weights: TrafficWeights;
  /** The pinning header, when pinning is on. */
  public readonly pinHeader?: string;
  /** The shadow share, when set. */
  public readonly mirrorPercent?: number;
  /** Retries after the first attempt. */
  public readonly retryAttempts: number;
  /** The Service spanning both versions (static and label modes). */
  public readonly service?: kplus.Service;
  /** The DestinationRule (static and label modes). */
  public readonly destinationRule?: DestinationRule;
  /** The mesh VirtualService (static and label modes; id `Resource`). */
  public readonly virtualService?: VirtualService;
  /** The Gateway, with `gateway`. */
  public readonly gateway?: Gateway;
  /** The VirtualService bound to the Gateway, with `gateway`. */
  public readonly gatewayVirtualService?: VirtualService;
  /** The PeerAuthentication (STRICT). */
  public readonly peerAuthentication: PeerAuthentication;
  /** The AuthorizationPolicy. */
  public readonly authorizationPolicy: AuthorizationPolicy;
  /** The Flagger Canary (Flagger mode; id `Resource`). */
  public readonly flaggerCanary?: Canary;
  /** The gRPC error-rate MetricTemplate (Flagger mode). */
  public readonly grpcErrorRateTemplate?: MetricTemplate;

  private readonly subject: string;
  private readonly props: IstioCanaryProps;
  private readonly namespace?: string;
  private readonly sidecarPolicies: kplus.k8s.KubeNetworkPolicy[] = [];

  constructor(scope: Construct, id: string, props: IstioCanaryProps) {
    super(scope, id);
    this.props = props;
    this.subject = subjectOf('IstioCanary', id);
    this.name = props.name ?? id;
    if (!SERVER_NAME.test(this.name)) {
      fail(this.subject, props.name === undefined ? 'name (from the construct id)' : 'name', this.name,
        'be a DNS label of at most 42 characters (lower-case letters, digits, \'-\'), so that every derived object name is valid',
        'pass name: \'resnet\' or use such an id');
    }
    this.stable = props.stable;
    this.canary = props.canary;
    this.namespace = Chart.of(this).namespace;
    this.mode = this.resolveMode();
    this.weights = this.checkWeights();
    const pinning = props.pinning ?? {};
    if (pinning.enabled !== false && this.mode !== IstioCanaryMode.FLAGGER) {
      this.pinHeader = pinning.header ?? 'x-model-version';
      if (!HEADER_RE.test(this.pinHeader)) {
        fail(this.subject, 'pinning.header', this.pinHeader,
          'be a lower-case header name (letters, digits, \'-\'); Istio matches header names in lower case',
          `use ${show(this.pinHeader.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}`);
      }
    }
    this.mirrorPercent = props.mirrorPercent;
    if (this.mirrorPercent !== undefined && !(this.mirrorPercent >= 0 && this.mirrorPercent <= 100)) {
      fail(this.subject, 'mirrorPercent', this.mirrorPercent, 'be between 0 and 100', 'use 10 to shadow one request in ten to the canary');
    }
    this.retryAttempts = props.retries?.attempts ?? 2;
    if (!(Number.isInteger(this.retryAttempts) && this.retryAttempts >= 0 && this.retryAttempts <= 10)) {
      fail(this.subject, 'retries.attempts', this.retryAttempts, 'be an integer between 0 and 10', 'use 2, or 0 to turn retries off');
    }
    this.checkServers();
    this.checkTimeouts();
    this.checkOutlierDetection();
    if (props.gateway) this.checkGateway(props.gateway);
    if (props.flagger) this.checkFlagger(props.flagger);
    if (props.trustDomain !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.trustDomain)) {
      fail(this.subject, 'trustDomain', props.trustDomain, 'be a DNS name',
        'use \'cluster.local\', or \'PROJECT_ID.svc.id.goog\' on Cloud Service Mesh');
    }

    // --- Pod labels (side effects on the models) ---
    const servers = this.servers;
    if (this.mode === IstioCanaryMode.STATIC) {
      this.labelPods('stable', this.stable, { [IstioCanary.CANARY_LABEL]: this.name, [IstioCanary.VERSION_LABEL]: 'stable' });
      this.labelPods('canary', this.canary!, { [IstioCanary.CANARY_LABEL]: this.name, [IstioCanary.VERSION_LABEL]: 'canary' });
    } else if (this.mode === IstioCanaryMode.LABEL_ROUTING) {
      this.labelPods('stable', this.stable, { [IstioCanary.CANARY_LABEL]: this.name });
    } else {
      this.labelPods('stable', this.stable, { [IstioCanary.CANARY_LABEL]: this.name, app: this.stable.name });
      this.stable.deployment.select(kplus.LabelSelector.of({ labels: { app: this.stable.name } }));
    }

    const labels = { 'app.kubernetes.io/managed-by': 'tfserving-constructs', [IstioCanary.CANARY_LABEL]: this.name };
    const metadata = { name: this.name, labels };
    const podSelector = { [IstioCanary.CANARY_LABEL]: this.name };
    this.selectorLabels = { ...podSelector };

    // --- Routing: static and label modes ---
    if (this.mode !== IstioCanaryMode.FLAGGER) {
      this.service = new kplus.Service(this, 'Service', {
        metadata,
        type: kplus.ServiceType.CLUSTER_IP,
        // Names select the protocol in Istio ("grpc", "http" prefixes).
        ports: [
          { name: 'grpc', port: this.stable.grpcPort, targetPort: this.stable.grpcPort, protocol: kplus.Protocol.TCP },
          { name: 'http', port: this.stable.restPort, targetPort: this.stable.restPort, protocol: kplus.Protocol.TCP },
        ],
      });
      for (const [k, v] of Object.entries(podSelector)) this.service.selectLabel(k, v);
      this.destinationRule = new DestinationRule(this, 'DestinationRule', {
        metadata,
        spec: lazyValue(() => ({
          host: this.name,
          trafficPolicy: { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
          subsets: this.mode === IstioCanaryMode.STATIC ? [
            { name: 'stable', labels: { [IstioCanary.VERSION_LABEL]: 'stable' } },
            {
              name: 'canary',
              labels: { [IstioCanary.VERSION_LABEL]: 'canary' },
              // Subset settings override the host's; the TLS mode is repeated so the subset's policy is complete on its own.
              trafficPolicy: {
                tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
                outlierDetection: this.outlierDetection(),
              },
            },
          ] : undefined,
        })),
      });
      this.virtualService = new VirtualService(this, 'Resource', {
        metadata,
        spec: lazyValue(() => ({ hosts: [this.name], http: this.routes(false) })),
      });
      if (props.gateway) {
        const gw = props.gateway;
        this.gateway = new Gateway(this, 'Gateway', {
          metadata,
          spec: {
            selector: { ...(gw.selector ?? { istio: 'ingressgateway' }) },
            servers: [{
              port: { number: gw.port ?? 443, name: 'https', protocol: 'HTTPS' },
              hosts: [...gw.hosts],
              tls: {
                mode: GatewaySpecServersTlsMode.SIMPLE,
                credentialName: gw.tlsSecretName,
                minProtocolVersion: GatewaySpecServersTlsMinProtocolVersion.TLSV1_UNDERSCORE_2,
              },
            }],
          },
        });
        this.gatewayVirtualService = new VirtualService(this, 'GatewayRoutes', {
          metadata: { name: `${this.name}-gateway`, labels },
          spec: lazyValue(() => ({ hosts: [...gw.hosts], gateways: [this.name], http: this.routes(true) })),
        });
      }
    }

    // --- Flagger hand-off ---
    if (this.mode === IstioCanaryMode.FLAGGER) {
      const f = props.flagger!;
      this.grpcErrorRateTemplate = new MetricTemplate(this, 'GrpcErrorRate', {
        metadata: { name: `${this.name}-grpc-error-rate`, labels },
        spec: {
          provider: { type: MetricTemplateSpecProviderType.PROMETHEUS, address: f.prometheusAddress ?? 'http://prometheus.istio-system:9090' },
          query: grpcErrorRateQuery(),
        },
      });
      this.flaggerCanary = new Canary(this, 'Resource', {
        metadata,
        spec: lazyValue(() => this.flaggerSpec(f)),
      });
    }

    // --- Mesh security ---
    const restPort = String(this.stable.restPort);
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
      metadata,
      spec: {
        selector: { matchLabels: podSelector },
        mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
        ...(this.scraperAccess.kind === 'plaintext' && this.metricsPaths.length
          ? { portLevelMtls: { [restPort]: { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE } } }
          : {}),
      },
    });
    this.authorizationPolicy = new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      metadata,
      spec: lazyValue(() => ({
        selector: { matchLabels: podSelector },
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: this.authorizationRules(),
      })),
    });

    // --- Sidecars behind the servers' NetworkPolicies need istiod, and expose probes and mesh metrics ---
    for (const server of servers) {
      const policy = sidecarPolicyFor(this, `SidecarEgress-${server.node.id}`, server, props.istioNamespace, labels);
      if (policy) this.sidecarPolicies.push(policy);
    }

    this.node.addValidation({ validate: () => this.validateFinal() });
  }

  /** The servers: stable, and canary in static mode. */
  public get servers(): TfServingModel[] {
    return this.canary ? [this.stable, this.canary] : [this.stable];
  }

  /** The extra NetworkPolicies that let the servers' sidecars reach istiod and expose probes and mesh metrics, a copy. */
  public get sidecarNetworkPolicies(): kplus.k8s.KubeNetworkPolicy[] {
    return [...this.sidecarPolicies];
  }

  /** Callers admitted by the AuthorizationPolicy (IServingEndpoint): load tests check they run as one. */
  public get mesh(): IMeshAdmission {
    const callers = this.props.allowFrom;
    return {
      admits: (namespace: string, serviceAccount: string) => callers.some((c) => c.namespace === namespace && (c.serviceAccount === undefined || c.serviceAccount === serviceAccount)),
      callers: callers.map((c) => c.toString()),
    };
  }

  /** The Service clients call (IServingEndpoint): the host name. */
  public get serviceName(): string {
    return this.name;
  }

  /** The namespace of the Service, when the chart sets one. */
  public get serviceNamespace(): string | undefined {
    return this.namespace;
  }

  /** gRPC port of the Service (the servers'). */
  public get grpcPort(): number {
    return this.stable.grpcPort;
  }

  /** REST port of the Service (the servers'). */
  public get restPort(): number {
    return this.stable.restPort;
  }

  /** Names of the models behind the host (stable's, which the canary's must equal). */
  public get modelNames(): string[] {
    return this.stable.modelNames;
  }

  /** The server-level batching with the smallest maxBatchSize behind the host: the one that rejects a request first. */
  public get batching(): BatchingConfig | undefined {
    const configs = this.servers.map((s) => s.batching).filter((b): b is BatchingConfig => b !== undefined);
    return configs.sort((a, b) => a.maxBatchSize - b.maxBatchSize)[0];
  }

  /** `host:port` of the gRPC endpoint inside the mesh. */
  public get grpcAddress(): string {
    return `${this.name}:${this.stable.grpcPort}`;
  }

  /** Base URL of the REST API inside the mesh. */
  public get restUrl(): string {
    return `http://${this.name}:${this.stable.restPort}`;
  }

  /**
   * The largest batching timeout of the servers (server-level and per-model), with where it is set.
   */
  public get largestBatchTimeout(): BatchTimeoutSource {
    let best: BatchTimeoutSource = { timeout: Duration.millis(0) };
    for (const s of this.servers) {
      const candidates: [Duration | undefined, string][] = [[s.batching?.batchTimeout, `TfServingModel '${s.node.id}' batching`]];
      s.models.forEach((m, i) => candidates.push([m.batching?.batchTimeout, `TfServingModel '${s.node.id}' models[${i}].batching`]));
      for (const [d, source] of candidates) {
        if (d && d.toMilliseconds({ integral: false }) > best.timeout.toMilliseconds({ integral: false })) best = { timeout: d, source };
      }
    }
    return best;
  }

  /** The timeout of each attempt. */
  public get perTryTimeout(): Duration {
    const batchMs = this.largestBatchTimeout.timeout.toMilliseconds({ integral: false });
    return this.props.retries?.perTryTimeout ?? Duration.millis(INFERENCE_BUDGET_MS + batchMs);
  }

  /** The route timeout (all attempts). */
  public get timeout(): Duration {
    return this.props.timeout ?? Duration.millis(this.perTryTimeout.toMilliseconds({ integral: false }) * (this.retryAttempts + 1));
  }

  private resolveMode(): IstioCanaryMode {
    const p = this.props;
    if (p.flagger) {
      const staticProps = (['canary', 'labelRouting', 'weights', 'pinning', 'mirrorPercent'] as const).filter((k) => p[k] !== undefined);
      if (staticProps.length) {
        fail(this.subject, 'flagger', staticProps,
          'not be combined with static routing props: Flagger writes its own VirtualService for host '
          + `'${this.name}', and two VirtualServices for one host conflict`,
          `remove ${staticProps.join(', ')} (Flagger shifts the traffic itself), or remove flagger`);
      }
      return IstioCanaryMode.FLAGGER;
    }
    if (p.labelRouting) {
      if (p.canary) {
        fail(this.subject, 'labelRouting', p.labelRouting,
          `not be combined with canary (${serverName(p.canary)}): label routing splits traffic between versions inside the one 'stable' server`,
          'remove canary (load both versions in stable, with version labels), or remove labelRouting');
      }
      if (p.mirrorPercent !== undefined) {
        fail(this.subject, 'mirrorPercent', p.mirrorPercent,
          'not be set with labelRouting: Istio mirrors to a host, not to a rewritten path, so the copy would reach the same server and version',
          'remove mirrorPercent, or run the canary as its own TfServingModel');
      }
      return IstioCanaryMode.LABEL_ROUTING;
    }
    if (!p.canary) {
      fail(this.subject, 'canary', undefined, 'be set unless labelRouting or flagger is', 'pass canary: <the TfServingModel of the new version>');
    }
    return IstioCanaryMode.STATIC;
  }

  private checkWeights(): TrafficWeights {
    const w = this.props.weights ?? { stable: 100, canary: 0 };
    for (const k of ['stable', 'canary'] as const) {
      if (!(Number.isInteger(w[k]) && w[k] >= 0 && w[k] <= 100)) {
        fail(this.subject, `weights.${k}`, w[k], 'be a whole percentage between 0 and 100', 'use e.g. { stable: 95, canary: 5 }');
      }
    }
    if (w.stable + w.canary !== 100) {
      fail(this.subject, 'weights', w, `sum to 100 (they sum to ${w.stable + w.canary})`, `use { stable: ${100 - w.canary}, canary: ${w.canary} }`);
    }
    return { stable: w.stable, canary: w.canary };
  }

  private checkServers(): void {
    const { stable, canary } = this;
    if (Chart.of(stable).namespace !== this.namespace) {
      const theirs = show(Chart.of(stable).namespace ?? '(none)');
      fail(this.subject, 'stable', serverName(stable),
        `be in the namespace of the IstioCanary (${show(this.namespace ?? '(none)')}, not ${theirs}): `
        + 'Services and Istio objects route within one namespace',
        'create the IstioCanary in the chart of its servers');
    }
    for (const s of this.servers) {
      if (s.name === this.name) {
        fail(this.subject, 'name', this.name, `differ from the name of ${serverName(s)}: both would write a Service '${this.name}'`,
          'pass another name (the host clients call), or rename the TfServingModel, e.g. \'resnet-v1\'');
      }
    }
    if (this.mode === IstioCanaryMode.FLAGGER) {
      for (const suffix of ['-primary', '-canary']) {
        if (stable.name === `${this.name}${suffix}`) {
          fail(this.subject, 'name', this.name,
            `not make Flagger's Service '${this.name}${suffix}' collide with the Service of ${serverName(stable)}`,
            'choose another name');
        }
      }
    }
    if (!canary) return;
    if (canary === stable || canary.name === stable.name) {
      fail(this.subject, 'canary', serverName(canary),
        `be another workload than stable (${serverName(stable)}): one Deployment cannot be both versions`,
        'declare the new version as its own TfServingModel, or use labelRouting for two versions in one server');
    }
    if (Chart.of(canary).namespace !== this.namespace) {
      fail(this.subject, 'canary', serverName(canary),
        `be in the namespace of stable (${show(this.namespace ?? '(none)')}): one Service spans both versions`,
        'create both TfServingModels in the same chart or namespace');
    }
    if (canary.grpcPort !== stable.grpcPort || canary.restPort !== stable.restPort) {
      fail(this.subject, 'canary', `${serverName(canary)} ports ${canary.grpcPort}/${canary.restPort}`,
        `use the gRPC and REST ports of stable (${stable.grpcPort}/${stable.restPort}): one Service spans both versions`,
        'give both TfServingModels the same grpcPort and restPort');
    }
    this.checkModelNames();
  }

  private checkModelNames(): void {
    if (!this.canary) return;
    const names = (s: TfServingModel) => s.models.map((m) => m.name).sort();
    const a = names(this.stable);
    const b = names(this.canary);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      fail(this.subject, 'canary', b,
        `serve the same model names as stable (${show(a)}): a request for a model only one version serves fails on the other`,
        'give both TfServingModels the same models (the versions differ, the names do not)');
    }
  }

  private checkTimeouts(): void {
    const batch = this.largestBatchTimeout;
    const batchMs = batch.timeout.toMilliseconds({ integral: false });
    const check = (prop: string, d: Duration | undefined) => {
      if (d === undefined) return;
      const ms = d.toMilliseconds({ integral: false });
      if (ms < 1) {
        fail(this.subject, prop, formatDuration(d), 'be at least 1 millisecond (Istio\'s minimum)',
          'leave it out to size it from the batching timeout');
      }
      if (batchMs > 0 && ms <= batchMs) {
        fail(this.subject, prop, formatDuration(d),
          `be longer than the largest batching timeout (${formatDuration(batch.timeout)}, ${batch.source}): `
          + 'a request may wait that long for its batch to fill before it runs',
          `raise ${prop} well above ${formatDuration(batch.timeout)}, or leave it out to size it from the batching timeout`);
      }
    };
    check('timeout', this.props.timeout);
    check('retries.perTryTimeout', this.props.retries?.perTryTimeout);
    check('flagger.maxLatency', this.props.flagger?.maxLatency);
  }

  private checkOutlierDetection(): void {
    const o = this.props.outlierDetection ?? {};
    if (o.consecutive5xxErrors !== undefined && !(Number.isInteger(o.consecutive5xxErrors) && o.consecutive5xxErrors >= 1)) {
      fail(this.subject, 'outlierDetection.consecutive5xxErrors', o.consecutive5xxErrors, 'be an integer of at least 1', 'use 5');
    }
    if (o.maxEjectionPercent !== undefined && !(Number.isInteger(o.maxEjectionPercent) && o.maxEjectionPercent >= 0 && o.maxEjectionPercent <= 100)) {
      fail(this.subject, 'outlierDetection.maxEjectionPercent', o.maxEjectionPercent, 'be a whole percentage between 0 and 100', 'use 50');
    }
    for (const k of ['interval', 'baseEjectionTime'] as const) {
      const d = o[k];
      if (d !== undefined && d.toMilliseconds({ integral: false }) < 1) {
        fail(this.subject, `outlierDetection.${k}`, formatDuration(d), 'be at least 1 millisecond',
          `use ${k === 'interval' ? 'Duration.seconds(10)' : 'Duration.seconds(30)'}`);
      }
    }
  }

  private checkGateway(gw: GatewayExposureOptions): void {
    if (this.mode === IstioCanaryMode.FLAGGER) {
      fail(this.subject, 'gateway', gw.hosts,
        'not be set with flagger: Flagger routes every gateway request to one service port, so gRPC and REST cannot both be served through it',
        'expose the Flagger apex Service through your own gateway VirtualService, or use static mode');
    }
    if (gw.hosts.length === 0) fail(this.subject, 'gateway.hosts', gw.hosts, 'name at least one host', 'pass hosts: [\'resnet.ml.example.com\']');
    for (const h of gw.hosts) {
      if (!HOST_RE.test(h)) {
        fail(this.subject, 'gateway.hosts', h, 'be a lower-case DNS name, optionally starting with \'*.\'', 'use e.g. \'resnet.ml.example.com\'');
      }
    }
    if (!DNS_SUBDOMAIN.test(gw.tlsSecretName)) {
      fail(this.subject, 'gateway.tlsSecretName', gw.tlsSecretName, 'be a Secret name (a DNS subdomain)',
        'use the name of the kubernetes.io/tls Secret in the gateway\'s namespace');
    }
    const port = gw.port ?? 443;
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      fail(this.subject, 'gateway.port', port, 'be a TCP port between 1 and 65535', 'use 443');
    }
  }

  private checkFlagger(f: FlaggerOptions): void {
    const pct = (prop: string, v: number | undefined, min: number, fix: string) => {
      if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= 100)) {
        fail(this.subject, prop, v, `be a whole percentage between ${min} and 100`, fix);
      }
    };
    pct('flagger.stepWeight', f.stepWeight, 1, 'use 10');
    pct('flagger.maxWeight', f.maxWeight, 1, 'use 50');
    const step = f.stepWeight ?? 10;
    const max = f.maxWeight ?? 50;
    if (step > max) fail(this.subject, 'flagger.stepWeight', step, `not exceed maxWeight (${max})`, 'lower stepWeight or raise maxWeight');
    if (f.threshold !== undefined && !(Number.isInteger(f.threshold) && f.threshold >= 1)) {
      fail(this.subject, 'flagger.threshold', f.threshold, 'be an integer of at least 1', 'use 5');
    }
    for (const k of ['minSuccessRate', 'maxGrpcErrorRate'] as const) {
      const v = f[k];
      if (v !== undefined && !(v >= 0 && v <= 100)) {
        fail(this.subject, `flagger.${k}`, v, 'be a percentage between 0 and 100', `use ${k === 'minSuccessRate' ? 99 : 1}`);
      }
    }
    for (const k of ['interval', 'progressDeadline'] as const) {
      const d = f[k];
      if (d !== undefined && flaggerInterval(d) === undefined) {
        fail(this.subject, `flagger.${k}`, formatDuration(d), 'be a whole number of seconds, at least 1', 'use Duration.minutes(1)');
      }
    }
    if (f.prometheusAddress !== undefined && !HTTP_URL.test(f.prometheusAddress)) {
      fail(this.subject, 'flagger.prometheusAddress', f.prometheusAddress, 'be an http(s) URL', 'use \'http://prometheus.istio-system:9090\'');
    }
  }

  private labelPods(prop: string, server: TfServingModel, podLabels: Record<string, string>): void {
    const meta = server.deployment.podMetadata;
    for (const [k, v] of Object.entries(podLabels)) {
      const existing = meta.getLabel(k);
      if (existing !== undefined && existing !== v) {
        fail(this.subject, prop, `${serverName(server)} pod label ${k}=${existing}`,
          `not already carry the pod label '${k}' with another value: the canary sets ${k}=${v}`,
          k === IstioCanary.CANARY_LABEL
            ? 'a server can be part of one IstioCanary only'
            : `remove '${k}' from the TfServingModel's labels`);
      }
      meta.addLabel(k, v);
    }
  }

  private get scraperAccess(): ScraperAccess {
    // Google Managed Prometheus collectors have no mesh identity: they scrape in plaintext.
    if (this.props.scraper) return this.props.scraper;
    return this.servers.some((s) => s.podMonitoring) ? ScraperAccess.plaintext() : ScraperAccess.mesh(MeshCaller.namespace('monitoring'));
  }

  private get metricsPaths(): string[] {
    return [...new Set(this.servers.map((s) => s.metricsPath).filter((p): p is string => p !== undefined))].sort();
  }

  private outlierDetection(): DestinationRuleSpecTrafficPolicyOutlierDetection | undefined {
    const o = this.props.outlierDetection ?? {};
    if (o.enabled === false) return undefined;
    return {
      consecutive5XxErrors: o.consecutive5xxErrors ?? 5,
      interval: istioDuration(o.interval ?? Duration.seconds(10)),
      baseEjectionTime: istioDuration(o.baseEjectionTime ?? Duration.seconds(30)),
      maxEjectionPercent: o.maxEjectionPercent ?? 50,
    };
  }

  private retryPolicy(): VirtualServiceSpecHttpRetries {
    if (this.retryAttempts === 0) return { attempts: 0 };
    return {
      attempts: this.retryAttempts,
      perTryTimeout: istioDuration(this.perTryTimeout),
      retryOn: this.props.retries?.retryOn ?? DEFAULT_RETRY_ON,
    };
  }

  /** The HTTP routes of the mesh VirtualService (`gateway` false: match by port) or of the gateway one (match by content type). */
  private routes(gateway: boolean): VirtualServiceSpecHttp[] {
    const common = { timeout: istioDuration(this.timeout), retries: this.retryPolicy() };
    const grpc = this.stable.grpcPort;
    const rest = this.stable.restPort;
    // Inside the mesh a port picks the protocol; through the gateway both share one port, and gRPC says so in content-type.
    const on = (port: number, extra: VirtualServiceSpecHttpMatch = {}): VirtualServiceSpecHttpMatch => {
      if (!gateway) return { port, ...extra };
      return port === grpc ? { ...extra, headers: { ...GRPC_CONTENT_TYPE, ...extra.headers } } : extra;
    };
    const pin = (version: string) => (this.pinHeader ? { headers: { [this.pinHeader]: { exact: version } } } : {});
    const routes: VirtualServiceSpecHttp[] = [];
    if (this.mode === IstioCanaryMode.STATIC) {
      for (const [proto, port] of [['grpc', grpc], ['rest', rest]] as const) {
        const dest = (subset: string) => ({ host: this.name, subset, port: { number: port } });
        if (this.pinHeader) {
          for (const version of ['canary', 'stable']) {
            routes.push({ name: `${proto}-pin-${version}`, match: [on(port, pin(version))], route: [{ destination: dest(version) }], ...common });
          }
        }
        const split = (['stable', 'canary'] as const).filter((v) => this.weights[v] > 0);
        const mirror = this.mirrorPercent ? { mirrors: [{ destination: dest('canary'), percentage: { value: this.mirrorPercent } }] } : {};
        // Through the gateway, REST is whatever is not gRPC: its route matches everything left.
        const match = on(port);
        routes.push({
          name: proto,
          ...(Object.keys(match).length ? { match: [match] } : {}),
          route: split.map((v) => ({ destination: dest(v), ...(split.length > 1 ? { weight: this.weights[v] } : {}) })),
          ...mirror,
          ...common,
        });
      }
      return routes;
    }
    // Label routing: one server; REST inference paths are rewritten to a version label.
    const dest = (port: number) => ({ host: this.name, port: { number: port } });
    const lr = this.props.labelRouting ?? {};
    const stableLabel = lr.stableLabel ?? 'stable';
    const canaryLabel = lr.canaryLabel ?? 'canary';
    if (gateway) routes.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
    for (const model of this.labelRoutedModels()) {
      const prefix = `/v1/models/${model}:`;
      const to = (label: string) => ({ rewrite: { uri: `/v1/models/${model}/labels/${label}:` }, route: [{ destination: dest(rest) }] });
      const uri = { uri: { prefix } };
      if (this.pinHeader) {
        routes.push({ name: `rest-${model}-pin-canary`, match: [on(rest, { ...uri, ...pin('canary') })], ...to(canaryLabel), ...common });
        routes.push({ name: `rest-${model}-pin-stable`, match: [on(rest, { ...uri, ...pin('stable') })], ...to(stableLabel), ...common });
      }
      const share = requestIdShareRegex(this.weights.canary);
      if (share !== undefined && requestIdBuckets(this.weights.canary) < REQUEST_ID_BUCKETS) {
        const byRequestId = { ...uri, headers: { 'x-request-id': { regex: share } } };
        routes.push({ name: `rest-${model}-canary-share`, match: [on(rest, byRequestId)], ...to(canaryLabel), ...common });
      }
      const rest100 = requestIdBuckets(this.weights.canary) >= REQUEST_ID_BUCKETS;
      const label = rest100 ? canaryLabel : stableLabel;
      routes.push({ name: `rest-${model}-${rest100 ? 'canary' : 'stable'}`, match: [on(rest, uri)], ...to(label), ...common });
    }
    const restMatch = on(rest);
    routes.push({ name: 'rest', ...(Object.keys(restMatch).length ? { match: [restMatch] } : {}), route: [{ destination: dest(rest) }], ...common });
    if (!gateway) routes.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
    return routes;
  }

  /** The models routed by label: the configured ones, or every model with both labels. */
  private labelRoutedModels(): string[] {
    const lr = this.props.labelRouting ?? {};
    const stableLabel = lr.stableLabel ?? 'stable';
    const canaryLabel = lr.canaryLabel ?? 'canary';
    const models = this.stable.models;
    const hasBoth = (m: { versionLabels?: Record<string, number> }) =>
      m.versionLabels?.[stableLabel] !== undefined && m.versionLabels?.[canaryLabel] !== undefined;
    if (lr.models) {
      for (const name of lr.models) {
        const m = models.find((x) => x.name === name);
        if (!m) {
          fail(this.subject, 'labelRouting.models', name, `be a model of ${serverName(this.stable)} (${show(models.map((x) => x.name))})`,
            'list only models the server serves');
        }
        if (!hasBoth(m)) {
          fail(this.subject, 'labelRouting.models', name,
            `have the version labels '${stableLabel}' and '${canaryLabel}' (it has ${show(Object.keys(m.versionLabels ?? {}))})`,
            `set versionLabels: { ${stableLabel}: OLD, ${canaryLabel}: NEW } on the model`);
        }
      }
      this.checkUnlabeledGrpc(lr.models, canaryLabel);
      return [...lr.models];
    }
    const found = models.filter(hasBoth).map((m) => m.name);
    this.checkUnlabeledGrpc(lr.models ?? found, canaryLabel);
    if (found.length === 0) {
      fail(this.subject, 'labelRouting', lr,
        `find a model of ${serverName(this.stable)} with the version labels '${stableLabel}' and '${canaryLabel}'`,
        `set versionLabels: { ${stableLabel}: OLD, ${canaryLabel}: NEW } on a model`);
    }
    return found;
  }

  /**
   * Label routing rewrites REST paths only. An unlabeled gRPC request gets the highest loaded version: refuse a
   * setup where that is the canary (a `specific` policy with nothing newer than the canary, or `latest`/`all`,
   * where the canary is normally the newest), unless the user accepts it.
   */
  private checkUnlabeledGrpc(names: string[], canaryLabel: string): void {
    if (this.props.labelRouting?.allowUnlabeledGrpcToCanary) return;
    for (const m of this.stable.models.filter((x) => names.includes(x.name))) {
      const canary = m.versionLabels?.[canaryLabel];
      const versions = m.versionPolicy?.versions;
      if (canary === undefined || (versions && Math.max(...versions) > canary)) continue;
      fail(this.subject, 'labelRouting', `model '${m.name}', ${canaryLabel} → version ${canary}`,
        'not leave unlabeled gRPC traffic on the canary: only REST paths can be rewritten, and TF Serving answers a gRPC request '
        + 'without model_spec.version_label with the highest loaded version, here the canary',
        'have gRPC clients set model_spec.version_label, then set labelRouting.allowUnlabeledGrpcToCanary: true; or route with two servers (canary)');
    }
  }

  private authorizationRules(): AuthorizationPolicySpecRules[] {
    const td = this.props.trustDomain ?? 'cluster.local';
    const from = (callers: MeshCaller[]): AuthorizationPolicySpecRulesFrom[] => {
      const namespaces = [...new Set(callers.filter((c) => !c.serviceAccount).map((c) => c.namespace))].sort();
      const principals = [...new Set(callers.filter((c) => c.serviceAccount).map((c) => `${td}/ns/${c.namespace}/sa/${c.serviceAccount}`))].sort();
      return [
        ...(namespaces.length ? [{ source: { namespaces } }] : []),
        ...(principals.length ? [{ source: { principals } }] : []),
      ];
    };
    const rules: AuthorizationPolicySpecRules[] = [];
    const callers = [...this.props.allowFrom];
    if (this.props.gateway) callers.push(this.props.gateway.gatewayIdentity ?? DEFAULT_GATEWAY_IDENTITY());
    const servingPorts = [String(this.stable.grpcPort), String(this.stable.restPort)];
    if (callers.length) rules.push({ from: from(callers), to: [{ operation: { ports: servingPorts } }] });
    const paths = this.metricsPaths;
    const scraper = this.scraperAccess;
    if (paths.length && scraper.kind !== 'none') {
      const to = [{ operation: { ports: [String(this.stable.restPort)], methods: ['GET'], paths } }];
      rules.push(scraper.kind === 'mesh' ? { from: from(scraper.callers), to } : { to });
    }
    return rules;
  }

  private flaggerSpec(f: FlaggerOptions): CanarySpec {
    const s = this.stable;
    const interval = flaggerInterval(f.interval ?? Duration.minutes(1))!;
    const latency = f.maxLatency ?? Duration.millis(LATENCY_BUDGET_MS + this.largestBatchTimeout.timeout.toMilliseconds({ integral: false }));
    const outlier = this.outlierDetection();
    return {
      provider: CanarySpecProvider.ISTIO,
      targetRef: { apiVersion: 'apps/v1', kind: CanarySpecTargetRefKind.DEPLOYMENT, name: s.name },
      ...(s.autoscaler
        ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: CanarySpecAutoscalerRefKind.HORIZONTAL_POD_AUTOSCALER, name: s.name } }
        : {}),
      progressDeadlineSeconds: Math.round((f.progressDeadline ?? Duration.minutes(15)).toSeconds()),
      service: {
        name: this.name,
        // gRPC is the main port; port discovery adds REST (the container's other named port) to Flagger's Services.
        port: s.grpcPort,
        portName: 'grpc',
        targetPort: s.grpcPort,
        portDiscovery: true,
        timeout: istioDuration(this.timeout),
        retries: this.retryPolicy(),
        trafficPolicy: {
          tls: { mode: CanarySpecServiceTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          ...(outlier ? { outlierDetection: outlier } : {}),
        },
      },
      analysis: {
        interval,
        threshold: f.threshold ?? 5,
        stepWeight: f.stepWeight ?? 10,
        maxWeight: f.maxWeight ?? 50,
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: f.minSuccessRate ?? 99 }, interval },
          { name: 'request-duration', thresholdRange: { max: Number(latency.toMilliseconds({ integral: false }).toFixed(3)) }, interval },
          {
            name: 'grpc-error-rate',
            templateRef: { name: `${this.name}-grpc-error-rate` },
            thresholdRange: { max: f.maxGrpcErrorRate ?? 1 },
            interval,
          },
        ],
      },
    };
  }

  private validateFinal(): string[] {
    const errors: string[] = [];
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        if (e instanceof ConfigError) errors.push(e.message);
        else throw e;
      }
    };
    // Models and per-model batching can still grow through addModel() after this construct is created.
    attempt(() => this.checkModelNames());
    attempt(() => this.checkTimeouts());
    if (this.mode === IstioCanaryMode.LABEL_ROUTING) attempt(() => this.labelRoutedModels());
    attempt(() => this.checkHostClaims());
    return errors;
  }

  /** One host, one router: no other IstioCanary, Flagger apex or TfServingModel Service of the same name in the namespace. */
  private checkHostClaims(): void {
    const sameNamespace = (c: IConstruct) => Chart.of(c).namespace === this.namespace;
    const names = this.mode === IstioCanaryMode.FLAGGER ? [this.name, `${this.name}-primary`, `${this.name}-canary`] : [this.name];
    for (const other of this.node.root.node.findAll()) {
      if (other === this || !(other instanceof IstioCanary || other instanceof TfServingModel) || !sameNamespace(other)) continue;
      if (other instanceof IstioCanary && other.name === this.name) {
        const modes = [this.mode, other.mode];
        const rule = modes.includes(IstioCanaryMode.FLAGGER) && modes.some((m) => m !== IstioCanaryMode.FLAGGER)
          ? 'not be routed both statically and by Flagger (static and Flagger modes together): two VirtualServices for one host conflict'
          : 'not be routed by two IstioCanaries: two VirtualServices for one host conflict';
        fail(this.subject, 'name', this.name, `${rule} (also IstioCanary '${other.node.id}', ${other.mode} mode)`,
          'give each canary its own name, or remove one');
      }
      if (other instanceof TfServingModel && names.includes(other.name)) {
        fail(this.subject, 'name', this.name, `not collide with the Service of ${serverName(other)} ('${other.name}')`, 'choose another name');
      }
    }
  }
}

/** Flagger's gRPC error rate: server-side gRPC failures per gRPC request of the canary workload, percent; 0 without gRPC traffic. */
function grpcErrorRateQuery(): string {
  const canary = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';
  const sel = (extra: string) => `${canary},${extra}`;
  const errors = `sum(rate(istio_requests_total{${sel(`grpc_response_status=~"${GRPC_SERVER_ERRORS}"`)}}[{{ interval }}]))`;
  // "> 0" drops a zero denominator, so a canary without gRPC traffic scores 0 rather than NaN or no value (Flagger halts on those).
  const all = `(sum(rate(istio_requests_total{${sel('grpc_response_status!=""')}}[{{ interval }}])) > 0)`;
  return `(${errors} / ${all} * 100) or on() vector(0)`;
}

function serverName(s: TfServingModel): string {
  return `TfServingModel '${s.node.id}'`;
}

function checkDnsLabel(subject: string, prop: string, value: string): void {
  if (!DNS_LABEL.test(value)) {
    fail(subject, prop, value, 'be a namespace name (a DNS label)', 'use the name of the Namespace object');
  }
}
