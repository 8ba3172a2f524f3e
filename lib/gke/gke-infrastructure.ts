import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GkeCluster, GkeClusterSpec } from './gke-cluster';
import { NodePool, NodePoolSpec } from './node-pool';
import { WorkloadIdentity, WorkloadIdentitySpec } from './workload-identity';

/** A Config Connector object a declaration renders, by API version, kind, namespace and name. */
export interface CloudObjectRef {
  /** `apiVersion`. */
  readonly apiVersion: string;
  /** `kind`. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`, when set. */
  readonly namespace?: string;
}

/** A declared GKE cluster, as plain data. */
export interface ClusterDeclaration {
  /** Construct path, for messages. */
  readonly path: string;
  /** The resolved cluster (network, node service account included). */
  readonly spec: GkeClusterSpec;
  /** Its node pools, in declaration order. */
  readonly nodePools: readonly NodePoolDeclaration[];
  /** The Config Connector objects it renders (cluster, network, node service account and roles). */
  readonly objects: readonly CloudObjectRef[];
}

/** A declared node pool, as plain data. */
export interface NodePoolDeclaration {
  /** Construct path. */
  readonly path: string;
  /** Construct path of its cluster. */
  readonly clusterPath: string;
  /** The resolved pool. */
  readonly spec: NodePoolSpec;
  /** The Config Connector objects it renders. */
  readonly objects: readonly CloudObjectRef[];
  /**
   * Says the pool is rendered by another engine (Pulumi's gcp.container.NodePool), so fields Config Connector lacks
   * (secondaryBootDisks) no longer fail the chart's validation.
   */
  readonly renderNatively: () => void;
}

/** A declared Workload Identity binding, as plain data. */
export interface WorkloadIdentityDeclaration {
  /** Construct path. */
  readonly path: string;
  /** The resolved binding. */
  readonly spec: WorkloadIdentitySpec;
  /** The Config Connector objects it renders. */
  readonly objects: readonly CloudObjectRef[];
}

/** The GKE infrastructure declared under a construct, as plain specs. */
export interface GkeInfrastructure {
  /** Every GkeCluster, in tree order. */
  readonly clusters: readonly ClusterDeclaration[];
  /** Every NodePool / GpuNodePool in the scope (a pool may belong to a cluster outside it). */
  readonly nodePools: readonly NodePoolDeclaration[];
  /** Every WorkloadIdentity. */
  readonly workloadIdentities: readonly WorkloadIdentityDeclaration[];
}

const ref = (o: ApiObject): CloudObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.metadata.namespace });

function poolDeclaration(p: NodePool): NodePoolDeclaration {
  return { path: p.node.path, clusterPath: p.cluster.node.path, spec: p.spec, objects: [ref(p.resource)], renderNatively: () => p._renderNatively() };
}

/**
 * The GKE infrastructure a construct tree declares, resolved into the constructs' plain specs: what another engine
 * (the Pulumi layer) renders without knowing the construct classes. Reads the tree; creates nothing.
 *
 * @param scope an App or a Chart
 */
export function findGkeInfrastructure(scope: IConstruct): GkeInfrastructure {
  const all = scope.node.findAll();
  const clusters = all.filter((c): c is GkeCluster => c instanceof GkeCluster).map((c): ClusterDeclaration => {
    const n = c.networkResources;
    const sa = c.nodeServiceAccountResources;
    const optional: Array<ApiObject | undefined> = [n.network, n.subnetwork, n.router, n.nat, sa.serviceAccount];
    const own: ApiObject[] = [c.resource, ...optional.filter((o): o is ApiObject => o !== undefined), ...sa.roleBindings];
    return { path: c.node.path, spec: c.spec, nodePools: c.nodePools.map(poolDeclaration), objects: own.map(ref) };
  });
  const nodePools = all.filter((c): c is NodePool => c instanceof NodePool).map(poolDeclaration);
  const workloadIdentities = all.filter((c): c is WorkloadIdentity => c instanceof WorkloadIdentity).map((wi) => ({
    path: wi.node.path,
    spec: wi.spec,
    objects: [wi.googleServiceAccount, wi.workloadIdentityUser, ...wi.bucketReaders].map(ref),
  }));
  return { clusters, nodePools, workloadIdentities };
}
