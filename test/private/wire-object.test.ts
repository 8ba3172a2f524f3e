import { JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { lazyWire, renderAsWire, wire } from '../../lib/private/wire-object';
import { only, synth } from '../support/synth';

const pdbProps = (maxUnavailable: unknown) => ({
  metadata: { name: 'web' },
  spec: { maxUnavailable: wire<kplus.k8s.IntOrString>(maxUnavailable), selector: { matchLabels: { app: 'web' } } },
});

test('an object rendered as wire JSON keeps its class and renders its props as given (no typed serializer)', () => {
  const chart = Testing.chart();
  const pdb = renderAsWire(new kplus.k8s.KubePodDisruptionBudget(chart, 'pdb', pdbProps(1)));
  expect(pdb).toBeInstanceOf(kplus.k8s.KubePodDisruptionBudget);
  expect(only(synth(chart), 'PodDisruptionBudget')).toEqual({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
  });
});

test('why the props must be API JSON: the typed serializer reads IntOrString.value, so a plain number through it is lost', () => {
  const chart = Testing.chart();
  new kplus.k8s.KubePodDisruptionBudget(chart, 'pdb', pdbProps(1));
  expect(only(synth(chart), 'PodDisruptionBudget').spec).toEqual({ selector: { matchLabels: { app: 'web' } } });
});

test('the output is byte-identical to the typed rendering of the same object, keys sorted the same way', () => {
  const typed = Testing.chart();
  new kplus.k8s.KubeNetworkPolicy(typed, 'np', {
    metadata: { name: 'web' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: kplus.k8s.IntOrString.fromNumber(80), protocol: 'TCP' }] }] },
  });
  const wired = Testing.chart();
  renderAsWire(new kplus.k8s.KubeNetworkPolicy(wired, 'np', {
    metadata: { name: 'web' },
    spec: { policyTypes: ['Ingress'], ingress: lazyWire(() => [{ protocol: 'TCP', port: 80 }].map((p) => ({ ports: [p] }))), podSelector: {} },
  }));
  expect(JSON.stringify(Testing.synth(wired))).toEqual(JSON.stringify(Testing.synth(typed)));
});

test('a JSON patch on such an object applies to the API JSON: API names and plain values', () => {
  const chart = Testing.chart();
  const pdb = renderAsWire(new kplus.k8s.KubePodDisruptionBudget(chart, 'pdb', pdbProps(1)));
  pdb.addJsonPatch(JsonPatch.replace('/spec/maxUnavailable', '25%'));
  expect(only(synth(chart), 'PodDisruptionBudget').spec.maxUnavailable).toBe('25%');
});
