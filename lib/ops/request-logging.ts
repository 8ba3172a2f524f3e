import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { fail, show, subjectOf } from '../core/errors';
import { checkObjectName } from '../core/kubernetes';
import { Telemetry } from '../imports/telemetry.istio.io';
import { INJECT_LABEL } from '../mesh/canary-plan';
import { hexSuffixesBelow } from '../mesh/routing';
import { ISidecarServer, sidecarPolicyFor } from '../mesh/sidecar-network-policy';
import type { GrpcTls } from '../serving/grpc-tls';

/** A workload whose pods the access logging selects (a TfServingModel). */
export interface ILoggedWorkload extends ISidecarServer {
  /** The Service's name, for the default object name. */
  readonly serviceName: string;
  /** The Deployment whose pod template gets Istio's injection label. */
  readonly deployment: kplus.Deployment;
  /**
   * TLS on the gRPC port (TfServingModel `grpcTls`): refused, the sidecar would break it.
   *
   * @default - plaintext gRPC
   */
  readonly grpcTls?: GrpcTls;
}

/** Properties of {@link RequestLogging}. */
export interface RequestLoggingProps {
  /** The server (or servers: give the labels they share) whose requests are logged. */
  readonly target: ILoggedWorkload;
  /**
   * Share of requests logged, 0–100 %, with 1/256 granularity (decided by two hex digits of Envoy's random
   * `x-request-id`, so one request is logged by every proxy it passes, or by none; not the digits IstioCanary
   * routes by, so the sample is independent of the canary split).
   *
   * @default 100
   */
  readonly samplePercent?: number;
  /**
   * Always log failed requests (5xx, or a non-OK gRPC status), whatever the sampling.
   *
   * @default true
   */
  readonly alwaysLogErrors?: boolean;
  /**
   * The mesh's access-log provider(s) (meshConfig.extensionProviders), e.g. `envoy` (the proxy's stdout).
   *
   * @default ['envoy']
   */
  readonly providers?: string[];
  /**
   * The namespace istiod runs in (the server's sidecar must reach it through the server's NetworkPolicy).
   *
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
  /**
   * Telemetry object name.
   *
   * @default - `TARGET-access-logs`
   */
  readonly name?: string;
}

/**
 * Request logging that works with the open-source model server: Istio access logs for the server's pods
 * (a `telemetry.istio.io/v1` Telemetry selecting them), with sampling. The server's pods need an Istio sidecar:
 * **side effect on the target**, its pod template gets the label `sidecar.istio.io/inject: "true"` (Istio's default
 * injector selects it in namespaces without `istio-injection`; with a revisioned control plane the namespace needs
 * `istio.io/rev`). When the server has a NetworkPolicy, a second one lets the sidecar reach istiod.
 *
 * TF Serving's own `logging_config` makes the open-source server fail at start, so it is refused. Istio
 * access logs capture method, path (REST model and verb), gRPC method and status, response code, sizes,
 * latency, peer identities and the request id — not request or response bodies (tensors): log those in the
 * client if you need them.
 */
export class RequestLogging extends Construct {
  /** The Telemetry (id `Resource`). */
  public readonly telemetry: Telemetry;
  /** The CEL filter expression, or undefined when every request is logged. */
  public readonly filterExpression?: string;
  /**
   * The NetworkPolicy that lets the server's sidecar reach istiod and expose its probes and metrics (when the
   * server has a NetworkPolicy of its own; shared with an IstioCanary on the same server).
   */
  public readonly sidecarNetworkPolicy?: kplus.k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: RequestLoggingProps) {
    super(scope, id);
    const subject = subjectOf('RequestLogging', id);
    const percent = props.samplePercent ?? 100;
    if (!(percent >= 0 && percent <= 100)) fail(subject, 'samplePercent', percent, 'be between 0 and 100', 'use e.g. 10');
    // The sample is taken in 1/256 steps (sampleExpression): a share below half a step rounds to "log nothing".
    if (percent > 0 && Math.round(percent * 2.56) === 0) {
      fail(subject, 'samplePercent', percent, 'be 0 or at least 0.2: sampling goes in steps of 1/256 (0.39 %), and a smaller share rounds to logging nothing',
        'use 0.4 (one request in 256), or 0 to log only failures');
    }
    // A Telemetry's selector matches the pods of its own namespace only: in another namespace it would log nothing.
    const own = Chart.of(this).namespace;
    const theirs = Chart.of(props.target).namespace;
    if (own !== theirs) {
      fail(subject, 'target', props.target.node.id, `be in the namespace of the RequestLogging (${show(own ?? '(none)')}, not ${show(theirs ?? '(none)')}): `
        + 'a Telemetry\'s workload selector matches pods of its own namespace only', 'create the RequestLogging in the chart of its target');
    }
    if (props.target.grpcTls) {
      // The injected sidecar takes the Service port named `grpc` as plaintext HTTP/2 and forwards it so to the pod
      // (as under IstioCanary): a TLS-only gRPC port (grpcTls, server.cc BuildServerCredentials) would fail every call.
      fail(subject, 'target', props.target.node.id,
        'not have grpcTls: the sidecar this adds forwards gRPC to the pod as plaintext HTTP/2, which a TLS-only gRPC port refuses',
        'remove grpcTls from the server, or log at the load balancer instead (GatewayCanary logSamplePercent)');
    }
    const providers = props.providers ?? ['envoy'];
    if (providers.length === 0) fail(subject, 'providers', providers, 'name at least one access-log provider', 'use [\'envoy\']');
    providers.forEach((p, i) => {
      if (p.trim() === '') fail(subject, `providers[${i}]`, p, 'name an access-log provider of meshConfig.extensionProviders', 'use \'envoy\'');
    });
    if (props.name !== undefined) checkObjectName(subject, 'name', props.name);
    this.filterExpression = sampleExpression(percent, props.alwaysLogErrors ?? true);
    this.telemetry = new Telemetry(this, 'Resource', {
      metadata: { name: props.name ?? `${props.target.serviceName}-access-logs` },
      spec: {
        selector: { matchLabels: props.target.selectorLabels },
        accessLogging: [{
          providers: providers.map((name) => ({ name })),
          ...(this.filterExpression ? { filter: { expression: this.filterExpression } } : {}),
        }],
      },
    });
    // Access logs are written by the sidecar: a pod without one logs nothing, silently. Ask Istio's injector for it
    // with the pod label its webhook selects (objectSelector; the annotation form is deprecated, IST0135), as
    // IstioCanary does.
    const meta = props.target.deployment.podMetadata;
    const inject = meta.getLabel(INJECT_LABEL);
    if (inject !== undefined && inject !== 'true') {
      fail(subject, 'target', `pod label ${INJECT_LABEL}=${inject}`,
        'not opt out of sidecar injection: Istio access logs are written by the sidecar, so the pods would log nothing',
        `remove the '${INJECT_LABEL}' label from the server's pods`);
    }
    meta.addLabel(INJECT_LABEL, 'true');
    this.sidecarNetworkPolicy = sidecarPolicyFor(subject, props.target, props.istioNamespace);
  }
}

/**
 * The CEL expression logging `percent` % of requests (1/256 steps on the first two hex digits of the second group
 * of the x-request-id UUID), plus failures when asked; undefined for 100 %.
 *
 * Not the last digits: IstioCanary's label routing picks the canary share by the last three, and sampling on
 * digits that overlap them made the two correlated (at 10 %/10 %, 12.7 % of canary requests logged against 9.8 %
 * of stable). Envoy's UUID4 request ids are random in every digit but the version (third group's first) and the
 * variant (fourth group's first), which Envoy also rewrites to mark traced requests (UUIDRequestIDExtension
 * `setTraceReason`); the second group is neither. CEL `matches` is a partial RE2 match, hence the `^` anchor.
 */
export function sampleExpression(percent: number, alwaysLogErrors: boolean): string | undefined {
  const k = Math.round(percent * 2.56);
  if (k >= 256) return undefined;
  const errors = alwaysLogErrors ? 'response.code >= 500 || (has(response.grpc_status) && response.grpc_status != 0)' : undefined;
  if (k === 0) return errors ?? 'false';
  const sample = `request.headers['x-request-id'].matches('^[0-9a-f]{8}-(${hexSuffixesBelow(k, 2)})')`;
  return errors ? `${errors} || ${sample}` : sample;
}

