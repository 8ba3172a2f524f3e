/**
 * A GKE release channel: how fast the control plane and the nodes follow new GKE versions.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels
 */
export enum ReleaseChannel {
  /** Weekly upgrades; for testing new features. */
  RAPID = 'RAPID',
  /** Several upgrades a month; the default channel of new clusters. */
  REGULAR = 'REGULAR',
  /** Upgrades every few months; versions proven in REGULAR. */
  STABLE = 'STABLE',
  /** Like REGULAR, but a minor version is supported for up to 24 months (GKE Enterprise pricing applies after standard support). */
  EXTENDED = 'EXTENDED',
  /** No release channel: versions are pinned by hand, and node auto-upgrade may be turned off. */
  UNSPECIFIED = 'UNSPECIFIED',
}
