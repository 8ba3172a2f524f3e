import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import {
  BatchingConfig, GcsAccess, HttpsEgress, ModelSource, S3Credentials, Scraper, TfServingImage, TfServingModel, TfServingModelProps, VersionPolicy,
} from '../../lib';
import { containerOf, flagsOf, only, synth } from '../support/synth';
import { parseBatchingParameters, parseModelServerConfig, parseMonitoringConfig } from '../support/textproto';
import { assertValid } from '../support/validate';

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const RESNET = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };

function model(props: Partial<TfServingModelProps> = {}, id: string = 'resnet') {
  const chart = Testing.chart();
  const m = new TfServingModel(chart, id, { models: [RESNET], gcsAccess: WI, ...props });
  return { chart, model: m };
}

function build(props: Partial<TfServingModelProps> = {}) {
  const { chart, model: m } = model(props);
  return { model: m, objects: synth(chart) };
}

const configData = (objects: any[], name = 'resnet-config') => only(objects, 'ConfigMap', name).data;

describe('defaults', () => {
  test('snapshot', () => {
    // GIVEN one model on GCS with Workload Identity, every other prop left out
    const { objects } = build();
    // THEN the full output is as documented in the README's defaults table
    expect(objects).toMatchSnapshot();
  });

  test('objects: ServiceAccount, ConfigMap, Deployment, Service, PodDisruptionBudget, NetworkPolicy; no HPA or scrape object', () => {
    const { objects } = build();
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect(objects.every((o) => o.metadata.name.startsWith('resnet'))).toBe(true);
  });

  test('the model config file is a ModelServerConfig text proto, mounted and passed with --model_config_file', () => {
    const { objects } = build();
    const c = containerOf(objects);
    expect(flagsOf(c).model_config_file).toBe('/etc/tfserving/models.config');
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/tfserving', name: 'config', readOnly: true });
    expect(only(objects, 'Deployment').spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'resnet-config' } });
    expect(parseModelServerConfig(configData(objects)['models.config'])).toEqual({
      model_config_list: { config: [{ name: 'resnet', base_path: 'gs://acme-models/resnet', model_platform: 'tensorflow' }] },
    });
  });

  test('metrics on by default: monitoring file, no scrape object', () => {
    const { objects } = build();
    expect(flagsOf(containerOf(objects)).monitoring_config_file).toBe('/etc/tfserving/monitoring.config');
    expect(parseMonitoringConfig(configData(objects)['monitoring.config'])).toEqual({
      prometheus_config: { enable: true, path: '/monitoring/prometheus/metrics' },
    });
  });

  test('the server flags: ports, config files, a 60 s poll, threads from the 2-CPU request', () => {
    const { objects, model: m } = build();
    const c = containerOf(objects);
    expect(c.command).toEqual(['/usr/bin/tensorflow_model_server']);
    expect(c.args).toEqual([
      '--port=8500',
      '--rest_api_port=8501',
      '--model_config_file=/etc/tfserving/models.config',
      '--file_system_poll_wait_seconds=60',
      '--monitoring_config_file=/etc/tfserving/monitoring.config',
      '--tensorflow_intra_op_parallelism=2',
      '--tensorflow_inter_op_parallelism=1',
      '--rest_api_num_threads=8',
      '--grpc_max_threads=128',
    ]);
    expect(m.serverArgs).toEqual(c.args);
    expect(m.threads).toEqual({ intraOp: 2, interOp: 1, restApi: 8, grpcMax: 128, batch: 2 });
  });

  test('image pinned to the default release', () => {
    expect(containerOf(build().objects).image).toBe('tensorflow/serving:2.20.0');
  });

  test('resources: 2 CPU and 4 GiB, requests equal limits', () => {
    expect(containerOf(build().objects).resources).toEqual({
      requests: { cpu: '2', memory: '4096Mi' }, limits: { cpu: '2', memory: '4096Mi' },
    });
  });

  test('startup and readiness probes hit the model status endpoint on the REST port; startup allows 10 minutes', () => {
    const c = containerOf(build().objects);
    const httpGet = { path: '/v1/models/resnet', port: 8501, scheme: 'HTTP' };
    expect(c.startupProbe).toEqual({ httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 });
    expect(c.readinessProbe).toEqual({ httpGet, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
  });

  test('liveness does not share the REST worker pool: a TCP connect to the gRPC port', () => {
    const c = containerOf(build({ grpcPort: 9000 }).objects);
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 9000 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 });
    expect(c.livenessProbe.httpGet).toBeUndefined();
  });

  test('the rollout deadline outlasts the startup budget (node scale-up, image pull, model load)', () => {
    expect(only(build().objects, 'Deployment').spec.progressDeadlineSeconds).toBe(600 + 300);
    expect(only(build({ probes: { startupTimeout: Duration.minutes(30) } }).objects, 'Deployment').spec.progressDeadlineSeconds).toBe(1800 + 300);
  });

  test('an Istio sidecar drains for the whole grace period', () => {
    const annotations = only(build().objects, 'Deployment').spec.template.metadata.annotations;
    expect(JSON.parse(annotations['proxy.istio.io/config'])).toEqual({ terminationDrainDuration: '45s' });
  });

  test('graceful drain: preStop pause, grace period, surge-only rolling update', () => {
    const d = only(build().objects, 'Deployment');
    expect(d.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sleep', '15'] } } });
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(d.spec.replicas).toBe(2);
  });

  test('security: non-root, read-only root with writable /tmp, no capabilities, seccomp RuntimeDefault, no token', () => {
    const { objects } = build();
    const pod = only(objects, 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
      runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toEqual({
      fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', runAsGroup: 1000, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.volumeMounts).toContainEqual({ mountPath: '/tmp', name: 'tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(only(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('Service ports named for Istio protocol selection, selecting the pods by stable labels', () => {
    const { objects, model: m } = build();
    const svc = only(objects, 'Service');
    expect(svc.spec.ports).toEqual([
      { name: 'grpc', port: 8500, targetPort: 8500, protocol: 'TCP' },
      { name: 'http', port: 8501, targetPort: 8501, protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': 'resnet' });
    expect(only(objects, 'Deployment').spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(m.grpcAddress).toBe('resnet:8500');
    expect(m.restUrl).toBe('http://resnet:8501');
  });

  test('PodDisruptionBudget allows one pod down', () => {
    expect(only(build().objects, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': 'resnet' } },
    });
  });

  test('topology spread across zones and nodes', () => {
    const spread = only(build().objects, 'Deployment').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((s: any) => [s.topologyKey, s.maxSkew, s.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'], ['kubernetes.io/hostname', 1, 'ScheduleAnyway'],
    ]);
  });

  test('NetworkPolicy admits the server\'s own namespace to the serving ports and the scraper to REST; egress to DNS, HTTPS and the metadata server', () => {
    const np = only(build().objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    // Not the whole cluster: any pod admitted could call the admin RPC (HandleReloadConfigRequest) on the gRPC port.
    expect(np.spec.ingress).toEqual([
      { from: [{ podSelector: {} }], ports: [{ port: 8500, protocol: 'TCP' }, { port: 8501, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 8501, protocol: 'TCP' }] },
    ]);
    expect(np.spec.egress).toEqual([
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: '169.254.169.252/32' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 988, protocol: 'TCP' }] },
    ]);
  });

  test('defaultChild is the Deployment: ApiObject.of(model) reaches it', () => {
    const { model: m } = model();
    expect(m.node.defaultChild).toBe(m.deployment);
    expect(ApiObject.of(m).kind).toBe('Deployment');
  });
});

describe('props', () => {
  test('name overrides the construct id for every object', () => {
    const { objects } = build({ name: 'vision' });
    expect(objects.map((o) => o.metadata.name).sort()).toEqual(['vision', 'vision', 'vision', 'vision', 'vision', 'vision-config']);
  });

  test('image: GPU build and custom images', () => {
    expect(containerOf(build({ image: TfServingImage.of('2.16.1') }).objects).image).toBe('tensorflow/serving:2.16.1');
    expect(containerOf(build({ image: TfServingImage.custom('acme/tfs@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd') }).objects).image).toBe('acme/tfs@sha256:0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd');
  });

  test('resources: threads follow the CPU request; {} emits no resources', () => {
    const { objects, model: m } = build({ resources: { cpu: { request: kplus.Cpu.millis(6500) }, memory: { request: Size.gibibytes(2) } } });
    expect(containerOf(objects).resources).toEqual({ requests: { cpu: '6500m', memory: '2048Mi' } });
    expect(m.threads).toEqual({ intraOp: 7, interOp: 4, restApi: 28, grpcMax: 128, batch: 7 });
    expect(containerOf(build({ resources: {} }).objects).resources).toBeUndefined();
  });

  test('replicas', () => {
    expect(only(build({ replicas: 5 }).objects, 'Deployment').spec.replicas).toBe(5);
  });

  test('autoscaling: HPA on CPU, no fixed replicas', () => {
    const { objects, model: m } = build({ autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70 } });
    expect(only(objects, 'Deployment').spec.replicas).toBeUndefined();
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'resnet' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(m.autoscaler).toBeDefined();
  });

  test('batching: --enable_batching, the file in wrapper syntax, batch threads and queue from the CPU request', () => {
    const { objects, model: m } = build({
      batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2), allowedBatchSizes: [8, 16, 32] }),
    });
    const flags = flagsOf(containerOf(objects));
    expect(flags.enable_batching).toBe('true');
    expect(flags.batching_parameters_file).toBe('/etc/tfserving/batching.config');
    expect(flags.enable_per_model_batching_parameters).toBeUndefined();
    const text = configData(objects)['batching.config'];
    expect(text).toBe(m.batchingFile);
    expect(parseBatchingParameters(text)).toEqual({
      max_batch_size: { value: 32 }, batch_timeout_micros: { value: 2000 }, max_enqueued_batches: { value: 2 },
      num_batch_threads: { value: 2 }, allowed_batch_sizes: [8, 16, 32],
    });
  });

  test('batching: explicit thread count and queue length win', () => {
    const { objects } = build({ batching: new BatchingConfig({ maxBatchSize: 8, numBatchThreads: 6, maxEnqueuedBatches: 100 }) });
    expect(parseBatchingParameters(configData(objects)['batching.config'])).toMatchObject({ num_batch_threads: { value: 6 }, max_enqueued_batches: { value: 100 } });
  });

  test('per-model batching: flag, and the batching_params.pbtxt texts in their own ConfigMap', () => {
    const b = new BatchingConfig({ maxBatchSize: 16 });
    const { objects, model: m } = build({
      batching: new BatchingConfig({ maxBatchSize: 64 }),
      models: [{ ...RESNET, batching: b }, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }],
    });
    expect(flagsOf(containerOf(objects)).enable_per_model_batching_parameters).toBe('true');
    const data = only(objects, 'ConfigMap', 'resnet-model-batching').data;
    expect(Object.keys(data).sort()).toEqual(['bert.batching_params.pbtxt', 'resnet.batching_params.pbtxt']);
    expect(parseBatchingParameters(data['resnet.batching_params.pbtxt'])).toMatchObject({ max_batch_size: { value: 16 } });
    expect(m.perModelBatchingFiles).toEqual(data);
  });

  test('per-model batching: a model without its own parameters gets the server-level ones as its file (GetPerModelBatchingParams would serve it unbatched)', () => {
    const { objects, model: m } = build({
      batching: new BatchingConfig({ maxBatchSize: 64 }),
      models: [{ ...RESNET, batching: new BatchingConfig({ maxBatchSize: 16 }) }, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }],
    });
    const data = only(objects, 'ConfigMap', 'resnet-model-batching').data;
    expect(data['bert.batching_params.pbtxt']).toBe(configData(objects)['batching.config']);
    expect(parseBatchingParameters(data['bert.batching_params.pbtxt'])).toMatchObject({ max_batch_size: { value: 64 } });
    expect(m.perModelBatchingFiles['bert.batching_params.pbtxt']).toBe(m.batchingFile);
  });

  test('monitoring: ServiceMonitor selecting the Service on the http port', () => {
    const { objects } = build({ monitoring: { scraper: Scraper.SERVICE_MONITOR, interval: Duration.seconds(15) } });
    const sm = only(objects, 'ServiceMonitor');
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.spec).toEqual({
      selector: { matchLabels: only(objects, 'Service').spec.selector },
      endpoints: [{ port: 'http', path: '/monitoring/prometheus/metrics', interval: '15s' }],
    });
    expect(only(objects, 'Service').metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
  });

  test('monitoring: Managed Prometheus PodMonitoring with a custom path', () => {
    const { objects } = build({ monitoring: { scraper: Scraper.POD_MONITORING, path: '/metrics' } });
    const pm = only(objects, 'PodMonitoring');
    expect(pm.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(pm.spec).toEqual({ selector: { matchLabels: only(objects, 'Service').spec.selector }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] });
    expect(parseMonitoringConfig(configData(objects)['monitoring.config'])).toEqual({ prometheus_config: { enable: true, path: '/metrics' } });
  });

  test('monitoring disabled: no flag, no file', () => {
    const { objects, model: m } = build({ monitoring: { enabled: false } });
    expect(flagsOf(containerOf(objects)).monitoring_config_file).toBeUndefined();
    expect(Object.keys(configData(objects))).toEqual(['models.config']);
    expect(m.monitoringFile).toBeUndefined();
  });

  test('threads: overrides, and session parallelism alone replaces intra/inter-op', () => {
    let flags = flagsOf(containerOf(build({ threads: { intraOp: 3, interOp: 3, restApi: 2, grpcMax: 5 } }).objects));
    expect([flags.tensorflow_intra_op_parallelism, flags.tensorflow_inter_op_parallelism, flags.rest_api_num_threads, flags.grpc_max_threads]).toEqual(['3', '3', '2', '5']);
    flags = flagsOf(containerOf(build({ threads: { session: 4 } }).objects));
    expect(flags.tensorflow_session_parallelism).toBe('4');
    expect(flags.tensorflow_intra_op_parallelism).toBeUndefined();
    expect(flags.tensorflow_inter_op_parallelism).toBeUndefined();
  });

  test('ports', () => {
    const { objects } = build({ grpcPort: 9000, restPort: 9001 });
    const c = containerOf(objects);
    expect([flagsOf(c).port, flagsOf(c).rest_api_port]).toEqual(['9000', '9001']);
    expect(c.ports).toEqual([{ name: 'grpc', containerPort: 9000, protocol: 'TCP' }, { name: 'http', containerPort: 9001, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet.port).toBe(9001);
  });

  test('fileSystemPollInterval and modelConfigPollInterval', () => {
    const flags = flagsOf(containerOf(build({ fileSystemPollInterval: Duration.minutes(5), modelConfigPollInterval: Duration.seconds(30) }).objects));
    expect(flags.file_system_poll_wait_seconds).toBe('300');
    expect(flags.model_config_file_poll_wait_seconds).toBe('30');
  });

  test('the config hash rolls pods on a config change, but not on a model-list change when the config file is polled', () => {
    const hash = (props: Partial<TfServingModelProps>) => only(build(props).objects, 'Deployment').spec.template.metadata.annotations['tfserving-constructs.io/config-hash'];
    const other = [{ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }];
    expect(hash({})).toMatch(/^[0-9a-f]{16}$/);
    expect(hash({ models: other })).not.toBe(hash({}));
    expect(hash({ batching: new BatchingConfig({ maxBatchSize: 8 }) })).not.toBe(hash({}));
    const polled = Duration.seconds(30);
    expect(hash({ models: other, modelConfigPollInterval: polled })).toBe(hash({ modelConfigPollInterval: polled }));
  });

  test('version labels in the start-up config come with --allow_version_labels_for_unavailable_models (server_core.cc UpdateModelVersionLabelMap)', () => {
    const labelled = flagsOf(containerOf(build({
      models: [{ ...RESNET, versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { stable: 1, canary: 2 } }],
    }).objects));
    expect(labelled.allow_version_labels_for_unavailable_models).toBe('true');
    expect(flagsOf(containerOf(build().objects)).allow_version_labels_for_unavailable_models).toBeUndefined();
    // A label on a model added later turns the flag on as well.
    const { chart, model: m } = model();
    m.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert'), versionPolicy: VersionPolicy.specific(3), versionLabels: { stable: 3 } });
    expect(flagsOf(containerOf(synth(chart))).allow_version_labels_for_unavailable_models).toBe('true');
  });

  test('extraArgs are checked against the image release\'s flag table and typed as TF\'s flag parser reads them', () => {
    expect(() => build({ image: TfServingImage.of('2.18.0'), extraArgs: { enable_serialization_as_tensor_content: 'true' } })).toThrow(
      "TfServingModel 'resnet': 'extraArgs.enable_serialization_as_tensor_content' (\"--enable_serialization_as_tensor_content\") must be a flag of tensorflow_model_server 2.18.0");
    expect(flagsOf(containerOf(build({ extraArgs: { enable_serialization_as_tensor_content: 'true' } }).objects)).enable_serialization_as_tensor_content).toBe('true');
    expect(() => build({ extraArgs: { enable_model_warmup: 'yes' } })).toThrow(
      "TfServingModel 'resnet': 'extraArgs.enable_model_warmup' (\"yes\") must be true or false (TensorFlow's flag parser accepts no other spelling): "
      + '--enable_model_warmup is a bool flag and the server exits on a value its flag parser refuses. Fix: give --enable_model_warmup a bool value');
  });

  test('--platform_config_file: derived thread flags are left out, batching is refused (server.cc ignores both then)', () => {
    const flags = flagsOf(containerOf(build({ extraArgs: { platform_config_file: '/etc/platform.config' } }).objects));
    expect(flags.platform_config_file).toBe('/etc/platform.config');
    expect(flags.tensorflow_intra_op_parallelism).toBeUndefined();
    expect(flags.tensorflow_inter_op_parallelism).toBeUndefined();
    expect(() => build({ batching: new BatchingConfig({ maxBatchSize: 8 }), extraArgs: { platform_config_file: '/etc/platform.config' } })).toThrow(
      "TfServingModel 'resnet': 'batching' (\"--enable_batching=true\") must not be combined with --platform_config_file: server.cc then reads batching and session "
      + 'settings from the platform config file and ignores this flag. Fix: put the batching and session settings into the platform config file and drop the prop, '
      + 'or remove platform_config_file from extraArgs');
    expect(() => build({ threads: { intraOp: 2 }, extraArgs: { platform_config_file: '/etc/platform.config' } })).toThrow(
      "TfServingModel 'resnet': 'threads.intraOp' (\"--tensorflow_intra_op_parallelism=2\") must not be combined with --platform_config_file");
  });

  test('--grpc_max_threads admits what the batch queues hold, never 4 × CPU (8 at the defaults rejected ordinary load)', () => {
    const batching = new BatchingConfig({ maxBatchSize: 64 });
    // 2 CPUs: 2 batch threads, 2 enqueued batches: 64 × (2 + 2) = 256 admitted calls.
    const { objects, model: m } = build({ batching });
    expect(flagsOf(containerOf(objects)).grpc_max_threads).toBe('256');
    expect(m.grpcMaxThreads).toBe(256);
    // A second model queues on its own: 2 × 64 × 2 + 2 × 64.
    const { chart, model: two } = model({ batching });
    two.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') });
    expect(flagsOf(containerOf(synth(chart))).grpc_max_threads).toBe('384');
    expect(() => build({ batching, threads: { grpcMax: 100 } })).toThrow(
      "TfServingModel 'resnet': 'threads.grpcMax' (100) must be at least what the batch queues admit (256: maxBatchSize × maxEnqueuedBatches per loaded "
      + 'model version plus numBatchThreads × maxBatchSize): gRPC fails calls beyond --grpc_max_threads at once with RESOURCE_EXHAUSTED, and every queued request holds one. '
      + 'Fix: raise threads.grpcMax to 256 or more, or leave it out to size it from the batching');
    // TF Serving wraps every loaded version in its own batching session, each with its own queue
    // (bundle_factory_util.cc WrapSessionForBatching): two versions queue twice. 2 × 64 × 2 + 2 × 64 = 384.
    const { objects: two2 } = build({ batching, models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.latest(2) }] });
    expect(flagsOf(containerOf(two2)).grpc_max_threads).toBe('384');
    const { objects: three } = build({ batching, models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.specific(1, 2, 3) }] });
    expect(flagsOf(containerOf(three)).grpc_max_threads).toBe('512');
    expect(() => build({ batching, models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.all() }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].versionPolicy' (\"VersionPolicy.all()\") must load a known number of versions for --grpc_max_threads to be derived: "
      + 'each loaded version has batch queues of its own, and calls beyond the cap fail at once with RESOURCE_EXHAUSTED. '
      + 'Fix: use VersionPolicy.latest(n) or specific(…), or set threads.grpcMax to what the queues of all loaded versions admit');
    expect(() => build({ batching, threads: { grpcMax: 1000 }, models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.all() }] }))
      .not.toThrow();
  });

  test('refuses a model source that points into a version directory', () => {
    expect(() => build({ models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet/3') }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].basePath' (\"gs://acme-models/resnet/3\") must not end in a version directory ('3')");
    expect(() => build({ models: [{ name: 'resnet', source: ModelSource.pvc('models', 'resnet/saved_model.pb') }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].basePath' (\"/models/models/resnet/saved_model.pb\") must be the model directory that holds the version directories");
  });

  test('numbers the API server or TF Serving reject: int32 counts, negative or NaN quantities, requests above limits', () => {
    expect(() => build({ replicas: 2 ** 31 })).toThrow(
      "TfServingModel 'resnet': 'replicas' (2147483648) must be at most 2147483647 (an int32 in the Kubernetes API; the API server refuses more). Fix: use a realistic count, e.g. 2");
    expect(() => build({ autoscaling: { minReplicas: 2, maxReplicas: 2 ** 31 } })).toThrow(
      "TfServingModel 'resnet': 'autoscaling.maxReplicas' (2147483648) must be at most 2147483647 (an int32 in the Kubernetes API; the API server refuses more). "
      + 'Fix: use a realistic bound, e.g. 10');
    expect(() => build({ batching: new BatchingConfig({ maxBatchSize: 2 ** 31 }) })).toThrow(
      "BatchingConfig: 'maxBatchSize' (2147483648) must be at most 2147483647 (TF Serving reads it into a 32-bit int). Fix: set the largest batch the model can take, e.g. 32");
    expect(() => build({ resources: { cpu: { request: kplus.Cpu.units(-1) } } })).toThrow(
      "TfServingModel 'resnet': 'resources.cpu.request' (\"-1000m\") must be a finite quantity of 0 or more. Fix: use e.g. kplus.Cpu.units(2)");
    expect(() => build({ resources: { cpu: { request: kplus.Cpu.millis(NaN) } } })).toThrow(
      "TfServingModel 'resnet': 'resources.cpu.request' (\"NaNm\") must be a finite quantity of 0 or more");
    expect(() => build({ resources: { memory: { request: Size.gibibytes(NaN) } } })).toThrow(
      "TfServingModel 'resnet': 'resources.memory.request' (\"NaN bytes\") must be a finite quantity of 0 or more. Fix: use e.g. Size.gibibytes(4)");
    expect(() => build({ resources: { cpu: { request: kplus.Cpu.units(4), limit: kplus.Cpu.units(2) } } })).toThrow(
      "TfServingModel 'resnet': 'resources.cpu.request' (\"4000m\") must be at most the limit (2000m); the API server refuses a request above its limit. "
      + 'Fix: lower the request or raise the limit (equal values give Guaranteed QoS)');
    expect(() => build({ resources: { memory: { request: Size.gibibytes(8), limit: Size.gibibytes(4) } } })).toThrow(
      "TfServingModel 'resnet': 'resources.memory.request' (\"8589934592 bytes\") must be at most the limit (4294967296 bytes)");
  });

  test('security.user: not root, not negative, not Istio\'s proxy uid on a meshed server', () => {
    expect(() => build({ security: { user: 0 } })).toThrow(
      "TfServingModel 'resnet': 'security.user' (0) must be a whole uid of at least 1 (the pod runs as non-root; the kubelet refuses uid 0 and the API server a negative one). Fix: use 1000");
    expect(() => build({ security: { user: -5 } })).toThrow("TfServingModel 'resnet': 'security.user' (-5) must be a whole uid of at least 1");
    expect(() => build({ security: { group: -1 } })).toThrow("TfServingModel 'resnet': 'security.group' (-1) must be a whole gid of 0 or more. Fix: use 1000");
    // Outside the mesh, 1337 is an ordinary uid.
    expect(() => build({ security: { user: 1337 } })).not.toThrow();
    const { chart, model: m } = model({ security: { user: 1337 } });
    m.deployment.podMetadata.addLabel('tfserving-constructs.io/canary', 'resnet');
    expect(() => synth(chart)).toThrow(
      "TfServingModel 'resnet': 'security.user' (1337) must not be Istio's proxy uid on a server in the mesh: istio-iptables exempts that uid's traffic from the "
      + 'sidecar. Fix: run the server as another uid, e.g. 1000');
  });

  test('refuses allowVersionLabelsForUnavailableModels: false with labels (the server would stop at start)', () => {
    expect(() => build({
      allowVersionLabelsForUnavailableModels: false,
      models: [{ ...RESNET, versionPolicy: VersionPolicy.specific(1), versionLabels: { stable: 1 } }],
    })).toThrow(
      "TfServingModel 'resnet': 'allowVersionLabelsForUnavailableModels' (false) must not be false while model 'resnet' has version labels: TF Serving assigns "
      + 'labels before the first load and stops at start without the flag. Fix: remove allowVersionLabelsForUnavailableModels (the flag is set for labelled models), or remove the labels');
  });

  test('allowVersionLabelsForUnavailableModels', () => {
    const { objects } = build({
      allowVersionLabelsForUnavailableModels: true,
      models: [{ ...RESNET, versionPolicy: VersionPolicy.specific(1), versionLabels: { canary: 2 } }],
    });
    expect(flagsOf(containerOf(objects)).allow_version_labels_for_unavailable_models).toBe('true');
    expect(parseModelServerConfig(configData(objects)['models.config'])).toMatchObject({
      model_config_list: { config: [{ version_labels: { canary: 2 }, model_version_policy: { specific: { versions: [1] } } }] },
    });
  });

  test('gcsAccess: Workload Identity annotates the ServiceAccount', () => {
    expect(only(build().objects, 'ServiceAccount').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'serving@acme-ml.iam.gserviceaccount.com' });
  });

  test('gcsAccess: a key Secret mounted read-only with GOOGLE_APPLICATION_CREDENTIALS', () => {
    const { objects } = build({ gcsAccess: GcsAccess.keySecret('gcs-reader', 'sa.json') });
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].env).toEqual([{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/google/sa.json' }]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/var/secrets/google', name: 'gcs-key', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'gcs-key', secret: { secretName: 'gcs-reader' } });
    expect(only(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
  });

  test('gcsAccess: node service account adds nothing', () => {
    const { objects } = build({ gcsAccess: GcsAccess.nodeServiceAccount() });
    expect(containerOf(objects).env).toBeUndefined();
    expect(only(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
  });

  test('S3-compatible source: endpoint, region and credentials from a Secret; egress to the endpoint port', () => {
    const source = ModelSource.s3('s3://models/resnet', {
      endpoint: 'minio.storage:9000', region: 'eu-west-1', useHttps: false, verifySsl: false,
      credentials: S3Credentials.fromSecret('minio-creds', 'user', 'password'),
    });
    const { objects } = build({ image: TfServingImage.of('2.6.5'), models: [{ name: 'resnet', source }] });
    expect(containerOf(objects).env).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'S3_ENDPOINT', value: 'minio.storage:9000' },
      { name: 'S3_USE_HTTPS', value: '0' },
      { name: 'S3_VERIFY_SSL', value: '0' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'user' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'password' } } },
    ]);
    expect(parseModelServerConfig(configData(objects)['models.config'])).toMatchObject({ model_config_list: { config: [{ base_path: 's3://models/resnet' }] } });
    expect(only(objects, 'NetworkPolicy').spec.egress).toContainEqual({ ports: [{ port: 9000, protocol: 'TCP' }] });
  });

  test('PVC source: one read-only volume per claim, base paths inside it', () => {
    const { objects } = build({
      models: [
        { name: 'resnet', source: ModelSource.pvc('models', 'vision/resnet') },
        { name: 'bert', source: ModelSource.pvc('models', 'nlp/bert') },
        { name: 'root', source: ModelSource.pvc('other') },
      ],
    });
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([
      { name: 'models-models', persistentVolumeClaim: { claimName: 'models', readOnly: true } },
      { name: 'models-other', persistentVolumeClaim: { claimName: 'other', readOnly: true } },
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/models/models', name: 'models-models', readOnly: true });
    const cfg: any = parseModelServerConfig(configData(objects)['models.config']);
    expect(cfg.model_config_list.config.map((c: any) => c.base_path)).toEqual(['/models/models/vision/resnet', '/models/models/nlp/bert', '/models/other']);
  });

  test('local source: a path baked into a custom image', () => {
    const { objects } = build({ image: TfServingImage.custom('acme/resnet-serving:1.4.0'), models: [{ name: 'resnet', source: ModelSource.local('/models/resnet/') }] });
    expect(parseModelServerConfig(configData(objects)['models.config'])).toMatchObject({ model_config_list: { config: [{ base_path: '/models/resnet' }] } });
  });

  test('loadRetries and loadRetryInterval', () => {
    const flags = flagsOf(containerOf(build({ loadRetries: 2, loadRetryInterval: Duration.seconds(30) }).objects));
    expect([flags.max_num_load_retries, flags.load_retry_interval_micros]).toEqual(['2', '30000000']);
  });

  test('probes: custom startup timeout, or none', () => {
    expect(containerOf(build({ probes: { startupTimeout: Duration.minutes(20) } }).objects).startupProbe.failureThreshold).toBe(120);
    const c = containerOf(build({ probes: { enabled: false } }).objects);
    expect([c.startupProbe, c.readinessProbe, c.livenessProbe]).toEqual([undefined, undefined, undefined]);
  });

  test('drain', () => {
    const pod = only(build({ drain: { preStopDelay: Duration.seconds(5), terminationGracePeriod: Duration.seconds(120) } }).objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sleep', '5']);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
  });

  test('podDisruptionBudget: maxUnavailable, or none', () => {
    expect(only(build({ podDisruptionBudget: { maxUnavailable: 3 } }).objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(3);
    expect(build({ podDisruptionBudget: { enabled: false } }).objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('topologySpread: false', () => {
    expect(only(build({ topologySpread: false }).objects, 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('networkPolicy: allowFrom narrows serving traffic and admits the scraper namespace to the REST port', () => {
    const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frontend' } } }];
    const np = only(build({ networkPolicy: { allowFrom: from }, monitoring: { scraper: Scraper.POD_MONITORING } }).objects, 'NetworkPolicy');
    expect(np.spec.ingress).toEqual([
      { from, ports: [{ port: 8500, protocol: 'TCP' }, { port: 8501, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } }], ports: [{ port: 8501, protocol: 'TCP' }] },
    ]);
  });

  test('networkPolicy: an empty allowFrom is refused (an ingress rule without peers admits every source)', () => {
    expect(() => build({ networkPolicy: { allowFrom: [] } })).toThrow(
      "TfServingModel 'resnet': 'networkPolicy.allowFrom' ([]) must name at least one peer: a NetworkPolicy ingress rule without peers admits every source. "
      + "Fix: leave it out to admit the server's own namespace, or list the peers that may connect");
  });

  test('networkPolicy.httpsEgress narrows 443 to Private Google Access ranges (private / restricted.googleapis.com)', () => {
    const egress443 = (httpsEgress?: HttpsEgress) =>
      only(build({ networkPolicy: { httpsEgress } }).objects, 'NetworkPolicy').spec.egress.find((r: any) => r.ports.some((p: any) => p.port === 443));
    expect(egress443()).toEqual({ ports: [{ port: 443, protocol: 'TCP' }] });
    expect(egress443(HttpsEgress.PRIVATE_GOOGLE_APIS)).toEqual({ to: [{ ipBlock: { cidr: '199.36.153.8/30' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(egress443(HttpsEgress.RESTRICTED_GOOGLE_APIS)).toEqual({ to: [{ ipBlock: { cidr: '199.36.153.4/30' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    const source = ModelSource.s3('s3://models/resnet', { endpoint: 'minio.storage:9000', region: 'eu-west-1', credentials: S3Credentials.fromSecret('minio-creds', 'user', 'password') });
    expect(() => build({ image: TfServingImage.of('2.6.5'), models: [{ name: 'resnet', source }], networkPolicy: { httpsEgress: HttpsEgress.RESTRICTED_GOOGLE_APIS } })).toThrow(
      "TfServingModel 'resnet': 'networkPolicy.httpsEgress' (\"restricted.googleapis.com\") must allow the S3 endpoint of models[0] ('resnet'): it admits HTTPS "
      + 'to Google APIs only. Fix: use HttpsEgress.ANY, or add the S3 endpoint in networkPolicy.additionalEgress and keep the models on GCS');
  });

  test('networkPolicy: open egress, extra egress, or none', () => {
    expect(only(build({ networkPolicy: { restrictEgress: false } }).objects, 'NetworkPolicy').spec.egress).toEqual([{}]);
    const extra = { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] };
    expect(only(build({ networkPolicy: { additionalEgress: [extra] } }).objects, 'NetworkPolicy').spec.egress).toContainEqual(extra);
    expect(build({ networkPolicy: { enabled: false } }).objects.some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  test('networkPolicy: typed rules a user passes render as the API reads them (IntOrString ports as numbers)', () => {
    const extra = { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: kplus.k8s.IntOrString.fromNumber(5432), endPort: 5440, protocol: 'TCP' }] };
    const np = only(build({ networkPolicy: { additionalEgress: [extra], allowFrom: [{ podSelector: { matchLabels: { app: 'web' } } }] } }).objects, 'NetworkPolicy');
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5432, endPort: 5440, protocol: 'TCP' }] });
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { app: 'web' } } }]);
  });

  test('the objects that are no cdk8s-plus L2 render their props as API JSON: a JSON patch on them takes API names and plain values', () => {
    // GIVEN patches on the NetworkPolicy and the PodDisruptionBudget with plain values (no IntOrString)
    const { chart, model: m } = model();
    m.networkPolicy!.addJsonPatch(JsonPatch.replace('/spec/ingress/0/ports/0/port', 9000));
    m.podDisruptionBudget!.addJsonPatch(JsonPatch.replace('/spec/maxUnavailable', '50%'));
    // THEN they reach the output as given
    const objects = synth(chart);
    expect(only(objects, 'NetworkPolicy').spec.ingress[0].ports[0]).toEqual({ port: 9000, protocol: 'TCP' });
    expect(only(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe('50%');
  });

  test('the pod\'s volumes are values of the pod spec, not constructs in the tree (cdk8s walks every construct at each synth)', () => {
    const { chart, model: m } = model();
    expect(m.node.children.map((c) => c.node.id)).toEqual(['ServiceAccount', 'Config', 'Resource', 'Service', 'DisruptionBudget', 'NetworkPolicy']);
    expect(only(synth(chart), 'Deployment').spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['config', 'tmp']);
  });

  test('security: user and group', () => {
    const pod = only(build({ security: { user: 2000, group: 3000 } }).objects, 'Deployment').spec.template.spec;
    expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup]).toEqual([2000, 3000, 3000]);
    expect([pod.containers[0].securityContext.runAsUser, pod.containers[0].securityContext.runAsGroup]).toEqual([2000, 3000]);
  });

  test('serviceType, priorityClassName, labels, tmpSize', () => {
    const { objects } = build({
      serviceType: kplus.ServiceType.LOAD_BALANCER, priorityClassName: 'serving-critical', labels: { 'team': 'ml', 'app.kubernetes.io/name': 'ignored' }, tmpSize: Size.gibibytes(4),
    });
    expect(only(objects, 'Service').spec.type).toBe('LoadBalancer');
    const d = only(objects, 'Deployment');
    expect(d.spec.template.spec.priorityClassName).toBe('serving-critical');
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '4096Mi' } });
    // User labels never override the selector labels.
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'team': 'ml', 'app.kubernetes.io/name': 'tensorflow-serving' });
  });

  test('extraArgs: real flags are passed through', () => {
    expect(containerOf(build({ extraArgs: { enable_model_warmup: 'true' } }).objects).args).toContain('--enable_model_warmup=true');
  });

  test('addModel() after construction updates the config file, the args and the probes stay on the first model', () => {
    const { chart, model: m } = model();
    m.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') });
    const objects = synth(chart);
    const cfg: any = parseModelServerConfig(configData(objects)['models.config']);
    expect(cfg.model_config_list.config.map((c: any) => c.name)).toEqual(['resnet', 'bert']);
    expect(m.models.map((x) => x.name)).toEqual(['resnet', 'bert']);
    expect(containerOf(objects).readinessProbe.httpGet.path).toBe('/v1/models/resnet');
  });

  test('two models in one server share one Deployment', () => {
    const { objects } = build({ models: [RESNET, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }] });
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(1);
  });
});

describe('rules (exact messages)', () => {
  const attempt = (props: Partial<TfServingModelProps>, id?: string) => () => model(props, id);

  test('name must be a short DNS label', () => {
    expect(attempt({}, 'ResNet')).toThrow(
      "TfServingModel 'ResNet': 'name (from the construct id)' (\"ResNet\") must be a DNS label of at most 42 characters (lower-case letters, digits, '-'), "
      + "so that every derived object name is valid. Fix: pass name: 'resnet' or use such an id");
    expect(attempt({ name: 'x'.repeat(43) })).toThrow("TfServingModel 'resnet': 'name' (\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") must be a DNS label");
  });

  test('image tags pinned', () => {
    expect(attempt({ image: TfServingImage.custom('tensorflow/serving:latest') })).toThrow(
      "TfServingModel 'resnet': 'image' (\"tensorflow/serving:latest\") must be pinned to a version tag or an @sha256 digest");
  });

  test('REST port different from gRPC port', () => {
    expect(attempt({ restPort: 8500 })).toThrow(
      "TfServingModel 'resnet': 'restPort' (8500) must differ from the gRPC port (8500); TF Serving does not export REST on the gRPC port. Fix: use 8501 for REST and 8500 for gRPC");
  });

  test('ports in range', () => {
    expect(attempt({ grpcPort: 70000 })).toThrow("TfServingModel 'resnet': 'grpcPort' (70000) must be a TCP port between 1 and 65535. Fix: use 8500");
  });

  test('replicas and autoscaling are exclusive; replicas >= 1', () => {
    expect(attempt({ replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } })).toThrow(
      "TfServingModel 'resnet': 'replicas' (3) must not be set together with autoscaling (an autoscaled Deployment has no fixed replica count). Fix: remove replicas, or remove autoscaling");
    expect(attempt({ replicas: 0 })).toThrow(
      "TfServingModel 'resnet': 'replicas' (0) must be an integer of at least 1. Fix: use 2 or more for a server that survives a node loss");
  });

  test('autoscaling bounds', () => {
    expect(attempt({ autoscaling: { minReplicas: 0, maxReplicas: 4 } })).toThrow(
      "TfServingModel 'resnet': 'autoscaling.minReplicas' (0) must be an integer of at least 1. Fix: use 2 or more");
    expect(attempt({ autoscaling: { minReplicas: 4, maxReplicas: 2 } })).toThrow(
      "TfServingModel 'resnet': 'autoscaling.maxReplicas' (2) must be an integer of at least minReplicas (4). Fix: raise maxReplicas or lower minReplicas");
    expect(attempt({ autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuUtilization: 150 } })).toThrow(
      "TfServingModel 'resnet': 'autoscaling.targetCpuUtilization' (150) must be a whole percentage between 1 and 100. Fix: use 60");
  });

  test('batching rules are checked with the resolved thread count', () => {
    expect(() => new BatchingConfig({ maxBatchSize: 32, allowedBatchSizes: [8, 16] })).toThrow(
      "BatchingConfig: 'allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: make the last size 32, e.g. [8, 16, 32]");
  });

  test('per-model batching needs server batching', () => {
    expect(attempt({ models: [{ ...RESNET, batching: new BatchingConfig({ maxBatchSize: 8 }) }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].batching' (\"BatchingConfig(maxBatchSize 8)\") must come with server-level batching "
      + "(it turns batching on and supplies the shared batch thread pool). Fix: set the 'batching' prop of the TfServingModel too");
  });

  test('monitoring disabled with a scraper', () => {
    expect(attempt({ monitoring: { enabled: false, scraper: Scraper.SERVICE_MONITOR } })).toThrow(
      "TfServingModel 'resnet': 'monitoring.scraper' (\"service-monitor\") must be Scraper.NONE when monitoring is disabled (there are no metrics to scrape). "
      + 'Fix: remove the scraper, or enable monitoring');
  });

  test('metrics path outside the model API', () => {
    expect(attempt({ monitoring: { path: '/v1/models/metrics' } })).toThrow("TfServingModel 'resnet': 'monitoring.path' (\"/v1/models/metrics\") must be an absolute URL path outside /v1/");
  });

  test('startup probe long enough for the load retries', () => {
    expect(attempt({ probes: { startupTimeout: Duration.minutes(5) } })).toThrow(
      "TfServingModel 'resnet': 'probes.startupTimeout' (\"5m\") must exceed loadRetries × loadRetryInterval (5 × 1m), "
      + 'or the kubelet restarts a server that is still retrying a model load. Fix: raise startupTimeout, or lower loadRetries / loadRetryInterval');
    expect(attempt({ probes: { startupTimeout: Duration.minutes(5) }, loadRetries: 2 })).not.toThrow();
  });

  test('loadRetries >= 0', () => {
    expect(attempt({ loadRetries: -1 })).toThrow("TfServingModel 'resnet': 'loadRetries' (-1) must be an integer of 0 or more. Fix: use the default 5");
  });

  test('grace period longer than the preStop pause', () => {
    expect(attempt({ drain: { preStopDelay: Duration.seconds(30), terminationGracePeriod: Duration.seconds(30) } })).toThrow(
      "TfServingModel 'resnet': 'drain.terminationGracePeriod' (\"30s\") must exceed drain.preStopDelay (30s); TF Serving ignores SIGTERM, "
      + 'so in-flight requests only have the time after the pause. Fix: make the grace period longer than the preStop pause, e.g. pause 15 s, grace 45 s');
  });

  test('file-system poll at least every second', () => {
    expect(attempt({ fileSystemPollInterval: Duration.millis(500) })).toThrow(
      "TfServingModel 'resnet': 'fileSystemPollInterval' (\"0.5s\") must be at least 1 second (0 disables polling for new versions). Fix: use Duration.seconds(60)");
  });

  test('PodDisruptionBudget maxUnavailable >= 1', () => {
    expect(attempt({ podDisruptionBudget: { maxUnavailable: 0 } })).toThrow(
      "TfServingModel 'resnet': 'podDisruptionBudget.maxUnavailable' (0) must be an integer of at least 1 (0 blocks every node drain and upgrade). "
      + 'Fix: use 1, or disable the budget with enabled: false');
  });

  test('thread counts >= 1, and intra/inter/session not all set', () => {
    expect(attempt({ threads: { intraOp: 0 } })).toThrow(
      "TfServingModel 'resnet': 'threads.intraOp' (0) must be an integer of at least 1. Fix: leave it out to derive it from the CPU request");
    expect(attempt({ threads: { intraOp: 2, interOp: 2, session: 2 } })).toThrow(
      "TfServingModel 'resnet': 'threads' ({\"intraOp\":2,\"interOp\":2,\"session\":2}) must not set intra-op, inter-op and session parallelism all together");
  });

  test('a gs:// model needs gcsAccess', () => {
    expect(() => new TfServingModel(Testing.chart(), 'resnet', { models: [RESNET] })).toThrow(
      "TfServingModel 'resnet': 'gcsAccess' (undefined) must be set because models[0] ('resnet') reads from GCS. "
      + "Fix: pass gcsAccess: GcsAccess.workloadIdentity('SA@PROJECT.iam.gserviceaccount.com') (or keySecret / nodeServiceAccount)");
  });

  test('S3 refused on TF Serving 2.7 and later', () => {
    expect(attempt({ models: [{ name: 'resnet', source: ModelSource.s3('s3://models/resnet') }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].source' (\"s3://models/resnet\") must not be on S3 with image tensorflow/serving:2.20.0: TF Serving 2.7 and later have no S3 file system. "
      + "Fix: use an image built with S3 support (TfServingImage.custom('…', { s3Support: true })), an image before 2.7, or copy the model to GCS or a PVC");
    expect(attempt({ image: TfServingImage.custom('acme/tfs-s3:2.18.0', { version: '2.18.0', s3Support: true }), models: [{ name: 'resnet', source: ModelSource.s3('s3://models/resnet') }] })).not.toThrow();
  });

  test('S3 models of one server share one store', () => {
    expect(attempt({
      image: TfServingImage.of('2.6.5'),
      models: [
        { name: 'a', source: ModelSource.s3('s3://models/a', { endpoint: 'minio-a:9000' }) },
        { name: 'b', source: ModelSource.s3('s3://models/b', { endpoint: 'minio-b:9000' }) },
      ],
    })).toThrow(
      "TfServingModel 'resnet': 'models[1].source' (\"s3://models/b\") must use the same S3 endpoint, region and credentials as 'a' (they are process-wide environment variables). "
      + 'Fix: serve models from different S3 stores in separate TfServingModels');
  });

  test('model rules apply through the construct: unique names, label to a loaded version, logging_config refused', () => {
    expect(attempt({ models: [RESNET, RESNET] })).toThrow("TfServingModel 'resnet': 'models[1].name' (\"resnet\") must be unique within one server");
    expect(attempt({ models: [{ ...RESNET, versionPolicy: VersionPolicy.specific(1), versionLabels: { canary: 2 } }] })).toThrow(
      "TfServingModel 'resnet': 'models[0].versionLabels.canary' (2) must point to a version the policy loads (VersionPolicy.specific(1))");
    expect(attempt({ models: [{ ...RESNET, loggingConfig: { sampling: 1 } }] })).toThrow("TfServingModel 'resnet': 'models[0].loggingConfig' ({\"sampling\":1}) must not be set");
    expect(attempt({ models: [] })).toThrow("TfServingModel 'resnet': 'models' ([]) must list at least one model");
  });

  test('addModel applies the same rules', () => {
    const { model: m } = model();
    expect(() => m.addModel(RESNET)).toThrow("TfServingModel 'resnet': 'models[1].name' (\"resnet\") must be unique within one server");
  });

  test('extraArgs: only real flags, not ones a prop sets, no batching file without batching', () => {
    expect(attempt({ extraArgs: { model_name: 'x', enable_batchng: 'true' } })).toThrow(
      "TfServingModel 'resnet': 'extraArgs.enable_batchng' (\"--enable_batchng\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
      + 'Fix: check the spelling against `tensorflow_model_server --help`');
    expect(attempt({ extraArgs: { rest_api_port: '9000' } })).toThrow(
      "TfServingModel 'resnet': 'extraArgs.rest_api_port' (\"9000\") must not repeat a flag a prop already sets. Fix: remove it from extraArgs and set the prop instead (current --rest_api_port=8501)");
    expect(attempt({ extraArgs: { batching_parameters_file: '/etc/b.config' } })).toThrow(
      "TfServingModel 'resnet': 'args' (\"--batching_parameters_file=/etc/b.config\") must come with --enable_batching (the server stops at start with a batching file and batching off)");
  });

  test('object names unique per kind and namespace in a chart', () => {
    const chart = Testing.chart();
    new TfServingModel(chart, 'a', { name: 'resnet', models: [RESNET], gcsAccess: WI });
    new TfServingModel(chart, 'b', { name: 'resnet', models: [RESNET], gcsAccess: WI });
    expect(() => Testing.synth(chart)).toThrow(
      "Chart 'test': 'metadata.name' (\"resnet\") must be unique per kind and namespace, but ServiceAccount objects test/a/ServiceAccount/Resource and "
      + "test/b/ServiceAccount/Resource share it (the second would overwrite the first on apply). Fix: give one of the constructs another name (its 'name' prop or id)");
  });

  test('a bad prop writes nothing to the output folder', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfs-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'c');
    expect(() => new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, restPort: 8500 })).toThrow('must differ from the gRPC port');
    expect(() => app.synth()).not.toThrow();
    expect(fs.readdirSync(outdir).filter((f) => fs.readFileSync(path.join(outdir, f), 'utf8').includes('tensorflow'))).toEqual([]);
  });
});

describe('determinism', () => {
  test('the same program run in two separate processes synthesizes byte-identical YAML', () => {
    const root = path.resolve(__dirname, '..', '..');
    const run = () => execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'test/support/determinism-program.ts')], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const first = run();
    assertValid(parseAllDocuments(first).map((d) => d.toJSON()).filter(Boolean));
    expect(first).toContain('kind: Deployment');
    expect(run()).toBe(first);
  }, 60_000);
});

describe('cold start: sizeGiB sizes the startup budget (planColdStart)', () => {
  const attempt = (props: Partial<TfServingModelProps>) => () => model(props);
  const deploymentOf = (objects: any[]) => only(objects, 'Deployment');

  test('a 20 GiB model on GCS: startup budget 480 s (217.4 s × 2, whole minutes), probe 48 × 10 s, progress deadline 780 s; model.coldStart holds the plan', () => {
    // GIVEN one model that declares its size, on the CPU image, 2 replicas
    const { model: m, objects } = build({ models: [{ ...RESNET, sizeGiB: 20 }] });
    // THEN the plan reads it at one GCS stream: 20480 MiB / 100 MiB/s + 2.6 s image + 10 s start
    expect(m.coldStart?.estimatedSeconds).toBe(217.4);
    expect(m.coldStart?.recommendedTier).toBe('gcs-fuse-cached');
    const d = deploymentOf(objects);
    expect(d.spec.template.spec.containers[0].startupProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 48 });
    expect(d.spec.progressDeadlineSeconds).toBe(780);
  });

  test('the budget still exceeds loadRetries × loadRetryInterval (5 × 60 s + 60 s), and an explicit startupTimeout wins', () => {
    const small = deploymentOf(build({ models: [{ ...RESNET, sizeGiB: 1 }] }).objects);
    expect(small.spec.template.spec.containers[0].startupProbe.failureThreshold).toBe(36);
    const given = deploymentOf(build({ models: [{ ...RESNET, sizeGiB: 20 }], probes: { startupTimeout: Duration.minutes(20) } }).objects);
    expect(given.spec.template.spec.containers[0].startupProbe.failureThreshold).toBe(120);
  });

  test('every model loads one after another, each size times the versions its policy loads', () => {
    const { model: m } = build({
      models: [{ ...RESNET, sizeGiB: 2, versionPolicy: VersionPolicy.latest(2) }, { name: 'bert', source: ModelSource.pvc('models', 'bert'), sizeGiB: 1 }],
    });
    // 4096 / 100 + 1024 / 168 = 47.1 s of reads
    expect(m.coldStart?.estimates[0].modelLoadSeconds).toBe(47.1);
  });

  test('without sizeGiB the fixed default stays: no plan', () => {
    const { model: m, objects } = build();
    expect(m.coldStart).toBeUndefined();
    expect(deploymentOf(objects).spec.progressDeadlineSeconds).toBe(900);
  });

  test('refusals', () => {
    expect(attempt({ models: [{ ...RESNET, sizeGiB: 2 }, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }] })).toThrow(
      'TfServingModel \'resnet\': \'models[1].sizeGiB\' (undefined) must be declared when another model of the server declares it: the startup budget adds up '
      + 'every model the server loads. Fix: declare sizeGiB on every model, or on none');
    expect(attempt({ models: [{ ...RESNET, sizeGiB: 0 }] })).toThrow(
      'TfServingModel \'resnet\': \'models[0].sizeGiB\' (0) must be a number of GiB above 0. Fix: use the size of one SavedModel version directory');
    expect(attempt({ models: [{ ...RESNET, sizeGiB: 2, versionPolicy: VersionPolicy.all() }] })).toThrow(
      'TfServingModel \'resnet\': \'models[0].sizeGiB\' (2) must come with a version policy that loads a known number of versions (VersionPolicy.all() loads every version found). '
      + 'Fix: use VersionPolicy.latest(n) or specific(…), or leave sizeGiB out');
    const nfs = { kind: 'nfs' } as unknown as ModelSource;
    expect(attempt({ models: [{ name: 'resnet', source: nfs, sizeGiB: 2 }] })).toThrow(
      'TfServingModel \'resnet\': \'models[0].sizeGiB\' (2) must come with a source whose load tier is known (source kind \'nfs\' has none). '
      + 'Fix: leave sizeGiB out, or plan with planColdStart directly');
    const sized = model({ models: [{ ...RESNET, sizeGiB: 2 }] }).model;
    expect(() => sized.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') })).toThrow(
      'TfServingModel \'resnet\': \'models[1].sizeGiB\' (undefined) must be declared on models passed in props.models only, and a server sized that way takes no '
      + 'model through addModel(): the startup probe and rollout deadline are sized when the TfServingModel is created. Fix: pass every model in props.models');
    const unsized = model().model;
    expect(() => unsized.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert'), sizeGiB: 1 })).toThrow(
      'TfServingModel \'resnet\': \'models[1].sizeGiB\' (1) must be declared on models passed in props.models only, and a server sized that way takes no '
      + 'model through addModel(): the startup probe and rollout deadline are sized when the TfServingModel is created. Fix: pass every model in props.models');
  });
});

describe('polling cost: the estimated list calls a month on the Deployment', () => {
  const annotationOf = (objects: any[]) => only(objects, 'Deployment').metadata.annotations?.['tfserving-constructs.io/estimated-list-ops-per-month'];

  test('defaults: 1 model × 2 replicas × 43,200 polls × 2 list calls = 172800; model.pollingCost', () => {
    const { model: m, objects } = build();
    expect(annotationOf(objects)).toBe('172800');
    expect(m.pollingCost).toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 172800, getOpsPerMonth: 86400, usdPerMonth: 0.9 });
    // on the Deployment only: a change of the estimate does not roll the pods
    expect(only(objects, 'Deployment').spec.template.metadata.annotations['tfserving-constructs.io/estimated-list-ops-per-month']).toBeUndefined();
  });

  test('autoscaling counts the maximum; a model added later counts too; specific versions poll each version', () => {
    const { chart, model: m } = model({ autoscaling: { minReplicas: 2, maxReplicas: 10 } });
    m.addModel({ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert'), versionPolicy: VersionPolicy.specific(1, 2) });
    // (2 + 3) list calls × 10 replicas × 43,200 polls
    expect(annotationOf(synth(chart))).toBe('2160000');
  });

  test('models on a volume or in the image cost nothing: no annotation', () => {
    const { model: m, objects } = build({ models: [{ name: 'bert', source: ModelSource.pvc('models', 'bert') }] });
    expect(annotationOf(objects)).toBeUndefined();
    expect(m.pollingCost).toBeUndefined();
  });

  test('a GCS FUSE mount polls through gcsfuse: a listing every poll for latest, lookups once per metadata TTL for specific', () => {
    // GIVEN one latest model and one specific(1, 2) model on FUSE mounts with a 240 s metadata cache, 2 replicas, 60 s
    const { model: m, objects } = build({
      models: [
        { name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') },
        { name: 'bert', source: ModelSource.gcsFuse('gs://acme-models/bert', { metadataCacheTtl: Duration.seconds(240) }), versionPolicy: VersionPolicy.specific(1, 2) },
      ],
    });
    // THEN 1 × 43,200 × 2 (readdir each poll) + 2 × 10,800 × 2 (lookups every fourth poll) list calls a month
    expect(annotationOf(objects)).toBe(String(86400 + 43200));
    expect(m.pollingCost).toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 129600, getOpsPerMonth: 43200, usdPerMonth: 0.67 });
  });

  test('a storage initializer\'s copy is polled locally: no annotation', () => {
    const { objects } = build({ models: [{ name: 'bert', source: ModelSource.storageInitializer('gs://acme-models/bert', { size: Size.gibibytes(1) }) }] });
    expect(annotationOf(objects)).toBeUndefined();
  });

  test('above maxListOpsPerMonth (5,000,000) the polling is refused; the prop accepts more', () => {
    expect(attempt({ fileSystemPollInterval: Duration.seconds(1) })).toThrow(
      'TfServingModel \'resnet\': \'fileSystemPollInterval\' ("1s") must keep version polling under maxListOpsPerMonth (5000000): 1 object-store model(s) × '
      + '2 replica(s) × 2592000 polls a month make 10368000 list calls (about $53.91 a month at $0.005 per 1,000 list and $0.0004 per 1,000 metadata reads). '
      + 'Fix: raise fileSystemPollInterval (e.g. Duration.seconds(60)), or raise maxListOpsPerMonth to accept the cost');
    expect(annotationOf(build({ fileSystemPollInterval: Duration.seconds(1), maxListOpsPerMonth: 20_000_000 }).objects)).toBe('10368000');
  });

  function attempt(props: Partial<TfServingModelProps>) {
    return () => model(props);
  }
});
