// A GKE cluster on its own VPC with private nodes, Cloud NAT and a least-privilege node service account, a CPU pool
// and an L4 GPU pool scaling from zero, and a multi-model TF Serving server on
// the GPU pool reading its models from GCS with Workload Identity — all as Config Connector and Kubernetes
// objects from one chart. The Pulumi program in examples/gke-pulumi reuses these declarations.
// Applying dist/gke-gpu.k8s.yaml: the *.cnrm.cloud.google.com objects go to the Config Connector cluster, the rest
// to the new GKE cluster (the Pulumi program does that split itself).
import { Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  BatchingConfig, ClusterNetwork, GkeCluster, GpuNodePool, MachineType, ModelSource, NodePool, Scraper, TfServingModel, VersionPolicy,
  WorkloadIdentity,
} from '../../lib';

export class GkeGpuChart extends Chart {
  public readonly cluster: GkeCluster;
  public readonly cpuPool: NodePool;
  public readonly l4Pool: GpuNodePool;
  public readonly identity: WorkloadIdentity;
  public readonly server: TfServingModel;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'ml-serving' });

    this.cluster = new GkeCluster(this, 'cluster', {
      project: 'acme-ml',
      location: 'us-central1',
      name: 'serving',
      // its own VPC: nodes in 10.0.0.0/20, Pods and Services in the named secondary ranges 'pods' and 'services'.
      network: ClusterNetwork.create({ nodesCidr: '10.0.0.0/20', podsCidr: '10.4.0.0/14', servicesCidr: '10.8.0.0/20' }),
      // nodes without external addresses; Cloud NAT (created by default for private nodes) lets them pull
      // tensorflow/serving from Docker Hub, and Private Google Access reaches the gs:// models.
      privateNodes: true,
      controlPlaneCidr: '172.16.0.32/28',
      // the control plane answers the CI runners' and the office's range only.
      masterAuthorizedNetworks: [{ cidr: '203.0.113.0/24', displayName: 'office' }],
      // the nodes run as a dedicated service account with logging, monitoring and Artifact Registry read only
      // (NodeServiceAccount.dedicated(), the default).
    });
    this.cpuPool = this.cluster.addNodePool('cpu', { machineType: MachineType.of('e2-standard-4'), minNodes: 1, maxNodes: 3 });
    this.l4Pool = this.cluster.addGpuNodePool('l4', {
      machineType: MachineType.of('g2-standard-8'),
      // the cluster is regional: a GPU pool names zones that offer its GPU
      // (`gcloud compute accelerator-types list --filter="name=nvidia-l4 AND zone~^us-central1-"`)
      nodeLocations: ['us-central1-a'],
      minNodes: 0,
      maxNodes: 4,
      spot: true,
      // Image streaming: the multi-GB tensorflow/serving -gpu image (public Docker Hub) starts without a full pull.
      imageStreaming: true,
    });

    this.identity = new WorkloadIdentity(this, 'serving-identity', {
      cluster: this.cluster,
      serviceAccountName: 'vision',
      namespace: 'ml-serving',
      googleServiceAccountId: 'vision-serving',
      modelBuckets: ['acme-models'],
    });

    this.server = new TfServingModel(this, 'vision', {
      models: [
        // sizeGiB (one version each) sizes the startup probe from planColdStart: model.coldStart
        { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet'), versionPolicy: VersionPolicy.latest(2), sizeGiB: 0.1 },
        { name: 'efficientnet', source: ModelSource.gcs('gs://acme-models/efficientnet'), sizeGiB: 0.08 },
      ],
      gcsAccess: this.identity.gcsAccess(),
      nodePool: this.l4Pool,
      resources: {
        cpu: { request: Cpu.units(6), limit: Cpu.units(6) },
        memory: { request: Size.gibibytes(24), limit: Size.gibibytes(24) },
      },
      batching: new BatchingConfig({ maxBatchSize: 64, batchTimeout: Duration.millis(5), allowedBatchSizes: [16, 32, 64] }),
      monitoring: { scraper: Scraper.POD_MONITORING },
      autoscaling: { minReplicas: 1, maxReplicas: 4 },
    });
  }
}
