/**
 * The package as a user meets it: `npm pack` (which compiles first), the tarball installed with its peers into a new
 * project with `cdk8s init typescript-app`'s compiler settings (strict, declarations checked: no `skipLibCheck`), every
 * TypeScript block of the README compiled there on its own, and the blocks that synthesize run. Every test here
 * imports `tfserving-constructs` by its package name, as a user does; nothing is remapped to `../lib`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { assertValid } from '../support/validate';

const root = path.resolve(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** The README's ```ts blocks, in order. */
export function readmeBlocks(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** The version of a package installed in this repository (the peers are installed at the versions CI tests with). */
function installed(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let work: string;
let app: string;
let files: string[];
let blocks: string[];
let compiled: { status: number | null; output: string };

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfserving-constructs-package-'));
  // `npm pack` runs the prepack script: a clean compile into build/.
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], root));
  files = packed[0].files.map((f: { path: string }) => f.path).sort();
  const tarball = path.join(work, packed[0].filename);

  app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  // The compiler settings a new cdk8s app starts with (`cdk8s init typescript-app`), read from the installed cdk8s-cli.
  fs.copyFileSync(path.join(root, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json'), path.join(app, 'tsconfig.json'));
  // The tarball and its peers, at the versions this repository tests with; from npm's cache when it has them.
  const peers = ['cdk8s', 'cdk8s-plus-27', 'constructs', '@pulumi/pulumi', '@pulumi/gcp', '@pulumi/kubernetes', '@types/node'];
  run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...peers.map((p) => `${p}@${installed(p)}`)], app);

  // Each README block is a file of its own, compiled (and emitted) as `tsc` compiles a cdk8s app.
  blocks = readmeBlocks();
  blocks.forEach((block, i) => fs.writeFileSync(path.join(app, `readme-${i + 1}.ts`), block));
  const r = spawnSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
  const output = r.stdout + r.stderr;
  compiled = { status: r.status, output: output.trim() };
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled library, its declarations, README, LICENSE and the API reference, nothing else', () => {
  const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|docs\/api\/[A-Za-z]+\.md|build\/.+)$/;
  expect(files.filter((f) => !allowed.test(f))).toEqual([]);
  // build/ has no TypeScript sources, source maps or build info: compiled output and the static files it reads.
  expect(files.filter((f) => /\.(map|tsbuildinfo)$|(?<!\.d)\.ts$/.test(f))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining([
    'build/index.js', 'build/index.d.ts', 'build/tfserving/index.js', 'build/tfserving/index.d.ts', 'build/pulumi/index.js',
    'build/pulumi/index.d.ts', 'README.md', 'LICENSE', 'CHANGELOG.md', 'docs/api/README.md', 'docs/api/index.md',
  ]));
  // JavaScript without inline source maps or sources (they were three quarters of the bytes).
  const withMaps = files.filter((f) => f.endsWith('.js'))
    .filter((f) => fs.readFileSync(path.join(app, 'node_modules', 'tfserving-constructs', f), 'utf8').includes('sourceMappingURL'));
  expect(withMaps).toEqual([]);
});

test('every README TypeScript block compiles on its own in a strict new cdk8s app (declarations checked)', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(13);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8'));
  expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
  expect(tsconfig.compilerOptions.strict).toBe(true);
  expect(compiled.output).toBe('');
  expect(compiled.status).toBe(0);
});

test('every README block that synthesizes runs and writes manifests whose objects all validate', () => {
  const synthesizing = blocks.map((_, i) => i).filter((i) => /^app\.synth\(\);$/m.test(blocks[i]));
  expect(synthesizing.length).toBeGreaterThanOrEqual(10);
  // One Node.js process runs them all, one after the other, each writing to its own folder (CDK8S_OUTDIR, as
  // `cdk8s synth` sets it): loading cdk8s-plus once instead of once per block.
  const outdir = (i: number) => path.join(app, `dist-${i + 1}`);
  const driver = synthesizing.map((i) => `process.env.CDK8S_OUTDIR = ${JSON.stringify(outdir(i))}; require('./readme-${i + 1}.js');`).join('\n');
  run(process.execPath, ['-e', driver], app);
  for (const i of synthesizing) {
    const manifests = fs.readdirSync(outdir(i)).filter((f) => f.endsWith('.k8s.yaml'));
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) {
      const objects = parseAllDocuments(fs.readFileSync(path.join(outdir(i), m), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
      expect(objects.length).toBeGreaterThan(0);
      assertValid(objects);
    }
  }
}, 120_000);

test('the README Errors block, run, prints the message the README shows', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors\n'), readme.indexOf('\n## ', readme.indexOf('## Errors\n') + 1));
  const [code, shown] = [/```ts\n([\s\S]*?)```/.exec(section)![1], /```text\n([\s\S]*?)\n```/.exec(section)![1]];
  const i = blocks.indexOf(code);
  expect(i).toBeGreaterThanOrEqual(0);
  const r = spawnSync(process.execPath, [path.join(app, `readme-${i + 1}.js`)], { cwd: app, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(`${shown}\n`);
});

describe('the validation plugin under `cdk8s synth` (examples/ci/cdk8s-validation.yaml)', () => {
  const cdk8s = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  function synth(appCommand: string, output: string) {
    const config = parse(fs.readFileSync(path.join(root, 'examples', 'ci', 'cdk8s-validation.yaml'), 'utf8'));
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), stringify({ ...config, app: appCommand, output }));
    return spawnSync(process.execPath, [cdk8s, 'synth', '--no-check-upgrade'], { cwd: app, encoding: 'utf8' });
  }

  test('passes the quick start', () => {
    const r = synth('node readme-1.js', 'dist-valid');
    expect(r.stdout).toContain('Validations ended succesfully');
    expect(r.status).toBe(0);
  });

  test('fails a hand-written Deployment with a mistyped flag, with our message', () => {
    fs.writeFileSync(path.join(app, 'bad.js'), [
      "const { App, Chart, ApiObject } = require('cdk8s');",
      'const app = new App();',
      "const chart = new Chart(app, 'bad');",
      "new ApiObject(chart, 'serving', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'serving' }, spec: {",
      "  selector: { matchLabels: { app: 'serving' } }, template: { metadata: { labels: { app: 'serving' } }, spec: { containers: [{",
      "    name: 'serving', image: 'tensorflow/serving:2.18.0', args: ['--model_name=m', '--model_base_path=/models/m', '--enable_batchin=true'] }] } } } });",
      'app.synth();',
    ].join('\n'));
    const r = synth('node bad.js', 'dist-bad');
    expect(r.stdout).toContain("Deployment 'serving': 'args' (\"--enable_batchin\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
      + 'Fix: check the spelling against `tensorflow_model_server --help`');
    expect(r.status).toBe(2);
  });
});

describe.each(['node10', 'node16', 'bundler'])('under moduleResolution %s', (moduleResolution) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const options: import('typescript').CompilerOptions = {
    node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
    node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
    bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  }[moduleResolution]!;
  test.each([
    ['tfserving-constructs', 'build/index.d.ts'],
    ['tfserving-constructs/pulumi', 'build/pulumi/index.d.ts'],
  ])('%s resolves to its declarations', (specifier, declarations) => {
    const resolved = ts.resolveModuleName(specifier, path.join(app, 'main.ts'), options, ts.sys).resolvedModule;
    expect(resolved && path.relative(path.join(app, 'node_modules', 'tfserving-constructs'), fs.realpathSync(resolved.resolvedFileName))).toBe(declarations);
  });
});

test('without the optional Pulumi peers, the main entry point loads and the Pulumi one says what to install', () => {
  const pulumi = path.join(app, 'node_modules', '@pulumi');
  fs.renameSync(pulumi, `${pulumi}-hidden`);
  try {
    expect(run(process.execPath, ['-e', 'console.log(Object.keys(require("tfserving-constructs")).includes("TfServingModel"))'], app).trim()).toBe('true');
    const r = spawnSync(process.execPath, ['-e', 'require("tfserving-constructs/pulumi")'], { cwd: app, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: tfserving-constructs/pulumi needs the optional peer dependencies @pulumi/pulumi, @pulumi/gcp and '
      + '@pulumi/kubernetes; missing: @pulumi/pulumi, @pulumi/gcp, @pulumi/kubernetes. Fix: npm install @pulumi/pulumi @pulumi/gcp @pulumi/kubernetes');
  } finally {
    fs.renameSync(`${pulumi}-hidden`, pulumi);
  }
});
