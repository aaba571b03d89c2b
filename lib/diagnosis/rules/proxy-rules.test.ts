import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readClientHello } from '../../protocol/tls/client-hello';
import { computeJa4 } from '../../protocol/tls/ja4';
import { summarizeClientHello, type ClientHelloSummary } from '../../protocol/tls/summary';
import { loadCapture, toRecords } from '../../protocol/tls/testing/fixtures';
import type { ProbeOutcome } from '../../schema/result';
import { diagnose } from '../diagnose';
import { outcomesFor, type NetworkShape } from '../testing/outcomes';

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
const MIRROR = 'https://203.0.113.10:8443/v1/tls/mirror';
const PROBE_URL = 'http://203.0.113.10:8080';

function captured(name: Parameters<typeof loadCapture>[0]): { hello: ClientHelloSummary; ja4: string } {
  const read = readClientHello(toRecords(loadCapture(name).handshake));
  if (read.status !== 'complete') throw new Error('incomplete');
  return { hello: summarizeClientHello(read.hello, read.handshake.length), ja4: computeJa4(read.hello, (t) => createHash('sha256').update(t).digest('hex')).ja4 };
}

/** A proxy/inspection situation in words. */
interface ProxyShape {
  network?: NetworkShape;
  /** Which captured ClientHello the TLS mirror received (null: the mirror was unreachable). */
  hello?: Parameters<typeof loadCapture>[0] | null;
  userAgent?: string;
  nextHopProtocol?: string;
  negotiatedAlpn?: string | null;
  /** Extra header lines on the plain-HTTP echo. */
  echoHeaders?: Array<[string, string]>;
  httpClientAddress?: string;
  turnClients?: Array<{ transport: string; address: string; port: number }>;
  websocket?: { wss: boolean; ws?: boolean };
  echoReached?: boolean;
  /** What the proxy-auth probe recorded: undefined → skipped (a plain browser, nobody watching). */
  proxyAuth?: Array<{ proxy: string; scheme: string; realm: string; url: string }>;
  mirrorTiming?: { dnsMs: number; connectMs: number; noConnectPhase: boolean };
}

function outcomes(shape: ProxyShape): Record<string, ProbeOutcome> {
  const base = outcomesFor(shape.network ?? {});
  const userAgent = shape.userAgent ?? CHROME_UA;
  const address = shape.httpClientAddress ?? '198.51.100.7';
  const pass = (data: Record<string, unknown>): ProbeOutcome => ({ status: 'pass', durationMs: 5, data, evidence: [{ kind: 'x', summary: 'x' }] });
  const hello = shape.hello === undefined ? 'chromium-156-direct' : shape.hello;
  const seen = hello ? captured(hello) : null;
  base['tls-mirror'] = seen
    ? pass({
        url: `${MIRROR}?session=S1&n=1`,
        reached: true,
        clientAddress: address,
        httpVersion: shape.negotiatedAlpn === 'h2' || shape.negotiatedAlpn === undefined ? '2.0' : '1.1',
        negotiatedAlpn: shape.negotiatedAlpn === undefined ? 'h2' : shape.negotiatedAlpn,
        serverOffersH2: true,
        headers: [['user-agent', userAgent]],
        clientHello: seen.hello,
        ja4: seen.ja4,
        timing: { nextHopProtocol: shape.nextHopProtocol ?? 'h2', dnsMs: 0, connectMs: 3.1, tlsMs: 2.5, noConnectPhase: false, ...shape.mirrorTiming },
      })
    : { status: 'inconclusive', durationMs: 5, reason: 'unreachable', data: { url: MIRROR, reached: false, error: 'Failed to fetch', timedOut: false }, evidence: [] };
  base['proxy-echo'] =
    shape.echoReached === false
      ? { status: 'inconclusive', durationMs: 5, reason: 'unreachable', data: { url: 'http://203.0.113.10:8080/v1/echo', reached: false }, evidence: [] }
      : pass({ url: 'http://203.0.113.10:8080/v1/echo?n=1', reached: true, clientAddress: address, headers: [['host', '203.0.113.10:8080'], ['user-agent', userAgent], ...(shape.echoHeaders ?? [])] });
  const ws = shape.websocket ?? { wss: true, ws: true };
  base.websocket = pass({
    attempts: [
      { url: 'wss://203.0.113.10:8443/ws', scheme: 'wss', opened: ws.wss, echoed: ws.wss, timedOut: false, ...(ws.wss ? {} : { closeCode: 1006 }) },
      ...(ws.ws === undefined ? [] : [{ url: 'ws://203.0.113.10:8080/ws', scheme: 'ws', opened: ws.ws, echoed: ws.ws, timedOut: false, ...(ws.ws ? {} : { closeCode: 1006 }) }]),
    ],
  });
  base['proxy-paths'] = pass({ httpClientAddress: address, turnClients: shape.turnClients ?? [] });
  base['proxy-auth'] =
    shape.proxyAuth === undefined
      ? { status: 'skipped', durationMs: 0, reason: 'A web page cannot see a proxy asking for a sign-in.', data: {}, evidence: [] }
      : {
          status: shape.proxyAuth.length > 0 ? 'fail' : 'pass',
          durationMs: 20,
          data: { observer: 'devtools', requests: [], challenges: shape.proxyAuth, challengedRequests: shape.proxyAuth.length * 3 },
          evidence: shape.proxyAuth.map((c) => ({ probe: 'proxy-auth', kind: 'proxy-auth-challenge', summary: `the proxy ${c.proxy} answered ${c.url} with 407`, data: { ...c } })),
        };
  return base;
}

const codes = (shape: ProxyShape): string[] => diagnose(outcomes(shape), { probeUrl: PROBE_URL }).findings.map((f) => f.code);
const finding = (shape: ProxyShape, code: string) => diagnose(outcomes(shape), { probeUrl: PROBE_URL }).findings.find((f) => f.code === code);
const PROXY_CODES = ['http-proxy', 'proxy-auth-required', 'tls-interception', 'websocket-blocked'];

describe('no false positives', () => {
  it.each<[string, ProxyShape]>([
    ['an open network with Chromium\'s own handshake', {}],
    ['a CONNECT tunnel through an explicit proxy without proxy headers (same ClientHello as direct)', { hello: 'chromium-156-via-squid-connect' }],
    ['a VPN split tunnel: web requests from another address than UDP, nothing else', { httpClientAddress: '192.0.2.50' }],
    ['no UDP at all, relays over TCP/TLS from the same NAT address', { network: { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay' } }, turnClients: [{ transport: 'tcp', address: '198.51.100.7', port: 5000 }] }],
    ['an IPv6 web path next to IPv4 UDP', { httpClientAddress: '2001:db8::7' }],
    ['an unreachable TLS mirror (untrusted certificate or blocked port)', { hello: null, websocket: { wss: false, ws: true } }],
    ['a client the profiles do not know (curl), even with an OpenSSL handshake', { hello: 'squid-5.7-ssl-bump', userAgent: 'curl/8.5.0', negotiatedAlpn: null, nextHopProtocol: 'http/1.1' }],
    ['a WebSocket failure when the matching plain request failed too', { echoReached: false, websocket: { wss: true, ws: false } }],
    ['a CLI run where no proxy asked for a sign-in', { proxyAuth: [] }],
  ])('reports no proxy, inspection or WebSocket finding for %s', (_name, shape) => {
    expect(codes(shape).filter((c) => PROXY_CODES.includes(c))).toEqual([]);
  });
});

describe('http-proxy', () => {
  it('fires on Via and X-Forwarded-For alone, as info while calls go direct over UDP', () => {
    const f = finding({ echoHeaders: [['via', '1.1 proxy.example.net (squid/5.7)'], ['x-forwarded-for', '192.0.2.20']] }, 'http-proxy');
    expect(f?.severity).toBe('info');
    expect(f?.detail).toContain('squid/5.7');
    expect(f?.evidence.some((e) => e.kind === 'proxy-headers')).toBe(true);
  });

  it.each([['forwarded', 'for=192.0.2.20'], ['x-bluecoat-via', '6f2a1b'], ['x-proxy-id', '1284'], ['proxy-connection', 'keep-alive']])(
    'fires on the proxy header %s',
    (name, value) => {
      expect(codes({ echoHeaders: [[name, value]] })).toContain('http-proxy');
    },
  );

  it('is a warning when UDP is blocked and calls depend on relays through the proxy', () => {
    const f = finding(
      { network: { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay' } }, echoHeaders: [['via', '1.1 gw']] },
      'http-proxy',
    );
    expect(f?.severity).toBe('warning');
  });

  it('fires on three weak signals together: other HTTP address, TURN/TCP from it, and a blocked WebSocket upgrade', () => {
    const shape: ProxyShape = {
      httpClientAddress: '192.0.2.50',
      turnClients: [{ transport: 'tcp', address: '192.0.2.50', port: 4000 }],
      websocket: { wss: true, ws: false },
    };
    expect(codes(shape)).toContain('http-proxy');
    // Two of them are not enough.
    expect(codes({ ...shape, websocket: { wss: true, ws: true } })).not.toContain('http-proxy');
  });

  it('counts the missing connect phase only on the first request to a fresh origin', () => {
    const base: ProxyShape = { httpClientAddress: '192.0.2.50', turnClients: [{ transport: 'tcp', address: '192.0.2.50', port: 4000 }] };
    expect(codes({ ...base, mirrorTiming: { dnsMs: 0, connectMs: 0, noConnectPhase: true } })).toContain('http-proxy');
    const sameOrigin = diagnose(outcomes({ ...base, mirrorTiming: { dnsMs: 0, connectMs: 0, noConnectPhase: true } }), { probeUrl: 'https://203.0.113.10:8443' });
    expect(sameOrigin.findings.map((f) => f.code)).not.toContain('http-proxy');
  });
});

describe('tls-interception', () => {
  it('fires when a Chromium User-Agent arrives with squid ssl-bump\'s handshake, saying what was missing and foreign', () => {
    const f = finding({ hello: 'squid-5.7-ssl-bump', negotiatedAlpn: null, nextHopProtocol: 'http/1.1' }, 'tls-interception');
    expect(f?.severity).toBe('warning');
    expect(f?.detail).toContain('203.0.113.10:8443');
    expect(f?.detail).toContain('t13i311100_e8f1e7e78f70_830561eb1039');
    expect(f?.detail).toMatch(/GREASE.*ALPS/);
    expect(f?.detail).toContain('encrypt_then_mac');
    expect(f?.remediation).toMatch(/Exclude the conferencing provider's domains .* from TLS inspection/);
    expect(f?.remediation).toMatch(/TURN over TCP\/TLS on port 443/);
  });

  it('fires on the handshake alone when the browser still reported h2', () => {
    expect(codes({ hello: 'squid-5.7-ssl-bump', negotiatedAlpn: null, nextHopProtocol: 'h2' })).toContain('tls-interception');
  });

  it('does not fire on http/1.1 alone with the browser\'s own handshake', () => {
    expect(codes({ nextHopProtocol: 'http/1.1', negotiatedAlpn: 'h2' })).not.toContain('tls-interception');
  });

  it('fires for a Firefox User-Agent whose handshake lacks record_size_limit and HTTP/2', () => {
    expect(codes({ hello: 'squid-5.7-ssl-bump', userAgent: FIREFOX_UA, negotiatedAlpn: null, nextHopProtocol: 'http/1.1' })).toContain('tls-interception');
  });
});

describe('websocket-blocked', () => {
  it('is a warning when wss:// fails while HTTPS to the same port works', () => {
    const f = finding({ websocket: { wss: false, ws: true } }, 'websocket-blocked');
    expect(f?.severity).toBe('warning');
    expect(f?.detail).toContain('wss://203.0.113.10:8443/ws');
  });

  it('is info when only ws:// fails while plain HTTP to the same port works', () => {
    expect(finding({ websocket: { wss: true, ws: false } }, 'websocket-blocked')?.severity).toBe('info');
  });
});

describe('proxy-auth-required', () => {
  const SQUID = { proxy: 'http://192.0.2.1:3128', scheme: 'basic', realm: 'Example Corp proxy', url: 'https://nr-abc.probe.example.org:8443/v1/dns/ping' };
  const NO_UDP: NetworkShape = { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } };

  it('is a warning naming the proxy, scheme and realm when UDP is blocked and the relays over TCP and TLS failed', () => {
    const f = finding({ network: NO_UDP, proxyAuth: [SQUID] }, 'proxy-auth-required');
    expect(f?.severity).toBe('warning');
    expect(f?.detail).toContain('http://192.0.2.1:3128');
    expect(f?.detail).toContain('sign-in: Basic, realm "Example Corp proxy"');
    expect(f?.detail).toContain('3 of this browser\'s requests');
    expect(f?.detail).toContain('relays over TCP and TLS did not get through');
    expect(f?.remediation).toMatch(/from proxy authentication/);
    expect(f?.evidence.map((e) => e.kind)).toEqual(['proxy-auth-challenge']);
  });

  it('is information while calls go direct over UDP', () => {
    expect(finding({ proxyAuth: [SQUID] }, 'proxy-auth-required')?.severity).toBe('info');
  });

  it('lists each proxy and scheme once, however many requests were challenged', () => {
    const ntlm = { ...SQUID, scheme: 'ntlm', realm: '' };
    const f = finding({ proxyAuth: [SQUID, ntlm] }, 'proxy-auth-required');
    expect(f?.detail.match(/192\.0\.2\.1:3128/g)?.length).toBe(1);
    expect(f?.detail).toContain('sign-in: Basic, realm "Example Corp proxy"; NTLM)');
  });

  it('is never reported when nobody could watch for sign-ins (a browser a person opened)', () => {
    expect(codes({ network: NO_UDP })).not.toContain('proxy-auth-required');
  });
});
