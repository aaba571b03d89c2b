/**
 * MTU facts from the mtu probe (lib/probes/mtu.ts): where large packets vanish without an ICMP "fragmentation needed"
 * (a black hole), where the MTU is only smaller (the ICMP came back: path-MTU discovery works, TCP adapts), where IP
 * fragments are dropped, and whether the largest packets a browser sends get upstream. Thresholds are data, with
 * their sources.
 */
import { MTU_PROBE_ID, type MtuData, type MtuPathId, type MtuPathResult, type MtuUpstreamResult } from '../probes/mtu';
import type { Evidence, ProbeOutcome } from '../schema/result';

/** Packet sizes the MTU findings compare against, bytes, each with its source. */
export const MTU_THRESHOLDS = {
  /**
   * The largest datagram a browser sends: Chromium's SCTP packets are at most 1191 bytes (kSctpMtu, webrtc
   * media/sctp: the IPv6 minimum MTU of 1280 less IPv6, UDP, DTLS and TURN ChannelData overhead), plus a 37-byte DTLS
   * record, 8 bytes of UDP and 20 of IPv4 — 1256; RTP is kept under the same bound. A path that loses datagrams of this
   * size loses media.
   */
  mediaPacketBytes: 1256,
  /** Ethernet's MTU (RFC 894), what TCP assumes from the interface: below it, full-size TCP segments need PMTU discovery. */
  ethernetMtuBytes: 1500,
  /** Chromium 156's TLS ClientHello (with X25519MLKEM768), bytes (shared/LAB.md): more than one full TCP segment. */
  tlsClientHelloBytes: 1900,
} as const;

/** One path where large packets vanish and no ICMP says so. */
export interface MtuBlackhole {
  path: MtuPathId;
  largestArrivedBytes: number;
  smallestLostBytes: number;
  /** `none`: the server's kernel learned no smaller path MTU; `unknown`: it could not be asked. */
  icmp: 'none' | 'unknown';
}

/** What the mtu probe established. */
export interface MtuFacts {
  paths: MtuPathResult[];
  blackholes: MtuBlackhole[];
  /** Paths with a smaller MTU whose "fragmentation needed" came back (path-MTU discovery works): not a finding. */
  smallMtu: Array<{ path: MtuPathId; largestArrivedBytes: number; pathMtuBytes: number }>;
  /** Paths whose IP fragments did not arrive, with the largest unfragmented size that did. */
  fragmentsDropped: Array<{ path: MtuPathId; largestArrivedBytes: number }>;
  upstream: MtuUpstreamResult;
  /**
   * The largest packets a browser sends are lost on the way out: the upstream check's large message was lost while its
   * small one came back, and the echo (as large as the message) can come back — no downstream black hole below its size.
   */
  upstreamLost: boolean;
  evidence: Evidence[];
}

/** Derives the MTU facts; undefined when the probe did not run or netready's own failure set it aside. */
export function deriveMtuFacts(probes: Record<string, ProbeOutcome>): MtuFacts | undefined {
  const outcome = probes[MTU_PROBE_ID];
  if (!outcome || outcome.status === 'skipped' || outcome.reclassified) return undefined;
  const data = outcome.data as Partial<MtuData>;
  if (!Array.isArray(data.paths) || !data.upstream) return undefined;
  const facts: MtuFacts = { paths: data.paths, blackholes: [], smallMtu: [], fragmentsDropped: [], upstream: data.upstream, upstreamLost: false, evidence: outcome.evidence };
  for (const path of data.paths) {
    if (path.status !== 'measured' || path.largestArrivedBytes === undefined) continue;
    if (path.smallestLostBytes !== undefined) {
      if (path.icmp?.asked && path.icmp.learnedBelowLost) facts.smallMtu.push({ path: path.path, largestArrivedBytes: path.largestArrivedBytes, pathMtuBytes: path.icmp.pathMtuBytes });
      else facts.blackholes.push({ path: path.path, largestArrivedBytes: path.largestArrivedBytes, smallestLostBytes: path.smallestLostBytes, icmp: path.icmp?.asked ? 'none' : 'unknown' });
    }
    if (path.fragments === 'dropped') facts.fragmentsDropped.push({ path: path.path, largestArrivedBytes: path.largestArrivedBytes });
  }
  // The echo travels back in a packet as large as the message: where the ladder loses that size downstream, the loss
  // may be the echo's, and the downstream black hole already says it.
  facts.upstreamLost = data.upstream.status === 'lost' && !facts.blackholes.some((b) => b.largestArrivedBytes < data.upstream!.wireBytesEstimate);
  return facts;
}

/** Whether the facts show a black hole in either direction. */
export function hasBlackhole(facts: MtuFacts | undefined): facts is MtuFacts {
  return facts !== undefined && (facts.blackholes.length > 0 || facts.upstreamLost);
}

/**
 * One sentence other findings can add where the MTU explains them ("netready measured …"), or null when no black hole
 * was measured — so the transport and HTTPS findings say the same as `mtu-blackhole`, without being hidden by it.
 */
export function blackholeSentence(facts: MtuFacts | undefined): string | null {
  if (!hasBlackhole(facts)) return null;
  const smallest = facts.blackholes.reduce<MtuBlackhole | undefined>((a, b) => (a && a.largestArrivedBytes <= b.largestArrivedBytes ? a : b), undefined);
  return smallest
    ? `netready measured it: packets larger than ${smallest.largestArrivedBytes} bytes are silently lost on this network, with no ICMP "fragmentation needed" coming back (see "MTU black hole").`
    : `netready measured it: the largest packets a browser sends (≈ ${MTU_THRESHOLDS.mediaPacketBytes} bytes) are silently lost on the way out of this network (see "MTU black hole").`;
}
