import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ReservationAffinity,
  GkeRuleError, MachineType,
  AutoscalingScope, DiskType, GkeCluster, GkeClusterProps, ImageType, LocationPolicy, NodePool, NodePoolOptions, PoolReplacement, ReleaseChannel,
  SecondaryBootDiskMode,
} from '../../lib/gke';
import { only, synth } from '../support/synth';

function setup(clusterProps: Partial<GkeClusterProps> = {}) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', ...clusterProps });
  return { chart, cluster };
}

function build(options: NodePoolOptions = {}, clusterProps: Partial<GkeClusterProps> = {}) {
  const { chart, cluster } = setup(clusterProps);
  const pool = new NodePool(chart, 'cpu', { cluster, ...options });
  return { chart, cluster, pool, objects: synth(chart) };
}

const poolOf = (options: NodePoolOptions = {}, clusterProps: Partial<GkeClusterProps> = {}) => only(build(options, clusterProps).objects, 'ContainerNodePool');

function attempt(options: NodePoolOptions, id: string = 'cpu', clusterProps: Partial<GkeClusterProps> = {}) {
  const { chart, cluster } = setup(clusterProps);
  return () => new NodePool(chart, id, { cluster, ...options });
}

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN a cluster and a pool with every option left out
    const { objects } = build();
    // THEN the cluster and one ContainerNodePool, as documented
    expect(objects).toMatchSnapshot();
  });

  test('named CLUSTER-POOL-HASH in Kubernetes, POOL-HASH in GKE (resourceID), in the cluster\'s location and project', () => {
    const p = poolOf();
    expect(p.apiVersion).toBe('container.cnrm.cloud.google.com/v1beta1');
    // deletion-policy abandon: the pool keeps what the cluster keeps (its deletionProtection, on by default)
    expect(p.metadata).toEqual({
      name: 'serving-cpu-2136a2', annotations: { 'cnrm.cloud.google.com/project-id': 'acme-ml', 'cnrm.cloud.google.com/deletion-policy': 'abandon' },
    });
    // the declared name and the hash of the fields Config Connector cannot update (PoolReplacement.CREATE_BEFORE_DELETE)
    expect(p.spec.resourceID).toBe('cpu-2136a2');
    expect(p.spec.clusterRef).toEqual({ name: 'serving' });
    expect(p.spec.location).toBe('us-central1');
  });

  test('e2-standard-4 on COS, GKE metadata server, no taints, labels, disk settings or Spot', () => {
    expect(poolOf().spec.nodeConfig).toEqual({
      machineType: 'e2-standard-4',
      imageType: 'COS_CONTAINERD',
      // the label workloads select: the declared name, unchanged when the pool is replaced under a new GKE name
      labels: { 'tfserving-constructs.io/node-pool': 'cpu' },
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
      // Shielded GKE nodes: Secure Boot and integrity monitoring on a CPU pool
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      // the cluster's dedicated node service account, referenced by object name; IAM alone limits it
      serviceAccountRef: { name: 'serving-nodes' },
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
  });

  test('autoscaled from 1 to 3 nodes in total, starting at 1 node per zone', () => {
    const p = poolOf();
    expect(p.spec.autoscaling).toEqual({ totalMinNodeCount: 1, totalMaxNodeCount: 3 });
    expect(p.spec.initialNodeCount).toBe(1);
    expect(p.spec.nodeCount).toBeUndefined();
  });

  test('auto-repair, auto-upgrade, surge upgrades one node at a time', () => {
    const p = poolOf();
    expect(p.spec.management).toEqual({ autoRepair: true, autoUpgrade: true });
    expect(p.spec.upgradeSettings).toEqual({ strategy: 'SURGE', maxSurge: 1, maxUnavailable: 0 });
  });

  test('resolved spec pins every default', () => {
    expect(build().pool.spec).toEqual({
      name: 'cpu',
      replacement: PoolReplacement.CREATE_BEFORE_DELETE,
      gkeNames: { configConnector: 'cpu-2136a2', pulumi: 'cpu-9f2349' },
      clusterName: 'serving',
      project: 'acme-ml',
      location: 'us-central1',
      machineType: 'e2-standard-4',
      imageType: 'COS_CONTAINERD',
      imageStreaming: false,
      shieldedInstance: { secureBoot: true, integrityMonitoring: true },
      secondaryBootDisks: undefined,
      diskSizeGb: undefined,
      diskType: undefined,
      spot: false,
      preemptible: false,
      labels: { 'tfserving-constructs.io/node-pool': 'cpu' },
      taints: [],
      guestAccelerator: undefined,
      autoscaling: { scope: AutoscalingScope.TOTAL, minNodeCount: 1, maxNodeCount: 3, locationPolicy: undefined },
      nodeCount: undefined,
      initialNodeCount: 1,
      nodeLocations: undefined,
      workloadMetadataMode: 'GKE_METADATA',
      serviceAccount: 'serving-nodes@acme-ml.iam.gserviceaccount.com',
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      autoRepair: true,
      autoUpgrade: true,
      reservationAffinity: undefined,
      queuedProvisioning: false,
      compactPlacement: false,
      upgradeSettings: { strategy: 'SURGE', maxSurge: 1, maxUnavailable: 0 },
      deletionProtection: true,
    });
  });

  test('a cluster without deletionProtection: the pool is deleted with its declaration (no abandon annotation)', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', deletionProtection: false });
    const pool = cluster.addNodePool('cpu');
    expect(pool.spec.deletionProtection).toBe(false);
    expect(only(synth(chart), 'ContainerNodePool').metadata.annotations).toEqual({ 'cnrm.cloud.google.com/project-id': 'acme-ml' });
  });

  test('placement API of a CPU pool: the pool label, no tolerations, no GPUs', () => {
    const { pool, cluster } = build();
    expect(pool.nodeSelector()).toEqual({ 'tfserving-constructs.io/node-pool': 'cpu' });
    expect(pool.tolerations()).toEqual([]);
    expect([pool.name, pool.cluster, pool.machineType, pool.gpu, pool.acceleratorType, pool.gpuSharing, pool.maxSharedClientsPerGpu,
      pool.gpuPartitionSize]).toEqual(['cpu', cluster, MachineType.of('e2-standard-4'), undefined, undefined, undefined, undefined, undefined]);
  });

  test('registers itself with the cluster', () => {
    const { pool, cluster } = build();
    expect(cluster.nodePools).toEqual([pool]);
  });
});

describe('props', () => {
  test('name starts the GKE pool name and is the node-pool label the node selector selects', () => {
    const { pool, objects } = build({ name: 'general' });
    const p = only(objects, 'ContainerNodePool');
    expect([p.metadata.name, p.spec.resourceID]).toEqual(['serving-general-2136a2', 'general-2136a2']);
    expect(p.spec.nodeConfig.labels).toEqual({ 'tfserving-constructs.io/node-pool': 'general' });
    expect(pool.nodeSelector()).toEqual({ 'tfserving-constructs.io/node-pool': 'general' });
  });

  test('machineType', () => {
    expect(poolOf({ machineType: MachineType.of('n2-standard-8') }).spec.nodeConfig.machineType).toBe('n2-standard-8');
  });

  test('minNodes and maxNodes bound the whole pool; minNodes 0 scales to zero', () => {
    const p = poolOf({ minNodes: 0, maxNodes: 10 });
    expect(p.spec.autoscaling).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 10 });
    expect(p.spec.initialNodeCount).toBe(0);
  });

  test('maxNodes defaults to minNodes when that is above 3', () => {
    expect(poolOf({ minNodes: 5 }).spec.autoscaling).toEqual({ totalMinNodeCount: 5, totalMaxNodeCount: 5 });
  });

  test('a total minimum starts spread over the 3 zones of a regional cluster, rounded up', () => {
    expect(poolOf({ minNodes: 4, maxNodes: 9 }).spec.initialNodeCount).toBe(2);
  });

  test('a total minimum starts spread over the nodeLocations', () => {
    const p = poolOf({ minNodes: 4, maxNodes: 9, nodeLocations: ['us-central1-a', 'us-central1-b'] });
    expect(p.spec.initialNodeCount).toBe(2);
    expect(p.spec.nodeLocations).toEqual(['us-central1-a', 'us-central1-b']);
  });

  test('a total minimum starts all in the zone of a zonal cluster', () => {
    expect(poolOf({ minNodes: 4, maxNodes: 9 }, { location: 'us-central1-a' }).spec.initialNodeCount).toBe(4);
  });

  test('autoscalingScope PER_ZONE bounds each zone (minNodeCount/maxNodeCount) and starts at the minimum', () => {
    const p = poolOf({ minNodes: 1, maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE });
    expect(p.spec.autoscaling).toEqual({ minNodeCount: 1, maxNodeCount: 2 });
    expect(p.spec.initialNodeCount).toBe(1);
  });

  test('locationPolicy', () => {
    expect(poolOf({ locationPolicy: LocationPolicy.ANY }).spec.autoscaling).toEqual({ totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: 'ANY' });
  });

  test('nodeCount makes a fixed-size pool without autoscaling', () => {
    const { pool, objects } = build({ nodeCount: 2 });
    const p = only(objects, 'ContainerNodePool');
    expect(p.spec.nodeCount).toBe(2);
    expect(p.spec.autoscaling).toBeUndefined();
    expect(p.spec.initialNodeCount).toBeUndefined();
    expect(pool.spec.autoscaling).toBeUndefined();
  });

  test('spot', () => {
    expect(poolOf({ spot: true }).spec.nodeConfig.spot).toBe(true);
  });

  test('preemptible', () => {
    expect(poolOf({ preemptible: true }).spec.nodeConfig.preemptible).toBe(true);
  });

  test('diskSize in GB and diskType', () => {
    const c = poolOf({ diskSize: Size.gibibytes(200), diskType: DiskType.PD_SSD }).spec.nodeConfig;
    expect([c.diskSizeGb, c.diskType]).toEqual([200, 'pd-ssd']);
  });

  test('DiskType.of and ImageType.of return the constants for known names', () => {
    expect(DiskType.of('pd-balanced')).toBe(DiskType.PD_BALANCED);
    expect(DiskType.of('pd-extreme').name).toBe('pd-extreme');
    expect(ImageType.of('UBUNTU_CONTAINERD')).toBe(ImageType.UBUNTU_CONTAINERD);
    expect(ImageType.of('COS_CONTAINERD').isCos).toBe(true);
    expect(ImageType.of('WINDOWS_LTSC_CONTAINERD').isCos).toBe(false);
  });

  test('imageType', () => {
    expect(poolOf({ imageType: ImageType.UBUNTU_CONTAINERD }).spec.nodeConfig.imageType).toBe('UBUNTU_CONTAINERD');
  });

  test('labels', () => {
    expect(poolOf({ labels: { 'example.com/team': 'ml', 'tier': 'serving' } }).spec.nodeConfig.labels)
      .toEqual({ 'example.com/team': 'ml', 'tier': 'serving', 'tfserving-constructs.io/node-pool': 'cpu' });
  });

  test('taints render with GKE effects (singular "taint") and are tolerated by tolerations()', () => {
    const { pool, objects } = build({
      taints: [
        { key: 'dedicated', value: 'serving', effect: kplus.TaintEffect.NO_SCHEDULE },
        { key: 'example.com/drain', value: 'soon', effect: kplus.TaintEffect.PREFER_NO_SCHEDULE },
        { key: 'evict', value: 'now', effect: kplus.TaintEffect.NO_EXECUTE },
      ],
    });
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.taint).toEqual([
      { key: 'dedicated', value: 'serving', effect: 'NO_SCHEDULE' },
      { key: 'example.com/drain', value: 'soon', effect: 'PREFER_NO_SCHEDULE' },
      { key: 'evict', value: 'now', effect: 'NO_EXECUTE' },
    ]);
    expect(pool.tolerations()).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'serving', effect: 'NoSchedule' },
      { key: 'example.com/drain', operator: 'Equal', value: 'soon', effect: 'PreferNoSchedule' },
      { key: 'evict', operator: 'Equal', value: 'now', effect: 'NoExecute' },
    ]);
  });

  test('serviceAccount sets the node service account and the cloud-platform scope', () => {
    const c = poolOf({ serviceAccount: 'gke-nodes@acme-ml.iam.gserviceaccount.com' }).spec.nodeConfig;
    expect(c.serviceAccountRef).toEqual({ external: 'gke-nodes@acme-ml.iam.gserviceaccount.com' });
    expect(c.oauthScopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
  });

  test('autoRepair: false', () => {
    expect(poolOf({ autoRepair: false }).spec.management).toEqual({ autoRepair: false, autoUpgrade: true });
  });

  test('autoUpgrade: false in a cluster without a release channel', () => {
    expect(poolOf({ autoUpgrade: false }, { releaseChannel: ReleaseChannel.UNSPECIFIED }).spec.management)
      .toEqual({ autoRepair: true, autoUpgrade: false });
  });

  test('maxSurge and maxUnavailable', () => {
    expect(poolOf({ maxSurge: 0, maxUnavailable: 2 }).spec.upgradeSettings).toEqual({ strategy: 'SURGE', maxSurge: 0, maxUnavailable: 2 });
  });

  test('GCE metadata on a cluster without Workload Identity', () => {
    expect(poolOf({}, { workloadIdentity: false }).spec.nodeConfig.workloadMetadataConfig).toEqual({ mode: 'GCE_METADATA' });
  });

  test('a cluster in another chart namespace is referenced with its namespace', () => {
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'config-connector' });
    const pools = new Chart(app, 'pools', { namespace: 'pools' });
    const cluster = new GkeCluster(infra, 'serving', { project: 'acme-ml', location: 'us-central1' });
    const pool = new NodePool(pools, 'cpu', { cluster });
    expect(only(synth(pools), 'ContainerNodePool').spec.clusterRef).toEqual({ name: 'serving', namespace: 'config-connector' });
    expect(pool.resource.metadata.namespace).toBe('pools');
  });

  test('two clusters may each have a pool of the same name', () => {
    const chart = Testing.chart();
    for (const name of ['a-cluster', 'b-cluster']) {
      const cluster = new GkeCluster(chart, name, { project: 'acme-ml', location: 'us-central1' });
      cluster.addNodePool('cpu');
    }
    expect(synth(chart).filter((o) => o.kind === 'ContainerNodePool').map((o) => `${o.metadata.name}/${o.spec.resourceID}`))
      .toEqual(['a-cluster-cpu-69087b/cpu-69087b', 'b-cluster-cpu-8424ab/cpu-8424ab']);
  });
});

describe('checkWorkloadFits', () => {
  const ctx = { construct: 'TfServingModel', id: 'resnet' };

  test('accepts a replica that fits the allocatable CPU and memory of one node', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 })).not.toThrow();
  });

  test('throws GkeRuleError for a GPU request on a CPU pool', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 1 })).toThrow(GkeRuleError);
    expect(() => pool.checkWorkloadFits(ctx, { gpus: 1 })).toThrow(
      'TfServingModel \'resnet\': \'gpus\' (1) must be at most 0, the GPUs on one e2-standard-4 node. Fix: run the workload on a GPU node pool');
  });

  test('throws for more CPU than a node can allocate', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits(ctx, { cpuMillis: 4000 })).toThrow(
      'TfServingModel \'resnet\': \'cpu\' ("4000m") must fit in the 3605m one e2-standard-4 node leaves for workloads (4 vCPUs minus GKE\'s reserve '
      + 'is 3920m allocatable, minus 315m requested by GKE\'s system Pods on every node). '
      + 'Fix: request at most 3605m, or pick a machine type with more vCPUs');
  });

  test('uses the caller\'s prop names', () => {
    const { pool } = build();
    expect(() => pool.checkWorkloadFits({ ...ctx, propNames: { memory: 'resources.memory' } }, { memoryBytes: 16 * 2 ** 30 })).toThrow(
      'TfServingModel \'resnet\': \'resources.memory\' ("16Gi") must fit in the 13275Mi one e2-standard-4 node leaves for workloads '
      + '(16 GiB minus GKE\'s reserve and eviction threshold is 13621Mi allocatable, minus 346Mi requested by GKE\'s system Pods on every node). '
      + 'Fix: request at most 13275Mi, or pick a machine type with more memory');
  });
});

test('each module loads on its own (no import cycle between the cluster and its pools)', () => {
  for (const m of ['node-pool', 'gpu-node-pool', 'gke-cluster', 'workload-identity']) {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require(`../../lib/gke/${m}`)).not.toThrow();
    });
  }
});

test('defaultChild is the ContainerNodePool', () => {
  const { pool } = build();
  expect(pool.node.defaultChild).toBe(pool.resource);
  expect(ApiObject.of(pool).kind).toBe('ContainerNodePool');
});

describe('rules', () => {
  test('throws when the name from the construct id is not a GKE node pool name', () => {
    expect(attempt({}, 'CPU')).toThrow(
      'NodePool \'CPU\': \'name (from the construct id)\' ("CPU") must be a GKE node pool name: a lower-case letter, then at most 39 '
      + 'lower-case letters, digits or \'-\', not ending with \'-\'. Fix: pass name: \'gpu-l4\' or use such an id');
  });

  test('throws for a machine type with built-in GPUs', () => {
    expect(attempt({ machineType: MachineType.of('g2-standard-8') })).toThrow(
      'NodePool \'cpu\': \'machineType\' ("g2-standard-8") must be a machine type without GPUs in a NodePool (g2-standard-8 comes with 1 × nvidia-l4). '
      + 'Fix: use a GpuNodePool for GPU machine types, or a CPU machine type such as e2-standard-4');
  });

  test('throws when spot and preemptible are both set', () => {
    expect(attempt({ spot: true, preemptible: true })).toThrow(
      'NodePool \'cpu\': \'preemptible\' (true) must not be set together with spot (a node is either a Spot VM or a preemptible VM). '
      + 'Fix: remove preemptible; Spot VMs replace preemptible VMs');
  });

  test('throws GkeRuleError when minNodes > maxNodes', () => {
    expect(attempt({ minNodes: 5, maxNodes: 2 })).toThrow(GkeRuleError);
    expect(attempt({ minNodes: 5, maxNodes: 2 })).toThrow('NodePool \'cpu\': \'minNodes\' (5) must be at most \'maxNodes\' (2). Fix: lower \'minNodes\' or raise \'maxNodes\'');
  });

  test('throws when minNodes is negative', () => {
    expect(attempt({ minNodes: -1 })).toThrow(
      'NodePool \'cpu\': \'minNodes\' (-1) must be a non-negative integer. Fix: set it to 0 to let the pool scale to zero, or to a positive count');
  });

  test('throws when maxNodes is 0', () => {
    expect(attempt({ minNodes: 0, maxNodes: 0 })).toThrow(
      'NodePool \'cpu\': \'maxNodes\' (0) must be at least 1 (a pool that can never have a node runs nothing). Fix: raise maxNodes, or remove the pool');
  });

  test.each(['minNodes', 'maxNodes', 'autoscalingScope', 'locationPolicy'] as const)('throws when nodeCount is set with %s', (prop) => {
    const value = { minNodes: 1, maxNodes: 3, autoscalingScope: AutoscalingScope.TOTAL, locationPolicy: LocationPolicy.ANY }[prop];
    expect(attempt({ nodeCount: 2, [prop]: value })).toThrow(
      `NodePool 'cpu': 'nodeCount' (2) must not be set together with ${prop} (a pool has a fixed size or is autoscaled). `
      + `Fix: remove nodeCount for an autoscaled pool, or remove ${prop} for a fixed one`);
  });

  test('throws when nodeCount is not a non-negative integer', () => {
    expect(attempt({ nodeCount: 1.5 })).toThrow('NodePool \'cpu\': \'nodeCount\' (1.5) must be a non-negative integer. Fix: set nodeCount to 0 or more');
  });

  test('throws when a node location is outside the cluster\'s region', () => {
    expect(attempt({ nodeLocations: ['us-central1-a', 'us-east1-b'] })).toThrow(
      'NodePool \'cpu\': \'nodeLocations[1]\' ("us-east1-b") must be a zone of the cluster\'s region us-central1. Fix: use a zone such as \'us-central1-a\'');
  });

  test('throws when a node location is repeated', () => {
    expect(attempt({ nodeLocations: ['us-central1-a', 'us-central1-a'] })).toThrow(
      'NodePool \'cpu\': \'nodeLocations[1]\' ("us-central1-a") must not repeat a zone. Fix: remove the duplicate');
  });

  test('throws when nodeLocations is empty', () => {
    expect(attempt({ nodeLocations: [] })).toThrow(
      'NodePool \'cpu\': \'nodeLocations\' ([]) must list at least one zone. Fix: remove nodeLocations to use the cluster\'s zones');
  });

  test.each([[Size.gibibytes(5), '5 GiB'], [Size.mebibytes(20 * 1024 + 512), '20.5 GiB']])('throws when diskSize is %s', (size, shown) => {
    expect(attempt({ diskSize: size })).toThrow(
      `NodePool 'cpu': 'diskSize' ("${shown}") must be a whole number of GiB, at least 10. Fix: use Size.gibibytes(100), GKE's default`);
  });

  test('throws when autoUpgrade is false in a release channel', () => {
    expect(attempt({ autoUpgrade: false })).toThrow(
      'NodePool \'cpu\': \'autoUpgrade\' (false) must be true in a cluster enrolled in a release channel (REGULAR). '
      + 'Fix: remove autoUpgrade, or create the cluster with releaseChannel: ReleaseChannel.UNSPECIFIED');
  });

  test('throws when maxSurge and maxUnavailable are both 0', () => {
    expect(attempt({ maxSurge: 0 })).toThrow(
      'NodePool \'cpu\': \'maxSurge\' (0) must be at least 1 when maxUnavailable is 0, or an upgrade can never replace a node. '
      + 'Fix: use maxSurge: 1 (one extra node during upgrades), or allow maxUnavailable: 1');
  });

  test('throws when maxUnavailable is negative', () => {
    expect(attempt({ maxUnavailable: -1 })).toThrow('NodePool \'cpu\': \'maxUnavailable\' (-1) must be a non-negative integer. Fix: set maxUnavailable to 0 or more');
  });

  test('throws when serviceAccount is not a service account email', () => {
    expect(attempt({ serviceAccount: 'gke-nodes' })).toThrow(
      'NodePool \'cpu\': \'serviceAccount\' ("gke-nodes") must be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com). '
      + 'Fix: copy the email from `gcloud iam service-accounts list`');
  });

  test('throws when a label key is invalid', () => {
    expect(attempt({ labels: { 'team name': 'ml' } })).toThrow(
      'NodePool \'cpu\': \'labels.team name\' ("team name") must be a Kubernetes label key: an optional DNS subdomain prefix and \'/\', '
      + 'then at most 63 letters, digits, \'-\', \'_\' or \'.\'. Fix: use a key such as \'example.com/role\' or \'role\'');
  });

  test('throws when a label value is invalid', () => {
    expect(attempt({ labels: { team: 'ML team' } })).toThrow(
      'NodePool \'cpu\': \'labels.team\' ("ML team") must be a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', '
      + 'starting and ending with a letter or digit. Fix: shorten or simplify the value');
  });

  test('throws when a taint value is invalid', () => {
    expect(attempt({ taints: [{ key: 'dedicated', value: 'a b', effect: kplus.TaintEffect.NO_SCHEDULE }] })).toThrow(
      'NodePool \'cpu\': \'taints[0].value\' ("a b") must be a Kubernetes label value (at most 63 letters, digits, \'-\', \'_\' or \'.\'). '
      + 'Fix: shorten or simplify the value');
  });

  test('throws when two taints share key and effect', () => {
    const t = { key: 'dedicated', value: 'serving', effect: kplus.TaintEffect.NO_SCHEDULE };
    expect(attempt({ taints: [t, { ...t, value: 'other' }] })).toThrow(
      'NodePool \'cpu\': \'taints[1]\' ("dedicated:NoSchedule") must not repeat the key and effect of another taint. Fix: remove the duplicate');
  });
});

describe('capacity: reservation affinity and queued provisioning', () => {
  test('reservationAffinity renders nodeConfig.reservationAffinity; a specific reservation by its name label', () => {
    expect(poolOf({ reservationAffinity: ReservationAffinity.specific('l4-serving') }).spec.nodeConfig.reservationAffinity).toEqual({
      consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['l4-serving'],
    });
    expect(poolOf({ reservationAffinity: ReservationAffinity.any() }).spec.nodeConfig.reservationAffinity).toEqual({ consumeReservationType: 'ANY_RESERVATION' });
    expect(poolOf().spec.nodeConfig.reservationAffinity).toBeUndefined();
  });

  test('queuedProvisioning renders queuedProvisioning.enabled; left out, nothing', () => {
    expect(poolOf({ queuedProvisioning: true, minNodes: 0, maxNodes: 4 }).spec.queuedProvisioning).toEqual({ enabled: true });
    expect(poolOf().spec.queuedProvisioning).toBeUndefined();
  });

  test('queuedProvisioning needs autoscaling', () => {
    expect(attempt({ queuedProvisioning: true, nodeCount: 2 })).toThrow(
      'NodePool \'cpu\': \'queuedProvisioning\' (true) must come with autoscaling (got a fixed nodeCount of 2): Dynamic Workload Scheduler adds nodes '
      + 'through the cluster autoscaler. Fix: remove nodeCount and set minNodes: 0 and maxNodes');
  });

  test('queuedProvisioning consumes no reservation', () => {
    expect(attempt({ queuedProvisioning: true, reservationAffinity: ReservationAffinity.any() })).toThrow(
      'NodePool \'cpu\': \'reservationAffinity\' ("ANY_RESERVATION") must be NO_RESERVATION on a queuedProvisioning pool (queued nodes consume no reservation). '
      + 'Fix: use ReservationAffinity.none(), or remove queuedProvisioning');
    expect(poolOf({ queuedProvisioning: true, reservationAffinity: ReservationAffinity.none() }).spec.nodeConfig.reservationAffinity)
      .toEqual({ consumeReservationType: 'NO_RESERVATION' });
  });

  test('a queued pool without reservationAffinity renders NO_RESERVATION (GKE rejects a queued pool without it)', () => {
    // GIVEN a queued pool that sets no affinity
    const pool = poolOf({ queuedProvisioning: true, maxNodes: 4 });
    // THEN it consumes no reservation
    expect(pool.spec.nodeConfig.reservationAffinity).toEqual({ consumeReservationType: 'NO_RESERVATION' });
  });

  test('a queued pool defaults as GKE\'s create command: minNodes 0 (initial count 0), locationPolicy ANY, autoRepair false', () => {
    // GIVEN a queued pool on a regional cluster with only maxNodes set
    const pool = poolOf({ queuedProvisioning: true, maxNodes: 4 });
    // THEN it starts empty, takes capacity in any zone and is not auto-repaired
    expect(pool.spec.autoscaling).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: 'ANY' });
    expect(pool.spec.initialNodeCount).toEqual(0);
    expect(pool.spec.management.autoRepair).toEqual(false);
  });

  test('a queued pool keeps explicit minNodes, locationPolicy and autoRepair', () => {
    const pool = poolOf({ queuedProvisioning: true, minNodes: 3, maxNodes: 6, locationPolicy: LocationPolicy.BALANCED, autoRepair: true });
    expect(pool.spec.autoscaling).toEqual({ totalMinNodeCount: 3, totalMaxNodeCount: 6, locationPolicy: 'BALANCED' });
    expect(pool.spec.management.autoRepair).toEqual(true);
  });

  test('a pool without queuedProvisioning keeps GKE\'s defaults: no affinity, no location policy, auto-repair on', () => {
    const pool = poolOf({ maxNodes: 4 });
    expect(pool.spec.nodeConfig.reservationAffinity).toBeUndefined();
    expect(pool.spec.autoscaling).toEqual({ totalMinNodeCount: 1, totalMaxNodeCount: 4 });
    expect(pool.spec.management.autoRepair).toEqual(true);
  });

  test('a Spot or preemptible pool cannot be bound to a specific reservation (Compute Engine never uses reservations for them)', () => {
    expect(attempt({ spot: true, reservationAffinity: ReservationAffinity.specific('l4-serving') })).toThrow(
      'NodePool \'cpu\': \'reservationAffinity\' ("l4-serving") must not name a specific reservation on a spot pool: Compute Engine never uses '
      + 'reservations for Spot or preemptible VMs. Fix: remove spot, or the reservation affinity');
    expect(attempt({ preemptible: true, reservationAffinity: ReservationAffinity.specific('l4-serving') })).toThrow(
      'NodePool \'cpu\': \'reservationAffinity\' ("l4-serving") must not name a specific reservation on a preemptible pool: Compute Engine never uses '
      + 'reservations for Spot or preemptible VMs. Fix: remove preemptible, or the reservation affinity');
    expect(poolOf({ spot: true, reservationAffinity: ReservationAffinity.none() }).spec.nodeConfig.reservationAffinity).toEqual({ consumeReservationType: 'NO_RESERVATION' });
  });

  test('a specific reservation must be a reservation name', () => {
    expect(attempt({ reservationAffinity: ReservationAffinity.specific('Bad Name') })).toThrow(
      'NodePool \'cpu\': \'reservationAffinity\' ("Bad Name") must name a reservation (NAME, or projects/PROJECT/reservations/NAME for a shared one). '
      + 'Fix: copy the name from `gcloud compute reservations list`');
  });
});

describe('compact placement', () => {
  test('renders placementPolicy.type COMPACT on a supported series in one zone', () => {
    expect(poolOf({ compactPlacement: true, machineType: MachineType.of('n2-standard-8'), nodeLocations: ['us-central1-a'] }).spec.placementPolicy)
      .toEqual({ type: 'COMPACT' });
    expect(poolOf().spec.placementPolicy).toBeUndefined();
  });

  test('refused on a series GKE does not offer it on', () => {
    expect(attempt({ compactPlacement: true, nodeLocations: ['us-central1-a'] })).toThrow(
      'NodePool \'cpu\': \'compactPlacement\' (true) must run on a machine series GKE offers compact placement on (a2, a3, c2, c2d, c3, c3d, c4a, c4d, c4n, g2, h3, h4d, n2, n2d, z4d; got e2). '
      + 'Fix: choose such a machine type (e.g. n2-standard-8, g2-standard-8), or remove compactPlacement');
  });

  test('refused across zones', () => {
    expect(attempt({ compactPlacement: true, machineType: MachineType.of('n2-standard-8') })).toThrow(
      'NodePool \'cpu\': \'compactPlacement\' (true) must come with a single zone (nodeLocations is not set on a regional cluster). '
      + 'Fix: set nodeLocations to one zone, e.g. [\'us-central1-a\']');
  });
});

describe('shielded nodes', () => {
  test('secureBoot and integrityMonitoring render nodeConfig.shieldedInstanceConfig', () => {
    expect(poolOf({ secureBoot: false, integrityMonitoring: false }).spec.nodeConfig.shieldedInstanceConfig)
      .toEqual({ enableSecureBoot: false, enableIntegrityMonitoring: false });
  });
});

describe('preloaded nodes: Image streaming and secondary boot disks', () => {
  const image = 'global/images/tfserving-gpu-cache';

  test('imageStreaming renders nodeConfig.gcfsConfig.enabled; left out, no gcfsConfig (GKE\'s default: off)', () => {
    expect(poolOf({ imageStreaming: true }).spec.nodeConfig.gcfsConfig).toEqual({ enabled: true });
    expect(poolOf().spec.nodeConfig.gcfsConfig).toBeUndefined();
    expect(poolOf({ imageStreaming: false }).spec.nodeConfig.gcfsConfig).toBeUndefined();
  });

  test('the spec carries both settings, each disk CONTAINER_IMAGE_CACHE unless told', () => {
    const { chart, cluster } = setup();
    const pool = new NodePool(chart, 'cpu', {
      cluster, imageStreaming: true,
      secondaryBootDisks: [{ diskImage: image }, { diskImage: 'projects/acme-images/global/images/resnet-data', mode: SecondaryBootDiskMode.DATA }],
    });
    pool._renderNatively();
    expect(pool.spec.imageStreaming).toBe(true);
    expect(pool.spec.secondaryBootDisks).toEqual([
      { diskImage: image, mode: 'CONTAINER_IMAGE_CACHE' },
      { diskImage: 'projects/acme-images/global/images/resnet-data', mode: 'MODE_UNSPECIFIED' },
    ]);
    // the Config Connector object has no field for the disks: only gcfsConfig reaches it
    expect(only(synth(chart), 'ContainerNodePool').spec.nodeConfig.gcfsConfig).toEqual({ enabled: true });
  });

  test('secondaryBootDisks fail a Config Connector synth: ContainerNodePool has no such field', () => {
    const { chart, cluster } = setup();
    new NodePool(chart, 'cpu', { cluster, imageStreaming: true, secondaryBootDisks: [{ diskImage: image }] });
    expect(() => synth(chart)).toThrow('Validation failed with the following errors:\n  [test/cpu] NodePool \'cpu\': \'secondaryBootDisks\' (["global/images/tfserving-gpu-cache"]) '
      + 'must be rendered by an engine whose node pool has the field: Config Connector\'s ContainerNodePool (v1beta1, Config Connector 1.155.1) has no '
      + 'secondaryBootDisks. Fix: render the cluster with GkeServingStack (tfserving-constructs/pulumi), or remove secondaryBootDisks');
  });

  test('imageStreaming needs COS_CONTAINERD', () => {
    expect(attempt({ imageStreaming: true, imageType: ImageType.UBUNTU_CONTAINERD })).toThrow(
      'NodePool \'cpu\': \'imageStreaming\' (true) must run on imageType COS_CONTAINERD (got UBUNTU_CONTAINERD): GKE\'s Image streaming needs the '
      + 'Container-Optimized OS with containerd node image. Fix: remove imageType (COS_CONTAINERD is the default), or remove imageStreaming');
  });

  test('secondaryBootDisks need imageStreaming', () => {
    expect(attempt({ secondaryBootDisks: [{ diskImage: image }] })).toThrow(
      'NodePool \'cpu\': \'secondaryBootDisks\' (["global/images/tfserving-gpu-cache"]) must come with imageStreaming: true (GKE reads secondary boot disks '
      + 'through Image streaming). Fix: add imageStreaming: true to the pool');
  });

  test('secondaryBootDisks: not empty, image paths, no duplicates', () => {
    expect(attempt({ imageStreaming: true, secondaryBootDisks: [] })).toThrow(
      'NodePool \'cpu\': \'secondaryBootDisks\' ([]) must list at least one disk. Fix: remove secondaryBootDisks');
    expect(attempt({ imageStreaming: true, secondaryBootDisks: [{ diskImage: 'tfserving-gpu-cache' }] })).toThrow(
      'NodePool \'cpu\': \'secondaryBootDisks[0].diskImage\' ("tfserving-gpu-cache") must be a disk image path: global/images/NAME or '
      + 'projects/PROJECT/global/images/NAME. Fix: use the image that gke-disk-image-builder created, e.g. global/images/tfserving-gpu-cache');
    const twice = [{ diskImage: image }, { diskImage: image, mode: SecondaryBootDiskMode.DATA }];
    expect(attempt({ imageStreaming: true, secondaryBootDisks: twice })).toThrow(
      'NodePool \'cpu\': \'secondaryBootDisks[1].diskImage\' ("global/images/tfserving-gpu-cache") must not repeat a disk image. Fix: remove the duplicate');
  });
});
