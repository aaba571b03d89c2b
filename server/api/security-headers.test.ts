import { describe, expect, it } from 'vitest';
import { ConfigSchema, type ConfigInput } from '../../lib/config/schema';
import { NON_PAGE_CSP, connectSources, createNonce, permissionsPolicy, routeKindOf, securityHeaders } from './security-headers';

const config = (input: ConfigInput = {}) => ConfigSchema.parse(input);

/** Directive name → its sources, from a CSP header value. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('connectSources', () => {
  it("allows this origin and the probe's default HTTP and HTTPS origins with their WebSocket forms", () => {
    expect(connectSources(config())).toEqual(["'self'", 'http://127.0.0.1:8080', 'ws://127.0.0.1:8080', 'https://127.0.0.1:8443', 'wss://127.0.0.1:8443']);
  });

  it('uses the public URLs as configured, origin only, with default ports left out', () => {
    const sources = connectSources(
      config({ probe: { publicHttpUrl: 'http://probe.example.org/netready/', publicHttpsUrl: 'https://probe.example.org:443/x' } }),
    );
    expect(sources).toEqual(["'self'", 'http://probe.example.org', 'ws://probe.example.org', 'https://probe.example.org', 'wss://probe.example.org']);
  });

  it("adds every region node's HTTPS origin (issue 15), where the page times its round trip", () => {
    const location = { continent: 'EU' as const, latitude: 50, longitude: 8 };
    const sources = connectSources(
      config({
        regions: [
          { id: 'eu', label: 'Frankfurt', location, publicIp: '203.0.113.10' },
          { id: 'us', label: 'Ashburn', location: { ...location, continent: 'NA' }, publicIp: '198.51.100.20', httpsIp: '198.51.100.21' },
          { id: 'ap', label: 'Singapore', location: { ...location, continent: 'AS' }, publicIp: '192.0.2.30', httpsUrl: 'https://ap.probe.example.org:443/' },
        ],
      }),
    );
    expect(sources).toEqual(expect.arrayContaining(['https://203.0.113.10:8443', 'https://198.51.100.21:8443', 'https://ap.probe.example.org']));
  });

  it("adds the probe zone's lookup names on the HTTPS port and every vendor host over HTTPS", () => {
    const sources = connectSources(
      config({
        probe: { publicHost: 'probe.example.org', https: { port: 443 } },
        dns: { zone: 'Probe.Example.org' },
        targets: [
          { name: 'A', hosts: ['media.vendor.example', '198.51.100.20'] },
          { name: 'B', hosts: ['api.vendor.example', '[2001:db8::1]'] },
        ],
      }),
    );
    expect(sources).toContain('https://*.probe.example.org:443');
    expect(sources).toContain('https://media.vendor.example');
    expect(sources).toContain('https://198.51.100.20');
    expect(sources).toContain('https://api.vendor.example');
    // CSP has no syntax for IPv6 literals: such a host is left out rather than breaking the whole directive.
    expect(sources.some((s) => s.includes('2001:db8'))).toBe(false);
  });
});

describe('securityHeaders', () => {
  const nonce = 'bm9uY2Utb2YtdGhlLXRlc3Q=';

  it('gives a page a nonce-based CSP that loads nothing else inline and cannot be framed', () => {
    const headers = securityHeaders(config(), { pathname: '/r/abc', https: false, nonce });
    const csp = directives(headers['content-security-policy']!);
    expect(csp['script-src']).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp['style-src']).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(connectSources(config()));
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  it('allows eval and inline styles only under next dev', () => {
    const csp = directives(securityHeaders(config(), { pathname: '/', https: false, nonce, development: true })['content-security-policy']!);
    expect(csp['script-src']).toContain("'unsafe-eval'");
    expect(csp['style-src']).toContain("'unsafe-inline'");
    const production = securityHeaders(config(), { pathname: '/', https: false, nonce })['content-security-policy']!;
    expect(production).not.toContain('unsafe');
  });

  it("frames /embed only from embed.allowedOrigins, and from nobody when that list is empty", () => {
    const closed = securityHeaders(config(), { pathname: '/embed', https: false, nonce });
    expect(directives(closed['content-security-policy']!)['frame-ancestors']).toEqual(["'none'"]);
    const open = securityHeaders(config({ embed: { allowedOrigins: ['https://meet.example.com', 'https://*.example.org'] } }), { pathname: '/embed', https: false, nonce });
    expect(directives(open['content-security-policy']!)['frame-ancestors']).toEqual(['https://meet.example.com', 'https://*.example.org']);
    expect(open['x-frame-options']).toBeUndefined();
    // The list opens /embed only.
    const home = securityHeaders(config({ embed: { allowedOrigins: ['https://meet.example.com'] } }), { pathname: '/', https: false, nonce });
    expect(directives(home['content-security-policy']!)['frame-ancestors']).toEqual(["'none'"]);
  });

  it('gives API answers a policy that loads nothing, and keeps them and share pages out of search engines', () => {
    const api = securityHeaders(config(), { pathname: '/api/results', https: false, nonce });
    expect(api['content-security-policy']).toBe(NON_PAGE_CSP);
    expect(api['x-robots-tag']).toBe('noindex');
    expect(securityHeaders(config(), { pathname: '/r/abc', https: false, nonce })['x-robots-tag']).toBe('noindex');
    expect(securityHeaders(config(), { pathname: '/', https: false, nonce })['x-robots-tag']).toBeUndefined();
  });

  it('sends HSTS only over HTTPS', () => {
    expect(securityHeaders(config(), { pathname: '/', https: false, nonce })['strict-transport-security']).toBeUndefined();
    expect(securityHeaders(config(), { pathname: '/', https: true, nonce })['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
  });
});

describe('permissionsPolicy', () => {
  it.each([
    ['/', 'runner', '(self)'],
    ['/embed', 'embed', '(self)'],
    ['/r/abc', 'share', '()'],
    ['/api/results', 'api', '()'],
    ['/no-such-page', 'page', '()'],
  ] as const)('gives %s (%s) camera and microphone %s and denies geolocation', (pathname, kind, media) => {
    expect(routeKindOf(pathname)).toBe(kind);
    const policy = permissionsPolicy(kind);
    expect(policy).toContain(`camera=${media}`);
    expect(policy).toContain(`microphone=${media}`);
    expect(policy).toContain('geolocation=()');
    expect(policy).not.toContain('clipboard-write');
  });
});

describe('the operator’s logo', () => {
  it('lets pages load a logo from its own origin, and nothing else new', () => {
    const csp = (input: ConfigInput) => securityHeaders(config(input), { pathname: '/', https: true, nonce: 'n' })['content-security-policy'];
    expect(csp({})).toContain("img-src 'self' data:;");
    expect(csp({ brand: { logoUrl: 'https://cdn.acme.example/brand/logo.svg' } })).toContain("img-src 'self' data: https://cdn.acme.example;");
    expect(csp({ brand: { logoUrl: '/logo.svg' } })).toContain("img-src 'self' data:;");
  });
});

describe('the embed client files (issue 14)', () => {
  it.each(['/embed.js', '/embed.mjs', '/embed.d.ts'])('lets pages on every origin load %s, and nothing frame it', (pathname) => {
    expect(routeKindOf(pathname)).toBe('embed-client');
    const headers = securityHeaders(config(), { pathname, https: true, nonce: createNonce() });
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(headers['content-security-policy']).toBe(NON_PAGE_CSP);
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('serves the types as text', () => {
    expect(securityHeaders(config(), { pathname: '/embed.d.ts', https: false, nonce: 'n' })['content-type']).toBe('text/plain; charset=utf-8');
    expect(securityHeaders(config(), { pathname: '/embed.js', https: false, nonce: 'n' })['content-type']).toBeUndefined();
  });
});

describe('createNonce', () => {
  it('makes a different 128-bit base64 nonce each time', () => {
    const a = createNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(createNonce()).not.toBe(a);
  });
});
