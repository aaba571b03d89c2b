/**
 * `lab.worstDurationMs` of `npm run bench`: the longest page run (the result's `durationMs`, start → verdict, which
 * the lab records as `observed.runDurationMs`; `observed.durationMs` is the CLI's whole wall time) of the
 * last network-lab report (e2e/lab/report.json, written by `npm run test:lab`), with its row id — or null and why
 * when there is no usable report. Rows slow by design (a 1 s round-trip link uses the run's whole budget; the row says
 * why in `slowByDesign`) are listed under `slowByDesign` with their figure instead of counting as the worst. The
 * bench never runs the lab itself (it needs root and the exclusive lock).
 */
import { readFileSync, statSync } from 'node:fs';

/** The lab figure of the bench. */
export type LabWorst =
  | {
      worstDurationMs: number;
      row: string;
      rows: number;
      generatedAt: string | null;
      report: string;
      slowByDesign?: Array<{ row: string; durationMs: number; why: string }>;
      /** Issue 18: start → verdict of the `open` row in each browser the lab ran it in (`open`, `open+firefox`). */
      openByBrowser?: { chromium?: number; firefox?: number };
    }
  | { worstDurationMs: null; reason: string; report: string };

/** Reads `reportFile` and returns the slowest row's start→verdict. */
export function readLabWorst(reportFile: string): LabWorst {
  let text: string;
  try {
    statSync(reportFile);
    text = readFileSync(reportFile, 'utf8');
  } catch {
    return { worstDurationMs: null, reason: 'no lab report: run `npm run test:lab` first', report: reportFile };
  }
  let scenarios: unknown;
  let generatedAt: string | null = null;
  try {
    const parsed = JSON.parse(text) as { scenarios?: unknown; generatedAt?: unknown };
    scenarios = parsed.scenarios;
    generatedAt = typeof parsed.generatedAt === 'string' ? parsed.generatedAt : null;
  } catch (error) {
    return { worstDurationMs: null, reason: `the lab report is not JSON: ${(error as Error).message}`, report: reportFile };
  }
  if (!Array.isArray(scenarios)) return { worstDurationMs: null, reason: 'the lab report has no "scenarios" list', report: reportFile };
  const all = scenarios
    .map((s: { scenario?: unknown; observed?: { runDurationMs?: unknown }; slowByDesign?: unknown }) => ({ row: s.scenario, ms: s.observed?.runDurationMs, why: s.slowByDesign }))
    .filter((s): s is { row: string; ms: number; why: unknown } => typeof s.row === 'string' && typeof s.ms === 'number');
  const timed = all.filter((s) => typeof s.why !== 'string');
  const slow = all.filter((s) => typeof s.why === 'string').map((s) => ({ row: s.row, durationMs: s.ms, why: s.why as string }));
  if (timed.length === 0) return { worstDurationMs: null, reason: 'no lab row reported a run durationMs (every run failed to finish?)', report: reportFile };
  const worst = timed.reduce((a, b) => (b.ms > a.ms ? b : a));
  const openMs = (row: string): number | undefined => all.find((s) => s.row === row)?.ms;
  const chromium = openMs('open');
  const firefox = openMs('open+firefox');
  const openByBrowser = { ...(chromium !== undefined ? { chromium } : {}), ...(firefox !== undefined ? { firefox } : {}) };
  return {
    worstDurationMs: worst.ms,
    row: worst.row,
    rows: timed.length,
    generatedAt,
    report: reportFile,
    ...(slow.length > 0 ? { slowByDesign: slow } : {}),
    ...(Object.keys(openByBrowser).length > 0 ? { openByBrowser } : {}),
  };
}
