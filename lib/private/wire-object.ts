import { ApiObject, Lazy } from 'cdk8s';

/**
 * Renders a generated import object (`KubeNetworkPolicy`, `KubeConfigMap`, `ServiceMonitor` …) without its typed
 * serializer: its props must already be the object's API JSON (API field names, IntOrString and Quantity values as
 * plain numbers or strings). The object keeps its class, so the public field that holds it keeps its type.
 *
 * Why: a generated class's `toJson()` resolves the props (`ApiObject.toJson()`) and then copies them once more
 * through `toJson_<Kind>Props`, which rebuilds every nested object with an object spread per field (cdk8s-plus-27's
 * imports/k8s.js, the `reduce` at the end of each `toJson_*`). On props that are already API JSON that pass
 * changes nothing but costs about a tenth of a server's synthesis (bench/README.md, "Where the time goes"). What is
 * left is `ApiObject.toJson()`: the same resolution (Lazy values, resolvers), sorted keys and JSON patches. A JSON
 * patch on such an object therefore applies to the API JSON (API names, plain values), not to typed props.
 */
export function renderAsWire<T extends ApiObject>(obj: T): T {
  Object.defineProperty(obj, 'toJson', { configurable: true, writable: true, value: wireToJson });
  return obj;
}

function wireToJson(this: ApiObject): any {
  return ApiObject.prototype.toJson.call(this);
}

/**
 * A value computed at synth time that is already API JSON, in a slot typed for the generated class's props: for
 * objects rendered with {@link renderAsWire} only (their typed serializer, which would read IntOrString and
 * Quantity wrappers, does not run).
 */
export function lazyWire<T>(produce: () => unknown): T {
  return Lazy.any({ produce }) as unknown as T;
}

/** API JSON in a slot typed for the generated class's props (see {@link lazyWire}). */
export function wire<T>(json: unknown): T {
  return json as T;
}
