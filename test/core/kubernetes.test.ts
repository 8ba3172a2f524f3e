import { Duration, Size } from 'cdk8s';
import {
  checkAnnotations, checkDataKey, checkDuration, checkImageReference, checkInt32, checkLabels, checkObjectName, checkQuantity,
  checkRequestWithinLimit, checkSize, INT32_MAX, isImageReference, isLabelValue, isQualifiedName, parseQuantity,
} from '../../lib/core/kubernetes';

const S = 'Thing \'a\'';

describe('qualified names and label values (apimachinery validation.go)', () => {
  test.each([
    ['app', true], ['example.com/role', true], ['a.b-c_d', true], ['x'.repeat(63), true],
    ['x'.repeat(64), false], ['-app', false], ['app-', false], ['', false], ['/app', false], ['Example.com/app', false],
    ['example.com/', false], ['a/b/c', false], [`${'a'.repeat(254)}/x`, false],
  ])('isQualifiedName(%j) is %s', (key, ok) => expect(isQualifiedName(key)).toBe(ok));

  test.each([['', true], ['v1', true], ['A_b.c-D', true], ['x'.repeat(63), true], ['x'.repeat(64), false], ['-v', false], ['v w', false]])(
    'isLabelValue(%j) is %s', (value, ok) => expect(isLabelValue(value)).toBe(ok));

  test('a bad label key is refused with the rule and the fix', () => {
    expect(() => checkLabels(S, 'labels', { 'bad key': 'v' })).toThrow(
      'Thing \'a\': \'labels.bad key\' ("bad key") must be a Kubernetes label key: an optional DNS subdomain prefix and \'/\', then at most 63 letters, '
      + 'digits, \'-\', \'_\' or \'.\'. Fix: use a key such as \'example.com/role\' or \'role\'');
  });

  test('a bad label value is refused', () => {
    expect(() => checkLabels(S, 'labels', { team: 'a b' })).toThrow(
      'Thing \'a\': \'labels.team\' ("a b") must be a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending '
      + 'with a letter or digit. Fix: shorten or simplify the value');
  });

  test('node labels refuse the kubelet-reserved prefixes but allow node.kubernetes.io/', () => {
    expect(() => checkLabels(S, 'labels', { 'topology.kubernetes.io/zone': 'x' }, { node: true })).toThrow(
      'Thing \'a\': \'labels.topology.kubernetes.io/zone\' ("topology.kubernetes.io/zone") must not use the kubernetes.io/ or k8s.io/ prefix, '
      + 'which the NodeRestriction admission plugin refuses on node labels (only node.kubernetes.io/ and kubelet.kubernetes.io/ are allowed). '
      + 'Fix: use your own prefix, e.g. \'example.com/\'');
    expect(() => checkLabels(S, 'labels', { 'k8s.io/x': 'y' }, { node: true })).toThrow(/NodeRestriction/);
    expect(() => checkLabels(S, 'labels', { 'node.kubernetes.io/pool': 'gpu', 'example.com/x': 'y' }, { node: true })).not.toThrow();
    // On other objects the prefix is the API server's business only: accepted.
    expect(() => checkLabels(S, 'labels', { 'app.kubernetes.io/part-of': 'ml' })).not.toThrow();
  });

  test('annotation keys and the 256 KiB total', () => {
    expect(() => checkAnnotations(S, 'annotations', { 'a b': 'x' })).toThrow(
      'Thing \'a\': \'annotations.a b\' ("a b") must be a Kubernetes annotation key: an optional DNS subdomain prefix and \'/\', then at most 63 '
      + 'letters, digits, \'-\', \'_\' or \'.\'. Fix: use a key such as \'example.com/note\'');
    expect(() => checkAnnotations(S, 'annotations', { big: 'x'.repeat(256 * 1024) })).toThrow(
      'Thing \'a\': \'annotations\' ("262147 bytes") must total at most 256 KiB (262144 bytes), the API server\'s limit for all annotations of an object. '
      + 'Fix: move large data into a ConfigMap');
    expect(() => checkAnnotations(S, 'annotations', { 'proxy.istio.io/config': '{}' })).not.toThrow();
  });
});

describe('referenced object names', () => {
  test('a Secret name must be a DNS subdomain', () => {
    expect(() => checkObjectName(S, 'secretName', 'My_Secret')).toThrow(
      'Thing \'a\': \'secretName\' ("My_Secret") must be a DNS subdomain: at most 253 lower-case letters, digits, \'-\' or \'.\', starting and ending '
      + 'with a letter or digit. Fix: use the name as `kubectl get` shows it');
    expect(() => checkObjectName(S, 'secretName', 'gcs.key-1')).not.toThrow();
  });

  test('a namespace must be a DNS label', () => {
    expect(() => checkObjectName(S, 'namespace', 'a.b', 'dns-label')).toThrow(
      'Thing \'a\': \'namespace\' ("a.b") must be a DNS label: at most 63 lower-case letters, digits or \'-\', starting and ending with a letter or '
      + 'digit. Fix: use the name as `kubectl get` shows it');
  });
});

describe('image references (distribution/reference)', () => {
  test.each([
    ['tensorflow/serving:2.20.0', true], ['tensorflow/serving:2.20.0-gpu', true], ['us-docker.pkg.dev/acme/serving/tfs:1', true],
    ['localhost:5000/tfs', true], [`tfs@sha256:${'a'.repeat(64)}`, true], [`r.io/tfs:1@sha256:${'0'.repeat(64)}`, true],
    ['Tensorflow/serving', false], ['tfs:', false], ['tfs:-x', false], ['', false], ['a b', false], ['tfs@sha256:abc', false],
  ])('%j is %s', (image, ok) => expect(isImageReference(image)).toBe(ok));

  test('the message', () => {
    expect(() => checkImageReference(S, 'image', 'Tensorflow/serving')).toThrow(
      'Thing \'a\': \'image\' ("Tensorflow/serving") must be a container image reference: [REGISTRY[:PORT]/]PATH[:TAG][@DIGEST], lower-case path '
      + 'components. Fix: use a reference such as \'us-docker.pkg.dev/acme/serving/tfserving:2.20.0\'');
  });
});

describe('numbers', () => {
  test.each([[0, 0], [1, 1], [INT32_MAX, INT32_MAX]])('checkInt32 accepts %d', (v, expected) => expect(checkInt32(S, 'replicas', v, 0, 'f')).toBe(expected));

  test.each([INT32_MAX + 1, -1, 1.5, NaN, Infinity])('checkInt32 refuses %d', (v) => {
    expect(() => checkInt32(S, 'replicas', v, 0, 'use 2')).toThrow(
      `Thing 'a': 'replicas' (${v}) must be an integer between 0 and 2147483647 (a Kubernetes int32). Fix: use 2`);
  });

  test.each([
    ['500m', 0.5], ['2', 2], ['4Gi', 4 * 2 ** 30], ['1.5', 1.5], ['.5', 0.5], ['1e3', 1000], ['100M', 1e8], ['1Ki', 1024], ['-1', -1],
  ])('parseQuantity(%j) = %d', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  test.each(['NaN', 'abc', '1.2.3', '', '4GB', 'Infinity'])('parseQuantity(%j) does not parse', (q) => expect(parseQuantity(q)).toBeUndefined());

  test('negative and unparsable quantities are refused', () => {
    expect(() => checkQuantity(S, 'resources.cpu.request', '-1')).toThrow(
      'Thing \'a\': \'resources.cpu.request\' ("-1") must not be negative. Fix: use a positive amount');
    expect(() => checkQuantity(S, 'resources.cpu.request', 'NaN')).toThrow(
      'Thing \'a\': \'resources.cpu.request\' ("NaN") must be a Kubernetes quantity such as \'500m\', \'2\' or \'4Gi\'. Fix: write the amount with a Kubernetes suffix');
  });

  test('a request above its limit is refused', () => {
    expect(() => checkRequestWithinLimit(S, 'resources.memory', '8Gi', '4Gi')).toThrow(
      'Thing \'a\': \'resources.memory.request\' ("8Gi") must be at most the limit (4Gi); the API server refuses a request above its limit. '
      + 'Fix: raise the limit or lower the request');
    expect(() => checkRequestWithinLimit(S, 'resources.cpu', '1500m', '2')).not.toThrow();
    expect(() => checkRequestWithinLimit(S, 'resources.cpu', undefined, '2')).not.toThrow();
  });
});

describe('durations converted late by cdk8s', () => {
  test('a fraction of a second where the output takes whole seconds', () => {
    // cdk8s itself would throw "'1500 millis' cannot be converted into a whole number of seconds." at synth.
    expect(() => Duration.millis(1500).toSeconds()).toThrow(/whole number of seconds/);
    expect(() => checkDuration(S, 'drain.preStopDelay', Duration.millis(1500), 'seconds')).toThrow(
      'Thing \'a\': \'drain.preStopDelay\' ("1.5s") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(2)');
  });

  test('a fraction of a millisecond where the output takes milliseconds', () => {
    expect(() => checkDuration(S, 'timeout', Duration.millis(10.5), 'millis')).toThrow(
      'Thing \'a\': \'timeout\' ("10.5ms") must be a whole number of milliseconds (it is written as milliseconds). Fix: use Duration.millis(11)');
  });

  test('a minimum', () => {
    expect(() => checkDuration(S, 'interval', Duration.seconds(0), 'seconds', 1)).toThrow(
      'Thing \'a\': \'interval\' ("0s") must be at least 1 second. Fix: use Duration.seconds(1)');
    expect(checkDuration(S, 'interval', Duration.minutes(2), 'seconds', 1)).toBe(120);
  });
});

describe('sizes converted late by cdk8s', () => {
  test('a fraction of the unit the output takes, NaN, and a minimum', () => {
    // cdk8s-plus writes an emptyDir sizeLimit as `${size.toMebibytes()}Mi`, which throws for 1.5 MiB.
    expect(() => Size.kibibytes(1536).toMebibytes()).toThrow(/whole number of mebibytes/);
    expect(() => checkSize(S, 'tmpSize', Size.kibibytes(1536), 'MiB')).toThrow(
      'Thing \'a\': \'tmpSize\' ("1.5 MiB") must be a whole number of MiB (it is written as MiB). Fix: use Size.mebibytes(2)');
    expect(() => checkSize(S, 'disk', Size.gibibytes(NaN), 'GiB', 10)).toThrow(
      'Thing \'a\': \'disk\' ("NaN GiB") must be a whole number of GiB (it is written as GiB). Fix: use Size.gibibytes(10)');
    expect(() => checkSize(S, 'body', Size.kibibytes(0), 'KiB', 1)).toThrow(
      'Thing \'a\': \'body\' ("0 KiB") must be at least 1 KiB. Fix: use Size.kibibytes(1)');
    expect(checkSize(S, 'tmpSize', Size.gibibytes(1), 'MiB', 1)).toBe(1024);
  });
});

describe('Secret and ConfigMap data keys (IsConfigMapKey)', () => {
  test.each([['key.json', true], ['AWS_ACCESS_KEY_ID', true], ['a-b.c_d', true], ['.', false], ['..x', false], ['a/b', false], ['', false], ['x'.repeat(254), false]])(
    '%s → %s', (key, ok) => {
      const check = () => checkDataKey(S, 'key', key as string);
      if (ok) {expect(check).not.toThrow();} else {
        expect(check).toThrow(`Thing 'a': 'key' (${JSON.stringify(key)}) must be a Secret/ConfigMap key: at most 253 letters, digits, '-', '_' or '.', not '.' or starting with '..'. `
        + 'Fix: use the key as `kubectl describe secret` lists it, e.g. \'key.json\'');
      }
    });
});
