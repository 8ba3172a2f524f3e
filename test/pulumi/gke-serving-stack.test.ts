/**
 * GkeServingStack under `pulumi.runtime.setMocks`: what it registers (types, names, inputs), how the resources
 * are wired (parent, provider, dependsOn), what reaches the cluster, and its argument checks.
 */
import type * as PulumiModule from '@pulumi/pulumi';
import type { App as AppType, Chart as ChartType } from 'cdk8s';
import type * as LibPulumi from '../../lib/pulumi';
import { assertValid } from '../support/validate';
import { MOCK_CA, MOCK_ENDPOINT, installMocks, ofType, promiseOf, registrations, settle, T, the } from './support/mocks';

// GIVEN the mocks, installed before any module that creates resources is loaded.
installMocks();

let pulumi: typeof PulumiModule;
let lib: typeof LibPulumi;
let cdk8s: typeof import('cdk8s');
let gke: typeof import('../../lib/gke/index');
let gkeRules: typeof import('../../lib/gke');
let GkeGpuChart: typeof import('../../examples/gke-gpu/chart').GkeGpuChart;
let IstioCanaryChart: typeof import('../../examples/istio-canary/main').IstioCanaryChart;

beforeAll(async () => {
  pulumi = await import('@pulumi/pulumi');
  lib = await import('../../lib/pulumi');
  cdk8s = await import('cdk8s');
  gke = await import('../../lib/gke/index');
  gkeRules = await import('../../lib/gke');
  ({ GkeGpuChart } = await import('../../examples/gke-gpu/chart'));
  ({ IstioCanaryChart } = await import('../../examples/istio-canary/main'));
});

/** The GPU example's app: cluster, CPU pool, L4 pool, Workload Identity, a multi-model server with PodMonitoring. */
function gpuApp(): AppType {
  const app = cdk8s.Testing.app();
  new GkeGpuChart(app, 'gke-gpu');
  return app;
}

/** Creates a stack and waits until every registration has gone through the mocks. */
async function deploy(name: string, args: LibPulumi.GkeServingStackArgs, opts?: PulumiModule.ComponentResourceOptions) {
  const stack = new lib.GkeServingStack(name, args, opts);
  await settle();
  const urn = await promiseOf(stack.urn);
  const children = registrations.filter((r) => r.name.startsWith(`${name}-`));
  const role = (type: string, r: string) => the(type, `${name}-${r}`);
  const objsOf = (r: string): any[] => role(T.configGroup, r).inputs.objs;
  return { stack, urn, children, role, objsOf };
}

/** The InputPropertiesError a constructor throws. */
function errorOf(fn: () => unknown): PulumiModule.InputPropertiesError {
  try {
    fn();
  } catch (e) {
    if (!pulumi.InputPropertiesError.isInstance(e)) throw e;
    return e;
  }
  throw new Error('expected an InputPropertiesError, nothing was thrown');
}

const isSecretInput = (v: any) => v?.[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;

describe('the GPU example app', () => {
  let d: Awaited<ReturnType<typeof deploy>>;
  beforeAll(async () => {
    d = await deploy('ml', { app: gpuApp() });
  });

  test('registers the component, one cluster, a node pool per declared pool, the Workload Identity resources, a provider and two ConfigGroups', () => {
    expect(the(T.stack, 'ml').custom).toBe(false);
    expect(d.children.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      `${T.network} ml-network`,
      `${T.subnetwork} ml-subnetwork`,
      `${T.router} ml-router`,
      `${T.routerNat} ml-nat`,
      `${T.account} ml-node-sa`,
      ...['artifactregistry-reader', 'container-defaultnodeserviceaccount']
        .map((r) => `${T.projectIamMember} ml-node-role-${r}`),
      `${T.cluster} ml-cluster`,
      `${T.nodePool} ml-pool-cpu`,
      `${T.nodePool} ml-pool-l4`,
      `${T.bucketIamMember} ml-reader-vision-serving-acme-models`,
      `${T.account} ml-gsa-vision-serving`,
      `${T.iamMember} ml-wi-user-vision-serving`,
      `${T.configGroup} ml-custom-resources`,
      `${T.configGroup} ml-workloads`,
      `${T.k8sProvider} ml-k8s`,
    ].sort());
  });

  test('every child is parented to the component and named after it', () => {
    expect(d.children.length).toBe(16);
    for (const r of d.children) {
      expect(r.parent).toBe(d.urn);
      expect(r.name.startsWith('ml-')).toBe(true);
    }
    expect(the(T.stack, 'ml').parent).toBe('');
  });

  test('cluster: Workload Identity pool, REGULAR channel, default pool removed after 1 node (running as the node account), Dataplane V2 without a networkPolicy block, Managed Prometheus with DCGM metrics for the GPU pool, deletion protection', () => {
    const c = d.role(T.cluster, 'cluster').inputs;
    expect(c).toEqual({
      name: 'serving',
      project: 'acme-ml',
      location: 'us-central1',
      workloadIdentityConfig: { workloadPool: 'acme-ml.svc.id.goog' },
      releaseChannel: { channel: 'REGULAR' },
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      // the temporary default pool runs as the dedicated node account, not the Compute Engine default one
      nodeConfig: { serviceAccount: 'serving-nodes@acme-ml.iam.gserviceaccount.com', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'] },
      networkingMode: 'VPC_NATIVE',
      // the example's own VPC: the created network and subnetwork (their ids), the named secondary ranges
      network: 'ml-network-id',
      subnetwork: 'ml-subnetwork-id',
      ipAllocationPolicy: { clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: '172.16.0.32/28' },
      masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: '203.0.113.0/24', displayName: 'office' }] },
      datapathProvider: 'ADVANCED_DATAPATH',
      monitoringConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'STORAGE', 'POD', 'DEPLOYMENT', 'STATEFULSET', 'DAEMONSET', 'HPA', 'CADVISOR', 'KUBELET', 'DCGM'], managedPrometheus: { enabled: true } },
      deletionProtection: true,
    });
    expect(c.networkPolicy).toBeUndefined();
  });

  test('network: a custom-mode VPC, the subnetwork with pods/services ranges and Private Google Access, Cloud NAT on it; the cluster waits for the NAT', () => {
    expect(d.role(T.network, 'network').inputs).toEqual({ name: 'serving-vpc', project: 'acme-ml', autoCreateSubnetworks: false, routingMode: 'REGIONAL' });
    expect(d.role(T.subnetwork, 'subnetwork').inputs).toEqual({
      name: 'serving-nodes', project: 'acme-ml', region: 'us-central1', network: 'ml-network-id', ipCidrRange: '10.0.0.0/20',
      secondaryIpRanges: [{ rangeName: 'pods', ipCidrRange: '10.4.0.0/14' }, { rangeName: 'services', ipCidrRange: '10.8.0.0/20' }],
      privateIpGoogleAccess: true,
    });
    expect(d.role(T.router, 'router').inputs).toEqual({ name: 'serving-router', project: 'acme-ml', region: 'us-central1', network: 'ml-network-id' });
    expect(d.role(T.routerNat, 'nat').inputs).toEqual({
      name: 'serving-nat', project: 'acme-ml', region: 'us-central1', router: 'serving-router', natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS', subnetworks: [{ name: 'ml-subnetwork-id', sourceIpRangesToNats: ['ALL_IP_RANGES'] }],
    });
    // (the recorded dependencies also hold the input dependencies: network and subnetwork ids)
    expect(d.role(T.cluster, 'cluster').dependsOn).toEqual(expect.arrayContaining([d.role(T.routerNat, 'nat').urn]));
  });

  test('node service account: a dedicated account with the two node roles on the project; both pools run as it and wait for it', () => {
    expect(d.role(T.account, 'node-sa').inputs).toEqual({ project: 'acme-ml', accountId: 'serving-nodes', displayName: 'GKE nodes of serving' });
    const roles = ofType(T.projectIamMember, 'ml-node-role-');
    expect(roles.map((r) => r.inputs)).toEqual([
      'roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader',
    ].map((role) => ({ project: 'acme-ml', role, member: 'serviceAccount:serving-nodes@acme-ml.iam.gserviceaccount.com' })));
    for (const pool of ['pool-cpu', 'pool-l4']) {
      const p = d.role(T.nodePool, pool);
      expect(p.inputs.nodeConfig.serviceAccount).toBe('serving-nodes@acme-ml.iam.gserviceaccount.com');
      expect(p.inputs.nodeConfig.oauthScopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
      expect(p.dependsOn).toEqual(expect.arrayContaining([d.role(T.account, 'node-sa').urn, ...roles.map((r) => r.urn)]));
    }
  });

  test('GPU pool: guestAccelerators nvidia-l4 × 1 with gpuDriverInstallationConfig, taints NO_SCHEDULE, autoscaling 0..4 in total, spot, GKE_METADATA', () => {
    const p = d.role(T.nodePool, 'pool-l4').inputs;
    // the GKE name carries the hash of the fields @pulumi/gcp replaces a pool for; the URN keeps the declared name (pool-l4)
    expect(p.name).toMatch(/^l4-[0-9a-f]{6}$/);
    // the stable label the example's GPU server selects, whatever the GKE name
    expect(p.nodeConfig.labels).toEqual({ 'tfserving-constructs.io/node-pool': 'l4' });
    expect(p.nodeDrainConfigs).toEqual([{ respectPdbDuringNodePoolDeletion: true }]);
    expect(p.cluster).toBe('serving');
    expect(p.location).toBe('us-central1');
    expect(p.nodeConfig.guestAccelerators).toEqual([{ type: 'nvidia-l4', count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' } }]);
    expect(p.nodeConfig.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
    expect(p.autoscaling).toEqual({ totalMinNodeCount: 0, totalMaxNodeCount: 4 });
    expect(p.initialNodeCount).toBe(0);
    expect(p.nodeConfig.spot).toBe(true);
    expect(p.nodeConfig.machineType).toBe('g2-standard-8');
    expect(p.nodeConfig.workloadMetadataConfig).toEqual({ mode: 'GKE_METADATA' });
    expect(p.nodeConfig.guestAccelerator).toBeUndefined();
    expect(p.nodeConfig.taint).toBeUndefined();
  });

  test('CPU pool: autoscaling 1..3, no accelerator, no taint', () => {
    const p = d.role(T.nodePool, 'pool-cpu').inputs;
    expect(p.autoscaling).toEqual({ totalMinNodeCount: 1, totalMaxNodeCount: 3 });
    expect(p.nodeConfig.guestAccelerators).toBeUndefined();
    expect(p.nodeConfig.taints).toBeUndefined();
  });

  test('node pools take the cluster name from the cluster, so they wait for it', () => {
    const cluster = d.role(T.cluster, 'cluster');
    for (const pool of ofType(T.nodePool, 'ml-')) expect(pool.dependsOn).toContain(cluster.urn);
  });

  test('Workload Identity: a Google service account, roles/iam.workloadIdentityUser for the KSA after the cluster, roles/storage.objectViewer on the model bucket', () => {
    const account = d.role(T.account, 'gsa-vision-serving');
    expect(account.inputs).toEqual({ project: 'acme-ml', accountId: 'vision-serving', displayName: 'Workload Identity for ml-serving/vision' });
    const user = d.role(T.iamMember, 'wi-user-vision-serving');
    expect(user.inputs).toEqual({
      serviceAccountId: 'projects/acme-ml/serviceAccounts/vision-serving@acme-ml.iam.gserviceaccount.com',
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:acme-ml.svc.id.goog[ml-serving/vision]',
    });
    // the member names the cluster's Workload Identity pool, which exists once the cluster does.
    expect(user.dependsOn).toEqual(expect.arrayContaining([d.role(T.cluster, 'cluster').urn, account.urn]));
    const reader = d.role(T.bucketIamMember, 'reader-vision-serving-acme-models');
    expect(reader.inputs).toEqual({ bucket: 'acme-models', role: 'roles/storage.objectViewer', member: 'serviceAccount:vision-serving@acme-ml.iam.gserviceaccount.com' });
    expect(reader.dependsOn).toContain(account.urn);
  });

  test('the Kubernetes ServiceAccount is annotated with the email of the Google service account the stack creates', () => {
    const ksa = d.objsOf('workloads').find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'vision');
    expect(ksa.metadata.annotations['iam.gke.io/gcp-service-account']).toBe('vision-serving@acme-ml.iam.gserviceaccount.com');
  });

  test('provider: a secret kubeconfig from the cluster endpoint and CA whose user runs gke-gcloud-auth-plugin', () => {
    const provider = d.role(T.k8sProvider, 'k8s');
    expect(isSecretInput(provider.inputs.kubeconfig)).toBe(true);
    const config = JSON.parse(provider.inputs.kubeconfig.value);
    expect(config['current-context']).toBe('gke_acme-ml_us-central1_serving');
    expect(config.clusters[0].cluster).toEqual({ 'server': `https://${MOCK_ENDPOINT}`, 'certificate-authority-data': MOCK_CA });
    expect(config.users[0].user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin', provideClusterInfo: true,
    });
    expect(provider.dependsOn).toContain(d.role(T.cluster, 'cluster').urn);
  });

  test('both ConfigGroups apply through the created provider', () => {
    const provider = d.role(T.k8sProvider, 'k8s');
    for (const group of ofType(T.configGroup, 'ml-')) {
      expect(group.remote).toBe(true);
      expect(group.providers.kubernetes).toBe(`${provider.urn}::ml-k8s-id`);
    }
  });

  test('dependsOn: the workloads wait for every node pool and IAM binding; the CRD-based objects wait for the workloads', () => {
    const workloads = d.role(T.configGroup, 'workloads');
    const pools = ofType(T.nodePool, 'ml-').map((r) => r.urn);
    expect(pools).toHaveLength(2);
    expect(workloads.dependsOn).toEqual(expect.arrayContaining([
      ...pools, d.role(T.iamMember, 'wi-user-vision-serving').urn, d.role(T.bucketIamMember, 'reader-vision-serving-acme-models').urn,
    ]));
    expect(d.role(T.configGroup, 'custom-resources').dependsOn).toEqual([workloads.urn]);
  });

  test('no Config Connector object reaches the cluster; the 15 the chart declares are replaced by native resources', () => {
    const applied = [...d.objsOf('workloads'), ...d.objsOf('custom-resources')];
    expect(applied.filter((o) => /(^|\.)cnrm\.cloud\.google\.com\//.test(o.apiVersion))).toEqual([]);
    expect(d.stack.plan.replacedObjects.map((o) => o.kind).sort()).toEqual([
      'ComputeNetwork', 'ComputeRouter', 'ComputeRouterNAT', 'ComputeSubnetwork', 'ContainerCluster', 'ContainerNodePool', 'ContainerNodePool',
      ...Array(4).fill('IAMPolicyMember'), 'IAMServiceAccount', 'IAMServiceAccount',
    ]);
  });

  test('the workloads group: the ml-serving Namespace first, then the TF Serving server\'s built-in objects; PodMonitoring in the second group', () => {
    const core = d.objsOf('workloads');
    expect(core[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-serving' } });
    expect(core.map((o) => o.kind).sort()).toEqual([
      'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount',
    ]);
    expect(d.objsOf('custom-resources').map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['monitoring.googleapis.com/v1 PodMonitoring']);
  });

  test('the TF Serving Deployment runs on the L4 pool and asks for a GPU', () => {
    const deployment = d.objsOf('workloads').find((o) => o.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    // it selects the label the native pool sets (nodeConfig.labels), not cloud.google.com/gke-nodepool (the GKE name has a hash)
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toContainEqual({ key: 'tfserving-constructs.io/node-pool', operator: 'In', values: ['l4'] });
    expect(JSON.stringify(pod.affinity)).not.toContain('gke-nodepool');
    expect(pod.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' })]));
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.containers[0].image).toMatch(/^tensorflow\/serving:.*-gpu$/);
  });

  test('every Kubernetes object handed to Pulumi passes schema validation', () => {
    const handed = ofType(T.configGroup, 'ml-').flatMap((g) => g.inputs.objs);
    expect(handed.length).toBeGreaterThan(8);
    expect(() => assertValid(handed)).not.toThrow();
  });

  test('outputs: cluster name, endpoint, secret kubeconfig, Service names; registered on the component', async () => {
    expect(await promiseOf(d.stack.clusterName)).toBe('serving');
    expect(await promiseOf(d.stack.endpoint)).toBe(MOCK_ENDPOINT);
    expect(await pulumi.isSecret(d.stack.kubeconfig)).toBe(true);
    expect(JSON.parse(await promiseOf(d.stack.kubeconfig)).users[0].user.exec.command).toBe('gke-gcloud-auth-plugin');
    expect(await promiseOf(d.stack.serviceNames)).toEqual(['ml-serving/vision']);
    expect(Object.keys(d.stack.nodePools)).toEqual(['cpu', 'l4']);
    expect(Object.keys(d.stack.serviceAccounts)).toEqual(['vision-serving']);
  });
});

describe('arguments', () => {
  test('chart: only that chart\'s objects are applied', async () => {
    // GIVEN an app with the GPU chart and a chart of its own
    const app = cdk8s.Testing.app();
    const chart = new GkeGpuChart(app, 'gke-gpu');
    const other = new cdk8s.Chart(app, 'other');
    new cdk8s.ApiObject(other, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-mine' } });
    // WHEN the stack gets the chart
    const d = await deploy('one-chart', { chart });
    // THEN the other chart's ConfigMap is not applied
    expect(d.objsOf('workloads').map((o) => o.metadata.name)).not.toContain('not-mine');
    expect(ofType(T.nodePool, 'one-chart-')).toHaveLength(2);
  });

  test('app: the objects of every chart; Istio objects go to the CRD group, one Namespace for both charts', async () => {
    const app = gpuApp();
    new IstioCanaryChart(app, 'istio-canary');
    const d = await deploy('two-charts', { app, installedApiGroups: ['networking.istio.io', 'security.istio.io'] });
    expect(d.stack.plan.installedApiGroups).toEqual(['monitoring.googleapis.com', 'networking.istio.io', 'security.istio.io']);
    const custom = d.objsOf('custom-resources');
    expect(custom.map((o) => o.kind).sort()).toEqual([
      'AuthorizationPolicy', 'AuthorizationPolicy', 'DestinationRule', 'Gateway', 'PeerAuthentication', 'PodMonitoring', 'PodMonitoring', 'PodMonitoring',
      'VirtualService', 'VirtualService',
    ]);
    expect(d.objsOf('workloads').filter((o) => o.kind === 'Namespace')).toHaveLength(1);
    expect(await promiseOf(d.stack.serviceNames)).toHaveLength(4);
    assertValid([...d.objsOf('workloads'), ...custom]);
  });

  test('kubeconfigContext names the kubeconfig\'s context; kubernetesProviderArgs reach the provider', async () => {
    const d = await deploy('opts', { app: gpuApp(), kubeconfigContext: 'serving', kubernetesProviderArgs: { deleteUnreachable: true } });
    const provider = d.role(T.k8sProvider, 'k8s');
    expect(JSON.parse(provider.inputs.kubeconfig.value)['current-context']).toBe('serving');
    expect(provider.inputs.deleteUnreachable).toBe('true'); // provider inputs are JSON-encoded
  });

  test('skipAwait: both groups skip the readiness wait', async () => {
    const d = await deploy('skip', { app: gpuApp(), skipAwait: true });
    for (const g of ofType(T.configGroup, 'skip-')) expect(g.inputs.skipAwait).toBe(true);
    const plain = await deploy('await', { app: gpuApp() });
    expect(plain.role(T.configGroup, 'workloads').inputs.skipAwait).toBeUndefined();
    void d;
  });

  test('createNamespaces: false leaves the Namespace out', async () => {
    const d = await deploy('no-ns', { app: gpuApp(), createNamespaces: false });
    expect(d.objsOf('workloads').filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('customResourcesDependOn: the CRD group also waits for the given resources', async () => {
    const gcp = await import('@pulumi/gcp');
    const istio = new gcp.serviceaccount.Account('istio-install', { accountId: 'istio-install', project: 'acme-ml' });
    const d = await deploy('extra-deps', { app: gpuApp(), customResourcesDependOn: [istio] });
    expect(d.role(T.configGroup, 'custom-resources').dependsOn).toEqual(expect.arrayContaining([
      d.role(T.configGroup, 'workloads').urn, the(T.account, 'istio-install').urn,
    ]));
  });

  test('a chart without CRD-based objects gets no second group', async () => {
    const app = cdk8s.Testing.app();
    const chart = new cdk8s.Chart(app, 'plain');
    const cluster = new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
    cluster.addNodePool('cpu');
    new cdk8s.ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    const d = await deploy('plain', { chart });
    expect(ofType(T.configGroup, 'plain-').map((r) => r.name)).toEqual(['plain-workloads']);
    expect(d.stack.customResources).toBeUndefined();
  });

  test('a GPU pool with INSTALLATION_DISABLED: the driver version reaches the pool and the installer DaemonSet goes to kube-system (no Namespace made for it)', async () => {
    const app = cdk8s.Testing.app();
    const chart = new cdk8s.Chart(app, 'drivers');
    const cluster = new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' });
    cluster.addNodePool('cpu');
    cluster.addGpuNodePool('t4', {
      machineType: gkeRules.MachineType.of('n1-standard-8'), accelerator: gkeRules.Accelerator.NVIDIA_T4, nodeLocations: ['us-central1-b'], driverVersion: gke.GpuDriverVersion.INSTALLATION_DISABLED,
    });
    const d = await deploy('drivers', { chart });
    expect(d.role(T.nodePool, 'pool-t4').inputs.nodeConfig.guestAccelerators[0].gpuDriverInstallationConfig).toEqual({ gpuDriverVersion: 'INSTALLATION_DISABLED' });
    const ds = d.objsOf('workloads').find((o) => o.kind === 'DaemonSet');
    expect(ds.metadata.namespace).toBe('kube-system');
    expect(d.objsOf('workloads').filter((o) => o.kind === 'Namespace')).toEqual([]);
    assertValid(d.objsOf('workloads'));
  });

  test('a preloaded GPU pool: Image streaming and a secondary boot disk reach gcp.container.NodePool (Config Connector has no field for the disk)', async () => {
    // GIVEN a pool whose secondary boot disk a Config Connector synth refuses (test/gke/node-pool.test.ts)
    const app = cdk8s.Testing.app();
    const chart = new cdk8s.Chart(app, 'preloaded');
    const cluster = new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' });
    cluster.addGpuNodePool('l4', {
      machineType: gkeRules.MachineType.of('g2-standard-8'), nodeLocations: ['us-central1-a'],
      imageStreaming: true, secondaryBootDisks: [{ diskImage: 'global/images/tfserving-gpu-cache' }],
    });
    // WHEN the stack renders it natively
    const d = await deploy('preloaded', { chart });
    // THEN the chart synthesizes and the pool carries both fields
    const nc = d.role(T.nodePool, 'pool-l4').inputs.nodeConfig;
    expect(nc.gcfsConfig).toEqual({ enabled: true });
    expect(nc.secondaryBootDisks).toEqual([{ diskImage: 'global/images/tfserving-gpu-cache', mode: 'CONTAINER_IMAGE_CACHE' }]);
  });

  test('two stacks in one program do not collide: every name is prefixed by its stack', async () => {
    const a = await deploy('blue', { app: gpuApp() });
    const b = await deploy('green', { app: gpuApp() });
    const names = [...a.children, ...b.children].map((r) => `${r.type}::${r.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('argument checks (one InputPropertiesError, nothing registered)', () => {
  const registeredAs = (name: string) => registrations.filter((r) => r.name === name || r.name.startsWith(`${name}-`));

  test('neither app nor chart', async () => {
    const e = errorOf(() => new lib.GkeServingStack('none', {}));
    expect(e.errors).toEqual([{ propertyPath: 'app', reason: 'pass the cdk8s app (or one chart) that declares the cluster. Fix: new GkeServingStack(name, { app })' }]);
    expect(e.message).toBe('GkeServingStack \'none\': invalid argument:\n  - app: pass the cdk8s app (or one chart) that declares the cluster. Fix: new GkeServingStack(name, { app })');
    await settle();
    expect(registeredAs('none')).toEqual([]);
  });

  test('both app and chart', () => {
    const app = gpuApp();
    const e = errorOf(() => new lib.GkeServingStack('both', { app, chart: app.charts[0] }));
    expect(e.errors).toEqual([{ propertyPath: 'chart', reason: 'pass either app or chart, not both. Fix: remove one of them' }]);
  });

  test('no GkeCluster', () => {
    const e = errorOf(() => new lib.GkeServingStack('empty', { chart: cdk8s.Testing.chart() }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'declares no GkeCluster. Fix: add one, e.g. new GkeCluster(chart, \'cluster\', { project, location }), with its node pools',
    }]);
  });

  test('two GkeClusters', () => {
    const chart = cdk8s.Testing.chart();
    for (const id of ['a', 'b']) new gke.GkeCluster(chart, id, { project: 'acme-ml', location: 'us-central1' }).addNodePool(`cpu-${id}`);
    const e = errorOf(() => new lib.GkeServingStack('two', { chart }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'declares 2 GkeClusters (\'test/a\', \'test/b\'); a GkeServingStack renders one. Fix: pass each cluster\'s chart to a GkeServingStack of its own',
    }]);
  });

  test('a cluster without node pools', () => {
    const chart = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'bare', { project: 'acme-ml', location: 'us-central1' });
    const e = errorOf(() => new lib.GkeServingStack('bare', { chart }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'GkeCluster \'test/bare\' has no node pool; its default pool is removed, so no workload could run. Fix: cluster.addNodePool(\'cpu\') or cluster.addGpuNodePool(...)',
    }]);
  });

  test('a node pool of another cluster', () => {
    const app = cdk8s.Testing.app();
    const mine = new cdk8s.Chart(app, 'mine');
    const theirs = new cdk8s.Chart(app, 'theirs');
    new gke.GkeCluster(mine, 'c1', { project: 'acme-ml', location: 'us-central1' }).addNodePool('cpu');
    const foreign = new gke.GkeCluster(theirs, 'c2', { project: 'acme-ml', location: 'us-central1' });
    new gke.NodePool(mine, 'stray', { cluster: foreign });
    const e = errorOf(() => new lib.GkeServingStack('stray', { chart: mine }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'node pool \'mine/stray\' belongs to GkeCluster \'theirs/c2\', which this stack does not create. '
        + 'Fix: declare the pool on the stack\'s cluster, or pass the chart that declares its cluster',
    }]);
  });

  test('a WorkloadIdentity bound to another cluster\'s pool', () => {
    const app = cdk8s.Testing.app();
    const mine = new cdk8s.Chart(app, 'mine');
    const theirs = new cdk8s.Chart(app, 'theirs');
    new gke.GkeCluster(mine, 'c1', { project: 'acme-ml', location: 'us-central1' }).addNodePool('cpu');
    const other = new gke.GkeCluster(theirs, 'c2', { project: 'other-project', location: 'us-central1' });
    new gke.WorkloadIdentity(mine, 'wi', { cluster: other, serviceAccountName: 'vision', namespace: 'ml' });
    const e = errorOf(() => new lib.GkeServingStack('other-pool', { chart: mine }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'WorkloadIdentity \'mine/wi\' binds serviceAccount:other-project.svc.id.goog[ml/vision], not a member of the cluster\'s pool acme-ml.svc.id.goog. '
        + 'Fix: create it with cluster: the stack\'s GkeCluster',
    }]);
  });

  test('a WorkloadIdentity when the stack\'s cluster has Workload Identity off', () => {
    const app = cdk8s.Testing.app();
    const mine = new cdk8s.Chart(app, 'mine');
    const theirs = new cdk8s.Chart(app, 'theirs');
    new gke.GkeCluster(mine, 'c1', { project: 'acme-ml', location: 'us-central1', workloadIdentity: false }).addNodePool('cpu');
    const other = new gke.GkeCluster(theirs, 'c2', { project: 'acme-ml', location: 'us-central1' });
    new gke.WorkloadIdentity(mine, 'wi', { cluster: other, serviceAccountName: 'vision', namespace: 'ml' });
    const e = errorOf(() => new lib.GkeServingStack('no-wi', { chart: mine }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'WorkloadIdentity \'mine/wi\' binds serviceAccount:acme-ml.svc.id.goog[ml/vision], not a member of the cluster\'s Workload Identity pool '
        + '(Workload Identity is off on the cluster). Fix: create it with cluster: the stack\'s GkeCluster',
    }]);
  });

  test('a Config Connector object the stack cannot render natively', () => {
    const chart = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' }).addNodePool('cpu');
    new cdk8s.ApiObject(chart, 'gsa', {
      apiVersion: 'iam.cnrm.cloud.google.com/v1beta1', kind: 'IAMServiceAccount', metadata: { name: 'hand-made' }, spec: { displayName: 'by hand' },
    } as any);
    const e = errorOf(() => new lib.GkeServingStack('kcc', { chart }));
    expect(e.errors).toEqual([{
      propertyPath: 'chart',
      reason: 'Config Connector object IAMServiceAccount \'hand-made\' (iam.cnrm.cloud.google.com/v1beta1) has no native rendering: GkeServingStack renders '
        + 'GkeCluster (with its network and node service account), NodePool, GpuNodePool and WorkloadIdentity. Fix: declare that resource with @pulumi/gcp in the Pulumi program and remove it from the chart',
    }]);
  });

  test('a chart that fails its construct validations', () => {
    const chart = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' }).addNodePool('cpu');
    chart.node.addValidation({ validate: () => ['the chart is broken'] });
    const e = errorOf(() => new lib.GkeServingStack('invalid', { chart }));
    expect(e.errors).toHaveLength(1);
    expect(e.errors[0].propertyPath).toBe('chart');
    expect(e.errors[0].reason).toMatch(/^chart 'test' does not synthesize: .*the chart is broken/s);
  });

  test('CRD-based objects of a group not declared installed: one problem per group, naming its objects and the install', async () => {
    // GIVEN the GPU example (PodMonitoring) and the Istio canary chart on a cluster that has only what GKE installs
    const app = gpuApp();
    new IstioCanaryChart(app, 'istio-canary');
    // WHEN the stack declares Istio's networking group only
    const e = errorOf(() => new lib.GkeServingStack('no-crds', { app, installedApiGroups: ['networking.istio.io'] }));
    // THEN security.istio.io is refused with its objects; monitoring.googleapis.com comes with managed collection
    expect(e.message).toBe('GkeServingStack \'no-crds\': invalid argument:\n  - installedApiGroups: (["networking.istio.io"]) must include security.istio.io, '
      + 'the API group of PeerAuthentication \'ml-serving/resnet\', AuthorizationPolicy \'ml-serving/resnet\', AuthorizationPolicy \'ml-serving/resnet-deny-reload\': '
      + 'a new cluster has no CRDs for it, so these objects would fail to apply after the cluster and its pools exist. '
      + 'Fix: install Istio on the cluster (istioctl install, or the Helm charts istio/base and istio/istiod, which install its CRDs), '
      + 'then add \'security.istio.io\' to installedApiGroups');
    await settle();
    expect(registeredAs('no-crds')).toEqual([]);
  });

  test.each([
    ['flagger.app', 'flagger.app/v1beta1', 'Canary', 'install Flagger (Helm chart flagger/flagger, which installs its CRDs)'],
    ['monitoring.coreos.com', 'monitoring.coreos.com/v1', 'ServiceMonitor',
      'install prometheus-operator (e.g. the Helm chart prometheus-community/kube-prometheus-stack, which installs its CRDs)'],
    ['keda.sh', 'keda.sh/v1alpha1', 'ScaledObject', 'install KEDA (Helm chart kedacore/keda, which installs its CRDs)'],
    ['telemetry.istio.io', 'telemetry.istio.io/v1', 'Telemetry',
      'install Istio on the cluster (istioctl install, or the Helm charts istio/base and istio/istiod, which install its CRDs)'],
    ['gateway.networking.k8s.io', 'gateway.networking.k8s.io/v1', 'HTTPRoute',
      'turn on gatewayApi on GkeCluster \'cluster\' (GKE then installs the Gateway API CRDs and its GCPBackendPolicy, HealthCheckPolicy and GCPGatewayPolicy)'],
    ['networking.gke.io', 'networking.gke.io/v1', 'HealthCheckPolicy',
      'turn on gatewayApi on GkeCluster \'cluster\' (GKE then installs the Gateway API CRDs and its GCPBackendPolicy, HealthCheckPolicy and GCPGatewayPolicy)'],
    ['monitoring.googleapis.com', 'monitoring.googleapis.com/v1', 'PodMonitoring',
      'turn on managedPrometheus on GkeCluster \'cluster\' (GKE then installs the CRDs)'],
  ])('%s: refused until declared, with its install', async (group, apiVersion, kind, fix) => {
    // the smallest spec each CRD's schema accepts (the harness validates every chart)
    const specs: Record<string, unknown> = {
      ServiceMonitor: { selector: {}, endpoints: [{ port: 'metrics' }] },
      PodMonitoring: { selector: {}, endpoints: [{ port: 'metrics', interval: '30s' }] },
      ScaledObject: { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }] },
      HTTPRoute: {},
      HealthCheckPolicy: { default: {}, targetRef: { group: '', kind: 'Service', name: 'x' } },
    };
    const build = () => {
      const chart = cdk8s.Testing.chart();
      new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1', managedPrometheus: false }).addNodePool('cpu');
      new cdk8s.ApiObject(chart, 'obj', { apiVersion, kind, metadata: { name: 'x' }, ...(specs[kind] ? { spec: specs[kind] } : {}) });
      return chart;
    };
    const e = errorOf(() => new lib.GkeServingStack('crd', { chart: build() }));
    expect(e.errors).toEqual([{
      propertyPath: 'installedApiGroups',
      reason: `([]) must include ${group}, the API group of ${kind} 'x': a new cluster has no CRDs for it, so these objects would fail to apply `
        + `after the cluster and its pools exist. Fix: ${fix}, then add '${group}' to installedApiGroups`,
    }]);
    // declared: planned, and the object goes to the CRD group
    expect(lib.planGkeServingStack('crd', { chart: build(), installedApiGroups: [group] }).customObjects.map((o) => o.kind)).toEqual([kind]);
  });

  test('gatewayApi: the cluster gets gatewayApiConfig CHANNEL_STANDARD, and Gateway API and networking.gke.io objects plan without installedApiGroups', async () => {
    const chart = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1', gatewayApi: true }).addNodePool('cpu');
    new cdk8s.ApiObject(chart, 'route', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x' }, spec: {} });
    new cdk8s.ApiObject(chart, 'hc', {
      apiVersion: 'networking.gke.io/v1', kind: 'HealthCheckPolicy', metadata: { name: 'x' },
      spec: { default: {}, targetRef: { group: '', kind: 'Service', name: 'x' } },
    });
    const stack = new lib.GkeServingStack('gw', { chart });
    expect(stack.plan.customObjects.map((o) => o.kind)).toEqual(['HTTPRoute', 'HealthCheckPolicy']);
    await settle();
    expect(ofType(T.cluster, 'gw-')[0].inputs.gatewayApiConfig).toEqual({ channel: 'CHANNEL_STANDARD' });
  });

  test('installedApiGroups entries must be API groups', () => {
    const chart = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1' }).addNodePool('cpu');
    const e = errorOf(() => new lib.GkeServingStack('bad-group', { chart, installedApiGroups: ['networking.istio.io/v1', 'monitoring.googleapis.com'] }));
    expect(e.errors).toEqual([{
      propertyPath: 'installedApiGroups',
      reason: '("networking.istio.io/v1") must be an API group, a DNS subdomain such as networking.istio.io (no version). '
        + 'Fix: write the part of the objects\' apiVersion before the slash',
    }]);
  });

  test('every problem is collected into one error', async () => {
    const chart: ChartType = cdk8s.Testing.chart();
    new gke.GkeCluster(chart, 'bare', { project: 'acme-ml', location: 'us-central1' });
    const e = errorOf(() => new lib.GkeServingStack('many', { chart, kubeconfigContext: 'has space' }));
    expect(e.errors.map((p) => p.propertyPath)).toEqual(['kubeconfigContext', 'chart']);
    expect(e.errors[0].reason).toBe('("has space") must be a non-empty name without spaces. Fix: remove it to use gke_PROJECT_LOCATION_NAME');
    expect(e.message).toMatch(/^GkeServingStack 'many': 2 invalid arguments:\n {2}- kubeconfigContext: .*\n {2}- chart: GkeCluster 'test\/bare' has no node pool/);
    await settle();
    expect(registeredAs('many')).toEqual([]);
  });
});
