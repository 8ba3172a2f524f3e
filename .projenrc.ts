import * as fs from 'fs';
import { javascript, typescript } from 'projen';

/** The Kubernetes minor the cdk8s+ library targets; one place to change it (STYLE.md, "What to avoid" 14). */
const CDK8S_PLUS = 'cdk8s-plus-27';

const project = new typescript.TypeScriptProject({
  name: 'tfserving-constructs',
  description: 'cdk8s constructs that put TensorFlow Serving on Kubernetes and GKE',
  license: 'Apache-2.0',
  authorName: 'tfserving-constructs developers',
  keywords: [
    'cdk8s', 'cdk8s-plus', 'constructs', 'kubernetes', 'gke', 'tensorflow', 'tensorflow-serving', 'tfserving', 'istio', 'flagger', 'pulumi', 'mlops',
  ],
  // `repository` and `homepage`: not set until the project has a public repository URL (none is configured).
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.9',
  // Our sources live in lib/; compiled output goes to build/ (dist/ is cdk8s's manifest folder).
  srcdir: 'lib',
  libdir: 'build',
  testdir: 'test',
  entrypoint: 'build/index.js',
  entrypointTypes: 'build/index.d.ts',
  tsconfigDevFile: 'tsconfig.dev.json',
  sampleCode: false,
  // ESLint with projen's rules, the cdk8s-plus set: 2-space indent, single quotes, trailing commas, max-len 150,
  // sorted imports, member ordering. `npm test` runs it without --fix, so a violation fails CI.
  eslint: true,
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'bench', 'examples', 'scripts'],
    fileExtensions: ['.ts', '.js'],
    ignorePatterns: ['*.d.ts', 'node_modules/', 'coverage/', 'build/', 'lib/imports/', 'examples/**/dist/', '*.js', '!lib/ops/k6/*.js'],
    commandOptions: { fix: false },
    // Type information from the dev tsconfig, which covers lib, test, bench, examples, scripts and .projenrc.ts.
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },
  github: false,
  // Semantic versions and a changelog from projen's release support, run locally (no GitHub workflows, which would
  // need the network): `npx projen release` bumps from the conventional commits since the last tag (0.x until 1.0),
  // writes dist-package/changelog.md and version.txt, builds and packs into dist-package/js. Not published to npm.
  release: true,
  releaseToNpm: false,
  majorVersion: 0,
  // dist/ is cdk8s's manifest folder; release artifacts go elsewhere.
  artifactsDirectory: 'dist-package',
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  // `files` in package.json lists what the tarball ships; no .npmignore next to it.
  npmignoreEnabled: false,
  // Pulumi packages are optional peers: a cdk8s-only user installs none of them (see peerDependenciesMeta).
  peerDeps: ['cdk8s@^2.70.0', `${CDK8S_PLUS}@^2.9.0`, 'constructs@^10.4.0', '@pulumi/pulumi@^3.142.0', '@pulumi/gcp@>=8.0.0', '@pulumi/kubernetes@^4.18.0'],
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    'cdk8s@^2.70.0',
    `${CDK8S_PLUS}@^2.9.0`,
    'constructs@^10.4.0',
    // @pulumi/pulumi 3.248 is the last release for Node 20 (later ones need Node 22).
    '@pulumi/pulumi@~3.248.0',
    '@pulumi/gcp@^9.37.0',
    '@pulumi/kubernetes@^4.34.2',
    'cdk8s-cli@^2.200.0',
    // Schema validation of every synthesized object (Node 20 compatible versions).
    'kubernetes-models@4.5.1',
    '@kubernetes-models/gke@4.6.2',
    '@kubernetes-models/prometheus-operator@4.4.4',
    // Field lists of every Kubernetes kind (attributeTypeMap), to catch unknown fields that schema validation lets pass.
    '@kubernetes/client-node@0.22.3',
    'ajv@^8.17.1',
    'yaml@^2.8.0',
    'tsx@^4.20.0',
    // Parses every PromQL expression the dashboards, alerts and autoscalers emit (Prometheus's own grammar).
    '@prometheus-io/lezer-promql@^0.315.0',
    '@lezer/lr@^1.4.0',
    '@lezer/highlight@^1.2.0',
    // The API reference (docs/api) from the doc comments; pinned, so that the generated text only changes with the code.
    'typedoc@0.28.20',
    'typedoc-plugin-markdown@4.14.1',
  ],
  // The capture converter (`npx tfserving-constructs capture-to-tfrecord`) writes PredictionLog protos at run time;
  // the load test's predict.proto is parsed with it in tests too.
  deps: ['protobufjs@^7.4.0'],
  bin: { 'tfserving-constructs': 'build/cli.js' },
  jestOptions: {
    // Snapshots are committed; a mismatch fails the run instead of rewriting the snapshot.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    junitReporting: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      maxWorkers: 2,
      // A worker leaves by itself once its event loop is empty, then Node tears down its heap (400-900 MB here, with
      // coverage). On a loaded 2-core machine that teardown alone took 0.4-2.3 s (measured: 'exit' fired 1 ms after
      // jest's end message, no open handle left), past jest's 500 ms default, and jest printed "A worker process has
      // failed to exit gracefully". A leaking worker is still force-exited, and the warning printed, after this time.
      workerGracefulExitTimeout: 10_000,
      // Every chart a test creates is synthesized and schema-validated after the test.
      setupFilesAfterEnv: ['<rootDir>/test/support/synth.ts'],
      // `npm test` measures coverage of lib/ (generated imports aside) and fails below these floors, set a little
      // under the numbers measured (97.3 % statements and lines, 86.7 % functions when introduced; 93.75 % branches
      // after the capture, autoscaling and load-test work landed). A focused `npx jest test/x` run collects none.
      collectCoverage: false,
      collectCoverageFrom: ['lib/**/*.ts', '!lib/imports/**'],
      coverageReporters: ['text-summary'],
      coverageThreshold: { statements: 96, lines: 96, branches: 93, functions: 85 },
    },
    extraCliOptions: ['--coverage'],
    coverageText: false,
  },
  tsJestOptions: {
    transformOptions: { isolatedModules: true },
  },
  tsconfig: {
    // The shipped JavaScript carries no inline source maps or sources (they were three quarters of its bytes).
    compilerOptions: { strict: true, skipLibCheck: true, lib: ['es2022'], target: 'ES2022', inlineSourceMap: false, inlineSources: false },
  },
  tsconfigDev: {
    compilerOptions: { strict: true, skipLibCheck: true, lib: ['es2022'], target: 'ES2022' },
    include: ['lib/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    exclude: ['examples/**/dist'],
  },
  gitignore: ['dist/', 'examples/**/dist/', '/build/', '.bench/'],
});

// This codebase packs short objects onto one line ({ name: 'grpc', port: 8500,\n protocol: ... }); cdk8s-plus's
// one-property-per-line-or-all-on-one rule would reflow ~100 literals for no reader's gain.
project.eslint!.addRules({ '@stylistic/object-property-newline': 'off' });
// Lines hold error messages in the project's format (subject, prop, value, rule, fix) as single strings, so that a
// grep for a message finds it: max-len 150 counts code, not strings, template literals, URLs or regexes.
project.eslint!.addRules({
  '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
});
// CRC-32C, TFRecord framing, the seeded tensor generator and UTF-8/octal escapes are bit arithmetic by definition.
project.eslint!.addOverride({
  files: [
    'lib/tfserving/tfrecord.ts', 'lib/tfserving/text-proto-parser.ts', 'lib/ops/tensor-generator.ts', 'lib/ops/k6/*.js',
    'test/tfserving/tfrecord.test.ts', 'test/ops/capture-records.test.ts',
  ],
  rules: { 'no-bitwise': 'off' },
});

// The k6 script (lib/ops/k6/load-test.js) runs in k6's JavaScript runtime, not Node: plain ES modules without type
// information, the k6/* modules and k6's globals (open, __ENV); https://grafana.com/docs/k6/latest/using-k6/
project.eslint!.addOverride(<javascript.EslintOverride>{
  files: ['lib/ops/k6/*.js'],
  parser: 'espree',
  parserOptions: { ecmaVersion: 2020, sourceType: 'module', project: null },
  env: { node: false, jest: false, es2020: true },
  globals: { open: 'readonly', __ENV: 'readonly' },
  rules: {
    'import/no-unresolved': ['error', { ignore: ['^k6(/|$)'] }],
    // The script's bytes are part of the synthesized ConfigMap: reordering its imports would change every LoadTest.
    'import/order': 'off',
    'import/no-extraneous-dependencies': 'off',
    '@typescript-eslint/no-floating-promises': 'off',
    '@typescript-eslint/return-await': 'off',
  },
});

// jest 30 depends on unrs-resolver, whose newest platform bindings are missing from this registry;
// without the pin `npm ci` fails with "Missing: @unrs/resolver-binding-…" (DESIGN.md, toolchain facts).
project.package.addPackageResolutions('unrs-resolver@1.12.2');

project.package.addField('peerDependenciesMeta', {
  '@pulumi/pulumi': { optional: true },
  '@pulumi/gcp': { optional: true },
  '@pulumi/kubernetes': { optional: true },
});
// Three entry points: the cdk8s constructs; the pure TF Serving renderers and validators; the Pulumi layer (never
// loaded by the main entry point).
project.package.addField('exports', {
  '.': { types: './build/index.d.ts', default: './build/index.js' },
  './tfserving': { types: './build/tfserving/index.d.ts', default: './build/tfserving/index.js' },
  './pulumi': { types: './build/pulumi/index.d.ts', default: './build/pulumi/index.js' },
  './package.json': './package.json',
});
// `moduleResolution: node` (node10: what a `module: commonjs` tsconfig such as `cdk8s init`'s gets) ignores `exports`;
// typesVersions maps the subpaths for it.
project.package.addField('typesVersions', {
  '*': { tfserving: ['build/tfserving/index.d.ts'], pulumi: ['build/pulumi/index.d.ts'] },
});
// What the tarball ships: the compiled library and its declarations, the API reference and the changelog (npm adds
// package.json, README and LICENSE). Not .ci/, bench/, scripts/, examples/ (their imports point at ../../lib) or tarballs.
// build/ holds only what the compile task writes: JavaScript, declarations and the static files it copies next to them.
project.package.addField('files', ['build/', 'docs/api/*.md', 'CHANGELOG.md']);
// `npm pack` and `npm publish` compile first, into a clean build/ (no stale output of deleted sources), through the
// compile task, so that every step it has (tsc, and any copy of static files into build/) runs.
project.package.setScript('prepack', 'node -e "require(\'fs\').rmSync(\'build\',{recursive:true,force:true})" && projen compile');

// Static files next to the sources (the load test's k6 script and predict.proto) are read at synth from the module's
// own folder: copy them into build/ after tsc, which only emits .js/.d.ts (test/ops/k6-assets.test.ts runs this step).
project.compileTask.exec('node -e "require(\'fs\').cpSync(\'lib/ops/k6\', \'build/ops/k6\', { recursive: true })"');

// Type-check tests and examples too (ts-jest runs with isolatedModules for speed).
project.testTask.prependExec('tsc --noEmit -p tsconfig.dev.json');

// `npx projen import`: regenerate lib/imports (cdk8s import) and test/schemas from ../shared/crds.
project.addTask('import', { description: 'Regenerate CRD imports and test schemas from ../shared/crds', exec: 'tsx scripts/import-crds.ts' });

// `npm run synth`: every example app through the real `cdk8s synth` (writes examples/*/dist/*.k8s.yaml).
const synth = project.addTask('synth', { description: 'Synthesize every example app with cdk8s synth' });
const examples = fs.readdirSync('examples').filter((d) => fs.existsSync(`examples/${d}/cdk8s.yaml`)).sort();
for (const example of examples) {
  synth.exec('cdk8s synth --no-check-upgrade', { cwd: `examples/${example}` });
}

// `npx projen docgen`: the API reference in docs/api, from the doc comments of the three entry points (typedoc.json).
// The build regenerates it after compiling; test/package/api-reference.test.ts fails when it is stale.
const docgen = project.addTask('docgen', { description: 'Generate the API reference (docs/api) from the doc comments', exec: 'typedoc' });
project.postCompileTask.spawn(docgen);

// `npm run bench`: synthesis cost against the YAML floor, hand-written cdk8s-plus and kustomize (prints a JSON line last).
// receiveArgs: `npm run bench -- --write-docs` (and --sizes, --reps, …) reach run.ts; without it projen dropped them.
project.addTask('bench', { description: 'Benchmark synthesis of 10, 100 and 1,000 TfServingModels', exec: 'tsx bench/run.ts', receiveArgs: true });

// `npx tfserving-constructs <command>`: one CLI entry with subcommands (lib/cli.ts), e.g. `report` (k6 summaries → HTML).
project.addBins({ 'tfserving-constructs': 'build/cli.js' });

project.synth();
