import { Size, Testing } from 'cdk8s';
import {
  CaptureProtocol, CaptureSink, GcsAccess, ModelSource, RequestCapture, RequestCaptureProps, TfServingModel,
} from '../../lib';
import { only, synth } from '../support/synth';

const identity = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');

function setup(props: Partial<RequestCaptureProps> = {}, models = ['resnet']) {
  const chart = Testing.chart();
  const server = new TfServingModel(chart, 'resnet', {
    models: models.map((name) => ({ name, source: ModelSource.gcs(`gs://acme-models/${name}`) })), gcsAccess: identity,
  });
  const capture = new RequestCapture(chart, 'capture', { target: server, sink: CaptureSink.gcs('gs://acme-capture/requests', { access: identity }), ...props });
  return { chart, server, capture };
}

/** Whether a NetworkPolicy's egress rules admit a connection to `ip:port` (or a pod of `namespace` on `port`). */
function egressAdmits(policy: any, dest: { ip?: string; namespace?: string; port: number }): boolean {
  const inCidr = (ip: string, cidr: string) => {
    const [base, bits] = cidr.split('/');
    const n = (a: string) => a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
  };
  return (policy.spec.egress ?? []).some((rule: any) => {
    const portOk = !rule.ports || rule.ports.some((p: any) => p.port === dest.port && (p.protocol ?? 'TCP') === 'TCP');
    const peerOk = !rule.to || rule.to.some((peer: any) => {
      if (peer.ipBlock) return dest.ip !== undefined && inCidr(dest.ip, peer.ipBlock.cidr);
      if (peer.namespaceSelector) return dest.namespace !== undefined && peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === dest.namespace;
      return false;
    });
    return portOk && peerOk;
  });
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

test('the server\'s NetworkPolicy admits the agent port and the collector\'s egress to Cloud Storage and the metadata server', () => {
  const { chart } = setup();
  const policy = only(synth(chart), 'NetworkPolicy');
  expect(policy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8500, 8501, 9081]);
  expect(egressAdmits(policy, { ip: '142.250.1.207', port: 443 })).toBe(true);
  expect(egressAdmits(policy, { ip: '169.254.169.254', port: 80 })).toBe(true);
  expect(egressAdmits(policy, { ip: '169.254.169.252', port: 988 })).toBe(true);
  expect(egressAdmits(policy, { ip: '10.0.0.5', port: 8080 })).toBe(false);
});

test('an in-cluster HTTP sink is admitted in its namespace on its port, and nothing else is opened', () => {
  const { chart } = setup({ sink: CaptureSink.http('http://capture.ml-data.svc.cluster.local:8080/ingest') });
  const objects = synth(chart);
  const policy = only(objects, 'NetworkPolicy');
  expect(egressAdmits(policy, { namespace: 'ml-data', port: 8080 })).toBe(true);
  expect(egressAdmits(policy, { namespace: 'other', port: 8080 })).toBe(false);
  expect(egressAdmits(policy, { ip: '10.0.0.5', port: 8080 })).toBe(false);
  const config = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'resnet-capture').data['vector.json']);
  expect(config.sinks.capture).toMatchObject({ type: 'http', uri: 'http://capture.ml-data.svc.cluster.local:8080/ingest', method: 'post' });
  expect(objects.filter((o) => o.kind === 'IAMPolicyMember')).toEqual([]);
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
