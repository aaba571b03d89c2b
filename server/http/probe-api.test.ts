import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionSchema } from '../../lib/schema/session';
import { createProbeApiHandler, MAX_BODY_BYTES, type ProbeEndpoints } from './probe-api';
import type { LimitEvent } from '../net/limit-events';
import { SessionCreationLimiter } from './rate-limit';
import { SessionRegistry } from './sessions';
import { TlsHandshakeLog } from '../tls-mirror/handshake-log';

const ENDPOINTS: ProbeEndpoints = {
  publicIp: '203.0.113.10',
  tlsHost: 'probe.example.org',
  turnUdpPort: 3478,
  turnTcpPort: 3478,
  turnTlsPort: 443,
  extraStunPorts: [
    { port: 3479, role: 'alternate' },
    { port: 10000, role: 'vendor', target: 'Acme' },
  ],
  certificateSource: 'development',
};

let server: http.Server;
let base: string;
let sessions: SessionRegistry;
let handshakes: TlsHandshakeLog;
const offers: Array<{ sdp: string; sessionId: string; label?: string }> = [];
const limits: LimitEvent[] = [];

/** Starts the API with a session table of `maxSessions` and the given creation limits. */
async function startApi(maxSessions: number, perAddress: number, perSubnet: number, endpoints: ProbeEndpoints = ENDPOINTS): Promise<void> {
  sessions = new SessionRegistry({ ttlMs: 600_000, maxSessions });
  handshakes = new TlsHandshakeLog();
  offers.length = 0;
  limits.length = 0;
  const handler = createProbeApiHandler({
    sessions,
    endpoints,
    mediaPeer: {
      async answer(sdp, meta) {
        if (sdp.includes('capacity')) throw Object.assign(new Error('full'), { code: 'capacity' });
        offers.push({ sdp, ...meta });
        return { peerId: 'peer-1', sdp: 'v=0 answer' };
      },
    },
    mintCredentials: (sessionId) => ({ username: `1800000000:${sessionId}`, credential: 'Y3JlZA==', expiresAtMs: Date.now() + 600_000 }),
    sessionLimiter: new SessionCreationLimiter({ perAddress, perSubnet }),
    onLimit: (event) => limits.push(event),
    version: 'test',
    logError: () => undefined,
    tlsHandshakes: handshakes,
  });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => startApi(10_000, 3, 1000));

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** POST /v1/sessions from `localAddress` (any of 127/8) over `agent`; resolves with the status and error code. */
function createFrom(localAddress: string, agent: http.Agent): Promise<{ status: number; code?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/v1/sessions`);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent, headers: { 'content-type': 'application/json', 'content-length': 2 } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const error = status >= 400 ? (JSON.parse(text) as { error: { code: string; message: string } }).error : undefined;
        resolve({ status, ...(error ? { code: error.code, message: error.message } : {}) });
      });
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/**
 * `count` POST /v1/sessions pipelined on one connection from `localAddress` (cheap enough to send 10,200 in a
 * test); resolves with each answer's status and error code, in order.
 */
function createManyFrom(localAddress: string, count: number): Promise<Array<{ status: number; code?: string }>> {
  const url = new URL(base);
  const request = `POST /v1/sessions HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress }, () => socket.write(request.repeat(count)));
    const answers: Array<{ status: number; code?: string }> = [];
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buffer.subarray(0, headEnd).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < headEnd + 4 + length) return;
        const body = buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
        buffer = buffer.subarray(headEnd + 4 + length);
        const status = Number(head.split(' ')[1]);
        answers.push({ status, ...(status >= 400 ? { code: (JSON.parse(body) as { error: { code: string } }).error.code } : {}) });
        if (answers.length === count) {
          socket.destroy();
          resolve(answers);
          return;
        }
      }
    });
    socket.on('error', reject);
  });
}

describe('probe API', () => {
  it('tells the page where its certificate comes from, and reports the session address\'s TLS handshakes since the session opened', async () => {
    handshakes.failed('192.0.2.99', 'https', new Error('SSL alert number 46'));
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    expect(session.certificate).toEqual({ source: 'development' });
    handshakes.failed('127.0.0.1', 'turn-tls', Object.assign(new Error('ssl3_read_bytes:sslv3 alert certificate unknown:SSL alert number 46'), { code: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN' }));
    handshakes.completed('127.0.0.1', 'https');
    const body = (await (await fetch(`${base}/v1/sessions/${session.sessionId}/observations`)).json()) as { tlsHandshakes: unknown[] };
    // Only this client's address, only since the session opened: another address's rejection is not reported.
    expect(body.tlsHandshakes).toEqual([
      expect.objectContaining({ listener: 'turn-tls', outcome: 'certificate-rejected', alert: 'certificate_unknown', alertNumber: 46 }),
      expect.objectContaining({ listener: 'https', outcome: 'completed' }),
    ]);
  });

  it('opens a session with the port matrix, TURN URLs per transport and credentials naming the session', async () => {
    const response = await post('/v1/sessions', {});
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const session = SessionSchema.parse(await response.json());
    expect(session.stun.map((s) => [s.port, s.role])).toEqual([
      [3478, 'turn'],
      [3479, 'alternate'],
      [10000, 'vendor'],
    ]);
    expect(session.turn.map((t) => t.url)).toEqual([
      'turn:203.0.113.10:3478?transport=udp',
      'turn:203.0.113.10:3478?transport=tcp',
      'turns:probe.example.org:443?transport=tcp',
    ]);
    expect(session.turn[0]?.username).toBe(`1800000000:${session.sessionId}`);
    expect(sessions.get(session.sessionId)?.clientAddress).toContain('127.0.0.1');
  });

  it('tells the page every region, its home region and the GeoDNS name, and names its region in /v1/dns/ping (issue 15)', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const location = { continent: 'EU', country: 'DE', latitude: 50.11, longitude: 8.68 };
    const list = [
      { id: 'eu', label: 'Frankfurt', location, stunUrl: 'stun:203.0.113.10:3478', pingUrl: 'https://203.0.113.10:8443/v1/dns/ping', apiUrl: 'https://203.0.113.10:8443' },
      { id: 'us', label: 'Ashburn', location: { ...location, continent: 'NA' }, stunUrl: 'stun:198.51.100.20:3478', pingUrl: 'https://198.51.100.20:8443/v1/dns/ping', apiUrl: 'https://198.51.100.20:8443' },
    ];
    await startApi(10_000, 3, 1000, { ...ENDPOINTS, dns: { zone: 'probe.example.org', httpsPort: 8443 }, regions: { node: 'eu', list } });
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    expect(session.regions).toEqual({ home: 'eu', list, mediaLookupUrl: 'https://{label}.media.probe.example.org:8443/v1/dns/ping' });
    expect(await (await fetch(`${base}/v1/dns/ping`)).json()).toMatchObject({ ok: true, region: 'eu' });
  });

  it('has no regions part and names no region on a one-region deployment', async () => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    expect(session.regions).toBeUndefined();
    expect(await (await fetch(`${base}/v1/dns/ping`)).json()).not.toHaveProperty('region');
  });

  it('names no capture in the session and answers 404 capture_disabled when the server records none (issue 20)', async () => {
    const session = SessionSchema.parse(await (await fetch(`${base}/v1/sessions`, { method: 'POST', body: '{}' })).json());
    expect(session.capturePath).toBeUndefined();
    const response = await fetch(`${base}/v1/sessions/${session.sessionId}/capture.pcapng`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'capture_disabled', message: expect.stringContaining('probe.capture.enabled') } });
  });

  it('answers CORS preflights so any embedding page may call it', async () => {
    const response = await fetch(`${base}/v1/sessions`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('passes a valid offer to the media peer with the session id and label, and records the peer', async () => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    const response = await post(session.peerPath, { type: 'offer', sdp: 'v=0 offer sdp', label: 'turn-tls' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 'answer', sdp: 'v=0 answer', peerId: 'peer-1' });
    expect(offers).toEqual([{ sdp: 'v=0 offer sdp', sessionId: session.sessionId, label: 'turn-tls' }]);
  });

  it.each([
    ['an unknown session', '/v1/sessions/nope/peers', { type: 'offer', sdp: 'v=0 offer sdp' }, 404, 'not_found'],
    ['a missing sdp', null, { type: 'offer' }, 400, 'invalid_request'],
    ['malformed JSON', null, '{not json', 400, 'invalid_json'],
    ['a body over the size limit', null, { type: 'offer', sdp: 'x'.repeat(MAX_BODY_BYTES) }, 413, 'payload_too_large'],
    ['a media peer at capacity', null, { type: 'offer', sdp: 'v=0 capacity' }, 503, 'peer_unavailable'],
  ])('rejects %s with %i %s and creates no peer', async (_name, path, body, status, code) => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    const response = await post(path ?? session.peerPath, body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(offers).toEqual([]);
  });

  it('refuses more sessions than the per-address limit with 429', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('/v1/sessions', {})).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('refuses a network that spreads its creations over several addresses past the per-/24 limit with 429', async () => {
    await startApi(10_000, 2, 5);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const results = [];
      for (const host of [11, 12, 13]) for (let i = 0; i < 2; i++) results.push(await createFrom(`127.0.9.${host}`, agent));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
      expect(results[5]).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('network') });
      expect((await createFrom('127.0.10.11', agent)).status).toBe(201);
      expect(limits).toEqual([{ reason: 'sessions-per-subnet', scope: 'sessions', address: '127.0.9.13' }]);
    } finally {
      agent.destroy();
    }
  });

  it('answers 503 server_busy at the live-session cap and keeps every live session answering', async () => {
    await startApi(2, 10, 100);
    const first = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    expect((await post('/v1/sessions', {})).status).toBe(201);
    const refused = await post('/v1/sessions', {});
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: { code: 'server_busy', message: expect.stringContaining('try again') } });
    expect((await fetch(`${base}/v1/sessions/${first.sessionId}/observations`)).status).toBe(200);
    expect(limits.map((e) => e.reason)).toEqual(['sessions-full']);
  });

  it('keeps a live session answering through 10,200 creations from many addresses, refusing past the cap with 503', async () => {
    await startApi(10_000, 60, 240);
    const victim = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    // 170 addresses × 60 = 10,200 creations: every address at its per-minute limit, four per /24 so every network
    // at its per-/24 limit too. The table takes 9,999 more sessions.
    const addresses = Array.from({ length: 170 }, (_, i) => `127.${20 + Math.floor(i / 4)}.0.${1 + (i % 4)}`);
    const statuses = new Map<string, number>();
    const started = performance.now();
    const answers = await Promise.all(addresses.map((address) => createManyFrom(address, 60)));
    for (const { status, code } of answers.flat()) {
      const key = `${status} ${code ?? ''}`.trim();
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const elapsedMs = performance.now() - started;
    expect(Object.fromEntries(statuses)).toEqual({ 201: 9_999, '503 server_busy': 201 });
    expect((await fetch(`${base}/v1/sessions/${victim.sessionId}/observations`)).status).toBe(200);
    console.info(`sessions: 10,200 creations from ${addresses.length} addresses in ${Math.round(elapsedMs)} ms`);
  });

  it('returns what the servers observed for a session', async () => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    sessions.observe(session.sessionId, { source: 'turn', kind: 'allocation-created', data: { transport: 'tcp' } });
    const seen = (await (await fetch(`${base}/v1/sessions/${session.sessionId}/observations`)).json()) as { observations: Array<{ kind: string }> };
    expect(seen.observations.map((o) => o.kind)).toEqual(['session-created', 'allocation-created']);
  });

  it('answers unknown routes with 404 in the error envelope', async () => {
    const response = await fetch(`${base}/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
