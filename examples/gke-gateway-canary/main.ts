// A canary of version 2 of a model next to version 1 without a service mesh: GKE's Gateway controller programs a
// global external Application Load Balancer. REST on resnet.ml.example.com and gRPC on resnet-grpc.ml.example.com,
// a 95/5 split (callers cannot pin a version: no rule matches the `x-model-version` header), 10 % of requests are
// mirrored to the canary (the filter's `percent` needs the Gateway API CRDs v1.3.0+, which GKE installs from
// 1.33.2-gke.1335000), TLS 1.2+ by an SSL policy, Identity-Aware Proxy in front of both backends. The Gateway and
// routes live in `ml-edge`, the servers in `ml-serving` (a ReferenceGrant lets the routes reach them).
//
// gRPC: GKE's Gateway implements no GRPCRoute and speaks HTTP/2 to pods only over TLS, so the servers serve gRPC
// with TLS (`grpcTls`: the certificate of the kubernetes.io/tls Secret `resnet-grpc-tls`, e.g. from cert-manager; a
// self-signed one works, the load balancer does not validate it) and an HTTPRoute on the gRPC listener matches the
// gRPC prediction paths. The load balancer balances each call over the pods: a client's one long-lived channel is
// not pinned to one pod as it is behind a ClusterIP Service. gRPC clients send an IAP ID token as `authorization`
// metadata. In-cluster gRPC callers must speak TLS too (REST stays plaintext).
//
// A second rollout (FlaggerChart) hands the split to Flagger's Gateway API provider: Flagger copies `bert` to
// `bert-primary`, writes the HTTPRoute `bert` on the internal Gateway and moves 10 % per minute to a new version while
// TF Serving's own success rate and P99 latency (Managed Prometheus, read through its frontend) stay in bounds.
import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  BatchingConfig, GatewayCanary, GatewayTls, GcsAccess, GkeGatewayClass, GrpcTls, ModelSource, Scraper, ServingApp, TfServingModel,
  VersionPolicy,
} from '../../lib';

export class ServersChart extends Chart {
  public readonly stable: TfServingModel;
  public readonly canary: TfServingModel;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-serving' });
    const batching = new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2), allowedBatchSizes: [8, 16, 32] });
    const gcsAccess = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');
    const server = (name: string, version: number) => new TfServingModel(this, name, {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.specific(version) }],
      gcsAccess,
      batching,
      grpcTls: GrpcTls.fromSecret('resnet-grpc-tls'),
      // The load balancer's front ends and Google's health checkers connect to the pods from these ranges.
      networkPolicy: { allowFrom: [{ podSelector: {} }, { ipBlock: { cidr: '35.191.0.0/16' } }, { ipBlock: { cidr: '130.211.0.0/22' } }] },
    });
    this.stable = server('resnet-v1', 1);
    this.canary = server('resnet-v2', 2);
  }
}

export class EdgeChart extends Chart {
  public readonly rollout: GatewayCanary;

  constructor(scope: Construct, id: string, servers: ServersChart) {
    super(scope, id, { namespace: 'ml-edge' });
    this.rollout = new GatewayCanary(this, 'resnet', {
      stable: servers.stable,
      canary: servers.canary,
      weights: { stable: 95, canary: 5 },
      mirrorPercent: 10,
      gatewayClass: GkeGatewayClass.GLOBAL_EXTERNAL_MANAGED,
      restHost: 'resnet.ml.example.com',
      grpcHost: 'resnet-grpc.ml.example.com',
      tls: GatewayTls.certificateMap('ml-example-com'),
      // TLS 1.2+ at the front end (a Compute Engine SSL policy; Google's default accepts TLS 1.0).
      sslPolicy: 'tls12-modern',
      // The cluster's Gateway API CRDs: the 10 % mirror share needs 1.3.
      gatewayApiVersion: '1.3',
      iap: { clientId: '123456789012-abc.apps.googleusercontent.com', oauth2ClientSecretName: 'resnet-iap-oauth' },
      logSamplePercent: 10,
    });
  }
}

export class FlaggerChart extends Chart {
  public readonly rollout: GatewayCanary;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-internal' });
    const server = new TfServingModel(this, 'bert', {
      models: [{ name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }],
      gcsAccess: GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com'),
      // Flagger's analysis reads the canary pods' TF Serving metrics from Managed Prometheus.
      monitoring: { scraper: Scraper.POD_MONITORING },
      // Health checks, the regional proxies (proxy-only subnet) and Flagger's load tester reach the pods.
      networkPolicy: {
        allowFrom: [
          { podSelector: {} }, { ipBlock: { cidr: '35.191.0.0/16' } }, { ipBlock: { cidr: '130.211.0.0/22' } }, { ipBlock: { cidr: '10.129.0.0/23' } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'flagger-system' } } },
        ],
      },
    });
    this.rollout = new GatewayCanary(this, 'bert-rollout', {
      stable: server,
      gatewayClass: GkeGatewayClass.REGIONAL_INTERNAL,
      restHost: 'bert.ml.internal.example.com',
      tls: GatewayTls.secret('bert-internal-tls'),
      proxyOnlySubnet: '10.129.0.0/23',
      flagger: {
        prometheusAddress: 'http://frontend.gmp-public.svc:9090',
        loadTester: { url: 'http://flagger-loadtester.flagger-system/', requestBody: '{"instances": [{"input_ids": [101, 102]}]}' },
      },
    });
  }
}

if (require.main === module) {
  const app = new ServingApp();
  const servers = new ServersChart(app, 'gke-gateway-canary-servers');
  new EdgeChart(app, 'gke-gateway-canary-edge', servers);
  new FlaggerChart(app, 'gke-gateway-canary-flagger');
  app.synth();
}
