/**
 * The MTU ladder as a small SVG chart (issue 10 item 7): packet sizes across, paths down (direct IPv4, direct IPv6,
 * TURN over UDP), each cell passed / failed / not tried, the size where a path breaks marked, and the upstream check
 * below. Drawn only from the `mtu` probe's outcome in the result JSON — which may come from anyone through a share
 * link, so it is read defensively and rendered as text nodes only. Print-friendly: black strokes and text on light
 * fills, failed cells hatched, and every state also spelled out (✓ ✗ –) so nothing depends on colour alone.
 */
import { useId } from 'react';
import type { ProbeOutcome } from '../../lib/schema/result';

/** Props of {@link MtuLadder}. */
export interface MtuLadderProps {
  /** The `mtu` probe's outcome (`result.probes.mtu`); nothing is drawn when it holds no ladder. */
  outcome: ProbeOutcome | undefined;
}

/** How one cell reads. */
export type LadderCellState = 'passed' | 'failed' | 'not-tried' | 'undecided';

/** One column: an IP datagram size, sent with Don't-Fragment or not (a fragment rung). */
export interface LadderColumn {
  sizeBytes: number;
  df: boolean;
}

/** One row: a path. */
export interface LadderRow {
  label: string;
  cells: LadderCellState[];
  /** Index of the last column that passed before the first failed one above it: the break is right after it. */
  breakAfter?: number;
  /** One line about the row (why not tried, where it breaks, whether an ICMP came back). */
  note: string;
}

/** What the chart draws, derived from the probe outcome. */
export interface LadderModel {
  columns: LadderColumn[];
  rows: LadderRow[];
  upstream: string | null;
  /** The chart in one paragraph, for screen readers (`<desc>`). */
  summary: string;
}

type Rung = { sizeBytes: number; df: boolean; outcome: string };
type PathData = {
  path: string;
  status: string;
  reason?: string;
  rungs: Rung[];
  fragmentRungs: Rung[];
  largestArrivedBytes?: number;
  smallestLostBytes?: number;
  icmp?: { asked?: boolean; learnedBelowLost?: boolean; pathMtuBytes?: number };
};

const PATH_LABELS: Record<string, string> = { 'direct-ipv4': 'Direct IPv4', 'direct-ipv6': 'Direct IPv6', 'turn-udp': 'TURN over UDP' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readRungs(value: unknown): Rung[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((r) =>
    typeof r.sizeBytes === 'number' && Number.isFinite(r.sizeBytes) && typeof r.outcome === 'string' ? [{ sizeBytes: r.sizeBytes, df: r.df !== false, outcome: r.outcome }] : [],
  );
}

function readPaths(data: Record<string, unknown>): PathData[] {
  if (!Array.isArray(data.paths)) return [];
  return data.paths.filter(isRecord).flatMap((p) =>
    typeof p.path === 'string' && typeof p.status === 'string'
      ? [
          {
            path: p.path,
            status: p.status,
            ...(typeof p.reason === 'string' ? { reason: p.reason } : {}),
            rungs: readRungs(p.rungs),
            fragmentRungs: readRungs(p.fragmentRungs),
            ...(typeof p.largestArrivedBytes === 'number' ? { largestArrivedBytes: p.largestArrivedBytes } : {}),
            ...(typeof p.smallestLostBytes === 'number' ? { smallestLostBytes: p.smallestLostBytes } : {}),
            ...(isRecord(p.icmp) ? { icmp: p.icmp as PathData['icmp'] } : {}),
          },
        ]
      : [],
  );
}

function cellState(outcome: string | undefined): LadderCellState {
  if (outcome === 'arrived') return 'passed';
  if (outcome === 'lost') return 'failed';
  if (outcome === undefined) return 'not-tried';
  return 'undecided';
}

/** Builds the chart's model from the probe outcome; null when it holds no ladder (skipped, or an older result). */
export function ladderModel(outcome: ProbeOutcome | undefined): LadderModel | null {
  if (!outcome || !isRecord(outcome.data)) return null;
  // Reclassified as not tested (the browser or netready's own set-up stopped it: probe-on-loopback, WebRTC off, a server
  // lost mid-run): its empty rungs would draw a network failure that was never measured.
  if (outcome.reclassified) return null;
  const paths = readPaths(outcome.data);
  const all = paths.flatMap((p) => [...p.rungs, ...p.fragmentRungs]);
  if (all.length === 0) return null;
  const key = (c: LadderColumn): string => `${c.sizeBytes}:${c.df}`;
  const columns = [...new Map(all.map((r) => [key(r), { sizeBytes: r.sizeBytes, df: r.df }])).values()].sort((a, b) => Number(!a.df) - Number(!b.df) || a.sizeBytes - b.sizeBytes);
  const rows: LadderRow[] = paths.map((p) => {
    const byKey = new Map([...p.rungs, ...p.fragmentRungs].map((r) => [key(r), r.outcome]));
    const cells = columns.map((c) => cellState(byKey.get(key(c))));
    const label = PATH_LABELS[p.path] ?? p.path;
    let note: string;
    let breakAfter: number | undefined;
    if (p.status === 'not-tried') note = `not tried${p.reason ? `: ${p.reason}` : ''}`;
    else if (p.status === 'unreachable') note = p.reason ?? 'no size arrived';
    else if (p.smallestLostBytes !== undefined && p.largestArrivedBytes !== undefined) {
      breakAfter = columns.findIndex((c) => c.df && c.sizeBytes === p.largestArrivedBytes);
      const icmp = p.icmp?.asked ? (p.icmp.learnedBelowLost ? `, ICMP came back (path MTU ${p.icmp.pathMtuBytes})` : ', no ICMP came back') : '';
      note = `up to ${p.largestArrivedBytes} bytes; breaks at ${p.smallestLostBytes}${icmp}`;
    } else note = p.largestArrivedBytes !== undefined ? `every size up to ${p.largestArrivedBytes} bytes arrived` : 'measured';
    return { label, cells, ...(breakAfter !== undefined && breakAfter >= 0 ? { breakAfter } : {}), note };
  });
  const up = isRecord(outcome.data.upstream) ? outcome.data.upstream : undefined;
  const upstream =
    up && typeof up.status === 'string'
      ? up.status === 'passed'
        ? `Upstream: the largest packets a browser sends (≈ ${String(up.wireBytesEstimate ?? 1256)} bytes) got through ✓`
        : up.status === 'lost'
          ? `Upstream: the largest packets a browser sends (≈ ${String(up.wireBytesEstimate ?? 1256)} bytes) were lost ✗`
          : `Upstream: not measured${typeof up.reason === 'string' ? ` (${up.reason})` : ''}`
      : null;
  const summary = [
    `Packet sizes tested: ${columns.map((c) => `${c.sizeBytes}${c.df ? '' : ' without Don\'t-Fragment'}`).join(', ')} bytes.`,
    ...rows.map((r) => `${r.label}: ${r.note}.`),
    ...(upstream ? [upstream.replace(/ [✓✗]$/, '') + '.'] : []),
  ].join(' ');
  return { columns, rows, upstream, summary };
}

const CELL_W = 44;
const CELL_H = 24;
const GAP = 4;
const LABEL_W = 112;
const HEADER_H = 34;
const NOTE_H = 14;
const ROW_H = CELL_H + NOTE_H + 8;

const STYLE: Record<LadderCellState, { fill: string; stroke: string; dash?: string; mark: string; words: string }> = {
  passed: { fill: '#e3f2e5', stroke: '#1b5e20', mark: '✓', words: 'arrived' },
  failed: { fill: 'url(#FAILED)', stroke: '#8e1b1b', mark: '✗', words: 'lost' },
  'not-tried': { fill: '#ffffff', stroke: '#757575', dash: '3 2', mark: '–', words: 'not tried' },
  undecided: { fill: '#f2f2f2', stroke: '#757575', mark: '?', words: 'not decided (refused or failed in the browser)' },
};

/** The MTU ladder chart; renders nothing when the outcome holds no ladder. */
export function MtuLadder({ outcome }: MtuLadderProps) {
  const id = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const model = ladderModel(outcome);
  if (!model) return null;
  const { columns, rows, upstream } = model;
  const width = LABEL_W + columns.length * (CELL_W + GAP) + 8;
  const height = HEADER_H + rows.length * ROW_H + (upstream ? 22 : 4);
  const x = (i: number): number => LABEL_W + i * (CELL_W + GAP);
  const pattern = `${id}-failed`;
  return (
    <figure className="my-3 max-w-full overflow-x-auto">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} fontFamily="system-ui, sans-serif" fontSize={11}>
        <title id={`${id}-title`}>Packet sizes that got through (MTU ladder)</title>
        <desc id={`${id}-desc`}>{model.summary}</desc>
        <defs>
          <pattern id={pattern} width={6} height={6} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width={6} height={6} fill="#fbe4e4" />
            <line x1={0} y1={0} x2={0} y2={6} stroke="#8e1b1b" strokeWidth={1.2} />
          </pattern>
        </defs>
        <text x={4} y={14} fontWeight={600}>
          bytes
        </text>
        {columns.map((c, i) => (
          <g key={`h${i}`}>
            <text x={x(i) + CELL_W / 2} y={14} textAnchor="middle" fontWeight={600}>
              {c.sizeBytes}
            </text>
            {!c.df && (
              <text x={x(i) + CELL_W / 2} y={27} textAnchor="middle" fontSize={9}>
                no DF
              </text>
            )}
          </g>
        ))}
        {rows.map((row, r) => {
          const y = HEADER_H + r * ROW_H;
          return (
            <g key={`r${r}`}>
              <text x={4} y={y + CELL_H / 2 + 4} fontWeight={600}>
                {row.label}
              </text>
              {row.cells.map((state, i) => {
                const s = STYLE[state];
                const column = columns[i]!;
                return (
                  <g key={`c${r}-${i}`}>
                    <title>{`${row.label}, ${column.sizeBytes} bytes${column.df ? '' : ' without Don\'t-Fragment'}: ${s.words}`}</title>
                    <rect x={x(i)} y={y} width={CELL_W} height={CELL_H} rx={3} fill={s.fill === 'url(#FAILED)' ? `url(#${pattern})` : s.fill} stroke={s.stroke} strokeDasharray={s.dash} />
                    <text x={x(i) + CELL_W / 2} y={y + CELL_H / 2 + 4} textAnchor="middle" fontSize={13} fontWeight={700} fill="#111111">
                      {s.mark}
                    </text>
                  </g>
                );
              })}
              {row.breakAfter !== undefined && (
                <g>
                  <line x1={x(row.breakAfter) + CELL_W + GAP / 2} y1={y - 4} x2={x(row.breakAfter) + CELL_W + GAP / 2} y2={y + CELL_H + 4} stroke="#111111" strokeWidth={2.5} />
                  <text x={x(row.breakAfter) + CELL_W + GAP} y={y - 5} fontSize={9} fontWeight={700}>
                    breaks here
                  </text>
                </g>
              )}
              <text x={LABEL_W} y={y + CELL_H + NOTE_H - 2} fontSize={10} fill="#333333">
                {row.note}
              </text>
            </g>
          );
        })}
        {upstream && (
          <text x={4} y={height - 6} fontSize={11}>
            {upstream}
          </text>
        )}
      </svg>
    </figure>
  );
}
