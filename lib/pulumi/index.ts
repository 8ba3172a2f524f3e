// The Pulumi layer: `import { GkeServingStack } from 'tfserving-constructs/pulumi'`. Never imported by lib/index.ts,
// so a cdk8s-only user needs none of the optional @pulumi/* peer dependencies.
// First: one clear message when those peers are missing.
import './peers';
export { GKE_SERVING_STACK_TYPE, GkeServingStack, createGkeServingStack, planGkeServingStack } from './gke-serving-stack';
export type { GkeServingStackArgs, GkeServingStackPlan, GkeServingStackResources } from './gke-serving-stack';
export { clusterArgs } from './cluster-args';
export type { ClusterNetworkRefs } from './cluster-args';
export { networkArgs, nodeRoleArgs, nodeServiceAccountArgs, routerArgs, routerNatArgs, subnetworkArgs } from './network-args';
export { nodePoolArgs } from './node-pool-args';
export { bucketReaderArgs, serviceAccountArgs, workloadIdentityUserArgs } from './workload-identity-args';
export { GKE_AUTH_PLUGIN, defaultKubeconfigContext, gkeKubeconfig } from './kubeconfig';
export type { GkeKubeconfigOptions } from './kubeconfig';
export {
  BUILT_IN_API_GROUPS, PREEXISTING_NAMESPACES, apiGroupOf, isBuiltInObject, isConfigConnectorObject, namespacesToCreate,
  serviceNamesOf, splitObjects,
} from './kubernetes-objects';
export type { KubernetesObject, SplitObjects } from './kubernetes-objects';
