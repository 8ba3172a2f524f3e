/**
 * A TfServingModel program with maps whose order could leak into the output (labels, versions, env, volumes),
 * run as its own process by the determinism test: it prints the synthesized YAML to stdout.
 */
import { App, Chart, Yaml } from 'cdk8s';
import { BatchingConfig, GcsAccess, ModelSource, S3Credentials, Scraper, TfServingImage, TfServingModel, VersionPolicy } from '../../lib';

const app = new App({ outdir: '/nonexistent' });
const chart = new Chart(app, 'serving', { namespace: 'ml' });
new TfServingModel(chart, 'resnet', {
  models: [
    { name: 'resnet', source: ModelSource.gcs('gs://acme-b/resnet'), versionPolicy: VersionPolicy.specific(2, 1), versionLabels: { z: 1, a: 2 } },
    { name: 'bert', source: ModelSource.pvc('models', 'bert'), batching: new BatchingConfig({ maxBatchSize: 8 }) },
  ],
  gcsAccess: GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com'),
  batching: new BatchingConfig({ maxBatchSize: 16, allowedBatchSizes: [4, 16] }),
  monitoring: { scraper: Scraper.SERVICE_MONITOR },
  autoscaling: { minReplicas: 2, maxReplicas: 6 },
  labels: { team: 'ml', app: 'resnet' },
});
new TfServingModel(chart, 'legacy', {
  image: TfServingImage.of('2.6.0'),
  models: [{ name: 'legacy', source: ModelSource.s3('s3://acme-b/legacy', { endpoint: 'minio.storage:9000', credentials: S3Credentials.fromSecret('s3') }) }],
});
process.stdout.write(Yaml.stringify(...chart.toJson()));
