/**
 * Rule `ice-tcp-failed`: media could not reach netready's media peer over TCP (ICE-TCP, RFC 6544) — the way many
 * SFUs accept clients whose network blocks UDP, without a TURN relay. A warning when UDP does not reach the media
 * ports either (calls then depend on TURN over TCP/TLS alone); information when UDP works (calls take UDP).
 */
import type { Rule } from '../types';
import { ICE_TCP_PROBE_ID } from '../../probes/ice-tcp';
import { PROXY_DECISION } from '../facts-proxy';

/** ice-tcp-failed */
export const iceTcpFailed: Rule = {
  code: 'ice-tcp-failed',
  explains: [ICE_TCP_PROBE_ID],
  evaluate(facts) {
    const ice = facts.iceTcp;
    if (!ice || !ice.failed) return null;
    const where = `${ice.host} port ${ice.port}`;
    // The browser sends ICE-TCP through its configured HTTP proxy (CONNECT), so with a proxy the attempt went that way.
    const proxied = facts.proxy !== undefined && facts.proxy.score >= PROXY_DECISION.httpProxyMinScore;
    const udpWorks = facts.stun.mediaPortReached;
    const relayWorks = facts.turn.tcp.carriesData || facts.turn.tls.carriesData || facts.turn.udp.carriesData;
    return {
      code: 'ice-tcp-failed',
      severity: udpWorks ? 'info' : 'warning',
      title: ice.connectedWithoutData ? 'Media over TCP: the connection opened but no data got through' : 'Media servers that accept TCP cannot be reached from this network',
      detail:
        (ice.connectedWithoutData
          ? `The browser opened a TCP connection to the test server's media port (${where}), but test messages sent over it did not come back — something on the way lets the connection open and then drops or rewrites the traffic.`
          : `The browser could not connect to the test server's media peer over TCP (${where})${proxied ? ', also not through this network\'s web proxy' : ''}. ${ice.reason ?? ''}`.trim()) +
        ' Many meeting services let clients that cannot use UDP send audio and video to their media servers over TCP directly (ICE-TCP), without a relay. ' +
        (udpWorks
          ? 'UDP works here, so calls will use it; this matters only if UDP is blocked later (another network, a VPN).'
          : relayWorks
            ? 'Here calls depend on a TURN relay over TCP/TLS instead, which only works if the meeting service provides one.'
            : 'Here neither UDP nor a relay works either, so calls cannot connect.'),
      remediation:
        `Allow outbound TCP from this network to ${where} (and to the meeting service's media servers on the TCP port they use for media, often 443 or a port such as 7881 or 4443)` +
        (proxied
          ? ', either directly or through the web proxy: the proxy must allow CONNECT to that port (many allow CONNECT only to 443).'
          : '.'),
      evidence: ice.evidence,
      probes: [ICE_TCP_PROBE_ID],
    };
  },
};
