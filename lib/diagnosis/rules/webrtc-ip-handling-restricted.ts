/**
 * Rule `webrtc-ip-handling-restricted` (issue 11): the browser's own WebRTC IP-handling policy — Chrome/Edge's
 * `WebRtcIPHandlingPolicy` enterprise policy, the same setting made by privacy extensions — keeps WebRTC off UDP
 * (`disable_non_proxied_udp`: calls only through TCP/TLS relays) or off local addresses
 * (`default_public_interface_only`). A browser finding, never a firewall one: the UDP failures it explains are not
 * reported as `udp-blocked` (facts-paths.ts says how the two are told apart).
 */
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/** webrtc-ip-handling-restricted */
export const webrtcIpHandlingRestricted: Rule = {
  code: 'webrtc-ip-handling-restricted',
  evaluate(facts): Finding | null {
    const policy = facts.paths.ipHandling;
    if (!policy) return null;
    if (policy.policy === 'disable_non_proxied_udp') {
      const relays = (['tcp', 'tls'] as const).filter((t) => facts.turn[t].carriesData);
      return {
        code: 'webrtc-ip-handling-restricted',
        severity: relays.length > 0 ? 'warning' : 'blocker',
        category: 'browser',
        title: 'This browser is set to keep WebRTC off UDP',
        detail:
          `In this test ${policy.observed}. That is the browser's WebRTC IP-handling policy "disable_non_proxied_udp", not a firewall: ` +
          'the browser itself sends no UDP for calls. ' +
          (relays.length > 0
            ? `Calls can still connect through a relay over ${relays.map((t) => t.toUpperCase()).join(' and ')}, with more delay and stutter when packets are lost.`
            : 'No relay over TCP or TLS worked either, so calls cannot connect from this browser.'),
        remediation:
          'Open chrome://policy (Edge: edge://policy) and look for WebRtcIPHandlingPolicy. If it is set, ask whoever manages the browsers to set it to ' +
          '"default" (or "default_public_interface_only", which still allows UDP) for people who join meetings. Without a policy, an extension or privacy setting ' +
          'made the same choice (e.g. "Prevent WebRTC from leaking local IP addresses", WebRTC Network Limiter): turn it off for meeting sites. ' +
          'In Firefox the equivalent setting is media.peerconnection.ice.proxy_only.',
        evidence: policy.evidence,
        probes: policy.explains.filter((id) => id in facts.outcomes),
      };
    }
    return {
      code: 'webrtc-ip-handling-restricted',
      severity: 'info',
      category: 'browser',
      title: 'This browser lets WebRTC use only its default public address',
      detail:
        `In this test ${policy.observed}. That is the browser's WebRTC IP-handling policy "default_public_interface_only". ` +
        'Calls work, over the network path your web traffic uses; the browser offers no local address, so participants on the same local network connect through the internet or a relay rather than directly, and a VPN\'s other paths are never tried.',
      remediation:
        'Nothing to change for calls to meeting services. If local peer-to-peer calls matter, check WebRtcIPHandlingPolicy in chrome://policy (edge://policy) or a privacy extension; ' +
        'in Firefox the equivalent setting is media.peerconnection.ice.default_address_only / media.peerconnection.ice.no_host.',
      evidence: policy.evidence,
    };
  },
};
