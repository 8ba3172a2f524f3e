import { bucketOf, DNS_1035_LABEL, DNS_LABEL, DNS_SUBDOMAIN, GKE_RESOURCE_NAME, GSA_EMAIL, isBucketName, REGION, SERVER_NAME, ZONE } from '../../lib/core/names';

test.each([
  [DNS_LABEL, '0abc', true], [DNS_LABEL, 'a'.repeat(64), false], [DNS_LABEL, 'a.b', false],
  [DNS_1035_LABEL, '0abc', false], [DNS_1035_LABEL, 'abc-1', true],
  [DNS_SUBDOMAIN, 'a.b-c', true], [DNS_SUBDOMAIN, 'A', false], [DNS_SUBDOMAIN, 'a'.repeat(254), false],
  [SERVER_NAME, 'a'.repeat(42), true], [SERVER_NAME, 'a'.repeat(43), false], [SERVER_NAME, '1a', false],
  [GKE_RESOURCE_NAME, 'a'.repeat(40), true], [GKE_RESOURCE_NAME, 'a'.repeat(41), false],
  [REGION, 'us-central1', true], [REGION, 'us-central1-a', false], [ZONE, 'europe-west4-b', true], [ZONE, 'europe-west4', false],
  [GSA_EMAIL, 'serving@acme-ml.iam.gserviceaccount.com', true], [GSA_EMAIL, '123-compute@developer.gserviceaccount.com', true],
  [GSA_EMAIL, 'serving@acme-ml.gserviceaccount.com', false], [GSA_EMAIL, 'me@example.com', false],
])('%s matches %j: %s', (re, value, ok) => expect(re.test(value)).toBe(ok));

test.each([
  ['acme-models', true], ['a.b.c', true], ['ab', false], ['Acme', false], ['a..b', false], [`${'a'.repeat(64)}`, false], [`${'a'.repeat(30)}.${'b'.repeat(40)}`, true],
])('isBucketName(%j) is %s', (name, ok) => expect(isBucketName(name)).toBe(ok));

test('bucketOf takes the bucket of gs:// and s3:// URIs', () => {
  expect(bucketOf('gs://acme-models/resnet/1')).toBe('acme-models');
  expect(bucketOf('s3://b/m')).toBe('b');
});
