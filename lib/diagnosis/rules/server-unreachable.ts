/**
 * Rule `server-unreachable`: netready's test server could not be reached, so the network could not be tested —
 * either from the start (no test session could be opened) or during the run (the server stopped answering before
 * the run ended, facts-deployment.ts). The verdict becomes "inconclusive", never a false "blocked", and nothing the
 * server's disappearance may have caused is reported as a network problem.
 */
import { SERVER_VIEW_PROBE_ID } from '../../probes/server-view';
import { SESSION_PROBE_ID } from '../../probes/session';
import type { Rule } from '../types';
import { SERVER_UNREACHABLE_CODE } from '../facts-deployment';

/** server-unreachable */
export const serverUnreachable: Rule = {
  code: SERVER_UNREACHABLE_CODE,
  evaluate(facts) {
    const where = facts.probeUrl ?? 'the netready test server';
    if (!facts.session.ok) {
      return {
        code: SERVER_UNREACHABLE_CODE,
        severity: 'blocker',
        category: 'deployment',
        title: 'The netready test server could not be reached, so the network could not be tested',
        detail:
          `This browser could not open a test session with ${where}. ${facts.session.reason ?? ''} ` +
          'Without it none of the network checks can run, so this result says nothing yet about whether calls will work.',
        remediation:
          `Check that ${where} is running and reachable from this computer (open it in a new tab). ` +
          'If it opens elsewhere but not on this network, allow outbound HTTP(S) to that address in the firewall or proxy, then run the test again.',
        evidence: facts.session.evidence,
        probes: [SESSION_PROBE_ID],
      };
    }
    const lost = facts.deployment.server;
    if (!lost.lost) return null;
    const undecided = Object.entries(facts.outcomes)
      .filter(([, outcome]) => outcome.reclassified?.because === SERVER_UNREACHABLE_CODE)
      .map(([id]) => id);
    return {
      code: SERVER_UNREACHABLE_CODE,
      severity: 'blocker',
      category: 'deployment',
      title: 'The netready test server stopped answering during the test, so the result is incomplete',
      detail:
        `The test session with ${where} was opened, but at the end of the run the server no longer answered. ${lost.reason ?? ''} ` +
        (undecided.length > 0
          ? `The checks that failed or were still running (${undecided.join(', ')}) may have failed because the server went away, so they are shown as "not decided", not as network problems. `
          : '') +
        'What passed before it went away did pass.',
      remediation:
        `Run the test again. If this keeps happening, the operator of ${where} should check that its probe server is running (its log, /v1/health) and is not being restarted or overloaded.`,
      evidence: lost.evidence,
      probes: [SERVER_VIEW_PROBE_ID, ...undecided],
    };
  },
};
