/**
 * Rule `server-unreachable`: the page could not open a session on netready's probe server, so nothing about
 * the network could be measured. The verdict becomes "inconclusive", never a false "blocked".
 */
import type { Rule } from '../types';

/** server-unreachable */
export const serverUnreachable: Rule = {
  code: 'server-unreachable',
  evaluate(facts) {
    if (facts.session.ok) return null;
    const where = facts.probeUrl ?? 'the netready test server';
    return {
      code: 'server-unreachable',
      severity: 'blocker',
      title: 'The netready test server could not be reached, so the network could not be tested',
      detail:
        `This browser could not open a test session with ${where}. ${facts.session.reason ?? ''} ` +
        'Without it none of the network checks can run, so this result says nothing yet about whether calls will work.',
      remediation:
        `Check that ${where} is running and reachable from this computer (open it in a new tab). ` +
        'If it opens elsewhere but not on this network, allow outbound HTTP(S) to that address in the firewall or proxy, then run the test again.',
      evidence: facts.session.evidence,
    };
  },
};
