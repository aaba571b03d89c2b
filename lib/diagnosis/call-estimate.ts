/**
 * "What this network can carry", in a call's terms: audio, SD video, HD video and screen sharing, each `can`,
 * `marginal` or `cannot`, from the measured throughput each way, loss, round trip and jitter. Pure; the thresholds
 * are data (thresholds.ts `call`, CALL_NEEDS below), each with its source.
 *
 * Throughput is judged by what the measurement can claim: a rate that reached the need proves it; a path-limited
 * rate (the burst queued or lost at a bottleneck, facts-quality.ts) is the path's capacity, so below the minimum it
 * `cannot`; a rate that is only a lower bound (the sender's transport had not reached the target) or was not
 * measured (netready's own server was the limit) never makes anything `cannot` — at most `marginal`, saying why.
 */
import { eModel, type EModelResult } from './e-model';
import type { Thresholds } from './thresholds';

/** A call activity. */
export type CallActivity = 'audio' | 'sd-video' | 'hd-video' | 'screen-share';
/** Whether the network carries it. */
export type CallVerdict = 'can' | 'marginal' | 'cannot';

/** What an activity needs each way, kbit/s, and where the figures come from. */
export interface CallNeed {
  activity: CallActivity;
  label: string;
  /** Below this it does not work (the vendors' minimum / lowest published rate). */
  minKbps: number;
  /** At or above this it works well (the vendors' recommended rate). */
  recommendedKbps: number;
  sources: string[];
}

const TEAMS = 'Microsoft Teams, "Prepare your organization\'s network for Microsoft Teams", bandwidth table — https://learn.microsoft.com/en-us/microsoftteams/prepare-network';
const ZOOM = 'Zoom, "Calculating bandwidth usage for Zoom Meetings and Phone" — https://library.zoom.com/admin-corner/network-management/quality-of-service-and-network-best-practices-explainer/calculating-bandwidth-usage-for-zoom-meetings-and-phone';
const MEET = 'Google Meet, "Prepare your network for Meet meetings" (HD: 3.2 Mbit/s out, 2.6 Mbit/s in with 2 participants) — https://support.google.com/a/answer/1279090';

/** Bitrates per activity, each way (the vendors' published network requirements). */
export const CALL_NEEDS: readonly CallNeed[] = [
  { activity: 'audio', label: 'Audio', minKbps: 30, recommendedKbps: 100, sources: [`${TEAMS} (30 kbit/s peer-to-peer audio)`, `${ZOOM} (60–80 kbit/s voice)`] },
  { activity: 'sd-video', label: 'SD video', minKbps: 500, recommendedKbps: 1000, sources: [`${TEAMS} (500 kbit/s 360p video; 1 Mbit/s group video)`, `${ZOOM} (600 kbit/s–1 Mbit/s 360p)`] },
  { activity: 'hd-video', label: 'HD video', minKbps: 1200, recommendedKbps: 2600, sources: [`${TEAMS} (1.2 Mbit/s 720p)`, `${ZOOM} (1.2 Mbit/s 720p one-to-one, 2.6 Mbit/s up in groups)`, MEET] },
  { activity: 'screen-share', label: 'Screen sharing', minKbps: 130, recommendedKbps: 1500, sources: [`${TEAMS} (130 kbit/s audio with screen sharing; 1.5 Mbit/s for 1080p at 30 fps)`] },
];

/** What limited a direction's throughput burst (facts-quality.ts decides). */
export type ThroughputLimit =
  /** It reached the target rate: the path carries at least that. */
  | 'target'
  /** A bottleneck on the path: the rate is the path's capacity. */
  | 'path'
  /** The sender's transport held it back (congestion control on a long or lossy path): a lower bound. */
  | 'sender'
  /** netready's own server was the limit: what arrived is a lower bound, never a capacity. */
  | 'server'
  /** No burst was measured: the rate, if any, is the stream's own (a lower bound). */
  | 'unmeasured';

/** One direction's throughput as the estimate reads it. */
export interface DirectionCapacity {
  kbps?: number;
  limitedBy: ThroughputLimit;
}

/** The measurement, reduced to what the estimate needs. */
export interface CallInputs {
  rttMs?: number;
  jitterUpMs?: number;
  jitterDownMs?: number;
  lossUp?: number;
  lossDown?: number;
  up: DirectionCapacity;
  down: DirectionCapacity;
}

/** How one direction's throughput compares with a need. */
export type BandwidthVerdict = CallVerdict | 'unknown';

/** One row of the estimate. */
export interface CallEstimateRow {
  activity: CallActivity;
  label: string;
  verdict: CallVerdict;
  /** Short reasons for anything below `can` (plain words, for the table and the findings). */
  reasons: string[];
  bandwidth: { up: BandwidthVerdict; down: BandwidthVerdict };
  /** Audio only: the E-model for the speech each way (towards the server: others hear you; from it: you hear them). */
  speech?: { up: EModelResult; down: EModelResult };
}

/** Formats kbit/s for text: 950 kbit/s, 1.2 Mbit/s. */
export function formatKbps(kbps: number): string {
  return kbps >= 1000 ? `${Math.round(kbps / 100) / 10} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

/**
 * One direction's throughput against a need. Only a path-limited rate is a capacity; any other rate is what did
 * arrive, a lower bound (also one netready's busy server sent, or the streams' own rate when no burst was measured).
 */
export function judgeBandwidth(capacity: DirectionCapacity, need: Pick<CallNeed, 'minKbps' | 'recommendedKbps'>): BandwidthVerdict {
  const { kbps, limitedBy } = capacity;
  if (kbps === undefined) return 'unknown';
  if (kbps >= need.recommendedKbps) return 'can';
  if (limitedBy === 'path') return kbps >= need.minKbps ? 'marginal' : 'cannot';
  return kbps >= need.minKbps ? 'marginal' : 'unknown';
}

const WORST: Record<CallVerdict, number> = { can: 0, marginal: 1, cannot: 2 };

function worst(verdicts: CallVerdict[]): CallVerdict {
  return verdicts.reduce<CallVerdict>((a, b) => (WORST[b] > WORST[a] ? b : a), 'can');
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10} %`;

function bandwidthPart(inputs: CallInputs, need: CallNeed): { verdict: CallVerdict; reasons: string[]; up: BandwidthVerdict; down: BandwidthVerdict } {
  const up = judgeBandwidth(inputs.up, need);
  const down = judgeBandwidth(inputs.down, need);
  const reasons: string[] = [];
  const verdicts: CallVerdict[] = [];
  for (const [dir, verdict, capacity] of [['towards the server', up, inputs.up], ['from the server', down, inputs.down]] as const) {
    if (verdict === 'can') continue;
    const range = `needs ${formatKbps(need.minKbps)}–${formatKbps(need.recommendedKbps)}`;
    if (verdict === 'unknown') {
      verdicts.push('marginal');
      const why = capacity.limitedBy === 'server' ? ": netready's test server was the limit" : capacity.limitedBy === 'unmeasured' ? ' (the stream only; no burst measured)' : '';
      reasons.push(capacity.kbps === undefined ? `throughput ${dir} not measured${why}` : `at least ${formatKbps(capacity.kbps)} ${dir}${why} (${range})`);
    } else {
      verdicts.push(verdict);
      reasons.push(`${formatKbps(capacity.kbps!)} ${dir}${capacity.limitedBy === 'path' ? '' : ' or more'} (${range})`);
    }
  }
  return { verdict: worst(verdicts), reasons, up, down };
}

/** The estimate, one row per activity of CALL_NEEDS. */
export function estimateCall(inputs: CallInputs, thresholds: Thresholds): CallEstimateRow[] {
  const t = thresholds.call;
  const oneWay = inputs.rttMs === undefined ? undefined : inputs.rttMs / 2;
  const lossWorst = Math.max(inputs.lossUp ?? 0, inputs.lossDown ?? 0);
  const jitterWorst = Math.max(inputs.jitterUpMs ?? 0, inputs.jitterDownMs ?? 0);
  return CALL_NEEDS.map((need) => {
    const bw = bandwidthPart(inputs, need);
    const verdicts: CallVerdict[] = [bw.verdict];
    const reasons = [...bw.reasons];
    const row: CallEstimateRow = { activity: need.activity, label: need.label, verdict: 'can', reasons, bandwidth: { up: bw.up, down: bw.down } };
    if (need.activity === 'audio') {
      const speech = {
        up: eModel({ oneWayDelayMs: oneWay ?? 0, jitterMs: inputs.jitterUpMs ?? 0, lossRatio: inputs.lossUp ?? 0 }),
        down: eModel({ oneWayDelayMs: oneWay ?? 0, jitterMs: inputs.jitterDownMs ?? 0, lossRatio: inputs.lossDown ?? 0 }),
      };
      row.speech = speech;
      const r = Math.min(speech.up.r, speech.down.r);
      const verdict: CallVerdict = r >= t.audioRGood ? 'can' : r >= t.audioRMin ? 'marginal' : 'cannot';
      verdicts.push(verdict);
      if (verdict !== 'can') reasons.push(`speech quality R ${r} (MOS ${Math.min(speech.up.mos, speech.down.mos)}) below ${t.audioRGood}`);
    } else {
      if (lossWorst > t.videoLossMax) {
        verdicts.push('cannot');
        reasons.push(`${pct(lossWorst)} packet loss (over ${pct(t.videoLossMax)})`);
      } else if (lossWorst > t.videoLossGood) {
        verdicts.push('marginal');
        reasons.push(`${pct(lossWorst)} packet loss (over ${pct(t.videoLossGood)})`);
      }
      if (jitterWorst > t.videoJitterGoodMs) {
        verdicts.push('marginal');
        reasons.push(`jitter ${jitterWorst} ms (over ${t.videoJitterGoodMs} ms)`);
      }
      if (oneWay !== undefined && oneWay > t.oneWayMaxMs) {
        verdicts.push('cannot');
        reasons.push(`≈ ${Math.round(oneWay)} ms one way (over ${t.oneWayMaxMs} ms)`);
      } else if (oneWay !== undefined && oneWay > t.oneWayGoodMs) {
        verdicts.push('marginal');
        reasons.push(`≈ ${Math.round(oneWay)} ms one way (over ${t.oneWayGoodMs} ms)`);
      }
    }
    row.verdict = worst(verdicts);
    return row;
  });
}
