export {
  IstioCanary, IstioCanaryMode, MeshCaller, ScraperAccess,
} from './istio-canary';
export type {
  BatchTimeoutSource, FlaggerGrpcLoadOptions, FlaggerLoadTesterOptions, FlaggerOptions, FlaggerStepOptions, GatewayExposureOptions,
  HeaderPinningOptions,
  IstioCanaryProps, JwtOptions, LabelRoutingOptions, OutlierDetectionOptions, RouteRetryOptions, SidecarProxyOptions, TrafficWeights,
} from './istio-canary';
export { ENVOY_METRICS_PORT, ISTIOD_XDS_PORT, SIDECAR_AGENT_PORT, istioSidecarNetworkPolicy } from './sidecar-network-policy';
export type { ISidecarServer, SidecarNetworkPolicyOptions } from './sidecar-network-policy';
