/**
 * Rule `udp-blocked`: no UDP reached netready on any port — neither STUN on the port matrix nor TURN over UDP.
 * Calls then depend on a TCP/TLS relay or on media servers that accept TCP themselves (ICE-TCP) — severity warning —
 * or fail outright (blocker).
 */
import type { Rule } from '../types';
import { describeIceUrl } from '../facts';

/** udp-blocked */
export const udpBlocked: Rule = {
  code: 'udp-blocked',
  explains: ['stun-udp', 'turn-udp'],
  evaluate(facts) {
    const { stun, turn } = facts;
    // The browser's own policy keeps WebRTC off UDP: webrtc-ip-handling-restricted says so, not a firewall finding.
    if (facts.paths.ipHandling?.policy === 'disable_non_proxied_udp') return null;
    if (!stun.ran || stun.ports.length === 0 || stun.reachedPorts.length > 0) return null;
    if (turn.udp.ran && (turn.udp.allocated || turn.udp.inconclusive)) return null;
    const relayFallback = turn.tcp.carriesData || turn.tls.carriesData;
    const iceTcp = facts.iceTcp?.works ? facts.iceTcp : undefined;
    const fallback = relayFallback || iceTcp !== undefined;
    const host = describeIceUrl(stun.ports[0]!.url).host;
    const ports = stun.ports.map((p) => p.port).join(', ');
    return {
      code: 'udp-blocked',
      severity: fallback ? 'warning' : 'blocker',
      title: 'UDP is blocked: calls cannot use the fast, direct path',
      detail:
        `No UDP packet came back from the test server (${host}) on any port tried (${ports}), and no TURN relay over UDP could be set up. ` +
        'Video calls send audio and video over UDP; without it they ' +
        (relayFallback
          ? 'fall back to a relay over TCP/TLS, which adds delay and stutters when packets are lost.'
          : iceTcp
            ? `can only use media servers that accept TCP directly (ICE-TCP, as netready's test media server did on TCP port ${iceTcp.port}); ` +
              'services that need UDP or a TURN relay will not connect, and TCP adds delay and stutters when packets are lost.'
            : 'have no way to connect at all.'),
      remediation:
        `Allow outbound UDP from this network to ${host} on ports ${ports} (and to the meeting service's media ports), ` +
        'including the replies. If a firewall allows only web traffic (TCP 80/443), add a rule for UDP to the conferencing provider\'s addresses.',
      evidence: [...stun.evidence, ...turn.udp.evidence],
    };
  },
};
