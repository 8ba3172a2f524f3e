/**
 * Who is being validated, for the error messages of rules shared across layers (GKE rules, placement checks).
 */
export interface RuleContext {
  /**
   * Class name of the construct or Pulumi component that owns the values, e.g. `GpuNodePool`.
   */
  readonly construct: string;

  /**
   * The construct id (cdk8s) or resource name (Pulumi), e.g. `l4`.
   */
  readonly id: string;

  /**
   * The caller's names for the values the rules check, where they differ from the defaults.
   *
   * @default - the defaults documented on `PropNames`
   */
  readonly propNames?: PropNames;
}

/**
 * Names of the props a rule reports, so that messages use the caller's own prop names
 * (`{ gpus: 'resources.gpu' }` makes a message say `'resources.gpu' (2) must ...`).
 */
export interface PropNames {
  /** @default 'accelerator' */
  readonly accelerator?: string;
  /** @default 'gpuCount' */
  readonly gpuCount?: string;
  /** @default 'gpus' */
  readonly gpus?: string;
  /** @default 'cpu' */
  readonly cpu?: string;
  /** @default 'memory' */
  readonly memory?: string;
  /** @default 'gpuPartitionSize' */
  readonly gpuPartitionSize?: string;
  /** @default 'minNodes' */
  readonly minNodes?: string;
  /** @default 'maxNodes' */
  readonly maxNodes?: string;
  /** @default 'maxSharedClientsPerGpu' */
  readonly maxSharedClientsPerGpu?: string;
  /** @default 'replicas' */
  readonly replicas?: string;
}

/**
 * How a Deployment's rolling update may exceed or fall below its replica count (`strategy.rollingUpdate`).
 */
export interface RolloutBudget {
  /** Pods above the replica count during a rollout. */
  readonly maxSurge: number;
  /** Pods below the replica count during a rollout. */
  readonly maxUnavailable: number;
}

/**
 * What one replica of a workload requests from a node.
 */
export interface WorkloadRequest {
  /**
   * GPUs (`nvidia.com/gpu`).
   *
   * @default - no GPUs; not checked
   */
  readonly gpus?: number;

  /**
   * CPU in millicores.
   *
   * @default - not checked
   */
  readonly cpuMillis?: number;

  /**
   * Memory in bytes.
   *
   * @default - not checked
   */
  readonly memoryBytes?: number;

  /**
   * The workload places its work across several GPUs itself (device-pinned ops in the SavedModel), so more than
   * one GPU per replica is intended.
   *
   * @default false - more than one GPU per replica is refused
   */
  readonly multiGpu?: boolean;
}
