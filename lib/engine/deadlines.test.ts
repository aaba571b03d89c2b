import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../schema/result';
import { adaptiveTimeoutMs } from './deadlines';

const session = (elapsedMs: number, status: ProbeOutcome['status'] = 'pass'): Record<string, ProbeOutcome> => ({
  session: { status, durationMs: elapsedMs, data: { elapsedMs }, evidence: [] },
});

describe('adaptiveTimeoutMs', () => {
  it.each([
    [20, 10_000, 2500],
    [97, 10_000, 2776],
    [632, 10_000, 7056],
    [2000, 10_000, 9000],
    [2000, 20_000, 18_000],
  ])('gives a session of %i ms under a %i ms budget a deadline of %i ms', (elapsed, budget, want) => {
    expect(adaptiveTimeoutMs(session(elapsed), budget)).toBe(want);
  });

  it('has no opinion before the session passed', () => {
    expect(adaptiveTimeoutMs({}, 10_000)).toBeUndefined();
    expect(adaptiveTimeoutMs(session(50, 'fail'), 10_000)).toBeUndefined();
  });
});
