import type { GatewayCanaryProps } from './gateway-options';
import { fail } from '../core/errors';
import { GcpGatewayPolicySpec } from '../imports/networking.gke.io';

/*
 * The GCPGatewayPolicy of a GatewayCanary's Gateway: global access of an internal load balancer and the SSL policy
 * of the front end. GKE reads it from the Gateway's namespace, attached to the Gateway by targetRef
 * (GKE "Configure Gateway resources using Policies"). Written only when one of its settings is set.
 */

/** The settings of the GCPGatewayPolicy, checked against the class. */
export interface GatewayPolicyPlan {
  readonly allowGlobalAccess?: boolean;
  readonly sslPolicy?: string;
}

const SSL_POLICY_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks allowGlobalAccess and sslPolicy against the GatewayClass; undefined when neither is set. */
export function resolveGatewayPolicy(subject: string, props: GatewayCanaryProps): GatewayPolicyPlan | undefined {
  const cls = props.gatewayClass;
  if (props.allowGlobalAccess && !cls.features.globalAccess) {
    fail(subject, 'allowGlobalAccess', true,
      `not be set with GatewayClass '${cls.name}': global access (GCPGatewayPolicy allowGlobalAccess) applies to GKE's regional internal class only`,
      'remove allowGlobalAccess, or use GkeGatewayClass.REGIONAL_INTERNAL');
  }
  if (props.sslPolicy !== undefined) {
    if (!cls.features.sslPolicy) {
      fail(subject, 'sslPolicy', props.sslPolicy, `not be set with GatewayClass '${cls.name}': its controller does not read GCPGatewayPolicy sslPolicy`,
        'remove sslPolicy, or use one of GKE\'s classes');
    }
    if (!SSL_POLICY_NAME.test(props.sslPolicy)) {
      fail(subject, 'sslPolicy', props.sslPolicy, 'be a Compute Engine SSL policy name (lower-case letters, digits, \'-\', at most 63)',
        'use e.g. \'tls12-modern\' (gcloud compute ssl-policies create tls12-modern --profile MODERN --min-tls-version 1.2)');
    }
  }
  if (!props.allowGlobalAccess && props.sslPolicy === undefined) return undefined;
  return {
    ...(props.allowGlobalAccess ? { allowGlobalAccess: true } : {}),
    ...(props.sslPolicy !== undefined ? { sslPolicy: props.sslPolicy } : {}),
  };
}

/** The GCPGatewayPolicy spec: attached to the Gateway `name` of the same namespace. */
export function gatewayPolicySpec(name: string, policy: GatewayPolicyPlan): GcpGatewayPolicySpec {
  return {
    targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name },
    default: { ...policy },
  };
}
