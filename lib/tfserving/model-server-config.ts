import { TextProtoWriter } from './text-proto';
import { VersionPolicy } from './version-policy';
import { fail } from '../core/errors';

/**
 * One entry of `model_config_list`: a `ModelConfig` message
 * (tensorflow_serving/config/model_server_config.proto).
 */
export interface ModelConfig {
  /** `name`: the model's name in requests (`/v1/models/NAME`, gRPC `model_spec.name`). */
  readonly name: string;
  /** `base_path`: the directory holding the numeric version directories; absolute or a URI. */
  readonly basePath: string;
  /**
   * `model_platform`.
   *
   * @default 'tensorflow'
   */
  readonly platform?: string;
  /**
   * `model_version_policy`.
   *
   * @default - TF Serving's default: the latest version only
   */
  readonly versionPolicy?: VersionPolicy;
  /**
   * `version_labels`: label → version, e.g. `{ stable: 1, canary: 2 }`, served at
   * `/v1/models/NAME/labels/LABEL`.
   *
   * @default - no labels
   */
  readonly versionLabels?: Record<string, number>;
  /**
   * `logging_config`. Refused: the open-source model server stops at start when a model sets it
   * (request logging needs a log collector that is not built into the open-source binary).
   *
   * @default - not set (the only accepted value)
   */
  readonly loggingConfig?: unknown;
}

/** Options of the rules checked by {@link validateModelConfigs}. */
export interface ModelConfigRulesOptions {
  /**
   * Mirrors `--allow_version_labels_for_unavailable_models`: when true, a label may point to a version
   * the policy does not (yet) load.
   *
   * @default false
   */
  readonly allowVersionLabelsForUnavailableModels?: boolean;
  /**
   * Whether the server reads a `--platform_config_file` (which may define platforms other than `tensorflow`).
   *
   * @default false
   */
  readonly platformConfigFile?: boolean;
  /** Prop path prefix for messages, e.g. `models`. @default 'models' */
  readonly prop?: string;
}

/**
 * TF Serving model names appear in REST paths (`/v1/models/NAME`), in metric labels and here in file
 * names; keep them to letters, digits, `_`, `.` and `-`.
 */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** TF Serving resolves base paths through its file systems: an absolute path or a `scheme://` URI. */
const BASE_PATH = /^(\/|[a-z][a-z0-9+.-]*:\/\/.+)/;
/** Version labels are path segments (`/labels/LABEL`): same charset as names. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/**
 * Checks the rules TF Serving enforces when it loads a model config (and the traps users hit),
 * throwing a {@link ConfigError} naming the first violation.
 */
export function validateModelConfigs(subject: string, models: readonly ModelConfig[], options: ModelConfigRulesOptions = {}): void {
  const prop = options.prop ?? 'models';
  if (models.length === 0) {
    fail(subject, prop, [], 'list at least one model', 'add a model, e.g. { name: \'resnet\', source: ModelSource.gcs(\'gs://bucket/resnet\') }');
  }
  const seen = new Map<string, number>();
  models.forEach((m, i) => {
    const p = `${prop}[${i}]`;
    if (!MODEL_NAME.test(m.name)) {
      fail(subject, `${p}.name`, m.name, `match ${MODEL_NAME} (it is used in REST paths /v1/models/NAME and in file names)`,
        'use letters, digits, \'_\', \'.\' and \'-\', starting with a letter or digit, at most 63 characters');
    }
    const first = seen.get(m.name);
    if (first !== undefined) {
      fail(subject, `${p}.name`, m.name, `be unique within one server (models[${first}] has the same name; TF Serving refuses duplicate names)`,
        'give each model its own name, or serve the second one from another TfServingModel');
    }
    seen.set(m.name, i);
    if (!BASE_PATH.test(m.basePath)) {
      fail(subject, `${p}.basePath`, m.basePath, 'be an absolute path or a URI such as gs://bucket/model',
        'use ModelSource.gcs(\'gs://…\'), ModelSource.s3(\'s3://…\'), or an absolute path');
    }
    basePathRules(subject, `${p}.basePath`, m.basePath);
    // server_core.cc CreateAdapter: "PlatformConfigMap has no entry for platform …" unless the platform config map
    // has it; the open-source server builds that map with one entry, "tensorflow" (GetSetupPlatformConfigMap).
    if (m.platform !== undefined && m.platform !== 'tensorflow' && !options.platformConfigFile) {
      fail(subject, `${p}.platform`, m.platform, 'be \'tensorflow\': the open-source tensorflow_model_server has no other platform and fails the model load',
        'remove platform, or define the platform in a --platform_config_file (extraArgs.platform_config_file)');
    }
    if (m.loggingConfig !== undefined) {
      fail(subject, `${p}.loggingConfig`, m.loggingConfig,
        'not be set: the open-source tensorflow_model_server stops at start when a model config has logging_config',
        'remove it; for request logging use Istio access logging on the model\'s Service');
    }
    const policy = m.versionPolicy;
    if (policy?.kind === 'latest' && !(Number.isInteger(policy.numVersions) && policy.numVersions! >= 1)) {
      fail(subject, `${p}.versionPolicy`, policy.toString(), 'load at least 1 version', 'use VersionPolicy.latest(1) or more');
    }
    if (policy?.kind === 'specific') {
      const vs = policy.versions!;
      if (vs.length === 0) fail(subject, `${p}.versionPolicy`, policy.toString(), 'name at least one version', 'list the versions to serve, e.g. VersionPolicy.specific(1, 2)');
      vs.forEach((v) => {
        if (!Number.isSafeInteger(v) || v < 0) fail(subject, `${p}.versionPolicy`, policy.toString(), 'name non-negative integer versions (the numeric directory names)', 'use the version directory numbers, e.g. VersionPolicy.specific(1, 2)');
      });
      if (new Set(vs).size !== vs.length) fail(subject, `${p}.versionPolicy`, policy.toString(), 'not repeat a version', 'list each version once');
    }
    for (const [label, version] of Object.entries(m.versionLabels ?? {})) {
      if (!LABEL.test(label)) {
        fail(subject, `${p}.versionLabels`, label, `be a label matching ${LABEL} (labels are REST path segments)`, 'use letters, digits, \'_\', \'.\' and \'-\'');
      }
      if (!Number.isSafeInteger(version) || version < 0) {
        fail(subject, `${p}.versionLabels.${label}`, version, 'be a non-negative integer version', 'point the label at a version directory number');
      }
      const loads = (policy ?? VersionPolicy.latest(1)).loads(version);
      if (loads === false && !options.allowVersionLabelsForUnavailableModels) {
        fail(subject, `${p}.versionLabels.${label}`, version,
          `point to a version the policy loads (${policy!.toString()}); TF Serving rejects labels for versions that are not available`,
          'add the version to the policy, or set allowVersionLabelsForUnavailableModels: true to assign it ahead of the load');
      }
    }
  });
}

/**
 * Renders a ModelServerConfig text proto (`model_config_list { config { … } }`) for
 * `--model_config_file`. Run {@link validateModelConfigs} first.
 */
export function renderModelServerConfig(models: readonly ModelConfig[]): string {
  const w = new TextProtoWriter();
  w.message('model_config_list', (list) => {
    for (const m of models) {
      list.message('config', (c) => {
        c.scalar('name', m.name);
        c.scalar('base_path', m.basePath);
        c.scalar('model_platform', m.platform ?? 'tensorflow');
        const policy = m.versionPolicy;
        if (policy) {
          c.message('model_version_policy', (p) => {
            if (policy.kind === 'latest') p.message('latest', (l) => l.scalar('num_versions', policy.numVersions!));
            if (policy.kind === 'all') p.message('all', () => undefined);
            if (policy.kind === 'specific') p.message('specific', (s) => policy.versions!.forEach((v) => s.scalar('versions', v)));
          });
        }
        // map<string, int64> entries; sorted for byte-identical output.
        for (const label of Object.keys(m.versionLabels ?? {}).sort()) {
          c.message('version_labels', (e) => e.scalar('key', label).scalar('value', m.versionLabels![label]));
        }
      });
    }
  });
  return w.toString();
}

/**
 * A base path TF Serving can load from: the directory that holds the numeric version directories.
 *
 * file_system_storage_path_source.cc (AspireAllVersions, IndexChildrenByVersion) lists the base path's children and
 * keeps those that parse as a version number: a base path that is itself a version directory (`gs://b/m/1`) or a
 * SavedModel file has no such children, and the server loops on "No versions of servable … found under base path".
 * Object stores do not normalize `.` and `..` segments (they are part of the object name), so such a path never
 * finds the model.
 */
function basePathRules(subject: string, prop: string, basePath: string): void {
  const path = basePath.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/, '');
  const segments = path.split('/').filter((x) => x !== '');
  if (segments.some((x) => x === '.' || x === '..')) {
    fail(subject, prop, basePath, 'not contain \'.\' or \'..\' segments: object stores do not normalize them, so TF Serving never finds the versions',
      'write the path without them, e.g. gs://bucket/models/resnet');
  }
  const last = segments[segments.length - 1] ?? '';
  const parent = basePath.slice(0, basePath.length - last.length).replace(/\/+$/, '');
  if (/^\d+$/.test(last)) {
    fail(subject, prop, basePath, `not end in a version directory ('${last}'): TF Serving looks for numeric version directories inside the base path `
      + 'and loops on "No versions of servable … found under base path"', `point at the directory that holds the versions (${parent}) and pick versions with versionPolicy`);
  }
  if (/^saved_model\.pb(txt)?$|^variables$|^assets$/.test(last)) {
    fail(subject, prop, basePath, `be the model directory that holds the version directories, not a part of one SavedModel ('${last}')`,
      'point at the directory above the numeric version directories, e.g. gs://bucket/models/resnet for gs://bucket/models/resnet/1/saved_model.pb');
  }
}
