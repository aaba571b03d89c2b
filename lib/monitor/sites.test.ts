import { describe, expect, it } from 'vitest';
import { buildSiteView, isSiteName, type SiteCheck } from './sites';

const T0 = Date.parse('2026-12-07T08:00:00Z');
const MIN = 60_000;

function check(n: number, verdict: SiteCheck['verdict'], codes: Array<[string, 'blocker' | 'warning' | 'info']> = []): SiteCheck {
  return { id: `share${n}`, storedAt: new Date(T0 + n * 5 * MIN), verdict, findings: codes.map(([code, severity]) => ({ code, severity })) };
}

describe('buildSiteView', () => {
  it('places the checks on the time axis and finds the change the monitor would alert on, with its window', () => {
    // Newest first, as the store lists them.
    const checks = [check(4, 'blocked', [['udp-blocked', 'blocker']]), check(3, 'blocked', [['udp-blocked', 'blocker']]), check(2, 'ready'), check(1, 'ready'), check(0, 'ready')];
    const view = buildSiteView('Berlin office', 40, checks, new Date(T0 + 22 * MIN));
    expect(view.strip.map((cell) => [cell.id, cell.x])).toEqual([['share0', 0], ['share1', 0.25], ['share2', 0.5], ['share3', 0.75], ['share4', 1]]);
    expect(view.latest.id).toBe('share4');
    expect(view.totalChecks).toBe(40);
    expect(view.verdictCounts).toEqual({ ready: 3, degraded: 0, blocked: 2, inconclusive: 0 });
    expect(view.runs).toEqual([
      { verdict: 'ready', from: new Date(T0), to: new Date(T0 + 10 * MIN), checks: 3 },
      { verdict: 'blocked', from: new Date(T0 + 15 * MIN), to: new Date(T0 + 20 * MIN), checks: 2 },
    ]);
    expect(view.usualGapMs).toBe(5 * MIN);
    expect(view.staleForMs).toBeUndefined();
    expect(view.events).toEqual([
      {
        before: { runId: 'share2', atMs: T0 + 10 * MIN },
        after: { runId: 'share3', atMs: T0 + 15 * MIN },
        confirmedAt: { runId: 'share4', atMs: T0 + 20 * MIN },
        verdict: { from: 'ready', to: 'blocked' },
        appeared: [{ code: 'udp-blocked', severity: 'blocker' }],
        disappeared: [],
      },
    ]);
  });

  it('ignores a change that did not hold for two checks, and lists events newest first', () => {
    const checks = [check(0, 'ready'), check(1, 'degraded', [['relay-only', 'warning']]), check(2, 'ready'), check(3, 'degraded', [['relay-only', 'warning']]), check(4, 'degraded', [['relay-only', 'warning']]), check(5, 'ready'), check(6, 'ready')];
    const view = buildSiteView('Zurich', 7, checks, new Date(T0 + 31 * MIN));
    expect(view.events.map((event) => [event.before.runId, event.after.runId, event.verdict?.to])).toEqual([
      ['share4', 'share5', 'ready'],
      ['share2', 'share3', 'degraded'],
    ]);
  });

  it('puts a single check at the right end, and refuses a site without checks', () => {
    expect(buildSiteView('One', 1, [check(0, 'ready')], new Date(T0)).strip).toEqual([{ id: 'share0', verdict: 'ready', storedAt: new Date(T0), x: 1 }]);
    expect(() => buildSiteView('None', 0, [], new Date(T0))).toThrow(RangeError);
  });

  it('calls a site stale once its newest check is older than three usual gaps, and never counts fewer checks than it shows', () => {
    const checks = [check(0, 'ready'), check(1, 'ready'), check(2, 'ready')];
    expect(buildSiteView('Quiet', 3, checks, new Date(T0 + 25 * MIN)).staleForMs).toBeUndefined();
    expect(buildSiteView('Quiet', 3, checks, new Date(T0 + 26 * MIN)).staleForMs).toBe(16 * MIN);
    // Checks seconds apart (posted by hand) are judged by the monitor's shortest interval, 30 s.
    const quick = [check(0, 'ready'), { ...check(1, 'ready'), storedAt: new Date(T0 + 1000) }];
    expect(buildSiteView('Quick', 2, quick, new Date(T0 + 60_000)).staleForMs).toBeUndefined();
    expect(buildSiteView('Quick', 2, quick, new Date(T0 + 92_000)).staleForMs).toBe(91_000);
    // Read between the count and the list, a new check must not show as "3 of 2".
    expect(buildSiteView('Quiet', 2, checks, new Date(T0 + 10 * MIN)).totalChecks).toBe(3);
  });
});

describe('isSiteName', () => {
  it.each([['Berlin office', true], ['zrh-2.floor_3', true], ['x'.repeat(64), true], ['x'.repeat(65), false], [' Berlin', false], ['Berlin ', false], ['', false], ['Berlin/office', false], ['<b>', false]])(
    '%j → %s',
    (name, valid) => {
      expect(isSiteName(name)).toBe(valid);
    },
  );
});
