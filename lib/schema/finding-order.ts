/**
 * The one display order of findings: blockers, then warnings, then notes, each severity in the diagnosis order.
 * Used by the diagnosis (results are stored sorted), the result pages and the embed protocol.
 */
import type { Finding, Severity } from './result';

/** Rank of each severity, most severe first. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { blocker: 0, warning: 1, info: 2 };

/** Returns the findings sorted blocker → warning → info, keeping their order within a severity (a new array). */
export function sortFindings<T extends Pick<Finding, 'severity'>>(findings: readonly T[]): T[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.index - b.index)
    .map(({ finding }) => finding);
}
