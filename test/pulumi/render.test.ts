/**
 * The pure rendering functions of the Pulumi layer: GKE specs → @pulumi/gcp arguments, the kubeconfig, and the
/* (they import its types only), so no mocks are needed.
 */
import { ApiObject, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Accelerator, GpuSharingStrategy, MachineType,
  AutoscalingScope, DiskType, GkeCluster, GkeClusterProps, GpuDriverVersion, GpuNodePool, GpuNodePoolOptions, ImageType, LocationPolicy,
  NodePool, NodePoolOptions, NodeServiceAccount, PoolReplacement, ReleaseChannel, ReservationAffinity, SecondaryBootDiskMode, WorkloadIdentity,
  ClusterNetwork,
} from '../../lib/gke';
import { clusterArgs } from '../../lib/pulumi/cluster-args';
import { defaultKubeconfigContext, GKE_AUTH_PLUGIN, gkeKubeconfig } from '../../lib/pulumi/kubeconfig';
import { apiGroupOf, namespacesToCreate, serviceNamesOf, splitObjects } from '../../lib/pulumi/kubernetes-objects';
import { nodePoolArgs } from '../../lib/pulumi/node-pool-args';
import { bucketReaderArgs, serviceAccountArgs, workloadIdentityUserArgs } from '../../lib/pulumi/workload-identity-args';
import { only, synth } from '../support/synth';

/** What Pulumi receives: undefined inputs are left out. */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

function cluster(props: Partial<GkeClusterProps> = {}) {
  const chart = Testing.chart();
  return { chart, cluster: new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', ...props }) };
}

function cpuPool(options: NodePoolOptions = {}, clusterProps: Partial<GkeClusterProps> = {}) {
  const c = cluster(clusterProps);
  return { ...c, pool: new NodePool(c.chart, 'cpu', { cluster: c.cluster, ...options }) };
}

function gpuPool(options: Partial<GpuNodePoolOptions> = {}) {
  const c = cluster();
  return { ...c, pool: new GpuNodePool(c.chart, 'l4', { cluster: c.cluster, machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'], ...options }) };
}

describe('clusterArgs', () => {
  test('defaults: default pool removed after creating 1 node, REGULAR channel, Workload Identity, Dataplane V2, Managed Prometheus, deletion protection', () => {
    // GIVEN a cluster with every option left out
    const { cluster: c } = cluster();
    // THEN the gcp.container.Cluster arguments
    expect(plain(clusterArgs(c.spec))).toEqual({
      name: 'serving',
      project: 'acme-ml',
      location: 'us-central1',
      initialNodeCount: 1,
      removeDefaultNodePool: true,
      // the temporary default pool runs as the dedicated node account, as the Config Connector rendering does
      nodeConfig: { serviceAccount: 'serving-nodes@acme-ml.iam.gserviceaccount.com', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'] },
      releaseChannel: { channel: 'REGULAR' },
      workloadIdentityConfig: { workloadPool: 'acme-ml.svc.id.goog' },
      networkingMode: 'VPC_NATIVE',
      datapathProvider: 'ADVANCED_DATAPATH',
      monitoringConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET'], managedPrometheus: { enabled: true } },
      deletionProtection: true,
    });
  });

  test('the default pool\'s nodeConfig: an existing node account by email; none for the Compute Engine default account', () => {
    const existing = clusterArgs(cluster({ nodeServiceAccount: NodeServiceAccount.fromEmail('nodes@acme-ml.iam.gserviceaccount.com') }).cluster.spec);
    expect(plain(existing.nodeConfig)).toEqual({ serviceAccount: 'nodes@acme-ml.iam.gserviceaccount.com', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    expect(clusterArgs(cluster({ nodeServiceAccount: NodeServiceAccount.COMPUTE_ENGINE_DEFAULT }).cluster.spec).nodeConfig).toBeUndefined();
  });

  test('Dataplane V2 sets neither networkPolicy nor the network policy add-on (GKE rejects both with ADVANCED_DATAPATH)', () => {
    const args = clusterArgs(cluster({ dataplaneV2: true, networkPolicy: true }).cluster.spec);
    expect(args.datapathProvider).toBe('ADVANCED_DATAPATH');
    expect(args.networkPolicy).toBeUndefined();
    expect(args.addonsConfig).toBeUndefined();
  });

  test('without Dataplane V2, NetworkPolicy is enforced by Calico: networkPolicy CALICO plus the add-on', () => {
    const args = clusterArgs(cluster({ dataplaneV2: false }).cluster.spec);
    expect(args.datapathProvider).toBe('LEGACY_DATAPATH');
    expect(args.networkPolicy).toEqual({ enabled: true, provider: 'CALICO' });
    expect(args.addonsConfig).toEqual({ networkPolicyConfig: { disabled: false } });
  });

  test('the Cloud Storage FUSE CSI driver add-on, as the ContainerCluster has it', () => {
    expect(plain(clusterArgs(cluster({ gcsFuseCsiDriver: true }).cluster.spec).addonsConfig)).toEqual({ gcsFuseCsiDriverConfig: { enabled: true } });
    expect(plain(clusterArgs(cluster({ gcsFuseCsiDriver: true, dataplaneV2: false }).cluster.spec).addonsConfig))
      .toEqual({ networkPolicyConfig: { disabled: false }, gcsFuseCsiDriverConfig: { enabled: true } });
  });

  test('without Dataplane V2 and without NetworkPolicy: no policy block', () => {
    const args = clusterArgs(cluster({ dataplaneV2: false, networkPolicy: false }).cluster.spec);
    expect(args.networkPolicy).toBeUndefined();
    expect(args.addonsConfig).toBeUndefined();
  });

  test('privateNodes: privateClusterConfig with private nodes, the public endpoint kept, and the control plane range', () => {
    expect(plain(clusterArgs(cluster({ privateNodes: true, controlPlaneCidr: '172.16.0.32/28' }).cluster.spec).privateClusterConfig))
      .toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: '172.16.0.32/28' });
    expect(plain(clusterArgs(cluster({ privateNodes: true }).cluster.spec).privateClusterConfig))
      .toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: false });
    expect(clusterArgs(cluster().cluster.spec).privateClusterConfig).toBeUndefined();
  });

  test('releaseChannel, workloadIdentity, managedPrometheus and deletionProtection map to their fields', () => {
    const args = clusterArgs(cluster({
      releaseChannel: ReleaseChannel.STABLE, workloadIdentity: false, managedPrometheus: false, deletionProtection: false,
    }).cluster.spec);
    expect(args.releaseChannel).toEqual({ channel: 'STABLE' });
    expect(args.workloadIdentityConfig).toBeUndefined();
    // without managed collection, system metrics only: GKE's other packages need it
    expect(args.monitoringConfig).toEqual({ enableComponents: ['SYSTEM_COMPONENTS'], managedPrometheus: { enabled: false } });
    expect(args.deletionProtection).toBe(false);
  });

  test.each<[string, Partial<GkeClusterProps>, boolean]>([
    ['defaults', {}, false],
    ['with a GPU pool: DCGM metrics appended', { location: 'us-central1-a' }, true],
    ['Calico', { dataplaneV2: false }, false],
    ['Gateway API', { gatewayApi: true }, false],
    ['no policy', { dataplaneV2: false, networkPolicy: false }, false],
    ['private', { privateNodes: true, controlPlaneCidr: '172.16.0.32/28' }, false],
    ['zonal, STABLE, no Workload Identity, no Prometheus, unprotected', {
      location: 'us-central1-a', releaseChannel: ReleaseChannel.STABLE, workloadIdentity: false, managedPrometheus: false, deletionProtection: false,
    }, false],
    ['own VPC, private endpoint, authorized networks', {
      privateNodes: true, privateEndpoint: true, controlPlaneCidr: '172.16.0.32/28',
      network: ClusterNetwork.create({ nodesCidr: '10.0.0.0/20', podsCidr: '10.4.0.0/14', servicesCidr: '10.8.0.0/20' }),
      masterAuthorizedNetworks: [{ cidr: '10.0.0.0/8', displayName: 'vpc' }, { cidr: '203.0.113.7/32' }],
    }, false],
    ['existing network with named ranges', {
      network: ClusterNetwork.existing({ networkName: 'shared', subnetworkName: 'gke', podsRangeName: 'gke-pods', servicesRangeName: 'gke-svc' }),
    }, false],
    ['existing network, GKE-made ranges', { network: ClusterNetwork.existing({ networkName: 'shared', subnetworkName: 'gke' }) }, false],
    ['an existing node account', { nodeServiceAccount: NodeServiceAccount.fromEmail('nodes@acme-ml.iam.gserviceaccount.com') }, false],
    ['the Compute Engine default node account', { nodeServiceAccount: NodeServiceAccount.COMPUTE_ENGINE_DEFAULT }, false],
  ])('renders the same settings as the Config Connector ContainerCluster (%s)', (_, props, withGpuPool) => {
    // GIVEN one cluster spec, rendered by both engines
    const { chart, cluster: c } = cluster(props);
    if (withGpuPool) c.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8') });
    const kcc = only(synth(chart), 'ContainerCluster');
    // WHEN the ContainerCluster is translated field by field (annotations → fields; an empty ipAllocationPolicy is
    // GKE's default for new clusters and is left out on the Pulumi side)
    const { ipAllocationPolicy, networkRef, subnetworkRef, ...spec } = kcc.spec;
    const project = kcc.metadata.annotations['cnrm.cloud.google.com/project-id'];
    // a created network is referenced by object name in Config Connector, by its id (same path) in Pulumi
    const network = networkRef?.external ?? (networkRef ? `projects/${project}/global/networks/${networkRef.name}` : undefined);
    const subnetwork = subnetworkRef?.external ?? (subnetworkRef ? `projects/${project}/regions/us-central1/subnetworks/${subnetworkRef.name}` : undefined);
    // the default pool's account: by object name (an IAMServiceAccount's email is NAME@PROJECT.iam.gserviceaccount.com) or by email
    const saRef = spec.nodeConfig?.serviceAccountRef;
    const nodeConfig = spec.nodeConfig ? {
      serviceAccount: saRef.external ?? `${saRef.name}@${project}.iam.gserviceaccount.com`, oauthScopes: spec.nodeConfig.oauthScopes,
    } : undefined;
    const expected = {
      ...spec,
      ...(nodeConfig ? { nodeConfig } : {}),
      ...(network ? { network, subnetwork } : {}),
      ...(Object.keys(ipAllocationPolicy).length ? { ipAllocationPolicy } : {}),
      name: kcc.metadata.name,
      project: kcc.metadata.annotations['cnrm.cloud.google.com/project-id'],
      removeDefaultNodePool: kcc.metadata.annotations['cnrm.cloud.google.com/remove-default-node-pool'] === 'true',
      deletionProtection: kcc.metadata.annotations['cnrm.cloud.google.com/deletion-policy'] === 'abandon',
    };
    // THEN it equals the gcp.container.Cluster arguments: no field is rendered by one engine only
    expect(plain(clusterArgs(c.spec))).toEqual(expected);
  });
});

describe('clusterArgs: maintenance', () => {
  test('recurringWindow and maintenanceExclusions (plural here), the same values as the Config Connector rendering', () => {
    const window = { startTime: '2026-01-03T02:00:00Z', endTime: '2026-01-03T08:00:00Z', recurrence: 'FREQ=DAILY' };
    const { cluster: c } = cluster({
      maintenanceWindow: window, maintenanceExclusions: [{ name: 'launch', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-15T00:00:00Z' }],
    });
    expect(plain(clusterArgs(c.spec).maintenancePolicy)).toEqual({
      recurringWindow: window,
      maintenanceExclusions: [
        { exclusionName: 'launch', startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-15T00:00:00Z', exclusionOptions: { scope: 'NO_UPGRADES' } },
      ],
    });
    expect(clusterArgs(cluster({ maintenanceWindow: window }).cluster.spec).maintenancePolicy)
      .toEqual({ recurringWindow: window, maintenanceExclusions: undefined });
    expect(clusterArgs(cluster().cluster.spec).maintenancePolicy).toBeUndefined();
  });
});

describe('nodePoolArgs', () => {
  test('a CPU pool: autoscaled 1..3 in total, COS, GKE metadata server, auto-repair and auto-upgrade, surge 1', () => {
    const { pool } = cpuPool();
    expect(plain(nodePoolArgs(pool.spec, 'serving'))).toEqual({
      // the declared name and the hash of the fields @pulumi/gcp replaces a pool for (PoolReplacement.CREATE_BEFORE_DELETE)
      name: 'cpu-9f2349',
      cluster: 'serving',
      project: 'acme-ml',
      location: 'us-central1',
      autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 3 },
      initialNodeCount: 1,
      nodeConfig: {
        machineType: 'e2-standard-4', imageType: 'COS_CONTAINERD', workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        // the stable label workloads select, whatever the GKE name
        labels: { 'tfserving-constructs.io/node-pool': 'cpu' },
        // the cluster's dedicated node service account; IAM alone limits it
        serviceAccount: 'serving-nodes@acme-ml.iam.gserviceaccount.com', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
      // the old pool of a replacement drains at the pace its Pods' PodDisruptionBudgets allow
      nodeDrainConfigs: [{ respectPdbDuringNodePoolDeletion: true }],
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { strategy: 'SURGE', maxSurge: 1, maxUnavailable: 0 },
    });
  });

  test('PoolReplacement.DELETE_BEFORE_CREATE: the declared name, no node-pool label, no drain config (the earlier rendering)', () => {
    const args: any = plain(nodePoolArgs(cpuPool({ replacement: PoolReplacement.DELETE_BEFORE_CREATE }).pool.spec, 'serving'));
    expect(args.name).toBe('cpu');
    expect(args.nodeConfig.labels).toBeUndefined();
    expect(args.nodeDrainConfigs).toBeUndefined();
  });

  test('a GPU pool: guestAccelerators (plural) with type, count and gpuDriverInstallationConfig', () => {
    const nc: any = nodePoolArgs(gpuPool().pool.spec, 'serving').nodeConfig;
    expect(plain(nc.guestAccelerators)).toEqual([{ type: 'nvidia-l4', count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' } }]);
    expect(nc.guestAccelerator).toBeUndefined();
  });

  test('a GPU pool: taints (plural) with nvidia.com/gpu=present:NO_SCHEDULE', () => {
    const nc: any = nodePoolArgs(gpuPool().pool.spec, 'serving').nodeConfig;
    expect(nc.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
    expect(nc.taint).toBeUndefined();
  });

  test('a GPU pool: scales from zero in total and starts empty; spot', () => {
    const args: any = nodePoolArgs(gpuPool({ minNodes: 0, maxNodes: 4, spot: true }).pool.spec, 'serving');
    expect(plain(args.autoscaling)).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 4 });
    expect(args.initialNodeCount).toBe(0);
    expect(args.nodeCount).toBeUndefined();
    expect(args.nodeConfig.spot).toBe(true);
  });

  test('driverVersion LATEST and INSTALLATION_DISABLED reach gpuDriverInstallationConfig', () => {
    for (const v of [GpuDriverVersion.LATEST, GpuDriverVersion.INSTALLATION_DISABLED]) {
      const nc: any = nodePoolArgs(gpuPool({ driverVersion: v }).pool.spec, 'serving').nodeConfig;
      expect(nc.guestAccelerators[0].gpuDriverInstallationConfig).toEqual({ gpuDriverVersion: v });
    }
  });

  test('GPU sharing: gpuSharingConfig with strategy and clients per GPU', () => {
    const nc: any = nodePoolArgs(gpuPool({ gpuSharing: { strategy: GpuSharingStrategy.TIME_SHARING, maxSharedClientsPerGpu: 4 } }).pool.spec, 's').nodeConfig;
    expect(nc.guestAccelerators[0].gpuSharingConfig).toEqual({ gpuSharingStrategy: 'TIME_SHARING', maxSharedClientsPerGpu: 4 });
  });

  test('multi-instance GPUs: gpuPartitionSize', () => {
    const nc: any = nodePoolArgs(gpuPool({ machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.5gb' }).pool.spec, 's').nodeConfig;
    expect(plain(nc.guestAccelerators)).toEqual([{
      type: Accelerator.NVIDIA_A100_40GB.type, count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' }, gpuPartitionSize: '1g.5gb',
    }]);
  });

  test('reservationAffinity and queuedProvisioning: the same fields as Config Connector', () => {
    const args: any = plain(nodePoolArgs(gpuPool({
      machineType: MachineType.of('g2-standard-8'), minNodes: 0, maxNodes: 2, queuedProvisioning: true, reservationAffinity: ReservationAffinity.none(),
    }).pool.spec, 's'));
    expect(args.queuedProvisioning).toEqual({ enabled: true });
    expect(args.nodeConfig.reservationAffinity).toEqual({ consumeReservationType: 'NO_RESERVATION' });
    const specific: any = plain(nodePoolArgs(cpuPool({ reservationAffinity: ReservationAffinity.specific('projects/acme-ml/reservations/l4') }).pool.spec, 's'));
    expect(specific.nodeConfig.reservationAffinity)
      .toEqual({ consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['projects/acme-ml/reservations/l4'] });
    expect(specific.queuedProvisioning).toBeUndefined();
    expect(specific.placementPolicy).toBeUndefined();
    // a queued pool that sets nothing else gets GKE's documented create settings in this engine too.
    const queued: any = plain(nodePoolArgs(cpuPool({ queuedProvisioning: true, maxNodes: 4 }).pool.spec, 's'));
    expect(queued.nodeConfig.reservationAffinity).toEqual({ consumeReservationType: 'NO_RESERVATION' });
    expect(queued.autoscaling).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: 'ANY' });
    expect(queued.initialNodeCount).toEqual(0);
    expect(queued.management.autoRepair).toEqual(false);
    const compact: any = plain(nodePoolArgs(cpuPool({ compactPlacement: true, machineType: MachineType.of('c3-standard-8'), nodeLocations: ['us-central1-b'] }).pool.spec, 's'));
    expect(compact.placementPolicy).toEqual({ type: 'COMPACT' });
  });

  test('shielded nodes: Secure Boot off by default on a GPU pool (opt-in), on when asked; integrity monitoring on', () => {
    expect(plain(nodePoolArgs(gpuPool({ machineType: MachineType.of('g2-standard-8') }).pool.spec, 's').nodeConfig as any).shieldedInstanceConfig)
      .toEqual({ enableSecureBoot: false, enableIntegrityMonitoring: true });
    expect(plain(nodePoolArgs(gpuPool({ machineType: MachineType.of('g2-standard-8'), secureBoot: true }).pool.spec, 's').nodeConfig as any).shieldedInstanceConfig)
      .toEqual({ enableSecureBoot: true, enableIntegrityMonitoring: true });
  });

  test('per-zone autoscaling: minNodeCount/maxNodeCount and the location policy; initial count per zone', () => {
    const args: any = nodePoolArgs(cpuPool({ minNodes: 1, maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE, locationPolicy: LocationPolicy.ANY }).pool.spec, 's');
    expect(plain(args.autoscaling)).toEqual({ minNodeCount: 1, maxNodeCount: 2, locationPolicy: 'ANY' });
    expect(args.initialNodeCount).toBe(1);
  });

  test('a fixed-size pool: nodeCount, no autoscaling and no initial count', () => {
    const args: any = nodePoolArgs(cpuPool({ nodeCount: 2 }).pool.spec, 's');
    expect(args.nodeCount).toBe(2);
    expect(args.autoscaling).toBeUndefined();
    expect(args.initialNodeCount).toBeUndefined();
  });

  test('disk, image, labels, taints, zones, service account, preemptible, management and upgrade settings', () => {
    const { pool } = cpuPool({
      diskSize: Size.gibibytes(200), diskType: DiskType.PD_SSD, imageType: ImageType.UBUNTU_CONTAINERD, labels: { team: 'ml' },
      taints: [{ key: 'dedicated', value: 'serving', effect: kplus.TaintEffect.PREFER_NO_SCHEDULE }], nodeLocations: ['us-central1-a', 'us-central1-b'],
      serviceAccount: 'nodes@acme-ml.iam.gserviceaccount.com', preemptible: true, autoRepair: false, maxSurge: 2, maxUnavailable: 1,
      secureBoot: false, integrityMonitoring: false,
    });
    const args: any = plain(nodePoolArgs(pool.spec, 's'));
    expect(args.nodeConfig).toEqual({
      shieldedInstanceConfig: { enableSecureBoot: false, enableIntegrityMonitoring: false },
      machineType: 'e2-standard-4', imageType: 'UBUNTU_CONTAINERD', diskSizeGb: 200, diskType: 'pd-ssd', preemptible: true,
      labels: { 'team': 'ml', 'tfserving-constructs.io/node-pool': 'cpu' },
      taints: [{ key: 'dedicated', value: 'serving', effect: 'PREFER_NO_SCHEDULE' }], workloadMetadataConfig: { mode: 'GKE_METADATA' },
      serviceAccount: 'nodes@acme-ml.iam.gserviceaccount.com', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    expect(args.nodeLocations).toEqual(['us-central1-a', 'us-central1-b']);
    expect(args.management).toEqual({ autoRepair: false, autoUpgrade: true });
    expect(args.upgradeSettings).toEqual({ strategy: 'SURGE', maxSurge: 2, maxUnavailable: 1 });
  });

  test('imageStreaming: gcfsConfig.enabled; secondaryBootDisks (Config Connector lacks them) with diskImage and mode', () => {
    const { pool } = gpuPool({
      imageStreaming: true,
      secondaryBootDisks: [{ diskImage: 'global/images/tfserving-gpu-cache' }, { diskImage: 'global/images/resnet', mode: SecondaryBootDiskMode.DATA }],
    });
    // GIVEN the pool is rendered by this engine (GkeServingStack marks it so before it synthesizes the chart)
    pool._renderNatively();
    const nc: any = plain(nodePoolArgs(pool.spec, 's').nodeConfig);
    expect(nc.gcfsConfig).toEqual({ enabled: true });
    expect(nc.secondaryBootDisks).toEqual([
      { diskImage: 'global/images/tfserving-gpu-cache', mode: 'CONTAINER_IMAGE_CACHE' },
      { diskImage: 'global/images/resnet', mode: 'MODE_UNSPECIFIED' },
    ]);
    expect(plain(nodePoolArgs(gpuPool().pool.spec, 's').nodeConfig).gcfsConfig).toBeUndefined();
  });

  test('without Workload Identity the nodes use the Compute Engine metadata server', () => {
    const nc: any = nodePoolArgs(cpuPool({}, { workloadIdentity: false }).pool.spec, 's').nodeConfig;
    expect(nc.workloadMetadataConfig).toEqual({ mode: 'GCE_METADATA' });
  });

  test.each<[string, (c: GkeCluster, chart: any) => NodePool]>([
    ['CPU defaults', (c, chart) => new NodePool(chart, 'cpu', { cluster: c })],
    ['CPU, everything set', (c, chart) => new NodePool(chart, 'cpu', {
      cluster: c, machineType: MachineType.of('n2-standard-8'), minNodes: 1, maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE,
      locationPolicy: LocationPolicy.BALANCED, diskSize: Size.gibibytes(50), diskType: DiskType.PD_BALANCED, labels: { a: 'b' },
      taints: [{ key: 'k', value: 'v', effect: kplus.TaintEffect.NO_EXECUTE }], nodeLocations: ['us-central1-c'],
      serviceAccount: 'n@acme-ml.iam.gserviceaccount.com', maxSurge: 0, maxUnavailable: 1,
    })],
    ['fixed size', (c, chart) => new NodePool(chart, 'fixed', { cluster: c, nodeCount: 3 })],
    ['image streaming', (c, chart) => new NodePool(chart, 'stream', { cluster: c, imageStreaming: true })],
    ['L4 spot from zero', (c, chart) => new GpuNodePool(chart, 'l4', { cluster: c, machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'], maxNodes: 4, spot: true })],
    ['T4 on N1, 2 GPUs, shared, no driver', (c, chart) => new GpuNodePool(chart, 't4', {
      cluster: c, machineType: MachineType.of('n1-standard-8'), accelerator: Accelerator.NVIDIA_T4, gpuCount: 2, nodeLocations: ['us-central1-b', 'us-central1-c'],
      gpuSharing: { strategy: GpuSharingStrategy.MPS, maxSharedClientsPerGpu: 2 }, driverVersion: GpuDriverVersion.INSTALLATION_DISABLED,
    })],
    ['A100 MIG', (c, chart) => new GpuNodePool(chart, 'a100', { cluster: c, machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.5gb', nodeLocations: ['us-central1-a'] })],
  ])('renders the same settings as the Config Connector ContainerNodePool (%s)', (_, make) => {
    // GIVEN one pool spec, rendered by both engines
    const { chart, cluster: c } = cluster();
    const pool = make(c, chart);
    const kcc = synth(chart).find((o) => o.kind === 'ContainerNodePool' && o.spec.resourceID === pool.spec.gkeNames.configConnector);
    // WHEN the ContainerNodePool is translated: clusterRef → cluster, resourceID → the name Pulumi hashes (each engine
    // hashes the fields it cannot update in place: Config Connector more of them), the singular `taint` and
    // `guestAccelerator` → plural, serviceAccountRef → serviceAccount (the external email, or the email of the cluster's
    // own IAMServiceAccount named in `name`), the project annotation → project
    const { clusterRef, resourceID, nodeConfig: { taint, guestAccelerator, serviceAccountRef, ...nodeConfig }, ...spec } = kcc.spec;
    const expected = {
      ...spec,
      name: resourceID === pool.spec.gkeNames.configConnector ? pool.spec.gkeNames.pulumi : resourceID,
      // Pulumi only: Config Connector's ContainerNodePool has no nodeDrainConfig
      nodeDrainConfigs: [{ respectPdbDuringNodePoolDeletion: true }],
      cluster: clusterRef.name,
      project: kcc.metadata.annotations['cnrm.cloud.google.com/project-id'],
      nodeConfig: {
        ...nodeConfig,
        ...(taint ? { taints: taint } : {}),
        ...(guestAccelerator ? { guestAccelerators: guestAccelerator } : {}),
        ...(serviceAccountRef ? { serviceAccount: serviceAccountRef.external ?? `${serviceAccountRef.name}@acme-ml.iam.gserviceaccount.com` } : {}),
      },
    };
    // THEN it equals the gcp.container.NodePool arguments
    expect(plain(nodePoolArgs(pool.spec, c.resource.name))).toEqual(expected);
  });
});

describe('Workload Identity arguments', () => {
  function identity() {
    const { chart, cluster: c } = cluster();
    return new WorkloadIdentity(chart, 'wi', { cluster: c, serviceAccountName: 'vision', namespace: 'ml-serving', googleServiceAccountId: 'vision-serving' }).spec;
  }

  test('the Google service account: project, account ID and display name', () => {
    expect(serviceAccountArgs(identity())).toEqual({ project: 'acme-ml', accountId: 'vision-serving', displayName: 'Workload Identity for ml-serving/vision' });
  });

  test('roles/iam.workloadIdentityUser for serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA] on the service account', () => {
    expect(workloadIdentityUserArgs(identity(), 'projects/acme-ml/serviceAccounts/x')).toEqual({
      serviceAccountId: 'projects/acme-ml/serviceAccounts/x', role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:acme-ml.svc.id.goog[ml-serving/vision]',
    });
  });

  test('roles/storage.objectViewer on a bucket', () => {
    expect(bucketReaderArgs('acme-models', 'serviceAccount:a@b')).toEqual({ bucket: 'acme-models', role: 'roles/storage.objectViewer', member: 'serviceAccount:a@b' });
  });
});

describe('gkeKubeconfig', () => {
  test('one cluster, user and context; the user runs gke-gcloud-auth-plugin; the server is https://ENDPOINT with the cluster CA', () => {
    const config = JSON.parse(gkeKubeconfig({ contextName: 'ctx', endpoint: '203.0.113.10', clusterCaCertificate: 'Q0E=' }));
    expect(config).toEqual({
      'apiVersion': 'v1',
      'kind': 'Config',
      'clusters': [{ name: 'ctx', cluster: { 'certificate-authority-data': 'Q0E=', 'server': 'https://203.0.113.10' } }],
      'contexts': [{ name: 'ctx', context: { cluster: 'ctx', user: 'ctx' } }],
      'current-context': 'ctx',
      'preferences': {},
      'users': [{
        name: 'ctx',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: GKE_AUTH_PLUGIN,
            installHint: expect.stringContaining('cluster-access-for-kubectl#install_plugin'),
            provideClusterInfo: true,
          },
        },
      }],
    });
    expect(GKE_AUTH_PLUGIN).toBe('gke-gcloud-auth-plugin');
  });

  test('the default context is gcloud\'s gke_PROJECT_LOCATION_NAME', () => {
    expect(defaultKubeconfigContext(cluster().cluster.spec)).toBe('gke_acme-ml_us-central1_serving');
  });
});

describe('splitObjects', () => {
  const o = (apiVersion: string, kind: string, namespace?: string) => ({
    apiVersion, kind, metadata: { name: kind.toLowerCase(), ...(namespace ? { namespace } : {}) },
  });

  test('Config Connector groups (…cnrm.cloud.google.com) apart, built-in groups in core, CRD groups in custom, order kept', () => {
    const objs = [
      o('container.cnrm.cloud.google.com/v1beta1', 'ContainerCluster'), o('v1', 'Service'), o('networking.istio.io/v1', 'VirtualService'),
      o('apps/v1', 'Deployment'), o('iam.cnrm.cloud.google.com/v1beta1', 'IAMPolicyMember'), o('monitoring.googleapis.com/v1', 'PodMonitoring'),
      o('monitoring.coreos.com/v1', 'ServiceMonitor'), o('flagger.app/v1beta1', 'Canary'), o('telemetry.istio.io/v1', 'Telemetry'),
      o('gateway.networking.k8s.io/v1', 'HTTPRoute'), o('networking.k8s.io/v1', 'NetworkPolicy'), o('autoscaling/v2', 'HorizontalPodAutoscaler'),
      o('policy/v1', 'PodDisruptionBudget'), o('batch/v1', 'Job'), o('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
      o('storage.cnrm.cloud.google.com/v1beta1', 'StorageBucket'),
    ];
    const split = splitObjects(objs);
    expect(split.configConnector.map((x) => x.kind)).toEqual(['ContainerCluster', 'IAMPolicyMember', 'StorageBucket']);
    expect(split.core.map((x) => x.kind)).toEqual(['Service', 'Deployment', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job', 'CustomResourceDefinition']);
    expect(split.custom.map((x) => x.kind)).toEqual(['VirtualService', 'PodMonitoring', 'ServiceMonitor', 'Canary', 'Telemetry', 'HTTPRoute']);
  });

  test('apiGroupOf: the core group is empty', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('apps/v1')).toBe('apps');
    expect(apiGroupOf('container.cnrm.cloud.google.com/v1beta1')).toBe('container.cnrm.cloud.google.com');
  });

  test('namespacesToCreate: used but undeclared namespaces, once each, in order of use; never default, kube-*, gmp-* or istio-system', () => {
    const objs = [
      o('v1', 'Service', 'ml-serving'), o('v1', 'ConfigMap', 'kube-system'), o('apps/v1', 'Deployment', 'ml-serving'),
      o('networking.istio.io/v1', 'Gateway', 'istio-system'), o('v1', 'Secret', 'team-b'), o('v1', 'Pod', 'default'),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'declared' } }, o('v1', 'Service', 'declared'), o('rbac.authorization.k8s.io/v1', 'ClusterRole'),
    ];
    expect(namespacesToCreate(objs)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-serving' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    ]);
  });

  test('serviceNamesOf: NAMESPACE/NAME of each Service', () => {
    expect(serviceNamesOf([o('v1', 'Service', 'ml'), o('v1', 'Service'), o('apps/v1', 'Deployment', 'ml')])).toEqual(['ml/service', 'default/service']);
  });

  test('a real chart: the Config Connector objects of GKE constructs are split off, the rest kept', () => {
    const { chart, cluster: c } = cluster();
    c.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'] });
    new WorkloadIdentity(chart, 'wi', { cluster: c, serviceAccountName: 'vision', namespace: 'default', modelBuckets: ['acme-models'] });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    const split = splitObjects(synth(chart));
    // the cluster's node service account (1 + 2 roles), the pool, the Workload Identity (1 + 2)
    expect(split.configConnector.map((x) => x.kind).sort()).toEqual([
      'ContainerCluster', 'ContainerNodePool', ...Array(4).fill('IAMPolicyMember'), 'IAMServiceAccount', 'IAMServiceAccount',
    ]);
    expect(split.core.map((x) => x.kind)).toEqual(['ConfigMap']);
    expect(split.custom).toEqual([]);
  });
});
