import { Testing } from 'cdk8s';
import { GcsAccess, GrpcTls, ModelSource, RequestLogging, RequestLoggingProps, sampleExpression, TfServingModel } from '../../lib';
import { requestIdShareRegex } from '../../lib/mesh/routing';
import { only, synth } from '../support/synth';

function setup(props: Partial<RequestLoggingProps> = {}) {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() });
  const logging = new RequestLogging(chart, 'logs', { target: server, ...props });
  return { chart, server, logging };
}

/** A random-looking UUID4 request id with `two` as the first two hex digits of its second group and `last3` at the end. */
const requestId = (two: number, last3: number) =>
  `3f2c9d1e-${two.toString(16).padStart(2, '0')}7a-4f35-9e3a-5c1d2b3a4${last3.toString(16).padStart(3, '0')}`;

/** Which of the 256 values of the sampled digits the expression's regex selects. */
function sampled(expr: string): number {
  const re = new RegExp(/matches\('(.*)'\)/.exec(expr)![1]);
  let n = 0;
  for (let i = 0; i < 256; i++) if (re.test(requestId(i, 0xabc))) n++;
  return n;
}

test('a Telemetry selecting the server pods, logging every request by default', () => {
  const { chart, server } = setup();
  const t = only(synth(chart), 'Telemetry');
  expect(t.apiVersion).toBe('telemetry.istio.io/v1');
  expect(t.metadata.name).toBe('resnet-access-logs');
  expect(t.spec).toEqual({ selector: { matchLabels: server.selectorLabels }, accessLogging: [{ providers: [{ name: 'envoy' }] }] });
});

test('sampling by request id, errors always logged', () => {
  const { chart, logging } = setup({ samplePercent: 10, providers: ['otel'] });
  const t = only(synth(chart), 'Telemetry');
  expect(t.spec.accessLogging[0].providers).toEqual([{ name: 'otel' }]);
  expect(t.spec.accessLogging[0].filter.expression).toBe(logging.filterExpression);
  expect(logging.filterExpression).toBe(
    "response.code >= 500 || (has(response.grpc_status) && response.grpc_status != 0) || request.headers['x-request-id'].matches('^[0-9a-f]{8}-(0[0-9a-f]|1[0-9])')");
});

test('sampling is independent of the canary split by request id: the same share of canary and stable requests is logged', () => {
  // GIVEN IstioCanary's 10 % canary share (last three hex digits) and a 10 % log sample
  const log = new RegExp(/matches\('(.*)'\)/.exec(sampleExpression(10, false)!)![1]);
  const canary = new RegExp(`^(?:${requestIdShareRegex(10)})$`);
  const counts = { canary: [0, 0], stable: [0, 0] };
  // WHEN every combination of the two digit groups is routed and sampled
  for (let two = 0; two < 256; two++) {
    for (let last = 0; last < 4096; last += 3) {
      const id = requestId(two, last);
      const c = counts[canary.test(id) ? 'canary' : 'stable'];
      c[0]++;
      if (log.test(id)) c[1]++;
    }
  }
  // THEN both versions see exactly 26/256 of their requests logged (before: 12.7 % of canary vs 9.8 % of stable)
  expect(counts.canary[1] / counts.canary[0]).toBeCloseTo(26 / 256, 10);
  expect(counts.stable[1] / counts.stable[0]).toBeCloseTo(26 / 256, 10);
});

test.each([[1, 3], [6.25, 16], [10, 26], [50, 128], [62.5, 160], [99, 253]])('%d %% samples %d of 256 request ids', (percent, expected) => {
  expect(sampled(sampleExpression(percent, false)!)).toBe(expected);
});

test('100 % logs everything (no filter); 0 % only errors', () => {
  expect(sampleExpression(100, true)).toBeUndefined();
  expect(sampleExpression(0, true)).toBe('response.code >= 500 || (has(response.grpc_status) && response.grpc_status != 0)');
  expect(sampleExpression(0, false)).toBe('false');
});

test('the server\'s pods are labelled for sidecar injection: without a sidecar no access log is written', () => {
  const { chart } = setup();
  expect(only(synth(chart), 'Deployment', 'resnet').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
  // A server that opted out is refused: its pods would log nothing
  const chart2 = Testing.chart();
  const server = new TfServingModel(chart2, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() });
  server.deployment.podMetadata.addLabel('sidecar.istio.io/inject', 'false');
  expect(() => new RequestLogging(chart2, 'logs', { target: server })).toThrow(
    "RequestLogging 'logs': 'target' (\"pod label sidecar.istio.io/inject=false\") must not opt out of sidecar injection: Istio access logs are written by "
    + "the sidecar, so the pods would log nothing. Fix: remove the 'sidecar.istio.io/inject' label from the server's pods");
});

test('a logged server running as Istio\'s proxy uid 1337 is refused (its traffic would bypass the sidecar)', () => {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(), security: { user: 1337 },
  });
  new RequestLogging(chart, 'logs', { target: server });
  expect(() => synth(chart)).toThrow("'security.user' (1337) must not be Istio's proxy uid on a server in the mesh");
});

test('rules', () => {
  expect(() => setup({ samplePercent: 120 })).toThrow("RequestLogging 'logs': 'samplePercent' (120) must be between 0 and 100. Fix: use e.g. 10");
  expect(() => setup({ providers: [] })).toThrow("RequestLogging 'logs': 'providers' ([]) must name at least one access-log provider. Fix: use ['envoy']");
});

test('the server\'s sidecar may reach istiod and expose probes/metrics through its NetworkPolicy', () => {
  const { chart, logging } = setup({ istioNamespace: 'istio-control' });
  const np = only(synth(chart), 'NetworkPolicy', 'resnet-istio-proxy');
  expect(np.spec.egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-control' } } }], ports: [{ port: 15012, protocol: 'TCP' }] }]);
  expect(np.spec.ingress).toEqual([{ ports: [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }] }]);
  expect(logging.sidecarNetworkPolicy).toBeDefined();
});

test('no sidecar NetworkPolicy for a server without a NetworkPolicy', () => {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(), networkPolicy: { enabled: false },
  });
  const logging = new RequestLogging(chart, 'logs', { target: server });
  expect(logging.sidecarNetworkPolicy).toBeUndefined();
  expect(synth(chart).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
});

test('throws for a target with TLS on its gRPC port: the injected sidecar forwards plaintext HTTP/2', () => {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount(),
    grpcTls: GrpcTls.fromSecret('resnet-grpc-tls'),
  });
  expect(() => new RequestLogging(chart, 'logs', { target: server })).toThrow(
    "RequestLogging 'logs': 'target' (\"resnet\") must not have grpcTls: the sidecar this adds forwards gRPC to the pod as plaintext HTTP/2, which a "
    + 'TLS-only gRPC port refuses. Fix: remove grpcTls from the server, or log at the load balancer instead (GatewayCanary logSamplePercent)');
});
