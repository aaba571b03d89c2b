import { describe, expect, it } from 'vitest';
import { squidConfigText, type SquidConfigOptions } from './squid-config';

const BASE: SquidConfigOptions = {
  mode: 'explicit',
  listen: '127.0.0.1:3128',
  dir: '/tmp/squid-test',
  name: 'squid.test',
  network: ['dns_nameservers 127.0.0.1', 'http_access deny !Safe_ports'],
  finalAccess: ['http_access allow localhost', 'http_access deny all'],
};
const lines = (options: Partial<SquidConfigOptions>): string[] => squidConfigText({ ...BASE, ...options }).trim().split('\n');

describe('squidConfigText', () => {
  it('writes an explicit proxy: listener, logs in its folder, network lines, then the final access rules', () => {
    const text = lines({});
    expect(text[1]).toBe('http_port 127.0.0.1:3128');
    expect(text).toContain('access_log stdio:/tmp/squid-test/access.log');
    expect(text.slice(-4)).toEqual(['dns_nameservers 127.0.0.1', 'http_access deny !Safe_ports', 'http_access allow localhost', 'http_access deny all']);
    expect(text.some((l) => l.startsWith('auth_param') || l.startsWith('ssl_bump'))).toBe(false);
  });

  it('asks for a sign-in in auth mode before any allow rule, with the given realm', () => {
    const text = lines({ mode: 'auth', realm: 'Example Corp proxy' });
    expect(text).toContain('auth_param basic realm Example Corp proxy');
    expect(text.indexOf('http_access deny !signedin')).toBeGreaterThan(text.indexOf('http_access deny !Safe_ports'));
    expect(text.indexOf('http_access deny !signedin')).toBeLessThan(text.indexOf('http_access allow localhost'));
  });

  it('bumps TLS with the inspection CA, tunnelling non-TLS only in bump-tunnel', () => {
    const ca = { cert: '/tmp/ca.pem', key: '/tmp/ca.key' };
    const bump = lines({ mode: 'bump', inspectionCa: ca });
    expect(bump[1]).toMatch(/^http_port 127\.0\.0\.1:3128 ssl-bump tls-cert=\/tmp\/ca\.pem tls-key=\/tmp\/ca\.key /);
    expect(bump).toContain('ssl_bump bump all');
    expect(bump).not.toContain('on_unsupported_protocol tunnel all');
    expect(lines({ mode: 'bump-tunnel', inspectionCa: ca })).toContain('on_unsupported_protocol tunnel all');
  });

  it('refuses a bumping mode without an inspection CA', () => {
    expect(() => squidConfigText({ ...BASE, mode: 'bump' })).toThrow(/needs an inspection CA/);
  });
});
