/**
 * Run in a fresh Node.js process (through tsx) by entry-point.test.ts; prints one JSON line.
 *
/* modules in require.cache, then loads
 *   the Pulumi entry point (lib/pulumi) and reports them again;
 * - `without-pulumi`: makes every `@pulumi/*` module unresolvable (a cdk8s-only install), then loads the main entry
 *   point, synthesizes the GPU example's chart, and reports what loading the Pulumi entry point does.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const Module = require('module');

const mode = process.argv[2];
const pulumiModules = () => Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/]@pulumi[\\/]/.test(k));

if (mode === 'without-pulumi') {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request.startsWith('@pulumi/')) {
      const err: NodeJS.ErrnoException = new Error(`Cannot find module '${request}'`);
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
    return resolve.call(this, request, ...rest);
  };
}

const out: Record<string, unknown> = {};
const lib = require('../../../lib');
out.mainExports = Object.keys(lib).length;
out.pulumiAfterMain = pulumiModules();
if (mode === 'without-pulumi') {
  const { App } = require('cdk8s');
  const { GkeGpuChart } = require('../../../examples/gke-gpu/chart');
  out.synthesized = new GkeGpuChart(new App(), 'gke-gpu').toJson().map((o: any) => o.kind);
  try {
    require('../../../lib/pulumi');
    out.pulumiEntry = 'loaded';
  } catch (e) {
    out.pulumiEntry = (e as NodeJS.ErrnoException).code;
    out.pulumiEntryMessage = (e as Error).message;
  }
} else {
  require('../../../lib/pulumi');
  out.pulumiAfterPulumiEntry = pulumiModules().length;
}
console.log(JSON.stringify(out));
