import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from './accelerator';
import type { GkeCluster } from './gke-cluster';
import { GpuNodeConfig, GuestAcceleratorSpec } from './gpu-node-config';
import { MachineType } from './machine-type';
import { hashedPoolName, NODE_POOL_NAME_LABEL, POOL_NAME_HASH_LENGTH, PoolReplacement } from './pool-replacement';
import { ReleaseChannel } from './release-channel';
import { planRollout, replicasPerNode, validateGpusPerReplica, validateNodeCountRange, validateSharedGpuRequest, validateWorkloadFitsNode } from './rules';
import { fail, show, subjectOf } from '../core/errors';
import { checkLabels, isLabelValue, isQualifiedName } from '../core/kubernetes';
import { GCE_NAME_PART, GKE_RESOURCE_NAME, GSA_EMAIL, PROJECT_ID_PART, ZONE } from '../core/names';
import { RolloutBudget, RuleContext, WorkloadRequest } from '../core/rule-context';
import { ContainerNodePool, ContainerNodePoolSpec } from '../imports/container.cnrm.cloud.google.com';
import { KCC_DELETION_POLICY_ANNOTATION, KCC_PROJECT_ANNOTATION } from '../private/config-connector';
import { claimUniqueName, ensureUniqueObjectNames } from '../private/unique-names';
import type { ImagePreload } from '../serving/cold-start';
import type { IServingPlacement, NodeEgress } from '../serving/placement';

/**
 * The OS image of a node pool's nodes.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/node-images
 */
export class ImageType {
  /** Container-Optimized OS with containerd: GKE's default, and the image the NVIDIA driver installer DaemonSet targets. */
  public static readonly COS_CONTAINERD = new ImageType('COS_CONTAINERD');
  /** Ubuntu with containerd. */
  public static readonly UBUNTU_CONTAINERD = new ImageType('UBUNTU_CONTAINERD');

  /**
   * An image type by its GKE name, e.g. `WINDOWS_LTSC_CONTAINERD`.
   *
   * @param name the GKE image type (`gcloud container get-server-config` lists them)
   */
  public static of(name: string): ImageType {
    return [ImageType.COS_CONTAINERD, ImageType.UBUNTU_CONTAINERD].find((t) => t.name === name) ?? new ImageType(name);
  }

  /** The GKE image type name. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** Whether this is a Container-Optimized OS image. */
  public get isCos(): boolean {
    return this.name.startsWith('COS');
  }

  /** The GKE image type name. */
  public toString(): string {
    return this.name;
  }
}

/**
 * The boot disk type of a node pool's nodes.
 *
 * @see https://cloud.google.com/compute/docs/disks#disk-types
 */
export class DiskType {
  /** Standard persistent disk (HDD). */
  public static readonly PD_STANDARD = new DiskType('pd-standard');
  /** Balanced persistent disk (SSD): GKE's default. */
  public static readonly PD_BALANCED = new DiskType('pd-balanced');
  /** SSD persistent disk. */
  public static readonly PD_SSD = new DiskType('pd-ssd');
  /** Hyperdisk Balanced, for machine series that take Hyperdisk only (e.g. C4, N4). */
  public static readonly HYPERDISK_BALANCED = new DiskType('hyperdisk-balanced');

  /**
   * A disk type by its Compute Engine name.
   *
   * @param name e.g. `pd-extreme`
   */
  public static of(name: string): DiskType {
    return [DiskType.PD_STANDARD, DiskType.PD_BALANCED, DiskType.PD_SSD, DiskType.HYPERDISK_BALANCED]
      .find((t) => t.name === name) ?? new DiskType(name);
  }

  /** The Compute Engine disk type name. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The disk type name. */
  public toString(): string {
    return this.name;
  }
}

/**
 * What `minNodes` and `maxNodes` count.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler#minimum_and_maximum_node_pool_size
 */
export enum AutoscalingScope {
  /** Nodes of the whole pool, across its zones (`totalMinNodeCount` / `totalMaxNodeCount`). */
  TOTAL = 'TOTAL',
  /** Nodes in each zone of the pool (`minNodeCount` / `maxNodeCount`), as `gcloud --min-nodes/--max-nodes` do. */
  PER_ZONE = 'PER_ZONE',
}

/**
 * How the cluster autoscaler spreads new nodes over the pool's zones.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler#location_policy
 */
export enum LocationPolicy {
  /** Keep the zones balanced. */
  BALANCED = 'BALANCED',
  /** Take capacity wherever it is available (and use unused reservations first); suits Spot VMs and scarce GPUs. */
  ANY = 'ANY',
}

/**
 * How GKE uses a secondary boot disk.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/data-container-image-preloading
 */
export enum SecondaryBootDiskMode {
  /** The disk holds container images (built with gke-disk-image-builder); containerd reads them from it instead of pulling. */
  CONTAINER_IMAGE_CACHE = 'CONTAINER_IMAGE_CACHE',
  /** The disk holds data, mounted on the node under `/mnt/disks/gke-secondary-disks/gke-DISK_IMAGE_NAME-disk`. */
  DATA = 'MODE_UNSPECIFIED',
}

/**
 * A secondary boot disk of every node of a pool: a Compute Engine disk image preloaded with container images or data.
 */
export interface SecondaryBootDisk {
  /**
   * The disk image: `global/images/NAME` (the cluster's project) or `projects/PROJECT/global/images/NAME`.
   */
  readonly diskImage: string;
  /**
   * What the disk holds.
   *
   * @default SecondaryBootDiskMode.CONTAINER_IMAGE_CACHE
   */
  readonly mode?: SecondaryBootDiskMode;
}

/**
 * A Kubernetes taint that every node of the pool carries.
 */
export interface NodeTaint {
  /** Taint key, e.g. `dedicated`. */
  readonly key: string;
  /** Taint value, e.g. `serving`. */
  readonly value: string;
  /** What the taint does to Pods that do not tolerate it. */
  readonly effect: kplus.TaintEffect;
}

/**
 * Settings of a node pool, for `GkeCluster.addNodePool()`.
 */
export interface NodePoolOptions {
  /**
   * The pool's declared name: the value of its `tfserving-constructs.io/node-pool` node label, which workloads select, and
   * the start of its GKE name (`<name>-<hash>`; with `PoolReplacement.DELETE_BEFORE_CREATE`, the GKE name itself and
   * the value of `cloud.google.com/gke-nodepool`). At most 33 characters, or 40 with `DELETE_BEFORE_CREATE`.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * How the pool is replaced when a field that cannot be updated in place changes (an accelerator, Spot, Secure Boot,
   * the node service account …; see `poolReplacementFields`). `CREATE_BEFORE_DELETE` gives the pool a GKE name with a
   * hash of those fields and a stable node label for workloads, so a successor is created before the serving pool goes.
   * Pools created by releases before this option keep their GKE name only with `DELETE_BEFORE_CREATE`: switching an
   * existing pool to `CREATE_BEFORE_DELETE` is itself a replacement (README, "Replacing a node pool").
   *
   * @default PoolReplacement.CREATE_BEFORE_DELETE
   */
  readonly replacement?: PoolReplacement;

  /**
   * The machine type of the nodes.
   *
   * @default MachineType.of('e2-standard-4') for a `NodePool`; required for a `GpuNodePool`
   */
  readonly machineType?: MachineType;

  /**
   * Fewest nodes the cluster autoscaler keeps (0 lets the pool scale to zero). Counted as `autoscalingScope` says.
   *
   * @default 1 for a `NodePool`, 0 for a `GpuNodePool` or a `queuedProvisioning` pool
   */
  readonly minNodes?: number;

  /**
   * Most nodes the cluster autoscaler adds. Counted as `autoscalingScope` says.
   *
   * @default - the larger of `minNodes` and 3
   */
  readonly maxNodes?: number;

  /**
   * What `minNodes` and `maxNodes` count: the whole pool, or each zone.
   *
   * @default AutoscalingScope.TOTAL
   */
  readonly autoscalingScope?: AutoscalingScope;

  /**
   * How the autoscaler spreads new nodes over zones.
   *
   * @default - `ANY` on a `queuedProvisioning` pool; else GKE's default: `ANY` for Spot VM pools, `BALANCED` otherwise
   */
  readonly locationPolicy?: LocationPolicy;

  /**
   * A fixed number of nodes per zone, without the cluster autoscaler. Exclusive with `minNodes`,
   * `maxNodes`, `autoscalingScope` and `locationPolicy`.
   *
   * @default - autoscaled between `minNodes` and `maxNodes`
   */
  readonly nodeCount?: number;

  /**
   * Spot VMs: up to 60-91% cheaper, reclaimable at any time with 30 s notice. GKE labels the nodes
   * `cloud.google.com/gke-spot: "true"`.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/spot-vms
   */
  readonly spot?: boolean;

  /**
   * Preemptible VMs (the predecessor of Spot VMs: at most 24 hours). Exclusive with `spot`.
   *
   * @default false
   */
  readonly preemptible?: boolean;

  /**
   * Boot disk size, a whole number of GiB (Compute Engine's "GB"), at least 10.
   *
   * @default - GKE's default, 100 GB
   */
  readonly diskSize?: Size;

  /**
   * Boot disk type.
   *
   * @default - GKE's default, pd-balanced
   */
  readonly diskType?: DiskType;

  /**
   * The node OS image.
   *
   * @default ImageType.COS_CONTAINERD
   */
  readonly imageType?: ImageType;

  /**
   * Image streaming (`nodeConfig.gcfsConfig.enabled`): containerd mounts eligible images (Artifact Registry, or public
   * Docker Hub images such as `tensorflow/serving`) from a remote file system and fetches their data as it is read, so a
   * multi-GB `-gpu` image starts in seconds instead of after a full pull. Needs `ImageType.COS_CONTAINERD` and the
   * Container File System API (`containerfilesystem.googleapis.com`) enabled in the project.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/image-streaming
   */
  readonly imageStreaming?: boolean;

  /**
   * Secondary boot disks (`nodeConfig.secondaryBootDisks`): each node gets a disk created from the image, preloaded with
   * container images or data (GKE 1.28.3-gke.1067000 or later). Needs `imageStreaming`. Only the Pulumi engine
   * (`GkeServingStack`) renders them: Config Connector's ContainerNodePool has no such field, so a cdk8s synth of a
   * pool that declares them fails.
   *
   * @default - none
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/data-container-image-preloading
   */
  readonly secondaryBootDisks?: SecondaryBootDisk[];

  /**
   * Shielded GKE node Secure Boot (`nodeConfig.shieldedInstanceConfig.enableSecureBoot`, immutable): the node's
   * firmware verifies the signature of every boot component, so rootkits and bootkits cannot load. Off by default on a
   * GpuNodePool: whether every NVIDIA driver path (GKE-installed on COS, the driver-installer DaemonSet on Ubuntu) loads
   * its kernel modules under Secure Boot is not something this library has verified, so GPU pools opt in.
   *
   * @default - true on a NodePool, false on a GpuNodePool
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes#secure_boot
   */
  readonly secureBoot?: boolean;

  /**
   * Shielded GKE node integrity monitoring (`nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring`, immutable):
   * Cloud Monitoring compares each boot's measurements with the baseline of the node's first boot.
   *
   * @default true
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes#integrity_monitoring
   */
  readonly integrityMonitoring?: boolean;

  /**
   * Kubernetes labels on every node.
   *
   * @default - none beyond the labels GKE sets
   */
  readonly labels?: Record<string, string>;

  /**
   * Kubernetes taints on every node. `tolerations()` tolerates them.
   *
   * @default - none (a `GpuNodePool` always adds `nvidia.com/gpu=present:NoSchedule`)
   */
  readonly taints?: NodeTaint[];

  /**
   * Zones of the pool's nodes, all in the cluster's region. Required for a GPU pool on a regional cluster: list
   * zones that offer the GPU.
   *
   * @default - the cluster's zones
   */
  readonly nodeLocations?: string[];

  /**
   * Email of the Google service account the nodes run as. The nodes then get the `cloud-platform`
   * OAuth scope, and IAM alone limits what they may do.
   *
   * @default - the Compute Engine default service account, with GKE's default scopes
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa
   */
  readonly serviceAccount?: string;

  /**
   * Node auto-repair.
   *
   * @default true; false on a `queuedProvisioning` pool (GKE's documented command passes `--no-enable-autorepair`)
   */
  readonly autoRepair?: boolean;

  /**
   * Node auto-upgrade. Must stay on in a cluster enrolled in a release channel.
   *
   * @default true
   */
  readonly autoUpgrade?: boolean;

  /**
   * Surge upgrades: extra nodes created at once during an upgrade.
   *
   * @default 1
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies#surge
   */
  readonly maxSurge?: number;

  /**
   * Surge upgrades: nodes that may be unavailable at once during an upgrade.
   *
   * @default 0
   */
  readonly maxUnavailable?: number;

  /**
   * Which Compute Engine reservations the nodes consume (`nodeConfig.reservationAffinity`, immutable), e.g. a GPU
   * reservation bought for serving. Spot and preemptible VMs never consume reservations: a specific one is refused there.
   *
   * @default - GKE's default (consume any matching reservation); `ReservationAffinity.none()` on a `queuedProvisioning` pool
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/consuming-reservations
   */
  readonly reservationAffinity?: ReservationAffinity;

  /**
   * Dynamic Workload Scheduler queued provisioning (`queuedProvisioning.enabled`, immutable): nodes come only through
   * the cluster autoscaler's ProvisioningRequest API, all at once when capacity is available. Plain Pods (a
   * TfServingModel's Deployment) never scale such a pool up: use it for batch work that creates ProvisioningRequests.
   * Needs autoscaling (no `nodeCount`), and no reservation: the pool renders `ReservationAffinity.none()` unless
   * set, and any other affinity is refused. Like GKE's documented create command (`--num-nodes=0
   * --location-policy=ANY --no-enable-autorepair --reservation-affinity=none`), a queued pool defaults to
   * `minNodes: 0`, `locationPolicy: ANY` and `autoRepair: false`; explicit values are kept as given.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest
   */
  readonly queuedProvisioning?: boolean;

  /**
   * Compact placement (`placementPolicy.type: COMPACT`, immutable): GKE places the nodes close together in one zone,
   * for lower latency between them. Only on the machine series GKE lists for it, and in one zone.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement
   */
  readonly compactPlacement?: boolean;
}

/**
 * Machine series GKE offers compact placement on, as the "Limitations" of GKE's compact-placement page list them
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement, revision of 2025/2026): C2, C2D, C3, C3D,
 * C4A, C4D (GKE 1.33.0-gke.1439000 or later), C4N, H3, H4D, N2, N2D and Z4D, and the GPU series of A100 (A2), L4 (G2)
 * and H100 (A3). The list is read from the page's Autopilot section: the copies we could read cut off the Standard
 * section's own list, so a Standard-only difference is not reflected. A series outside it is refused rather than left
 * to fail at pool creation; a newer family GKE adds needs an entry here.
 */
const COMPACT_PLACEMENT_SERIES: readonly string[] = ['a2', 'a3', 'c2', 'c2d', 'c3', 'c3d', 'c4a', 'c4d', 'c4n', 'g2', 'h3', 'h4d', 'n2', 'n2d', 'z4d'];

/** How a node pool consumes Compute Engine reservations. */
export enum ReservationConsumption {
  /** Consume no reservation. */
  NO_RESERVATION = 'NO_RESERVATION',
  /** Consume any matching reservation (GKE's default). */
  ANY_RESERVATION = 'ANY_RESERVATION',
  /** Consume only the named reservation. */
  SPECIFIC_RESERVATION = 'SPECIFIC_RESERVATION',
}

/** A node pool's reservation affinity (`nodeConfig.reservationAffinity`). */
export class ReservationAffinity {
  /** Consume no reservation. */
  public static none(): ReservationAffinity {
    return new ReservationAffinity(ReservationConsumption.NO_RESERVATION);
  }

  /** Consume any matching reservation. */
  public static any(): ReservationAffinity {
    return new ReservationAffinity(ReservationConsumption.ANY_RESERVATION);
  }

  /**
   * Consume only this reservation (created with `--require-specific-reservation` or shared with the project).
   *
   * @param reservationName the reservation's name, or `projects/PROJECT/reservations/NAME` for a shared one
   */
  public static specific(reservationName: string): ReservationAffinity {
    return new ReservationAffinity(ReservationConsumption.SPECIFIC_RESERVATION, reservationName);
  }

  private constructor(
    /** How reservations are consumed. */
    public readonly consumption: ReservationConsumption,
    /** The reservation's name, for SPECIFIC_RESERVATION. */
    public readonly reservationName?: string,
  ) {}
}

/** The label key GKE matches a specific reservation by (gcloud's --reservation-affinity=specific). */
const RESERVATION_NAME_KEY = 'compute.googleapis.com/reservation-name';

/**
 * Properties of a {@link NodePool}.
 */
export interface NodePoolProps extends NodePoolOptions {
  /** The cluster the pool belongs to. */
  readonly cluster: GkeCluster;
}

/** A node taint as the GKE API spells it (`effect` upper-case with underscores). */
export interface NodePoolTaintSpec {
  /** Taint key. */
  readonly key: string;
  /** Taint value. */
  readonly value: string;
  /** `NO_SCHEDULE`, `PREFER_NO_SCHEDULE` or `NO_EXECUTE`. */
  readonly effect: string;
}

/**
 * The resolved, engine-neutral description of a node pool: every default applied, names as the GKE API
 * has them. cdk8s renders it as a Config Connector ContainerNodePool; the Pulumi layer renders the same
 * object as `gcp.container.NodePool`.
 */
export interface NodePoolSpec {
  /** The pool's declared name (the `tfserving-constructs.io/node-pool` label's value; the Pulumi resource name's suffix). */
  readonly name: string;
  /** How the pool is replaced; decides the GKE names, the node label workloads select and Pulumi's `deleteBeforeReplace`. */
  readonly replacement: PoolReplacement;
  /**
   * The GKE node pool name each engine creates: `<name>-<hash>` of the fields that engine cannot update in place
   * (`hashedPoolName`), or `name` with `PoolReplacement.DELETE_BEFORE_CREATE`.
   */
  readonly gkeNames: { readonly configConnector: string; readonly pulumi: string };
  /** GKE name of the cluster. */
  readonly clusterName: string;
  /** Google Cloud project. */
  readonly project: string;
  /** The cluster's location (region or zone). */
  readonly location: string;
  /** Machine type name. */
  readonly machineType: string;
  /** Node image type. */
  readonly imageType: string;
  /** Image streaming (`gcfsConfig.enabled`); rendered only when true. */
  readonly imageStreaming: boolean;
  /** Secondary boot disks, when set (rendered by the Pulumi engine only). */
  readonly secondaryBootDisks?: readonly { readonly diskImage: string; readonly mode: string }[];
  /** Shielded node options (`nodeConfig.shieldedInstanceConfig`), always rendered. */
  readonly shieldedInstance: { readonly secureBoot: boolean; readonly integrityMonitoring: boolean };
  /** Boot disk size in GB, when set. */
  readonly diskSizeGb?: number;
  /** Boot disk type, when set. */
  readonly diskType?: string;
  /** Spot VMs. */
  readonly spot: boolean;
  /** Preemptible VMs. */
  readonly preemptible: boolean;
  /** Node labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Node taints. */
  readonly taints: readonly NodePoolTaintSpec[];
  /** GPUs, for a GPU pool. */
  readonly guestAccelerator?: GuestAcceleratorSpec;
  /** Cluster autoscaler bounds, unless the pool has a fixed size. */
  readonly autoscaling?: {
    /** Whether the bounds count the whole pool (`total*NodeCount`) or each zone (`*NodeCount`). */
    readonly scope: AutoscalingScope;
    /** Fewest nodes. */
    readonly minNodeCount: number;
    /** Most nodes. */
    readonly maxNodeCount: number;
    /** Location policy, when set. */
    readonly locationPolicy?: LocationPolicy;
  };
  /** Fixed nodes per zone, for a pool without autoscaling. */
  readonly nodeCount?: number;
  /** Nodes per zone at creation, when derived (an autoscaled pool starts at its minimum). */
  readonly initialNodeCount?: number;
  /** Zones of the nodes, when set. */
  readonly nodeLocations?: readonly string[];
  /** `GKE_METADATA` on a Workload Identity cluster, else `GCE_METADATA`. */
  readonly workloadMetadataMode: 'GKE_METADATA' | 'GCE_METADATA';
  /** Email of the nodes' Google service account, when set. */
  readonly serviceAccount?: string;
  /** OAuth scopes, when set (with `serviceAccount`). */
  readonly oauthScopes?: readonly string[];
  /** Node auto-repair. */
  readonly autoRepair: boolean;
  /** Node auto-upgrade. */
  readonly autoUpgrade: boolean;
  /**
   * Keep the pool when its declaration is deleted: the cluster's `deletionProtection` (Config Connector's
   * `deletion-policy: abandon`; Pulumi's `protect`).
   */
  readonly deletionProtection: boolean;
  /** Upgrade settings (surge). */
  /** `nodeConfig.reservationAffinity`, when set (the same in both engines). */
  readonly reservationAffinity?: { readonly consumeReservationType: string; readonly key?: string; readonly values?: readonly string[] };
  /** Dynamic Workload Scheduler queued provisioning; rendered only when true. */
  readonly queuedProvisioning: boolean;
  /** Compact placement (`placementPolicy.type: COMPACT`); rendered only when true. */
  readonly compactPlacement: boolean;
  readonly upgradeSettings: {
    /** Always `SURGE`. */
    readonly strategy: 'SURGE';
    /** Extra nodes during an upgrade. */
    readonly maxSurge: number;
    /** Unavailable nodes during an upgrade. */
    readonly maxUnavailable: number;
  };
}

/** The taint GKE puts on GPU nodes; a `GpuNodePool` declares it explicitly. */
export const GPU_TAINT: NodeTaint = { key: Accelerator.RESOURCE_NAME, value: 'present', effect: kplus.TaintEffect.NO_SCHEDULE };

/** Node label GKE sets on every node to its node pool's GKE name (selected only with `PoolReplacement.DELETE_BEFORE_CREATE`). */
export const NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';

// a Compute Engine image: a lower-case letter, then at most 62 lower-case letters, digits or '-', not ending with '-'.
const DISK_IMAGE = new RegExp(`^(projects/${PROJECT_ID_PART}/)?global/images/${GCE_NAME_PART}$`);
/** A reservation: its name, or projects/PROJECT/reservations/NAME. */
const RESERVATION = new RegExp(`^(projects/${PROJECT_ID_PART}/reservations/)?${GCE_NAME_PART}$`);
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
// GKE names a pool with at most 40 characters; the hashed GKE name appends '-' and the hash.
const MAX_HASHED_DECLARED_NAME = 40 - 1 - POOL_NAME_HASH_LENGTH;
// GKE spreads a regional cluster's nodes over three zones of the region unless node locations say otherwise.
// https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters
const DEFAULT_REGIONAL_ZONES = 3;

/**
 * A GKE node pool of CPU nodes, declared as a Config Connector `ContainerNodePool`
 * (`container.cnrm.cloud.google.com/v1beta1`). `GpuNodePool` extends it for GPU nodes.
 *
 * By default: `e2-standard-4` nodes on Container-Optimized OS, autoscaled from 1 to 3 nodes in total,
 * the GKE metadata server on a Workload Identity cluster, auto-repair and auto-upgrade, surge upgrades
 * one node at a time.
 *
 * A workload lands on the pool with `nodeSelector()` and `tolerations()`; `checkWorkloadFits()` checks
 * that one replica fits on one node. The ContainerNodePool is the default child; `spec` holds the
 * resolved settings for the Pulumi layer.
 *
 * @example
 * const cpu = new NodePool(chart, 'cpu', { cluster, machineType: MachineType.of('n2-standard-8'), maxNodes: 5 });
 */
export class NodePool extends Construct implements IServingPlacement {
  /**
   * The pool's declared name: the `tfserving-constructs.io/node-pool` label of its nodes (with
   * `PoolReplacement.DELETE_BEFORE_CREATE`, the GKE name and `cloud.google.com/gke-nodepool` label). The GKE names are in
   * `spec.gkeNames`.
   */
  public readonly name: string;
  /** The cluster the pool belongs to. */
  public readonly cluster: GkeCluster;
  /** The machine type of the nodes. */
  public readonly machineType: MachineType;
  /** The GPU part of the pool (see `resolveGpuNodeConfig`); undefined for a CPU pool. */
  public readonly gpu?: GpuNodeConfig;
  /** The resolved settings, as the GKE API names them. */
  public readonly spec: NodePoolSpec;
  /** The Config Connector object (id `Resource`). */
  public readonly resource: ContainerNodePool;

  /** `Kind 'id'`, for error messages. */
  protected readonly subject: string;

  private renderedNatively = false;

  /**
   * @param scope the parent construct
   * @param id construct id; also the pool name unless `props.name` is set
   * @param props the pool's settings
   * @param gpu the resolved GPU part (`resolveGpuNodeConfig`), which `GpuNodePool` passes; omit it for a CPU pool
   */
  constructor(scope: Construct, id: string, props: NodePoolProps, gpu?: GpuNodeConfig) {
    super(scope, id);
    const kind = gpu ? 'GpuNodePool' : 'NodePool';
    const subject = subjectOf(kind, id);
    this.subject = subject;
    const cluster = props.cluster;
    this.cluster = cluster;
    const name = props.name ?? id;
    const nameProp = props.name === undefined ? 'name (from the construct id)' : 'name';
    if (!GKE_RESOURCE_NAME.test(name)) {
      fail(subject, nameProp, name,
        'be a GKE node pool name: a lower-case letter, then at most 39 lower-case letters, digits or \'-\', not ending with \'-\'',
        'pass name: \'gpu-l4\' or use such an id');
    }
    const replacement = props.replacement ?? PoolReplacement.CREATE_BEFORE_DELETE;
    const createFirst = replacement === PoolReplacement.CREATE_BEFORE_DELETE;
    if (createFirst && name.length > MAX_HASHED_DECLARED_NAME) {
      fail(subject, nameProp, name, `have at most ${MAX_HASHED_DECLARED_NAME} characters (got ${name.length}): the GKE name appends '-' and a `
        + `${POOL_NAME_HASH_LENGTH}-character hash of the pool's immutable fields, and GKE allows 40`,
      'shorten the name, or keep it as the GKE name with replacement: PoolReplacement.DELETE_BEFORE_CREATE');
    }
    this.name = name;
    this.machineType = props.machineType ?? MachineType.of('e2-standard-4');
    if (!gpu && this.machineType.gpus) {
      fail(subject, 'machineType', this.machineType.name,
        `be a machine type without GPUs in a NodePool (${this.machineType} comes with ${this.machineType.gpus.count} × ${this.machineType.gpus.accelerator})`,
        'use a GpuNodePool for GPU machine types, or a CPU machine type such as e2-standard-4');
    }
    this.gpu = gpu;

    const ctx: RuleContext = { construct: kind, id };
    const spot = props.spot ?? false;
    const preemptible = props.preemptible ?? false;
    if (spot && preemptible) {
      fail(subject, 'preemptible', true, 'not be set together with spot (a node is either a Spot VM or a preemptible VM)',
        'remove preemptible; Spot VMs replace preemptible VMs');
    }
    const autoscaling = this.resolveAutoscaling(ctx, props, gpu !== undefined);
    const nodeLocations = this.resolveNodeLocations(props.nodeLocations);
    if (gpu && cluster.regional && nodeLocations === undefined) {
      // A regional cluster's pool is created in each of the cluster's zones (three by default), and a GPU type is
      // offered in only some zones of a region: GKE then fails to create the pool. GKE's GPU guide asks for
      // --node-locations with zones that have the GPU (https://cloud.google.com/kubernetes-engine/docs/how-to/gpus,
      // "Create a GPU node pool"; zones per GPU: https://cloud.google.com/compute/docs/gpus/gpu-regions-zones).
      fail(subject, 'nodeLocations', undefined,
        `list the zones of ${cluster.region} that offer ${gpu.accelerator} when the cluster is regional (GKE otherwise creates the pool in the cluster's zones and fails in any zone without the GPU)`,
        `pass nodeLocations with zones that \`gcloud compute accelerator-types list --filter="name=${gpu.accelerator.type} AND zone~^${cluster.region}-"\` prints, e.g. ['${cluster.region}-a']`);
    }
    const diskSizeGb = props.diskSize === undefined ? undefined : diskSizeInGb(subject, props.diskSize);
    const autoUpgrade = props.autoUpgrade ?? true;
    if (!autoUpgrade && cluster.spec.releaseChannel !== ReleaseChannel.UNSPECIFIED) {
      fail(subject, 'autoUpgrade', false, `be true in a cluster enrolled in a release channel (${cluster.spec.releaseChannel})`,
        'remove autoUpgrade, or create the cluster with releaseChannel: ReleaseChannel.UNSPECIFIED');
    }
    const maxSurge = checkCount(subject, 'maxSurge', props.maxSurge ?? 1);
    const maxUnavailable = checkCount(subject, 'maxUnavailable', props.maxUnavailable ?? 0);
    if (maxSurge + maxUnavailable === 0) {
      fail(subject, 'maxSurge', 0, 'be at least 1 when maxUnavailable is 0, or an upgrade can never replace a node',
        'use maxSurge: 1 (one extra node during upgrades), or allow maxUnavailable: 1');
    }
    if (props.serviceAccount !== undefined && !GSA_EMAIL.test(props.serviceAccount)) {
      fail(subject, 'serviceAccount', props.serviceAccount, 'be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)',
        'copy the email from `gcloud iam service-accounts list`');
    }
    const imageType = props.imageType ?? ImageType.COS_CONTAINERD;
    const imageStreaming = props.imageStreaming ?? false;
    // GKE streams images only on Container-Optimized OS with containerd ("Requirements",
    // https://cloud.google.com/kubernetes-engine/docs/how-to/image-streaming).
    if (imageStreaming && imageType.name !== ImageType.COS_CONTAINERD.name) {
      fail(subject, 'imageStreaming', true, `run on imageType COS_CONTAINERD (got ${imageType.name}): GKE's Image streaming needs the Container-Optimized OS with containerd node image`,
        'remove imageType (COS_CONTAINERD is the default), or remove imageStreaming');
    }
    const secondaryBootDisks = this.resolveSecondaryBootDisks(props.secondaryBootDisks, imageStreaming);
    const labels = { ...(props.labels ?? {}) };
    // GKE passes node labels to the kubelet (--node-labels), which the NodeRestriction admission plugin limits.
    checkLabels(subject, 'labels', labels, { node: true });
    if (createFirst) {
      if (NODE_POOL_NAME_LABEL in labels) {
        fail(subject, `labels.${NODE_POOL_NAME_LABEL}`, labels[NODE_POOL_NAME_LABEL],
          `not be set: the pool sets ${NODE_POOL_NAME_LABEL} to its name ('${name}'), the label workloads select`, 'remove the label, or rename the pool with \'name\'');
      }
      labels[NODE_POOL_NAME_LABEL] = name;
    }
    const taints = [...(gpu ? [GPU_TAINT] : []), ...(props.taints ?? [])];
    taints.forEach((t, i) => {
      // k8s.io/kubernetes/pkg/apis/core/validation validateTaints: the key a qualified name, the value a label value.
      checkLabelKey(subject, `taints[${i}].key`, t.key);
      if (!isLabelValue(t.value)) {
        fail(subject, `taints[${i}].value`, t.value, 'be a Kubernetes label value (at most 63 letters, digits, \'-\', \'_\' or \'.\')', 'shorten or simplify the value');
      }
      const first = taints.findIndex((o) => o.key === t.key && o.effect === t.effect);
      if (first !== i) {
        fail(subject, `taints[${i}]`, `${t.key}:${t.effect}`, 'not repeat the key and effect of another taint'
          + (gpu && first === 0 ? ` (a GpuNodePool always has ${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect})` : ''), 'remove the duplicate');
      }
    });

    const queuedProvisioning = props.queuedProvisioning ?? false;
    // GKE creates a queued-provisioning pool only with autoscaling and without reservations
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest#create-node-pool).
    if (queuedProvisioning && !autoscaling.autoscaling) {
      fail(subject, 'queuedProvisioning', true, `come with autoscaling (got a fixed nodeCount of ${autoscaling.nodeCount}): `
        + 'Dynamic Workload Scheduler adds nodes through the cluster autoscaler', 'remove nodeCount and set minNodes: 0 and maxNodes');
    }
    // a queued pool without an affinity is rejected: "Error 400: Queued_provisioning requires reservation affinity to be
    // set to none" (hashicorp/terraform-provider-google#18341), so it gets NO_RESERVATION unless the user set one.
    const reservation = props.reservationAffinity ?? (queuedProvisioning ? ReservationAffinity.none() : undefined);
    if (queuedProvisioning && reservation && reservation.consumption !== ReservationConsumption.NO_RESERVATION) {
      fail(subject, 'reservationAffinity', reservation.consumption, 'be NO_RESERVATION on a queuedProvisioning pool (queued nodes consume no reservation)',
        'use ReservationAffinity.none(), or remove queuedProvisioning');
    }
    // "You can't consume a reservation to create ... Spot VMs or preemptible instances" (Compute Engine, Consume
    // reservations, Limitations): a pool bound to one specific reservation would never get a node.
    if ((spot || preemptible) && reservation?.consumption === ReservationConsumption.SPECIFIC_RESERVATION) {
      fail(subject, 'reservationAffinity', reservation.reservationName, `not name a specific reservation on a ${spot ? 'spot' : 'preemptible'} pool: `
        + 'Compute Engine never uses reservations for Spot or preemptible VMs', `remove ${spot ? 'spot' : 'preemptible'}, or the reservation affinity`);
    }
    if (reservation?.reservationName !== undefined && !RESERVATION.test(reservation.reservationName)) {
      fail(subject, 'reservationAffinity', reservation.reservationName, 'name a reservation (NAME, or projects/PROJECT/reservations/NAME for a shared one)',
        'copy the name from `gcloud compute reservations list`');
    }

    const compactPlacement = props.compactPlacement ?? false;
    const series = MachineType.parseSeries(this.machineType.name);
    if (compactPlacement && !COMPACT_PLACEMENT_SERIES.includes(series)) {
      fail(subject, 'compactPlacement', true, `run on a machine series GKE offers compact placement on (${COMPACT_PLACEMENT_SERIES.join(', ')}; got ${series})`,
        'choose such a machine type (e.g. n2-standard-8, g2-standard-8), or remove compactPlacement');
    }
    // compact placement keeps the nodes in one zone (same page, "Limitations").
    if (compactPlacement && (nodeLocations ? nodeLocations.length !== 1 : cluster.regional)) {
      fail(subject, 'compactPlacement', true, `come with a single zone (nodeLocations ${nodeLocations ? `has ${nodeLocations.length}` : 'is not set on a regional cluster'})`,
        `set nodeLocations to one zone, e.g. ['${cluster.spec.location.replace(/-[a-z]$/, '')}-a']`);
    }

    // the cluster's node service account (a dedicated least-privilege one by default) unless the pool names its own.
    const serviceAccount = props.serviceAccount ?? cluster.spec.nodeServiceAccount.email;
    const resolved: Omit<NodePoolSpec, 'gkeNames'> = {
      name,
      replacement,
      clusterName: cluster.spec.name,
      project: cluster.spec.project,
      location: cluster.spec.location,
      machineType: this.machineType.name,
      imageType: imageType.name,
      imageStreaming,
      secondaryBootDisks,
      // GPU pools opt in to Secure Boot (see NodePoolOptions.secureBoot): their drivers are out-of-tree kernel modules.
      shieldedInstance: { secureBoot: props.secureBoot ?? !gpu, integrityMonitoring: props.integrityMonitoring ?? true },
      diskSizeGb,
      diskType: props.diskType?.name,
      spot,
      preemptible,
      labels,
      taints: taints.map((t) => ({ key: t.key, value: t.value, effect: gkeTaintEffect(t.effect) })),
      guestAccelerator: gpu?.guestAccelerator,
      autoscaling: autoscaling.autoscaling,
      nodeCount: autoscaling.nodeCount,
      initialNodeCount: autoscaling.autoscaling ? initialNodeCount(autoscaling.autoscaling, cluster, nodeLocations) : undefined,
      nodeLocations,
      workloadMetadataMode: cluster.spec.workloadPool ? 'GKE_METADATA' : 'GCE_METADATA',
      serviceAccount,
      oauthScopes: serviceAccount ? [CLOUD_PLATFORM_SCOPE] : undefined,
      // GKE's queued-provisioning create command passes --no-enable-autorepair (provisioningrequest#create-node-pool).
      autoRepair: props.autoRepair ?? !queuedProvisioning,
      autoUpgrade,
      reservationAffinity: reservation ? {
        consumeReservationType: reservation.consumption,
        ...(reservation.reservationName !== undefined ? { key: RESERVATION_NAME_KEY, values: [reservation.reservationName] } : {}),
      } : undefined,
      queuedProvisioning,
      compactPlacement,
      upgradeSettings: { strategy: 'SURGE', maxSurge, maxUnavailable },
      deletionProtection: cluster.spec.deletionProtection,
    };
    this.spec = {
      ...resolved,
      gkeNames: createFirst
        ? { configConnector: hashedPoolName(name, resolved, 'config-connector'), pulumi: hashedPoolName(name, resolved, 'pulumi') }
        : { configConnector: name, pulumi: name },
    };
    const clusterNamespace = cluster._namespaceFrom(this);
    this.resource = new ContainerNodePool(this, 'Resource', {
      // Config Connector object names are per namespace, GKE pool names per cluster: prefix the cluster name. A new GKE
      // name is a new object (resourceID is immutable): the old object is pruned and, abandoned, leaves its pool serving.
      metadata: {
        name: `${cluster.spec.name}-${this.spec.gkeNames.configConnector}`,
        annotations: {
          [KCC_PROJECT_ANNOTATION]: cluster.spec.project,
          // the pool keeps what the cluster keeps: deleting the chart must not take the serving nodes from a kept cluster.
          ...(this.spec.deletionProtection ? { [KCC_DELETION_POLICY_ANNOTATION]: 'abandon' } : {}),
        },
      },
      spec: renderContainerNodePoolSpec(this.spec, cluster.resource.name, clusterNamespace, cluster.spec.nodeServiceAccount.create?.accountId),
    });
    // GKE names a pool within its cluster: a second declaration would manage the same pool.
    claimUniqueName(this, {
      key: `GKE node pool ${cluster.spec.project}/${cluster.spec.location}/${cluster.spec.name}/${name}`, subject, prop: 'name', value: name,
      scope: `per cluster (${cluster.spec.name} in ${cluster.spec.project}, ${cluster.spec.location})`,
      consequence: 'both would manage one GKE node pool and overwrite each other\'s settings', fix: 'give one pool another name (its \'name\' prop or id)',
    });
    ensureUniqueObjectNames(this);
    if (secondaryBootDisks) {
      // Config Connector 1.155.1's ContainerNodePool (v1beta1) has nodeConfig.gcfsConfig but no secondaryBootDisks
      // (../shared/crds/kcc-container.cnrm.cloud.google.com.yaml): the cdk8s rendering would drop the disks silently.
      // GkeServingStack marks the pools it renders as gcp.container.NodePool, which has nodeConfig.secondaryBootDisks.
      this.node.addValidation({
        validate: () => (this.renderedNatively ? [] : [`${subject}: 'secondaryBootDisks' (${show(secondaryBootDisks.map((d) => d.diskImage))}) `
          + 'must be rendered by an engine whose node pool has the field: Config Connector\'s ContainerNodePool (v1beta1, Config Connector 1.155.1) has no '
          + 'secondaryBootDisks. Fix: render the cluster with GkeServingStack (tfserving-constructs/pulumi), or remove secondaryBootDisks']),
      });
    }
    cluster._registerNodePool(this);
  }

  /**
   * Called by the Pulumi engine (`GkeServingStack`) before it synthesizes the chart: the pool is rendered as a
   * `gcp.container.NodePool`, so fields Config Connector lacks (`secondaryBootDisks`) are allowed.
   *
   * @internal
   */
  public _renderNatively(): void {
    this.renderedNatively = true;
  }

  /** The accelerator type of the pool's nodes (`IServingPlacement`); undefined on a CPU pool. */
  public get acceleratorType(): string | undefined {
    return this.gpu?.accelerator.type;
  }

  /** The GPU sharing strategy's API value (`IServingPlacement`); undefined when GPUs are not shared. */
  public get gpuSharing(): string | undefined {
    return this.gpu?.sharing?.apiValue;
  }

  /** Containers per physical GPU with GPU sharing (`IServingPlacement`); undefined otherwise. */
  public get maxSharedClientsPerGpu(): number | undefined {
    return this.gpu?.maxSharedClientsPerGpu;
  }

  /** The multi-instance GPU partition size (`IServingPlacement`); undefined without multi-instance GPUs. */
  public get gpuPartitionSize(): string | undefined {
    return this.gpu?.gpuPartitionSize;
  }

  /**
   * What the nodes do for image pulls (`IServingPlacement`): a secondary boot disk in `CONTAINER_IMAGE_CACHE` mode
   * already holds the images; otherwise Image streaming when on.
   */
  public get imagePreload(): ImagePreload {
    if (this.spec.secondaryBootDisks?.some((d) => d.mode === SecondaryBootDiskMode.CONTAINER_IMAGE_CACHE)) return 'secondary-boot-disk';
    return this.spec.imageStreaming ? 'image-streaming' : 'none';
  }

  /** Whether the nodes run the GKE metadata server, i.e. the cluster has Workload Identity (`IServingPlacement`). */
  public get workloadIdentity(): boolean {
    return this.cluster.workloadPool !== undefined;
  }

  /** Whether the cluster runs the Cloud Storage FUSE CSI driver add-on (`IServingPlacement`). */
  public get gcsFuseCsiDriver(): boolean {
    return this.cluster.gcsFuseCsiDriver;
  }

  /**
   * What the pool's nodes reach (`IServingPlacement`): the internet with public nodes or Cloud NAT, Google APIs through
   * Private Google Access otherwise.
   */
  public get nodeEgress(): NodeEgress {
    const c = this.cluster.spec;
    if (!c.privateNodes) return { internet: true, googleApis: true, description: `node pool '${this.name}' has public nodes` };
    const internet = c.network?.natEgress ?? false;
    // GKE enables Private Google Access on the subnetwork of a private cluster (the default network's included).
    const googleApis = internet || (c.network?.privateIpGoogleAccess ?? true);
    const description = `node pool '${this.name}' runs on private nodes of cluster '${c.name}' `
      + (internet ? 'with Cloud NAT' : `without Cloud NAT${googleApis ? ' (Google APIs only, through Private Google Access)' : ' or Private Google Access'}`);
    return { internet, googleApis, description };
  }

  /**
   * Node selector that pins a Pod to this pool: the pool's `tfserving-constructs.io/node-pool` label (which survives a
   * replacement under a new GKE name; `cloud.google.com/gke-nodepool` with `PoolReplacement.DELETE_BEFORE_CREATE`), plus
   * for a GPU pool the accelerator label and, with multi-instance GPUs, the partition size label.
   */
  public nodeSelector(): Record<string, string> {
    return {
      [this.spec.replacement === PoolReplacement.CREATE_BEFORE_DELETE ? NODE_POOL_NAME_LABEL : NODE_POOL_LABEL]: this.name,
      ...(this.gpu ? this.gpu.accelerator.nodeSelector() : {}),
      ...(this.gpuPartitionSize ? { [Accelerator.PARTITION_SIZE_NODE_LABEL]: this.gpuPartitionSize } : {}),
    };
  }

  /**
   * Tolerations for every taint of the pool (for a GPU pool at least `nvidia.com/gpu=present:NoSchedule`).
   */
  public tolerations(): kplus.k8s.Toleration[] {
    return this.spec.taints.map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: kubeTaintEffect(t.effect) }));
  }

  /**
   * Checks that one replica of a workload fits on one node of this pool: on a pool that shares GPUs at most
   * one GPU per container, at most `gpuUnitsPerNode` GPUs, and no more CPU or memory than a node leaves for
   * workloads: its allocatable resources minus what GKE's own per-node Pods request (the GKE metadata server on a
   * Workload Identity cluster, the GPU device plugin on a GPU pool; see `workloadAllocatable`); and more than one
   * GPU per replica only with `request.multiGpu` (see `validateGpusPerReplica`).
   *
   * @param ctx the workload, for the error message (e.g. `{ construct: 'TfServingModel', id: 'resnet', propNames: { gpus: 'gpu' } }`)
   * @param request what one replica requests
   * @throws GkeRuleError for the first request that does not fit
   */
  public checkWorkloadFits(ctx: RuleContext, request: WorkloadRequest): void {
    if (this.spec.nodeCount === 0) {
      // A fixed size of zero has no node and no autoscaler to add one: every pod placed here stays Pending.
      fail(subjectOf(ctx.construct, ctx.id), 'nodePool', this.name,
        `be a pool that can have nodes ('${this.name}' has a fixed size of nodeCount: 0, and no autoscaler adds one), or the pods stay Pending`,
        `give '${this.name}' nodeCount: 1 or more, or minNodes/maxNodes, or place the workload on another pool`);
    }
    validateSharedGpuRequest(ctx, this.gpu?.sharing, request.gpus ?? 0);
    validateWorkloadFitsNode(ctx, this.machineType, request, this.gpu?.gpuUnitsPerNode ?? 0,
      { gpuNode: this.gpu !== undefined, workloadIdentity: this.workloadIdentity });
    // a MIG pool allows one partition per container, a stricter rule its user (TfServingModel) checks itself.
    if (!this.gpuPartitionSize) validateGpusPerReplica(ctx, request.gpus ?? 0, request.multiGpu);
  }

  /**
   * Most nodes the pool can have, across its zones: the autoscaler's maximum (per zone times the zones with
   * `AutoscalingScope.PER_ZONE`), or the fixed count per zone times the zones. A regional cluster's pool without node
   * locations spans three zones.
   */
  public get maxNodeCount(): number {
    const zones = this.spec.nodeLocations?.length ?? (this.cluster.regional ? DEFAULT_REGIONAL_ZONES : 1);
    const a = this.spec.autoscaling;
    if (a) return a.scope === AutoscalingScope.TOTAL ? a.maxNodeCount : a.maxNodeCount * zones;
    return (this.spec.nodeCount ?? 0) * zones;
  }

  /**
   * The rolling update a workload of `maxReplicas` replicas can complete on this pool (`IServingPlacement`):
   * `maxSurge 1 / maxUnavailable 0` while the pool has room for one more replica, `maxSurge 0 / maxUnavailable 1`
   * when `maxReplicas` fills it (a surge Pod could never schedule), and an error when it holds fewer (see `planRollout`).
   * Counts this workload only: other workloads on the pool take capacity too.
   *
   * @param ctx the workload, for the error message (`propNames.replicas`: e.g. `autoscaling.maxReplicas`)
   * @param request what one replica requests
   * @param maxReplicas the workload's replica count, or its autoscaler's maximum
   * @throws GkeRuleError when the pool cannot hold `maxReplicas` replicas
   */
  public rolloutFor(ctx: RuleContext, request: WorkloadRequest, maxReplicas: number): RolloutBudget {
    const perNode = replicasPerNode(this.machineType, request, this.gpu?.gpuUnitsPerNode ?? 0,
      { gpuNode: this.gpu !== undefined, workloadIdentity: this.workloadIdentity });
    return planRollout(ctx, this.name, this.machineType, perNode, this.maxNodeCount, maxReplicas);
  }

  private resolveAutoscaling(ctx: RuleContext, props: NodePoolProps, gpu: boolean): { autoscaling?: NodePoolSpec['autoscaling']; nodeCount?: number } {
    if (props.nodeCount !== undefined) {
      const clash = (['minNodes', 'maxNodes', 'autoscalingScope', 'locationPolicy'] as const).find((p) => props[p] !== undefined);
      if (clash) {
        fail(this.subject, 'nodeCount', props.nodeCount, `not be set together with ${clash} (a pool has a fixed size or is autoscaled)`,
          `remove nodeCount for an autoscaled pool, or remove ${clash} for a fixed one`);
      }
      return { nodeCount: checkCount(this.subject, 'nodeCount', props.nodeCount) };
    }
    // a queued pool starts empty and takes capacity in any zone, as GKE's documented create command does
    // (--num-nodes=0 --location-policy=ANY, https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest).
    const queued = props.queuedProvisioning === true;
    const minNodes = props.minNodes ?? (gpu || queued ? 0 : 1);
    const maxNodes = props.maxNodes ?? Math.max(minNodes, 3);
    validateNodeCountRange(ctx, minNodes, maxNodes);
    if (maxNodes === 0) {
      fail(this.subject, 'maxNodes', 0, 'be at least 1 (a pool that can never have a node runs nothing)', 'raise maxNodes, or remove the pool');
    }
    return {
      autoscaling: {
        scope: props.autoscalingScope ?? AutoscalingScope.TOTAL,
        minNodeCount: minNodes,
        maxNodeCount: maxNodes,
        locationPolicy: props.locationPolicy ?? (queued ? LocationPolicy.ANY : undefined),
      },
    };
  }

  private resolveSecondaryBootDisks(disks: SecondaryBootDisk[] | undefined, imageStreaming: boolean): NodePoolSpec['secondaryBootDisks'] {
    if (disks === undefined) return undefined;
    if (disks.length === 0) fail(this.subject, 'secondaryBootDisks', disks, 'list at least one disk', 'remove secondaryBootDisks');
    // GKE reads preloaded images through the Image streaming plugin of containerd: the provider says "gcfsConfig must be
    // enabled=true for this feature to work" (@pulumi/gcp NodePoolNodeConfig.secondaryBootDisks, from the Terraform
    // google provider), as does GKE's guide (https://cloud.google.com/kubernetes-engine/docs/how-to/data-container-image-preloading).
    if (!imageStreaming) {
      fail(this.subject, 'secondaryBootDisks', disks.map((d) => d.diskImage), 'come with imageStreaming: true (GKE reads secondary boot disks through Image streaming)',
        'add imageStreaming: true to the pool');
    }
    return disks.map((d, i) => {
      if (!DISK_IMAGE.test(d.diskImage)) {
        fail(this.subject, `secondaryBootDisks[${i}].diskImage`, d.diskImage, 'be a disk image path: global/images/NAME or projects/PROJECT/global/images/NAME',
          'use the image that gke-disk-image-builder created, e.g. global/images/tfserving-gpu-cache');
      }
      if (disks.findIndex((o) => o.diskImage === d.diskImage) !== i) {
        fail(this.subject, `secondaryBootDisks[${i}].diskImage`, d.diskImage, 'not repeat a disk image', 'remove the duplicate');
      }
      return { diskImage: d.diskImage, mode: d.mode ?? SecondaryBootDiskMode.CONTAINER_IMAGE_CACHE };
    });
  }

  private resolveNodeLocations(zones: string[] | undefined): string[] | undefined {
    if (zones === undefined) return undefined;
    if (zones.length === 0) {
      fail(this.subject, 'nodeLocations', zones, 'list at least one zone', 'remove nodeLocations to use the cluster\'s zones');
    }
    zones.forEach((zone, i) => {
      const m = ZONE.exec(zone);
      if (!m || m[1] !== this.cluster.region) {
        fail(this.subject, `nodeLocations[${i}]`, zone, `be a zone of the cluster's region ${this.cluster.region}`, `use a zone such as '${this.cluster.region}-a'`);
      }
      if (zones.indexOf(zone) !== i) {
        fail(this.subject, `nodeLocations[${i}]`, zone, 'not repeat a zone', 'remove the duplicate');
      }
    });
    return [...zones];
  }
}

/**
 * The ContainerNodePool `spec` for a resolved node pool spec.
 *
 * @param spec the resolved node pool
 * @param clusterObjectName `metadata.name` of the ContainerCluster
 * @param clusterNamespace its namespace, when it differs from the node pool's
 */
function renderContainerNodePoolSpec(
  spec: NodePoolSpec, clusterObjectName: string, clusterNamespace?: string, clusterAccountId?: string,
): ContainerNodePoolSpec {
  // the cluster's own node service account by object name, so Config Connector creates the account first.
  const ownAccount = clusterAccountId !== undefined && spec.serviceAccount === `${clusterAccountId}@${spec.project}.iam.gserviceaccount.com`;
  const a = spec.autoscaling;
  const acc = spec.guestAccelerator;
  return {
    clusterRef: { name: clusterObjectName, ...(clusterNamespace ? { namespace: clusterNamespace } : {}) },
    location: spec.location,
    resourceId: spec.gkeNames.configConnector,
    ...(a ? {
      autoscaling: {
        ...(a.scope === AutoscalingScope.TOTAL
          ? { totalMinNodeCount: a.minNodeCount, totalMaxNodeCount: a.maxNodeCount }
          : { minNodeCount: a.minNodeCount, maxNodeCount: a.maxNodeCount }),
        ...(a.locationPolicy ? { locationPolicy: a.locationPolicy } : {}),
      },
    } : {}),
    ...(spec.initialNodeCount !== undefined ? { initialNodeCount: spec.initialNodeCount } : {}),
    ...(spec.nodeCount !== undefined ? { nodeCount: spec.nodeCount } : {}),
    ...(spec.nodeLocations ? { nodeLocations: [...spec.nodeLocations] } : {}),
    nodeConfig: {
      machineType: spec.machineType,
      imageType: spec.imageType,
      ...(spec.diskSizeGb !== undefined ? { diskSizeGb: spec.diskSizeGb } : {}),
      ...(spec.diskType ? { diskType: spec.diskType } : {}),
      ...(spec.imageStreaming ? { gcfsConfig: { enabled: true } } : {}),
      shieldedInstanceConfig: {
        enableSecureBoot: spec.shieldedInstance.secureBoot, enableIntegrityMonitoring: spec.shieldedInstance.integrityMonitoring,
      },
      ...(spec.spot ? { spot: true } : {}),
      ...(spec.preemptible ? { preemptible: true } : {}),
      ...(Object.keys(spec.labels).length ? { labels: { ...spec.labels } } : {}),
      // Config Connector spells these singular: `taint`, `guestAccelerator`.
      ...(spec.taints.length ? { taint: spec.taints.map((t) => ({ ...t })) } : {}),
      ...(acc ? {
        guestAccelerator: [{
          type: acc.type,
          count: acc.count,
          gpuDriverInstallationConfig: { gpuDriverVersion: acc.gpuDriverVersion },
          ...(acc.gpuPartitionSize ? { gpuPartitionSize: acc.gpuPartitionSize } : {}),
          ...(acc.gpuSharing ? {
            gpuSharingConfig: { gpuSharingStrategy: acc.gpuSharing.strategy, maxSharedClientsPerGpu: acc.gpuSharing.maxSharedClientsPerGpu },
          } : {}),
        }],
      } : {}),
      workloadMetadataConfig: { mode: spec.workloadMetadataMode },
      ...(spec.serviceAccount ? {
        serviceAccountRef: ownAccount
          ? { name: clusterAccountId, ...(clusterNamespace ? { namespace: clusterNamespace } : {}) }
          : { external: spec.serviceAccount },
      } : {}),
      ...(spec.oauthScopes ? { oauthScopes: [...spec.oauthScopes] } : {}),
      ...(spec.reservationAffinity ? {
        reservationAffinity: {
          consumeReservationType: spec.reservationAffinity.consumeReservationType,
          ...(spec.reservationAffinity.values ? { key: spec.reservationAffinity.key, values: [...spec.reservationAffinity.values] } : {}),
        },
      } : {}),
    },
    ...(spec.queuedProvisioning ? { queuedProvisioning: { enabled: true } } : {}),
    ...(spec.compactPlacement ? { placementPolicy: { type: 'COMPACT' } } : {}),
    management: { autoRepair: spec.autoRepair, autoUpgrade: spec.autoUpgrade },
    upgradeSettings: { ...spec.upgradeSettings },
  };
}

// an autoscaled pool starts at its minimum: initialNodeCount counts nodes per zone.
function initialNodeCount(a: NonNullable<NodePoolSpec['autoscaling']>, cluster: GkeCluster, nodeLocations: string[] | undefined): number {
  if (a.scope === AutoscalingScope.PER_ZONE) return a.minNodeCount;
  const zones = nodeLocations?.length ?? (cluster.regional ? DEFAULT_REGIONAL_ZONES : 1);
  return Math.ceil(a.minNodeCount / zones);
}

function diskSizeInGb(subject: string, size: Size): number {
  const gb = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(Number.isInteger(gb) && gb >= 10)) {
    fail(subject, 'diskSize', `${gb} GiB`, 'be a whole number of GiB, at least 10', 'use Size.gibibytes(100), GKE\'s default');
  }
  return gb;
}

function checkCount(subject: string, prop: string, n: number): number {
  if (!(Number.isInteger(n) && n >= 0)) fail(subject, prop, n, 'be a non-negative integer', `set ${prop} to 0 or more`);
  return n;
}

function checkLabelKey(subject: string, prop: string, key: string): void {
  if (!isQualifiedName(key)) {
    fail(subject, prop, key, 'be a Kubernetes label key: an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\'',
      'use a key such as \'example.com/role\' or \'role\'');
  }
}

function gkeTaintEffect(effect: kplus.TaintEffect): string {
  switch (effect) {
    case kplus.TaintEffect.NO_SCHEDULE: return 'NO_SCHEDULE';
    case kplus.TaintEffect.PREFER_NO_SCHEDULE: return 'PREFER_NO_SCHEDULE';
    case kplus.TaintEffect.NO_EXECUTE: return 'NO_EXECUTE';
    default: return String(effect);
  }
}

function kubeTaintEffect(effect: string): string {
  return ({ NO_SCHEDULE: 'NoSchedule', PREFER_NO_SCHEDULE: 'PreferNoSchedule', NO_EXECUTE: 'NoExecute' } as Record<string, string>)[effect] ?? effect;
}
