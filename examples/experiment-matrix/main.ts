// Server configurations compared side by side: 2 CPU sizes × 2 inter-op settings × batching off/on, each a
// TfServingModel of its own, on a node of its own, load-tested one after the other (each when its server is
// AVAILABLE and warmed) by one Job. summaries/ holds sample summaries of such a run (one per variant);
// `npx tfserving-constructs report -o report.html summaries/*.json` renders report.html from them.
import { Chart, Duration } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-27';
import {
  BatchingConfig, ExperimentBatching, ExperimentMatrix, GcsAccess, LoadProtocol, LoadTestPayload, ModelSource, ServingApp, TensorDType,
} from '../../lib';

const app = new ServingApp();
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
    payload: LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [224, 224, 3] }] }),
    protocols: [LoadProtocol.GRPC],
    batchSizes: [1, 8],
    // 32 in flight at batch size 1 fill the b32 variant's batches.
    concurrency: 32,
    duration: Duration.minutes(1),
    latencyObjective: Duration.millis(200),
  },
});

app.synth();
