/**
 * The path picture (issue 11 item 6): browser interface → the address netready's servers saw → which server, one line
 * per transport that worked, the path ICE chose for media in bold, a likely VPN in amber with a dashed border — so a
 * VPN detour is visible at a glance. Drawn from the result JSON only (./path-picture-model.ts), rendered as text
 * nodes, small and print-friendly: every state is also spelled out in words, nothing depends on colour alone. The
 * SVG scales to its container (a phone's width included) from a 420-unit-wide drawing.
 */
import { useId } from 'react';
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildPathPicture, type PathNode } from './path-picture-model';

/** Props of {@link PathPicture}. */
export interface PathPictureProps {
  probes: Readonly<Record<string, ProbeOutcome>>;
}

const WIDTH = 420;
const COLUMNS = [
  { x: 2, w: 120, title: 'Interface' },
  { x: 152, w: 112, title: 'Leaves from' },
  { x: 300, w: 118, title: 'netready server' },
] as const;
const TOP = 22;
const NODE_H = 34;
const NODE_GAP = 10;

const TONE: Record<PathNode['tone'], { fill: string; stroke: string; width: number; dash?: string; text: string }> = {
  normal: { fill: '#f8fafc', stroke: '#64748b', width: 1, text: '#0f172a' },
  chosen: { fill: '#ffffff', stroke: '#0f172a', width: 2.5, text: '#0f172a' },
  vpn: { fill: '#fff7ed', stroke: '#b45309', width: 2, dash: '5 3', text: '#7c2d12' },
  muted: { fill: '#ffffff', stroke: '#94a3b8', width: 1, dash: '3 3', text: '#475569' },
};

/** Trims a label to what fits a box (about 6 units per character at 11 units). */
function fit(text: string, width: number, size: number): string {
  const max = Math.floor(width / (size * 0.56));
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** The picture; renders nothing when the result holds no server's view of this client. */
export function PathPicture({ probes }: PathPictureProps) {
  const id = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const model = buildPathPicture(probes);
  if (!model) return null;
  const position = new Map<string, { x: number; y: number; w: number }>();
  const rowsPerColumn = [0, 0, 0];
  for (const node of model.nodes) {
    const column = COLUMNS[node.column];
    const row = rowsPerColumn[node.column]!++;
    position.set(node.id, { x: column.x, y: TOP + row * (NODE_H + NODE_GAP), w: column.w });
  }
  const rows = Math.max(...rowsPerColumn);
  const legendY = TOP + rows * (NODE_H + NODE_GAP) + 6;
  const height = legendY + 16;
  // Unselected lines first, so the chosen path is drawn on top.
  const edges = [...model.edges].sort((a, b) => Number(a.selected) - Number(b.selected));
  return (
    <figure className="my-3 max-w-xl" data-testid="path-picture">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} width="100%" viewBox={`0 0 ${WIDTH} ${height}`} fontFamily="system-ui, sans-serif" fontSize={11}>
        <title id={`${id}-title`}>Which way the traffic leaves this network</title>
        <desc id={`${id}-desc`}>{model.summary}</desc>
        {COLUMNS.map((c) => (
          <text key={c.title} x={c.x} y={12} fontSize={10} fontWeight={600} fill="#334155">
            {c.title}
          </text>
        ))}
        {edges.map((edge, i) => {
          const from = position.get(edge.from);
          const to = position.get(edge.to);
          if (!from || !to) return null;
          const x1 = from.x + from.w;
          const y1 = from.y + NODE_H / 2;
          const x2 = to.x;
          const y2 = to.y + NODE_H / 2;
          const mid = (x1 + x2) / 2;
          return (
            <g key={`e${i}`}>
              <title>{`${edge.label ?? ''}${edge.selected ? ' — the path ICE chose for media' : ''}`.trim() || 'reached'}</title>
              <path d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} fill="none" stroke={edge.selected ? '#0f172a' : '#94a3b8'} strokeWidth={edge.selected ? 3 : 1.2} />
            </g>
          );
        })}
        {model.nodes.map((node) => {
          const p = position.get(node.id)!;
          const tone = TONE[node.tone];
          return (
            <g key={node.id}>
              <rect x={p.x} y={p.y} width={p.w} height={NODE_H} rx={5} fill={tone.fill} stroke={tone.stroke} strokeWidth={tone.width} strokeDasharray={tone.dash} />
              <text x={p.x + 6} y={p.y + 14} fontWeight={600} fill={tone.text}>
                {fit(node.label, p.w - 10, 11)}
              </text>
              {node.sublabel && (
                <text x={p.x + 6} y={p.y + 27} fontSize={9.5} fill={tone.text}>
                  {fit(node.sublabel, p.w - 10, 9.5)}
                </text>
              )}
            </g>
          );
        })}
        <g fontSize={9} fill="#334155">
          <line x1={2} y1={legendY + 5} x2={22} y2={legendY + 5} stroke="#0f172a" strokeWidth={3} />
          <text x={26} y={legendY + 8}>
            path ICE chose for media
          </text>
          <line x1={150} y1={legendY + 5} x2={170} y2={legendY + 5} stroke="#94a3b8" strokeWidth={1.2} />
          <text x={174} y={legendY + 8}>
            also reached netready
          </text>
          <rect x={282} y={legendY} width={14} height={10} rx={2} fill={TONE.vpn.fill} stroke={TONE.vpn.stroke} strokeDasharray={TONE.vpn.dash} />
          <text x={300} y={legendY + 8}>
            likely VPN
          </text>
        </g>
      </svg>
      <figcaption className={`mt-1 text-xs ${model.detour ? 'font-semibold text-amber-900' : 'text-slate-600'}`}>{model.caption}</figcaption>
    </figure>
  );
}
