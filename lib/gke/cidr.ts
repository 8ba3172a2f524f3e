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
