import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Chart, Duration, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GcsAccess, ModelSource, ServingApp, TfServingModel } from '../../lib';

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-app-test-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const filesUnder = (dir: string): string[] => (fs.existsSync(dir)
  ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort()
  : []);

/** Two good charts, then (with `bad`) a third whose Deployment fails while it renders, after validation passed. */
function build<A extends App>(make: (props: AppProps) => A, outdir: string, bad: boolean, props: AppProps = {}): A {
  const app = make({ outdir, ...props });
  for (const name of ['first', 'second']) {
    new TfServingModel(new Chart(app, name, { namespace: `ml-${name}` }), 'resnet', {
      models: [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }],
      gcsAccess: GcsAccess.nodeServiceAccount(),
    });
  }
  if (bad) {
    // cdk8s-plus converts the grace period to whole seconds only when the pod spec renders (issue 19, class 2).
    new kplus.Deployment(new Chart(app, 'third'), 'web', {
      containers: [{ image: 'nginx:1.27', portNumber: 8080 }],
      terminationGracePeriod: Duration.millis(1500),
    });
  }
  return app;
}
const RENDER_ERROR = "'1500 millis' cannot be converted into a whole number of seconds";

test('an app whose last chart fails while rendering writes nothing: the output folder holds no YAML', () => {
  // GIVEN
  const outdir = path.join(tmp(), 'dist');
  const app = build((p) => new ServingApp(p), outdir, true);
  // WHEN / THEN
  expect(() => app.synth()).toThrow(RENDER_ERROR);
  expect(filesUnder(outdir)).toEqual([]);
});

test('cdk8s\'s App writes the charts before the failing one (what ServingApp prevents)', () => {
  const outdir = path.join(tmp(), 'dist');
  const app = build((p) => new App(p), outdir, true);
  expect(() => app.synth()).toThrow(RENDER_ERROR);
  expect(filesUnder(outdir)).toEqual(['first.k8s.yaml', 'second.k8s.yaml']);
});

test('a validation error writes nothing either, and files already in the output folder are left as they were', () => {
  const outdir = tmp();
  fs.writeFileSync(path.join(outdir, 'first.k8s.yaml'), 'old\n');
  const app = build((p) => new ServingApp(p), outdir, false);
  new Chart(app, 'third').node.addValidation({ validate: () => ['always invalid'] });
  expect(() => app.synth()).toThrow('Validation failed with the following errors:\n  [third] always invalid');
  expect(filesUnder(outdir)).toEqual(['first.k8s.yaml']);
  expect(fs.readFileSync(path.join(outdir, 'first.k8s.yaml'), 'utf8')).toBe('old\n');
});

test.each([
  ['one file per chart (the default)', YamlOutputType.FILE_PER_CHART],
  ['one folder per chart, one file per resource', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
  ['one file per app', YamlOutputType.FILE_PER_APP],
])('when every chart renders, the output is byte-identical to App\'s: %s', (_, yamlOutputType) => {
  const ours = path.join(tmp(), 'dist');
  const theirs = path.join(tmp(), 'dist');
  build((p) => new ServingApp(p), ours, false, { yamlOutputType }).synth();
  build((p) => new App(p), theirs, false, { yamlOutputType }).synth();
  const files = filesUnder(theirs);
  expect(files.length).toBeGreaterThan(0);
  expect(filesUnder(ours)).toEqual(files);
  for (const f of files) expect(fs.readFileSync(path.join(ours, f), 'utf8')).toBe(fs.readFileSync(path.join(theirs, f), 'utf8'));
});

test('ServingApp is what every example app uses, so `cdk8s synth` of an example writes all or nothing', () => {
  const examples = path.join(__dirname, '..', '..', 'examples');
  const mains = fs.readdirSync(examples).filter((d) => fs.existsSync(path.join(examples, d, 'cdk8s.yaml'))).map((d) => path.join(examples, d, 'main.ts'));
  expect(mains.length).toBeGreaterThan(0);
  for (const main of mains) expect([main, /new ServingApp\(/.test(fs.readFileSync(main, 'utf8'))]).toEqual([main, true]);
});
