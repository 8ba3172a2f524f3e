export { Accelerator } from './accelerator';
export type { AcceleratorOptions } from './accelerator';
export { GkeRuleError } from './gke-rule-error';
export type { PropNames, RuleContext } from './gke-rule-error';
export { GpuSharingStrategy } from './gpu-sharing-strategy';
export { MachineType } from './machine-type';
export type { GpuConfiguration, MachineGpus, MachineTypeShape } from './machine-type';
export {
  nodeAllocatable,
  validateAccelerator,
  validateGpuCount,
  validateMaxSharedClientsPerGpu,
  validateMigPartitionSize,
  validateNodeCountRange,
  validateSharedGpuRequest,
  validateWorkloadFitsNode,
} from './rules';
export type { NodeAllocatable, WorkloadRequest } from './rules';
