import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { addCheckedPatch, addRenderedPatch, pathExists } from '../../lib/private/checked-patch';
import { only, synth } from '../support/synth';

function deployment() {
  const chart = Testing.chart();
  const d = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
  return { chart, obj: ApiObject.of(d) };
}

const DROPPED = (path: string, patched = '') => `Deployment 'web': 'JSON patch' (${JSON.stringify(path)}) must reach the synthesized object${patched}: `
  + 'the typed serializer keeps only the fields it knows, under their API names. '
  + 'Fix: patch the field under its typed-props name (e.g. hostIpc) and pass the API name as renderedPath (e.g. hostIPC)';

test('a patch at a field the typed serializer does not know (hostIPC on KubeDeployment\'s props) fails synthesis instead of vanishing', () => {
  // GIVEN the API name in the patch path: KubeDeployment's props call the field hostIpc, so toJson_ drops hostIPC
  const { chart, obj } = deployment();
  addCheckedPatch(obj, '/spec/template/spec/hostIPC', true);
  // THEN
  expect(() => synth(chart)).toThrow(DROPPED('/spec/template/spec/hostIPC'));
});

test('the typed-props name with the API name as renderedPath passes, and the output carries the field', () => {
  const { chart, obj } = deployment();
  addCheckedPatch(obj, '/spec/template/spec/hostIpc', true, { renderedPath: '/spec/template/spec/hostIPC' });
  expect(only(synth(chart), 'Deployment').spec.template.spec.hostIPC).toBe(true);
});

test('without renderedPath the check looks at the patch path: hostIpc alone fails, since the output says hostIPC', () => {
  const { chart, obj } = deployment();
  addCheckedPatch(obj, '/spec/template/spec/hostIpc', true);
  expect(() => synth(chart)).toThrow(DROPPED('/spec/template/spec/hostIpc'));
});

test('a renderedPath the output lacks is reported with the patch path too', () => {
  const { chart, obj } = deployment();
  addCheckedPatch(obj, '/spec/template/spec/hostIpc', true, { renderedPath: '/spec/template/spec/hostPID' });
  expect(() => synth(chart)).toThrow(DROPPED('/spec/template/spec/hostPID', ' (patched at \'/spec/template/spec/hostIpc\')'));
});

test('several patches on one object are all checked, on every synthesis', () => {
  const { chart, obj } = deployment();
  addCheckedPatch(obj, '/spec/template/spec/priorityClassName', 'high');
  addCheckedPatch(obj, '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', kplus.k8s.Quantity.fromNumber(1));
  const pod = only(synth(chart), 'Deployment').spec.template.spec;
  expect(pod.priorityClassName).toBe('high');
  expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
  addCheckedPatch(obj, '/spec/template/spec/shareProcessNamespaceTypo', true);
  expect(() => synth(chart)).toThrow(DROPPED('/spec/template/spec/shareProcessNamespaceTypo'));
});

test('an untyped ApiObject keeps any patched path', () => {
  const chart = Testing.chart();
  const obj = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } });
  addCheckedPatch(obj, '/data/b', '2');
  expect(only(synth(chart), 'ConfigMap').data).toEqual({ a: '1', b: '2' });
});

test('pathExists follows RFC 6901: ~1 and ~0 escapes, array indexes, "-" on a non-empty array', () => {
  const doc = { a: { 'x/y': 1, 'm~n': [0, { z: false }] }, e: [] as number[], n: null };
  expect(pathExists(doc, '')).toBe(true);
  expect(pathExists(doc, '/a/x~1y')).toBe(true);
  expect(pathExists(doc, '/a/m~0n/1/z')).toBe(true);
  expect(pathExists(doc, '/a/m~0n/-')).toBe(true);
  expect(pathExists(doc, '/n')).toBe(true);
  expect(pathExists(doc, '/e/-')).toBe(false);
  expect(pathExists(doc, '/a/m~0n/2')).toBe(false);
  expect(pathExists(doc, '/a/m~0n/01')).toBe(false);
  expect(pathExists(doc, '/a/x/y')).toBe(false);
  expect(pathExists(doc, '/n/k')).toBe(false);
  expect(pathExists(doc, '/a/toString')).toBe(false);
});

describe('addRenderedPatch', () => {
  test('a field the typed serializer does not know at all (volumes[].image) reaches the output, computed at each rendering', () => {
    // GIVEN a rendered patch whose value changes after it is added
    const { chart, obj } = deployment();
    let reference = 'registry.example/models/resnet:v1';
    addCheckedPatch(obj, '/spec/template/spec/hostIpc', true, { renderedPath: '/spec/template/spec/hostIPC' });
    addRenderedPatch(obj, '/spec/template/spec/volumes', () => [{ name: 'model', image: { reference, pullPolicy: 'IfNotPresent' } }]);
    reference = 'registry.example/models/resnet:v2';
    // THEN the output has the field with the value at synthesis, and typed patches still apply
    const spec = only(synth(chart), 'Deployment').spec.template.spec;
    expect(spec.volumes).toEqual([{ name: 'model', image: { reference: 'registry.example/models/resnet:v2', pullPolicy: 'IfNotPresent' } }]);
    expect(spec.hostIPC).toBe(true);
  });

  test('a rendered patch under a path the output lacks fails synthesis', () => {
    const { chart, obj } = deployment();
    addRenderedPatch(obj, '/spec/template/spec/initContainers/-', () => ({ name: 'x' }));
    expect(() => Testing.synth(chart)).toThrow("Deployment 'web': 'rendered JSON patch' (\"/spec/template/spec/initContainers/-\") must have its parent "
      + '(/spec/template/spec/initContainers) in the rendered object. Fix: patch a path whose parent the object always renders '
      + '(e.g. /spec/template/spec/volumes/- of a pod with a volume)');
  });
});
