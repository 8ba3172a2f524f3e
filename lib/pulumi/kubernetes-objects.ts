/**
 * API groups that every Kubernetes cluster serves (Kubernetes 1.33), as opposed to groups that exist
 * only once a CustomResourceDefinition installs them. `''` is the core group (`apiVersion: v1`).
 *
 * @see https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/
 */
export const BUILT_IN_API_GROUPS: ReadonlySet<string> = new Set([
  '', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps', 'authentication.k8s.io',
  'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'internal.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy',
  'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io',
]);

/**
 * Namespaces a cluster has before anything is applied (Kubernetes' own and GKE's), or that an add-on
 * installation owns (`istio-system`); `namespacesToCreate` never declares them.
 */
export const PREEXISTING_NAMESPACES: ReadonlySet<string> = new Set([
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'gmp-system', 'gmp-public', 'istio-system',
]);

/** A Kubernetes object as `Chart.toJson()` returns it. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * A chart's objects, split by who applies them.
 */
export interface SplitObjects {
  /**
   * Config Connector objects (API groups ending in `cnrm.cloud.google.com`): the Pulumi layer renders the
   * constructs behind them natively, so they never reach the cluster.
   */
  readonly configConnector: KubernetesObject[];
  /** Objects of built-in API groups (Deployments, Services, ConfigMaps, NetworkPolicies, HPAs …). */
  readonly core: KubernetesObject[];
  /**
   * Objects whose kinds come from CustomResourceDefinitions (Istio, prometheus-operator, Managed
   * Prometheus, Flagger, telemetry …); applied after the core objects.
   */
  readonly custom: KubernetesObject[];
}

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `''`). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Whether an object is a Config Connector resource (its API group ends in `cnrm.cloud.google.com`). */
export function isConfigConnectorObject(obj: KubernetesObject): boolean {
  const group = apiGroupOf(obj.apiVersion);
  return group === 'cnrm.cloud.google.com' || group.endsWith('.cnrm.cloud.google.com');
}

/** Whether an object's API group is built into Kubernetes (see {@link BUILT_IN_API_GROUPS}). */
export function isBuiltInObject(obj: KubernetesObject): boolean {
  return BUILT_IN_API_GROUPS.has(apiGroupOf(obj.apiVersion));
}

/**
 * Splits a chart's objects into Config Connector objects, built-in objects and CRD-based objects,
 * keeping their order within each part. Pure.
 *
 * @param objs objects as `Chart.toJson()` returns them
 */
export function splitObjects(objs: readonly KubernetesObject[]): SplitObjects {
  const split: SplitObjects = { configConnector: [], core: [], custom: [] };
  for (const o of objs) {
    if (isConfigConnectorObject(o)) split.configConnector.push(o);
    else if (isBuiltInObject(o)) split.core.push(o);
    else split.custom.push(o);
  }
  return split;
}

/**
 * `Namespace` objects for the namespaces the objects use but do not declare, in order of first use,
 * leaving out {@link PREEXISTING_NAMESPACES}. A cdk8s chart's `namespace` prop sets `metadata.namespace`
 * without creating the Namespace, which a fresh cluster does not have. Pure.
 *
 * @param objs the objects that go to the cluster
 */
export function namespacesToCreate(objs: readonly KubernetesObject[]): KubernetesObject[] {
  const declared = new Set(objs.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace').map((o) => o.metadata?.name));
  const wanted: string[] = [];
  for (const o of objs) {
    const ns = o.metadata?.namespace;
    if (ns && !declared.has(ns) && !PREEXISTING_NAMESPACES.has(ns) && !wanted.includes(ns)) wanted.push(ns);
  }
  return wanted.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

/** `NAMESPACE/NAME` of every Service among the objects (`default` when an object has no namespace). */
export function serviceNamesOf(objs: readonly KubernetesObject[]): string[] {
  return objs.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service').map((o) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`);
}
