/**
 * Rule `probe-on-loopback` (issue 18; a deployment finding, never a network one): netready was opened on a loopback
 * address (http://localhost, 127.0.0.1), so its STUN/TURN servers are on loopback too, and this browser gathered no
 * candidate that could reach them — Firefox, by default, uses no loopback address for WebRTC
 * (`media.peerconnection.ice.loopback`). The WebRTC probes are reported as not tested (facts-browser.ts).
 */
import type { Rule } from '../types';
import { PROBE_ON_LOOPBACK_CODE } from '../facts-browser';

/** probe-on-loopback */
export const probeOnLoopback: Rule = {
  code: PROBE_ON_LOOPBACK_CODE,
  evaluate(facts) {
    const loopback = facts.browser.loopback;
    if (!loopback) return null;
    return {
      code: PROBE_ON_LOOPBACK_CODE,
      severity: 'warning',
      category: 'deployment',
      title: 'netready was opened on a loopback address this browser does not use for calls — a set-up issue, not your network',
      detail:
        `netready's test servers answer on ${loopback.addresses.join(', ')}, an address that only reaches this same computer, and this browser tried no call connection to it ` +
        '(Firefox, for one, never uses loopback addresses for WebRTC). So the call-connection checks could not run; they are shown as "not tested", not as network problems.',
      remediation:
        'Open netready by this computer\'s network address or name instead of localhost (for example http://192.168.1.20:3000/), and start it so that it announces that address: ' +
        'set probe.publicIp (or probe.publicHost, with a certificate for that name) in the configuration. For a test on this computer only, Firefox can be told to use loopback ' +
        'with media.peerconnection.ice.loopback = true in about:config.',
      evidence: loopback.evidence,
      probes: loopback.affectedProbes,
    };
  },
};
