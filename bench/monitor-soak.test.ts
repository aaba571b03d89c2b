import { describe, expect, it } from 'vitest';
import { summariseSoak, type SoakSample } from './monitor-soak';

const sample = (check: number, rssMb: number, verdict: string | null = 'ready', descendants: string[] = ['esbuild']): SoakSample => ({ check, atS: check * 30, rssAtLineMb: rssMb + 30, rssMb, descendants, verdict, durationMs: verdict ? 2500 + check : null });

describe('summariseSoak', () => {
  it('compares the RSS after the last check with the first, and counts verdicts and leftovers', () => {
    const summary = summariseSoak([sample(1, 100), sample(2, 104, 'degraded', ['esbuild', 'chromium', 'chromium']), sample(3, 108)], 30, 95, 0, 0);
    expect(summary).toMatchObject({ checks: 3, rssAfterFirstMb: 100, rssAfterLastMb: 108, rssChange: 0.08, rssMaxMb: 108, rssAtLineFirstMb: 130, rssAtLineLastMb: 138, browsersAfterCheckMax: 2, otherDescendants: ['esbuild'], leftBehind: 0, checkDurationMedianMs: 2502, verdicts: { ready: 2, degraded: 1 }, exitCode: 0 });
  });

  it('counts checks that could not run, and has no ratio without samples', () => {
    expect(summariseSoak([sample(1, 90, null)], 30, 31, 1, 0).verdicts).toEqual({ 'could-not-run': 1 });
    expect(summariseSoak([], 30, 5, 0, 3)).toMatchObject({ checks: 0, rssChange: null, checkDurationMedianMs: null, exitCode: 3 });
  });
});
