// The operations config (probe.ops, ops.allowFrom, log.*): defaults, env overrides, and refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCidr } from '../../lib/config/schema';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-ops-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('operations config', () => {
  it('defaults to an operations listener on 127.0.0.1:9464, loopback-only ops endpoints and info logs with cut addresses', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.probe.ops).toEqual({ ip: '127.0.0.1', port: 9464 });
    expect(config.ops.allowFrom).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.log).toEqual({ level: 'info', clientAddresses: 'truncated' });
  });

  it('keeps the operations listener on 127.0.0.1 when the probe binds every interface', () => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify({ probe: { bindIp: '0.0.0.0', ops: { port: 9100 } } }));
    expect(loadConfig({ env: {}, cwd: dir }).probe.ops).toEqual({ ip: '127.0.0.1', port: 9100 });
  });

  it('reads every field from the environment', () => {
    const config = loadConfig({
      env: {
        NETREADY_OPS_IP: '10.0.5.2',
        NETREADY_OPS_PORT: '9100',
        NETREADY_OPS_ALLOW_FROM: '10.0.5.0/24, 2001:db8::/32,192.0.2.7',
        NETREADY_LOG_LEVEL: 'debug',
        NETREADY_LOG_CLIENT_ADDRESSES: 'full',
      },
      cwd: dir,
    });
    expect(config.probe.ops).toEqual({ ip: '10.0.5.2', port: 9100 });
    expect(config.ops.allowFrom).toEqual(['10.0.5.0/24', '2001:db8::/32', '192.0.2.7']);
    expect(config.log).toEqual({ level: 'debug', clientAddresses: 'full' });
  });

  it.each([
    [{ ops: { allowFrom: ['10.0.5.0/33'] } }, 'ops.allowFrom.0'],
    [{ ops: { allowFrom: ['everybody'] } }, 'ops.allowFrom.0'],
    [{ log: { level: 'verbose' } }, 'log.level'],
    [{ log: { clientAddresses: 'hashed' } }, 'log.clientAddresses'],
    [{ probe: { ops: { ip: 'localhost' } } }, 'probe.ops.ip'],
    [{ probe: { ops: { port: 8080 } } }, 'probe.ops.port'],
    [{ probe: { https: { port: 9464 } } }, 'probe.ops.port'],
  ])('stops with an error naming the field for %j', (raw, field) => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(raw));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
  });
});

describe('isCidr', () => {
  it.each([
    ['127.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['192.0.2.7', true],
    ['::1/128', true],
    ['::1', true],
    ['2001:db8::/32', true],
    ['::ffff:192.0.2.0/120', true],
    ['fe80::1:2:3:4:5/64', true],
    ['192.0.2.0/33', false],
    ['2001:db8::/129', false],
    ['192.0.2.256/24', false],
    ['2001:db8:::1/64', false],
    ['1:2:3:4:5:6:7:8:9/64', false],
    ['192.0.2.0/24/1', false],
    ['192.0.2.0/-1', false],
    ['example.com/24', false],
    ['', false],
  ])('%s → %s', (text, valid) => {
    expect(isCidr(text)).toBe(valid);
  });
});
