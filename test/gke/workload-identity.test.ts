import { ApiObject, Testing } from 'cdk8s';
import { GkeCluster, GkeClusterProps, WorkloadIdentity, WorkloadIdentityProps } from '../../lib/gke/index';
import { GcsAccess } from '../../lib/serving/gcs-access';
import { only, synth } from '../support/synth';

function setup(clusterProps: Partial<GkeClusterProps> = {}) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'serving', { project: 'acme-ml', location: 'us-central1', ...clusterProps });
  return { chart, cluster };
}

function build(props: Partial<WorkloadIdentityProps> = {}) {
  const { chart, cluster } = setup();
  const identity = new WorkloadIdentity(chart, 'resnet', { cluster, serviceAccountName: 'resnet', namespace: 'models', modelBuckets: ['gs://acme-models/resnet'], ...props });
  // the identity's objects: not the cluster, nor its node service account (serving-nodes) and that account's role bindings.
  const objects = synth(chart).filter((o) => o.kind !== 'ContainerCluster' && !o.metadata.name.startsWith('serving-nodes'));
  return { chart, cluster, identity, objects };
}

const members = (objects: any[]) => objects.filter((o) => o.kind === 'IAMPolicyMember');

function attempt(props: Partial<WorkloadIdentityProps>, clusterProps: Partial<GkeClusterProps> = {}) {
  const { chart, cluster } = setup(clusterProps);
  return () => new WorkloadIdentity(chart, 'resnet', { cluster, serviceAccountName: 'resnet', namespace: 'models', ...props });
}

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN a Kubernetes ServiceAccount models/resnet reading gs://acme-models
    const { objects } = build();
    // THEN a Google service account, the Workload Identity binding and read access to the bucket
    expect(objects).toMatchSnapshot();
  });

  test('IAMServiceAccount named after the Kubernetes ServiceAccount, in the cluster\'s project', () => {
    const { objects, identity } = build();
    const sa = only(objects, 'IAMServiceAccount');
    expect(sa.apiVersion).toBe('iam.cnrm.cloud.google.com/v1beta1');
    expect(sa.metadata).toEqual({ name: 'resnet', annotations: { 'cnrm.cloud.google.com/project-id': 'acme-ml' } });
    expect(sa.spec).toEqual({ displayName: 'Workload Identity for models/resnet' });
    expect(identity.email).toBe('resnet@acme-ml.iam.gserviceaccount.com');
  });

  test('roles/iam.workloadIdentityUser on the Google service account for PROJECT.svc.id.goog[NAMESPACE/KSA]', () => {
    const m = only(build().objects, 'IAMPolicyMember', 'resnet-workload-identity-user');
    expect(m.spec).toEqual({
      member: 'serviceAccount:acme-ml.svc.id.goog[models/resnet]',
      role: 'roles/iam.workloadIdentityUser',
      resourceRef: { apiVersion: 'iam.cnrm.cloud.google.com/v1beta1', kind: 'IAMServiceAccount', name: 'resnet' },
    });
  });

  test('roles/storage.objectViewer on the bucket, referenced by its name as an external StorageBucket', () => {
    const m = only(build().objects, 'IAMPolicyMember', 'resnet-read-acme-models');
    expect(m.spec).toEqual({
      memberFrom: { serviceAccountRef: { name: 'resnet' } },
      role: 'roles/storage.objectViewer',
      resourceRef: { kind: 'StorageBucket', external: 'acme-models' },
    });
  });

  test('resolved spec', () => {
    expect(build().identity.spec).toEqual({
      project: 'acme-ml',
      accountId: 'resnet',
      email: 'resnet@acme-ml.iam.gserviceaccount.com',
      displayName: 'Workload Identity for models/resnet',
      namespace: 'models',
      serviceAccountName: 'resnet',
      workloadIdentityMember: 'serviceAccount:acme-ml.svc.id.goog[models/resnet]',
      readerBuckets: ['acme-models'],
    });
  });
});

describe('props', () => {
  test('no modelBuckets: no bucket binding', () => {
    const { objects, identity } = build({ modelBuckets: undefined });
    expect(members(objects).map((o) => o.metadata.name)).toEqual(['resnet-workload-identity-user']);
    expect(identity.bucketReaders).toEqual([]);
  });

  test('googleServiceAccountId names the Google service account', () => {
    const { objects, identity } = build({ googleServiceAccountId: 'resnet-serving' });
    expect(only(objects, 'IAMServiceAccount').metadata.name).toBe('resnet-serving');
    expect(identity.email).toBe('resnet-serving@acme-ml.iam.gserviceaccount.com');
    expect(only(objects, 'IAMPolicyMember', 'resnet-serving-workload-identity-user').spec.member).toBe('serviceAccount:acme-ml.svc.id.goog[models/resnet]');
  });

  test('project puts the Google service account in another project; the pool stays the cluster\'s', () => {
    const { objects, identity } = build({ project: 'acme-iam' });
    expect(only(objects, 'IAMServiceAccount').metadata.annotations).toEqual({ 'cnrm.cloud.google.com/project-id': 'acme-iam' });
    expect(identity.email).toBe('resnet@acme-iam.iam.gserviceaccount.com');
    expect(identity.spec.workloadIdentityMember).toBe('serviceAccount:acme-ml.svc.id.goog[models/resnet]');
  });

  test('displayName', () => {
    expect(only(build({ displayName: 'ResNet server' }).objects, 'IAMServiceAccount').spec).toEqual({ displayName: 'ResNet server' });
  });

  test('buckets by name or URI, each bound once', () => {
    const { identity, objects } = build({ modelBuckets: ['gs://acme-models/resnet', 'acme-models', 'gs://acme-bert/v2', 'models.acme.com'] });
    expect(identity.readerBuckets).toEqual(['acme-models', 'acme-bert', 'models.acme.com']);
    expect(members(objects).map((o) => `${o.metadata.name} ${o.spec.resourceRef.external ?? '-'}`)).toEqual([
      'resnet-workload-identity-user -',
      'resnet-read-acme-models acme-models',
      'resnet-read-acme-bert acme-bert',
      'resnet-read-models.acme.com models.acme.com',
    ]);
  });

  test('a bucket name with \'_\' gets a valid, unique object name', () => {
    const { objects } = build({ modelBuckets: ['acme_models', 'acme-models'] });
    expect(members(objects).map((o) => o.metadata.name)).toEqual([
      'resnet-workload-identity-user', 'resnet-read-acme-models-b6b605bd', 'resnet-read-acme-models',
    ]);
  });

  test('grantBucketRead adds a binding later and returns the existing one for a known bucket', () => {
    const { chart, cluster } = setup();
    const identity = new WorkloadIdentity(chart, 'resnet', { cluster, serviceAccountName: 'resnet', namespace: 'models' });
    const first = identity.grantBucketRead('gs://acme-models/resnet/1');
    expect(identity.grantBucketRead('acme-models')).toBe(first);
    expect(identity.bucketReaders).toEqual([first]);
    expect(only(synth(chart), 'IAMPolicyMember', 'resnet-read-acme-models').spec.role).toBe('roles/storage.objectViewer');
  });

  test('gcsAccess() is Workload Identity with the Google service account', () => {
    const access = build().identity.gcsAccess();
    expect(access).toBeInstanceOf(GcsAccess);
    expect([access.kind, access.googleServiceAccount]).toEqual(['workload-identity', 'resnet@acme-ml.iam.gserviceaccount.com']);
  });

  test('serviceAccountAnnotations() binds a Kubernetes ServiceAccount', () => {
    expect(build().identity.serviceAccountAnnotations()).toEqual({ 'iam.gke.io/gcp-service-account': 'resnet@acme-ml.iam.gserviceaccount.com' });
  });
});

test('defaultChild is the IAMServiceAccount', () => {
  const { identity } = build();
  expect(identity.node.defaultChild).toBe(identity.googleServiceAccount);
  expect(ApiObject.of(identity).kind).toBe('IAMServiceAccount');
});

describe('rules', () => {
  test('throws when the cluster has no Workload Identity', () => {
    expect(attempt({}, { workloadIdentity: false })).toThrow(
      'WorkloadIdentity \'resnet\': \'cluster\' ("serving") must have Workload Identity enabled. '
      + 'Fix: remove workloadIdentity: false from the GkeCluster (it is on by default)');
  });

  test('throws when serviceAccountName is not a Kubernetes name', () => {
    expect(attempt({ serviceAccountName: 'ResNet' })).toThrow(
      'WorkloadIdentity \'resnet\': \'serviceAccountName\' ("ResNet") must be a Kubernetes ServiceAccount name (a DNS subdomain). '
      + 'Fix: use the name of the ServiceAccount the Pods run as');
  });

  test('throws when namespace is not a namespace name', () => {
    expect(attempt({ namespace: 'ml/serving' })).toThrow(
      'WorkloadIdentity \'resnet\': \'namespace\' ("ml/serving") must be a Kubernetes namespace name (a DNS label). Fix: use the namespace of the ServiceAccount');
  });

  test('throws when the account ID derived from serviceAccountName is too short', () => {
    expect(attempt({ serviceAccountName: 'bert' })).toThrow(
      'WorkloadIdentity \'resnet\': \'googleServiceAccountId (from serviceAccountName)\' ("bert") must be a Google service account ID: '
      + '6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'. Fix: pass googleServiceAccountId: \'resnet-serving\'');
  });

  test('throws when googleServiceAccountId is invalid', () => {
    expect(attempt({ googleServiceAccountId: '1-resnet' })).toThrow(
      'WorkloadIdentity \'resnet\': \'googleServiceAccountId\' ("1-resnet") must be a Google service account ID: '
      + '6 to 30 lower-case letters, digits or \'-\', starting with a letter and not ending with \'-\'. Fix: pass googleServiceAccountId: \'resnet-serving\'');
  });

  test.each(['s3://acme-models/resnet', 'Acme-Models', 'gs://', 'a'.repeat(64)])('throws when a model bucket is %s', (bucket) => {
    expect(attempt({ modelBuckets: [bucket] })).toThrow(
      `WorkloadIdentity 'resnet': 'modelBuckets' ("${bucket}") must be a Cloud Storage bucket name or a gs://BUCKET/PATH URI `
      + '(3 to 63 lower-case letters, digits, \'-\', \'_\' or \'.\'). Fix: pass \'acme-models\' or \'gs://acme-models/resnet\'');
  });
});
