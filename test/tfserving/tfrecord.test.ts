import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { crc32c, maskedCrc32c, MAX_WARMUP_RECORDS, readTfRecordFile, tfRecordFile, tfRecordFrame, warmupRequestsFile } from '../../lib/tfserving/tfrecord';
import { PREDICTION_LOG_PROTO } from '../support/prediction-log-proto';
import { sharedDir } from '../support/shared';

const root = protobuf.parse(PREDICTION_LOG_PROTO, { keepCase: true }).root;
const PredictionLog = root.lookupType('tensorflow.serving.PredictionLog');
const decode = (b: Uint8Array): any => PredictionLog.toObject(PredictionLog.decode(b), { longs: Number, enums: String, bytes: Buffer });

test('crc32c matches the CRC-32C check value and TensorFlow\'s mask', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(Buffer.alloc(0))).toBe(0);
  // crc32c of 32 zero bytes, from RFC 3720 B.4.
  expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
  const crc = 0xe3069283;
  expect(maskedCrc32c(Buffer.from('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
});

test('TFRecord framing: length, masked CRC of the length, data, masked CRC of the data', () => {
  const file = tfRecordFile([Buffer.from('abc'), Buffer.from('')]);
  expect(file.length).toBe(16 + 3 + 16);
  expect(file.readBigUInt64LE(0)).toBe(3n);
  expect(file.readUInt32LE(8)).toBe(maskedCrc32c(file.subarray(0, 8)));
  expect(file.subarray(12, 15).toString()).toBe('abc');
  expect(file.readUInt32LE(15)).toBe(maskedCrc32c(Buffer.from('abc')));
  expect(readTfRecordFile(file).map((b) => b.toString())).toEqual(['abc', '']);
  const corrupt = Buffer.from(file);
  corrupt[13] ^= 1;
  expect(() => readTfRecordFile(corrupt)).toThrow('bad data CRC at byte 0');
  expect(() => readTfRecordFile(file.subarray(0, 17))).toThrow('truncated record at byte 0');
  expect(tfRecordFile([Buffer.from('abc')])).toEqual(tfRecordFrame(Buffer.from('abc')));
});

test('warmup records decode as PredictionLog { predict_log { request } } with every dtype', () => {
  const file = warmupRequestsFile([{
    modelName: 'resnet', signatureName: 'serving_default',
    inputs: {
      f: { dtype: 'DT_FLOAT', shape: [2, 2], values: [0.5, -1.25, 3, 4] },
      d: { dtype: 'DT_DOUBLE', shape: [1], values: [0.1] },
      i: { dtype: 'DT_INT32', shape: [3], values: [-1, 0, 2147483647] },
      l: { dtype: 'DT_INT64', shape: [2], values: [-5, 2 ** 40] },
      s: { dtype: 'DT_STRING', shape: [2], values: [Buffer.from('hi'), Buffer.from('yö')] },
    },
  }]);
  const [record] = readTfRecordFile(file);
  const log = decode(record);
  // A warmup record holds the request only (saved_model_warmup_util.cc reads predict_log.request).
  expect(Object.keys(log).sort()).toEqual(['log_metadata', 'predict_log']);
  expect(Object.keys(log.predict_log)).toEqual(['request']);
  const req = log.predict_log.request;
  expect(req.model_spec).toEqual({ name: 'resnet', signature_name: 'serving_default' });
  expect(Object.keys(req.inputs).sort()).toEqual(['d', 'f', 'i', 'l', 's']);
  expect(req.inputs.f).toEqual({ dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }, { size: 2 }] }, float_val: [0.5, -1.25, 3, 4] });
  expect(req.inputs.d.double_val).toEqual([0.1]);
  expect(req.inputs.i).toEqual({ dtype: 'DT_INT32', tensor_shape: { dim: [{ size: 3 }] }, int_val: [-1, 0, 2147483647] });
  expect(req.inputs.l.int64_val).toEqual([-5, 2 ** 40]);
  expect(req.inputs.s.string_val.map((b: Buffer) => b.toString('utf8'))).toEqual(['hi', 'yö']);
});

test('a warmup file holds 1 to 1000 records (saved_model_warmup_util.cc)', () => {
  const rec = { modelName: 'm', signatureName: 's', inputs: { x: { dtype: 'DT_FLOAT' as const, shape: [1], values: [1] } } };
  expect(readTfRecordFile(warmupRequestsFile(Array(MAX_WARMUP_RECORDS).fill(rec)))).toHaveLength(1000);
  expect(() => warmupRequestsFile(Array(1001).fill(rec))).toThrow('a warmup file holds 1 to 1000 records (saved_model_warmup_util.cc), got 1001');
  expect(() => warmupRequestsFile([])).toThrow('a warmup file holds 1 to 1000 records (saved_model_warmup_util.cc), got 0');
});

// The transcribed schema must agree with TF Serving's own .proto files (present on development machines, not in CI).
const SHARED = sharedDir('tfserving', 'protos');
const sharedProtos = ['prediction_log', 'predict', 'model', 'logging', '../config/logging_config'];
// Without ../shared beside the checkout (as in CI) the comparison is reported as skipped, not passed.
(SHARED ? test.each(sharedProtos) : test.skip.each(sharedProtos))('the transcription agrees with tensorflow_serving/apis/%s.proto', (name) => {
  const upstream = protobuf.parse(fs.readFileSync(path.join(SHARED!, 'tensorflow_serving', 'apis', `${name}.proto`), 'utf8'), { keepCase: true }).root;
  const ns = upstream.lookup('tensorflow.serving') as protobuf.Namespace;
  const types = ns.nestedArray.filter((t): t is protobuf.Type => t instanceof protobuf.Type);
  let compared = 0;
  for (const t of types) {
    const mine = root.lookup(`tensorflow.serving.${t.name}`) as protobuf.Type | null;
    if (!mine || mine.fieldsArray.length === 0) continue;
    for (const f of mine.fieldsArray) {
      // Same number, same type (by its last name: upstream google.protobuf.Int64Value is Int64Value here), same label.
      const theirs = t.fields[f.name];
      expect([t.name, f.name, theirs?.id, theirs?.type.split('.').pop(), theirs?.repeated]).toEqual([t.name, f.name, f.id, f.type.split('.').pop(), f.repeated]);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(0);
});
