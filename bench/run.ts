// `npm run bench` (npx tsx bench/run.ts): what our constructs cost at 10, 100 and 1,000 full
// TfServingModels, next to the YAML serialization floor, hand-written cdk8s-plus-27 code that emits the
// same objects, and `kubectl kustomize` rendering equivalent overlays. See bench/README.md.
//
// Options (for development; `npm run bench` passes none):
//   --sizes=10,100      model counts to run (default 10,100,1000)
//   --budget=1          scale every per-size time budget (0.5 halves the run time, with fewer repetitions)
//   --profile=N         no comparison: time the phases of our synthesis at N models and exit
//   --kustomize-timeout=S  longest one top-level `kubectl kustomize` may run, seconds (default 45; 0: no limit)
//   --write-kustomize=N no comparison: write the kustomize tree for N models, print its directory and exit
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as v8 from 'v8';
import * as vm from 'vm';
import { ApiObject, App, Chart, Duration, JsonPatch, Size, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import { BatchingConfig, GcsAccess, ModelSource, Scraper, TfServingModel } from '../lib';
import { ServiceMonitor } from '../lib/imports/monitoring.coreos.com';

// ---------------------------------------------------------------------------------------------------
// Set-up shared by every variant
// ---------------------------------------------------------------------------------------------------

const NAMESPACE = 'ml-serving';
const GSA = 'tf-serving@acme-ml.iam.gserviceaccount.com';
const BUCKET = 'gs://acme-models';
const modelName = (i: number): string => `model-${String(i).padStart(4, '0')}`;

type Doc = Record<string, any>;

/** `global.gc`; exposed at run time when node was started without --expose-gc (`npx tsx` passes no flags). */
const { gc, gcExposed } = ((): { gc: () => void; gcExposed: boolean } => {
  const g = globalThis as { gc?: () => void };
  if (typeof g.gc === 'function') return { gc: g.gc, gcExposed: true };
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    if (typeof fn === 'function') return { gc: fn as () => void, gcExposed: true };
  } catch {
    // not available: run without explicit collections
  }
  return { gc: () => undefined, gcExposed: false };
})();

/** Peak of the sampled V8 heap (used bytes), per variant. */
const peakHeap: Record<string, number> = {};
function sampleHeap(variant: string): void {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used > (peakHeap[variant] ?? 0)) peakHeap[variant] = used;
}

/** The serializer every variant uses: cdk8s's own (the `yaml` package, lineWidth 0, YAML 1.1), as `cdk8s synth` writes. */
function toYaml(docs: Doc[]): string {
  return Yaml.stringify(...docs);
}

// ---------------------------------------------------------------------------------------------------
// (ours) N TfServingModels
// ---------------------------------------------------------------------------------------------------

interface Phases { construct: number; toJson: number; yaml: number }

function addOurModel(chart: Chart, name: string): TfServingModel {
  // Everything a user's program would evaluate per model, including the value objects' validation.
  return new TfServingModel(chart, name, {
    models: [{ name, source: ModelSource.gcs(`${BUCKET}/${name}`) }],
    gcsAccess: GcsAccess.workloadIdentity(GSA),
    batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2), allowedBatchSizes: [8, 16, 32] }),
    monitoring: { scraper: Scraper.SERVICE_MONITOR },
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
    // PodDisruptionBudget and NetworkPolicy are on by default.
  });
}

function runOurs(n: number, phases?: Phases): { docs: Doc[]; yaml: string } {
  const t0 = performance.now();
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: NAMESPACE });
  for (let i = 0; i < n; i++) addOurModel(chart, modelName(i));
  const t1 = performance.now();
  const docs = chart.toJson(); // what Testing.synth returns: resolves, validates, renders
  const t2 = performance.now();
  const yaml = toYaml(docs);
  const t3 = performance.now();
  if (phases) {
    phases.construct = t1 - t0;
    phases.toJson = t2 - t1;
    phases.yaml = t3 - t2;
  }
  return { docs, yaml };
}

// ---------------------------------------------------------------------------------------------------
// (raw) hand-written cdk8s-plus-27: what a user without our library writes for the same objects
// ---------------------------------------------------------------------------------------------------

const BATCHING_CONFIG = `max_batch_size { value: 32 }
batch_timeout_micros { value: 2000 }
max_enqueued_batches { value: 2 }
num_batch_threads { value: 2 }
allowed_batch_sizes: 8
allowed_batch_sizes: 16
allowed_batch_sizes: 32
`;
const MONITORING_CONFIG = `prometheus_config {
  enable: true
  path: "/monitoring/prometheus/metrics"
}
`;
const modelsConfig = (name: string): string => `model_config_list {
  config {
    name: "${name}"
    base_path: "${BUCKET}/${name}"
    model_platform: "tensorflow"
  }
}
`;

function addRawModel(chart: Chart, name: string): void {
  const selector = { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': name };
  const labels = { ...selector, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
  const files = { 'models.config': modelsConfig(name), 'batching.config': BATCHING_CONFIG, 'monitoring.config': MONITORING_CONFIG };

  const sa = new kplus.ServiceAccount(chart, `${name}-sa`, {
    metadata: { name, labels, annotations: { 'iam.gke.io/gcp-service-account': GSA } },
    automountToken: false,
  });
  new kplus.k8s.KubeConfigMap(chart, `${name}-config`, { metadata: { name: `${name}-config`, labels }, data: files });

  const deployment = new kplus.Deployment(chart, `${name}-deployment`, {
    metadata: { name, labels },
    podMetadata: {
      labels,
      annotations: {
        'tfserving-constructs.io/config-hash': createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16),
        'proxy.istio.io/config': '{"terminationDrainDuration":"45s"}',
      },
    },
    select: false,
    serviceAccount: sa,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
    terminationGracePeriod: Duration.seconds(45),
    progressDeadline: Duration.seconds(900),
    strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  const probePath = `/v1/models/${name}`;
  const container = deployment.addContainer({
    name: 'tensorflow-serving',
    image: 'tensorflow/serving:2.18.0',
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['/usr/bin/tensorflow_model_server'],
    args: [
      '--port=8500', '--rest_api_port=8501', '--model_config_file=/etc/tfserving/models.config', '--file_system_poll_wait_seconds=60',
      '--enable_batching=true', '--batching_parameters_file=/etc/tfserving/batching.config',
      '--monitoring_config_file=/etc/tfserving/monitoring.config', '--tensorflow_intra_op_parallelism=2',
      '--tensorflow_inter_op_parallelism=1', '--rest_api_num_threads=8', '--grpc_max_threads=8',
    ],
    ports: [
      { name: 'grpc', number: 8500, protocol: kplus.Protocol.TCP },
      { name: 'http', number: 8501, protocol: kplus.Protocol.TCP },
    ],
    resources: {
      cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(2) },
      memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
    },
    securityContext: { ensureNonRoot: true, user: 1000, group: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
    lifecycle: { preStop: kplus.Handler.fromCommand(['/bin/sleep', '15']) },
    startup: kplus.Probe.fromHttpGet(probePath, { port: 8501, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 60 }),
    readiness: kplus.Probe.fromHttpGet(probePath, { port: 8501, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(3), failureThreshold: 3 }),
    liveness: kplus.Probe.fromHttpGet(probePath, { port: 8501, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6 }),
  });
  container.mount('/etc/tfserving', kplus.Volume.fromConfigMap(chart, `${name}-config-volume`,
    kplus.ConfigMap.fromConfigMapName(chart, `${name}-config-ref`, `${name}-config`), { name: 'config' }), { readOnly: true });
  container.mount('/tmp', kplus.Volume.fromEmptyDir(chart, `${name}-tmp`, 'tmp', { sizeLimit: Size.gibibytes(1) }));
  const d = ApiObject.of(deployment);
  d.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  d.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  d.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
  d.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
  ]));

  const service = new kplus.Service(chart, `${name}-service`, {
    metadata: { name, labels },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [
      { name: 'grpc', port: 8500, targetPort: 8500, protocol: kplus.Protocol.TCP },
      { name: 'http', port: 8501, targetPort: 8501, protocol: kplus.Protocol.TCP },
    ],
  });
  for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);

  new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
    metadata: { name, labels },
    target: deployment,
    minReplicas: 2,
    maxReplicas: 8,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(60))],
  });
  new kplus.k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
    metadata: { name, labels },
    spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
  });
  new ServiceMonitor(chart, `${name}-monitor`, {
    metadata: { name, labels },
    spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http', path: '/monitoring/prometheus/metrics', interval: '30s' }] },
  });
  const tcp = (p: number) => ({ port: kplus.k8s.IntOrString.fromNumber(p), protocol: 'TCP' });
  new kplus.k8s.KubeNetworkPolicy(chart, `${name}-netpol`, {
    metadata: { name, labels },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [tcp(8500), tcp(8501)] }],
      egress: [
        { ports: [{ port: kplus.k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)] },
        { ports: [tcp(443)] },
        { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: '169.254.169.252/32' } }], ports: [tcp(80), tcp(988)] },
      ],
    },
  });
}

function runRaw(n: number): { docs: Doc[]; yaml: string } {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: NAMESPACE });
  for (let i = 0; i < n; i++) addRawModel(chart, modelName(i));
  const docs = chart.toJson();
  return { docs, yaml: toYaml(docs) };
}

// ---------------------------------------------------------------------------------------------------
// (kustomize) a base with one model's objects, one overlay per model, a top kustomization
// ---------------------------------------------------------------------------------------------------

function kubectlAvailable(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Writes the kustomize tree for n models into a new temp dir and returns it. The base holds the
 * objects our construct emits for one model named `tfs` (without its ConfigMap, which each overlay
 * generates, and without cdk8s's path label and our config-hash annotation, which the generator's
 * name hash replaces). Each overlay sets namePrefix, the instance label (selectors included), generates
 * the config files' ConfigMap and patches what labels cannot reach: the model name in the probes, the
 * topology-spread and ServiceMonitor selectors.
 */
function writeKustomizeTree(n: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `tfserving-bench-kustomize-${n}-`));
  const base = path.join(root, 'base');
  fs.mkdirSync(base);
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'base');
  const model = addOurModel(chart, 'tfs');
  const files: Record<string, string> = { 'batching.config': model.batchingFile!, 'monitoring.config': model.monitoringFile! };
  const docs = chart.toJson().filter((o: Doc) => o.kind !== 'ConfigMap').map((o: Doc) => {
    const tpl = o.spec?.template?.metadata;
    if (tpl) {
      delete tpl.labels['cdk8s.io/metadata.addr'];
      delete tpl.annotations['tfserving-constructs.io/config-hash'];
    }
    return o;
  });
  fs.writeFileSync(path.join(base, 'resources.yaml'), toYaml(docs));
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(base, f), text);
  fs.writeFileSync(path.join(base, 'kustomization.yaml'), toYaml([{
    apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: NAMESPACE, resources: ['resources.yaml'],
  }]));
  const top: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = modelName(i);
    const dir = path.join(root, 'overlays', name);
    fs.mkdirSync(dir, { recursive: true });
    top.push(`overlays/${name}`);
    fs.writeFileSync(path.join(dir, 'models.config'), modelsConfig(name));
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    const selector = { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': `${name}-tfs` };
    const deploymentOps = [
      ...[0, 1].map((k) => ({ op: 'replace', path: `/spec/template/spec/topologySpreadConstraints/${k}/labelSelector/matchLabels`, value: selector })),
      ...['startupProbe', 'readinessProbe', 'livenessProbe'].map((p) => ({ op: 'replace', path: `/spec/template/spec/containers/0/${p}/httpGet/path`, value: `/v1/models/${name}` })),
    ];
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), toYaml([{
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../base'],
      namespace: NAMESPACE,
      namePrefix: `${name}-`,
      labels: [{ pairs: { 'app.kubernetes.io/instance': `${name}-tfs` }, includeSelectors: true, includeTemplates: true }],
      configMapGenerator: [{ name: 'tfs-config', files: ['models.config', 'batching.config', 'monitoring.config'] }],
      patches: [
        { target: { kind: 'Deployment' }, patch: JSON.stringify(deploymentOps) },
        { target: { kind: 'ServiceMonitor' }, patch: JSON.stringify([{ op: 'replace', path: '/spec/selector/matchLabels', value: selector }]) },
      ],
    }]));
  }
  fs.writeFileSync(path.join(root, 'kustomization.yaml'), toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: top }]));
  return root;
}

/** Renders a kustomization; `undefined` when it ran past `timeoutMs` (the process is killed). */
function runKustomize(dir: string, timeoutMs?: number): string | undefined {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return undefined;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

/** Up to `k` overlays spread evenly over the n, for the per-overlay variant. */
function overlaySample(n: number, k: number): string[] {
  const m = Math.min(n, k);
  return Array.from({ length: m }, (_, j) => `overlays/${modelName(Math.floor((j * n) / m))}`);
}

// ---------------------------------------------------------------------------------------------------
// Equivalence checks (N = 10)
// ---------------------------------------------------------------------------------------------------

const key = (o: Doc): string => `${o.apiVersion} ${o.kind}/${o.metadata?.name}`;

/** Drops what depends on construct paths only (cdk8s-plus's `cdk8s.io/metadata.addr` pod label). */
function normalize(o: Doc): Doc {
  const c = JSON.parse(JSON.stringify(o));
  delete c.spec?.template?.metadata?.labels?.['cdk8s.io/metadata.addr'];
  return c;
}

/** The first JSON path where two values differ, or undefined. */
function firstDifference(a: any, b: any, at = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${at || '/'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(a[k], b[k], `${at}/${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Kinds and names must match (an error); content should (a warning: lib/ may have moved on from this file). */
function checkRawMatchesOurs(ours: Doc[], raw: Doc[]): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const a = new Map(ours.map((o) => [key(o), o]));
  const b = new Map(raw.map((o) => [key(o), o]));
  if (a.size !== ours.length || b.size !== raw.length) errors.push('duplicate kind/name pairs');
  for (const k of a.keys()) if (!b.has(k)) errors.push(`hand-written cdk8s-plus lacks ${k}`);
  for (const k of b.keys()) if (!a.has(k)) errors.push(`hand-written cdk8s-plus has extra ${k}`);
  for (const [k, o] of a) {
    const r = b.get(k);
    const d = r && firstDifference(normalize(o), normalize(r));
    if (d) warnings.push(`${k} differs in content (ours vs hand-written) at ${d}`);
  }
  return { errors, warnings };
}

function checkKustomizeMatchesOurs(ours: Doc[], kustomizeYaml: string): string[] {
  const docs = parseAllDocuments(kustomizeYaml).map((d) => d.toJSON() as Doc);
  const count = (ds: Doc[]) => {
    const m: Record<string, number> = {};
    for (const d of ds) m[d.kind] = (m[d.kind] ?? 0) + 1;
    return JSON.stringify(Object.entries(m).sort());
  };
  const problems: string[] = [];
  if (count(docs) !== count(ours)) problems.push(`kinds differ: kustomize ${count(docs)}, ours ${count(ours)}`);
  const names = new Set(docs.map((d) => `${d.kind}/${d.metadata?.namespace}/${d.metadata?.name}`));
  const refersTo = (d: Doc, kind: string, name: string | undefined) => {
    if (!names.has(`${kind}/${d.metadata.namespace}/${name}`)) problems.push(`${key(d)} refers to a missing ${kind} ${name}`);
  };
  for (const d of docs) {
    const inst = d.metadata?.labels?.['app.kubernetes.io/instance'];
    if (!inst || !d.metadata.name.startsWith(inst.replace(/-tfs$/, ''))) problems.push(`${key(d)}: instance label ${inst}`);
    if (d.metadata?.namespace !== NAMESPACE) problems.push(`${key(d)}: namespace ${d.metadata?.namespace}`);
    if (d.kind === 'Deployment') {
      const pod = d.spec.template.spec;
      refersTo(d, 'ServiceAccount', pod.serviceAccountName);
      for (const v of pod.volumes ?? []) if (v.configMap) refersTo(d, 'ConfigMap', v.configMap.name);
      if (d.spec.selector.matchLabels['app.kubernetes.io/instance'] !== inst) problems.push(`${key(d)}: selector not rewritten`);
    }
    if (d.kind === 'HorizontalPodAutoscaler') refersTo(d, 'Deployment', d.spec.scaleTargetRef.name);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------

/**
 * ours: our constructs, construct + chart.toJson() + YAML. raw: the same for hand-written cdk8s-plus.
 * floor: YAML of our finished objects only. kustomize: `kubectl kustomize` on the top kustomization.
 * kustomizeEach: `kubectl kustomize` on each overlay separately (the linear way to use kustomize),
 * estimated from OVERLAY_SAMPLE overlays when N is larger.
 */
type Variant = 'ours' | 'floor' | 'raw' | 'kustomize' | 'kustomizeEach';
const VARIANTS: Variant[] = ['ours', 'raw', 'floor', 'kustomize', 'kustomizeEach'];
const OVERLAY_SAMPLE = 10;

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface SizeResult {
  n: number;
  reps: number;
  ms: Record<Variant, number | null>;
  samples: Record<Variant, number[]>;
  /** kustomize ran into the time limit: `ms.kustomize` is a lower bound. */
  kustomizeTimedOut: boolean;
  phases: Phases;
}

interface SizePlan {
  /** Time for the repetitions after the warm-up round. */
  budgetMs: number;
  maxReps: number;
  /** Longest one top-level `kubectl kustomize` may run (it grows faster than linearly). */
  kustomizeTimeoutMs: number;
}

function measureSize(n: number, kustomizeDir: string | undefined, plan: SizePlan): SizeResult {
  // The floor serializes the finished objects of our synthesis; build them once, untimed.
  const finished = runOurs(n).docs;
  const sample = overlaySample(n, OVERLAY_SAMPLE);

  const samples: Record<Variant, number[]> = { ours: [], raw: [], floor: [], kustomize: [], kustomizeEach: [] };
  const phaseSamples: Phases[] = [];
  let kustomizeTimedOut = false;

  /** One timed run; `undefined` when kustomize hit the time limit. */
  const once = (v: Variant): number | undefined => {
    gc();
    let start = 0;
    let t: number | undefined;
    switch (v) {
      case 'ours': {
        const p: Phases = { construct: 0, toJson: 0, yaml: 0 };
        start = performance.now();
        const out = runOurs(n, p);
        t = performance.now() - start;
        sampleHeap(`ours@${n}`);
        phaseSamples.push(p);
        if (!out.yaml) throw new Error('no output');
        break;
      }
      case 'raw': {
        start = performance.now();
        const out = runRaw(n);
        t = performance.now() - start;
        sampleHeap(`raw@${n}`);
        if (!out.yaml) throw new Error('no output');
        break;
      }
      case 'floor': {
        start = performance.now();
        const out = toYaml(finished);
        t = performance.now() - start;
        if (!out) throw new Error('no output');
        break;
      }
      case 'kustomize': {
        start = performance.now();
        const out = runKustomize(kustomizeDir!, plan.kustomizeTimeoutMs);
        t = performance.now() - start;
        if (out === undefined) return undefined;
        break;
      }
      case 'kustomizeEach': {
        start = performance.now();
        for (const o of sample) runKustomize(path.join(kustomizeDir!, o));
        t = ((performance.now() - start) * n) / sample.length;
        break;
      }
    }
    return t;
  };

  // Warm-up round (JIT, caches, the kubectl binary in the page cache); it also sizes the repetitions.
  // A top-level kustomize run that takes more than a third of the budget is not repeated: its warm-up
  // run is its one sample (kubectl is a compiled Go binary, warm from the smaller sizes); one that hits
  // the time limit is reported as a lower bound.
  const variants: Variant[] = ['ours', 'raw', 'floor', ...(kustomizeDir ? ['kustomize', 'kustomizeEach'] as Variant[] : [])];
  let roundMs = 0;
  const repeated: Variant[] = [];
  for (const v of variants) {
    const w0 = performance.now();
    const t = once(v);
    const wall = performance.now() - w0; // kustomizeEach reports an estimate for all N overlays; the budget needs its real cost
    if (v === 'kustomize') {
      if (t === undefined) {
        kustomizeTimedOut = true;
        samples.kustomize.push(plan.kustomizeTimeoutMs);
        continue;
      }
      if (t > plan.budgetMs / 3) {
        samples.kustomize.push(t);
        continue;
      }
    }
    roundMs += wall;
    repeated.push(v);
  }
  const reps = Math.max(3, Math.min(plan.maxReps, Math.floor(plan.budgetMs / roundMs)));
  phaseSamples.length = 0;

  // Interleave: every repetition runs each variant once, in a rotated order.
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < repeated.length; k++) {
      const v = repeated[(r + k) % repeated.length];
      const t = once(v);
      if (t === undefined) throw new Error(`kubectl kustomize at N=${n} hit the ${plan.kustomizeTimeoutMs} ms limit after it finished in the warm-up`);
      samples[v].push(t);
    }
  }
  const ms = Object.fromEntries(VARIANTS.map((v) => [v, samples[v].length ? median(samples[v]) : null])) as Record<Variant, number | null>;
  return {
    n,
    reps,
    ms,
    samples,
    kustomizeTimedOut,
    phases: {
      construct: median(phaseSamples.map((p) => p.construct)),
      toJson: median(phaseSamples.map((p) => p.toJson)),
      yaml: median(phaseSamples.map((p) => p.yaml)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const fmt = (x: number | null, digits = 1): string => (x === null ? '-' : x.toFixed(digits));

function printTable(results: SizeResult[]): void {
  const header = ['N', 'reps', 'ours ms', 'floor ms', 'raw c+ ms', 'kustomize ms', 'kust each ms', 'ours/floor', 'ours/raw', 'kust/ours',
    'each/ours', 'ours ms/model', 'raw ms/model', 'floor ms/model', 'kust ms/model', 'ours construct/toJson/yaml ms'];
  const rows = results.map((r) => {
    const { ours, floor, raw, kustomize, kustomizeEach } = r.ms;
    const ge = r.kustomizeTimedOut ? '>=' : '';
    const each = kustomizeEach === null ? '-' : `${r.n > OVERLAY_SAMPLE ? '~' : ''}${fmt(kustomizeEach)}`;
    return [
      String(r.n), String(r.reps), fmt(ours), fmt(floor), fmt(raw), kustomize === null ? '-' : ge + fmt(kustomize), each,
      fmt(ours! / floor!, 2), fmt(ours! / raw!, 2), kustomize === null ? '-' : ge + fmt(kustomize / ours!, 2),
      kustomizeEach === null ? '-' : fmt(kustomizeEach / ours!, 2),
      fmt(ours! / r.n, 3), fmt(raw! / r.n, 3), fmt(floor! / r.n, 3), kustomize === null ? '-' : ge + fmt(kustomize / r.n, 2),
      `${fmt(r.phases.construct)} / ${fmt(r.phases.toJson)} / ${fmt(r.phases.yaml)}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(`\n'>=': the top-level kustomize run hit its time limit (a lower bound). '~': per-overlay kustomize estimated from ${OVERLAY_SAMPLE} overlays × N.`);
  console.log('min-max of the samples (ms):');
  for (const r of results) {
    const s = (v: Variant) => (r.samples[v].length ? `${fmt(Math.min(...r.samples[v]))}-${fmt(Math.max(...r.samples[v]))} (${r.samples[v].length})` : '-');
    console.log(`  N=${r.n}: ours ${s('ours')}, raw ${s('raw')}, floor ${s('floor')}, kustomize ${s('kustomize')}, kustomize each ${s('kustomizeEach')}`);
  }
}

function profile(n: number): void {
  for (let i = 0; i < 3; i++) runOurs(Math.min(n, 100));
  const p: Phases = { construct: 0, toJson: 0, yaml: 0 };
  gc();
  const t = performance.now();
  runOurs(n, p);
  console.log(`ours at N=${n}: ${r1(performance.now() - t)} ms (construct ${r1(p.construct)}, toJson ${r1(p.toJson)}, yaml ${r1(p.yaml)})`);
}

function main(): void {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (arg('profile')) {
    profile(Number(arg('profile')));
    return;
  }
  if (arg('write-kustomize')) {
    console.log(writeKustomizeTree(Number(arg('write-kustomize'))));
    return;
  }
  const sizes = (arg('sizes') ?? '10,100,1000').split(',').map(Number);
  const budgetScale = Number(arg('budget') ?? '1');
  const kustomizeTimeoutMs = Number(arg('kustomize-timeout') ?? '45') * 1000 || undefined;
  // Per-size budgets for the repetitions after the warm-up round: about two and a half minutes in all.
  const plan = (n: number): SizePlan => ({
    budgetMs: (n <= 10 ? 6000 : n <= 100 ? 20000 : 50000) * budgetScale,
    maxReps: n <= 10 ? 21 : n <= 100 ? 9 : 5,
    kustomizeTimeoutMs: kustomizeTimeoutMs ?? 0,
  });

  const started = performance.now();
  console.log(`tfserving-constructs bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, global.gc ${gcExposed ? 'exposed' : 'NOT exposed'}`);
  const hasKubectl = kubectlAvailable();
  if (hasKubectl) {
    const version = /Kustomize Version: (\S+)/.exec(spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
    console.log(`kubectl kustomize ${version}; one top-level run may take ${kustomizeTimeoutMs ? `${kustomizeTimeoutMs / 1000} s` : 'any time'} (--kustomize-timeout=SECONDS, 0 for no limit)`);
  } else {
    console.log('kubectl not found on PATH: skipping the kustomize comparison (kustomizeMs and kustomizeSlowdown are null)');
  }

  // Equivalence at N = 10, before any timing.
  {
    const ours = runOurs(10).docs;
    const raw = runRaw(10).docs;
    const { errors, warnings } = checkRawMatchesOurs(ours, raw);
    const kinds = [...new Set(ours.map((o) => o.kind))].sort().join(', ');
    if (errors.length) {
      console.log(`MISMATCH: hand-written cdk8s-plus vs ours at N=10:\n  ${errors.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(`check N=10: hand-written cdk8s-plus emits the same ${ours.length} objects (kinds and names) as ours: ${kinds}`);
    }
    if (warnings.length) {
      console.log(`warning: content differs (update addRawModel in bench/run.ts to follow lib/):\n  ${warnings.slice(0, 5).join('\n  ')}${warnings.length > 5 ? `\n  … ${warnings.length - 5} more` : ''}`);
    } else if (!errors.length) {
      console.log('check N=10: and the same content, but for cdk8s-plus\'s path-derived pod label cdk8s.io/metadata.addr');
    }
    if (hasKubectl) {
      const dir = writeKustomizeTree(10);
      try {
        const kp = checkKustomizeMatchesOurs(ours, runKustomize(dir)!);
        if (kp.length) {
          console.log(`MISMATCH: kustomize vs ours at N=10:\n  ${kp.join('\n  ')}`);
          process.exitCode = 1;
        } else {
          console.log('check N=10: kustomize renders the same kinds and object count (names carry the overlay prefix; the ConfigMap a content hash)');
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  const results: SizeResult[] = [];
  for (const n of sizes) {
    const dir = hasKubectl ? writeKustomizeTree(n) : undefined;
    try {
      const res = measureSize(n, dir, plan(n));
      results.push(res);
      const k = res.ms.kustomize === null ? '-' : `${res.kustomizeTimedOut ? '>=' : ''}${fmt(res.ms.kustomize)}`;
      console.log(`  N=${n}: ${res.reps} repetitions, ours ${fmt(res.ms.ours)} ms, raw ${fmt(res.ms.raw)} ms, floor ${fmt(res.ms.floor)} ms, kustomize ${k} ms`);
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  console.log('');
  printTable(results);

  const last = results[results.length - 1];
  const mb = (v: string) => r1((peakHeap[`${v}@${last.n}`] ?? 0) / 1048576);
  console.log(`\npeak V8 heap used at N=${last.n} (sampled at the end of each run, output still referenced): ours ${mb('ours')} MB, raw cdk8s-plus ${mb('raw')} MB`);

  // Goals (issue 6).
  const o = last.ms.ours!;
  const goals: string[] = [];
  const toRaw = o / last.ms.raw!;
  const toFloor = o / last.ms.floor!;
  goals.push(`ours <= 1.2x hand-written cdk8s-plus at N=${last.n}: ${r2(toRaw)}x, ${toRaw <= 1.2 ? 'met' : 'MISSED'}`);
  goals.push(`ours <= 2.5x the YAML floor at N=${last.n}: ${r2(toFloor)}x, ${toFloor <= 2.5 ? 'met' : 'MISSED'}`);
  if (results.length > 1) {
    const prev = results[results.length - 2];
    const growth = (o / last.n) / (prev.ms.ours! / prev.n);
    goals.push(`linear growth, ms per model at N=${last.n} at most 1.5x that at N=${prev.n}: ${r2(growth)}x, ${growth <= 1.5 ? 'met' : 'MISSED'}`);
  }
  const k = last.ms.kustomize;
  if (k !== null) {
    const bound = last.kustomizeTimedOut ? ' (lower bound: the run was stopped at the time limit)' : '';
    goals.push(`kustomize >= 3x slower at N=${last.n}: ${last.kustomizeTimedOut ? '>=' : ''}${r2(k / o)}x${bound}, ${k / o >= 3 ? 'met' : (last.kustomizeTimedOut ? 'undecided' : 'MISSED')}`);
  } else {
    goals.push('kustomize >= 3x slower: not measured (kubectl absent)');
  }
  console.log(`goals:\n  ${goals.join('\n  ')}`);
  console.log(`bench took ${r1((performance.now() - started) / 1000)} s`);

  console.log(JSON.stringify({
    models: last.n,
    synthMs: r1(o),
    floorMs: r1(last.ms.floor!),
    rawCdk8sPlusMs: r1(last.ms.raw!),
    ratioToFloor: r2(toFloor),
    ratioToRawCdk8sPlus: r2(toRaw),
    kustomizeMs: k === null ? null : r1(k),
    kustomizeSlowdown: k === null ? null : r2(k / o),
    peakHeapMb: mb('ours'),
  }));
}

main();
