/**
 * Quality facts from the media-quality probe: loss and jitter per direction, the round trip, throughput per
 * direction with what limited it, whether netready's own media peer was the limit, and the call estimate — or
 * nothing when the streams could not be measured.
 *
 * What limited a throughput burst (thresholds.ts): netready's server when it reported being busy ("never blame
 * the network"); the target when the burst arrived at ≥ 90 % of it (the path carries at least that); the path when
 * the burst arrived below target at a bottleneck's signature — its packets spaced by a link at capacity (dispersion
 * near the rate that arrived), or, from the server only, a queue built up or clearly more loss than the quiet stream
 * (upwards the page stamps its packets when it queues them, and the browser's own SCTP abandons messages of a
 * held-back burst, so neither delay nor loss there is the path's); otherwise the sender (its transport's congestion control had not reached the target — a lower bound only).
 */
import type { Evidence, ProbeOutcome } from '../schema/result';
import type { ServerLoad } from '../protocol/media-quality/wire';
import { MEDIA_QUALITY_PROBE_ID, type BurstDirection, type MediaQualityData, type StreamDirection } from '../probes/media-quality';
import { estimateCall, type CallEstimateRow, type DirectionCapacity, type ThroughputLimit } from './call-estimate';
import { THRESHOLDS, type Thresholds } from './thresholds';

/** One direction's throughput, judged. */
export interface ThroughputFacts extends DirectionCapacity {
  targetKbps: number;
  lossRatio?: number;
  queueDelayP90Ms?: number;
}

/** What the media-quality probe measured, and what it means. */
export interface QualityFacts {
  /** The path's round trip (`MediaQualityData.rttMs`: the pings' median, or ICE's when the page was late with them). */
  rttMedianMs?: number;
  /** 95th percentile of the pings; absent when they were not the path's figure. */
  rttP95Ms?: number;
  /** The page answered the pings this many ms later than ICE timed the path (a busy computer, not the network). */
  pageDelayMs?: number;
  /** Worst of the two directions. */
  jitterMs?: number;
  lossRatio?: number;
  /** The stream towards the server (counted by the server) and from it (counted by the page). */
  up?: StreamDirection;
  down?: StreamDirection;
  throughput: { up: ThroughputFacts; down: ThroughputFacts };
  /** netready's server was the limit during the bursts (its figures say nothing about the network). */
  serverLimited: boolean;
  /** Why, when serverLimited. */
  serverReasons: string[];
  serverLoad?: ServerLoad;
  /** A direction's throughput is the path's capacity and below what HD video should have. */
  lowBandwidth: boolean;
  estimate: CallEstimateRow[];
  /** Local candidate type of the measured path (`host`, `srflx`, `prflx`, `relay`). */
  pathType?: string;
  /** TURN transport when the path is relayed. */
  relayProtocol?: string;
  evidence: Evidence[];
}

/** Why the server was the limit, from its reported load (empty: it was not). */
export function serverLimitReasons(data: Partial<MediaQualityData>, t: Thresholds): string[] {
  const reasons: string[] = [];
  const load = data.serverLoad;
  if (load) {
    if (load.cpuBusyRatio >= t.serverCpuBusyRatio) reasons.push(`its process used ${Math.round(load.cpuBusyRatio * 100)} % of a CPU core`);
    if (load.loopLagMaxMs >= t.serverLoopLagMs) reasons.push(`its event loop stalled for ${load.loopLagMaxMs} ms`);
    if (load.udpReceiveErrors !== null && load.udpReceiveErrors > 0) reasons.push(`its host dropped ${load.udpReceiveErrors} UDP datagrams for full receive buffers`);
  }
  const shortfall = data.throughput?.down?.serverShortfall;
  if (shortfall !== undefined && shortfall >= t.serverShortfall) reasons.push(`it sent ${Math.round(shortfall * 100)} % less than asked`);
  if (data.refused?.some((r) => r.startsWith('bulk: busy'))) reasons.push('it refused the burst as busy with other tests');
  return reasons;
}

/**
 * Bytes a stream packet takes on the wire beyond its text, at least: IPv4 20 + UDP 8 + DTLS 1.2 record 13 + AES-GCM
 * nonce 8 and tag 16 + SCTP common header 12 + DATA chunk header 16 (RFC 791, 768, 6347, 5288, 9260).
 */
const STREAM_PACKET_OVERHEAD_BYTES = 93;
/** Text of a stream packet, at least (`P 0 0` is 5 characters; real ones carry a time with decimals). */
const STREAM_PACKET_MIN_TEXT_BYTES = 5;

/** What a stream that mostly arrived proves the path carried, kbit/s (a lower bound), or undefined. */
function streamLowerBoundKbps(stream: StreamDirection | undefined, intervalMs: number | undefined): number | undefined {
  if (!stream || !intervalMs || stream.sent === 0 || stream.received < 0.9 * stream.sent) return undefined;
  return Math.floor(((STREAM_PACKET_OVERHEAD_BYTES + STREAM_PACKET_MIN_TEXT_BYTES) * 8 * stream.received) / (stream.sent * intervalMs));
}

/**
 * `pageBusy`: the page answered the round-trip pings late (MediaQualityData.pageDelayMs), so its own sending may have
 * set the pace of the burst towards the server — evenly spaced arrivals then say nothing about the path (CI's
 * lossy-latent: the page 149 ms late, an upward burst of 109 kbit/s arriving evenly at 120 kbit/s on a link with no
 * cap; the quiet page's bursts arrive in windows at over 1 Mbit/s).
 */
function judgeDirection(direction: 'up' | 'down', burst: BurstDirection | undefined, stream: StreamDirection | undefined, intervalMs: number | undefined, serverLimited: boolean, t: Thresholds, pageBusy = false): ThroughputFacts {
  if (!burst || burst.kbps === undefined) {
    const kbps = streamLowerBoundKbps(stream, intervalMs);
    return { targetKbps: burst?.targetKbps ?? 0, limitedBy: serverLimited ? 'server' : 'unmeasured', ...(kbps !== undefined ? { kbps } : {}) };
  }
  const facts: ThroughputFacts = { targetKbps: burst.targetKbps, limitedBy: 'unmeasured' };
  if (burst.kbps !== undefined) facts.kbps = burst.kbps;
  if (burst.lossRatio !== undefined) facts.lossRatio = burst.lossRatio;
  if (burst.queueDelay) facts.queueDelayP90Ms = burst.queueDelay.p90Ms;
  let limitedBy: ThroughputLimit;
  if (serverLimited) limitedBy = 'server';
  else if (burst.kbps >= 0.9 * burst.targetKbps) limitedBy = 'target';
  else {
    const spaced = burst.dispersionKbps !== undefined && burst.dispersionKbps <= burst.kbps * t.bottleneckDispersionRatio && !(direction === 'up' && pageBusy);
    // Queue and loss only downwards, where the server paced the burst and stamped each packet as it left. Upwards the
    // page stamps a packet when it queues it, and a burst held back by the browser's SCTP loses more than the link
    // drops (lossy-latent: 4 of 48 missing where the router's exact 1-in-50 can have dropped 2 at most): neither
    // the delay nor that loss is the path's.
    const queued = direction === 'down' && (burst.queueDelay?.p90Ms ?? 0) >= t.bottleneckQueueMs;
    const extraLoss = direction === 'down' && (burst.lossRatio ?? 0) - (stream?.lossRatio ?? 0) >= t.bottleneckExtraLoss;
    // A path that carried the stream faster than the burst arrived is not what held the burst back: on a lossy 200 ms
    // path SCTP's congestion window does, and its acknowledgement-clocked packets arrive as evenly as a bottleneck's
    // (lossy-latent: an upward burst of 64 kbit/s, spaced at 44, after a stream that proved 307).
    const slowerThanStream = (streamLowerBoundKbps(stream, intervalMs) ?? 0) > burst.kbps;
    limitedBy = (spaced || queued || extraLoss) && !slowerThanStream ? 'path' : 'sender';
  }
  facts.limitedBy = limitedBy;
  // A rate that is not the path's capacity is a lower bound, and so is what the stream carried: the larger one holds.
  // A burst of two round trips on a lossy 200 ms path is held back by SCTP's congestion control (lossy-latent: 95
  // kbit/s towards the server after a stream of 196 of 200 packets at 400 packets/s, at least 307 kbit/s).
  const streamKbps = limitedBy === 'sender' ? streamLowerBoundKbps(stream, intervalMs) : undefined;
  if (streamKbps !== undefined && streamKbps > burst.kbps) facts.kbps = streamKbps;
  return facts;
}

/** The path's round trip: `rttMs`, or the pings' median in results from before it existed. */
function pathRtt(data: Partial<MediaQualityData>): number | undefined {
  if (typeof data.rttMs === 'number') return data.rttMs;
  return typeof data.rttMedianMs === 'number' ? data.rttMedianMs : undefined;
}

/** The outcome's data when it measured both streams (passed, or failed with nothing arriving); else undefined. */
type MeasuredData = Partial<MediaQualityData> & Required<Pick<MediaQualityData, 'up' | 'down'>>;
function measuredData(outcome: ProbeOutcome | undefined): MeasuredData | undefined {
  if (!outcome || (outcome.status !== 'pass' && outcome.status !== 'fail')) return undefined;
  const data = outcome.data as Partial<MediaQualityData>;
  return data.up && data.down ? (data as MeasuredData) : undefined;
}

/** The path's round trip a media-quality outcome measured (facts-slow-link.ts weighs it against the first request's). */
export function measuredRttMs(outcome: ProbeOutcome | undefined): number | undefined {
  const data = measuredData(outcome);
  return data ? pathRtt(data) : undefined;
}

/** Quality facts of one media-quality outcome; undefined when it did not measure the streams. */
export function qualityFactsFromOutcome(outcome: ProbeOutcome | undefined, t: Thresholds = THRESHOLDS): QualityFacts | undefined {
  const data = measuredData(outcome);
  if (!outcome || !data) return undefined;
  const rtt = pathRtt(data);
  const serverReasons = serverLimitReasons(data, t);
  const serverLimited = serverReasons.length > 0;
  const throughput = {
    up: judgeDirection('up', data.throughput?.up, data.up, data.streamIntervalMs, serverLimited, t, data.pageDelayMs !== undefined),
    down: judgeDirection('down', data.throughput?.down, data.down, data.streamIntervalMs, serverLimited, t),
  };
  const estimate = estimateCall(
    {
      ...(rtt !== undefined ? { rttMs: rtt } : {}),
      ...(data.up.jitterMs !== undefined ? { jitterUpMs: data.up.jitterMs } : {}),
      ...(data.down.jitterMs !== undefined ? { jitterDownMs: data.down.jitterMs } : {}),
      ...(data.up.lossRatio !== undefined ? { lossUp: data.up.lossRatio } : {}),
      ...(data.down.lossRatio !== undefined ? { lossDown: data.down.lossRatio } : {}),
      up: throughput.up,
      down: throughput.down,
    },
    t,
  );
  const hd = estimate.find((row) => row.activity === 'hd-video');
  const lowBandwidth = [throughput.up, throughput.down].some((d) => d.limitedBy === 'path') && hd !== undefined && (hd.bandwidth.up === 'cannot' || hd.bandwidth.up === 'marginal' || hd.bandwidth.down === 'cannot' || hd.bandwidth.down === 'marginal');
  const facts: QualityFacts = { up: data.up, down: data.down, throughput, serverLimited, serverReasons, lowBandwidth, estimate, evidence: outcome.evidence };
  if (rtt !== undefined) facts.rttMedianMs = rtt;
  if (typeof data.rttP95Ms === 'number' && data.rttSource !== 'ice') facts.rttP95Ms = data.rttP95Ms;
  if (typeof data.pageDelayMs === 'number') facts.pageDelayMs = data.pageDelayMs;
  if (typeof data.jitterMs === 'number') facts.jitterMs = data.jitterMs;
  if (typeof data.lossRatio === 'number') facts.lossRatio = data.lossRatio;
  if (data.serverLoad) facts.serverLoad = data.serverLoad;
  if (data.path?.local?.candidateType) facts.pathType = data.path.local.candidateType;
  if (data.path?.local?.relayProtocol) facts.relayProtocol = data.path.local.relayProtocol;
  return facts;
}

/** Derives quality facts from the run's outcomes; undefined when the probe did not measure the streams. */
export function deriveQualityFacts(probes: Record<string, ProbeOutcome>, t: Thresholds = THRESHOLDS): QualityFacts | undefined {
  return qualityFactsFromOutcome(probes[MEDIA_QUALITY_PROBE_ID], t);
}

/** Describes the measured path for finding text. */
export function describePath(facts: QualityFacts): string {
  if (facts.pathType === 'relay') return `through the relay server over ${(facts.relayProtocol ?? 'udp').toUpperCase()}`;
  return 'on the direct path';
}

/** "5 %" for 0.05 (one decimal below 10 %). */
export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
