/**
 * The seeded tensor generator the LoadTest's k6 script runs (lib/ops/k6 script, function `generate`), written again
 * here so that synth can build the same example (warmup records, size checks) without running k6. The two are kept
 * equal by test/ops/load-test.test.ts, which runs the k6 script and compares.
 *
 * mulberry32 (a 32-bit PRNG whose arithmetic is exact in every JavaScript engine: Math.imul and >>> only).
 */

/** What the generator needs to know about one input. */
export interface GeneratorSpec {
  /** `tensorflow.DataType` number: 1 float, 2 double, 3 int32, 7 string, 9 int64. */
  readonly dtypeNumber: number;
  /** Values per example. */
  readonly size: number;
  /** Seed of this input. */
  readonly seed: number;
  /** Smallest value (numbers). */
  readonly min: number;
  /** Largest value (numbers; integers include it). */
  readonly max: number;
  /** Characters per string (DT_STRING). */
  readonly stringLength: number;
}

/** A mulberry32 stream: each call returns the next unsigned 32-bit integer. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * One example's values: floats uniform in [min, max) rounded to 4 decimals (short JSON), integers uniform in
 * [min, max], strings of `stringLength` lower-case letters and digits.
 */
export function generateValues(spec: GeneratorSpec): Array<number | string> {
  const next = mulberry32(spec.seed);
  const out: Array<number | string> = new Array(spec.size);
  for (let i = 0; i < spec.size; i++) {
    if (spec.dtypeNumber === 7) {
      let s = '';
      for (let k = 0; k < spec.stringLength; k++) s += ALPHABET[next() % ALPHABET.length];
      out[i] = s;
    } else if (spec.dtypeNumber === 1 || spec.dtypeNumber === 2) {
      out[i] = Math.round((spec.min + (spec.max - spec.min) * (next() / 4294967296)) * 10000) / 10000;
    } else {
      out[i] = spec.min + Math.floor((next() / 4294967296) * (spec.max - spec.min + 1));
    }
  }
  return out;
}
