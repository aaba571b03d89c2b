/**
 * The lab's view of netready's media-quality probe: what it measured (reduced from the result JSON, with the
 * facts the diagnosis drew from it — what limited each burst, the call estimate) and the row's quality checks.
 */
import { qualityFactsFromOutcome } from '../../lib/diagnosis/facts-quality';
import type { MediaQualityData } from '../../lib/probes/media-quality';
import type { ProbeOutcome } from '../../lib/schema/result';
import type { QualityExpectation } from './scenarios';

/** What netready's media-quality probe reported. */
export interface ObservedQuality {
  status: string;
  durationMs?: number;
  reason?: string;
  up?: { sent: number; received: number; lossRatio?: number; jitterMs?: number; lost: number[] };
  down?: { sent: number; received: number; lossRatio?: number; jitterMs?: number; lost: number[] };
  rttMedianMs?: number;
  rttP95Ms?: number;
  /** The path's round trip the diagnosis reads (the pings' median, or ICE's when the page was late: `rttSource`). */
  rttMs?: number;
  rttSource?: string;
  iceRttMs?: number;
  rtt: { sent: number; answered: number };
  throughput: {
    up?: { kbps?: number; targetKbps: number; lossRatio?: number; queueP90Ms?: number; limitedBy: string };
    down?: { kbps?: number; targetKbps: number; lossRatio?: number; queueP90Ms?: number; limitedBy: string };
  };
  serverLoad?: MediaQualityData['serverLoad'];
  estimate: Record<string, string>;
  refused: string[];
}

/** Reduces the media-quality outcome (undefined when the probe is absent). */
export function observeQuality(outcome: { status: string; durationMs?: number; reason?: string; data?: Record<string, unknown> } | undefined): ObservedQuality | undefined {
  if (!outcome) return undefined;
  const data = (outcome.data ?? {}) as Partial<MediaQualityData>;
  const facts = qualityFactsFromOutcome({ status: outcome.status, durationMs: outcome.durationMs ?? 0, data: outcome.data ?? {}, evidence: [] } as ProbeOutcome);
  const direction = (d: MediaQualityData['up']) => (d ? { sent: d.sent, received: d.received, lossRatio: d.lossRatio, jitterMs: d.jitterMs, lost: d.lost } : undefined);
  const burst = (dir: 'up' | 'down') => {
    const b = data.throughput?.[dir];
    if (!b) return undefined;
    return { kbps: b.kbps, targetKbps: b.targetKbps, lossRatio: b.lossRatio, queueP90Ms: b.queueDelay?.p90Ms, limitedBy: facts?.throughput[dir].limitedBy ?? '-' };
  };
  return {
    status: outcome.status,
    ...(outcome.durationMs !== undefined ? { durationMs: outcome.durationMs } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(data.up ? { up: direction(data.up)! } : {}),
    ...(data.down ? { down: direction(data.down)! } : {}),
    ...(data.rttMedianMs !== undefined ? { rttMedianMs: data.rttMedianMs, rttP95Ms: data.rttP95Ms } : {}),
    ...(data.rttMs !== undefined ? { rttMs: data.rttMs, rttSource: data.rttSource } : {}),
    ...(data.iceRtt ? { iceRttMs: data.iceRtt.ms } : {}),
    rtt: { sent: data.rttSent ?? 0, answered: data.rttSamples?.length ?? 0 },
    throughput: { ...(burst('up') ? { up: burst('up')! } : {}), ...(burst('down') ? { down: burst('down')! } : {}) },
    ...(data.serverLoad ? { serverLoad: data.serverLoad } : {}),
    estimate: Object.fromEntries((facts?.estimate ?? []).map((row) => [row.activity, row.verdict])),
    refused: data.refused ?? [],
  };
}

const pct = (x: number | undefined): string => (x === undefined ? '-' : `${(x * 100).toFixed(2)} %`);

/** Adds the row's quality checks. */
export function assessQuality(want: QualityExpectation, q: ObservedQuality | undefined, add: (name: string, ok: boolean, detail: string) => void): void {
  if (!q) {
    add('media-quality measured', false, 'no media-quality probe in the result');
    return;
  }
  const summary =
    `status ${q.status}${q.reason ? ` (${q.reason})` : ''}; up ${q.up ? `${q.up.sent - q.up.received}/${q.up.sent} lost ${JSON.stringify(q.up.lost)}` : '-'}, ` +
    `down ${q.down ? `${q.down.sent - q.down.received}/${q.down.sent} lost ${JSON.stringify(q.down.lost)}` : '-'}; rtt ${q.rttMs ?? '-'} ms by ${q.rttSource ?? '-'} (pings ${q.rttMedianMs ?? '-'} ms, ${q.rtt.answered}/${q.rtt.sent}; ICE ${q.iceRttMs ?? '-'} ms); ` +
    `throughput up ${q.throughput.up?.kbps ?? '-'} kbit/s (${q.throughput.up?.limitedBy ?? '-'}), down ${q.throughput.down?.kbps ?? '-'} kbit/s (${q.throughput.down?.limitedBy ?? '-'}); ` +
    `estimate ${JSON.stringify(q.estimate)}; server load ${JSON.stringify(q.serverLoad ?? null)}`;
  add('media-quality measured both streams', q.status === 'pass' && !!q.up && !!q.down, summary);
  if (want.lossPct) {
    for (const dir of ['up', 'down'] as const) {
      const [min, max] = want.lossPct[dir];
      const got = q[dir]?.lossRatio;
      const ok = got !== undefined && got >= min / 100 - 1e-9 && got <= max / 100 + 1e-9;
      const name = dir === 'up' ? 'towards the server' : 'from the server';
      add(`loss ${name} ${min === max ? `${min} %` : `${min}–${max} %`}`, ok, `measured ${pct(got)} (${q[dir] ? `${q[dir]!.sent - q[dir]!.received} of ${q[dir]!.sent}` : '-'})`);
    }
  }
  if (want.rttMs) {
    const { value, tolerance } = want.rttMs;
    const got = q.rttMs ?? q.rttMedianMs;
    add(
      `round trip ${value} ms ± ${tolerance * 100} %`,
      got !== undefined && Math.abs(got - value) <= value * tolerance,
      `${got ?? '-'} ms by ${q.rttSource ?? 'pings'}; pings median ${q.rttMedianMs ?? '-'} ms, 95th percentile ${q.rttP95Ms ?? '-'} ms; ICE ${q.iceRttMs ?? '-'} ms`,
    );
  }
  if (want.throughputKbps) {
    for (const dir of ['up', 'down'] as const) {
      const got = q.throughput[dir]?.kbps;
      const { min, max } = want.throughputKbps;
      add(`throughput ${dir} in [${min}, ${max}] kbit/s`, got !== undefined && got >= min && got <= max, `${got ?? '-'} kbit/s, burst loss ${pct(q.throughput[dir]?.lossRatio)}, queue p90 ${q.throughput[dir]?.queueP90Ms ?? '-'} ms`);
    }
  }
  if (want.limitedBy) {
    for (const dir of ['up', 'down'] as const) add(`throughput ${dir} limited by ${want.limitedBy}`, q.throughput[dir]?.limitedBy === want.limitedBy, summary);
  }
  for (const [activity, verdict] of Object.entries(want.estimate ?? {})) {
    add(`call estimate: ${activity} ${verdict}`, q.estimate[activity] === verdict, `estimate ${JSON.stringify(q.estimate)}`);
  }
}
