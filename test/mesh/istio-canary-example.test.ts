/**
 * The examples/istio-canary app: its objects validate, and every host, port and subset its VirtualServices and
 * DestinationRule name exists in the same output (the "done when").
 */
import { Testing } from 'cdk8s';
import { IstioCanaryChart } from '../../examples/istio-canary/main';
import { synth } from '../support/synth';

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

function example() {
  const chart = new IstioCanaryChart(Testing.app(), 'istio-canary');
  const objects = synth(chart);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const pods = ofKind('Deployment').map((d) => ({ name: d.metadata.name, labels: d.spec.template.metadata.labels, containers: d.spec.template.spec.containers }));
  const service = (host: string) => ofKind('Service').find((s) => s.metadata.name === host.split('.')[0] && s.metadata.namespace === 'ml-serving');
  const podsOf = (svc: any) => pods.filter((p) => selects(svc.spec.selector, p.labels));
  return { chart, objects, ofKind, pods, service, podsOf };
}

test('the example has both servers, the canary objects and a 95/5 split with a 10 % mirror', () => {
  const { chart, ofKind } = example();
  expect(chart.rollout.weights).toEqual({ stable: 95, canary: 5 });
  expect(ofKind('Deployment').map((d) => d.metadata.name)).toEqual(['resnet-v1', 'resnet-v2']);
  const weighted = ofKind('VirtualService').find((v) => v.metadata.name === 'resnet').spec.http.find((r: any) => r.name === 'rest');
  expect(weighted.route.map((d: any) => d.weight)).toEqual([95, 5]);
  expect(weighted.mirrors[0].percentage).toEqual({ value: 10 });
  expect(ofKind('PeerAuthentication')[0].spec.mtls).toEqual({ mode: 'STRICT' });
});

test('every destination and mirror host is a Service in the output, with the named port, and its subset exists and selects pods', () => {
  const { ofKind, service, podsOf } = example();
  const rules = ofKind('DestinationRule');
  let checked = 0;
  for (const vs of ofKind('VirtualService')) {
    for (const route of vs.spec.http) {
      const destinations = [...route.route.map((r: any) => r.destination), ...(route.mirrors ?? []).map((m: any) => m.destination)];
      for (const d of destinations) {
        const svc = service(d.host);
        expect(svc).toBeDefined();
        expect(svc.spec.ports.map((p: any) => p.port)).toContain(d.port.number);
        const subset = rules.filter((r) => r.spec.host === d.host).flatMap((r) => r.spec.subsets).find((s: any) => s.name === d.subset);
        expect(subset).toBeDefined();
        // The subset's pods are among the Service's pods, and some exist.
        const subsetPods = podsOf(svc).filter((p) => selects(subset.labels, p.labels));
        expect(subsetPods.length).toBeGreaterThan(0);
        // The destination port reaches a container port of those pods.
        const target = svc.spec.ports.find((p: any) => p.port === d.port.number).targetPort;
        for (const p of subsetPods) expect(p.containers[0].ports.map((cp: any) => cp.containerPort)).toContain(target);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(10);
});

test('every DestinationRule host is a Service, each subset selects exactly one version\'s pods', () => {
  const { ofKind, service, podsOf } = example();
  for (const dr of ofKind('DestinationRule')) {
    const svc = service(dr.spec.host);
    expect(svc).toBeDefined();
    expect(podsOf(svc).map((p) => p.name)).toEqual(['resnet-v1', 'resnet-v2']);
    expect(dr.spec.subsets.map((s: any) => [s.name, podsOf(svc).filter((p) => selects(s.labels, p.labels)).map((p) => p.name)])).toEqual([
      ['stable', ['resnet-v1']],
      ['canary', ['resnet-v2']],
    ]);
  }
});

test('the gateway VirtualService names a Gateway in the output that serves its hosts', () => {
  const { ofKind } = example();
  const bound = ofKind('VirtualService').filter((v) => v.spec.gateways);
  expect(bound.length).toBe(1);
  for (const vs of bound) {
    for (const g of vs.spec.gateways) {
      const gw = ofKind('Gateway').find((x) => x.metadata.name === g);
      expect(gw).toBeDefined();
      const served = gw.spec.servers.flatMap((s: any) => s.hosts);
      for (const h of vs.spec.hosts) expect(served).toContain(h);
    }
  }
});

test('PeerAuthentication and AuthorizationPolicy select the pods of both versions', () => {
  const { ofKind, pods } = example();
  for (const kind of ['PeerAuthentication', 'AuthorizationPolicy']) {
    const [policy] = ofKind(kind);
    expect(pods.filter((p) => selects(policy.spec.selector.matchLabels, p.labels)).map((p) => p.name)).toEqual(['resnet-v1', 'resnet-v2']);
  }
});
