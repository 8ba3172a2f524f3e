/**
 * Test harness: every chart a test creates through `Testing.chart()` / `Testing.app()` (or `new Chart`
 * in a `Testing.app()`) is synthesized and schema-validated after the test, so no chart escapes validation.
 * Tests call `synth(chart)` to get the validated objects. A chart that fails synthesis after the test fails the
 * test, unless the test saw that same failure itself (its `expect(() => synth(chart)).toThrow(message)`).
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

/**
 * Synthesis errors each app raised while its test ran. A test that builds a chart to fail synthesis asserts the
 * failure itself (`expect(() => synth(chart)).toThrow(exactMessage)`); that call is what declares the failure
 * expected. Recorded at the three ways in: `Chart.toJson()` (what `Testing.synth` and `synth()` call), `App.synth()`
 * and `App.synthYaml()`.
 */
const seen = new Map<App, Set<string>>();
let checking = false;
function recording<A extends any[], R>(original: (this: any, ...args: A) => R, appOf: (self: any) => App) {
  return function (this: any, ...args: A): R {
    try {
      return original.apply(this, args);
    } catch (e) {
      if (!checking) {
        const app = appOf(this);
        if (!seen.has(app)) seen.set(app, new Set());
        seen.get(app)!.add(messageOf(e));
      }
      throw e;
    }
  };
}
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The synthesis errors `app` raised so far in the running test (for the harness's own tests). */
export function failuresSeen(app: App): string[] {
  return [...(seen.get(app) ?? [])];
}
Chart.prototype.toJson = recording(Chart.prototype.toJson, (chart: Chart) => chart.node.root as App);
App.prototype.synth = recording(App.prototype.synth, (app: App) => app);
App.prototype.synthYaml = recording(App.prototype.synthYaml, (app: App) => app);

/**
 * Synthesizes and schema-validates every chart of `created`. A chart whose synthesis fails with an error its test
 * did not see (`seenByApp`) is a failure of the test: its message is returned. Schema violations throw.
 */
export function checkCreatedApps(created: App[], seenByApp: ReadonlyMap<App, ReadonlySet<string>>): string[] {
  const unexpected: string[] = [];
  checking = true;
  try {
    for (const app of created) {
      for (const chart of app.charts) {
        let objects: any[];
        try {
          objects = Testing.synth(chart);
        } catch (e) {
          // cdk8s validates the whole app when one chart synthesizes: a chart next to the failing one fails with the same message.
          if (!seenByApp.get(app)?.has(messageOf(e))) {
            unexpected.push(`chart '${chart.node.path}' failed synthesis after the test, which never saw this failure `
              + `(assert it with expect(() => synth(chart)).toThrow(message), or fix the chart): ${messageOf(e)}`);
          }
          continue;
        }
        assertValid(objects);
      }
    }
  } finally {
    checking = false;
  }
  return unexpected;
}

afterEach(() => {
  const created = apps.splice(0, apps.length);
  const seenByApp = new Map(seen);
  seen.clear();
  const unexpected = checkCreatedApps(created, seenByApp);
  if (unexpected.length) throw new Error(unexpected.join('\n'));
});
