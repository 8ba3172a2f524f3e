import { createHash } from 'crypto';

/**
 * How a node pool is replaced when a field that GKE (or the engine rendering it) cannot update in place changes.
 */
export enum PoolReplacement {
  /**
   * The pool's GKE name is its declared name plus `-` and a 6-character hash of exactly the fields whose change forces a
   * replacement, and its nodes carry the label `tfserving-constructs.io/node-pool: <declared name>`, which workloads select
   * (not `cloud.google.com/gke-nodepool`). A replacement is then a pool under a new name, created while the old one
   * still serves: Pulumi creates the successor first and deletes the old pool after it; Config Connector sees a new
   * object (the old one, `deletion-policy: abandon` on a protected cluster, leaves its GKE pool running until you
   * delete it).
   */
  CREATE_BEFORE_DELETE = 'CREATE_BEFORE_DELETE',
  /**
   * The behaviour of earlier releases, for pools created by them: the GKE name is the declared name, workloads select
   * `cloud.google.com/gke-nodepool`, and Pulumi deletes the serving pool before it creates its replacement
   * (`deleteBeforeReplace`), because two pools cannot share a name.
   */
  DELETE_BEFORE_CREATE = 'DELETE_BEFORE_CREATE',
}

/**
 * The node label a pool with `PoolReplacement.CREATE_BEFORE_DELETE` sets (`nodeConfig.labels`) to its declared name, and
 * that workloads select: unlike `cloud.google.com/gke-nodepool`, it stays the same when the pool is replaced under a new
 * GKE name. Outside the prefixes the kubelet may not set (`kubernetes.io/`, `k8s.io/`: NodeRestriction) and the ones GKE
 * sets itself (`cloud.google.com/`). GKE updates node labels of an existing pool in place
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/update-existing-nodepools).
 */
export const NODE_POOL_NAME_LABEL = 'tfserving-constructs.io/node-pool';

/** Characters the GKE name adds to the declared name: `-` and the hash. */
export const POOL_NAME_HASH_LENGTH = 6;

/** The engine a GKE pool name is computed for: each replaces a pool on a different set of fields. */
export type PoolEngine = 'pulumi' | 'config-connector';

/** What the replacement fields are read from: the resolved pool (see `NodePoolSpec`). */
export interface PoolReplacementInput {
  /** `nodeConfig.machineType`. */
  readonly machineType: string;
  /** `nodeConfig.diskSizeGb`, when set. */
  readonly diskSizeGb?: number;
  /** `nodeConfig.diskType`, when set. */
  readonly diskType?: string;
  /** `nodeConfig.gcfsConfig.enabled`. */
  readonly imageStreaming: boolean;
  /** `nodeConfig.labels`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `initialNodeCount`, on an autoscaled pool. */
  readonly initialNodeCount?: number;
  /** `nodeConfig.guestAccelerator(s)`, for a GPU pool. */
  readonly guestAccelerator?: unknown;
  /** `nodeConfig.secondaryBootDisks`, when set. */
  readonly secondaryBootDisks?: readonly unknown[];
  /** `nodeConfig.oauthScopes`, when set. */
  readonly oauthScopes?: readonly string[];
  /** `nodeConfig.preemptible`. */
  readonly preemptible: boolean;
  /** `nodeConfig.spot`. */
  readonly spot: boolean;
  /** `nodeConfig.serviceAccount`, when set. */
  readonly serviceAccount?: string;
  /** `nodeConfig.reservationAffinity`, when set. */
  readonly reservationAffinity?: unknown;
  /** `nodeConfig.shieldedInstanceConfig`. */
  readonly shieldedInstance: unknown;
  /** `placementPolicy.type: COMPACT`. */
  readonly compactPlacement: boolean;
  /** `queuedProvisioning.enabled`. */
  readonly queuedProvisioning: boolean;
}

/**
 * The fields of a pool whose change makes `engine` replace the pool rather than update it, keyed by the spec's names.
 *
 * Pulumi (@pulumi/gcp is generated from the Terraform google provider): the `ForceNew` fields of `container_node_pool`
 * that this library renders. hashicorp/terraform-provider-google google/services/container/node_config.go
 * `schemaNodeConfig` (commit e03b762): `guest_accelerator` (type, count, driver, partition size, sharing),
 * `secondary_boot_disks`, `oauth_scopes`, `preemptible`, `spot`, `service_account`, `reservation_affinity`,
 * `shielded_instance_config`; resource_container_node_pool.go `schemaNodePool`: `placement_policy`,
 * `queued_provisioning`. Not there, because the provider updates them in place (node_config.go
 * `nodePoolNodeConfigUpdate`: `UpdateNodePoolRequest` with `MachineType`/`DiskSizeGb`/`DiskType`, `Labels`, `Taints`,
 * `GcfsConfig`, `WorkloadMetadataConfig`): machine type, disk, node labels, taints, image streaming; nor autoscaling,
 * node locations, management and upgrade settings. `initial_node_count` is ForceNew, but GkeServingStack ignores its
 * changes (`ignoreChanges`), so it is not hashed.
 *
 * Config Connector (ContainerNodePool v1beta1, Config Connector 1.155.1, generated from its Terraform fork): the fields
 * above plus those its fork's schema makes ForceNew although GKE can update them (`nodeConfig.machineType`,
 * `diskSizeGb`, `diskType`, `gcfsConfig`) and `initialNodeCount` (ForceNew in the fork's resource_container_node_pool.go,
 * and not ignored by its service mapping, so a `minNodes` that changes the initial count needs a new pool). Its webhook
 * `deny-immutable-field-updates.cnrm.cloud.google.com` compares an edit with that schema
 * (pkg/webhook/immutable_fields_validator.go) and refuses it ("cannot make changes on immutable fields"), so a new
 * object name is the only way to change them. `nodeConfig.labels` is not among them: the CRD calls it Immutable, but
 * the fork updates labels in place (UpdateNodePoolRequest `Labels`).
 *
 * Values are hashed as declared: `diskSizeGb` unset and `diskSizeGb: 100` (GKE's default) hash differently.
 */
export function poolReplacementFields(spec: PoolReplacementInput, engine: PoolEngine): Record<string, unknown> {
  const forceNew: Record<string, unknown> = {
    guestAccelerator: spec.guestAccelerator,
    secondaryBootDisks: spec.secondaryBootDisks,
    oauthScopes: spec.oauthScopes,
    preemptible: spec.preemptible,
    spot: spec.spot,
    serviceAccount: spec.serviceAccount,
    reservationAffinity: spec.reservationAffinity,
    shieldedInstance: spec.shieldedInstance,
    compactPlacement: spec.compactPlacement,
    queuedProvisioning: spec.queuedProvisioning,
  };
  if (engine === 'pulumi') return forceNew;
  return {
    ...forceNew,
    machineType: spec.machineType,
    diskSizeGb: spec.diskSizeGb,
    diskType: spec.diskType,
    imageStreaming: spec.imageStreaming,
    initialNodeCount: spec.initialNodeCount,
  };
}

/**
 * The GKE name of a pool: `<declared>-<hash>`, the hash being the first 6 hex digits of the SHA-256 of the replacement
 * fields (`poolReplacementFields`) as canonical JSON (keys sorted, unset fields left out), so the same declaration
 * always gives the same name and a field that does not force a replacement never changes it.
 *
 * @param declaredName the pool's declared name (at most 33 characters)
 * @param spec the resolved pool
 * @param engine the engine whose replacement fields count
 */
export function hashedPoolName(declaredName: string, spec: PoolReplacementInput, engine: PoolEngine): string {
  const hash = createHash('sha256').update(canonicalJson(poolReplacementFields(spec, engine))).digest('hex');
  return `${declaredName}-${hash.slice(0, POOL_NAME_HASH_LENGTH)}`;
}

/** JSON with object keys sorted and undefined members left out, so the text depends on values only. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
