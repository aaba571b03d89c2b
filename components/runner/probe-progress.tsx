/**
 * Live progress: one row per probe with status (icon + word), elapsed time and the latest message. Rows are
 * reserved at a fixed height from the start (placeholders until `run-started` names the probes), so nothing
 * jumps while the run fills them in.
 */
import { StatusBadge } from '../ui/status-badge';
import { formatDuration } from '../result/format-duration';
import type { ProbeRow } from './progress-state';

/** How many rows to reserve before the plan is known (the default plan's size). */
const PLACEHOLDER_ROWS = 5;

const ROW_CLASS = 'grid min-h-[4.5rem] grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 px-4 py-3';

function elapsedText(row: ProbeRow, nowMs: number): string {
  if (row.durationMs !== undefined) return formatDuration(row.durationMs);
  if (row.status === 'running' && row.startedAtMs !== undefined) return formatDuration(Math.max(0, nowMs - row.startedAtMs));
  return '—';
}

/** The progress list. `nowMs` is the current time in ms since the run started (ticks while running). */
export function ProbeProgress({ rows, nowMs }: { rows: readonly ProbeRow[]; nowMs: number }) {
  if (rows.length === 0) {
    return (
      <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Preparing checks">
        {Array.from({ length: PLACEHOLDER_ROWS }, (_, index) => (
          <li key={index} className={ROW_CLASS} aria-hidden="true">
            <div className="space-y-2">
              <div className="h-3.5 w-2/3 animate-pulse rounded bg-slate-200 motion-reduce:animate-none" />
              <div className="h-3 w-1/3 animate-pulse rounded bg-slate-100 motion-reduce:animate-none" />
            </div>
            <div className="h-6 w-[7.5rem] animate-pulse rounded-full bg-slate-100 motion-reduce:animate-none" />
          </li>
        ))}
      </ul>
    );
  }
  return (
    <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Checks">
      {rows.map((row) => (
        <li key={row.id} className={ROW_CLASS}>
          <div className="min-w-0">
            <p className="line-clamp-2 text-sm font-medium text-slate-900">{row.title}</p>
            {/* Always one line tall (non-breaking space when empty) so a message arriving moves nothing. */}
            <p className="mt-0.5 truncate text-xs text-slate-600" title={row.message}>
              {row.message ?? '\u00a0'}
            </p>
          </div>
          <div className="flex flex-col items-end gap-1">
            <StatusBadge status={row.status} />
            <span className="text-xs text-slate-600 tabular-nums">
              <span className="sr-only">Elapsed: </span>
              {elapsedText(row, nowMs)}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
