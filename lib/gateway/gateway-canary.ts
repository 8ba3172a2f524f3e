import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkMaxLatency, gatewayFlaggerSpec, metricTemplateNames, metricTemplateSpecs } from './gateway-flagger';
import { GatewayCanaryProps, GkeGatewayClass } from './gateway-options';
import {
  backendPolicySpec, checkModelNames, checkTimeout, GatewayCanaryPlan, gatewaySpec, grpcRouteSpec, healthCheckPolicySpec, httpRouteSpec,
  grpcHttpRouteSpec, referenceGrantSpec, resolveGatewayCanaryPlan, timeoutSecOf,
} from './gateway-plan';
import { gatewayPolicySpec } from './gateway-policy';
import { HTTP2_APP_PROTOCOL } from './grpc-backend';
import { ConfigError, fail, subjectOf } from '../core/errors';
import { Canary, MetricTemplate } from '../imports/flagger.app';
import { Gateway, GrpcRoute, HttpRoute, ReferenceGrant } from '../imports/gateway.networking.k8s.io';
import { GcpBackendPolicy, GcpGatewayPolicy, HealthCheckPolicy } from '../imports/networking.gke.io';
import { lazyValue } from '../private/lazy';
import { checkLoadTesterModel, handTargetToFlagger } from '../serving/flagger-analysis';
import type { TfServingModel } from '../serving/tf-serving-model';
import type { TrafficWeights } from '../serving/traffic-split';

export { GatewayTls, GkeGatewayClass } from './gateway-options';
/** The types of the props, re-exported with the construct. */
export type { GatewayCanaryProps, GatewayClassFeatures, IapOptions } from './gateway-options';
/** The Flagger options' type, re-exported with the construct. */
export type { GatewayFlaggerOptions } from './gateway-flagger';

/**
 * A canary of a TF Serving model behind a Gateway API Gateway, without a service mesh: GKE's Gateway controller
 * programs a Google Cloud Application Load Balancer from the objects.
 *
 * Writes a Gateway (an HTTPS listener for `restHost`), an HTTPRoute for the REST prediction surface (weighted
 * `backendRefs` to the two versions, pinning by header, optional mirroring; nothing else of the servers is routed),
 * a Service per version (`NAME-stable`, `NAME-canary`), and per Service a GCPBackendPolicy (timeout from the
 * batching budget, connection draining, logging, IAP) and a HealthCheckPolicy (model status on the REST port). A
 * ReferenceGrant when the routes and the servers are in different namespaces.
 *
 * gRPC through the Gateway (`grpcHost`: a second listener and the Services' gRPC port): on GKE's classes, servers
 * with `grpcTls` and an HTTPRoute (`NAME-grpc`) matching the gRPC prediction paths, to the gRPC port as
 * `appProtocol: HTTP2` (HTTP/2 over TLS; the load balancer balances each call over the pods). Plaintext gRPC servers
 * need a GatewayClass that implements GRPCRoute; GKE's do not, and `grpcHost` is then refused.
 *
 * Callers choose a version with the pinning header only with `allowCallerPinning`; by default no rule matches it.
 *
 * With `flagger` (instead of `canary`), Flagger's Gateway API provider runs the rollout: a Flagger Canary and two
 * MetricTemplates over TF Serving's own metrics in the servers' chart; Flagger writes the HTTPRoute and the Services
 * (`NAME-primary`, `NAME-canary`), which the policies target. **Side effects on `stable`**: the pod label and
 * selector `app: <stable.name>` (a selector is immutable: a running Deployment must be recreated), and no fixed
 * `replicas`. In-cluster clients call Flagger's Service `NAME` (the primary only); the server's own Service selects
 * the canary's pods too.
 *
 * The same split rules as IstioCanary (weights, pinning header, mirror share, request budget, prediction surface)
 * come from one place (serving/traffic-split.ts). The HTTPRoute (static) or the Flagger Canary is the default child.
 */
export class GatewayCanary extends Construct {
  /** The name of the Gateway, routes and policies. */
  public readonly name: string;
  /** The stable server. */
  public readonly stable: TfServingModel;
  /** The canary server. */
  public readonly canary: TfServingModel;
  /** The traffic split. */
  public readonly weights: TrafficWeights;
  /** The pinning header, when pinning is on. */
  public readonly pinHeader?: string;
  /** The GatewayClass. */
  public readonly gatewayClass: GkeGatewayClass;
  /** The Gateway. */
  public readonly gateway: Gateway;
  /** The HTTPRoute (REST; id `Resource`); with `flagger`, none (Flagger writes its own, `NAME` in the servers' namespace). */
  public readonly httpRoute?: HttpRoute;
  /** The GRPCRoute (gRPC), when `grpcHost` is set and the servers' gRPC ports are plaintext. */
  public readonly grpcRoute?: GrpcRoute;
  /** The backend Service of the stable version; with `flagger`, none (Flagger creates `NAME-primary`). */
  public readonly stableService?: kplus.k8s.KubeService;
  /** The backend Service of the canary version; with `flagger`, none (Flagger creates `NAME-canary`). */
  public readonly canaryService?: kplus.k8s.KubeService;
  /** The HTTPRoute of the gRPC listener (`NAME-grpc`), when `grpcHost` is set and the servers have `grpcTls`. */
  public readonly grpcHttpRoute?: HttpRoute;
  /** The GCPBackendPolicy of each backend Service (stable, canary). */
  public readonly backendPolicies: GcpBackendPolicy[];
  /** The HealthCheckPolicy of each backend Service (stable, canary). */
  public readonly healthCheckPolicies: HealthCheckPolicy[];
  /** The ReferenceGrant, when the routes reference Services in another namespace (static mode). */
  public readonly referenceGrant?: ReferenceGrant;
  /** The GCPGatewayPolicy of the Gateway, with `allowGlobalAccess` or `sslPolicy`. */
  public readonly gatewayPolicy?: GcpGatewayPolicy;
  /** The Flagger Canary, with `flagger` (in the servers' chart; the default child). */
  public readonly flaggerCanary?: Canary;
  /** The MetricTemplates of the Flagger analysis (success rate, P99 latency), with `flagger`. */
  public readonly metricTemplates: MetricTemplate[] = [];

  private readonly plan: GatewayCanaryPlan;

  constructor(scope: Construct, id: string, props: GatewayCanaryProps) {
    super(scope, id);
    const subject = subjectOf('GatewayCanary', id);
    const plan = resolveGatewayCanaryPlan(subject, id, Chart.of(this).namespace, props);
    this.plan = plan;
    this.name = plan.name;
    this.stable = plan.stable;
    this.canary = plan.canary;
    this.weights = plan.weights;
    this.pinHeader = plan.pinHeader;
    this.gatewayClass = plan.gatewayClass;

    const metadata = { name: plan.name, labels: plan.labels };
    // Backend-side objects live with the servers, in their chart (their namespace, their output file): a policy's
    // targetRef, a Service's selector and a ReferenceGrant are all namespace-local.
    const serversChart = Chart.of(plan.stable);
    const backends: Construct = serversChart === Chart.of(this) ? this : new Construct(serversChart, `GatewayCanary-${plan.name}`);
    const backendMeta = (name: string) => ({ name, labels: plan.labels });
    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { ...metadata, ...(plan.tls.kind === 'certificate-map' ? { annotations: { 'networking.gke.io/certmap': plan.tls.name } } : {}) },
      spec: gatewaySpec(plan),
    });
    if (plan.gatewayPolicy) {
      this.gatewayPolicy = new GcpGatewayPolicy(this, 'GatewayPolicy', { metadata, spec: gatewayPolicySpec(plan.name, plan.gatewayPolicy) });
    }
    if (plan.flagger) {
      this.flaggerCanary = this.handOffToFlagger(plan, backends);
      this.node.defaultChild = this.flaggerCanary;
    } else {
      this.httpRoute = new HttpRoute(this, 'Resource', { metadata, spec: httpRouteSpec(plan) });
    }
    if (plan.grpcMode === 'grpc-route') this.grpcRoute = new GrpcRoute(this, 'GrpcRoute', { metadata, spec: grpcRouteSpec(plan) });
    if (plan.grpcMode === 'http2-tls') {
      this.grpcHttpRoute = new HttpRoute(this, 'GrpcHttpRoute', {
        metadata: { ...metadata, name: `${plan.name}-grpc` },
        spec: grpcHttpRouteSpec(plan),
      });
    }
    const service = (cid: string, server: TfServingModel, name: string) => new kplus.k8s.KubeService(backends, cid, {
      metadata: backendMeta(name),
      spec: {
        type: 'ClusterIP',
        selector: { ...server.selectorLabels },
        ports: [
          // The gRPC port only when a gRPC route uses it. `appProtocol: kubernetes.io/h2c` (HTTP/2 without TLS: gRPC needs
          // HTTP/2 and TF Serving's gRPC port is plaintext) only for a class that implements it (Gateway API feature
          // HTTPRouteBackendProtocolH2C). GKE does not (its conformance reports list it unsupported), and GKE's own
          // backend protocol HTTP2 (`cloud.google.com/app-protocols`) is HTTP/2 over TLS: no GKE class reaches this port.
          ...(plan.grpcHost !== undefined ? [{
            name: 'grpc', port: server.grpcPort, targetPort: kplus.k8s.IntOrString.fromNumber(server.grpcPort), protocol: 'TCP',
            ...(plan.gatewayClass.features.backendH2c && plan.grpcMode === 'grpc-route' ? { appProtocol: 'kubernetes.io/h2c' } : {}),
            // Servers with grpcTls: HTTP/2 over TLS (grpc-backend.ts).
            ...(plan.grpcMode === 'http2-tls' ? { appProtocol: HTTP2_APP_PROTOCOL } : {}),
          }] : []),
          { name: 'http', port: server.restPort, targetPort: kplus.k8s.IntOrString.fromNumber(server.restPort), protocol: 'TCP' },
        ],
      },
    });
    if (!plan.flagger) {
      this.stableService = service('StableService', plan.stable, plan.services.stable);
      this.canaryService = service('CanaryService', plan.canary, plan.services.canary);
    }
    this.backendPolicies = (['stable', 'canary'] as const).map((v) => new GcpBackendPolicy(backends, `${v === 'stable' ? 'Stable' : 'Canary'}BackendPolicy`, {
      metadata: backendMeta(plan.services[v]),
      spec: lazyValue(() => backendPolicySpec(plan, plan.services[v])),
    }));
    this.healthCheckPolicies = (['stable', 'canary'] as const).map((v) => new HealthCheckPolicy(backends, `${v === 'stable' ? 'Stable' : 'Canary'}HealthCheck`, {
      metadata: backendMeta(plan.services[v]),
      spec: lazyValue(() => healthCheckPolicySpec(plan, plan.services[v])),
    }));
    if (plan.crossNamespace && !plan.flagger) {
      this.referenceGrant = new ReferenceGrant(backends, 'ReferenceGrant', {
        metadata: backendMeta(plan.name), spec: referenceGrantSpec(plan),
      });
    }
    this.node.addValidation({ validate: () => this.validateFinal() });
  }

  /** The backend timeout (GCPBackendPolicy timeoutSec). */
  public get timeout(): Duration {
    return Duration.seconds(timeoutSecOf(this.plan));
  }

  /** The connection draining of the backends. */
  public get connectionDraining(): Duration {
    return Duration.seconds(this.plan.drainingTimeoutSec);
  }

  /**
   * Flagger mode: the target gets the pod label `app: <stable.name>` and is handed to Flagger (handTargetToFlagger:
   * that selector, no fixed `replicas`); the Canary and its MetricTemplates go with the servers.
   */
  private handOffToFlagger(plan: GatewayCanaryPlan, backends: Construct): Canary {
    const stable = plan.stable;
    const existing = stable.deployment.podMetadata.getLabel('app');
    if (existing !== undefined && existing !== stable.name) {
      fail(plan.subject, 'stable', `TfServingModel '${stable.node.id}' pod label app=${existing}`,
        `not already carry the pod label 'app' with another value: Flagger selects the target's pods by app=${stable.name}`,
        'remove \'app\' from the TfServingModel\'s labels');
    }
    stable.deployment.podMetadata.addLabel('app', stable.name);
    handTargetToFlagger(stable);
    const f = plan.flagger!;
    const names = metricTemplateNames(plan.name);
    const specs = metricTemplateSpecs(f);
    this.metricTemplates.push(
      new MetricTemplate(backends, 'SuccessRate', { metadata: { name: names.successRate, labels: plan.labels }, spec: specs.successRate }),
      new MetricTemplate(backends, 'Latency', { metadata: { name: names.latency, labels: plan.labels }, spec: specs.latency }),
    );
    return new Canary(backends, 'FlaggerCanary', {
      metadata: { name: plan.name, labels: plan.labels },
      spec: lazyValue(() => gatewayFlaggerSpec({
        name: plan.name,
        namespace: plan.backendNamespace ?? 'default',
        gatewayNamespace: plan.namespace ?? 'default',
        target: stable,
        restHost: plan.restHost,
        routeTimeout: plan.routeTimeout,
        flagger: f,
      })),
    });
  }

  /** The rules on the servers' models (they can grow through addModel() after this construct); collects, changes nothing. */
  private validateFinal(): string[] {
    const plan = this.plan;
    const f = plan.flagger;
    const checks: Array<() => void> = [
      () => checkModelNames(plan.subject, plan.stable, plan.canary),
      () => { if (f?.maxLatency) checkMaxLatency(plan.subject, f.maxLatency, plan.stable); },
      () => checkLoadTesterModel(plan.subject, 'flagger.loadTester', f?.loadTester, plan.stable),
      () => { if (plan.timeout) checkTimeout(plan.subject, plan.timeout, [plan.stable, plan.canary]); },
      () => {
        if (plan.stable.modelNames.length === 0) {
          fail(plan.subject, 'stable', `TfServingModel '${plan.stable.node.id}'`, 'serve a model: the health check reads the status of the first one',
            'add a model to the servers');
        }
      },
    ];
    const messages: string[] = [];
    for (const check of checks) {
      try {
        check();
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        messages.push(e.message);
      }
    }
    return messages;
  }
}
