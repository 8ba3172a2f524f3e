// Two models in one TF Serving server (they share its CPUs), with server-side batching, Prometheus
// metrics scraped by a prometheus-operator ServiceMonitor, and CPU autoscaling between 2 and 8 replicas.
import { Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BatchingConfig, GcsAccess, ModelSource, Scraper, TfServingModel, VersionPolicy } from '../../lib';

export class MultiModelChart extends Chart {
  public readonly server: TfServingModel;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-serving' });

    this.server = new TfServingModel(this, 'recommender', {
      models: [
        {
          name: 'ranker',
          source: ModelSource.gcs('gs://acme-models/ranker'),
          versionPolicy: VersionPolicy.specific(41, 42),
          versionLabels: { stable: 41, canary: 42 },
        },
        { name: 'retrieval', source: ModelSource.gcs('gs://acme-models/retrieval') },
      ],
      gcsAccess: GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com'),
      resources: {
        cpu: { request: Cpu.units(4), limit: Cpu.units(4) },
        memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) },
      },
      batching: new BatchingConfig({
        maxBatchSize: 32,
        batchTimeout: Duration.millis(2),
        allowedBatchSizes: [8, 16, 32],
      }),
      monitoring: { scraper: Scraper.SERVICE_MONITOR },
      autoscaling: { minReplicas: 2, maxReplicas: 8 },
    });
  }
}
