import { ApiObject, Testing } from 'cdk8s';
import {
  MachineType, GkeCluster, GkeClusterProps, GpuNodePool, MaintenanceExclusionScope, NodePool, ReleaseChannel, worstMaintenanceHoursPer32Days,
} from '../../lib/gke';
import { only, synth } from '../support/synth';

function build(props: Partial<GkeClusterProps> = {}, id: string = 'serving') {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, id, { project: 'acme-ml', location: 'us-central1', ...props });
  return { chart, cluster, objects: synth(chart) };
}

const clusterOf = (props: Partial<GkeClusterProps> = {}) => only(build(props).objects, 'ContainerCluster');

function attempt(props: Partial<GkeClusterProps>, id: string = 'serving') {
  return () => new GkeCluster(Testing.chart(), id, { project: 'acme-ml', location: 'us-central1', ...props });
}

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN a project and a region, every other prop left out
    const { objects } = build();
    // THEN one ContainerCluster, as documented
    expect(objects).toMatchSnapshot();
  });

  test('one ContainerCluster, container.cnrm.cloud.google.com/v1beta1, named after the construct id', () => {
    const { objects } = build();
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'container.cnrm.cloud.google.com/v1beta1 ContainerCluster serving',
      // the dedicated node service account and its project roles (see 'node service account' below)
      'iam.cnrm.cloud.google.com/v1beta1 IAMServiceAccount serving-nodes',
      'iam.cnrm.cloud.google.com/v1beta1 IAMPolicyMember serving-nodes-container-defaultnodeserviceaccount',
      'iam.cnrm.cloud.google.com/v1beta1 IAMPolicyMember serving-nodes-artifactregistry-reader',
    ]);
  });

  test('project annotation, default node pool removed, deletion policy abandon', () => {
    const c = clusterOf();
    expect(c.metadata.annotations).toEqual({
      'cnrm.cloud.google.com/project-id': 'acme-ml',
      'cnrm.cloud.google.com/remove-default-node-pool': 'true',
      'cnrm.cloud.google.com/deletion-policy': 'abandon',
    });
    // Config Connector needs a default pool of at least one node to create the cluster.
    expect(c.spec.initialNodeCount).toBe(1);
  });

  test('no labels on the Config Connector object (they would become GCP labels, which allow no \'/\')', () => {
    expect(clusterOf().metadata.labels).toBeUndefined();
  });

  test('location, release channel REGULAR, Workload Identity pool PROJECT.svc.id.goog', () => {
    const c = clusterOf();
    expect(c.spec.location).toBe('us-central1');
    expect(c.spec.releaseChannel).toEqual({ channel: 'REGULAR' });
    expect(c.spec.workloadIdentityConfig).toEqual({ workloadPool: 'acme-ml.svc.id.goog' });
  });

  test('VPC-native with Dataplane V2, which enforces NetworkPolicy without a Calico block', () => {
    const c = clusterOf();
    expect(c.spec.networkingMode).toBe('VPC_NATIVE');
    expect(c.spec.ipAllocationPolicy).toEqual({});
    expect(c.spec.datapathProvider).toBe('ADVANCED_DATAPATH');
    expect(c.spec.networkPolicy).toBeUndefined();
    expect(c.spec.addonsConfig).toBeUndefined();
  });

  test('Managed Service for Prometheus on, system metrics kept', () => {
    expect(clusterOf().spec.monitoringConfig).toEqual({ enableComponents: ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET'], managedPrometheus: { enabled: true } });
  });

  test('public nodes', () => {
    expect(clusterOf().spec.privateClusterConfig).toBeUndefined();
  });

  test('resolved spec pins every default', () => {
    const { cluster } = build();
    expect(cluster.spec).toEqual({
      name: 'serving',
      project: 'acme-ml',
      location: 'us-central1',
      releaseChannel: ReleaseChannel.REGULAR,
      workloadPool: 'acme-ml.svc.id.goog',
      gcsFuseCsiDriver: false,
      gatewayApi: false,
      privateNodes: false,
      controlPlaneCidr: undefined,
      privateEndpoint: false,
      masterAuthorizedNetworks: undefined,
      network: undefined,
      nodeServiceAccount: {
        email: 'serving-nodes@acme-ml.iam.gserviceaccount.com',
        create: {
          project: 'acme-ml',
          accountId: 'serving-nodes',
          displayName: 'GKE nodes of serving',
          roles: ['roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader'],
        },
      },
      networkingMode: 'VPC_NATIVE',
      datapathProvider: 'ADVANCED_DATAPATH',
      networkPolicyEnforced: true,
      calicoNetworkPolicy: false,
      managedPrometheus: true,
      monitoringComponents: ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET'],
      maintenance: { window: undefined, exclusions: [] },
      deletionProtection: true,
      removeDefaultNodePool: true,
      initialNodeCount: 1,
    });
  });

  test('accessors: name, project, location, region, regional, workloadPool, no node pools', () => {
    const { cluster } = build();
    expect([cluster.name, cluster.project, cluster.location, cluster.region, cluster.regional, cluster.workloadPool])
      .toEqual(['serving', 'acme-ml', 'us-central1', 'us-central1', true, 'acme-ml.svc.id.goog']);
    expect(cluster.nodePools).toEqual([]);
  });
});

describe('props', () => {
  test('name sets metadata.name and the GKE name', () => {
    const { cluster, objects } = build({ name: 'ml-prod' });
    expect(only(objects, 'ContainerCluster').metadata.name).toBe('ml-prod');
    expect(cluster.name).toBe('ml-prod');
  });

  test('a zone makes a zonal cluster', () => {
    const { cluster, objects } = build({ location: 'europe-west4-a' });
    expect(only(objects, 'ContainerCluster').spec.location).toBe('europe-west4-a');
    expect([cluster.region, cluster.regional]).toEqual(['europe-west4', false]);
  });

  test.each([ReleaseChannel.RAPID, ReleaseChannel.STABLE, ReleaseChannel.EXTENDED, ReleaseChannel.UNSPECIFIED])('releaseChannel %s', (channel) => {
    expect(clusterOf({ releaseChannel: channel }).spec.releaseChannel).toEqual({ channel });
  });

  test('workloadIdentity: false drops the workload pool', () => {
    const { cluster, objects } = build({ workloadIdentity: false });
    expect(only(objects, 'ContainerCluster').spec.workloadIdentityConfig).toBeUndefined();
    expect(cluster.workloadPool).toBeUndefined();
  });

  test('privateNodes: private nodes, public control plane endpoint', () => {
    expect(clusterOf({ privateNodes: true }).spec.privateClusterConfig).toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: false });
  });

  test('controlPlaneCidr sets masterIpv4CidrBlock', () => {
    expect(clusterOf({ privateNodes: true, controlPlaneCidr: '172.16.0.32/28' }).spec.privateClusterConfig)
      .toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: '172.16.0.32/28' });
  });

  test('dataplaneV2: false uses the legacy datapath with Calico network policy and its add-on', () => {
    const c = clusterOf({ dataplaneV2: false });
    expect(c.spec.datapathProvider).toBe('LEGACY_DATAPATH');
    expect(c.spec.networkPolicy).toEqual({ enabled: true, provider: 'CALICO' });
    expect(c.spec.addonsConfig).toEqual({ networkPolicyConfig: { disabled: false } });
  });

  test('gatewayApi: gatewayApiConfig on the standard channel; none by default', () => {
    expect(clusterOf({ gatewayApi: true }).spec.gatewayApiConfig).toEqual({ channel: 'CHANNEL_STANDARD' });
    expect(clusterOf().spec.gatewayApiConfig).toBeUndefined();
  });

  test('gcsFuseCsiDriver: the Cloud Storage FUSE CSI driver add-on, alone or next to the Calico add-on', () => {
    expect(clusterOf({ gcsFuseCsiDriver: true }).spec.addonsConfig).toEqual({ gcsFuseCsiDriverConfig: { enabled: true } });
    expect(clusterOf({ gcsFuseCsiDriver: true, dataplaneV2: false }).spec.addonsConfig)
      .toEqual({ networkPolicyConfig: { disabled: false }, gcsFuseCsiDriverConfig: { enabled: true } });
  });

  test('dataplaneV2: false with networkPolicy: false enforces nothing', () => {
    const { cluster, objects } = build({ dataplaneV2: false, networkPolicy: false });
    const c = only(objects, 'ContainerCluster');
    expect(c.spec.networkPolicy).toBeUndefined();
    expect(c.spec.addonsConfig).toBeUndefined();
    expect([cluster.spec.networkPolicyEnforced, cluster.spec.calicoNetworkPolicy]).toEqual([false, false]);
  });

  test('managedPrometheus: false disables managed collection explicitly (GKE turns it on by default)', () => {
    expect(clusterOf({ managedPrometheus: false }).spec.monitoringConfig).toEqual({ enableComponents: ['SYSTEM_COMPONENTS'], managedPrometheus: { enabled: false } });
  });

  test('deletionProtection: false drops the abandon annotation', () => {
    const { cluster, objects } = build({ deletionProtection: false });
    expect(only(objects, 'ContainerCluster').metadata.annotations['cnrm.cloud.google.com/deletion-policy']).toBeUndefined();
    expect(cluster.spec.deletionProtection).toBe(false);
  });

  test('a domain-scoped project ID is accepted', () => {
    expect(build({ project: 'example.com:ml-prod' }).cluster.workloadPool).toBe('example.com:ml-prod.svc.id.goog');
  });
});

describe('node pools', () => {
  test('a GPU pool adds DCGM metrics to GKE\'s default list, once, in the ContainerCluster and the spec (issue 10 item 12)', () => {
    // GIVEN a cluster with a CPU pool and two GPU pools
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1-a' });
    cluster.addNodePool('cpu');
    cluster.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8') });
    cluster.addGpuNodePool('l4b', { machineType: MachineType.of('g2-standard-8') });
    // THEN cAdvisor and kubelet metrics are kept and DCGM is appended once
    const expected = ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET', 'DCGM'];
    expect(only(synth(chart), 'ContainerCluster').spec.monitoringConfig.enableComponents).toEqual(expected);
    expect(cluster.spec.monitoringComponents).toEqual(expected);
  });

  test('no DCGM without a GPU pool; without Managed Prometheus system metrics only (GKE ships kube state, cAdvisor/Kubelet and DCGM metrics through it)', () => {
    const chart = Testing.chart();
    const cpuOnly = new GkeCluster(chart, 'cpu-only', { project: 'acme-ml', location: 'us-central1-a' });
    cpuOnly.addNodePool('cpu');
    const noGmp = new GkeCluster(chart, 'no-gmp', { project: 'acme-ml', location: 'us-central1-a', managedPrometheus: false });
    noGmp.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8') });
    const lists = synth(chart).filter((o) => o.kind === 'ContainerCluster').map((o) => o.spec.monitoringConfig.enableComponents);
    const defaults = ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET'];
    expect(lists).toEqual([defaults, ['SYSTEM_COMPONENTS']]);
    expect([cpuOnly.spec.monitoringComponents, noGmp.spec.monitoringComponents]).toEqual([defaults, ['SYSTEM_COMPONENTS']]);
  });

  test('addNodePool and addGpuNodePool create pools under the cluster, listed in nodePools', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1' });
    const cpu = cluster.addNodePool('cpu');
    const l4 = cluster.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'] });
    expect(cpu).toBeInstanceOf(NodePool);
    expect(l4).toBeInstanceOf(GpuNodePool);
    expect(cluster.nodePools).toEqual([cpu, l4]);
    expect(cpu.node.scope).toBe(cluster);
    expect(synth(chart).filter((o) => o.kind.startsWith('Container')).map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ContainerCluster serving', `ContainerNodePool serving-${cpu.spec.gkeNames.configConnector}`, `ContainerNodePool serving-${l4.spec.gkeNames.configConnector}`,
    ]);
    expect([cpu.spec.gkeNames.configConnector, l4.spec.gkeNames.configConnector]).toEqual([expect.stringMatching(/^cpu-[0-9a-f]{6}$/), expect.stringMatching(/^l4-[0-9a-f]{6}$/)]);
  });

  test('nodePools returns a copy', () => {
    const { cluster } = build();
    cluster.nodePools.push(undefined as any);
    expect(cluster.nodePools).toEqual([]);
  });
});

test('defaultChild is the ContainerCluster', () => {
  const { cluster } = build();
  expect(cluster.node.defaultChild).toBe(cluster.resource);
  expect(ApiObject.of(cluster).kind).toBe('ContainerCluster');
});

test('output is deterministic', () => {
  expect(JSON.stringify(build().objects)).toBe(JSON.stringify(build().objects));
});

describe('rules', () => {
  test('throws when the name from the construct id is not a GKE cluster name', () => {
    expect(attempt({}, 'Serving')).toThrow(
      'GkeCluster \'Serving\': \'name (from the construct id)\' ("Serving") must be a GKE cluster name: a lower-case letter, then at most 39 '
      + 'lower-case letters, digits or \'-\', not ending with \'-\'. Fix: pass name: \'serving\' or use such an id');
  });

  test('throws when name is longer than 40 characters', () => {
    expect(attempt({ name: `a${'b'.repeat(40)}` })).toThrow(
      `GkeCluster 'serving': 'name' ("a${'b'.repeat(40)}") must be a GKE cluster name: a lower-case letter, then at most 39 `
      + 'lower-case letters, digits or \'-\', not ending with \'-\'. Fix: pass name: \'serving\' or use such an id');
  });

  test('throws when project is not a project ID', () => {
    expect(attempt({ project: 'Acme ML' })).toThrow(
      'GkeCluster \'serving\': \'project\' ("Acme ML") must be a Google Cloud project ID: 6 to 30 lower-case letters, digits or \'-\', '
      + 'starting with a letter and not ending with \'-\'. Fix: use the project ID (not its name or number), as `gcloud projects list` shows it');
  });

  test('throws when location is neither a region nor a zone', () => {
    expect(attempt({ location: 'us' })).toThrow(
      'GkeCluster \'serving\': \'location\' ("us") must be a Google Cloud region (\'us-central1\') or zone (\'us-central1-a\'). '
      + 'Fix: pass a region for a regional cluster, or a zone for a zonal one');
  });

  test('throws when controlPlaneCidr is set without privateNodes', () => {
    expect(attempt({ controlPlaneCidr: '172.16.0.32/28' })).toThrow(
      'GkeCluster \'serving\': \'controlPlaneCidr\' ("172.16.0.32/28") must be set only together with privateNodes: true. '
      + 'Fix: set privateNodes: true, or remove controlPlaneCidr');
  });

  test.each(['172.16.0.0/24', '172.16.0.8/28', '300.16.0.0/28'])('throws when controlPlaneCidr %s is not a /28 range', (cidr) => {
    expect(attempt({ privateNodes: true, controlPlaneCidr: cidr })).toThrow(
      `GkeCluster 'serving': 'controlPlaneCidr' ("${cidr}") must be an IPv4 /28 range (the address a multiple of 16 in its last octet). `
      + 'Fix: use a free RFC 1918 range such as \'172.16.0.32/28\'');
  });

  test('throws when networkPolicy is false with Dataplane V2 (user-supplied values only)', () => {
    expect(attempt({ networkPolicy: false })).toThrow(
      'GkeCluster \'serving\': \'networkPolicy\' (false) must not be false with Dataplane V2, which always enforces NetworkPolicy. '
      + 'Fix: remove networkPolicy, or set dataplaneV2: false for a cluster without NetworkPolicy enforcement');
    expect(attempt({ networkPolicy: true })).not.toThrow();
  });
});

describe('maintenance window and exclusions', () => {
  const window = { startTime: '2026-01-03T02:00:00Z', endTime: '2026-01-03T08:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' };

  test('none by default: no maintenancePolicy (GKE may maintain at any time)', () => {
    expect(clusterOf().spec.maintenancePolicy).toBeUndefined();
  });

  test('recurringWindow and maintenanceExclusion (singular), scope NO_UPGRADES by default', () => {
    expect(clusterOf({
      maintenanceWindow: window,
      maintenanceExclusions: [
        { name: 'launch', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-15T00:00:00Z' },
        { name: 'freeze', startTime: '2026-11-01T00:00:00Z', endTime: '2027-01-15T00:00:00Z', scope: MaintenanceExclusionScope.NO_MINOR_UPGRADES },
      ],
    }).spec.maintenancePolicy).toEqual({
      recurringWindow: window,
      maintenanceExclusion: [
        { exclusionName: 'launch', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-15T00:00:00Z', exclusionOptions: { scope: 'NO_UPGRADES' } },
        { exclusionName: 'freeze', startTime: '2026-11-01T00:00:00Z', endTime: '2027-01-15T00:00:00Z', exclusionOptions: { scope: 'NO_MINOR_UPGRADES' } },
      ],
    });
  });

  test.each([
    [{ maintenanceWindow: { ...window, startTime: '2026-01-03 02:00' } },
      'GkeCluster \'serving\': \'maintenanceWindow.startTime\' ("2026-01-03 02:00") must be an RFC 3339 time in UTC (GKE\'s maintenance times). Fix: write it as 2026-01-03T02:00:00Z'],
    [{ maintenanceWindow: { ...window, endTime: '2026-01-03T01:00:00Z' } },
      'GkeCluster \'serving\': \'maintenanceWindow.endTime\' ("2026-01-03T01:00:00Z") must be after startTime (2026-01-03T02:00:00Z). Fix: swap the times, or move endTime later'],
    [{ maintenanceWindow: { ...window, recurrence: 'RRULE:FREQ=DAILY' } },
      'GkeCluster \'serving\': \'maintenanceWindow.recurrence\' ("RRULE:FREQ=DAILY") must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=SA,SU. '
      + 'Fix: write the rule without the RRULE: prefix, e.g. FREQ=DAILY'],
    [{ maintenanceExclusions: [{ name: 'launch', startTime: '2026-03-01T00:00:00Z', endTime: '2026-04-01T00:00:00Z' }] },
      'GkeCluster \'serving\': \'maintenanceExclusions[0].endTime\' ("2026-04-01T00:00:00Z") must be at most 30 days after startTime (2026-03-01T00:00:00Z) '
      + 'for a NO_UPGRADES exclusion. Fix: shorten the exclusion, or use scope NO_MINOR_UPGRADES / NO_MINOR_OR_NODE_UPGRADES for longer periods'],
    [{
      maintenanceExclusions: [
        { name: 'a', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-02T00:00:00Z' },
        { name: 'a', startTime: '2026-04-01T00:00:00Z', endTime: '2026-04-02T00:00:00Z' },
      ],
    },
    'GkeCluster \'serving\': \'maintenanceExclusions[1].name\' ("a") must be unique among the cluster\'s exclusions (GKE keys them by name). Fix: rename one of them'],
    [{ maintenanceExclusions: [{ name: 'bad/name', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-02T00:00:00Z' }] },
      'GkeCluster \'serving\': \'maintenanceExclusions[0].name\' ("bad/name") must be 1 to 63 letters, digits, spaces, \'-\' or \'_\'. Fix: shorten the name'],
    // GKE: at least 48 hours of maintenance in any 32-day rolling window, counting only contiguous stretches of 4 hours or more
    [{ maintenanceWindow: { ...window, endTime: '2026-01-03T06:00:00Z' } },
      'GkeCluster \'serving\': \'maintenanceWindow\' ({"startTime":"2026-01-03T02:00:00Z","endTime":"2026-01-03T06:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=SA,SU"}) '
      + 'must leave GKE at least 48 hours of maintenance in any 32 consecutive days, counting only stretches of 4 hours or more (this window allows 32 hours in the '
      + 'worst 32 days). Fix: lengthen the window or repeat it more often, e.g. 4 hours on FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR or 6 hours on FREQ=WEEKLY;BYDAY=SA,SU'],
    [{ maintenanceWindow: { ...window, endTime: '2026-01-03T05:00:00Z', recurrence: 'FREQ=DAILY' } },
      'GkeCluster \'serving\': \'maintenanceWindow\' ({"startTime":"2026-01-03T02:00:00Z","endTime":"2026-01-03T05:00:00Z","recurrence":"FREQ=DAILY"}) '
      + 'must leave GKE at least 48 hours of maintenance in any 32 consecutive days, counting only stretches of 4 hours or more (this window allows 0 hours in the '
      + 'worst 32 days). Fix: lengthen the window or repeat it more often, e.g. 4 hours on FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR or 6 hours on FREQ=WEEKLY;BYDAY=SA,SU'],
    [{
      maintenanceExclusions: Array.from({ length: 21 }, (_, i) => ({
        name: `x${i}`, startTime: `2026-03-${String(i + 1).padStart(2, '0')}T00:00:00Z`, endTime: `2026-03-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
      })),
    },
    'GkeCluster \'serving\': \'maintenanceExclusions\' ("21 exclusions") must have at most 20 entries (GKE\'s limit per cluster). '
      + 'Fix: remove exclusions that have ended, or merge adjacent ones'],
  ])('refused: %j', (props, message) => {
    expect(attempt(props as Partial<GkeClusterProps>)).toThrow(message);
  });

  test('accepted at the limits: 6 hours each weekend day (48 in the worst 32 days), 20 exclusions', () => {
    expect(clusterOf({ maintenanceWindow: window }).spec.maintenancePolicy.recurringWindow).toEqual(window);
    const twenty = Array.from({ length: 20 }, (_, i) => ({
      name: `x${i}`, startTime: `2026-03-${String(i + 1).padStart(2, '0')}T00:00:00Z`, endTime: `2026-03-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
    }));
    expect(clusterOf({ maintenanceExclusions: twenty }).spec.maintenancePolicy.maintenanceExclusion).toHaveLength(20);
  });

  test.each<[string, string, string, number | undefined]>([
    ['FREQ=DAILY', '02:00', '06:00', 128],
    ['FREQ=DAILY', '02:00', '05:00', 0],
    // a 24-hour daily window is one contiguous stretch
    ['FREQ=DAILY', '00:00', '24:00', 768],
    // 22:00 to 00:00 every day: 2-hour stretches that never touch, so none counts
    ['FREQ=DAILY', '22:00', '24:00', 0],
    ['FREQ=WEEKLY;BYDAY=SA,SU', '02:00', '08:00', 48],
    // 32 days hold 4 weeks and 4 days, which may hold only 2 weekdays: 22 windows
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', '02:00', '06:00', 88],
    // without BYDAY a weekly rule repeats on the first window's day (2026-01-03 is a Saturday)
    ['FREQ=WEEKLY', '02:00', '08:00', 24],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', '02:00', '08:00', 12],
    // 20:00 Saturday to 02:00 Sunday, and Sunday to Monday: BYDAY filters a daily rule
    ['FREQ=DAILY;BYDAY=SA,SU', '20:00', '26:00', 48],
    // rules this check does not expand are left to GKE (README)
    ['FREQ=MONTHLY;BYMONTHDAY=1', '02:00', '08:00', undefined],
    ['FREQ=DAILY;COUNT=10', '02:00', '08:00', undefined],
  ])('worstMaintenanceHoursPer32Days(%s, %s to %s) is %s', (recurrence, from, to, hours) => {
    const at = (hhmm: string) => new Date(Date.parse('2026-01-03T00:00:00Z') + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60000).toISOString()
      .replace('.000Z', 'Z');
    expect(worstMaintenanceHoursPer32Days({ startTime: at(from), endTime: at(to), recurrence })).toBe(hours);
  });
});
