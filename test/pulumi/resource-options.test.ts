/**
 * The resource options of GkeServingStack's children are part of its contract (protect, deleteBeforeReplace,
 * ignoreChanges, dependsOn): captured here with a transformation on the component (applied to every child, client-side,
 * so it runs under `pulumi.runtime.setMocks`), so that removing one fails a test.
 */
import type * as PulumiModule from '@pulumi/pulumi';
import { installMocks, settle } from './support/mocks';

installMocks();

let pulumi: typeof PulumiModule;
let lib: typeof import('../../lib/pulumi');
let cdk8s: typeof import('cdk8s');
let gke: typeof import('../../lib/gke');
let GkeGpuChart: typeof import('../../examples/gke-gpu/chart').GkeGpuChart;

beforeAll(async () => {
  pulumi = await import('@pulumi/pulumi');
  lib = await import('../../lib/pulumi');
  cdk8s = await import('cdk8s');
  gke = await import('../../lib/gke');
  ({ GkeGpuChart } = await import('../../examples/gke-gpu/chart'));
});

interface Captured {
  readonly type: string;
  readonly name: string;
  readonly opts: PulumiModule.CustomResourceOptions;
  readonly props: Record<string, any>;
  readonly resource: PulumiModule.Resource;
}

/** Creates a stack whose children's options a transformation records. */
async function capture(name: string, app: import('cdk8s').App): Promise<Map<string, Captured>> {
  const seen = new Map<string, Captured>();
  new lib.GkeServingStack(name, { app }, {
    transformations: [(args) => {
      seen.set(args.name, { type: args.type, name: args.name, opts: args.opts, props: args.props, resource: args.resource });
      return undefined;
    }],
  });
  await settle();
  return seen;
}

describe('the GPU example (deletion protection on)', () => {
  let r: Map<string, Captured>;
  const opt = (n: string) => r.get(n)!.opts;
  beforeAll(async () => {
    const app = cdk8s.Testing.app();
    new GkeGpuChart(app, 'gke-gpu');
    r = await capture('ml', app);
  });

  test('protect: the cluster, both pools, the network, subnetwork, router, NAT, node account and its roles', () => {
    const protectedNames = [...r.values()].filter((c) => c.opts.protect === true).map((c) => c.name).sort();
    expect(protectedNames).toEqual([
      'ml-cluster', 'ml-nat', 'ml-network', 'ml-node-role-artifactregistry-reader', 'ml-node-role-container-defaultnodeserviceaccount',
      'ml-node-sa', 'ml-pool-cpu', 'ml-pool-l4', 'ml-router', 'ml-subnetwork',
    ]);
    // what serves no Google Cloud resource of the cluster is not protected
    for (const n of ['ml-k8s', 'ml-workloads', 'ml-custom-resources', 'ml-gsa-vision-serving']) expect(opt(n).protect).toBeUndefined();
  });

  test('node pools: no deleteBeforeReplace (a replacement under a new GKE name is created first), ignoreChanges on initialNodeCount', () => {
    for (const n of ['ml-pool-cpu', 'ml-pool-l4']) {
      expect(opt(n).deleteBeforeReplace).toBeUndefined();
      expect(opt(n).ignoreChanges).toEqual(['initialNodeCount']);
      // the GKE name differs from the declared one: without deleteBeforeReplace, a replacement must not reuse it
      const props = r.get(n)!.props;
      expect(props.name).toMatch(new RegExp(`^${n.replace('ml-pool-', '')}-[0-9a-f]{6}$`));
      expect(props.nodeDrainConfigs).toEqual([{ respectPdbDuringNodePoolDeletion: true }]);
    }
    expect(opt('ml-cluster').deleteBeforeReplace).toBeUndefined();
  });

  test('the cluster ignores nodeConfig changes (it describes only the default pool, removed after creation)', () => {
    expect(opt('ml-cluster').ignoreChanges).toEqual(['nodeConfig']);
  });

  test('dependsOn: the cluster on the NAT and the node account and roles (its default pool runs as that account), pools on the node account and roles, '
    + 'the binding on the cluster, workloads on pools and bindings', () => {
    const dep = (n: string) => ([] as PulumiModule.Resource[]).concat((opt(n).dependsOn ?? []) as PulumiModule.Resource[]);
    const res = (n: string) => r.get(n)!.resource;
    const roles = [...r.keys()].filter((n) => n.startsWith('ml-node-role-')).map(res);
    expect(roles).toHaveLength(2);
    expect(dep('ml-cluster')).toEqual([res('ml-nat'), res('ml-node-sa'), ...roles]);
    for (const n of ['ml-pool-cpu', 'ml-pool-l4']) expect(dep(n)).toEqual([res('ml-node-sa'), ...roles]);
    expect(dep('ml-wi-user-vision-serving')).toEqual([res('ml-cluster')]);
    expect(dep('ml-workloads')).toEqual([res('ml-pool-cpu'), res('ml-pool-l4'), res('ml-wi-user-vision-serving'), res('ml-reader-vision-serving-acme-models')]);
    expect(dep('ml-custom-resources')).toEqual([res('ml-workloads')]);
  });
});

test('deletionProtection: false: nothing is protected', async () => {
  const app = cdk8s.Testing.app();
  const chart = new cdk8s.Chart(app, 'c');
  new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a', deletionProtection: false }).addNodePool('cpu');
  const r = await capture('open', app);
  expect(r.size).toBeGreaterThan(5);
  expect([...r.values()].filter((c) => c.opts.protect)).toEqual([]);
  expect(pulumi.Resource.isInstance(r.get('open-cluster')!.resource)).toBe(true);
});

test('PoolReplacement.DELETE_BEFORE_CREATE: the pool keeps its declared GKE name, so Pulumi deletes it before creating the replacement', async () => {
  const app = cdk8s.Testing.app();
  const chart = new cdk8s.Chart(app, 'c');
  const cluster = new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a' });
  cluster.addNodePool('old', { replacement: gke.PoolReplacement.DELETE_BEFORE_CREATE });
  cluster.addNodePool('new');
  const r = await capture('compat', app);
  expect(r.get('compat-pool-old')!.opts.deleteBeforeReplace).toBe(true);
  expect(r.get('compat-pool-old')!.props.name).toBe('old');
  expect(r.get('compat-pool-new')!.opts.deleteBeforeReplace).toBeUndefined();
});

test('the Compute Engine default node account: the cluster depends on nothing, still ignores nodeConfig', async () => {
  const app = cdk8s.Testing.app();
  const chart = new cdk8s.Chart(app, 'c');
  new gke.GkeCluster(chart, 'cluster', { project: 'acme-ml', location: 'us-central1-a', nodeServiceAccount: gke.NodeServiceAccount.COMPUTE_ENGINE_DEFAULT })
    .addNodePool('cpu');
  const r = await capture('gce', app);
  expect(r.get('gce-node-sa')).toBeUndefined();
  expect(r.get('gce-cluster')!.opts.dependsOn).toBeUndefined();
  expect(r.get('gce-cluster')!.opts.ignoreChanges).toEqual(['nodeConfig']);
});
