export {
  IstioCanary, IstioCanaryMode, MeshCaller, ScraperAccess,
} from './istio-canary';
export type {
  BatchTimeoutSource, FlaggerOptions, GatewayExposureOptions, HeaderPinningOptions, IstioCanaryProps, LabelRoutingOptions, OutlierDetectionOptions,
  RouteRetryOptions, TrafficWeights,
} from './istio-canary';
