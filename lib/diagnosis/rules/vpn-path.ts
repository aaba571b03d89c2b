/**
 * Rule `vpn-path` (issue 11): media leaves through a VPN although a direct path exists. Seen in the deep check, where
 * the browser lists every interface: ICE selected one network while another reaches netready's servers too — from
 * the address the web traffic uses, or as a non-VPN interface while the selected one is reported as a VPN. Meeting
 * apps (which have media permission) choose the same way, so their audio and video take the detour: the VPN's extra
 * delay, its concentrator's bandwidth, often a smaller MTU. The seed's remedies: split-tunnel the meeting service's
 * media ranges, or block STUN over the VPN so ICE falls back to the direct interface.
 */
import type { Finding } from '../../schema/result';
import type { NetworkPath } from '../facts-paths';
import type { Rule } from '../types';

/** "10.0.0.5 (ethernet)" — how an interface is named in the text: its local address and what the browser says it is. */
export function describeNetwork(n: NetworkPath): string {
  const address = n.hostAddresses.find((a) => !a.endsWith('.local')) ?? n.hostAddresses[0] ?? `network ${n.networkId ?? n.index + 1}`;
  const type = n.kind === 'likely-vpn' ? 'likely a VPN' : n.networkType && n.networkType !== 'unknown' ? n.networkType : n.kind;
  return `${address} (${type})`;
}

/** vpn-path */
export const vpnPath: Rule = {
  code: 'vpn-path',
  evaluate(facts): Finding | null {
    const detour = facts.paths.detour;
    if (!detour) return null;
    const { via, direct, basis } = detour;
    const web = facts.paths.httpEgress;
    const directText = direct
      .map((n) => `${describeNetwork(n)}${n.egress ? ` reaches it directly from ${n.egress}${n.egress === web ? ' — the address your web traffic leaves from' : ''}` : ' works too'}`)
      .join('; ');
    const why =
      basis === 'network-type'
        ? 'The browser reports the chosen interface as a VPN.'
        : 'Two interfaces that reach the same servers from different addresses, with the web traffic on the one ICE did not choose, is how a split-tunnel VPN looks from the browser.';
    return {
      code: 'vpn-path',
      severity: 'warning',
      category: 'network',
      title: 'Calls take a detour through the VPN although a direct path exists',
      detail:
        `The browser has ${facts.paths.networks.length} network interfaces. ICE — the part of WebRTC that picks the path — chose ${describeNetwork(via)}` +
        `${via.egress ? `, whose traffic reaches netready from ${via.egress}` : ''}, although ${directText}. ${why} ` +
        'Meeting apps choose the same way, so their audio and video go through the VPN: extra delay, the VPN concentrator\'s bandwidth, and often a smaller packet size.',
      remediation:
        'In the VPN client\'s profile (AnyConnect, GlobalProtect, FortiClient, Zscaler …), split-tunnel the meeting service\'s media address ranges and ports, so calls leave directly; ' +
        'or block STUN and TURN (UDP/TCP 3478 and the service\'s media ports) inside the tunnel, so ICE falls back to the direct interface. ' +
        'Meeting vendors publish their media ranges for exactly this (e.g. Microsoft 365 "Optimize" endpoints).',
      evidence: facts.paths.evidence,
    };
  },
};
