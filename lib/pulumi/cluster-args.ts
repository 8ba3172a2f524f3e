import type * as gcp from '@pulumi/gcp';
import type { GkeClusterSpec } from '../gke/gke-cluster';

/**
 * The `gcp.container.Cluster` arguments for a resolved {@link GkeClusterSpec}: the same settings the
 * cdk8s layer renders as a Config Connector ContainerCluster, in the field names of @pulumi/gcp.
 *
 * - `removeDefaultNodePool: true` with `initialNodeCount: 1`: GKE needs a default pool to create a
 *   cluster; it is deleted right away and the declared pools are separate `gcp.container.NodePool`s.
 * - `workloadIdentityConfig.workloadPool` (`PROJECT.svc.id.goog`) when Workload Identity is on.
 * - Dataplane V2 (`datapathProvider: ADVANCED_DATAPATH`) enforces NetworkPolicy itself: GKE rejects a
 *   cluster that also enables (or disables) `networkPolicy`, so neither `networkPolicy` nor the network
 *   policy add-on is set. Without Dataplane V2, enforcement is Calico: `networkPolicy: { enabled: true,
 *   provider: CALICO }` plus `addonsConfig.networkPolicyConfig.disabled: false`.
 * - `addonsConfig.gcsFuseCsiDriverConfig.enabled` with the Cloud Storage FUSE CSI driver add-on.
 * - `privateClusterConfig` only with private nodes (the provider advises omitting the block otherwise);
 *   the control plane keeps its public endpoint (`enablePrivateEndpoint: false`).
 * - `monitoringConfig`: GKE's default metrics packages (system components, kube state, cAdvisor, kubelet), DCGM when
 *   the cluster has a GPU pool, and Managed Service for Prometheus managed collection.
 * - `deletionProtection` maps the spec's flag (Config Connector has no such field and uses an annotation).
 *
 * Pure: no resource is created.
 *
 * @param spec the cluster's resolved spec (`GkeCluster.spec`)
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2#create-cluster
 */
export function clusterArgs(spec: GkeClusterSpec): gcp.container.ClusterArgs {
  // every key is written out (undefined when not set) so that the compiler checks each name against @pulumi/gcp.
  return {
    name: spec.name,
    project: spec.project,
    location: spec.location,
    initialNodeCount: spec.initialNodeCount,
    removeDefaultNodePool: spec.removeDefaultNodePool,
    releaseChannel: { channel: spec.releaseChannel },
    workloadIdentityConfig: spec.workloadPool ? { workloadPool: spec.workloadPool } : undefined,
    networkingMode: spec.networkingMode,
    datapathProvider: spec.datapathProvider,
    networkPolicy: spec.calicoNetworkPolicy ? { enabled: true, provider: 'CALICO' } : undefined,
    addonsConfig: spec.calicoNetworkPolicy || spec.gcsFuseCsiDriver ? {
      networkPolicyConfig: spec.calicoNetworkPolicy ? { disabled: false } : undefined,
      gcsFuseCsiDriverConfig: spec.gcsFuseCsiDriver ? { enabled: true } : undefined,
    } : undefined,
    privateClusterConfig: spec.privateNodes ? {
      enablePrivateNodes: true,
      enablePrivateEndpoint: false,
      masterIpv4CidrBlock: spec.controlPlaneCidr,
    } : undefined,
    monitoringConfig: {
      enableComponents: [...spec.monitoringComponents],
      managedPrometheus: { enabled: spec.managedPrometheus },
    },
    deletionProtection: spec.deletionProtection,
  };
}
