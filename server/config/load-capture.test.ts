// The server capture's config (probe.capture, issue 20): defaults, env overrides, and refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-capture-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('server capture config', () => {
  it('captures by default: 1 MiB per session, 256-byte data snaps, 200 captures in memory', () => {
    expect(loadConfig({ env: {}, cwd: dir }).probe.capture).toEqual({ enabled: true, maxBytesPerSession: 1_048_576, snapLengthBytes: 256, maxLiveCaptures: 200 });
  });

  it('reads the switch and the limits from the environment', () => {
    const config = loadConfig({
      env: { NETREADY_CAPTURE_ENABLED: 'false', NETREADY_CAPTURE_MAX_BYTES_PER_SESSION: '131072', NETREADY_CAPTURE_SNAP_LENGTH_BYTES: '128', NETREADY_CAPTURE_MAX_LIVE: '5' },
      cwd: dir,
    });
    expect(config.probe.capture).toEqual({ enabled: false, maxBytesPerSession: 131072, snapLengthBytes: 128, maxLiveCaptures: 5 });
  });

  it.each([
    [{ probe: { capture: { maxBytesPerSession: 1000 } } }, 'probe.capture.maxBytesPerSession'],
    [{ probe: { capture: { snapLengthBytes: 10 } } }, 'probe.capture.snapLengthBytes'],
    [{ probe: { capture: { maxLiveCaptures: 0 } } }, 'probe.capture.maxLiveCaptures'],
    [{ probe: { capture: { enabled: 'yes' } } }, 'probe.capture.enabled'],
    [{ probe: { capture: { folder: '/tmp' } } }, 'probe.capture'],
  ])('stops start-up on %j, naming %s', (file, field) => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(file));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
  });
});
