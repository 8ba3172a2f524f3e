import { fail } from '../core/errors';

/**
 * What a maintenance exclusion holds back (`exclusionOptions.scope`).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/maintenance-windows-and-exclusions#scope_of_maintenance_to_exclude
 */
export enum MaintenanceExclusionScope {
  /** No upgrades of the control plane or the nodes, at most 30 days. */
  NO_UPGRADES = 'NO_UPGRADES',
  /** Patch upgrades only; no minor upgrades of the control plane or the nodes. */
  NO_MINOR_UPGRADES = 'NO_MINOR_UPGRADES',
  /** Control plane patch upgrades only; no minor upgrades, no node upgrades. */
  NO_MINOR_OR_NODE_UPGRADES = 'NO_MINOR_OR_NODE_UPGRADES',
}

/**
 * A recurring maintenance window (`maintenancePolicy.recurringWindow` in both Config Connector and @pulumi/gcp): GKE
 * upgrades and repairs automatically only inside it.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions
 */
export interface MaintenanceWindow {
  /** First window's start, RFC 3339 in UTC, e.g. `2026-01-03T02:00:00Z`. */
  readonly startTime: string;
  /** First window's end, RFC 3339 in UTC, after `startTime`; the length of every window. */
  readonly endTime: string;
  /** An RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=SA,SU`. */
  readonly recurrence: string;
}

/**
 * A maintenance exclusion: a period in which GKE does not upgrade what `scope` names.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions#exclusions
 */
export interface MaintenanceExclusion {
  /** Name of the exclusion, unique in the cluster. */
  readonly name: string;
  /** Start, RFC 3339 in UTC. */
  readonly startTime: string;
  /** End, RFC 3339 in UTC, after `startTime`. */
  readonly endTime: string;
  /**
   * What is held back.
   *
   * @default MaintenanceExclusionScope.NO_UPGRADES
   */
  readonly scope?: MaintenanceExclusionScope;
}

/** The resolved maintenance policy of a cluster (`GkeClusterSpec.maintenance`). */
export interface MaintenanceSpec {
  /** The recurring window, when set. */
  readonly window?: MaintenanceWindow;
  /** The exclusions, in declaration order, each with its scope. */
  readonly exclusions: readonly ResolvedMaintenanceExclusion[];
}

/** A checked maintenance exclusion, its scope resolved. */
export interface ResolvedMaintenanceExclusion {
  /** Name, unique in the cluster. */
  readonly name: string;
  /** Start, RFC 3339 in UTC. */
  readonly startTime: string;
  /** End, RFC 3339 in UTC. */
  readonly endTime: string;
  /** What is held back. */
  readonly scope: MaintenanceExclusionScope;
}

// RFC 3339 date-time in UTC, as the GKE API takes MaintenanceWindow/TimeWindow times.
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DAY_MS = 24 * 3600 * 1000;
/** Most maintenance exclusions a cluster may have. */
export const MAX_MAINTENANCE_EXCLUSIONS = 20;

// GKE's availability rule for a recurring window: "You must allow at least 48 hours of maintenance availability in a
// 32-day rolling window. Only contiguous availability windows of at least four hours are considered."
// (https://cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions, "Considerations when
// configuring a maintenance window").
const HOUR_MS = 3600 * 1000;
/** Hours of maintenance GKE asks a recurring window to allow in any 32 consecutive days. */
export const MIN_MAINTENANCE_HOURS_PER_32_DAYS = 48;
/** The shortest stretch of availability GKE counts towards them. */
export const MIN_CONTIGUOUS_MAINTENANCE_HOURS = 4;
const ROLLING_MS = 32 * DAY_MS;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * The fewest hours of maintenance that a recurring window allows in any 32 consecutive days, counting only contiguous
 * stretches of at least 4 hours (GKE's rule); undefined when the rule uses parts this check does not expand (only
 * `FREQ=DAILY|WEEKLY` with `INTERVAL` and plain `BYDAY` days are expanded: `MONTHLY`, `COUNT`, `UNTIL`, `BYHOUR` … are not).
 *
 * @param window a window whose times and RRULE syntax are already checked
 */
export function worstMaintenanceHoursPer32Days(window: MaintenanceWindow): number | undefined {
  const parts = new Map(window.recurrence.split(';').map((p) => p.split('=') as [string, string]));
  if ([...parts.keys()].some((k) => !['FREQ', 'INTERVAL', 'BYDAY'].includes(k))) return undefined;
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') return undefined;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) return undefined;
  const byDay = parts.get('BYDAY')?.split(',');
  if (byDay && byDay.some((d) => !WEEKDAYS.includes(d))) return undefined;
  const start = Date.parse(window.startTime);
  const length = Date.parse(window.endTime) - start;
  // the pattern repeats every period; occurrences run at the first window's time of day.
  const period = (freq === 'DAILY' ? interval : 7 * interval) * DAY_MS;
  const days = new Set((byDay ?? (freq === 'WEEKLY' ? [WEEKDAYS[new Date(start).getUTCDay()]] : WEEKDAYS)).map((d) => WEEKDAYS.indexOf(d)));
  // weeks start on Monday (RFC 5545's default WKST): a weekly rule's week k holds the days of the k-th Monday-based week.
  const weekStart = start - ((new Date(start).getUTCDay() + 6) % 7) * DAY_MS;
  const horizon = start + 2 * period + ROLLING_MS + length;
  const occurrences: [number, number][] = [];
  for (let t = start; t <= horizon; t += DAY_MS) {
    const dayIndex = Math.round((t - start) / DAY_MS);
    const inCycle = freq === 'DAILY' ? dayIndex % interval === 0 : Math.floor((t - weekStart) / (7 * DAY_MS)) % interval === 0;
    if (inCycle && days.has(new Date(t).getUTCDay())) occurrences.push([t, t + length]);
  }
  // merge touching or overlapping occurrences into contiguous stretches, and keep those of 4 hours or more.
  const stretches: [number, number][] = [];
  for (const [s, e] of occurrences) {
    const last = stretches[stretches.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else stretches.push([s, e]);
  }
  const counted = stretches.filter(([s, e]) => e - s >= MIN_CONTIGUOUS_MAINTENANCE_HOURS * HOUR_MS);
  const within = (from: number) => counted.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, from + ROLLING_MS) - Math.max(s, from)), 0);
  // in the steady state (one period after the first window), the worst 32 days start or end at a stretch's edge.
  const from = start + period;
  const candidates = [from, ...counted.flatMap(([s, e]) => [s, e, s - ROLLING_MS, e - ROLLING_MS])].filter((t) => t >= from && t < from + period);
  return Math.min(...candidates.map(within)) / HOUR_MS;
}

function checkPeriod(subject: string, prop: string, start: string, end: string): number {
  for (const [p, v] of [[`${prop}.startTime`, start], [`${prop}.endTime`, end]]) {
    if (!UTC_TIME.test(v) || Number.isNaN(Date.parse(v))) {
      fail(subject, p, v, 'be an RFC 3339 time in UTC (GKE\'s maintenance times)', 'write it as 2026-01-03T02:00:00Z');
    }
  }
  const length = Date.parse(end) - Date.parse(start);
  if (length <= 0) fail(subject, `${prop}.endTime`, end, `be after startTime (${start})`, 'swap the times, or move endTime later');
  return length;
}

/**
 * Checks and resolves a cluster's maintenance window and exclusions. Pure.
 *
 * @param subject the cluster, for messages
 * @param window the recurring window
 * @param exclusions the exclusions
 */
export function resolveMaintenance(
  subject: string, window: MaintenanceWindow | undefined, exclusions: MaintenanceExclusion[] | undefined,
): MaintenanceSpec {
  if (window) {
    checkPeriod(subject, 'maintenanceWindow', window.startTime, window.endTime);
    // an RFC 5545 RRULE starts with FREQ= (GKE passes it to its RRULE parser; anything else is rejected by the API).
    if (!/^FREQ=(DAILY|WEEKLY|MONTHLY)(;[A-Z]+=[A-Z0-9,+-]+)*$/.test(window.recurrence)) {
      fail(subject, 'maintenanceWindow.recurrence', window.recurrence, 'be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=SA,SU',
        'write the rule without the RRULE: prefix, e.g. FREQ=DAILY');
    }
    const hours = worstMaintenanceHoursPer32Days(window);
    if (hours !== undefined && hours < MIN_MAINTENANCE_HOURS_PER_32_DAYS) {
      fail(subject, 'maintenanceWindow', window, `leave GKE at least ${MIN_MAINTENANCE_HOURS_PER_32_DAYS} hours of maintenance in any 32 consecutive days, `
        + `counting only stretches of ${MIN_CONTIGUOUS_MAINTENANCE_HOURS} hours or more (this window allows ${Math.round(hours * 100) / 100} hours in the worst 32 days)`,
      'lengthen the window or repeat it more often, e.g. 4 hours on FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR or 6 hours on FREQ=WEEKLY;BYDAY=SA,SU');
    }
  }
  // the Terraform provider (and so @pulumi/gcp) caps maintenance_exclusion at 20 items, raised from 3 when GKE raised its
  // limit (hashicorp/terraform-provider-google resource_container_cluster.go, maintenance_exclusion MaxItems: 20).
  if ((exclusions?.length ?? 0) > MAX_MAINTENANCE_EXCLUSIONS) {
    fail(subject, 'maintenanceExclusions', `${exclusions!.length} exclusions`, `have at most ${MAX_MAINTENANCE_EXCLUSIONS} entries (GKE's limit per cluster)`,
      'remove exclusions that have ended, or merge adjacent ones');
  }
  const resolved = (exclusions ?? []).map((e, i) => {
    const prop = `maintenanceExclusions[${i}]`;
    if (!/^[a-zA-Z0-9][-_a-zA-Z0-9 ]{0,62}$/.test(e.name)) {
      fail(subject, `${prop}.name`, e.name, 'be 1 to 63 letters, digits, spaces, \'-\' or \'_\'', 'shorten the name');
    }
    if ((exclusions ?? []).findIndex((o) => o.name === e.name) !== i) {
      fail(subject, `${prop}.name`, e.name, 'be unique among the cluster\'s exclusions (GKE keys them by name)', 'rename one of them');
    }
    const length = checkPeriod(subject, prop, e.startTime, e.endTime);
    const scope = e.scope ?? MaintenanceExclusionScope.NO_UPGRADES;
    // "No upgrades" exclusions last at most 30 days (maintenance-windows-and-exclusions#scope_of_maintenance_to_exclude).
    if (scope === MaintenanceExclusionScope.NO_UPGRADES && length > 30 * DAY_MS) {
      fail(subject, `${prop}.endTime`, e.endTime, `be at most 30 days after startTime (${e.startTime}) for a NO_UPGRADES exclusion`,
        'shorten the exclusion, or use scope NO_MINOR_UPGRADES / NO_MINOR_OR_NODE_UPGRADES for longer periods');
    }
    return { name: e.name, startTime: e.startTime, endTime: e.endTime, scope };
  });
  return { window: window ? { ...window } : undefined, exclusions: resolved };
}
