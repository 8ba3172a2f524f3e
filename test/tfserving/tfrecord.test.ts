import { crc32c, maskedCrc32c, tfRecordFrame, writeTfRecords } from '../../lib/tfserving/tfrecord';

test('crc32c is CRC-32C (Castagnoli): the standard check value', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(new Uint8Array(0))).toBe(0);
});

test('the masked CRC is TensorFlow\'s Mask: rotate right by 15, add 0xa282ead8', () => {
  const crc = 0xe3069283;
  expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
});

test('a frame is length, masked CRC of the length, data, masked CRC of the data', () => {
  const data = Buffer.from('abc');
  const frame = tfRecordFrame(data);
  expect(frame.length).toBe(8 + 4 + 3 + 4);
  expect(frame.readBigUInt64LE(0)).toBe(3n);
  expect(frame.readUInt32LE(8)).toBe(maskedCrc32c(frame.subarray(0, 8)));
  expect(frame.subarray(12, 15).toString()).toBe('abc');
  expect(frame.readUInt32LE(15)).toBe(maskedCrc32c(data));
  expect(writeTfRecords([data, data])).toEqual(Buffer.concat([frame, frame]));
});
