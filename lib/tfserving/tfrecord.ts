/**
 * TFRecord framing, as TensorFlow's `tf.io.TFRecordWriter` writes it and `tf.data.TFRecordDataset` reads it:
 * for each record, `uint64 length` (little-endian), `uint32 masked_crc32c(length bytes)`, the data,
 * `uint32 masked_crc32c(data)`.
 *
 * @see https://www.tensorflow.org/tutorials/load_data/tfrecord#tfrecords_format_details
 */

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `data` (crc32c("123456789") = 0xE3069283). */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masked CRC: `((crc >>> 15) | (crc << 17)) + 0xa282ead8`, modulo 2^32 (tensorflow/core/lib/hash/crc32c.h, Mask). */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord frame around `data`. */
export function tfRecordFrame(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}

/** A TFRecord file holding `records` in order. */
export function writeTfRecords(records: Uint8Array[]): Buffer {
  return Buffer.concat(records.map(tfRecordFrame));
}
