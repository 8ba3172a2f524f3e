/**
 * examples/gke-pulumi, the Pulumi program itself, run in-process under mocks (the "done when"): it declares
 * the cluster, the GPU pool with driver installation and taint, the Kubernetes provider, and the TF Serving workloads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { assertValid } from '../support/validate';
import { MOCK_ENDPOINT, installMocks, ofType, promiseOf, settle, T, the } from './support/mocks';

// GIVEN the mocks, installed before the program is loaded (the program creates resources as it is imported).
installMocks();

const exampleDir = path.join(__dirname, '..', '..', 'examples', 'gke-pulumi');
let program: typeof import('../../examples/gke-pulumi/index');
beforeAll(async () => {
  // WHEN the program runs (timings belong in `npm run bench`, not in assertions that fail on a loaded machine)
  program = await import('../../examples/gke-pulumi/index');
  await settle();
}, 30_000);

test('Pulumi.yaml is a TypeScript Node.js project; the dev stack configures the chart\'s project and region', () => {
  const project = parse(fs.readFileSync(path.join(exampleDir, 'Pulumi.yaml'), 'utf8'));
  expect(project.runtime).toEqual({ name: 'nodejs', options: { typescript: true } });
  expect(project.name).toBe('tfserving-gke');
  const stack = parse(fs.readFileSync(path.join(exampleDir, 'Pulumi.dev.yaml'), 'utf8'));
  expect(stack.config).toEqual({ 'gcp:project': 'acme-ml', 'gcp:region': 'us-central1' });
});

test('declares the GKE cluster with Workload Identity and without its default pool', () => {
  const cluster = the(T.cluster, 'ml-cluster').inputs;
  expect(cluster.workloadIdentityConfig).toEqual({ workloadPool: 'acme-ml.svc.id.goog' });
  expect(cluster.removeDefaultNodePool).toBe(true);
  expect(cluster.releaseChannel).toEqual({ channel: 'REGULAR' });
});

test('declares the L4 pool with GKE\'s driver installation and the nvidia.com/gpu NO_SCHEDULE taint, and the CPU pool', () => {
  // GKE names: the declared name and the hash of the fields @pulumi/gcp replaces a pool for
  expect(ofType(T.nodePool).map((r) => r.inputs.name)).toEqual(['cpu-9f2349', 'l4-c30cd2']);
  const l4 = the(T.nodePool, 'ml-pool-l4').inputs.nodeConfig;
  expect(l4.guestAccelerators).toEqual([{ type: 'nvidia-l4', count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' } }]);
  expect(l4.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
  expect(l4.spot).toBe(true);
});

test('declares the Kubernetes provider for the new cluster (gke-gcloud-auth-plugin)', () => {
  const provider = the(T.k8sProvider, 'ml-k8s');
  const config = JSON.parse(provider.inputs.kubeconfig.value);
  expect(config.clusters[0].cluster.server).toBe(`https://${MOCK_ENDPOINT}`);
  expect(config.users[0].user.exec.command).toBe('gke-gcloud-auth-plugin');
});

test('declares the TF Serving workloads through that provider, after the node pools, and nothing from Config Connector', () => {
  const provider = the(T.k8sProvider, 'ml-k8s');
  const workloads = the(T.configGroup, 'ml-workloads');
  expect(workloads.providers.kubernetes).toBe(`${provider.urn}::ml-k8s-id`);
  expect(workloads.dependsOn).toEqual(expect.arrayContaining(ofType(T.nodePool).map((p) => p.urn)));
  const objs: any[] = workloads.inputs.objs;
  const server = objs.find((o) => o.kind === 'Deployment');
  expect(server.metadata).toMatchObject({ name: 'vision', namespace: 'ml-serving' });
  const container = server.spec.template.spec.containers[0];
  expect(container.image).toMatch(/^tensorflow\/serving:.*-gpu$/);
  expect(container.resources.limits['nvidia.com/gpu']).toBe(1);
  expect(container.ports.map((p: any) => p.containerPort).sort()).toEqual([8500, 8501]);
  expect(objs.find((o) => o.kind === 'Service').metadata.name).toBe('vision');
  const all = ofType(T.configGroup).flatMap((g) => g.inputs.objs);
  expect(all.filter((o) => o.apiVersion.includes('cnrm.cloud.google.com'))).toEqual([]);
  assertValid(all);
});

test('exports the stack outputs', async () => {
  expect(await promiseOf(program.clusterName)).toBe('serving');
  expect(await promiseOf(program.endpoint)).toBe(MOCK_ENDPOINT);
  expect(await promiseOf(program.serviceNames)).toEqual(['ml-serving/vision']);
  expect(program.nodePools).toEqual(['cpu', 'l4']);
  expect(JSON.parse(await promiseOf(program.kubeconfig)).kind).toBe('Config');
});
