import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

const checked = new WeakSet<Chart>();

/**
 * Adds, once per chart, a validation that no two objects share kind, namespace and name: the second would
 * silently overwrite the first on apply (and a Job's immutable template would make the apply fail).
 */
export function ensureUniqueObjectNames(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (checked.has(chart)) return;
  checked.add(chart);
  chart.node.addValidation({
    validate: () => {
      const seen = new Map<string, string>();
      const errors: string[] = [];
      for (const c of chart.node.findAll()) {
        if (!(c instanceof ApiObject)) continue;
        const key = `${c.apiVersion.split('/')[0]}/${c.kind}/${c.metadata.namespace ?? chart.namespace ?? 'default'}/${c.name}`;
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push(`Chart '${chart.node.id}': 'metadata.name' ("${c.name}") must be unique per kind and namespace, but ${c.kind} objects ${first} and ${c.node.path} `
            + 'share it (the second would overwrite the first on apply). Fix: give one of the constructs another name (its \'name\' prop or id)');
        } else {
          seen.set(key, c.node.path);
        }
      }
      return errors;
    },
  });
}
