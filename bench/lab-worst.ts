/**
 * `lab.worstDurationMs` of `npm run bench`: the longest page run (the result's `durationMs`, start → verdict, which
 * the lab records as `observed.runDurationMs`; `observed.durationMs` is the CLI's whole wall time) of the
 * last network-lab report (e2e/lab/report.json, written by `npm run test:lab`), with its row id — or null and why
 * when there is no usable report. The bench never runs the lab itself (it needs root and the exclusive lock).
 */
import { readFileSync, statSync } from 'node:fs';

/** The lab figure of the bench. */
export type LabWorst =
  | { worstDurationMs: number; row: string; rows: number; generatedAt: string | null; report: string }
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
  const timed = scenarios
    .map((s: { scenario?: unknown; observed?: { runDurationMs?: unknown } }) => ({ row: s.scenario, ms: s.observed?.runDurationMs }))
    .filter((s): s is { row: string; ms: number } => typeof s.row === 'string' && typeof s.ms === 'number');
  if (timed.length === 0) return { worstDurationMs: null, reason: 'no lab row reported a run durationMs (every run failed to finish?)', report: reportFile };
  const worst = timed.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { worstDurationMs: worst.ms, row: worst.row, rows: timed.length, generatedAt, report: reportFile };
}
