import { generateValues } from './tensor-generator';
import { fail } from '../core/errors';
import { PlainTensor, PredictEntry, TensorDataType } from '../tfserving/prediction-log';

/** TF Serving tensor element types the load test can encode (`tensorflow.DataType`). */
export class TensorDType {
  /** `DT_FLOAT` (float_val). */
  public static readonly FLOAT = new TensorDType('DT_FLOAT', 1, 'float_val', 4);
  /** `DT_DOUBLE` (double_val). */
  public static readonly DOUBLE = new TensorDType('DT_DOUBLE', 2, 'double_val', 8);
  /** `DT_INT32` (int_val). */
  public static readonly INT32 = new TensorDType('DT_INT32', 3, 'int_val', 4);
  /** `DT_INT64` (int64_val). */
  public static readonly INT64 = new TensorDType('DT_INT64', 9, 'int64_val', 8);
  /** `DT_STRING` (string_val, bytes; sent as `{"b64": …}` over REST). */
  public static readonly STRING = new TensorDType('DT_STRING', 7, 'string_val', 0);

  private constructor(
    /** The enum name, e.g. `DT_FLOAT`. */
    public readonly name: string,
    /** The enum number in tensorflow/core/framework/types.proto. */
    public readonly number: number,
    /** The TensorProto field holding the values. */
    public readonly field: string,
    /** Bytes per value on the gRPC wire (0 for strings). */
    public readonly bytes: number,
  ) {}

  /** Whether values must be whole numbers. */
  public get integral(): boolean {
    return this === TensorDType.INT32 || this === TensorDType.INT64;
  }
}

/** One example of one input tensor, repeated to form batches. */
export interface TensorExampleOptions {
  /** The input name in the signature, e.g. `images`. */
  readonly input: string;
  /** The element type. */
  readonly dtype: TensorDType;
  /** The shape of ONE example (the batch dimension is added in front), e.g. `[4]` or `[224, 224, 3]`. */
  readonly shape: number[];
  /** The example's values, flattened in row-major order; `product(shape)` of them. */
  readonly values: Array<number | string>;
  /**
   * The signature to call.
   *
   * @default 'serving_default'
   */
  readonly signatureName?: string;
}

/** One named input of a {@link LoadTestPayload.of} payload: given values, or values generated in k6 from a seed. */
export interface PayloadInput {
  /** The input name in the signature, e.g. `images`. */
  readonly name: string;
  /** The element type. */
  readonly dtype: TensorDType;
  /** The shape of ONE example (the batch dimension is added in front), e.g. `[224, 224, 3]`. */
  readonly shape: number[];
  /**
   * The example's values, flattened in row-major order; `product(shape)` of them. They travel in the load test's
   * ConfigMap (1 MiB at most), so give values only for small inputs.
   *
   * @default - generated inside k6 from the payload's seed: uniform in [min, max] (rounded to 4 decimals for
   * floating types), or strings of `stringLength` letters and digits
   */
  readonly values?: Array<number | string>;
  /**
   * Smallest generated value.
   *
   * @default 0
   */
  readonly min?: number;
  /**
   * Largest generated value.
   *
   * @default 1 (floating types), 100 (integer types)
   */
  readonly max?: number;
  /**
   * Characters per generated string (DT_STRING).
   *
   * @default 8
   */
  readonly stringLength?: number;
}

/** Options of {@link LoadTestPayload.of}. */
export interface LoadTestPayloadOptions {
  /** The signature's inputs, each once. */
  readonly inputs: PayloadInput[];
  /**
   * Seed of the generated values (input i uses seed + i): the same seed sends the same tensors on every run.
   *
   * @default 1
   */
  readonly seed?: number;
  /**
   * The signature to call.
   *
   * @default 'serving_default'
   */
  readonly signatureName?: string;
}

/** A payload input as the k6 script reads it. @internal */
export interface PayloadInputSpec {
  readonly name: string;
  readonly dtype: string;
  readonly dtypeNumber: number;
  readonly field: string;
  readonly shape: number[];
  readonly values?: Array<number | string>;
  readonly generate?: { readonly seed: number; readonly min: number; readonly max: number; readonly stringLength: number };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The request a load test sends: one or more named input tensors (one example each, repeated to form batches),
 * sent as `inputs` (columnar) JSON over REST and as TensorProtos of shape `[B, ...shape]` over gRPC. Large inputs
 * (a 224×224×3 image) are generated inside k6 from a seed, so that the ConfigMap stays small.
 */
export class LoadTestPayload {
  /** One input with given values (kept for small, hand-written examples). */
  public static tensor(options: TensorExampleOptions): LoadTestPayload {
    return LoadTestPayload.build('LoadTestPayload', { inputs: [{ name: options.input, dtype: options.dtype, shape: options.shape, values: options.values }], signatureName: options.signatureName },
      (prop) => prop.replace(/^inputs\[0\]\.name$/, 'input').replace(/^inputs\[0\]\./, ''));
  }

  /** Several named inputs, each with given or generated values. */
  public static of(options: LoadTestPayloadOptions): LoadTestPayload {
    return LoadTestPayload.build('LoadTestPayload.of', options, (p) => p);
  }

  private static build(subject: string, options: LoadTestPayloadOptions, prop: (p: string) => string): LoadTestPayload {
    const seed = options.seed ?? 1;
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 32 - 1 - options.inputs.length)) {
      fail(subject, prop('seed'), seed, 'be an integer between 0 and 2^32 - 1 minus the number of inputs', 'use e.g. 1');
    }
    if (options.inputs.length === 0) fail(subject, prop('inputs'), [], 'list at least one input', 'name the signature\'s inputs');
    const signatureName = options.signatureName ?? 'serving_default';
    if (signatureName.length === 0) fail(subject, prop('signatureName'), signatureName, 'be a non-empty signature name', 'use \'serving_default\'');
    const inputs = options.inputs.map((input, i): PayloadInputSpec => {
      const at = `inputs[${i}]`;
      // An empty alias names no tensor of the signature (predict_util.cc looks each input up by name).
      if (input.name.length === 0) fail(subject, prop(`${at}.name`), input.name, 'be a non-empty input name of the signature', 'use the name saved_model_cli shows for the signature\'s input');
      if (options.inputs.findIndex((x) => x.name === input.name) !== i) {
        fail(subject, prop(`${at}.name`), input.name, 'name each input once', 'drop the repeated input');
      }
      const shape = input.shape;
      if (!shape.every((d) => Number.isInteger(d) && d >= 1)) {
        fail(subject, prop(`${at}.shape`), shape, 'hold positive integer dimensions', 'give the shape of one example, e.g. [4]');
      }
      const size = shape.reduce((a, b) => a * b, 1);
      const dtype = input.dtype;
      const base = { name: input.name, dtype: dtype.name, dtypeNumber: dtype.number, field: dtype.field, shape };
      if (input.values !== undefined) {
        if (input.min !== undefined || input.max !== undefined || input.stringLength !== undefined) {
          fail(subject, prop(`${at}.values`), `${input.values.length} values`, 'be left out when min, max or stringLength is set (those shape generated values)', 'give either values or a range');
        }
        checkValues(subject, prop(`${at}.values`), input.values, size, shape, dtype);
        return { ...base, values: input.values };
      }
      const min = input.min ?? 0;
      const max = input.max ?? (dtype.integral ? 100 : 1);
      const stringLength = input.stringLength ?? 8;
      if (dtype === TensorDType.STRING) {
        if (!(Number.isInteger(stringLength) && stringLength >= 1 && stringLength <= 4096)) {
          fail(subject, prop(`${at}.stringLength`), stringLength, 'be an integer between 1 and 4096', 'use e.g. 8');
        }
      } else {
        if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
          fail(subject, prop(`${at}.min`), [min, max], 'be finite numbers with min <= max (JSON, which the REST API reads, has no NaN or Infinity)', 'use e.g. min 0, max 1');
        }
        if (dtype.integral && !(Number.isInteger(min) && Number.isInteger(max))) {
          fail(subject, prop(`${at}.min`), [min, max], `be integers for ${dtype.name}`, 'use whole numbers');
        }
        if (dtype === TensorDType.INT32 && (min < INT32_MIN || max > INT32_MAX)) {
          fail(subject, prop(`${at}.min`), [min, max], 'lie within the int32 range', 'narrow the range');
        }
        if (dtype === TensorDType.INT64 && (!Number.isSafeInteger(min) || !Number.isSafeInteger(max))) {
          fail(subject, prop(`${at}.min`), [min, max], 'be safe integers (|v| < 2^53: JavaScript numbers in k6)', 'narrow the range');
        }
      }
      return { ...base, generate: { seed: seed + i, min, max, stringLength } };
    });
    return new LoadTestPayload({ signatureName, inputs });
  }

  private constructor(
    /** The JSON the k6 script reads. @internal */
    public readonly _spec: { readonly signatureName: string; readonly inputs: PayloadInputSpec[] },
  ) {}

  /** The signature called. */
  public get signatureName(): string {
    return this._spec.signatureName;
  }

  /** Input names, in order. */
  public get inputNames(): string[] {
    return this._spec.inputs.map((i) => i.name);
  }

  /** One example of each input, values as k6 sends them (generated ones computed here the same way). */
  public examples(): Array<{ name: string; dtypeNumber: number; shape: number[]; values: Array<number | string> }> {
    return this._spec.inputs.map((i) => ({
      name: i.name, dtypeNumber: i.dtypeNumber, shape: i.shape,
      values: i.values ?? generateValues({ dtypeNumber: i.dtypeNumber, size: i.shape.reduce((a, b) => a * b, 1), ...i.generate! }),
    }));
  }

  /** The gRPC request bytes of one example (the size of a batch of B is about B times this). */
  public exampleBytes(): number {
    return this.examples().reduce((sum, e) => sum + (e.dtypeNumber === 7
      ? e.values.reduce<number>((s, v) => s + Buffer.byteLength(v as string) + 2, 0)
      : e.values.length * (TensorDType_BYTES[e.dtypeNumber] ?? 8)), 0);
  }

  /** The PredictRequest of a batch of `batchSize` copies of the example, for a warmup record. */
  public predictRecord(modelName: string, batchSize: number): Omit<PredictEntry, 'outputs'> {
    const inputs: Record<string, PlainTensor> = {};
    for (const e of this.examples()) {
      const values = Array.from({ length: batchSize }, () => e.values).flat();
      inputs[e.name] = {
        dtype: DTYPE_NAMES[e.dtypeNumber],
        shape: [batchSize, ...e.shape],
        values: e.dtypeNumber === 7 ? values.map((v) => Buffer.from(v as string, 'utf8')) : values as number[],
      };
    }
    return { modelName, signatureName: this.signatureName, inputs };
  }
}

const TensorDType_BYTES: Record<number, number> = { 1: 4, 2: 8, 3: 4, 9: 8 };
/** tensorflow.DataType numbers (types.proto) of the dtypes a payload holds. */
const DTYPE_NAMES: Record<number, TensorDataType> = { 1: 'DT_FLOAT', 2: 'DT_DOUBLE', 3: 'DT_INT32', 7: 'DT_STRING', 9: 'DT_INT64' };

function checkValues(subject: string, prop: string, values: Array<number | string>, size: number, shape: number[], dtype: TensorDType): void {
  if (values.length !== size) {
    fail(subject, prop, `${values.length} values`, `hold product(shape) = ${size} values for shape ${JSON.stringify(shape)}`, 'flatten one example in row-major order');
  }
  const isString = dtype === TensorDType.STRING;
  if (!values.every((v) => (isString ? typeof v === 'string' : typeof v === 'number'))) {
    fail(subject, prop, values.slice(0, 3), `all be ${isString ? 'strings' : 'numbers'} for ${dtype.name}`, 'match the values to the dtype');
  }
  if (isString) return;
  const bad = (values as number[]).findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    // JSON.stringify writes NaN and Infinity as null: the REST request would carry a null TF Serving rejects.
    fail(subject, prop, `${values[bad]} at index ${bad}`, 'be finite numbers (JSON, which the REST API reads, has no NaN or Infinity)', 'replace the value');
  }
  if (dtype.integral) {
    const frac = (values as number[]).findIndex((v) => !Number.isInteger(v));
    if (frac >= 0) fail(subject, prop, `${values[frac]} at index ${frac}`, `be integers for ${dtype.name} (a fraction does not encode as int_val/int64_val)`, 'round the values, or use TensorDType.FLOAT');
    const range = dtype === TensorDType.INT32 ? (v: number) => v >= INT32_MIN && v <= INT32_MAX : Number.isSafeInteger;
    const out = (values as number[]).findIndex((v) => !range(v));
    if (out >= 0) fail(subject, prop, `${values[out]} at index ${out}`, `fit ${dtype.name}${dtype === TensorDType.INT64 ? ' as a safe JavaScript integer (|v| < 2^53)' : ''}`, 'narrow the values');
  }
}
