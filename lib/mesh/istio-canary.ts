import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { BatchTimeoutSource, IstioCanaryMode, IstioCanaryProps, TrafficWeights } from './canary-options';
import {
  batchTimeoutOf, CANARY_LABEL, CanaryPlan, checkLoadTesterModel, checkModelNames, checkTimeouts, labelRoutedModels, perTryTimeoutOf,
  resolveCanaryPlan, serverName, timeoutOf, VERSION_LABEL,
} from './canary-plan';
import {
  authorizationRules, denyReloadRules, destinationRuleSpec, flaggerSpec, gatewaySpec, grpcErrorRateQuery, metricsMergingAnnotations,
  peerAuthenticationSpec, requestAuthenticationSpec, routes, scrapeEndpoint,
} from './canary-specs';
import { sidecarPolicyFor } from './sidecar-network-policy';
import { ConfigError, fail, subjectOf } from '../core/errors';
import { Canary, MetricTemplate, MetricTemplateSpecProviderType } from '../imports/flagger.app';
import { ServiceMonitorSpecEndpointsRelabelingsAction, ServiceMonitorSpecEndpointsScheme } from '../imports/monitoring.coreos.com';
import { DestinationRule, Gateway, VirtualService } from '../imports/networking.istio.io';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, PeerAuthentication } from '../imports/security.istio.io';
import { addCheckedPatch } from '../private/checked-patch';
import { lazyValue } from '../private/lazy';
import { BatchingConfig } from '../serving/batching-config';
import { handTargetToFlagger } from '../serving/flagger-analysis';
import { IMeshAdmission, IServingEndpoint } from '../serving/serving-endpoint';
import { TfServingModel } from '../serving/tf-serving-model';

export {
  BatchTimeoutSource, FlaggerGrpcLoadOptions, FlaggerLoadTesterOptions, FlaggerOptions, FlaggerStepOptions, GatewayExposureOptions,
  HeaderPinningOptions, IstioCanaryMode,
  IstioCanaryProps, JwtOptions, LabelRoutingOptions, MeshCaller, OutlierDetectionOptions, RouteRetryOptions, ScraperAccess, SidecarProxyOptions,
  TrafficWeights,
} from './canary-options';

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
 * the model already has with another value is an error. A server's ServiceMonitor / PodMonitoring is rewritten to
 * the port and scheme the PeerAuthentication admits (see {@link ScraperAccess}: by default the Istio agent's merged
 * metrics on 15020, with the `prometheus.io/*` pod annotations the injector reads).
 *
 * The VirtualService (static and label modes) or the Canary (Flagger) is the default child.
 */
export class IstioCanary extends Construct implements IServingEndpoint {
  /** The label every serving pod of a canary carries, valued with the canary's name; the shared Service selects it. */
  public static readonly CANARY_LABEL = CANARY_LABEL;
  /** The label that tells the versions apart (static mode): `stable` or `canary`; the DestinationRule subsets select it. */
  public static readonly VERSION_LABEL = VERSION_LABEL;

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
  /**
   * The mesh VirtualService (static and label modes; id `Resource`); in Flagger mode, the one that sends calls to
   * the target's own Service to Flagger's primary (id `TargetService`).
   */
  public readonly virtualService?: VirtualService;
  /** The Gateway, with `gateway`. */
  public readonly gateway?: Gateway;
  /** The VirtualService bound to the Gateway, with `gateway`. */
  public readonly gatewayVirtualService?: VirtualService;
  /** The PeerAuthentication (STRICT). */
  public readonly peerAuthentication: PeerAuthentication;
  /** The AuthorizationPolicy. */
  public readonly authorizationPolicy: AuthorizationPolicy;
  /** The DENY AuthorizationPolicy on TF Serving's reload RPC for everyone but `adminCallers`. */
  public readonly denyReloadPolicy: AuthorizationPolicy;
  /** The RequestAuthentication that validates gateway JWTs, with `gateway.jwt`. */
  public readonly requestAuthentication?: ApiObject;
  /** The Flagger Canary (Flagger mode; id `Resource`). */
  public readonly flaggerCanary?: Canary;
  /** The gRPC error-rate MetricTemplate (Flagger mode). */
  public readonly grpcErrorRateTemplate?: MetricTemplate;

  private readonly subject: string;
  private readonly plan: CanaryPlan;
  private readonly sidecarPolicies: kplus.k8s.KubeNetworkPolicy[];

  constructor(scope: Construct, id: string, props: IstioCanaryProps) {
    super(scope, id);
    this.subject = subjectOf('IstioCanary', id);
    // 1. Resolve: every prop checked and defaulted once, into a plain plan.
    const plan = resolveCanaryPlan(this.subject, id, Chart.of(this).namespace, props);
    this.plan = plan;
    this.name = plan.name;
    this.mode = plan.mode;
    this.stable = plan.stable;
    this.canary = plan.canary;
    this.weights = plan.weights;
    this.pinHeader = plan.pinHeader;
    this.mirrorPercent = plan.mirrorPercent;
    this.retryAttempts = plan.retryAttempts;
    this.selectorLabels = { ...plan.podSelector };

    // 2. The side effects on the servers: pod labels (and Flagger's selector).
    for (const p of plan.podLabels) {
      this.labelPods(p.prop, p.server, p.labels);
      this.configureProxy(p.server, plan);
      this.configureScrape(p.server, plan);
    }
    if (plan.mode === IstioCanaryMode.FLAGGER) handTargetToFlagger(this.stable);

    // 3. Render every object from the plan.
    const r = this.render(plan);
    this.service = r.service;
    this.destinationRule = r.destinationRule;
    this.virtualService = r.virtualService;
    this.gateway = r.gateway;
    this.gatewayVirtualService = r.gatewayVirtualService;
    this.grpcErrorRateTemplate = r.grpcErrorRateTemplate;
    this.flaggerCanary = r.flaggerCanary;
    this.peerAuthentication = r.peerAuthentication;
    this.authorizationPolicy = r.authorizationPolicy;
    this.denyReloadPolicy = r.denyReload;
    this.requestAuthentication = r.requestAuthentication;
    this.sidecarPolicies = r.sidecarPolicies;

    // 4. Rules on what can still change after this construct (the servers' models), checked at synthesis.
    this.node.addValidation({ validate: () => this.validateFinal() });
  }

  /** The servers: stable, and canary in static mode. */
  public get servers(): TfServingModel[] {
    return [...this.plan.servers];
  }

  /** The extra NetworkPolicies that let the servers' sidecars reach istiod and expose probes and mesh metrics, a copy. */
  public get sidecarNetworkPolicies(): kplus.k8s.KubeNetworkPolicy[] {
    return [...this.sidecarPolicies];
  }

  /** Callers admitted by the AuthorizationPolicy (IServingEndpoint): load tests check they run as one. */
  public get mesh(): IMeshAdmission {
    const callers = this.plan.allowFrom;
    return {
      admits: (namespace: string, serviceAccount: string) => callers.some((c) => c.namespace === namespace
        && (c.serviceAccount === undefined || c.serviceAccount === serviceAccount)),
      callers: callers.map((c) => c.toString()),
    };
  }

  /** Whether the servers' NetworkPolicies all admit pods of `namespace` to the serving ports (IServingEndpoint). */
  public admitsNamespace(namespace: string): boolean | undefined {
    const answers = this.plan.servers.map((s) => s.admitsNamespace(namespace));
    return answers.includes(false) ? false : answers.includes(undefined) ? undefined : true;
  }

  /** Why a server's NetworkPolicy refuses pods of `namespace` to the serving ports (IServingEndpoint): the first refusal. */
  public networkRefusal(namespace: string): string | undefined {
    return this.plan.servers.map((s) => s.networkRefusal(namespace)).find((r) => r !== undefined);
  }

  /** The Service clients call (IServingEndpoint): the host name. */
  public get serviceName(): string {
    return this.name;
  }

  /** The namespace of the Service, when the chart sets one. */
  public get serviceNamespace(): string | undefined {
    return this.plan.namespace;
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
    return batchTimeoutOf(this.plan.servers);
  }

  /** The timeout of each attempt. */
  public get perTryTimeout(): Duration {
    return perTryTimeoutOf(this.plan);
  }

  /** The route timeout (all attempts). */
  public get timeout(): Duration {
    return timeoutOf(this.plan);
  }

  /** Every object of the canary, from the plan; specs that depend on the servers' models are read at synthesis. */
  private render(plan: CanaryPlan) {
    const metadata = { name: plan.name, labels: plan.labels };
    const r: {
      service?: kplus.Service; destinationRule?: DestinationRule; virtualService?: VirtualService; gateway?: Gateway;
      gatewayVirtualService?: VirtualService; grpcErrorRateTemplate?: MetricTemplate; flaggerCanary?: Canary;
    } = {};
    if (plan.mode === IstioCanaryMode.FLAGGER) {
      // Flagger writes the Services, DestinationRules and VirtualService itself.
      r.grpcErrorRateTemplate = new MetricTemplate(this, 'GrpcErrorRate', {
        metadata: { name: `${plan.name}-grpc-error-rate`, labels: plan.labels },
        spec: {
          provider: { type: MetricTemplateSpecProviderType.PROMETHEUS, address: plan.flagger!.prometheusAddress },
          query: grpcErrorRateQuery(),
        },
      });
      r.flaggerCanary = new Canary(this, 'Resource', { metadata, spec: lazyValue(() => flaggerSpec(plan)) });
      // The target's own Service selects primary and canary pods alike (Flagger copies the pod labels): route calls to
      // it to Flagger's primary Service, so that only Flagger's weights (on the apex host) ever reach the canary.
      r.virtualService = new VirtualService(this, 'TargetService', {
        metadata: { name: `${plan.name}-target`, labels: plan.labels },
        spec: {
          hosts: [plan.stable.name],
          http: [plan.stable.grpcPort, plan.stable.restPort].map((port) => ({
            name: port === plan.stable.grpcPort ? 'grpc' : 'rest',
            match: [{ port }],
            route: [{ destination: { host: `${plan.name}-primary`, port: { number: port } } }],
          })),
        },
      });
    } else {
      r.service = new kplus.Service(this, 'Service', {
        metadata,
        type: kplus.ServiceType.CLUSTER_IP,
        // Names select the protocol in Istio ("grpc", "http" prefixes).
        ports: [
          { name: 'grpc', port: plan.stable.grpcPort, targetPort: plan.stable.grpcPort, protocol: kplus.Protocol.TCP },
          { name: 'http', port: plan.stable.restPort, targetPort: plan.stable.restPort, protocol: kplus.Protocol.TCP },
        ],
      });
      for (const [k, v] of Object.entries(plan.podSelector)) r.service.selectLabel(k, v);
      r.destinationRule = new DestinationRule(this, 'DestinationRule', { metadata, spec: lazyValue(() => destinationRuleSpec(plan)) });
      r.virtualService = new VirtualService(this, 'Resource', {
        metadata,
        // The servers' own Services are hosts of these routes too: a client that calls `resnet-v2` directly is routed
        // by the same weights and pinning (Istio routes by the Host header in the caller's sidecar), not to that server.
        spec: lazyValue(() => ({ hosts: [plan.name, ...plan.servers.map((s) => s.name)], http: routes(plan, false) })),
      });
      if (plan.gateway) {
        const hosts = plan.gateway.routeHosts;
        r.gateway = new Gateway(this, 'Gateway', { metadata, spec: gatewaySpec(plan) });
        r.gatewayVirtualService = new VirtualService(this, 'GatewayRoutes', {
          metadata: { name: `${plan.name}-gateway`, labels: plan.labels },
          spec: lazyValue(() => ({ hosts: [...hosts], gateways: [plan.name], http: routes(plan, true) })),
        });
      }
    }
    const peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', { metadata, spec: peerAuthenticationSpec(plan) });
    const authorizationPolicy = new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      metadata,
      spec: lazyValue(() => ({
        selector: { matchLabels: plan.podSelector },
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: authorizationRules(plan),
      })),
    });
    const denyReload = new AuthorizationPolicy(this, 'DenyReload', {
      metadata: { name: `${plan.name}-deny-reload`, labels: plan.labels },
      spec: { selector: { matchLabels: plan.podSelector }, action: AuthorizationPolicySpecAction.DENY, rules: denyReloadRules(plan) },
    });
    const requestAuthentication = plan.gateway?.jwt
      ? new ApiObject(this, 'RequestAuthentication', {
        apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata, spec: requestAuthenticationSpec(plan),
      })
      : undefined;
    // Sidecars behind the servers' NetworkPolicies need istiod, and expose probes and mesh metrics.
    const sidecarPolicies: kplus.k8s.KubeNetworkPolicy[] = [];
    for (const server of plan.servers) {
      const policy = sidecarPolicyFor(this.subject, server, plan.istioNamespace);
      if (policy) sidecarPolicies.push(policy);
    }
    return { ...r, peerAuthentication, authorizationPolicy, denyReload, requestAuthentication, sidecarPolicies };
  }

  /** The rules on the servers' models (they can grow through addModel() after this construct); collects, changes nothing. */
  private validateFinal(): string[] {
    const plan = this.plan;
    const checks: Array<() => void> = [
      () => checkModelNames(this.subject, plan.stable, plan.canary),
      () => checkTimeouts(this.subject, this.timeoutProps, plan.servers),
      ...(plan.mode === IstioCanaryMode.LABEL_ROUTING ? [() => { labelRoutedModels(plan); }] : []),
      () => checkLoadTesterModel(plan),
      () => this.checkHostClaims(),
    ];
    return checks.map(messageOf).filter((m): m is string => m !== undefined);
  }

  private get timeoutProps() {
    return {
      timeout: this.plan.timeout,
      retries: { perTryTimeout: this.plan.perTryTimeout },
      flagger: { maxLatency: this.plan.flagger?.maxLatency },
    };
  }

  /** One host, one router: no other IstioCanary, Flagger apex or TfServingModel Service of the same name in the namespace. */
  private checkHostClaims(): void {
    const sameNamespace = (c: IConstruct) => Chart.of(c).namespace === this.plan.namespace;
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

  /**
   * Points the server's scrape object at the port and scheme the PeerAuthentication admits (see scrapeEndpoint), and,
   * for metrics merging, annotates the pods with TF Serving's metrics port and path for the Istio agent.
   */
  private configureScrape(server: TfServingModel, plan: CanaryPlan): void {
    const endpoint = scrapeEndpoint(plan, server.restPort, server.metricsPath);
    if (!endpoint) return;
    if (plan.scraper.kind === 'merged') {
      const annotations = metricsMergingAnnotations(server.restPort, server.metricsPath!);
      for (const [k, v] of Object.entries(annotations)) server.deployment.podMetadata.addAnnotation(k, v);
      // The scraper now reads the agent's port only (TF Serving's metrics come to the agent over the pod's loopback,
      // which NetworkPolicy does not see): the server's NetworkPolicy admits the scraper there instead of the REST port.
      server._scrapeThrough(endpoint.port);
    }
    const ep = '/spec/endpoints/0';
    if (server.serviceMonitor) {
      const sm = server.serviceMonitor;
      // JSON patch `add` on an existing member replaces it (RFC 6902 §4.1).
      addCheckedPatch(sm, `${ep}/path`, endpoint.path);
      if (endpoint.port !== server.restPort) {
        // The Service has no port for the agent: keep the REST port's endpoints as targets and move each address to
        // the agent's port (the host part kept, so IPv6 `[addr]:port` works too).
        addCheckedPatch(sm, `${ep}/relabelings`, [{
          action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE,
          sourceLabels: ['__address__'], regex: '(.+):\\d+', replacement: `$1:${endpoint.port}`, targetLabel: '__address__',
        }]);
      }
      if (endpoint.scheme === 'https') {
        const dir = endpoint.certificateDirectory!;
        addCheckedPatch(sm, `${ep}/scheme`, ServiceMonitorSpecEndpointsScheme.HTTPS);
        // Istio's certificates carry SPIFFE identities, not pod addresses: Prometheus cannot check the name
        // (Istio's Prometheus TLS settings skip verification the same way).
        addCheckedPatch(sm, `${ep}/tlsConfig`, {
          caFile: `${dir}/root-cert.pem`, certFile: `${dir}/cert-chain.pem`, keyFile: `${dir}/key.pem`, insecureSkipVerify: true,
        });
      }
    }
    if (server.podMonitoring) {
      // A numeric port needs no declared container port: Managed Prometheus rewrites every candidate's address to
      // POD_IP:PORT (prometheus-engine, PodMonitoring endpoint relabeling for `Port.IntVal`).
      if (endpoint.port !== server.restPort) addCheckedPatch(server.podMonitoring, `${ep}/port`, endpoint.port); // API JSON: TfServingModel renders it with renderAsWire
      addCheckedPatch(server.podMonitoring, `${ep}/path`, endpoint.path);
    }
  }

  /** The proxy's resource annotations, and holdApplicationUntilProxyStarts merged into the server's proxy config. */
  private configureProxy(server: TfServingModel, plan: CanaryPlan): void {
    const meta = server.deployment.podMetadata;
    for (const [k, v] of Object.entries(plan.proxy.annotations)) meta.addAnnotation(k, v);
    if (!plan.proxy.holdApplication) return;
    const key = 'proxy.istio.io/config';
    const existing = meta.toJson().annotations?.[key];
    meta.addAnnotation(key, JSON.stringify({ ...(existing ? JSON.parse(existing) : {}), holdApplicationUntilProxyStarts: true }));
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
}

/** The message of the ConfigError a check throws, or undefined when it passes; other errors propagate. */
function messageOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}
