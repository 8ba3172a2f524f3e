/**
 * TFRecord framing and the PredictionLog encoding TF Serving reads from a model's warmup file,
 * `<version>/assets.extra/tf_serving_warmup_requests`.
 *
 * What the server does with the file (runtime-2.20.0, servables/tensorflow/saved_model_warmup_util.cc,
 * `RunSavedModelWarmupUntracked`): it reads it with `io::SequentialRecordReader` (TFRecord: length, masked CRC-32C
 * of the length, data, masked CRC-32C of the data), parses each record as a `PredictionLog`, runs each record
 * `num_request_iterations` times (default 1), and fails the model's load when a record does not parse or when there
 * are more than `WarmupConsts::kMaxNumRecords` (1000) records.
 *
 * The encoder is hand-written (no protobuf run-time dependency); field numbers are those of
 * tensorflow_serving/apis/{prediction_log,predict,model}.proto and tensorflow/core/framework/
 * {tensor,tensor_shape,types}.proto. The tests decode its output with descriptors transcribed from those files.
 */

/** Where TF Serving looks for warmup records, relative to a model version's directory. */
export const WARMUP_FILE_PATH = 'assets.extra/tf_serving_warmup_requests';

/** The most records TF Serving accepts in a warmup file (`WarmupConsts::kMaxNumRecords`). */
export const MAX_WARMUP_RECORDS = 1000;

const CRC32C_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // Castagnoli polynomial, reflected (0x82F63B78).
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `data`; `crc32c("123456789") = 0xE3069283`. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The masked CRC a TFRecord stores (tensorflow/core/lib/hash/crc32c.h, `Mask`): rotate right 15, add 0xa282ead8. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Frames records as a TFRecord file (tensorflow/core/lib/io/record_writer.cc, `RecordWriter::WriteRecord`). */
export function tfRecordFile(records: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const header = Buffer.alloc(12);
    header.writeBigUInt64LE(BigInt(record.length), 0);
    header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
    const footer = Buffer.alloc(4);
    footer.writeUInt32LE(maskedCrc32c(record), 0);
    parts.push(header, Buffer.from(record), footer);
  }
  return Buffer.concat(parts);
}

/** Splits a TFRecord file into its records, checking both CRCs of each. */
export function readTfRecordFile(file: Uint8Array): Buffer[] {
  const buf = Buffer.from(file);
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new Error(`truncated record header at byte ${at}`);
    const length = Number(buf.readBigUInt64LE(at));
    if (buf.readUInt32LE(at + 8) !== maskedCrc32c(buf.subarray(at, at + 8))) throw new Error(`bad length CRC at byte ${at}`);
    const data = buf.subarray(at + 12, at + 12 + length);
    if (data.length !== length || at + 16 + length > buf.length) throw new Error(`truncated record at byte ${at}`);
    if (buf.readUInt32LE(at + 12 + length) !== maskedCrc32c(data)) throw new Error(`bad data CRC at byte ${at}`);
    out.push(Buffer.from(data));
    at += 16 + length;
  }
  return out;
}

/** One input tensor of a PredictRequest, values flattened in row-major order. */
export interface PredictTensor {
  /** The input name (the signature's alias). */
  readonly name: string;
  /** `tensorflow.DataType` enum number: 1 DT_FLOAT, 2 DT_DOUBLE, 3 DT_INT32, 7 DT_STRING, 9 DT_INT64. */
  readonly dtype: number;
  /** The full shape, batch dimension included. */
  readonly shape: number[];
  /** `product(shape)` values: numbers, or strings (UTF-8 bytes) for DT_STRING. */
  readonly values: ReadonlyArray<number | string>;
}

/** A PredictRequest to log. */
export interface PredictRecord {
  /** `model_spec.name`. */
  readonly modelName: string;
  /** `model_spec.signature_name`. */
  readonly signatureName: string;
  /** `inputs`, in this order. */
  readonly inputs: PredictTensor[];
}

/** A minimal protobuf writer: varints, length-delimited fields, packed repeated scalars. */
class ProtoWriter {
  private readonly chunks: Buffer[] = [];

  public varint(field: number, value: number | bigint): this {
    return this.tag(field, 0).rawVarint(value);
  }

  public bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).rawVarint(value.length);
    this.chunks.push(Buffer.from(value));
    return this;
  }

  public string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  public message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  public packed(field: number, payload: Buffer): this {
    return payload.length === 0 ? this : this.bytes(field, payload);
  }

  public finish(): Buffer {
    return Buffer.concat(this.chunks);
  }

  public rawVarint(value: number | bigint): this {
    // Negative int32/int64 values are encoded as 10-byte two's complement varints (protobuf encoding guide).
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.chunks.push(Buffer.from(bytes));
    return this;
  }

  private tag(field: number, wireType: number): this {
    return this.rawVarint((field << 3) | wireType);
  }
}

function tensorProto(t: PredictTensor): ProtoWriter {
  const w = new ProtoWriter().varint(1, t.dtype);
  const shape = new ProtoWriter();
  for (const d of t.shape) shape.message(2, new ProtoWriter().varint(1, d));
  w.message(2, shape);
  switch (t.dtype) {
    case 1: { // float_val = 5, packed fixed32
      const b = Buffer.alloc(4 * t.values.length);
      t.values.forEach((v, i) => b.writeFloatLE(v as number, 4 * i));
      return w.packed(5, b);
    }
    case 2: { // double_val = 6, packed fixed64
      const b = Buffer.alloc(8 * t.values.length);
      t.values.forEach((v, i) => b.writeDoubleLE(v as number, 8 * i));
      return w.packed(6, b);
    }
    case 3: // int_val = 7, packed varint
    case 9: { // int64_val = 10, packed varint
      const p = new ProtoWriter();
      for (const v of t.values) p.rawVarint(v as number);
      return w.packed(t.dtype === 3 ? 7 : 10, p.finish());
    }
    case 7: // string_val = 8, repeated bytes
      for (const v of t.values) w.string(8, v as string);
      return w;
    default:
      throw new Error(`dtype ${t.dtype} has no encoding here`);
  }
}

/** Encodes `PredictionLog { predict_log { request { model_spec, inputs } } }` (field 6, then 1). */
export function encodePredictionLog(record: PredictRecord): Buffer {
  const request = new ProtoWriter()
    .message(1, new ProtoWriter().string(1, record.modelName).string(3, record.signatureName));
  for (const input of record.inputs) {
    // map<string, TensorProto> is a repeated entry message { key = 1; value = 2; }.
    request.message(2, new ProtoWriter().string(1, input.name).message(2, tensorProto(input)));
  }
  return new ProtoWriter().message(6, new ProtoWriter().message(1, request)).finish();
}

/** A warmup file: one PredictionLog record per request, TFRecord-framed. */
export function warmupRequestsFile(records: PredictRecord[]): Buffer {
  if (records.length === 0 || records.length > MAX_WARMUP_RECORDS) {
    throw new Error(`a warmup file holds 1 to ${MAX_WARMUP_RECORDS} records (saved_model_warmup_util.cc), got ${records.length}`);
  }
  return tfRecordFile(records.map(encodePredictionLog));
}
