import { DEFAULT_TF_SERVING_VERSION, TfServingImage } from '../../lib/tfserving/image';

test('official CPU and GPU images', () => {
  expect(TfServingImage.of().image).toBe(`tensorflow/serving:${DEFAULT_TF_SERVING_VERSION}`);
  expect(TfServingImage.of('2.16.1').image).toBe('tensorflow/serving:2.16.1');
  expect(TfServingImage.gpu('2.16.1').image).toBe('tensorflow/serving:2.16.1-gpu');
  expect(TfServingImage.of('2.16.1').toGpu().image).toBe('tensorflow/serving:2.16.1-gpu');
  expect(TfServingImage.gpu().isGpu).toBe(true);
  expect(TfServingImage.of('2.16.1').version).toEqual([2, 16]);
});

test('custom images by tag or digest', () => {
  const byTag = TfServingImage.custom('europe-docker.pkg.dev/acme/serving/tfs:2.17.0-gpu');
  expect(byTag.image).toBe('europe-docker.pkg.dev/acme/serving/tfs:2.17.0-gpu');
  expect(byTag.isGpu).toBe(true);
  expect(byTag.version).toBeUndefined();
  const digest = TfServingImage.custom('registry:5000/tfs@sha256:0123abcd', { version: '2.6.0' });
  expect(digest.image).toBe('registry:5000/tfs@sha256:0123abcd');
  expect(digest.version).toEqual([2, 6]);
  expect(digest.toGpu()).toBe(digest);
});

test('S3 support: official images before 2.7 only, unless declared', () => {
  expect(TfServingImage.of('2.6.5').hasS3).toBe(true);
  expect(TfServingImage.of('2.7.0').hasS3).toBe(false);
  expect(TfServingImage.custom('acme/tfs:1').hasS3).toBeUndefined();
  expect(TfServingImage.custom('acme/tfs:1', { version: '2.18.0', s3Support: true }).hasS3).toBe(true);
});

test('tags are pinned, never latest', () => {
  expect(() => TfServingImage.of('latest').validate("TfServingModel 'm'")).toThrow(
    "TfServingModel 'm': 'image' (\"latest\") must be a TF Serving release such as '2.20.0' (image tags are pinned, never 'latest' or 'nightly'). Fix: use TfServingImage.of('2.20.0')");
  expect(() => TfServingImage.custom('acme/tfs:latest-gpu').validate("TfServingModel 'm'")).toThrow(
    "TfServingModel 'm': 'image' (\"acme/tfs:latest-gpu\") must be pinned to a version tag or an @sha256 digest, never 'latest' or no tag "
    + '(a moving tag changes what runs without a change in code). Fix: append a version tag such as :2.20.0, or a digest @sha256:…');
  expect(() => TfServingImage.custom('registry:5000/tfs').validate('X')).toThrow("'image' (\"registry:5000/tfs\") must be pinned");
  expect(() => TfServingImage.custom('acme/tfs:2.18.0').validate('X')).not.toThrow();
  expect(() => TfServingImage.of('2.18.0').validate('X')).not.toThrow();
});
