// Regenerates what the project derives from the upstream CRD files in ../shared/crds:
//  - lib/imports/*.ts: typed classes, by `cdk8s import` (never edited by hand);
//  - test/schemas/*.json: the openAPIV3Schema of each kind/version the library emits, so the tests can
//    validate those objects (and catch unknown fields) on a checkout without ../shared.
// Run: npx projen import   (needs ../shared beside the project; the outputs are committed)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';

const root = path.resolve(__dirname, '..');
const crds = path.resolve(root, '../shared/crds');

/** CRD file → the kinds (group/version/kind) whose schemas the tests need. */
const SOURCES: Record<string, string[]> = {
  'prometheus-operator-monitoring.coreos.com.yaml': ['monitoring.coreos.com/v1/ServiceMonitor'],
  'gmp-monitoring.googleapis.com.yaml': ['monitoring.googleapis.com/v1/PodMonitoring'],
  'kcc-container.cnrm.cloud.google.com.yaml': ['container.cnrm.cloud.google.com/v1beta1/ContainerCluster', 'container.cnrm.cloud.google.com/v1beta1/ContainerNodePool'],
  'kcc-iam.cnrm.cloud.google.com.yaml': ['iam.cnrm.cloud.google.com/v1beta1/IAMServiceAccount', 'iam.cnrm.cloud.google.com/v1beta1/IAMPolicyMember'],
  'kcc-compute.cnrm.cloud.google.com.yaml': [
    'compute.cnrm.cloud.google.com/v1beta1/ComputeNetwork', 'compute.cnrm.cloud.google.com/v1beta1/ComputeSubnetwork',
    'compute.cnrm.cloud.google.com/v1beta1/ComputeRouter', 'compute.cnrm.cloud.google.com/v1beta1/ComputeRouterNAT',
  ],
  'istio-networking.istio.io.yaml': ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/DestinationRule', 'networking.istio.io/v1/Gateway'],
  'istio-security.istio.io.yaml': ['security.istio.io/v1/PeerAuthentication', 'security.istio.io/v1/AuthorizationPolicy', 'security.istio.io/v1/RequestAuthentication'],
  'flagger.app.yaml': ['flagger.app/v1beta1/Canary', 'flagger.app/v1beta1/MetricTemplate'],
  'istio-telemetry.istio.io.yaml': ['telemetry.istio.io/v1/Telemetry'],
  'keda.keda.sh.yaml': ['keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication'],
  'prometheus-operator-rules.monitoring.coreos.com.yaml': ['monitoring.coreos.com/v1/PrometheusRule'],
  'gmp-rules.monitoring.googleapis.com.yaml': ['monitoring.googleapis.com/v1/Rules'],
  'gateway-api-standard.gateway.networking.k8s.io.yaml': [
    'gateway.networking.k8s.io/v1/Gateway', 'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/GRPCRoute',
    'gateway.networking.k8s.io/v1/ReferenceGrant',
  ],
  'gke-networking.networking.gke.io.yaml': [
    'networking.gke.io/v1/GCPBackendPolicy', 'networking.gke.io/v1/HealthCheckPolicy', 'networking.gke.io/v1/GCPGatewayPolicy',
  ],
};

/**
 * CRD file → a module name prefix. `cdk8s import` names the module after the API group, so a second file of a group
 * already imported (the rule CRDs next to ServiceMonitor / PodMonitoring) would overwrite it; `prefix:=file` writes
 * `lib/imports/<prefix>-<group>.ts` instead (cdk8s-cli src/import/base.ts).
 */
const MODULE_PREFIX: Record<string, string> = {
  'prometheus-operator-rules.monitoring.coreos.com.yaml': 'rules',
  'gmp-rules.monitoring.googleapis.com.yaml': 'rules',
};

/**
 * CRD file → the file `cdk8s import` reads instead (the schemas still come from the SOURCES file). The Istio
 * `*.v1-import-only.yaml` subsets hold only v1, so the classes get bare names (`VirtualService` = v1); their v1
 * schemas are identical to the full files'.
 */
const IMPORT_FROM: Record<string, string> = {
  'istio-networking.istio.io.yaml': 'istio-networking.istio.io.v1-import-only.yaml',
  'istio-security.istio.io.yaml': 'istio-security.istio.io.v1-import-only.yaml',
};

/**
 * CRD files whose multi-line single-quoted descriptions continue at the key's own indentation (Flagger's): YAML 1.2
 * and the `yaml` package reject that, and cdk8s-cli then fails on a truncated key. Re-serialized before import.
 */
const RESERIALIZE = new Set(['flagger.app.yaml']);

/** Indents the continuation lines of multi-line single-quoted scalars by two spaces (folding ignores it). */
function indentQuotedContinuations(text: string): string {
  let open = false;
  return text.split('\n').map((line) => {
    if (open) {
      open = !line.replace(/''/g, '').includes("'");
      return `  ${line}`;
    }
    const m = /^\s*(?:- )?[\w.-]+: '(.*)$/.exec(line);
    open = m !== null && !m[1].replace(/''/g, '').includes("'");
    return line;
  }).join('\n');
}

/** The path `cdk8s import` reads for a SOURCES file. */
function importPath(file: string): string {
  const src = path.join(crds, IMPORT_FROM[file] ?? file);
  if (!RESERIALIZE.has(file)) return src;
  const parsed = parseAllDocuments(indentQuotedContinuations(fs.readFileSync(src, 'utf8')));
  const errors = parsed.flatMap((d) => d.errors);
  if (errors.length) throw new Error(`${file}: ${errors[0].message}`);
  const docs = parsed.map((d) => d.toJSON()).filter((d) => d);
  // cdk8s names the module after the API group, not the file, so a temporary file name is fine.
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'import-crds-')), file);
  fs.writeFileSync(out, docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
  return out;
}

for (const [file, kinds] of Object.entries(SOURCES)) {
  const src = path.join(crds, file);
  const spec = MODULE_PREFIX[file] ? `${MODULE_PREFIX[file]}:=${importPath(file)}` : importPath(file);
  execFileSync('npx', ['cdk8s', 'import', '--no-check-upgrade', '-l', 'typescript', '-o', 'lib/imports', spec], { cwd: root, stdio: 'inherit' });
  for (const doc of parseAllDocuments(fs.readFileSync(src, 'utf8'))) {
    const crd = doc.toJSON();
    for (const v of crd?.spec?.versions ?? []) {
      const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
      if (!kinds.includes(key)) continue;
      const out = path.join(root, 'test/schemas', `${key.replace(/\//g, '_')}.json`);
      const body = { $comment: `Generated from ../shared/crds/${file} by scripts/import-crds.ts; do not edit.`, ...v.schema.openAPIV3Schema };
      fs.writeFileSync(out, JSON.stringify(body, null, 1) + '\n');
      console.log(`wrote ${path.relative(root, out)}`);
    }
  }
}
