import { GcsAccess, ModelSource, S3Credentials } from '../../lib';

describe('ModelSource', () => {
  test('gcs: base path without trailing slash, remote', () => {
    const s = ModelSource.gcs('gs://acme-models/resnet/');
    expect([s.kind, s.basePath, s.isRemote, s.mountPath]).toEqual(['gcs', 'gs://acme-models/resnet', true, undefined]);
  });

  test('s3: options kept', () => {
    const creds = S3Credentials.fromSecret('creds');
    const s = ModelSource.s3('s3://acme-models/resnet', { endpoint: 'minio:9000', credentials: creds });
    expect([s.kind, s.basePath, s.isRemote, s.s3?.endpoint, s.s3?.credentials]).toEqual(['s3', 's3://acme-models/resnet', true, 'minio:9000', creds]);
    expect([creds.secretName, creds.accessKeyIdKey, creds.secretAccessKeyKey]).toEqual(['creds', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  });

  test('pvc: mounted at /models/CLAIM', () => {
    expect(ModelSource.pvc('models', 'vision/resnet').basePath).toBe('/models/models/vision/resnet');
    expect(ModelSource.pvc('models').basePath).toBe('/models/models');
    expect(ModelSource.pvc('models').isRemote).toBe(false);
  });

  test('local: absolute path', () => {
    expect(ModelSource.local('/models/resnet').basePath).toBe('/models/resnet');
  });

  test('rules', () => {
    expect(() => ModelSource.gcs('acme-models/resnet')).toThrow(
      "ModelSource.gcs: 'uri' (\"acme-models/resnet\") must be a gs://BUCKET/PATH URI with a valid bucket name. Fix: write it as gs://my-bucket/models/resnet");
    expect(() => ModelSource.gcs('gs://Bad_Bucket/m')).toThrow("ModelSource.gcs: 'uri' (\"gs://Bad_Bucket/m\") must be a gs://BUCKET/PATH URI");
    expect(() => ModelSource.s3('gs://acme-models/m')).toThrow(
      "ModelSource.s3: 'uri' (\"gs://acme-models/m\") must be an s3://BUCKET/PATH URI with a valid bucket name. Fix: write it as s3://my-bucket/models/resnet");
    expect(() => ModelSource.pvc('Models')).toThrow(
      "ModelSource.pvc: 'claimName' (\"Models\") must be a valid PersistentVolumeClaim name (DNS subdomain). Fix: use the claim's metadata.name");
    expect(() => ModelSource.pvc('models', '../etc')).toThrow(
      "ModelSource.pvc: 'path' (\"../etc\") must be relative to the volume root and not contain '..'. Fix: write it as 'models/resnet'");
    expect(() => ModelSource.local('models/resnet')).toThrow(
      "ModelSource.local: 'path' (\"models/resnet\") must be an absolute path in the image. Fix: write it as /models/resnet");
  });
});

describe('GcsAccess', () => {
  test('kinds', () => {
    expect(GcsAccess.workloadIdentity('a-b@proj-1.iam.gserviceaccount.com').googleServiceAccount).toBe('a-b@proj-1.iam.gserviceaccount.com');
    expect(GcsAccess.workloadIdentity('123-compute@developer.gserviceaccount.com').kind).toBe('workload-identity');
    const key = GcsAccess.keySecret('s');
    expect([key.kind, key.secretName, key.secretKey]).toEqual(['key-secret', 's', 'key.json']);
    expect(GcsAccess.nodeServiceAccount().kind).toBe('node');
  });

  test('a Google service account email', () => {
    expect(() => GcsAccess.workloadIdentity('serving')).toThrow(
      "GcsAccess.workloadIdentity: 'googleServiceAccountEmail' (\"serving\") must be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com). "
      + 'Fix: copy the email from `gcloud iam service-accounts list`');
  });
});
