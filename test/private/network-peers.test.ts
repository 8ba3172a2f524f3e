import { ipBlockNote, namespaceRefusal, peersAdmitNamespace } from '../../lib/private/network-peers';

const NAME = 'kubernetes.io/metadata.name';
const byName = (operator: string, values?: string[]) => ({ namespaceSelector: { matchExpressions: [{ key: NAME, operator, values }] } });

describe('peersAdmitNamespace: what a NetworkPolicy peer list admits, knowing only the namespace name label', () => {
  test('a podSelector alone is the policy\'s own namespace; an empty namespaceSelector every namespace', () => {
    expect(peersAdmitNamespace([{ podSelector: {} }], 'ml', 'ml')).toBe(true);
    expect(peersAdmitNamespace([{ podSelector: {} }], 'ml', 'apps')).toBe(false);
    expect(peersAdmitNamespace([{ namespaceSelector: {} }], 'ml', 'apps')).toBe(true);
    // A pod label we do not know: maybe
    expect(peersAdmitNamespace([{ podSelector: { matchLabels: { app: 'web' } } }], 'ml', 'ml')).toBeUndefined();
  });

  test.each([
    ['In', ['apps', 'web'], true], ['In', ['web'], false],
    ['NotIn', ['web'], true], ['NotIn', ['apps'], false],
    ['Exists', undefined, true], ['DoesNotExist', undefined, false],
  ])('matchExpressions on the name label: %s %p → %p', (operator, values, expected) => {
    expect(peersAdmitNamespace([byName(operator as string, values as string[] | undefined)], 'ml', 'apps')).toBe(expected);
  });

  test('requirements are ANDed: one false requirement excludes, an unknown one leaves the answer open', () => {
    const sel = (exprs: any[], labels?: Record<string, string>) => [{ namespaceSelector: { matchLabels: labels, matchExpressions: exprs } }];
    expect(peersAdmitNamespace(sel([{ key: NAME, operator: 'In', values: ['apps'] }], { team: 'x' }), 'ml', 'apps')).toBeUndefined();
    expect(peersAdmitNamespace(sel([{ key: 'team', operator: 'Exists' }], { [NAME]: 'web' }), 'ml', 'apps')).toBe(false);
    expect(peersAdmitNamespace(sel([{ key: 'team', operator: 'DoesNotExist' }]), 'ml', 'apps')).toBeUndefined();
    expect(peersAdmitNamespace(sel([{ key: NAME, operator: 'Unknown' }]), 'ml', 'apps')).toBeUndefined();
    // The namespace matches, the pods are unknown: maybe
    expect(peersAdmitNamespace([{ ...byName('In', ['apps']), podSelector: { matchLabels: { app: 'web' } } }], 'ml', 'apps')).toBeUndefined();
  });

  test('peers are ORed: a certain yes wins over unknowns; an ipBlock never admits pods', () => {
    expect(peersAdmitNamespace([{ namespaceSelector: { matchLabels: { team: 'x' } } }, byName('In', ['apps'])], 'ml', 'apps')).toBe(true);
    expect(peersAdmitNamespace([{ ipBlock: { cidr: '10.0.0.0/8' } }], 'ml', 'apps')).toBe(false);
    expect(ipBlockNote([{ ipBlock: { cidr: '10.0.0.0/8' } }])).toContain('ipBlock peers do not count for pod traffic');
    expect(ipBlockNote([{ podSelector: {} }])).toBe('');
  });

  test('namespaceRefusal: the one wording of a certain refusal, with the ipBlock explanation when ipBlocks are present', () => {
    expect(namespaceRefusal([{ podSelector: {} }], 'ml', 'perf', [8500, 8501])).toBe("does not admit namespace 'perf' to ports 8500/8501");
    expect(namespaceRefusal([{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }], 'ml', 'perf', [8500])).toBe(
      "does not admit namespace 'perf' to port 8500; ipBlock peers do not count for pod traffic: Kubernetes means them for cluster-external addresses, "
      + 'and GKE Dataplane V2 (Cilium) never matches pod addresses against them');
    // admitted, or unknown (a label we do not know): no refusal
    expect(namespaceRefusal([{ podSelector: {} }], 'ml', 'ml', [8500])).toBeUndefined();
    expect(namespaceRefusal([{ namespaceSelector: { matchLabels: { team: 'x' } } }], 'ml', 'perf', [8500])).toBeUndefined();
  });
});
