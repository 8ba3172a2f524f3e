import { Testing } from 'cdk8s';
import { GkeCluster, GkeClusterProps, NODE_SERVICE_ACCOUNT_ROLES, NodeServiceAccount } from '../../lib/gke';
import { only, synth } from '../support/synth';

function build(props: Partial<GkeClusterProps> = {}, name?: string) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', name, ...props });
  const pool = cluster.addNodePool('cpu');
  return { cluster, pool, objects: synth(chart) };
}

const attempt = (props: Partial<GkeClusterProps>) => () => new GkeCluster(Testing.chart(), 'serving', { project: 'acme-ml', location: 'us-central1', ...props });

describe('default: a dedicated node service account', () => {
  const { cluster, objects } = build();

  test('GKE\'s minimum node role and the Artifact Registry reader, in order', () => {
    expect(NODE_SERVICE_ACCOUNT_ROLES).toEqual([
      'roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader',
    ]);
  });

  test('an IAMServiceAccount CLUSTER-nodes in the cluster\'s project, kept on delete like the cluster', () => {
    const sa = only(objects, 'IAMServiceAccount');
    expect(sa.metadata).toEqual({
      name: 'serving-nodes', annotations: { 'cnrm.cloud.google.com/project-id': 'acme-ml', 'cnrm.cloud.google.com/deletion-policy': 'abandon' },
    });
    expect(sa.spec).toEqual({ displayName: 'GKE nodes of serving' });
  });

  test('one IAMPolicyMember per role on the project, for that account', () => {
    const members = objects.filter((o) => o.kind === 'IAMPolicyMember');
    expect(members.map((m) => m.spec)).toEqual(NODE_SERVICE_ACCOUNT_ROLES.map((role) => ({
      memberFrom: { serviceAccountRef: { name: 'serving-nodes' } }, role, resourceRef: { kind: 'Project', external: 'projects/acme-ml' },
    })));
    expect(members.map((m) => m.metadata.name)).toEqual([
      'serving-nodes-container-defaultnodeserviceaccount', 'serving-nodes-artifactregistry-reader',
    ]);
    expect(cluster.nodeServiceAccountResources.roleBindings).toHaveLength(2);
  });

  test('pools run as it (by object name) with the cloud-platform scope', () => {
    const p = only(objects, 'ContainerNodePool').spec.nodeConfig;
    expect(p.serviceAccountRef).toEqual({ name: 'serving-nodes' });
    expect(p.oauthScopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
  });

  test('the cluster\'s temporary default pool runs as it too (creation fails where the Compute Engine default account is gone)', () => {
    // GIVEN the default cluster THEN its ContainerCluster names the node account by object name, with the cloud-platform scope
    expect(only(objects, 'ContainerCluster').spec.nodeConfig).toEqual({
      serviceAccountRef: { name: 'serving-nodes' }, oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
  });

  test('a long cluster name is cut so that the account ID fits 30 characters', () => {
    const { cluster: c } = build({}, 'a-cluster-name-of-forty-characters-long');
    expect(c.spec.nodeServiceAccount.create?.accountId).toBe('a-cluster-name-of-forty-nodes');
  });
});

describe('other choices', () => {
  test('dedicated with an account ID and further roles (once each, the defaults not repeated)', () => {
    const { cluster, objects } = build({
      nodeServiceAccount: NodeServiceAccount.dedicated({ accountId: 'gke-nodes', additionalRoles: ['roles/storage.objectViewer', 'roles/artifactregistry.reader', 'roles/storage.objectViewer'] }),
    });
    expect(cluster.spec.nodeServiceAccount.create?.roles).toEqual([...NODE_SERVICE_ACCOUNT_ROLES, 'roles/storage.objectViewer']);
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.serviceAccountRef).toEqual({ name: 'gke-nodes' });
  });

  test('fromEmail: nothing created, pools refer to the account externally', () => {
    const { objects } = build({ nodeServiceAccount: NodeServiceAccount.fromEmail('nodes@acme-ml.iam.gserviceaccount.com') });
    expect(objects.filter((o) => o.kind.startsWith('IAM'))).toEqual([]);
    expect(only(objects, 'ContainerNodePool').spec.nodeConfig.serviceAccountRef).toEqual({ external: 'nodes@acme-ml.iam.gserviceaccount.com' });
    expect(only(objects, 'ContainerCluster').spec.nodeConfig).toEqual({
      serviceAccountRef: { external: 'nodes@acme-ml.iam.gserviceaccount.com' }, oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
  });

  test('a pool\'s own serviceAccount overrides the cluster\'s', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1' });
    cluster.addNodePool('cpu', { serviceAccount: 'other@acme-ml.iam.gserviceaccount.com' });
    expect(only(synth(chart), 'ContainerNodePool').spec.nodeConfig.serviceAccountRef).toEqual({ external: 'other@acme-ml.iam.gserviceaccount.com' });
  });

  test('COMPUTE_ENGINE_DEFAULT: nothing created, pools name no account and keep GKE\'s default scopes', () => {
    const { cluster, objects } = build({ nodeServiceAccount: NodeServiceAccount.COMPUTE_ENGINE_DEFAULT });
    expect(objects.filter((o) => o.kind.startsWith('IAM'))).toEqual([]);
    const nc = only(objects, 'ContainerNodePool').spec.nodeConfig;
    expect([nc.serviceAccountRef, nc.oauthScopes]).toEqual([undefined, undefined]);
    expect(only(objects, 'ContainerCluster').spec.nodeConfig).toBeUndefined();
    expect(cluster.spec.nodeServiceAccount).toEqual({});
  });
});

describe('rules', () => {
  test.each<[string, Partial<GkeClusterProps>, string]>([
    ['an email that is no service account', { nodeServiceAccount: NodeServiceAccount.fromEmail('nodes@acme') },
      "GkeCluster 'serving': 'nodeServiceAccount' (\"nodes@acme\") must be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com). Fix: pass the email `gcloud iam service-accounts list` shows"],
    ['a short account ID', { nodeServiceAccount: NodeServiceAccount.dedicated({ accountId: 'ab' }) },
      "GkeCluster 'serving': 'nodeServiceAccount.accountId' (\"ab\") must be a Google service account ID: 6 to 30 lower-case letters, digits or '-', starting with a letter and not ending with '-'. Fix: pass NodeServiceAccount.dedicated({ accountId: 'serving-nodes' })"],
    ['a role without roles/', { nodeServiceAccount: NodeServiceAccount.dedicated({ additionalRoles: ['storage.objectViewer'] }) },
      "GkeCluster 'serving': 'nodeServiceAccount.additionalRoles[0]' (\"storage.objectViewer\") must be an IAM role name (roles/NAME, or a custom role projects/P/roles/NAME). Fix: write it as 'roles/storage.objectViewer'"],
  ])('%s', (_, props, message) => {
    expect(attempt(props)).toThrow(message);
  });
});
