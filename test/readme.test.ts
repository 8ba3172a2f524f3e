import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

test('the README quick start is examples/quickstart/main.ts (type-checked and synthesized by the test suite)', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const quickStart = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme);
  expect(quickStart).not.toBeNull();
  const example = fs.readFileSync(path.join(root, 'examples/quickstart/main.ts'), 'utf8');
  expect(quickStart![1]).toBe(example.replace("from '../../lib'", "from 'tfserving-constructs'"));
});

test('the README names the two set-up commands', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toContain('npm ci && npm test');
});

/**
 * Every other TypeScript snippet of the README type-checks against the library, with the few names the prose
 * leaves out declared as fixtures (as aws-cdk does for its README snippets).
 */
test('every README snippet type-checks', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).slice(1); // [0] is the quick start, tested above
  expect(blocks.length).toBeGreaterThanOrEqual(8);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const libNames = Object.keys(require('../lib')).filter((n) => /^[A-Za-z_]\w*$/.test(n));
  const fixtures = [
    'declare const chart: Chart;',
    'declare const models: ServedModelOptions[];',
    'declare const gcsAccess: GcsAccess;',
    'declare const source: ModelSource;',
    'declare const batching: BatchingConfig;',
    'declare const server: TfServingModel;',
    'declare const payload: LoadTestPayload;',
    'declare class GkeGpuChart extends Chart { constructor(scope: App, id: string); }',
  ];
  const dir = path.join(root, 'test');
  const files = new Map<string, string>();
  blocks.forEach((block, i) => {
    const own = new Set([...block.matchAll(/import \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim()).filter(Boolean)));
    const pick = (names: string[]) => names.filter((n) => !own.has(n)).join(', ');
    const typeNames = ['ServedModelOptions'];
    const header = [
      `import { ${pick(['App', 'Chart', 'Duration', 'Size'])} } from 'cdk8s';`,
      `import { ${pick(['Cpu'])} } from 'cdk8s-plus-27';`,
      `import { ${pick([...libNames, ...typeNames])} } from '../lib';`,
      ...fixtures.filter((f) => !new RegExp(`\\b(const|class) ${/(?:const|class) (\w+)/.exec(f)![1]}\\b`).test(block)),
      'export {};',
    ].filter((l) => !/import \{ {2}\}/.test(l)).join('\n');
    files.set(path.join(dir, `readme-snippet-${i + 1}.ts`), `${header}\n${block}`);
  });
  const options: import('typescript').CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true,
    baseUrl: root, paths: { 'tfserving-constructs': ['lib'], 'tfserving-constructs/pulumi': ['lib/pulumi'] }, types: ['node'],
    noUnusedLocals: false,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files.get(path.resolve(f)) ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(path.resolve(f)) || exists(f);
  const program = ts.createProgram([...files.keys()], options, host);
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.has(path.resolve(d.file.fileName))).map((d) => {
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${path.basename(d.file!.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(errors).toEqual([]);
}, 120_000);
