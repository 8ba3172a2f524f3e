/**
 * IPv4 CIDR ranges as Compute Engine and GKE read them (pure).
 *
 * Compute Engine takes a range's network address only: `10.0.0.1/24` is rejected because host bits are set
 * (https://cloud.google.com/vpc/docs/subnets#valid-ranges), so `parseCidr` refuses it too rather than rounding.
 */

/** A parsed IPv4 range. */
export interface Ipv4Range {
  /** The range as written, e.g. `10.0.0.0/20`. */
  readonly cidr: string;
  /** First address, as an unsigned 32-bit number. */
  readonly first: number;
  /** Last address, as an unsigned 32-bit number. */
  readonly last: number;
  /** Prefix length. */
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`; undefined unless every octet is 0–255, the prefix is 0–32, written without leading zeros, and
 * the address is the range's network address (no host bits set).
 */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const m = CIDR.exec(cidr);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  if (parts.slice(0, 4).some((o) => o > 255) || parts[4] > 32) return undefined;
  const prefix = parts[4];
  const address = ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { cidr, first: address, last: address + size - 1, prefix };
}

/** Whether two ranges share an address. */
export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/**
 * The IPv4 ranges Google Cloud documents as valid internal subnet ranges besides privately used public ones
 * (https://cloud.google.com/vpc/docs/subnets#valid-ranges): RFC 1918, shared address space (RFC 6598), IETF protocol
 * assignments (RFC 6890), the documentation TEST-NETs (RFC 5737), the deprecated 6to4 relay (RFC 7526), benchmark
 * testing (RFC 2544) and Class E (RFC 5735, RFC 1112).
 */
export const GOOGLE_INTERNAL_RANGES: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '192.0.0.0/24',
  '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '192.88.99.0/24', '198.18.0.0/15', '240.0.0.0/4',
];

/** Whether every address of `r` lies in one of GOOGLE_INTERNAL_RANGES. */
export function isGoogleInternalRange(r: Ipv4Range): boolean {
  return GOOGLE_INTERNAL_RANGES.map((c) => parseCidr(c)!).some((i) => i.first <= r.first && r.last <= i.last);
}
