import { Duration } from 'cdk8s';

/** A short, exact form of a Duration for messages: `90s`, `5m`, `2h`, `0.5s` (cdk8s's toHumanString prints 2 h as "1 hour 60 minutes"). */
export function formatDuration(d: Duration): string {
  const s = d.toSeconds({ integral: false });
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${+s.toFixed(6)}s`;
}
