import * as kplus from 'cdk8s-plus-27';

/**
 * Whether NetworkPolicy ingress peers admit pods of `namespace`, read as the NetworkPolicy API defines peers
 * (k8s.io/api networking/v1 NetworkPolicyPeer): a peer with only a podSelector selects pods of the policy's own
 * namespace; a namespaceSelector selects namespaces by label (`kubernetes.io/metadata.name` is the name label the
 * API server sets on every namespace); an empty selector selects all. `true` and `false` are certain; `undefined`
 * means the answer depends on labels or addresses we do not know (another label, matchExpressions, ipBlock), and
 * no rule refuses on it.
 */
export function peersAdmitNamespace(peers: kplus.k8s.NetworkPolicyPeer[], policyNamespace: string, namespace: string): boolean | undefined {
  let answer: boolean | undefined = false;
  for (const peer of peers) {
    const one = peerAdmits(peer, policyNamespace, namespace);
    if (one === true) return true;
    if (one === undefined) answer = undefined;
  }
  return answer;
}

function peerAdmits(peer: kplus.k8s.NetworkPolicyPeer, policyNamespace: string, namespace: string): boolean | undefined {
  if (peer.ipBlock) return undefined;
  const pods = selectsAll(peer.podSelector) ? true : undefined;
  if (!peer.namespaceSelector) return namespace === policyNamespace ? pods : false;
  const ns = peer.namespaceSelector;
  if (selectsAll(ns)) return pods;
  const labels = ns.matchLabels ?? {};
  const name = labels['kubernetes.io/metadata.name'];
  if (name !== undefined && name !== namespace) return false;
  if (ns.matchExpressions?.length || Object.keys(labels).some((k) => k !== 'kubernetes.io/metadata.name')) return undefined;
  return pods;
}

function selectsAll(selector: kplus.k8s.LabelSelector | undefined): boolean {
  return selector === undefined || (!selector.matchExpressions?.length && Object.keys(selector.matchLabels ?? {}).length === 0);
}

/** A peer that admits one namespace, for fixes in messages. */
export function namespacePeerText(namespace: string): string {
  return `{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': '${namespace}' } } }`;
}
