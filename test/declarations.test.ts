/**
 * The published declarations type-check on their own: `stripInternal` removes every `@internal` symbol from the
 * .d.ts files, so a public declaration that names one breaks every consumer compiling without `skipLibCheck`
 * (issue 12 item 1: `gpu-node-pool.d.ts` imported `_GpuResolution`). Emits the declarations in memory with the
 * build's own options and type-checks them with `skipLibCheck: false`.
 */
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

test('the .d.ts files stripInternal emits reference no removed @internal symbol', () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const outDir = path.join(ROOT, '.declarations-check');
  const emitted = new Map<string, string>();
  const program = ts.createProgram(config.fileNames, {
    ...config.options, outDir, declaration: true, emitDeclarationOnly: true, stripInternal: true,
  });
  program.emit(undefined, (file, text) => emitted.set(path.resolve(file), text));
  expect(emitted.size).toBeGreaterThan(50);

  // a host that reads the emitted declarations from memory and everything else (node_modules) from disk
  // `types: ['node']` as in a `cdk8s init typescript-app` project, which has @types/node (the TFRecord and capture
  // APIs hand out Buffers).
  const options: ts.CompilerOptions = { strict: true, skipLibCheck: false, noEmit: true, types: ['node'], module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => emitted.get(path.resolve(f)) ?? readFile(f);
  host.fileExists = (f) => emitted.has(path.resolve(f)) || fileExists(f);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (d) => path.resolve(d).startsWith(outDir) || (directoryExists ? directoryExists(d) : true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v) => {
    const text = emitted.get(path.resolve(f));
    return text !== undefined ? ts.createSourceFile(f, text, v) : getSourceFile(f, v);
  };
  const index = path.join(outDir, 'index.d.ts');
  const check = ts.createProgram([...emitted.keys()].filter((f) => f.startsWith(outDir) && !f.includes(`${path.sep}pulumi${path.sep}`)).concat(index), options, host);
  const problems = ts.getPreEmitDiagnostics(check)
    .filter((d) => d.file === undefined || emitted.has(path.resolve(d.file.fileName)))
    .map((d) => `${d.file ? path.relative(outDir, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(problems).toEqual([]);
}, 180_000);
