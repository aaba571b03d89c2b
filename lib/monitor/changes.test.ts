import { describe, expect, it } from 'vitest';
import type { Verdict } from '../schema/result';
import { ChangeDetector, describeChange, describeGroup, groupChanges, type RunSnapshot } from './changes';

const T0 = Date.parse('2026-12-07T08:00:00Z');
const MIN = 60_000;
let n = 0;
const run = (verdict: Verdict, codes: string[] = [], atMs = T0 + n * 5 * MIN): RunSnapshot => {
  n++;
  return { runId: `r${n}`, atMs, verdict, findings: codes.map((code) => ({ code, severity: code === 'udp-blocked' ? 'blocker' : 'warning' })), resultUrl: `https://nr.example/r/r${n}` };
};

describe('ChangeDetector', () => {
  it('reports UDP being blocked once it held for two runs, with the window between the last open run and the first blocked one', () => {
    n = 0;
    const detector = new ChangeDetector();
    const runs = [run('ready'), run('ready'), run('degraded', ['udp-blocked', 'relay-only']), run('degraded', ['udp-blocked', 'relay-only'])];
    const events = runs.map((r) => detector.observe(r));
    expect(events.slice(0, 3)).toEqual([[], [], []]);
    expect(events[3]).toEqual([
      { kind: 'verdict', from: 'ready', to: 'degraded', before: { runId: 'r2', atMs: runs[1]!.atMs, resultUrl: 'https://nr.example/r/r2' }, after: { runId: 'r3', atMs: runs[2]!.atMs, resultUrl: 'https://nr.example/r/r3' }, confirmedAt: { runId: 'r4', atMs: runs[3]!.atMs, resultUrl: 'https://nr.example/r/r4' } },
      expect.objectContaining({ kind: 'finding-appeared', code: 'relay-only', before: expect.objectContaining({ runId: 'r2' }), after: expect.objectContaining({ runId: 'r3' }) }),
      expect.objectContaining({ kind: 'finding-appeared', code: 'udp-blocked', severity: 'blocker', before: expect.objectContaining({ runId: 'r2' }), after: expect.objectContaining({ runId: 'r3' }) }),
    ]);
    expect(describeChange(events[3]![0]!)).toBe('verdict ready → degraded (worse), changed between 2026-12-07T08:05:00.000Z and 2026-12-07T08:10:00.000Z');
    expect(describeChange(events[3]![2]!)).toBe('udp-blocked (blocker) appeared, between 2026-12-07T08:05:00.000Z and 2026-12-07T08:10:00.000Z');
    // Staying blocked reports nothing more; UDP back for two runs reports it gone, with its own window.
    expect(detector.observe(run('degraded', ['udp-blocked', 'relay-only']))).toEqual([]);
    expect(detector.observe(run('ready'))).toEqual([]);
    const back = detector.observe(run('ready'));
    expect(back.map((e) => [e.kind, 'code' in e ? e.code : `${e.from}→${e.to}`, e.before.runId, e.after.runId])).toEqual([
      ['verdict', 'degraded→ready', 'r5', 'r6'],
      ['finding-disappeared', 'relay-only', 'r5', 'r6'],
      ['finding-disappeared', 'udp-blocked', 'r5', 'r6'],
    ]);
  });

  it('pages nobody for one bad run (a lost packet), and reports at once with confirmRuns 1', () => {
    n = 0;
    const detector = new ChangeDetector();
    for (const r of [run('ready'), run('degraded', ['packet-loss']), run('ready'), run('degraded', ['packet-loss']), run('ready')]) expect(detector.observe(r)).toEqual([]);
    n = 0;
    const eager = new ChangeDetector({ confirmRuns: 1 });
    eager.observe(run('ready'));
    expect(eager.observe(run('degraded', ['packet-loss'])).map((e) => e.kind)).toEqual(['verdict', 'finding-appeared']);
  });

  it('keeps the window from the last run of the old state when the new state changes again before it is confirmed', () => {
    n = 0;
    const detector = new ChangeDetector({ confirmRuns: 2 });
    detector.observe(run('ready'));
    expect(detector.observe(run('degraded'))).toEqual([]);
    // degraded → blocked: a different change, counted from its own first run; the old state was last seen in r1.
    expect(detector.observe(run('blocked'))).toEqual([]);
    expect(detector.observe(run('blocked'))).toEqual([expect.objectContaining({ kind: 'verdict', from: 'ready', to: 'blocked', before: expect.objectContaining({ runId: 'r1' }), after: expect.objectContaining({ runId: 'r3' }) })]);
  });

  it('rebuilds the same events when its stored history is replayed after a restart', () => {
    n = 0;
    const history = [run('ready'), run('ready', ['dns-slow']), run('ready', ['dns-slow']), run('blocked', ['udp-blocked']), run('blocked', ['udp-blocked'])];
    const first = new ChangeDetector();
    const second = new ChangeDetector();
    expect(history.map((r) => second.observe(r))).toEqual(history.map((r) => first.observe(r)));
  });

  it('refuses runs out of order and a confirmation count below one', () => {
    n = 0;
    const detector = new ChangeDetector();
    detector.observe(run('ready', [], T0 + 10 * MIN));
    expect(() => detector.observe(run('ready', [], T0))).toThrow(/older than run r1/);
    expect(() => new ChangeDetector({ confirmRuns: 0 })).toThrow(/confirmRuns/);
  });
});

describe('groupChanges', () => {
  it('makes one event of the changes one check confirmed with one window, and keeps other windows apart', () => {
    n = 0;
    const detector = new ChangeDetector();
    for (const r of [run('ready'), run('ready')]) detector.observe(r);
    detector.observe(run('degraded', ['udp-blocked', 'relay-only']));
    const groups = groupChanges(detector.observe(run('degraded', ['udp-blocked', 'relay-only'])));
    expect(groups).toEqual([
      expect.objectContaining({
        verdict: { from: 'ready', to: 'degraded' },
        appeared: [{ code: 'relay-only', severity: 'warning' }, { code: 'udp-blocked', severity: 'blocker' }],
        disappeared: [],
        before: expect.objectContaining({ runId: 'r2' }),
        after: expect.objectContaining({ runId: 'r3' }),
      }),
    ]);
    expect(describeGroup(groups[0]!)).toBe('verdict ready → degraded (worse); relay-only (warning), udp-blocked (blocker) appeared; changed between 2026-12-07T08:05:00.000Z and 2026-12-07T08:10:00.000Z');
    // The verdict went degraded in r2 and blocked in r3, where udp-blocked appeared: both are confirmed at r4, the
    // verdict with the window from r1 (its old state's last run), the finding from r2 — two events.
    n = 0;
    const flapping = new ChangeDetector();
    flapping.observe(run('ready'));
    flapping.observe(run('degraded'));
    flapping.observe(run('blocked', ['udp-blocked']));
    expect(groupChanges(flapping.observe(run('blocked', ['udp-blocked']))).map((g) => [g.before.runId, g.after.runId, g.verdict?.to ?? '-', g.appeared.map((f) => f.code)])).toEqual([
      ['r1', 'r3', 'blocked', []],
      ['r2', 'r3', '-', ['udp-blocked']],
    ]);
  });
});
