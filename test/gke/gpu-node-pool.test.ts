import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Accelerator, GkeRuleError, GpuSharingStrategy, MachineType,
  AutoscalingScope, GkeCluster, GpuDriverVersion, GpuNodePool, GpuNodePoolOptions, ImageType, NodePool, NvidiaDriverInstaller,
} from '../../lib/gke';
import { only, synth } from '../support/synth';

const G2 = MachineType.of('g2-standard-8');
const ZONES = ['us-central1-a'];

function setup() {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1' });
  return { chart, cluster };
}

function build(options: Partial<GpuNodePoolOptions> = {}) {
  const { chart, cluster } = setup();
  // a regional cluster's GPU pool names the zones that offer its GPU
  const pool = new GpuNodePool(chart, 'l4', { cluster, machineType: G2, nodeLocations: ZONES, ...options });
  return { chart, cluster, pool, objects: synth(chart) };
}

const nodeConfigOf = (options: Partial<GpuNodePoolOptions> = {}) => only(build(options).objects, 'ContainerNodePool').spec.nodeConfig;

function attempt(options: Partial<GpuNodePoolOptions>) {
  const { chart, cluster } = setup();
  return () => new GpuNodePool(chart, 'gpu', { cluster, machineType: G2, nodeLocations: ZONES, ...options });
}

const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' };

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN a cluster and an L4 pool on g2-standard-8, every other option left out
    const { objects } = build();
    // THEN the cluster and one ContainerNodePool with one L4 per node, as documented
    expect(objects).toMatchSnapshot();
  });

  test('guestAccelerator (singular, a list): the machine type\'s GPU and count, GKE\'s default driver', () => {
    expect(nodeConfigOf().guestAccelerator).toEqual([{ type: 'nvidia-l4', count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' } }]);
  });

  test('the nvidia.com/gpu=present:NoSchedule taint is declared explicitly (singular "taint")', () => {
    expect(nodeConfigOf().taint).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
  });

  test('scales from 0 to 3 nodes in total, starting empty', () => {
    const p = only(build().objects, 'ContainerNodePool');
    expect(p.spec.autoscaling).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 3 });
    expect(p.spec.initialNodeCount).toBe(0);
  });

  test('no driver installer DaemonSet', () => {
    const { pool, objects } = build();
    expect(objects.filter((o) => o.kind === 'DaemonSet')).toEqual([]);
    expect(pool.driverInstaller).toBeUndefined();
    expect(pool.driverVersion).toBe(GpuDriverVersion.DEFAULT);
  });

  test('placement API: pool and accelerator labels, the GPU toleration, GPU facts', () => {
    const { pool } = build();
    expect(pool.nodeSelector()).toEqual({ 'tfserving-constructs.io/node-pool': 'l4', 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pool.tolerations()).toEqual([GPU_TOLERATION]);
    expect([
      pool.accelerator, pool.gpusPerNode, pool.gpuUnitsPerNode, pool.machineType, pool.sharing, pool.maxSharedClientsPerGpu, pool.gpuPartitionSize,
    ])
      .toEqual([Accelerator.NVIDIA_L4, 1, 1, G2, undefined, undefined, undefined]);
    expect(pool).toBeInstanceOf(NodePool);
  });

  test('resolved spec holds the GPUs and the taint', () => {
    const { spec } = build().pool;
    expect(spec.guestAccelerator).toEqual({ type: 'nvidia-l4', count: 1, gpuDriverVersion: 'DEFAULT', gpuPartitionSize: undefined, gpuSharing: undefined });
    expect(spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
    expect(spec.autoscaling).toEqual({ scope: AutoscalingScope.TOTAL, minNodeCount: 0, maxNodeCount: 3, locationPolicy: undefined });
  });
});

describe('GPUs per node', () => {
  test('an accelerator-optimized machine type brings its GPU count (a2-highgpu-2g: 2 × A100 40GB)', () => {
    const { pool, objects } = build({ machineType: MachineType.of('a2-highgpu-2g') });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.guestAccelerator[0]).toMatchObject({ type: 'nvidia-tesla-a100', count: 2 });
    expect([pool.gpusPerNode, pool.gpuUnitsPerNode]).toEqual([2, 2]);
  });

  test('N1 takes an attached accelerator, 1 by default', () => {
    const { pool } = build({ machineType: MachineType.of('n1-standard-8'), accelerator: Accelerator.NVIDIA_T4 });
    expect(pool.spec.guestAccelerator).toMatchObject({ type: 'nvidia-tesla-t4', count: 1 });
    expect(pool.nodeSelector()['cloud.google.com/gke-accelerator']).toBe('nvidia-tesla-t4');
  });

  test('gpuCount on N1', () => {
    const { pool } = build({ machineType: MachineType.of('n1-standard-16'), accelerator: Accelerator.NVIDIA_TESLA_V100, gpuCount: 2 });
    expect(pool.spec.guestAccelerator).toMatchObject({ type: 'nvidia-tesla-v100', count: 2 });
    expect(pool.gpusPerNode).toBe(2);
  });

  test('an explicit accelerator equal to the built-in one is accepted', () => {
    expect(build({ accelerator: Accelerator.NVIDIA_L4, gpuCount: 1 }).pool.accelerator).toBe(Accelerator.NVIDIA_L4);
  });
});

describe('driver installation', () => {
  test('driverVersion LATEST', () => {
    const { pool, objects } = build({ driverVersion: GpuDriverVersion.LATEST });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.guestAccelerator[0].gpuDriverInstallationConfig).toEqual({ gpuDriverVersion: 'LATEST' });
    expect(objects.filter((o) => o.kind === 'DaemonSet')).toEqual([]);
    expect(pool.driverVersion).toBe(GpuDriverVersion.LATEST);
  });

  test('INSTALLATION_DISABLED emits the COS driver installer DaemonSet in kube-system', () => {
    const { pool, objects } = build({ driverVersion: GpuDriverVersion.INSTALLATION_DISABLED });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.guestAccelerator[0].gpuDriverInstallationConfig)
      .toEqual({ gpuDriverVersion: 'INSTALLATION_DISABLED' });
    const ds = only(objects, 'DaemonSet');
    expect(ds.metadata).toEqual({ name: 'nvidia-driver-installer', namespace: 'kube-system', labels: { 'k8s-app': 'nvidia-driver-installer' } });
    const spec = ds.spec.template.spec;
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'cloud.google.com/gke-accelerator', operator: 'Exists' },
        { key: 'cloud.google.com/gke-gpu-driver-version', operator: 'DoesNotExist' },
      ],
    }]);
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect([spec.hostNetwork, spec.hostPID, spec.priorityClassName]).toEqual([true, true, 'system-node-critical']);
    expect(spec.initContainers.map((c: any) => [c.name, c.image, c.securityContext])).toEqual([
      ['nvidia-driver-installer', 'cos-nvidia-installer:fixed', { privileged: true }],
      ['partition-gpus', 'gcr.io/gke-release/nvidia-partition-gpu@sha256:c54fd003948fac687c2a93a55ea6e4d47ffbd641278a9191e75e822fe72471c2', { privileged: true }],
    ]);
    expect(spec.initContainers[0].imagePullPolicy).toBe('Never');
    expect(spec.containers).toEqual([{ image: 'gcr.io/google-containers/pause:2.0', name: 'pause' }]);
    expect(pool.driverInstaller!.daemonSet.name).toBe('nvidia-driver-installer');
  });

  test('one DaemonSet serves every pool with disabled driver installation in the chart', () => {
    const { chart, cluster } = setup();
    const a = cluster.addGpuNodePool('l4', { machineType: G2, nodeLocations: ZONES, driverVersion: GpuDriverVersion.INSTALLATION_DISABLED });
    const b = cluster.addGpuNodePool('t4', {
      nodeLocations: ZONES,
      machineType: MachineType.of('n1-standard-8'), accelerator: Accelerator.NVIDIA_T4, driverVersion: GpuDriverVersion.INSTALLATION_DISABLED,
    });
    expect(synth(chart).filter((o) => o.kind === 'DaemonSet')).toHaveLength(1);
    expect(a.driverInstaller).toBe(b.driverInstaller);
    expect(a.driverInstaller!.node.scope).toBe(chart);
  });

  test('driverInstallerScope puts the DaemonSet in another chart (the one applied to the GKE cluster)', () => {
    const app = Testing.app();
    const infra = new Chart(app, 'infra');
    const workloads = new Chart(app, 'workloads');
    const cluster = new GkeCluster(infra, 'serving', { project: 'acme-ml', location: 'us-central1' });
    new GpuNodePool(infra, 'l4', { cluster, machineType: G2, nodeLocations: ZONES, driverVersion: GpuDriverVersion.INSTALLATION_DISABLED, driverInstallerScope: workloads });
    expect(synth(infra).map((o) => o.kind).filter((k) => !k.startsWith('IAM'))).toEqual(['ContainerCluster', 'ContainerNodePool']);
    expect(synth(workloads).map((o) => o.kind)).toEqual(['DaemonSet']);
  });

  test('driverInstaller: false emits no DaemonSet, also on Ubuntu', () => {
    const { objects } = build({
      driverVersion: GpuDriverVersion.INSTALLATION_DISABLED, driverInstaller: false, imageType: ImageType.UBUNTU_CONTAINERD,
    });
    expect(objects.filter((o) => o.kind === 'DaemonSet')).toEqual([]);
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.imageType).toBe('UBUNTU_CONTAINERD');
  });

  test('NvidiaDriverInstaller: defaultChild is the DaemonSet; of() returns the one in the scope', () => {
    const chart = Testing.chart();
    const installer = NvidiaDriverInstaller.of(chart);
    expect(NvidiaDriverInstaller.of(chart)).toBe(installer);
    expect(installer.node.defaultChild).toBe(installer.daemonSet);
    expect(ApiObject.of(installer).kind).toBe('DaemonSet');
  });
});

describe('GPU sharing', () => {
  test.each([
    [GpuSharingStrategy.TIME_SHARING, 'TIME_SHARING'],
    [GpuSharingStrategy.MPS, 'MPS'],
  ])('%s renders gpuSharingConfig and multiplies the GPU units', (strategy, apiValue) => {
    const { pool, objects } = build({ gpuSharing: { strategy, maxSharedClientsPerGpu: 4 } });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.guestAccelerator[0].gpuSharingConfig)
      .toEqual({ gpuSharingStrategy: apiValue, maxSharedClientsPerGpu: 4 });
    expect([pool.sharing, pool.maxSharedClientsPerGpu, pool.gpusPerNode, pool.gpuUnitsPerNode]).toEqual([strategy, 4, 1, 4]);
    expect(pool.spec.guestAccelerator!.gpuSharing).toEqual({ strategy: apiValue, maxSharedClientsPerGpu: 4 });
  });
});

describe('multi-instance GPUs', () => {
  test('gpuPartitionSize renders, selects the partition size label, and counts the partitions', () => {
    const { pool, objects } = build({ machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.5gb' });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.guestAccelerator).toEqual([{
      type: 'nvidia-tesla-a100', count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' }, gpuPartitionSize: '1g.5gb',
    }]);
    expect(pool.nodeSelector()).toEqual({
      'tfserving-constructs.io/node-pool': 'l4',
      'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100',
      'cloud.google.com/gke-gpu-partition-size': '1g.5gb',
    });
    expect([pool.gpuPartitionSize, pool.gpusPerNode, pool.gpuUnitsPerNode]).toEqual(['1g.5gb', 1, 7]);
  });

  test.each([
    ['a2-highgpu-2g', '3g.20gb', 4],
    ['a3-highgpu-1g', '1g.20gb', 4],
    ['a3-highgpu-1g', '7g.80gb', 1],
    ['a3-ultragpu-8g', '3g.71gb', 16],
  ])('%s with %s offers %d GPU units per node', (machine, size, units) => {
    expect(build({ machineType: MachineType.of(machine), gpuPartitionSize: size }).pool.gpuUnitsPerNode).toBe(units);
  });
});

test('extra taints come after the GPU taint, and tolerations() tolerates all of them', () => {
  const { pool, objects } = build({ taints: [{ key: 'dedicated', value: 'serving', effect: kplus.TaintEffect.NO_SCHEDULE }] });
  expect(only(objects, 'ContainerNodePool').spec.nodeConfig.taint).toEqual([
    { key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' },
    { key: 'dedicated', value: 'serving', effect: 'NO_SCHEDULE' },
  ]);
  expect(pool.tolerations()).toEqual([GPU_TOLERATION, { key: 'dedicated', operator: 'Equal', value: 'serving', effect: 'NoSchedule' }]);
});

test('node pool options apply to GPU pools too (spot, labels, per-zone autoscaling)', () => {
  const { objects } = build({ spot: true, labels: { tier: 'gpu' }, minNodes: 0, maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE });
  const p = only(objects, 'ContainerNodePool');
  expect([p.spec.nodeConfig.spot, p.spec.nodeConfig.labels, p.spec.autoscaling]).toEqual([true, { 'tier': 'gpu', 'tfserving-constructs.io/node-pool': 'l4' }, { minNodeCount: 0, maxNodeCount: 2 }]);
});

describe('checkWorkloadFits', () => {
  const ctx = { construct: 'TfServingModel', id: 'resnet' };

  test('accepts one GPU and the CPU and memory a node can allocate', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 1, cpuMillis: 4000, memoryBytes: 16 * 2 ** 30 })).not.toThrow();
  });

  test('throws GkeRuleError for more GPUs than a node has', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 2 })).toThrow(GkeRuleError);
    expect(() => pool.checkWorkloadFits({ ...ctx, propNames: { gpus: 'resources.gpu' } }, { gpus: 2 })).toThrow(
      'TfServingModel \'resnet\': \'resources.gpu\' (2) must be at most 1, the GPUs on one g2-standard-8 node. '
      + 'Fix: request at most 1, or use a node pool with 2 or more GPUs per node');
  });

  test('throws for more than one GPU per container on a shared pool', () => {
    const { pool } = build({ machineType: MachineType.of('g2-standard-48'), gpuSharing: { strategy: GpuSharingStrategy.TIME_SHARING, maxSharedClientsPerGpu: 2 } });
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 2 })).toThrow(
      'TfServingModel \'resnet\': \'gpus\' (2) must be at most 1 on a node pool with GPU sharing strategy time-sharing, '
      + 'because GKE gives each container at most one shared GPU. Fix: request 1 GPU, or run the workload on a node pool without GPU sharing');
  });

  test('counts multi-instance GPU partitions as GPUs', () => {
    const { pool } = build({ machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.5gb' });
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 7 })).not.toThrow();
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 8 })).toThrow(
      'TfServingModel \'resnet\': \'gpus\' (8) must be at most 7, the GPUs on one a2-highgpu-1g node. '
      + 'Fix: request at most 7, or use a node pool with 8 or more GPUs per node');
  });

  test('throws for more memory than a node can allocate', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { memoryBytes: 32 * 2 ** 30 })).toThrow(
      'TfServingModel \'resnet\': \'memory\' ("32Gi") must fit in the 28656Mi one g2-standard-8 node leaves for workloads '
      + '(32 GiB minus GKE\'s reserve and eviction threshold is 29022Mi allocatable, minus 366Mi requested by GKE\'s system Pods on every node). '
      + 'Fix: request at most 28656Mi, or pick a machine type with more memory');
  });
});

test('addGpuNodePool registers the pool with the cluster', () => {
  const { cluster } = setup();
  const pool = cluster.addGpuNodePool('l4', { machineType: G2, nodeLocations: ZONES });
  expect(cluster.nodePools).toEqual([pool]);
});

test('defaultChild is the ContainerNodePool', () => {
  const { pool } = build();
  expect(pool.node.defaultChild).toBe(pool.resource);
  expect(ApiObject.of(pool).kind).toBe('ContainerNodePool');
});

describe('rules', () => {
  test('throws GkeRuleError when the machine type does not take the accelerator', () => {
    expect(attempt({ accelerator: Accelerator.NVIDIA_T4 })).toThrow(GkeRuleError);
    expect(attempt({ accelerator: Accelerator.NVIDIA_T4 })).toThrow(
      'GpuNodePool \'gpu\': \'accelerator\' ("nvidia-tesla-t4") must be a GPU that machine type g2-standard-8 takes (nvidia-l4). '
      + 'Fix: set \'accelerator\' to nvidia-l4, or pick a machine type of family n1-standard, n1-highmem, n1-highcpu or n1-custom for nvidia-tesla-t4');
  });

  test('throws when an accelerator is set on a machine type without GPUs', () => {
    expect(attempt({ machineType: MachineType.of('e2-standard-4'), accelerator: Accelerator.NVIDIA_L4 })).toThrow(
      'GpuNodePool \'gpu\': \'accelerator\' ("nvidia-l4") must be a GPU that machine type e2-standard-4 takes (none). '
      + 'Fix: pick a machine type of family g2-standard for nvidia-l4');
  });

  test('throws when the machine type has no GPUs and no accelerator is set', () => {
    expect(attempt({ machineType: MachineType.of('e2-standard-4') })).toThrow(
      'GpuNodePool \'gpu\': \'machineType\' ("e2-standard-4") must be a machine type with GPUs (e2-standard-4 has none). '
      + 'Fix: pick a GPU machine type such as g2-standard-8 (NVIDIA L4), or an N1 machine type with accelerator: Accelerator.NVIDIA_T4');
  });

  test('throws when an N1 machine type has no accelerator', () => {
    expect(attempt({ machineType: MachineType.of('n1-standard-8') })).toThrow(
      'GpuNodePool \'gpu\': \'accelerator\' (undefined) must be set for machine type n1-standard-8, which takes attached GPUs '
      + '(nvidia-tesla-t4, nvidia-tesla-v100, nvidia-tesla-p100, nvidia-tesla-p4). Fix: pass accelerator: Accelerator.of(\'nvidia-tesla-t4\') or another of those');
  });

  test('throws when gpuCount differs from the built-in count', () => {
    expect(attempt({ gpuCount: 2 })).toThrow(
      'GpuNodePool \'gpu\': \'gpuCount\' (2) must be 1, the number of nvidia-l4 GPUs machine type g2-standard-8 comes with. '
      + 'Fix: set \'gpuCount\' to 1, or pick g2-standard-24 for 2 GPUs');
  });

  test('throws when gpuCount is not a count N1 allows', () => {
    expect(attempt({ machineType: MachineType.of('n1-standard-8'), accelerator: Accelerator.NVIDIA_TESLA_V100, gpuCount: 3 })).toThrow(
      'GpuNodePool \'gpu\': \'gpuCount\' (3) must be one of 1, 2, 4, 8 for nvidia-tesla-v100 on machine type n1-standard-8. Fix: set \'gpuCount\' to 4');
  });

  test('throws when the N1 machine is too large for the GPU count', () => {
    expect(attempt({ machineType: MachineType.of('n1-standard-16'), accelerator: Accelerator.NVIDIA_TESLA_V100 })).toThrow(
      'GpuNodePool \'gpu\': \'gpuCount\' (1) must be enough for the 16 vCPUs of machine type n1-standard-16 (1 nvidia-tesla-v100 GPU allows at most 12 vCPUs). '
      + 'Fix: set \'gpuCount\' to 2, or pick a machine type of series n1 with at most 12 vCPUs');
  });

  test('throws when gpuCount is 0', () => {
    expect(attempt({ machineType: MachineType.of('n1-standard-8'), accelerator: Accelerator.NVIDIA_T4, gpuCount: 0 })).toThrow(
      'GpuNodePool \'gpu\': \'gpuCount\' (0) must be a positive integer. Fix: set it to the number of GPUs per node, e.g. 1');
  });

  test('throws when the accelerator does not support multi-instance GPUs', () => {
    expect(attempt({ gpuPartitionSize: '1g.5gb' })).toThrow(
      'GpuNodePool \'gpu\': \'gpuPartitionSize\' ("1g.5gb") must be unset for nvidia-l4, which does not support multi-instance GPUs. '
      + 'Fix: remove \'gpuPartitionSize\', or use an accelerator that does (nvidia-tesla-a100, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h100-mega-80gb, nvidia-h200-141gb)');
  });

  test('throws when the partition size is not one of the accelerator\'s', () => {
    expect(attempt({ machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.10gb' })).toThrow(
      'GpuNodePool \'gpu\': \'gpuPartitionSize\' ("1g.10gb") must be one of 1g.5gb, 2g.10gb, 3g.20gb, 7g.40gb for nvidia-tesla-a100. '
      + 'Fix: pick one of those, or use nvidia-a100-80gb, nvidia-h100-80gb or nvidia-h100-mega-80gb, which accept 1g.10gb');
  });

  test.each([
    [GpuSharingStrategy.MPS, 1, 'mps', 2],
    [GpuSharingStrategy.TIME_SHARING, 49, 'time-sharing', 48],
  ])('throws when %s has %d clients per GPU', (strategy, clients, label, fix) => {
    expect(attempt({ gpuSharing: { strategy, maxSharedClientsPerGpu: clients } })).toThrow(
      `GpuNodePool 'gpu': 'gpuSharing.maxSharedClientsPerGpu' (${clients}) must be an integer from 2 to 48 for GPU sharing strategy ${label}. Fix: set it to ${fix}`);
  });

  test('throws when driverInstaller is set while GKE installs the driver', () => {
    expect(attempt({ driverInstaller: true })).toThrow(
      'GpuNodePool \'gpu\': \'driverInstaller\' (true) must be set only with driverVersion INSTALLATION_DISABLED (GKE installs the DEFAULT driver itself). '
      + 'Fix: remove driverInstaller, or set driverVersion: GpuDriverVersion.INSTALLATION_DISABLED');
  });

  test('throws when the COS driver installer would go to Ubuntu nodes', () => {
    expect(attempt({ driverVersion: GpuDriverVersion.INSTALLATION_DISABLED, imageType: ImageType.UBUNTU_CONTAINERD })).toThrow(
      'GpuNodePool \'gpu\': \'imageType\' ("UBUNTU_CONTAINERD") must be a Container-Optimized OS image when the NVIDIA driver installer DaemonSet '
      + 'is emitted (it installs drivers on COS only). Fix: use ImageType.COS_CONTAINERD, or set driverInstaller: false and install the driver yourself');
  });

  test('throws GkeRuleError when minNodes > maxNodes', () => {
    expect(attempt({ minNodes: 3, maxNodes: 1 })).toThrow('GpuNodePool \'gpu\': \'minNodes\' (3) must be at most \'maxNodes\' (1). Fix: lower \'minNodes\' or raise \'maxNodes\'');
  });

  test('throws when a taint repeats the GPU taint', () => {
    expect(attempt({ taints: [{ key: 'nvidia.com/gpu', value: 'yes', effect: kplus.TaintEffect.NO_SCHEDULE }] })).toThrow(
      'GpuNodePool \'gpu\': \'taints[1]\' ("nvidia.com/gpu:NoSchedule") must not repeat the key and effect of another taint '
      + '(a GpuNodePool always has nvidia.com/gpu=present:NoSchedule). Fix: remove the duplicate');
  });
});

describe('zones (issue 10 item 13)', () => {
  test('a GPU pool on a regional cluster must name its zones: not every zone of a region offers a GPU type', () => {
    const { chart, cluster } = setup();
    expect(() => new GpuNodePool(chart, 'l4', { cluster, machineType: G2 })).toThrow(new Error(
      "GpuNodePool 'l4': 'nodeLocations' (undefined) must list the zones of us-central1 that offer nvidia-l4 when the cluster is regional "
      + "(GKE otherwise creates the pool in the cluster's zones and fails in any zone without the GPU). "
      + 'Fix: pass nodeLocations with zones that `gcloud compute accelerator-types list --filter="name=nvidia-l4 AND zone~^us-central1-"` prints, '
      + "e.g. ['us-central1-a']"));
  });

  test('a zonal cluster needs no zones (the pool lives in the cluster\'s zone), nor does a CPU pool on a regional cluster', () => {
    const chart = Testing.chart();
    const zonal = new GkeCluster(chart, 'zonal', { project: 'acme-ml', location: 'us-central1-a' });
    expect(new GpuNodePool(chart, 'l4', { cluster: zonal, machineType: G2 }).spec.nodeLocations).toBeUndefined();
    expect(setup().cluster.addNodePool('cpu').spec.nodeLocations).toBeUndefined();
  });
});
