import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  GcsAccess, GkeCluster, LoadTest, MachineType, LoadTestPayload, MetricsBackend, ModelSource, NodePool, RequestLogging, S3Credentials,
  ScalingMetric, Scraper, ServingAlerts, ServingAutoscaler, ServingDashboard, TensorDType, TfServingImage, TfServingModel, TfServingModelProps,
  WorkloadIdentity, planCapacity,
} from '../lib';
import { only, synth } from './support/synth';
import { IstioCanary, IstioCanaryProps, MeshCaller } from '../lib/mesh';

/**
 * The Kubernetes syntax rules of lib/core/kubernetes.ts (issue 19 item 1) as each construct reports them: one row per
 * construct and rule class, with the exact message. The rules themselves are tested in test/core/kubernetes.test.ts.
 */

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const RESNET = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };
const OPEN = { networkPolicy: { allowFrom: [{ podSelector: {} }, { namespaceSelector: {} }] } };
const PAYLOAD = LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [2, 2], values: [1, 2, 3, 4] });

function chart(): Chart {
  return new Chart(Testing.app(), 'serving', { namespace: 'ml' });
}
const server = (c: Chart, props: Partial<TfServingModelProps> = {}, id = 'resnet') =>
  new TfServingModel(c, id, { models: [RESNET], gcsAccess: WI, monitoring: { scraper: Scraper.SERVICE_MONITOR }, ...OPEN, ...props });
const cluster = (c: Chart) => new GkeCluster(c, 'cluster', { project: 'acme-ml', location: 'us-central1-a', workloadIdentity: true });
const canary = (c: Chart, props: Partial<IstioCanaryProps>) =>
  new IstioCanary(c, 'rollout', { stable: server(c, {}, 'v1'), canary: server(c, {}, 'v2'), allowFrom: [MeshCaller.namespace('apps')], ...props });
const loadTest = (c: Chart, props: object) => new LoadTest(c, 'load', { target: server(c), payload: PAYLOAD, ...props });
const PLAN = planCapacity({ targetQps: 1000, qpsPerReplica: 120 });
const autoscaler = (c: Chart, props: object) => new ServingAutoscaler(c, 'scaler', {
  target: server(c), plan: PLAN, metrics: [ScalingMetric.requestRate()], backend: MetricsBackend.stackdriverAdapter(), ...props,
});

const KEY = "an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'";
const SUBDOMAIN = "be a DNS subdomain: at most 253 lower-case letters, digits, '-' or '.', starting and ending with a letter or digit. Fix: use the name as `kubectl get` shows it";
const LABEL = "be a DNS label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit. Fix: use the name as `kubectl get` shows it";
const IMAGE = "be a container image reference: [REGISTRY[:PORT]/]PATH[:TAG][@DIGEST], lower-case path components. Fix: use a reference such as 'us-docker.pkg.dev/acme/serving/tfserving:2.20.0'";

const cases: [string, (c: Chart) => unknown, string][] = [
  // TfServingModel
  ['TfServingModel labels (key)', (c) => server(c, { labels: { 'team name': 'ml' } }),
    `TfServingModel 'resnet': 'labels.team name' ("team name") must be a Kubernetes label key: ${KEY}. Fix: use a key such as 'example.com/role' or 'role'`],
  ['TfServingModel labels (value)', (c) => server(c, { labels: { team: 'ml team' } }),
    "TfServingModel 'resnet': 'labels.team' (\"ml team\") must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Fix: shorten or simplify the value"],
  ['TfServingModel priorityClassName', (c) => server(c, { priorityClassName: 'High_Priority' }),
    `TfServingModel 'resnet': 'priorityClassName' ("High_Priority") must ${SUBDOMAIN}`],
  ['TfServingModel monitoring.scraperNamespace', (c) => server(c, { monitoring: { scraper: Scraper.SERVICE_MONITOR, scraperNamespace: 'Monitoring' } }),
    `TfServingModel 'resnet': 'monitoring.scraperNamespace' ("Monitoring") must ${LABEL}`],
  ['TfServingModel image (custom)', (c) => server(c, { image: TfServingImage.custom('Acme/Serving:2.20.0') }),
    `TfServingModel 'resnet': 'image' ("Acme/Serving:2.20.0") must ${IMAGE}`],
  ['TfServingModel Duration written as seconds', (c) => server(c, { drain: { preStopDelay: Duration.millis(1500) } }),
    "TfServingModel 'resnet': 'drain.preStopDelay' (\"1.5s\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(2)"],
  ['TfServingModel Duration NaN', (c) => server(c, { probes: { startupTimeout: Duration.seconds(NaN) } }),
    "TfServingModel 'resnet': 'probes.startupTimeout' (\"NaNs\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(1)"],
  ['TfServingModel scrape interval', (c) => server(c, { monitoring: { scraper: Scraper.SERVICE_MONITOR, interval: Duration.millis(7500) } }),
    "TfServingModel 'resnet': 'monitoring.interval' (\"7.5s\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(8)"],
  ['TfServingModel Size written as MiB', (c) => server(c, { tmpSize: Size.kibibytes(1536) }),
    "TfServingModel 'resnet': 'tmpSize' (\"1.5 MiB\") must be a whole number of MiB (it is written as MiB). Fix: use Size.mebibytes(2)"],
  ['TfServingModel ephemeral storage request above limit', (c) => server(c, { resources: { ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }),
    "TfServingModel 'resnet': 'resources.ephemeralStorage.request' (\"2147483648 bytes\") must be at most the limit (1073741824 bytes); the API server refuses a request above its limit. "
    + 'Fix: lower the request or raise the limit (equal values give Guaranteed QoS)'],
  ['GcsAccess.keySecret Secret name', () => GcsAccess.keySecret('GCS_Key'),
    `GcsAccess.keySecret: 'secretName' ("GCS_Key") must ${SUBDOMAIN}`],
  ['GcsAccess.keySecret key', () => GcsAccess.keySecret('gcs-key', 'key/json'),
    "GcsAccess.keySecret: 'key' (\"key/json\") must be a Secret/ConfigMap key: at most 253 letters, digits, '-', '_' or '.', not '.' or starting with '..'. "
    + "Fix: use the key as `kubectl describe secret` lists it, e.g. 'key.json'"],
  ['S3Credentials Secret name', () => S3Credentials.fromSecret('s3 creds'),
    `S3Credentials.fromSecret: 'secretName' ("s3 creds") must ${SUBDOMAIN}`],
  // GKE
  ['NodePool labels (reserved prefix)', (c) => new NodePool(c, 'pool', { cluster: cluster(c), labels: { 'node-role.kubernetes.io/serving': 'true' } }),
    "NodePool 'pool': 'labels.node-role.kubernetes.io/serving' (\"node-role.kubernetes.io/serving\") must not use the kubernetes.io/ or k8s.io/ prefix, which the "
    + 'NodeRestriction admission plugin refuses on node labels (only node.kubernetes.io/ and kubelet.kubernetes.io/ are allowed). Fix: use your own prefix, e.g. \'example.com/\''],
  ['NodePool taint key', (c) => new NodePool(c, 'pool', { cluster: cluster(c), taints: [{ key: 'dedicated to', value: 'ml', effect: kplus.TaintEffect.NO_SCHEDULE }] }),
    `NodePool 'pool': 'taints[0].key' ("dedicated to") must be a Kubernetes label key: ${KEY}. Fix: use a key such as 'example.com/role' or 'role'`],
  ['WorkloadIdentity namespace', (c) => new WorkloadIdentity(c, 'wi', { cluster: cluster(c), serviceAccountName: 'resnet', namespace: 'ML' }),
    "WorkloadIdentity 'wi': 'namespace' (\"ML\") must be a Kubernetes namespace name (a DNS label). Fix: use the namespace of the ServiceAccount"],
  // Istio
  ['IstioCanary gateway.selector', (c) => canary(c, { gateway: { hosts: ['resnet.example.com'], tlsSecretName: 'tls', selector: { 'istio gateway': 'x' } } }),
    `IstioCanary 'rollout': 'gateway.selector.istio gateway' ("istio gateway") must be a Kubernetes label key: ${KEY}. Fix: use a key such as 'example.com/role' or 'role'`],
  ['IstioCanary istioNamespace', (c) => canary(c, { istioNamespace: 'Istio-System' }),
    `IstioCanary 'rollout': 'istioNamespace' ("Istio-System") must ${LABEL}`],
  ['IstioCanary proxy.cpu', (c) => canary(c, { proxy: { cpu: kplus.Cpu.units(NaN) } }),
    "IstioCanary 'rollout': 'proxy.cpu' (\"NaN\") must be a Kubernetes quantity such as '500m', '2' or '4Gi'. Fix: write the amount with a Kubernetes suffix"],
  ['IstioCanary proxy.memory', (c) => canary(c, { proxy: { memory: Size.kibibytes(1536) } }),
    "IstioCanary 'rollout': 'proxy.memory' (\"1.5 MiB\") must be a whole number of MiB (it is written as MiB). Fix: use Size.mebibytes(2)"],
  ['IstioCanary outlierDetection NaN', (c) => canary(c, { outlierDetection: { interval: Duration.seconds(NaN) } }),
    "IstioCanary 'rollout': 'outlierDetection.interval' (\"NaNs\") must be at least 1 millisecond. Fix: use Duration.seconds(10)"],
  // Ops
  ['RequestLogging name', (c) => new RequestLogging(c, 'logs', { target: server(c), name: 'Access_Logs' }),
    `RequestLogging 'logs': 'name' ("Access_Logs") must ${SUBDOMAIN}`],
  ['RequestLogging providers', (c) => new RequestLogging(c, 'logs', { target: server(c), providers: [''] }),
    "RequestLogging 'logs': 'providers[0]' (\"\") must name an access-log provider of meshConfig.extensionProviders. Fix: use 'envoy'"],
  ['RequestLogging istioNamespace', (c) => new RequestLogging(c, 'logs', { target: server(c), istioNamespace: 'istio_system' }),
    `RequestLogging 'logs': 'istioNamespace' ("istio_system") must ${LABEL}`],
  ['LoadTest annotations', (c) => loadTest(c, { annotations: { 'run id': '1' } }),
    `LoadTest 'load': 'annotations.run id' ("run id") must be a Kubernetes annotation key: ${KEY}. Fix: use a key such as 'example.com/note'`],
  ['LoadTest image', (c) => loadTest(c, { image: 'Grafana/k6:1.0.0' }), `LoadTest 'load': 'image' ("Grafana/k6:1.0.0") must ${IMAGE}`],
  ['LoadTest istioNamespace', (c) => loadTest(c, { istioNamespace: 'Istio' }), `LoadTest 'load': 'istioNamespace' ("Istio") must ${LABEL}`],
  ['LoadTest Duration written as milliseconds', (c) => loadTest(c, { requestTimeout: Duration.millis(2.5) }),
    "LoadTest 'load': 'requestTimeout' (\"2.5ms\") must be a whole number of milliseconds (it is written as milliseconds). Fix: use Duration.millis(3)"],
  ['LoadTest Duration written as seconds', (c) => loadTest(c, { keepFinishedFor: Duration.millis(1500) }),
    "LoadTest 'load': 'keepFinishedFor' (\"1.5s\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(2)"],
  ['ServingAutoscaler Duration written as seconds', (c) => autoscaler(c, { scaleDownStabilization: Duration.millis(300500) }),
    "ServingAutoscaler 'scaler': 'scaleDownStabilization' (\"300.5s\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(301)"],
  ['ServingAutoscaler Duration NaN', (c) => autoscaler(c, { modelLoadTime: Duration.minutes(NaN) }),
    "ServingAutoscaler 'scaler': 'modelLoadTime' (\"NaNs\") must be a whole number of seconds (it is written as seconds). Fix: use Duration.seconds(0)"],
  ['ServingAlerts Duration written as milliseconds', (c) => new ServingAlerts(c, 'alerts', { target: server(c), p99Latency: Duration.millis(0.5) }),
    "ServingAlerts 'alerts': 'p99Latency' (\"0.5ms\") must be a whole number of milliseconds (it is written as milliseconds). Fix: use Duration.millis(1)"],
  ['ServingDashboard sidecarLabels', (c) => new ServingDashboard(c, 'dashboard', { target: server(c), sidecarLabels: { grafana_dashboard: 'yes please' } }),
    "ServingDashboard 'dashboard': 'sidecarLabels.grafana_dashboard' (\"yes please\") must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', "
    + 'starting and ending with a letter or digit. Fix: shorten or simplify the value'],
];

test.each(cases)('%s is refused at synth with the project message', (_name, build, message) => {
  const c = chart();
  expect(() => build(c)).toThrow(message);
});

test('the inputs next to each refused one are accepted and written (the rules are not over-strict)', () => {
  const c = chart();
  const digest = `sha256:${'0123abcd'.repeat(8)}`;
  server(c, {
    labels: { 'example.com/team': 'ml' }, priorityClassName: 'serving-high', tmpSize: Size.mebibytes(512),
    image: TfServingImage.custom(`us-docker.pkg.dev/acme/serving/tfs@${digest}`),
    drain: { preStopDelay: Duration.seconds(2), terminationGracePeriod: Duration.seconds(30) },
  });
  new NodePool(c, 'pool', { cluster: cluster(c), labels: { 'node.kubernetes.io/role': 'serving', 'example.com/pool': 'cpu' } });
  new RequestLogging(c, 'logs', { target: server(c, {}, 'logged'), name: 'access.logs', istioNamespace: 'istio-system' });
  new LoadTest(c, 'load', {
    target: server(c, {}, 'loaded'), payload: PAYLOAD, annotations: { 'example.com/run': '1' }, image: 'grafana/k6:1.0.0',
    requestTimeout: Duration.millis(2500), keepFinishedFor: Duration.hours(1),
  });
  const objects = synth(c);
  const deployment = only(objects, 'Deployment', 'resnet');
  expect(deployment.metadata.labels['example.com/team']).toBe('ml');
  expect(deployment.spec.template.spec.priorityClassName).toBe('serving-high');
  expect(deployment.spec.template.spec.containers[0].image).toBe(`us-docker.pkg.dev/acme/serving/tfs@${digest}`);
  expect(only(objects, 'ContainerNodePool').spec.nodeConfig.labels).toEqual({
    'node.kubernetes.io/role': 'serving', 'example.com/pool': 'cpu', 'tfserving-constructs.io/node-pool': 'pool',
  });
  expect(only(objects, 'Telemetry').metadata.name).toBe('access.logs');
  expect(only(objects, 'Job').spec.ttlSecondsAfterFinished).toBe(3600);
  expect(GcsAccess.keySecret('gcs-key', 'key.json').kind).toBe('key-secret');
});

/** Istio's and GKE's vocabularies (issue 19 item 4), exact messages. */
const vocabulary: [string, (c: Chart) => unknown, string][] = [
  ['IstioCanary retries.retryOn outside istiod\'s list', (c) => canary(c, { retries: { retryOn: 'connect-failure,5xx-only' } }),
    "IstioCanary 'rollout': 'retries.retryOn' (\"5xx-only\") must be a retry condition istiod accepts: an HTTP status code, or one of 5xx, gateway-error, reset, "
    + 'reset-before-request, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, envoy-ratelimited, http3-post-connect-failure, '
    + "cancelled, deadline-exceeded, internal, resource-exhausted, unavailable (comma-separated, no spaces). Fix: use e.g. 'connect-failure,refused-stream' (the default)"],
  ['IstioCanary retries.retryOn with a space (istiod does not trim)', (c) => canary(c, { retries: { retryOn: 'connect-failure, refused-stream' } }),
    "IstioCanary 'rollout': 'retries.retryOn' (\" refused-stream\") must be a retry condition istiod accepts"],
  ['IstioCanary retries.retryOn with a status Go does not name', (c) => canary(c, { retries: { retryOn: '599' } }),
    "IstioCanary 'rollout': 'retries.retryOn' (\"599\") must be a retry condition istiod accepts"],
  ['IstioCanary retries.retryOn with retries off', (c) => canary(c, { retries: { attempts: 0, retryOn: 'unavailable' } }),
    "IstioCanary 'rollout': 'retries.retryOn' (\"unavailable\") must not be set when retries.attempts is 0 (retries are off, and istiod refuses a retry policy "
    + 'with 0 attempts). Fix: remove retryOn, or set attempts to 1 or more'],
  ['IstioCanary gateway host in another namespace', (c) => canary(c, { gateway: { hosts: ['web/resnet.example.com'], tlsSecretName: 'tls' } }),
    "IstioCanary 'rollout': 'gateway.hosts' (\"web/resnet.example.com\") must name the IstioCanary's namespace ('ml'), '.' or '*': only VirtualServices in "
    + "namespace 'web' may bind to it, and the gateway routes live in 'ml'. Fix: use 'ml/resnet.example.com', './resnet.example.com' or 'resnet.example.com'"],
  ['IstioCanary gateway host namespace part', (c) => canary(c, { gateway: { hosts: ['ML/resnet.example.com'], tlsSecretName: 'tls' } }),
    "IstioCanary 'rollout': 'gateway.hosts' (\"ML/resnet.example.com\") must have a namespace part that is '*', '.' or a namespace name (istiod refuses others). "
    + 'Fix: write NAMESPACE/HOST, ./HOST, */HOST or just HOST'],
  ['IstioCanary gateway host: partial wildcard', (c) => canary(c, { gateway: { hosts: ['resnet*.example.com'], tlsSecretName: 'tls' } }),
    "IstioCanary 'rollout': 'gateway.hosts' (\"resnet*.example.com\") must be a host istiod accepts"],
  ['IstioCanary gateway host: short name', (c) => canary(c, { gateway: { hosts: ['resnet'], tlsSecretName: 'tls' } }),
    "IstioCanary 'rollout': 'gateway.hosts' (\"resnet\") must be a host istiod accepts"],
  ['IstioCanary gateway host: numeric top-level domain', (c) => canary(c, { gateway: { hosts: ['resnet.example.123'], tlsSecretName: 'tls' } }),
    "IstioCanary 'rollout': 'gateway.hosts' (\"resnet.example.123\") must be a host istiod accepts"],
  ['MachineType: odd vCPU count on N2', () => MachineType.of('n2-custom-3-3072'),
    "MachineType.of: 'name' (\"n2-custom-3-3072\") must have a vCPU count Compute Engine offers for N2 custom machine types (an even number from 2 to 32, "
    + 'or a multiple of 4 from 36 to 128; 3 is not). Fix: use n2-custom-4-3072 or another allowed count'],
  ['MachineType: N2 above 32 vCPUs not a multiple of 4', () => MachineType.of('n2-custom-34-34816'),
    "MachineType.of: 'name' (\"n2-custom-34-34816\") must have a vCPU count Compute Engine offers for N2 custom machine types"],
  ['MachineType: N2D vCPU count between 16 and 32', () => MachineType.of('n2d-custom-24-24576'),
    "MachineType.of: 'name' (\"n2d-custom-24-24576\") must have a vCPU count Compute Engine offers for N2D custom machine types (2, 4, 8 or 16, "
    + 'or a multiple of 16 up to 96; 24 is not). Fix: use n2d-custom-32-24576 or another allowed count'],
  ['MachineType: N2D above 96 vCPUs', () => MachineType.of('n2d-custom-112-114688'),
    "MachineType.of: 'name' (\"n2d-custom-112-114688\") must have a vCPU count Compute Engine offers for N2D custom machine types (2, 4, 8 or 16, "
    + 'or a multiple of 16 up to 96; 112 is not)'],
  ['MachineType: odd vCPU count on N1', () => MachineType.of('custom-3-3840'),
    "MachineType.of: 'name' (\"custom-3-3840\") must have a vCPU count Compute Engine offers for N1 custom machine types (1 or an even number up to 96; 3 is not)"],
  ['MachineType: memory per vCPU above the N1 range', () => MachineType.of('n1-custom-2-20480'),
    "MachineType.of: 'name' (\"n1-custom-2-20480\") must have between 0.9 and 6.5 GB of memory per vCPU for N1 (10 GB per vCPU). "
    + 'Fix: use between 2048 and 13312 MiB for 2 vCPUs, or append -ext for extended memory'],
  ['MachineType: memory per vCPU below the E2 range', () => MachineType.of('e2-custom-4-1024'),
    "MachineType.of: 'name' (\"e2-custom-4-1024\") must have between 0.5 and 8 GB of memory per vCPU for E2 (0.25 GB per vCPU). "
    + 'Fix: use between 2048 and 32768 MiB for 4 vCPUs'],
  ['MachineType: memory not a multiple of 256 MiB', () => MachineType.of('n2d-custom-4-5000'),
    "MachineType.of: 'name' (\"n2d-custom-4-5000\") must have memory in a multiple of 256 MiB (5000 MiB is not). Fix: use 5120 MiB"],
  ['MachineType: extended memory on E2', () => MachineType.of('e2-custom-4-65536-ext'),
    "MachineType.of: 'name' (\"e2-custom-4-65536-ext\") must not ask for extended memory: E2 custom machine types have none. Fix: drop -ext and stay within the memory per vCPU"],
  ['MachineType: extended memory above the N1 total', () => MachineType.of('n1-custom-8-655360-ext'),
    "MachineType.of: 'name' (\"n1-custom-8-655360-ext\") must have at most 624 GB of memory with extended memory on N1 (640 GB requested). "
    + 'Fix: use at most 638976 MiB, or a memory-optimized machine type (M1, M2, M3) for more'],
  ['MachineType: extended memory above the N2 total', () => MachineType.of('n2-custom-128-885760-ext'),
    "MachineType.of: 'name' (\"n2-custom-128-885760-ext\") must have at most 864 GB of memory with extended memory on N2 (865 GB requested). "
    + 'Fix: use at most 884736 MiB, or a memory-optimized machine type (M1, M2, M3) for more'],
  ['MachineType: extended memory above the N2D total', () => MachineType.of('n2d-custom-16-786688-ext'),
    "MachineType.of: 'name' (\"n2d-custom-16-786688-ext\") must have at most 768 GB of memory with extended memory on N2D (768.25 GB requested). "
    + 'Fix: use at most 786432 MiB, or a memory-optimized machine type (M1, M2, M3) for more'],
  ['A server placed on a pool with a fixed size of zero', (c) => server(c, { nodePool: new NodePool(c, 'pool', { cluster: cluster(c), nodeCount: 0 }) }),
    "TfServingModel 'resnet': 'nodePool' (\"pool\") must be a pool that can have nodes ('pool' has a fixed size of nodeCount: 0, and no autoscaler adds one), or the "
    + "pods stay Pending. Fix: give 'pool' nodeCount: 1 or more, or minNodes/maxNodes, or place the workload on another pool"],
  ['NodePool serviceAccount with a project ID GCP refuses', (c) => new NodePool(c, 'pool', { cluster: cluster(c), serviceAccount: 'nodes@acme.iam.gserviceaccount.com' }),
    "NodePool 'pool': 'serviceAccount' (\"nodes@acme.iam.gserviceaccount.com\") must be a Google service account email (NAME@PROJECT.iam.gserviceaccount.com). "
    + 'Fix: copy the email from `gcloud iam service-accounts list`'],
  ['GcsAccess.workloadIdentity with a project ID GCP refuses', () => GcsAccess.workloadIdentity('serving@1acme-ml.iam.gserviceaccount.com'),
    "GcsAccess.workloadIdentity: 'googleServiceAccountEmail' (\"serving@1acme-ml.iam.gserviceaccount.com\") must be a Google service account email"],
  ['WorkloadIdentity project', (c) => new WorkloadIdentity(c, 'wi', { cluster: cluster(c), serviceAccountName: 'resnet', namespace: 'ml', project: 'acme-ml-' }),
    "WorkloadIdentity 'wi': 'project' (\"acme-ml-\") must be a Google Cloud project ID: 6 to 30 lower-case letters, digits or '-', starting with a letter and not "
    + 'ending with \'-\'. Fix: use the project ID (not its name or number), as `gcloud projects list` shows it'],
];

test.each(vocabulary)('%s is refused at synth with the project message', (_name, build, message) => {
  const c = chart();
  expect(() => build(c)).toThrow(message);
});

test('Istio Gateway hosts istiod accepts are accepted: *, *.example.com, NAMESPACE/host, ./host, */host, an IP; the VirtualService gets the host part', () => {
  const c = chart();
  canary(c, {
    gateway: { hosts: ['*', '*.example.com', 'ml/resnet.example.com', './api.example.com', '*/edge.example.com', '10.0.0.1', 'fqdn.example.com.'], tlsSecretName: 'tls' },
  });
  const objects = synth(c);
  expect(only(objects, 'Gateway').spec.servers[0].hosts).toEqual(['*', '*.example.com', 'ml/resnet.example.com', './api.example.com', '*/edge.example.com', '10.0.0.1', 'fqdn.example.com.']);
  expect(only(objects, 'VirtualService', 'rollout-gateway').spec.hosts).toEqual(['*', '*.example.com', 'resnet.example.com', 'api.example.com', 'edge.example.com', '10.0.0.1', 'fqdn.example.com.']);
});

test('retry conditions and custom machine types GKE and istiod accept are accepted', () => {
  const c = chart();
  canary(c, { retries: { attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,503,retriable-status-codes' } });
  const route = only(synth(c), 'VirtualService', 'rollout').spec.http[0];
  expect(route.retries.retryOn).toBe('connect-failure,refused-stream,unavailable,503,retriable-status-codes');
  expect(['custom-1-1024', 'n1-custom-96-159744', 'n2-custom-36-36864', 'n2-custom-2-16384', 'n2d-custom-4-2048', 'e2-custom-32-131072', 'n1-custom-2-20480-ext']
    .map((n) => MachineType.of(n).vcpu)).toEqual([1, 96, 36, 2, 4, 32, 2]);
});

/** Props that contradict each other or round to nothing (issue 19 item 5), exact messages. */
const contradictions: [string, (c: Chart) => unknown, string][] = [
  ['RequestLogging samplePercent that rounds to logging nothing', (c) => new RequestLogging(c, 'logs', { target: server(c), samplePercent: 0.1 }),
    "RequestLogging 'logs': 'samplePercent' (0.1) must be 0 or at least 0.2: sampling goes in steps of 1/256 (0.39 %), and a smaller share rounds to logging "
    + 'nothing. Fix: use 0.4 (one request in 256), or 0 to log only failures'],
  ['RequestLogging in another namespace than its target', (c) => new RequestLogging(new Chart(c.node.scope as any, 'ops', { namespace: 'ops' }), 'logs', { target: server(c) }),
    "RequestLogging 'logs': 'target' (\"resnet\") must be in the namespace of the RequestLogging (\"ops\", not \"ml\"): a Telemetry's workload selector matches pods "
    + 'of its own namespace only. Fix: create the RequestLogging in the chart of its target'],
  ['IstioCanary mirrorPercent below what istiod accepts', (c) => canary(c, { mirrorPercent: 0.00001 }),
    "IstioCanary 'rollout': 'mirrorPercent' (0.00001) must be 0 or at least 0.0001 (istiod refuses a smaller mirror percentage). Fix: use 0 to mirror nothing, or 0.0001 or more"],
  ['IstioCanary the same version label for stable and canary', (c) => new IstioCanary(c, 'rollout', {
    stable: server(c, { models: [{ ...RESNET, versionLabels: { stable: 1, canary: 2 } }] }), labelRouting: { stableLabel: 'v', canaryLabel: 'v' }, allowFrom: [MeshCaller.namespace('apps')],
  }), "IstioCanary 'rollout': 'labelRouting' (\"stableLabel = canaryLabel = 'v'\") must name two different version labels"],
];

test.each(contradictions)('%s is refused at synth with the project message', (_name, build, message) => {
  const c = chart();
  expect(() => build(c)).toThrow(message);
});
