import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { show } from '../core/errors';

const checked = new WeakSet<Chart>();
const appChecked = new WeakSet<IConstruct>();
const claims = new WeakMap<IConstruct, Array<{ readonly claim: NameClaim; readonly path: string }>>();

/**
 * A name that must be unique in the whole app because it names one thing in a cloud (a GKE cluster, a node pool, a
 * Google service account): two declarations with it would manage the same resource and overwrite each other.
 */
export interface NameClaim {
  /** What the name identifies, with its scope, as the key of the uniqueness check, e.g. `GKE cluster acme-ml/us-central1/serving`. */
  readonly key: string;
  /** Who declares it, e.g. `GkeCluster 'serving'`. */
  readonly subject: string;
  /** The prop that carries the name, e.g. `name`. */
  readonly prop: string;
  /** The name. */
  readonly value: string;
  /** Completes "must be unique …", e.g. `per project and location`. */
  readonly scope: string;
  /** What goes wrong with two, e.g. `both would manage one GKE cluster`. */
  readonly consequence: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Adds, once per chart, a validation that no two objects share kind, namespace and name: the second would
 * silently overwrite the first on apply (and a Job's immutable template would make the apply fail). Also adds the
 * app-wide check of {@link ensureUniqueAcrossApp}.
 */
export function ensureUniqueObjectNames(scope: IConstruct): void {
  ensureUniqueAcrossApp(scope);
  const chart = Chart.of(scope);
  if (checked.has(chart)) return;
  checked.add(chart);
  chart.node.addValidation({
    validate: () => {
      // Runs at every synth over every object of the chart: paths (string joins up the tree) only for an error.
      const seen = new Map<string, ApiObject>();
      const errors: string[] = [];
      forEachApiObject(chart, chart, (c) => {
        const key = objectKey(c, chart);
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push(`Chart '${chart.node.id}': 'metadata.name' ("${c.name}") must be unique per kind and namespace, but ${c.kind} objects ${first.node.path} and ${c.node.path} `
            + 'share it (the second would overwrite the first on apply). Fix: give one of the constructs another name (its \'name\' prop or id)');
        } else {
          seen.set(key, c);
        }
      });
      return errors;
    },
  });
}

/**
 * Registers a cloud name that must be unique in the app (see {@link NameClaim}); the app's validation reports the
 * second declaration of a key.
 */
export function claimUniqueName(scope: IConstruct, claim: NameClaim): void {
  ensureUniqueAcrossApp(scope);
  const root = scope.node.root;
  claims.set(root, [...(claims.get(root) ?? []), { claim, path: scope.node.path }]);
}

/**
 * Adds, once per app, a validation that runs at synth over every chart: objects of different charts that share
 * kind, namespace and name (applying the charts, the second overwrites the first), and cloud names claimed twice
 * ({@link claimUniqueName}).
 */
export function ensureUniqueAcrossApp(scope: IConstruct): void {
  const root = scope.node.root;
  if (appChecked.has(root)) return;
  appChecked.add(root);
  root.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      const seen = new Map<string, { readonly obj: ApiObject; readonly chart: Chart }>();
      forEachApiObject(root, undefined, (c, chart) => {
        const key = objectKey(c, chart);
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, { obj: c, chart });
        } else if (first.chart !== chart) {
          errors.push(`App: 'metadata.name' (${show(c.name)}) must be unique per kind and namespace across the app's charts, but ${c.kind} objects `
            + `${first.obj.node.path} (chart '${first.chart.node.id}') and ${c.node.path} (chart '${chart.node.id}') share it (applying both charts, `
            + 'the second overwrites the first). Fix: give one of the constructs another name (its \'name\' prop or id), or give the charts different namespaces');
        }
      });
      const firstClaims = new Map<string, { readonly claim: NameClaim; readonly path: string }>();
      for (const entry of claims.get(root) ?? []) {
        const { claim } = entry;
        const first = firstClaims.get(claim.key);
        if (first === undefined) {
          firstClaims.set(claim.key, entry);
          continue;
        }
        errors.push(`${claim.subject}: '${claim.prop}' (${show(claim.value)}) must be unique ${claim.scope}, but ${first.claim.subject} at `
          + `'${first.path}' declares it too (${claim.consequence}). Fix: ${claim.fix}`);
      }
      return errors;
    },
  });
}

function objectKey(c: ApiObject, chart: Chart): string {
  const slash = c.apiVersion.indexOf('/');
  const group = slash < 0 ? c.apiVersion : c.apiVersion.slice(0, slash);
  return `${group}/${c.kind}/${c.metadata.namespace ?? chart.namespace ?? 'default'}/${c.name}`;
}

/**
 * Calls `fn` for every ApiObject under `scope` (itself included), in the pre-order of `node.findAll()`, with its
 * closest chart (`Chart.of`), tracked on the way down instead of walked up from every object.
 */
function forEachApiObject(scope: IConstruct, chart: Chart | undefined, fn: (obj: ApiObject, chart: Chart) => void): void {
  const closest = Chart.isChart(scope) ? scope : chart;
  if (ApiObject.isApiObject(scope)) fn(scope, closest ?? Chart.of(scope));
  for (const child of scope.node.children) forEachApiObject(child, closest, fn);
}
