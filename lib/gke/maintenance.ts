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
