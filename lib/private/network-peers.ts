import * as kplus from 'cdk8s-plus-27';

/**
 * Whether NetworkPolicy ingress peers admit pods of `namespace`, read as the NetworkPolicy API defines peers
 * (k8s.io/api networking/v1 NetworkPolicyPeer): a peer with only a podSelector selects pods of the policy's own
 * namespace; a namespaceSelector selects namespaces by label (`kubernetes.io/metadata.name` is the name label the
 * API server sets on every namespace, the only label we know), its matchLabels and matchExpressions ANDed
 * (LabelSelector); an empty selector selects all. `true` and `false` are certain; `undefined` means the answer
 * depends on labels we do not know (another namespace label, a pod label), and no rule refuses on it.
 *
 * An ipBlock peer never counts as admitting pods: the API means it for cluster-external addresses ("Pod IPs are
 * ephemeral and unpredictable", and whether SNAT happens before the policy is undefined), and GKE Dataplane V2
 * (Cilium) does not match in-cluster endpoints against CIDR rules at all. See {@link ipBlockNote}.
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

/**
 * Why `peers` refuse pods of `namespace`, for every message that reports it (one wording for IstioCanary, LoadTest and
 * anyone else): `does not admit namespace 'ci' to ports 8500/8501`, plus {@link ipBlockNote} when ipBlock peers are
 * present; undefined unless the refusal is certain ({@link peersAdmitNamespace} is `false`).
 */
export function namespaceRefusal(
  peers: kplus.k8s.NetworkPolicyPeer[], policyNamespace: string, namespace: string, ports: number[],
): string | undefined {
  if (peersAdmitNamespace(peers, policyNamespace, namespace) !== false) return undefined;
  return `does not admit namespace '${namespace}' to port${ports.length > 1 ? 's' : ''} ${ports.join('/')}${ipBlockNote(peers)}`;
}

/** Why ipBlock peers did not count, for refusals of pod traffic; '' when there are none. */
export function ipBlockNote(peers: kplus.k8s.NetworkPolicyPeer[]): string {
  return peers.some((p) => p.ipBlock)
    ? '; ipBlock peers do not count for pod traffic: Kubernetes means them for cluster-external addresses, and GKE Dataplane V2 (Cilium) '
      + 'never matches pod addresses against them'
    : '';
}

function peerAdmits(peer: kplus.k8s.NetworkPolicyPeer, policyNamespace: string, namespace: string): boolean | undefined {
  if (peer.ipBlock) return false;
  const pods = selectsAll(peer.podSelector) ? true : undefined;
  if (!peer.namespaceSelector) return namespace === policyNamespace ? pods : false;
  const ns = selectorMatchesNamespace(peer.namespaceSelector, namespace);
  return ns === false ? false : ns === true ? pods : undefined;
}

/** Whether a namespace selector selects `namespace`, knowing only its name label (three-valued: undefined = unknown). */
function selectorMatchesNamespace(selector: kplus.k8s.LabelSelector, namespace: string): boolean | undefined {
  const requirements: Array<boolean | undefined> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(key === NAME_LABEL ? value === namespace : undefined);
  }
  for (const e of selector.matchExpressions ?? []) requirements.push(expressionMatches(e, namespace));
  if (requirements.includes(false)) return false;
  return requirements.includes(undefined) ? undefined : true;
}

/**
 * One LabelSelectorRequirement against a namespace whose only known label is its name (apimachinery labels.Selector:
 * In needs the key with one of the values, NotIn is true when the key is absent or its value is not listed, Exists /
 * DoesNotExist test the key). The name label exists on every namespace; other keys are unknown.
 */
function expressionMatches(e: kplus.k8s.LabelSelectorRequirement, namespace: string): boolean | undefined {
  if (e.key !== NAME_LABEL) return undefined;
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In': return values.includes(namespace);
    case 'NotIn': return !values.includes(namespace);
    case 'Exists': return true;
    case 'DoesNotExist': return false;
    default: return undefined;
  }
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

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

/**
 * The same rules as API JSON (ports as plain numbers), for a NetworkPolicy rendered without its typed serializer
 * (`renderAsWire`). The fixed rules are converted from the typed ones once, by that serializer, and shared: cdk8s
 * copies a value when it resolves it, so the shared object is never changed.
 */
export const wireRules = {
  tcpPort: (port: number): Record<string, unknown> => ({ port, protocol: 'TCP' }),
  dnsEgress: (): Record<string, unknown> => (wireDns ??= kplus.k8s.toJson_NetworkPolicyEgressRule(dnsEgress())!),
  gkeMetadataEgress: (): Record<string, unknown> => (wireMetadata ??= kplus.k8s.toJson_NetworkPolicyEgressRule(gkeMetadataEgress())!),
};
let wireDns: Record<string, unknown> | undefined;
let wireMetadata: Record<string, unknown> | undefined;
