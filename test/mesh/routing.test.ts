import { Duration } from 'cdk8s';
import { flaggerInterval, istioDuration, REQUEST_ID_BUCKETS, requestIdBuckets, requestIdShareRegex } from '../../lib/mesh/routing';

/** Every 3-hex-digit suffix, as Envoy's lower-case UUIDs end. */
const SUFFIXES = Array.from({ length: REQUEST_ID_BUCKETS }, (_, i) => i.toString(16).padStart(3, '0'));

function share(percent: number): number {
  const re = requestIdShareRegex(percent);
  if (re === undefined) return 0;
  const full = new RegExp(`^(?:${re})$`);
  return SUFFIXES.filter((s) => full.test(`0f2c9d1e-7b7a-4f35-9e3a-5c1d2b3a4${s}`)).length;
}

describe('requestIdShareRegex', () => {
  test.each([1, 5, 10, 25, 33, 50, 75, 99])('%i %% matches exactly round(percent × 4096 / 100) of the 4096 request-id suffixes', (percent) => {
    // GIVEN every possible last-three-hex-digits suffix of a request id
    // THEN the regex (a full match, as Envoy applies it) selects the intended share, to 1/4096
    expect(share(percent)).toBe(requestIdBuckets(percent));
    expect(Math.abs(share(percent) / REQUEST_ID_BUCKETS * 100 - percent)).toBeLessThan(100 / REQUEST_ID_BUCKETS);
  });

  test('every share from 1 to 4095 buckets is exact (range decomposition of the hex suffix)', () => {
    for (let n = 1; n < REQUEST_ID_BUCKETS; n += 7) {
      expect(share((n * 100) / REQUEST_ID_BUCKETS)).toBe(n);
    }
  });

  test('0 % matches nothing (no route), 100 % everything', () => {
    expect(requestIdShareRegex(0)).toBeUndefined();
    expect(requestIdShareRegex(100)).toBe('.*');
  });

  test('10 %: 410 buckets as three alternatives', () => {
    expect(requestIdShareRegex(10)).toBe('.*(0[0-9a-f]{2}|1[0-8][0-9a-f]|19[0-9])');
  });
});

describe('durations', () => {
  test('istioDuration writes whole milliseconds (istiod refuses finer), rounded up, decimals only when needed', () => {
    expect(istioDuration(Duration.seconds(30))).toBe('30s');
    expect(istioDuration(Duration.millis(10_002))).toBe('10.002s');
    expect(istioDuration(Duration.millis(10_000.5))).toBe('10.001s');
    expect(istioDuration(Duration.millis(0.25))).toBe('0.001s');
    expect(istioDuration(Duration.minutes(2))).toBe('120s');
  });

  test('flaggerInterval writes whole minutes or whole seconds, nothing else', () => {
    expect(flaggerInterval(Duration.minutes(1))).toBe('1m');
    expect(flaggerInterval(Duration.seconds(90))).toBe('90s');
    expect(flaggerInterval(Duration.millis(1500))).toBeUndefined();
    expect(flaggerInterval(Duration.millis(500))).toBeUndefined();
  });
});
