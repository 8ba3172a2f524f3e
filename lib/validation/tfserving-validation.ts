import { ConfigError } from '../core/errors';
import { BatchingParameters, validateBatchingParameters } from '../tfserving/batching-parameters';
import { ModelConfig, validateModelConfigs } from '../tfserving/model-server-config';
import { validateMonitoringConfig } from '../tfserving/monitoring-config';
import { ServerFlags } from '../tfserving/server-flags';
import { parseBatchingParameters, parseModelServerConfig, parseMonitoringConfig, TextProtoMessage } from '../tfserving/text-proto-parser';
import { VersionPolicy } from '../tfserving/version-policy';

/**
 * One problem found in a manifest: the message in the project's format
 * (`<Kind> '<name>': '<prop>' (<value>) must <rule>. Fix: <fix>`) and where it is.
 */
export interface TfServingFinding {
  /** Which check: `flags`, `config-files` or `probes`. */
  readonly rule: 'flags' | 'config-files' | 'probes';
  /** The whole message, as a ConfigError at synth time would have it. */
  readonly message: string;
  /** The fix part of the message (after `Fix: `). */
  readonly fix: string;
  /** `metadata.name` of the object. */
  readonly resourceName: string;
  /** Field paths in the object, e.g. `spec.template.spec.containers[0].args[3]`. */
  readonly locations: string[];
}

/** The subset of cdk8s-cli's `ValidationContext` (cdk8s-cli `src/plugins/validation.ts`) the plugin uses. */
export interface TfServingValidationContext {
  /** The manifest files `cdk8s synth` wrote. */
  readonly manifests: readonly string[];
  /** The report the plugin fills. */
  readonly report: {
    addViolation(violation: {
      ruleName: string; recommendation: string; fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: { [key: string]: string }): void;
  };
  /** The objects of one manifest file. */
  parseManifest(manifestPath: string): any[];
}

/** Properties from the plugin's `properties:` in cdk8s.yaml (none yet). */
export interface TfServingValidationProps {}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);
const CONFIG_FILE_FLAGS: Record<string, { message: string; parse: (text: string) => TextProtoMessage }> = {
  model_config_file: { message: 'ModelServerConfig', parse: parseModelServerConfig },
  batching_parameters_file: { message: 'BatchingParameters', parse: parseBatchingParameters },
  monitoring_config_file: { message: 'MonitoringConfig', parse: parseMonitoringConfig },
};

/**
 * A cdk8s validation plugin: `cdk8s synth` runs it on every manifest it writes when cdk8s.yaml lists it under
 * `validations:` (cdk8s-cli `src/util.ts` validateApp), and fails the synth (exit 2) on a finding. It checks every
 * TF Serving container of any workload, whoever wrote it: its flags against the tensorflow_model_server flag table and
 * start-up rules (the same ServerFlags code, so the same messages, as the constructs at synth time), the config files
 * it names (mounted from a ConfigMap of the same manifests, and parsing as TF Serving's TextFormat::Parse would), and
 * that its HTTP probes reach the REST port and a served model.
 *
 * ```yaml
 * validations:
 *   - package: tfserving-constructs     # or ./node_modules/tfserving-constructs
 *     version: 0.1.0
 *     class: TfServingValidation
 * ```
 */
export class TfServingValidation {
  constructor(_props: TfServingValidationProps = {}) {}

  /** Checks every manifest of the context and submits the report (cdk8s-cli's `Validation` interface). */
  public async validate(context: TfServingValidationContext): Promise<void> {
    let count = 0;
    for (const manifestPath of context.manifests) {
      for (const found of checkTfServingObjects(context.parseManifest(manifestPath).filter(Boolean))) {
        count++;
        context.report.addViolation({
          ruleName: `tfserving-${found.rule}`,
          recommendation: found.message,
          fix: found.fix,
          violatingResources: [{ resourceName: found.resourceName, locations: found.locations, manifestPath }],
        });
      }
    }
    context.report.submit(count === 0 ? 'success' : 'failure', { findings: String(count) });
  }
}

/** The findings for a list of Kubernetes objects (one manifest: ConfigMaps are looked up among them). */
export function checkTfServingObjects(objects: any[]): TfServingFinding[] {
  const findings: TfServingFinding[] = [];
  const configMaps = new Map<string, any>();
  for (const o of objects) if (o?.kind === 'ConfigMap') configMaps.set(`${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o);
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o?.kind)) continue;
    const [pod, podPath] = o.kind === 'Pod' ? [o.spec, 'spec'] : o.kind === 'Job' || o.spec?.template ? [o.spec?.template?.spec, 'spec.template.spec'] : [undefined, ''];
    (pod?.containers ?? []).forEach((c: any, i: number) => {
      if (isTfServing(c)) findings.push(...checkContainer(o, pod, c, `${podPath}.containers[${i}]`, configMaps));
    });
  }
  return findings;
}

/** The TF Serving release an image reference names in its tag (`…:2.20.0`, `…:2.20.0-gpu`), if any. */
function releaseOfImage(image: unknown): string | undefined {
  const m = /:(\d+\.\d+\.\d+)(?:-gpu)?$/.exec(String(image ?? ''));
  return m ? m[1] : undefined;
}

/** A container runs TF Serving when its command or image says so (the official image's entrypoint passes args on). */
function isTfServing(c: any): boolean {
  const command: string[] = c.command ?? [];
  return command.some((a) => /(^|\/)tensorflow_model_server$/.test(a)) || (command.length === 0 && /(^|\/)tensorflow\/serving(:|@|$)/.test(c.image ?? ''));
}

function finding(rule: TfServingFinding['rule'], o: any, locations: string[], message: string): TfServingFinding {
  return { rule, message, fix: message.slice(message.indexOf('. Fix: ') + 7), resourceName: o.metadata?.name ?? '', locations };
}

function checkContainer(o: any, pod: any, c: any, at: string, configMaps: Map<string, any>): TfServingFinding[] {
  const out: TfServingFinding[] = [];
  const subject = `${o.kind} '${o.metadata?.name}'`;
  // The flags of the image's release, when the image names one (tensorflow/serving:2.18.0-gpu → 2.18.0); any release's
  // flags otherwise.
  const flags = new ServerFlags(subject, releaseOfImage(c.image));
  const index = new Map<string, number>();
  (c.args ?? []).forEach((arg: string, i: number) => {
    // tensorflow::Flags::Parse (main.cc) takes `--name=value` (`--name` for a boolean); anything else is left in argv
    // and main.cc exits with "unknown argument".
    const m = /^--?([A-Za-z0-9_]+)(?:=([\s\S]*))?$/.exec(String(arg));
    if (!m) {
      out.push(finding('flags', o, [`${at}.args[${i}]`], `${subject}: 'args' (${JSON.stringify(arg)}) must be a --name=value flag `
        + '(tensorflow_model_server exits with "unknown argument"). Fix: write it as --name=value'));
      return;
    }
    try {
      flags.set(m[1], m[2] ?? true);
      index.set(m[1], i);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      out.push(finding('flags', o, [`${at}.args[${i}]`], e.message));
    }
  });
  try {
    flags.validate();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    out.push(finding('flags', o, [`${at}.args`], e.message));
  }

  // Config files: each must be a key of a ConfigMap mounted at its folder, and parse.
  const models: string[] = [];
  for (const [flag, kind] of Object.entries(CONFIG_FILE_FLAGS)) {
    const file = flags.get(flag);
    if (typeof file !== 'string') continue;
    const where = [`${at}.args[${index.get(flag)}]`];
    const mount = (c.volumeMounts ?? []).filter((vm: any) => file.startsWith(`${String(vm.mountPath).replace(/\/$/, '')}/`))
      .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
    const volume = mount && (pod.volumes ?? []).find((v: any) => v.name === mount.name);
    if (!volume?.configMap) continue; // a file from an image, a Secret or a volume: not ours to read
    const cm = configMaps.get(`${o.metadata?.namespace ?? ''}/${volume.configMap.name}`);
    if (!cm) continue; // the ConfigMap is applied from elsewhere
    const rel = file.slice(String(mount.mountPath).replace(/\/$/, '').length + 1);
    const key = mount.subPath ? undefined
      : (volume.configMap.items ?? []).find((it: any) => it.path === rel)?.key ?? (volume.configMap.items ? undefined : rel);
    const text = key === undefined ? undefined : cm.data?.[key];
    if (text === undefined) {
      out.push(finding('config-files', o, where, `${subject}: '--${flag}' (${file}) must be a key of the ConfigMap '${volume.configMap.name}' mounted at `
        + `${mount.mountPath} (TF Serving exits at start when the file is missing). Fix: add the key to the ConfigMap or correct the path`));
      continue;
    }
    let parsed: TextProtoMessage;
    try {
      parsed = kind.parse(text);
    } catch (e) {
      out.push(finding('config-files', o, where, `${subject}: '--${flag}' (${file}) must parse as a ${kind.message} in protobuf text format `
        + `(TF Serving exits at start otherwise; ${(e as Error).message}). Fix: correct the file in the ConfigMap '${volume.configMap.name}'`));
      continue;
    }
    // Then the content rules the constructs check at synth time, with the same code (so the same rule and fix).
    try {
      if (flag === 'model_config_file') {
        const configs = modelConfigs(parsed);
        models.push(...configs.map((m) => m.name));
        if (configs.length > 0) {
          validateModelConfigs(subject, configs, {
            prop: flag, allowVersionLabelsForUnavailableModels: ['true', true].includes(flags.get('allow_version_labels_for_unavailable_models') as any),
          });
        }
      } else if (flag === 'batching_parameters_file') {
        validateBatchingParameters(subject, batchingParameters(parsed), flag);
      } else if ((parsed.prometheus_config as TextProtoMessage | undefined)?.enable === true) {
        validateMonitoringConfig(subject, { prometheusPath: (parsed.prometheus_config as TextProtoMessage).path as string | undefined }, flag);
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      out.push(finding('config-files', o, where, e.message));
    }
  }
  if (flags.has('model_name') && !flags.has('model_config_file')) models.push(String(flags.get('model_name')));

  // Probes: an HTTP probe only gets an answer from the REST port, and 200 only for a model the server serves.
  const rest = Number(flags.get('rest_api_port') ?? 0); // main.cc: rest_api_port defaults to 0, REST off
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    const get = c[probe]?.httpGet;
    if (!get) continue;
    const port = typeof get.port === 'string' ? (c.ports ?? []).find((p: any) => p.name === get.port)?.containerPort ?? get.port : get.port;
    if (rest === 0 || port !== rest) {
      out.push(finding('probes', o, [`${at}.${probe}.httpGet.port`], `${subject}: '${probe}.httpGet.port' (${get.port}) must be the REST port `
        + `(${rest === 0 ? 'REST is off: --rest_api_port is not set' : `--rest_api_port=${rest}`}; TF Serving answers HTTP nowhere else). `
        + `Fix: ${rest === 0 ? 'set --rest_api_port=8501 and probe it' : `probe port ${rest}`}`));
      continue;
    }
    const model = /^\/v1\/models\/([^/:]+)/.exec(get.path ?? '')?.[1];
    if (models.length > 0 && (model === undefined || !models.includes(model))) {
      out.push(finding('probes', o, [`${at}.${probe}.httpGet.path`], `${subject}: '${probe}.httpGet.path' (${get.path}) must be the status path of a `
        + `served model (/v1/models/NAME; any other path answers 404). Fix: probe /v1/models/${models[0]}`));
    }
  }
  return out;
}

/** A parsed ModelServerConfig's model list as the model rules take it. */
function modelConfigs(parsed: TextProtoMessage): ModelConfig[] {
  const list = ((parsed.model_config_list as TextProtoMessage | undefined)?.config as TextProtoMessage[] | undefined) ?? [];
  return list.map((m) => {
    const policy = m.model_version_policy as TextProtoMessage | undefined;
    const latest = policy?.latest as TextProtoMessage | undefined;
    const specific = policy?.specific as TextProtoMessage | undefined;
    // The parser returns a map field as an object of key → value.
    const labels = m.version_labels as TextProtoMessage | undefined;
    return {
      name: String(m.name ?? ''),
      basePath: String(m.base_path ?? ''),
      platform: m.model_platform as string | undefined,
      versionPolicy: latest ? VersionPolicy.latest(Number(latest.num_versions ?? 1))
        : policy?.all ? VersionPolicy.all()
          : specific ? VersionPolicy.specific(...((specific.versions as TextProtoValueArray | undefined) ?? []).map(Number)) : undefined,
      versionLabels: labels ? Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, Number(v)])) : undefined,
      loggingConfig: m.logging_config,
    };
  });
}

type TextProtoValueArray = (string | number | bigint)[];

/** A parsed BatchingParameters (wrapper messages `{ value: N }`) as the batching rules take it. */
function batchingParameters(parsed: TextProtoMessage): BatchingParameters {
  const wrapped = (field: string) => (parsed[field] as TextProtoMessage | undefined)?.value;
  const num = (field: string) => (wrapped(field) === undefined ? undefined : Number(wrapped(field)));
  return {
    maxBatchSize: num('max_batch_size'),
    batchTimeoutMicros: num('batch_timeout_micros'),
    maxEnqueuedBatches: num('max_enqueued_batches'),
    numBatchThreads: num('num_batch_threads'),
    threadPoolName: wrapped('thread_pool_name') as string | undefined,
    enableLargeBatchSplitting: wrapped('enable_large_batch_splitting') as boolean | undefined,
    maxExecutionBatchSize: num('max_execution_batch_size'),
    allowedBatchSizes: parsed.allowed_batch_sizes === undefined ? undefined : (parsed.allowed_batch_sizes as TextProtoValueArray).map(Number),
    padVariableLengthInputs: parsed.pad_variable_length_inputs as boolean | undefined,
  };
}
