export {
  IstioCanary, IstioCanaryMode, MeshCaller, ScraperAccess,
} from './istio-canary';
export type {
  BatchTimeoutSource, FlaggerOptions, GatewayExposureOptions, HeaderPinningOptions, IstioCanaryProps, LabelRoutingOptions, OutlierDetectionOptions,
  RouteRetryOptions, TrafficWeights,
} from './istio-canary';
export { ENVOY_METRICS_PORT, ISTIOD_XDS_PORT, SIDECAR_AGENT_PORT, istioSidecarNetworkPolicy } from './sidecar-network-policy';
export type { ISidecarServer, SidecarNetworkPolicyOptions } from './sidecar-network-policy';
