import { renderModelServerConfig, validateModelConfigs } from '../../lib/tfserving/model-server-config';
import { VersionPolicy } from '../../lib/tfserving/version-policy';
import { parseModelServerConfig } from '../support/textproto';

const S = "TfServingModel 'srv'";

describe('renderModelServerConfig', () => {
  test('writes model_config_list in the text format TF Serving parses', () => {
    const text = renderModelServerConfig([
      { name: 'resnet', basePath: 'gs://b/resnet', versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { stable: 1, canary: 2 } },
      { name: 'bert', basePath: '/models/bert', versionPolicy: VersionPolicy.latest(2) },
      { name: 'all', basePath: 's3://b/all', versionPolicy: VersionPolicy.all(), platform: 'tensorflow' },
      { name: 'plain', basePath: '/models/plain' },
    ]);
    expect(text).toMatchSnapshot();
    expect(parseModelServerConfig(text)).toEqual({
      model_config_list: {
        config: [
          {
            name: 'resnet', base_path: 'gs://b/resnet', model_platform: 'tensorflow',
            model_version_policy: { specific: { versions: [1, 2] } },
            version_labels: { canary: 2, stable: 1 },
          },
          { name: 'bert', base_path: '/models/bert', model_platform: 'tensorflow', model_version_policy: { latest: { num_versions: 2 } } },
          { name: 'all', base_path: 's3://b/all', model_platform: 'tensorflow', model_version_policy: { all: {} } },
          { name: 'plain', base_path: '/models/plain', model_platform: 'tensorflow' },
        ],
      },
    });
  });

  test('version labels are sorted, so the output does not depend on insertion order', () => {
    const a = renderModelServerConfig([{ name: 'm', basePath: '/m', versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { b: 1, a: 2 } }]);
    const b = renderModelServerConfig([{ name: 'm', basePath: '/m', versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { a: 2, b: 1 } }]);
    expect(a).toBe(b);
  });
});

describe('validateModelConfigs rules', () => {
  const ok = { name: 'm', basePath: '/models/m' };

  test('accepts valid configs', () => {
    expect(() => validateModelConfigs(S, [ok, { name: 'n.v2_b-c', basePath: 'gs://b/p', versionPolicy: VersionPolicy.specific(3), versionLabels: { stable: 3 } }])).not.toThrow();
  });

  test('base paths TF Serving can load: not a version directory, not a SavedModel file, no dot segments (file_system_storage_path_source.cc)', () => {
    expect(() => validateModelConfigs(S, [{ name: 'm', basePath: 'gs://b/m/1' }])).toThrow(
      "TfServingModel 'srv': 'models[0].basePath' (\"gs://b/m/1\") must not end in a version directory ('1'): TF Serving looks for numeric version directories "
      + 'inside the base path and loops on "No versions of servable … found under base path". Fix: point at the directory that holds the versions (gs://b/m) '
      + 'and pick versions with versionPolicy');
    expect(() => validateModelConfigs(S, [{ name: 'm', basePath: 'gs://b/m/1/saved_model.pb' }])).toThrow(
      "TfServingModel 'srv': 'models[0].basePath' (\"gs://b/m/1/saved_model.pb\") must be the model directory that holds the version directories, not a part "
      + "of one SavedModel ('saved_model.pb'). Fix: point at the directory above the numeric version directories, e.g. gs://bucket/models/resnet for "
      + 'gs://bucket/models/resnet/1/saved_model.pb');
    expect(() => validateModelConfigs(S, [{ name: 'm', basePath: 'gs://b/a/../m' }])).toThrow(
      "TfServingModel 'srv': 'models[0].basePath' (\"gs://b/a/../m\") must not contain '.' or '..' segments: object stores do not normalize them, so TF Serving "
      + 'never finds the versions. Fix: write the path without them, e.g. gs://bucket/models/resnet');
    expect(() => validateModelConfigs(S, [{ name: 'm', basePath: '/models/./m' }])).toThrow("must not contain '.' or '..' segments");
    // A digit inside a name, or a bucket named by digits, is fine.
    expect(() => validateModelConfigs(S, [{ name: 'm', basePath: 'gs://123/resnet50' }, { name: 'n', basePath: '/models/v1' }])).not.toThrow();
  });

  test('model_platform: only tensorflow, unless a platform config file defines others (server_core.cc CreateAdapter)', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, platform: 'pytorch' }])).toThrow(
      "TfServingModel 'srv': 'models[0].platform' (\"pytorch\") must be 'tensorflow': the open-source tensorflow_model_server has no other platform and fails "
      + 'the model load. Fix: remove platform, or define the platform in a --platform_config_file (extraArgs.platform_config_file)');
    expect(() => validateModelConfigs(S, [{ ...ok, platform: 'pytorch' }], { platformConfigFile: true })).not.toThrow();
    expect(() => validateModelConfigs(S, [{ ...ok, platform: 'tensorflow' }])).not.toThrow();
  });

  test('at least one model', () => {
    expect(() => validateModelConfigs(S, [])).toThrow(
      "TfServingModel 'srv': 'models' ([]) must list at least one model. Fix: add a model, e.g. { name: 'resnet', source: ModelSource.gcs('gs://bucket/resnet') }");
  });

  test('valid names', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, name: 'my model' }])).toThrow(
      "TfServingModel 'srv': 'models[0].name' (\"my model\") must match /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/ (it is used in REST paths /v1/models/NAME and in file names). "
      + "Fix: use letters, digits, '_', '.' and '-', starting with a letter or digit, at most 63 characters");
    expect(() => validateModelConfigs(S, [{ ...ok, name: '' }])).toThrow("'models[0].name' (\"\") must match");
  });

  test('unique names', () => {
    expect(() => validateModelConfigs(S, [ok, { ...ok, basePath: '/other' }])).toThrow(
      "TfServingModel 'srv': 'models[1].name' (\"m\") must be unique within one server (models[0] has the same name; TF Serving refuses duplicate names). "
      + 'Fix: give each model its own name, or serve the second one from another TfServingModel');
  });

  test('base paths absolute or URIs', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, basePath: 'models/m' }])).toThrow(
      "TfServingModel 'srv': 'models[0].basePath' (\"models/m\") must be an absolute path or a URI such as gs://bucket/model. "
      + "Fix: use ModelSource.gcs('gs://…'), ModelSource.s3('s3://…'), or an absolute path");
  });

  test('logging_config is refused', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, loggingConfig: { samplingRate: 0.1 } }])).toThrow(
      "TfServingModel 'srv': 'models[0].loggingConfig' ({\"samplingRate\":0.1}) must not be set: the open-source tensorflow_model_server stops at start when a model config has logging_config. "
      + "Fix: remove it; for request logging use Istio access logging on the model's Service");
  });

  test('latest(n) loads at least one version', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, versionPolicy: VersionPolicy.latest(0) }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionPolicy' (\"VersionPolicy.latest(0)\") must load at least 1 version. Fix: use VersionPolicy.latest(1) or more");
  });

  test('specific() names versions, non-negative integers, once each', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, versionPolicy: VersionPolicy.specific() }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionPolicy' (\"VersionPolicy.specific()\") must name at least one version. Fix: list the versions to serve, e.g. VersionPolicy.specific(1, 2)");
    expect(() => validateModelConfigs(S, [{ ...ok, versionPolicy: VersionPolicy.specific(1.5) }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionPolicy' (\"VersionPolicy.specific(1.5)\") must name non-negative integer versions (the numeric directory names). "
      + 'Fix: use the version directory numbers, e.g. VersionPolicy.specific(1, 2)');
    expect(() => validateModelConfigs(S, [{ ...ok, versionPolicy: VersionPolicy.specific(2, 2) }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionPolicy' (\"VersionPolicy.specific(2, 2)\") must not repeat a version. Fix: list each version once");
  });

  test('version labels: valid label, integer version', () => {
    expect(() => validateModelConfigs(S, [{ ...ok, versionLabels: { 'bad/label': 1 } }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionLabels' (\"bad/label\") must be a label matching /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/ (labels are REST path segments). "
      + "Fix: use letters, digits, '_', '.' and '-'");
    expect(() => validateModelConfigs(S, [{ ...ok, versionLabels: { stable: -1 } }])).toThrow(
      "TfServingModel 'srv': 'models[0].versionLabels.stable' (-1) must be a non-negative integer version. Fix: point the label at a version directory number");
  });

  test('a version label must point to a version the policy loads', () => {
    const m = { ...ok, versionPolicy: VersionPolicy.specific(1, 2), versionLabels: { canary: 3 } };
    expect(() => validateModelConfigs(S, [m])).toThrow(
      "TfServingModel 'srv': 'models[0].versionLabels.canary' (3) must point to a version the policy loads (VersionPolicy.specific(1, 2)); "
      + 'TF Serving rejects labels for versions that are not available. '
      + 'Fix: add the version to the policy, or set allowVersionLabelsForUnavailableModels: true to assign it ahead of the load');
    expect(() => validateModelConfigs(S, [m], { allowVersionLabelsForUnavailableModels: true })).not.toThrow();
    // latest/all depend on storage: unknown at synth time, accepted.
    expect(() => validateModelConfigs(S, [{ ...ok, versionLabels: { canary: 3 } }])).not.toThrow();
  });
});
