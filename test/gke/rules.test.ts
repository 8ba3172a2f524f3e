import { RuleContext } from '../../lib/core';
import {
  Accelerator,
  GkeRuleError,
  GpuSharingStrategy,
  MachineType,
  nodeAllocatable,
  planRollout,
  replicasPerNode,

  validateAccelerator,
  validateGpuCount,
  validateGpusPerReplica,
  validateMaxSharedClientsPerGpu,
  validateMigPartitionSize,
  validateNodeCountRange,
  validateSharedGpuRequest,
  validateWorkloadFitsNode,
  systemPodsReserve,
  workloadAllocatable,
} from '../../lib/gke';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const pool: RuleContext = { construct: 'GpuNodePool', id: 'l4' };
const model: RuleContext = { construct: 'TfServingModel', id: 'resnet' };
const m = (name: string) => MachineType.of(name);

describe('nodeAllocatable', () => {
  test.each([
    // machine type, allocatable millicores: 1000 × vCPUs minus 6% of core 1, 1% of core 2, 0.5% of cores 3–4, 0.25% above
    ['n1-standard-1', 940],
    ['e2-standard-2', 1930],
    ['n1-standard-4', 3920],
    ['g2-standard-8', 7910],
    ['n1-standard-96', 95690],
    ['a3-ultragpu-8g', 223370],
  ])('%s: %i allocatable millicores', (name, cpuMillis) => {
    expect(nodeAllocatable(m(name)).cpuMillis).toBe(cpuMillis);
  });

  test('memory below 4 GiB: 25% reserved plus the 100 MiB eviction threshold', () => {
    // 3.75 GiB − 0.9375 GiB − 100 MiB = 2780 MiB
    expect(nodeAllocatable(m('n1-standard-1')).memoryBytes).toBe(2780 * MiB);
  });

  test('memory of 32 GiB: 25% of 4, 20% of 4, 10% of 8 and 6% of 16 GiB reserved', () => {
    // 32 GiB − (1 + 0.8 + 0.8 + 0.96) GiB − 100 MiB = 29022.56 MiB
    const { memoryBytes } = nodeAllocatable(m('g2-standard-8'));
    expect(Math.floor(memoryBytes / MiB)).toBe(29022);
    expect(memoryBytes).toBeCloseTo(32 * GiB - 3.56 * GiB - 100 * MiB, -1);
  });

  test('memory above 128 GiB: 2% of the memory above 128 GiB reserved', () => {
    // 2952 GiB − (1 + 0.8 + 0.8 + 6.72 + 56.48) GiB − 100 MiB = 2955368.8 MiB
    expect(Math.floor(nodeAllocatable(m('a3-ultragpu-8g')).memoryBytes / MiB)).toBe(2955368);
  });

  test('memory below 1 GiB: 255 MiB reserved', () => {
    // 614.4 MiB − 255 MiB − 100 MiB = 259.4 MiB
    const micro = MachineType.of('f1-micro', { vcpu: 1, memoryGiB: 0.6 });
    expect(Math.floor(nodeAllocatable(micro).memoryBytes / MiB)).toBe(259);
  });
});

describe('validateAccelerator', () => {
  test.each([
    ['g2-standard-8', Accelerator.NVIDIA_L4],
    ['a2-highgpu-1g', Accelerator.NVIDIA_A100_40GB],
    ['a2-megagpu-16g', Accelerator.NVIDIA_A100_40GB],
    ['a2-ultragpu-1g', Accelerator.NVIDIA_A100_80GB],
    ['a3-highgpu-8g', Accelerator.NVIDIA_H100_80GB],
    ['a3-megagpu-8g', Accelerator.NVIDIA_H100_MEGA_80GB],
    ['a3-ultragpu-8g', Accelerator.NVIDIA_H200_141GB],
    ['n1-standard-8', Accelerator.NVIDIA_T4],
    ['n1-highmem-8', Accelerator.NVIDIA_TESLA_V100],
    ['n1-highcpu-16', Accelerator.NVIDIA_TESLA_P100],
    ['n1-standard-4', Accelerator.NVIDIA_TESLA_P4],
  ])('%s takes %s', (name, accelerator) => {
    expect(() => validateAccelerator(pool, m(name), accelerator)).not.toThrow();
  });

  test.each([
    ['g2-standard-8', Accelerator.NVIDIA_T4],
    ['a2-highgpu-1g', Accelerator.NVIDIA_A100_80GB],
    ['a2-megagpu-16g', Accelerator.NVIDIA_A100_80GB],
    ['a2-ultragpu-1g', Accelerator.NVIDIA_A100_40GB],
    ['a3-highgpu-8g', Accelerator.NVIDIA_H100_MEGA_80GB],
    ['a3-megagpu-8g', Accelerator.NVIDIA_H100_80GB],
    ['a3-ultragpu-8g', Accelerator.NVIDIA_H100_80GB],
    ['n1-standard-8', Accelerator.NVIDIA_L4],
    ['n2-standard-8', Accelerator.NVIDIA_T4],
    ['c3-standard-8', Accelerator.NVIDIA_L4],
  ])('%s does not take %s', (name, accelerator) => {
    expect(() => validateAccelerator(pool, m(name), accelerator)).toThrow(GkeRuleError);
  });

  test('throws when an accelerator-optimized machine type comes with another GPU', () => {
    expect(() => validateAccelerator(pool, m('g2-standard-8'), Accelerator.NVIDIA_T4)).toThrow(new Error(
      "GpuNodePool 'l4': 'accelerator' (\"nvidia-tesla-t4\") must be a GPU that machine type g2-standard-8 takes (nvidia-l4). "
      + "Fix: set 'accelerator' to nvidia-l4, or pick a machine type of family n1-standard, n1-highmem, n1-highcpu or n1-custom for nvidia-tesla-t4"));
  });

  test('throws when the machine type takes no GPUs', () => {
    expect(() => validateAccelerator(pool, m('e2-standard-8'), Accelerator.NVIDIA_L4)).toThrow(new Error(
      "GpuNodePool 'l4': 'accelerator' (\"nvidia-l4\") must be a GPU that machine type e2-standard-8 takes (none). "
      + 'Fix: pick a machine type of family g2-standard for nvidia-l4'));
  });

  test('throws when A2 Standard is given the 80GB A100 of A2 Ultra', () => {
    expect(() => validateAccelerator(pool, m('a2-highgpu-1g'), Accelerator.NVIDIA_A100_80GB)).toThrow(new Error(
      "GpuNodePool 'l4': 'accelerator' (\"nvidia-a100-80gb\") must be a GPU that machine type a2-highgpu-1g takes (nvidia-tesla-a100). "
      + "Fix: set 'accelerator' to nvidia-tesla-a100, or pick a machine type of family a2-ultragpu for nvidia-a100-80gb"));
  });

  test('throws for an accelerator the catalog does not know on N1', () => {
    expect(() => validateAccelerator(pool, m('n1-standard-8'), Accelerator.of('nvidia-b200'))).toThrow(new Error(
      "GpuNodePool 'l4': 'accelerator' (\"nvidia-b200\") must be a GPU that machine type n1-standard-8 takes "
      + '(nvidia-tesla-t4, nvidia-tesla-v100, nvidia-tesla-p100, nvidia-tesla-p4). '
      + "Fix: set 'accelerator' to one of those, or describe a machine type that comes with nvidia-b200: MachineType.of(name, { vcpu, memoryGiB, gpus })"));
  });
});

describe('validateGpuCount', () => {
  test.each([
    ['g2-standard-8', Accelerator.NVIDIA_L4, 1],
    ['g2-standard-24', Accelerator.NVIDIA_L4, 2],
    ['a2-megagpu-16g', Accelerator.NVIDIA_A100_40GB, 16],
    ['a3-ultragpu-8g', Accelerator.NVIDIA_H200_141GB, 8],
    ['n1-standard-8', Accelerator.NVIDIA_T4, 1],
    ['n1-standard-96', Accelerator.NVIDIA_T4, 4],
    ['n1-standard-8', Accelerator.NVIDIA_TESLA_V100, 1],
    ['n1-standard-96', Accelerator.NVIDIA_TESLA_V100, 8],
    ['n1-highcpu-64', Accelerator.NVIDIA_TESLA_P100, 4],
    ['n1-standard-16', Accelerator.NVIDIA_TESLA_P100, 1],
    ['n1-standard-16', Accelerator.NVIDIA_TESLA_P4, 1],
  ])('%s takes %s × %i', (name, accelerator, count) => {
    expect(() => validateGpuCount(pool, m(name), accelerator, count)).not.toThrow();
  });

  test('throws for a count that is not a positive integer', () => {
    expect(() => validateGpuCount(pool, m('g2-standard-8'), Accelerator.NVIDIA_L4, 0)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (0) must be a positive integer. Fix: set it to the number of GPUs per node, e.g. 1"));
  });

  test('throws when the count differs from the fixed count of an accelerator-optimized machine type', () => {
    expect(() => validateGpuCount(pool, m('g2-standard-8'), Accelerator.NVIDIA_L4, 2)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (2) must be 1, the number of nvidia-l4 GPUs machine type g2-standard-8 comes with. "
      + "Fix: set 'gpuCount' to 1, or pick g2-standard-24 for 2 GPUs"));
  });

  test('suggests every machine type with the requested count', () => {
    expect(() => validateGpuCount(pool, m('a2-highgpu-8g'), Accelerator.NVIDIA_A100_40GB, 16)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (16) must be 8, the number of nvidia-tesla-a100 GPUs machine type a2-highgpu-8g comes with. "
      + "Fix: set 'gpuCount' to 8, or pick a2-megagpu-16g for 16 GPUs"));
  });

  test('throws without an alternative when no machine type has the requested count', () => {
    expect(() => validateGpuCount(pool, m('g2-standard-8'), Accelerator.NVIDIA_L4, 3)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (3) must be 1, the number of nvidia-l4 GPUs machine type g2-standard-8 comes with. "
      + "Fix: set 'gpuCount' to 1"));
  });

  test('throws for a count N1 does not allow, suggesting the next allowed count', () => {
    expect(() => validateGpuCount(pool, m('n1-standard-8'), Accelerator.NVIDIA_T4, 3)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (3) must be one of 1, 2, 4 for nvidia-tesla-t4 on machine type n1-standard-8. Fix: set 'gpuCount' to 4"));
  });

  test('throws for a count above the N1 maximum, suggesting the maximum', () => {
    expect(() => validateGpuCount(pool, m('n1-standard-8'), Accelerator.NVIDIA_T4, 8)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (8) must be one of 1, 2, 4 for nvidia-tesla-t4 on machine type n1-standard-8. Fix: set 'gpuCount' to 4"));
  });

  test('throws when the N1 machine has more vCPUs than the GPU count allows', () => {
    // 1 V100 allows at most 12 vCPUs; 4 V100s allow 48
    expect(() => validateGpuCount(pool, m('n1-standard-32'), Accelerator.NVIDIA_TESLA_V100, 1)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (1) must be enough for the 32 vCPUs of machine type n1-standard-32 "
      + '(1 nvidia-tesla-v100 GPU allows at most 12 vCPUs). '
      + "Fix: set 'gpuCount' to 4, or pick a machine type of series n1 with at most 12 vCPUs"));
  });

  test('throws when no GPU count allows that many vCPUs', () => {
    // P100 stops at 4 GPUs and 64 vCPUs (96 only in some zones)
    expect(() => validateGpuCount(pool, m('n1-standard-96'), Accelerator.NVIDIA_TESLA_P100, 4)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (4) must be enough for the 96 vCPUs of machine type n1-standard-96 "
      + '(4 nvidia-tesla-p100 GPUs allow at most 64 vCPUs). '
      + 'Fix: pick a machine type of series n1 with at most 64 vCPUs'));
  });

  test('throws when the N1 machine has more memory than the GPU count allows', () => {
    // 2 V100s allow 24 vCPUs and 156 GB; an extended-memory custom machine can exceed the memory
    expect(() => validateGpuCount(pool, m('n1-custom-24-204800-ext'), Accelerator.NVIDIA_TESLA_V100, 2)).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuCount' (2) must be enough for the 200 GiB of memory of machine type n1-custom-24-204800-ext "
      + '(2 nvidia-tesla-v100 GPUs allow at most 156 GiB of memory). '
      + "Fix: set 'gpuCount' to 4, or pick a machine type of series n1 with at most 156 GiB of memory"));
  });

  test('checks the accelerator first', () => {
    expect(() => validateGpuCount(pool, m('e2-standard-8'), Accelerator.NVIDIA_L4, 1)).toThrow(new Error(
      "GpuNodePool 'l4': 'accelerator' (\"nvidia-l4\") must be a GPU that machine type e2-standard-8 takes (none). "
      + 'Fix: pick a machine type of family g2-standard for nvidia-l4'));
  });
});

describe('validateWorkloadFitsNode', () => {
  test('passes for a request that fits exactly', () => {
    expect(() => validateWorkloadFitsNode(model, m('g2-standard-8'), { gpus: 1, cpuMillis: 7545, memoryBytes: 28656 * MiB })).not.toThrow();
    expect(() => validateWorkloadFitsNode(model, m('n1-standard-1'), { memoryBytes: 2434 * MiB })).not.toThrow();
    expect(() => validateWorkloadFitsNode(model, m('e2-standard-8'), {})).not.toThrow();
  });

  test('passes on N1 when the node pool attaches enough GPUs', () => {
    expect(() => validateWorkloadFitsNode(model, m('n1-standard-16'), { gpus: 2 }, 2)).not.toThrow();
  });

  test('throws for more GPUs than the node has', () => {
    expect(() => validateWorkloadFitsNode(model, m('g2-standard-8'), { gpus: 2 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be at most 1, the GPUs on one g2-standard-8 node. "
      + 'Fix: request at most 1, or use a node pool with 2 or more GPUs per node'));
  });

  test('throws for more GPUs than an N1 node pool attaches', () => {
    expect(() => validateWorkloadFitsNode(model, m('n1-standard-16'), { gpus: 4 }, 2)).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (4) must be at most 2, the GPUs on one n1-standard-16 node. "
      + 'Fix: request at most 2, or use a node pool with 4 or more GPUs per node'));
  });

  test('throws for a GPU on a node without GPUs', () => {
    expect(() => validateWorkloadFitsNode(model, m('e2-standard-8'), { gpus: 1 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (1) must be at most 0, the GPUs on one e2-standard-8 node. Fix: run the workload on a GPU node pool"));
  });

  test("throws for a 7.9-CPU request on g2-standard-8: allocatable 7910m, but GKE's own Pods take 365m of it (issue 10 item 11)", () => {
    expect(() => validateWorkloadFitsNode(model, m('g2-standard-8'), { cpuMillis: 7900 })).toThrow(new Error(
      "TfServingModel 'resnet': 'cpu' (\"7900m\") must fit in the 7545m one g2-standard-8 node leaves for workloads (8 vCPUs minus GKE's reserve "
      + "is 7910m allocatable, minus 365m requested by GKE's system Pods on every node). "
      + 'Fix: request at most 7545m, or pick a machine type with more vCPUs'));
  });

  test('the reserve: system DaemonSets on every node, the metadata server with Workload Identity, the device plugin on GPU nodes', () => {
    expect(systemPodsReserve({ workloadIdentity: false })).toEqual({ cpuMillis: 215, memoryBytes: 246 * MiB });
    expect(systemPodsReserve()).toEqual({ cpuMillis: 315, memoryBytes: 346 * MiB });
    expect(systemPodsReserve({ gpuNode: true })).toEqual({ cpuMillis: 365, memoryBytes: 366 * MiB });
    const free = workloadAllocatable(m('g2-standard-8'), { gpuNode: true, workloadIdentity: false });
    expect([free.cpuMillis, Math.floor(free.memoryBytes / MiB)]).toEqual([7910 - 265, 29022 - 266]);
    // a CPU node of a cluster without Workload Identity leaves 7910 - 215 m on an 8-vCPU machine
    expect(() => validateWorkloadFitsNode(model, m('e2-standard-8'), { cpuMillis: 7695 }, 0, { workloadIdentity: false })).not.toThrow();
    expect(() => validateWorkloadFitsNode(model, m('e2-standard-8'), { cpuMillis: 7696 }, 0, { workloadIdentity: false })).toThrow(
      "'cpu' (\"7696m\") must fit in the 7695m one e2-standard-8 node leaves for workloads");
  });

  test('throws for more memory than the node can allocate', () => {
    expect(() => validateWorkloadFitsNode(model, m('g2-standard-8'), { memoryBytes: 32 * GiB })).toThrow(new Error(
      "TfServingModel 'resnet': 'memory' (\"32Gi\") must fit in the 28656Mi one g2-standard-8 node leaves for workloads "
      + "(32 GiB minus GKE's reserve and eviction threshold is 29022Mi allocatable, minus 366Mi requested by GKE's system Pods on every node). "
      + 'Fix: request at most 28656Mi, or pick a machine type with more memory'));
  });

  test('throws one MiB above the memory a node leaves for workloads', () => {
    expect(() => validateWorkloadFitsNode(model, m('n1-standard-1'), { memoryBytes: 2435 * MiB })).toThrow(new Error(
      "TfServingModel 'resnet': 'memory' (\"2435Mi\") must fit in the 2434Mi one n1-standard-1 node leaves for workloads "
      + "(3.75 GiB minus GKE's reserve and eviction threshold is 2780Mi allocatable, minus 346Mi requested by GKE's system Pods on every node). "
      + 'Fix: request at most 2434Mi, or pick a machine type with more memory'));
  });

  test('messages use the caller\'s prop names', () => {
    const ctx: RuleContext = { ...model, propNames: { gpus: 'resources.gpu', cpu: 'resources.cpu' } };
    expect(() => validateWorkloadFitsNode(ctx, m('e2-standard-2'), { cpuMillis: 2000 })).toThrow(new Error(
      "TfServingModel 'resnet': 'resources.cpu' (\"2000m\") must fit in the 1615m one e2-standard-2 node leaves for workloads (2 vCPUs minus GKE's reserve "
      + "is 1930m allocatable, minus 315m requested by GKE's system Pods on every node). "
      + 'Fix: request at most 1615m, or pick a machine type with more vCPUs'));
  });
});

describe('replicasPerNode and planRollout', () => {
  test('the scarcest of GPU units, CPU and memory decides; a request of nothing fits without bound', () => {
    expect(replicasPerNode(m('g2-standard-48'), { gpus: 1, cpuMillis: 1000 }, 4, { gpuNode: true })).toBe(4);
    expect(replicasPerNode(m('g2-standard-48'), { gpus: 1, cpuMillis: 20000 }, 4, { gpuNode: true })).toBe(2);
    expect(replicasPerNode(m('e2-standard-4'), {}, 0)).toBe(Infinity);
  });

  test('room for a surge, full, and over capacity', () => {
    expect(planRollout(model, 'l4', m('g2-standard-8'), 1, 4, 3)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(planRollout(model, 'l4', m('g2-standard-8'), 1, 4, 4)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(planRollout(model, 'cpu', m('e2-standard-4'), Infinity, 3, 100)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(() => planRollout(model, 'l4', m('g2-standard-8'), 2, 1, 3)).toThrow(new Error(
      "TfServingModel 'resnet': 'replicas' (3) must be at most 2, the replicas node pool 'l4' can hold (2 per g2-standard-8 node × 1 node at most). "
      + "Fix: lower it to 2, or raise the pool's maxNodes to 2"));
  });
});

describe('validateGpusPerReplica', () => {
  test('one GPU, or several with multiGpu, passes', () => {
    expect(() => validateGpusPerReplica(model, 0)).not.toThrow();
    expect(() => validateGpusPerReplica(model, 1)).not.toThrow();
    expect(() => validateGpusPerReplica(model, 8, true)).not.toThrow();
  });

  test('several GPUs without multiGpu throw, with the caller\'s prop name', () => {
    expect(() => validateGpusPerReplica({ ...model, propNames: { gpus: 'resources.gpu' } }, 4)).toThrow(new Error(
      "TfServingModel 'resnet': 'resources.gpu' (4) must be 1 unless the model places its ops across GPUs: TensorFlow runs every op of a SavedModel "
      + 'without device annotations on GPU:0, and the other 3 stay idle. '
      + 'Fix: request 1 GPU and scale out with replicas, or set multiGpu: true if the SavedModel pins ops to /device:GPU:1 and above'));
  });
});

describe('validateSharedGpuRequest', () => {
  test('passes for one GPU on a shared pool and for several GPUs on an unshared pool', () => {
    expect(() => validateSharedGpuRequest(model, GpuSharingStrategy.TIME_SHARING, 1)).not.toThrow();
    expect(() => validateSharedGpuRequest(model, GpuSharingStrategy.MPS, 1)).not.toThrow();
    expect(() => validateSharedGpuRequest(model, undefined, 4)).not.toThrow();
  });

  test('throws for more than one GPU on a time-shared pool', () => {
    expect(() => validateSharedGpuRequest(model, GpuSharingStrategy.TIME_SHARING, 2)).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be at most 1 on a node pool with GPU sharing strategy time-sharing, "
      + 'because GKE gives each container at most one shared GPU. Fix: request 1 GPU, or run the workload on a node pool without GPU sharing'));
  });

  test('throws for more than one GPU on an MPS pool', () => {
    expect(() => validateSharedGpuRequest(model, GpuSharingStrategy.MPS, 3)).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (3) must be at most 1 on a node pool with GPU sharing strategy mps, "
      + 'because GKE gives each container at most one shared GPU. Fix: request 1 GPU, or run the workload on a node pool without GPU sharing'));
  });
});

describe('validateMigPartitionSize', () => {
  test.each(Accelerator.all().flatMap(a => a.migPartitionSizes.map(size => [a, size] as const)))(
    '%s accepts %s', (accelerator, size) => {
      expect(() => validateMigPartitionSize(pool, accelerator, size)).not.toThrow();
    });

  test('throws for an accelerator without multi-instance GPUs', () => {
    expect(() => validateMigPartitionSize(pool, Accelerator.NVIDIA_L4, '1g.5gb')).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuPartitionSize' (\"1g.5gb\") must be unset for nvidia-l4, which does not support multi-instance GPUs. "
      + "Fix: remove 'gpuPartitionSize', or use an accelerator that does "
      + '(nvidia-tesla-a100, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h100-mega-80gb, nvidia-h200-141gb)'));
  });

  test('throws for a size of another accelerator, naming the accelerators that accept it', () => {
    expect(() => validateMigPartitionSize(pool, Accelerator.NVIDIA_A100_40GB, '1g.10gb')).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuPartitionSize' (\"1g.10gb\") must be one of 1g.5gb, 2g.10gb, 3g.20gb, 7g.40gb for nvidia-tesla-a100. "
      + 'Fix: pick one of those, or use nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h100-mega-80gb, which accept 1g.10gb'));
  });

  test('throws for a size only one other accelerator accepts', () => {
    expect(() => validateMigPartitionSize(pool, Accelerator.NVIDIA_H100_80GB, '1g.18gb')).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuPartitionSize' (\"1g.18gb\") must be one of 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 7g.80gb for nvidia-h100-80gb. "
      + 'Fix: pick one of those, or use nvidia-h200-141gb, which accepts 1g.18gb'));
  });

  test('throws for a size no accelerator accepts', () => {
    expect(() => validateMigPartitionSize(pool, Accelerator.NVIDIA_A100_80GB, '4g.20gb')).toThrow(new Error(
      "GpuNodePool 'l4': 'gpuPartitionSize' (\"4g.20gb\") must be one of 1g.10gb, 2g.20gb, 3g.40gb, 7g.80gb for nvidia-a100-80gb. "
      + 'Fix: pick one of those sizes'));
  });
});

describe('validateNodeCountRange', () => {
  test.each([[0, 4], [3, 3], [0, 0]])('passes for %i..%i', (min, max) => {
    expect(() => validateNodeCountRange(pool, min, max)).not.toThrow();
  });

  test('throws when minNodes > maxNodes', () => {
    expect(() => validateNodeCountRange(pool, 5, 4)).toThrow(new Error(
      "GpuNodePool 'l4': 'minNodes' (5) must be at most 'maxNodes' (4). Fix: lower 'minNodes' or raise 'maxNodes'"));
  });

  test('throws for a negative minNodes', () => {
    expect(() => validateNodeCountRange(pool, -1, 4)).toThrow(new Error(
      "GpuNodePool 'l4': 'minNodes' (-1) must be a non-negative integer. Fix: set it to 0 to let the pool scale to zero, or to a positive count"));
  });

  test('throws for a fractional maxNodes', () => {
    expect(() => validateNodeCountRange(pool, 0, 1.5)).toThrow(new Error(
      "GpuNodePool 'l4': 'maxNodes' (1.5) must be a non-negative integer. Fix: set it to the most nodes the pool may grow to"));
  });

  test('messages use the caller\'s prop names', () => {
    const ctx: RuleContext = { ...pool, propNames: { minNodes: 'autoscaling.min', maxNodes: 'autoscaling.max' } };
    expect(() => validateNodeCountRange(ctx, 2, 1)).toThrow(new Error(
      "GpuNodePool 'l4': 'autoscaling.min' (2) must be at most 'autoscaling.max' (1). Fix: lower 'autoscaling.min' or raise 'autoscaling.max'"));
  });
});

describe('validateMaxSharedClientsPerGpu', () => {
  test.each([
    [GpuSharingStrategy.TIME_SHARING, 2], [GpuSharingStrategy.TIME_SHARING, 48],
    [GpuSharingStrategy.MPS, 2], [GpuSharingStrategy.MPS, 48],
  ])('%s accepts %i', (sharing, clients) => {
    expect(() => validateMaxSharedClientsPerGpu(pool, sharing, clients)).not.toThrow();
  });

  test('throws above 48 for time-sharing', () => {
    expect(() => validateMaxSharedClientsPerGpu(pool, GpuSharingStrategy.TIME_SHARING, 64)).toThrow(new Error(
      "GpuNodePool 'l4': 'maxSharedClientsPerGpu' (64) must be an integer from 2 to 48 for GPU sharing strategy time-sharing. Fix: set it to 48"));
  });

  test('throws below 2 for MPS', () => {
    expect(() => validateMaxSharedClientsPerGpu(pool, GpuSharingStrategy.MPS, 1)).toThrow(new Error(
      "GpuNodePool 'l4': 'maxSharedClientsPerGpu' (1) must be an integer from 2 to 48 for GPU sharing strategy mps. Fix: set it to 2"));
  });

  test('throws for a fractional value, suggesting the nearest integer', () => {
    expect(() => validateMaxSharedClientsPerGpu(pool, GpuSharingStrategy.MPS, 3.4)).toThrow(new Error(
      "GpuNodePool 'l4': 'maxSharedClientsPerGpu' (3.4) must be an integer from 2 to 48 for GPU sharing strategy mps. Fix: set it to 3"));
  });
});
