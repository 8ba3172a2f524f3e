import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AutoscalingScope, CloudNat, ClusterNetwork, GcsAccess, GkeCluster, GpuSharingStrategy, MachineType, ModelSource, NodePool, TfServingImage,
  TfServingModel,
  TfServingModelProps, WorkloadIdentity,
} from '../../lib';
import { isGoogleRegistryImage } from '../../lib/serving/server-spec';
import { containerOf, flagsOf, only, synth } from '../support/synth';

const RESNET = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };
const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const SMALL = { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } };

function setup(pool: (c: GkeCluster, chart: any) => NodePool, props: Partial<TfServingModelProps> = {}) {
  const chart = Testing.chart();
  const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
  const nodePool = pool(cluster, chart);
  const model = new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, nodePool, resources: SMALL, ...props });
  return { chart, cluster, nodePool, model };
}
const l4 = (c: GkeCluster) => c.addGpuNodePool('l4', { machineType: MachineType.of('g2-standard-8'), maxNodes: 4 });

describe('GPU pool', () => {
  test('one reference gives affinity, toleration, a numeric nvidia.com/gpu limit and the -gpu image', () => {
    const { chart, model } = setup(l4);
    const objects = synth(chart);
    const pod = only(objects, 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('tensorflow/serving:2.20.0-gpu');
    expect(c.resources.limits).toEqual({ 'cpu': '2', 'memory': '8192Mi', 'nvidia.com/gpu': 1 });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'tfserving-constructs.io/node-pool', operator: 'In', values: ['l4'] },
        { key: 'cloud.google.com/gke-accelerator', operator: 'In', values: ['nvidia-l4'] },
      ],
    }]);
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    expect(model.gpus).toBe(1);
    expect(flagsOf(c).per_process_gpu_memory_fraction).toBeUndefined();
  });

  test('GPU images keep the CUDA kernel cache on a writable emptyDir (CUDA_CACHE_PATH); CPU images do not', () => {
    const pod = only(synth(setup(l4).chart), 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toContainEqual({ name: 'CUDA_CACHE_PATH', value: '/var/cache/cuda' });
    expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/var/cache/cuda' }));
    const mount = c.volumeMounts.find((m: any) => m.mountPath === '/var/cache/cuda');
    expect(pod.volumes.find((v: any) => v.name === mount.name)).toEqual({ name: mount.name, emptyDir: { sizeLimit: '2048Mi' } });
    const cpu = Testing.chart();
    const plain = containerOf(synth((new TfServingModel(cpu, 'resnet', { models: [RESNET], gcsAccess: WI }), cpu)));
    expect((plain.env ?? []).map((e: any) => e.name)).not.toContain('CUDA_CACHE_PATH');
  });

  test('H100/H200 (A3) pools get a 30-minute startup budget for the first CUDA JIT; L4 keeps 10 minutes', () => {
    const h100 = (c: GkeCluster) => c.addGpuNodePool('h100', { machineType: MachineType.of('a3-highgpu-1g'), maxNodes: 2 });
    const big = {
      cpu: { request: kplus.Cpu.units(8), limit: kplus.Cpu.units(8) },
      memory: { request: Size.gibibytes(64), limit: Size.gibibytes(64) },
    };
    const objects = synth(setup(h100, { resources: big }).chart);
    expect(containerOf(objects).startupProbe.failureThreshold).toBe(180);
    expect(only(objects, 'Deployment').spec.progressDeadlineSeconds).toBe(1800 + 300);
    expect(containerOf(synth(setup(l4).chart)).startupProbe.failureThreshold).toBe(60);
    // An explicit budget wins.
    expect(containerOf(synth(setup(h100, { resources: big, probes: { startupTimeout: Duration.minutes(15) } }).chart)).startupProbe.failureThreshold)
      .toBe(90);
  });

  test('the pool the model is wired to exists in the same output', () => {
    const { chart } = setup(l4);
    const objects = synth(chart);
    const pod = only(objects, 'Deployment').spec.template.spec;
    // the server selects the pool's stable node-pool label, which the pool's nodes carry (nodeConfig.labels)
    const terms = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    const { key, values: [poolName] } = terms[0].matchExpressions[0];
    expect(key).toBe('tfserving-constructs.io/node-pool');
    const pools = objects.filter((o) => o.kind === 'ContainerNodePool');
    const pool = pools.find((p) => p.spec.nodeConfig.labels?.[key] === poolName);
    expect(pool).toBeDefined();
    expect(pool.spec.nodeConfig.guestAccelerator[0].type).toBe('nvidia-l4');
    expect(pool.spec.nodeConfig.taint).toContainEqual({ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' });
  });

  test('without CPU/memory limits the GPU limit still lands (and never as null)', () => {
    for (const resources of [{ cpu: { request: kplus.Cpu.units(1) } }, {}]) {
      const { chart } = setup(l4, { resources });
      expect(containerOf(synth(chart)).resources.limits).toEqual({ 'nvidia.com/gpu': 1 });
    }
  });

  test('several GPUs on a multi-GPU machine, when the model says it places ops across them', () => {
    const { chart } = setup((c) => c.addGpuNodePool('l4x4', { machineType: MachineType.of('g2-standard-48') }), { gpus: 4, multiGpu: true });
    expect(containerOf(synth(chart)).resources.limits['nvidia.com/gpu']).toBe(4);
  });

  test('more than one GPU per replica without multiGpu is refused: TensorFlow uses GPU:0 only (issue 10 item 15)', () => {
    const l4x4 = (c: GkeCluster) => c.addGpuNodePool('l4x4', { machineType: MachineType.of('g2-standard-48') });
    expect(() => setup(l4x4, { gpus: 2 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be 1 unless the model places its ops across GPUs: TensorFlow runs every op of a SavedModel "
      + 'without device annotations on GPU:0, and the other 1 stay idle. '
      + 'Fix: request 1 GPU and scale out with replicas, or set multiGpu: true if the SavedModel pins ops to /device:GPU:1 and above'));
    expect(() => setup(l4x4, { gpus: 1 })).not.toThrow();
  });

  test('a time-shared GPU gives each server an equal share of GPU memory', () => {
    const { chart } = setup((c) => c.addGpuNodePool('shared', {
      machineType: MachineType.of('g2-standard-8'), gpuSharing: { strategy: GpuSharingStrategy.TIME_SHARING, maxSharedClientsPerGpu: 3 },
    }));
    expect(flagsOf(containerOf(synth(chart))).per_process_gpu_memory_fraction).toBe('0.33');
  });

  test('rules: GPU needs a GPU pool and image; a GPU image needs a GPU; the pool must hold the request', () => {
    expect(() => setup((c) => c.addNodePool('cpu'), { gpus: 1 })).toThrow(
      "TfServingModel 'resnet': 'gpus' (1) must come with a GPU nodePool ('cpu' has no accelerator); without one the pods never schedule. Fix: set nodePool to a GpuNodePool, or remove gpus");
    expect(() => setup(l4, { image: TfServingImage.custom('acme/tfs:2.18.0') })).toThrow(
      "TfServingModel 'resnet': 'image' (\"acme/tfs:2.18.0\") must be a GPU build to use the 1 GPU(s) of pool 'l4'. "
      + "Fix: use an image built with CUDA support (a tag ending in -gpu, or TfServingImage.custom('…', { gpu: true }))");
    expect(() => setup((c) => c.addNodePool('cpu'), { image: TfServingImage.gpu() })).toThrow(
      "TfServingModel 'resnet': 'image' (\"tensorflow/serving:2.20.0-gpu\") must not be a GPU build without GPUs (the CUDA build needs an nvidia.com/gpu device to start). "
      + 'Fix: use TfServingImage.of(…), or place the server on a GpuNodePool');
    expect(() => setup(l4, { gpus: 2 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be at most 1, the GPUs on one g2-standard-8 node. Fix: request at most 1, or use a node pool with 2 or more GPUs per node"));
    expect(() => setup(l4, { resources: { cpu: { request: kplus.Cpu.units(16) } } })).toThrow(new Error(
      "TfServingModel 'resnet': 'resources.cpu' (\"16000m\") must fit in the 7545m one g2-standard-8 node leaves for workloads (8 vCPUs minus GKE's reserve "
      + "is 7910m allocatable, minus 365m requested by GKE's system Pods on every node). "
      + 'Fix: request at most 7545m, or pick a machine type with more vCPUs'));
    expect(() => setup((c) => c.addGpuNodePool('shared', {
      machineType: MachineType.of('g2-standard-24'), gpuSharing: { strategy: GpuSharingStrategy.MPS, maxSharedClientsPerGpu: 2 },
    }), { gpus: 2 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be at most 1 on a node pool with GPU sharing strategy mps, because GKE gives each container at most one shared GPU. "
      + 'Fix: request 1 GPU, or run the workload on a node pool without GPU sharing'));
    expect(() => setup((c) => c.addGpuNodePool('mig', { machineType: MachineType.of('a2-highgpu-1g'), gpuPartitionSize: '1g.5gb' }), { gpus: 2 })).toThrow(new Error(
      "TfServingModel 'resnet': 'gpus' (2) must be 1 on a MIG pool ('mig', partitions of 1g.5gb): a CUDA process uses one MIG instance. "
      + 'Fix: request gpus: 1, or choose a larger gpuPartitionSize for the pool'));
    expect(() => setup(l4, { gpus: -1 })).toThrow("TfServingModel 'resnet': 'gpus' (-1) must be an integer of 0 or more. Fix: use 1");
  });
});

describe('GPU sharing and credentials', () => {
  test('an MPS pool gives the pod hostIPC (GKE\'s MPS daemon talks over IPC); time-sharing does not', () => {
    const mps = setup((c) => c.addGpuNodePool('mps', { machineType: MachineType.of('g2-standard-8'), gpuSharing: { strategy: GpuSharingStrategy.MPS, maxSharedClientsPerGpu: 4 } }));
    const pod = only(synth(mps.chart), 'Deployment').spec.template.spec;
    expect(pod.hostIPC).toBe(true);
    expect(flagsOf(pod.containers[0]).per_process_gpu_memory_fraction).toBe('0.25');
    const ts = setup((c) => c.addGpuNodePool('ts', { machineType: MachineType.of('g2-standard-8'), gpuSharing: { strategy: GpuSharingStrategy.TIME_SHARING, maxSharedClientsPerGpu: 4 } }));
    expect(only(synth(ts.chart), 'Deployment').spec.template.spec.hostIPC).toBeUndefined();
  });

  test('the GCS credential must suit the pool\'s cluster', () => {
    expect(() => setup(l4, { gcsAccess: GcsAccess.nodeServiceAccount() })).toThrow(new Error(
      "TfServingModel 'resnet': 'gcsAccess' (\"GcsAccess.nodeServiceAccount()\") must not be the node's identity on pool 'l4': its cluster runs Workload Identity "
      + '(GKE_METADATA nodes hide the node service account from pods). Fix: use GcsAccess.workloadIdentity(…) (e.g. workloadIdentity.gcsAccess()), or a key Secret'));
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a', workloadIdentity: false });
    expect(() => new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, nodePool: l4(cluster), resources: SMALL })).toThrow(new Error(
      "TfServingModel 'resnet': 'gcsAccess' (\"GcsAccess.workloadIdentity(…)\") must not be Workload Identity on pool 'l4': its cluster has Workload Identity off. "
      + 'Fix: enable workloadIdentity on the GkeCluster, or use a key Secret or the node service account'));
  });
});

describe('CPU pool', () => {
  test('pins the server to the pool, no GPU', () => {
    const { chart, model } = setup((c) => c.addNodePool('cpu', { machineType: MachineType.of('n2-standard-8') }));
    const pod = only(synth(chart), 'Deployment').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'tfserving-constructs.io/node-pool', operator: 'In', values: ['cpu'] },
    ]);
    expect(pod.tolerations).toBeUndefined();
    expect(pod.containers[0].image).toBe('tensorflow/serving:2.20.0');
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(model.gpus).toBe(0);
  });
});

describe('Workload Identity end to end', () => {
  function wi(props: { ksa?: string; ns?: string; buckets?: string[] } = {}) {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
    const identity = new WorkloadIdentity(chart, 'wi', {
      cluster, serviceAccountName: props.ksa ?? 'resnet', namespace: props.ns ?? 'default', modelBuckets: props.buckets ?? ['acme-models'],
    });
    new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: identity.gcsAccess() });
    return { chart, identity };
  }

  test('KSA annotated with the Google service account; IAMServiceAccount, workloadIdentityUser and bucket read', () => {
    const { chart } = wi();
    // leave out the cluster's own node service account (cluster-nodes) and its project roles
    const objects = synth(chart).filter((o) => !o.metadata.name.startsWith('cluster-nodes'));
    expect(only(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'resnet@acme-ml.iam.gserviceaccount.com' });
    expect(only(objects, 'IAMServiceAccount').metadata.name).toBe('resnet');
    const members = objects.filter((o) => o.kind === 'IAMPolicyMember');
    expect(members.map((m) => [m.spec.role, m.spec.member ?? m.spec.memberFrom])).toEqual([
      ['roles/iam.workloadIdentityUser', 'serviceAccount:acme-ml.svc.id.goog[default/resnet]'],
      ['roles/storage.objectViewer', { serviceAccountRef: { name: 'resnet' } }],
    ]);
    expect(members[1].spec.resourceRef).toEqual({ kind: 'StorageBucket', external: 'acme-models' });
  });

  test('the binding must be for the server\'s ServiceAccount and cover its buckets', () => {
    expect(() => synth(wi({ ksa: 'other-sa' }).chart)).toThrow(
      "TfServingModel 'resnet': 'gcsAccess' (WorkloadIdentity for default/other-sa) must bind the server's own ServiceAccount (default/resnet), or GKE refuses the token. "
      + "Fix: create the WorkloadIdentity with serviceAccountName 'resnet' and namespace 'default'");
    expect(() => synth(wi({ buckets: ['other-bucket'] }).chart)).toThrow(
      "TfServingModel 'resnet': 'gcsAccess' (WorkloadIdentity resnet@acme-ml.iam.gserviceaccount.com) must grant read access to bucket 'acme-models' of model 'resnet'. "
      + "Fix: add 'acme-models' to the WorkloadIdentity's modelBuckets (or call grantBucketRead('acme-models'))");
  });
});

describe('rollout at pool capacity (issue 10 item 10)', () => {
  const strategyOf = (chart: any) => only(synth(chart), 'Deployment').spec.strategy.rollingUpdate;

  test('room for a surge Pod: maxSurge 1 / maxUnavailable 0', () => {
    // GIVEN 2 replicas on an L4 pool of at most 4 one-GPU nodes
    const { chart } = setup(l4);
    expect(strategyOf(chart)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('an autoscaler maximum that fills the GPU pool rolls out with maxSurge 0 / maxUnavailable 1', () => {
    // GIVEN an HPA maximum of 4 replicas of 1 GPU on 4 one-GPU nodes: a surge Pod could never schedule
    const { chart } = setup(l4, { autoscaling: { minReplicas: 1, maxReplicas: 4 } });
    // THEN an old Pod goes first and its replacement takes its place
    expect(strategyOf(chart)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('more replicas than the pool can hold are refused', () => {
    expect(() => setup(l4, { autoscaling: { minReplicas: 1, maxReplicas: 5 } })).toThrow(new Error(
      "TfServingModel 'resnet': 'autoscaling.maxReplicas' (5) must be at most 4, the replicas node pool 'l4' can hold "
      + "(1 per g2-standard-8 node × 4 nodes at most). Fix: lower it to 4, or raise the pool's maxNodes to 5"));
  });

  test('a CPU pool counts replicas by CPU and memory per node', () => {
    // GIVEN e2-standard-8 nodes (7595m and 28676Mi left for workloads): 3 replicas of 2 CPUs / 8 GiB per node, 2 nodes
    const cpu = (c: GkeCluster) => c.addNodePool('cpu', { machineType: MachineType.of('e2-standard-8'), maxNodes: 2 });
    expect(strategyOf(setup(cpu, { replicas: 5 }).chart)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(strategyOf(setup(cpu, { replicas: 6 }).chart)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(() => setup(cpu, { replicas: 7 })).toThrow(new Error(
      "TfServingModel 'resnet': 'replicas' (7) must be at most 6, the replicas node pool 'cpu' can hold "
      + "(3 per e2-standard-8 node × 2 nodes at most). Fix: lower it to 6, or raise the pool's maxNodes to 3"));
  });

  test('the pool\'s node maximum counts zones: per-zone bounds and fixed sizes times the zones of the region', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' });
    expect([
      cluster.addNodePool('total', { maxNodes: 2 }).maxNodeCount,
      cluster.addNodePool('perzone', { maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE }).maxNodeCount,
      cluster.addNodePool('onezone', { maxNodes: 2, autoscalingScope: AutoscalingScope.PER_ZONE, nodeLocations: ['us-central1-a'] }).maxNodeCount,
      cluster.addNodePool('fixed', { nodeCount: 1 }).maxNodeCount,
    ]).toEqual([2, 6, 2, 3]);
  });
});

describe('private nodes: what the nodes can reach', () => {
  const AR_IMAGE = 'us-docker.pkg.dev/acme-ml/serving/tensorflow-serving:2.20.0';
  function privateCluster(cloudNat: CloudNat) {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', {
      project: 'acme-ml', location: 'us-central1-a', name: 'serving', privateNodes: true,
      network: ClusterNetwork.create({ nodesCidr: '10.0.0.0/20', podsCidr: '10.4.0.0/14', servicesCidr: '10.8.0.0/20', cloudNat }),
    });
    return { chart, pool: cluster.addNodePool('cpu', { machineType: MachineType.of('e2-standard-8') }) };
  }
  const NO_NAT = "node pool 'cpu' runs on private nodes of cluster 'serving' without Cloud NAT (Google APIs only, through Private Google Access)";
  const NAT_FIX = 'give the cluster Cloud NAT (ClusterNetwork cloudNat: CloudNat.CREATE, or CloudNat.EXISTING when the network has it)';

  test('the pool tells its egress: public nodes reach everything; private nodes with NAT too; without NAT, Google APIs only', () => {
    const pub = new GkeCluster(Testing.chart(), 'c', { project: 'acme-ml', location: 'us-central1-a' }).addNodePool('cpu');
    expect(pub.nodeEgress).toEqual({ internet: true, googleApis: true, description: "node pool 'cpu' has public nodes" });
    expect(privateCluster(CloudNat.CREATE).pool.nodeEgress)
      .toEqual({ internet: true, googleApis: true, description: "node pool 'cpu' runs on private nodes of cluster 'serving' with Cloud NAT" });
    expect(privateCluster(CloudNat.NONE).pool.nodeEgress).toEqual({ internet: false, googleApis: true, description: NO_NAT });
  });

  test('Docker Hub image without Cloud NAT: refused (the kubelet could not pull it)', () => {
    const { chart, pool } = privateCluster(CloudNat.NONE);
    expect(() => new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, nodePool: pool, resources: SMALL })).toThrow(
      `TfServingModel 'resnet': 'image' ("tensorflow/serving:2.20.0") must come from a registry the nodes reach: ${NO_NAT}, and the image's registry is outside Google's network. `
      + `Fix: mirror the image to Artifact Registry (TfServingImage.custom('us-docker.pkg.dev/PROJECT/REPO/serving:TAG')), or ${NAT_FIX}`);
  });

  test('an S3 model without Cloud NAT: refused', () => {
    const { chart, pool } = privateCluster(CloudNat.NONE);
    const image = TfServingImage.custom('us-docker.pkg.dev/acme-ml/serving/tfs:2.6.0', { s3Support: true });
    expect(() => new TfServingModel(chart, 'resnet', { models: [{ name: 'r', source: ModelSource.s3('s3://acme/r') }], nodePool: pool, image, resources: SMALL })).toThrow(
      `TfServingModel 'resnet': 'models[0].source' ("s3://acme/r") must be reachable from the nodes: ${NO_NAT}, and S3 is outside Google's network. `
      + `Fix: ${NAT_FIX}, or copy the model to Cloud Storage (reached through Private Google Access)`);
  });

  test('an Artifact Registry image and GCS models without Cloud NAT: accepted (Private Google Access)', () => {
    const { chart, pool } = privateCluster(CloudNat.NONE);
    new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, nodePool: pool, resources: SMALL, image: TfServingImage.custom(AR_IMAGE) });
    expect(containerOf(synth(chart)).image).toBe(AR_IMAGE);
  });

  test('with Cloud NAT: Docker Hub image and S3 accepted', () => {
    const { chart, pool } = privateCluster(CloudNat.CREATE);
    const image = TfServingImage.custom('tensorflow/serving:2.6.0', { s3Support: true });
    new TfServingModel(chart, 'resnet', { models: [{ name: 'r', source: ModelSource.s3('s3://acme/r') }], nodePool: pool, image, resources: SMALL });
    expect(containerOf(synth(chart)).image).toBe('tensorflow/serving:2.6.0');
  });

  test('a placement that reaches no Google API: GCS refused', () => {
    const { chart, pool } = privateCluster(CloudNat.NONE);
    const egress = { internet: false, googleApis: false, description: "pool 'isolated' reaches nothing outside the VPC" };
    const isolated = Object.assign(Object.create(Object.getPrototypeOf(pool)), pool, {}) as NodePool;
    Object.defineProperty(isolated, 'nodeEgress', { value: egress });
    expect(() => new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, nodePool: isolated, resources: SMALL, image: TfServingImage.custom(AR_IMAGE) })).toThrow(
      'TfServingModel \'resnet\': \'models[0].source\' ("gs://acme-models/resnet") must be reachable from the nodes: pool \'isolated\' reaches nothing outside the VPC. '
      + `Fix: turn on Private Google Access on the nodes' subnetwork (ClusterNetwork.create privateGoogleAccess: true), or ${NAT_FIX}`);
  });

  test.each([
    ['tensorflow/serving:2.20.0', false], ['docker.io/tensorflow/serving', false], ['localhost:5000/tfs', false], ['ghcr.io/acme/tfs', false],
    ['gcr.io/acme/tfs', true], ['eu.gcr.io/acme/tfs', true], ['us-docker.pkg.dev/acme/r/tfs', true], ['mirror.gcr.io:443/library/tfs', true], ['pkg.dev', false],
  ])('isGoogleRegistryImage(%j) is %j', (image, expected) => {
    expect(isGoogleRegistryImage(image as string)).toBe(expected);
  });
});
