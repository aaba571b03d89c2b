/**
 * The shape of a diagnosis rule: a pure function from facts to at most one finding.
 */
import type { Finding } from '../schema/result';
import type { TransportFacts } from './facts';

/** A diagnosis rule. Pure: no I/O, no clock, no randomness. */
export interface Rule {
  /** The finding code this rule produces (public API, shared/DESIGN.md). */
  code: string;
  /**
   * Ids of the probes whose fail/warn outcome this rule's finding explains, when the finding does not list them
   * itself (`Finding.probes`). Every failure mode of every probe must be explained by some rule ("no silent
   * failures"; lib/diagnosis/explain.test.ts walks them).
   */
  explains?: readonly string[];
  /** Returns the finding, or null when the rule does not apply. */
  evaluate(facts: TransportFacts): Finding | null;
}
