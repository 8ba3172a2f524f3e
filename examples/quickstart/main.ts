import { Chart } from 'cdk8s';
import { GcsAccess, ModelSource, ServingApp, TfServingModel } from '../../lib';

const app = new ServingApp();
const chart = new Chart(app, 'quickstart', { namespace: 'ml-serving' });

// One ResNet model from GCS, read with Workload Identity; production defaults for everything else.
new TfServingModel(chart, 'resnet', {
  models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
  gcsAccess: GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com'),
});

app.synth();
