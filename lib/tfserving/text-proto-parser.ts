/**
 * A small, strict protobuf TEXT FORMAT parser for the config files TF Serving reads (used by the tests to prove what
 * the constructs write, and by the cdk8s validation plugin to check manifests it did not write).
 *
 * It mirrors the behaviour of protobuf's C++ `TextFormat::Parse` (what TensorFlow Serving uses
 * for --model_config_file, --batching_parameters_file and --monitoring_config_file) closely
 * enough to prove that the files we write are accepted: unknown fields, type mismatches,
 * out-of-range integers, repeated singular fields, two members of one oneof and syntax errors
 * all throw an Error whose message starts with `line:column:` (both 1-based).
 *
 * Not supported (and rejected): extensions and expanded `google.protobuf.Any` syntax
 * (`[type.googleapis.com/...] { ... }`), field numbers in place of names.
 */

// ---------------------------------------------------------------------------------------------
// Descriptor model
// ---------------------------------------------------------------------------------------------

/** The scalar and composite field types the parser knows. */
export type FieldType = 'string' | 'bytes' | 'int32' | 'int64' | 'uint32' | 'double' | 'bool' | 'enum' | 'message';

/** One field of a message descriptor. */
export interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly type: FieldType;
  /** `repeated` fields (maps are repeated entry messages, as on the wire). */
  readonly repeated?: boolean;
  /** `map<K, V>`: `message` is the entry type with fields `key` (1) and `value` (2). */
  readonly map?: boolean;
  /** Name of the containing oneof, if any. */
  readonly oneof?: string;
  /** Message type, for `type: 'message'`. */
  readonly message?: MessageDescriptor;
  /** Enum value names to numbers, for `type: 'enum'`. */
  readonly enumValues?: Readonly<Record<string, number>>;
}

/** A message type: its full name and fields (transcribed from TF Serving's .proto files). */
export interface MessageDescriptor {
  readonly fullName: string;
  readonly fields: readonly FieldDescriptor[];
}

/** Parsed values: ints are `number` when safe (|v| <= 2^53 - 1), otherwise `bigint`. */
export type TextProtoValue = string | number | bigint | boolean | TextProtoMessage | TextProtoValue[];
/** A parsed message: field name to value (repeated fields as arrays). */
export interface TextProtoMessage { [field: string]: TextProtoValue }

function msg(fullName: string, ...fields: FieldDescriptor[]): MessageDescriptor {
  return { fullName, fields };
}
function field(name: string, number: number, type: FieldType, extra: Partial<FieldDescriptor> = {}): FieldDescriptor {
  return { name, number, type, ...extra };
}
function mapField(name: string, number: number, entryName: string, key: FieldType, value: FieldType): FieldDescriptor {
  const entry = msg(entryName, field('key', 1, key), field('value', 2, value));
  return field(name, number, 'message', { repeated: true, map: true, message: entry });
}

// google/protobuf/wrappers.proto and google/protobuf/any.proto (well-known types).
/** google.protobuf.Int64Value. */
export const INT64_VALUE = msg('google.protobuf.Int64Value', field('value', 1, 'int64'));
/** google.protobuf.StringValue. */
export const STRING_VALUE = msg('google.protobuf.StringValue', field('value', 1, 'string'));
/** google.protobuf.BoolValue. */
export const BOOL_VALUE = msg('google.protobuf.BoolValue', field('value', 1, 'bool'));
/** google.protobuf.Any (only its plain form). */
export const ANY = msg('google.protobuf.Any', field('type_url', 1, 'string'), field('value', 2, 'bytes'));

// tensorflow_serving/config/log_collector_config.proto
const LOG_COLLECTOR_CONFIG = msg('tensorflow.serving.LogCollectorConfig',
  field('type', 1, 'string'), field('filename_prefix', 2, 'string'));

// tensorflow_serving/config/logging_config.proto
const PER_TASK_SAMPLING_CONFIG = msg('tensorflow.serving.PerTaskSamplingConfig',
  field('dc', 1, 'string'),
  field('task_index', 2, 'int32'), // proto3 `optional`: explicit presence, same text form
  field('sampling_rate', 3, 'double'));
const SAMPLING_CONFIG = msg('tensorflow.serving.SamplingConfig',
  field('sampling_rate', 1, 'double'),
  field('per_task_sampling_configs', 3, 'message', { repeated: true, message: PER_TASK_SAMPLING_CONFIG }),
  field('attributes', 2, 'int32')); // bitwise OR of SamplingConfig.Attributes, but typed int32
/** tensorflow.serving.LoggingConfig. */
export const LOGGING_CONFIG = msg('tensorflow.serving.LoggingConfig',
  field('log_collector_config', 1, 'message', { message: LOG_COLLECTOR_CONFIG }),
  field('sampling_config', 2, 'message', { message: SAMPLING_CONFIG }),
  field('custom_logging_config', 3, 'message', { message: ANY }));

// tensorflow_serving/config/file_system_storage_path_source.proto
const P = 'tensorflow.serving.FileSystemStoragePathSourceConfig.ServableVersionPolicy';
/** tensorflow.serving.FileSystemStoragePathSourceConfig.ServableVersionPolicy. */
export const SERVABLE_VERSION_POLICY = msg(P,
  field('latest', 100, 'message', { oneof: 'policy_choice', message: msg(`${P}.Latest`, field('num_versions', 1, 'uint32')) }),
  field('all', 101, 'message', { oneof: 'policy_choice', message: msg(`${P}.All`) }),
  field('specific', 102, 'message', {
    oneof: 'policy_choice',
    message: msg(`${P}.Specific`, field('versions', 1, 'int64', { repeated: true })),
  }));

// tensorflow_serving/config/model_server_config.proto (fields 5 and 9 are reserved)
/** tensorflow.serving.ModelConfig. */
export const MODEL_CONFIG = msg('tensorflow.serving.ModelConfig',
  field('name', 1, 'string'),
  field('base_path', 2, 'string'),
  field('model_type', 3, 'enum', { enumValues: { MODEL_TYPE_UNSPECIFIED: 0, TENSORFLOW: 1, OTHER: 2 } }), // deprecated
  field('model_platform', 4, 'string'),
  field('model_version_policy', 7, 'message', { message: SERVABLE_VERSION_POLICY }),
  mapField('version_labels', 8, 'tensorflow.serving.ModelConfig.VersionLabelsEntry', 'string', 'int64'),
  field('logging_config', 6, 'message', { message: LOGGING_CONFIG }));
/** tensorflow.serving.ModelConfigList. */
export const MODEL_CONFIG_LIST = msg('tensorflow.serving.ModelConfigList',
  field('config', 1, 'message', { repeated: true, message: MODEL_CONFIG }));
/** tensorflow.serving.ModelServerConfig: the --model_config_file. */
export const MODEL_SERVER_CONFIG = msg('tensorflow.serving.ModelServerConfig',
  field('model_config_list', 1, 'message', { oneof: 'config', message: MODEL_CONFIG_LIST }),
  field('custom_model_config', 2, 'message', { oneof: 'config', message: ANY }));

// tensorflow_serving/servables/tensorflow/session_bundle_config.proto
/** tensorflow.serving.BatchingParameters: the --batching_parameters_file. */
export const BATCHING_PARAMETERS = msg('tensorflow.serving.BatchingParameters',
  field('max_batch_size', 1, 'message', { message: INT64_VALUE }),
  field('batch_timeout_micros', 2, 'message', { message: INT64_VALUE }),
  field('max_enqueued_batches', 3, 'message', { message: INT64_VALUE }),
  field('num_batch_threads', 4, 'message', { message: INT64_VALUE }),
  field('thread_pool_name', 5, 'message', { message: STRING_VALUE }),
  field('enable_large_batch_splitting', 8, 'message', { message: BOOL_VALUE }),
  field('max_execution_batch_size', 9, 'message', { message: INT64_VALUE }),
  field('allowed_batch_sizes', 6, 'int64', { repeated: true }), // plain, not a wrapper
  field('pad_variable_length_inputs', 7, 'bool')); // plain, not a wrapper

// tensorflow_serving/config/monitoring_config.proto
/** tensorflow.serving.PrometheusConfig. */
export const PROMETHEUS_CONFIG = msg('tensorflow.serving.PrometheusConfig',
  field('enable', 1, 'bool'), field('path', 2, 'string'));
/** tensorflow.serving.MonitoringConfig: the --monitoring_config_file. */
export const MONITORING_CONFIG = msg('tensorflow.serving.MonitoringConfig',
  field('prometheus_config', 1, 'message', { message: PROMETHEUS_CONFIG }));

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'ident' | 'string' | 'int' | 'float' | 'symbol' | 'eof';
interface Token { kind: TokenKind; text: string; line: number; col: number; bytes?: Uint8Array }

const SIMPLE_ESCAPES: Record<string, number> = {
  'n': 10, 't': 9, 'r': 13, 'a': 7, 'b': 8, 'f': 12, 'v': 11, '\\': 92, '\'': 39, '"': 34, '?': 63,
};

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0, line = 1, lineStart = 0;
  const fail = (msg_: string, at = i): never => { throw new Error(`${line}:${at - lineStart + 1}: ${msg_}`); };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { i++; line++; lineStart = i; continue; }
    if (/[ \t\r\v\f]/.test(c)) { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const start = i, col = i - lineStart + 1;
    const push = (kind: TokenKind, bytes?: Uint8Array) => tokens.push({ kind, text: src.slice(start, i), line, col, bytes });
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /\w/.test(src[i])) i++;
      push('ident');
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)/.exec(src.slice(i))!;
      const isFloat = !/^0[xX]/.test(m[0]) && /[.eE]/.test(m[0]);
      i += m[0].length + (isFloat && /[fF]/.test(src[i + m[0].length] ?? '') ? 1 : 0); // 1.5f
      if (/[\w.]/.test(src[i] ?? '')) fail(`Invalid number "${src.slice(start, i + 1)}"`, start);
      if (!isFloat && /^0[0-9]*[89]/.test(m[0])) fail(`Invalid octal number "${m[0]}"`, start);
      push(isFloat ? 'float' : 'int');
    } else if (c === '"' || c === '\'') {
      const bytes: number[] = [];
      const enc = new TextEncoder();
      for (i++; src[i] !== c; ) {
        if (i >= src.length || src[i] === '\n') fail('String literals cannot cross line boundaries', start);
        if (src[i] !== '\\') {
          const cp = src.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          bytes.push(...enc.encode(ch)); i += ch.length; continue;
        }
        const e = src[++i];
        let m: RegExpExecArray | null;
        if (Object.hasOwn(SIMPLE_ESCAPES, e ?? '')) {
          bytes.push(SIMPLE_ESCAPES[e]); i++;
        } else if ((m = /^[0-7]{1,3}/.exec(src.slice(i, i + 3)))) {
          bytes.push(parseInt(m[0], 8) & 0xff); i += m[0].length;
        } else if ((m = /^[xX]([0-9a-fA-F]{1,2})/.exec(src.slice(i, i + 3)))) {
          bytes.push(parseInt(m[1], 16)); i += m[0].length;
        } else if ((m = /^(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(src.slice(i, i + 9)))) {
          const cp = parseInt(m[1] ?? m[2], 16);
          if (cp > 0x10ffff) fail(`Invalid unicode escape "\\${m[0]}"`, i - 1);
          bytes.push(...enc.encode(String.fromCodePoint(cp))); i += m[0].length;
        } else {
          fail(`Invalid escape sequence "\\${e ?? ''}" in string literal`, i - 1);
        }
      }
      i++;
      push('string', Uint8Array.from(bytes));
    } else if (/[!-~]/.test(c)) { // other ASCII punctuation: a symbol (the parser rejects all but {}<>[]:,;-)
      i++;
      push('symbol');
    } else {
      fail(`Unexpected character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    }
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  enum: [-(2n ** 31n), 2n ** 31n - 1n],
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parseMessage(desc: MessageDescriptor, close: string | undefined): TextProtoMessage {
    const out: TextProtoMessage = {};
    const oneofs = new Map<string, string>();
    while (!(close === undefined ? this.peek.kind === 'eof' : this.tryConsume(close))) {
      const nameTok = this.peek;
      if (nameTok.kind !== 'ident') {
        this.fail(close === undefined || this.peek.kind !== 'eof'
          ? `Expected field name, got ${this.describe(nameTok)}` : `Expected "${close}", got end of input`);
      }
      this.pos++;
      const fd = desc.fields.find((f) => f.name === nameTok.text);
      if (!fd) this.fail(`Message type "${desc.fullName}" has no field named "${nameTok.text}"`, nameTok);
      if (fd.oneof) {
        const other = oneofs.get(fd.oneof);
        if (other !== undefined && other !== fd.name) {
          this.fail(`Field "${fd.name}" is specified along with field "${other}", another member of oneof "${fd.oneof}"`, nameTok);
        }
        oneofs.set(fd.oneof, fd.name);
      }
      if (!fd.repeated && Object.hasOwn(out, fd.name)) {
        this.fail(`Non-repeated field "${fd.name}" is specified multiple times`, nameTok);
      }
      const isMsg = fd.type === 'message';
      if (!isMsg) this.expect(':', `after scalar field "${fd.name}"`);
      else this.tryConsume(':');
      const values: TextProtoValue[] = [];
      if (fd.repeated && this.tryConsume('[')) {
        if (!this.tryConsume(']')) {
          do values.push(this.parseValue(fd)); while (!this.tryConsume(']') && this.expect(',', 'or "]" in list'));
        }
      } else {
        values.push(this.parseValue(fd));
      }
      if (fd.map) {
        const rec = (out[fd.name] ??= {}) as TextProtoMessage;
        for (const entry of values as TextProtoMessage[]) {
          const value = entry.value ?? defaultValue(fd.message!.fields[1]);
          Object.defineProperty(rec, String(entry.key ?? ''), { value, enumerable: true, writable: true, configurable: true });
        }
      } else if (fd.repeated) {
        ((out[fd.name] ??= []) as TextProtoValue[]).push(...values);
      } else {
        out[fd.name] = values[0];
      }
      this.tryConsume(';') || this.tryConsume(',');
    }
    return out;
  }

  private parseValue(fd: FieldDescriptor): TextProtoValue {
    const tok = this.peek;
    switch (fd.type) {
      case 'message': {
        const open = this.tryConsume('{') ? '{' : this.tryConsume('<') ? '<' : undefined;
        if (!open) {
          return this.fail(`Expected "{" or "<" for message field "${fd.name}" (${fd.message!.fullName}), got ${this.describe(tok)}`);
        }
        return this.parseMessage(fd.message!, open === '{' ? '}' : '>');
      }
      case 'string':
      case 'bytes': {
        if (tok.kind !== 'string') return this.fail(`Expected string for field "${fd.name}", got ${this.describe(tok)}`);
        const parts: Uint8Array[] = [];
        while (this.peek.kind === 'string') parts.push(this.tokens[this.pos++].bytes!); // "a" "b" concatenate
        const bytes = Uint8Array.from(parts.flatMap((p) => [...p]));
        if (fd.type === 'bytes') return String.fromCharCode(...bytes);
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          return this.fail(`String field "${fd.name}" contains invalid UTF-8`, tok);
        }
      }
      case 'bool': {
        this.next();
        if (tok.kind === 'int' && (tok.text === '0' || tok.text === '1')) return tok.text === '1';
        if (tok.kind === 'ident' && ['true', 'True', 't'].includes(tok.text)) return true;
        if (tok.kind === 'ident' && ['false', 'False', 'f'].includes(tok.text)) return false;
        return this.fail(`Invalid value for boolean field "${fd.name}": ${this.describe(tok)}`, tok);
      }
      case 'double': {
        const neg = this.tryConsume('-');
        const t = this.next();
        let v: number;
        if (t.kind === 'int') v = Number(BigInt(octal(t.text)));
        else if (t.kind === 'float') v = Number(t.text.replace(/[fF]$/, ''));
        else if (t.kind === 'ident' && /^(inf|infinity)$/i.test(t.text)) v = Infinity;
        else if (t.kind === 'ident' && /^nan$/i.test(t.text)) v = NaN;
        else return this.fail(`Expected double for field "${fd.name}", got ${this.describe(t)}`, t);
        return neg ? -v : v;
      }
      default: { // integers and enums (proto3 enums are open: any int32 number is accepted)
        if (fd.type === 'enum' && tok.kind === 'ident') {
          this.next();
          if (!Object.hasOwn(fd.enumValues!, tok.text)) this.fail(`Unknown enumeration value of "${tok.text}" for field "${fd.name}"`, tok);
          return tok.text;
        }
        const neg = this.tryConsume('-');
        const t = this.next();
        if (t.kind !== 'int') return this.fail(`Expected integer for field "${fd.name}", got ${this.describe(t)}`, t);
        const v = (neg ? -1n : 1n) * BigInt(octal(t.text));
        const [min, max] = INT_RANGES[fd.type];
        if (v < min || v > max) this.fail(`Integer out of range for ${fd.type} field "${fd.name}": ${neg ? '-' : ''}${t.text}`, tok);
        return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
    }
  }

  get peek(): Token { return this.tokens[this.pos]; }
  private next(): Token {
    const t = this.peek;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private tryConsume(sym: string): boolean {
    if (this.peek.kind === 'symbol' && this.peek.text === sym) { this.pos++; return true; }
    return false;
  }
  private expect(sym: string, context: string): boolean {
    if (!this.tryConsume(sym)) this.fail(`Expected "${sym}" ${context}, got ${this.describe(this.peek)}`);
    return true;
  }
  private describe(t: Token): string {
    return t.kind === 'eof' ? 'end of input' : t.kind === 'string' ? `string ${t.text}` : `"${t.text}"`;
  }
  fail(message: string, at: Token = this.peek): never { throw new Error(`${at.line}:${at.col}: ${message}`); }
}

/** Leading-zero integers are octal in text format (as in C); BigInt wants a `0o` prefix. */
function octal(text: string): string { return /^0[0-7]+$/.test(text) ? `0o${text.slice(1)}` : text; }

function defaultValue(fd: FieldDescriptor): TextProtoValue {
  switch (fd.type) {
    case 'string': case 'bytes': return '';
    case 'bool': return false;
    case 'message': return {};
    case 'enum': return Object.keys(fd.enumValues!).find((k) => fd.enumValues![k] === 0) ?? 0;
    default: return 0;
  }
}

/** Parses `text` as a `descriptor` message, strictly; throws `line:col: message` on any error. */
export function parseTextProto(text: string, descriptor: MessageDescriptor): TextProtoMessage {
  return new Parser(tokenize(text)).parseMessage(descriptor, undefined);
}

/** Parses a --model_config_file text; throws `line:col: message`. */
export const parseModelServerConfig = (text: string) => parseTextProto(text, MODEL_SERVER_CONFIG);
/** Parses a --batching_parameters_file text; throws `line:col: message`. */
export const parseBatchingParameters = (text: string) => parseTextProto(text, BATCHING_PARAMETERS);
/** Parses a --monitoring_config_file text; throws `line:col: message`. */
export const parseMonitoringConfig = (text: string) => parseTextProto(text, MONITORING_CONFIG);
