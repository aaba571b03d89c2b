// The NAT config (probe.stunAltIp, probe.publicIpv6): defaults, env overrides, refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-nat-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withFile(config: unknown): void {
  writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(config));
}

describe('NAT config', () => {
  it('has no second address and no IPv6 address by default', () => {
    const { probe } = loadConfig({ env: {}, cwd: dir });
    expect(probe.stunAltIp).toBeUndefined();
    expect(probe.publicIpv6).toBeUndefined();
  });

  it('reads the second address and the IPv6 address from the environment', () => {
    const { probe } = loadConfig({ env: { NETREADY_STUN_ALT_IP: '192.0.2.11', NETREADY_PUBLIC_IPV6: '2001:db8::10' }, cwd: dir });
    expect(probe.stunAltIp).toBe('192.0.2.11');
    expect(probe.publicIpv6).toBe('2001:db8::10');
  });

  it.each([
    { name: 'a second address equal to publicIp', probe: { publicIp: '192.0.2.10', stunAltIp: '192.0.2.10' }, field: 'probe.stunAltIp', words: /second address/ },
    { name: 'a second address that is not IPv4', probe: { stunAltIp: '2001:db8::1' }, field: 'probe.stunAltIp', words: /./ },
    { name: 'a second address beside a wildcard TURN UDP listener', probe: { bindIp: '0.0.0.0', publicIp: '192.0.2.10', stunAltIp: '192.0.2.11' }, field: 'probe.stunAltIp', words: /wildcard/ },
    { name: 'the unspecified IPv6 address', probe: { publicIpv6: '::' }, field: 'probe.publicIpv6', words: /unspecified/ },
    { name: 'a link-local IPv6 address', probe: { publicIpv6: 'fe80::1' }, field: 'probe.publicIpv6', words: /link-local/ },
    { name: 'an IPv6 address in brackets', probe: { publicIpv6: '[2001:db8::10]' }, field: 'probe.publicIpv6', words: /no brackets/ },
  ])('stops start-up naming the field for $name', ({ probe, field, words }) => {
    withFile({ probe });
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(words);
  });

  it('keeps probe.mtu.ipv6 as set when publicIpv6 is set too', () => {
    withFile({ probe: { publicIpv6: '2001:db8::10', mtu: { ipv6: '2001:db8::20' } } });
    const { probe } = loadConfig({ env: {}, cwd: dir });
    expect(probe.mtu.ipv6).toBe('2001:db8::20');
    expect(probe.publicIpv6).toBe('2001:db8::10');
  });
});
