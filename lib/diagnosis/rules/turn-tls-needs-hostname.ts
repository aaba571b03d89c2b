/**
 * Rule `turn-tls-needs-hostname` (issue 18; a deployment finding, never a network one): netready gives TURN over TLS
 * only by IP address (`turns:<ip>`, no `probe.publicHost`), and this browser did not try it — no relay, no error,
 * gathering over at once, no handshake at netready's TURN/TLS listener — while TURN over TCP worked. Firefox needs a
 * host name to check a TURN server's certificate and skips IP-literal `turns:` URLs. TURN/TLS is reported as not
 * tested (facts-browser.ts), never as `turn-tls-failed`.
 */
import { turnProbeId } from '../../probes/turn-relay';
import type { Rule } from '../types';
import { TURN_TLS_NEEDS_HOSTNAME_CODE } from '../facts-browser';

/** turn-tls-needs-hostname */
export const turnTlsNeedsHostname: Rule = {
  code: TURN_TLS_NEEDS_HOSTNAME_CODE,
  evaluate(facts) {
    const notTried = facts.browser.turnTlsNotTried;
    if (!notTried) return null;
    return {
      code: TURN_TLS_NEEDS_HOSTNAME_CODE,
      severity: 'warning',
      category: 'deployment',
      title: 'This browser does not use TURN over TLS given by IP address — a netready set-up issue, not your network',
      detail:
        `netready offers its TURN relay over TLS only as ${notTried.url}. This browser did not try it: it finished gathering after ${notTried.gatheringCompleteMs} ms with no relay and no error, ` +
        'and netready\'s TLS relay saw no connection from it (Firefox, for one, needs a host name to check the relay\'s certificate). TURN over TCP worked, so the relay itself is reachable; ' +
        'TURN over TLS is shown as "not tested".',
      remediation:
        'Give netready a host name: set probe.publicHost to a DNS name that points at the server (with a certificate for that name, e.g. ACME via tls.acme or your own tls.certFile/tls.keyFile), ' +
        'so that the relay is offered as turns:<name>:5349. Then run the test again.',
      evidence: notTried.evidence,
      probes: [turnProbeId('tls')],
    };
  },
};
