import { Duration } from 'cdk8s';

/**
 * How many buckets {@link requestIdShareRegex} divides requests into: the last three hex digits of the
 * `x-request-id` UUID, so a share is exact to 1/4096 (about 0.025 %).
 */
export const REQUEST_ID_BUCKETS = 4096;

const HEX = '0123456789abcdef';

/**
 * An Istio duration (`google.protobuf.Duration` text) in whole milliseconds: `30s`, `10.003s`. istiod refuses
 * finer durations (pkg/config/validation/agent `ValidateDuration`: "only durations to ms precision are supported"),
 * so a sub-millisecond value (a batching timeout of 500 µs added to 10 s) is rounded up: a timeout never ends
 * before the duration it was sized from.
 */
export function istioDuration(d: Duration): string {
  return `${wholeMillis(d) / 1000}s`;
}

/** A duration in whole milliseconds, rounded up (float noise below 1 ns ignored). */
export function wholeMillis(d: Duration): number {
  return Math.ceil(d.toMilliseconds({ integral: false }) - 1e-6);
}

/** Flagger's interval syntax, shared with GatewayCanary (serving/flagger-analysis.ts). */
export { flaggerInterval } from '../serving/flagger-analysis';

/** The number of `x-request-id` buckets that carries `percent` of the requests. */
export function requestIdBuckets(percent: number): number {
  return Math.round((percent * REQUEST_ID_BUCKETS) / 100);
}

/**
 * An RE2 regex (Istio header `regex`, a full match) that matches about `percent` % of random `x-request-id` values:
 * those whose last three hex digits, read as a number, are below `percent × 4096 / 100`.
 *
 * Envoy gives every request that arrives without an `x-request-id` a random UUID before it picks a route, so this
 * selects a random share of requests in a single routing hop, where Istio's weights cannot (a rewrite applies to a
 * whole route, never to one weighted destination, istio/istio#8026).
 *
 * @returns `undefined` for a share of 0 (no request matches) and `'.*'` for 100
 */
export function requestIdShareRegex(percent: number): string | undefined {
  const n = requestIdBuckets(percent);
  if (n <= 0) return undefined;
  if (n >= REQUEST_ID_BUCKETS) return '.*';
  return `.*(${hexSuffixesBelow(n, 3)})`;
}

/**
 * RE2 alternatives matching the `digits`-long lower-case hex strings whose value is below `count`
 * (0 < count < 16^digits): `hexSuffixesBelow(26, 2)` is `0[0-9a-f]|1[0-9]`. Anchored at the end of a random
 * `x-request-id`, they select count / 16^digits of the requests — the one sampling rule used for traffic shares
 * here and for access-log sampling (RequestLogging).
 */
export function hexSuffixesBelow(count: number, digits: number): string {
  const below = (k: number) => (k === 1 ? '0' : k <= 10 ? `[0-${k - 1}]` : k === 11 ? '[0-9a]' : `[0-9a-${HEX[k - 1]}]`);
  const any = (r: number) => (r === 0 ? '' : r === 1 ? '[0-9a-f]' : `[0-9a-f]{${r}}`);
  const alternatives: string[] = [];
  let prefix = '';
  for (let i = 0; i < digits; i++) {
    const place = 16 ** (digits - 1 - i);
    const d = Math.floor(count / place) % 16;
    if (d > 0) alternatives.push(`${prefix}${below(d)}${any(digits - 1 - i)}`);
    prefix += HEX[d];
  }
  return alternatives.join('|');
}
