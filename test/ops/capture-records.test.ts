import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { main } from '../../lib/cli';
import { captureToPredictionLogs, parseCaptureFile } from '../../lib/ops/capture-records';
import { loadPredictionLogType } from '../support/tfserving-protos';

/** CRC-32C bit by bit (no table), independent of the library's table-driven one. */
function crc32cBitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** Splits a TFRecord file, checking both CRCs of every frame with the bitwise CRC. */
function readTfRecords(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    const length = Number(file.readBigUInt64LE(at));
    expect(file.readUInt32LE(at + 8)).toBe(mask(crc32cBitwise(file.subarray(at, at + 8))));
    const data = file.subarray(at + 12, at + 12 + length);
    expect(file.readUInt32LE(at + 12 + length)).toBe(mask(crc32cBitwise(data)));
    out.push(data);
    at += 16 + length;
  }
  expect(at).toBe(file.length);
  return out;
}

const line = (o: object) => JSON.stringify(o);
const CAPTURE = [
  line({ id: 'b', kind: 'request', model: 'resnet', version: '2', sampleRate: 0.1, time: '2026-11-30T10:00:01Z', body: '{"instances": [{"x": [1, 2], "tag": "a"}, {"x": [3, 4], "tag": {"b64": "AAE="}}]}' }),
  line({ id: 'a', kind: 'response', model: 'resnet', version: '2', sampleRate: 0.1, time: '2026-11-30T10:00:00Z', body: '{"predictions": [0.5, 0.25]}' }),
  line({ id: 'a', kind: 'request', model: 'resnet', version: '2', sampleRate: 0.1, time: '2026-11-30T10:00:00Z', body: '{"signature_name": "serving_default", "inputs": {"ids": [[7, 8, 9]]}}' }),
  line({ id: 'b', kind: 'response', model: 'resnet', version: '2', sampleRate: 0.1, time: '2026-11-30T10:00:01Z', body: '{"predictions": [{"p": 0.5}, {"p": 0.75}]}' }),
  line({ id: 'c', kind: 'request', model: 'resnet', version: '2', body: '{"instances": [[1]]}' }),
  line({ id: 'd', kind: 'request', model: 'resnet', version: '2', body: '{"examples": [{"x": 1}]}' }),
  line({ id: 'd', kind: 'response', model: 'resnet', version: '2', body: '{"results": [[["a", 0.5]]]}' }),
].join('\n');

test('the TFRecord CRC is CRC-32C: the bitwise reference gives the known check value', () => {
  // GIVEN the standard check input THEN the reference implementation the tests rely on is right
  expect(crc32cBitwise(Buffer.from('123456789'))).toBe(0xe3069283);
});

test('capture-to-tfrecord writes PredictionLogs that decode with TF Serving\'s protos, framed with valid TFRecord CRCs', () => {
  // GIVEN a gzipped capture file (as the GCS sink writes it) with two complete predict calls, one lone request
  // and one classify call
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-'));
  fs.mkdirSync(path.join(dir, 'in', 'model=resnet'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'in', 'model=resnet', '1700000000-x.log.gz'), gzipSync(CAPTURE));
  const out = path.join(dir, 'out', 'resnet.tfrecord');
  const stdout: string[] = [];
  const stderr: string[] = [];
  // WHEN the command runs on the folder
  const code = main(['capture-to-tfrecord', '--output', out, '--dtype', 'ids=DT_INT64', path.join(dir, 'in')], (s) => stdout.push(s), (s) => stderr.push(s));
  // THEN it reports what it did
  expect(code).toBe(0);
  expect(stdout.join('')).toBe(`2 PredictionLog records written to ${out}; 1 unpaired, 1 skipped\n`);
  expect(stderr.join('')).toBe('skipped d: a predict request body must have "instances" (row format) or "inputs" (columnar format)\n');
  // AND the file is two TFRecord frames of PredictionLog, ordered by request time
  const type = loadPredictionLogType();
  const logs = readTfRecords(fs.readFileSync(out)).map((b) => type.toObject(type.decode(b), { longs: Number, enums: String }));
  expect(logs).toEqual([
    {
      log_metadata: {
        model_spec: { name: 'resnet', version: { value: 2 }, signature_name: 'serving_default' },
        sampling_config: { sampling_rate: 0.1 },
        timestamp_secs: Date.parse('2026-11-30T10:00:00Z') / 1000,
      },
      predict_log: {
        request: {
          model_spec: { name: 'resnet', version: { value: 2 }, signature_name: 'serving_default' },
          inputs: { ids: { dtype: 'DT_INT64', tensor_shape: { dim: [{ size: 1 }, { size: 3 }] }, int64_val: [7, 8, 9] } },
        },
        response: {
          model_spec: { name: 'resnet', version: { value: 2 }, signature_name: 'serving_default' },
          outputs: { outputs: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }] }, float_val: [0.5, 0.25] } },
        },
      },
    },
    {
      log_metadata: {
        model_spec: { name: 'resnet', version: { value: 2 } },
        sampling_config: { sampling_rate: 0.1 },
        timestamp_secs: Date.parse('2026-11-30T10:00:01Z') / 1000,
      },
      predict_log: {
        request: {
          model_spec: { name: 'resnet', version: { value: 2 } },
          inputs: {
            tag: { dtype: 'DT_STRING', tensor_shape: { dim: [{ size: 2 }] }, string_val: [Buffer.from('a'), Buffer.from([0, 1])] },
            x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }, { size: 2 }] }, float_val: [1, 2, 3, 4] },
          },
        },
        response: {
          model_spec: { name: 'resnet', version: { value: 2 } },
          outputs: { p: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }] }, float_val: [0.5, 0.75] } },
        },
      },
    },
  ]);
});

test('KServe\'s own blob-store records (LogRequest JSON, base64 bytes) are read too', () => {
  // GIVEN a request and a response as KServe's agent writes them with --log-store-format json
  const req = { id: 'k1', reqType: 'org.kubeflow.serving.inference.request', inferenceService: 'bert', bytes: Buffer.from('{"instances": [[1.5]]}').toString('base64') };
  const res = { id: 'k1', reqType: 'org.kubeflow.serving.inference.response', inferenceService: 'bert', bytes: Buffer.from('{"predictions": [[2.5]]}').toString('base64') };
  // WHEN they are paired
  const records = [...parseCaptureFile(Buffer.from(JSON.stringify(req))), ...parseCaptureFile(Buffer.from(JSON.stringify([res])))];
  const result = captureToPredictionLogs(records, { defaultInputName: 'x' });
  // THEN one PredictionLog results, with the model name from inferenceService
  const type = loadPredictionLogType();
  expect(result.unpaired).toEqual([]);
  expect(type.toObject(type.decode(result.logs[0]), { longs: Number, enums: String })).toEqual({
    log_metadata: { model_spec: { name: 'bert' } },
    predict_log: {
      request: { model_spec: { name: 'bert' }, inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 1 }] }, float_val: [1.5] } } },
      response: { model_spec: { name: 'bert' }, outputs: { outputs: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 1 }] }, float_val: [2.5] } } },
    },
  });
});

test('a ragged tensor is skipped with the reason', () => {
  const records = parseCaptureFile(Buffer.from([
    line({ id: 'r', kind: 'request', model: 'm', body: '{"instances": [[1, 2], [3]]}' }),
    line({ id: 'r', kind: 'response', model: 'm', body: '{"predictions": [1, 2]}' }),
  ].join('\n')));
  expect(captureToPredictionLogs(records).skipped).toEqual([{ id: 'r', reason: 'tensor \'inputs\' is ragged (not every list has the same depth and length)' }]);
});

test('the command refuses unknown options and a missing output with its usage', () => {
  const stderr: string[] = [];
  expect(main(['capture-to-tfrecord', '--dtype', 'x=DT_HALF', 'in'], () => undefined, (s) => stderr.push(s))).toBe(2);
  expect(stderr.join('')).toContain('--dtype takes NAME=DT_FLOAT|DT_DOUBLE|DT_INT32|DT_INT64\nusage: tfserving-constructs capture-to-tfrecord');
  expect(main(['capture-to-tfrecord', 'in'], () => undefined, () => undefined)).toBe(2);
  expect(main(['other'], () => undefined, () => undefined)).toBe(2);
});

test('the command reports an unreadable input and exits 1', () => {
  const stderr: string[] = [];
  const missing = path.join(os.tmpdir(), 'no-such-capture-dir-18');
  expect(main(['capture-to-tfrecord', '--output', path.join(os.tmpdir(), 'x.tfrecord'), missing], () => undefined, (s) => stderr.push(s))).toBe(1);
  expect(stderr.join('')).toBe(`capture-to-tfrecord: ENOENT: no such file or directory, stat '${missing}'\n`);
});
