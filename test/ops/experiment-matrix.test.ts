import { Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  BatchingConfig, TfServingModel, EXPERIMENT_LABEL, ExperimentBatching, ExperimentMatrix, ExperimentMatrixProps, GcsAccess, LoadTestPayload,
  ModelSource, TensorDType, VARIANT_LABEL,
} from '../../lib';
import { flagsOf, synth } from '../support/synth';

const SERVER = { models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }], gcsAccess: GcsAccess.nodeServiceAccount() };
const B32 = ExperimentBatching.with('b32', new BatchingConfig({ maxBatchSize: 32 }));

function matrix(props: Partial<ExperimentMatrixProps> = {}) {
  const chart = Testing.chart();
  const m = new ExperimentMatrix(chart, 'exp', { name: 'rn', server: SERVER, axes: { cpu: [Cpu.units(2), Cpu.millis(4500)], interOpThreads: [1, 2], batching: [ExperimentBatching.OFF, B32], replicas: [1] }, ...props });
  return { chart, m };
}

test('the cross product: one TfServingModel per variant, named and labelled', () => {
  const { chart, m } = matrix();
  expect(m.variants.map((v) => v.name)).toEqual([
    'rn-c2-i1-boff-r1', 'rn-c2-i1-bb32-r1', 'rn-c2-i2-boff-r1', 'rn-c2-i2-bb32-r1',
    'rn-c4500m-i1-boff-r1', 'rn-c4500m-i1-bb32-r1', 'rn-c4500m-i2-boff-r1', 'rn-c4500m-i2-bb32-r1',
  ]);
  const objects = synth(chart);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  expect(deployments).toHaveLength(8);
  const d = deployments.find((x) => x.metadata.name === 'rn-c4500m-i2-bb32-r1');
  expect(d.metadata.labels).toMatchObject({ [EXPERIMENT_LABEL]: 'rn', [VARIANT_LABEL]: 'rn-c4500m-i2-bb32-r1' });
  expect(d.spec.replicas).toBe(1);
  const c = d.spec.template.spec.containers[0];
  expect(c.resources).toEqual({ requests: { cpu: '4500m', memory: '4096Mi' }, limits: { cpu: '4500m', memory: '4096Mi' } });
  expect(flagsOf(c)).toMatchObject({ tensorflow_inter_op_parallelism: '2', tensorflow_intra_op_parallelism: '5', enable_batching: 'true' });
  const off = deployments.find((x) => x.metadata.name === 'rn-c2-i1-boff-r1');
  expect(flagsOf(off.spec.template.spec.containers[0]).enable_batching).toBeUndefined();
  expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  expect(m.describe().split('\n')[0]).toBe('rn-c2-i1-boff-r1\tcpu=2000m\tinterOp=1\tbatching=off\treplicas=1');
});

test('a load test per variant, targeting its Service, run one after the other in one Job (by readiness, not at fixed offsets)', () => {
  const { chart, m } = matrix({
    axes: { cpu: [Cpu.units(1)], replicas: [1, 2] },
    loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), duration: Duration.seconds(30) },
  });
  const objects = synth(chart);
  const jobs = objects.filter((o) => o.kind === 'Job');
  expect(jobs.map((o) => o.metadata.name)).toEqual(['rn-load']);
  expect(m.variants.map((v) => v.loadTest!.name)).toEqual(['rn-c1-iauto-boff-r1-load', 'rn-c1-iauto-boff-r2-load']);
  expect(m.variants.every((v) => v.loadTest!.job === m.loadTestJob)).toBe(true);
  const pod = jobs[0].spec.template.spec;
  // Each variant's k6 is an init container: the next starts when the previous has ended; k6's setup() waits for its server.
  expect(pod.initContainers.map((c: any) => c.name)).toEqual(['rn-c1-iauto-boff-r1-load', 'rn-c1-iauto-boff-r2-load']);
  expect(pod.initContainers[1].command).toEqual(['sh', '-c', 'k6 run --quiet /config/script.js; code=$?; if [ "$code" -eq 99 ]; then exit 0; fi; exit "$code"']);
  expect(pod.initContainers[1].volumeMounts).toEqual([
    { mountPath: '/config', name: 'rn-c1-iauto-boff-r2-load-k6', readOnly: true }, { mountPath: '/tmp', name: 'rn-c1-iauto-boff-r2-load-tmp' },
  ]);
  expect(pod.initContainers.map((c: any) => c.securityContext.capabilities)).toEqual([{ drop: ['ALL'] }, { drop: ['ALL'] }]);
  expect(pod.containers.map((c: any) => [c.name, c.args])).toEqual([['done', ['version']]]);
  expect(pod.restartPolicy).toBe('Never');
  expect(jobs[0].spec.backoffLimit).toBe(0);
  // 120 s margin + per test: 600 s readiness + (30 + 5 + 30) × 2 + 5 + 30 s.
  expect(jobs[0].spec.activeDeadlineSeconds).toBe(120 + 2 * (600 + 135 + 30));
  const cfg = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'rn-c1-iauto-boff-r2-load-k6').data['loadtest.json']);
  expect(cfg.grpcAddress).toBe('rn-c1-iauto-boff-r2:8500');
  expect(cfg.scenarios[0].startSeconds).toBe(0);
  expect(cfg.annotations).toMatchObject({ variant: 'rn-c1-iauto-boff-r2', cpuMillis: '1000', interOpThreads: 'auto', batching: 'off', replicas: '2' });
  expect(cfg.annotations.props).toBe('// TfServingModelProps of this variant (add your models, gcsAccess, …)\n{\n'
    + '  resources: { cpu: { request: Cpu.units(1), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(4096), limit: Size.mebibytes(4096) } },\n  replicas: 2,\n}');
});

test('with summaryUri, each variant\'s summary is uploaded right after its run, before the next variant starts', () => {
  const { chart } = matrix({
    axes: { cpu: [Cpu.units(1)], replicas: [1, 2] },
    loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), summaryUri: 'gs://acme-bench/rn', serviceAccountName: 'writer' },
  });
  const pod = synth(chart).find((o) => o.kind === 'Job').spec.template.spec;
  expect(pod.serviceAccountName).toBe('writer');
  expect(pod.initContainers.map((c: any) => [c.name, c.command[2]])).toEqual([
    ['rn-c1-iauto-boff-r1-load', 'k6 run --quiet /config/script.js; code=$?; if [ "$code" -eq 99 ]; then exit 0; fi; exit "$code"'],
    ['rn-c1-iauto-boff-r1-load-upload', 'k6 run --quiet /config/upload.js'],
    ['rn-c1-iauto-boff-r2-load', 'k6 run --quiet /config/script.js; code=$?; if [ "$code" -eq 99 ]; then exit 0; fi; exit "$code"'],
    ['rn-c1-iauto-boff-r2-load-upload', 'k6 run --quiet /config/upload.js'],
  ]);
  expect(pod.initContainers.every((c: any) => c.securityContext.capabilities.drop[0] === 'ALL')).toBe(true);
  expect(pod.initContainers[3].volumeMounts).toContainEqual({ mountPath: '/results', name: 'rn-c1-iauto-boff-r2-load-results', readOnly: true });
});

test('no two pods of the matrix share a node: variants, their replicas and the load generator', () => {
  const { chart } = matrix({
    axes: { cpu: [Cpu.units(1)], batching: [B32] },
    loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), concurrency: 32 },
  });
  const objects = synth(chart);
  const term = { labelSelector: { matchLabels: { [EXPERIMENT_LABEL]: 'rn' } }, topologyKey: 'kubernetes.io/hostname' };
  for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
    expect(o.spec.template.metadata.labels[EXPERIMENT_LABEL]).toBe('rn');
    expect(o.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([term]);
  }
});

test('the recorded props of a batching variant compile to the same server configuration', () => {
  const batching = ExperimentBatching.with('b16', new BatchingConfig({ maxBatchSize: 16, batchTimeout: Duration.millis(2), numBatchThreads: 4, allowedBatchSizes: [8, 16] }));
  const { chart } = matrix({
    axes: { cpu: [Cpu.millis(1500)], interOpThreads: [2], batching: [batching] },
    loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), concurrency: 16 },
  });
  const objects = synth(chart);
  const cfg = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-load-k6')).data['loadtest.json']);
  // The snippet, evaluated as TypeScript would, builds a server with the variant's resources, flags and config files.
  const evaluated = new Function('Cpu', 'Size', 'Duration', 'BatchingConfig', `return (${cfg.annotations.props.split('\n').slice(1).join('\n')});`)(Cpu, Size, Duration, BatchingConfig);
  const again = Testing.chart();
  new TfServingModel(again, 'again', { ...SERVER, ...evaluated, name: 'rn-c1500m-i2-bb16-r1' });
  const pick = (os: any[]) => os.filter((o) => (o.kind === 'Deployment' || (o.kind === 'ConfigMap' && !o.metadata.name.includes('-load'))))
    .map((o) => (o.kind === 'Deployment' ? [o.spec.replicas, o.spec.template.spec.containers[0].resources, o.spec.template.spec.containers[0].args] : o.data));
  expect(pick(objects)).toHaveLength(2);
  expect(pick(synth(again))).toEqual(pick(objects));
  expect(cfg.annotations.props.split('\n').slice(2, -1)).toEqual([
    '  resources: { cpu: { request: Cpu.millis(1500), limit: Cpu.millis(1500) }, memory: { request: Size.mebibytes(4096), limit: Size.mebibytes(4096) } },',
    '  threads: { interOp: 2 },',
    '  batching: new BatchingConfig({ maxBatchSize: 16, batchTimeout: Duration.millis(2), numBatchThreads: 4, maxEnqueuedBatches: 4, allowedBatchSizes: [8, 16] }),',
    '  replicas: 1,',
  ]);
});

describe('rules', () => {
  test('each axis non-empty, valid, without repeats', () => {
    expect(() => matrix({ axes: { cpu: [] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.cpu' ([]) must list at least one value. Fix: use e.g. [Cpu.units(2), Cpu.units(4)]");
    expect(() => matrix({ axes: { cpu: [Cpu.units(2), Cpu.units(2)] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.cpu' ([\"2000m\", \"2000m\"]) must not repeat a value (2000m appears twice). Fix: list each value once");
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], interOpThreads: [0] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.interOpThreads' ([\"0\"]) must hold integers of at least 1. Fix: use e.g. [1, 2, 4]");
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], replicas: [1, 1] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.replicas' ([\"1\", \"1\"]) must not repeat a value (1 appears twice). Fix: list each value once");
  });

  test('variants that are the same configuration under two spellings are refused', () => {
    // Cpu.units(2) and Cpu.millis(2000) render as '2' and '2000m' and would name two variants of one configuration.
    expect(() => matrix({ axes: { cpu: [Cpu.units(2), Cpu.millis(2000)] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.cpu' ([\"2000m\", \"2000m\"]) must not repeat a value (2000m appears twice). Fix: list each value once");
    const again = ExperimentBatching.with('again', new BatchingConfig({ maxBatchSize: 32 }));
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], batching: [B32, again] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.batching' ([\"b32\", \"again\"]) must not repeat a configuration ('b32' and 'again' have the same parameters). "
      + 'Fix: drop one of them, or change its parameters');
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], batching: [B32, ExperimentBatching.with('b64', new BatchingConfig({ maxBatchSize: 64 }))] } })).not.toThrow();
  });

  test('an error of a generated server or load test names the matrix, the prop the user set and the variant', () => {
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)] }, server: { ...SERVER, loadRetries: -1 } })).toThrow(
      "ExperimentMatrix 'exp': 'server.loadRetries' (-1) must be an integer of 0 or more (variant 'rn-c1-iauto-boff-r1'). Fix: use the default 5");
    expect(() => matrix({
      axes: { cpu: [Cpu.units(1)] },
      loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), modelName: 'other' },
    })).toThrow("ExperimentMatrix 'exp': 'loadTest.modelName' (\"other\") must be a model the target serves (resnet) (variant 'rn-c1-iauto-boff-r1'). Fix: pick one of those names");
  });

  test('load tests fill the batching variants\' batches, or the matrix says why not', () => {
    const loadTest = { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), batchSizes: [2, 8] };
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], batching: [ExperimentBatching.OFF, B32] }, loadTest })).toThrow(
      "ExperimentMatrix 'exp': 'loadTest.concurrency' (8) must let batching variant 'b32' fill its batches: concurrency × smallest batch size (8 × 2) must reach maxBatchSize (32). "
      + 'Fix: raise loadTest.concurrency to 16, or set acceptUnfilledBatches to say why not');
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], batching: [B32] }, loadTest: { ...loadTest, concurrency: 16 } })).not.toThrow();
    const { chart } = matrix({ axes: { cpu: [Cpu.units(1)], batching: [ExperimentBatching.OFF, B32] }, loadTest, acceptUnfilledBatches: 'production sees 8 clients' });
    const notes = synth(chart).filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-load-k6'))
      .map((o) => JSON.parse(o.data['loadtest.json']).annotations.unfilledBatches);
    expect(notes).toEqual([undefined, 'production sees 8 clients']);
  });

  test('at most maxVariants', () => {
    expect(() => matrix({ maxVariants: 4 })).toThrow(
      "ExperimentMatrix 'exp': 'axes' (\"2 × 2 × 2 × 1 = 8 variants\") must produce at most maxVariants (4) variants (each is a Deployment). Fix: drop axis values, or raise maxVariants");
  });

  test('variant names fit', () => {
    expect(() => matrix({ name: 'a-very-long-experiment-name-prefix' })).toThrow(
      "ExperimentMatrix 'exp': 'name' (\"a-very-long-experiment-name-prefix\") must be short enough for every variant name to fit 42 characters "
      + "('a-very-long-experiment-name-prefix-c2-i1-boff-r1' has 48). Fix: use a shorter prefix");
  });

  test('batching labels', () => {
    expect(() => ExperimentBatching.with('B 32', new BatchingConfig({ maxBatchSize: 32 }))).toThrow(
      "ExperimentBatching.with: 'label' (\"B 32\") must be 1–8 lower-case letters or digits, not 'off'. Fix: use e.g. 'b32'");
  });
});
