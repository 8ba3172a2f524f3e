import { Chart } from 'cdk8s';
import { CaptureSink, GcsAccess, ModelSource, RequestCapture, ServingApp, TfServingModel } from '../../lib';

const app = new ServingApp();
const chart = new Chart(app, 'request-capture', { namespace: 'ml-serving' });

// The server's Workload Identity reads the model and writes the capture.
const identity = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');
const resnet = new TfServingModel(chart, 'resnet', {
  models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
  gcsAccess: identity,
});

// 10 % of the REST calls, request and response, to gs://acme-capture/requests/model=resnet/version=resnet/date=…/.
new RequestCapture(chart, 'resnet-capture', {
  target: resnet,
  sink: CaptureSink.gcs('gs://acme-capture/requests', { access: identity }),
  samplePercent: 10,
});

app.synth();
