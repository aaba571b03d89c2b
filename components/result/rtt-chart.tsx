/**
 * "Round trip over the stream": a small SVG drawn from the media-quality outcome of a result (live, stored or
 * shared) — round trip per ping with unanswered pings marked ✕, and one strip per stream with a tick per lost
 * packet. Print-friendly (strokes in the text colour, no fills behind the plot), accessible (role="img" with
 * <title> and a <desc> that says everything the picture shows; markers differ in shape, not only colour).
 * Geometry: rtt-chart-model.ts.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import type { MediaQualityData } from '../../lib/probes/media-quality';
import { buildRttChart, CHART } from './rtt-chart-model';

/** Props: the media-quality probe's outcome (`result.probes['media-quality']`). */
export interface RttChartProps {
  outcome: ProbeOutcome | undefined;
  /** Accessible title (default "Round trip over the measurement stream"). */
  title?: string;
}

/** The chart, or nothing when the outcome has no answered ping. */
export function RttChart({ outcome, title = 'Round trip over the measurement stream' }: RttChartProps) {
  const model = outcome ? buildRttChart(outcome.data as Partial<MediaQualityData>) : null;
  if (!model) return null;
  const id = 'rtt-chart';
  const plotBottom = CHART.plotTop + CHART.plotHeight;
  return (
    <figure className="w-full max-w-2xl text-slate-800 print:break-inside-avoid">
      <svg
        viewBox={`0 0 ${CHART.width} ${model.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="h-auto w-full font-sans"
        fontSize="10"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{model.summary}</desc>
        <g stroke="currentColor" strokeOpacity="0.25">
          {model.yTicks.map((t) => (
            <line key={t.label} x1={CHART.left} x2={CHART.width - CHART.right} y1={t.y} y2={t.y} />
          ))}
        </g>
        <g fill="currentColor" textAnchor="end">
          {model.yTicks.map((t) => (
            <text key={t.label} x={CHART.left - 4} y={t.y + 3}>
              {t.label}
            </text>
          ))}
        </g>
        <g fill="currentColor">
          {model.xTicks.map((t, i) => (
            // The outer labels hug the plot's edges (anchored inwards) so the last one is never clipped.
            <text key={t.label} x={t.x} y={plotBottom + 12} textAnchor={i === 0 ? 'start' : i === model.xTicks.length - 1 ? 'end' : 'middle'}>
              {t.label}
            </text>
          ))}
        </g>
        <path d={model.path} fill="none" stroke="currentColor" strokeWidth="1.2" />
        <g fill="currentColor">
          {model.points.map((p) => (
            <circle key={p.seq} cx={p.x} cy={p.y} r="1.8">
              <title>{`ping ${p.seq}: ${p.rttMs} ms`}</title>
            </circle>
          ))}
        </g>
        <g stroke="currentColor" strokeWidth="1.2">
          {model.lostPings.map((x) => (
            <path key={x} d={`M${x - 3} ${CHART.plotTop - 3}l6 6m0 -6l-6 6`}>
              <title>unanswered ping</title>
            </path>
          ))}
        </g>
        {model.strips.map((strip) => (
          <g key={strip.label}>
            <text x={CHART.left} y={strip.y - 4} fill="currentColor">
              {`${strip.label}: ${strip.lostCount} of ${strip.sent} lost`}
            </text>
            <rect x={CHART.left} y={strip.y} width={CHART.width - CHART.left - CHART.right} height={CHART.stripHeight} fill="none" stroke="currentColor" strokeOpacity="0.4" />
            <g stroke="currentColor" strokeWidth="2">
              {strip.ticks.map((x, i) => (
                <line key={`${x}-${i}`} x1={x} x2={x} y1={strip.y} y2={strip.y + CHART.stripHeight} />
              ))}
            </g>
          </g>
        ))}
      </svg>
      <figcaption className="mt-1 text-xs leading-5 text-slate-600">{model.summary}</figcaption>
    </figure>
  );
}
