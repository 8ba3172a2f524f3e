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

/** A NetworkPolicy port: TCP `port`. */
export function tcpPort(port: number): kplus.k8s.NetworkPolicyPort {
  return { port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' };
}

/** A peer that selects every pod of one namespace by the name label the API server sets on each namespace. */
export function namespacePeer(namespace: string): kplus.k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** Egress to DNS (UDP and TCP 53), which every pod that resolves a Service or an API host name needs. */
export function dnsEgress(): kplus.k8s.NetworkPolicyEgressRule {
  return { ports: [{ port: kplus.k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcpPort(53)] };
}

/**
 * Egress to the GKE metadata server, where Workload Identity tokens come from: 169.254.169.254:80, and
 * 169.254.169.252:988 on Dataplane V2 (GKE docs, Workload Identity Federation for GKE: network policies).
 */
export function gkeMetadataEgress(): kplus.k8s.NetworkPolicyEgressRule {
  return { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: '169.254.169.252/32' } }], ports: [tcpPort(80), tcpPort(988)] };
}
