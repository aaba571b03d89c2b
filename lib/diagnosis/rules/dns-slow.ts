/**
 * Rule `dns-slow`: fresh names take long to resolve (median or worst lookup above the thresholds in
 * facts-dns.ts), or some lookups never finished while others did. Every new host name a meeting client needs
 * waits for this. Names resolved by a proxy (0 ms) say nothing about the resolver and do not count.
 */
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/** dns-slow */
export const dnsSlow: Rule = {
  code: 'dns-slow',
  explains: ['dns-lookup'],
  evaluate(facts): Finding | null {
    const lookup = facts.dns?.lookup;
    const thresholds = facts.dns?.thresholds;
    if (!lookup || !thresholds || lookup.resolvedByProxy || lookup.answered === 0) return null;
    const median = lookup.lookupMedianMs;
    const worst = lookup.lookupWorstMs;
    const slowMedian = median !== undefined && median > thresholds.slowLookupMedianMs;
    const slowWorst = worst !== undefined && worst > thresholds.slowLookupWorstMs;
    const someNeverFinished = lookup.timedOut > 0;
    if (!slowMedian && !slowWorst && !someNeverFinished) return null;
    const figures = median !== undefined ? `median ${Math.round(median)} ms, worst ${Math.round(worst ?? median)} ms over ${lookup.answered} fresh name(s)` : '';
    return {
      code: 'dns-slow',
      severity: 'warning',
      title: 'Name lookups (DNS) are slow on this network',
      detail:
        (figures ? `Looking up names nobody had asked for before took ${figures} ` : 'Some name lookups were slow ') +
        `(more than ${thresholds.slowLookupMedianMs} ms typical or ${thresholds.slowLookupWorstMs} ms for any single name is slow)` +
        (someNeverFinished ? `, and ${lookup.timedOut} of ${lookup.attempts} lookup(s) did not finish before the test gave up` : '') +
        '. Every new server a meeting connects to — signalling, TURN, media, content delivery — waits for such a lookup, which delays joining and switching servers.',
      remediation:
        'Check the DNS resolver this network hands out: it should be close to users (on site or at the Internet provider), not overloaded, and forward ' +
        'queries without long timeouts. Make sure DNS over UDP and TCP port 53 to it is not rate-limited, delayed or inspected, and that it is not ' +
        'first trying an upstream server that does not answer.',
      evidence: lookup.evidence,
    };
  },
};
