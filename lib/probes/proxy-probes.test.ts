import { describe, expect, it } from 'vitest';
import type { Session } from '../schema/session';
import { createProxyAuthProbe, distinctChallenges, PROXY_AUTH_MAX_CHALLENGES } from './proxy-auth';
import { createProxyEchoProbe } from './proxy-echo';
import { createProxyPathsProbe } from './proxy-paths';
import { fakeEnvironment, fakeWebSockets, type WebSocketBehaviour } from './testing/fake-webrtc';
import { createTlsMirrorProbe } from './tls-mirror';
import type { FetchLike, Probe, ProbeEnvironment, ProbeReport } from './types';
import { createWebSocketProbe } from './websocket';

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-11-25T10:00:00.000Z',
  stun: [],
  turn: [],
  peerPath: '/v1/sessions/S1/peers',
  mirror: {
    tlsMirrorUrl: 'https://203.0.113.10:8443/v1/tls/mirror',
    httpsEchoUrl: 'https://203.0.113.10:8443/v1/echo',
    echoUrl: 'http://203.0.113.10:8080/v1/echo',
    wssUrl: 'wss://203.0.113.10:8443/ws',
    wsUrl: 'ws://203.0.113.10:8080/ws',
  },
};

async function run(probe: Probe, env: ProbeEnvironment, options: { probeUrl?: string; session?: Session; timeoutMs?: number } = {}): Promise<ProbeReport> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 500);
  try {
    return await probe.run({
      env,
      signal: controller.signal,
      timeoutMs: options.timeoutMs ?? 500,
      probeUrl: options.probeUrl ?? 'http://203.0.113.10:8080',
      deps: {},
      handoffs: { session: options.session ?? SESSION },
      progress: () => undefined,
    });
  } finally {
    clearTimeout(timer);
  }
}

const MIRROR_BODY = {
  listener: 'https',
  clientAddress: '198.51.100.7',
  clientPort: 50000,
  httpVersion: '2.0',
  method: 'GET',
  headers: [['user-agent', 'Chrome'], ['via', '1.1 gw']],
  negotiatedAlpn: 'h2',
  serverOffersH2: true,
  clientHello: { maxVersion: 0x0304 },
  ja4: 't13i1516h2_8daaf6152771_cb7bf5808d99',
  ja4Raw: 't13i1516h2_…',
  handshakeBase64: 'AQAB',
};

const urls: string[] = [];
const serverFetch: FetchLike = async (url) => {
  urls.push(url);
  if (url.startsWith(SESSION.mirror!.tlsMirrorUrl)) return { status: 200, json: async () => MIRROR_BODY };
  if (url.startsWith(SESSION.mirror!.echoUrl)) return { status: 200, json: async () => ({ ...MIRROR_BODY, listener: 'http', httpVersion: '1.1' }) };
  if (url.endsWith('/observations')) {
    return {
      status: 200,
      json: async () => ({
        clientAddress: '198.51.100.7',
        observations: [
          { source: 'turn', kind: 'allocation-created', atMs: 10, data: { transport: 'tcp', client: { ip: '198.51.100.7', port: 40001 } } },
          { source: 'peer', kind: 'peer-connected', atMs: 20, data: {} },
        ],
      }),
    };
  }
  return { status: 404, json: async () => ({}) };
};
const failingFetch: FetchLike = async () => {
  throw new TypeError('Failed to fetch');
};

function env(fetch: FetchLike = serverFetch, ws?: (url: string) => WebSocketBehaviour) {
  const base = fakeEnvironment(() => ({}), fetch, async (url) => ({
    name: url,
    startTime: 1,
    fetchStart: 1,
    domainLookupStart: 1,
    domainLookupEnd: 1,
    connectStart: 1,
    connectEnd: 4.25,
    secureConnectionStart: 2,
    requestStart: 4.3,
    responseStart: 5,
    responseEnd: 5.1,
    nextHopProtocol: 'h2',
  }));
  const sockets = ws ? fakeWebSockets(ws) : undefined;
  return { ...base, ...(sockets ? { createWebSocket: sockets.createWebSocket } : {}), sockets: sockets?.sockets ?? [] };
}

describe('the TLS mirror probe', () => {
  it('records what the server received and the browser\'s own view of the connection, with a unique URL', async () => {
    const report = await run(createTlsMirrorProbe(), env());
    expect(report.status).toBe('pass');
    expect(report.data).toMatchObject({ reached: true, clientAddress: '198.51.100.7', negotiatedAlpn: 'h2', serverOffersH2: true, ja4: MIRROR_BODY.ja4 });
    expect(report.data.timing).toEqual({ nextHopProtocol: 'h2', dnsMs: 0, connectMs: 3.3, tlsMs: 2.3, noConnectPhase: false });
    expect(urls.find((u) => u.startsWith(SESSION.mirror!.tlsMirrorUrl))).toMatch(/\?session=S1&n=id-\d+$/);
  });

  it('is inconclusive, not failed, when the HTTPS endpoint cannot be reached — the browser does not say why', async () => {
    const report = await run(createTlsMirrorProbe(), env(failingFetch));
    expect(report.status).toBe('inconclusive');
    expect(report.data).toMatchObject({ reached: false, error: 'Failed to fetch' });
  });

  it('is skipped against a server without the mirror', async () => {
    const { mirror: _omit, ...older } = SESSION;
    expect((await run(createTlsMirrorProbe(), env(), { session: older })).status).toBe('skipped');
  });
});

describe('the plain-HTTP echo probe', () => {
  it('records the headers in the order the server received them', async () => {
    const report = await run(createProxyEchoProbe(), env());
    expect(report.status).toBe('pass');
    expect(report.data.headers).toEqual([['user-agent', 'Chrome'], ['via', '1.1 gw']]);
  });

  it('is skipped on an HTTPS page, which may not make plain-HTTP requests', async () => {
    expect((await run(createProxyEchoProbe(), env(), { probeUrl: 'https://203.0.113.10' })).status).toBe('skipped');
  });
});

describe('the WebSocket probe', () => {
  it('passes when wss:// and ws:// both echo, and closes every socket', async () => {
    const e = env(serverFetch, () => 'echo');
    const report = await run(createWebSocketProbe(), e);
    expect(report.status).toBe('pass');
    expect((report.data.attempts as Array<{ scheme: string; echoed: boolean }>).map((a) => [a.scheme, a.echoed])).toEqual([['wss', true], ['ws', true]]);
    expect(e.sockets.every((s) => s.closed)).toBe(true);
  });

  it('records a refused wss:// with its close code next to a working ws://', async () => {
    const report = await run(createWebSocketProbe(), env(serverFetch, (url) => (url.startsWith('wss:') ? 'refused' : 'echo')));
    expect(report.status).toBe('warn');
    expect(report.data.attempts).toMatchObject([{ scheme: 'wss', opened: false, closeCode: 1006 }, { scheme: 'ws', echoed: true }]);
  });

  it('gives up at its deadline on a socket that never answers, and closes it', async () => {
    const e = env(serverFetch, () => 'silent');
    const report = await run(createWebSocketProbe(), e, { timeoutMs: 50 });
    expect(report.status).toBe('fail');
    expect(report.data.attempts).toMatchObject([{ timedOut: true }, { timedOut: true }]);
    expect(e.sockets.every((s) => s.closed)).toBe(true);
  });

  it('tries only wss:// from an HTTPS page', async () => {
    const report = await run(createWebSocketProbe(), env(serverFetch, () => 'echo'), { probeUrl: 'https://203.0.113.10' });
    expect((report.data.attempts as unknown[]).length).toBe(1);
  });
});

describe('the proxy-paths probe', () => {
  it('reads the HTTP client address and the TURN allocations\' client addresses from the server\'s observations', async () => {
    const report = await run(createProxyPathsProbe(), env());
    expect(report.data).toEqual({ httpClientAddress: '198.51.100.7', turnClients: [{ transport: 'tcp', address: '198.51.100.7', port: 40001 }] });
    expect(report.evidence[0]?.summary).toBe('session opened from 198.51.100.7; TURN allocations from 198.51.100.7 (tcp)');
  });

  it('names each client address once in its summary, with the transports and how many allocations each', async () => {
    const allocation = (transport: string, ip: string, port: number) => ({ source: 'turn', kind: 'allocation-created', atMs: 1, data: { transport, client: { ip, port } } });
    const fetch: FetchLike = async (url) =>
      url.endsWith('/observations')
        ? {
            status: 200,
            json: async () => ({
              clientAddress: '198.51.100.7',
              observations: [allocation('udp', '198.51.100.7', 1), allocation('udp', '198.51.100.7', 2), allocation('tcp', '198.51.100.7', 3), allocation('tcp', '192.0.2.9', 4)],
            }),
          }
        : serverFetch(url, { method: 'GET' });
    const report = await run(createProxyPathsProbe(), env(fetch));
    expect(report.evidence[0]?.summary).toBe('session opened from 198.51.100.7; TURN allocations from 198.51.100.7 (udp ×2, tcp), 192.0.2.9 (tcp)');
  });
});

describe('the proxy-auth probe', () => {
  const CHALLENGE = { proxy: 'http://192.0.2.1:3128', scheme: 'basic', realm: 'corp', url: 'https://nr-x.probe.example.org:8443/v1/dns/ping' };
  const fetchNothing: FetchLike = async (url) => {
    throw new Error(`the proxy-auth probe must not make requests of its own (${url})`);
  };

  it('is skipped, saying why, in a browser nobody drives (no way to see a 407 from a page)', async () => {
    const report = await run(createProxyAuthProbe(), env());
    expect(report.status).toBe('skipped');
    expect(report.reason).toMatch(/cannot see a proxy asking for a sign-in.*npx netready check/);
  });

  it('runs after the probes whose requests a proxy would see, whatever their outcome', () => {
    expect(createProxyAuthProbe()).toMatchObject({ dependsOn: ['session'], runsAfter: ['dns-lookup', 'dns-vendor-hosts', 'tls-mirror', 'proxy-echo', 'websocket'] });
  });

  it('passes, counting the requests watched, when no proxy asked — without requests of its own', async () => {
    const report = await run(createProxyAuthProbe(), { ...env(fetchNothing), proxyAuthReport: async () => ({ requestsWatched: 17, challenges: [] }) });
    expect(report.status).toBe('pass');
    expect(report.data).toEqual({ observer: 'devtools', requestsWatched: 17, challenges: [], challengedRequests: 0 });
    expect(report.evidence).toMatchObject([{ kind: 'no-proxy-auth', summary: expect.stringContaining('any of the 17 requests') }]);
  });

  it('fails with each distinct challenge as evidence when a proxy asked for a sign-in', async () => {
    const report = await run(createProxyAuthProbe(), {
      ...env(fetchNothing),
      proxyAuthReport: async () => ({ requestsWatched: 20, challenges: [CHALLENGE, { ...CHALLENGE, url: 'https://203.0.113.10:8443/v1/echo' }] }),
    });
    expect(report.status).toBe('fail');
    expect(report.data).toMatchObject({ observer: 'devtools', challenges: [CHALLENGE], challengedRequests: 2 });
    expect(report.reason).toContain('on 2 of the 20 requests');
    expect(report.evidence[0]?.summary).toBe(`the proxy http://192.0.2.1:3128 answered ${CHALLENGE.url} with 407 Proxy Authentication Required (basic, realm "corp")`);
  });

  it('is inconclusive when the host cannot answer, and copes with a malformed answer', async () => {
    const failing = await run(createProxyAuthProbe(), {
      ...env(),
      proxyAuthReport: async () => {
        throw new Error('target closed');
      },
    });
    expect(failing.status).toBe('inconclusive');
    expect(failing.reason).toContain('target closed');
    const odd = await run(createProxyAuthProbe(), { ...env(), proxyAuthReport: async () => ({ requestsWatched: 'many', challenges: 'none' }) as never });
    expect(odd).toMatchObject({ status: 'pass', data: { requestsWatched: 0, challenges: [] } });
  });

  it('keeps only well-formed challenges from the host, clipped, lower-cased and bounded in number', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ proxy: `http://192.0.2.${i}:3128`, scheme: 'Basic', realm: 'r', url: 'https://x' }));
    const kept = distinctChallenges([null, 7, { proxy: 1 }, { proxy: 'p', scheme: 'NTLM', url: 'u', realm: 'x'.repeat(1000) }, ...many]);
    expect(kept.length).toBe(PROXY_AUTH_MAX_CHALLENGES);
    expect(kept[0]).toMatchObject({ proxy: 'p', scheme: 'ntlm' });
    expect(kept[0]!.realm.length).toBeLessThan(310);
    expect(kept[1]!.scheme).toBe('basic');
  });
});
