import type { GkeGatewayClass } from './gateway-options';
import { fail } from '../core/errors';
import type { TfServingModel } from '../serving/tf-serving-model';

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
