/**
 * The transport × port matrix of a result (issue 13, the share page's engineer view): which transports reached the
 * probe servers on which ports — STUN over UDP per port of the matrix, TURN over UDP, TCP and TLS, ICE over TCP. Pure:
 * built from the result JSON only, so live, stored and printed results draw the same.
 */
import type { ProbeOutcome } from '../../lib/schema/result';

/** One cell: reached, refused or silent, not decided (a deadline on a slow link, or netready's own failure), not tested. */
export type PortCell = 'open' | 'blocked' | 'undecided' | 'untested';

/** One row: a transport and its cells by port. */
export interface PortRow {
  label: string;
  cells: Record<number, PortCell>;
}

/** The matrix: the ports (columns, ascending) and one row per transport that was tried. */
export interface PortMatrix {
  ports: number[];
  rows: PortRow[];
}

/** The port of a `stun:`/`turn:`/`turns:` URL, or null. */
export function portOfUrl(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  const match = /^(?:stun|turns?):(?:\[[^\]]+\]|[^:?]+):(\d{1,5})(?:\?|$)/.exec(url);
  return match ? Number(match[1]) : null;
}

/** A probe's outcome as one cell. */
function cellOf(outcome: ProbeOutcome): PortCell {
  if (outcome.reclassified) return 'undecided';
  switch (outcome.status) {
    case 'pass':
    case 'warn':
      return 'open';
    case 'fail':
      return 'blocked';
    case 'inconclusive':
      return 'undecided';
    default:
      return 'untested';
  }
}

const TURN_ROWS: Array<[string, string]> = [
  ['turn-udp', 'TURN over UDP'],
  ['turn-tcp', 'TURN over TCP'],
  ['turn-tls', 'TURN over TLS'],
];

/** The matrix of a result, or null when no transport probe recorded a port. */
export function buildPortMatrix(probes: Readonly<Record<string, ProbeOutcome>>): PortMatrix | null {
  const rows: PortRow[] = [];
  const stun = probes['stun-udp'];
  const stunPorts = (stun?.data as { ports?: Array<{ port?: unknown; srflx?: unknown }> } | undefined)?.ports;
  if (stun && Array.isArray(stunPorts) && stunPorts.length > 0) {
    const cells: Record<number, PortCell> = {};
    for (const entry of stunPorts) {
      if (typeof entry.port !== 'number') continue;
      // A port that answered is open whatever the probe's overall status; one that did not is as decided as the probe.
      const silent: PortCell = stun.reclassified || stun.status === 'inconclusive' ? 'undecided' : stun.status === 'skipped' ? 'untested' : 'blocked';
      cells[entry.port] = entry.srflx ? 'open' : silent;
    }
    rows.push({ label: 'STUN over UDP', cells });
  }
  for (const [id, label] of TURN_ROWS) {
    const outcome = probes[id];
    const port = portOfUrl((outcome?.data as { url?: unknown } | undefined)?.url);
    if (outcome && port !== null) rows.push({ label, cells: { [port]: cellOf(outcome) } });
  }
  const ice = probes['ice-tcp'];
  const icePort = (ice?.data as { port?: unknown } | undefined)?.port;
  if (ice && typeof icePort === 'number') rows.push({ label: 'ICE over TCP (no relay)', cells: { [icePort]: cellOf(ice) } });
  if (rows.length === 0) return null;
  const ports = [...new Set(rows.flatMap((row) => Object.keys(row.cells).map(Number)))].sort((a, b) => a - b);
  return { ports, rows };
}
