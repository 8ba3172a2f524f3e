/**
 * Every example app runs as `cdk8s synth` runs it (a child process; output folder from CDK8S_OUTDIR),
 * and every manifest it writes is schema-validated, its TF Serving config files parsed, its wiring checked
 * and its content snapshotted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { flagsOf } from './support/synth';
import { parseBatchingParameters, parseModelServerConfig, parseMonitoringConfig } from './support/textproto';
import { assertValid } from './support/validate';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const examples = fs.readdirSync(examplesDir).filter((d) => fs.existsSync(path.join(examplesDir, d, 'cdk8s.yaml'))).sort();

/** Runs an example in its own process; returns each manifest file's bytes. */
function runExample(name: string): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], {
    cwd: path.join(examplesDir, name), env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: 'pipe',
  });
  const files = new Map(fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
  fs.rmSync(outdir, { recursive: true, force: true });
  return files;
}

function synthExample(name: string): { file: string; objects: any[]; text: string }[] {
  return [...runExample(name)].map(([file, text]) => ({
    file,
    text,
    objects: parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean),
  }));
}

test('there are examples, including the README quick start', () => {
  expect(examples).toEqual(expect.arrayContaining(['multi-model', 'quickstart']));
});

describe.each(examples)('example %s', (name) => {
  let files: { file: string; objects: any[]; text: string }[];
  beforeAll(() => {
    files = synthExample(name);
  }, 60_000);

  test('a second, separate process writes byte-identical manifests', () => {
    const again = runExample(name);
    expect([...again.keys()]).toEqual(files.map((f) => f.file));
    for (const f of files) expect(again.get(f.file)).toBe(f.text);
  }, 60_000);

  test('writes *.k8s.yaml manifests whose objects all validate', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.objects.length).toBeGreaterThan(0);
      assertValid(f.objects);
    }
  });

  test('every TF Serving config file a server mounts parses as its proto, and every Service selects pods', () => {
    for (const { objects } of files) {
      const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
      const pods = objects.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template);
      for (const pod of pods) {
        const c = pod.spec.containers[0];
        const flags = flagsOf(c);
        const read = (file: string) => {
          const mount = c.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
          const volume = pod.spec.volumes.find((v: any) => v.name === mount.name);
          return configMaps.get(volume.configMap.name).data[file.slice(mount.mountPath.length + 1)];
        };
        expect(() => parseModelServerConfig(read(flags.model_config_file))).not.toThrow();
        if (flags.batching_parameters_file) expect(() => parseBatchingParameters(read(flags.batching_parameters_file))).not.toThrow();
        if (flags.monitoring_config_file) expect(() => parseMonitoringConfig(read(flags.monitoring_config_file))).not.toThrow();
      }
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        const selected = pods.filter((p) => Object.entries(svc.spec.selector).every(([k, v]) => p.metadata.labels[k] === v));
        expect(selected.length).toBeGreaterThan(0);
      }
    }
  });

  test('every load test targets a Service of the same output, on its ports, for a model that Service serves', () => {
    for (const { objects } of files) {
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap' && o.data?.['loadtest.json'])) {
        const cfg = JSON.parse(cm.data['loadtest.json']);
        const [host, port] = cfg.grpcAddress.split(':');
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === host.split('.')[0]);
        expect(svc).toBeDefined();
        expect(svc.spec.ports.map((p: any) => String(p.port))).toContain(port);
        expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(new URL(cfg.restUrl).port));
        const pods = objects.filter((o) => o.kind === 'Deployment' && Object.entries(svc.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
        const models = pods.flatMap((d) => {
          const c = d.spec.template.spec.containers[0];
          const cmName = d.spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name;
          const text = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName).data['models.config'];
          expect(flagsOf(c).model_config_file).toBe('/etc/tfserving/models.config');
          return (parseModelServerConfig(text) as any).model_config_list.config.map((x: any) => x.name);
        });
        expect(models).toContain(cfg.model);
      }
    }
  });

  test('every server on a node pool is wired to a pool of the same output (name, accelerator, taint, GPU limit)', () => {
    for (const { objects } of files) {
      const pools = objects.filter((o) => o.kind === 'ContainerNodePool');
      for (const d of objects.filter((o) => o.kind === 'Deployment' && o.spec.template.spec.affinity?.nodeAffinity)) {
        const pod = d.spec.template.spec;
        const exprs = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
        // a server selects its pool's stable node-pool label (the GKE name carries a hash), or GKE's pool-name label for a
        // pool with PoolReplacement.DELETE_BEFORE_CREATE
        const poolName = exprs.find((e: any) => e.key === 'tfserving-constructs.io/node-pool')?.values[0];
        const gkeName = exprs.find((e: any) => e.key === 'cloud.google.com/gke-nodepool')?.values[0];
        const pool = pools.find((p) => (poolName !== undefined && p.spec.nodeConfig?.labels?.['tfserving-constructs.io/node-pool'] === poolName)
          || (gkeName !== undefined && p.spec.resourceID === gkeName));
        expect(pool).toBeDefined();
        const accel = pool.spec.nodeConfig?.guestAccelerator?.[0];
        const gpu = pod.containers[0].resources?.limits?.['nvidia.com/gpu'];
        if (accel) {
          expect(exprs).toContainEqual({ key: 'cloud.google.com/gke-accelerator', operator: 'In', values: [accel.type] });
          expect(gpu).toBeGreaterThan(0);
          expect(pod.containers[0].image).toMatch(/-gpu$/);
          for (const t of pool.spec.nodeConfig.taint ?? []) {
            expect(pod.tolerations).toContainEqual(expect.objectContaining({ key: t.key, value: t.value, effect: 'NoSchedule' }));
          }
        } else {
          expect(gpu).toBeUndefined();
        }
      }
    }
  });

  test('manifests match the snapshot', () => {
    expect(files.map(({ file, objects }) => ({ file, objects }))).toMatchSnapshot();
  });
});
