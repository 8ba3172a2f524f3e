export { GatewayCanary, GatewayTls, GkeGatewayClass } from './gateway-canary';
export type { GatewayCanaryProps, GatewayClassFeatures, GatewayFlaggerOptions, IapOptions } from './gateway-canary';
