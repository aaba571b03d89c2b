/**
 * Rules `turn-udp-failed`, `turn-tcp-failed`, `turn-tls-failed`: the TURN relay over one transport could not be
 * allocated, or was allocated but carried no data. One rule per transport, from one template, because the
 * logic is the same and only the words differ.
 */
import type { Finding } from '../../schema/result';
import type { TurnTransport } from '../../probes/turn-relay';
import type { Rule } from '../types';
import { describeIceUrl, type TransportFacts } from '../facts';
import { blackholeSentence } from '../facts-mtu';

const WORDS: Record<TurnTransport, { name: string; protocol: string; why: string }> = {
  udp: {
    name: 'TURN over UDP',
    protocol: 'UDP',
    why: 'It is the relay calls use first when a direct connection is not possible.',
  },
  tcp: {
    name: 'TURN over TCP',
    protocol: 'TCP',
    why: 'It is the fallback calls use when UDP is blocked.',
  },
  tls: {
    name: 'TURN over TLS',
    protocol: 'TCP (TLS)',
    why: 'It is the last-resort path that looks like ordinary HTTPS traffic, used when only web ports are open.',
  },
};

function evaluateTransport(transport: TurnTransport, facts: TransportFacts): Finding | null {
  const turn = facts.turn[transport];
  if (!turn.ran || turn.carriesData || turn.inconclusive) return null;
  // The browser's policy sends no UDP at all: webrtc-ip-handling-restricted explains the UDP relay.
  if (transport === 'udp' && facts.paths.ipHandling?.policy === 'disable_non_proxied_udp') return null;
  // When no UDP works at all, `udp-blocked` already explains the UDP relay failure.
  if (transport === 'udp' && facts.stun.ran && facts.stun.ports.length > 0 && facts.stun.reachedPorts.length === 0 && !turn.allocated) return null;
  const words = WORDS[transport];
  const { host, port } = describeIceUrl(turn.url ?? '');
  const allocatedOnly = turn.allocated;
  // Where the mtu probe measured a black hole, say so: a TCP/TLS relay that stalls is what it looks like.
  const turnData = facts.outcomes[`turn-${transport}`]?.data as { decidedBy?: unknown } | undefined;
  const mtuNote = transport !== 'udp' && turnData?.decidedBy === undefined ? blackholeSentence(facts.mtu) : null;
  return {
    code: `turn-${transport}-failed`,
    severity: 'warning',
    title: allocatedOnly ? `${words.name}: the relay was set up but no data got through` : `${words.name} does not work on this network`,
    detail:
      (allocatedOnly
        ? `A relay was allocated on the test server via ${turn.url}, but test messages sent through it did not come back. ` +
          (mtuNote
            ? 'Something between this computer and the server lets the connection open but drops the full-size packets of the traffic.'
            : 'Something between this computer and the server lets the connection open but drops the traffic — typically a path with a smaller packet size (VPN) where "fragmentation needed" messages are blocked, or a filter that inspects the stream.')
        : (turn.reason ?? `No relay could be set up via ${turn.url ?? words.name}.`)) +
      (mtuNote ? ` ${mtuNote}` : '') +
      ` ${words.why}`,
    remediation:
      `Allow outbound ${words.protocol} to ${host} port ${port} without inspection or proxy rewriting` +
      (transport === 'tls' ? ', and exclude it from TLS inspection (the relay\'s own certificate must reach the browser unchanged).' : '.') +
      (allocatedOnly ? ' If a VPN or tunnel is in the path, allow ICMP "fragmentation needed" (type 3 code 4) back to clients or lower the tunnel MTU.' : ''),
    evidence: turn.evidence,
  };
}

/** turn-udp-failed */
export const turnUdpFailed: Rule = { code: 'turn-udp-failed', explains: ['turn-udp'], evaluate: (facts) => evaluateTransport('udp', facts) };
/** turn-tcp-failed */
export const turnTcpFailed: Rule = { code: 'turn-tcp-failed', explains: ['turn-tcp'], evaluate: (facts) => evaluateTransport('tcp', facts) };
/** turn-tls-failed */
export const turnTlsFailed: Rule = { code: 'turn-tls-failed', explains: ['turn-tls'], evaluate: (facts) => evaluateTransport('tls', facts) };
