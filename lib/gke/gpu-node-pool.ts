import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { GkeCluster } from './gke-cluster';
import { _GpuResolution, ImageType, NodePool, NodePoolOptions, NodePoolProps } from './node-pool';
import { NvidiaDriverInstaller } from './nvidia-driver-installer';
import { Accelerator } from './accelerator';
import { RuleContext } from '../core/rule-context';
import { GpuSharingStrategy } from './gpu-sharing-strategy';
import { MachineType } from './machine-type';
import { validateGpuCount, validateMaxSharedClientsPerGpu, validateMigPartitionSize } from './rules';
import { fail } from '../core/errors';

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

/**
 * Settings of a GPU node pool, for `GkeCluster.addGpuNodePool()`.
 */
export interface GpuNodePoolOptions extends NodePoolOptions {
  /**
   * The machine type of the nodes: an accelerator-optimized type with built-in GPUs (`g2-standard-8`:
   * one L4), or an N1 type with attached GPUs.
   */
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
   * Emit the NVIDIA driver installer DaemonSet for Container-Optimized OS (see `NvidiaDriverInstaller`).
   * Only with `GpuDriverVersion.INSTALLATION_DISABLED`; set false to install drivers another way (e.g. on Ubuntu nodes).
   *
   * @default - true when `driverVersion` is `INSTALLATION_DISABLED`
   */
  readonly driverInstaller?: boolean;

  /**
   * Where the driver installer DaemonSet goes (one per scope, shared by the pools that ask for it).
   *
   * @default - the pool's chart
   */
  readonly driverInstallerScope?: Construct;

  /**
   * Share each GPU between several containers (time-sharing or MPS). A container then requests at most 1 GPU.
   *
   * @default - GPUs are not shared
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/timesharing-gpus
   */
  readonly gpuSharing?: GpuSharingOptions;

  /**
   * Split each GPU into multi-instance GPU partitions of this size (e.g. `1g.5gb` on an A100 40GB);
   * every partition is one `nvidia.com/gpu`.
   *
   * @default - whole GPUs
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-multi
   */
  readonly gpuPartitionSize?: string;
}

/**
 * Properties of a {@link GpuNodePool}.
 */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster the pool belongs to. */
  readonly cluster: GkeCluster;
}

/**
 * A GKE node pool of GPU nodes, declared as a Config Connector `ContainerNodePool`.
 *
 * Beyond a `NodePool`: `nodeConfig.guestAccelerator` with the GPU type and count, the driver installation
 * mode, GPU sharing and multi-instance GPU partitions; the `nvidia.com/gpu=present:NoSchedule` taint,
 * declared explicitly (GKE adds it only in some cases); and, with `GpuDriverVersion.INSTALLATION_DISABLED`,
 * the NVIDIA driver installer DaemonSet. The GKE rules (GPU vs machine type, GPU count, partition size,
 * sharing clients, node counts) are checked at construction.
 *
 * By default the pool scales from 0 to 3 nodes in total, with GKE's default driver.
 *
 * @example
 * const l4 = new GpuNodePool(chart, 'l4', {
 *   cluster, machineType: MachineType.of('g2-standard-8'), minNodes: 0, maxNodes: 4, spot: true,
 * });
 */
export class GpuNodePool extends NodePool {
  /** The GPU model of the nodes. */
  declare public readonly accelerator: Accelerator;
  /** Which NVIDIA driver GKE installs. */
  public readonly driverVersion: GpuDriverVersion;
  /** The driver installer DaemonSet, when emitted (shared by the pools in its scope). */
  public readonly driverInstaller?: NvidiaDriverInstaller;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id, props);
    this.driverVersion = props.driverVersion ?? GpuDriverVersion.DEFAULT;
    if (installsDriver(props)) {
      this.driverInstaller = NvidiaDriverInstaller.of(props.driverInstallerScope ?? Chart.of(this));
    }
  }

  protected override kind(): string {
    return 'GpuNodePool';
  }

  protected override resolveGpu(nodePoolProps: NodePoolProps, machineType: MachineType): _GpuResolution {
    const props = nodePoolProps as GpuNodePoolProps;
    const ctx: RuleContext = { construct: 'GpuNodePool', id: this.node.id, propNames: { maxSharedClientsPerGpu: 'gpuSharing.maxSharedClientsPerGpu' } };
    const accelerator = props.accelerator ?? machineType.gpus?.accelerator;
    if (!accelerator) {
      const supported = machineType.supportedAccelerators;
      if (supported.length > 0) {
        fail(this.subject, 'accelerator', undefined, `be set for machine type ${machineType}, which takes attached GPUs (${supported.join(', ')})`,
          `pass accelerator: Accelerator.of('${supported[0]}') or another of those`);
      }
      fail(this.subject, 'machineType', machineType.name, `be a machine type with GPUs (${machineType} has none)`,
        'pick a GPU machine type such as g2-standard-8 (NVIDIA L4), or an N1 machine type with accelerator: Accelerator.NVIDIA_T4');
    }
    const count = props.gpuCount ?? machineType.gpus?.count ?? 1;
    validateGpuCount(ctx, machineType, accelerator, count);
    if (props.gpuPartitionSize !== undefined) validateMigPartitionSize(ctx, accelerator, props.gpuPartitionSize);
    if (props.gpuSharing) validateMaxSharedClientsPerGpu(ctx, props.gpuSharing.strategy, props.gpuSharing.maxSharedClientsPerGpu);

    const driverVersion = props.driverVersion ?? GpuDriverVersion.DEFAULT;
    if (props.driverInstaller && driverVersion !== GpuDriverVersion.INSTALLATION_DISABLED) {
      fail(this.subject, 'driverInstaller', true, `be set only with driverVersion INSTALLATION_DISABLED (GKE installs the ${driverVersion} driver itself)`,
        'remove driverInstaller, or set driverVersion: GpuDriverVersion.INSTALLATION_DISABLED');
    }
    const imageType = props.imageType ?? ImageType.COS_CONTAINERD;
    if (installsDriver(props) && !imageType.isCos) {
      fail(this.subject, 'imageType', imageType.name,
        'be a Container-Optimized OS image when the NVIDIA driver installer DaemonSet is emitted (it installs drivers on COS only)',
        'use ImageType.COS_CONTAINERD, or set driverInstaller: false and install the driver yourself');
    }
    const partitions = props.gpuPartitionSize === undefined ? 1 : partitionsPerGpu(accelerator, props.gpuPartitionSize);
    const clients = props.gpuSharing?.maxSharedClientsPerGpu;
    return {
      accelerator,
      spec: {
        type: accelerator.type,
        count,
        gpuDriverVersion: driverVersion,
        gpuPartitionSize: props.gpuPartitionSize,
        gpuSharing: props.gpuSharing
          ? { strategy: props.gpuSharing.strategy.apiValue, maxSharedClientsPerGpu: props.gpuSharing.maxSharedClientsPerGpu }
          : undefined,
      },
      sharing: props.gpuSharing?.strategy,
      maxSharedClientsPerGpu: clients,
      gpuUnitsPerNode: count * partitions * (clients ?? 1),
    };
  }
}

function installsDriver(props: GpuNodePoolProps): boolean {
  return props.driverInstaller ?? (props.driverVersion === GpuDriverVersion.INSTALLATION_DISABLED);
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
