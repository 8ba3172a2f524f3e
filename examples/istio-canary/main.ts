// A canary rollout of version 2 of a model next to version 1 on Istio: 95/5 split of gRPC and REST,
// `x-model-version: canary` pins a request to the new version, 10% of requests are shadowed to it,
// mTLS STRICT, only the `apps` namespace may call, metrics reach Managed Prometheus through Istio metrics merging,
// and the model is exposed on an HTTPS gateway host.
import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { BatchingConfig, GcsAccess, IstioCanary, MeshCaller, ModelSource, Scraper, ServingApp, TfServingModel, VersionPolicy } from '../../lib';

export class IstioCanaryChart extends Chart {
  public readonly stable: TfServingModel;
  public readonly canary: TfServingModel;
  public readonly rollout: IstioCanary;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-serving' });

    const batching = new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2), allowedBatchSizes: [8, 16, 32] });
    const gcsAccess = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');
    const server = (name: string, version: number) => new TfServingModel(this, name, {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.specific(version) }],
      gcsAccess,
      batching,
      // Managed Prometheus has no mesh identity: under the canary's STRICT mTLS it reads Istio's merged metrics on the
      // sidecar agent's port 15020 (the IstioCanary rewrites the PodMonitoring and annotates the pods).
      monitoring: { scraper: Scraper.POD_MONITORING },
      // The NetworkPolicy admits the server's own namespace by default; the callers and the ingress gateway are widened explicitly.
      networkPolicy: { allowFrom: ['apps', 'istio-system'].map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })) },
    });
    this.stable = server('resnet-v1', 1);
    this.canary = server('resnet-v2', 2);

    this.rollout = new IstioCanary(this, 'resnet', {
      stable: this.stable,
      canary: this.canary,
      weights: { stable: 95, canary: 5 },
      mirrorPercent: 10,
      allowFrom: [MeshCaller.namespace('apps')],
      gateway: { hosts: ['resnet.ml.example.com'], tlsSecretName: 'resnet-ml-example-com-tls' },
    });
  }
}

if (require.main === module) {
  const app = new ServingApp();
  new IstioCanaryChart(app, 'istio-canary');
  app.synth();
}
