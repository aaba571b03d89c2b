/**
 * Rule `udp-ports-restricted`: UDP reaches netready on some ports but not others — a port allowlist, not a
 * UDP block. Says which ports are closed (the peers' "UDP blocked" for one closed port is a false verdict).
 */
import type { Rule } from '../types';
import { describeIceUrl } from '../facts';

/** udp-ports-restricted */
export const udpPortsRestricted: Rule = {
  code: 'udp-ports-restricted',
  explains: ['stun-udp'],
  evaluate(facts) {
    const { stun } = facts;
    if (!stun.ran || stun.reachedPorts.length === 0 || stun.blockedPorts.length === 0) return null;
    const host = describeIceUrl(stun.ports[0]!.url).host;
    const blocked = stun.ports.filter((p) => !p.srflx);
    const blockedText = blocked
      .map((p) => `${p.port} (${p.role === 'turn' ? 'TURN/STUN port' : p.role === 'vendor' ? `media port of ${p.target ?? 'the vendor'}` : 'alternate STUN port'})`)
      .join(', ');
    return {
      code: 'udp-ports-restricted',
      severity: 'warning',
      title: 'UDP works only on some ports',
      detail:
        `UDP packets reached the test server (${host}) on port(s) ${stun.reachedPorts.join(', ')} but not on ${blockedText}. ` +
        'The firewall is filtering UDP by destination port, so calls that use the blocked ports will fall back to slower paths or fail.',
      remediation: `Allow outbound UDP to ${host} on port(s) ${stun.blockedPorts.join(', ')} (and the replies), as for the ports that already work.`,
      evidence: stun.evidence.filter((e) => e.kind !== 'candidate' || blocked.some((p) => e.summary.startsWith(p.url))),
    };
  },
};
