import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { DAY_MS, PURGE_INTERVAL_MS, retentionCutoff, startRetentionPurge, type PurgeTimers } from './retention';
import { SqliteResultStore } from './sqlite-store';

/** Timers that fire only when told to, and say what was scheduled. */
function fakeTimers(): PurgeTimers & { fire(): void; scheduled: Array<{ ms: number; cleared: boolean }> } {
  const scheduled: Array<{ ms: number; cleared: boolean; callback: () => void }> = [];
  return {
    scheduled,
    setInterval(callback, ms) {
      const entry = { ms, cleared: false, callback };
      scheduled.push(entry);
      return entry;
    },
    clearInterval(handle) {
      (handle as { cleared: boolean }).cleared = true;
    },
    fire() {
      for (const entry of scheduled) if (!entry.cleared) entry.callback();
    },
  };
}

describe('retentionCutoff', () => {
  it('is retentionDays before now: a result stored then has just expired', () => {
    expect(retentionCutoff(new Date('2026-01-31T12:00:00.000Z'), 30)).toEqual(new Date('2026-01-01T12:00:00.000Z'));
  });
});

describe('the retention purge schedule', () => {
  let dir: string;
  let clock: Date;
  let store: SqliteResultStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-retention-'));
    clock = new Date('2026-01-01T00:00:00.000Z');
    store = new SqliteResultStore({ dataDir: dir, now: () => clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('purges a result older than retention at once when started, keeps one inside it, then purges again on each tick', async () => {
    const old = await store.put(sampleResult);
    clock = new Date(clock.getTime() + 20 * DAY_MS);
    const young = await store.put(sampleResult);
    clock = new Date(clock.getTime() + 15 * DAY_MS); // old: 35 days, young: 15 days
    const timers = fakeTimers();
    const purged: number[] = [];
    const schedule = startRetentionPurge({ store, retentionDays: 30, now: () => clock, timers, onPurged: (n) => purged.push(n) });
    expect(timers.scheduled.map((t) => t.ms)).toEqual([PURGE_INTERVAL_MS]);
    expect(await schedule.first).toBe(1);
    expect(await store.get(old.id)).toBeNull();
    expect((await store.get(young.id))?.result).toEqual(sampleResult);

    // Sixteen days on, the young one is 31 days old: the next tick deletes it.
    clock = new Date(clock.getTime() + 16 * DAY_MS);
    timers.fire();
    await expect.poll(() => purged).toEqual([1, 1]);
    expect(await store.get(young.id)).toBeNull();
    schedule.stop();
    expect(timers.scheduled[0]!.cleared).toBe(true);
  });

  it('reports a failed purge and tries again at the next tick', async () => {
    const timers = fakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const failing = { purgeStoredBefore: () => (++calls === 1 ? Promise.reject(new Error('database is locked')) : Promise.resolve(0)) };
    const schedule = startRetentionPurge({ store: failing, retentionDays: 30, timers, onError: (e) => errors.push(e) });
    expect(await schedule.first).toBeNull();
    expect(errors).toEqual([new Error('database is locked')]);
    timers.fire();
    await expect.poll(() => calls).toBe(2);
    expect(await schedule.runNow()).toBe(0);
    schedule.stop();
  });

  it('does not start a second purge while one is still running', async () => {
    const timers = fakeTimers();
    let calls = 0;
    let finish: (n: number) => void = () => undefined;
    const slow = { purgeStoredBefore: () => (calls++, new Promise<number>((resolve) => (finish = resolve))) };
    const schedule = startRetentionPurge({ store: slow, retentionDays: 30, timers });
    timers.fire();
    timers.fire();
    expect(calls).toBe(1);
    finish(3);
    expect(await schedule.first).toBe(3);
    schedule.stop();
  });
});
