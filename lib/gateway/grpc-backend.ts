import type { GkeGatewayClass } from './gateway-options';
import { fail } from '../core/errors';
import {
  HttpRouteSpec, HttpRouteSpecRules, HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatches, HttpRouteSpecRulesMatchesHeadersType,
  HttpRouteSpecRulesMatchesMethod, HttpRouteSpecRulesMatchesPathType,
} from '../imports/gateway.networking.k8s.io';
import type { TfServingModel } from '../serving/tf-serving-model';
import { PREDICTION_GRPC_PATHS } from '../serving/traffic-split';

/*
 * gRPC through a Gateway whose controller implements no GRPCRoute (GKE's): an HTTPRoute on the gRPC listener that
 * matches the gRPC prediction paths, to a Service port with `appProtocol: HTTP2`. A gRPC call is an HTTP/2 POST to
 * `/package.Service/Method` (gRPC over HTTP2 protocol spec, "Path"), so path matches select the same calls a
 * GRPCRoute method match would. GKE's load balancers speak HTTP/2 to a backend only over TLS (no h2c:
 * HTTPRouteBackendProtocolH2C is unsupported in GKE's conformance reports), and they accept any certificate the
 * backend presents ("the load balancer doesn't perform any certificate validation",
 * https://cloud.google.com/load-balancing/docs/backend-authenticated-tls-backend-mtls): the servers' gRPC ports need
 * TLS (TfServingModel `grpcTls`), with a certificate of any issuer. The Service port's `appProtocol` picks the backend
 * protocol (https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway#load-balancer-tls); `HTTP2` is what
 * GoogleCloudPlatform's edge-to-mesh Gateway samples set for an HTTP/2-over-TLS backend with a self-signed certificate.
 * The h2c premise rests on GKE's published conformance reports (v1.1.0, GKE 1.30.3); a 2025 Google sample
 * (theemadnes/tls-to-alb-to-grpc-h2c) routes an HTTPRoute to `appProtocol: kubernetes.io/h2c` on the multi-cluster
 * class gke-l7-global-external-managed-mc. Until that is confirmed for the single-cluster classes, plaintext servers are
 * refused on GKE's classes; `GkeGatewayClass.of(name, { backendH2c: true, grpcRoute: … })` declares another class.
 *
 * The load balancer balances each call (each HTTP/2 stream) over the endpoints: a client's one long-lived channel is
 * spread over every pod, which a ClusterIP Service (one TCP connection, one pod) does not do.
 */

/** How gRPC reaches the servers through the Gateway: a GRPCRoute (h2c backends), or an HTTPRoute to HTTP/2-over-TLS backends. */
export type GrpcBackendMode = 'grpc-route' | 'http2-tls';

/** The Service port `appProtocol` of a TLS gRPC backend on GKE (HTTP/2 over TLS). */
export const HTTP2_APP_PROTOCOL = 'HTTP2';

/**
 * Which way gRPC goes through the Gateway, or a ConfigError: servers with `grpcTls` need a class whose load balancer
 * speaks HTTP/2 over TLS to backends; servers with plaintext gRPC need a class that implements GRPCRoute.
 */
export function resolveGrpcBackend(
  subject: string, cls: GkeGatewayClass, grpcHost: string, stable: TfServingModel, canary: TfServingModel,
): GrpcBackendMode {
  const tls = stable.grpcTls !== undefined;
  if ((canary.grpcTls !== undefined) !== tls) {
    fail(subject, 'canary', `TfServingModel '${canary.node.id}' (grpcTls ${canary.grpcTls ? 'set' : 'unset'})`,
      `match stable (TfServingModel '${stable.node.id}', grpcTls ${tls ? 'set' : 'unset'}): one route reaches both gRPC ports, which must speak the same protocol`,
      'set grpcTls on both servers, or on neither');
  }
  if (tls) {
    if (!cls.features.backendHttp2) {
      fail(subject, 'grpcHost', grpcHost,
        `not be set with GatewayClass '${cls.name}' and servers with grpcTls: its controller does not speak HTTP/2 over TLS to backends (features.backendHttp2)`,
        'use a GKE GatewayClass, or GkeGatewayClass.of(name, { backendHttp2: true, ... }) for a controller that does');
    }
    return 'http2-tls';
  }
  if (!cls.features.grpcRoute) {
    // GKE's conformance reports (kubernetes-sigs/gateway-api conformance/reports/*/gke-gateway) list the GATEWAY-HTTP
    // profile only: its controller accepts no GRPCRoute (GoogleCloudPlatform/gke-gateway-api#31), and its backend
    // protocol HTTP2 is HTTP/2 over TLS, which a plaintext gRPC port does not speak (no HTTPRouteBackendProtocolH2C).
    fail(subject, 'grpcHost', grpcHost,
      `not be set with GatewayClass '${cls.name}' while the servers' gRPC ports are plaintext: its controller implements no GRPCRoute, and `
      + 'reaches gRPC backends only over HTTP/2 with TLS (GKE conformance reports: profile GATEWAY-HTTP only, HTTPRouteBackendProtocolH2C unsupported)',
      'set grpcTls: GrpcTls.fromSecret(\'<kubernetes.io/tls Secret>\') on both servers (a self-signed certificate works: the load balancer does not '
      + 'validate it), remove grpcHost and balance in the client (headless Service, round_robin), or use a GatewayClass that implements GRPCRoute');
  }
  return 'grpc-route';
}

/** What the gRPC HTTPRoute needs from the plan. */
export interface GrpcHttpRouteInputs {
  readonly name: string;
  readonly grpcHost: string;
  readonly gatewayClass: GkeGatewayClass;
  /**
   * The pinning header.
   *
   * @default - no pinning rules
   */
  readonly pinHeader?: string;
  /**
   * Percent of the split's calls mirrored to the canary.
   *
   * @default - no mirroring
   */
  readonly mirrorPercent?: number;
  readonly grpcPort: number;
  /** A backendRef to one version's Service on a port. */
  readonly backend: (version: 'stable' | 'canary', port: number) => { name: string; port: number; namespace?: string };
  /** The weighted backendRefs of the split on a port. */
  readonly split: (port: number) => Array<{ name: string; port: number; namespace?: string; weight?: number }>;
  /** `rules[].name` where the class implements named rules. */
  readonly ruleName: (name: string) => { name?: string };
  /**
   * `rules[].timeouts.request` where the class implements route timeouts (as on the REST route).
   *
   * @default - no route timeout
   */
  readonly requestTimeout?: string;
}

/**
 * The HTTPRoute of the gRPC listener: an exact path match for each method of the gRPC prediction surface
 * (PredictionService and ModelService/GetModelStatus: never ModelService/HandleReloadConfigRequest, which replaces
 * the model config and checks no identity), POST only where the class matches methods (every gRPC call is a
 * POST), the same pinning, split and mirror as the REST route. Every other path gets the load balancer's 404.
 */
export function grpcHttpRouteSpec(p: GrpcHttpRouteInputs): HttpRouteSpec {
  const port = p.grpcPort;
  const timeouts = p.requestTimeout ? { timeouts: { request: p.requestTimeout } } : {};
  const matches = (header?: { name: string; value: string }): HttpRouteSpecRulesMatches[] => PREDICTION_GRPC_PATHS.map((path) => ({
    path: { type: HttpRouteSpecRulesMatchesPathType.EXACT, value: path },
    ...(p.gatewayClass.features.methodMatching ? { method: HttpRouteSpecRulesMatchesMethod.POST } : {}),
    ...(header ? { headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, ...header }] } : {}),
  }));
  const rules: HttpRouteSpecRules[] = [];
  if (p.pinHeader) {
    for (const v of ['canary', 'stable'] as const) {
      rules.push({ ...p.ruleName(`pin-${v}`), matches: matches({ name: p.pinHeader, value: v }), backendRefs: [p.backend(v, port)], ...timeouts });
    }
  }
  const mirror = p.mirrorPercent ? {
    filters: [{
      type: HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
      requestMirror: { backendRef: p.backend('canary', port), ...(p.mirrorPercent < 100 ? { percent: p.mirrorPercent } : {}) },
    }],
  } : {};
  rules.push({ ...p.ruleName('split'), matches: matches(), backendRefs: p.split(port), ...mirror, ...timeouts });
  return { parentRefs: [{ name: p.name, sectionName: 'grpc' }], hostnames: [p.grpcHost], rules };
}
