import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeDetector, groupChanges } from '../../lib/monitor/changes';
import { HISTORY_FILE, MonitorHistory, type MonitorRun } from './history';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-monitor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-12-07T08:00:00Z');
const run = (i: number, verdict: MonitorRun['verdict'], codes: string[] = [], site = 'Berlin office'): MonitorRun => ({
  site,
  runId: `r${i}`,
  atMs: T0 + i * 60_000,
  verdict,
  findings: codes.map((code) => ({ code, severity: 'blocker' as const })),
  durationMs: 3200 + i,
  probes: { 'stun-udp': codes.includes('udp-blocked') ? 'fail' : 'pass' },
  ...(i % 2 === 0 ? { resultUrl: `https://nr.example/r/r${i}`, rttMs: 21.5, jitterMs: 1.2, lossRatio: 0 } : {}),
});

describe('MonitorHistory', () => {
  it('keeps runs, events and the schedule across a restart, and the replayed runs rebuild the same detector state', () => {
    const first = MonitorHistory.open(path.join(dir, 'data'));
    expect(first.file).toBe(path.join(dir, 'data', HISTORY_FILE));
    const detector = new ChangeDetector();
    const runs = [run(1, 'ready'), run(2, 'ready'), run(3, 'degraded', ['udp-blocked']), run(4, 'degraded', ['udp-blocked'])];
    for (const r of runs) {
      first.addRun(r);
      const events = groupChanges(detector.observe(r));
      if (events.length > 0) first.addEvents(r.site, events, false);
    }
    first.addRun(run(1, 'blocked', [], 'Munich office'));
    first.setNextRunAt('Berlin office', T0 + 5 * 60_000);
    first.close();

    const again = MonitorHistory.open(path.join(dir, 'data'));
    expect(again.runs('Berlin office')).toEqual(runs);
    expect(again.runs('Berlin office', 2).map((r) => r.runId)).toEqual(['r3', 'r4']);
    expect(again.runs('Munich office').map((r) => r.verdict)).toEqual(['blocked']);
    expect(again.nextRunAt('Berlin office')).toBe(T0 + 5 * 60_000);
    expect(again.nextRunAt('Munich office')).toBeUndefined();
    const events = again.unalerted('Berlin office');
    expect(events.map((e) => [e.event.verdict, e.event.appeared.map((f) => f.code), e.event.before.runId, e.event.after.runId])).toEqual([[{ from: 'ready', to: 'degraded' }, ['udp-blocked'], 'r2', 'r3']]);
    again.markAlerted(events[0]!.id);
    expect(again.unalerted('Berlin office')).toEqual([]);
    expect(again.events('Berlin office').map((e) => e.alerted)).toEqual([true]);
    // A restarted monitor replays its history into a fresh detector: the next blocked run confirms nothing new.
    const replayed = new ChangeDetector();
    for (const r of again.runs('Berlin office')) replayed.observe(r);
    expect(replayed.observe(run(5, 'degraded', ['udp-blocked']))).toEqual([]);
    again.close();
  });

  it('refuses the same run twice', () => {
    const history = MonitorHistory.open(dir);
    history.addRun(run(1, 'ready'));
    expect(() => history.addRun(run(1, 'ready'))).toThrow(/UNIQUE/);
    history.close();
  });
});
