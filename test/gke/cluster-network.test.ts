import { Testing } from 'cdk8s';
import { CloudNat, ClusterNetwork, GkeCluster, GkeClusterProps } from '../../lib/gke';
import { only, synth } from '../support/synth';

const NET = { nodesCidr: '10.0.0.0/20', podsCidr: '10.4.0.0/14', servicesCidr: '10.8.0.0/20' };
const net = (o: Partial<Parameters<typeof ClusterNetwork.create>[0]> = {}) => ClusterNetwork.create({ ...NET, ...o });

function build(props: Partial<GkeClusterProps>) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', ...props });
  return { cluster, objects: synth(chart) };
}

function attempt(props: Partial<GkeClusterProps>) {
  return () => new GkeCluster(Testing.chart(), 'serving', { project: 'acme-ml', location: 'us-central1', ...props });
}

describe('ClusterNetwork.create with private nodes', () => {
  const { cluster, objects } = build({ privateNodes: true, network: net() });

  test('a custom-mode ComputeNetwork, kept on delete like the cluster', () => {
    const n = only(objects, 'ComputeNetwork');
    expect(n.apiVersion).toBe('compute.cnrm.cloud.google.com/v1beta1');
    expect(n.metadata).toEqual({
      name: 'serving-vpc', annotations: { 'cnrm.cloud.google.com/project-id': 'acme-ml', 'cnrm.cloud.google.com/deletion-policy': 'abandon' },
    });
    expect(n.spec).toEqual({ autoCreateSubnetworks: false, routingMode: 'REGIONAL' });
  });

  test('a ComputeSubnetwork in the cluster\'s region: nodes range, pods and services secondary ranges, Private Google Access', () => {
    const s = only(objects, 'ComputeSubnetwork');
    expect(s.metadata.name).toBe('serving-nodes');
    expect(s.spec).toEqual({
      networkRef: { name: 'serving-vpc' },
      region: 'us-central1',
      ipCidrRange: '10.0.0.0/20',
      secondaryIpRange: [{ rangeName: 'pods', ipCidrRange: '10.4.0.0/14' }, { rangeName: 'services', ipCidrRange: '10.8.0.0/20' }],
      privateIpGoogleAccess: true,
    });
  });

  test('Cloud NAT by default: a ComputeRouter on the network and a ComputeRouterNAT for every range of the subnetwork', () => {
    expect(only(objects, 'ComputeRouter').spec).toEqual({ networkRef: { name: 'serving-vpc' }, region: 'us-central1' });
    const nat = only(objects, 'ComputeRouterNAT');
    expect(nat.metadata.name).toBe('serving-nat');
    expect(nat.spec).toEqual({
      routerRef: { name: 'serving-router' },
      region: 'us-central1',
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ subnetworkRef: { name: 'serving-nodes' }, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
    });
  });

  test('the ContainerCluster refers to both by name and takes the named secondary ranges', () => {
    const c = only(objects, 'ContainerCluster');
    expect(c.spec.networkRef).toEqual({ name: 'serving-vpc' });
    expect(c.spec.subnetworkRef).toEqual({ name: 'serving-nodes' });
    expect(c.spec.ipAllocationPolicy).toEqual({ clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' });
  });

  test('spec and the resources the cluster exposes', () => {
    expect(cluster.spec.network).toEqual({
      created: true, project: 'acme-ml', region: 'us-central1', networkName: 'serving-vpc', subnetworkName: 'serving-nodes',
      networkId: 'projects/acme-ml/global/networks/serving-vpc', subnetworkId: 'projects/acme-ml/regions/us-central1/subnetworks/serving-nodes',
      ...NET, podsRangeName: 'pods', servicesRangeName: 'services', privateIpGoogleAccess: true,
      cloudNat: { routerName: 'serving-router', natName: 'serving-nat' }, natEgress: true,
    });
    expect(Object.keys(cluster.networkResources)).toEqual(['network', 'subnetwork', 'router', 'nat']);
  });
});

describe('ClusterNetwork options', () => {
  test('public nodes get no Cloud NAT by default; names and range names are settable; deletionProtection: false drops abandon', () => {
    const { objects } = build({
      deletionProtection: false,
      network: net({ networkName: 'ml', subnetworkName: 'ml-uc1', podsRangeName: 'gke-pods', servicesRangeName: 'gke-services', privateGoogleAccess: false }),
    });
    expect(objects.filter((o) => o.kind.startsWith('ComputeRouter'))).toEqual([]);
    expect(only(objects, 'ComputeNetwork').metadata).toEqual({ name: 'ml', annotations: { 'cnrm.cloud.google.com/project-id': 'acme-ml' } });
    const s = only(objects, 'ComputeSubnetwork').spec;
    expect(s.secondaryIpRange.map((r: any) => r.rangeName)).toEqual(['gke-pods', 'gke-services']);
    expect(s.privateIpGoogleAccess).toBe(false);
    expect(only(objects, 'ContainerCluster').spec.ipAllocationPolicy).toEqual({ clusterSecondaryRangeName: 'gke-pods', servicesSecondaryRangeName: 'gke-services' });
  });

  test('private nodes with cloudNat: NONE keep Private Google Access and create no router', () => {
    const { cluster, objects } = build({ privateNodes: true, network: net({ cloudNat: CloudNat.NONE }) });
    expect(objects.map((o) => o.kind).filter((k) => k.startsWith('Compute'))).toEqual(['ComputeNetwork', 'ComputeSubnetwork']);
    expect(cluster.spec.network?.natEgress).toBe(false);
  });

  test('an existing network is referenced by its path, with its named ranges; nothing else is created', () => {
    const { objects } = build({
      privateNodes: true, network: ClusterNetwork.existing({ networkName: 'shared', subnetworkName: 'gke', podsRangeName: 'p', servicesRangeName: 's' }),
    });
    expect(objects.filter((o) => o.kind.startsWith('Compute'))).toEqual([]);
    const c = only(objects, 'ContainerCluster').spec;
    expect(c.networkRef).toEqual({ external: 'projects/acme-ml/global/networks/shared' });
    expect(c.subnetworkRef).toEqual({ external: 'projects/acme-ml/regions/us-central1/subnetworks/gke' });
    expect(c.ipAllocationPolicy).toEqual({ clusterSecondaryRangeName: 'p', servicesSecondaryRangeName: 's' });
  });

  test('an existing network without range names: GKE makes the ranges; CloudNat.CREATE adds a router and NAT on it', () => {
    const { cluster, objects } = build({
      privateNodes: true, location: 'us-central1-a', network: ClusterNetwork.existing({ networkName: 'shared', subnetworkName: 'gke', cloudNat: CloudNat.CREATE }),
    });
    expect(only(objects, 'ContainerCluster').spec.ipAllocationPolicy).toEqual({});
    expect(only(objects, 'ComputeRouter').spec).toEqual({ networkRef: { external: 'projects/acme-ml/global/networks/shared' }, region: 'us-central1' });
    expect(only(objects, 'ComputeRouterNAT').spec.subnetwork).toEqual([
      { subnetworkRef: { external: 'projects/acme-ml/regions/us-central1/subnetworks/gke' }, sourceIpRangesToNat: ['ALL_IP_RANGES'] },
    ]);
    expect([cluster.spec.network?.privateIpGoogleAccess, cluster.spec.network?.natEgress]).toEqual([true, true]);
  });

  test('an existing network declared with CloudNat.EXISTING: egress without creating anything', () => {
    const { cluster, objects } = build({ privateNodes: true, network: ClusterNetwork.existing({ networkName: 'shared', subnetworkName: 'gke', cloudNat: CloudNat.EXISTING }) });
    expect(objects.filter((o) => o.kind.startsWith('Compute'))).toEqual([]);
    expect(cluster.spec.network?.natEgress).toBe(true);
  });
});

describe('control plane access', () => {
  test('privateEndpoint turns the public endpoint off; masterAuthorizedNetworks lists the ranges', () => {
    const { objects } = build({
      privateNodes: true, privateEndpoint: true,
      masterAuthorizedNetworks: [{ cidr: '10.0.0.0/8', displayName: 'vpc' }, { cidr: '203.0.113.7/32' }],
    });
    const c = only(objects, 'ContainerCluster').spec;
    expect(c.privateClusterConfig).toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: true });
    expect(c.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [{ cidrBlock: '10.0.0.0/8', displayName: 'vpc' }, { cidrBlock: '203.0.113.7/32' }] });
  });

  test('a private endpoint takes every range Google Cloud lists as internal; a public endpoint takes public ranges too', () => {
    const internal = ['10.1.0.0/16', '172.16.0.0/12', '192.168.4.0/24', '100.64.0.0/10', '192.0.0.0/24', '192.0.2.0/24', '198.51.100.7/32',
      '203.0.113.0/24', '192.88.99.0/24', '198.18.0.0/15', '240.1.0.0/16'];
    const priv = build({ privateNodes: true, privateEndpoint: true, masterAuthorizedNetworks: internal.map((cidr) => ({ cidr })) });
    expect(only(priv.objects, 'ContainerCluster').spec.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock)).toEqual(internal);
    const pub = build({ privateNodes: true, masterAuthorizedNetworks: [{ cidr: '8.8.8.0/24' }] });
    expect(only(pub.objects, 'ContainerCluster').spec.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [{ cidrBlock: '8.8.8.0/24' }] });
  });

  test('an empty list admits Google\'s internal ranges only', () => {
    expect(only(build({ masterAuthorizedNetworks: [] }).objects, 'ContainerCluster').spec.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [] });
  });

  test('no list: no masterAuthorizedNetworksConfig', () => {
    expect(only(build({}).objects, 'ContainerCluster').spec.masterAuthorizedNetworksConfig).toBeUndefined();
  });
});

describe('rules', () => {
  test.each<[string, Partial<GkeClusterProps>, string]>([
    ['host bits set', { network: net({ nodesCidr: '10.0.0.1/20' }) },
      "GkeCluster 'serving': 'network.nodesCidr' (\"10.0.0.1/20\") must be an IPv4 range a.b.c.d/n whose address is the range's first (no host bits set). Fix: use a private range such as '10.0.0.0/20'"],
    ['not a range', { network: net({ podsCidr: '10.4.0/14' }) },
      "GkeCluster 'serving': 'network.podsCidr' (\"10.4.0/14\") must be an IPv4 range a.b.c.d/n whose address is the range's first (no host bits set). Fix: use a private range such as '10.4.0.0/14'"],
    ['too small for a subnet range', { network: net({ servicesCidr: '10.8.0.0/30' }) },
      "GkeCluster 'serving': 'network.servicesCidr' (\"10.8.0.0/30\") must have a prefix length from /8 to /29 (Compute Engine's subnet range sizes). Fix: use a private range such as '10.8.0.0/20'"],
    ['services inside pods', { network: net({ servicesCidr: '10.4.0.0/20' }) },
      "GkeCluster 'serving': 'network.servicesCidr' (\"10.4.0.0/20\") must not overlap network.podsCidr (10.4.0.0/14): GKE needs distinct ranges for nodes, Pods, Services and the control plane. Fix: move network.servicesCidr to a free range"],
    ['control plane inside the nodes range', { privateNodes: true, controlPlaneCidr: '10.0.0.0/28', network: net() },
      "GkeCluster 'serving': 'controlPlaneCidr' (\"10.0.0.0/28\") must not overlap network.nodesCidr (10.0.0.0/20): GKE needs distinct ranges for nodes, Pods, Services and the control plane. Fix: move controlPlaneCidr to a free range"],
    ['EXISTING NAT on a new network', { network: net({ cloudNat: CloudNat.EXISTING }) },
      "GkeCluster 'serving': 'network.cloudNat' (\"EXISTING\") must not be EXISTING for a network created here (no NAT can exist on it yet). Fix: use CloudNat.CREATE, or CloudNat.NONE"],
    ['private nodes with Cloud NAT but without Private Google Access (GKE turns it on for a private cluster\'s subnetwork)', {
      privateNodes: true, network: net({ privateGoogleAccess: false, cloudNat: CloudNat.CREATE }),
    }, "GkeCluster 'serving': 'network.privateGoogleAccess' (false) must be true for private nodes: GKE turns Private Google Access on for a private cluster's "
      + 'subnetwork, and the declaration would fight it. Fix: remove privateGoogleAccess (it defaults to true), or use public nodes'],
    ['private nodes with neither NAT nor Private Google Access', { privateNodes: true, network: net({ privateGoogleAccess: false, cloudNat: CloudNat.NONE }) },
      "GkeCluster 'serving': 'network.privateGoogleAccess' (false) must be true for private nodes without Cloud NAT: they would reach no Google API (image pulls from Artifact Registry, Cloud Storage models, Logging). Fix: remove privateGoogleAccess (it defaults to true), or add cloudNat: CloudNat.CREATE"],
    ['one name for both ranges', { network: net({ podsRangeName: 'r', servicesRangeName: 'r' }) },
      "GkeCluster 'serving': 'network.servicesRangeName' (\"r\") must differ from podsRangeName (a subnetwork's secondary ranges have unique names). Fix: name them 'pods' and 'services'"],
    ['one range name of an existing subnetwork', { network: ClusterNetwork.existing({ networkName: 'n', subnetworkName: 's', podsRangeName: 'p' }) },
      "GkeCluster 'serving': 'network.servicesRangeName' (undefined) must be set together with the other secondary range name (GKE takes both ranges from the subnetwork or creates both). Fix: set network.servicesRangeName to the name of the subnetwork's secondary range, or remove both"],
    ['the other range name missing', { network: ClusterNetwork.existing({ networkName: 'n', subnetworkName: 's', servicesRangeName: 's' }) },
      "GkeCluster 'serving': 'network.podsRangeName' (undefined) must be set together with the other secondary range name (GKE takes both ranges from the subnetwork or creates both). Fix: set network.podsRangeName to the name of the subnetwork's secondary range, or remove both"],
    ['a network name Compute Engine refuses', { network: net({ networkName: 'Bad_Name' }) },
      "GkeCluster 'serving': 'network.networkName' (\"Bad_Name\") must be a Compute Engine resource name: a lower-case letter, then at most 62 lower-case letters, digits or '-', not ending with '-'. Fix: name it like 'serving-vpc'"],
    ['a range name starting with a digit', { network: net({ podsRangeName: '1pods' }) },
      "GkeCluster 'serving': 'network.podsRangeName' (\"1pods\") must be a secondary range name: a lower-case letter, then at most 62 lower-case letters, digits or '-'. Fix: name it like 'pods'"],
    ['a private endpoint with public nodes', { privateEndpoint: true },
      "GkeCluster 'serving': 'privateEndpoint' (true) must be set only together with privateNodes: true (a cluster with public nodes keeps a public endpoint). Fix: set privateNodes: true, or remove privateEndpoint"],
    ['a public authorized network next to a private endpoint (GKE: "is not a reserved network, which is required for private endpoints")', {
      privateNodes: true, privateEndpoint: true, masterAuthorizedNetworks: [{ cidr: '10.0.0.0/8' }, { cidr: '8.8.8.0/24' }],
    }, "GkeCluster 'serving': 'masterAuthorizedNetworks[1].cidr' (\"8.8.8.0/24\") must lie in an internal range with privateEndpoint: true (RFC 1918, 100.64.0.0/10 "
      + 'or another range Google Cloud lists as a valid subnet range): GKE rejects public ranges for a private endpoint. Fix: list the VPC or VPN ranges that '
      + 'reach the control plane, or set privateEndpoint: false to authorize public addresses'],
    ['an authorized network that only starts in an internal range, with a private endpoint', {
      privateNodes: true, privateEndpoint: true, masterAuthorizedNetworks: [{ cidr: '10.0.0.0/7' }],
    }, "GkeCluster 'serving': 'masterAuthorizedNetworks[0].cidr' (\"10.0.0.0/7\") must lie in an internal range with privateEndpoint: true (RFC 1918, 100.64.0.0/10 "
      + 'or another range Google Cloud lists as a valid subnet range): GKE rejects public ranges for a private endpoint. Fix: list the VPC or VPN ranges that '
      + 'reach the control plane, or set privateEndpoint: false to authorize public addresses'],
    ['an authorized network with host bits', { masterAuthorizedNetworks: [{ cidr: '203.0.113.1/24' }] },
      "GkeCluster 'serving': 'masterAuthorizedNetworks[0].cidr' (\"203.0.113.1/24\") must be an IPv4 range a.b.c.d/n whose address is the range's first (no host bits set). Fix: write it as '203.0.113.0/24' (a single address as '203.0.113.7/32')"],
  ])('%s', (_, props, message) => {
    expect(attempt(props)).toThrow(message);
  });
});
