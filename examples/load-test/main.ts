// A bounded k6 load test against the multi-model server (gRPC and REST, batch sizes 1, 8 and 32), and
// sampled Istio access logs for the server's requests.
import { Duration } from 'cdk8s';
import { LoadProtocol, LoadTest, LoadTestPayload, RequestLogging, ServingApp, TensorDType } from '../../lib';
import { MultiModelChart } from '../multi-model/chart';

const app = new ServingApp();
const chart = new MultiModelChart(app, 'load-test');

new LoadTest(chart, 'ranker-load', {
  target: chart.server,
  modelName: 'ranker',
  payload: LoadTestPayload.tensor({ input: 'features', dtype: TensorDType.FLOAT, shape: [4], values: [0.1, 0.2, 0.3, 0.4] }),
  protocols: [LoadProtocol.GRPC, LoadProtocol.REST],
  batchSizes: [1, 8, 32],
  concurrency: 64,
  duration: Duration.minutes(2),
});

new RequestLogging(chart, 'access-logs', { target: chart.server, samplePercent: 10 });

app.synth();
