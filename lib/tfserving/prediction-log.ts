import * as protobuf from 'protobufjs';

/**
 * The subset of TF Serving's `PredictionLog` (tensorflow_serving/apis/prediction_log.proto) and of the messages it
 * reaches (logging.proto, predict.proto, model.proto, config/logging_config.proto, and TensorFlow's tensor.proto,
 * tensor_shape.proto, types.proto) that a REST predict call fills in. Field numbers and types are those of the
 * upstream files; the tests decode our output with the upstream .proto files themselves.
 */
const SCHEMA = {
  nested: {
    google: { nested: { protobuf: { nested: { Int64Value: { fields: { value: { type: 'int64', id: 1 } } } } } } },
    tensorflow: {
      nested: {
        DataType: {
          values: {
            DT_INVALID: 0, DT_FLOAT: 1, DT_DOUBLE: 2, DT_INT32: 3, DT_UINT8: 4, DT_INT16: 5, DT_INT8: 6, DT_STRING: 7,
            DT_COMPLEX64: 8, DT_INT64: 9, DT_BOOL: 10,
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 }, unknown_rank: { type: 'bool', id: 3 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'DataType', id: 1 },
            tensor_shape: { type: 'TensorShapeProto', id: 2 },
            float_val: { rule: 'repeated', type: 'float', id: 5, options: { packed: true } },
            double_val: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } },
            int_val: { rule: 'repeated', type: 'int32', id: 7, options: { packed: true } },
            string_val: { rule: 'repeated', type: 'bytes', id: 8 },
            int64_val: { rule: 'repeated', type: 'int64', id: 10, options: { packed: true } },
            bool_val: { rule: 'repeated', type: 'bool', id: 11, options: { packed: true } },
          },
        },
        serving: {
          nested: {
            ModelSpec: {
              oneofs: { version_choice: { oneof: ['version', 'version_label'] } },
              fields: {
                name: { type: 'string', id: 1 },
                version: { type: 'google.protobuf.Int64Value', id: 2 },
                signature_name: { type: 'string', id: 3 },
                version_label: { type: 'string', id: 4 },
              },
            },
            SamplingConfig: { fields: { sampling_rate: { type: 'double', id: 1 } } },
            LogMetadata: {
              fields: {
                model_spec: { type: 'ModelSpec', id: 1 },
                sampling_config: { type: 'SamplingConfig', id: 2 },
                timestamp_secs: { type: 'int64', id: 4 },
              },
            },
            PredictRequest: {
              fields: {
                model_spec: { type: 'ModelSpec', id: 1 },
                inputs: { keyType: 'string', type: 'tensorflow.TensorProto', id: 2 },
              },
            },
            PredictResponse: {
              fields: {
                outputs: { keyType: 'string', type: 'tensorflow.TensorProto', id: 1 },
                model_spec: { type: 'ModelSpec', id: 2 },
              },
            },
            PredictLog: { fields: { request: { type: 'PredictRequest', id: 1 }, response: { type: 'PredictResponse', id: 2 } } },
            PredictionLog: {
              oneofs: { log_type: { oneof: ['predict_log'] } },
              fields: { log_metadata: { type: 'LogMetadata', id: 1 }, predict_log: { type: 'PredictLog', id: 6 } },
            },
          },
        },
      },
    },
  },
};

let predictionLogType: protobuf.Type | undefined;
function predictionLog(): protobuf.Type {
  predictionLogType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('tensorflow.serving.PredictionLog');
  return predictionLogType;
}

/** The TensorFlow dtypes the converter writes. */
export type TensorDataType = 'DT_FLOAT' | 'DT_DOUBLE' | 'DT_INT32' | 'DT_INT64' | 'DT_STRING' | 'DT_BOOL';

/** A tensor in plain form: dtype, shape and the flattened values in row-major order. */
export interface PlainTensor {
  /** The dtype. */
  readonly dtype: TensorDataType;
  /** The shape (outermost dimension first). */
  readonly shape: number[];
  /** The values, flattened in row-major order (strings as bytes). */
  readonly values: Array<number | boolean | Uint8Array>;
}

/** One predict call, ready to be written as a `PredictionLog`. */
export interface PredictEntry {
  /** Model name (`ModelSpec.name`). */
  readonly modelName: string;
  /**
   * Model version (`ModelSpec.version`).
   *
   * @default - unset: the server's default version answered
   */
  readonly modelVersion?: number;
  /**
   * Signature name (`ModelSpec.signature_name`).
   *
   * @default - unset: the default signature
   */
  readonly signatureName?: string;
  /** Input tensors by alias. */
  readonly inputs: Record<string, PlainTensor>;
  /**
   * Output tensors by alias.
   *
   * @default - no response is logged (a warmup record holds the request only)
   */
  readonly outputs?: Record<string, PlainTensor>;
  /**
   * When the request arrived, seconds since the epoch (`LogMetadata.timestamp_secs`).
   *
   * @default - unset
   */
  readonly timestampSecs?: number;
  /**
   * The share of requests that was captured, 0–1 (`LogMetadata.sampling_config.sampling_rate`).
   *
   * @default - unset
   */
  readonly samplingRate?: number;
}

function tensorMessage(t: PlainTensor): Record<string, unknown> {
  const field = ({
    DT_FLOAT: 'float_val', DT_DOUBLE: 'double_val', DT_INT32: 'int_val', DT_INT64: 'int64_val', DT_STRING: 'string_val', DT_BOOL: 'bool_val',
  } as const)[t.dtype];
  return { dtype: t.dtype, tensor_shape: { dim: t.shape.map((size) => ({ size })) }, [field]: t.values };
}

/** Serializes one predict call as a `tensorflow.serving.PredictionLog` (the record of a warmup file or a TFX/TFDV input). */
export function encodePredictionLog(entry: PredictEntry): Uint8Array {
  const type = predictionLog();
  const spec: Record<string, unknown> = { name: entry.modelName };
  if (entry.modelVersion !== undefined) spec.version = { value: entry.modelVersion };
  if (entry.signatureName) spec.signature_name = entry.signatureName;
  const tensors = (m: Record<string, PlainTensor>) => Object.fromEntries(Object.keys(m).sort().map((k) => [k, tensorMessage(m[k])]));
  const metadata: Record<string, unknown> = { model_spec: spec };
  if (entry.samplingRate !== undefined) metadata.sampling_config = { sampling_rate: entry.samplingRate };
  if (entry.timestampSecs !== undefined) metadata.timestamp_secs = entry.timestampSecs;
  const message = type.fromObject({
    log_metadata: metadata,
    predict_log: {
      request: { model_spec: spec, inputs: tensors(entry.inputs) },
      ...(entry.outputs ? { response: { model_spec: spec, outputs: tensors(entry.outputs) } } : {}),
    },
  });
  return type.encode(message).finish();
}

/** Options for reading TF Serving REST JSON bodies as tensors. */
export interface RestTensorOptions {
  /**
   * The dtype of each named tensor whose values are numbers (JSON does not say whether `1` is a float or an int).
   *
   * @default - DT_FLOAT for every numeric tensor
   */
  readonly dtypes?: Record<string, TensorDataType>;
  /**
   * The input alias used when the request names none (`"instances": [[…]]` or `"inputs": […]`: TF Serving then feeds
   * the signature's only input, whose alias the body does not carry).
   *
   * @default 'inputs'
   */
  readonly defaultInputName?: string;
  /**
   * The output alias used when the response names none (`"predictions": […]` or `"outputs": […]` of a
   * single-output signature).
   *
   * @default 'outputs'
   */
  readonly defaultOutputName?: string;
}

/** The parts of a REST predict request body: the signature and the input tensors. */
export interface RestPredictRequest {
  /** `signature_name`, if given. */
  readonly signatureName?: string;
  /** Whether the body used the row format (`instances`) or the columnar one (`inputs`). */
  readonly format: 'row' | 'columnar';
  /** The input tensors by alias. */
  readonly inputs: Record<string, PlainTensor>;
}

/**
 * Reads a TF Serving REST predict request body (`{"instances": …}` row format or `{"inputs": …}` columnar format,
 * with `{"b64": …}` for binary strings), as tensorflow_serving/util/json_tensor.cc does (FillPredictRequestFromJson).
 */
export function parsePredictRequest(body: unknown, options: RestTensorOptions = {}): RestPredictRequest {
  if (!isObject(body)) throw new Error('a predict request body must be a JSON object');
  const signatureName = typeof body.signature_name === 'string' ? body.signature_name : undefined;
  const defaultName = options.defaultInputName ?? 'inputs';
  if ('instances' in body) {
    return { signatureName, format: 'row', inputs: rowTensors(body.instances, defaultName, options.dtypes ?? {}) };
  }
  if ('inputs' in body) {
    return { signatureName, format: 'columnar', inputs: columnarTensors(body.inputs, defaultName, options.dtypes ?? {}) };
  }
  throw new Error('a predict request body must have "instances" (row format) or "inputs" (columnar format)');
}

/** Reads a TF Serving REST predict response body (`{"predictions": …}` or `{"outputs": …}`). */
export function parsePredictResponse(body: unknown, options: RestTensorOptions = {}): Record<string, PlainTensor> {
  if (!isObject(body)) throw new Error('a predict response body must be a JSON object');
  const defaultName = options.defaultOutputName ?? 'outputs';
  if ('predictions' in body) return rowTensors(body.predictions, defaultName, options.dtypes ?? {});
  if ('outputs' in body) return columnarTensors(body.outputs, defaultName, options.dtypes ?? {});
  throw new Error('a predict response body must have "predictions" or "outputs"');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isB64 = (v: unknown): v is { b64: string } => isObject(v) && Object.keys(v).length === 1 && typeof v.b64 === 'string';

// Row format: a list of instances; objects name the inputs (each stacked along a new batch dimension), anything
// else is the value of the only input.
function rowTensors(instances: unknown, defaultName: string, dtypes: Record<string, TensorDataType>): Record<string, PlainTensor> {
  if (!Array.isArray(instances)) throw new Error('"instances"/"predictions" must be a list');
  if (instances.length > 0 && isObject(instances[0]) && !isB64(instances[0])) {
    const names = Object.keys(instances[0]).sort();
    const out: Record<string, PlainTensor> = {};
    for (const name of names) {
      out[name] = tensorOf(instances.map((inst, i) => {
        if (!isObject(inst) || !(name in inst)) throw new Error(`instance ${i} lacks input '${name}'`);
        return inst[name];
      }), name, dtypes);
    }
    return out;
  }
  return { [defaultName]: tensorOf(instances, defaultName, dtypes) };
}

function columnarTensors(value: unknown, defaultName: string, dtypes: Record<string, TensorDataType>): Record<string, PlainTensor> {
  if (isObject(value) && !isB64(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((name) => [name, tensorOf(value[name], name, dtypes)]));
  }
  return { [defaultName]: tensorOf(value, defaultName, dtypes) };
}

function tensorOf(value: unknown, name: string, dtypes: Record<string, TensorDataType>): PlainTensor {
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const leaves: unknown[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new Error(`tensor '${name}' is ragged (not every list has the same depth and length)`);
      leaves.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw new Error(`tensor '${name}' is ragged (not every list has the same depth and length)`);
    for (const x of v) walk(x, depth + 1);
  };
  walk(value, 0);
  const first = leaves[0];
  if (leaves.length > 0 && (typeof first === 'string' || isB64(first))) {
    return {
      dtype: 'DT_STRING', shape,
      values: leaves.map((v) => {
        if (isB64(v)) return Buffer.from(v.b64, 'base64');
        if (typeof v === 'string') return Buffer.from(v, 'utf8');
        throw new Error(`tensor '${name}' mixes strings and other values`);
      }),
    };
  }
  if (leaves.length > 0 && typeof first === 'boolean') {
    return { dtype: 'DT_BOOL', shape, values: leaves.map((v) => { if (typeof v !== 'boolean') throw new Error(`tensor '${name}' mixes booleans and other values`); return v; }) };
  }
  const dtype = dtypes[name] ?? 'DT_FLOAT';
  const values = leaves.map((v) => {
    if (typeof v !== 'number') throw new Error(`tensor '${name}' holds a ${v === null ? 'null' : typeof v} where a number is expected`);
    if ((dtype === 'DT_INT32' || dtype === 'DT_INT64') && !Number.isInteger(v)) throw new Error(`tensor '${name}' is ${dtype} but holds ${v}`);
    return v;
  });
  return { dtype, shape, values };
}
