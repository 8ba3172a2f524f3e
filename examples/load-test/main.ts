// Bounded k6 load tests: an image model (224×224×3 float images generated inside k6, so the ConfigMap stays
// small) with latency and error-rate objectives that fail the Job when missed, an open-model (arrival-rate) run
// against the multi-model server's ranker, and sampled Istio access logs. Each run prints a JSON summary;
// `npx tfserving-constructs report` turns summaries into an HTML report. The image test's payload also becomes
// the model's warmup file (written next to the manifests, for the export pipeline to publish).
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  ArrivalRate, GcsAccess, LoadProtocol, LoadTest, LoadTestPayload, ModelSource, RequestLogging, ServingApp, TensorDType, TfServingModel,
} from '../../lib';
import { WARMUP_FILE_PATH } from '../../lib/tfserving';
import { MultiModelChart } from '../multi-model/chart';

const app = new ServingApp();
const chart = new MultiModelChart(app, 'load-test');

const resnet = new TfServingModel(chart, 'resnet', {
  models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
  gcsAccess: GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com'),
  resources: { cpu: { request: Cpu.units(4), limit: Cpu.units(4) }, memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) } },
});

const imageLoad = new LoadTest(chart, 'resnet-load', {
  target: resnet,
  payload: LoadTestPayload.of({ inputs: [{ name: 'images', dtype: TensorDType.FLOAT, shape: [224, 224, 3] }], seed: 42 }),
  protocols: [LoadProtocol.GRPC, LoadProtocol.REST],
  batchSizes: [1, 8],
  concurrency: 16,
  duration: Duration.minutes(2),
  warmup: Duration.seconds(30),
  latencyObjective: Duration.millis(250),
  maxErrorRate: 0.001,
});

new LoadTest(chart, 'ranker-rate', {
  target: chart.server,
  modelName: 'ranker',
  payload: LoadTestPayload.of({
    inputs: [
      { name: 'features', dtype: TensorDType.FLOAT, shape: [4], values: [0.1, 0.2, 0.3, 0.4] },
      { name: 'user_ids', dtype: TensorDType.INT64, shape: [1], min: 1, max: 1000000 },
    ],
  }),
  headers: { 'x-client': 'loadtest' },
  protocols: [LoadProtocol.GRPC],
  batchSizes: [8],
  // Open model: requests start at the target rate whatever the latency; up to 64 in flight.
  arrivalRate: ArrivalRate.ramping([{ target: 200, duration: Duration.minutes(1) }, { target: 800, duration: Duration.minutes(3) }], 50),
  concurrency: 64,
  latencyObjective: Duration.millis(100),
});

new RequestLogging(chart, 'access-logs', { target: chart.server, samplePercent: 10 });

app.synth();

const warmup = path.join(app.outdir, 'resnet-warmup', WARMUP_FILE_PATH);
fs.mkdirSync(path.dirname(warmup), { recursive: true });
fs.writeFileSync(warmup, imageLoad.warmupRequests());
