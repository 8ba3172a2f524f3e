/**
 * Test harness: every chart a test creates through `Testing.chart()` / `Testing.app()` (or `new Chart`
 * in a `Testing.app()`) is synthesized and schema-validated after the test, so no chart escapes validation.
 * Tests call `synth(chart)` to get the validated objects.
 */
import { App, Chart, Testing } from 'cdk8s';
import { assertValid } from './validate';

/** Synthesizes a chart and validates every object; returns the objects. */
export function synth(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  assertValid(objects);
  return objects;
}

/** The one object of `kind` (and `name`, when given); throws when there is not exactly one. */
export function only(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` '${name}'` : ''}, found ${found.length}`);
  return found[0];
}

/** The first container of a workload's pod template. */
export function containerOf(objects: any[], kind: string = 'Deployment'): any {
  return only(objects, kind).spec.template.spec.containers[0];
}

/** `--flag=value` args of a container as an object. */
export function flagsOf(container: any): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const a of container.args ?? []) {
    const m = /^--([a-z0-9_]+)=(.*)$/.exec(a);
    if (m) flags[m[1]] = m[2];
  }
  return flags;
}

const apps: App[] = [];
const testingApp = Testing.app.bind(Testing);
Testing.app = (props?: any) => {
  const app = testingApp(props);
  apps.push(app);
  return app;
};

afterEach(() => {
  const created = apps.splice(0, apps.length);
  for (const app of created) {
    for (const chart of app.charts) {
      let objects: any[];
      try {
        objects = Testing.synth(chart);
      } catch {
        continue; // a test of a rule built this chart to fail synthesis; it asserted the message itself
      }
      assertValid(objects);
    }
  }
});
