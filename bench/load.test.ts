import { describe, expect, it } from 'vitest';
import { LOAD_STEPS, loadWarmupMs, measureLoad, metricValue, percentile, readCoreBusyTicks, readProcessTicks, readRssMb, runLoad } from './load';

describe('percentile', () => {
  it.each([
    [[], 50, null],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 100 }, (_, i) => i + 1), 100, 100],
  ])('of %j at p%d is %s (nearest rank)', (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBe(expected);
  });
});

describe('readRssMb', () => {
  it('reads this process’s resident memory and is null for a process that does not exist', () => {
    expect(readRssMb(process.pid)).toBeGreaterThan(10);
    expect(readRssMb(2 ** 22 + 7)).toBeNull();
  });
});

describe('readCoreBusyTicks and readProcessTicks', () => {
  it('read how long core 0 and this process have been busy, and null for a core or process that does not exist', () => {
    let spin = 0;
    for (let i = 0; i < 2e7; i++) spin += i;
    expect(spin).toBeGreaterThan(0);
    expect(readCoreBusyTicks(0)).toBeGreaterThan(0);
    expect(readProcessTicks(process.pid)).toBeGreaterThan(0);
    expect(readCoreBusyTicks(4096)).toBeNull();
    expect(readProcessTicks(2 ** 22 + 7)).toBeNull();
  });
});

describe('loadWarmupMs', () => {
  it('is one cycle (all clients started) plus one credential lifetime (the first sessions expired)', () => {
    expect(loadWarmupMs(3000, 30)).toBe(33_000);
    expect(loadWarmupMs(500, 60)).toBe(60_500);
  });
});

describe('metricValue', () => {
  const text = ['# HELP netready_sessions_live Live test sessions.', 'netready_sessions_live 12', 'netready_sessions_live_extra 99', 'netready_turn_allocations_active{transport="udp"} 3', 'netready_turn_allocations_active{transport="tcp"} 2'].join('\n');

  it('reads a metric, sums it over its label sets, and tells a missing one by null', () => {
    expect(metricValue(text, 'netready_sessions_live')).toBe(12);
    expect(metricValue(text, 'netready_turn_allocations_active')).toBe(5);
    expect(metricValue(text, 'nodejs_heap_size_used_bytes')).toBeNull();
  });
});

describe('runLoad', () => {
  it('refuses a target that is not loopback', async () => {
    await expect(runLoad({ probeUrl: 'http://192.0.2.1:8080', turnPort: 3478, echoPort: 41020, sessions: 1, durationMs: 1000 })).rejects.toThrow(/loopback/);
  });

  it('refuses a session count it cannot hold', async () => {
    await expect(runLoad({ probeUrl: 'http://127.0.0.1:41001', turnPort: 41003, echoPort: 41020, sessions: 0, durationMs: 1000 })).rejects.toThrow(/sessions/);
  });
});

describe('measureLoad against a real probe process', () => {
  it('drives every step of a session through the probe with no error and samples its RSS', async () => {
    const report = await measureLoad({ sessions: 4, seconds: 3, cycleMs: 500, warmupMs: 0, relayPorts: { min: 41030, max: 41999 }, log: () => undefined });
    expect(report.errorsByKind).toEqual({});
    expect(report.errors).toBe(0);
    expect(report.sessionsCompleted).toBeGreaterThanOrEqual(4);
    const steps = report.steps as Record<string, { count: number; p99Ms: number | null }>;
    // Every session of the measured window (after the warm-up's full collection) went through every step.
    const measured = steps.session!.count;
    expect(measured).toBeGreaterThanOrEqual(4);
    expect(measured).toBeLessThanOrEqual(report.sessionsCompleted as number);
    for (const step of LOAD_STEPS) expect(steps[step]!.count, step).toBe(measured);
    expect(report.stunP99Ms).toBeGreaterThan(0);
    expect(report.rssStartMb).toBeGreaterThan(20);
    expect(report.rssEndMb).toBeGreaterThan(20);
    // Both RSS figures come right after a full collection the probe was asked for (bench/load-probe-preload.cjs).
    expect(report.heapAfterGcStartMb).toBeGreaterThan(1);
    expect(report.heapAfterGcEndMb).toBeGreaterThan(1);
    expect(report.probeLogLines).toBeGreaterThan(0);
    expect(report.probeConfig).toMatchObject({ turn: { maxAllocationsPerClient: 1000 } });
    // The probe's own view is sampled from its /metrics: sessions opened in the run are live at the first sample.
    const samples = report.probeSamples as Array<{ sessionsLive: number | null; heapUsedMb: number | null }>;
    expect(samples[0]?.sessionsLive).toBeGreaterThan(0);
    expect(samples[0]?.heapUsedMb).toBeGreaterThan(1);
  }, 90_000);
});
