import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator } from './accelerator';
import type { GkeCluster } from './gke-cluster';
import { GpuDriverVersion, GpuNodeConfig, GpuSharingOptions, resolveGpuNodeConfig } from './gpu-node-config';
import { GpuSharingStrategy } from './gpu-sharing-strategy';
import { MachineType } from './machine-type';
import { NodePool, NodePoolOptions } from './node-pool';
import { NvidiaDriverInstaller } from './nvidia-driver-installer';

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
 *   cluster, machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'], minNodes: 0, maxNodes: 4, spot: true,
 * });
 */
export class GpuNodePool extends NodePool {
  /** The GPU part of the pool, resolved. */
  declare public readonly gpu: GpuNodeConfig;
  /** Which NVIDIA driver GKE installs. */
  public readonly driverVersion: GpuDriverVersion;
  /** The driver installer DaemonSet, when emitted (shared by the pools in its scope). */
  public readonly driverInstaller?: NvidiaDriverInstaller;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id, props, resolveGpuNodeConfig(
      { construct: 'GpuNodePool', id, propNames: { maxSharedClientsPerGpu: 'gpuSharing.maxSharedClientsPerGpu' } },
      { ...props, imageType: props.imageType?.name },
    ));
    this.driverVersion = this.gpu.driverVersion;
    if (this.gpu.driverInstaller) {
      this.driverInstaller = NvidiaDriverInstaller.of(props.driverInstallerScope ?? Chart.of(this));
    }
  }

  /** The GPU model of the nodes. */
  public get accelerator(): Accelerator {
    return this.gpu.accelerator;
  }

  /** Physical GPUs per node. */
  public get gpusPerNode(): number {
    return this.gpu.gpusPerNode;
  }

  /**
   * `nvidia.com/gpu` units one node offers to Pods: `gpusPerNode`, times the partitions per GPU with
   * multi-instance GPUs, times `maxSharedClientsPerGpu` with GPU sharing.
   */
  public get gpuUnitsPerNode(): number {
    return this.gpu.gpuUnitsPerNode;
  }

  /** The GPU sharing strategy; undefined when GPUs are not shared. */
  public get sharing(): GpuSharingStrategy | undefined {
    return this.gpu.sharing;
  }
}
