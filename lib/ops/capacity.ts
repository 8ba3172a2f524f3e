import { fail } from '../core/errors';

/** Inputs of {@link planCapacity}. */
export interface CapacityInputs {
  /** Peak requests per second the service must absorb. */
  readonly targetQps: number;
  /** Requests per second one replica sustains at the latency objective, measured (e.g. with a LoadTest). */
  readonly qpsPerReplica: number;
  /**
   * Share of each replica's capacity kept free for bursts and for the autoscaler to react, 0 ≤ h < 1.
   * It also sets the HPA's CPU target: (1 − headroom) × 100 %.
   *
   * @default 0.3
   */
  readonly headroom?: number;
  /**
   * Requests per second at the quietest hour; sets the floor of the replica range.
   *
   * @default 0 - the floor is `minReplicas`
   */
  readonly troughQps?: number;
  /**
   * The fewest replicas, whatever the traffic (2 keeps serving through a node loss).
   *
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Serving replicas that fit on one node of the pool (by CPU, memory or GPUs).
   *
   * @default 1
   */
  readonly replicasPerNode?: number;
  /**
   * Extra pods a rolling update creates at once (the Deployment's maxSurge); the pool needs room for them.
   *
   * @default 1
   */
  readonly surge?: number;
}

/** The result of {@link planCapacity}: HPA bounds and target, and the node pool's size limit. */
export interface CapacityPlan {
  /** HPA minReplicas. */
  readonly minReplicas: number;
  /** HPA maxReplicas. */
  readonly maxReplicas: number;
  /** HPA target CPU utilization, percent. */
  readonly targetCpuUtilization: number;
  /** Node pool maxNodes (for this server alone). */
  readonly maxNodes: number;
  /** Requests per second one replica is planned to take: qpsPerReplica × (1 − headroom). */
  readonly plannedQpsPerReplica: number;
}

/**
 * Derives the autoscaler range and the node pool's size from a target QPS, a measured per-replica
 * throughput and a headroom:
 *
 * - planned per-replica QPS = qpsPerReplica × (1 − headroom);
 * - maxReplicas = ⌈targetQps / planned⌉ (at least minReplicas);
 * - minReplicas = max(minReplicas, ⌈troughQps / planned⌉);
 * - targetCpuUtilization = round((1 − headroom) × 100), so the HPA scales out where the headroom starts;
 * - maxNodes = ⌈(maxReplicas + surge) / replicasPerNode⌉.
 *
 * Spread `{ minReplicas, maxReplicas, targetCpuUtilization }` into a TfServingModel's `autoscaling`.
 */
export function planCapacity(inputs: CapacityInputs): CapacityPlan {
  const S = 'planCapacity';
  const positive = (prop: keyof CapacityInputs, v: number | undefined, fix: string) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(S, prop, v, 'be a number greater than 0', fix);
  };
  positive('targetQps', inputs.targetQps, 'give the peak requests per second');
  positive('qpsPerReplica', inputs.qpsPerReplica, 'measure one replica with a LoadTest and give its sustained requests per second');
  const headroom = inputs.headroom ?? 0.3;
  if (!(headroom >= 0 && headroom < 1)) fail(S, 'headroom', headroom, 'be at least 0 and below 1 (a share of capacity kept free)', 'use e.g. 0.3');
  if (Math.round((1 - headroom) * 100) < 1) fail(S, 'headroom', headroom, 'leave at least 1 % of a replica\'s capacity planned', 'use at most 0.99');
  const trough = inputs.troughQps ?? 0;
  if (!(trough >= 0 && trough <= inputs.targetQps)) fail(S, 'troughQps', trough, `be between 0 and targetQps (${inputs.targetQps})`, 'give the quietest hour\'s requests per second');
  const minFloor = inputs.minReplicas ?? 2;
  if (!(Number.isInteger(minFloor) && minFloor >= 1)) fail(S, 'minReplicas', minFloor, 'be an integer of at least 1', 'use 2');
  const perNode = inputs.replicasPerNode ?? 1;
  if (!(Number.isInteger(perNode) && perNode >= 1)) fail(S, 'replicasPerNode', perNode, 'be an integer of at least 1', 'count how many serving pods one node holds');
  const surge = inputs.surge ?? 1;
  if (!(Number.isInteger(surge) && surge >= 0)) fail(S, 'surge', surge, 'be an integer of 0 or more', 'use the Deployment\'s maxSurge (1)');

  const planned = inputs.qpsPerReplica * (1 - headroom);
  const minReplicas = Math.max(minFloor, Math.ceil(trough / planned));
  const maxReplicas = Math.max(minReplicas, Math.ceil(inputs.targetQps / planned));
  return {
    minReplicas,
    maxReplicas,
    targetCpuUtilization: Math.round((1 - headroom) * 100),
    maxNodes: Math.ceil((maxReplicas + surge) / perNode),
    plannedQpsPerReplica: planned,
  };
}
