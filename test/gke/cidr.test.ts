import { GOOGLE_INTERNAL_RANGES, isGoogleInternalRange, parseCidr, rangesOverlap } from '../../lib/gke/cidr';

describe('parseCidr', () => {
  test('a network address with its prefix: first and last address', () => {
    expect(parseCidr('10.0.0.0/20')).toEqual({ cidr: '10.0.0.0/20', first: 0x0a000000, last: 0x0a000fff, prefix: 20 });
    expect(parseCidr('255.255.255.255/32')).toEqual({ cidr: '255.255.255.255/32', first: 0xffffffff, last: 0xffffffff, prefix: 32 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ cidr: '0.0.0.0/0', first: 0, last: 0xffffffff, prefix: 0 });
  });

  test.each(['10.0.0.1/20', '10.0.0/20', '10.0.0.0', '256.0.0.0/8', '10.0.0.0/33', '010.0.0.0/8', '10.0.0.0/ 8', ' 10.0.0.0/8'])('refuses %j', (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });
});

describe('rangesOverlap', () => {
  const r = (c: string) => parseCidr(c)!;
  test('nested, equal and adjacent ranges', () => {
    expect(rangesOverlap(r('10.4.0.0/14'), r('10.5.0.0/16'))).toBe(true);
    expect(rangesOverlap(r('10.0.0.0/20'), r('10.0.0.0/20'))).toBe(true);
    expect(rangesOverlap(r('10.0.0.0/20'), r('10.0.16.0/20'))).toBe(false);
    expect(rangesOverlap(r('10.0.16.0/20'), r('10.0.0.0/20'))).toBe(false);
  });
});

describe('isGoogleInternalRange', () => {
  const r = (c: string) => parseCidr(c)!;
  test('every listed range and its sub-ranges are internal', () => {
    for (const c of GOOGLE_INTERNAL_RANGES) expect(isGoogleInternalRange(r(c))).toBe(true);
    expect(isGoogleInternalRange(r('10.200.3.4/32'))).toBe(true);
    expect(isGoogleInternalRange(r('255.255.255.255/32'))).toBe(true);
  });

  test.each(['8.8.8.8/32', '0.0.0.0/0', '10.0.0.0/7', '172.32.0.0/16', '100.128.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '224.0.0.0/4'])('%s is not', (c) => {
    expect(isGoogleInternalRange(r(c))).toBe(false);
  });
});
