/**
 * The Pulumi layer is a separate entry point (`tfserving-constructs/pulumi`): the main entry point never loads
/*, and works on a cdk8s-only install where no @pulumi package exists. Checked in fresh Node.js processes
 * (jest's module registry is not require.cache), plus a scan of the sources.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

function probe(mode: 'main' | 'without-pulumi'): any {
  const stdout = execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, 'support/entry-probe.ts'), mode], {
    cwd: root, stdio: 'pipe', encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('importing lib/index.ts loads no @pulumi/ module; lib/pulumi does', () => {
  const out = probe('main');
  expect(out.mainExports).toBeGreaterThan(50);
  expect(out.pulumiAfterMain).toEqual([]);
  // the probe can see @pulumi modules when they are loaded
  expect(out.pulumiAfterPulumiEntry).toBeGreaterThan(0);
}, 60_000);

test('without any @pulumi package, the main entry point imports and the GPU example synthesizes; the Pulumi entry point says what to install', () => {
  const out = probe('without-pulumi');
  expect(out.pulumiAfterMain).toEqual([]);
  expect(out.synthesized).toEqual(expect.arrayContaining(['ContainerCluster', 'ContainerNodePool', 'Deployment', 'Service']));
  expect(out.pulumiEntry).toBe('MODULE_NOT_FOUND');
  expect(out.pulumiEntryMessage).toBe('tfserving-constructs/pulumi needs the optional peer dependencies @pulumi/pulumi, @pulumi/gcp and '
    + '@pulumi/kubernetes; missing: @pulumi/pulumi, @pulumi/gcp, @pulumi/kubernetes. Fix: npm install @pulumi/pulumi @pulumi/gcp @pulumi/kubernetes');
}, 60_000);

test('no source outside lib/pulumi imports @pulumi/* or the Pulumi layer', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(root, 'lib', 'pulumi')) walk(p);
      } else if (e.name.endsWith('.ts')) {
        const src = fs.readFileSync(p, 'utf8');
        if (/(from|require\()\s*['"](@pulumi\/|[./]+\/pulumi['"/])/.test(src)) offenders.push(path.relative(root, p));
      }
    }
  };
  walk(path.join(root, 'lib'));
  expect(offenders).toEqual([]);
});
