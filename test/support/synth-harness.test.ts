/**
 * The harness itself (test/support/synth.ts): a chart that fails synthesis after its test fails the test unless the
 * test saw that failure; schema violations always throw.
 */
import { ApiObject, App, Chart, Lazy, Testing } from 'cdk8s';
import { checkCreatedApps, failuresSeen, synth } from './synth';
import { validationErrors } from './validate';

const BROKEN = 'ConfigMap data could not be rendered';

/** An app outside Testing.app(), so that the harness's afterEach does not check it; its chart fails to render. */
function brokenApp(): { app: App; chart: Chart } {
  const app = new App();
  const chart = new Chart(app, 'broken');
  new ApiObject(chart, 'cm', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' },
    data: Lazy.any({ produce: () => { throw new Error(BROKEN); } }),
  });
  return { app, chart };
}
const failure = `Failed serializing construct at path 'broken/cm' with name 'cm': Error: ${BROKEN}`;

test('a chart that fails synthesis after the test, with an error the test never saw, is reported', () => {
  const { app } = brokenApp();
  expect(checkCreatedApps([app], new Map())).toEqual([
    `chart 'broken' failed synthesis after the test, which never saw this failure (assert it with expect(() => synth(chart)).toThrow(message), or fix the chart): ${failure}`,
  ]);
});

test('a failure the test saw is accepted; another failure of the same app is not', () => {
  const { app } = brokenApp();
  expect(checkCreatedApps([app], new Map([[app, new Set([failure])]]))).toEqual([]);
  expect(checkCreatedApps([app], new Map([[app, new Set(['some other error'])]]))).toHaveLength(1);
});

test('asserting the failure with expect(() => synth(chart)).toThrow records it for the app', () => {
  const { app, chart } = brokenApp();
  expect(failuresSeen(app)).toEqual([]);
  expect(() => synth(chart)).toThrow(failure);
  expect(failuresSeen(app)).toEqual([failure]);
  expect(() => app.synthYaml()).toThrow(failure);
  expect(failuresSeen(app)).toEqual([failure]);
});

test('a chart that synthesizes but breaks the schema throws (never swallowed)', () => {
  const app = new App();
  const chart = new Chart(app, 'invalid');
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 1 } });
  expect(() => checkCreatedApps([app], new Map())).toThrow(/ConfigMap/);
});

test('a chart built in Testing.app() that synthesizes is checked after the test without complaint', () => {
  const chart = Testing.chart();
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } });
  expect(synth(chart)).toHaveLength(1);
});

test('an image volume (newer than the client-node field lists) validates, and an unknown field inside it does not', () => {
  const pod = (image: Record<string, string>) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], volumes: [{ name: 'm', image }] },
  });
  expect(validationErrors(pod({ reference: 'registry.example/m:v1', pullPolicy: 'IfNotPresent' }))).toEqual([]);
  expect(validationErrors(pod({ reference: 'registry.example/m:v1', digest: 'x' }))).toEqual([
    'Pod/p.spec.volumes[0].image.digest: unknown field (not in V1Volume.image)',
  ]);
});
