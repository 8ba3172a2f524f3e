import * as fs from 'fs';
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { BatchingConfig, GcsAccess, GrpcTls, ModelSource, Scraper, ServedModelOptions, TfServingModel, TfServingModelProps } from '../../lib';
import { GatewayCanary, GatewayCanaryProps, GatewayTls, GkeGatewayClass } from '../../lib/gateway';
import { metricWindow } from '../../lib/gateway/gateway-flagger';
import { cidrContains } from '../../lib/gateway/gateway-plan';
import { sharedDir } from '../support/shared';
import { only, synth } from '../support/synth';

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const RESNET: ServedModelOptions = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };
/** Google's health-check and front-end ranges, which the servers' NetworkPolicies must admit. */
const LB_PEERS = [{ podSelector: {} }, { ipBlock: { cidr: '35.191.0.0/16' } }, { ipBlock: { cidr: '130.211.0.0/22' } }];
const IAP = { clientId: '123-abc.apps.googleusercontent.com', oauth2ClientSecretName: 'iap-oauth' };
const BASE: Omit<GatewayCanaryProps, 'stable' | 'canary'> = {
  gatewayClass: GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED,
  restHost: 'resnet.ml.example.com',
  tls: GatewayTls.secret('resnet-tls'),
  iap: IAP,
  weights: { stable: 90, canary: 10 },
};
/** A GatewayClass (not GKE's) that implements every feature: GRPCRoute, h2c backends, method matching, named rules. */
const FULL = {
  external: false, regional: false, requestMirror: true, routeTimeouts: false, certificateMap: false,
  grpcRoute: true, backendH2c: true, methodMatching: true, namedRouteRules: true,
};
/** REST and gRPC through such a class (internal: no IAP). */
const GRPC: Partial<GatewayCanaryProps> = {
  gatewayClass: GkeGatewayClass.of('envoy', FULL), iap: undefined, grpcHost: 'resnet-grpc.ml.example.com', allowCallerPinning: true,
};
/** Callers may pin (the routes get the pinning rules). */
const PIN: Partial<GatewayCanaryProps> = { allowCallerPinning: true };

function server(chart: Chart, id: string, props: Partial<TfServingModelProps> = {}): TfServingModel {
  return new TfServingModel(chart, id, { models: [RESNET], gcsAccess: WI, networkPolicy: { allowFrom: LB_PEERS }, ...props });
}

/** Two servers (resnet-v1, resnet-v2) in namespace `ml`, and a GatewayCanary `resnet` in `gatewayNamespace` (default `ml`). */
function setup(props: Partial<GatewayCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = {}, gatewayNamespace = 'ml') {
  const app = Testing.app();
  const chart = new Chart(app, 'serving', { namespace: 'ml' });
  const stable = server(chart, 'resnet-v1', serverProps);
  const canary = server(chart, 'resnet-v2', serverProps);
  const gwChart = gatewayNamespace === 'ml' ? chart : new Chart(app, 'edge', { namespace: gatewayNamespace });
  const rollout = new GatewayCanary(gwChart, 'resnet', { stable, canary, ...BASE, ...props });
  return { app, chart, gwChart, stable, canary, rollout };
}

function build(props: Partial<GatewayCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = {}) {
  const s = setup(props, serverProps);
  return { ...s, objects: synth(s.chart) };
}

const attempt = (props: Partial<GatewayCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = {}) => () => setup(props, serverProps);
const own = (objects: any[]) => objects.filter((o) => o.metadata.labels?.['tfserving-constructs.io/gateway-canary'] === 'resnet');
const GRPC_METHODS = [
  ['tensorflow.serving.PredictionService', 'Classify'], ['tensorflow.serving.PredictionService', 'Regress'],
  ['tensorflow.serving.PredictionService', 'Predict'], ['tensorflow.serving.PredictionService', 'MultiInference'],
  ['tensorflow.serving.PredictionService', 'GetModelMetadata'], ['tensorflow.serving.ModelService', 'GetModelStatus'],
];

describe('GatewayCanary', () => {
  test('defaults (snapshot)', () => {
    // GIVEN two servers and a canary through a global external Gateway with IAP
    const { objects } = build();
    // THEN the objects are as recorded
    expect(own(objects)).toMatchSnapshot();
  });

  test('on a GKE class: REST only, matches without method, unnamed rules (GKE implements neither)', () => {
    const { objects, rollout } = build(PIN);
    const spec = only(objects, 'HTTPRoute', 'resnet').spec;
    expect(spec.parentRefs).toEqual([{ name: 'resnet', sectionName: 'rest' }]);
    expect(spec.rules.map((r: any) => r.name)).toEqual([undefined, undefined, undefined]);
    expect(spec.rules[0].matches).toEqual([
      { path: { type: 'PathPrefix', value: '/v1/models' }, headers: [{ type: 'Exact', name: 'x-model-version', value: 'canary' }] },
    ]);
    expect(spec.rules[1].matches[0].headers).toEqual([{ type: 'Exact', name: 'x-model-version', value: 'stable' }]);
    expect(spec.rules[1].backendRefs).toEqual([{ name: 'resnet-stable', port: 8501 }]);
    expect(spec.rules[2].matches).toEqual([{ path: { type: 'PathPrefix', value: '/v1/models' } }]);
    expect(spec.rules[2].backendRefs).toEqual([{ name: 'resnet-stable', port: 8501, weight: 90 }, { name: 'resnet-canary', port: 8501, weight: 10 }]);
    // THEN no gRPC anywhere: one listener, no GRPCRoute, no gRPC port on the backend Services
    expect(only(objects, 'Gateway', 'resnet').spec.listeners.map((l: any) => l.name)).toEqual(['rest']);
    expect(objects.find((o: any) => o.kind === 'GRPCRoute')).toBeUndefined();
    expect(rollout.grpcRoute).toBeUndefined();
    expect(only(objects, 'Service', 'resnet-stable').spec.ports).toEqual([{ name: 'http', port: 8501, targetPort: 8501, protocol: 'TCP' }]);
  });

  test('with method matching and named rules: GET and POST under /v1/models, pinning first, then the split', () => {
    const { objects } = build(GRPC);
    const spec = only(objects, 'HTTPRoute', 'resnet').spec;
    expect(spec.parentRefs).toEqual([{ name: 'resnet', sectionName: 'rest' }]);
    expect(spec.hostnames).toEqual(['resnet.ml.example.com']);
    expect(spec.rules.map((r: any) => r.name)).toEqual(['pin-canary', 'pin-stable', 'split']);
    const split = spec.rules[2];
    expect(split.matches).toEqual([
      { path: { type: 'PathPrefix', value: '/v1/models' }, method: 'GET' },
      { path: { type: 'PathPrefix', value: '/v1/models' }, method: 'POST' },
    ]);
    expect(split.backendRefs).toEqual([{ name: 'resnet-stable', port: 8501, weight: 90 }, { name: 'resnet-canary', port: 8501, weight: 10 }]);
    expect(spec.rules[0].matches[1]).toEqual({
      path: { type: 'PathPrefix', value: '/v1/models' }, method: 'POST', headers: [{ type: 'Exact', name: 'x-model-version', value: 'canary' }],
    });
    expect(spec.rules[0].backendRefs).toEqual([{ name: 'resnet-canary', port: 8501 }]);
    expect(spec.rules[1].backendRefs).toEqual([{ name: 'resnet-stable', port: 8501 }]);
    // GKE implements no route timeouts: none is written.
    expect(spec.rules.every((r: any) => r.timeouts === undefined)).toBe(true);
  });

  test('the GRPCRoute routes PredictionService and GetModelStatus, never HandleReloadConfigRequest', () => {
    const { objects } = build(GRPC);
    const spec = only(objects, 'GRPCRoute', 'resnet').spec;
    expect(spec.parentRefs).toEqual([{ name: 'resnet', sectionName: 'grpc' }]);
    expect(spec.hostnames).toEqual(['resnet-grpc.ml.example.com']);
    const split = spec.rules.find((r: any) => r.name === 'split');
    expect(split.matches.map((m: any) => [m.method.service, m.method.method])).toEqual(GRPC_METHODS);
    expect(split.matches.every((m: any) => m.method.type === 'Exact')).toBe(true);
    expect(JSON.stringify(spec)).not.toContain('HandleReloadConfigRequest');
    expect(split.backendRefs).toEqual([{ name: 'resnet-stable', port: 8500, weight: 90 }, { name: 'resnet-canary', port: 8500, weight: 10 }]);
    const pin = spec.rules.find((r: any) => r.name === 'pin-stable');
    expect(pin.matches[0].headers).toEqual([{ type: 'Exact', name: 'x-model-version', value: 'stable' }]);
    expect(pin.backendRefs).toEqual([{ name: 'resnet-stable', port: 8500 }]);
  });

  describe('gRPC on GKE: servers with grpcTls, an HTTPRoute to HTTP/2-over-TLS ports', () => {
    const TLS_SERVERS: Partial<TfServingModelProps> = { grpcTls: GrpcTls.fromSecret('resnet-grpc-tls') };
    const GKE_GRPC: Partial<GatewayCanaryProps> = { grpcHost: 'resnet-grpc.ml.example.com' };

    test('the gRPC HTTPRoute matches the exact gRPC prediction paths, never HandleReloadConfigRequest; pinning first, then the split', () => {
      // GIVEN the default GKE class, IAP, and servers with TLS on their gRPC ports
      const { objects, rollout } = build({ ...GKE_GRPC, ...PIN, mirrorPercent: 100 }, TLS_SERVERS);
      // THEN no GRPCRoute, but an HTTPRoute on the grpc listener
      expect(objects.filter((o) => o.kind === 'GRPCRoute')).toEqual([]);
      expect(rollout.grpcRoute).toBeUndefined();
      const spec = only(objects, 'HTTPRoute', 'resnet-grpc').spec;
      expect(rollout.grpcHttpRoute).toBe(ApiObject.of(rollout.grpcHttpRoute!));
      expect(spec.parentRefs).toEqual([{ name: 'resnet', sectionName: 'grpc' }]);
      expect(spec.hostnames).toEqual(['resnet-grpc.ml.example.com']);
      const paths = GRPC_METHODS.map(([svc, m]) => ({ path: { type: 'Exact', value: `/${svc}/${m}` } }));
      // GKE: no method match (HTTPRouteMethodMatching unsupported), unnamed rules
      expect(spec.rules).toEqual([
        { matches: paths.map((p) => ({ ...p, headers: [{ type: 'Exact', name: 'x-model-version', value: 'canary' }] })), backendRefs: [{ name: 'resnet-canary', port: 8500 }] },
        { matches: paths.map((p) => ({ ...p, headers: [{ type: 'Exact', name: 'x-model-version', value: 'stable' }] })), backendRefs: [{ name: 'resnet-stable', port: 8500 }] },
        {
          matches: paths,
          backendRefs: [{ name: 'resnet-stable', port: 8500, weight: 90 }, { name: 'resnet-canary', port: 8500, weight: 10 }],
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'resnet-canary', port: 8500 } } }],
        },
      ]);
      expect(JSON.stringify(spec)).not.toContain('HandleReloadConfigRequest');
      // AND the REST route is unchanged by gRPC
      expect(only(objects, 'HTTPRoute', 'resnet').spec.parentRefs).toEqual([{ name: 'resnet', sectionName: 'rest' }]);
    });

    test('without allowCallerPinning the gRPC HTTPRoute has the split rule only', () => {
      const spec = only(build(GKE_GRPC, TLS_SERVERS).objects, 'HTTPRoute', 'resnet-grpc').spec;
      expect(spec.rules).toHaveLength(1);
      expect(JSON.stringify(spec.rules)).not.toContain('x-model-version');
    });

    test('the Services\' gRPC port is HTTP2 (HTTP/2 over TLS); the Gateway gets a grpc listener with the same certificate', () => {
      const { objects } = build(GKE_GRPC, TLS_SERVERS);
      for (const name of ['resnet-stable', 'resnet-canary']) {
        expect(only(objects, 'Service', name).spec.ports).toEqual([
          { name: 'grpc', port: 8500, targetPort: 8500, protocol: 'TCP', appProtocol: 'HTTP2' },
          { name: 'http', port: 8501, targetPort: 8501, protocol: 'TCP' },
        ]);
      }
      const tls = { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'resnet-tls' }] };
      expect(only(objects, 'Gateway', 'resnet').spec.listeners.map((l: any) => [l.name, l.hostname, l.protocol, l.tls])).toEqual([
        ['rest', 'resnet.ml.example.com', 'HTTPS', tls], ['grpc', 'resnet-grpc.ml.example.com', 'HTTPS', tls],
      ]);
    });

    test('one GCPBackendPolicy (IAP, timeout) and one HealthCheckPolicy (REST model status) per Service cover its gRPC port too', () => {
      const { objects, rollout } = build(GKE_GRPC, TLS_SERVERS);
      const policy = only(objects, 'GCPBackendPolicy', 'resnet-canary').spec;
      expect(policy.targetRef).toEqual({ group: '', kind: 'Service', name: 'resnet-canary' });
      expect(policy.default.iap).toEqual({ enabled: true, clientID: IAP.clientId, oauth2ClientSecret: { name: 'iap-oauth' } });
      // The one request budget of both ports (no batching: 10 s)
      expect(policy.default.timeoutSec).toEqual(10);
      expect(rollout.timeout.toSeconds()).toEqual(10);
      const hc = only(objects, 'HealthCheckPolicy', 'resnet-canary').spec;
      expect(hc.targetRef).toEqual({ group: '', kind: 'Service', name: 'resnet-canary' });
      expect(hc.default.config).toEqual({
        type: 'HTTP', httpHealthCheck: { portSpecification: 'USE_FIXED_PORT', port: 8501, requestPath: '/v1/models/resnet', response: 'AVAILABLE' },
      });
    });

    test('routes in another namespace: the ReferenceGrant admits HTTPRoutes only (no GRPCRoute is written)', () => {
      const s = setup({ ...GKE_GRPC, ...PIN }, TLS_SERVERS, 'edge');
      const grant = only(synth(s.chart), 'ReferenceGrant').spec;
      expect(grant.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }]);
      expect(only(synth(s.gwChart), 'HTTPRoute', 'resnet-grpc').spec.rules[2].backendRefs[0]).toEqual(
        { name: 'resnet-stable', namespace: 'ml', port: 8500, weight: 90 });
    });

    test('with method matching, named rules and route timeouts: POST only, named rules, the REST route\'s timeout', () => {
      const cls = GkeGatewayClass.of('envoy', { ...FULL, routeTimeouts: true, backendHttp2: true });
      const { objects } = build({ ...GKE_GRPC, ...PIN, gatewayClass: cls, iap: undefined, routeTimeout: Duration.seconds(20) }, TLS_SERVERS);
      const spec = only(objects, 'HTTPRoute', 'resnet-grpc').spec;
      expect(spec.rules.map((r: any) => r.name)).toEqual(['pin-canary', 'pin-stable', 'split']);
      expect(spec.rules[2].matches.every((m: any) => m.method === 'POST')).toBe(true);
      expect(spec.rules.every((r: any) => r.timeouts.request === '20000ms')).toBe(true);
      // TLS servers take the HTTPRoute even where GRPCRoute exists: a GRPCRoute would speak h2c to a TLS port
      expect(objects.filter((o) => o.kind === 'GRPCRoute')).toEqual([]);
      expect(only(objects, 'Service', 'resnet-stable').spec.ports[0].appProtocol).toEqual('HTTP2');
    });

    test('GKE\'s classes speak HTTP/2 over TLS to backends', () => {
      for (const cls of [GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED, GkeGatewayClass.REGIONAL_EXTERNAL_MANAGED, GkeGatewayClass.REGIONAL_INTERNAL,
        GkeGatewayClass.CLASSIC_GLOBAL_EXTERNAL]) {
        expect(cls.features.backendHttp2).toBe(true);
      }
    });
  });

  test('one version at 100 % gets a single backendRef without a weight', () => {
    const { objects } = build({ weights: { stable: 0, canary: 100 } });
    const split = only(objects, 'HTTPRoute', 'resnet').spec.rules[0];
    expect(split.backendRefs).toEqual([{ name: 'resnet-canary', port: 8501 }]);
  });

  test('pinning off: only the split rule; a custom header is matched', () => {
    expect(only(build({ ...GRPC, allowCallerPinning: undefined, pinning: { enabled: false } }).objects, 'GRPCRoute', 'resnet').spec.rules.map((r: any) => r.name)).toEqual(['split']);
    expect(only(build({ pinning: { enabled: false } }).objects, 'HTTPRoute', 'resnet').spec.rules).toHaveLength(1);
    const rules = only(build({ ...PIN, pinning: { header: 'x-canary' } }).objects, 'HTTPRoute', 'resnet').spec.rules;
    expect(rules[0].matches[0].headers[0].name).toBe('x-canary');
  });

  test('mirroring: a RequestMirror filter to the canary on the split rules of both routes', () => {
    const { objects } = build({ ...GRPC, mirrorPercent: 10 });
    for (const [kind, port] of [['HTTPRoute', 8501], ['GRPCRoute', 8500]] as const) {
      const split = only(objects, kind, 'resnet').spec.rules.find((r: any) => r.name === 'split');
      expect(split.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'resnet-canary', port }, percent: 10 } }]);
    }
    // On GKE: the split rule is the last (unnamed) one; 100 % writes no percent (a field of Gateway API CRDs ≥ v1.3.0)
    const gke = only(build({ ...PIN, mirrorPercent: 10 }).objects, 'HTTPRoute', 'resnet').spec.rules[2];
    expect(gke.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'resnet-canary', port: 8501 }, percent: 10 } }]);
    const all = only(build({ ...PIN, mirrorPercent: 100 }).objects, 'HTTPRoute', 'resnet').spec.rules[2];
    expect(all.filters[0].requestMirror).toEqual({ backendRef: { name: 'resnet-canary', port: 8501 } });
    // Callers may not pin (the default): the header is removed first, so the mirrored copy lacks it too
    const stripped = only(build({ mirrorPercent: 10 }).objects, 'HTTPRoute', 'resnet').spec.rules;
    expect(stripped).toHaveLength(1);
    expect(stripped[0].filters.map((f: any) => f.type)).toEqual(['RequestMirror']);
  });

  test('the Gateway: one HTTPS listener on GKE; with gRPC two, with the TLS Secret, routes of its own namespace only', () => {
    expect(only(build().objects, 'Gateway', 'resnet').spec.gatewayClassName).toBe('gke-l7-global-external-managed');
    const { objects } = build(GRPC);
    const gw = only(objects, 'Gateway', 'resnet');
    expect(gw.spec.gatewayClassName).toBe('envoy');
    expect(gw.spec.listeners).toEqual(['rest', 'grpc'].map((name) => ({
      name, hostname: name === 'rest' ? 'resnet.ml.example.com' : 'resnet-grpc.ml.example.com', port: 443, protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'resnet-tls' }] },
      allowedRoutes: { namespaces: { from: 'Same' } },
    })));
  });

  test('a Certificate Manager map: the certmap annotation, no certificate on the listeners', () => {
    const gw = only(build({ tls: GatewayTls.certificateMap('ml-certs') }).objects, 'Gateway', 'resnet');
    expect(gw.metadata.annotations).toEqual({ 'networking.gke.io/certmap': 'ml-certs' });
    expect(gw.spec.listeners.every((l: any) => l.tls === undefined)).toBe(true);
  });

  test('backend Services: one per version; with gRPC on a class with h2c backends, the gRPC port speaks h2c', () => {
    const { objects } = build(GRPC);
    const svc = only(objects, 'Service', 'resnet-canary');
    expect(svc.spec.selector).toEqual(only(objects, 'Deployment', 'resnet-v2').spec.selector.matchLabels);
    expect(svc.spec.ports).toEqual([
      { name: 'grpc', port: 8500, targetPort: 8500, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'http', port: 8501, targetPort: 8501, protocol: 'TCP' },
    ]);
    // A class with GRPCRoute but without HTTPRouteBackendProtocolH2C: the gRPC port carries no appProtocol
    const noH2c = { ...GRPC, gatewayClass: GkeGatewayClass.of('envoy', { ...FULL, backendH2c: false }) };
    expect(only(build(noH2c).objects, 'Service', 'resnet-canary').spec.ports[0]).toEqual({ name: 'grpc', port: 8500, targetPort: 8500, protocol: 'TCP' });
  });

  test('GCPBackendPolicy: timeout from the batching budget, draining = grace period, logging, IAP', () => {
    // GIVEN a 2.5 s batching timeout: 10 s + 2.5 s → 13 s (whole seconds, rounded up)
    const batching = new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.millis(2500) });
    const { objects } = build({ logSamplePercent: 5 }, { batching });
    const policy = only(objects, 'GCPBackendPolicy', 'resnet-stable').spec;
    expect(policy).toEqual({
      targetRef: { group: '', kind: 'Service', name: 'resnet-stable' },
      default: {
        timeoutSec: 13,
        connectionDraining: { drainingTimeoutSec: 45 },
        logging: { enabled: true, sampleRate: 50000 },
        iap: { enabled: true, clientID: IAP.clientId, oauth2ClientSecret: { name: 'iap-oauth' } },
      },
    });
    expect(only(objects, 'GCPBackendPolicy', 'resnet-canary').spec.targetRef.name).toBe('resnet-canary');
  });

  test('explicit timeout, draining and logging off', () => {
    const { objects, rollout } = build({ timeout: Duration.seconds(60), connectionDraining: Duration.seconds(20), logSamplePercent: 0 });
    expect(only(objects, 'GCPBackendPolicy', 'resnet-stable').spec.default).toMatchObject({
      timeoutSec: 60, connectionDraining: { drainingTimeoutSec: 20 }, logging: { enabled: false },
    });
    expect(rollout.timeout.toSeconds()).toBe(60);
    expect(rollout.connectionDraining.toSeconds()).toBe(20);
  });

  test('HealthCheckPolicy: HTTP model status on the fixed REST port, healthy only with a version AVAILABLE', () => {
    const { objects } = build();
    expect(only(objects, 'HealthCheckPolicy', 'resnet-canary').spec).toEqual({
      targetRef: { group: '', kind: 'Service', name: 'resnet-canary' },
      default: {
        checkIntervalSec: 5, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 3,
        config: {
          type: 'HTTP',
          httpHealthCheck: { portSpecification: 'USE_FIXED_PORT', port: 8501, requestPath: '/v1/models/resnet', response: 'AVAILABLE' },
        },
      },
    });
  });

  test('the health check\'s response string is the name TF Serving writes for a loaded version (when ../shared is beside the checkout)', () => {
    // get_model_status.proto: ModelVersionStatus.State; the REST status is that message as JSON, enums by name.
    const protos = sharedDir('tfserving', 'protos', 'tensorflow_serving', 'apis', 'get_model_status.proto');
    const response = only(build().objects, 'HealthCheckPolicy', 'resnet-stable').spec.default.config.httpHealthCheck.response;
    if (protos === undefined) {
      expect(response).toBe('AVAILABLE');
      return;
    }
    expect(fs.readFileSync(protos, 'utf8')).toMatch(new RegExp(`^\\s*${response} = 30;`, 'm'));
  });

  test('routes in another namespace: namespaced backendRefs and a ReferenceGrant in the servers\' namespace', () => {
    const s = setup(GRPC, {}, 'edge');
    const edge = synth(s.gwChart);
    const ml = synth(s.chart);
    const split = only(edge, 'HTTPRoute', 'resnet').spec.rules.find((r: any) => r.name === 'split');
    expect(split.backendRefs[0]).toEqual({ name: 'resnet-stable', namespace: 'ml', port: 8501, weight: 90 });
    // THEN the ReferenceGrant, the backend Services and their policies are in the servers' chart (namespace ml)
    const grant = only(ml, 'ReferenceGrant', 'resnet');
    expect(grant.metadata.namespace).toBe('ml');
    expect(grant.spec).toEqual({
      from: [
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'edge' },
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' },
      ],
      to: [{ group: '', kind: 'Service', name: 'resnet-stable' }, { group: '', kind: 'Service', name: 'resnet-canary' }],
    });
    for (const kind of ['Service', 'GCPBackendPolicy', 'HealthCheckPolicy']) {
      expect(only(ml, kind, 'resnet-canary').metadata.namespace).toBe('ml');
      expect(edge.find((o: any) => o.kind === kind)).toBeUndefined();
    }
    expect(edge.map((o: any) => o.kind).sort()).toEqual(['GRPCRoute', 'Gateway', 'HTTPRoute']);
    expect(edge.every((o: any) => o.metadata.namespace === 'edge')).toBe(true);
    // On GKE (REST only) the grant admits HTTPRoutes only
    const gke = setup({}, {}, 'edge');
    expect(only(synth(gke.chart), 'ReferenceGrant', 'resnet').spec.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }]);
    expect(synth(gke.gwChart).map((o: any) => o.kind).sort()).toEqual(['Gateway', 'HTTPRoute']);
  });

  test('same namespace: no ReferenceGrant', () => {
    expect(build().objects.find((o: any) => o.kind === 'ReferenceGrant')).toBeUndefined();
  });

  test('an internal Gateway needs no IAP; a regional class needs the proxy-only subnet admitted', () => {
    const peers = [...LB_PEERS, { ipBlock: { cidr: '10.129.0.0/23' } }];
    const { objects } = build({ gatewayClass: GkeGatewayClass.REGIONAL_INTERNAL, iap: undefined, proxyOnlySubnet: '10.129.0.0/23' },
      { networkPolicy: { allowFrom: peers } });
    expect(only(objects, 'Gateway', 'resnet').spec.gatewayClassName).toBe('gke-l7-rilb');
    expect(only(objects, 'GCPBackendPolicy', 'resnet-stable').spec.default.iap).toBeUndefined();
  });

  test('a public Gateway without IAP, explicitly accepted', () => {
    const { objects } = build({ iap: undefined, allowUnauthenticated: true });
    expect(only(objects, 'GCPBackendPolicy', 'resnet-stable').spec.default.iap).toBeUndefined();
  });

  test('a custom GatewayClass with route timeouts gets them on the HTTPRoute rules', () => {
    const cls = GkeGatewayClass.of('envoy', { ...FULL, routeTimeouts: true });
    const { objects } = build({ ...PIN, gatewayClass: cls, iap: undefined, routeTimeout: Duration.seconds(20) });
    expect(only(objects, 'HTTPRoute', 'resnet').spec.rules.map((r: any) => r.timeouts)).toEqual(Array(3).fill({ request: '20000ms' }));
  });

  test('callers may not pin by default: no pinning rules and no header filter on either route', () => {
    // GIVEN the default pinning (header x-model-version) without allowCallerPinning
    const { objects, rollout } = build({ ...GRPC, allowCallerPinning: undefined });
    // THEN one split rule per route, matching no header and filtering nothing (gke-l7-gxlb has no verified header removal)
    for (const kind of ['HTTPRoute', 'GRPCRoute']) {
      const rules = only(objects, kind, 'resnet').spec.rules;
      expect(rules.map((r: any) => r.name)).toEqual(['split']);
      expect(rules[0].filters).toBeUndefined();
      expect(JSON.stringify(rules)).not.toContain('x-model-version');
    }
    expect(rollout.pinHeader).toBeUndefined();
  });

  test('GCPGatewayPolicy: global access of an internal Gateway and an SSL policy, attached to the Gateway; none by default', () => {
    // GIVEN an internal Gateway in another namespace with global access and an SSL policy
    const { gwChart } = setup({
      gatewayClass: GkeGatewayClass.REGIONAL_INTERNAL, iap: undefined, proxyOnlySubnet: '10.129.0.0/23', allowGlobalAccess: true, sslPolicy: 'tls12-modern',
    }, { networkPolicy: { allowFrom: [...LB_PEERS, { ipBlock: { cidr: '10.129.0.0/23' } }] } }, 'ml-edge');
    // THEN one GCPGatewayPolicy in the Gateway's namespace targets the Gateway
    const policy = only(synth(gwChart), 'GCPGatewayPolicy', 'resnet');
    expect(policy.metadata.namespace).toBe('ml-edge');
    expect(policy.spec).toEqual({
      targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'resnet' },
      default: { allowGlobalAccess: true, sslPolicy: 'tls12-modern' },
    });
    // AND an SSL policy alone on an external class; nothing without either setting
    expect(only(build({ sslPolicy: 'tls12-modern' }).objects, 'GCPGatewayPolicy', 'resnet').spec.default).toEqual({ sslPolicy: 'tls12-modern' });
    expect(build().objects.filter((o: any) => o.kind === 'GCPGatewayPolicy')).toEqual([]);
  });

  test('defaultChild is the HTTPRoute', () => {
    const { rollout } = setup(PIN);
    expect(ApiObject.of(rollout).kind).toBe('HTTPRoute');
    expect(rollout.pinHeader).toBe('x-model-version');
    expect(rollout.weights).toEqual({ stable: 90, canary: 10 });
  });

  describe('contradictions', () => {
    test('weights that do not sum to 100', () => {
      expect(attempt({ weights: { stable: 90, canary: 20 } })).toThrow(
        "GatewayCanary 'resnet': 'weights' ({\"stable\":90,\"canary\":20}) must sum to 100 (they sum to 110). Fix: use { stable: 80, canary: 20 }");
    });

    test('a weight that is not a whole percentage', () => {
      expect(attempt({ weights: { stable: 97.5, canary: 2.5 } })).toThrow(
        "GatewayCanary 'resnet': 'weights.stable' (97.5) must be a whole percentage between 0 and 100. Fix: use e.g. { stable: 95, canary: 5 }");
    });

    test('mirroring with a GatewayClass that does not mirror', () => {
      expect(attempt({ gatewayClass: GkeGatewayClass.CLASSIC_GLOBAL_EXTERNAL, mirrorPercent: 10 })).toThrow(
        "GatewayCanary 'resnet': 'mirrorPercent' (10) must not be set with GatewayClass 'gke-l7-gxlb': its controller does not implement the "
        + 'RequestMirror filter (GKE GatewayClass capabilities). Fix: remove mirrorPercent, or use a GatewayClass that mirrors, e.g. '
        + 'GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED');
    });

    test('a route timeout on a GKE class', () => {
      expect(attempt({ routeTimeout: Duration.seconds(30) })).toThrow(
        "GatewayCanary 'resnet': 'routeTimeout' (\"30s\") must not be set with GatewayClass 'gke-l7-global-external-managed': its controller does not "
        + 'implement HTTPRoute timeouts (GKE GatewayClass capabilities). Fix: remove routeTimeout and set timeout, rendered as the backend '
        + 'service timeout (GCPBackendPolicy timeoutSec)');
    });

    test('a certificate map on a regional class', () => {
      expect(attempt({ gatewayClass: GkeGatewayClass.REGIONAL_EXTERNAL_MANAGED, tls: GatewayTls.certificateMap('ml-certs') })).toThrow(
        "GatewayCanary 'resnet': 'tls' (\"GatewayTls.certificateMap('ml-certs')\") must not be a Certificate Manager map with GatewayClass "
        + "'gke-l7-regional-external-managed': the networking.gke.io/certmap annotation is implemented by the global classes only. "
        + 'Fix: use GatewayTls.secret(…), or a global GatewayClass');
    });

    test('a public Gateway without identity', () => {
      expect(attempt({ iap: undefined })).toThrow(
        "GatewayCanary 'resnet': 'iap' (undefined) must be set on a public Gateway (GatewayClass 'gke-l7-global-external-managed' is external): "
        + 'without an identity in front, anyone on the internet can call the prediction API. Fix: set iap: { clientId, oauth2ClientSecretName }, '
        + 'use GkeGatewayClass.REGIONAL_INTERNAL, or accept an open endpoint with allowUnauthenticated: true');
    });

    test('cross-namespace references without a ReferenceGrant', () => {
      expect(() => setup({ referenceGrant: false }, {}, 'edge')).toThrow(
        "GatewayCanary 'resnet': 'referenceGrant' (false) must be true when the routes (namespace \"edge\") reference Services in another "
        + 'namespace ("ml"): the Gateway API refuses a cross-namespace backendRef that no ReferenceGrant in the target namespace permits '
        + '(ResolvedRefs False, RefNotPermitted). Fix: remove referenceGrant: false, or create the GatewayCanary in the chart of its servers');
    });

    test('gRPC through a GKE class to plaintext gRPC ports (no GRPCRoute, no h2c backends)', () => {
      expect(attempt({ grpcHost: 'resnet-grpc.ml.example.com' })).toThrow(
        "GatewayCanary 'resnet': 'grpcHost' (\"resnet-grpc.ml.example.com\") must not be set with GatewayClass 'gke-l7-global-external-managed' "
        + "while the servers' gRPC ports are plaintext: its controller implements no GRPCRoute, and reaches gRPC backends only over HTTP/2 with TLS "
        + '(GKE conformance reports: profile GATEWAY-HTTP only, HTTPRouteBackendProtocolH2C unsupported). '
        + "Fix: set grpcTls: GrpcTls.fromSecret('<kubernetes.io/tls Secret>') on both servers (a self-signed certificate works: the load balancer "
        + 'does not validate it), remove grpcHost and balance in the client (headless Service, round_robin), or use a GatewayClass that implements GRPCRoute');
    });

    test('gRPC to servers with grpcTls through a class that does not speak HTTP/2 over TLS to backends', () => {
      expect(attempt(GRPC, { grpcTls: GrpcTls.fromSecret('grpc-tls') })).toThrow(
        "GatewayCanary 'resnet': 'grpcHost' (\"resnet-grpc.ml.example.com\") must not be set with GatewayClass 'envoy' and servers with grpcTls: "
        + 'its controller does not speak HTTP/2 over TLS to backends (features.backendHttp2). '
        + 'Fix: use a GKE GatewayClass, or GkeGatewayClass.of(name, { backendHttp2: true, ... }) for a controller that does');
    });

    test('gRPC to one server with grpcTls and one without', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'serving', { namespace: 'ml' });
      const stable = server(chart, 'resnet-v1', { grpcTls: GrpcTls.fromSecret('grpc-tls') });
      const canary = server(chart, 'resnet-v2');
      expect(() => new GatewayCanary(chart, 'resnet', { stable, canary, ...BASE, grpcHost: 'resnet-grpc.ml.example.com' })).toThrow(
        "GatewayCanary 'resnet': 'canary' (\"TfServingModel 'resnet-v2' (grpcTls unset)\") must match stable (TfServingModel 'resnet-v1', grpcTls set): "
        + 'one route reaches both gRPC ports, which must speak the same protocol. Fix: set grpcTls on both servers, or on neither');
    });

    test('one host for REST and gRPC', () => {
      expect(attempt({ ...GRPC, grpcHost: 'resnet.ml.example.com' })).toThrow(
        "GatewayCanary 'resnet': 'grpcHost' (\"resnet.ml.example.com\") must differ from restHost: a listener accepts only one of an HTTPRoute and "
        + 'a GRPCRoute whose host names intersect (the older one; Gateway API GRPCRoute spec.hostnames), so REST or gRPC would be refused. '
        + "Fix: use another name, e.g. 'resnet-grpc.ml.example.com'");
    });

    test('servers whose NetworkPolicy drops the load balancer', () => {
      expect(attempt({}, { networkPolicy: {} })).toThrow(
        "GatewayCanary 'resnet': 'gatewayClass' (\"gke-l7-global-external-managed\") must reach TfServingModel 'resnet-v1' through its NetworkPolicy, "
        + 'which does not admit 35.191.0.0/16, 130.211.0.0/22 to ports 8500/8501: the load balancer and its health checks connect to the pods '
        + "from there, and would be dropped. Fix: add { ipBlock: { cidr: '35.191.0.0/16' } }, { ipBlock: { cidr: '130.211.0.0/22' } } to "
        + "networkPolicy.allowFrom of TfServingModel 'resnet-v1'");
    });

    test('a regional class without the proxy-only subnet', () => {
      expect(attempt({ gatewayClass: GkeGatewayClass.REGIONAL_INTERNAL, iap: undefined })).toThrow(
        "GatewayCanary 'resnet': 'proxyOnlySubnet' (undefined) must be set with the regional GatewayClass 'gke-l7-rilb' while TfServingModel "
        + "'resnet-v1' has a NetworkPolicy: its proxies connect from the proxy-only subnet, which the NetworkPolicy must admit. Fix: pass "
        + "proxyOnlySubnet: '<the REGIONAL_MANAGED_PROXY subnet range>' and admit it in networkPolicy.allowFrom as an ipBlock");
    });

    test('connection draining longer than the grace period', () => {
      expect(attempt({ connectionDraining: Duration.seconds(60) })).toThrow(
        "GatewayCanary 'resnet': 'connectionDraining' (\"1m\") must be whole seconds, at most the servers' termination grace period (45 s): the pod "
        + 'is killed then, and a longer drain keeps sending nothing but failing connections. Fix: use Duration.seconds(45), or lengthen '
        + 'drain.terminationGracePeriod of the servers');
    });

    test('a timeout within the batching timeout', () => {
      const batching = new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.seconds(2) });
      expect(attempt({ timeout: Duration.seconds(2) }, { batching })).toThrow(
        "GatewayCanary 'resnet': 'timeout' (\"2s\") must be longer than the largest batching timeout (2s, TfServingModel 'resnet-v1' batching): "
        + 'a request may wait that long for its batch to fill before it runs. Fix: raise timeout well above the batching timeout, or leave '
        + 'it out to size it from the batching timeout');
    });

    test('pinning asked for without allowing callers to pin', () => {
      expect(attempt({ pinning: { enabled: true } })).toThrow(
        "GatewayCanary 'resnet': 'pinning.enabled' (true) must come with allowCallerPinning: true: pinning through a Gateway lets every caller choose "
        + 'the canary, so no rule matches the header unless callers may pin. Fix: set allowCallerPinning: true, or remove pinning.enabled');
    });

    test('callers allowed to pin with pinning off', () => {
      expect(attempt({ allowCallerPinning: true, pinning: { enabled: false } })).toThrow(
        "GatewayCanary 'resnet': 'allowCallerPinning' (true) must not be set with pinning.enabled: false: no header would pin. "
        + 'Fix: remove allowCallerPinning, or pinning.enabled: false');
    });

    test('global access on an external class', () => {
      expect(attempt({ allowGlobalAccess: true })).toThrow(
        "GatewayCanary 'resnet': 'allowGlobalAccess' (true) must not be set with GatewayClass 'gke-l7-global-external-managed': global access "
        + "(GCPGatewayPolicy allowGlobalAccess) applies to GKE's regional internal class only. Fix: remove allowGlobalAccess, or use GkeGatewayClass.REGIONAL_INTERNAL");
    });

    test('an SSL policy on a class that does not read it, or not a policy name', () => {
      expect(attempt({ ...GRPC, sslPolicy: 'tls12' })).toThrow(
        "GatewayCanary 'resnet': 'sslPolicy' (\"tls12\") must not be set with GatewayClass 'envoy': its controller does not read GCPGatewayPolicy sslPolicy. "
        + "Fix: remove sslPolicy, or use one of GKE's classes");
      expect(attempt({ sslPolicy: 'TLS_12' })).toThrow(
        "GatewayCanary 'resnet': 'sslPolicy' (\"TLS_12\") must be a Compute Engine SSL policy name (lower-case letters, digits, '-', at most 63). "
        + "Fix: use e.g. 'tls12-modern' (gcloud compute ssl-policies create tls12-modern --profile MODERN --min-tls-version 1.2)");
    });

    test('a mirror share on Gateway API CRDs older than 1.3, or a version that is not MAJOR.MINOR', () => {
      expect(attempt({ mirrorPercent: 10, gatewayApiVersion: '1.2' })).toThrow(
        "GatewayCanary 'resnet': 'mirrorPercent' (10) must be 100 with Gateway API 1.2: RequestMirror 'percent' is a field of the CRDs from v1.3.0, "
        + 'and an older CRD refuses it (kubectl) or drops it, mirroring every request. Fix: set mirrorPercent: 100, or upgrade the CRDs '
        + "(GKE 1.33.2-gke.1335000 or later) and set gatewayApiVersion: '1.3'");
      expect(attempt({ gatewayApiVersion: 'v1.3.0' })).toThrow(
        "GatewayCanary 'resnet': 'gatewayApiVersion' (\"v1.3.0\") must be a Gateway API minor version such as '1.3'. Fix: write the CRDs' version as MAJOR.MINOR");
      // 100 % (no percent field) and 1.3 or later pass
      expect(attempt({ mirrorPercent: 100, gatewayApiVersion: '1.2' })).not.toThrow();
      expect(attempt({ mirrorPercent: 10, gatewayApiVersion: '1.3' })).not.toThrow();
    });

    test('an invalid pinning header', () => {
      expect(attempt({ pinning: { header: 'X-Model' } })).toThrow(
        "GatewayCanary 'resnet': 'pinning.header' (\"X-Model\") must be a lower-case header name (letters, digits, '-'); HTTP/2 (gRPC) header "
        + 'names are lower case. Fix: use "x-model"');
    });

    test('a canary serving other models (checked again at synthesis)', () => {
      const s = setup();
      s.canary.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') });
      expect(() => Testing.synth(s.chart)).toThrow(/'canary' \(\["bert", "resnet"\]\) must serve the same model names as stable/);
      // The harness would synthesize the invalid chart again after the test.
      s.stable.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') });
    });
  });

  test('cidrContains reads IPv4 ranges', () => {
    expect(cidrContains('0.0.0.0/0', '35.191.0.0/16')).toBe(true);
    expect(cidrContains('35.191.0.0/17', '35.191.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/8', 'not-a-cidr')).toBe(false);
  });
});

describe('GatewayCanary with Flagger', () => {
  const FLAGGER = { prometheusAddress: 'http://frontend.gmp-public.svc:9090' };
  const MONITORED: Partial<TfServingModelProps> = { monitoring: { scraper: Scraper.POD_MONITORING } };

  /** One server `resnet` (Flagger's target) in `ml`, the GatewayCanary `rollout` in `gatewayNamespace`. */
  function flagger(props: Partial<GatewayCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = MONITORED,
    gatewayNamespace = 'ml-edge') {
    const app = Testing.app();
    const chart = new Chart(app, 'serving', { namespace: 'ml' });
    const stable = server(chart, 'resnet', serverProps);
    const gwChart = gatewayNamespace === 'ml' ? chart : new Chart(app, 'edge', { namespace: gatewayNamespace });
    const { weights: _w, ...base } = BASE;
    const rollout = new GatewayCanary(gwChart, 'rollout', { stable, ...base, flagger: FLAGGER, ...props });
    return { app, chart, gwChart, stable, rollout };
  }
  const attemptFlagger = (props: Partial<GatewayCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = MONITORED) =>
    () => flagger(props, serverProps);

  test('the Canary: Gateway API provider on the Gateway\'s rest listener, REST surface only, TF Serving metrics', () => {
    // GIVEN a Flagger rollout whose Gateway is in another namespace
    const { chart, gwChart, rollout } = flagger({ flagger: { ...FLAGGER, interval: Duration.seconds(30), stepWeight: 5, maxWeight: 30 } },
      { ...MONITORED, batching: new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.millis(3) }) });
    const objects = synth(chart);
    // THEN the Canary (with the servers) hands Flagger the route: gatewayRefs, host, PathPrefix /v1/models, REST port
    const canary = only(objects, 'Canary', 'rollout');
    expect(canary.metadata.namespace).toBe('ml');
    expect(canary.spec.provider).toBe('gatewayapi:v1');
    expect(canary.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet' });
    expect(canary.spec.service).toEqual({
      name: 'rollout', port: 8501, portName: 'http', targetPort: 8501, portDiscovery: true, hosts: ['resnet.ml.example.com'],
      // Flagger would reset GKE's NEG annotations on its Services (kubernetes_default.go reconcileService)
      unmanagedMetadata: { annotations: ['cloud.google.com/neg', 'cloud.google.com/neg-status'] },
      gatewayRefs: [{ name: 'rollout', namespace: 'ml-edge', sectionName: 'rest' }], match: [{ uri: { prefix: '/v1/models' } }],
    });
    // AND the analysis reads the two MetricTemplates; the latency limit is 500 ms plus the batching timeout
    expect(canary.spec.analysis).toEqual({
      interval: '30s', threshold: 5, stepWeight: 5, maxWeight: 30,
      metrics: [
        // the query range: four 30 s scrapes, longer than the 30 s analysis interval
        { name: 'tf-serving-success-rate', templateRef: { name: 'rollout-tf-serving-success-rate' }, thresholdRange: { min: 99 }, interval: '2m' },
        { name: 'tf-serving-latency-p99', templateRef: { name: 'rollout-tf-serving-latency' }, thresholdRange: { max: 503 }, interval: '2m' },
      ],
    });
    const success = only(objects, 'MetricTemplate', 'rollout-tf-serving-success-rate').spec;
    expect(success.provider).toEqual({ type: 'prometheus', address: 'http://frontend.gmp-public.svc:9090' });
    expect(success.query).toBe(
      '100 - (sum(rate(:tensorflow:serving:request_count{namespace="{{ namespace }}",pod=~"{{ target }}-[a-z0-9]+-[a-z0-9]+",'
      + 'status=~"UNKNOWN|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS"}[{{ interval }}])) or on() vector(0)) / '
      + '(sum(rate(:tensorflow:serving:request_count{namespace="{{ namespace }}",pod=~"{{ target }}-[a-z0-9]+-[a-z0-9]+"}[{{ interval }}])) > 0) * 100');
    expect(only(objects, 'MetricTemplate', 'rollout-tf-serving-latency').spec.query).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(:tensorflow:serving:request_latency_bucket{namespace="{{ namespace }}",'
      + 'pod=~"{{ target }}-[a-z0-9]+-[a-z0-9]+"}[{{ interval }}]))) / 1000');
    // AND no route, Services or ReferenceGrant of our own: Flagger writes them in the servers' namespace
    for (const kind of ['HTTPRoute', 'GRPCRoute', 'ReferenceGrant']) expect(objects.filter((o: any) => o.kind === kind)).toEqual([]);
    expect(objects.filter((o: any) => o.kind === 'Service').map((o: any) => o.metadata.name)).toEqual(['resnet']);
    expect(rollout.httpRoute).toBeUndefined();
    // AND the policies target Flagger's Services
    expect(only(objects, 'GCPBackendPolicy', 'rollout-primary').spec.targetRef).toEqual({ group: '', kind: 'Service', name: 'rollout-primary' });
    expect(only(objects, 'HealthCheckPolicy', 'rollout-canary').spec.targetRef).toEqual({ group: '', kind: 'Service', name: 'rollout-canary' });
    // AND the Gateway admits routes of the servers' namespace only
    const gw = only(synth(gwChart), 'Gateway', 'rollout');
    expect(gw.spec.listeners[0].allowedRoutes).toEqual({
      namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml' } } },
    });
  });

  test('an autoscaled target gets autoscalerRef; a class with route timeouts gets service.timeout (Flagger writes HTTPRoute timeouts)', () => {
    const cls = GkeGatewayClass.of('envoy', { ...FULL, routeTimeouts: true });
    const { chart } = flagger({ gatewayClass: cls, iap: undefined, routeTimeout: Duration.seconds(20) },
      { ...MONITORED, autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    const spec = only(synth(chart), 'Canary', 'rollout').spec;
    expect(spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'resnet' });
    expect(spec.service.timeout).toBe('20000ms');
  });

  test('the target: selected by app=<name>, no fixed replicas; defaultChild is the Canary', () => {
    const { chart, rollout } = flagger({}, { ...MONITORED, replicas: 3 });
    const deployment = only(synth(chart), 'Deployment', 'resnet');
    expect(deployment.spec.selector.matchLabels.app).toBe('resnet');
    expect(deployment.spec.template.metadata.labels.app).toBe('resnet');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(ApiObject.of(rollout).kind).toBe('Canary');
    expect(rollout.flaggerCanary).toBeDefined();
    expect(rollout.metricTemplates).toHaveLength(2);
  });

  test('in the servers\' namespace: the Gateway admits its own namespace; the load tester checks the model and loads the canary', () => {
    const { chart } = flagger({
      flagger: {
        ...FLAGGER,
        loadTester: {
          url: 'http://flagger-loadtester.ml/', requestBody: '{"instances": [[1.0]]}',
          grpcRequest: { requestJson: '{"model_spec": {"name": "resnet"}}', protoPath: '/protos/predict.proto' },
        },
      },
    }, MONITORED, 'ml');
    const objects = synth(chart);
    expect(only(objects, 'Gateway', 'rollout').spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'Same' } });
    const hooks = only(objects, 'Canary', 'rollout').spec.analysis.webhooks;
    expect(hooks.map((h: any) => [h.name, h.type])).toEqual([['model-available', 'pre-rollout'], ['predict-load', 'rollout'], ['predict-load-grpc', 'rollout']]);
    expect(hooks[0].metadata.cmd).toBe('curl -sf http://rollout-canary.ml:8501/v1/models/resnet | grep -q AVAILABLE');
    expect(hooks[2].metadata.cmd).toContain(' rollout-canary.ml:8500');
  });

  describe('contradictions', () => {
    test('static routing props with flagger', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'serving', { namespace: 'ml' });
      const stable = server(chart, 'resnet', MONITORED);
      const canary = server(chart, 'resnet-v2', MONITORED);
      expect(() => new GatewayCanary(chart, 'rollout', { ...BASE, stable, canary, flagger: FLAGGER })).toThrow(
        "GatewayCanary 'rollout': 'flagger' ([\"canary\", \"weights\"]) must not be combined with static routing props: Flagger writes its own HTTPRoute "
        + 'and shifts the weights itself, and its canary is stable. Fix: remove canary, weights, or remove flagger');
    });

    test('referenceGrant with flagger (Flagger writes the route in the servers\' namespace: there is nothing to grant)', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'serving', { namespace: 'ml' });
      const stable = server(chart, 'resnet', MONITORED);
      expect(() => new GatewayCanary(chart, 'rollout', { ...BASE, weights: undefined, stable, flagger: FLAGGER, referenceGrant: false })).toThrow(
        "GatewayCanary 'rollout': 'flagger' ([\"referenceGrant\"]) must not be combined with static routing props: Flagger writes its own HTTPRoute "
        + 'and shifts the weights itself, and its canary is stable. Fix: remove referenceGrant, or remove flagger');
    });

    test('neither canary nor flagger', () => {
      expect(attemptFlagger({ flagger: undefined })).toThrow(
        "GatewayCanary 'rollout': 'canary' (undefined) must be set unless flagger is. Fix: pass canary: <the TfServingModel of the new version>, "
        + 'or flagger: { prometheusAddress: … }');
    });

    test('a server without a scrape object', () => {
      expect(attemptFlagger({}, {})).toThrow(
        "GatewayCanary 'rollout': 'flagger' (undefined) must find the metrics of TfServingModel 'resnet' in Prometheus: the analysis reads TF Serving's "
        + 'request count and latency of the canary pods, and the server has no scrape object. Fix: set monitoring: { scraper: Scraper.POD_MONITORING } '
        + "(Managed Prometheus) or Scraper.SERVICE_MONITOR on TfServingModel 'resnet'");
    });

    test('a load tester the NetworkPolicy drops', () => {
      expect(attemptFlagger({ flagger: { ...FLAGGER, loadTester: { url: 'http://flagger-loadtester.test/' } } })).toThrow(
        "GatewayCanary 'rollout': 'flagger.loadTester' (\"http://flagger-loadtester.test/\") must run in a namespace the NetworkPolicy of "
        + "TfServingModel 'resnet' admits ('test' is not): its model check and load would be dropped. Fix: add { namespaceSelector: { matchLabels: "
        + "{ 'kubernetes.io/metadata.name': 'test' } } } to networkPolicy.allowFrom of TfServingModel 'resnet'");
    });

    test('a name whose Flagger Service is the server\'s', () => {
      expect(attemptFlagger({ name: 'resnet' })).toThrow(
        "GatewayCanary 'rollout': 'name' (\"resnet\") must not make Flagger's Service 'resnet' collide with the Service of TfServingModel 'resnet'. "
        + "Fix: choose another name, e.g. 'resnet-rollout'");
    });

    test('a latency limit within the batching timeout', () => {
      expect(attemptFlagger({ flagger: { ...FLAGGER, maxLatency: Duration.millis(2) } },
        { ...MONITORED, batching: new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.millis(3) }) })).toThrow(
        "GatewayCanary 'rollout': 'flagger.maxLatency' (\"0.002s\") must be whole milliseconds, longer than the largest batching timeout (0.003s): "
        + 'a request may wait that long for its batch. Fix: raise maxLatency well above the batching timeout, or leave it out to size it from the batching timeout');
    });

    test('a success rate, a Prometheus address or a step out of range', () => {
      expect(attemptFlagger({ flagger: { ...FLAGGER, minSuccessRate: 101 } })).toThrow(
        "GatewayCanary 'rollout': 'flagger.minSuccessRate' (101) must be a percentage between 0 and 100. Fix: use 99");
      expect(attemptFlagger({ flagger: { prometheusAddress: 'frontend:9090' } })).toThrow(
        "GatewayCanary 'rollout': 'flagger.prometheusAddress' (\"frontend:9090\") must be an http(s) URL. "
        + "Fix: use the Managed Prometheus frontend, e.g. 'http://frontend.gmp-public.svc:9090'");
      expect(attemptFlagger({ flagger: { ...FLAGGER, stepWeight: 60 } })).toThrow(
        "GatewayCanary 'rollout': 'flagger.stepWeight' (60) must not exceed maxWeight (50). Fix: lower stepWeight or raise maxWeight");
    });

    test('a progress deadline shorter than the server\'s', () => {
      expect(attemptFlagger({ flagger: { ...FLAGGER, progressDeadline: Duration.seconds(60) } })).toThrow(
        "GatewayCanary 'rollout': 'flagger.progressDeadline' (\"60s\") must be at least the progress deadline of TfServingModel 'resnet' (900s: its startup "
        + 'timeout plus node and image time): Flagger would roll back a canary that is still loading its models. Fix: set flagger.progressDeadline: '
        + "Duration.seconds(900) or more, or lower the server's probes.startupTimeout");
    });

    test('a target whose pods carry another app label', () => {
      expect(attemptFlagger({}, { ...MONITORED, labels: { app: 'bert' } })).toThrow(
        "GatewayCanary 'rollout': 'stable' (\"TfServingModel 'resnet' pod label app=bert\") must not already carry the pod label 'app' with another value: "
        + "Flagger selects the target's pods by app=resnet. Fix: remove 'app' from the TfServingModel's labels");
    });

    test('a gRPC load against a server with grpcTls (ghz sends plaintext)', () => {
      expect(attemptFlagger({
        flagger: { ...FLAGGER, loadTester: { url: 'http://lt.ml/', grpcRequest: { requestJson: '{"model_spec": {"name": "resnet"}}', protoPath: '/p/predict.proto' } } },
      }, { ...MONITORED, grpcTls: GrpcTls.fromSecret('resnet-grpc-tls') })).toThrow(
        "GatewayCanary 'rollout': 'flagger.loadTester.grpcRequest' (\"/p/predict.proto\") must not send plaintext gRPC load to TfServingModel 'resnet': "
        + 'its gRPC port has grpcTls and accepts TLS only. Fix: remove grpcRequest and load the canary over REST (requestBody)');
    });

    test('a gRPC load for a model the server does not serve (checked at synthesis)', () => {
      const { chart } = flagger({
        flagger: { ...FLAGGER, loadTester: { url: 'http://lt.ml/', grpcRequest: { requestJson: '{"model_spec": {"name": "bert"}}', protoPath: '/p/predict.proto' } } },
      }, MONITORED, 'ml');
      expect(() => synth(chart)).toThrow(
        "[serving/rollout] GatewayCanary 'rollout': 'flagger.loadTester.grpcRequest.requestJson' (\"model_spec.name 'bert'\") must name a model of TfServingModel 'resnet' "
        + '(["resnet"]): TF Serving answers NOT_FOUND, and the load would only count as errors. Fix: set model_spec.name to one of ["resnet"]');
    });
  });
});

describe('metricWindow', () => {
  test('the analysis interval, but at least four scrapes', () => {
    expect(metricWindow('30s', Duration.seconds(30))).toBe('2m');
    expect(metricWindow('1m', Duration.seconds(30))).toBe('2m');
    expect(metricWindow('5m', Duration.seconds(30))).toBe('5m');
    expect(metricWindow('1m', Duration.seconds(10))).toBe('1m');
    expect(metricWindow('30s', Duration.seconds(15))).toBe('1m');
    expect(metricWindow('1m', Duration.seconds(45))).toBe('3m');
    expect(metricWindow('1m', Duration.seconds(20))).toBe('80s');
  });
});
