import { fail } from '../core/errors';
import { GSA_ACCOUNT_ID, GSA_EMAIL, PROJECT_ID_PART } from '../core/names';

/** An IAM role: predefined (roles/…), or custom in a project or organization. */
const ROLE = new RegExp(`^(roles|projects/${PROJECT_ID_PART}/roles|organizations/[0-9]+/roles)/[A-Za-z0-9_.]+$`);

/**
 * The project roles a dedicated node service account gets: what the nodes themselves need, nothing for workloads
 * (those authenticate as their own Google service accounts through Workload Identity).
 *
 * GKE's "Configure node service accounts" page: "At a minimum, these node service accounts must have the Kubernetes
 * Engine Default Node Service Account (`roles/container.defaultNodeServiceAccount`) role on your project" (system logs
 * and metrics, resource metadata, the HPA's performance profile; it replaces the older list of
 * `roles/logging.logWriter`, `roles/monitoring.metricWriter`, `roles/monitoring.viewer` and
 * `roles/stackdriver.resourceMetadata.writer`), plus `roles/artifactregistry.reader` so the kubelet can pull images
 * from the project's Artifact Registry (same page).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts
 * @see https://cloud.google.com/kubernetes-engine/security/configure-node-service-accounts
 */
export const NODE_SERVICE_ACCOUNT_ROLES: readonly string[] = [
  'roles/container.defaultNodeServiceAccount',
  'roles/artifactregistry.reader',
];

/**
 * Options of a dedicated node service account ({@link NodeServiceAccount.dedicated}).
 */
export interface DedicatedNodeServiceAccountOptions {
  /**
   * Account ID (the part of the email before `@`): 6 to 30 lower-case letters, digits or '-'.
   *
   * @default - `CLUSTER-nodes` (the cluster name cut to 24 characters)
   */
  readonly accountId?: string;

  /**
   * Project roles beyond {@link NODE_SERVICE_ACCOUNT_ROLES}, e.g. `roles/storage.objectViewer` for a
   * `GcsAccess.nodeServiceAccount()` server.
   *
   * @default - none
   */
  readonly additionalRoles?: string[];
}

/**
 * The Google service account a cluster's nodes run as.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa
 */
export class NodeServiceAccount {
  /**
   * The Compute Engine default service account (`PROJECT_NUMBER-compute@developer.gserviceaccount.com`), with GKE's
   * default OAuth scopes. It has the Editor role in many projects: security reviews reject it.
   */
  public static readonly COMPUTE_ENGINE_DEFAULT = new NodeServiceAccount('default');

  /**
   * A service account created for the nodes, with {@link NODE_SERVICE_ACCOUNT_ROLES} on the cluster's project.
   *
   * @param options its account ID and further roles
   */
  public static dedicated(options: DedicatedNodeServiceAccountOptions = {}): NodeServiceAccount {
    return new NodeServiceAccount('dedicated', options);
  }

  /**
   * A service account that exists already, with the roles it needs granted elsewhere.
   *
   * @param email its email, `NAME@PROJECT.iam.gserviceaccount.com`
   */
  public static fromEmail(email: string): NodeServiceAccount {
    return new NodeServiceAccount('existing', {}, email);
  }

  private constructor(
    /** @internal */
    public readonly _kind: 'default' | 'dedicated' | 'existing',
    /** @internal */
    public readonly _options: DedicatedNodeServiceAccountOptions = {},
    /** @internal */
    public readonly _email?: string,
  ) {}
}

/**
 * The resolved node service account of a cluster, engine-neutral. Config Connector renders a created one as an
 * IAMServiceAccount with one IAMPolicyMember per role on the project; the Pulumi layer as `gcp.serviceaccount.Account`
 * and `gcp.projects.IAMMember`s.
 */
export interface NodeServiceAccountSpec {
  /** Email the node pools run as; undefined for the Compute Engine default. */
  readonly email?: string;
  /** What to create: the account and its project roles; undefined when nothing is created. */
  readonly create?: {
    /** Project of the account (the cluster's). */
    readonly project: string;
    /** Account ID. */
    readonly accountId: string;
    /** Display name. */
    readonly displayName: string;
    /** Project roles, in order. */
    readonly roles: readonly string[];
  };
}

/**
 * Resolves the node service account for a cluster. Pure.
 *
 * @param subject subject of messages
 * @param clusterName the cluster's name (the default account ID derives from it)
 * @param project the cluster's project
 * @param sa the choice
 */
export function resolveNodeServiceAccount(subject: string, clusterName: string, project: string, sa: NodeServiceAccount): NodeServiceAccountSpec {
  if (sa._kind === 'default') return {};
  if (sa._kind === 'existing') {
    const email = sa._email!;
    if (!GSA_EMAIL.test(email)) {
      fail(subject, 'nodeServiceAccount', email, 'be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)',
        'pass the email `gcloud iam service-accounts list` shows');
    }
    return { email };
  }
  const derived = sa._options.accountId === undefined;
  // a cluster name takes up to 40 characters, an account ID 30: cut the name so that '-nodes' fits.
  const accountId = sa._options.accountId ?? `${clusterName.slice(0, 24).replace(/-+$/, '')}-nodes`;
  if (!GSA_ACCOUNT_ID.test(accountId)) {
    fail(subject, derived ? 'nodeServiceAccount.accountId (from the cluster name)' : 'nodeServiceAccount.accountId', accountId,
      'be a Google service account ID: 6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'',
      'pass NodeServiceAccount.dedicated({ accountId: \'serving-nodes\' })');
  }
  const extra = sa._options.additionalRoles ?? [];
  extra.forEach((role, i) => {
    if (!ROLE.test(role)) {
      fail(subject, `nodeServiceAccount.additionalRoles[${i}]`, role, 'be an IAM role name (roles/NAME, or a custom role projects/P/roles/NAME)',
        'write it as \'roles/storage.objectViewer\'');
    }
  });
  return {
    email: `${accountId}@${project}.iam.gserviceaccount.com`,
    create: {
      project,
      accountId,
      displayName: `GKE nodes of ${clusterName}`,
      roles: [...NODE_SERVICE_ACCOUNT_ROLES, ...extra.filter((r, i) => !NODE_SERVICE_ACCOUNT_ROLES.includes(r) && extra.indexOf(r) === i)],
    },
  };
}
