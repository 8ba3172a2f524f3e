import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import { clusterArgs } from './cluster-args';
import { defaultKubeconfigContext, gkeKubeconfig } from './kubeconfig';
import { apiGroupOf, KubernetesObject, namespacesToCreate, serviceNamesOf, splitObjects } from './kubernetes-objects';
import { networkArgs, nodeRoleArgs, nodeServiceAccountArgs, routerArgs, routerNatArgs, subnetworkArgs } from './network-args';
import { nodePoolArgs } from './node-pool-args';
import { bucketReaderArgs, serviceAccountArgs, workloadIdentityUserArgs } from './workload-identity-args';
import type { GkeClusterSpec } from '../gke/gke-cluster';
import { CloudObjectRef, findGkeInfrastructure } from '../gke/gke-infrastructure';
import type { NodePoolSpec } from '../gke/node-pool';
import type { WorkloadIdentitySpec } from '../gke/workload-identity';

/** The Pulumi type token of {@link GkeServingStack}. */
export const GKE_SERVING_STACK_TYPE = 'tfserving-constructs:gke:GkeServingStack';

/**
 * Arguments of a {@link GkeServingStack}. Pass exactly one of `app` and `chart`.
 */
export interface GkeServingStackArgs {
  /**
   * A cdk8s app: the stack renders the one `GkeCluster` declared in it, its node pools and every
   * `WorkloadIdentity`, and applies the Kubernetes objects of all its charts. Build the app in memory;
   * do not call `app.synth()`.
   *
   * @default - `chart` must be set
   */
  readonly app?: App;

  /**
   * A single cdk8s chart: the stack renders the `GkeCluster` declared in it (with its node pools and the
   * chart's `WorkloadIdentity` constructs) and applies this chart's Kubernetes objects only.
   *
   * @default - `app` must be set
   */
  readonly chart?: Chart;

  /**
   * Name of the cluster, user and context in the generated kubeconfig.
   *
   * @default - `gke_PROJECT_LOCATION_NAME`, as `gcloud container clusters get-credentials` names it
   */
  readonly kubeconfigContext?: string;

  /**
   * Further settings of the Kubernetes provider (e.g. `deleteUnreachable`, `enableServerSideApply`).
   * The kubeconfig always comes from the cluster.
   *
   * @default - the provider's defaults (server-side apply)
   */
  readonly kubernetesProviderArgs?: Omit<k8s.ProviderArgs, 'kubeconfig' | 'context' | 'cluster'>;

  /**
   * Create a `Namespace` for each namespace the chart's objects use but do not declare (a cdk8s chart's
   * `namespace` prop sets `metadata.namespace` only), except `default`, the `kube-*` namespaces, GKE's
   * `gmp-*` namespaces and `istio-system`.
   *
   * @default true
   */
  readonly createNamespaces?: boolean;

  /**
   * Do not wait for the Kubernetes objects to become ready (Deployments available, and so on). Waiting
   * covers the time a GPU pool needs to scale up from zero nodes.
   *
   * @default false
   * @see https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/
   */
  readonly skipAwait?: boolean;

  /**
   * More resources the CRD-based objects wait for, e.g. the Helm releases that install Istio or Flagger.
   * (Managed Service for Prometheus' `PodMonitoring` CRD comes with the cluster.)
   *
   * @default - they wait for the built-in objects only
   */
  readonly customResourcesDependOn?: pulumi.Resource[];

  /**
   * API groups whose CustomResourceDefinitions the cluster has before the stack applies its objects, besides those
   * GKE installs for the cluster's own settings (`monitoring.googleapis.com` with `managedPrometheus`), e.g.
   * `['networking.istio.io', 'security.istio.io', 'telemetry.istio.io']` once Istio is installed, `flagger.app`,
   * `monitoring.coreos.com`, `keda.sh`, `gateway.networking.k8s.io` and `networking.gke.io` (the Gateway API
   * enabled on the cluster). The stack refuses a CRD-based object of any other group: on a new cluster
   * it would fail to apply after the cluster, pools and workloads exist. When a Helm release of the same program
   * installs the CRDs, pass it as `customResourcesDependOn` too.
   *
   * @default - only the groups GKE installs for the cluster's settings
   */
  readonly installedApiGroups?: string[];
}

/**
 * What a {@link GkeServingStack} creates, resolved from the construct tree before any resource exists.
 */
export interface GkeServingStackPlan {
  /** The cluster (`GkeCluster.spec`). */
  readonly cluster: GkeClusterSpec;
  /** Its node pools, in declaration order (`NodePool.spec`). */
  readonly nodePools: NodePoolSpec[];
  /** The Workload Identity bindings (`WorkloadIdentity.spec`). */
  readonly workloadIdentities: WorkloadIdentitySpec[];
  /** Name of the kubeconfig's context. */
  readonly kubeconfigContext: string;
  /** The Config Connector objects of the chart, which the native resources above replace; never applied. */
  readonly replacedObjects: KubernetesObject[];
  /** Objects of built-in API groups, Namespaces to create first: the `-workloads` ConfigGroup. */
  readonly coreObjects: KubernetesObject[];
  /** CRD-based objects: the `-custom-resources` ConfigGroup, applied after the core objects. */
  readonly customObjects: KubernetesObject[];
  /** `NAMESPACE/NAME` of every Service. */
  readonly serviceNames: string[];
  /** API groups the cluster has CRDs for: GKE's for the cluster's settings, then `installedApiGroups`. */
  readonly installedApiGroups: string[];
}

/**
 * Resolves what a {@link GkeServingStack} creates from the construct tree, checking every argument first.
 * Creates no resource. `Chart.toJson()` runs the app's validations, so construct rules fail here too.
 *
 * @param name the stack's name, for messages
 * @param args the stack's arguments
 * @throws pulumi.InputPropertiesError listing every problem
 */
export function planGkeServingStack(name: string, args: GkeServingStackArgs): GkeServingStackPlan {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const problem = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  const fail: () => never = () => {
    throw new pulumi.InputPropertiesError({
      message: `GkeServingStack '${name}': ${problems.length === 1 ? 'invalid argument' : `${problems.length} invalid arguments`}:\n`
        + problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`).join('\n'),
      errors: problems,
    });
  };

  if (args.app && args.chart) problem('chart', 'pass either app or chart, not both. Fix: remove one of them');
  if (!args.app && !args.chart) problem('app', 'pass the cdk8s app (or one chart) that declares the cluster. Fix: new GkeServingStack(name, { app })');
  if (args.kubeconfigContext !== undefined && !/^\S+$/.test(args.kubeconfigContext)) {
    problem('kubeconfigContext', `(${JSON.stringify(args.kubeconfigContext)}) must be a non-empty name without spaces. Fix: remove it to use gke_PROJECT_LOCATION_NAME`);
  }
  const scope: App | Chart | undefined = args.chart ?? args.app;
  if (!scope) fail();
  const scopeProp = args.chart ? 'chart' : 'app';

  // the constructs' resolved specs, as plain data (lib/gke resolves them; this layer knows no construct class).
  const infra = findGkeInfrastructure(scope);
  const clusters = infra.clusters;
  if (clusters.length === 0) {
    problem(scopeProp, 'declares no GkeCluster. Fix: add one, e.g. new GkeCluster(chart, \'cluster\', { project, location }), with its node pools');
  } else if (clusters.length > 1) {
    problem(scopeProp, `declares ${clusters.length} GkeClusters (${clusters.map((c) => `'${c.path}'`).join(', ')}); a GkeServingStack renders one. `
      + 'Fix: pass each cluster\'s chart to a GkeServingStack of its own');
  }
  // the checks below are about the one cluster; with none or several they would only repeat the problem.
  if (clusters.length !== 1) fail();
  const cluster = clusters[0];

  const pools = cluster.nodePools;
  if (pools.length === 0) {
    problem(scopeProp, `GkeCluster '${cluster.path}' has no node pool; its default pool is removed, so no workload could run. `
      + 'Fix: cluster.addNodePool(\'cpu\') or cluster.addGpuNodePool(...)');
  }
  for (const pool of infra.nodePools) {
    if (pool.clusterPath !== cluster.path) {
      problem(scopeProp, `node pool '${pool.path}' belongs to GkeCluster '${pool.clusterPath}', which this stack does not create. `
        + 'Fix: declare the pool on the stack\'s cluster, or pass the chart that declares its cluster');
    }
  }
  const identities = infra.workloadIdentities;
  const pool = cluster.spec.workloadPool;
  for (const wi of identities) {
    if (!pool || !wi.spec.workloadIdentityMember.startsWith(`serviceAccount:${pool}[`)) {
      problem(scopeProp, `WorkloadIdentity '${wi.path}' binds ${wi.spec.workloadIdentityMember}, not a member of `
        + `${pool ? `the cluster's pool ${pool}` : 'the cluster\'s Workload Identity pool (Workload Identity is off on the cluster)'}. `
        + 'Fix: create it with cluster: the stack\'s GkeCluster');
    }
  }

  // the pools are rendered as gcp.container.NodePool: fields Config Connector lacks (secondaryBootDisks) are allowed.
  pools.forEach((p) => p.renderNatively());
  const charts = Chart.isChart(scope) ? [scope] : scope.charts;
  const objects: KubernetesObject[] = [];
  for (const chart of charts) {
    try {
      objects.push(...chart.toJson());
    } catch (e) {
      problem(scopeProp, `chart '${chart.node.path}' does not synthesize: ${(e as Error).message}`);
    }
  }
  const split = splitObjects(objects);

  // every Config Connector object must stand for a declaration rendered natively below, or it would be lost silently.
  const rendered = new Set<string>();
  const renders = (o: CloudObjectRef) => rendered.add(objectKey({
    apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace },
  }));
  cluster.objects.forEach(renders);
  // a pool of another cluster is reported above; its object is not reported again.
  [...pools, ...infra.nodePools].forEach((p) => p.objects.forEach(renders));
  for (const wi of identities) wi.objects.forEach(renders);
  for (const o of split.configConnector) {
    if (!rendered.has(objectKey(o))) {
      problem(scopeProp, `Config Connector object ${o.kind} '${o.metadata?.name}' (${o.apiVersion}) has no native rendering: GkeServingStack renders `
        + 'GkeCluster (with its network and node service account), NodePool, GpuNodePool and WorkloadIdentity. '
        + 'Fix: declare that resource with @pulumi/gcp in the Pulumi program and remove it from the chart');
    }
  }
  const installed = [...clusterInstalledApiGroups(cluster.spec), ...(args.installedApiGroups ?? [])]
    .filter((g, i, all) => all.indexOf(g) === i);
  for (const g of args.installedApiGroups ?? []) {
    // an API group is a DNS subdomain (apiextensions.k8s.io validation of CustomResourceDefinitionSpec.group).
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(g)) {
      problem('installedApiGroups', `(${JSON.stringify(g)}) must be an API group, a DNS subdomain such as networking.istio.io (no version). `
        + 'Fix: write the part of the objects\' apiVersion before the slash');
    }
  }
  for (const [group, objs] of missingApiGroups(split.custom, installed)) {
    problem('installedApiGroups', `(${JSON.stringify(args.installedApiGroups ?? [])}) must include ${group}, the API group of ${objs.map(describeObject).join(', ')}: `
      + 'a new cluster has no CRDs for it, so these objects would fail to apply after the cluster and its pools exist. '
      + `Fix: ${installHint(group, cluster.spec)}, then add '${group}' to installedApiGroups`);
  }
  if (problems.length > 0) fail();

  const core = [...((args.createNamespaces ?? true) ? namespacesToCreate([...split.core, ...split.custom]) : []), ...split.core];
  return {
    cluster: cluster.spec,
    nodePools: pools.map((p) => p.spec),
    workloadIdentities: identities.map((wi) => wi.spec),
    kubeconfigContext: args.kubeconfigContext ?? defaultKubeconfigContext(cluster.spec),
    replacedObjects: split.configConnector,
    coreObjects: core,
    customObjects: split.custom,
    serviceNames: serviceNamesOf(split.core),
    installedApiGroups: installed,
  };
}

/**
 * API groups whose CRDs GKE installs for the cluster's settings: Managed Service for Prometheus'
 * `monitoring.googleapis.com` (PodMonitoring, ClusterPodMonitoring, Rules …) with managed collection on; with
 * `gatewayApi`, the Gateway API's `gateway.networking.k8s.io` and GKE's policies of `networking.gke.io`.
 *
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed#enable-mgdcoll-gke
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/deploying-gateways#enable-gateway
 */
function clusterInstalledApiGroups(spec: GkeClusterSpec): string[] {
  return [
    ...(spec.managedPrometheus ? ['monitoring.googleapis.com'] : []),
    ...(spec.gatewayApi ? ['gateway.networking.k8s.io', 'networking.gke.io'] : []),
  ];
}

/** The CRD-based objects whose group is not installed, by group in order of first use. */
function missingApiGroups(objs: readonly KubernetesObject[], installed: readonly string[]): Map<string, KubernetesObject[]> {
  const missing = new Map<string, KubernetesObject[]>();
  for (const o of objs) {
    const group = apiGroupOf(o.apiVersion);
    if (installed.includes(group)) continue;
    missing.set(group, [...(missing.get(group) ?? []), o]);
  }
  return missing;
}

function describeObject(o: KubernetesObject): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} '${ns ? `${ns}/` : ''}${o.metadata?.name}'`;
}

/** How to install a group's CRDs. */
function installHint(group: string, spec: GkeClusterSpec): string {
  switch (group) {
    case 'networking.istio.io':
    case 'security.istio.io':
    case 'telemetry.istio.io':
      return 'install Istio on the cluster (istioctl install, or the Helm charts istio/base and istio/istiod, which install its CRDs)';
    case 'flagger.app':
      return 'install Flagger (Helm chart flagger/flagger, which installs its CRDs)';
    case 'monitoring.coreos.com':
      return 'install prometheus-operator (e.g. the Helm chart prometheus-community/kube-prometheus-stack, which installs its CRDs)';
    case 'keda.sh':
      return 'install KEDA (Helm chart kedacore/keda, which installs its CRDs)';
    case 'monitoring.googleapis.com':
      // reached only with managedPrometheus off: the group is installed by default otherwise.
      return `turn on managedPrometheus on GkeCluster '${spec.name}' (GKE then installs the CRDs)`;
    case 'gateway.networking.k8s.io':
    case 'networking.gke.io':
      // reached only with gatewayApi off: the groups are installed with it.
      return `turn on gatewayApi on GkeCluster '${spec.name}' (GKE then installs the Gateway API CRDs and its GCPBackendPolicy, HealthCheckPolicy `
        + 'and GCPGatewayPolicy)';
    default:
      return `install the CRDs of ${group} on the cluster`;
  }
}

function objectKey(o: KubernetesObject): string {
  return [o.apiVersion, o.kind, o.metadata?.namespace ?? '', o.metadata?.name ?? ''].join('|');
}

/**
 * The resources of a {@link GkeServingStack}.
 */
export interface GkeServingStackResources {
  /** The VPC network, when the cluster declares a new one. */
  readonly network?: gcp.compute.Network;
  /** The subnetwork with the Pod and Service ranges, when the cluster declares a new network. */
  readonly subnetwork?: gcp.compute.Subnetwork;
  /** The Cloud Router of the NAT gateway, with `CloudNat.CREATE`. */
  readonly router?: gcp.compute.Router;
  /** The Cloud NAT gateway, with `CloudNat.CREATE`. */
  readonly nat?: gcp.compute.RouterNat;
  /** The dedicated node service account, unless the cluster names another one. */
  readonly nodeServiceAccount?: gcp.serviceaccount.Account;
  /** Its project roles, in NODE_SERVICE_ACCOUNT_ROLES order. */
  readonly nodeRoles: gcp.projects.IAMMember[];
  /** The GKE cluster. */
  readonly cluster: gcp.container.Cluster;
  /** Node pools by declared pool name (`NodePool.name`; the GKE name is `spec.gkeNames.pulumi`). */
  readonly nodePools: Record<string, gcp.container.NodePool>;
  /** Google service accounts by account ID. */
  readonly serviceAccounts: Record<string, gcp.serviceaccount.Account>;
  /** `roles/iam.workloadIdentityUser` bindings, by account ID. */
  readonly workloadIdentityUsers: Record<string, gcp.serviceaccount.IAMMember>;
  /** `roles/storage.objectViewer` bindings, by `ACCOUNT_ID/BUCKET`. */
  readonly bucketReaders: Record<string, gcp.storage.BucketIAMMember>;
  /** Kubeconfig of the cluster (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The Kubernetes provider for the cluster. */
  readonly provider: k8s.Provider;
  /** The built-in objects (Namespaces, workloads, Services …); undefined when there are none. */
  readonly workloads?: k8s.yaml.v2.ConfigGroup;
  /** The CRD-based objects (Istio, monitoring …); undefined when there are none. */
  readonly customResources?: k8s.yaml.v2.ConfigGroup;
}

/**
 * Creates the resources of a {@link GkeServingStack} from its plan, as children of `parent`, named
 * `${name}-<role>`. The logic behind the component, separate for testing and reuse.
 *
 * @param name the component's name; every child's name starts with it
 * @param plan what to create (`planGkeServingStack`)
 * @param args the component's arguments (provider settings, waiting, extra dependencies)
 * @param parent the component
 */
export function createGkeServingStack(
  name: string, plan: GkeServingStackPlan, args: GkeServingStackArgs, parent: pulumi.Resource,
): GkeServingStackResources {
  // `protect` on what the cluster keeps (deletionProtection): `pulumi destroy` refuses before deleting anything that
  // serves, instead of stopping at the cluster's own deletionProtection after the pools and the network are gone.
  const protect = plan.cluster.deletionProtection;
  const net = plan.cluster.network;
  const network = net?.created ? new gcp.compute.Network(`${name}-network`, networkArgs(net), { parent, protect }) : undefined;
  const subnetwork = net?.created && network
    ? new gcp.compute.Subnetwork(`${name}-subnetwork`, subnetworkArgs(net, network.id), { parent, protect }) : undefined;
  const router = net?.cloudNat
    ? new gcp.compute.Router(`${name}-router`, routerArgs(net, network?.id ?? net.networkId), { parent, protect }) : undefined;
  const nat = net?.cloudNat && router
    ? new gcp.compute.RouterNat(`${name}-nat`, routerNatArgs(net, router.name, subnetwork?.id ?? net.subnetworkId), { parent, protect }) : undefined;
  const sa = plan.cluster.nodeServiceAccount;
  const nodeServiceAccount = sa.create
    ? new gcp.serviceaccount.Account(`${name}-node-sa`, nodeServiceAccountArgs(sa), { parent, protect }) : undefined;
  const nodeRoles = nodeServiceAccount ? sa.create!.roles.map((role) => new gcp.projects.IAMMember(
    `${name}-node-role-${role.replace(/^.*roles\//, '').replace(/[._]/g, '-').toLowerCase()}`, nodeRoleArgs(sa, role, nodeServiceAccount.member),
    { parent, protect })) : [];

  // private nodes pull images and models as soon as they boot: with Cloud NAT declared, the cluster waits for it. Its
  // temporary default pool runs as the node account (clusterArgs' nodeConfig), so the account and its roles come first.
  const clusterDeps = [...(nat ? [nat] : []), ...(nodeServiceAccount ? [nodeServiceAccount, ...nodeRoles] : [])];
  const cluster = new gcp.container.Cluster(`${name}-cluster`, clusterArgs(plan.cluster, { network: network?.id, subnetwork: subnetwork?.id }), {
    parent,
    protect,
    ...(clusterDeps.length ? { dependsOn: clusterDeps } : {}),
    // nodeConfig describes only the default pool, removed after creation: GKE then reports another (or none), and a
    // diff there would replace the cluster (hashicorp/terraform-provider-google#12070; gruntwork-io/terraform-google-gke#60
    // ignores it the same way).
    ignoreChanges: ['nodeConfig'],
  });

  const nodePools: Record<string, gcp.container.NodePool> = {};
  for (const spec of plan.nodePools) {
    nodePools[spec.name] = new gcp.container.NodePool(`${name}-pool-${spec.name}`, nodePoolArgs(spec, cluster.name), {
      parent,
      protect: spec.deletionProtection,
      // nodes log and pull images as their service account from the start: the account and its roles come first.
      ...(nodeServiceAccount ? { dependsOn: [nodeServiceAccount, ...nodeRoles] } : {}),
      // a pool with PoolReplacement.CREATE_BEFORE_DELETE (compared by value) takes a new GKE name when a field that forces a
      // replacement changes, and workloads select its stable tfserving-constructs.io/node-pool label: Pulumi creates the
      // successor, then deletes the old pool. DELETE_BEFORE_CREATE keeps the declared name, which two pools cannot share.
      ...((spec.replacement as string) === 'DELETE_BEFORE_CREATE' ? { deleteBeforeReplace: true } : {}),
      // GKE changes the recorded initial count as the autoscaler resizes the pool; a diff there would force replacement.
      // https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_node_pool#initial_node_count
      ignoreChanges: ['initialNodeCount'],
    });
  }

  const serviceAccounts: Record<string, gcp.serviceaccount.Account> = {};
  const workloadIdentityUsers: Record<string, gcp.serviceaccount.IAMMember> = {};
  const bucketReaders: Record<string, gcp.storage.BucketIAMMember> = {};
  for (const spec of plan.workloadIdentities) {
    const account = new gcp.serviceaccount.Account(`${name}-gsa-${spec.accountId}`, serviceAccountArgs(spec), { parent });
    serviceAccounts[spec.accountId] = account;
    // the member names the cluster's Workload Identity pool, which exists once the cluster does.
    workloadIdentityUsers[spec.accountId] = new gcp.serviceaccount.IAMMember(`${name}-wi-user-${spec.accountId}`,
      workloadIdentityUserArgs(spec, account.name), { parent, dependsOn: [cluster] });
    for (const bucket of spec.readerBuckets) {
      bucketReaders[`${spec.accountId}/${bucket}`] = new gcp.storage.BucketIAMMember(`${name}-reader-${spec.accountId}-${bucket}`,
        bucketReaderArgs(bucket, pulumi.interpolate`serviceAccount:${account.email}`), { parent });
    }
  }

  const contextName = plan.kubeconfigContext;
  const kubeconfig = pulumi.secret(pulumi.all([cluster.endpoint, cluster.masterAuth]).apply(([endpoint, auth]) =>
    gkeKubeconfig({ contextName, endpoint, clusterCaCertificate: auth.clusterCaCertificate })));
  const provider = new k8s.Provider(`${name}-k8s`, { ...args.kubernetesProviderArgs, kubeconfig }, { parent });

  // workloads need nodes to run on, and Pods reading gs:// models need their IAM bindings.
  const workloads = plan.coreObjects.length === 0 ? undefined : new k8s.yaml.v2.ConfigGroup(`${name}-workloads`,
    { objs: plan.coreObjects, ...(args.skipAwait ? { skipAwait: true } : {}) },
    { parent, provider, dependsOn: [...Object.values(nodePools), ...Object.values(workloadIdentityUsers), ...Object.values(bucketReaders)] });
  // CRD-based objects reference the built-in ones (VirtualService → Service, PodMonitoring → Pods), and their CRDs come
  // with the cluster's installs (Managed Prometheus, Istio), so they go second.
  const customResources = plan.customObjects.length === 0 ? undefined : new k8s.yaml.v2.ConfigGroup(`${name}-custom-resources`,
    { objs: plan.customObjects, ...(args.skipAwait ? { skipAwait: true } : {}) },
    { parent, provider, dependsOn: [...(workloads ? [workloads] : Object.values(nodePools)), ...(args.customResourcesDependOn ?? [])] });

  return {
    network, subnetwork, router, nat, nodeServiceAccount, nodeRoles, cluster, nodePools, serviceAccounts, workloadIdentityUsers, bucketReaders,
    kubeconfig, provider, workloads, customResources,
  };
}

/**
 * A whole GKE serving stack from the same cdk8s declarations `cdk8s synth` uses: the `GkeCluster`,
 * `NodePool`/`GpuNodePool` and `WorkloadIdentity` constructs become native @pulumi/gcp resources, and
 * the chart's Kubernetes objects are applied to the new cluster with @pulumi/kubernetes.
 *
 * Children (all parented to the stack, named `${name}-<role>`):
 * - `${name}-network`, `${name}-subnetwork`, `${name}-router`, `${name}-nat`: the cluster's new VPC network and
 *   subnetwork, and its Cloud NAT (see `networkArgs` …), when it declares them;
 * - `${name}-node-sa`, `${name}-node-role-ROLE`: the dedicated node service account and its project roles, which
 *   the node pools wait for;
 * - `${name}-cluster`: `gcp.container.Cluster` (default pool removed, Workload Identity, release channel,
 *   Dataplane V2, Managed Prometheus, deletion protection — see `clusterArgs`);
 * - `${name}-pool-POOL`: one `gcp.container.NodePool` per declared pool, POOL its declared name (the GKE name adds a hash of
 *   the fields that force a replacement, so a successor is created before the old pool is deleted; see `nodePoolArgs`);
 * - `${name}-gsa-ACCOUNT`, `${name}-wi-user-ACCOUNT`, `${name}-reader-ACCOUNT-BUCKET`: per `WorkloadIdentity`,
 *   the Google service account, its `roles/iam.workloadIdentityUser` binding and `roles/storage.objectViewer`
 *   on each model bucket;
 * - `${name}-k8s`: a Kubernetes provider whose kubeconfig uses `gke-gcloud-auth-plugin`;
 * - `${name}-workloads`: a `k8s.yaml.v2.ConfigGroup` with the built-in objects (plus missing Namespaces),
 *   after the node pools and IAM bindings;
 * - `${name}-custom-resources`: a second ConfigGroup with the CRD-based objects (Istio, monitoring, Flagger,
 *   telemetry), after the first.
 *
 * The chart's Config Connector objects are not applied: the native resources replace them.
 *
 * @example
 * const app = new App();
 * new GkeGpuChart(app, 'gke-gpu');            // GkeCluster, GpuNodePool, WorkloadIdentity, TfServingModel …
 * const stack = new GkeServingStack('ml', { app });
 * export const kubeconfig = stack.kubeconfig;
 */
export class GkeServingStack extends pulumi.ComponentResource {
  /** What the stack creates, resolved from the construct tree. */
  public readonly plan: GkeServingStackPlan;
  /** The GKE cluster. */
  public readonly cluster: gcp.container.Cluster;
  /** Node pools by declared pool name (`NodePool.name`; the GKE name is `spec.gkeNames.pulumi`). */
  public readonly nodePools: Record<string, gcp.container.NodePool>;
  /** Google service accounts by account ID. */
  public readonly serviceAccounts: Record<string, gcp.serviceaccount.Account>;
  /** The Kubernetes provider for the cluster. */
  public readonly provider: k8s.Provider;
  /** The built-in objects; undefined when the chart has none. */
  public readonly workloads?: k8s.yaml.v2.ConfigGroup;
  /** The CRD-based objects; undefined when the chart has none. */
  public readonly customResources?: k8s.yaml.v2.ConfigGroup;
  /** Every child resource, by role. */
  public readonly resources: GkeServingStackResources;

  /** GKE name of the cluster. */
  public readonly clusterName: pulumi.Output<string>;
  /** The control plane's IP address. */
  public readonly endpoint: pulumi.Output<string>;
  /** Kubeconfig for the cluster, authenticating with `gke-gcloud-auth-plugin` (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** `NAMESPACE/NAME` of the chart's Services. */
  public readonly serviceNames: pulumi.Output<string[]>;

  /**
   * @param name the stack's name; its children are named `${name}-<role>`
   * @param args the cdk8s app or chart, and settings
   * @param opts resource options (e.g. `providers: { gcp }` for the Google Cloud resources)
   * @throws pulumi.InputPropertiesError for invalid arguments, before any resource is registered
   */
  constructor(name: string, args: GkeServingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planGkeServingStack(name, args);
    super(GKE_SERVING_STACK_TYPE, name, {}, opts);
    this.plan = plan;
    this.resources = createGkeServingStack(name, plan, args, this);
    this.cluster = this.resources.cluster;
    this.nodePools = this.resources.nodePools;
    this.serviceAccounts = this.resources.serviceAccounts;
    this.provider = this.resources.provider;
    this.workloads = this.resources.workloads;
    this.customResources = this.resources.customResources;
    this.clusterName = this.cluster.name;
    this.endpoint = this.cluster.endpoint;
    this.kubeconfig = this.resources.kubeconfig;
    this.serviceNames = pulumi.output(plan.serviceNames);
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      serviceNames: this.serviceNames,
    });
  }
}
