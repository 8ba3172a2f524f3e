import { ApiObject, JsonPatch } from 'cdk8s';
import { fail } from '../core/errors';

/** Options of {@link addCheckedPatch}. */
export interface CheckedPatchOptions {
  /**
   * Where the patched value appears in the synthesized object, when that differs from the patch path.
   *
   * A patch on a typed object (`KubeDeployment`) applies to the typed props, before the typed serializer
   * (`toJson_KubeDeploymentProps` in cdk8s-plus-27's imports/k8s.js) copies the fields it knows under their API
   * names: the patch path `/spec/template/spec/hostIpc` comes out as `/spec/template/spec/hostIPC`.
   *
   * @default - the patch path
   */
  readonly renderedPath?: string;
}

const CHECKS = Symbol.for('tfserving-constructs.checkedPatches');

interface Check { readonly patchPath: string; readonly renderedPath: string }

interface RenderedPatch { readonly path: string; readonly value: () => unknown }

const RENDERED = Symbol.for('tfserving-constructs.renderedPatches');

/**
 * Adds a JSON `add` patch to `obj` and checks, each time the object is synthesized, that the patched path exists
 * in its output.
 *
 * A patch on a typed object goes through its typed serializer, which keeps only the fields it knows: a patch at a
 * path the serializer does not know (`hostIPC` where the typed props say `hostIpc`) vanishes without an error
 * (cdk8s-team/cdk8s-core#2571). The check turns that into a synth-time error. It wraps the object's own `toJson()`
 * (what `Chart.toJson()` and `App.synth()` call for every object), so it costs one path walk per patch and no second
 * rendering.
 */
export function addCheckedPatch(obj: ApiObject, path: string, value: unknown, options: CheckedPatchOptions = {}): void {
  obj.addJsonPatch(JsonPatch.add(path, value));
  checksOf(obj).push({ patchPath: path, renderedPath: options.renderedPath ?? path });
}

/**
 * Adds a JSON `add` patch applied to the object's *rendered* JSON, after its typed serializer, and checks that the
 * path exists afterwards. For fields the typed serializer of cdk8s-plus-27 (Kubernetes 1.27) does not know at all,
 * such as a Pod's `volumes[].image` (Kubernetes 1.31+): a patch through the typed props would vanish. `value` is
 * called at each rendering, so it may depend on the finished tree.
 */
export function addRenderedPatch(obj: ApiObject, path: string, value: () => unknown): void {
  checksOf(obj);
  const holder = obj as unknown as { [RENDERED]: RenderedPatch[] };
  holder[RENDERED].push({ path, value });
  checksOf(obj).push({ patchPath: path, renderedPath: path });
}

function checksOf(obj: ApiObject): Check[] {
  const holder = obj as unknown as { [CHECKS]?: Check[] };
  const existing = holder[CHECKS];
  if (existing) return existing;
  const checks: Check[] = [];
  const rendered: RenderedPatch[] = [];
  Object.defineProperty(obj, CHECKS, { value: checks });
  Object.defineProperty(obj, RENDERED, { value: rendered });
  const render = obj.toJson.bind(obj);
  Object.defineProperty(obj, 'toJson', {
    configurable: true,
    writable: true,
    value: (): any => {
      const typed = render();
      for (const p of rendered) {
        const parent = p.path.slice(0, p.path.lastIndexOf('/'));
        if (!pathExists(typed, parent)) {
          fail(`${obj.kind} '${obj.name}'`, 'rendered JSON patch', p.path, `have its parent (${parent}) in the rendered object`,
            'patch a path whose parent the object always renders (e.g. /spec/template/spec/volumes/- of a pod with a volume)');
        }
      }
      const json = rendered.length ? JsonPatch.apply(typed, ...rendered.map((p) => JsonPatch.add(p.path, p.value()))) : typed;
      for (const c of checks) {
        if (!pathExists(json, c.renderedPath)) {
          const at = c.renderedPath === c.patchPath ? '' : ` (patched at '${c.patchPath}')`;
          fail(`${obj.kind} '${obj.name}'`, 'JSON patch', c.renderedPath,
            `reach the synthesized object${at}: the typed serializer keeps only the fields it knows, under their API names`,
            'patch the field under its typed-props name (e.g. hostIpc) and pass the API name as renderedPath (e.g. hostIPC)');
        }
      }
      return json;
    },
  });
  return checks;
}

/** Whether an RFC 6901 JSON pointer resolves in `doc` (`-` names the end of a non-empty array). */
export function pathExists(doc: unknown, pointer: string): boolean {
  if (pointer === '') return doc !== undefined;
  let at: any = doc;
  const tokens = pointer.split('/');
  // Runs for every checked patch at every synth (3 to 6 per server): no regex compiled or run per token.
  for (let t = 1; t < tokens.length; t++) {
    const raw = tokens[t];
    const key = raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
    if (Array.isArray(at)) {
      if (key === '-') {
        if (at.length === 0) return false;
        at = at[at.length - 1];
        continue;
      }
      const index = arrayIndex(key);
      if (index < 0 || index >= at.length) return false;
      at = at[index];
    } else if (at !== null && typeof at === 'object' && Object.prototype.hasOwnProperty.call(at, key)) {
      at = at[key];
    } else {
      return false;
    }
  }
  return at !== undefined;
}

/** The array index an RFC 6901 reference token names (`0`, or digits without a leading zero), or -1. */
function arrayIndex(key: string): number {
  if (key.length === 0 || (key.length > 1 && key.charCodeAt(0) === 48)) return -1;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(key);
}
