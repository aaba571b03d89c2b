// The media peer's quality config (probe.quality): defaults, env overrides, and refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-quality-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('media-quality config', () => {
  it('defaults to 8 Mbit/s bursts of at most 1 s, four at once', () => {
    expect(loadConfig({ env: {}, cwd: dir }).probe.quality).toEqual({ bulkRateKbps: 8000, bulkWindowMs: 1000, maxConcurrentBursts: 4 });
  });

  it('reads the rate and the concurrency from the environment', () => {
    const config = loadConfig({ env: { NETREADY_QUALITY_BULK_RATE_KBPS: '20000', NETREADY_QUALITY_MAX_CONCURRENT_BURSTS: '16' }, cwd: dir });
    expect(config.probe.quality).toMatchObject({ bulkRateKbps: 20000, maxConcurrentBursts: 16 });
  });

  it.each([
    [{ probe: { quality: { bulkRateKbps: 100 } } }, 'probe.quality.bulkRateKbps'],
    [{ probe: { quality: { bulkWindowMs: 10_000 } } }, 'probe.quality.bulkWindowMs'],
    [{ probe: { quality: { maxConcurrentBursts: 0 } } }, 'probe.quality.maxConcurrentBursts'],
    [{ probe: { quality: { burstBytes: 1 } } }, 'probe.quality'],
  ])('stops start-up on %j, naming %s', (file, field) => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(file));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
  });
});
