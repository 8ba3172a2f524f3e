import { ApiObject, Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { BatchingConfig, GcsAccess, GrpcTls, ModelSource, Scraper, ServedModelOptions, TfServingModel, TfServingModelProps, VersionPolicy } from '../../lib';
import { IstioCanary, IstioCanaryMode, IstioCanaryProps, MeshCaller, ScraperAccess } from '../../lib/mesh';
import { LoadTest, LoadTestPayload, RequestLogging, TensorDType } from '../../lib/ops';
import { only, synth } from '../support/synth';

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const RESNET: ServedModelOptions = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };
const APPS = [MeshCaller.namespace('apps')];

/** A NetworkPolicy peer for one namespace. */
const nsPeer = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } });
/** The namespaces the tests' callers, gateways and admins run in: the servers' NetworkPolicies admit them. */
const MESH_PEERS = [{ podSelector: {} }, ...['apps', 'web', 'batch', 'istio-system', 'edge', 'ml-admin', 'ci'].map(nsPeer)];

function server(chart: Chart, id: string, props: Partial<TfServingModelProps> = {}): TfServingModel {
  return new TfServingModel(chart, id, { models: [RESNET], gcsAccess: WI, networkPolicy: { allowFrom: MESH_PEERS }, ...props });
}

/** Two servers (resnet-v1, resnet-v2) in namespace `ml` and a static IstioCanary `resnet` over them. */
function setup(
  props: Partial<IstioCanaryProps> = {},
  serverProps: Partial<TfServingModelProps> = {},
  canaryServerProps: Partial<TfServingModelProps> = serverProps,
) {
  const app = Testing.app();
  const chart = new Chart(app, 'serving', { namespace: 'ml' });
  const stable = server(chart, 'resnet-v1', serverProps);
  const canary = server(chart, 'resnet-v2', canaryServerProps);
  const rollout = new IstioCanary(chart, 'resnet', { stable, canary, allowFrom: APPS, ...props });
  return { app, chart, stable, canary, rollout };
}

function build(props: Partial<IstioCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = {}) {
  const s = setup(props, serverProps);
  return { ...s, objects: synth(s.chart) };
}

/** A function that builds the canary, for `toThrow`. */
function attempt(
  props: Partial<IstioCanaryProps> = {},
  serverProps: Partial<TfServingModelProps> = {},
  canaryServerProps: Partial<TfServingModelProps> = serverProps,
) {
  return () => setup(props, serverProps, canaryServerProps);
}

/** Objects the IstioCanary writes (they carry its label). */
const ownObjects = (objects: any[]) => objects.filter((o) => o.metadata.labels?.[IstioCanary.CANARY_LABEL] !== undefined);
const vs = (objects: any[], name = 'resnet') => only(objects, 'VirtualService', name).spec;
const route = (objects: any[], name: string, vsName = 'resnet') => vs(objects, vsName).http.find((r: any) => r.name === name);
const podLabels = (objects: any[], name: string) => only(objects, 'Deployment', name).spec.template.metadata.labels;
/** The prediction surface every admitted caller gets (TF Serving's prediction_service.proto, GetModelStatus, REST /v1/models/). */
const PREDICTION = [
  {
    operation: {
      ports: ['8500'],
      paths: [
        '/tensorflow.serving.PredictionService/Classify', '/tensorflow.serving.PredictionService/Regress', '/tensorflow.serving.PredictionService/Predict',
        '/tensorflow.serving.PredictionService/MultiInference', '/tensorflow.serving.PredictionService/GetModelMetadata',
        '/tensorflow.serving.ModelService/GetModelStatus',
      ],
    },
  },
  { operation: { ports: ['8501'], methods: ['GET', 'POST'], paths: ['/v1/models/*'] } },
];
const GRPC_PREDICTION_REGEX = '/tensorflow\\.serving\\.(PredictionService/(Classify|Regress|Predict|MultiInference|GetModelMetadata)|ModelService/GetModelStatus)';
/** An RE2 regex whose `(?i:…)` groups hold literal text, as JS regex source (JS has no inline flags). */
const re2ToJs = (regex: string) =>
  regex.replace(/\(\?i:([^()]*)\)/g, (_m: string, body: string) => `(?:${body.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`);
const batching = (ms: number) => new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(ms) });

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN two servers of the same model and an IstioCanary with only the callers set
    const { objects } = build();
    // THEN the objects it writes are as documented
    expect(ownObjects(objects)).toMatchSnapshot();
  });

  test('static mode writes a Service, DestinationRule, VirtualService, PeerAuthentication, AuthorizationPolicy and a sidecar NetworkPolicy per server', () => {
    const { objects, rollout } = build();
    expect(rollout.mode).toBe(IstioCanaryMode.STATIC);
    expect(ownObjects(objects).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/resnet', 'AuthorizationPolicy/resnet-deny-reload', 'DestinationRule/resnet',
      'PeerAuthentication/resnet', 'Service/resnet', 'VirtualService/resnet',
    ]);
    // The sidecar NetworkPolicies belong to the servers (one per server, whoever asks), not to the canary.
    expect(rollout.sidecarNetworkPolicies.map((p) => p.node.path)).toEqual(['serving/resnet-v1/IstioSidecarNetworkPolicy/Resource', 'serving/resnet-v2/IstioSidecarNetworkPolicy/Resource']);
    expect(ownObjects(objects).every((o) => o.metadata.namespace === 'ml')).toBe(true);
  });

  test('all traffic to stable by default; the canary gets only pinned requests', () => {
    const { objects, rollout } = build();
    expect(rollout.weights).toEqual({ stable: 100, canary: 0 });
    expect(route(objects, 'grpc').route).toEqual([{ destination: { host: 'resnet', subset: 'stable', port: { number: 8500 } } }]);
    expect(route(objects, 'rest').route).toEqual([{ destination: { host: 'resnet', subset: 'stable', port: { number: 8501 } } }]);
    expect(route(objects, 'grpc').mirrors).toBeUndefined();
  });

  test('the VirtualService is the default child', () => {
    const { rollout } = setup();
    expect(ApiObject.of(rollout)).toBe(rollout.virtualService);
    expect(ApiObject.of(rollout).kind).toBe('VirtualService');
  });

  test('grpcAddress and restUrl name the shared host', () => {
    const { rollout } = setup();
    expect(rollout.grpcAddress).toBe('resnet:8500');
    expect(rollout.restUrl).toBe('http://resnet:8501');
  });
});

describe('as a serving endpoint', () => {
  test('IServingEndpoint: the shared host, the servers\' ports and models, the strictest batching', () => {
    const small = new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.millis(1) });
    const { rollout } = setup({}, { batching: batching(2) }, { batching: small });
    expect([rollout.serviceName, rollout.serviceNamespace, rollout.grpcPort, rollout.restPort, rollout.modelNames]).toEqual(['resnet', 'ml', 8500, 8501, ['resnet']]);
    expect(rollout.batching).toBe(small);
    expect(rollout.selectorLabels).toEqual({ 'tfserving-constructs.io/canary': 'resnet' });
  });

  test('a LoadTest can target the canary host: it runs with a native Istio sidecar, as an admitted identity', () => {
    const { chart, rollout } = setup({ allowFrom: [MeshCaller.namespace('apps'), MeshCaller.namespace('ml')] });
    const payload = LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] });
    const lt = new LoadTest(chart, 'load', { target: rollout, payload });
    expect(lt.name).toBe('load');
    const objects = synth(chart);
    expect(JSON.stringify(objects.filter((o) => o.metadata.name.startsWith('load')))).toContain('resnet.ml.svc:8500');
    // Injection is a label (Istio's webhook objectSelector; the annotation is deprecated, IST0135); nativeSidecar is an annotation.
    expect(only(objects, 'Job', 'load').spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    expect(only(objects, 'Job', 'load').spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/nativeSidecar': 'true' });
    // Its NetworkPolicy lets the sidecar reach istiod, and the mesh's Prometheus reach the sidecar's metrics.
    expect(only(objects, 'NetworkPolicy', 'load').spec.ingress).toEqual([{ ports: [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }] }]);
    expect(only(objects, 'NetworkPolicy', 'load').spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }], ports: [{ port: 15012, protocol: 'TCP' }],
    });
    expect(rollout.mesh.callers).toEqual(['ns/apps', 'ns/ml']);
  });

  test('a LoadTest in a namespace a server\'s NetworkPolicy drops is refused with that server\'s reason', () => {
    // GIVEN a canary whose servers admit only their own namespace and an ipBlock, and a LoadTest in namespace 'perf'
    const { app, rollout } = setup({ allowFrom: [MeshCaller.namespace('ml')] }, { networkPolicy: { allowFrom: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }] } });
    expect(rollout.networkRefusal('ml')).toBeUndefined();
    const perf = new Chart(app, 'perf', { namespace: 'perf' });
    new LoadTest(perf, 'load', { target: rollout, payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }) });
    // THEN (next to the mesh's own refusal of identity perf/default) the network refusal names the first server that
    // drops it and why the ipBlock did not count
    expect(() => synth(perf)).toThrow(
      "LoadTest 'load': 'target' (resnet) must admit the load test's namespace 'perf' through the NetworkPolicy of its servers (the NetworkPolicy of "
      + "TfServingModel 'resnet-v1' does not admit namespace 'perf' to ports 8500/8501; ipBlock peers do not count for pod traffic: Kubernetes means them "
      + 'for cluster-external addresses, and GKE Dataplane V2 (Cilium) never matches pod addresses against them): the packets are dropped '
      + "before any mesh rule is read. Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'perf' } } } to networkPolicy.allowFrom "
      + "of the target's servers, or create the LoadTest in namespace 'ml'");
  });

  test('a LoadTest whose identity the canary does not admit is refused at synth', () => {
    const { chart, rollout } = setup();
    new LoadTest(chart, 'load', { target: rollout, payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }) });
    expect(() => synth(chart)).toThrow(
      "LoadTest 'load': 'target' (resnet) must admit the load test's identity ml/default (it admits ns/apps). "
      + "Fix: put the LoadTest in a chart whose namespace the target's allowFrom lists, or add MeshCaller.namespace('ml') to allowFrom");
  });
});

describe('NetworkPolicies agree with the traffic the mesh admits', () => {
  const refusal = (prop: string, caller: string, ns: string, ports: string) =>
    `IstioCanary 'resnet': '${prop}' ("${caller}") must be admitted by the NetworkPolicy of TfServingModel 'resnet-v1' too (it does not admit namespace '${ns}' `
    + `to ${ports}): the mesh would admit the caller and the network drop its packets. `
    + `Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': '${ns}' } } } to networkPolicy.allowFrom of TfServingModel 'resnet-v1'`;

  test('a caller the servers\' NetworkPolicy drops (by default only the server\'s own namespace gets through)', () => {
    expect(attempt({}, { networkPolicy: undefined })).toThrow(refusal('allowFrom', 'ns/apps', 'apps', 'ports 8500/8501'));
    expect(attempt({ allowFrom: [MeshCaller.namespace('ml')] }, { networkPolicy: undefined })).not.toThrow();
  });

  test('the ingress gateway, an admin and a mesh scraper must get through too', () => {
    const own = { networkPolicy: { allowFrom: [{ podSelector: {} }, nsPeer('apps')] } };
    expect(attempt({ gateway: { hosts: ['resnet.example.com'], tlsSecretName: 'tls' } }, own))
      .toThrow(refusal('gateway', 'ns/istio-system/sa/istio-ingressgateway-service-account', 'istio-system', 'ports 8500/8501'));
    expect(attempt({ adminCallers: [MeshCaller.namespace('ops')] }, own)).toThrow(refusal('adminCallers', 'ns/ops', 'ops', 'port 8500'));
    // The server admits its scraper's namespace ('monitoring' by default) on the REST port: a mesh scraper elsewhere is refused.
    expect(attempt({ scraper: ScraperAccess.mesh(MeshCaller.namespace('prom')) }, own)).toThrow(refusal('scraper', 'ns/prom', 'prom', 'port 8501'));
    expect(attempt({ scraper: ScraperAccess.mesh(MeshCaller.namespace('monitoring')) }, own)).not.toThrow();
  });

  test('peers we cannot evaluate (other namespace labels) and servers without a NetworkPolicy are not refused', () => {
    expect(attempt({}, { networkPolicy: { allowFrom: [{ namespaceSelector: { matchLabels: { team: 'apps' } } }] } })).not.toThrow();
    expect(attempt({}, { networkPolicy: { allowFrom: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['ml'] }] } }] } })).not.toThrow();
    expect(attempt({}, { networkPolicy: { enabled: false } })).not.toThrow();
  });

  test('matchExpressions on the namespace name are evaluated: a caller they exclude is refused', () => {
    const nameIs = (operator: string, values?: string[]) => ({ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator, values }] } });
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('In', ['web', 'batch'])] } })).toThrow(refusal('allowFrom', 'ns/apps', 'apps', 'ports 8500/8501'));
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('NotIn', ['apps'])] } })).toThrow(refusal('allowFrom', 'ns/apps', 'apps', 'ports 8500/8501'));
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('DoesNotExist')] } })).toThrow(refusal('allowFrom', 'ns/apps', 'apps', 'ports 8500/8501'));
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('In', ['apps', 'web'])] } })).not.toThrow();
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('NotIn', ['kube-system'])] } })).not.toThrow();
    expect(attempt({}, { networkPolicy: { allowFrom: [nameIs('Exists')] } })).not.toThrow();
  });

  test('ipBlock peers do not count for pod traffic: a caller admitted only by an ipBlock is refused, and the message says why', () => {
    const ipOnly = { networkPolicy: { allowFrom: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }] } };
    expect(attempt({}, ipOnly)).toThrow(
      "IstioCanary 'resnet': 'allowFrom' (\"ns/apps\") must be admitted by the NetworkPolicy of TfServingModel 'resnet-v1' too (it does not admit namespace "
      + "'apps' to ports 8500/8501; ipBlock peers do not count for pod traffic: Kubernetes means them for cluster-external addresses, and GKE Dataplane V2 "
      + '(Cilium) never matches pod addresses against them): the mesh would admit the caller and the network drop its packets. '
      + "Fix: add { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } } to networkPolicy.allowFrom of TfServingModel 'resnet-v1'");
    // Mixed with a peer that admits the caller, the ipBlock (for clients outside the cluster) is fine
    expect(attempt({}, { networkPolicy: { allowFrom: [{ ipBlock: { cidr: '203.0.113.0/24' } }, nsPeer('apps'), { podSelector: {} }] } })).not.toThrow();
  });
});

describe('metrics scraping under STRICT mTLS', () => {
  /**
   * Whether the NetworkPolicies selecting `name`'s pods (their ingress rules are unioned) admit a pod of namespace
   * `from` to pod port `port`. Peers are read as the API defines them: a bare podSelector is the policy's own
   * namespace, a namespaceSelector matches by the name label, an ipBlock admits no pod.
   */
  function networkAdmits(objects: any[], name: string, from: string, port: number): boolean {
    const labels = podLabels(objects, name);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy'
      && Object.entries(o.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && o.spec.policyTypes.includes('Ingress'));
    if (policies.length === 0) return true;
    const peerAdmits = (peer: any, policyNamespace: string) => {
      if (peer.ipBlock) return false;
      if (!peer.namespaceSelector) return from === policyNamespace;
      const wanted = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
      return wanted === undefined || wanted === from;
    };
    return policies.some((p) => (p.spec.ingress ?? []).some((rule: any) =>
      (!rule.ports || rule.ports.some((rp: any) => rp.port === port))
      && (!rule.from || rule.from.some((peer: any) => peerAdmits(peer, p.metadata.namespace)))));
  }

  /**
   * Where each scrape target of `server` ends and whether it gets through, read from the synthesized objects alone:
   * the Service or container port a scrape object names, moved by an `__address__` relabeling; the scheme; the
   * PeerAuthentication's mode at that port (the agent's status port 15020 is outside the traffic capture, Istio's
   * injector excludes it, so plaintext reaches it; other ports need https under STRICT); and the NetworkPolicies,
   * which must admit the scraper's namespace (`monitoring` for a ServiceMonitor, `gmp-system` for a PodMonitoring)
   * to that port.
   */
  function scrapes(objects: any[], name: string) {
    const pa = only(objects, 'PeerAuthentication').spec;
    const modeAt = (port: number) => pa.portLevelMtls?.[String(port)]?.mode ?? pa.mtls.mode;
    const containerPort = (portName: string) =>
      only(objects, 'Deployment', name).spec.template.spec.containers[0].ports.find((p: any) => p.name === portName).containerPort;
    return objects.filter((o) => ['ServiceMonitor', 'PodMonitoring'].includes(o.kind) && o.metadata.name === name).map((o) => {
      const ep = o.spec.endpoints[0];
      let port: number = typeof ep.port === 'number' ? ep.port : containerPort(ep.port);
      if (o.kind === 'ServiceMonitor') {
        port = only(objects, 'Service', name).spec.ports.find((p: any) => p.name === ep.port).targetPort;
        const move = (ep.relabelings ?? []).find((r: any) => r.targetLabel === '__address__');
        if (move) port = Number(`10.0.0.7:${port}`.replace(new RegExp(`^(?:${move.regex})$`), move.replacement).split(':').pop());
      }
      const scheme = ep.scheme ?? 'http';
      const withCerts = scheme === 'https' && ep.tlsConfig?.certFile !== undefined;
      const meshAdmits = port === 15020 ? scheme === 'http' : modeAt(port) === 'PERMISSIVE' || (modeAt(port) === 'STRICT' && withCerts);
      const admitted = meshAdmits && networkAdmits(objects, name, o.kind === 'ServiceMonitor' ? 'monitoring' : 'gmp-system', port);
      return { kind: o.kind, port, path: ep.path, scheme, admitted };
    });
  }
  const annotations = (objects: any[], name: string) => only(objects, 'Deployment', name).spec.template.metadata.annotations;

  test('by default a scrape object reads Istio\'s merged metrics on the agent port 15020, and every server port stays STRICT', () => {
    // GIVEN servers with a ServiceMonitor (Prometheus without a mesh identity) under an IstioCanary
    const { objects } = build({}, { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    // THEN the scrape ends on 15020 /stats/prometheus in plaintext, which the sidecar lets through
    for (const name of ['resnet-v1', 'resnet-v2']) {
      expect(scrapes(objects, name)).toEqual([{ kind: 'ServiceMonitor', port: 15020, path: '/stats/prometheus', scheme: 'http', admitted: true }]);
      // AND the agent is told where TF Serving's metrics are (the injector moves these into ISTIO_PROMETHEUS_ANNOTATIONS)
      expect(annotations(objects, name)).toMatchObject({
        'prometheus.io/scrape': 'true', 'prometheus.io/port': '8501', 'prometheus.io/path': '/monitoring/prometheus/metrics', 'prometheus.istio.io/merge-metrics': 'true',
      });
      // AND the sidecar NetworkPolicy admits any scraper on 15020
      expect(only(objects, 'NetworkPolicy', `${name}-istio-proxy`).spec.ingress).toEqual([{ ports: [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }] }]);
      // AND the server's own policy admits the scraper's namespace where the scrape goes (15020), no longer to the REST port
      expect(only(objects, 'NetworkPolicy', name).spec.ingress).toEqual([
        { ports: [{ port: 8500, protocol: 'TCP' }, { port: 8501, protocol: 'TCP' }], from: MESH_PEERS },
        { ports: [{ port: 15020, protocol: 'TCP' }], from: [nsPeer('monitoring')] },
      ]);
      expect(networkAdmits(objects, name, 'monitoring', 8501)).toBe(false);
    }
    expect(only(objects, 'PeerAuthentication').spec).toEqual({ selector: { matchLabels: { 'tfserving-constructs.io/canary': 'resnet' } }, mtls: { mode: 'STRICT' } });
    // AND no AuthorizationPolicy rule admits a scraper on the REST port
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules).toEqual([{ from: [{ source: { namespaces: ['apps'] } }], to: PREDICTION }]);
  });

  test('a PodMonitoring (Managed Prometheus) scrapes the agent port by number, which needs no declared container port', () => {
    const { objects } = build({}, { monitoring: { scraper: Scraper.POD_MONITORING } });
    expect(scrapes(objects, 'resnet-v1')).toEqual([{ kind: 'PodMonitoring', port: 15020, path: '/stats/prometheus', scheme: 'http', admitted: true }]);
    expect(only(objects, 'PodMonitoring', 'resnet-v1').spec.endpoints[0]).toEqual({ port: 15020, path: '/stats/prometheus', interval: '30s' });
    expect(only(objects, 'PeerAuthentication').spec.portLevelMtls).toBeUndefined();
  });

  test.each([
    ['metricsMerging', ScraperAccess.metricsMerging(), 'SERVICE_MONITOR', { port: 15020, scheme: 'http' }],
    ['metricsMerging', ScraperAccess.metricsMerging(), 'POD_MONITORING', { port: 15020, scheme: 'http' }],
    ['plaintext', ScraperAccess.plaintext(), 'SERVICE_MONITOR', { port: 8501, scheme: 'http' }],
    ['plaintext', ScraperAccess.plaintext(), 'POD_MONITORING', { port: 8501, scheme: 'http' }],
    ['mesh', ScraperAccess.mesh(MeshCaller.namespace('monitoring')), 'SERVICE_MONITOR', { port: 8501, scheme: 'https' }],
  ] as const)('ScraperAccess.%s with Scraper.%s: the scraped port and scheme agree with the PeerAuthentication', (_name, scraper, kind, expected) => {
    const { objects } = build({ scraper }, { monitoring: { scraper: Scraper[kind] } });
    const [scrape] = scrapes(objects, 'resnet-v1');
    expect(scrape).toMatchObject({ ...expected, admitted: true });
    // AND the scraper's namespace reaches the REST port only when the scrape goes there (not under metrics merging)
    expect(networkAdmits(objects, 'resnet-v1', kind === 'SERVICE_MONITOR' ? 'monitoring' : 'gmp-system', 8501)).toBe(expected.port === 8501);
  });

  test('ScraperAccess.mesh: https with Istio\'s certificates on the REST port, admitted by identity', () => {
    const { objects } = build({ scraper: ScraperAccess.meshWithCertificates('/etc/istio-output-certs', MeshCaller.namespace('monitoring')) },
      { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    expect(only(objects, 'ServiceMonitor', 'resnet-v1').spec.endpoints[0]).toEqual({
      port: 'http', path: '/monitoring/prometheus/metrics', interval: '30s', scheme: 'https',
      tlsConfig: {
        caFile: '/etc/istio-output-certs/root-cert.pem', certFile: '/etc/istio-output-certs/cert-chain.pem', keyFile: '/etc/istio-output-certs/key.pem',
        insecureSkipVerify: true,
      },
    });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[1]).toEqual({
      from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['8501'], methods: ['GET'], paths: ['/monitoring/prometheus/metrics'] } }],
    });
    expect(annotations(objects, 'resnet-v1')['prometheus.io/port']).toBeUndefined();
  });

  test('Flagger mode too: the target\'s scrape object reads the merged metrics (Flagger copies the pod annotations to the primary)', () => {
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'resnet-server', { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    new IstioCanary(chart, 'resnet', { stable, flagger: {}, allowFrom: APPS });
    const objects = synth(chart);
    expect(scrapes(objects, 'resnet-server')).toEqual([{ kind: 'ServiceMonitor', port: 15020, path: '/stats/prometheus', scheme: 'http', admitted: true }]);
    expect(annotations(objects, 'resnet-server')['prometheus.io/port']).toBe('8501');
  });

  test('the check itself: a plaintext scrape of 8501 under STRICT is not admitted (what TfServingModel alone writes)', () => {
    // GIVEN the canary's objects with the server's ServiceMonitor as TfServingModel writes it without a mesh
    const { objects } = build({}, { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    const chart = new Chart(Testing.app(), 'plain', { namespace: 'ml' });
    server(chart, 'resnet-v1', { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    const plain = only(synth(chart), 'ServiceMonitor', 'resnet-v1');
    const swapped = objects.map((o) => (o.kind === 'ServiceMonitor' && o.metadata.name === 'resnet-v1' ? plain : o));
    // THEN it would scrape nothing: the IstioCanary never leaves it so
    expect(scrapes(swapped, 'resnet-v1')).toEqual([{ kind: 'ServiceMonitor', port: 8501, path: '/monitoring/prometheus/metrics', scheme: 'http', admitted: false }]);
  });

  test('the check itself: a scrape the NetworkPolicies do not admit on its port is not admitted, whatever the mesh says', () => {
    // GIVEN the merged-metrics objects with every NetworkPolicy rule on 15020 removed
    const { objects } = build({}, { monitoring: { scraper: Scraper.SERVICE_MONITOR } });
    const closed = objects.map((o) => (o.kind !== 'NetworkPolicy' ? o : {
      ...o, spec: { ...o.spec, ingress: o.spec.ingress.filter((r: any) => !r.ports.some((p: any) => p.port === 15020)) },
    }));
    // THEN the scrape on 15020 is dropped before the agent sees it
    expect(scrapes(closed, 'resnet-v1')).toEqual([{ kind: 'ServiceMonitor', port: 15020, path: '/stats/prometheus', scheme: 'http', admitted: false }]);
  });

  test('refuses a scrape object no scraper access can serve', () => {
    expect(attempt({ scraper: ScraperAccess.none() }, { monitoring: { scraper: Scraper.SERVICE_MONITOR } })).toThrow(
      "IstioCanary 'resnet': 'scraper' (\"ScraperAccess.none()\") must admit the ServiceMonitor of TfServingModel 'resnet-v1': under STRICT mTLS a scrape "
      + 'without an admitted path reads nothing. Fix: leave scraper out (metrics merging on port 15020), or set monitoring.scraper: Scraper.NONE on the server');
    expect(attempt({ scraper: ScraperAccess.mesh(MeshCaller.namespace('monitoring')) }, { monitoring: { scraper: Scraper.POD_MONITORING } })).toThrow(
      "IstioCanary 'resnet': 'scraper' (\"ScraperAccess.mesh(ns/monitoring)\") must be usable by the PodMonitoring of TfServingModel 'resnet-v1': "
      + 'Managed Prometheus collectors hold no Istio certificates, so they cannot scrape over mTLS. Fix: use ScraperAccess.metricsMerging() (the default with a scrape object)');
    expect(() => ScraperAccess.meshWithCertificates('etc/certs/', MeshCaller.namespace('monitoring'))).toThrow(
      "ScraperAccess: 'directory' (\"etc/certs/\") must be an absolute path without a trailing '/'. Fix: use '/etc/prom-certs'");
    expect(() => ScraperAccess.mesh()).toThrow("ScraperAccess: 'callers' ([]) must name at least one caller. Fix: pass MeshCaller.namespace('monitoring')");
  });
});

describe('Flagger hand-off rules', () => {
  const chartWith = () => new Chart(Testing.app(), 'serving', { namespace: 'ml' });

  test('calls to the target\'s own Service go to Flagger\'s primary only: it is no bypass of the weights', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server');
    new IstioCanary(chart, 'resnet', { stable, flagger: {}, allowFrom: APPS });
    expect(only(synth(chart), 'VirtualService', 'resnet-target').spec).toEqual({
      hosts: ['resnet-server'],
      http: [
        { name: 'grpc', match: [{ port: 8500 }], route: [{ destination: { host: 'resnet-primary', port: { number: 8500 } } }] },
        { name: 'rest', match: [{ port: 8501 }], route: [{ destination: { host: 'resnet-primary', port: { number: 8501 } } }] },
      ],
    });
  });

  test('Flagger owns the target\'s scale: no replicas in the Deployment', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server', { replicas: 3 });
    new IstioCanary(chart, 'resnet', { stable, flagger: {}, allowFrom: APPS });
    expect(only(synth(chart), 'Deployment').spec.replicas).toBeUndefined();
  });

  test('a progress deadline shorter than the servers\' startup budget is refused', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server');
    expect(() => new IstioCanary(chart, 'resnet', { stable, flagger: { progressDeadline: Duration.minutes(5) }, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'flagger.progressDeadline' (\"300s\") must be at least the progress deadline of TfServingModel 'resnet-server' (900s: its startup timeout "
      + 'plus node and image time): Flagger would roll back a canary that is still loading its models. '
      + "Fix: set flagger.progressDeadline: Duration.seconds(900) or more, or lower the server's probes.startupTimeout");
  });

  test('labelRouting with one label for both versions is refused', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server');
    expect(() => new IstioCanary(chart, 'resnet', { stable, labelRouting: { stableLabel: 'prod', canaryLabel: 'prod' }, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'labelRouting' (\"stableLabel = canaryLabel = 'prod'\") must name two different version labels: with one label both routes reach "
      + "the same version, and the canary is never served. Fix: set stableLabel and canaryLabel to the labels of the two versions, e.g. 'stable' and 'canary'");
  });

  test('load tester webhooks: the canary\'s model must be AVAILABLE before the rollout, and predict load during it', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server', { networkPolicy: { allowFrom: [...MESH_PEERS, nsPeer('test')] } });
    const loadTester = { url: 'http://flagger-loadtester.test/', requestBody: '{"instances": ["it\'s"]}' };
    new IstioCanary(chart, 'resnet', { stable, flagger: { loadTester }, allowFrom: [...APPS, MeshCaller.namespace('test')] });
    expect(only(synth(chart), 'Canary').spec.analysis.webhooks).toEqual([
      {
        name: 'model-available', type: 'pre-rollout', url: 'http://flagger-loadtester.test/', timeout: '30s',
        metadata: { type: 'bash', cmd: 'curl -sf http://resnet-canary.ml:8501/v1/models/resnet | grep -q AVAILABLE' },
      },
      {
        name: 'predict-load', type: 'rollout', url: 'http://flagger-loadtester.test/', timeout: '15s',
        metadata: { cmd: "hey -z 1m -q 10 -c 2 -m POST -T application/json -d '{\"instances\": [\"it'\\''s\"]}' http://resnet-canary.ml:8501/v1/models/resnet:predict" },
      },
    ]);
  });

  test('a gRPC-only canary gets gRPC load: ghz sends Predict to the canary Service\'s gRPC port with the given proto', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server', { networkPolicy: { allowFrom: [...MESH_PEERS, nsPeer('test')] } });
    const requestJson = '{"model_spec": {"name": "resnet"}, "inputs": {"x": {"dtype": 1, "float_val": [1]}}}';
    const loadTester = { url: 'http://flagger-loadtester.test/', grpcRequest: { requestJson, protoPath: '/protos/predict.proto' }, requestsPerSecond: 5 };
    new IstioCanary(chart, 'resnet', { stable, flagger: { loadTester }, allowFrom: [...APPS, MeshCaller.namespace('test')] });
    const hooks = only(synth(chart), 'Canary').spec.analysis.webhooks;
    // THEN the model check, and no REST load (no requestBody), but a gRPC load on 8500
    expect(hooks.map((h: any) => h.name)).toEqual(['model-available', 'predict-load-grpc']);
    expect(hooks[1]).toEqual({
      name: 'predict-load-grpc', type: 'rollout', url: 'http://flagger-loadtester.test/', timeout: '15s',
      metadata: {
        cmd: 'ghz -z 1m --rps 5 -c 2 --insecure --proto /protos/predict.proto --call tensorflow.serving.PredictionService/Predict '
          + `-d '${requestJson}' resnet-canary.ml:8500`,
      },
    });
    // AND the method it calls is one the AuthorizationPolicy admits for allowFrom callers
    expect(PREDICTION[0].operation.paths).toContain('/tensorflow.serving.PredictionService/Predict');
  });

  test('gRPC load rules (exact messages)', () => {
    const make = (grpcRequest: { requestJson: string; protoPath: string }, requestsPerSecond?: number) => () => {
      const chart = chartWith();
      const stable = server(chart, 'resnet-server', { networkPolicy: { allowFrom: [...MESH_PEERS, nsPeer('test')] } });
      new IstioCanary(chart, 'resnet', {
        stable, flagger: { loadTester: { url: 'http://flagger-loadtester.test/', grpcRequest, requestsPerSecond } }, allowFrom: [...APPS, MeshCaller.namespace('test')],
      });
      return synth(chart);
    };
    const proto = '/protos/predict.proto';
    expect(make({ requestJson: '{"inputs": {}}', protoPath: proto })).toThrow(
      "IstioCanary 'resnet': 'flagger.loadTester.grpcRequest.requestJson' (\"{\\\"inputs\\\": {}}\") must be a PredictRequest in protobuf JSON that names its model "
      + '(model_spec.name). Fix: use e.g. \'{"model_spec": {"name": "resnet"}, "inputs": {…}}\'');
    expect(make({ requestJson: 'not json', protoPath: proto })).toThrow("'flagger.loadTester.grpcRequest.requestJson' (\"not json\") must be a PredictRequest");
    expect(make({ requestJson: '{"modelSpec": {"name": "resnet"}}', protoPath: 'predict.proto' })).toThrow(
      "IstioCanary 'resnet': 'flagger.loadTester.grpcRequest.protoPath' (\"predict.proto\") must be an absolute path to a .proto file in the load tester container "
      + "(no spaces). Fix: mount a ConfigMap with predict.proto into the load tester and use e.g. '/protos/predict.proto'");
    expect(make({ requestJson: '{"model_spec": {"name": "bert"}}', protoPath: proto })).toThrow(
      "IstioCanary 'resnet': 'flagger.loadTester.grpcRequest.requestJson' (\"model_spec.name 'bert'\") must name a model of TfServingModel 'resnet-server' "
      + '(["resnet"]): TF Serving answers NOT_FOUND, and the load would only count as errors. Fix: set model_spec.name to one of ["resnet"]');
    expect(make({ requestJson: '{"modelSpec": {"name": "resnet"}}', protoPath: proto }, 0)).toThrow(
      "IstioCanary 'resnet': 'flagger.loadTester.requestsPerSecond' (0) must be an integer of at least 1. Fix: use 10");
    expect(make({ requestJson: '{"modelSpec": {"name": "resnet"}}', protoPath: proto })).not.toThrow();
  });

  test('a load tester the AuthorizationPolicy would refuse is refused', () => {
    const chart = chartWith();
    const stable = server(chart, 'resnet-server');
    expect(() => new IstioCanary(chart, 'resnet', { stable, flagger: { loadTester: { url: 'http://flagger-loadtester.test/' } }, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'flagger.loadTester' (\"http://flagger-loadtester.test/\") must run in a namespace allowFrom admits ('test' is not): its checks "
      + "and load would be refused by the AuthorizationPolicy. Fix: add MeshCaller.namespace('test') to allowFrom");
  });
});

describe('durations handed to Istio and Flagger are whole milliseconds', () => {
  test('a 500 µs batching timeout: every Istio duration and the Flagger latency limit round up to the next millisecond', () => {
    const { objects } = build({ outlierDetection: { interval: Duration.millis(2500.25) } }, { batching: batching(0.5) });
    expect(route(objects, 'grpc').retries.perTryTimeout).toBe('10.001s');
    expect(route(objects, 'grpc').timeout).toBe('30.002s');
    expect(only(objects, 'DestinationRule').spec.subsets[1].trafficPolicy.outlierDetection.interval).toBe('2.501s');
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'resnet-server', { batching: batching(0.5) });
    new IstioCanary(chart, 'resnet', { stable, flagger: {}, allowFrom: APPS });
    const canary = only(synth(chart), 'Canary').spec;
    expect(canary.service.retries.perTryTimeout).toBe('10.001s');
    expect(canary.analysis.metrics[1].thresholdRange.max).toBe(501);
  });
});

describe('sidecars of the servers', () => {
  const podMeta = (objects: any[], name: string) => only(objects, 'Deployment', name).spec.template.metadata;

  test('every server pod carries the injection label: without a sidecar the mesh policies enforce nothing', () => {
    const { objects } = build();
    for (const name of ['resnet-v1', 'resnet-v2']) expect(podMeta(objects, name).labels['sidecar.istio.io/inject']).toBe('true');
    expect(podMeta(objects, 'resnet-v1').annotations['sidecar.istio.io/inject']).toBeUndefined();
  });

  test('proxy requests = limits (Guaranteed QoS) and the server waits for the proxy, merged into the drain setting', () => {
    const { objects } = build();
    const a = podMeta(objects, 'resnet-v1').annotations;
    expect(a).toMatchObject({
      'sidecar.istio.io/proxyCPU': '500m', 'sidecar.istio.io/proxyCPULimit': '500m',
      'sidecar.istio.io/proxyMemory': '512Mi', 'sidecar.istio.io/proxyMemoryLimit': '512Mi',
    });
    expect(JSON.parse(a['proxy.istio.io/config'])).toEqual({ terminationDrainDuration: '45s', holdApplicationUntilProxyStarts: true });
  });

  test('proxy options: other sizes, or the mesh defaults and no hold', () => {
    const sized = podMeta(build({ proxy: { cpu: Cpu.units(1), memory: Size.gibibytes(1) } }).objects, 'resnet-v2').annotations;
    expect([sized['sidecar.istio.io/proxyCPU'], sized['sidecar.istio.io/proxyMemoryLimit']]).toEqual(['1', '1024Mi']);
    const off = podMeta(build({ proxy: { guaranteedQos: false, holdApplicationUntilProxyStarts: false } }).objects, 'resnet-v1').annotations;
    expect(Object.keys(off).filter((k) => k.startsWith('sidecar.istio.io/'))).toEqual([]);
    expect(JSON.parse(off['proxy.istio.io/config'])).toEqual({ terminationDrainDuration: '45s' });
  });

  test('application ports in the sidecar\'s range 15000–15090 are refused', () => {
    expect(attempt({}, { grpcPort: 15001 })).toThrow(
      "IstioCanary 'resnet': 'stable' (\"TfServingModel 'resnet-v1' grpcPort 15001\") must not use a port in 15000–15090: the Istio sidecar owns that range "
      + '(15001 outbound, 15006 inbound, 15020/15021 agent, 15090 Envoy metrics …) and does not intercept traffic to it. '
      + 'Fix: use the default ports 8500/8501, or any port outside 15000–15090');
  });
});

describe('side effects on the servers', () => {
  test('both pod templates get the canary label, and version stable / canary; the Deployment selectors stay as they were', () => {
    const { objects } = build();
    expect(podLabels(objects, 'resnet-v1')).toMatchObject({ 'tfserving-constructs.io/canary': 'resnet', 'version': 'stable' });
    expect(podLabels(objects, 'resnet-v2')).toMatchObject({ 'tfserving-constructs.io/canary': 'resnet', 'version': 'canary' });
    expect(only(objects, 'Deployment', 'resnet-v1').spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'resnet-v1', 'app.kubernetes.io/name': 'tensorflow-serving' },
    });
  });

  test('a server with a NetworkPolicy gets one more: its sidecar reaches istiod on 15012, probes and mesh metrics reach 15020/15090', () => {
    const { objects } = build({ istioNamespace: 'istio-control' });
    expect(only(objects, 'NetworkPolicy', 'resnet-v1-istio-proxy').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'resnet-v1', 'app.kubernetes.io/name': 'tensorflow-serving' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }] }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-control' } } }], ports: [{ port: 15012, protocol: 'TCP' }] }],
    });
  });

  test('no sidecar NetworkPolicy for a server without NetworkPolicy', () => {
    const { objects, rollout } = build({}, { networkPolicy: { enabled: false } });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(rollout.sidecarNetworkPolicies).toEqual([]);
  });
});

describe('Service and DestinationRule', () => {
  test('the Service spans both versions: it selects the canary label, gRPC and REST ports named for Istio', () => {
    const { objects } = build();
    const svc = only(objects, 'Service', 'resnet');
    expect(svc.spec.selector).toEqual({ 'tfserving-constructs.io/canary': 'resnet' });
    expect(svc.spec.ports).toEqual([
      { name: 'grpc', port: 8500, targetPort: 8500, protocol: 'TCP' },
      { name: 'http', port: 8501, targetPort: 8501, protocol: 'TCP' },
    ]);
    expect(svc.spec.type).toBe('ClusterIP');
  });

  test('DestinationRule: ISTIO_MUTUAL, a subset per version, outlier detection on the canary subset only', () => {
    const { objects } = build();
    expect(only(objects, 'DestinationRule').spec).toEqual({
      host: 'resnet',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, retryBudget: { percent: 20, minRetryConcurrency: 3 }, connectionPool: { http: { maxRetries: 3 } } },
      subsets: [
        { name: 'stable', labels: { version: 'stable' } },
        {
          name: 'canary',
          labels: { version: 'canary' },
          trafficPolicy: {
            tls: { mode: 'ISTIO_MUTUAL' },
            // Load shedding (UNAVAILABLE / 503 from a full batch queue) ejects nobody; connection failures do.
            outlierDetection: { consecutive5xxErrors: 0, consecutiveLocalOriginFailures: 5, splitExternalLocalOriginErrors: true, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
            retryBudget: { percent: 20, minRetryConcurrency: 3 }, connectionPool: { http: { maxRetries: 3 } },
          },
        },
      ],
    });
  });

  test('outlierDetection: custom values, or none', () => {
    const custom = build({
      outlierDetection: { consecutive5xxErrors: 3, interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(1), maxEjectionPercent: 100 },
    });
    expect(only(custom.objects, 'DestinationRule').spec.subsets[1].trafficPolicy.outlierDetection).toEqual({
      consecutive5xxErrors: 3, consecutiveLocalOriginFailures: 5, splitExternalLocalOriginErrors: true, interval: '5s', baseEjectionTime: '60s', maxEjectionPercent: 100,
    });
    const off = build({ outlierDetection: { enabled: false } });
    expect(only(off.objects, 'DestinationRule').spec.subsets[1].trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' }, retryBudget: { percent: 20, minRetryConcurrency: 3 }, connectionPool: { http: { maxRetries: 3 } } });
  });
});

describe('VirtualService', () => {
  test('name sets the host and every object name', () => {
    const { objects, rollout } = build({ name: 'classifier' });
    expect(rollout.name).toBe('classifier');
    expect(vs(objects, 'classifier').hosts).toEqual(['classifier', 'resnet-v1', 'resnet-v2']);
    expect(ownObjects(objects).filter((o) => !o.kind.startsWith('Network') && !o.metadata.name.endsWith('-deny-reload'))
      .every((o) => o.metadata.name === 'classifier')).toBe(true);
  });

  test('weights split gRPC (8500) and REST (8501) alike', () => {
    const { objects } = build({ weights: { stable: 95, canary: 5 } });
    for (const [name, port] of [['grpc', 8500], ['rest', 8501]] as const) {
      expect(route(objects, name).match).toEqual([{ port }]);
      expect(route(objects, name).route).toEqual([
        { destination: { host: 'resnet', subset: 'stable', port: { number: port } }, weight: 95 },
        { destination: { host: 'resnet', subset: 'canary', port: { number: port } }, weight: 5 },
      ]);
    }
  });

  test('weights 0/100 send everything to the canary', () => {
    const { objects } = build({ weights: { stable: 0, canary: 100 } });
    expect(route(objects, 'rest').route).toEqual([{ destination: { host: 'resnet', subset: 'canary', port: { number: 8501 } } }]);
  });

  test('header pinning: x-model-version canary / stable, before the weighted route of each port', () => {
    const { objects } = build({ weights: { stable: 95, canary: 5 } });
    expect(vs(objects).http.map((r: any) => r.name)).toEqual(['grpc-pin-canary', 'grpc-pin-stable', 'grpc', 'rest-pin-canary', 'rest-pin-stable', 'rest']);
    expect(route(objects, 'grpc-pin-canary').match).toEqual([{ port: 8500, headers: { 'x-model-version': { exact: 'canary' } } }]);
    expect(route(objects, 'grpc-pin-canary').route).toEqual([{ destination: { host: 'resnet', subset: 'canary', port: { number: 8500 } } }]);
    expect(route(objects, 'rest-pin-stable').match).toEqual([{ port: 8501, headers: { 'x-model-version': { exact: 'stable' } } }]);
  });

  test('pinning: another header, or none', () => {
    const custom = build({ pinning: { header: 'x-canary' } });
    expect(route(custom.objects, 'rest-pin-canary').match[0].headers).toEqual({ 'x-canary': { exact: 'canary' } });
    const off = build({ pinning: { enabled: false } });
    expect(vs(off.objects).http.map((r: any) => r.name)).toEqual(['grpc', 'rest']);
  });

  test('mirrorPercent shadows that share of the weighted routes to the canary subset (Istio v1 mirrors), not of the pinned ones', () => {
    const { objects } = build({ weights: { stable: 95, canary: 5 }, mirrorPercent: 10 });
    expect(route(objects, 'grpc').mirrors).toEqual([{ destination: { host: 'resnet', subset: 'canary', port: { number: 8500 } }, percentage: { value: 10 } }]);
    expect(route(objects, 'rest').mirrors).toEqual([{ destination: { host: 'resnet', subset: 'canary', port: { number: 8501 } }, percentage: { value: 10 } }]);
    expect(route(objects, 'rest-pin-stable').mirrors).toBeUndefined();
    expect(route(objects, 'rest').mirror).toBeUndefined();
  });

  test('mirrorPercent accepts fractions; 0 writes no mirror', () => {
    expect(route(build({ mirrorPercent: 0.5 }).objects, 'rest').mirrors[0].percentage).toEqual({ value: 0.5 });
    expect(route(build({ mirrorPercent: 0 }).objects, 'rest').mirrors).toBeUndefined();
  });
});

describe('timeouts and retries sized from the batching timeout', () => {
  test('no batching: 2 retries of 10 s, a 30 s route timeout', () => {
    const { objects } = build();
    for (const r of vs(objects).http) {
      expect(r.timeout).toBe('30s');
      // Only failures where the request never reached TF Serving: a full batch queue's UNAVAILABLE / 503 is not retried.
      expect(r.retries).toEqual({ attempts: 2, perTryTimeout: '10s', retryOn: 'connect-failure,refused-stream' });
    }
  });

  test('a 250 ms server batching timeout is added to every attempt', () => {
    const { objects, rollout } = build({}, { batching: batching(250) });
    expect(rollout.largestBatchTimeout.timeout.toMilliseconds()).toBe(250);
    expect(route(objects, 'grpc').retries.perTryTimeout).toBe('10.25s');
    expect(route(objects, 'grpc').timeout).toBe('30.75s');
  });

  test('the largest timeout of both servers counts, per-model batching included', () => {
    const { rollout } = setup({}, { batching: batching(2) }, { batching: batching(2), models: [{ ...RESNET, batching: batching(800) }] });
    expect(rollout.largestBatchTimeout).toEqual({ timeout: Duration.millis(800), source: "TfServingModel 'resnet-v2' models[0].batching" });
    expect(rollout.perTryTimeout.toMilliseconds()).toBe(10_800);
  });

  test('timeout, perTryTimeout, attempts and retryOn as given', () => {
    const { objects } = build({ timeout: Duration.seconds(5), retries: { attempts: 1, perTryTimeout: Duration.seconds(2), retryOn: 'unavailable' } }, { batching: batching(2) });
    expect(route(objects, 'rest').timeout).toBe('5s');
    expect(route(objects, 'rest').retries).toEqual({ attempts: 1, perTryTimeout: '2s', retryOn: 'unavailable' });
  });

  test('retry budget: as given; none when retries are off; out of range refused', () => {
    expect(only(build({ retries: { budgetPercent: 10 } }).objects, 'DestinationRule').spec.trafficPolicy.retryBudget).toEqual({ percent: 10, minRetryConcurrency: 3 });
    expect(only(build({ retries: { attempts: 0 } }).objects, 'DestinationRule').spec.trafficPolicy.retryBudget).toBeUndefined();
    // AND the in-flight cap backs the budget on Istio releases that do not apply it (before 1.27; subsets before 1.29.2)
    expect(only(build({ retries: { maxConcurrent: 8 } }).objects, 'DestinationRule').spec.trafficPolicy.connectionPool).toEqual({ http: { maxRetries: 8 } });
    expect(only(build({ retries: { attempts: 0 } }).objects, 'DestinationRule').spec.trafficPolicy.connectionPool).toBeUndefined();
    expect(attempt({ retries: { budgetPercent: 0 } })).toThrow(
      "IstioCanary 'resnet': 'retries.budgetPercent' (0) must be a percentage above 0 and at most 100. Fix: use 20, or attempts: 0 to turn retries off");
  });

  test('attempts 0 turns retries off; the route timeout is one attempt', () => {
    const { objects } = build({ retries: { attempts: 0 } });
    expect(route(objects, 'rest').retries).toEqual({ attempts: 0 });
    expect(route(objects, 'rest').timeout).toBe('10s');
  });
});

describe('gateway', () => {
  const gateway = { hosts: ['resnet.ml.example.com'], tlsSecretName: 'resnet-tls' };

  test('a Gateway on HTTPS 443 with the TLS secret, for the ingress gateway pods', () => {
    const { objects } = build({ gateway });
    expect(only(objects, 'Gateway', 'resnet').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['resnet.ml.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'resnet-tls', minProtocolVersion: 'TLSV1_2' },
      }],
    });
  });

  test('a second VirtualService binds the external hosts to the Gateway; gRPC is told apart by content-type', () => {
    const { objects } = build({ gateway, weights: { stable: 90, canary: 10 } });
    const gw = vs(objects, 'resnet-gateway');
    expect(gw.hosts).toEqual(['resnet.ml.example.com']);
    expect(gw.gateways).toEqual(['resnet']);
    // No pinning routes from outside: a caller through the gateway cannot choose the canary.
    expect(gw.http.map((r: any) => r.name)).toEqual(['grpc', 'rest']);
    expect(route(objects, 'grpc', 'resnet-gateway').match).toEqual([{ uri: { regex: GRPC_PREDICTION_REGEX }, headers: { 'content-type': { prefix: 'application/grpc' } } }]);
    expect(route(objects, 'grpc', 'resnet-gateway').route[1]).toEqual({ destination: { host: 'resnet', subset: 'canary', port: { number: 8500 } }, weight: 10 });
    expect(route(objects, 'rest', 'resnet-gateway').match).toEqual([{ uri: { prefix: '/v1/models/' } }]);
    expect(route(objects, 'rest', 'resnet-gateway').route[0].destination.port).toEqual({ number: 8501 });
  });

  test('the gateway routes only the prediction surface: the reload RPC and other paths match no route (Envoy answers 404)', () => {
    const { objects } = build({ gateway });
    const grpcRegex = new RegExp(`^(?:${route(objects, 'grpc', 'resnet-gateway').match[0].uri.regex})$`);
    expect(grpcRegex.test('/tensorflow.serving.PredictionService/Predict')).toBe(true);
    expect(grpcRegex.test('/tensorflow.serving.ModelService/GetModelStatus')).toBe(true);
    expect(grpcRegex.test('/tensorflow.serving.ModelService/HandleReloadConfigRequest')).toBe(false);
    expect(grpcRegex.test('/grpc.health.v1.Health/Check')).toBe(false);
    expect(grpcRegex.test('/tensorflowXserving.PredictionService/Predict')).toBe(false);
  });

  test('the pinning header is removed from gateway requests unless external pinning is allowed', () => {
    const stripped = build({ gateway });
    for (const r of vs(stripped.objects, 'resnet-gateway').http) expect(r.headers).toEqual({ request: { remove: ['x-model-version'] } });
    const allowed = build({ gateway: { ...gateway, allowExternalPinning: true } });
    const http = vs(allowed.objects, 'resnet-gateway').http;
    expect(http.map((r: any) => r.name)).toEqual(['grpc-pin-canary', 'grpc-pin-stable', 'grpc', 'rest-pin-canary', 'rest-pin-stable', 'rest']);
    expect(http[0].match).toEqual([{ uri: { regex: GRPC_PREDICTION_REGEX }, headers: { 'content-type': { prefix: 'application/grpc' }, 'x-model-version': { exact: 'canary' } } }]);
    expect(http.every((r: any) => r.headers === undefined)).toBe(true);
  });

  test('gateway JWT: a RequestAuthentication on the serving pods, and the gateway admitted only with a token of the issuer', () => {
    const jwt = { issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs', audiences: ['resnet'] };
    const { objects } = build({ gateway: { ...gateway, jwt } });
    expect(only(objects, 'RequestAuthentication', 'resnet').spec).toEqual({
      selector: { matchLabels: { 'tfserving-constructs.io/canary': 'resnet' } },
      jwtRules: [{ issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs', audiences: ['resnet'] }],
    });
    const rules = only(objects, 'AuthorizationPolicy', 'resnet').spec.rules;
    expect(rules[0].from).toEqual([{ source: { namespaces: ['apps'] } }]);
    expect(rules[1]).toEqual({
      from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'], requestPrincipals: ['https://accounts.google.com/*'] } }],
      to: PREDICTION,
    });
    expect(build({ gateway }).objects.filter((o) => o.kind === 'RequestAuthentication')).toEqual([]);
  });

  test('gateway JWT rules', () => {
    expect(attempt({ gateway: { ...gateway, jwt: { issuer: 'https://issuer', jwksUri: 'http://issuer/keys' } } })).toThrow(
      "IstioCanary 'resnet': 'gateway.jwt.jwksUri' (\"http://issuer/keys\") must be an https URL (istiod fetches the keys from it). "
      + "Fix: use e.g. 'https://www.googleapis.com/oauth2/v3/certs'");
    expect(attempt({ gateway: { ...gateway, jwt: { issuer: 'my issuer', jwksUri: 'https://issuer/keys' } } })).toThrow(
      "IstioCanary 'resnet': 'gateway.jwt.issuer' (\"my issuer\") must be a token issuer (no spaces). Fix: use the `iss` of your tokens, e.g. 'https://accounts.google.com'");
  });

  test('the mesh VirtualService stays mesh-only', () => {
    const { objects } = build({ gateway });
    expect(vs(objects).gateways).toBeUndefined();
    expect(vs(objects).hosts).toEqual(['resnet', 'resnet-v1', 'resnet-v2']);
  });

  test('the ingress gateway identity is admitted; port, selector and identity can be set', () => {
    const { objects } = build({
      gateway: { ...gateway, port: 8443, selector: { app: 'edge' }, gatewayIdentity: MeshCaller.serviceAccount('edge', 'edge-gateway') },
    });
    expect(only(objects, 'Gateway').spec.servers[0].port.number).toBe(8443);
    expect(only(objects, 'Gateway').spec.selector).toEqual({ app: 'edge' });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[0].from).toContainEqual({ source: { principals: ['cluster.local/ns/edge/sa/edge-gateway'] } });
  });

  test('no gateway: no Gateway object', () => {
    expect(build().objects.filter((o) => o.kind === 'Gateway')).toEqual([]);
  });
});

describe('mesh security', () => {
  test('PeerAuthentication STRICT for the pods of both versions', () => {
    const { objects } = build();
    expect(only(objects, 'PeerAuthentication').spec).toEqual({
      selector: { matchLabels: { 'tfserving-constructs.io/canary': 'resnet' } },
      mtls: { mode: 'STRICT' },
    });
  });

  test('AuthorizationPolicy admits the listed namespaces and service accounts on the serving ports, and the scraper on GET metrics', () => {
    const { objects } = build({ allowFrom: [MeshCaller.namespace('apps'), MeshCaller.serviceAccount('batch', 'scorer'), MeshCaller.namespace('web')] });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec).toEqual({
      selector: { matchLabels: { 'tfserving-constructs.io/canary': 'resnet' } },
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { namespaces: ['apps', 'web'] } }, { source: { principals: ['cluster.local/ns/batch/sa/scorer'] } }],
          to: PREDICTION,
        },
        {
          from: [{ source: { namespaces: ['monitoring'] } }],
          to: [{ operation: { ports: ['8501'], methods: ['GET'], paths: ['/monitoring/prometheus/metrics'] } }],
        },
      ],
    });
  });

  test('the reload RPC is denied to everyone by default, whatever other ALLOW policies say; allowFrom gets no admin API', () => {
    const { objects } = build();
    expect(only(objects, 'AuthorizationPolicy', 'resnet-deny-reload').spec).toEqual({
      selector: { matchLabels: { 'tfserving-constructs.io/canary': 'resnet' } },
      action: 'DENY',
      rules: [{ to: [{ operation: { paths: ['/tensorflow.serving.ModelService/HandleReloadConfigRequest'] } }] }],
    });
    const allowed = only(objects, 'AuthorizationPolicy', 'resnet').spec.rules.flatMap((r: any) => r.to.flatMap((t: any) => t.operation.paths ?? []));
    expect(allowed).not.toContain('/tensorflow.serving.ModelService/HandleReloadConfigRequest');
    // Every ALLOW operation names paths: no caller is admitted to a whole port.
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules.every((r: any) => r.to.every((t: any) => t.operation.paths?.length > 0))).toBe(true);
  });

  test('adminCallers may call the reload RPC: an ALLOW rule for them, and the DENY rule spares them', () => {
    const { objects } = build({ adminCallers: [MeshCaller.namespace('ml-admin'), MeshCaller.serviceAccount('ci', 'deployer')] });
    expect(only(objects, 'AuthorizationPolicy', 'resnet-deny-reload').spec.rules).toEqual([{
      from: [{ source: { notNamespaces: ['ml-admin'], notPrincipals: ['cluster.local/ns/ci/sa/deployer'] } }],
      to: [{ operation: { paths: ['/tensorflow.serving.ModelService/HandleReloadConfigRequest'] } }],
    }]);
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[1]).toEqual({
      from: [{ source: { namespaces: ['ml-admin'] } }, { source: { principals: ['cluster.local/ns/ci/sa/deployer'] } }],
      to: [{ operation: { ports: ['8500'], paths: ['/tensorflow.serving.ModelService/HandleReloadConfigRequest'] } }],
    });
  });

  test('trustDomain goes into the principals', () => {
    const { objects } = build({ allowFrom: [MeshCaller.serviceAccount('apps', 'web')], trustDomain: 'acme-ml.svc.id.goog' });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[0].from).toEqual([{ source: { principals: ['acme-ml.svc.id.goog/ns/apps/sa/web'] } }]);
  });

  test('an empty allowFrom admits only the scraper', () => {
    const { objects } = build({ allowFrom: [] });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules).toEqual([
      { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['8501'], methods: ['GET'], paths: ['/monitoring/prometheus/metrics'] } }] },
    ]);
  });

  test('ScraperAccess.mesh with named callers', () => {
    const { objects } = build({ scraper: ScraperAccess.mesh(MeshCaller.serviceAccount('monitoring', 'prometheus')) });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[1].from).toEqual([{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }]);
  });

  test('ScraperAccess.plaintext: the REST port also takes plaintext, and GET metrics is admitted from any source', () => {
    const { objects } = build({ scraper: ScraperAccess.plaintext() });
    expect(only(objects, 'PeerAuthentication').spec.portLevelMtls).toEqual({ 8501: { mode: 'PERMISSIVE' } });
    expect(only(objects, 'PeerAuthentication').spec.mtls).toEqual({ mode: 'STRICT' });
    expect(only(objects, 'AuthorizationPolicy', 'resnet').spec.rules[1]).toEqual({ to: [{ operation: { ports: ['8501'], methods: ['GET'], paths: ['/monitoring/prometheus/metrics'] } }] });
  });

  test('ScraperAccess.none, or metrics off: no scraper rule', () => {
    expect(only(build({ scraper: ScraperAccess.none() }).objects, 'AuthorizationPolicy', 'resnet').spec.rules).toHaveLength(1);
    expect(only(build({}, { monitoring: { enabled: false } }).objects, 'AuthorizationPolicy', 'resnet').spec.rules).toHaveLength(1);
    expect(only(build({ scraper: ScraperAccess.plaintext() }, { monitoring: { enabled: false } }).objects, 'PeerAuthentication').spec.portLevelMtls).toBeUndefined();
  });
});

describe('label routing (both versions in one server)', () => {
  const LABELLED: ServedModelOptions = { name: 'ranker', source: ModelSource.gcs('gs://acme-models/ranker'), versionPolicy: VersionPolicy.specific(41, 42), versionLabels: { stable: 41, canary: 42 } };

  function labels(props: Partial<IstioCanaryProps> = {}, models: ServedModelOptions[] = [LABELLED, RESNET]) {
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'ranker-server', { models });
    const rollout = new IstioCanary(chart, 'ranker', { stable, labelRouting: { allowUnlabeledGrpcToCanary: true }, allowFrom: APPS, ...props });
    return { chart, stable, rollout, objects: synth(chart) };
  }

  test('unlabeled gRPC would reach the canary (the highest loaded version): refused unless accepted', () => {
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'ranker-server', { models: [LABELLED, RESNET] });
    new IstioCanary(chart, 'ranker', { stable, labelRouting: {}, allowFrom: APPS });
    expect(() => synth(chart)).toThrow(
      "IstioCanary 'ranker': 'labelRouting' (\"model 'ranker', canary → version 42\") must not leave unlabeled gRPC traffic on the canary: only REST paths can be "
      + 'rewritten, and TF Serving answers a gRPC request without model_spec.version_label with the highest loaded version, here the canary. '
      + 'Fix: have gRPC clients set model_spec.version_label, then set labelRouting.allowUnlabeledGrpcToCanary: true; or route with two servers (canary)');
  });

  test('no refusal when the policy loads a version newer than the canary label', () => {
    const newer: ServedModelOptions = { ...LABELLED, versionPolicy: VersionPolicy.specific(41, 42, 43) };
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'ranker-server', { models: [newer] });
    new IstioCanary(chart, 'ranker', { stable, labelRouting: {}, allowFrom: APPS });
    expect(() => synth(chart)).not.toThrow();
  });

  test('REST inference paths are rewritten to the label; a share of requests, chosen by x-request-id, to the canary', () => {
    const { objects, rollout } = labels({ weights: { stable: 90, canary: 10 } });
    expect(rollout.mode).toBe(IstioCanaryMode.LABEL_ROUTING);
    const http = vs(objects, 'ranker').http;
    expect(http.map((r: any) => r.name)).toEqual(['rest-ranker-pin-canary', 'rest-ranker-pin-stable', 'rest-ranker-canary-share', 'rest-ranker-stable', 'rest', 'grpc']);
    const share = http[2];
    expect(share.match).toEqual([{ port: 8501, uri: { regex: '(?i:/v1/models/)ranker:.*' }, headers: { 'x-request-id': { regex: '.*(0[0-9a-f]{2}|1[0-8][0-9a-f]|19[0-9])' } } }]);
    expect(share.rewrite).toEqual({ uriRegexRewrite: { match: '^(?i:/v1/models/)ranker:', rewrite: '/v1/models/ranker/labels/canary:' } });
    expect(share.route).toEqual([{ destination: { host: 'ranker', port: { number: 8501 } } }]);
    // Unlabelled requests would reach the newest loaded version, so the rest of the share is pinned to the stable label.
    expect(http[3].match).toEqual([{ port: 8501, uri: { regex: '(?i:/v1/models/)ranker:.*' } }]);
    expect(http[3].rewrite).toEqual({ uriRegexRewrite: { match: '^(?i:/v1/models/)ranker:', rewrite: '/v1/models/ranker/labels/stable:' } });
    expect(http[0].match[0].headers).toEqual({ 'x-model-version': { exact: 'canary' } });
    expect(http[0].rewrite).toEqual({ uriRegexRewrite: { match: '^(?i:/v1/models/)ranker:', rewrite: '/v1/models/ranker/labels/canary:' } });
  });

  test('the label routes match /v1/models/ case-insensitively, as TF Serving does, and the model name exactly', () => {
    // http_rest_api_util.cc: kPredictionApiGegex = (?i)/v1/models/([^/:]+)…; the model name is a map key.
    const { objects } = labels({ weights: { stable: 90, canary: 10 } });
    const stable = route(objects, 'rest-ranker-stable', 'ranker');
    const full = new RegExp(`^(?:${re2ToJs(stable.match[0].uri.regex)})$`);
    for (const p of ['/v1/models/ranker:predict', '/V1/MODELS/ranker:predict', '/v1/Models/ranker:classify']) expect(full.test(p)).toBe(true);
    for (const p of ['/v1/models/RANKER:predict', '/v1/models/rankers:predict', '/v2/models/ranker:predict']) expect(full.test(p)).toBe(false);
    // The rewrite replaces the matched head, whatever its case, and keeps the verb.
    const rw = stable.rewrite.uriRegexRewrite;
    expect('/V1/Models/ranker:predict'.replace(new RegExp(re2ToJs(rw.match)), rw.rewrite)).toBe('/v1/models/ranker/labels/stable:predict');
  });

  test('the servers\' own Services are hosts of the routes: calling them directly is routed by the same rules', () => {
    const { objects } = labels();
    expect(vs(objects, 'ranker').hosts).toEqual(['ranker', 'ranker-server']);
  });

  test('other REST paths and gRPC pass unchanged; no subsets, no version labels', () => {
    const { objects } = labels();
    const http = vs(objects, 'ranker').http;
    expect(http.find((r: any) => r.name === 'rest')).toMatchObject({ match: [{ port: 8501 }], route: [{ destination: { host: 'ranker', port: { number: 8501 } } }] });
    expect(http.find((r: any) => r.name === 'grpc')).toMatchObject({ match: [{ port: 8500 }], route: [{ destination: { host: 'ranker', port: { number: 8500 } } }] });
    expect(http.find((r: any) => r.rewrite === undefined && r.name !== 'rest' && r.name !== 'grpc')).toBeUndefined();
    expect(only(objects, 'DestinationRule').spec).toEqual({ host: 'ranker', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, retryBudget: { percent: 20, minRetryConcurrency: 3 }, connectionPool: { http: { maxRetries: 3 } } } });
    expect(podLabels(objects, 'ranker-server')).toMatchObject({ 'tfserving-constructs.io/canary': 'ranker' });
    expect(podLabels(objects, 'ranker-server').version).toBeUndefined();
  });

  test('weight 0: no share route; weight 100: every inference request to the canary label', () => {
    expect(vs(labels().objects, 'ranker').http.map((r: any) => r.name)).not.toContain('rest-ranker-canary-share');
    const all = vs(labels({ weights: { stable: 0, canary: 100 } }).objects, 'ranker').http;
    expect(all.map((r: any) => r.name)).toEqual(['rest-ranker-pin-canary', 'rest-ranker-pin-stable', 'rest-ranker-canary', 'rest', 'grpc']);
    expect(all[2].rewrite.uriRegexRewrite.rewrite).toBe('/v1/models/ranker/labels/canary:');
  });

  test('custom label names and model list', () => {
    const model: ServedModelOptions = { ...LABELLED, versionLabels: { prod: 41, next: 42 } };
    const { objects } = labels({ labelRouting: { stableLabel: 'prod', canaryLabel: 'next', models: ['ranker'], allowUnlabeledGrpcToCanary: true } }, [model]);
    expect(route(objects, 'rest-ranker-stable', 'ranker').rewrite.uriRegexRewrite.rewrite).toBe('/v1/models/ranker/labels/prod:');
    expect(route(objects, 'rest-ranker-pin-canary', 'ranker').rewrite.uriRegexRewrite.rewrite).toBe('/v1/models/ranker/labels/next:');
  });

  test('through a gateway, gRPC goes first by content-type and REST routes match no port', () => {
    const { objects } = labels({ gateway: { hosts: ['ranker.example.com'], tlsSecretName: 'ranker-tls' } });
    const http = vs(objects, 'ranker-gateway').http;
    expect(http[0]).toMatchObject({ name: 'grpc', match: [{ uri: { regex: GRPC_PREDICTION_REGEX }, headers: { 'content-type': { prefix: 'application/grpc' } } }] });
    expect(http.find((r: any) => r.name === 'rest-ranker-stable').match).toEqual([{ uri: { regex: '(?i:/v1/models/)ranker:.*' } }]);
    expect(http[http.length - 1]).toMatchObject({ name: 'rest', route: [{ destination: { host: 'ranker', port: { number: 8501 } } }] });
    expect(http[http.length - 1].match).toEqual([{ uri: { prefix: '/v1/models/' } }]);
  });

  test('through a gateway, paths that name a version or label are refused (404) unless external pinning is allowed', () => {
    const gateway = { hosts: ['ranker.example.com'], tlsSecretName: 'ranker-tls' };
    const refused = route(labels({ gateway }).objects, 'rest-ranker-explicit-version', 'ranker-gateway');
    expect(refused.match).toEqual([{ uri: { regex: '(?i:/v1/models/)ranker/(?i:versions|labels)/.*' } }]);
    expect(refused.directResponse.status).toBe(404);
    expect(refused.route).toBeUndefined();
    const http = vs(labels({ gateway: { ...gateway, allowExternalPinning: true } }).objects, 'ranker-gateway').http;
    expect(http.map((r: any) => r.name)).not.toContain('rest-ranker-explicit-version');
    expect(http.map((r: any) => r.name)).toContain('rest-ranker-pin-canary');
  });
});

describe('Flagger hand-off', () => {
  function flagger(props: Partial<IstioCanaryProps> = {}, serverProps: Partial<TfServingModelProps> = {}) {
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const stable = server(chart, 'resnet-server', serverProps);
    const rollout = new IstioCanary(chart, 'resnet', { stable, flagger: {}, allowFrom: APPS, ...props });
    return { chart, stable, rollout, objects: synth(chart) };
  }

  test('a Canary and a gRPC error-rate MetricTemplate instead of Service, DestinationRule and VirtualService', () => {
    const { objects, rollout } = flagger();
    expect(rollout.mode).toBe(IstioCanaryMode.FLAGGER);
    expect(ownObjects(objects).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/resnet', 'AuthorizationPolicy/resnet-deny-reload', 'Canary/resnet', 'MetricTemplate/resnet-grpc-error-rate', 'PeerAuthentication/resnet',
      'VirtualService/resnet-target',
    ]);
    expect(ApiObject.of(rollout).kind).toBe('Canary');
  });

  test('Canary spec: target, service on gRPC with REST discovered, ISTIO_MUTUAL, timeouts, analysis with three checks', () => {
    const { objects } = flagger({}, { batching: batching(20) });
    expect(only(objects, 'Canary').spec).toEqual({
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet-server' },
      progressDeadlineSeconds: 900,
      service: {
        name: 'resnet',
        port: 8500,
        portName: 'grpc',
        targetPort: 8500,
        portDiscovery: true,
        timeout: '30.06s',
        retries: { attempts: 2, perTryTimeout: '10.02s', retryOn: 'connect-failure,refused-stream' },
        trafficPolicy: {
          tls: { mode: 'ISTIO_MUTUAL' },
          connectionPool: { http: { maxRetries: 3 } },
          outlierDetection: { consecutive5xxErrors: 0, consecutiveLocalOriginFailures: 5, splitExternalLocalOriginErrors: true, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
        },
      },
      analysis: {
        interval: '1m',
        threshold: 5,
        stepWeight: 10,
        maxWeight: 50,
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
          { name: 'request-duration', thresholdRange: { max: 520 }, interval: '1m' },
          { name: 'grpc-error-rate', templateRef: { name: 'resnet-grpc-error-rate' }, thresholdRange: { max: 1 }, interval: '1m' },
        ],
      },
    });
  });

  test('retries are bounded in Flagger mode too: connection-level only, and at most maxConcurrent outstanding per client proxy', () => {
    // GIVEN Flagger owns the VirtualService and the DestinationRules (it copies service.retries and service.trafficPolicy)
    const canary = (props: Partial<IstioCanaryProps>) => only(flagger(props).objects, 'Canary').spec.service;
    // THEN the route retries only what never reached TF Serving, and Envoy's max_retries bounds the retries in flight
    expect(canary({}).retries.retryOn).toBe('connect-failure,refused-stream');
    expect(canary({ retries: { maxConcurrent: 8 } }).trafficPolicy.connectionPool).toEqual({ http: { maxRetries: 8 } });
    // AND with retries off there is nothing to bound
    expect(canary({ retries: { attempts: 0 } }).trafficPolicy.connectionPool).toBeUndefined();
    // AND Flagger mode has no retry budget
    expect(() => flagger({ retries: { budgetPercent: 20 } })).toThrow(
      "IstioCanary 'resnet': 'retries.budgetPercent' (20) must not be set with flagger: Flagger's Canary has no retry budget field (its CRD schema prunes one, "
      + 'and Flagger copies only service.trafficPolicy). Fix: bound retries with retries.maxConcurrent (DestinationRule connectionPool.http.maxRetries) instead');
    expect(() => flagger({ retries: { maxConcurrent: 0 } })).toThrow(
      "IstioCanary 'resnet': 'retries.maxConcurrent' (0) must be an integer of at least 1. Fix: use 3, or attempts: 0 to turn retries off");
  });

  test('the MetricTemplate counts server-side gRPC failures per gRPC request of the canary workload, 0 without gRPC traffic', () => {
    const { objects } = flagger({ flagger: { prometheusAddress: 'http://prometheus.monitoring:9090' } });
    const t = only(objects, 'MetricTemplate').spec;
    expect(t.provider).toEqual({ type: 'prometheus', address: 'http://prometheus.monitoring:9090' });
    const sel = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';
    expect(t.query).toBe(
      `(sum(rate(istio_requests_total{${sel},grpc_response_status=~"2|4|8|12|13|14|15"}[{{ interval }}]))`
      + ` / (sum(rate(istio_requests_total{${sel},grpc_response_status!=""}[{{ interval }}])) > 0) * 100) or on() vector(0)`);
  });

  test('analysis options', () => {
    const { objects } = flagger({
      flagger: {
        interval: Duration.seconds(30), threshold: 3, stepWeight: 5, maxWeight: 30, minSuccessRate: 99.5, maxLatency: Duration.millis(250),
        maxGrpcErrorRate: 0.5, progressDeadline: Duration.minutes(30),
      },
    });
    const spec = only(objects, 'Canary').spec;
    expect(spec.progressDeadlineSeconds).toBe(1800);
    expect(spec.analysis).toMatchObject({ interval: '30s', threshold: 3, stepWeight: 5, maxWeight: 30 });
    expect(spec.analysis.metrics.map((m: any) => [m.thresholdRange, m.interval])).toEqual([
      [{ min: 99.5 }, '30s'], [{ max: 250 }, '30s'], [{ max: 0.5 }, '30s'],
    ]);
  });

  test('the target gets app: NAME in its pods and selector (Flagger\'s selector label), and the Canary its HPA', () => {
    const { objects } = flagger({}, { autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    const d = only(objects, 'Deployment');
    expect(d.spec.selector.matchLabels.app).toBe('resnet-server');
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app': 'resnet-server', 'tfserving-constructs.io/canary': 'resnet' });
    expect(only(objects, 'Canary').spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'resnet-server' });
  });
});

describe('rules (exact messages)', () => {
  test('weights outside 0–100', () => {
    expect(attempt({ weights: { stable: -50, canary: 150 } })).toThrow(
      "IstioCanary 'resnet': 'weights.stable' (-50) must be a whole percentage between 0 and 100. Fix: use e.g. { stable: 95, canary: 5 }");
    expect(attempt({ weights: { stable: 90, canary: 150 } })).toThrow(
      "IstioCanary 'resnet': 'weights.canary' (150) must be a whole percentage between 0 and 100. Fix: use e.g. { stable: 95, canary: 5 }");
    expect(attempt({ weights: { stable: 97.5, canary: 2.5 } })).toThrow(
      "IstioCanary 'resnet': 'weights.stable' (97.5) must be a whole percentage between 0 and 100. Fix: use e.g. { stable: 95, canary: 5 }");
  });

  test('weights not summing to 100', () => {
    expect(attempt({ weights: { stable: 90, canary: 5 } })).toThrow(
      "IstioCanary 'resnet': 'weights' ({\"stable\":90,\"canary\":5}) must sum to 100 (they sum to 95). Fix: use { stable: 95, canary: 5 }");
  });

  test('Flagger step and max weights outside 1–100, or step above max', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-server');
    expect(() => new IstioCanary(chart, 'a', { stable: s, allowFrom: [], flagger: { maxWeight: 120 } })).toThrow(
      "IstioCanary 'a': 'flagger.maxWeight' (120) must be a whole percentage between 1 and 100. Fix: use 50");
    expect(() => new IstioCanary(chart, 'b', { stable: s, allowFrom: [], flagger: { stepWeight: 60 } })).toThrow(
      "IstioCanary 'b': 'flagger.stepWeight' (60) must not exceed maxWeight (50). Fix: lower stepWeight or raise maxWeight");
  });

  test('stable and canary the same workload', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-v1');
    expect(() => new IstioCanary(chart, 'resnet', { stable: s, canary: s, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'canary' (\"TfServingModel 'resnet-v1'\") must be another workload than stable (TfServingModel 'resnet-v1'): one Deployment cannot be both versions. "
      + 'Fix: declare the new version as its own TfServingModel, or use labelRouting for two versions in one server');
  });

  test('stable and canary serving different model names', () => {
    const other: ServedModelOptions = { name: 'mobilenet', source: ModelSource.gcs('gs://acme-models/mobilenet') };
    expect(attempt({}, {}, { models: [RESNET, other] })).toThrow(
      "IstioCanary 'resnet': 'canary' ([\"mobilenet\", \"resnet\"]) must serve the same model names as stable ([\"resnet\"]): a request for a model only one version serves fails on the other. "
      + 'Fix: give both TfServingModels the same models (the versions differ, the names do not)');
  });

  test('a model added to one server after the canary is declared fails synthesis', () => {
    const { app, canary } = setup();
    canary.addModel({ name: 'mobilenet', source: ModelSource.gcs('gs://acme-models/mobilenet') });
    expect(() => app.synth()).toThrow(
      "[serving/resnet] IstioCanary 'resnet': 'canary' ([\"mobilenet\", \"resnet\"]) must serve the same model names as stable ([\"resnet\"])");
  });

  test('mirror percentage outside 0–100', () => {
    expect(attempt({ mirrorPercent: 120 })).toThrow(
      "IstioCanary 'resnet': 'mirrorPercent' (120) must be between 0 and 100. Fix: use 10 to shadow one request in ten to the canary");
    expect(attempt({ mirrorPercent: -1 })).toThrow("IstioCanary 'resnet': 'mirrorPercent' (-1) must be between 0 and 100.");
  });

  test('header names not lowercase', () => {
    expect(attempt({ pinning: { header: 'X-Model-Version' } })).toThrow(
      "IstioCanary 'resnet': 'pinning.header' (\"X-Model-Version\") must be a lower-case header name (letters, digits, '-'); Istio matches header names in lower case. "
      + 'Fix: use "x-model-version"');
    expect(attempt({ pinning: { header: 'x_model' } })).toThrow("IstioCanary 'resnet': 'pinning.header' (\"x_model\") must be a lower-case header name");
  });

  test('a route timeout shorter than the batching timeout', () => {
    expect(attempt({ timeout: Duration.millis(100) }, { batching: batching(250) })).toThrow(
      "IstioCanary 'resnet': 'timeout' (\"0.1s\") must be longer than the largest batching timeout (0.25s, TfServingModel 'resnet-v1' batching): "
      + 'a request may wait that long for its batch to fill before it runs. Fix: raise timeout well above 0.25s, or leave it out to size it from the batching timeout');
    expect(attempt({ retries: { perTryTimeout: Duration.millis(250) } }, { batching: batching(250) })).toThrow(
      "IstioCanary 'resnet': 'retries.perTryTimeout' (\"0.25s\") must be longer than the largest batching timeout (0.25s, TfServingModel 'resnet-v1' batching)");
  });

  test('a per-model batching timeout added later is checked at synthesis', () => {
    const { app, stable } = setup({ timeout: Duration.millis(500) }, { batching: batching(2) });
    stable.addModel({ name: 'mobilenet', source: ModelSource.gcs('gs://acme-models/mobilenet'), batching: batching(900) });
    expect(() => app.synth()).toThrow(
      "IstioCanary 'resnet': 'timeout' (\"0.5s\") must be longer than the largest batching timeout (0.9s, TfServingModel 'resnet-v1' models[1].batching)");
  });

  test('Flagger latency limit below the batching timeout', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-server', { batching: batching(300) });
    expect(() => new IstioCanary(chart, 'resnet', { stable: s, allowFrom: [], flagger: { maxLatency: Duration.millis(200) } })).toThrow(
      "IstioCanary 'resnet': 'flagger.maxLatency' (\"0.2s\") must be longer than the largest batching timeout (0.3s, TfServingModel 'resnet-server' batching)");
  });

  test('static and Flagger modes together (one construct)', () => {
    expect(attempt({ flagger: {}, weights: { stable: 95, canary: 5 } })).toThrow(
      "IstioCanary 'resnet': 'flagger' ([\"canary\", \"weights\"]) must not be combined with static routing props: Flagger writes its own VirtualService for host 'resnet', "
      + 'and two VirtualServices for one host conflict. Fix: remove canary, weights (Flagger shifts the traffic itself), or remove flagger');
  });

  test('static and Flagger modes together (two constructs, one host) fail synthesis', () => {
    const { app, chart } = setup();
    const target = server(chart, 'resnet-next');
    new IstioCanary(chart, 'resnet-flagger', { name: 'resnet', stable: target, flagger: {}, allowFrom: APPS });
    expect(() => app.synth()).toThrow(
      "[serving/resnet] IstioCanary 'resnet': 'name' (\"resnet\") must not be routed both statically and by Flagger (static and Flagger modes together): "
      + "two VirtualServices for one host conflict (also IstioCanary 'resnet-flagger', flagger mode). Fix: give each canary its own name, or remove one");
  });

  test('two static canaries on one host fail synthesis', () => {
    const { app, chart } = setup();
    const a = server(chart, 'resnet-a');
    const b = server(chart, 'resnet-b');
    new IstioCanary(chart, 'other', { name: 'resnet', stable: a, canary: b, allowFrom: APPS });
    expect(() => app.synth()).toThrow("IstioCanary 'other': 'name' (\"resnet\") must not be routed by two IstioCanaries: two VirtualServices for one host conflict (also IstioCanary 'resnet', static mode)");
  });

  test('a gateway with Flagger', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-server');
    expect(() => new IstioCanary(chart, 'resnet', { stable: s, allowFrom: [], flagger: {}, gateway: { hosts: ['a.example.com'], tlsSecretName: 'a' } })).toThrow(
      "IstioCanary 'resnet': 'gateway' ([\"a.example.com\"]) must not be set with flagger: Flagger routes every gateway request to one service port, so gRPC and REST cannot both be served through it");
  });

  test('no canary, no label routing, no Flagger', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-v1');
    expect(() => new IstioCanary(chart, 'resnet', { stable: s, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'canary' (undefined) must be set unless labelRouting or flagger is. Fix: pass canary: <the TfServingModel of the new version>");
  });

  test('label routing with a canary server, with a mirror, or without labelled models', () => {
    expect(attempt({ labelRouting: {} })).toThrow(
      "IstioCanary 'resnet': 'labelRouting' ({}) must not be combined with canary (TfServingModel 'resnet-v2'): label routing splits traffic between versions inside the one 'stable' server");
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet-v1');
    expect(() => new IstioCanary(chart, 'a', { stable: s, labelRouting: {}, mirrorPercent: 5, allowFrom: APPS })).toThrow(
      "IstioCanary 'a': 'mirrorPercent' (5) must not be set with labelRouting: Istio mirrors to a host, not to a rewritten path");
    const unlabelled = new IstioCanary(chart, 'b', { stable: s, labelRouting: {}, allowFrom: APPS });
    expect(unlabelled.node.validate()).toEqual([
      "IstioCanary 'b': 'labelRouting' ({}) must find a model of TfServingModel 'resnet-v1' with the version labels 'stable' and 'canary'. "
      + 'Fix: set versionLabels: { stable: OLD, canary: NEW } on a model',
    ]);
    expect(() => synth(chart)).toThrow("[c/b] IstioCanary 'b': 'labelRouting' ({}) must find a model of TfServingModel 'resnet-v1'");
  });

  test('the canary name equal to a server name', () => {
    const chart = new Chart(Testing.app(), 'c');
    const s = server(chart, 'resnet');
    const c = server(chart, 'resnet-v2');
    expect(() => new IstioCanary(chart, 'resnet-canary', { name: 'resnet', stable: s, canary: c, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet-canary': 'name' (\"resnet\") must differ from the name of TfServingModel 'resnet': both would write a Service 'resnet'");
  });

  test('servers with other ports, or in another namespace', () => {
    expect(attempt({}, {}, { grpcPort: 9000 })).toThrow(
      "IstioCanary 'resnet': 'canary' (\"TfServingModel 'resnet-v2' ports 9000/8501\") must use the gRPC and REST ports of stable (8500/8501): one Service spans both versions");
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    const s = server(a, 'resnet-v1');
    const c = server(b, 'resnet-v2');
    expect(() => new IstioCanary(a, 'resnet', { stable: s, canary: c, allowFrom: APPS })).toThrow(
      "IstioCanary 'resnet': 'canary' (\"TfServingModel 'resnet-v2'\") must be in the namespace of stable (\"one\"): one Service spans both versions");
  });

  test('a pod label the server already has with another value', () => {
    expect(attempt({}, { labels: { version: '2' } })).toThrow(
      "IstioCanary 'resnet': 'stable' (\"TfServingModel 'resnet-v1' pod label version=2\") must not already carry the pod label 'version' with another value: the canary sets version=stable. "
      + "Fix: remove 'version' from the TfServingModel's labels");
  });

  test('one server in two canaries', () => {
    const { chart, stable } = setup();
    const other = server(chart, 'resnet-v3');
    expect(() => new IstioCanary(chart, 'again', { stable, canary: other, allowFrom: APPS })).toThrow(
      "IstioCanary 'again': 'stable' (\"TfServingModel 'resnet-v1' pod label tfserving-constructs.io/canary=resnet\") must not already carry the pod label "
      + "'tfserving-constructs.io/canary' with another value: the canary sets tfserving-constructs.io/canary=again. Fix: a server can be part of one IstioCanary only");
  });

  test('gateway hosts, callers', () => {
    expect(attempt({ gateway: { hosts: ['Resnet.Example.com'], tlsSecretName: 'x' } })).toThrow(
      "IstioCanary 'resnet': 'gateway.hosts' (\"Resnet.Example.com\") must be a host istiod accepts: '*', a lower-case DNS name with at least one '.' "
      + "(optionally starting with '*.'), or an IPv4 address, optionally after 'NAMESPACE/'. Fix: use e.g. 'resnet.ml.example.com', '*.example.com' or 'ml/resnet.example.com'");
    // istiod refuses a host without '.' before it tries an IP address, so an IPv6 address is refused too
    expect(attempt({ gateway: { hosts: ['2001:db8::1'], tlsSecretName: 'x' } })).toThrow("IstioCanary 'resnet': 'gateway.hosts' (\"2001:db8::1\") must be a host istiod accepts");
    expect(() => MeshCaller.namespace('Apps')).toThrow("MeshCaller: 'namespace' (\"Apps\") must be a namespace name (a DNS label)");
  });
});

test('a server the canary routes to may not run as Istio\'s proxy uid 1337 (its traffic would bypass the sidecar)', () => {
  const { chart } = setup({ weights: { stable: 95, canary: 5 } }, { security: { user: 1337 } });
  expect(() => synth(chart)).toThrow(
    "TfServingModel 'resnet-v1': 'security.user' (1337) must not be Istio's proxy uid on a server in the mesh: istio-iptables exempts that uid's traffic "
    + 'from the sidecar. Fix: run the server as another uid, e.g. 1000');
});

describe('determinism', () => {
  test('the same program synthesizes identical objects', () => {
    const render = () => JSON.stringify(synth(setup({ weights: { stable: 95, canary: 5 }, mirrorPercent: 10 }).chart));
    expect(render()).toBe(render());
  });
});

test('App synth of a valid canary passes validation', () => {
  const { app } = setup({ weights: { stable: 95, canary: 5 } });
  expect(() => app.synth()).not.toThrow();
});

test('an IstioCanary and a RequestLogging on the same server share one sidecar NetworkPolicy', () => {
  const { chart, rollout } = setup();
  const logging = new RequestLogging(chart, 'logs', { target: rollout.stable });
  expect(logging.sidecarNetworkPolicy).toBe(rollout.sidecarNetworkPolicies[0]);
  expect(synth(chart).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'resnet-v1-istio-proxy')).toHaveLength(1);
});

test('the istiod namespace of a server\'s sidecar policy does not depend on who asks first: a conflict is refused either way', () => {
  // GIVEN a RequestLogging declared before an IstioCanary that names another istiod namespace
  const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
  const stable = server(chart, 'resnet-v1');
  const canary = server(chart, 'resnet-v2');
  new RequestLogging(chart, 'logs', { target: stable });
  // THEN the IstioCanary is refused instead of silently sending istiod traffic to istio-system
  expect(() => new IstioCanary(chart, 'resnet', { stable, canary, allowFrom: APPS, istioNamespace: 'istio-control' })).toThrow(
    "IstioCanary 'resnet': 'istioNamespace' (\"istio-control\") must match the istiod namespace of the sidecar NetworkPolicy of server 'resnet-v1' "
    + "('istio-system', from RequestLogging 'logs'): one sidecar talks to one istiod. Fix: set istioNamespace: 'istio-control' on RequestLogging 'logs' too, "
    + 'or the same value on both');
  // AND in the other order
  const chart2 = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
  const s2 = server(chart2, 'resnet-v1');
  new IstioCanary(chart2, 'resnet', { stable: s2, canary: server(chart2, 'resnet-v2'), allowFrom: APPS, istioNamespace: 'istio-control' });
  expect(() => new RequestLogging(chart2, 'logs', { target: s2 })).toThrow(
    "RequestLogging 'logs': 'istioNamespace' (\"istio-system\") must match the istiod namespace of the sidecar NetworkPolicy of server 'resnet-v1' "
    + "('istio-control', from IstioCanary 'resnet'): one sidecar talks to one istiod. Fix: set istioNamespace: 'istio-system' on IstioCanary 'resnet' too, "
    + 'or the same value on both');
  const agreed = new RequestLogging(chart2, 'logs2', { target: s2, istioNamespace: 'istio-control', name: 'resnet-v1-logs' });
  expect(only(synth(chart2), 'NetworkPolicy', 'resnet-v1-istio-proxy').spec.egress[0].to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'istio-control' });
  expect(agreed.sidecarNetworkPolicy).toBeDefined();
});

describe('TLS on the gRPC port (grpcTls)', () => {
  test('throws for a server whose gRPC port accepts TLS only: the sidecar forwards plaintext HTTP/2', () => {
    expect(attempt({}, {}, { grpcTls: GrpcTls.fromSecret('grpc-tls') })).toThrow(
      "IstioCanary 'resnet': 'canary' (\"TfServingModel 'resnet-v2'\") must not have grpcTls: Istio forwards gRPC to the pod as plaintext HTTP/2 "
      + "(the mesh's mTLS ends in the sidecar), which a TLS-only gRPC port refuses. Fix: remove grpcTls (the mesh already encrypts gRPC between pods), "
      + 'or expose the servers through a GatewayCanary');
    expect(attempt({}, { grpcTls: GrpcTls.fromSecret('grpc-tls') }, {})).toThrow(/^IstioCanary 'resnet': 'stable' \("TfServingModel 'resnet-v1'"\) must not have grpcTls/);
  });
});
