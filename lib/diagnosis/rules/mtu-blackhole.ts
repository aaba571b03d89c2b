/**
 * Rule `mtu-blackhole`: packets above some size vanish on this network and no ICMP "fragmentation needed" (ICMPv6
 * "packet too big") says so, so neither end can learn the smaller size — the classic VPN/tunnel with a smaller MTU and
 * filtered ICMP: the call connects, then large packets (video, TLS handshakes, full TCP segments) are lost. Measured by
 * the mtu probe (padded STUN answers of exact sizes with Don't-Fragment, and the largest DataChannel packet upstream).
 * Lists the other probes the black hole explains (TURN over TCP/TLS stalling, HTTPS to the test server stalling) in
 * `probes`; their own findings stay and say the same.
 */
import { MTU_PROBE_ID, type MtuPathId } from '../../probes/mtu';
import { TLS_MIRROR_PROBE_ID, type TlsMirrorData } from '../../probes/tls-mirror';
import { turnProbeId, type TurnRelayData } from '../../probes/turn-relay';
import { WEBSOCKET_PROBE_ID } from '../../probes/websocket';
import { DNS_LOOKUP_PROBE_ID } from '../../probes/dns-lookup';
import type { Finding, ProbeOutcome } from '../../schema/result';
import type { Rule } from '../types';
import { hasBlackhole, MTU_THRESHOLDS, type MtuBlackhole } from '../facts-mtu';

/** How a path reads in a sentence. */
export const MTU_PATH_WORDS: Record<MtuPathId, string> = {
  'direct-ipv4': 'direct UDP over IPv4',
  'direct-ipv6': 'direct UDP over IPv6',
  'turn-udp': 'the relay path (TURN over UDP)',
};

const failedOrWarned = (o: ProbeOutcome | undefined): boolean => o?.status === 'fail' || o?.status === 'warn';

/** TURN over TCP/TLS that stalled (allocated without data, or no relay before the deadline) — not one refused at once. */
function stalledRelay(outcome: ProbeOutcome | undefined): boolean {
  if (!failedOrWarned(outcome)) return false;
  return (outcome!.data as Partial<TurnRelayData>).decidedBy === undefined;
}

/** The other probes a black hole explains, with the words for each. */
function explainedProbes(outcomes: Readonly<Record<string, ProbeOutcome>>): Array<{ id: string; words: string }> {
  const out: Array<{ id: string; words: string }> = [];
  for (const transport of ['tcp', 'tls'] as const) {
    const id = turnProbeId(transport);
    const outcome = outcomes[id];
    if (!stalledRelay(outcome)) continue;
    const allocated = Boolean((outcome!.data as Partial<TurnRelayData>).relay);
    out.push({ id, words: `TURN over ${transport.toUpperCase()} ${allocated ? 'allocated a relay but carried no data' : 'never completed'}` });
  }
  const mirror = outcomes[TLS_MIRROR_PROBE_ID];
  const mirrorData = (mirror?.data ?? {}) as Partial<TlsMirrorData>;
  if (mirror && !mirror.reclassified && mirrorData.reached === false && mirrorData.timedOut === true) {
    out.push({ id: TLS_MIRROR_PROBE_ID, words: 'HTTPS to the test server stalled' });
    for (const id of [WEBSOCKET_PROBE_ID, DNS_LOOKUP_PROBE_ID]) if (failedOrWarned(outcomes[id])) out.push({ id, words: id === WEBSOCKET_PROBE_ID ? 'secure WebSockets failed with it' : 'the DNS timing fetches (HTTPS) failed with it' });
  }
  return out;
}

function describeBreak(hole: MtuBlackhole): string {
  return (
    `On ${MTU_PATH_WORDS[hole.path]}, test packets of up to ${hole.largestArrivedBytes} bytes arrived; ${hole.smallestLostBytes} bytes and larger did not` +
    (hole.icmp === 'none'
      ? ', and no ICMP "fragmentation needed" reached the test server, so neither end can learn the smaller size.'
      : ' (whether an ICMP "fragmentation needed" came back could not be checked).')
  );
}

/** mtu-blackhole */
export const mtuBlackhole: Rule = {
  code: 'mtu-blackhole',
  evaluate(facts): Finding | null {
    const mtu = facts.mtu;
    if (!hasBlackhole(mtu)) return null;
    const holes = [...mtu.blackholes].sort((a, b) => a.largestArrivedBytes - b.largestArrivedBytes);
    const worst = holes[0];
    const upstreamLost = mtu.upstreamLost;
    const limit = worst?.largestArrivedBytes;
    const related = explainedProbes(facts.outcomes);
    const mediaLost = limit !== undefined && limit < MTU_THRESHOLDS.mediaPacketBytes;
    const parts: string[] = holes.map(describeBreak);
    if (upstreamLost) {
      parts.push(
        `From this computer, DataChannel packets of ≈ ${mtu.upstream.wireBytesEstimate} bytes — the largest a browser sends — did not arrive, while a small message over the same connection did.`,
      );
    }
    parts.push(
      'This is typical of a VPN or tunnel with a smaller MTU on a path that filters ICMP. ' +
        `What breaks: TCP and TLS connections that send full-size packets stall (TURN over TCP and TLS allocate but carry nothing, HTTPS handshakes hang — a browser's TLS ClientHello is ≈ ${MTU_THRESHOLDS.tlsClientHelloBytes} bytes)` +
        (mediaLost
          ? `, and media packets above ${limit} bytes are lost too: calls connect, then video freezes or stays black and screen sharing fails (browsers send packets of up to ≈ ${MTU_THRESHOLDS.mediaPacketBytes} bytes).`
          : upstreamLost
            ? ', and the largest media packets this computer sends are lost: calls connect, then the others see its video freeze or stay black and its screen sharing fail.'
            : `; audio and video packets (up to ≈ ${MTU_THRESHOLDS.mediaPacketBytes} bytes) still fit.`),
    );
    if (related.length > 0) parts.push(`It explains what else failed here: ${related.map((r) => r.words).join('; ')}.`);
    const size = limit ?? MTU_THRESHOLDS.mediaPacketBytes - 40;
    return {
      code: 'mtu-blackhole',
      severity: 'warning',
      title: limit !== undefined ? `Packets larger than ${limit} bytes are silently lost (MTU black hole)` : 'The largest packets this computer sends are silently lost (MTU black hole)',
      detail: parts.join(' '),
      remediation:
        'Let ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 "packet too big" (type 2) through every firewall, VPN gateway and security group on the path, in both directions — ' +
        `or lower the MTU of the VPN or tunnel interface to at most ${size} bytes, or clamp TCP MSS on the tunnel to ${size - 40} bytes ` +
        '(e.g. iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu). MSS clamping fixes TCP and TLS only; media over UDP needs the ICMP or the lower MTU.',
      evidence: mtu.evidence.filter((e) => {
        const path = (e.data as { path?: string } | undefined)?.path;
        return e.kind === 'mtu-upstream' ? upstreamLost : holes.some((h) => h.path === path);
      }),
      probes: [MTU_PROBE_ID, ...related.map((r) => r.id)],
    };
  },
};
