import type * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { GkeClusterSpec } from '../gke/gke-cluster';
import { NODE_OAUTH_SCOPE } from '../gke/iam-roles';

/** The network and subnetwork a cluster refers to, when they are resources of the same program. */
export interface ClusterNetworkRefs {
  /**
   * The network (`gcp.compute.Network` `id` output).
   *
   * @default - `spec.network.networkId`
   */
  readonly network?: pulumi.Input<string>;
  /**
   * The subnetwork (`gcp.compute.Subnetwork` `id` output).
   *
   * @default - `spec.network.subnetworkId`
   */
  readonly subnetwork?: pulumi.Input<string>;
}

/**
 * The `gcp.container.Cluster` arguments for a resolved {@link GkeClusterSpec}: the same settings the
 * cdk8s layer renders as a Config Connector ContainerCluster, in the field names of @pulumi/gcp.
 *
 * - `removeDefaultNodePool: true` with `initialNodeCount: 1`: GKE needs a default pool to create a
 *   cluster; it is deleted right away and the declared pools are separate `gcp.container.NodePool`s. Its
 *   `nodeConfig` runs it as the nodes' service account (`cloud-platform` scope) unless that is the Compute Engine
 *   default one, as Config Connector's `nodeConfig.serviceAccountRef`.
 * - `workloadIdentityConfig.workloadPool` (`PROJECT.svc.id.goog`) when Workload Identity is on.
 * - Dataplane V2 (`datapathProvider: ADVANCED_DATAPATH`) enforces NetworkPolicy itself: GKE rejects a
 *   cluster that also enables (or disables) `networkPolicy`, so neither `networkPolicy` nor the network
 *   policy add-on is set. Without Dataplane V2, enforcement is Calico: `networkPolicy: { enabled: true,
 *   provider: CALICO }` plus `addonsConfig.networkPolicyConfig.disabled: false`.
 * - `addonsConfig.gcsFuseCsiDriverConfig.enabled` with the Cloud Storage FUSE CSI driver add-on.
 * - `network` / `subnetwork` and `ipAllocationPolicy` with the named secondary ranges on a declared network (an
 *   `ipAllocationPolicy` is left out otherwise: VPC-native, GKE picks the ranges, as Config Connector's empty block).
 * - `privateClusterConfig` only with private nodes (the provider advises omitting the block otherwise), with
 *   `enablePrivateEndpoint` from the spec; `masterAuthorizedNetworksConfig` when networks are listed.
 * - `monitoringConfig`: GKE's default metrics packages (system components, kube state, cAdvisor, kubelet), DCGM when
 *   the cluster has a GPU pool, and Managed Service for Prometheus managed collection.
 * - `deletionProtection` maps the spec's flag (Config Connector has no such field and uses an annotation).
 *
 * Pure: no resource is created.
 *
 * @param spec the cluster's resolved spec (`GkeCluster.spec`)
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2#create-cluster
 */
export function clusterArgs(spec: GkeClusterSpec, refs: ClusterNetworkRefs = {}): gcp.container.ClusterArgs {
  const n = spec.network;
  const m = spec.maintenance;
  // every key is written out (undefined when not set) so that the compiler checks each name against @pulumi/gcp.
  return {
    name: spec.name,
    project: spec.project,
    location: spec.location,
    initialNodeCount: spec.initialNodeCount,
    removeDefaultNodePool: spec.removeDefaultNodePool,
    // the temporary default pool runs as the nodes' account, not the Compute Engine default one (which may not exist:
    // hashicorp/terraform-provider-google#4435); the stack ignores later nodeConfig diffs, as the provider's users must.
    nodeConfig: spec.nodeServiceAccount.email ? { serviceAccount: spec.nodeServiceAccount.email, oauthScopes: [NODE_OAUTH_SCOPE] } : undefined,
    releaseChannel: { channel: spec.releaseChannel },
    workloadIdentityConfig: spec.workloadPool ? { workloadPool: spec.workloadPool } : undefined,
    network: n ? refs.network ?? n.networkId : undefined,
    subnetwork: n ? refs.subnetwork ?? n.subnetworkId : undefined,
    networkingMode: spec.networkingMode,
    // the subnetwork's named secondary ranges; without them GKE picks the ranges (Config Connector's empty block).
    ipAllocationPolicy: n?.podsRangeName
      ? { clusterSecondaryRangeName: n.podsRangeName, servicesSecondaryRangeName: n.servicesRangeName } : undefined,
    datapathProvider: spec.datapathProvider,
    networkPolicy: spec.calicoNetworkPolicy ? { enabled: true, provider: 'CALICO' } : undefined,
    addonsConfig: spec.calicoNetworkPolicy || spec.gcsFuseCsiDriver ? {
      networkPolicyConfig: spec.calicoNetworkPolicy ? { disabled: false } : undefined,
      gcsFuseCsiDriverConfig: spec.gcsFuseCsiDriver ? { enabled: true } : undefined,
    } : undefined,
    privateClusterConfig: spec.privateNodes ? {
      enablePrivateNodes: true,
      enablePrivateEndpoint: spec.privateEndpoint,
      masterIpv4CidrBlock: spec.controlPlaneCidr,
    } : undefined,
    masterAuthorizedNetworksConfig: spec.masterAuthorizedNetworks
      ? { cidrBlocks: spec.masterAuthorizedNetworks.map((b) => ({ cidrBlock: b.cidrBlock, displayName: b.displayName })) }
      : undefined,
    monitoringConfig: {
      enableComponents: [...spec.monitoringComponents],
      managedPrometheus: { enabled: spec.managedPrometheus },
    },
    // GatewayAPIConfig.Channel CHANNEL_STANDARD, spelled out: this layer loads no construct module at run time.
    gatewayApiConfig: spec.gatewayApi ? { channel: 'CHANNEL_STANDARD' } : undefined,
    // Config Connector's maintenanceExclusion (singular) is maintenanceExclusions here; recurringWindow is the same.
    maintenancePolicy: m.window || m.exclusions.length ? {
      recurringWindow: m.window ? { startTime: m.window.startTime, endTime: m.window.endTime, recurrence: m.window.recurrence } : undefined,
      maintenanceExclusions: m.exclusions.length ? m.exclusions.map((e) => ({
        exclusionName: e.name, startTime: e.startTime, endTime: e.endTime, exclusionOptions: { scope: e.scope },
      })) : undefined,
    } : undefined,
    deletionProtection: spec.deletionProtection,
  };
}
