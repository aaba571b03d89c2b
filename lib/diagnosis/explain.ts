/**
 * "No silent failures": every probe that ends `fail` or `warn`, and every outcome the diagnosis reclassified, is
 * explained by a finding of the same result (`ProbeOutcome.explainedBy`). A finding names the probes it explains
 * (`Finding.probes`, or its rule's static `explains`). Should a failure ever be left without one — a failure mode no
 * rule knows yet — it is not dropped: the `unexplained-failure` finding names it, with its own reason and evidence,
 * so the person still sees it and the gap can be fixed (lib/diagnosis/explain.test.ts walks every known mode).
 */
import type { Finding, ProbeOutcome } from '../schema/result';

/** Code of the safety-net finding for failures no rule explains. */
export const UNEXPLAINED_CODE = 'unexplained-failure';

/** Whether an outcome needs an explanation: it failed or warned, or the diagnosis changed its status. */
export function needsExplanation(outcome: ProbeOutcome): boolean {
  return outcome.status === 'fail' || outcome.status === 'warn' || outcome.reclassified !== undefined;
}

/** The safety-net finding for the outcomes (by id) nothing explains. */
export function unexplainedFinding(unexplained: Array<[string, ProbeOutcome]>): Finding {
  return {
    code: UNEXPLAINED_CODE,
    severity: 'info',
    category: 'network',
    title: unexplained.length > 1 ? 'Some checks did not pass and netready cannot name the cause' : 'A check did not pass and netready cannot name the cause',
    detail:
      `${unexplained.map(([id, o]) => `"${id}" ended ${o.status}${o.reason ? `: ${o.reason}` : ''}`).join(' ')} ` +
      'No diagnosis rule explains this yet, so it is shown as it is rather than left out. The evidence below is what the check recorded.',
    remediation:
      'Share this result\'s link with whoever supports your meetings or runs this netready installation; the evidence shows what happened. ' +
      'Running the test again tells whether it is persistent.',
    evidence: unexplained.flatMap(([, o]) => o.evidence).slice(0, 20),
    probes: unexplained.map(([id]) => id),
  };
}

/**
 * Sets `explainedBy` on every outcome that did not pass and that a finding names in its `probes`; adds the
 * `unexplained-failure` finding for any left over. Returns new objects; the inputs are not changed.
 */
export function explainOutcomes(probes: Record<string, ProbeOutcome>, findings: Finding[]): { probes: Record<string, ProbeOutcome>; findings: Finding[] } {
  const out: Record<string, ProbeOutcome> = {};
  const unexplained: Array<[string, ProbeOutcome]> = [];
  for (const [id, outcome] of Object.entries(probes)) {
    const by = findings.filter((f) => f.probes?.includes(id)).map((f) => f.code);
    if (needsExplanation(outcome) && by.length === 0) unexplained.push([id, outcome]);
    // Any outcome that did not pass links to the findings that name it (an inconclusive TLS mirror to the untrusted
    // certificate, say), so the person sees why; only fail/warn/reclassified ones must have one.
    out[id] = outcome.status !== 'pass' && by.length > 0 ? { ...outcome, explainedBy: [...new Set(by)] } : outcome;
  }
  if (unexplained.length === 0) return { probes: out, findings };
  for (const [id, outcome] of unexplained) out[id] = { ...outcome, explainedBy: [UNEXPLAINED_CODE] };
  return { probes: out, findings: [...findings, unexplainedFinding(unexplained)] };
}
