import { CanaryPlan, FlaggerPlan, labelRoutedModels, maxLatencyOf, perTryTimeoutOf, timeoutOf, VERSION_LABEL } from './canary-plan';
import { IstioCanaryMode, MeshCaller } from './canary-options';
import { istioDuration, requestIdBuckets, requestIdShareRegex, REQUEST_ID_BUCKETS } from './routing';
import {
  CanarySpec, CanarySpecAutoscalerRefKind, CanarySpecProvider, CanarySpecServiceTrafficPolicyTlsMode, CanarySpecTargetRefKind,
} from '../imports/flagger.app';
import {
  DestinationRuleSpec, DestinationRuleSpecSubsetsTrafficPolicyTlsMode, DestinationRuleSpecTrafficPolicyOutlierDetection,
  DestinationRuleSpecTrafficPolicyTlsMode, GatewaySpec, GatewaySpecServersTlsMinProtocolVersion, GatewaySpecServersTlsMode,
  VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpRetries,
} from '../imports/networking.istio.io';
import {
  AuthorizationPolicySpecRules, AuthorizationPolicySpecRulesFrom, PeerAuthenticationSpec, PeerAuthenticationSpecMtlsMode,
  PeerAuthenticationSpecPortLevelMtlsMode,
} from '../imports/security.istio.io';

/*
 * The specs of the objects an IstioCanary writes, as pure functions of its plan. Those that depend on the
 * servers' models (timeouts, label-routed models) are called at synthesis.
 */

/** gRPC status codes that mean the server failed (not the caller): 2, 4, 8, 12, 13, 14, 15. */
const GRPC_SERVER_ERRORS = '2|4|8|12|13|14|15';
const GRPC_CONTENT_TYPE = { 'content-type': { prefix: 'application/grpc' } };

/** The DestinationRule: ISTIO_MUTUAL, and in static mode a `stable` and a `canary` subset (outlier detection on the canary). */
export function destinationRuleSpec(plan: CanaryPlan): DestinationRuleSpec {
  return {
    host: plan.name,
    trafficPolicy: { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
    subsets: plan.mode === IstioCanaryMode.STATIC ? [
      { name: 'stable', labels: { [VERSION_LABEL]: 'stable' } },
      {
        name: 'canary',
        labels: { [VERSION_LABEL]: 'canary' },
        // Subset settings override the host's; the TLS mode is repeated so the subset's policy is complete on its own.
        trafficPolicy: {
          tls: { mode: DestinationRuleSpecSubsetsTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          outlierDetection: outlierDetection(plan),
        },
      },
    ] : undefined,
  };
}

/** The Gateway: HTTPS on the gateway port for the external hosts, TLS 1.2 or newer. */
export function gatewaySpec(plan: CanaryPlan): GatewaySpec {
  const gw = plan.gateway!;
  return {
    selector: { ...gw.selector },
    servers: [{
      port: { number: gw.port, name: 'https', protocol: 'HTTPS' },
      hosts: [...gw.hosts],
      tls: {
        mode: GatewaySpecServersTlsMode.SIMPLE,
        credentialName: gw.tlsSecretName,
        minProtocolVersion: GatewaySpecServersTlsMinProtocolVersion.TLSV1_UNDERSCORE_2,
      },
    }],
  };
}

/** STRICT mTLS for the serving pods; the REST port PERMISSIVE when a plaintext scraper reads the metrics. */
export function peerAuthenticationSpec(plan: CanaryPlan): PeerAuthenticationSpec {
  return {
    selector: { matchLabels: plan.podSelector },
    mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
    ...(plan.scraper.kind === 'plaintext' && plan.metricsPaths.length
      ? { portLevelMtls: { [String(plan.stable.restPort)]: { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE } } }
      : {}),
  };
}

/** The outlier detection of the canary's endpoints (Istio's DestinationRule form), or undefined when off. */
export function outlierDetection(plan: CanaryPlan): DestinationRuleSpecTrafficPolicyOutlierDetection | undefined {
  const o = plan.outlier;
  if (!o) return undefined;
  return {
    consecutive5XxErrors: o.consecutive5xxErrors,
    interval: istioDuration(o.interval),
    baseEjectionTime: istioDuration(o.baseEjectionTime),
    maxEjectionPercent: o.maxEjectionPercent,
  };
}

/** The retry policy of every route. */
export function retryPolicy(plan: CanaryPlan): VirtualServiceSpecHttpRetries {
  if (plan.retryAttempts === 0) return { attempts: 0 };
  return {
    attempts: plan.retryAttempts,
    perTryTimeout: istioDuration(perTryTimeoutOf(plan)),
    retryOn: plan.retryOn,
  };
}

/** The HTTP routes of the mesh VirtualService (`gateway` false: match by port) or of the gateway one (match by content type). */
export function routes(plan: CanaryPlan, gateway: boolean): VirtualServiceSpecHttp[] {
  const common = { timeout: istioDuration(timeoutOf(plan)), retries: retryPolicy(plan) };
  const grpc = plan.stable.grpcPort;
  const rest = plan.stable.restPort;
  const pinHeader = plan.pinHeader;
  // Inside the mesh a port picks the protocol; through the gateway both share one port, and gRPC says so in content-type.
  const on = (port: number, extra: VirtualServiceSpecHttpMatch = {}): VirtualServiceSpecHttpMatch => {
    if (!gateway) return { port, ...extra };
    return port === grpc ? { ...extra, headers: { ...GRPC_CONTENT_TYPE, ...extra.headers } } : extra;
  };
  const pin = (version: string) => (pinHeader ? { headers: { [pinHeader]: { exact: version } } } : {});
  const result: VirtualServiceSpecHttp[] = [];
  if (plan.mode === IstioCanaryMode.STATIC) {
    for (const [proto, port] of [['grpc', grpc], ['rest', rest]] as const) {
      const dest = (subset: string) => ({ host: plan.name, subset, port: { number: port } });
      if (pinHeader) {
        for (const version of ['canary', 'stable']) {
          result.push({ name: `${proto}-pin-${version}`, match: [on(port, pin(version))], route: [{ destination: dest(version) }], ...common });
        }
      }
      const split = (['stable', 'canary'] as const).filter((v) => plan.weights[v] > 0);
      const mirror = plan.mirrorPercent ? { mirrors: [{ destination: dest('canary'), percentage: { value: plan.mirrorPercent } }] } : {};
      // Through the gateway, REST is whatever is not gRPC: its route matches everything left.
      const match = on(port);
      result.push({
        name: proto,
        ...(Object.keys(match).length ? { match: [match] } : {}),
        route: split.map((v) => ({ destination: dest(v), ...(split.length > 1 ? { weight: plan.weights[v] } : {}) })),
        ...mirror,
        ...common,
      });
    }
    return result;
  }
  // Label routing: one server; REST inference paths are rewritten to a version label.
  const dest = (port: number) => ({ host: plan.name, port: { number: port } });
  const { stableLabel, canaryLabel } = plan.labelRouting!;
  if (gateway) result.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
  for (const model of labelRoutedModels(plan)) {
    const prefix = `/v1/models/${model}:`;
    const to = (label: string) => ({ rewrite: { uri: `/v1/models/${model}/labels/${label}:` }, route: [{ destination: dest(rest) }] });
    const uri = { uri: { prefix } };
    if (pinHeader) {
      result.push({ name: `rest-${model}-pin-canary`, match: [on(rest, { ...uri, ...pin('canary') })], ...to(canaryLabel), ...common });
      result.push({ name: `rest-${model}-pin-stable`, match: [on(rest, { ...uri, ...pin('stable') })], ...to(stableLabel), ...common });
    }
    const share = requestIdShareRegex(plan.weights.canary);
    if (share !== undefined && requestIdBuckets(plan.weights.canary) < REQUEST_ID_BUCKETS) {
      const byRequestId = { ...uri, headers: { 'x-request-id': { regex: share } } };
      result.push({ name: `rest-${model}-canary-share`, match: [on(rest, byRequestId)], ...to(canaryLabel), ...common });
    }
    const rest100 = requestIdBuckets(plan.weights.canary) >= REQUEST_ID_BUCKETS;
    const label = rest100 ? canaryLabel : stableLabel;
    result.push({ name: `rest-${model}-${rest100 ? 'canary' : 'stable'}`, match: [on(rest, uri)], ...to(label), ...common });
  }
  const restMatch = on(rest);
  result.push({ name: 'rest', ...(Object.keys(restMatch).length ? { match: [restMatch] } : {}), route: [{ destination: dest(rest) }], ...common });
  if (!gateway) result.push({ name: 'grpc', match: [on(grpc)], route: [{ destination: dest(grpc) }], ...common });
  return result;
}

/** The ALLOW rules: callers (and the gateway) on the serving ports; the scraper on `GET <metricsPath>`. */
export function authorizationRules(plan: CanaryPlan): AuthorizationPolicySpecRules[] {
  const td = plan.trustDomain;
  const from = (callers: MeshCaller[]): AuthorizationPolicySpecRulesFrom[] => {
    const namespaces = [...new Set(callers.filter((c) => !c.serviceAccount).map((c) => c.namespace))].sort();
    const principals = [...new Set(callers.filter((c) => c.serviceAccount).map((c) => `${td}/ns/${c.namespace}/sa/${c.serviceAccount}`))].sort();
    return [
      ...(namespaces.length ? [{ source: { namespaces } }] : []),
      ...(principals.length ? [{ source: { principals } }] : []),
    ];
  };
  const rules: AuthorizationPolicySpecRules[] = [];
  const callers = [...plan.allowFrom];
  if (plan.gateway) callers.push(plan.gateway.identity);
  const servingPorts = [String(plan.stable.grpcPort), String(plan.stable.restPort)];
  if (callers.length) rules.push({ from: from(callers), to: [{ operation: { ports: servingPorts } }] });
  const paths = plan.metricsPaths;
  const scraper = plan.scraper;
  if (paths.length && scraper.kind !== 'none') {
    const to = [{ operation: { ports: [String(plan.stable.restPort)], methods: ['GET'], paths } }];
    rules.push(scraper.kind === 'mesh' ? { from: from(scraper.callers), to } : { to });
  }
  return rules;
}

/** The Flagger Canary. */
export function flaggerSpec(plan: CanaryPlan): CanarySpec {
  const f: FlaggerPlan = plan.flagger!;
  const s = plan.stable;
  const latency = maxLatencyOf(plan, f);
  const outlier = outlierDetection(plan);
  return {
    provider: CanarySpecProvider.ISTIO,
    targetRef: { apiVersion: 'apps/v1', kind: CanarySpecTargetRefKind.DEPLOYMENT, name: s.name },
    ...(s.autoscaler
      ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: CanarySpecAutoscalerRefKind.HORIZONTAL_POD_AUTOSCALER, name: s.name } }
      : {}),
    progressDeadlineSeconds: f.progressDeadlineSeconds,
    service: {
      name: plan.name,
      // gRPC is the main port; port discovery adds REST (the container's other named port) to Flagger's Services.
      port: s.grpcPort,
      portName: 'grpc',
      targetPort: s.grpcPort,
      portDiscovery: true,
      timeout: istioDuration(timeoutOf(plan)),
      retries: retryPolicy(plan),
      trafficPolicy: {
        tls: { mode: CanarySpecServiceTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
        ...(outlier ? { outlierDetection: outlier } : {}),
      },
    },
    analysis: {
      interval: f.interval,
      threshold: f.threshold,
      stepWeight: f.stepWeight,
      maxWeight: f.maxWeight,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: f.minSuccessRate }, interval: f.interval },
        { name: 'request-duration', thresholdRange: { max: Number(latency.toMilliseconds({ integral: false }).toFixed(3)) }, interval: f.interval },
        {
          name: 'grpc-error-rate',
          templateRef: { name: `${plan.name}-grpc-error-rate` },
          thresholdRange: { max: f.maxGrpcErrorRate },
          interval: f.interval,
        },
      ],
    },
  };
}

/** Flagger's gRPC error rate: server-side gRPC failures per gRPC request of the canary workload, percent; 0 without gRPC traffic. */
export function grpcErrorRateQuery(): string {
  const canary = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';
  const sel = (extra: string) => `${canary},${extra}`;
  const errors = `sum(rate(istio_requests_total{${sel(`grpc_response_status=~"${GRPC_SERVER_ERRORS}"`)}}[{{ interval }}]))`;
  // "> 0" drops a zero denominator, so a canary without gRPC traffic scores 0 rather than NaN or no value (Flagger halts on those).
  const all = `(sum(rate(istio_requests_total{${sel('grpc_response_status!=""')}}[{{ interval }}])) > 0)`;
  return `(${errors} / ${all} * 100) or on() vector(0)`;
}
