import { Duration, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  BatchingConfig, EXPERIMENT_LABEL, ExperimentBatching, ExperimentMatrix, ExperimentMatrixProps, GcsAccess, LoadTestPayload, ModelSource,
  TensorDType, VARIANT_LABEL,
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

test('a load test per variant, targeting its Service', () => {
  const { chart, m } = matrix({
    axes: { cpu: [Cpu.units(1)], replicas: [1, 2] },
    loadTest: { payload: LoadTestPayload.tensor({ input: 'x', dtype: TensorDType.FLOAT, shape: [1], values: [1] }), duration: Duration.seconds(30) },
  });
  const objects = synth(chart);
  expect(objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name)).toEqual(['rn-c1-iauto-boff-r1-load', 'rn-c1-iauto-boff-r2-load']);
  expect(m.variants.map((v) => v.loadTest!.name)).toEqual(['rn-c1-iauto-boff-r1-load', 'rn-c1-iauto-boff-r2-load']);
  const cfg = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'rn-c1-iauto-boff-r2-load-k6').data['loadtest.json']);
  expect(cfg.grpcAddress).toBe('rn-c1-iauto-boff-r2:8500');
  // One at a time: the second starts 30 s after the first one's 2 × 30 s + 5 s gap ends.
  expect(m.variants.map((v) => v.loadTest!.startDelay.toSeconds())).toEqual([0, 95]);
  expect(cfg.scenarios[0].startSeconds).toBe(95);
});

describe('rules', () => {
  test('each axis non-empty, valid, without repeats', () => {
    expect(() => matrix({ axes: { cpu: [] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.cpu' ([]) must list at least one value. Fix: use e.g. [Cpu.units(2), Cpu.units(4)]");
    expect(() => matrix({ axes: { cpu: [Cpu.units(2), Cpu.millis(2000)] } })).not.toThrow();
    expect(() => matrix({ axes: { cpu: [Cpu.units(2), Cpu.units(2)] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.cpu' ([\"2\", \"2\"]) must not repeat a value (2 appears twice). Fix: list each value once");
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], interOpThreads: [0] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.interOpThreads' ([\"0\"]) must hold integers of at least 1. Fix: use e.g. [1, 2, 4]");
    expect(() => matrix({ axes: { cpu: [Cpu.units(1)], replicas: [1, 1] } })).toThrow(
      "ExperimentMatrix 'exp': 'axes.replicas' ([\"1\", \"1\"]) must not repeat a value (1 appears twice). Fix: list each value once");
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
