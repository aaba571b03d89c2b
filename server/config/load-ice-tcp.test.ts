// The ICE-TCP config (probe.iceTcp): default, env overrides, and refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-icetcp-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withFile(config: unknown): void {
  writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(config));
}

describe('ICE-TCP config', () => {
  it('defaults to port 7881 on the probe\'s bind IP', () => {
    expect(loadConfig({ env: {}, cwd: dir }).probe.iceTcp).toEqual({ port: 7881 });
  });

  it('reads the IP and port from the environment', () => {
    const config = loadConfig({ env: { NETREADY_ICE_TCP_IP: '192.0.2.5', NETREADY_ICE_TCP_PORT: '443' }, cwd: dir });
    expect(config.probe.iceTcp).toEqual({ ip: '192.0.2.5', port: 443 });
  });

  it('refuses the TURN/TLS port on the same IP, naming probe.iceTcp.port', () => {
    withFile({ probe: { turnTls: { port: 443 }, iceTcp: { port: 443 } } });
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/probe\.iceTcp\.port.*probe\.turnTls\.port \(443\)/);
  });

  it('accepts port 443 for ICE-TCP when TURN/TLS has another IP', () => {
    withFile({ probe: { bindIp: '192.0.2.5', publicIp: '192.0.2.5', turnTls: { ip: '192.0.2.6', port: 443 }, iceTcp: { port: 443 } } });
    expect(loadConfig({ env: {}, cwd: dir }).probe.iceTcp).toEqual({ port: 443 });
  });

  it('refuses a port out of range, naming the field', () => {
    expect(() => loadConfig({ env: { NETREADY_ICE_TCP_PORT: '70000' }, cwd: dir })).toThrow(/probe\.iceTcp\.port/);
  });
});
