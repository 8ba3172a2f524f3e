export { Accelerator } from './accelerator';
export type { AcceleratorOptions } from './accelerator';
export { GkeRuleError } from './gke-rule-error';
export { GpuSharingStrategy } from './gpu-sharing-strategy';
export { MachineType } from './machine-type';
export type { GpuConfiguration, MachineGpus, MachineTypeShape } from './machine-type';
export {
  nodeAllocatable,
  planRollout,
  replicasPerNode,
  systemPodsReserve,
  validateAccelerator,
  validateGpuCount,
  validateGpusPerReplica,
  validateMaxSharedClientsPerGpu,
  validateMigPartitionSize,
  validateNodeCountRange,
  validateSharedGpuRequest,
  validateWorkloadFitsNode,
  workloadAllocatable,
} from './rules';
export type { NodeAllocatable, NodeReserveOptions } from './rules';
export { GkeCluster, GPU_MONITORING_COMPONENT, MONITORING_COMPONENTS } from './gke-cluster';
export type { AuthorizedNetwork, ClusterNetworkResources, GkeClusterProps, GkeClusterSpec, NodeServiceAccountResources } from './gke-cluster';
export { ClusterNetwork, CloudNat } from './cluster-network';
export { MAX_MAINTENANCE_EXCLUSIONS, MaintenanceExclusionScope, worstMaintenanceHoursPer32Days } from './maintenance';
export type { MaintenanceExclusion, MaintenanceSpec, MaintenanceWindow, ResolvedMaintenanceExclusion } from './maintenance';
export type { ClusterNetworkSpec, ExistingClusterNetworkOptions, NewClusterNetworkOptions } from './cluster-network';
export { NODE_SERVICE_ACCOUNT_ROLES, NodeServiceAccount } from './node-service-account';
export type { DedicatedNodeServiceAccountOptions, NodeServiceAccountSpec } from './node-service-account';
export { AutoscalingScope, DiskType, GPU_TAINT, ImageType, LocationPolicy, NODE_POOL_LABEL, NodePool, ReservationAffinity, ReservationConsumption, SecondaryBootDiskMode } from './node-pool';
export type { NodePoolOptions, NodePoolProps, NodePoolSpec, NodePoolTaintSpec, NodeTaint, SecondaryBootDisk } from './node-pool';
export { hashedPoolName, NODE_POOL_NAME_LABEL, PoolReplacement, poolReplacementFields } from './pool-replacement';
export type { PoolEngine, PoolReplacementInput } from './pool-replacement';
export { GpuDriverVersion, resolveGpuNodeConfig } from './gpu-node-config';
export type { GpuNodeConfig, GpuNodeRequest, GpuSharingOptions, GuestAcceleratorSpec } from './gpu-node-config';
export { GpuNodePool } from './gpu-node-pool';
export type { GpuNodePoolOptions, GpuNodePoolProps } from './gpu-node-pool';
export { NvidiaDriverInstaller } from './nvidia-driver-installer';
export {
  GCP_SERVICE_ACCOUNT_ANNOTATION, STORAGE_OBJECT_VIEWER_ROLE, WORKLOAD_IDENTITY_USER_ROLE, WorkloadIdentity,
} from './workload-identity';
export type { WorkloadIdentityProps, WorkloadIdentitySpec } from './workload-identity';
export { ReleaseChannel } from './release-channel';
