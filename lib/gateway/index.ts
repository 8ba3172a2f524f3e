export { GatewayCanary, GatewayTls, GkeGatewayClass } from './gateway-canary';
export type { GatewayCanaryProps, GatewayClassFeatures, IapOptions } from './gateway-canary';
