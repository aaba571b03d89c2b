/**
 * Diagnosis: probe outcomes → findings (sorted blocker, warning, info), the verdict, and the outcomes as the result
 * records them. Pure and synchronous. In order:
 *  1. deployment facts (facts-deployment.ts): netready's own failures — an untrusted certificate, a server lost
 *     mid-run — and the outcomes they explain reclassified from fail/warn to inconclusive, so no network rule reads
 *     them ("never blame the network for netready");
 *     Then the browser facts (facts-browser.ts, issue 18): WebRTC missing, netready on loopback, TURN/TLS by IP not
 *     tried — their outcomes reclassified the same way;
 *     Then the slow-link facts (facts-slow-link.ts, issue 16): checks a long round trip cut short before they could
 *     finish, reclassified the same way and explained by `high-rtt` ("a slow network is high-rtt, not blocked");
 *  2. every rule over the facts;
 *  3. every fail/warn/reclassified outcome linked to the findings that explain it (explain.ts: "no silent failures").
 */
import type { ClientInfo, Finding, ProbeOutcome, Verdict } from '../schema/result';
import { browserClaims, deriveBrowserFacts, reclassifyForBrowser } from './facts-browser';
import { explainOutcomes } from './explain';
import { deriveFacts } from './facts';
import { deriveDeploymentFacts, reclassifyForDeployment, type DeploymentFacts } from './facts-deployment';
import { deriveSlowLinkFacts, reclassifyForSlowLink } from './facts-slow-link';
import { RULES } from './rules/index';
import { THRESHOLDS, type Thresholds } from './thresholds';
import type { Rule } from './types';
import { decideVerdict } from './verdict';
import { sortFindings } from '../schema/finding-order';

/** Diagnosis output. */
export interface Diagnosis {
  verdict: Verdict;
  findings: Finding[];
  /** The outcomes to record: reclassified where netready's own failure explains them, each failure explained. */
  probes: Record<string, ProbeOutcome>;
}

/** Options of diagnose(); defaults are the production rules and thresholds. */
export interface DiagnoseOptions {
  probeUrl?: string;
  rules?: readonly Rule[];
  thresholds?: Thresholds;
  /** The result's client block: its WebRTC capabilities decide `webrtc-unavailable` (issue 18). */
  client?: ClientInfo;
}

/** The deployment facts with the probes the browser facts explain taken out of the certificate's list. */
function withoutBrowserClaims(deployment: DeploymentFacts, claimed: ReadonlySet<string>): DeploymentFacts {
  if (claimed.size === 0 || !deployment.certificate.untrusted) return deployment;
  return { ...deployment, certificate: { ...deployment.certificate, affectedProbes: deployment.certificate.affectedProbes.filter((id) => !claimed.has(id)) } };
}

/** Runs every rule over the probe outcomes and decides the verdict. */
export function diagnose(rawProbes: Record<string, ProbeOutcome>, options: DiagnoseOptions = {}): Diagnosis {
  // The browser's and the way netready was opened (issue 18): read from the raw outcomes, like the deployment facts.
  // What they explain is theirs, not the certificate's: Firefox that never tried `turns:<ip>` did not reject it.
  const browser = deriveBrowserFacts(rawProbes, options.client);
  const deployment = withoutBrowserClaims(deriveDeploymentFacts(rawProbes), browserClaims(browser));
  const thresholds = options.thresholds ?? THRESHOLDS;
  const explainedByNetready = reclassifyForBrowser(reclassifyForDeployment(rawProbes, deployment), browser, rawProbes);
  const slowLink = deriveSlowLinkFacts(explainedByNetready, thresholds);
  const probes = reclassifyForSlowLink(explainedByNetready, slowLink);
  const facts = deriveFacts(probes, options.probeUrl, thresholds, deployment, browser, slowLink);
  const found: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    const finding = rule.evaluate(facts);
    if (!finding) continue;
    found.push({
      ...finding,
      category: finding.category ?? 'network',
      ...(finding.probes === undefined && rule.explains ? { probes: [...rule.explains] } : {}),
    });
  }
  const explained = explainOutcomes(probes, found);
  const findings = sortFindings(explained.findings);
  return { verdict: decideVerdict(facts), findings, probes: explained.probes };
}
