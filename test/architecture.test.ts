/**
 * The folder tree is the architecture (docs/ARCHITECTURE.md): each domain imports only the domains below it, and no
 * two modules import each other, directly or through others.
 */
import * as fs from 'fs';
import * as path from 'path';

const LIB = path.join(__dirname, '..', 'lib');

/** Which domains each domain may import (besides itself). `imports` is generated code, `private` shared helpers. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  tfserving: ['core'],
  private: ['core'],
  serving: ['core', 'tfserving', 'private', 'imports'],
  gke: ['core', 'serving', 'private', 'imports'],
  mesh: ['core', 'tfserving', 'serving', 'private', 'imports'],
  gateway: ['core', 'serving', 'private', 'imports'],
  ops: ['core', 'tfserving', 'serving', 'mesh', 'private', 'imports'],
  pulumi: ['core', 'gke'],
  validation: ['core', 'tfserving'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Relative imports of a module, resolved to files. With `runtimeOnly`, `import type` is left out: it is erased at
 * compile time, so a type-only back reference (a NodePool naming its GkeCluster's type, while GkeCluster.addNodePool
 * creates NodePools) is no load-order cycle. Domain rules count type imports too.
 */
function importsOf(file: string, runtimeOnly = false): string[] {
  const text = fs.readFileSync(file, 'utf8')
    // The k6 script embedded in a template literal imports k6 modules; only the module's own imports count.
    .replace(/`[^`]*`/gs, '``');
  const specs = [...text.matchAll(/^(import|export)( type)?[^;]*?from\s+'(\.[^']*)';/gms)]
    .filter((m) => !(runtimeOnly && m[2]))
    .map((m) => m[3]);
  return specs.map((s) => {
    const base = path.resolve(path.dirname(file), s);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
    throw new Error(`${path.relative(LIB, file)} imports '${s}', which does not resolve`);
  });
}

const domainOf = (file: string) => path.relative(LIB, file).split(path.sep)[0];
const files = sources(LIB).filter((f) => path.dirname(f) !== LIB);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const runtimeGraph = new Map(files.map((f) => [f, importsOf(f, true)]));

test('every folder of lib/ has a rule, and each domain imports only the domains it may', () => {
  const violations: string[] = [];
  for (const [file, deps] of graph) {
    const from = domainOf(file);
    expect(Object.keys(ALLOWED).concat('imports')).toContain(from);
    for (const dep of deps) {
      const to = domainOf(dep);
      if (to !== from && !ALLOWED[from].includes(to)) violations.push(`${path.relative(LIB, file)} → ${path.relative(LIB, dep)}`);
    }
  }
  expect(violations).toEqual([]);
});

test('no import cycle between modules at load time', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(LIB, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const dep of runtimeGraph.get(file) ?? []) visit(dep, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of runtimeGraph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});

test('the graph is not empty (the import scanner finds imports)', () => {
  const edges = [...graph.values()].reduce((n, deps) => n + deps.length, 0);
  expect(graph.size).toBeGreaterThan(40);
  expect(edges).toBeGreaterThan(100);
});

test('lib/pulumi consumes pure specs: at run time it loads from lib/gke only the resolver and pure modules, no construct class', () => {
  // the construct modules (GkeCluster, NodePool, WorkloadIdentity …) may be named in types; findGkeInfrastructure
  // reads the tree for the Pulumi layer and hands it plain specs.
  const allowed = ['gke/gke-infrastructure.ts', 'gke/iam-roles.ts'];
  const used = [...runtimeGraph].filter(([f]) => domainOf(f) === 'pulumi')
    .flatMap(([, deps]) => deps.filter((d) => domainOf(d) === 'gke').map((d) => path.relative(LIB, d).split(path.sep).join('/')));
  expect(used.length).toBeGreaterThan(0);
  expect([...new Set(used)].filter((d) => !allowed.includes(d))).toEqual([]);
});
