import { Size, Testing } from 'cdk8s';
import {
  CaptureProtocol, CaptureSink, GcsAccess, ModelSource, RequestCapture, RequestCaptureProps, TfServingModel, TfServingModelProps,
} from '../../lib';
import { only, synth } from '../support/synth';

const identity = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');

function setup(props: Partial<RequestCaptureProps> = {}, models = ['resnet'], serverProps: Partial<TfServingModelProps> = {}) {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: models.map((name) => ({ name, source: ModelSource.gcs(`gs://acme-models/${name}`) })), gcsAccess: identity, ...serverProps,
  });
  const capture = new RequestCapture(chart, 'capture', { target: server, sink: CaptureSink.gcs('gs://acme-capture/requests', { access: identity }), ...props });
  return { chart, server, capture };
}

const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split('/');
  const n = (a: string) => a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
};
/** A peer for a connection: an address, or a pod in a namespace. */
interface Peer { ip?: string; namespace?: string; port: number }
const peerMatches = (peer: any, p: Peer) => {
  if (peer.ipBlock) return p.ip !== undefined && inCidr(p.ip, peer.ipBlock.cidr);
  if (peer.namespaceSelector) return p.namespace !== undefined && peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === p.namespace;
  // A podSelector alone selects pods of the policy's own namespace (Testing.chart() sets none: 'default').
  if (peer.podSelector) return p.namespace === 'default';
  return false;
};
const ruleAdmits = (rule: any, peers: any[] | undefined, p: Peer) =>
  (!rule.ports || rule.ports.some((x: any) => x.port === p.port && (x.protocol ?? 'TCP') === 'TCP')) && (!peers || peers.some((x) => peerMatches(x, p)));

/**
 * Whether the NetworkPolicies selecting the server's pods admit a connection (policies add up: one that admits
 * is enough), the way a CNI evaluates them for `direction`.
 */
function admits(objects: any[], direction: 'egress' | 'ingress', p: Peer): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels['app.kubernetes.io/instance'] === 'resnet');
  expect(policies.length).toBeGreaterThan(0);
  return policies.some((policy) => (policy.spec[direction] ?? []).some((rule: any) => ruleAdmits(rule, direction === 'egress' ? rule.to : rule.from, p)));
}

test('the agent fronts the REST port: the Service targets it and it forwards to TF Serving\'s REST port', () => {
  const { chart, capture } = setup();
  const objects = synth(chart);
  const pod = only(objects, 'Deployment').spec.template.spec;
  expect(pod.containers.map((c: any) => c.name)).toEqual(['tensorflow-serving', 'capture-agent', 'capture-collector']);
  const agent = pod.containers[1];
  expect(agent.image).toBe('kserve/agent:v0.20.0');
  expect(agent.args).toEqual(['--port', '9081', '--component-port', '8501', '--log-url', 'http://127.0.0.1:9090/', '--log-mode', 'all',
    '--inference-service', 'resnet', '--component', 'resnet']);
  expect(JSON.parse(agent.env.find((e: any) => e.name === 'SERVING_READINESS_PROBE').value).httpGet).toEqual({ path: '/v1/models/resnet', port: 8501, scheme: 'HTTP' });
  expect(agent.readinessProbe.httpGet).toEqual({ path: '/', port: 9081, scheme: 'HTTP', httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }] });
  for (const c of pod.containers.slice(1)) expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  const service = only(objects, 'Service');
  expect(service.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([['grpc', 8500, 8500], ['http', 8501, 9081]]);
  // The collector reads the agent's CloudEvents on the agent's --log-url and writes the model's partition.
  const collector = pod.containers[2];
  expect(collector.image).toBe('timberio/vector:0.57.0-distroless-libc');
  const config = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'resnet-capture').data['vector.json']);
  expect(config).toEqual(capture.collectorConfig);
  expect(config.sources.agent.address).toBe('127.0.0.1:9090');
  expect(config.transforms.sample).toEqual({ type: 'sample', inputs: ['record'], ratio: 0.1, key_field: 'id', sample_rate_key: '' });
  expect(config.sinks.capture).toMatchObject({
    type: 'gcp_cloud_storage', inputs: ['sample'], bucket: 'acme-capture', key_prefix: 'requests/model=resnet/version=resnet/date=%F/', compression: 'gzip',
  });
  expect(config.transforms.record.source).toContain('if length(body) > 1048576 { abort }');
});

test('the NetworkPolicies admit the agent port and the collector\'s egress to Cloud Storage and the metadata server', () => {
  const { chart } = setup();
  const objects = synth(chart);
  // The server's own policy does not admit the agent port: the capture's policy does.
  // The capture's policy admits the agent port to the callers the REST port admits: the server's own namespace by default.
  expect(admits(objects.filter((o) => o.metadata.name !== 'resnet-capture'), 'ingress', { namespace: 'default', port: 9081 })).toBe(false);
  expect(admits(objects, 'ingress', { namespace: 'default', port: 9081 })).toBe(true);
  expect(admits(objects, 'ingress', { ip: '10.1.2.3', port: 9081 })).toBe(false);
  expect(admits(objects, 'egress', { ip: '142.250.1.207', port: 443 })).toBe(true);
  expect(admits(objects, 'egress', { ip: '169.254.169.254', port: 80 })).toBe(true);
  expect(admits(objects, 'egress', { ip: '169.254.169.252', port: 988 })).toBe(true);
  expect(admits(objects, 'egress', { ip: '10.0.0.5', port: 8080 })).toBe(false);
});

test('the agent port admits only the peers the REST port admits', () => {
  const clients = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clients' } } };
  const { chart } = setup({}, ['resnet'], { networkPolicy: { allowFrom: [clients] } });
  const objects = synth(chart);
  expect(admits(objects, 'ingress', { namespace: 'clients', port: 9081 })).toBe(true);
  expect(admits(objects, 'ingress', { namespace: 'other', port: 9081 })).toBe(false);
  expect(admits(objects, 'ingress', { ip: '10.1.2.3', port: 9081 })).toBe(false);
});

test('without a server NetworkPolicy the capture adds none', () => {
  const { chart, capture } = setup({}, ['resnet'], { networkPolicy: { enabled: false } });
  expect(capture.networkPolicy).toBeUndefined();
  expect(synth(chart).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
});

test('a GCS sink grants the server\'s Google service account objectCreator on the bucket', () => {
  const { chart } = setup();
  expect(only(synth(chart), 'IAMPolicyMember').spec).toEqual({
    member: 'serviceAccount:tf-serving@acme-ml.iam.gserviceaccount.com', role: 'roles/storage.objectCreator',
    resourceRef: { kind: 'StorageBucket', external: 'acme-capture' },
  });
});

test('100 % keeps every call (no sample transform); the body cap is in bytes', () => {
  const { capture } = setup({ samplePercent: 100, maxBodySize: Size.kibibytes(64) });
  expect((capture.collectorConfig.transforms as any).sample).toBeUndefined();
  expect((capture.collectorConfig.sinks as any).capture.inputs).toEqual(['record']);
  expect((capture.collectorConfig.transforms as any).record.source).toContain('if length(body) > 65536 { abort }');
});

test('throws when gRPC capture is asked for', () => {
  expect(() => setup({ protocols: [CaptureProtocol.REST, CaptureProtocol.GRPC] })).toThrow(
    "RequestCapture 'capture': 'protocols' ([\"REST\", \"GRPC\"]) must be ['REST']: KServe's agent proxies HTTP/1.1 REST only, so gRPC calls would pass uncaptured. "
    + 'Fix: capture REST only (protocols: [CaptureProtocol.REST]), and send the calls you need captured over REST');
});

test('throws when the sample rate is 0', () => {
  expect(() => setup({ samplePercent: 0 })).toThrow("RequestCapture 'capture': 'samplePercent' (0) must be more than 0 and at most 100. Fix: use e.g. 10");
});

test('throws when the server serves two models', () => {
  expect(() => setup({}, ['resnet', 'bert'])).toThrow(
    "RequestCapture 'capture': 'target' (\"resnet serving [\\\"resnet\\\",\\\"bert\\\"]\") must serve exactly one model: the agent records bodies, not the URL, "
    + 'so calls to different models could not be told apart. Fix: capture a TfServingModel that serves one model (one server per captured model)');
});

test('throws when the GCS sink is not written with Workload Identity, or is not a gs:// URI', () => {
  expect(() => CaptureSink.gcs('gs://acme-capture', { access: GcsAccess.nodeServiceAccount() })).toThrow(
    "CaptureSink.gcs: 'access' (\"GcsAccess.node\") must be Workload Identity (the collector authenticates through the GKE metadata server). Fix: pass access: workloadIdentity.gcsAccess()");
  expect(() => CaptureSink.gcs('s3://acme', { access: identity })).toThrow(
    "CaptureSink.gcs: 'uri' (\"s3://acme\") must be gs://BUCKET or gs://BUCKET/PREFIX with a Cloud Storage bucket name. Fix: pass 'gs://acme-capture/requests'");
  expect(() => CaptureSink.http('ftp://x')).toThrow("CaptureSink.http: 'url' (\"ftp://x\") must be an http:// or https:// URL. Fix: pass 'http://capture.ml-data.svc.cluster.local:8080/'");
});

test('throws when the sink writes as another Google service account than the server\'s', () => {
  const other = GcsAccess.workloadIdentity('capture@acme-ml.iam.gserviceaccount.com');
  expect(() => setup({ sink: CaptureSink.gcs('gs://acme-capture', { access: other }) })).toThrow(
    "RequestCapture 'capture': 'sink.access' (\"capture@acme-ml.iam.gserviceaccount.com\") must be the Google service account of the server's ServiceAccount "
    + "(tf-serving@acme-ml.iam.gserviceaccount.com): the collector runs in the server's pods. Fix: pass the same Workload Identity as the server's gcsAccess");
});

test('throws when a server is captured twice', () => {
  const { chart, server } = setup();
  expect(() => new RequestCapture(chart, 'again', { target: server, sink: CaptureSink.http('http://collector.ml-data.svc:8080/') })).toThrow(
    "RequestCapture 'again': 'target' (\"resnet\") must not be captured twice (its REST port has one agent in front of it). Fix: declare one RequestCapture per server");
});
