import { encodePredictionLog, PredictEntry } from './prediction-log';

/**
 * TFRecord framing (warmup files, captured requests) and the warmup file TF Serving reads from a model version's
 * `assets.extra/tf_serving_warmup_requests`.
 *
 * What the server does with the file (runtime-2.20.0, servables/tensorflow/saved_model_warmup_util.cc,
 * `RunSavedModelWarmupUntracked`): it reads it with `io::SequentialRecordReader` (TFRecord: length, masked CRC-32C
 * of the length, data, masked CRC-32C of the data), parses each record as a `PredictionLog`, runs each record
 * `num_request_iterations` times (default 1), and fails the model's load when a record does not parse or when there
 * are more than `WarmupConsts::kMaxNumRecords` (1000) records.
 *
 * Records are encoded by prediction-log.ts (one PredictionLog encoder for warmup files and request capture); the
 * tests decode them with a schema transcribed independently from TF Serving's .proto files.
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

/** One TFRecord frame around `data` (tensorflow/core/lib/io/record_writer.cc, `RecordWriter::WriteRecord`). */
export function tfRecordFrame(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}

/** Frames records as a TFRecord file, in order. */
export function tfRecordFile(records: Uint8Array[]): Buffer {
  return Buffer.concat(records.map(tfRecordFrame));
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


/** A warmup file: one PredictionLog record (the request only) per entry, TFRecord-framed. */
export function warmupRequestsFile(requests: Array<Omit<PredictEntry, 'outputs'>>): Buffer {
  if (requests.length === 0 || requests.length > MAX_WARMUP_RECORDS) {
    throw new Error(`a warmup file holds 1 to ${MAX_WARMUP_RECORDS} records (saved_model_warmup_util.cc), got ${requests.length}`);
  }
  return tfRecordFile(requests.map((r) => encodePredictionLog(r)));
}
