// Three ways to load a model faster than TF Serving's own reads from an object store, one chart each:
//  - gcs-fuse: a GKE cluster with the Cloud Storage FUSE CSI driver add-on, a Workload Identity that may read the bucket,
//    and a GPU server that mounts its models through gcsfuse (file cache with parallel downloads on the pool's local SSD);
//  - image: a model packaged as an OCI image, mounted as a Kubernetes image volume (Kubernetes 1.35 or later);
//  - initializer: a model on an S3-compatible store (MinIO), copied by an rclone init container to an emptyDir before the
//    server starts, so that the stock 2.20 image (which has no S3 file system) serves it from a local path.
// Applying dist/gcs-fuse.k8s.yaml: the *.cnrm.cloud.google.com objects go to the Config Connector cluster, the rest
// to the new GKE cluster.
import { Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  GkeCluster, MachineType, ModelSource, S3Credentials, ServingApp, TfServingModel, VersionPolicy, WorkloadIdentity,
} from '../../lib';

const app = new ServingApp();

// --- GCS FUSE ---
const fuse = new Chart(app, 'gcs-fuse', { namespace: 'ml-serving' });
const cluster = new GkeCluster(fuse, 'cluster', { project: 'acme-ml', location: 'us-central1', name: 'serving', gcsFuseCsiDriver: true });
const l4 = cluster.addGpuNodePool('l4', {
  machineType: MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'], minNodes: 0, maxNodes: 4,
});
const identity = new WorkloadIdentity(fuse, 'identity', {
  cluster, serviceAccountName: 'vision', namespace: 'ml-serving', googleServiceAccountId: 'vision-serving', modelBuckets: ['acme-models'],
});
new TfServingModel(fuse, 'vision', {
  models: [{
    name: 'resnet',
    // The model's files are read once at load: a file cache with parallel downloads fetches each large file in several streams.
    source: ModelSource.gcsFuse('gs://acme-models/resnet', { fileCacheSize: Size.gibibytes(20) }),
    versionPolicy: VersionPolicy.latest(1),
  }],
  gcsAccess: identity.gcsAccess(),
  nodePool: l4,
  resources: { cpu: { request: Cpu.units(6), limit: Cpu.units(6) }, memory: { request: Size.gibibytes(24), limit: Size.gibibytes(24) } },
});

// --- OCI image volume ---
const image = new Chart(app, 'image', { namespace: 'ml-serving' });
new TfServingModel(image, 'resnet-image', {
  models: [{ name: 'resnet', source: ModelSource.image('us-docker.pkg.dev/acme-ml/models/resnet:2024-06-01', { path: 'resnet' }) }],
  kubernetesVersion: '1.35',
});

// --- Storage initializer ---
const init = new Chart(app, 'initializer', { namespace: 'ml-serving' });
new TfServingModel(init, 'resnet-s3', {
  models: [{
    name: 'resnet',
    source: ModelSource.storageInitializer('s3://models/resnet', {
      size: Size.gibibytes(10),
      s3: { endpoint: 'minio.storage:9000', credentials: S3Credentials.fromSecret('minio-models') },
    }),
  }],
});

app.synth();
