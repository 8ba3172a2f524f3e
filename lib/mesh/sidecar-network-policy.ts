import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { checkObjectName } from '../core/kubernetes';
import { namespacePeer, tcpPort } from '../private/network-peers';

/** Options of {@link istioSidecarNetworkPolicy}. */
export interface SidecarNetworkPolicyOptions {
  /** Object name. */
  readonly name: string;
  /** Labels selecting the pods that run an Istio sidecar. */
  readonly podSelector: Record<string, string>;
  /**
   * Labels of the object.
   *
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * The namespace istiod runs in.
   *
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
}

/** Istio's sidecar ports: istiod's xDS/CA port, the agent's health/merged-metrics port, Envoy's metrics port. */
export const ISTIOD_XDS_PORT = 15012;
/** The istio-agent port: health (rewritten kubelet probes) and merged Prometheus metrics. */
export const SIDECAR_AGENT_PORT = 15020;
/** Envoy's Prometheus port (`istio_requests_total` and the other standard metrics). */
export const ENVOY_METRICS_PORT = 15090;

/**
 * The NetworkPolicy an Istio sidecar needs next to a server's own (restrictive) policy: egress to istiod
 * (15012, for its configuration and certificates) and ingress to the agent and Envoy metrics ports (15020,
 * 15090), which carry the rewritten kubelet probes and the `istio_requests_total` metrics that Flagger and
 * dashboards query. Without it the sidecar never becomes ready and the mesh metrics are unreachable.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio
 */
export function istioSidecarNetworkPolicy(scope: Construct, id: string, options: SidecarNetworkPolicyOptions): kplus.k8s.KubeNetworkPolicy {
  const tcp = tcpPort;
  return new kplus.k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      podSelector: { matchLabels: options.podSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [tcp(SIDECAR_AGENT_PORT), tcp(ENVOY_METRICS_PORT)] }],
      egress: [{
        to: [namespacePeer(options.istioNamespace ?? 'istio-system')],
        ports: [tcp(ISTIOD_XDS_PORT)],
      }],
    },
  });
}

/** A server whose pods may run an Istio sidecar (a construct: its sidecar policy lives under it in the tree). */
export interface ISidecarServer extends IConstruct {
  /** Base name of the server's objects. */
  readonly name: string;
  /** Labels selecting its pods. */
  readonly selectorLabels: Record<string, string>;
  /** Its own NetworkPolicy, if any (the sidecar policy is needed only then). */
  readonly networkPolicy?: unknown;
}

/** The id of the sidecar policy under its server. */
const CHILD_ID = 'IstioSidecarNetworkPolicy';

/** The sidecar NetworkPolicy of one server, a child of that server, with the istiod namespace it was made for. */
class SidecarPolicyHolder extends Construct {
  public readonly policy: kplus.k8s.KubeNetworkPolicy;
  constructor(scope: Construct, id: string, server: ISidecarServer, public readonly istioNamespace: string, public readonly requestedBy: string) {
    super(scope, id);
    this.policy = istioSidecarNetworkPolicy(this, 'Resource', {
      name: `${server.name}-istio-proxy`,
      podSelector: server.selectorLabels,
      labels: { 'app.kubernetes.io/managed-by': 'tfserving-constructs', ...server.selectorLabels },
      istioNamespace,
    });
  }
}

/**
 * The sidecar NetworkPolicy of a server: one per server, created as a child of the server by whoever asks first
 * (an IstioCanary, a RequestLogging) and shared by the others; undefined when the server has no NetworkPolicy of
 * its own. A second asker with another istiod namespace is refused: one sidecar talks to one istiod.
 *
 * @param subject who asks, for messages (`IstioCanary 'resnet'`)
 */
export function sidecarPolicyFor(subject: string, server: ISidecarServer, istioNamespace?: string): kplus.k8s.KubeNetworkPolicy | undefined {
  if (istioNamespace !== undefined) checkObjectName(subject, 'istioNamespace', istioNamespace, 'dns-label');
  if (!server.networkPolicy) return undefined;
  const ns = istioNamespace ?? 'istio-system';
  const existing = server.node.tryFindChild(CHILD_ID);
  if (existing instanceof SidecarPolicyHolder) {
    if (existing.istioNamespace !== ns) {
      fail(subject, 'istioNamespace', ns,
        `match the istiod namespace of the sidecar NetworkPolicy of server '${server.node.id}' ('${existing.istioNamespace}', from ${existing.requestedBy}): `
        + 'one sidecar talks to one istiod',
        `set istioNamespace: '${ns}' on ${existing.requestedBy} too, or the same value on both`);
    }
    return existing.policy;
  }
  return new SidecarPolicyHolder(server as unknown as Construct, CHILD_ID, server, ns, subject).policy;
}
