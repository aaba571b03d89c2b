/**
 * Duration format for people. Its own module because the runner's live progress (first load of `/`) needs it and
 * nothing else of ./labels.ts, whose result wording loads with a run (issue 16).
 */

/** Formats milliseconds for people: "84 ms", "1.2 s", "1 min 3 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}
