import { Accelerator } from './accelerator';
import { GpuSharingStrategy } from './gpu-sharing-strategy';
import { MachineType } from './machine-type';
import { validateGpuCount, validateMaxSharedClientsPerGpu, validateMigPartitionSize } from './rules';
import { fail, subjectOf } from '../core/errors';
import { RuleContext } from '../core/rule-context';

/**
 * Which NVIDIA driver GKE installs on the nodes (`gpuDriverInstallationConfig.gpuDriverVersion`).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#create-gpu-pool-auto-drivers
 */
export enum GpuDriverVersion {
  /** The default driver version of the node's GKE version. */
  DEFAULT = 'DEFAULT',
  /** The latest driver version available for the node's GKE version. */
  LATEST = 'LATEST',
  /** GKE installs no driver; `GpuNodePool` then emits the NVIDIA driver installer DaemonSet (COS) unless told not to. */
  INSTALLATION_DISABLED = 'INSTALLATION_DISABLED',
}

/**
 * GPU sharing: several containers on one physical GPU.
 */
export interface GpuSharingOptions {
  /** Time-sharing or NVIDIA MPS. */
  readonly strategy: GpuSharingStrategy;
  /** Containers per physical GPU, 2 to 48. GKE advertises each GPU as this many `nvidia.com/gpu` units. */
  readonly maxSharedClientsPerGpu: number;
}

/** The GPUs of a node pool, as the GKE API names them (`nodeConfig.guestAccelerator`). */
export interface GuestAcceleratorSpec {
  /** Accelerator type, e.g. `nvidia-l4`. */
  readonly type: string;
  /** Physical GPUs per node. */
  readonly count: number;
  /** `gpuDriverInstallationConfig.gpuDriverVersion`: `DEFAULT`, `LATEST` or `INSTALLATION_DISABLED`. */
  readonly gpuDriverVersion: string;
  /** Multi-instance GPU partition size, e.g. `1g.5gb`. */
  readonly gpuPartitionSize?: string;
  /** GPU sharing (`gpuSharingConfig`). */
  readonly gpuSharing?: {
    /** `TIME_SHARING` or `MPS`. */
    readonly strategy: string;
    /** Containers per physical GPU. */
    readonly maxSharedClientsPerGpu: number;
  };
}

/**
 * What a GPU node pool asks for, before defaults and GKE's rules are applied (see {@link resolveGpuNodeConfig}).
 */
export interface GpuNodeRequest {
  /** The machine type of the nodes. */
  readonly machineType: MachineType;

  /**
   * The GPU model.
   *
   * @default - the GPU the machine type comes with; required for N1 machine types
   */
  readonly accelerator?: Accelerator;

  /**
   * Physical GPUs per node.
   *
   * @default - the number the machine type comes with; 1 for N1 machine types
   */
  readonly gpuCount?: number;

  /**
   * Which NVIDIA driver GKE installs.
   *
   * @default GpuDriverVersion.DEFAULT
   */
  readonly driverVersion?: GpuDriverVersion;

  /**
   * Whether the NVIDIA driver installer DaemonSet is emitted.
   *
   * @default - true when `driverVersion` is `INSTALLATION_DISABLED`
   */
  readonly driverInstaller?: boolean;

  /**
   * The node image type name, e.g. `COS_CONTAINERD`.
   *
   * @default 'COS_CONTAINERD'
   */
  readonly imageType?: string;

  /**
   * GPU sharing.
   *
   * @default - GPUs are not shared
   */
  readonly gpuSharing?: GpuSharingOptions;

  /**
   * Multi-instance GPU partition size, e.g. `1g.5gb`.
   *
   * @default - whole GPUs
   */
  readonly gpuPartitionSize?: string;
}

/**
 * The GPU part of a node pool, resolved: every default applied and every GKE rule checked. A `GpuNodePool`
 * resolves it with {@link resolveGpuNodeConfig} and hands it to `NodePool`, which composes it (a CPU pool has none).
 */
export interface GpuNodeConfig {
  /** The GPU model of the nodes. */
  readonly accelerator: Accelerator;
  /** Physical GPUs per node. */
  readonly gpusPerNode: number;
  /**
   * `nvidia.com/gpu` units one node offers to Pods: `gpusPerNode`, times the partitions per GPU with
   * multi-instance GPUs, times `maxSharedClientsPerGpu` with GPU sharing.
   */
  readonly gpuUnitsPerNode: number;
  /** Which NVIDIA driver GKE installs. */
  readonly driverVersion: GpuDriverVersion;
  /** Whether the NVIDIA driver installer DaemonSet is emitted. */
  readonly driverInstaller: boolean;
  /** The GPU sharing strategy, when GPUs are shared. */
  readonly sharing?: GpuSharingStrategy;
  /** Containers per physical GPU, with GPU sharing. */
  readonly maxSharedClientsPerGpu?: number;
  /** The multi-instance GPU partition size, with multi-instance GPUs. */
  readonly gpuPartitionSize?: string;
  /** The same, as the GKE API names it (`nodeConfig.guestAccelerator`). */
  readonly guestAccelerator: GuestAcceleratorSpec;
}

/**
 * Resolves the GPU part of a node pool: the accelerator (from the machine type unless given), the GPU count, the
 * driver mode, sharing and multi-instance GPU partitions, checked against GKE's rules. Pure: both engines use it.
 *
 * @param ctx the pool, for messages (`{ construct: 'GpuNodePool', id }`)
 * @param request what the pool asks for
 * @throws ConfigError (a `GkeRuleError` for the catalog rules) for the first setting GKE would refuse
 */
export function resolveGpuNodeConfig(ctx: RuleContext, request: GpuNodeRequest): GpuNodeConfig {
  const subject = subjectOf(ctx.construct, ctx.id);
  const machineType = request.machineType;
  const accelerator = request.accelerator ?? machineType.gpus?.accelerator;
  if (!accelerator) {
    const supported = machineType.supportedAccelerators;
    if (supported.length > 0) {
      fail(subject, 'accelerator', undefined, `be set for machine type ${machineType}, which takes attached GPUs (${supported.join(', ')})`,
        `pass accelerator: Accelerator.of('${supported[0]}') or another of those`);
    }
    fail(subject, 'machineType', machineType.name, `be a machine type with GPUs (${machineType} has none)`,
      'pick a GPU machine type such as g2-standard-8 (NVIDIA L4), or an N1 machine type with accelerator: Accelerator.NVIDIA_T4');
  }
  const count = request.gpuCount ?? machineType.gpus?.count ?? 1;
  validateGpuCount(ctx, machineType, accelerator, count);
  if (request.gpuPartitionSize !== undefined) validateMigPartitionSize(ctx, accelerator, request.gpuPartitionSize);
  if (request.gpuSharing) validateMaxSharedClientsPerGpu(ctx, request.gpuSharing.strategy, request.gpuSharing.maxSharedClientsPerGpu);

  const driverVersion = request.driverVersion ?? GpuDriverVersion.DEFAULT;
  if (request.driverInstaller && driverVersion !== GpuDriverVersion.INSTALLATION_DISABLED) {
    fail(subject, 'driverInstaller', true, `be set only with driverVersion INSTALLATION_DISABLED (GKE installs the ${driverVersion} driver itself)`,
      'remove driverInstaller, or set driverVersion: GpuDriverVersion.INSTALLATION_DISABLED');
  }
  const driverInstaller = request.driverInstaller ?? (driverVersion === GpuDriverVersion.INSTALLATION_DISABLED);
  const imageType = request.imageType ?? 'COS_CONTAINERD';
  if (driverInstaller && !imageType.startsWith('COS')) {
    fail(subject, 'imageType', imageType,
      'be a Container-Optimized OS image when the NVIDIA driver installer DaemonSet is emitted (it installs drivers on COS only)',
      'use ImageType.COS_CONTAINERD, or set driverInstaller: false and install the driver yourself');
  }
  const partitions = request.gpuPartitionSize === undefined ? 1 : partitionsPerGpu(accelerator, request.gpuPartitionSize);
  const sharing = request.gpuSharing;
  return {
    accelerator,
    gpusPerNode: count,
    gpuUnitsPerNode: count * partitions * (sharing?.maxSharedClientsPerGpu ?? 1),
    driverVersion,
    driverInstaller,
    sharing: sharing?.strategy,
    maxSharedClientsPerGpu: sharing?.maxSharedClientsPerGpu,
    gpuPartitionSize: request.gpuPartitionSize,
    guestAccelerator: {
      type: accelerator.type,
      count,
      gpuDriverVersion: driverVersion,
      gpuPartitionSize: request.gpuPartitionSize,
      gpuSharing: sharing ? { strategy: sharing.strategy.apiValue, maxSharedClientsPerGpu: sharing.maxSharedClientsPerGpu } : undefined,
    },
  };
}

/**
 * Multi-instance GPU partitions of `size` that fit on one GPU: limited by the 7 compute slices and by the
 * GPU's memory (`1g.20gb` on an H100 80GB: 4).
 *
 * @see https://docs.nvidia.com/datacenter/tesla/mig-user-guide/#supported-profiles
 */
function partitionsPerGpu(accelerator: Accelerator, size: string): number {
  const m = /^(\d+)g\.(\d+)gb$/.exec(size);
  if (!m) return 1;
  const bySlices = Math.floor(7 / Number(m[1]));
  // profile sizes are rounded (3g.71gb is half of an H200 141GB), hence the small tolerance.
  const byMemory = accelerator.memoryGB === undefined ? bySlices : Math.floor(accelerator.memoryGB / Number(m[2]) + 0.05);
  return Math.max(1, Math.min(bySlices, byMemory));
}
