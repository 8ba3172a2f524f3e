import { fail } from '../core/errors';

/**
 * Options for an accelerator that is not in the catalog (`Accelerator.of`).
 */
export interface AcceleratorOptions {
  /**
   * Human-readable name, e.g. `NVIDIA B200`.
   *
   * @default - the accelerator type
   */
  readonly displayName?: string;

  /**
   * Memory of one GPU, in GB as NVIDIA and Google Cloud publish it (80 for an H100 80GB).
   *
   * @default - unknown
   */
  readonly memoryGB?: number;

  /**
   * Multi-instance GPU partition sizes GKE accepts for this accelerator, e.g. `['1g.10gb', '7g.80gb']`.
   *
   * @default - none; the accelerator does not support multi-instance GPUs
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-multi
   */
  readonly migPartitionSizes?: readonly string[];
}

// a GKE accelerator type is the value of a node label: lower-case letters, digits, '-' and '.', at most 63 characters.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
const ACCELERATOR_TYPE = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/**
 * An NVIDIA GPU model that GKE can attach to nodes.
 *
 * Each accelerator carries the GKE accelerator type, which is what you pass to
 * `gcloud container node-pools create --accelerator type=...`, to the node pool's
 * `guestAccelerator.type`, and what GKE writes into the `cloud.google.com/gke-accelerator`
 * node label. Use the static constants for the models GKE documents, and `Accelerator.of()`
 * for a model this library does not know yet.
 *
 * GPU memory figures come from https://cloud.google.com/compute/docs/gpus; multi-instance GPU
 * partition sizes from https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-multi.
 *
 * @example
 * const l4 = Accelerator.NVIDIA_L4;
 * const b200 = Accelerator.of('nvidia-b200', { memoryGB: 180 });
 */
export class Accelerator {
  /**
   * Node label GKE sets on every GPU node to the accelerator type, e.g.
   * `cloud.google.com/gke-accelerator: nvidia-l4`. Select GPU nodes with it.
   *
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#multiple_gpus
   */
  public static readonly NODE_LABEL = 'cloud.google.com/gke-accelerator';

  /**
   * Node label GKE sets on multi-instance GPU nodes to the partition size, e.g.
   * `cloud.google.com/gke-gpu-partition-size: 1g.5gb`.
   *
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-multi
   */
  public static readonly PARTITION_SIZE_NODE_LABEL = 'cloud.google.com/gke-gpu-partition-size';

  /**
   * Extended resource name a container requests GPUs with (`resources.limits['nvidia.com/gpu']`).
   * GKE also taints GPU nodes with this key (`nvidia.com/gpu=present:NoSchedule`).
   *
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#gpu_pods
   */
  public static readonly RESOURCE_NAME = 'nvidia.com/gpu';

  /** NVIDIA T4 (16 GB GDDR6), attached to N1 machine types. */
  public static readonly NVIDIA_T4 = new Accelerator('nvidia-tesla-t4', 'NVIDIA T4', 16, []);

  /** NVIDIA L4 (24 GB GDDR6), built into G2 machine types. */
  public static readonly NVIDIA_L4 = new Accelerator('nvidia-l4', 'NVIDIA L4', 24, []);

  /** NVIDIA A100 40GB (HBM2), built into `a2-highgpu-*` and `a2-megagpu-16g`. */
  public static readonly NVIDIA_A100_40GB = new Accelerator('nvidia-tesla-a100', 'NVIDIA A100 40GB', 40,
    ['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb']);

  /** NVIDIA A100 80GB (HBM2e), built into `a2-ultragpu-*`. */
  public static readonly NVIDIA_A100_80GB = new Accelerator('nvidia-a100-80gb', 'NVIDIA A100 80GB', 80,
    ['1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb']);

  /** NVIDIA H100 80GB (HBM3), built into `a3-highgpu-*` (A3 High). */
  public static readonly NVIDIA_H100_80GB = new Accelerator('nvidia-h100-80gb', 'NVIDIA H100 80GB', 80,
    ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '7g.80gb']);

  /** NVIDIA H100 80GB Mega (HBM3), built into `a3-megagpu-8g` (A3 Mega). */
  public static readonly NVIDIA_H100_MEGA_80GB = new Accelerator('nvidia-h100-mega-80gb', 'NVIDIA H100 Mega 80GB', 80,
    ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '7g.80gb']);

  /** NVIDIA H200 141GB (HBM3e), built into `a3-ultragpu-8g` (A3 Ultra). */
  public static readonly NVIDIA_H200_141GB = new Accelerator('nvidia-h200-141gb', 'NVIDIA H200 141GB', 141,
    ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);

  /** NVIDIA V100 (16 GB HBM2), attached to N1 machine types. */
  public static readonly NVIDIA_TESLA_V100 = new Accelerator('nvidia-tesla-v100', 'NVIDIA V100', 16, []);

  /** NVIDIA P100 (16 GB HBM2), attached to N1 machine types. */
  public static readonly NVIDIA_TESLA_P100 = new Accelerator('nvidia-tesla-p100', 'NVIDIA P100', 16, []);

  /** NVIDIA P4 (8 GB GDDR5), attached to N1 machine types. */
  public static readonly NVIDIA_TESLA_P4 = new Accelerator('nvidia-tesla-p4', 'NVIDIA P4', 8, []);

  /**
   * Every accelerator in the catalog, in declaration order.
   */
  public static all(): Accelerator[] {
    return [...CATALOG];
  }

  /**
   * The accelerator with the given GKE accelerator type.
   *
   * A type in the catalog returns the catalog constant (`Accelerator.of('nvidia-l4') === Accelerator.NVIDIA_L4`)
   * unless you pass options, which then replace the catalog facts. Any other type returns a new accelerator
   * with the facts you pass; GKE-specific rules that need a fact you leave out treat it as absent
   * (no multi-instance GPU support, unknown memory).
   *
   * @param type the GKE accelerator type, e.g. `nvidia-b200`
   * @param options facts about an accelerator that is not in the catalog
   */
  public static of(type: string, options?: AcceleratorOptions): Accelerator {
    if (!ACCELERATOR_TYPE.test(type)) {
      fail('Accelerator.of', 'type', type, 'be a GKE accelerator type: lower-case letters, digits, \'-\' and \'.\', at most 63 characters',
        `use the value GKE writes into the ${Accelerator.NODE_LABEL} node label, e.g. 'nvidia-l4'`);
    }
    const known = CATALOG.find(a => a.type === type);
    if (known && options === undefined) {
      return known;
    }
    return new Accelerator(
      type,
      options?.displayName ?? known?.displayName ?? type,
      options?.memoryGB ?? known?.memoryGB,
      [...(options?.migPartitionSizes ?? known?.migPartitionSizes ?? [])],
    );
  }

  /**
   * GKE accelerator type, e.g. `nvidia-l4`. This is the value of the `cloud.google.com/gke-accelerator` node label.
   */
  public readonly type: string;

  /**
   * Human-readable name, e.g. `NVIDIA L4`.
   */
  public readonly displayName: string;

  /**
   * Memory of one GPU in GB, as Google Cloud publishes it; `undefined` when unknown.
   */
  public readonly memoryGB?: number;

  /**
   * Multi-instance GPU partition sizes GKE accepts for this accelerator; empty when it does not support them.
   */
  public readonly migPartitionSizes: readonly string[];

  private constructor(type: string, displayName: string, memoryGB: number | undefined, migPartitionSizes: readonly string[]) {
    this.type = type;
    this.displayName = displayName;
    this.memoryGB = memoryGB;
    this.migPartitionSizes = Object.freeze([...migPartitionSizes]);
  }

  /**
   * Whether GKE can partition this accelerator into multi-instance GPUs.
   */
  public get supportsMig(): boolean {
    return this.migPartitionSizes.length > 0;
  }

  /**
   * Node selector that schedules a Pod onto nodes with this accelerator:
   * `{ 'cloud.google.com/gke-accelerator': type }`.
   */
  public nodeSelector(): Record<string, string> {
    return { [Accelerator.NODE_LABEL]: this.type };
  }

  /**
   * Whether `other` has the same accelerator type.
   */
  public equals(other: Accelerator): boolean {
    return this.type === other.type;
  }

  /**
   * The GKE accelerator type.
   */
  public toString(): string {
    return this.type;
  }
}

const CATALOG: readonly Accelerator[] = [
  Accelerator.NVIDIA_T4,
  Accelerator.NVIDIA_L4,
  Accelerator.NVIDIA_A100_40GB,
  Accelerator.NVIDIA_A100_80GB,
  Accelerator.NVIDIA_H100_80GB,
  Accelerator.NVIDIA_H100_MEGA_80GB,
  Accelerator.NVIDIA_H200_141GB,
  Accelerator.NVIDIA_TESLA_V100,
  Accelerator.NVIDIA_TESLA_P100,
  Accelerator.NVIDIA_TESLA_P4,
];
