import type * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { NodePoolSpec } from '../gke/node-pool';

/**
 * The `gcp.container.NodePool` arguments for a resolved {@link NodePoolSpec} (`NodePool.spec` or
 * `GpuNodePool.spec`): the same settings the cdk8s layer renders as a Config Connector
 * ContainerNodePool, in the field names of @pulumi/gcp.
 *
 * Where the two differ: Config Connector spells `nodeConfig.guestAccelerator` and `nodeConfig.taint`
 * in the singular, @pulumi/gcp `guestAccelerators` and `taints`; a GPU pool's accelerator carries its
 * `gpuDriverInstallationConfig` (GKE installs the NVIDIA driver unless `INSTALLATION_DISABLED`), and
 * its `nvidia.com/gpu=present:NO_SCHEDULE` taint. Autoscaling bounds are `totalMin/MaxNodeCount` for
 * `AutoscalingScope.TOTAL` and `min/maxNodeCount` (per zone) for `PER_ZONE`. Image streaming is
 * `nodeConfig.gcfsConfig` in both; `nodeConfig.secondaryBootDisks` exists only here (Config Connector 1.155.1's
 * ContainerNodePool lacks it, so only this engine renders a pool that declares secondary boot disks).
 *
 * Pure: no resource is created.
 *
 * @param spec the pool's resolved spec
 * @param clusterName the cluster's name; pass the `gcp.container.Cluster`'s `name` output so the pool waits for the cluster
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#create-gpu-pool-auto-drivers
 */
export function nodePoolArgs(spec: NodePoolSpec, clusterName: pulumi.Input<string>): gcp.container.NodePoolArgs {
  // every key is written out (undefined when not set) so that the compiler checks each name against @pulumi/gcp.
  const a = spec.autoscaling;
  // AutoscalingScope.TOTAL, compared by value: this layer imports no construct module.
  const total = (a?.scope as string | undefined) === 'TOTAL';
  const acc = spec.guestAccelerator;
  // PoolReplacement.CREATE_BEFORE_DELETE, compared by value: a successor under a new GKE name replaces this pool.
  const createFirst = (spec.replacement as string) === 'CREATE_BEFORE_DELETE';
  return {
    // the hash of the fields @pulumi/gcp cannot update in place (see poolReplacementFields): a new name when they change.
    name: spec.gkeNames.pulumi,
    cluster: clusterName,
    project: spec.project,
    location: spec.location,
    autoscaling: a ? {
      totalMinNodeCount: total ? a.minNodeCount : undefined,
      totalMaxNodeCount: total ? a.maxNodeCount : undefined,
      minNodeCount: total ? undefined : a.minNodeCount,
      maxNodeCount: total ? undefined : a.maxNodeCount,
      locationPolicy: a.locationPolicy,
    } : undefined,
    initialNodeCount: spec.initialNodeCount,
    nodeCount: spec.nodeCount,
    nodeLocations: spec.nodeLocations ? [...spec.nodeLocations] : undefined,
    nodeConfig: {
      machineType: spec.machineType,
      imageType: spec.imageType,
      diskSizeGb: spec.diskSizeGb,
      diskType: spec.diskType,
      gcfsConfig: spec.imageStreaming ? { enabled: true } : undefined,
      // Config Connector's ContainerNodePool has no secondaryBootDisks; this engine is the one that renders them.
      shieldedInstanceConfig: {
        enableSecureBoot: spec.shieldedInstance.secureBoot, enableIntegrityMonitoring: spec.shieldedInstance.integrityMonitoring,
      },
      secondaryBootDisks: spec.secondaryBootDisks?.map((d) => ({ diskImage: d.diskImage, mode: d.mode })),
      spot: spec.spot ? true : undefined,
      preemptible: spec.preemptible ? true : undefined,
      labels: Object.keys(spec.labels).length ? { ...spec.labels } : undefined,
      // Config Connector's `taint` and `guestAccelerator` are plural in @pulumi/gcp.
      taints: spec.taints.length ? spec.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })) : undefined,
      guestAccelerators: acc ? [{
        type: acc.type,
        count: acc.count,
        gpuDriverInstallationConfig: { gpuDriverVersion: acc.gpuDriverVersion },
        gpuPartitionSize: acc.gpuPartitionSize,
        gpuSharingConfig: acc.gpuSharing
          ? { gpuSharingStrategy: acc.gpuSharing.strategy, maxSharedClientsPerGpu: acc.gpuSharing.maxSharedClientsPerGpu }
          : undefined,
      }] : undefined,
      workloadMetadataConfig: { mode: spec.workloadMetadataMode },
      serviceAccount: spec.serviceAccount,
      oauthScopes: spec.oauthScopes ? [...spec.oauthScopes] : undefined,
      reservationAffinity: spec.reservationAffinity ? {
        consumeReservationType: spec.reservationAffinity.consumeReservationType,
        key: spec.reservationAffinity.key,
        values: spec.reservationAffinity.values ? [...spec.reservationAffinity.values] : undefined,
      } : undefined,
    },
    queuedProvisioning: spec.queuedProvisioning ? { enabled: true } : undefined,
    placementPolicy: spec.compactPlacement ? { type: 'COMPACT' } : undefined,
    // GKE drains a deleted pool without PodDisruptionBudgets unless asked ("About node pools", Deleting node pools:
    // https://cloud.google.com/kubernetes-engine/docs/concepts/node-pools#deleting_node_pools); the old pool of a
    // create-before-delete replacement then gives its Pods to the successor at the pace the PDB allows. Config Connector
    // 1.155.1's ContainerNodePool has no nodeDrainConfig. An in-place update (resource_container_node_pool.go nodePoolUpdate).
    nodeDrainConfigs: createFirst ? [{ respectPdbDuringNodePoolDeletion: true }] : undefined,
    management: { autoRepair: spec.autoRepair, autoUpgrade: spec.autoUpgrade },
    upgradeSettings: {
      strategy: spec.upgradeSettings.strategy, maxSurge: spec.upgradeSettings.maxSurge, maxUnavailable: spec.upgradeSettings.maxUnavailable,
    },
  };
}
