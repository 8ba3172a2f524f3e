// Regenerates what the project derives from the upstream CRD files in ../shared/crds:
//  - lib/imports/*.ts: typed classes, by `cdk8s import` (never edited by hand);
//  - test/schemas/*.json: the openAPIV3Schema of each kind/version the library emits, so the tests can
//    validate those objects (and catch unknown fields) on a checkout without ../shared.
// Run: npx projen import   (needs ../shared beside the project; the outputs are committed)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..');
const crds = path.resolve(root, '../shared/crds');

/** CRD file → the kinds (group/version/kind) whose schemas the tests need. */
const SOURCES: Record<string, string[]> = {
  'prometheus-operator-monitoring.coreos.com.yaml': ['monitoring.coreos.com/v1/ServiceMonitor'],
  'gmp-monitoring.googleapis.com.yaml': ['monitoring.googleapis.com/v1/PodMonitoring'],
  'kcc-container.cnrm.cloud.google.com.yaml': ['container.cnrm.cloud.google.com/v1beta1/ContainerCluster', 'container.cnrm.cloud.google.com/v1beta1/ContainerNodePool'],
  'kcc-iam.cnrm.cloud.google.com.yaml': ['iam.cnrm.cloud.google.com/v1beta1/IAMServiceAccount', 'iam.cnrm.cloud.google.com/v1beta1/IAMPolicyMember'],
};

for (const [file, kinds] of Object.entries(SOURCES)) {
  const src = path.join(crds, file);
  execFileSync('npx', ['cdk8s', 'import', '--no-check-upgrade', '-l', 'typescript', '-o', 'lib/imports', src], { cwd: root, stdio: 'inherit' });
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
