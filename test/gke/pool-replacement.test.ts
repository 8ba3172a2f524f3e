import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AutoscalingScope, DiskType, GkeCluster, GpuDriverVersion, GpuNodePool, GpuNodePoolOptions, GpuSharingStrategy, ImageType, LocationPolicy,
  MachineType, NODE_POOL_NAME_LABEL, NodePool, NodePoolOptions, NodePoolSpec, PoolReplacement, poolReplacementFields, ReservationAffinity,
} from '../../lib/gke';
import { canonicalJson, hashedPoolName } from '../../lib/gke/pool-replacement';
import { only, synth } from '../support/synth';

function cluster(chart: Chart = Testing.chart()) {
  return new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1' });
}

// a CPU pool whose machine series and single zone allow every option below (compact placement included)
const BASE: NodePoolOptions = { machineType: MachineType.of('n2-standard-8'), nodeLocations: ['us-central1-a'] };

function cpuSpec(options: NodePoolOptions = {}): NodePoolSpec {
  const pool = new NodePool(Testing.chart(), 'cpu', { cluster: cluster(), ...BASE, ...options });
  // secondary boot disks are rendered by the Pulumi engine only: mark the pool so the synth harness accepts it
  pool._renderNatively();
  return pool.spec;
}

function gpuSpec(options: Partial<GpuNodePoolOptions> = {}): NodePoolSpec {
  const chart = Testing.chart();
  return new GpuNodePool(chart, 'l4', { cluster: cluster(chart), machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'], ...options }).spec;
}

describe('the GKE name changes when and only when a field that forces a replacement changes', () => {
  const cpu = cpuSpec();
  const gpu = gpuSpec();

  // fields @pulumi/gcp (the Terraform provider's ForceNew fields) and Config Connector both replace a pool for
  test.each<[string, () => NodePoolSpec, NodePoolSpec]>([
    ['spot', () => cpuSpec({ spot: true }), cpu],
    ['preemptible', () => cpuSpec({ preemptible: true }), cpu],
    ['serviceAccount', () => cpuSpec({ serviceAccount: 'other@acme-ml.iam.gserviceaccount.com' }), cpu],
    ['reservationAffinity', () => cpuSpec({ reservationAffinity: ReservationAffinity.none() }), cpu],
    ['secureBoot', () => cpuSpec({ secureBoot: false }), cpu],
    ['integrityMonitoring', () => cpuSpec({ integrityMonitoring: false }), cpu],
    ['compactPlacement', () => cpuSpec({ compactPlacement: true }), cpu],
    ['queuedProvisioning', () => cpuSpec({ queuedProvisioning: true }), cpu],
    ['GPU driver version', () => gpuSpec({ driverVersion: GpuDriverVersion.LATEST }), gpu],
    ['GPU sharing', () => gpuSpec({ gpuSharing: { strategy: GpuSharingStrategy.TIME_SHARING, maxSharedClientsPerGpu: 2 } }), gpu],
    ['GPU count (and machine type)', () => gpuSpec({ machineType: MachineType.of('g2-standard-24') }), gpu],
  ])('%s: a new name in both engines', (_, changed, base) => {
    const s = changed();
    expect(s.gkeNames.pulumi).not.toBe(base.gkeNames.pulumi);
    expect(s.gkeNames.configConnector).not.toBe(base.gkeNames.configConnector);
    expect(s.gkeNames.pulumi).toMatch(new RegExp(`^${base.name}-[0-9a-f]{6}$`));
  });

  test('secondaryBootDisks (Pulumi only renders them): a new Pulumi name', () => {
    const s = cpuSpec({ imageStreaming: true, secondaryBootDisks: [{ diskImage: 'global/images/cache' }] });
    const streamingOnly = cpuSpec({ imageStreaming: true });
    expect(s.gkeNames.pulumi).not.toBe(streamingOnly.gkeNames.pulumi);
  });

  // fields GKE and the Terraform provider update in place (UpdateNodePool) but Config Connector 1.155.1's fork makes
  // ForceNew, and the initial node count (ForceNew in both; GkeServingStack ignores its changes under Pulumi)
  test.each<[string, NodePoolOptions]>([
    ['machineType', { machineType: MachineType.of('n2-standard-16') }],
    ['diskSize', { diskSize: Size.gibibytes(200) }],
    ['diskType', { diskType: DiskType.PD_SSD }],
    ['imageStreaming', { imageStreaming: true }],
    ['minNodes (a new initial node count)', { minNodes: 2 }],
    ['nodeCount (a fixed pool has no initial node count)', { nodeCount: 2 }],
  ])('%s: a new Config Connector name, the same Pulumi name', (_, options) => {
    const s = cpuSpec(options);
    expect(s.gkeNames.configConnector).not.toBe(cpu.gkeNames.configConnector);
    expect(s.gkeNames.pulumi).toBe(cpu.gkeNames.pulumi);
  });

  // fields both engines update in place
  test.each<[string, NodePoolOptions]>([
    ['maxNodes', { maxNodes: 9 }],
    ['labels (the fork updates them in place although the CRD says Immutable)', { labels: { team: 'ml' } }],
    ['autoscalingScope', { autoscalingScope: AutoscalingScope.PER_ZONE }],
    ['locationPolicy', { locationPolicy: LocationPolicy.ANY }],
    ['nodeLocations', { nodeLocations: ['us-central1-a', 'us-central1-b'] }],
    ['taints', { taints: [{ key: 'dedicated', value: 'serving', effect: kplus.TaintEffect.NO_SCHEDULE }] }],
    ['imageType', { imageType: ImageType.UBUNTU_CONTAINERD }],
    ['autoRepair', { autoRepair: false }],
    ['maxSurge/maxUnavailable', { maxSurge: 2, maxUnavailable: 1 }],
  ])('%s: the same name in both engines', (_, options) => {
    expect(cpuSpec(options).gkeNames).toEqual(cpu.gkeNames);
  });

  test('pinned: the hash of a declaration does not drift between releases (a drift would replace every pool)', () => {
    expect(cpu.gkeNames).toEqual({ configConnector: 'cpu-8bab75', pulumi: 'cpu-9f2349' });
    expect(gpu.gkeNames).toEqual({ configConnector: 'l4-9ccb35', pulumi: 'l4-24770c' });
  });
});

describe('stable output', () => {
  test('the same declaration synthesizes byte-identical manifests', () => {
    const render = () => {
      const chart = Testing.chart();
      new NodePool(chart, 'cpu', { cluster: cluster(chart), ...BASE, labels: { b: '2', a: '1' } });
      return JSON.stringify(Testing.synth(chart));
    };
    expect(render()).toBe(render());
  });

  test('label order does not change the name (canonical JSON: keys sorted, unset members left out)', () => {
    expect(cpuSpec({ labels: { a: '1', b: '2' } }).gkeNames).toEqual(cpuSpec({ labels: { b: '2', a: '1' } }).gkeNames);
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }], e: undefined })).toBe('{"a":[{"c":"x"}],"b":1}');
  });

  test('hashedPoolName hashes exactly poolReplacementFields', () => {
    const spec = cpuSpec();
    expect(Object.keys(poolReplacementFields(spec, 'pulumi')).sort()).toEqual([
      'compactPlacement', 'guestAccelerator', 'oauthScopes', 'preemptible', 'queuedProvisioning', 'reservationAffinity', 'secondaryBootDisks',
      'serviceAccount', 'shieldedInstance', 'spot',
    ]);
    expect(Object.keys(poolReplacementFields(spec, 'config-connector')).filter((k) => !(k in poolReplacementFields(spec, 'pulumi'))).sort())
      .toEqual(['diskSizeGb', 'diskType', 'imageStreaming', 'initialNodeCount', 'machineType']);
    expect(hashedPoolName('cpu', spec, 'pulumi')).toBe(spec.gkeNames.pulumi);
  });
});

describe('rendering', () => {
  test('Config Connector: a new object per GKE name (metadata.name and resourceID), the node-pool label, the selector on it', () => {
    const chart = Testing.chart();
    const pool = new NodePool(chart, 'cpu', { cluster: cluster(chart), ...BASE });
    const p = only(synth(chart), 'ContainerNodePool');
    expect([p.metadata.name, p.spec.resourceID]).toEqual([`serving-${pool.spec.gkeNames.configConnector}`, pool.spec.gkeNames.configConnector]);
    expect(p.spec.nodeConfig.labels).toEqual({ [NODE_POOL_NAME_LABEL]: 'cpu' });
    expect(pool.nodeSelector()).toEqual({ 'tfserving-constructs.io/node-pool': 'cpu' });
  });

  test('a GPU pool selects the node-pool label and the accelerator label', () => {
    const chart = Testing.chart();
    const pool = new GpuNodePool(chart, 'l4', { cluster: cluster(chart), machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'] });
    expect(pool.nodeSelector()).toEqual({ 'tfserving-constructs.io/node-pool': 'l4', 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  });

  test('PoolReplacement.DELETE_BEFORE_CREATE renders as earlier releases: the declared name, no label, cloud.google.com/gke-nodepool', () => {
    const chart = Testing.chart();
    const pool = new NodePool(chart, 'cpu', { cluster: cluster(chart), ...BASE, replacement: PoolReplacement.DELETE_BEFORE_CREATE });
    const p = only(synth(chart), 'ContainerNodePool');
    expect([p.metadata.name, p.spec.resourceID, p.spec.nodeConfig.labels]).toEqual(['serving-cpu', 'cpu', undefined]);
    expect(pool.spec.gkeNames).toEqual({ configConnector: 'cpu', pulumi: 'cpu' });
    expect(pool.nodeSelector()).toEqual({ 'cloud.google.com/gke-nodepool': 'cpu' });
  });
});

describe('refusals', () => {
  test('a declared name over 33 characters (the hash takes 7 of GKE\'s 40)', () => {
    const c = cluster();
    const name = 'a'.repeat(34);
    expect(() => new NodePool(Chart.of(c), 'p', { cluster: c, name })).toThrow(
      `NodePool 'p': 'name' ("${name}") must have at most 33 characters (got 34): the GKE name appends '-' and a 6-character hash of the pool's `
      + 'immutable fields, and GKE allows 40. Fix: shorten the name, or keep it as the GKE name with replacement: PoolReplacement.DELETE_BEFORE_CREATE');
    // THEN 33 characters pass, and 40 with the declared name kept
    expect(new NodePool(Chart.of(c), 'q', { cluster: c, name: 'b'.repeat(33) }).spec.gkeNames.pulumi).toMatch(/^b{33}-[0-9a-f]{6}$/);
    expect(new NodePool(Chart.of(c), 'r', { cluster: c, name: 'c'.repeat(40), replacement: PoolReplacement.DELETE_BEFORE_CREATE }).spec.gkeNames.pulumi)
      .toBe('c'.repeat(40));
  });

  test('a user label on the node-pool key', () => {
    const c = cluster();
    expect(() => new NodePool(Chart.of(c), 'cpu', { cluster: c, labels: { 'tfserving-constructs.io/node-pool': 'other' } })).toThrow(
      'NodePool \'cpu\': \'labels.tfserving-constructs.io/node-pool\' ("other") must not be set: the pool sets tfserving-constructs.io/node-pool to its '
      + 'name (\'cpu\'), the label workloads select. Fix: remove the label, or rename the pool with \'name\'');
    // THEN with DELETE_BEFORE_CREATE the key is the user's
    expect(new NodePool(Chart.of(c), 'old', { cluster: c, labels: { 'tfserving-constructs.io/node-pool': 'other' }, replacement: PoolReplacement.DELETE_BEFORE_CREATE })
      .spec.labels).toEqual({ 'tfserving-constructs.io/node-pool': 'other' });
  });
});
