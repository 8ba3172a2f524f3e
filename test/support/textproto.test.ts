import {
  BATCHING_PARAMETERS, MessageDescriptor, MODEL_SERVER_CONFIG, MONITORING_CONFIG,
  parseBatchingParameters, parseModelServerConfig, parseMonitoringConfig, parseTextProto,
} from './textproto';

// Configs written in the syntax of the text files TF Serving's own tests load
// (tensorflow_serving/servables/tensorflow/testdata/*.txt: `field: {` blocks with `,` separators, wrapper
// messages `{ value: N }`). They are our own texts, not copies of the upstream files.

/** In the style of good_model_config.txt. */
const GOOD_MODEL_CONFIG = `model_config_list: {
  config: {
    name: "iris",
    base_path: "/models/iris",
    model_platform: "tensorflow"
  },
  config: {
    name: "mnist",
    base_path: "/models/mnist",
    model_platform: "tensorflow"
  }
}
`;

/** In the style of bad_model_config.txt: not a text proto at all. */
const BAD_MODEL_CONFIG = 'not a model config';

/** In the style of batching_config.txt. */
const BATCHING_CONFIG = `max_batch_size { value: 256 }
batch_timeout_micros { value: 0 }
max_enqueued_batches { value: 5000 }
num_batch_threads { value: 6 }
`;

/** In the style of monitoring_config.txt. */
const MONITORING_CONFIG_TXT = `prometheus_config: {
  enable: true,
  path: "/monitoring/prometheus/metrics"
}
`;

const models = (body: string) => parseModelServerConfig(`model_config_list { config { name: "m" ${body} } }`);
const model = (body: string) => (models(body).model_config_list as any).config[0];
const policy = (body: string) => model(`model_version_policy { ${body} }`).model_version_policy;

describe('configs in the upstream testdata syntax', () => {
  test('good_model_config.txt', () => {
    expect(parseModelServerConfig(GOOD_MODEL_CONFIG)).toEqual({
      model_config_list: {
        config: [
          { name: 'iris', base_path: '/models/iris', model_platform: 'tensorflow' },
          { name: 'mnist', base_path: '/models/mnist', model_platform: 'tensorflow' },
        ],
      },
    });
  });

  test('bad_model_config.txt is rejected', () => {
    expect(() => parseModelServerConfig(BAD_MODEL_CONFIG)).toThrow(
      '1:1: Message type "tensorflow.serving.ModelServerConfig" has no field named "not"');
  });

  test('batching_config.txt', () => {
    expect(parseBatchingParameters(BATCHING_CONFIG)).toEqual({
      max_batch_size: { value: 256 },
      batch_timeout_micros: { value: 0 },
      max_enqueued_batches: { value: 5000 },
      num_batch_threads: { value: 6 },
    });
  });

  test('monitoring_config.txt', () => {
    expect(parseMonitoringConfig(MONITORING_CONFIG_TXT)).toEqual({
      prometheus_config: { enable: true, path: '/monitoring/prometheus/metrics' },
    });
  });
});

describe('accepted syntax', () => {
  test('every BatchingParameters field, wrappers and plain', () => {
    expect(parseBatchingParameters(`
      max_batch_size { value: 64 } batch_timeout_micros { value: 5000 }
      max_enqueued_batches { value: 100 } num_batch_threads { value: 4 }
      thread_pool_name { value: "pool" } enable_large_batch_splitting { value: true }
      max_execution_batch_size { value: 32 }
      allowed_batch_sizes: 8 allowed_batch_sizes: 16 allowed_batch_sizes: 64
      pad_variable_length_inputs: true`)).toEqual({
      max_batch_size: { value: 64 }, batch_timeout_micros: { value: 5000 },
      max_enqueued_batches: { value: 100 }, num_batch_threads: { value: 4 },
      thread_pool_name: { value: 'pool' }, enable_large_batch_splitting: { value: true },
      max_execution_batch_size: { value: 32 },
      allowed_batch_sizes: [8, 16, 64], pad_variable_length_inputs: true,
    });
  });

  test('version_labels map entries, default key/value, last entry wins', () => {
    expect(model(`
      version_labels { key: "stable" value: 1 }
      version_labels { key: "canary" value: 2 }
      version_labels: { value: 7 }
      version_labels < key: "stable" value: 3 >`).version_labels).toEqual({ 'stable': 3, 'canary': 2, '': 7 });
    expect(model('version_labels [{ key: "a" value: 1 }, { key: "b", value: 2 }]').version_labels).toEqual({ a: 1, b: 2 });
  });

  test('specific versions as repeated field, list syntax and mixed', () => {
    expect(policy('specific { versions: 1 versions: 2 }')).toEqual({ specific: { versions: [1, 2] } });
    expect(policy('specific { versions: [1, 2, 3] }')).toEqual({ specific: { versions: [1, 2, 3] } });
    expect(policy('specific { versions: [4] versions: 5 versions: [] }')).toEqual({ specific: { versions: [4, 5] } });
    expect(policy('latest { num_versions: 2 }')).toEqual({ latest: { num_versions: 2 } });
    expect(policy('all {}')).toEqual({ all: {} });
  });

  test('repeated messages in list syntax', () => {
    expect(parseModelServerConfig('model_config_list { config: [{ name: "a" }, < name: "b" >] }'))
      .toEqual({ model_config_list: { config: [{ name: 'a' }, { name: 'b' }] } });
  });

  test('comments, separators, <> delimiters, colon before messages', () => {
    expect(parseModelServerConfig(`# leading comment
      model_config_list < # trailing comment
        config: { name: "a"; base_path: "/p", };
        config < name: "b" >,
      >`)).toEqual({ model_config_list: { config: [{ name: 'a', base_path: '/p' }, { name: 'b' }] } });
  });

  test('strings: single quotes, escapes, adjacent concatenation, UTF-8', () => {
    expect(model('base_path: \'/a\\\'b\' "\\"c\\\\d\\n" \'\\101\\x42\\u00e9\' "ü"').base_path).toBe('/a\'b"c\\d\nABéü');
  });

  test('integers: negative, hex, octal, int64 extremes beyond 2^53 as bigint', () => {
    expect(policy('specific { versions: [-1, 0x10, 010, 9223372036854775807, -9223372036854775808] }').specific.versions)
      .toEqual([-1, 16, 8, 9223372036854775807n, -9223372036854775808n]);
    expect(policy('latest { num_versions: 4294967295 }').latest.num_versions).toBe(4294967295);
  });

  test('booleans in every accepted spelling', () => {
    for (const [text, value] of [['true', true], ['True', true], ['t', true], ['1', true],
      ['false', false], ['False', false], ['f', false], ['0', false]] as const) {
      expect(parseMonitoringConfig(`prometheus_config { enable: ${text} }`)).toEqual({ prometheus_config: { enable: value } });
    }
  });

  test('deprecated model_type enum by name or number', () => {
    expect(model('model_type: TENSORFLOW').model_type).toBe('TENSORFLOW');
    expect(model('model_type: 2').model_type).toBe(2);
  });

  test('logging_config with sampling and collector config', () => {
    expect(model(`logging_config {
      log_collector_config { type: "file" filename_prefix: "/tmp/log" }
      sampling_config {
        sampling_rate: 0.1 attributes: 3
        per_task_sampling_configs { dc: "aa" task_index: 0 sampling_rate: 1 }
        per_task_sampling_configs { dc: "bb" sampling_rate: -1.5e-1f }
      }
    }`).logging_config).toEqual({
      log_collector_config: { type: 'file', filename_prefix: '/tmp/log' },
      sampling_config: {
        sampling_rate: 0.1, attributes: 3,
        per_task_sampling_configs: [{ dc: 'aa', task_index: 0, sampling_rate: 1 }, { dc: 'bb', sampling_rate: -0.15 }],
      },
    });
  });

  test('empty input is an empty message', () => {
    expect(parseModelServerConfig('  # nothing\n')).toEqual({});
  });
});

describe('rejections, with line:column', () => {
  const cases: Array<[string, MessageDescriptor, string, string]> = [
    ['unknown nested field', MODEL_SERVER_CONFIG, 'model_config_list {\n  config { name: "a"\n    version_label { } } }',
      '3:5: Message type "tensorflow.serving.ModelConfig" has no field named "version_label"'],
    ['field names are case-sensitive', MONITORING_CONFIG, 'Prometheus_config {}',
      '1:1: Message type "tensorflow.serving.MonitoringConfig" has no field named "Prometheus_config"'],
    ['scalar for a wrapper field', BATCHING_PARAMETERS, 'max_batch_size: 32',
      '1:17: Expected "{" or "<" for message field "max_batch_size" (google.protobuf.Int64Value), got "32"'],
    ['string for an int', BATCHING_PARAMETERS, 'max_batch_size { value: "32" }',
      '1:25: Expected integer for field "value", got string "32"'],
    ['float for an int', BATCHING_PARAMETERS, 'allowed_batch_sizes: 1.0',
      '1:22: Expected integer for field "allowed_batch_sizes", got "1.0"'],
    ['int for a string', MODEL_SERVER_CONFIG, 'model_config_list { config { name: 3 } }',
      '1:36: Expected string for field "name", got "3"'],
    ['identifier for a string', MONITORING_CONFIG, 'prometheus_config { path: metrics }',
      '1:27: Expected string for field "path", got "metrics"'],
    ['bad boolean', MONITORING_CONFIG, 'prometheus_config { enable: 2 }',
      '1:29: Invalid value for boolean field "enable": "2"'],
    ['int64 overflow', BATCHING_PARAMETERS, 'max_batch_size { value: 9223372036854775808 }',
      '1:25: Integer out of range for int64 field "value": 9223372036854775808'],
    ['int64 underflow', BATCHING_PARAMETERS, 'allowed_batch_sizes: -9223372036854775809',
      '1:22: Integer out of range for int64 field "allowed_batch_sizes": -9223372036854775809'],
    ['uint32 negative', MODEL_SERVER_CONFIG, 'model_config_list { config { model_version_policy { latest { num_versions: -1 } } } }',
      'Integer out of range for uint32 field "num_versions": -1'],
    ['uint32 overflow', MODEL_SERVER_CONFIG, 'model_config_list { config { model_version_policy { latest { num_versions: 4294967296 } } } }',
      'Integer out of range for uint32 field "num_versions": 4294967296'],
    ['unknown enum name', MODEL_SERVER_CONFIG, 'model_config_list { config { model_type: PYTORCH } }',
      '1:42: Unknown enumeration value of "PYTORCH" for field "model_type"'],
    ['scalar set twice', MODEL_SERVER_CONFIG, 'model_config_list { config { name: "a"\nname: "b" } }',
      '2:1: Non-repeated field "name" is specified multiple times'],
    ['wrapper message set twice', BATCHING_PARAMETERS, 'max_batch_size { value: 1 }\nmax_batch_size { value: 2 }',
      '2:1: Non-repeated field "max_batch_size" is specified multiple times'],
    ['message set twice', MONITORING_CONFIG, 'prometheus_config { } prometheus_config { }',
      '1:23: Non-repeated field "prometheus_config" is specified multiple times'],
    ['two members of a oneof', MODEL_SERVER_CONFIG, 'model_config_list { config { model_version_policy { latest { } all { } } } }',
      '1:64: Field "all" is specified along with field "latest", another member of oneof "policy_choice"'],
    ['two members of the top-level oneof', MODEL_SERVER_CONFIG, 'model_config_list { }\ncustom_model_config { }',
      '2:1: Field "custom_model_config" is specified along with field "model_config_list", another member of oneof "config"'],
    ['list for a non-repeated field', MONITORING_CONFIG, 'prometheus_config [{ }]',
      '1:19: Expected "{" or "<" for message field "prometheus_config"'],
    ['list without colon for scalars', BATCHING_PARAMETERS, 'allowed_batch_sizes [1, 2]',
      '1:21: Expected ":" after scalar field "allowed_batch_sizes", got "["'],
    ['list missing comma', BATCHING_PARAMETERS, 'allowed_batch_sizes: [1 2]',
      '1:25: Expected "," or "]" in list, got "2"'],
    ['missing colon for scalar', MONITORING_CONFIG, 'prometheus_config { path "/m" }',
      '1:26: Expected ":" after scalar field "path", got string "/m"'],
    ['unclosed message', MONITORING_CONFIG, 'prometheus_config {\n  enable: true\n',
      '3:1: Expected "}", got end of input'],
    ['mismatched delimiters', MONITORING_CONFIG, 'prometheus_config { enable: true >',
      '1:34: Expected field name, got ">"'],
    ['trailing garbage', MONITORING_CONFIG, 'prometheus_config { }\n}',
      '2:1: Expected field name, got "}"'],
    ['trailing value', MONITORING_CONFIG, 'prometheus_config { } "x"',
      '1:23: Expected field name, got string "x"'],
    ['missing value', MONITORING_CONFIG, 'prometheus_config { path: }',
      '1:27: Expected string for field "path", got "}"'],
    ['value at end of input', MONITORING_CONFIG, 'prometheus_config { path:',
      '1:26: Expected string for field "path", got end of input'],
    ['unterminated string', MONITORING_CONFIG, 'prometheus_config { path: "/m\n" }',
      '1:27: String literals cannot cross line boundaries'],
    ['invalid escape', MONITORING_CONFIG, 'prometheus_config { path: "\\q" }',
      '1:28: Invalid escape sequence "\\q" in string literal'],
    ['number glued to identifier', BATCHING_PARAMETERS, 'allowed_batch_sizes: 12abc',
      '1:22: Invalid number "12a"'],
    ['invalid octal', BATCHING_PARAMETERS, 'allowed_batch_sizes: 09',
      '1:22: Invalid octal number "09"'],
    ['= instead of :', MONITORING_CONFIG, 'prometheus_config { enable = true }',
      '1:28: Expected ":" after scalar field "enable", got "="'],
    ['unexpected character', MONITORING_CONFIG, 'prometheus_config { enable: \u00a0true }',
      '1:29: Unexpected character U+00A0'],
    ['control character', MONITORING_CONFIG, 'prometheus_config { enable:\u0000 }',
      '1:28: Unexpected character U+0000'],
    ['extension / expanded Any syntax', MODEL_SERVER_CONFIG, 'custom_model_config { [type.googleapis.com/x.Y] { } }',
      '1:23: Expected field name, got "["'],
  ];

  test.each(cases)('%s', (_name, descriptor, text, message) => {
    expect(() => parseTextProto(text, descriptor)).toThrow(message);
  });
});

describe('descriptors', () => {
  test('field names and numbers are unique in every message', () => {
    const seen = new Set<MessageDescriptor>();
    const visit = (d: MessageDescriptor): void => {
      if (seen.has(d)) return;
      seen.add(d);
      expect(new Set(d.fields.map((f) => f.name)).size).toBe(d.fields.length);
      expect(new Set(d.fields.map((f) => f.number)).size).toBe(d.fields.length);
      for (const f of d.fields) {
        expect(f.type === 'message').toBe(f.message !== undefined);
        if (f.message) visit(f.message);
      }
    };
    [MODEL_SERVER_CONFIG, BATCHING_PARAMETERS, MONITORING_CONFIG].forEach(visit);
    expect(seen.size).toBe(19);
  });
});
