/**
 * examples/gke-pulumi is compiled by Pulumi with its own tsconfig.json. TypeScript 6 refuses `moduleResolution: node`
 * (node10: error TS5107, "deprecated and will stop functioning in TypeScript 7.0") and TypeScript 7 drops it, so the
 * example uses node16; its imports must resolve under the settings it declares.
 */
import * as path from 'path';
import * as ts from 'typescript';

const dir = path.resolve(__dirname, '..', '..', 'examples', 'gke-pulumi');

test('the gke-pulumi tsconfig uses a module resolution TypeScript 6 and 7 keep, and the program\'s imports resolve under it', () => {
  const file = path.join(dir, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, dir);
  expect(parsed.errors).toEqual([]);
  expect([ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext, ts.ModuleResolutionKind.Bundler])
    .toContain(parsed.options.moduleResolution);
  expect(parsed.fileNames).toEqual([path.join(dir, 'index.ts')]);
  const program = path.join(dir, 'index.ts');
  const imports = [...ts.sys.readFile(program)!.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  expect(imports).toEqual(expect.arrayContaining(['@pulumi/pulumi', 'cdk8s', '../../lib/pulumi', '../gke-gpu/chart']));
  const unresolved = imports.filter((spec) => !ts.resolveModuleName(spec, program, parsed.options, ts.sys).resolvedModule);
  expect(unresolved).toEqual([]);
});
