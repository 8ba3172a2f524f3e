/**
 * The cdk8s validation plugin: no finding on what the constructs write; on a manifest someone else wrote (or edited),
 * the message the constructs would have thrown at synth time, and a failed report through cdk8s-cli's own
 * ValidationContext (the object `cdk8s synth` hands to a plugin).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { BatchingConfig, GcsAccess, ModelSource, Scraper, TfServingModel, TfServingValidation, VersionPolicy, checkTfServingObjects } from '../../lib';

const models = [{ name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') }, { name: 'bert', source: ModelSource.gcs('gs://acme-models/bert') }];
const gcsAccess = GcsAccess.workloadIdentity('tf-serving@acme-ml.iam.gserviceaccount.com');

/** The objects of a TfServingModel with batching and monitoring, as JSON. */
function served(): any[] {
  const chart = Testing.chart();
  new TfServingModel(chart, 'resnet', {
    models, gcsAccess, batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(2) }),
    monitoring: { scraper: Scraper.SERVICE_MONITOR },
  });
  return chart.toJson();
}
const deployment = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');
const container = (objects: any[]) => deployment(objects).spec.template.spec.containers[0];

test('what TfServingModel writes has no finding', () => {
  expect(checkTfServingObjects(served())).toEqual([]);
});

test('an unknown flag: the synth-time rule and fix, for the Deployment', () => {
  // GIVEN the message TfServingModel throws at synth time for the same flag
  const chart = Testing.chart();
  expect(() => new TfServingModel(chart, 'resnet', { models, gcsAccess, extraArgs: { enable_batchin: 'true' } })).toThrow(
    "TfServingModel 'resnet': 'extraArgs.enable_batchin' (\"--enable_batchin\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
    + 'Fix: check the spelling against `tensorflow_model_server --help`');
  // WHEN the flag is typed into a manifest
  const objects = served();
  container(objects).args.push('--enable_batchin=true');
  // THEN the plugin reports the same rule and fix
  expect(checkTfServingObjects(objects)).toEqual([{
    rule: 'flags',
    message: "Deployment 'resnet': 'args' (\"--enable_batchin\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
      + 'Fix: check the spelling against `tensorflow_model_server --help`',
    fix: 'check the spelling against `tensorflow_model_server --help`',
    resourceName: 'resnet',
    locations: [`spec.template.spec.containers[0].args[${container(objects).args.length - 1}]`],
  }]);
});

test('start-up rules of the flags: a batching file without --enable_batching', () => {
  const objects = served();
  container(objects).args = container(objects).args.filter((a: string) => a !== '--enable_batching=true');
  expect(checkTfServingObjects(objects).map((f) => f.message)).toEqual([
    "Deployment 'resnet': 'args' (\"--batching_parameters_file=/etc/tfserving/batching.config\") must come with --enable_batching (the server stops at start "
    + "with a batching file and batching off). Fix: configure batching with the 'batching' prop instead of raw flags",
  ]);
});

test('a config file that does not parse, and one that is not in the mounted ConfigMap', () => {
  const objects = served();
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data['models.config']);
  cm.data['models.config'] = cm.data['models.config'].replace('base_path', 'basepath');
  delete cm.data['monitoring.config'];
  expect(checkTfServingObjects(objects).map((f) => f.message)).toEqual([
    "Deployment 'resnet': '--model_config_file' (/etc/tfserving/models.config) must parse as a ModelServerConfig in protobuf text format (TF Serving exits at "
    + "start otherwise; 4:5: Message type \"tensorflow.serving.ModelConfig\" has no field named \"basepath\"). Fix: correct the file in the ConfigMap 'resnet-config'",
    "Deployment 'resnet': '--monitoring_config_file' (/etc/tfserving/monitoring.config) must be a key of the ConfigMap 'resnet-config' mounted at "
    + '/etc/tfserving (TF Serving exits at start when the file is missing). Fix: add the key to the ConfigMap or correct the path',
  ]);
});

test('the content rules of the config files: the synth-time rule and fix', () => {
  // GIVEN the message BatchingConfig throws at synth time
  expect(() => new BatchingConfig({ maxBatchSize: 32, allowedBatchSizes: [8, 16] })).toThrow(
    "BatchingConfig: 'allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: make the last size 32, e.g. [8, 16, 32]");
  // WHEN the same sizes are written into a manifest's batching file, and a model gets a relative base path
  const objects = served();
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data['batching.config']);
  cm.data['batching.config'] += 'allowed_batch_sizes: 8\nallowed_batch_sizes: 16\n';
  cm.data['models.config'] = cm.data['models.config'].replace('gs://acme-models/bert', 'models/bert');
  // THEN the plugin reports the same rules and fixes
  expect(checkTfServingObjects(objects).map((f) => f.message)).toEqual([
    "Deployment 'resnet': 'model_config_file[1].basePath' (\"models/bert\") must be an absolute path or a URI such as gs://bucket/model. "
    + "Fix: use ModelSource.gcs('gs://…'), ModelSource.s3('s3://…'), or an absolute path",
    "Deployment 'resnet': 'batching_parameters_file.allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: make the last size 32, e.g. [8, 16, 32]",
  ]);
});

test('version labels read from the map field: a label on a version the policy does not load', () => {
  const chart = Testing.chart();
  new TfServingModel(chart, 'ranker', {
    models: [{ name: 'ranker', source: ModelSource.gcs('gs://acme-models/ranker'), versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { stable: 1, canary: 2 } }],
    gcsAccess,
  });
  const objects = chart.toJson();
  expect(checkTfServingObjects(objects)).toEqual([]);
  const cm = objects.find((o: any) => o.kind === 'ConfigMap' && o.data['models.config']);
  cm.data['models.config'] = cm.data['models.config'].replace(/value: 2/, 'value: 3');
  // With --allow_version_labels_for_unavailable_models (which TfServingModel emits with labels) the label is accepted at
  // start; without it the server refuses the label for an unloaded version.
  expect(checkTfServingObjects(objects)).toEqual([]);
  const c = objects.find((o: any) => o.kind === 'Deployment').spec.template.spec.containers[0];
  c.args = c.args.filter((a: string) => !a.startsWith('--allow_version_labels_for_unavailable_models'));
  expect(checkTfServingObjects(objects).map((f) => f.message)).toEqual([
    "Deployment 'ranker': 'model_config_file[0].versionLabels.canary' (3) must point to a version the policy loads (VersionPolicy.specific(1, 2)); "
    + 'TF Serving rejects labels for versions that are not available. Fix: add the version to the policy, or set allowVersionLabelsForUnavailableModels: true '
    + 'to assign it ahead of the load',
  ]);
});

test('probes must reach the REST port and a served model', () => {
  const objects = served();
  container(objects).readinessProbe.httpGet.port = 8500;
  container(objects).startupProbe.httpGet.path = '/v1/models/resnet50';
  expect(checkTfServingObjects(objects).map((f) => f.message)).toEqual([
    "Deployment 'resnet': 'startupProbe.httpGet.path' (/v1/models/resnet50) must be the status path of a served model (/v1/models/NAME; any other path "
    + 'answers 404). Fix: probe /v1/models/resnet',
    "Deployment 'resnet': 'readinessProbe.httpGet.port' (8500) must be the REST port (--rest_api_port=8501; TF Serving answers HTTP nowhere else). Fix: probe port 8501",
  ]);
});

test('any workload running tensorflow_model_server is checked, whoever wrote it', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hand-written' },
    spec: { containers: [{ name: 'serving', image: 'tensorflow/serving:2.18.0', args: ['--model_name=m', '--model_base_path=/models/m', 'extra'] }] },
  };
  expect(checkTfServingObjects([pod]).map((f) => f.message)).toEqual([
    "Pod 'hand-written': 'args' (\"extra\") must be a --name=value flag (tensorflow_model_server exits with \"unknown argument\"). Fix: write it as --name=value",
  ]);
  const other = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', args: ['extra'] }] } };
  expect(checkTfServingObjects([other])).toEqual([]);
});

describe('through cdk8s-cli\'s ValidationContext', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ValidationContext } = require(path.join(__dirname, '..', '..', 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfserving-validation-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function validate(objects: any[]): any {
    const file = path.join(dir, `m${fs.readdirSync(dir).length}.k8s.yaml`);
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    const context = new ValidationContext([file], 'tfserving-constructs', '0.0.0');
    return new TfServingValidation().validate(context).then(() => ({ success: context.report.success, json: context.report.toJson(), file }));
  }

  test('a good manifest passes', async () => {
    const { success, json } = await validate(served());
    expect(success).toBe(true);
    expect(json.violations).toEqual([]);
  });

  test('a bad manifest fails with our message', async () => {
    const objects = served();
    container(objects).args.push('--enable_batchin=true');
    const { success, json, file } = await validate(objects);
    expect(success).toBe(false);
    expect(json.violations).toEqual([{
      ruleName: 'tfserving-flags',
      recommendation: "Deployment 'resnet': 'args' (\"--enable_batchin\") must be a tensorflow_model_server flag (the server exits on an unknown flag). "
        + 'Fix: check the spelling against `tensorflow_model_server --help`',
      fix: 'check the spelling against `tensorflow_model_server --help`',
      violatingConstructs: [{ constructPath: undefined, resourceName: 'resnet', locations: [expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.args\[\d+\]$/)], manifestPath: file }],
    }]);
  });
});
