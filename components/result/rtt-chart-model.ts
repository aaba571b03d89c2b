/**
 * Geometry of the round-trip picture (rtt-chart.tsx), from the media-quality probe's `data` alone, so a stored or
 * shared result draws the same picture: round trip per ping over time with unanswered pings marked, and below it
 * one strip per 200-packet stream with a tick at each lost packet. Pure; the SVG is drawn in rtt-chart.tsx.
 */
import type { MediaQualityData } from '../../lib/probes/media-quality';

/** Chart size in SVG user units (scaled to its container). */
export const CHART = { width: 560, plotTop: 16, plotHeight: 120, left: 48, right: 12, stripHeight: 14, stripGap: 26, bottom: 20 } as const;

/** One answered ping. */
export interface RttPoint {
  seq: number;
  x: number;
  y: number;
  rttMs: number;
}

/** One stream strip with its lost packets. */
export interface LossStrip {
  label: string;
  sent: number;
  lostCount: number;
  /** x of each lost packet. */
  ticks: number[];
  y: number;
}

/** Everything the component draws. */
export interface RttChartModel {
  height: number;
  points: RttPoint[];
  /** x of each unanswered ping (drawn as ✕ along the top of the plot). */
  lostPings: number[];
  /** Polyline through the answered pings, in order (breaks are not drawn: lost pings stay visible as ✕). */
  path: string;
  yTicks: Array<{ y: number; label: string }>;
  xTicks: Array<{ x: number; label: string }>;
  strips: LossStrip[];
  /** The picture in words: the `<desc>`, and the text for anyone who cannot see it. */
  summary: string;
  /** The axis maximum, ms. */
  maxMs: number;
}

/** A rounded axis maximum: 1, 2, 5 × 10ⁿ at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const base = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * base) return step * base;
  return 10 * base;
}

function pct(part: number, of: number): string {
  return of > 0 ? `${Math.round((part / of) * 1000) / 10} %` : '-';
}

/** The chart model, or null when the data has no answered ping to draw. */
export function buildRttChart(data: Partial<MediaQualityData>): RttChartModel | null {
  const samples = data.rttSamples ?? [];
  if (samples.length === 0) return null;
  const sent = Math.max(data.rttSent ?? 0, ...samples.map(([seq]) => seq + 1));
  const interval = data.rttIntervalMs ?? 5;
  const spanMs = Math.max(interval, (sent - 1) * interval);
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const maxMs = niceCeiling(Math.max(...samples.map(([, ms]) => ms)) * 1.1);
  const xOf = (seq: number): number => Math.round((CHART.left + (seq * interval * plotWidth) / spanMs) * 10) / 10;
  const yOf = (ms: number): number => Math.round((CHART.plotTop + CHART.plotHeight - (ms / maxMs) * CHART.plotHeight) * 10) / 10;
  const points = [...samples].sort((a, b) => a[0] - b[0]).map(([seq, rttMs]) => ({ seq, rttMs, x: xOf(seq), y: yOf(rttMs) }));
  const answered = new Set(points.map((p) => p.seq));
  const lostPings = Array.from({ length: sent }, (_, seq) => seq).filter((seq) => !answered.has(seq)).map(xOf);
  const streams: Array<[string, MediaQualityData['up']]> = [
    ['Stream towards the server', data.up],
    ['Stream from the server', data.down],
  ];
  const stripTop = CHART.plotTop + CHART.plotHeight + CHART.stripGap;
  const strips: LossStrip[] = streams
    .filter((entry): entry is [string, NonNullable<MediaQualityData['up']>] => entry[1] !== undefined && entry[1].sent > 0)
    .map(([label, d], i) => ({
      label,
      sent: d.sent,
      lostCount: d.sent - d.received,
      ticks: d.lost.map((seq) => Math.round((CHART.left + (seq * plotWidth) / Math.max(1, d.sent - 1)) * 10) / 10),
      y: stripTop + i * (CHART.stripHeight + CHART.stripGap),
    }));
  const height = (strips.at(-1)?.y ?? CHART.plotTop + CHART.plotHeight) + CHART.stripHeight + CHART.bottom;
  const sorted = samples.map(([, ms]) => ms).sort((a, b) => a - b);
  const summary = [
    `Round trip of ${samples.length} of ${sent} pings sent ${interval} ms apart: from ${sorted[0]} to ${sorted.at(-1)} ms` +
      (data.rttMedianMs !== undefined ? `, median ${data.rttMedianMs} ms` : '') +
      `; ${sent - samples.length} unanswered.` +
      (data.rttSource === 'ice' && data.rttMs !== undefined
        ? ` The browser's own connection checks timed the path at ${data.rttMs} ms: this computer was busy and the page answered the pings late, so ${data.rttMs} ms is the network's figure.`
        : ''),
    ...strips.map((s) => `${s.label}: ${s.lostCount} of ${s.sent} packets lost (${pct(s.lostCount, s.sent)}).`),
  ].join(' ');
  return {
    height,
    points,
    lostPings,
    path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' '),
    yTicks: [0, maxMs / 2, maxMs].map((ms) => ({ y: yOf(ms), label: `${ms} ms` })),
    xTicks: [0, Math.round(spanMs / 2), Math.round(spanMs)].map((ms) => ({ x: Math.round((CHART.left + (ms * plotWidth) / spanMs) * 10) / 10, label: `${ms} ms` })),
    strips,
    summary,
    maxMs,
  };
}
