/**
 * Diagnosis: probe outcomes → findings (sorted blocker, warning, info) and the verdict. Pure and synchronous.
 */
import type { Finding, ProbeOutcome, Verdict } from '../schema/result';
import { deriveFacts } from './facts';
import { RULES } from './rules/index';
import { THRESHOLDS, type Thresholds } from './thresholds';
import type { Rule } from './types';
import { decideVerdict } from './verdict';

const SEVERITY_ORDER = { blocker: 0, warning: 1, info: 2 } as const;

/** Diagnosis output. */
export interface Diagnosis {
  verdict: Verdict;
  findings: Finding[];
}

/** Options of diagnose(); defaults are the production rules and thresholds. */
export interface DiagnoseOptions {
  probeUrl?: string;
  rules?: readonly Rule[];
  thresholds?: Thresholds;
}

/** Runs every rule over the probe outcomes and decides the verdict. */
export function diagnose(probes: Record<string, ProbeOutcome>, options: DiagnoseOptions = {}): Diagnosis {
  const facts = deriveFacts(probes, options.probeUrl, options.thresholds ?? THRESHOLDS);
  const findings: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    const finding = rule.evaluate(facts);
    if (finding) findings.push(finding);
  }
  const order = new Map(findings.map((f, i) => [f, i]));
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || order.get(a)! - order.get(b)!);
  return { verdict: decideVerdict(facts), findings };
}
