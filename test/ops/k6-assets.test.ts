/**
 * The load test's static files (lib/ops/k6) are read at synth from the module's own folder. Under ts-jest and tsx
 * that is lib/ops/k6 (load-test.test.ts and the load-test example cover it); once compiled it is build/ops/k6, which
 * exists only because the compile task copies it. This test emits lib/ into a temporary build/ with the TypeScript
 * compiler, runs the compile task's steps after `tsc` from .projen/tasks.json there, and synthesizes a LoadTest from
 * the compiled entry point in a fresh node process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

function emit(fromDir: string, toDir: string, options: ts.CompilerOptions): void {
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    if (entry.isDirectory()) {
      emit(from, path.join(toDir, entry.name), options);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const out = ts.transpileModule(fs.readFileSync(from, 'utf8'), { compilerOptions: options, fileName: from }).outputText;
      fs.mkdirSync(toDir, { recursive: true });
      fs.writeFileSync(path.join(toDir, entry.name.replace(/\.ts$/, '.js')), out);
    }
  }
}

test('a compiled build finds the k6 script and proto: the compile task copies lib/ops/k6 next to build/ops/load-test.js', () => {
  // GIVEN lib/ compiled the way tsconfig.json compiles it, into a temporary project root
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfs-build-'));
  try {
    const { options } = ts.convertCompilerOptionsFromJson(JSON.parse(
      fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8').replace(/^\/\/.*$/m, '')).compilerOptions, ROOT);
    emit(path.join(ROOT, 'lib'), path.join(root, 'build'), options);
    fs.symlinkSync(path.join(ROOT, 'lib'), path.join(root, 'lib'), 'dir');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');

    // WHEN the compile task's steps after tsc run there
    const compile = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks.compile;
    const after = compile.steps.filter((s: any) => s.exec);
    expect(after.length).toBeGreaterThan(0);
    for (const step of after) {
      const r = spawnSync(step.exec, { cwd: root, shell: true, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }

    // THEN a LoadTest synthesized from build/index.js carries the files of lib/ops/k6, byte for byte
    const program = `
      const { Testing } = require('cdk8s');
      const lib = require('./build/index.js');
      const chart = Testing.chart();
      const server = new lib.TfServingModel(chart, 'resnet', {
        models: [{ name: 'resnet', source: lib.ModelSource.gcs('gs://acme-models/resnet') }],
        gcsAccess: lib.GcsAccess.nodeServiceAccount(),
      });
      new lib.LoadTest(chart, 'load', {
        target: server,
        payload: lib.LoadTestPayload.tensor({ input: 'x', dtype: lib.TensorDType.FLOAT, shape: [1], values: [1] }),
      });
      const cm = Testing.synth(chart).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'load-k6');
      process.stdout.write(JSON.stringify({ script: cm.data['script.js'], proto: cm.data['predict.proto'] }));
    `;
    const r = spawnSync(process.execPath, ['-e', program], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.script).toBe(fs.readFileSync(path.join(ROOT, 'lib/ops/k6/load-test.js'), 'utf8'));
    expect(out.proto).toBe(fs.readFileSync(path.join(ROOT, 'lib/ops/k6/predict.proto'), 'utf8'));
    expect(fs.existsSync(path.join(root, 'build/ops/k6/load-test.js'))).toBe(true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
