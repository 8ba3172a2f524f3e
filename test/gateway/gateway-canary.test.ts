import * as fs from 'fs';
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { BatchingConfig, GcsAccess, GrpcTls, ModelSource, ServedModelOptions, TfServingModel, TfServingModelProps } from '../../lib';
import { GatewayCanary, GatewayCanaryProps, GatewayTls, GkeGatewayClass } from '../../lib/gateway';
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
  gatewayClass: GkeGatewayClass.of('envoy', FULL), iap: undefined, grpcHost: 'resnet-grpc.ml.example.com',
};

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
    const { objects, rollout } = build();
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
      const { objects, rollout } = build({ ...GKE_GRPC, mirrorPercent: 100 }, TLS_SERVERS);
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
      const s = setup(GKE_GRPC, TLS_SERVERS, 'edge');
      const grant = only(synth(s.chart), 'ReferenceGrant').spec;
      expect(grant.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }]);
      expect(only(synth(s.gwChart), 'HTTPRoute', 'resnet-grpc').spec.rules[2].backendRefs[0]).toEqual(
        { name: 'resnet-stable', namespace: 'ml', port: 8500, weight: 90 });
    });

    test('with method matching, named rules and route timeouts: POST only, named rules, the REST route\'s timeout', () => {
      const cls = GkeGatewayClass.of('envoy', { ...FULL, routeTimeouts: true, backendHttp2: true });
      const { objects } = build({ ...GKE_GRPC, gatewayClass: cls, iap: undefined, routeTimeout: Duration.seconds(20) }, TLS_SERVERS);
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
    const split = only(objects, 'HTTPRoute', 'resnet').spec.rules[2];
    expect(split.backendRefs).toEqual([{ name: 'resnet-canary', port: 8501 }]);
  });

  test('pinning off: only the split rule; a custom header is matched', () => {
    expect(only(build({ ...GRPC, pinning: { enabled: false } }).objects, 'GRPCRoute', 'resnet').spec.rules.map((r: any) => r.name)).toEqual(['split']);
    expect(only(build({ pinning: { enabled: false } }).objects, 'HTTPRoute', 'resnet').spec.rules).toHaveLength(1);
    const rules = only(build({ pinning: { header: 'x-canary' } }).objects, 'HTTPRoute', 'resnet').spec.rules;
    expect(rules[0].matches[0].headers[0].name).toBe('x-canary');
  });

  test('mirroring: a RequestMirror filter to the canary on the split rules of both routes', () => {
    const { objects } = build({ ...GRPC, mirrorPercent: 10 });
    for (const [kind, port] of [['HTTPRoute', 8501], ['GRPCRoute', 8500]] as const) {
      const split = only(objects, kind, 'resnet').spec.rules.find((r: any) => r.name === 'split');
      expect(split.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'resnet-canary', port }, percent: 10 } }]);
    }
    // On GKE: the split rule is the last (unnamed) one; 100 % writes no percent (a field of Gateway API CRDs ≥ v1.3.0)
    const gke = only(build({ mirrorPercent: 10 }).objects, 'HTTPRoute', 'resnet').spec.rules[2];
    expect(gke.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'resnet-canary', port: 8501 }, percent: 10 } }]);
    const all = only(build({ mirrorPercent: 100 }).objects, 'HTTPRoute', 'resnet').spec.rules[2];
    expect(all.filters[0].requestMirror).toEqual({ backendRef: { name: 'resnet-canary', port: 8501 } });
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
    const { objects } = build({ gatewayClass: cls, iap: undefined, routeTimeout: Duration.seconds(20) });
    expect(only(objects, 'HTTPRoute', 'resnet').spec.rules.map((r: any) => r.timeouts)).toEqual(Array(3).fill({ request: '20000ms' }));
  });

  test('defaultChild is the HTTPRoute', () => {
    const { rollout } = setup();
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
