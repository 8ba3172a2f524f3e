import { Ipv4Range, parseCidr, rangesOverlap } from './cidr';
import { fail } from '../core/errors';
import { DNS_1035_LABEL } from '../core/names';

/**
 * Whether the cluster's nodes get Cloud NAT for egress to the internet.
 *
 * Private nodes have internal addresses only: without Cloud NAT they reach Google APIs (Cloud Storage, Artifact
 * Registry, Logging) through Private Google Access, and nothing else (Docker Hub, S3, any HTTP host).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation
 */
export enum CloudNat {
  /** Create a Cloud Router and a Cloud NAT gateway for the cluster's subnetwork (all its ranges). */
  CREATE = 'CREATE',
  /** The network already has Cloud NAT for the subnetwork, managed elsewhere; nothing is created. */
  EXISTING = 'EXISTING',
  /** No Cloud NAT: private nodes reach Google APIs only. */
  NONE = 'NONE',
}

/**
 * A new VPC network and subnetwork for the cluster, for {@link ClusterNetwork.create}.
 */
export interface NewClusterNetworkOptions {
  /**
   * Name of the VPC network (custom mode: no automatic subnetworks).
   *
   * @default - `CLUSTER-vpc`
   */
  readonly networkName?: string;

  /**
   * Name of the subnetwork in the cluster's region.
   *
   * @default - `CLUSTER-nodes`
   */
  readonly subnetworkName?: string;

  /** The subnetwork's primary range: node addresses (and the internal load balancers'), e.g. `10.0.0.0/20`. */
  readonly nodesCidr: string;

  /** The secondary range for Pod addresses, e.g. `10.4.0.0/14`. */
  readonly podsCidr: string;

  /** The secondary range for Service (ClusterIP) addresses, e.g. `10.8.0.0/20`. */
  readonly servicesCidr: string;

  /**
   * Name of the Pods' secondary range.
   *
   * @default 'pods'
   */
  readonly podsRangeName?: string;

  /**
   * Name of the Services' secondary range.
   *
   * @default 'services'
   */
  readonly servicesRangeName?: string;

  /**
   * Private Google Access on the subnetwork (`privateIpGoogleAccess`): nodes without external addresses reach Google
   * APIs (Cloud Storage models, Artifact Registry images, Logging and Monitoring). Only public nodes may turn it
   * off: GKE turns it on for a private cluster's subnetwork, so `false` with `privateNodes` is refused.
   *
   * @default true
   * @see https://cloud.google.com/vpc/docs/private-google-access
   */
  readonly privateGoogleAccess?: boolean;

  /**
   * Cloud NAT for the subnetwork.
   *
   * @default - CloudNat.CREATE with private nodes, CloudNat.NONE otherwise
   */
  readonly cloudNat?: CloudNat;
}

/**
 * An existing VPC network and subnetwork, for {@link ClusterNetwork.existing}.
 */
export interface ExistingClusterNetworkOptions {
  /** Name of the VPC network, in the cluster's project. */
  readonly networkName: string;

  /** Name of the subnetwork, in the cluster's region. */
  readonly subnetworkName: string;

  /**
   * Name of the subnetwork's secondary range for Pods. Set it together with `servicesRangeName`.
   *
   * @default - GKE creates the Pods' secondary range on the subnetwork
   */
  readonly podsRangeName?: string;

  /**
   * Name of the subnetwork's secondary range for Services. Set it together with `podsRangeName`.
   *
   * @default - GKE creates the Services' secondary range on the subnetwork
   */
  readonly servicesRangeName?: string;

  /**
   * Cloud NAT for the subnetwork: declare `EXISTING` when the network already has it, or `CREATE` a router and NAT
   * gateway on the existing network.
   *
   * @default CloudNat.NONE
   */
  readonly cloudNat?: CloudNat;
}

/**
 * The VPC network a {@link GkeCluster} runs on: a new one (network, subnetwork with Pod and Service secondary ranges,
 * optionally Cloud NAT) or an existing one.
 *
 * @example
 * ClusterNetwork.create({ nodesCidr: '10.0.0.0/20', podsCidr: '10.4.0.0/14', servicesCidr: '10.8.0.0/20' })
 */
export class ClusterNetwork {
  /**
   * A new custom-mode VPC network and one subnetwork in the cluster's region.
   *
   * @param options the ranges and names
   */
  public static create(options: NewClusterNetworkOptions): ClusterNetwork {
    return new ClusterNetwork(true, options);
  }

  /**
   * A VPC network and subnetwork that exist already (in the cluster's project and region).
   *
   * @param options their names and the subnetwork's secondary range names
   */
  public static existing(options: ExistingClusterNetworkOptions): ClusterNetwork {
    return new ClusterNetwork(false, options);
  }

  private constructor(
    /** @internal */
    public readonly _create: boolean,
    /** @internal */
    public readonly _options: NewClusterNetworkOptions | ExistingClusterNetworkOptions,
  ) {}
}

/**
 * The resolved network of a cluster, engine-neutral: Config Connector renders it as ComputeNetwork, ComputeSubnetwork,
 * ComputeRouter and ComputeRouterNAT; the Pulumi layer as `gcp.compute.Network`, `Subnetwork`, `Router`, `RouterNat`.
 */
export interface ClusterNetworkSpec {
  /** Whether the network and subnetwork are created (else referenced). */
  readonly created: boolean;
  /** Project of the network. */
  readonly project: string;
  /** Region of the subnetwork (the cluster's). */
  readonly region: string;
  /** VPC network name. */
  readonly networkName: string;
  /** Subnetwork name. */
  readonly subnetworkName: string;
  /** `projects/PROJECT/global/networks/NAME`. */
  readonly networkId: string;
  /** `projects/PROJECT/regions/REGION/subnetworks/NAME`. */
  readonly subnetworkId: string;
  /** Primary range of a created subnetwork. */
  readonly nodesCidr?: string;
  /** Pods' secondary range of a created subnetwork. */
  readonly podsCidr?: string;
  /** Services' secondary range of a created subnetwork. */
  readonly servicesCidr?: string;
  /** Name of the Pods' secondary range (`ipAllocationPolicy.clusterSecondaryRangeName`); undefined when GKE makes it. */
  readonly podsRangeName?: string;
  /** Name of the Services' secondary range (`ipAllocationPolicy.servicesSecondaryRangeName`); undefined when GKE makes it. */
  readonly servicesRangeName?: string;
  /** Private Google Access on a created subnetwork. */
  readonly privateIpGoogleAccess: boolean;
  /** The Cloud Router and NAT gateway to create, if any. */
  readonly cloudNat?: { readonly routerName: string; readonly natName: string };
  /** Whether the subnetwork has Cloud NAT (created here or declared existing). */
  readonly natEgress: boolean;
}

/** What the cluster tells the network resolver. */
export interface ClusterNetworkContext {
  /** Subject of messages, e.g. `GkeCluster 'serving'`. */
  readonly subject: string;
  /** Cluster name (default names derive from it). */
  readonly clusterName: string;
  /** Project. */
  readonly project: string;
  /** The cluster's region. */
  readonly region: string;
  /** Private nodes. */
  readonly privateNodes: boolean;
  /** The control plane's /28, when set (must not overlap the subnetwork's ranges). */
  readonly controlPlaneCidr?: string;
}

/**
 * Resolves a {@link ClusterNetwork} into its spec, checking names, ranges (valid, network addresses, no two
 * overlapping, the control plane's /28 included) and the NAT choice. Pure.
 *
 * @throws ConfigError for the first rule broken
 */
export function resolveClusterNetwork(ctx: ClusterNetworkContext, network: ClusterNetwork): ClusterNetworkSpec {
  const { subject } = ctx;
  const o = network._options;
  const name = (prop: string, value: string) => {
    // Compute Engine resource names are RFC 1035 labels: https://cloud.google.com/compute/docs/naming-resources
    if (!DNS_1035_LABEL.test(value)) {
      fail(subject, prop, value, 'be a Compute Engine resource name: a lower-case letter, then at most 62 lower-case letters, digits or \'-\', not ending with \'-\'',
        `name it like '${ctx.clusterName}-vpc'`);
    }
    return value;
  };
  const rangeName = (prop: string, value: string) => {
    if (!DNS_1035_LABEL.test(value)) {
      fail(subject, prop, value, 'be a secondary range name: a lower-case letter, then at most 62 lower-case letters, digits or \'-\'', 'name it like \'pods\'');
    }
    return value;
  };
  const cloudNat = o.cloudNat ?? (network._create && ctx.privateNodes ? CloudNat.CREATE : CloudNat.NONE);
  const networkName = name('network.networkName', o.networkName ?? `${ctx.clusterName}-vpc`);
  const subnetworkName = name('network.subnetworkName', o.subnetworkName ?? `${ctx.clusterName}-nodes`);
  const ids = {
    networkId: `projects/${ctx.project}/global/networks/${networkName}`,
    subnetworkId: `projects/${ctx.project}/regions/${ctx.region}/subnetworks/${subnetworkName}`,
  };
  const nat = cloudNat === CloudNat.CREATE ? { routerName: `${ctx.clusterName}-router`, natName: `${ctx.clusterName}-nat` } : undefined;
  if (!network._create) {
    const e = o as ExistingClusterNetworkOptions;
    if ((e.podsRangeName === undefined) !== (e.servicesRangeName === undefined)) {
      const missing = e.podsRangeName === undefined ? 'podsRangeName' : 'servicesRangeName';
      fail(subject, `network.${missing}`, undefined, 'be set together with the other secondary range name (GKE takes both ranges from the subnetwork or creates both)',
        `set network.${missing} to the name of the subnetwork's secondary range, or remove both`);
    }
    return {
      created: false, project: ctx.project, region: ctx.region, networkName, subnetworkName, ...ids,
      podsRangeName: e.podsRangeName === undefined ? undefined : rangeName('network.podsRangeName', e.podsRangeName),
      servicesRangeName: e.servicesRangeName === undefined ? undefined : rangeName('network.servicesRangeName', e.servicesRangeName),
      // GKE turns Private Google Access on for the subnetwork of a private cluster in the same project.
      // https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept#overview (Using Private Google Access)
      privateIpGoogleAccess: ctx.privateNodes,
      cloudNat: nat,
      natEgress: cloudNat !== CloudNat.NONE,
    };
  }
  const c = o as NewClusterNetworkOptions;
  if (cloudNat === CloudNat.EXISTING) {
    fail(subject, 'network.cloudNat', cloudNat, 'not be EXISTING for a network created here (no NAT can exist on it yet)',
      'use CloudNat.CREATE, or CloudNat.NONE');
  }
  const privateIpGoogleAccess = c.privateGoogleAccess ?? true;
  if (ctx.privateNodes && !privateIpGoogleAccess && cloudNat === CloudNat.NONE) {
    fail(subject, 'network.privateGoogleAccess', false,
      'be true for private nodes without Cloud NAT: they would reach no Google API (image pulls from Artifact Registry, Cloud Storage models, Logging)',
      'remove privateGoogleAccess (it defaults to true), or add cloudNat: CloudNat.CREATE');
  }
  // with NAT too: GKE turns Private Google Access on for a same-project private cluster's subnetwork (see the existing
  // network above), so a declared false would be reverted by GKE and re-applied by Config Connector or Pulumi forever.
  if (ctx.privateNodes && !privateIpGoogleAccess) {
    fail(subject, 'network.privateGoogleAccess', false,
      'be true for private nodes: GKE turns Private Google Access on for a private cluster\'s subnetwork, and the declaration would fight it',
      'remove privateGoogleAccess (it defaults to true), or use public nodes');
  }
  const podsRangeName = rangeName('network.podsRangeName', c.podsRangeName ?? 'pods');
  const servicesRangeName = rangeName('network.servicesRangeName', c.servicesRangeName ?? 'services');
  if (podsRangeName === servicesRangeName) {
    fail(subject, 'network.servicesRangeName', servicesRangeName, 'differ from podsRangeName (a subnetwork\'s secondary ranges have unique names)',
      'name them \'pods\' and \'services\'');
  }
  const ranges: Array<[string, Ipv4Range]> = [];
  const range = (prop: string, cidr: string, fix: string) => {
    const r = parseCidr(cidr);
    if (!r) {
      fail(subject, prop, cidr, 'be an IPv4 range a.b.c.d/n whose address is the range\'s first (no host bits set)', fix);
    }
    // https://cloud.google.com/vpc/docs/subnets#valid-ranges: subnet ranges (primary and secondary) take /8 to /29.
    if (r.prefix < 8 || r.prefix > 29) {
      fail(subject, prop, cidr, 'have a prefix length from /8 to /29 (Compute Engine\'s subnet range sizes)', fix);
    }
    ranges.push([prop, r]);
    return cidr;
  };
  const nodesCidr = range('network.nodesCidr', c.nodesCidr, 'use a private range such as \'10.0.0.0/20\'');
  const podsCidr = range('network.podsCidr', c.podsCidr, 'use a private range such as \'10.4.0.0/14\'');
  const servicesCidr = range('network.servicesCidr', c.servicesCidr, 'use a private range such as \'10.8.0.0/20\'');
  const plane = ctx.controlPlaneCidr !== undefined ? parseCidr(ctx.controlPlaneCidr) : undefined;
  if (plane) ranges.push(['controlPlaneCidr', plane]);
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < i; j++) {
      if (rangesOverlap(ranges[i][1], ranges[j][1])) {
        fail(subject, ranges[i][0], ranges[i][1].cidr, `not overlap ${ranges[j][0]} (${ranges[j][1].cidr}): GKE needs distinct ranges for nodes, Pods, Services and the control plane`,
          `move ${ranges[i][0]} to a free range`);
      }
    }
  }
  return {
    created: true, project: ctx.project, region: ctx.region, networkName, subnetworkName, ...ids,
    nodesCidr, podsCidr, servicesCidr, podsRangeName, servicesRangeName, privateIpGoogleAccess,
    cloudNat: nat,
    natEgress: cloudNat !== CloudNat.NONE,
  };
}
