import { Accelerator } from './accelerator';
import { GkeRuleError } from './gke-rule-error';
import { GpuSharingStrategy } from './gpu-sharing-strategy';
import { GpuConfiguration, MachineType } from './machine-type';
import { PropNames, RolloutBudget, RuleContext, WorkloadRequest } from '../core/rule-context';

/**
 * CPU and memory of one node that Pods can request.
 */
export interface NodeAllocatable {
  /** Allocatable CPU in millicores (rounded down). */
  readonly cpuMillis: number;
  /** Allocatable memory in bytes (rounded down). */
  readonly memoryBytes: number;
}


const MiB = 2 ** 20;
const GiB = 2 ** 30;

// https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes#memory_and_cpu_reservations
// memory: 255 MiB below 1 GiB; otherwise 25% of the first 4 GiB, 20% of the next 4 GiB, 10% of the next 8 GiB,
// 6% of the next 112 GiB and 2% above 128 GiB; plus a 100 MiB eviction threshold on every node.
const MEMORY_TIERS: ReadonlyArray<readonly [upToGiB: number, fraction: number]> = [
  [4, 0.25], [8, 0.2], [16, 0.1], [128, 0.06], [Infinity, 0.02],
];
const SMALL_MACHINE_MEMORY_RESERVE = 255 * MiB;
const EVICTION_THRESHOLD = 100 * MiB;
// cpu: 6% of the first core, 1% of the next core, 0.5% of the next 2 cores, 0.25% of any cores above 4.
const CPU_TIERS: ReadonlyArray<readonly [upToCores: number, fraction: number]> = [
  [1, 0.06], [2, 0.01], [4, 0.005], [Infinity, 0.0025],
];

const DEFAULT_PROP_NAMES: Required<PropNames> = {
  accelerator: 'accelerator',
  gpuCount: 'gpuCount',
  gpus: 'gpus',
  cpu: 'cpu',
  memory: 'memory',
  gpuPartitionSize: 'gpuPartitionSize',
  minNodes: 'minNodes',
  maxNodes: 'maxNodes',
  maxSharedClientsPerGpu: 'maxSharedClientsPerGpu',
  replicas: 'replicas',
};

/**
 * CPU and memory that Pods can request on one node of a GKE Standard node pool with this machine type.
 *
 * GKE reserves part of every node for the kubelet, the container runtime and the OS, and keeps a
 * 100 MiB memory eviction threshold:
 * - memory: 255 MiB on machines with less than 1 GiB; otherwise 25% of the first 4 GiB, 20% of the
 *   next 4 GiB, 10% of the next 8 GiB, 6% of the next 112 GiB and 2% of any memory above 128 GiB;
 * - CPU: 6% of the first core, 1% of the next core, 0.5% of the next 2 cores and 0.25% of any cores above 4.
 *
 * GKE's own per-node Pods (logging, the network proxy, the GPU device plugin) run out of the allocatable
 * resources too: `workloadAllocatable` subtracts them.
 *
 * @param machineType the node pool's machine type
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes
 */
export function nodeAllocatable(machineType: MachineType): NodeAllocatable {
  const cpuMillis = machineType.vcpu * 1000 - tiered(machineType.vcpu, CPU_TIERS) * 1000;
  const memory = machineType.memoryGiB * GiB;
  const reserved = memory < GiB ? SMALL_MACHINE_MEMORY_RESERVE : tiered(machineType.memoryGiB, MEMORY_TIERS) * GiB;
  return {
    cpuMillis: Math.max(0, Math.floor(cpuMillis)),
    memoryBytes: Math.max(0, Math.floor(memory - reserved - EVICTION_THRESHOLD)),
  };
}

/**
 * Checks that the machine type comes with, or can be attached to, the accelerator.
 *
 * G2 comes only with NVIDIA L4; `a2-highgpu`/`a2-megagpu` only with A100 40GB; `a2-ultragpu` only with
 * A100 80GB; `a3-highgpu` only with H100 80GB; `a3-megagpu` only with H100 Mega; `a3-ultragpu` only with
 * H200; N1 takes T4, V100, P100 or P4; every other machine type takes no GPUs.
 *
 * @param ctx who is being validated
 * @param machineType the node pool's machine type
 * @param accelerator the GPU model the node pool asks for
 * @throws GkeRuleError if the machine type does not take the accelerator
 * @see https://cloud.google.com/compute/docs/gpus
 */
export function validateAccelerator(ctx: RuleContext, machineType: MachineType, accelerator: Accelerator): void {
  const supported = machineType.supportedAccelerators;
  if (supported.some(a => a.equals(accelerator))) {
    return;
  }
  const prop = propName(ctx, 'accelerator');
  const families = MachineType.familiesFor(accelerator);
  const fixes: string[] = [];
  if (supported.length === 1) {
    fixes.push(`set '${prop}' to ${supported[0]}`);
  } else if (supported.length > 1) {
    fixes.push(`set '${prop}' to one of those`);
  }
  fixes.push(families.length > 0
    ? `pick a machine type of family ${joinOr(families)} for ${accelerator}`
    : `describe a machine type that comes with ${accelerator}: MachineType.of(name, { vcpu, memoryGiB, gpus })`);
  throw new GkeRuleError(ctx, prop, accelerator.type,
    `be a GPU that machine type ${machineType} takes (${supported.length > 0 ? supported.join(', ') : 'none'})`,
    fixes.join(', or '));
}

/**
 * Checks the number of GPUs per node against the machine type.
 *
 * Accelerator-optimized machine types (G2, A2, A3) come with a fixed number of GPUs. N1 machine types
 * take 1, 2 or 4 T4, P100 or P4 GPUs, or 1, 2, 4 or 8 V100 GPUs, and each count caps the vCPUs and
 * memory of the machine (1 V100 allows at most 12 vCPUs). Checks `validateAccelerator` first.
 *
 * @param ctx who is being validated
 * @param machineType the node pool's machine type
 * @param accelerator the GPU model the node pool asks for
 * @param count GPUs per node
 * @throws GkeRuleError if the machine type does not take `count` GPUs of that model
 * @see https://cloud.google.com/compute/docs/gpus
 */
export function validateGpuCount(ctx: RuleContext, machineType: MachineType, accelerator: Accelerator, count: number): void {
  validateAccelerator(ctx, machineType, accelerator);
  const prop = propName(ctx, 'gpuCount');
  if (!(Number.isInteger(count) && count > 0)) {
    throw new GkeRuleError(ctx, prop, count, 'be a positive integer', `set it to the number of GPUs per node, e.g. ${
      machineType.gpus?.count ?? 1}`);
  }
  const configurations = machineType.gpuConfigurations.filter(c => c.accelerator.equals(accelerator));
  if (machineType.gpus) {
    const fixed = machineType.gpus.count;
    if (count === fixed) {
      return;
    }
    const alternatives = MachineType.all().filter(m => m.gpus?.accelerator.equals(accelerator) && m.gpus.count === count);
    throw new GkeRuleError(ctx, prop, count,
      `be ${fixed}, the number of ${accelerator} GPUs machine type ${machineType} comes with`,
      `set '${prop}' to ${fixed}${alternatives.length > 0 ? `, or pick ${joinOr(alternatives.map(m => m.name))} for ${plural(count, 'GPU')}` : ''}`);
  }
  const counts = configurations.map(c => c.count);
  const configuration = configurations.find(c => c.count === count);
  if (!configuration) {
    const suggestion = counts.find(c => c >= count) ?? counts[counts.length - 1];
    throw new GkeRuleError(ctx, prop, count,
      `be one of ${counts.join(', ')} for ${accelerator} on machine type ${machineType}`,
      `set '${prop}' to ${suggestion}`);
  }
  const fits = (c: GpuConfiguration) =>
    (c.maxVcpu === undefined || machineType.vcpu <= c.maxVcpu) && (c.maxMemoryGiB === undefined || machineType.memoryGiB <= c.maxMemoryGiB);
  if (fits(configuration)) {
    return;
  }
  const larger = configurations.find(c => c.count > count && fits(c));
  const gpus = `${plural(count, `${accelerator} GPU`)} ${count === 1 ? 'allows' : 'allow'}`;
  const [what, limit, unit] = configuration.maxVcpu !== undefined && machineType.vcpu > configuration.maxVcpu
    ? [`the ${machineType.vcpu} vCPUs`, configuration.maxVcpu, 'vCPUs']
    : [`the ${machineType.memoryGiB} GiB of memory`, configuration.maxMemoryGiB, 'GiB of memory'];
  const smaller = `pick a machine type of series ${machineType.series} with at most ${limit} ${unit}`;
  throw new GkeRuleError(ctx, prop, count,
    `be enough for ${what} of machine type ${machineType} (${gpus} at most ${limit} ${unit})`,
    larger ? `set '${prop}' to ${larger.count}, or ${smaller}` : smaller);
}

/**
 * Which of GKE's per-node system Pods run on a node, for {@link systemPodsReserve}.
 */
export interface NodeReserveOptions {
  /**
   * The node has GPUs, so it also runs the NVIDIA GPU device plugin.
   *
   * @default false
   */
  readonly gpuNode?: boolean;

  /**
   * The cluster runs Workload Identity, so every node also runs the GKE metadata server.
   *
   * @default true (GkeCluster's default)
   */
  readonly workloadIdentity?: boolean;
}

// What GKE's own Pods request on every node of a Standard cluster. They come out of the allocatable resources
// before any workload, so a replica sized to `nodeAllocatable` never schedules.
// - fluentbit-gke 105m / 230Mi and ip-masq-agent 10m / 16Mi: the Pod list of a GKE 1.29 node (`kubectl describe
//   node`, https://github.com/cryptnono/cryptnono/issues/34);
// - the node's proxy, 100m: kube-proxy's request (kubernetes cluster/gce/manifests/kube-proxy.manifest
//   `cpu: {{ cpurequest }}`, 100m from configure-helper.sh start-kube-proxy);
// - on Workload Identity clusters gke-metadata-server 100m / 100Mi (same node listing);
// - on GPU nodes nvidia-gpu-device-plugin 50m / 20Mi (GoogleCloudPlatform/container-engine-accelerators
//   cmd/nvidia_gpu/device-plugin.yaml).
// A lower bound: smaller agents (gke-metrics-agent, pdcsi-node, netd) request a few more millicores.
const SYSTEM_DAEMONSETS: NodeAllocatable = { cpuMillis: 105 + 10 + 100, memoryBytes: (230 + 16) * MiB };
const GKE_METADATA_SERVER: NodeAllocatable = { cpuMillis: 100, memoryBytes: 100 * MiB };
const GPU_DEVICE_PLUGIN: NodeAllocatable = { cpuMillis: 50, memoryBytes: 20 * MiB };

/**
 * CPU and memory that GKE's own per-node Pods request on a node of a Standard cluster: logging (fluentbit-gke),
 * ip-masq-agent and the node's network proxy on every node, the GKE metadata server with Workload Identity, and the
 * NVIDIA GPU device plugin on GPU nodes. A lower bound (smaller agents request a few millicores more).
 *
 * @param options which of the optional system Pods run on the node
 */
export function systemPodsReserve(options: NodeReserveOptions = {}): NodeAllocatable {
  const parts = [
    SYSTEM_DAEMONSETS,
    ...((options.workloadIdentity ?? true) ? [GKE_METADATA_SERVER] : []),
    ...(options.gpuNode ? [GPU_DEVICE_PLUGIN] : []),
  ];
  return {
    cpuMillis: parts.reduce((sum, p) => sum + p.cpuMillis, 0),
    memoryBytes: parts.reduce((sum, p) => sum + p.memoryBytes, 0),
  };
}

/**
 * CPU and memory one node leaves for workloads: {@link nodeAllocatable} minus {@link systemPodsReserve}.
 *
 * @param machineType the node pool's machine type
 * @param options which of the optional system Pods run on the node
 */
export function workloadAllocatable(machineType: MachineType, options: NodeReserveOptions = {}): NodeAllocatable {
  const allocatable = nodeAllocatable(machineType);
  const reserve = systemPodsReserve(options);
  return {
    cpuMillis: Math.max(0, allocatable.cpuMillis - reserve.cpuMillis),
    memoryBytes: Math.max(0, allocatable.memoryBytes - reserve.memoryBytes),
  };
}

/**
 * Checks that one replica of a workload fits on one node: no more GPUs than the node has, and no more
 * CPU or memory than the node leaves for workloads once GKE's reserve and its own per-node Pods are taken
 * (see `workloadAllocatable`).
 *
 * @param ctx who is being validated
 * @param machineType the machine type of the nodes the workload runs on
 * @param request what one replica requests
 * @param gpusPerNode physical GPUs per node; defaults to the GPUs the machine type comes with, or 0.
 *   Pass the node pool's GPU count for N1 machine types, which take attached GPUs.
 * @param options which of GKE's optional per-node Pods run on the node; by default the GPU device plugin when
 *   `gpusPerNode` is above 0, and the GKE metadata server
 * @throws GkeRuleError for the first of GPUs, CPU and memory that does not fit
 */
export function validateWorkloadFitsNode(ctx: RuleContext, machineType: MachineType, request: WorkloadRequest,
  gpusPerNode: number = machineType.gpus?.count ?? 0, options: NodeReserveOptions = { gpuNode: gpusPerNode > 0 }): void {
  if (request.gpus !== undefined && request.gpus > gpusPerNode) {
    throw new GkeRuleError(ctx, propName(ctx, 'gpus'), request.gpus,
      `be at most ${gpusPerNode}, the GPUs on one ${machineType} node`,
      gpusPerNode === 0
        ? 'run the workload on a GPU node pool'
        : `request at most ${gpusPerNode}, or use a node pool with ${request.gpus} or more GPUs per node`);
  }
  const allocatable = nodeAllocatable(machineType);
  const reserve = systemPodsReserve(options);
  const free = workloadAllocatable(machineType, options);
  if (request.cpuMillis !== undefined && request.cpuMillis > free.cpuMillis) {
    throw new GkeRuleError(ctx, propName(ctx, 'cpu'), `${request.cpuMillis}m`,
      `fit in the ${free.cpuMillis}m one ${machineType} node leaves for workloads (${plural(machineType.vcpu, 'vCPU')} minus GKE's reserve `
        + `is ${allocatable.cpuMillis}m allocatable, minus ${reserve.cpuMillis}m requested by GKE's system Pods on every node)`,
      `request at most ${free.cpuMillis}m, or pick a machine type with more vCPUs`);
  }
  if (request.memoryBytes !== undefined && request.memoryBytes > free.memoryBytes) {
    const mib = (bytes: number) => `${Math.floor(bytes / MiB)}Mi`;
    throw new GkeRuleError(ctx, propName(ctx, 'memory'), formatBytes(request.memoryBytes),
      `fit in the ${mib(free.memoryBytes)} one ${machineType} node leaves for workloads (${machineType.memoryGiB} GiB minus GKE's reserve `
        + `and eviction threshold is ${mib(allocatable.memoryBytes)} allocatable, minus ${mib(reserve.memoryBytes)} requested by GKE's system Pods on every node)`,
      `request at most ${mib(free.memoryBytes)}, or pick a machine type with more memory`);
  }
}

/**
 * Replicas of one request that fit on one node: the fewest of GPU units, CPU and memory the node leaves for
 * workloads (see `workloadAllocatable`), divided by what a replica asks. `Infinity` when it asks for none of them.
 *
 * @param machineType the machine type of the nodes
 * @param request what one replica requests
 * @param gpuUnitsPerNode `nvidia.com/gpu` units one node offers
 * @param options which of GKE's optional per-node Pods run on the node
 */
export function replicasPerNode(
  machineType: MachineType, request: WorkloadRequest, gpuUnitsPerNode: number, options: NodeReserveOptions = {},
): number {
  const free = workloadAllocatable(machineType, options);
  const fits = (have: number, ask: number | undefined) => (ask === undefined || ask <= 0 ? Infinity : Math.floor(have / ask));
  return Math.min(fits(gpuUnitsPerNode, request.gpus), fits(free.cpuMillis, request.cpuMillis), fits(free.memoryBytes, request.memoryBytes));
}

/**
 * The rolling update a Deployment of `maxReplicas` can complete on a pool that holds `perNode × maxNodes` replicas.
 *
 * Kubernetes' rolling update creates up to `maxSurge` new Pods above the replica count and removes old Pods only while
 * `replicas - maxUnavailable` stay available (pkg/controller/deployment/rolling.go: reconcileNewReplicaSet with
 * deploymentutil.NewRSNewReplicas, reconcileOldReplicaSets). With `maxSurge 1 / maxUnavailable 0` on a full pool the
 * surge Pod stays Pending and no old Pod is ever removed: the rollout stalls until its progress deadline. So:
 * - room for one more replica: `maxSurge 1 / maxUnavailable 0` (no capacity lost during a rollout);
 * - exactly full: `maxSurge 0 / maxUnavailable 1` (an old Pod goes first, its replacement takes its place);
 * - more replicas than the pool holds: refused, they would never schedule.
 *
 * @param ctx who is being validated (`propNames.replicas` names the replica bound)
 * @param pool the pool's name, for the message
 * @param machineType the pool's machine type, for the message
 * @param perNode replicas that fit on one node (`replicasPerNode`)
 * @param maxNodes most nodes the pool can have, across its zones
 * @param maxReplicas the most replicas the workload runs (its replica count, or its autoscaler's maximum)
 * @throws GkeRuleError if `maxReplicas` exceeds what the pool holds
 */
export function planRollout(
  ctx: RuleContext, pool: string, machineType: MachineType, perNode: number, maxNodes: number, maxReplicas: number,
): RolloutBudget {
  const capacity = perNode * maxNodes;
  if (maxReplicas > capacity) {
    throw new GkeRuleError(ctx, propName(ctx, 'replicas'), maxReplicas,
      `be at most ${capacity}, the replicas node pool '${pool}' can hold (${perNode} per ${machineType} node × ${plural(maxNodes, 'node')} at most)`,
      `lower it to ${capacity}, or raise the pool's maxNodes to ${Math.ceil(maxReplicas / perNode)}`);
  }
  return maxReplicas + 1 > capacity ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: 1, maxUnavailable: 0 };
}

/**
 * Checks that a replica asks for more than one GPU only when it says it uses them.
 *
 * TensorFlow places every op that has a GPU kernel on the first visible GPU (`/device:GPU:0`) unless the graph pins
 * it to another device; a SavedModel without such annotations leaves GPU:1 and above idle while the node's
 * `nvidia.com/gpu` units stay allocated (tensorflow/docs site/en/guide/gpu.ipynb, "Overview" and "Using multiple
 * GPUs": the GPU with the lowest ID is selected by default).
 *
 * @param ctx who is being validated
 * @param gpus GPUs one replica requests
 * @param multiGpu the workload places ops across GPUs itself
 * @throws GkeRuleError if `gpus` is above 1 without `multiGpu`
 */
export function validateGpusPerReplica(ctx: RuleContext, gpus: number, multiGpu: boolean = false): void {
  if (gpus <= 1 || multiGpu) {
    return;
  }
  throw new GkeRuleError(ctx, propName(ctx, 'gpus'), gpus,
    'be 1 unless the model places its ops across GPUs: TensorFlow runs every op of a SavedModel without device annotations on GPU:0, '
      + `and the other ${gpus - 1} stay idle`,
    'request 1 GPU and scale out with replicas, or set multiGpu: true if the SavedModel pins ops to /device:GPU:1 and above');
}

/**
 * Checks that a container asks for at most one GPU on a node pool that shares its GPUs.
 *
 * With time-sharing or MPS, GKE rejects a container that requests more than one `nvidia.com/gpu`
 * ("at most 1 nvidia.com/gpu can be requested on GPU nodes").
 *
 * @param ctx who is being validated
 * @param sharing the node pool's GPU sharing strategy; `undefined` when it does not share GPUs
 * @param gpus GPUs the container requests
 * @throws GkeRuleError if the pool shares GPUs and the container asks for more than one
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/timesharing-gpus#limitations
 */
export function validateSharedGpuRequest(ctx: RuleContext, sharing: GpuSharingStrategy | undefined, gpus: number): void {
  if (sharing === undefined || gpus <= 1) {
    return;
  }
  throw new GkeRuleError(ctx, propName(ctx, 'gpus'), gpus,
    `be at most 1 on a node pool with GPU sharing strategy ${sharing}, because GKE gives each container at most one shared GPU`,
    'request 1 GPU, or run the workload on a node pool without GPU sharing');
}

/**
 * Checks a multi-instance GPU partition size against the accelerator.
 *
 * @param ctx who is being validated
 * @param accelerator the node pool's GPU model
 * @param size the partition size, e.g. `1g.5gb`
 * @throws GkeRuleError if the accelerator does not support multi-instance GPUs or not that size
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-multi
 */
export function validateMigPartitionSize(ctx: RuleContext, accelerator: Accelerator, size: string): void {
  const prop = propName(ctx, 'gpuPartitionSize');
  if (!accelerator.supportsMig) {
    const capable = Accelerator.all().filter(a => a.supportsMig).map(a => a.type);
    throw new GkeRuleError(ctx, prop, size,
      `be unset for ${accelerator}, which does not support multi-instance GPUs`,
      `remove '${prop}', or use an accelerator that does (${capable.join(', ')})`);
  }
  if (accelerator.migPartitionSizes.includes(size)) {
    return;
  }
  const others = Accelerator.all().filter(a => !a.equals(accelerator) && a.migPartitionSizes.includes(size)).map(a => a.type);
  throw new GkeRuleError(ctx, prop, size,
    `be one of ${accelerator.migPartitionSizes.join(', ')} for ${accelerator}`,
    others.length > 0 ? `pick one of those, or use ${joinOr(others)}, which ${others.length === 1 ? 'accepts' : 'accept'} ${size}`
      : 'pick one of those sizes');
}

/**
 * Checks a node pool's autoscaling range: both bounds non-negative integers, and `minNodes <= maxNodes`.
 *
 * @param ctx who is being validated
 * @param minNodes fewest nodes
 * @param maxNodes most nodes
 * @throws GkeRuleError if a bound is not a non-negative integer or `minNodes > maxNodes`
 * @see https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools#nodepoolautoscaling
 */
export function validateNodeCountRange(ctx: RuleContext, minNodes: number, maxNodes: number): void {
  const min = propName(ctx, 'minNodes');
  const max = propName(ctx, 'maxNodes');
  if (!(Number.isInteger(minNodes) && minNodes >= 0)) {
    throw new GkeRuleError(ctx, min, minNodes, 'be a non-negative integer', 'set it to 0 to let the pool scale to zero, or to a positive count');
  }
  if (!(Number.isInteger(maxNodes) && maxNodes >= 0)) {
    throw new GkeRuleError(ctx, max, maxNodes, 'be a non-negative integer', 'set it to the most nodes the pool may grow to');
  }
  if (minNodes > maxNodes) {
    throw new GkeRuleError(ctx, min, minNodes, `be at most '${max}' (${maxNodes})`, `lower '${min}' or raise '${max}'`);
  }
}

/**
 * Checks the number of containers that may share one GPU: an integer from 2 to 48, for time-sharing and MPS.
 *
 * @param ctx who is being validated
 * @param sharing the node pool's GPU sharing strategy
 * @param maxSharedClientsPerGpu containers per physical GPU
 * @throws GkeRuleError if the value is outside 2..48 or not an integer
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/timesharing-gpus
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/nvidia-mps-gpus
 */
export function validateMaxSharedClientsPerGpu(ctx: RuleContext, sharing: GpuSharingStrategy, maxSharedClientsPerGpu: number): void {
  const low = GpuSharingStrategy.MIN_SHARED_CLIENTS_PER_GPU;
  const high = GpuSharingStrategy.MAX_SHARED_CLIENTS_PER_GPU;
  if (Number.isInteger(maxSharedClientsPerGpu) && maxSharedClientsPerGpu >= low && maxSharedClientsPerGpu <= high) {
    return;
  }
  const suggestion = Number.isFinite(maxSharedClientsPerGpu) ? Math.min(high, Math.max(low, Math.round(maxSharedClientsPerGpu))) : low;
  throw new GkeRuleError(ctx, propName(ctx, 'maxSharedClientsPerGpu'), maxSharedClientsPerGpu,
    `be an integer from ${low} to ${high} for GPU sharing strategy ${sharing}`, `set it to ${suggestion}`);
}

function propName(ctx: RuleContext, key: keyof PropNames): string {
  return ctx.propNames?.[key] ?? DEFAULT_PROP_NAMES[key];
}

// sum of fraction × the part of `amount` inside each tier.
function tiered(amount: number, tiers: ReadonlyArray<readonly [number, number]>): number {
  let total = 0;
  let lower = 0;
  for (const [upper, fraction] of tiers) {
    if (amount <= lower) {
      break;
    }
    total += (Math.min(amount, upper) - lower) * fraction;
    lower = upper;
  }
  return total;
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Gi', GiB], ['Mi', MiB], ['Ki', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) {
      return `${bytes / size}${unit}`;
    }
  }
  return `${bytes}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
