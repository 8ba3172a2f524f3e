import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { isGoogleInternalRange, parseCidr } from './cidr';
import { ClusterNetwork, ClusterNetworkSpec, resolveClusterNetwork } from './cluster-network';
import { GpuNodePool, GpuNodePoolOptions } from './gpu-node-pool';
import { NODE_OAUTH_SCOPE } from './iam-roles';
import { MaintenanceExclusion, MaintenanceSpec, MaintenanceWindow, resolveMaintenance } from './maintenance';
import { NodePool, NodePoolOptions } from './node-pool';
import { NodeServiceAccount, NodeServiceAccountSpec, resolveNodeServiceAccount } from './node-service-account';
import { ReleaseChannel } from './release-channel';
import { fail, subjectOf } from '../core/errors';
import { GKE_RESOURCE_NAME, PROJECT_ID, REGION, ZONE } from '../core/names';
import { ComputeNetwork, ComputeRouter, ComputeRouterNat, ComputeSubnetwork } from '../imports/compute.cnrm.cloud.google.com';
import { ContainerCluster, ContainerClusterSpec } from '../imports/container.cnrm.cloud.google.com';
import { IamPolicyMember, IamServiceAccount } from '../imports/iam.cnrm.cloud.google.com';
import { addCheckedPatch } from '../private/checked-patch';
import { KCC_DELETION_POLICY_ANNOTATION as KCC_DELETION_POLICY, KCC_PROJECT_ANNOTATION } from '../private/config-connector';
import { claimUniqueName, ensureUniqueObjectNames } from '../private/unique-names';


/** `gatewayApiConfig.channel` for the Gateway API's standard channel (GKE API `GatewayAPIConfig.Channel`). */
const GATEWAY_API_STANDARD_CHANNEL = 'CHANNEL_STANDARD';
/**
 * The metrics GkeCluster enables on a cluster with Managed Service for Prometheus. Setting
 * `monitoringConfig.enableComponents` replaces GKE's default list, so the list keeps GKE's defaults: system components,
 * the kube state metrics package (STORAGE, POD, DEPLOYMENT, STATEFULSET, DAEMONSET, HPA) and cAdvisor and kubelet
 * metrics, GKE's default since 1.29.3-gke.1093000 (the @pulumi/gcp `ClusterMonitoringConfig.enableComponents` reference
 * lists the values and that version; Config Connector passes the list through). It leaves out JOBSET, which GKE enables
 * on clusters created at 1.32.1-gke.1357001 or later but rejects before that version (the kube state metrics page, and
 * the same provider reference), so listing components turns JobSet metrics off. Every package but SYSTEM_COMPONENTS
 * needs managed collection (the "Requirements" of GKE's kube state metrics and cAdvisor/Kubelet metrics pages): without
 * `managedPrometheus` the cluster enables SYSTEM_COMPONENTS only.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-metrics
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/kube-state-metrics
 */
export const MONITORING_COMPONENTS: readonly string[] = [
  'SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET',
];

/**
 * The metrics package GkeCluster adds once the cluster has a GPU node pool: NVIDIA DCGM metrics (GPU utilization,
 * memory, temperature), which GKE collects through Managed Service for Prometheus (it deploys DCGM-Exporter and a
 * ClusterPodMonitoring), so only with `managedPrometheus`.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/dcgm-metrics
 */
export const GPU_MONITORING_COMPONENT = 'DCGM';

/** GKE's system metrics package, the one component that does not need Managed Service for Prometheus. */
const SYSTEM_COMPONENTS = 'SYSTEM_COMPONENTS';

/**
 * Properties of a {@link GkeCluster}.
 */
export interface GkeClusterProps {
  /**
   * The Google Cloud project the cluster lives in (Config Connector's `cnrm.cloud.google.com/project-id` annotation).
   * Also names the Workload Identity pool, `PROJECT.svc.id.goog`.
   */
  readonly project: string;

  /**
   * A region (`us-central1`: a regional cluster, control plane and nodes in several zones) or a zone
   * (`us-central1-a`: a zonal cluster).
   */
  readonly location: string;

  /**
   * The GKE cluster name (and the ContainerCluster's `metadata.name`).
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The release channel.
   *
   * @default ReleaseChannel.REGULAR
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels
   */
  readonly releaseChannel?: ReleaseChannel;

  /**
   * Workload Identity: Pods authenticate to Google APIs as the Google service account their Kubernetes
   * ServiceAccount is bound to (pool `PROJECT.svc.id.goog`), and node pools run the GKE metadata server.
   *
   * @default true
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
   */
  readonly workloadIdentity?: boolean;

  /**
   * The Cloud Storage FUSE CSI driver add-on (`addonsConfig.gcsFuseCsiDriverConfig.enabled`): mounts GCS buckets as
   * volumes (`ModelSource.gcsFuse`), through a sidecar GKE injects into pods annotated `gke-gcsfuse/volumes: "true"`.
   * Needs Workload Identity.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/cloud-storage-fuse-csi-driver-setup
   */
  readonly gcsFuseCsiDriver?: boolean;

  /**
   * GKE's Gateway controller (`gatewayApiConfig.channel: CHANNEL_STANDARD`): GKE installs the Gateway API's standard
   * CRDs (`gateway.networking.k8s.io`) and its policy CRDs (`networking.gke.io`: GCPBackendPolicy, HealthCheckPolicy,
   * GCPGatewayPolicy) and runs the controller that programs Cloud Load Balancing for Gateways of its classes
   * (`gke-l7-*`). A `GatewayCanary` on GKE needs it: without it its Gateway and routes are never programmed.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/deploying-gateways#enable-gateway
   */
  readonly gatewayApi?: boolean;

  /**
   * Private nodes: nodes get internal IP addresses only. Pulling images from outside Google Cloud
   * (e.g. `tensorflow/serving` from Docker Hub) then needs Cloud NAT or a mirror in Artifact Registry.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation
   */
  readonly privateNodes?: boolean;

  /**
   * The control plane's private endpoint only: its public endpoint is turned off, so `kubectl`, CI and the Pulumi
   * Kubernetes provider must reach the cluster from inside the VPC (or a peered or VPN-connected network). Only with
   * `privateNodes`.
   *
   * @default false
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation
   */
  readonly privateEndpoint?: boolean;

  /**
   * Networks allowed to reach the control plane (`masterAuthorizedNetworksConfig.cidrBlocks`); an empty list allows
   * none but Google Cloud's internal ones (the nodes, and with `privateEndpoint` the VPC). With `privateEndpoint`, GKE
   * takes internal ranges only (RFC 1918, 100.64.0.0/10 and the other ranges Google Cloud lists as valid subnet ranges);
   * a public range is refused.
   *
   * @default - no restriction: any address may reach the control plane's endpoint (it still authenticates)
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks
   */
  readonly masterAuthorizedNetworks?: AuthorizedNetwork[];

  /**
   * The VPC network: a new one with named secondary ranges for Pods and Services (and Cloud NAT for private nodes),
   * or an existing one.
   *
   * @default - the project's `default` network; GKE creates the Pod and Service ranges
   */
  readonly network?: ClusterNetwork;

  /**
   * The Google service account the nodes of every pool run as (a pool's `serviceAccount` overrides it), and the
   * nodes of the default pool GKE creates with the cluster and removes right after (`nodeConfig`, immutable).
   *
   * @default NodeServiceAccount.dedicated(): `CLUSTER-nodes`, with the roles in NODE_SERVICE_ACCOUNT_ROLES only
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa
   */
  readonly nodeServiceAccount?: NodeServiceAccount;

  /**
   * The /28 range of the control plane's private endpoint (`privateClusterConfig.masterIpv4CidrBlock`).
   * Only with `privateNodes`.
   *
   * @default - none; GKE chooses the control plane's private address
   */
  readonly controlPlaneCidr?: string;

  /**
   * GKE Dataplane V2 (`datapathProvider: ADVANCED_DATAPATH`, eBPF): enforces NetworkPolicy itself and
   * logs network policy decisions. Cannot be changed after creation.
   *
   * @default true
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2
   */
  readonly dataplaneV2?: boolean;

  /**
   * Enforce Kubernetes NetworkPolicy objects. With Dataplane V2 enforcement is built in (and cannot be
   * turned off); without it, GKE runs Calico (`networkPolicy.provider: CALICO` and the network policy add-on).
   *
   * @default true
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
   */
  readonly networkPolicy?: boolean;

  /**
   * Google Cloud Managed Service for Prometheus managed collection (`monitoringConfig.managedPrometheus`),
   * which runs the collectors that `PodMonitoring` objects configure. GKE's kube state, cAdvisor/Kubelet and DCGM
   * metrics packages need it: without it the cluster enables system metrics only.
   *
   * @default true
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
   */
  readonly managedPrometheus?: boolean;

  /**
   * The recurring maintenance window: GKE upgrades the control plane and the nodes automatically only inside it.
   *
   * @default - none: GKE may maintain the cluster at any time
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions
   */
  readonly maintenanceWindow?: MaintenanceWindow;

  /**
   * Maintenance exclusions: periods without upgrades (e.g. a launch). A `NO_UPGRADES` exclusion lasts at most 30 days.
   *
   * @default - none
   */
  readonly maintenanceExclusions?: MaintenanceExclusion[];

  /**
   * Keep the GKE cluster when its declaration is deleted. Config Connector's ContainerCluster has no
   * `deletionProtection` field, so this renders the `cnrm.cloud.google.com/deletion-policy: abandon`
   * annotation (deleting the object leaves the cluster running); the Pulumi layer maps it to the
   * cluster's `deletionProtection`. It covers what the cluster owns too: its node pools, network, subnetwork,
   * Cloud Router and NAT, node service account and its roles get the same annotation, and under Pulumi
   * `protect`, so `pulumi destroy` refuses before deleting anything that serves. Workload Identity objects are not
   * covered (annotate those yourself to keep them).
   *
   * @default true
   * @see https://cloud.google.com/config-connector/docs/reference/annotations
   */
  readonly deletionProtection?: boolean;
}

/**
 * A network allowed to reach the control plane.
 */
export interface AuthorizedNetwork {
  /** The range, e.g. `203.0.113.0/24`. */
  readonly cidr: string;
  /**
   * A name for it.
   *
   * @default - none
   */
  readonly displayName?: string;
}

/**
 * The resolved, engine-neutral description of a {@link GkeCluster}: every default applied, field names
 * as the GKE API has them. cdk8s renders it as a Config Connector ContainerCluster; the Pulumi layer
 * renders the same object as `gcp.container.Cluster`.
 */
export interface GkeClusterSpec {
  /** GKE cluster name. */
  readonly name: string;
  /** Google Cloud project. */
  readonly project: string;
  /** Region or zone. */
  readonly location: string;
  /** Release channel (`releaseChannel.channel`). */
  readonly releaseChannel: ReleaseChannel;
  /** Workload Identity pool (`workloadIdentityConfig.workloadPool`), `PROJECT.svc.id.goog`; undefined when off. */
  readonly workloadPool?: string;
  /** The Cloud Storage FUSE CSI driver add-on (`addonsConfig.gcsFuseCsiDriverConfig.enabled`). */
  readonly gcsFuseCsiDriver: boolean;
  /** GKE's Gateway controller on the standard channel (`gatewayApiConfig.channel: CHANNEL_STANDARD`). */
  readonly gatewayApi: boolean;
  /** Private nodes (`privateClusterConfig.enablePrivateNodes`). */
  readonly privateNodes: boolean;
  /** Control plane private range (`privateClusterConfig.masterIpv4CidrBlock`), when set. */
  readonly controlPlaneCidr?: string;
  /** The control plane's public endpoint is off (`privateClusterConfig.enablePrivateEndpoint`). */
  readonly privateEndpoint: boolean;
  /** `masterAuthorizedNetworksConfig.cidrBlocks`; undefined when the control plane takes any address. */
  readonly masterAuthorizedNetworks?: readonly { readonly cidrBlock: string; readonly displayName?: string }[];
  /** The VPC network and subnetwork; undefined on the project's `default` network. */
  readonly network?: ClusterNetworkSpec;
  /** The nodes' Google service account (created here, given, or the Compute Engine default). */
  readonly nodeServiceAccount: NodeServiceAccountSpec;
  /** Always `VPC_NATIVE` (alias IPs; required by Dataplane V2 and private nodes). */
  readonly networkingMode: 'VPC_NATIVE';
  /** `ADVANCED_DATAPATH` (Dataplane V2) or `LEGACY_DATAPATH` (iptables kube-proxy). */
  readonly datapathProvider: 'ADVANCED_DATAPATH' | 'LEGACY_DATAPATH';
  /** Whether NetworkPolicy objects are enforced (by Dataplane V2 or Calico). */
  readonly networkPolicyEnforced: boolean;
  /** Whether Calico enforces them (`networkPolicy: { enabled: true, provider: CALICO }` plus the add-on); only without Dataplane V2. */
  readonly calicoNetworkPolicy: boolean;
  /** Managed Service for Prometheus managed collection. */
  readonly managedPrometheus: boolean;
  /**
   * GKE components that export metrics (`monitoringConfig.enableComponents`): `MONITORING_COMPONENTS`, plus
   * `DCGM` once the cluster has a GPU node pool, with Managed Prometheus; `SYSTEM_COMPONENTS` alone without it.
   * Read it after the pools are declared.
   */
  readonly monitoringComponents: readonly string[];
  /** The maintenance window and exclusions. */
  readonly maintenance: MaintenanceSpec;
  /** Keep the cluster when its declaration is deleted. */
  readonly deletionProtection: boolean;
  /** Always true: node pools are separate objects ({@link NodePool}, {@link GpuNodePool}). */
  readonly removeDefaultNodePool: true;
  /** Nodes of the default pool while it exists (GKE needs at least 1 to create a cluster; the pool is then removed). */
  readonly initialNodeCount: 1;
}

// https://cloud.google.com/kubernetes-engine/docs/how-to/creating-a-zonal-cluster: a lower-case letter, then up to 39
// lower-case letters, digits or hyphens, not ending with a hyphen.
const CIDR_28 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/28$/;

// Config Connector annotations: https://cloud.google.com/config-connector/docs/reference/annotations
const KCC_REMOVE_DEFAULT_NODE_POOL = 'cnrm.cloud.google.com/remove-default-node-pool';

/**
 * A GKE Standard cluster, declared as a Config Connector `ContainerCluster`
 * (`container.cnrm.cloud.google.com/v1beta1`) that a Config Connector-enabled cluster turns into the
 * real cluster.
 *
 * By default: release channel REGULAR, Workload Identity, VPC-native with Dataplane V2 (which enforces
 * NetworkPolicy), Managed Service for Prometheus, public nodes, deletion protection, and no default
 * node pool — add pools with `addNodePool()` / `addGpuNodePool()` or `new NodePool(...)`.
 *
 * The ContainerCluster is the default child (`ApiObject.of(cluster)` reaches it). `spec` holds the
 * resolved settings for the Pulumi layer.
 *
 * @example
 * const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' });
 */
export class GkeCluster extends Construct {
  /** The resolved settings, as the GKE API names them. */
  public readonly spec: GkeClusterSpec;
  /** The Config Connector object (id `Resource`). */
  public readonly resource: ContainerCluster;
  /** The Config Connector objects of the network that the cluster creates (none on an existing or the default network). */
  public readonly networkResources: ClusterNetworkResources;
  /** The Config Connector objects of a dedicated node service account (none otherwise). */
  public readonly nodeServiceAccountResources: NodeServiceAccountResources;

  private readonly _nodePools: NodePool[] = [];

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    const subject = subjectOf('GkeCluster', id);
    const name = props.name ?? id;
    if (!GKE_RESOURCE_NAME.test(name)) {
      fail(subject, props.name === undefined ? 'name (from the construct id)' : 'name', name,
        'be a GKE cluster name: a lower-case letter, then at most 39 lower-case letters, digits or \'-\', not ending with \'-\'',
        'pass name: \'serving\' or use such an id');
    }
    if (!PROJECT_ID.test(props.project)) {
      fail(subject, 'project', props.project,
        'be a Google Cloud project ID: 6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'',
        'use the project ID (not its name or number), as `gcloud projects list` shows it');
    }
    if (!REGION.test(props.location) && !ZONE.test(props.location)) {
      fail(subject, 'location', props.location, 'be a Google Cloud region (\'us-central1\') or zone (\'us-central1-a\')',
        'pass a region for a regional cluster, or a zone for a zonal one');
    }
    const privateNodes = props.privateNodes ?? false;
    if (props.controlPlaneCidr !== undefined) {
      if (!privateNodes) {
        fail(subject, 'controlPlaneCidr', props.controlPlaneCidr, 'be set only together with privateNodes: true',
          'set privateNodes: true, or remove controlPlaneCidr');
      }
      const m = CIDR_28.exec(props.controlPlaneCidr);
      if (!m || m.slice(1).some((o) => Number(o) > 255) || Number(m[4]) % 16 !== 0) {
        fail(subject, 'controlPlaneCidr', props.controlPlaneCidr, 'be an IPv4 /28 range (the address a multiple of 16 in its last octet)',
          'use a free RFC 1918 range such as \'172.16.0.32/28\'');
      }
    }
    if (props.privateEndpoint && !privateNodes) {
      fail(subject, 'privateEndpoint', true, 'be set only together with privateNodes: true (a cluster with public nodes keeps a public endpoint)',
        'set privateNodes: true, or remove privateEndpoint');
    }
    const masterAuthorizedNetworks = props.masterAuthorizedNetworks?.map((n, i) => {
      const range = parseCidr(n.cidr);
      if (!range) {
        fail(subject, `masterAuthorizedNetworks[${i}].cidr`, n.cidr, 'be an IPv4 range a.b.c.d/n whose address is the range\'s first (no host bits set)',
          'write it as \'203.0.113.0/24\' (a single address as \'203.0.113.7/32\')');
      }
      // GKE rejects a public range next to a private endpoint: "Invalid master authorized networks: network ... is not a
      // reserved network, which is required for private endpoints" (terraform-google-modules/terraform-google-kubernetes-engine
      // docs, GoogleCloudPlatform/gke-network-policy-demo#37); the internal ranges are the VPC's valid subnet ranges.
      if (props.privateEndpoint && !isGoogleInternalRange(range)) {
        fail(subject, `masterAuthorizedNetworks[${i}].cidr`, n.cidr, 'lie in an internal range with privateEndpoint: true (RFC 1918, 100.64.0.0/10 or another '
          + 'range Google Cloud lists as a valid subnet range): GKE rejects public ranges for a private endpoint',
        'list the VPC or VPN ranges that reach the control plane, or set privateEndpoint: false to authorize public addresses');
      }
      return { cidrBlock: n.cidr, ...(n.displayName !== undefined ? { displayName: n.displayName } : {}) };
    });
    const region = ZONE.exec(props.location)?.[1] ?? props.location;
    const network = props.network ? resolveClusterNetwork({
      subject, clusterName: name, project: props.project, region, privateNodes, controlPlaneCidr: props.controlPlaneCidr,
    }, props.network) : undefined;
    const nodeServiceAccount = resolveNodeServiceAccount(subject, name, props.project, props.nodeServiceAccount ?? NodeServiceAccount.dedicated());
    const dataplaneV2 = props.dataplaneV2 ?? true;
    if (dataplaneV2 && props.networkPolicy === false) {
      fail(subject, 'networkPolicy', false, 'not be false with Dataplane V2, which always enforces NetworkPolicy',
        'remove networkPolicy, or set dataplaneV2: false for a cluster without NetworkPolicy enforcement');
    }
    const networkPolicy = props.networkPolicy ?? true;
    const workloadIdentity = props.workloadIdentity ?? true;
    const gcsFuseCsiDriver = props.gcsFuseCsiDriver ?? false;
    if (gcsFuseCsiDriver && !workloadIdentity) {
      fail(subject, 'gcsFuseCsiDriver', true, 'come with Workload Identity: the Cloud Storage FUSE CSI driver authenticates pods only through it',
        'remove workloadIdentity: false, or leave the add-on off');
    }
    const managedPrometheus = props.managedPrometheus ?? true;
    const gpuMetrics = () => managedPrometheus && this._nodePools.some((p) => p.gpu !== undefined);
    this.spec = {
      name,
      project: props.project,
      location: props.location,
      releaseChannel: props.releaseChannel ?? ReleaseChannel.REGULAR,
      workloadPool: workloadIdentity ? `${props.project}.svc.id.goog` : undefined,
      gcsFuseCsiDriver,
      gatewayApi: props.gatewayApi ?? false,
      privateNodes,
      controlPlaneCidr: props.controlPlaneCidr,
      privateEndpoint: props.privateEndpoint ?? false,
      masterAuthorizedNetworks,
      network,
      nodeServiceAccount,
      networkingMode: 'VPC_NATIVE',
      datapathProvider: dataplaneV2 ? 'ADVANCED_DATAPATH' : 'LEGACY_DATAPATH',
      networkPolicyEnforced: networkPolicy,
      calicoNetworkPolicy: !dataplaneV2 && networkPolicy,
      managedPrometheus,
      // Setting the list replaces GKE's default: keep GKE's defaults (MONITORING_COMPONENTS), and DCGM once a GPU pool
      // exists (a getter: pools register after the cluster is built).
      get monitoringComponents(): readonly string[] {
        // the kube state and cAdvisor/Kubelet packages need managed collection (see MONITORING_COMPONENTS).
        if (!managedPrometheus) return [SYSTEM_COMPONENTS];
        return [...MONITORING_COMPONENTS, ...(gpuMetrics() ? [GPU_MONITORING_COMPONENT] : [])];
      },
      maintenance: resolveMaintenance(subject, props.maintenanceWindow, props.maintenanceExclusions),
      deletionProtection: props.deletionProtection ?? true,
      removeDefaultNodePool: true,
      initialNodeCount: 1,
    };
    // GKE names a cluster by project, location and name: a second declaration would manage the same cluster.
    claimUniqueName(this, {
      key: `GKE cluster ${props.project}/${props.location}/${name}`, subject, prop: 'name', value: name,
      scope: `per project and location (${props.project}, ${props.location}) in the app`,
      consequence: 'both would manage one GKE cluster and overwrite each other\'s settings', fix: 'give one cluster another name',
    });
    this.resource = new ContainerCluster(this, 'Resource', {
      metadata: { name, annotations: renderClusterAnnotations(this.spec) },
      spec: renderContainerClusterSpec(this.spec),
    });
    this.networkResources = network ? renderNetwork(this, this.spec, network) : {};
    this.nodeServiceAccountResources = renderNodeServiceAccount(this, this.spec);
    ensureUniqueObjectNames(this);
  }

  /** GKE cluster name. */
  public get name(): string {
    return this.spec.name;
  }

  /** Google Cloud project. */
  public get project(): string {
    return this.spec.project;
  }

  /** Region or zone. */
  public get location(): string {
    return this.spec.location;
  }

  /** The region of the cluster (its location, or the region of its zone). */
  public get region(): string {
    return ZONE.exec(this.spec.location)?.[1] ?? this.spec.location;
  }

  /** Whether the cluster is regional (its location is a region). */
  public get regional(): boolean {
    return !ZONE.test(this.spec.location);
  }

  /** Whether the Cloud Storage FUSE CSI driver add-on is on. */
  public get gcsFuseCsiDriver(): boolean {
    return this.spec.gcsFuseCsiDriver;
  }

  /** The Workload Identity pool, `PROJECT.svc.id.goog`; undefined when Workload Identity is off. */
  public get workloadPool(): string | undefined {
    return this.spec.workloadPool;
  }

  /** The node pools of this cluster, in creation order (a copy). */
  public get nodePools(): NodePool[] {
    return [...this._nodePools];
  }

  /**
   * Adds a CPU node pool to this cluster (a child construct of the cluster).
   *
   * @param id construct id; also the pool name unless `options.name` is set
   * @param options the pool's settings
   */
  public addNodePool(id: string, options: NodePoolOptions = {}): NodePool {
    return new NodePool(this, id, { ...options, cluster: this });
  }

  /**
   * Adds a GPU node pool to this cluster (a child construct of the cluster).
   *
   * @param id construct id; also the pool name unless `options.name` is set
   * @param options the pool's settings
   */
  public addGpuNodePool(id: string, options: GpuNodePoolOptions): GpuNodePool {
    return new GpuNodePool(this, id, { ...options, cluster: this });
  }

  /**
   * The `namespace` a Config Connector reference to this cluster needs from an object in `scope`:
   * the cluster's chart namespace when it differs from the referrer's, else undefined.
   *
   * @internal
   */
  public _namespaceFrom(scope: Construct): string | undefined {
    const own = Chart.of(this).namespace;
    return own !== undefined && own !== Chart.of(scope).namespace ? own : undefined;
  }

  /** @internal */
  public _registerNodePool(pool: NodePool): void {
    const firstGpuPool = pool.gpu !== undefined && !this._nodePools.some((p) => p.gpu !== undefined);
    this._nodePools.push(pool);
    if (firstGpuPool && this.spec.managedPrometheus) {
      // the ContainerCluster was rendered before its pools existed: append DCGM to the list it holds.
      addCheckedPatch(this.resource, '/spec/monitoringConfig/enableComponents/-', GPU_MONITORING_COMPONENT, { renderedPath: '/spec/monitoringConfig/enableComponents' });
    }
  }
}

/** The Config Connector objects of a cluster's network; each is absent when not created. */
export interface ClusterNetworkResources {
  /** The VPC network. */
  readonly network?: ComputeNetwork;
  /** The subnetwork with the Pod and Service secondary ranges. */
  readonly subnetwork?: ComputeSubnetwork;
  /** The Cloud Router of the NAT gateway. */
  readonly router?: ComputeRouter;
  /** The Cloud NAT gateway. */
  readonly nat?: ComputeRouterNat;
}

/** The Config Connector objects of a dedicated node service account. */
export interface NodeServiceAccountResources {
  /** The Google service account. */
  readonly serviceAccount?: IamServiceAccount;
  /** One project role binding per role, in NODE_SERVICE_ACCOUNT_ROLES order. */
  readonly roleBindings: IamPolicyMember[];
}

/** Annotations of a Google Cloud object the cluster owns: its project, and abandon on delete when the cluster is protected. */
function cloudAnnotations(spec: GkeClusterSpec): Record<string, string> {
  return { [KCC_PROJECT_ANNOTATION]: spec.project, ...(spec.deletionProtection ? { [KCC_DELETION_POLICY]: 'abandon' } : {}) };
}

function renderNetwork(scope: Construct, spec: GkeClusterSpec, n: ClusterNetworkSpec): ClusterNetworkResources {
  const networkRef = n.created ? { name: n.networkName } : { external: n.networkId };
  const subnetworkRef = n.created ? { name: n.subnetworkName } : { external: n.subnetworkId };
  const annotations = cloudAnnotations(spec);
  const network = n.created ? new ComputeNetwork(scope, 'Network', {
    metadata: { name: n.networkName, annotations },
    // custom mode: the one subnetwork below, no automatic subnetwork per region.
    spec: { autoCreateSubnetworks: false, routingMode: 'REGIONAL' },
  }) : undefined;
  const subnetwork = n.created ? new ComputeSubnetwork(scope, 'Subnetwork', {
    metadata: { name: n.subnetworkName, annotations },
    spec: {
      networkRef,
      region: n.region,
      ipCidrRange: n.nodesCidr,
      secondaryIpRange: [
        { rangeName: n.podsRangeName!, ipCidrRange: n.podsCidr },
        { rangeName: n.servicesRangeName!, ipCidrRange: n.servicesCidr },
      ],
      privateIpGoogleAccess: n.privateIpGoogleAccess,
    },
  }) : undefined;
  const router = n.cloudNat ? new ComputeRouter(scope, 'Router', {
    metadata: { name: n.cloudNat.routerName, annotations },
    spec: { networkRef, region: n.region },
  }) : undefined;
  const nat = n.cloudNat ? new ComputeRouterNat(scope, 'Nat', {
    metadata: { name: n.cloudNat.natName, annotations },
    spec: {
      routerRef: { name: n.cloudNat.routerName },
      region: n.region,
      natIpAllocateOption: 'AUTO_ONLY',
      // the cluster's subnetwork only, all its ranges: node addresses and, for traffic GKE does not masquerade, Pod addresses.
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ subnetworkRef, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
    },
  }) : undefined;
  return { network, subnetwork, router, nat };
}

function renderNodeServiceAccount(scope: Construct, spec: GkeClusterSpec): NodeServiceAccountResources {
  const c = spec.nodeServiceAccount.create;
  if (!c) return { roleBindings: [] };
  const annotations = cloudAnnotations(spec);
  const serviceAccount = new IamServiceAccount(scope, 'NodeServiceAccount', {
    metadata: { name: c.accountId, annotations },
    spec: { displayName: c.displayName },
  });
  const roleBindings = c.roles.map((role) => new IamPolicyMember(scope, `NodeRole-${role}`, {
    metadata: {
      name: `${c.accountId}-${role.replace(/^.*roles\//, '').replace(/[._]/g, '-').toLowerCase()}`,
      annotations: spec.deletionProtection ? { [KCC_DELETION_POLICY]: 'abandon' } : {},
    },
    spec: {
      memberFrom: { serviceAccountRef: { name: c.accountId } },
      role,
      resourceRef: { kind: 'Project', external: `projects/${c.project}` },
    },
  }));
  return { serviceAccount, roleBindings };
}

function renderClusterAnnotations(spec: GkeClusterSpec): Record<string, string> {
  const annotations: Record<string, string> = {
    [KCC_PROJECT_ANNOTATION]: spec.project,
    // Config Connector creates the cluster with a default pool of initialNodeCount nodes, then deletes it.
    // https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containercluster
    [KCC_REMOVE_DEFAULT_NODE_POOL]: 'true',
  };
  if (spec.deletionProtection) annotations[KCC_DELETION_POLICY] = 'abandon';
  return annotations;
}

/** The ContainerCluster `spec` for a resolved cluster spec. */
function renderContainerClusterSpec(spec: GkeClusterSpec): ContainerClusterSpec {
  const m = spec.maintenance;
  const sa = spec.nodeServiceAccount;
  return {
    location: spec.location,
    initialNodeCount: spec.initialNodeCount,
    // GKE creates the cluster with a default pool (removed right after) whose nodes run as the Compute Engine default
    // account unless nodeConfig names one: where that account is disabled or deleted, creation fails ("Service account
    // ...-compute@developer.gserviceaccount.com does not exist", hashicorp/terraform-provider-google#4435,
    // gruntwork-io/terraform-google-gke#56). The pool runs as the nodes' account instead (immutable here; Config
    // Connector accepts nodeConfig with remove-default-node-pool since GoogleCloudPlatform/k8s-config-connector#8651).
    ...(sa.email ? {
      nodeConfig: {
        serviceAccountRef: sa.create ? { name: sa.create.accountId } : { external: sa.email },
        oauthScopes: [NODE_OAUTH_SCOPE],
      },
    } : {}),
    releaseChannel: { channel: spec.releaseChannel },
    ...(spec.workloadPool ? { workloadIdentityConfig: { workloadPool: spec.workloadPool } } : {}),
    networkingMode: spec.networkingMode,
    ...(spec.network ? {
      networkRef: spec.network.created ? { name: spec.network.networkName } : { external: spec.network.networkId },
      subnetworkRef: spec.network.created ? { name: spec.network.subnetworkName } : { external: spec.network.subnetworkId },
    } : {}),
    // An ipAllocationPolicy block makes the cluster VPC-native; empty, GKE picks the Pod and Service ranges, else it
    // takes the subnetwork's named secondary ranges.
    ipAllocationPolicy: spec.network?.podsRangeName ? {
      clusterSecondaryRangeName: spec.network.podsRangeName, servicesSecondaryRangeName: spec.network.servicesRangeName,
    } : {},
    datapathProvider: spec.datapathProvider,
    ...(spec.calicoNetworkPolicy ? { networkPolicy: { enabled: true, provider: 'CALICO' } } : {}),
    ...(spec.calicoNetworkPolicy || spec.gcsFuseCsiDriver ? {
      addonsConfig: {
        ...(spec.calicoNetworkPolicy ? { networkPolicyConfig: { disabled: false } } : {}),
        ...(spec.gcsFuseCsiDriver ? { gcsFuseCsiDriverConfig: { enabled: true } } : {}),
      },
    } : {}),
    ...(spec.privateNodes ? {
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: spec.privateEndpoint,
        ...(spec.controlPlaneCidr ? { masterIpv4CidrBlock: spec.controlPlaneCidr } : {}),
      },
    } : {}),
    ...(spec.masterAuthorizedNetworks
      ? { masterAuthorizedNetworksConfig: { cidrBlocks: spec.masterAuthorizedNetworks.map((n) => ({ ...n })) } } : {}),
    monitoringConfig: {
      enableComponents: [...spec.monitoringComponents],
      managedPrometheus: { enabled: spec.managedPrometheus },
    },
    ...(spec.gatewayApi ? { gatewayApiConfig: { channel: GATEWAY_API_STANDARD_CHANNEL } } : {}),
    // Config Connector spells the exclusions maintenanceExclusion (singular); @pulumi/gcp maintenanceExclusions.
    ...(m.window || m.exclusions.length ? {
      maintenancePolicy: {
        ...(m.window ? { recurringWindow: { startTime: m.window.startTime, endTime: m.window.endTime, recurrence: m.window.recurrence } } : {}),
        ...(m.exclusions.length ? {
          maintenanceExclusion: m.exclusions.map((e) => ({
            exclusionName: e.name, startTime: e.startTime, endTime: e.endTime, exclusionOptions: { scope: e.scope },
          })),
        } : {}),
      },
    } : {}),
  };
}
