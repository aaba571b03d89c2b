import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionSchema } from '../../lib/schema/session';
import { createProbeApiHandler, MAX_BODY_BYTES, type ProbeEndpoints } from './probe-api';
import { RateLimiter } from './rate-limit';
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

beforeEach(async () => {
  sessions = new SessionRegistry({ ttlMs: 600_000 });
  handshakes = new TlsHandshakeLog();
  offers.length = 0;
  const handler = createProbeApiHandler({
    sessions,
    endpoints: ENDPOINTS,
    mediaPeer: {
      async answer(sdp, meta) {
        if (sdp.includes('capacity')) throw Object.assign(new Error('full'), { code: 'capacity' });
        offers.push({ sdp, ...meta });
        return { peerId: 'peer-1', sdp: 'v=0 answer' };
      },
    },
    mintCredentials: (sessionId) => ({ username: `1800000000:${sessionId}`, credential: 'Y3JlZA==', expiresAtMs: Date.now() + 600_000 }),
    sessionLimiter: new RateLimiter({ limit: 3, windowMs: 60_000 }),
    version: 'test',
    logError: () => undefined,
    tlsHandshakes: handshakes,
  });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

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
