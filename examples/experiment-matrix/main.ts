// Server configurations compared side by side: 2 CPU sizes × 2 inter-op settings × batching off/on,
// each a TfServingModel of its own with a k6 load test.
import { App, Chart, Duration } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-27';
import { BatchingConfig, ExperimentBatching, ExperimentMatrix, GcsAccess, LoadTestPayload, ModelSource, TensorDType } from '../../lib';

const app = new App();
const chart = new Chart(app, 'experiment-matrix', { namespace: 'ml-bench' });

// Experiments run below production serving: they never preempt other pods, and are preempted first.
new k8s.KubePriorityClass(chart, 'bench-priority', {
  metadata: { name: 'ml-bench' }, value: -100, preemptionPolicy: 'Never', globalDefault: false,
  description: 'Benchmark servers: below every production workload, never preempting',
});

new ExperimentMatrix(chart, 'resnet', {
  name: 'resnet',
  server: {
    models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
    gcsAccess: GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com'),
    priorityClassName: 'ml-bench',
  },
  axes: {
    cpu: [Cpu.units(2), Cpu.units(4)],
    interOpThreads: [1, 2],
    batching: [ExperimentBatching.OFF, ExperimentBatching.with('b32', new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(1) }))],
  },
  loadTest: {
    payload: LoadTestPayload.tensor({ input: 'images', dtype: TensorDType.FLOAT, shape: [2, 2, 3], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }),
    batchSizes: [1, 8],
    duration: Duration.minutes(1),
  },
});

app.synth();
