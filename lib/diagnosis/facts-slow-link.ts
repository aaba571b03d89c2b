/**
 * Slow-link facts (issue 16): on a link with a long round trip (satellite, an intercontinental VPN) a check that
 * needs many round trips may meet its deadline before it could have finished, and a transport is then not blocked,
 * only slow. "A slow network is `high-rtt`, not a blocked transport."
 *
 * The round trip comes from the run's first request (the session probe: request → first byte of its answer, by
 * Resource Timing). A check that ended by its deadline is "cut by slowness" when it ran for less than the time its
 * protocol needs on that round trip: a fixed second (gathering, ICE pacing) plus its round trips (ROUND_TRIPS_NEEDED,
 * generous on purpose — a loss-free 200 ms path needs about half of them: TURN over TLS proved data there in 4.0 s).
 * Those outcomes are reclassified `inconclusive`, explained by `high-rtt`; a timeout the round trip cannot explain
 * (the deadline left time for several tries) stays the network failure it is.
 *
 * Only when the link is slow: the early round trip is above the high-rtt threshold and the quality measurement, when
 * it got that far, did not find the path fast after all (its forty pings outweigh one request).
 */
import { ICE_TCP_PROBE_ID } from '../probes/ice-tcp';
import { MEDIA_QUALITY_PROBE_ID } from '../probes/media-quality';
import { SESSION_PROBE_ID } from '../probes/session';
import { STUN_UDP_PROBE_ID } from '../probes/stun-udp';
import { turnProbeId } from '../probes/turn-relay';
import type { Evidence, ProbeOutcome } from '../schema/result';
import { reclassified } from './facts-deployment';
import { measuredRttMs } from './facts-quality';
import type { Thresholds } from './thresholds';

/** Finding code that explains the checks a slow link cut short. */
export const HIGH_RTT_CODE = 'high-rtt';

/** Fixed time any check needs before its first round trip counts (gathering, ICE pacing), ms. */
export const SLOW_LINK_FIXED_MS = 1000;

/**
 * Round trips each deadline-bound check needs at most on a clean path. STUN: a Binding and its retransmission.
 * TURN: Allocate twice (the first is answered 401), a permission, an ICE check through the relay, DTLS (2), SCTP (2)
 * and an echo; TCP adds its handshake, TLS its own two; ICE-TCP a connection, checks, DTLS, SCTP and an echo.
 */
export const ROUND_TRIPS_NEEDED: Readonly<Record<string, number>> = Object.freeze({
  [STUN_UDP_PROBE_ID]: 4,
  [turnProbeId('udp')]: 12,
  [turnProbeId('tcp')]: 14,
  [turnProbeId('tls')]: 18,
  [ICE_TCP_PROBE_ID]: 12,
});

/** A check the slow link cut short. */
export interface CutCheck {
  probe: string;
  /** How long it ran before its deadline, ms. */
  ranMs: number;
  /** What its round trips need on this link, ms. */
  needsMs: number;
}

/** The link is slow: its round trip, where it was measured, and the checks it cut short. */
export interface SlowLinkFacts {
  rttMs: number;
  from: 'request-timing' | 'elapsed';
  cut: CutCheck[];
  evidence: Evidence[];
}

/** The run's early round trip from the session outcome (older results: half the request's time), or undefined. */
export function earlyRoundTrip(session: ProbeOutcome | undefined): { rttMs: number; from: SlowLinkFacts['from'] } | undefined {
  if (session?.status !== 'pass') return undefined;
  const { roundTripMs, roundTripFrom, elapsedMs } = session.data as { roundTripMs?: unknown; roundTripFrom?: unknown; elapsedMs?: unknown };
  if (typeof roundTripMs === 'number' && Number.isFinite(roundTripMs)) return { rttMs: roundTripMs, from: roundTripFrom === 'request-timing' ? 'request-timing' : 'elapsed' };
  if (typeof elapsedMs === 'number' && Number.isFinite(elapsedMs)) return { rttMs: Math.round(elapsedMs / 2), from: 'elapsed' };
  return undefined;
}

/** Whether a check ended by its deadline rather than by an answer (an error, a refusal, a STUN port that answered). */
function endedByDeadline(id: string, outcome: ProbeOutcome): boolean {
  const data = outcome.data as { timedOut?: unknown; decidedBy?: unknown; ports?: unknown };
  if (id === STUN_UDP_PROBE_ID) {
    // One port answering shows how long an answer takes here: the silent ones are not merely slow.
    const ports = Array.isArray(data.ports) ? (data.ports as Array<{ srflx?: unknown; timedOut?: unknown }>) : [];
    return ports.length > 0 && ports.every((p) => !p.srflx && p.timedOut === true);
  }
  return data.timedOut === true && data.decidedBy === undefined;
}

/** What a check needs on a link with this round trip, ms. */
export function neededMs(probe: string, rttMs: number): number | undefined {
  const trips = ROUND_TRIPS_NEEDED[probe];
  return trips === undefined ? undefined : Math.round(SLOW_LINK_FIXED_MS + trips * rttMs);
}

/** The slow-link facts of a run, or undefined when its link is not slow (or its round trip is unknown). */
export function deriveSlowLinkFacts(probes: Record<string, ProbeOutcome>, t: Thresholds): SlowLinkFacts | undefined {
  const early = earlyRoundTrip(probes[SESSION_PROBE_ID]);
  if (!early || early.rttMs <= t.highRttMs) return undefined;
  const measured = measuredRttMs(probes[MEDIA_QUALITY_PROBE_ID]);
  if (measured !== undefined && measured <= t.highRttMs) return undefined;
  const cut: CutCheck[] = [];
  for (const [id, outcome] of Object.entries(probes)) {
    if ((outcome.status !== 'fail' && outcome.status !== 'warn') || outcome.reclassified || !endedByDeadline(id, outcome)) continue;
    const needs = neededMs(id, early.rttMs);
    if (needs !== undefined && outcome.durationMs < needs) cut.push({ probe: id, ranMs: outcome.durationMs, needsMs: needs });
  }
  // STUN over UDP silent on every port for long enough to be sure: the TURN port's UDP is shown silent, so TURN over
  // UDP to it timed out for that reason, not for slowness.
  const stun = probes[STUN_UDP_PROBE_ID];
  const udpShownSilent = stun !== undefined && stun.status === 'fail' && !stun.reclassified && endedByDeadline(STUN_UDP_PROBE_ID, stun) && !cut.some((c) => c.probe === STUN_UDP_PROBE_ID);
  return { ...early, cut: udpShownSilent ? cut.filter((c) => c.probe !== turnProbeId('udp')) : cut, evidence: probes[SESSION_PROBE_ID]!.evidence };
}

/** The outcomes with every check the slow link cut short as `inconclusive`, explained by high-rtt. */
export function reclassifyForSlowLink(probes: Record<string, ProbeOutcome>, facts: SlowLinkFacts | undefined): Record<string, ProbeOutcome> {
  if (!facts || facts.cut.length === 0) return probes;
  const out = { ...probes };
  for (const { probe, ranMs, needsMs } of facts.cut) {
    out[probe] = reclassified(
      out[probe]!,
      HIGH_RTT_CODE,
      `Not decided: its deadline came after ${ranMs} ms, and on this link's ${facts.rttMs} ms round trip the check needs up to ${needsMs} ms — slow, not shown to be blocked.`,
    );
  }
  return out;
}
