import { Duration } from 'cdk8s';
import type { GatewayFlaggerOptions } from './gateway-flagger';
import { fail } from '../core/errors';
import { DNS_SUBDOMAIN } from '../core/names';
import type { TfServingModel } from '../serving/tf-serving-model';
import type { HeaderPinningOptions, TrafficWeights } from '../serving/traffic-split';

/** A Gateway API Duration (GEP-2257) in whole milliseconds, rounded up: HTTPRoute `timeouts`, Flagger's `service.timeout`. */
export function gatewayApiDuration(d: Duration): string {
  return `${Math.ceil(d.toMilliseconds({ integral: false }))}ms`;
}

/** What a GatewayClass's controller implements, as far as a {@link GatewayCanary} needs to know. */
export interface GatewayClassFeatures {
  /** The load balancer takes traffic from the internet (a public Gateway: identity in front is required). */
  readonly external: boolean;
  /** A regional load balancer: its proxies connect to the pods from the region's proxy-only subnet. */
  readonly regional: boolean;
  /** The `RequestMirror` filter on HTTPRoute and GRPCRoute rules. */
  readonly requestMirror: boolean;
  /** `spec.rules[].timeouts` on HTTPRoute. */
  readonly routeTimeouts: boolean;
  /** The `networking.gke.io/certmap` annotation (a Certificate Manager certificate map on the Gateway). */
  readonly certificateMap: boolean;
  /**
   * GCPGatewayPolicy `allowGlobalAccess`: clients in every region of the VPC reach the load balancer (GKE's regional
   * internal class).
   *
   * @default false
   */
  readonly globalAccess?: boolean;
  /**
   * GCPGatewayPolicy `sslPolicy`: a Compute Engine SSL policy on the load balancer's front end.
   *
   * @default false
   */
  readonly sslPolicy?: boolean;
  /**
   * GRPCRoute (Gateway API feature `GRPCRoute`, conformance profile GATEWAY-GRPC). Without it `grpcHost` is refused:
   * no listener would accept the route.
   */
  readonly grpcRoute: boolean;
  /**
   * The Service port `appProtocol: kubernetes.io/h2c` (Gateway API feature `HTTPRouteBackendProtocolH2C`): HTTP/2
   * without TLS to the pods, what TF Serving's plaintext gRPC port speaks. Without it no `appProtocol` is written.
   */
  readonly backendH2c: boolean;
  /**
   * HTTP/2 over TLS to a backend whose Service port says `appProtocol: HTTP2` (GKE's backend protocol HTTP2). With
   * it, gRPC reaches servers with `grpcTls` through an HTTPRoute on the gRPC listener, without GRPCRoute.
   *
   * @default false
   */
  readonly backendHttp2?: boolean;
  /** HTTPRoute `matches[].method` (Gateway API feature `HTTPRouteMethodMatching`). Without it the matches have no method. */
  readonly methodMatching: boolean;
  /** HTTPRoute and GRPCRoute `rules[].name` (Gateway API feature `HTTPRouteNamedRouteRule`). Without it the rules are unnamed. */
  readonly namedRouteRules: boolean;
}

/*
 * GKE's classes, from GKE's conformance reports in kubernetes-sigs/gateway-api
 * (conformance/reports/v1.1.0 … v1.6/gke-gateway/*.yaml): profile GATEWAY-HTTP only (no GATEWAY-GRPC: no GRPCRoute,
 * GoogleCloudPlatform/gke-gateway-api#31), and HTTPRouteBackendProtocolH2C, HTTPRouteMethodMatching and
 * HTTPRouteNamedRouteRule (reports for GKE 1.34 to 1.36) in unsupportedFeatures. GKE rejects a route that uses an
 * unsupported match (e.g. kserve/kserve#5319, GWCER104), so nothing unsupported is written.
 */
// Every GKE class speaks HTTP/2 over TLS to a backend (backend service protocol HTTP2, Service appProtocol HTTP2).
const GKE_HTTP_ONLY = { grpcRoute: false, backendH2c: false, methodMatching: false, namedRouteRules: false, backendHttp2: true } as const;

/**
 * A GKE GatewayClass and what its controller implements, from GKE's GatewayClass capabilities table (HTTPRoute
 * filters and timeouts, Gateway annotations per class).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities
 */
export class GkeGatewayClass {
  /**
   * `gke-l7-global-external-managed`: the global external Application Load Balancer (Envoy-based). Public.
   */
  public static readonly GLOBAL_EXTERNAL_MANAGED = new GkeGatewayClass('gke-l7-global-external-managed', {
    external: true, regional: false, requestMirror: true, routeTimeouts: false, certificateMap: true, sslPolicy: true, ...GKE_HTTP_ONLY,
  });
  /**
   * `gke-l7-regional-external-managed`: the regional external Application Load Balancer. Public; its proxies use the
   * region's proxy-only subnet.
   */
  public static readonly REGIONAL_EXTERNAL_MANAGED = new GkeGatewayClass('gke-l7-regional-external-managed', {
    external: true, regional: true, requestMirror: true, routeTimeouts: false, certificateMap: false, sslPolicy: true, ...GKE_HTTP_ONLY,
  });
  /**
   * `gke-l7-rilb`: the regional internal Application Load Balancer, reachable from the VPC only; its proxies use the
   * region's proxy-only subnet.
   */
  public static readonly REGIONAL_INTERNAL = new GkeGatewayClass('gke-l7-rilb', {
    external: false, regional: true, requestMirror: true, routeTimeouts: false, certificateMap: false, globalAccess: true, sslPolicy: true,
    ...GKE_HTTP_ONLY,
  });
  /**
   * `gke-l7-gxlb`: the classic global external Application Load Balancer. Public; no request mirroring.
   */
  public static readonly CLASSIC_GLOBAL_EXTERNAL = new GkeGatewayClass('gke-l7-gxlb', {
    external: true, regional: false, requestMirror: false, routeTimeouts: false, certificateMap: true, sslPolicy: true, ...GKE_HTTP_ONLY,
  });

  /** Another GatewayClass (a newer GKE class, or another implementation), with the features its controller implements. */
  public static of(name: string, features: GatewayClassFeatures): GkeGatewayClass {
    if (!DNS_SUBDOMAIN.test(name)) fail('GkeGatewayClass.of', 'name', name, 'be a GatewayClass name (a DNS subdomain)', 'use e.g. \'gke-l7-rilb\'');
    return new GkeGatewayClass(name, { ...features });
  }

  private constructor(
    /** The GatewayClass name (`spec.gatewayClassName`). */
    public readonly name: string,
    /** What its controller implements. */
    public readonly features: GatewayClassFeatures,
  ) {}
}

/** How the Gateway's HTTPS listeners get their certificate. */
export class GatewayTls {
  /** A `kubernetes.io/tls` Secret in the Gateway's namespace (listener `tls.certificateRefs`). */
  public static secret(name: string): GatewayTls {
    if (!DNS_SUBDOMAIN.test(name)) fail('GatewayTls.secret', 'name', name, 'be a Secret name (a DNS subdomain)', 'use the name of the kubernetes.io/tls Secret');
    return new GatewayTls('secret', name);
  }

  /**
   * A Certificate Manager certificate map (the Gateway annotation `networking.gke.io/certmap`); the listeners carry
   * no certificate of their own. Global GatewayClasses only.
   *
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway#certificate-manager
   */
  public static certificateMap(name: string): GatewayTls {
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
      fail('GatewayTls.certificateMap', 'name', name, 'be a Certificate Manager map name (lower-case letters, digits, \'-\', at most 63)', 'use e.g. \'ml-certs\'');
    }
    return new GatewayTls('certificate-map', name);
  }

  private constructor(
    /** `secret` or `certificate-map`. */
    public readonly kind: 'secret' | 'certificate-map',
    /** The Secret's or the map's name. */
    public readonly name: string,
  ) {}
}

/** Identity-Aware Proxy on the backends (GCPBackendPolicy `default.iap`). */
export interface IapOptions {
  /** The OAuth 2.0 client ID (`iap.clientID`). */
  readonly clientId: string;
  /**
   * The Secret, in the servers' namespace, whose `key` holds the OAuth 2.0 client secret (`iap.oauth2ClientSecret.name`).
   */
  readonly oauth2ClientSecretName: string;
}

/** Properties of a {@link GatewayCanary}. */
export interface GatewayCanaryProps {
  /**
   * The name of the Gateway, the routes and the policies; the backend Services are `NAME-stable` and `NAME-canary`
   * (with `flagger`, Flagger's `NAME-primary` and `NAME-canary`).
   *
   * @default - the construct id
   */
  readonly name?: string;
  /** The server of the current version. */
  readonly stable: TfServingModel;
  /**
   * The server of the new version; same model names and ports as stable.
   *
   * @default - none; then `flagger` must be set (Flagger's canary is `stable` itself, its copy `NAME-primary` serves the old version)
   */
  readonly canary?: TfServingModel;
  /**
   * The traffic split (HTTPRoute and GRPCRoute `backendRefs[].weight`).
   *
   * @default { stable: 100, canary: 0 }
   */
  readonly weights?: TrafficWeights;
  /**
   * Header pinning: `HEADER: canary` / `HEADER: stable` rules that match before the split, with
   * `allowCallerPinning: true`. Without it no rule matches the header, so it chooses nothing.
   *
   * @default - header 'x-model-version'
   */
  readonly pinning?: HeaderPinningOptions;
  /**
   * Let callers of the Gateway choose the version with the pinning header. Every caller that reaches the Gateway
   * (with IAP, every signed-in user IAP admits) can then send its requests to the canary, whatever the weights.
   * Off, the routes have no pinning rules: the header reaches the servers but chooses nothing.
   *
   * @default false
   */
  readonly allowCallerPinning?: boolean;
  /**
   * Percent of the split rules' requests also sent to the canary (a `RequestMirror` filter; responses are dropped).
   * Needs a GatewayClass that implements RequestMirror. Below 100 the filter carries `percent`, a field of the
   * Gateway API CRDs from v1.3.0 on (GKE installs those from 1.33.2-gke.1335000); against an older CRD, kubectl
   * (strict field validation by default) refuses the route, and a client that validates with Warn or Ignore has the
   * field dropped, so the filter mirrors every request. 100 writes no `percent` and works on every version. Checked
   * against `gatewayApiVersion` when that is set.
   *
   * @default - no mirroring
   */
  readonly mirrorPercent?: number;
  /**
   * The Gateway API version of the cluster's CRDs, `MAJOR.MINOR` (on GKE: 1.3 from 1.33.2-gke.1335000, 1.4 from
   * 1.34.1-gke.1822000, 1.5 from 1.35.2-gke.1842000; GatewayClass capabilities page). Fields newer than it are refused
   * at synth (`mirrorPercent` below 100 needs 1.3).
   *
   * @default - not known; nothing is checked against it
   */
  readonly gatewayApiVersion?: string;
  /**
   * Hand the rollout to Flagger's Gateway API provider instead of a static split: a Flagger Canary writes the
   * HTTPRoute and shifts the weights, judged on TF Serving's own metrics. Exclusive with `canary`, `weights`,
   * `pinning`, `allowCallerPinning`, `mirrorPercent` and `grpcHost`.
   *
   * @default - static routing by this construct
   */
  readonly flagger?: GatewayFlaggerOptions;
  /** The GatewayClass, e.g. `GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED` or `GkeGatewayClass.REGIONAL_INTERNAL`. */
  readonly gatewayClass: GkeGatewayClass;
  /**
   * The host name of the REST API (the HTTPRoute and the `rest` listener).
   */
  readonly restHost: string;
  /**
   * The host name of the gRPC API (the `grpc` listener). Must differ from `restHost`: a listener accepts only one of
   * an HTTPRoute and a GRPCRoute whose host names intersect. With servers that have `grpcTls` (both or neither) and a
   * class with `backendHttp2` (GKE's): an HTTPRoute matching the gRPC prediction paths, to the Services' gRPC port
   * with `appProtocol: HTTP2`; the load balancer balances each call. With plaintext gRPC servers: a GRPCRoute, only
   * on a class that implements GRPCRoute (GKE's do not).
   *
   * @default - no gRPC listener and no gRPC route: REST only
   */
  readonly grpcHost?: string;
  /** The certificate of the HTTPS listeners: `GatewayTls.secret('…')` or `GatewayTls.certificateMap('…')`. */
  readonly tls: GatewayTls;
  /**
   * Identity-Aware Proxy in front of both backends. Required on an external GatewayClass unless
   * `allowUnauthenticated` is set.
   *
   * @default - no IAP
   */
  readonly iap?: IapOptions;
  /**
   * Accept a public (external) Gateway without IAP: anyone on the internet can call the prediction API.
   *
   * @default false
   */
  readonly allowUnauthenticated?: boolean;
  /**
   * The time the load balancer waits for a response (GCPBackendPolicy `timeoutSec`, whole seconds); longer than
   * the largest batching timeout of the servers.
   *
   * @default - 10 s plus the largest batching timeout of the servers, rounded up to whole seconds
   */
  readonly timeout?: Duration;
  /**
   * A timeout on the HTTPRoute rules (`timeouts.request`). Only for a GatewayClass that implements route timeouts;
   * GKE's classes do not (use `timeout`).
   *
   * @default - none
   */
  readonly routeTimeout?: Duration;
  /**
   * How long the load balancer lets requests on a removed endpoint finish (GCPBackendPolicy
   * `connectionDraining.drainingTimeoutSec`); at most the servers' termination grace period.
   *
   * @default - the smallest termination grace period of the servers
   */
  readonly connectionDraining?: Duration;
  /**
   * Let clients in every region of the VPC reach an internal Gateway (GCPGatewayPolicy `allowGlobalAccess`); without
   * it only clients in the load balancer's region can. Only for a class that implements it (`gke-l7-rilb`).
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_global_access
   */
  readonly allowGlobalAccess?: boolean;
  /**
   * The Compute Engine SSL policy of the load balancer's front end (GCPGatewayPolicy `sslPolicy`): the TLS versions
   * and ciphers clients may use. Without one, Google Cloud's default applies (COMPATIBLE profile, TLS 1.0 and newer).
   * A regional class needs a regional SSL policy in its region. Only for a class that implements it (GKE's do).
   *
   * @default - Google Cloud's default SSL policy
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_ssl_policies
   */
  readonly sslPolicy?: string;
  /**
   * Percent of requests the load balancer logs (GCPBackendPolicy `logging.sampleRate`, in millionths); 0 turns
   * logging off.
   *
   * @default 100
   */
  readonly logSamplePercent?: number;
  /**
   * The CIDR of the region's proxy-only subnet, where a regional GatewayClass's proxies connect from. Needed with a
   * regional class when the servers have NetworkPolicies (they must admit it).
   *
   * @default - not known; refused with a regional class and servers with NetworkPolicies
   */
  readonly proxyOnlySubnet?: string;
  /**
   * Emit a ReferenceGrant in the servers' namespace when the routes are in another namespace. Without one, the
   * Gateway API refuses the routes' cross-namespace `backendRefs`.
   *
   * @default true
   */
  readonly referenceGrant?: boolean;
}
