/**
 * Live progress of a run as displayable rows, folded from RunEvents. Pure (a reducer), so the runner's
 * rendering is a function of the events seen.
 */
import type { RunEvent } from '../../lib/engine/events';
import type { Verdict } from '../../lib/schema/result';
import type { DisplayStatus } from '../ui/status-badge';

/** One probe's row in the live progress list. */
export interface ProbeRow {
  id: string;
  title: string;
  status: DisplayStatus;
  /** When the probe started, in ms since the run started (engine clock). */
  startedAtMs?: number;
  /** Final duration once finished. */
  durationMs?: number;
  /** Latest progress message (or the outcome's reason once finished). */
  message?: string;
}

/** Progress of the current run; `rows` is empty until `run-started` names the probes. */
export interface ProgressState {
  runId: string | null;
  rows: ProbeRow[];
  /** The connectivity verdict once the transports proved it (issue 16), while the quality measurement goes on. */
  connectivity?: { verdict: Verdict; atMs: number };
}

/** State before any run. */
export const INITIAL_PROGRESS: ProgressState = { runId: null, rows: [] };

/** Actions of the progress reducer. */
export type ProgressAction = { type: 'reset' } | { type: 'event'; event: RunEvent };

function updateRow(state: ProgressState, id: string, update: (row: ProbeRow) => ProbeRow): ProgressState {
  if (!state.rows.some((row) => row.id === id)) return state;
  return { ...state, rows: state.rows.map((row) => (row.id === id ? update(row) : row)) };
}

/** Folds one action into the progress state. Unknown probe ids are ignored. */
export function progressReducer(state: ProgressState, action: ProgressAction): ProgressState {
  if (action.type === 'reset') return INITIAL_PROGRESS;
  const event = action.event;
  switch (event.type) {
    case 'run-started':
      return { runId: event.runId, rows: event.probes.map(({ id, title }) => ({ id, title, status: 'waiting' })) };
    case 'probe-started':
      return updateRow(state, event.probeId, (row) => ({ ...row, status: 'running', startedAtMs: event.atMs }));
    case 'connectivity-verdict':
      return { ...state, connectivity: { verdict: event.verdict, atMs: event.atMs } };
    case 'probe-progress':
      return updateRow(state, event.probeId, (row) => ({ ...row, message: event.message }));
    case 'probe-finished':
      return updateRow(state, event.probeId, (row) => ({
        ...row,
        status: event.outcome.status,
        durationMs: event.outcome.durationMs,
        message: event.outcome.reason ?? row.message,
      }));
    case 'run-finished':
      // Probes the engine never finished (budget exhausted) take their outcome from the result.
      return {
        ...state,
        rows: state.rows.map((row) => {
          const outcome = event.result.probes[row.id];
          if (!outcome || row.durationMs !== undefined) return row;
          return { ...row, status: outcome.status, durationMs: outcome.durationMs, message: outcome.reason ?? row.message };
        }),
      };
    default:
      return state;
  }
}
