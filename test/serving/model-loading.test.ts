import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  GcsAccess, GkeCluster, HttpsEgress, IstioCanary, MachineType, MeshCaller, ModelSource, S3Credentials, TfServingModel, TfServingModelProps,
  VersionPolicy, WorkloadIdentity,
} from '../../lib';
import { containerOf, only, synth } from '../support/synth';

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const SMALL = { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } };

function server(props: Partial<TfServingModelProps>, id = 'resnet') {
  const chart = Testing.chart();
  const model = new TfServingModel(chart, id, { models: [], gcsAccess: WI, ...props } as TfServingModelProps);
  return { chart, model };
}
const podOf = (objects: any[]) => only(objects, 'Deployment').spec.template;

describe('ModelSource.gcsFuse', () => {
  test('an ephemeral read-only CSI volume per path, only-dir, implicit-dirs, metadata cache; base path is the mount', () => {
    // GIVEN a model mounted through the GCS FUSE CSI driver
    const source = ModelSource.gcsFuse('gs://acme-models/vision/resnet/');
    const { chart } = server({ models: [{ name: 'resnet', source }] });
    const objects = synth(chart);
    const pod = podOf(objects);
    // THEN the volume, its mount and the base path agree
    expect(source.kind).toBe('gcs-fuse');
    expect(source.basePath).toBe('/models/gcsfuse/gcsfuse-acme-models-7992052f');
    expect(source.mountPath).toBe(source.basePath);
    expect([source.bucket, source.isRemote]).toEqual(['acme-models', false]);
    expect(pod.spec.volumes).toContainEqual({
      name: 'gcsfuse-acme-models-7992052f',
      csi: {
        driver: 'gcsfuse.csi.storage.gke.io', readOnly: true,
        volumeAttributes: { bucketName: 'acme-models', mountOptions: 'implicit-dirs,only-dir=vision/resnet,metadata-cache:ttl-secs:60' },
      },
    });
    expect(containerOf(objects).volumeMounts).toContainEqual({ name: 'gcsfuse-acme-models-7992052f', mountPath: source.basePath, readOnly: true });
    expect(only(objects, 'ConfigMap', 'resnet-config').data['models.config']).toContain(`base_path: "${source.basePath}"`);
    // AND no file cache volume without a file cache
    expect(pod.spec.volumes.map((v: any) => v.name)).not.toContain('gke-gcsfuse-cache');
  });

  test('pod annotations: sidecar injection, unlimited sidecar by default, Istio proxy first and metadata server outside the mesh', () => {
    const { chart } = server({ models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }] });
    const annotations = podOf(synth(chart)).metadata.annotations;
    expect(annotations).toMatchObject({
      'gke-gcsfuse/volumes': 'true',
      'gke-gcsfuse/cpu-limit': '0',
      'gke-gcsfuse/memory-limit': '0',
      'gke-gcsfuse/ephemeral-storage-limit': '0',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '169.254.169.254/32',
    });
    expect(JSON.parse(annotations['proxy.istio.io/config'])).toEqual({ terminationDrainDuration: '45s', holdApplicationUntilProxyStarts: true });
    expect(Object.keys(annotations).filter((k) => k.endsWith('-request'))).toEqual([]);
  });

  test('sidecar resources become request and limit annotations', () => {
    const source = ModelSource.gcsFuse('gs://acme-models/resnet', {
      sidecarResources: {
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(2) },
        memory: { request: Size.gibibytes(1) },
        ephemeralStorage: { request: Size.gibibytes(5), limit: Size.gibibytes(10) },
      },
    });
    const { chart } = server({ models: [{ name: 'resnet', source }] });
    const annotations = podOf(synth(chart)).metadata.annotations;
    expect(Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith('gke-gcsfuse/') && k !== 'gke-gcsfuse/volumes'))).toEqual({
      'gke-gcsfuse/cpu-request': '500m',
      'gke-gcsfuse/cpu-limit': '2',
      'gke-gcsfuse/memory-request': '1024Mi',
      'gke-gcsfuse/ephemeral-storage-request': '5120Mi',
      'gke-gcsfuse/ephemeral-storage-limit': '10240Mi',
    });
  });

  test('file cache with parallel downloads on the gke-gcsfuse-cache emptyDir, sized by the sum of the caches plus headroom', () => {
    // GIVEN two models from one bucket, each with a file cache, and a third model without one
    const { chart, model } = server({
      models: [
        { name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet', { fileCacheSize: Size.gibibytes(20), metadataCacheTtl: Duration.seconds(30) }) },
        { name: 'bert', source: ModelSource.gcsFuse('gs://acme-models/bert', { fileCacheSize: Size.gibibytes(10), parallelDownloads: false }) },
      ],
    });
    model.addModel({ name: 'small', source: ModelSource.gcsFuse('gs://acme-models/small') });
    const pod = podOf(synth(chart));
    const attrs = pod.spec.volumes.filter((v: any) => v.csi).map((v: any) => v.csi.volumeAttributes.mountOptions);
    expect(attrs).toEqual([
      // parallel downloads written out either way (gcsfuse defaults them on with a cache), range reads cached
      'implicit-dirs,only-dir=resnet,metadata-cache:ttl-secs:30,file-cache:max-size-mb:20480,file-cache:enable-parallel-downloads:true,file-cache:cache-file-for-range-read:true',
      'implicit-dirs,only-dir=bert,metadata-cache:ttl-secs:60,file-cache:max-size-mb:10240,file-cache:enable-parallel-downloads:false,file-cache:cache-file-for-range-read:true',
      'implicit-dirs,only-dir=small,metadata-cache:ttl-secs:60',
    ]);
    // THEN one cache volume holds both caches: 30 GiB + 10 %
    expect(pod.spec.volumes.filter((v: any) => v.name === 'gke-gcsfuse-cache')).toEqual([{ name: 'gke-gcsfuse-cache', emptyDir: { sizeLimit: '33792Mi' } }]);
  });

  test('a bucket root needs no only-dir; two models of one path share one volume', () => {
    const root = ModelSource.gcsFuse('gs://acme-models');
    const { chart } = server({ models: [{ name: 'a', source: root }, { name: 'b', source: ModelSource.gcsFuse('gs://acme-models/') }] });
    const pod = podOf(synth(chart));
    const csi = pod.spec.volumes.filter((v: any) => v.csi);
    expect(csi.length).toBe(1);
    expect(csi[0].csi.volumeAttributes.mountOptions).toBe('implicit-dirs,metadata-cache:ttl-secs:60');
  });

  test('NetworkPolicy egress covers what the sidecar needs: HTTPS to Google APIs and the metadata server', () => {
    const { chart } = server({ models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }] });
    const egress = only(synth(chart), 'NetworkPolicy').spec.egress;
    expect(egress).toContainEqual({ ports: [{ port: 443, protocol: 'TCP' }] });
    expect(egress).toContainEqual({
      to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: '169.254.169.252/32' } }],
      ports: [{ port: 80, protocol: 'TCP' }, { port: 988, protocol: 'TCP' }],
    });
  });

  test('an IstioCanary keeps the FUSE proxy settings', () => {
    const chart = new Chart(Testing.app(), 'serving', { namespace: 'ml' });
    const source = ModelSource.gcsFuse('gs://acme-models/resnet');
    const networkPolicy = { allowFrom: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }] };
    const stable = new TfServingModel(chart, 'v1', { models: [{ name: 'resnet', source }], gcsAccess: WI, networkPolicy });
    const canary = new TfServingModel(chart, 'v2', { models: [{ name: 'resnet', source }], gcsAccess: WI, networkPolicy });
    new IstioCanary(chart, 'resnet', { stable, canary, allowFrom: [MeshCaller.namespace('apps')] });
    for (const d of synth(chart).filter((o) => o.kind === 'Deployment')) {
      expect(JSON.parse(d.spec.template.metadata.annotations['proxy.istio.io/config']).holdApplicationUntilProxyStarts).toBe(true);
      expect(d.spec.template.metadata.annotations['traffic.sidecar.istio.io/excludeOutboundIPRanges']).toBe('169.254.169.254/32');
    }
  });

  test('on a GKE pool: the cluster add-on and the Workload Identity binding to the bucket', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a', gcsFuseCsiDriver: true });
    const nodePool = cluster.addNodePool('cpu', { machineType: MachineType.of('n2-standard-8'), maxNodes: 3 });
    const wi = new WorkloadIdentity(chart, 'wi', { cluster, serviceAccountName: 'resnet', namespace: 'default', modelBuckets: ['acme-models'] });
    new TfServingModel(chart, 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }], gcsAccess: wi.gcsAccess(), nodePool, resources: SMALL,
    });
    const objects = synth(chart);
    expect(only(objects, 'ContainerCluster').spec.addonsConfig).toEqual({ gcsFuseCsiDriverConfig: { enabled: true } });
    expect(only(objects, 'ServiceAccount').metadata.annotations['iam.gke.io/gcp-service-account']).toBe(wi.email);
    expect(nodePool.gcsFuseCsiDriver).toBe(true);
  });

  test('the Workload Identity must grant the FUSE bucket', () => {
    const chart = Testing.chart();
    const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
    const wi = new WorkloadIdentity(chart, 'wi', { cluster, serviceAccountName: 'resnet', namespace: 'default', modelBuckets: ['other-bucket'] });
    new TfServingModel(chart, 'resnet', { models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }], gcsAccess: wi.gcsAccess() });
    expect(() => Testing.synth(chart)).toThrow(`'gcsAccess' (WorkloadIdentity ${wi.email}) must grant read access to bucket 'acme-models' of model 'resnet'`);
  });

  describe('refusals', () => {
    test('source rules', () => {
      expect(() => ModelSource.gcsFuse('acme-models/resnet')).toThrow(
        "ModelSource.gcsFuse: 'uri' (\"acme-models/resnet\") must be a gs://BUCKET/PATH URI with a valid bucket name. Fix: write it as gs://my-bucket/models/resnet");
      expect(() => ModelSource.gcsFuse('gs://acme-models/a,b')).toThrow(
        "ModelSource.gcsFuse: 'uri' (\"gs://acme-models/a,b\") must not contain ',' in its path (the CSI driver splits mount options at commas). Fix: rename the folder");
      expect(() => ModelSource.gcsFuse('gs://acme-models/a/../b')).toThrow(
        "ModelSource.gcsFuse: 'uri' (\"gs://acme-models/a/../b\") must not contain '..' in its path. Fix: name the model's folder directly");
      expect(() => ModelSource.gcsFuse('gs://acme-models/m', { fileCacheSize: Size.kibibytes(512) })).toThrow(
        "ModelSource.gcsFuse: 'fileCacheSize' (\"512 KiB\") must be at least 1 MiB (gcsfuse sizes its file cache in MiB). Fix: use Size.gibibytes(10), or leave it out for no file cache");
      expect(() => ModelSource.gcsFuse('gs://acme-models/m', { parallelDownloads: true })).toThrow(
        "ModelSource.gcsFuse: 'parallelDownloads' (true) must come with fileCacheSize: gcsfuse downloads in parallel into its file cache only. "
        + 'Fix: set fileCacheSize (e.g. Size.gibibytes(20), more than the model), or remove parallelDownloads');
      expect(() => ModelSource.gcsFuse('gs://acme-models/m', { metadataCacheTtl: Duration.millis(1500) })).toThrow(
        "ModelSource.gcsFuse: 'metadataCacheTtl' (\"1500ms\") must be whole seconds, 0 or more (metadata-cache:ttl-secs). Fix: use Duration.seconds(60)");
    });

    test('without Workload Identity on the pool', () => {
      const chart = Testing.chart();
      const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a', workloadIdentity: false });
      const nodePool = cluster.addNodePool('cpu', { machineType: MachineType.of('n2-standard-8'), maxNodes: 3 });
      expect(() => new TfServingModel(chart, 'resnet', {
        models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }], gcsAccess: GcsAccess.keySecret('key'), nodePool, resources: SMALL,
      })).toThrow("TfServingModel 'resnet': 'models[0].source' (\"gs://acme-models\") must not be a GCS FUSE volume on pool 'cpu': its cluster has Workload Identity off, "
        + 'and the Cloud Storage FUSE CSI driver authenticates only through Workload Identity. Fix: enable workloadIdentity on the GkeCluster, or use ModelSource.gcs(…)');
    });

    test('without the add-on on the cluster', () => {
      const chart = Testing.chart();
      const cluster = new GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
      const nodePool = cluster.addNodePool('cpu', { machineType: MachineType.of('n2-standard-8'), maxNodes: 3 });
      expect(() => new TfServingModel(chart, 'resnet', {
        models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }], gcsAccess: WI, nodePool, resources: SMALL,
      })).toThrow("TfServingModel 'resnet': 'models[0].source' (\"gs://acme-models\") must not be a GCS FUSE volume on pool 'cpu': "
        + 'its cluster has the Cloud Storage FUSE CSI driver add-on off. Fix: set gcsFuseCsiDriver: true on the GkeCluster');
    });

    test('the add-on without Workload Identity', () => {
      expect(() => new GkeCluster(Testing.chart(), 'cluster', { project: 'acme-ml', location: 'us-central1-a', workloadIdentity: false, gcsFuseCsiDriver: true })).toThrow(
        "GkeCluster 'cluster': 'gcsFuseCsiDriver' (true) must come with Workload Identity: the Cloud Storage FUSE CSI driver authenticates pods only through it. "
        + 'Fix: remove workloadIdentity: false, or leave the add-on off');
    });

    test('a credential other than Workload Identity', () => {
      for (const [gcsAccess, shown] of [[GcsAccess.keySecret('key'), '"key-secret"'], [undefined, 'undefined']] as const) {
        expect(() => server({ models: [{ name: 'resnet', source: ModelSource.gcsFuse('gs://acme-models/resnet') }], gcsAccess })).toThrow(
          `TfServingModel 'resnet': 'gcsAccess' (${shown}) must be GcsAccess.workloadIdentity(…) because models[0] ('resnet') is a GCS FUSE volume: the CSI driver `
          + 'authenticates as the pod\'s ServiceAccount through Workload Identity (a key Secret or the node\'s account are not used). '
          + 'Fix: pass gcsAccess: GcsAccess.workloadIdentity(\'SA@PROJECT.iam.gserviceaccount.com\') with roles/storage.objectViewer on the bucket (e.g. workloadIdentity.gcsAccess())');
      }
    });

    test('sources of one server that disagree on the sidecar or on one path', () => {
      const a = ModelSource.gcsFuse('gs://acme-models/a');
      const big = ModelSource.gcsFuse('gs://acme-models/b', { sidecarResources: { memory: { limit: Size.gibibytes(4) } } });
      expect(() => server({ models: [{ name: 'a', source: a }, { name: 'b', source: big }] })).toThrow(
        "TfServingModel 'resnet': 'models[1].source.sidecarResources' ({\"gke-gcsfuse/cpu-limit\":\"0\",\"gke-gcsfuse/memory-limit\":\"4096Mi\",\"gke-gcsfuse/ephemeral-storage-limit\":\"0\"}) "
        + "must match those of 'a': the pod has one gcsfuse sidecar, sized by pod annotations. Fix: give every GCS FUSE source of the server the same sidecarResources");
      const cached = ModelSource.gcsFuse('gs://acme-models/a', { fileCacheSize: Size.gibibytes(1) });
      expect(() => server({ models: [{ name: 'a', source: a }, { name: 'a2', source: cached }] })).toThrow(
        "TfServingModel 'resnet': 'models[1].source' (\"gs://acme-models/a\") must use the same GCS FUSE options as 'a', which mounts the same path as one volume. "
        + 'Fix: pass the same GcsFuseOptions to both sources');
    });
  });
});

describe('ModelSource.image', () => {
  const REF = 'us-docker.pkg.dev/acme/models/resnet:v3';

  test('an image volume and its read-only mount, patched onto the rendered pod; base path inside the image', () => {
    const source = ModelSource.image(REF, { path: 'resnet' });
    const { chart } = server({ models: [{ name: 'resnet', source }, { name: 'resnet-copy', source }], kubernetesVersion: '1.35' });
    const objects = synth(chart);
    const pod = podOf(objects);
    expect(source.kind).toBe('image');
    expect(source.basePath).toBe('/models/image/34cc4695/resnet');
    expect(source.mountPath).toBe('/models/image/34cc4695');
    // THEN one volume for both models
    expect(pod.spec.volumes.filter((v: any) => v.image)).toEqual([{ name: 'model-image-34cc4695', image: { reference: REF, pullPolicy: 'IfNotPresent' } }]);
    expect(containerOf(objects).volumeMounts.filter((m: any) => m.name.startsWith('model-image'))).toEqual([
      { name: 'model-image-34cc4695', mountPath: '/models/image/34cc4695', readOnly: true },
    ]);
  });

  test('by digest, image root, pull policy', () => {
    const ref = `us-docker.pkg.dev/acme/models/resnet@sha256:${'a'.repeat(64)}`;
    const source = ModelSource.image(ref, { pullPolicy: kplus.ImagePullPolicy.ALWAYS });
    const { chart } = server({ models: [{ name: 'resnet', source }] });
    const volume = podOf(synth(chart)).spec.volumes.find((v: any) => v.image);
    expect(volume.image).toEqual({ reference: ref, pullPolicy: 'Always' });
    expect(source.basePath).toBe(source.mountPath);
  });

  test('refusals', () => {
    for (const ref of ['us-docker.pkg.dev/acme/models/resnet', 'us-docker.pkg.dev/acme/models/resnet:latest', 'localhost:5000/resnet']) {
      expect(() => ModelSource.image(ref)).toThrow(`ModelSource.image: 'reference' ("${ref}") must be an image pinned by tag (not latest) or by digest. `
        + 'Fix: write it as REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST, e.g. us-docker.pkg.dev/acme/models/resnet:v3');
    }
    expect(() => ModelSource.image(REF, { path: '/resnet' })).toThrow(
      "ModelSource.image: 'path' (\"/resnet\") must be relative to the image root and not contain '..'. Fix: write it as 'models/resnet'");
    expect(() => server({ models: [{ name: 'resnet', source: ModelSource.image(REF) }], kubernetesVersion: '1.34' })).toThrow(
      `TfServingModel 'resnet': 'models[0].source' ("${REF}") must not be an image volume on Kubernetes 1.34: image volumes are on by default from 1.35 `
      + '(the ImageVolume feature gate is off by default before). Fix: upgrade the cluster to 1.35 or later (and set kubernetesVersion), or use ModelSource.gcs(…) or gcsFuse(…)');
    expect(() => server({ models: [{ name: 'resnet', source: ModelSource.image(REF) }], kubernetesVersion: 'v1.35' })).toThrow(
      "TfServingModel 'resnet': 'kubernetesVersion' (\"v1.35\") must be a Kubernetes minor version such as '1.35'. Fix: write the cluster's version as MAJOR.MINOR");
  });
});

describe('ModelSource.storageInitializer', () => {
  const initOf = (objects: any[]) => podOf(objects).spec.initContainers;

  test('GCS with Workload Identity: an rclone init container copies to an emptyDir the server mounts read-only', () => {
    // GIVEN a GCS model copied before start
    const source = ModelSource.storageInitializer('gs://acme-models/resnet/', { size: Size.gibibytes(20) });
    const { chart } = server({ models: [{ name: 'resnet', source }] });
    const objects = synth(chart);
    const pod = podOf(objects).spec;
    // THEN the server reads a local path
    expect([source.kind, source.basePath, source.mountPath, source.isRemote]).toEqual(['storage-initializer', '/models/init/e3d3a34c', '/models/init/e3d3a34c', false]);
    expect(only(objects, 'ConfigMap', 'resnet-config').data['models.config']).toContain('base_path: "/models/init/e3d3a34c"');
    expect(containerOf(objects).volumeMounts).toContainEqual({ name: 'model-init-e3d3a34c', mountPath: '/models/init/e3d3a34c', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'model-init-e3d3a34c', emptyDir: { sizeLimit: '20480Mi' } });
    expect(pod.volumes).toContainEqual({ name: 'model-init-e3d3a34c-tmp', emptyDir: { sizeLimit: '64Mi' } });
    // AND the copier is pinned, hardened, bounded and signs in through the metadata server
    expect(initOf(objects)).toEqual([{
      name: 'model-init-e3d3a34c',
      image: 'rclone/rclone:1.71.1',
      imagePullPolicy: 'IfNotPresent',
      command: ['rclone', 'copy', ':gcs:acme-models/resnet', '/models/init/e3d3a34c', '--config=/tmp/rclone.conf', '--transfers=8'],
      env: [{ name: 'RCLONE_GCS_ENV_AUTH', value: 'true' }],
      volumeMounts: [{ name: 'model-init-e3d3a34c', mountPath: '/models/init/e3d3a34c' }, { name: 'model-init-e3d3a34c-tmp', mountPath: '/tmp' }],
      resources: { limits: { cpu: '1', memory: '1024Mi' }, requests: { cpu: '1', memory: '1024Mi' } },
      securityContext: {
        allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      },
    }]);
    expect(only(objects, 'ServiceAccount').metadata.annotations['iam.gke.io/gcp-service-account']).toBe(WI.googleServiceAccount);
  });

  test('GCS with a key Secret: the key is mounted into the copier too', () => {
    const source = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) });
    const { chart } = server({ models: [{ name: 'resnet', source }], gcsAccess: GcsAccess.keySecret('gcs-key', 'sa.json') });
    const [init] = initOf(synth(chart));
    expect(init.env).toEqual([{ name: 'RCLONE_GCS_SERVICE_ACCOUNT_FILE', value: '/var/secrets/google/sa.json' }]);
    expect(init.volumeMounts).toContainEqual({ name: 'gcs-key', mountPath: '/var/secrets/google', readOnly: true });
  });

  test('S3-compatible with credentials on every TF Serving image: endpoint, region, TLS and keys from the Secret; egress to its port', () => {
    const source = ModelSource.storageInitializer('s3://models/resnet', {
      size: Size.gibibytes(8),
      s3: { endpoint: 'minio.storage:9000', region: 'eu-west-1', verifySsl: false, credentials: S3Credentials.fromSecret('minio', 'id', 'secret') },
      resources: {
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(2) }, memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
      },
    });
    const { chart } = server({ models: [{ name: 'resnet', source }], gcsAccess: undefined });
    const objects = synth(chart);
    const [init] = initOf(objects);
    expect(init.command.slice(0, 3)).toEqual(['rclone', 'copy', ':s3:models/resnet']);
    expect(init.env).toEqual([
      { name: 'RCLONE_S3_PROVIDER', value: 'Other' },
      { name: 'RCLONE_S3_ENV_AUTH', value: 'true' },
      { name: 'RCLONE_S3_REGION', value: 'eu-west-1' },
      { name: 'RCLONE_S3_ENDPOINT', value: 'https://minio.storage:9000' },
      { name: 'RCLONE_NO_CHECK_CERTIFICATE', value: 'true' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio', key: 'id' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio', key: 'secret' } } },
    ]);
    expect(init.resources).toEqual({ limits: { cpu: '2', memory: '2048Mi' }, requests: { cpu: '500m', memory: '512Mi' } });
    // The server itself gets no S3 environment: it reads a local path, so the 2.20 image is fine.
    expect(containerOf(objects).env ?? []).toEqual([]);
    expect(containerOf(objects).image).toBe('tensorflow/serving:2.20.0');
    expect(only(objects, 'NetworkPolicy').spec.egress).toContainEqual({ ports: [{ port: 9000, protocol: 'TCP' }] });
  });

  test('AWS S3 over plain HTTP endpoint and HTTPS directory listings', () => {
    const aws = ModelSource.storageInitializer('s3://models/resnet', { size: Size.gibibytes(8), s3: { credentials: S3Credentials.fromSecret('aws') } });
    const http = ModelSource.storageInitializer('https://models.acme.example:8443/resnet', { size: Size.gibibytes(8) });
    const local = ModelSource.storageInitializer('s3://models/bert', {
      size: Size.gibibytes(8), s3: { endpoint: 'http://minio:80', useHttps: false, credentials: S3Credentials.fromSecret('minio') },
    });
    const { chart } = server({ models: [{ name: 'resnet', source: aws }, { name: 'web', source: http }, { name: 'bert', source: local }], gcsAccess: undefined });
    const objects = synth(chart);
    const [a, h, m] = initOf(objects);
    expect(a.env.slice(0, 3)).toEqual([
      { name: 'RCLONE_S3_PROVIDER', value: 'AWS' }, { name: 'RCLONE_S3_ENV_AUTH', value: 'true' }, { name: 'RCLONE_S3_REGION', value: 'us-east-1' },
    ]);
    expect(h.command.slice(0, 3)).toEqual(['rclone', 'copy', ':http:']);
    expect(h.env).toEqual([{ name: 'RCLONE_HTTP_URL', value: 'https://models.acme.example:8443/resnet/' }]);
    expect(m.env).toContainEqual({ name: 'RCLONE_S3_ENDPOINT', value: 'http://minio:80' });
    expect(only(objects, 'NetworkPolicy').spec.egress).toContainEqual({ ports: [{ port: 80, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }] });
    expect(http._egressPorts()).toEqual([8443]);
    expect(ModelSource.storageInitializer('https://models.acme.example/resnet', { size: Size.gibibytes(1) })._egressPorts()).toEqual([]);
  });

  test('VersionPolicy.specific copies only the named version directories (rooted rclone includes)', () => {
    // GIVEN a model serving versions 3 and 1 of a path that holds many
    const source = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) });
    const { chart } = server({ models: [{ name: 'resnet', source, versionPolicy: VersionPolicy.specific(3, 1) }] });
    // THEN rclone copies /1 and /3 only (and lists no other version directory)
    expect(initOf(synth(chart))[0].command).toEqual([
      'rclone', 'copy', ':gcs:acme-models/resnet', '/models/init/e3d3a34c', '--config=/tmp/rclone.conf', '--transfers=8',
      '--include', '/1/**', '--include', '/3/**',
    ]);
  });

  test.each([
    ['latest(2)', VersionPolicy.latest(2)],
    ['all()', VersionPolicy.all()],
    ['the default (latest(1))', undefined],
  ])('%s copies every version: which versions are latest depends on the store at start', (_name, versionPolicy) => {
    const source = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) });
    const { chart } = server({ models: [{ name: 'resnet', source, versionPolicy }] });
    expect(initOf(synth(chart))[0].command).toEqual(['rclone', 'copy', ':gcs:acme-models/resnet', '/models/init/e3d3a34c', '--config=/tmp/rclone.conf', '--transfers=8']);
  });

  test('models sharing a path: the copy holds what each needs (union of specific versions; everything once one needs all)', () => {
    const source = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) });
    // GIVEN two models on one path, each with specific versions, the second added later (addModel)
    const { chart, model } = server({ models: [{ name: 'a', source, versionPolicy: VersionPolicy.specific(2) }] });
    model.addModel({ name: 'b', source: ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) }), versionPolicy: VersionPolicy.specific(1, 2) });
    // THEN the one copy includes both models' versions
    expect(initOf(synth(chart))[0].command.slice(6)).toEqual(['--include', '/1/**', '--include', '/2/**']);
    // AND once a model on the path takes latest versions, the copy takes everything
    model.addModel({ name: 'c', source, versionPolicy: VersionPolicy.latest(1) });
    expect(initOf(synth(chart))[0].command.slice(6)).toEqual([]);
    model.addModel({ name: 'd', source, versionPolicy: VersionPolicy.specific(7) });
    expect(initOf(synth(chart))[0].command.slice(6)).toEqual([]);
  });

  test('two models of one path share one copy', () => {
    const source = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(20) });
    const { chart } = server({ models: [{ name: 'a', source }, { name: 'b', source }] });
    expect(initOf(synth(chart)).length).toBe(1);
  });

  describe('refusals', () => {
    test('source rules', () => {
      const size = Size.gibibytes(1);
      expect(() => ModelSource.storageInitializer('http://models.acme.example/resnet', { size })).toThrow(
        "ModelSource.storageInitializer: 'uri' (\"http://models.acme.example/resnet\") must be a gs://BUCKET/PATH, s3://BUCKET/PATH or https://HOST/PATH URI. "
        + 'Fix: write it as gs://my-bucket/models/resnet (plain http:// is refused: the model would travel unauthenticated)');
      expect(() => ModelSource.storageInitializer('gs://acme-models/a/../b', { size })).toThrow(
        "ModelSource.storageInitializer: 'uri' (\"gs://acme-models/a/../b\") must not contain '..' in its path. Fix: name the model's folder directly");
      expect(() => ModelSource.storageInitializer('gs://acme-models/m', { size: Size.kibibytes(10) })).toThrow(
        "ModelSource.storageInitializer: 'size' (\"10 KiB\") must be at least 1 MiB. Fix: use more than every version of the model takes, e.g. Size.gibibytes(20)");
      expect(() => ModelSource.storageInitializer('gs://acme-models/m', { size, s3: {} })).toThrow(
        "ModelSource.storageInitializer: 's3' ({}) must be set only for an s3:// path (got a gcs one). Fix: remove s3");
      for (const image of ['rclone/rclone', 'rclone/rclone:latest', 'localhost:5000/rclone']) {
        expect(() => ModelSource.storageInitializer('gs://acme-models/m', { size, image })).toThrow(
          `ModelSource.storageInitializer: 'image' ("${image}") must be pinned by tag (not latest) or digest. Fix: use rclone/rclone:1.71.1`);
      }
      expect(ModelSource.storageInitializer('gs://acme-models/m', { size, image: `mirror.acme.example:5000/rclone@sha256:${'b'.repeat(64)}` }).kind).toBe('storage-initializer');
    });

    test('no credentials for the store', () => {
      expect(() => ModelSource.storageInitializer('s3://models/resnet', { size: Size.gibibytes(1), s3: { endpoint: 'minio:9000' } })).toThrow(
        "ModelSource.storageInitializer: 's3.credentials' (undefined) must be set: the storage initializer signs in to S3 with an access key from a Secret. "
        + "Fix: pass s3: { credentials: S3Credentials.fromSecret('SECRET') } (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
      expect(() => ModelSource.storageInitializer('s3://models/resnet', { size: Size.gibibytes(1) })).toThrow(
        "ModelSource.storageInitializer: 's3.credentials' (undefined) must be set");
      expect(() => server({ models: [{ name: 'resnet', source: ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(1) }) }], gcsAccess: undefined }))
        .toThrow("TfServingModel 'resnet': 'gcsAccess' (undefined) must be set because models[0] ('resnet') is copied from GCS by a storage initializer, "
          + "which signs in as the server. Fix: pass gcsAccess: GcsAccess.workloadIdentity('SA@PROJECT.iam.gserviceaccount.com') (or keySecret / nodeServiceAccount)");
    });

    test('HTTPS egress narrowed to Google APIs with a store outside Google', () => {
      const source = ModelSource.storageInitializer('https://models.acme.example/resnet', { size: Size.gibibytes(1) });
      expect(() => server({ models: [{ name: 'resnet', source }], networkPolicy: { httpsEgress: HttpsEgress.PRIVATE_GOOGLE_APIS } })).toThrow(
        "TfServingModel 'resnet': 'networkPolicy.httpsEgress' (\"private.googleapis.com\") must allow the store of models[0] ('resnet'): it admits HTTPS to Google APIs only");
      const gcs = ModelSource.storageInitializer('gs://acme-models/resnet', { size: Size.gibibytes(1) });
      expect(() => server({ models: [{ name: 'resnet', source: gcs }], networkPolicy: { httpsEgress: HttpsEgress.PRIVATE_GOOGLE_APIS } })).not.toThrow();
    });
  });
});

describe('cold-start tiers of the loading modes', () => {
  test.each([
    ['a FUSE volume without a file cache', ModelSource.gcsFuse('gs://acme-models/resnet'), {}, 'gcs-fuse'],
    ['a FUSE volume with a file cache (parallel downloads by default)', ModelSource.gcsFuse('gs://acme-models/resnet', { fileCacheSize: Size.gibibytes(4) }), {}, 'gcs-fuse-cached'],
    ['a FUSE volume with a file cache and parallelDownloads: false', ModelSource.gcsFuse('gs://acme-models/resnet', { fileCacheSize: Size.gibibytes(4), parallelDownloads: false }), {}, 'gcs-fuse'],
    ['a storage initializer', ModelSource.storageInitializer('gs://acme-models/resnet/', { size: Size.gibibytes(4) }), {}, 'storage-initializer'],
    ['an image volume', ModelSource.image('us-docker.pkg.dev/acme/models/resnet:v3'), { kubernetesVersion: '1.35' }, 'image-volume'],
  ])('%s plans as its own tier', (_label, source, extra, tier) => {
    // GIVEN a sized model read through the mode
    const { model } = server({ models: [{ name: 'resnet', source, sizeGiB: 2 }], ...extra });
    // THEN the plan reads it at that tier, not another one's throughput
    expect(model.coldStart?.tier).toBe(tier);
  });
});
