/**
 * Rule `relay-only`: media can flow only through a TURN relay — no direct UDP path to the media ports.
 * Calls work, with extra delay and server cost.
 */
import type { Rule } from '../types';
import { TURN_TRANSPORTS } from '../../probes/turn-relay';

/** relay-only */
export const relayOnly: Rule = {
  code: 'relay-only',
  evaluate(facts) {
    if (!facts.stun.ran || facts.stun.mediaPortReached) return null;
    // Relays only because the browser's policy keeps WebRTC off UDP: webrtc-ip-handling-restricted says so.
    if (facts.paths.ipHandling?.policy === 'disable_non_proxied_udp') return null;
    const working = TURN_TRANSPORTS.filter((t) => facts.turn[t].carriesData);
    if (working.length === 0) return null;
    const names = working.map((t) => (t === 'udp' ? 'UDP' : t === 'tcp' ? 'TCP' : 'TLS')).join(', ');
    return {
      code: 'relay-only',
      severity: 'warning',
      title: 'Calls will only connect through a relay server',
      detail:
        `A direct UDP path to the media ports is not available, but the relay works over ${names}. ` +
        'Calls will connect, routed through the provider\'s relay: expect somewhat higher delay, and lower quality if the relay runs over TCP.' +
        (facts.iceTcp?.works ? ' Media servers that accept TCP directly (ICE-TCP) are reachable too, without a relay.' : ''),
      remediation:
        'To let calls take the direct path, allow outbound UDP to the conferencing provider\'s media addresses and ports (see the UDP findings for the exact ports).',
      evidence: working.flatMap((t) => facts.turn[t].evidence.filter((e) => e.kind === 'candidate' || e.kind === 'data-echo')),
    };
  },
};
