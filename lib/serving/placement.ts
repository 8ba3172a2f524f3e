import * as kplus from 'cdk8s-plus-27';
import type { ImagePreload } from './cold-start';
import { RolloutBudget, RuleContext, WorkloadRequest } from '../core/rule-context';

/**
 * What a pool's nodes can reach on the network.
 */
export interface NodeEgress {
  /** Any internet host (public node addresses, or Cloud NAT). */
  readonly internet: boolean;
  /** Google APIs (Cloud Storage, Artifact Registry), directly or through Private Google Access. */
  readonly googleApis: boolean;
  /** Why, for messages: e.g. `node pool 'l4' runs on private nodes of cluster 'serving' without Cloud NAT`. */
  readonly description: string;
}

/**
 * Where a server's pods run: what the serving side needs from a node pool.
 *
 * The serving layer owns this interface and imports no GKE class (aws-cdk's `IGrantable` pattern): `NodePool` and
 * `GpuNodePool` implement it, and a user can place a server on capacity we did not create (an Autopilot
 * ComputeClass, a pool managed elsewhere) by implementing it too.
 */
export interface IServingPlacement {
  /** The pool's name, for messages. */
  readonly name: string;

  /**
   * The GKE accelerator type of the pool's nodes (`nvidia-l4`, `nvidia-h100-80gb` …).
   *
   * @default - a CPU pool
   */
  readonly acceleratorType?: string;

  /**
   * How the pool shares one GPU between containers (`TIME_SHARING` or `MPS`).
   *
   * @default - GPUs are not shared
   */
  readonly gpuSharing?: string;

  /**
   * Containers that share one GPU, with GPU sharing.
   *
   * @default - GPUs are not shared
   */
  readonly maxSharedClientsPerGpu?: number;

  /**
   * The MIG partition size (`1g.5gb` …), on a MIG pool.
   *
   * @default - whole GPUs
   */
  readonly gpuPartitionSize?: string;

  /**
   * What the pool's nodes can reach: a server whose image or models come from outside Google's network needs internet
   * egress, one reading Cloud Storage needs Google APIs.
   *
   * @default - unknown: nothing is checked
   */
  readonly nodeEgress?: NodeEgress;

  /** Whether the pool's nodes run the GKE metadata server (Workload Identity). */
  readonly workloadIdentity: boolean;

  /**
   * Whether the pool's cluster runs the Cloud Storage FUSE CSI driver add-on (`ModelSource.gcsFuse` needs it).
   *
   * @default - unknown (not checked)
   */
  readonly gcsFuseCsiDriver?: boolean;
  /**
   * What the pool's nodes do for image pulls (`planColdStart`'s `imagePreload`): GKE Image streaming, or a secondary
   * boot disk that caches container images.
   *
   * @default 'none'
   */
  readonly imagePreload?: ImagePreload;

  /** Node labels a pod must select to land on the pool. */
  nodeSelector(): Record<string, string>;

  /** Taints of the pool that a pod must tolerate. */
  tolerations(): kplus.k8s.Toleration[];

  /** Throws a `ConfigError` when one replica's request cannot fit on a node of the pool. */
  checkWorkloadFits(ctx: RuleContext, request: WorkloadRequest): void;

  /**
   * The rolling update that can complete on the pool for `maxReplicas` replicas of `request` (a surge Pod needs room
   * above the replica count); throws a `ConfigError` when the pool cannot hold `maxReplicas` at all. Optional: without
   * it the server rolls out with `maxSurge 1 / maxUnavailable 0`.
   */
  rolloutFor?(ctx: RuleContext, request: WorkloadRequest, maxReplicas: number): RolloutBudget;
}
