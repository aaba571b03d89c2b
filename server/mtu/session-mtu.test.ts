import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionSchema } from '../../lib/schema/session';
import { buildSession, createProbeApiHandler, type ProbeEndpoints } from '../http/probe-api';
import { SessionCreationLimiter } from '../http/rate-limit';
import { SessionRegistry } from '../http/sessions';
import type { PathMtuReport } from './mtu-server';
import type { MtuEndpoints } from './session-mtu';

const MTU: MtuEndpoints = {
  publicIpv4: '203.0.113.10',
  rungs: [
    { family: 'ipv4', sizeBytes: 576, df: true, ip: '192.0.2.10', port: 3490 },
    { family: 'ipv4', sizeBytes: 1500, df: true, ip: '192.0.2.10', port: 3491 },
    { family: 'ipv4', sizeBytes: 2000, df: false, ip: '192.0.2.10', port: 3492 },
  ],
  linkMtuBytes: { ipv4: 1460, ipv6: null },
  turnSizes: [576, 1500],
  turnLinkMtuBytes: 1500,
};

const ENDPOINTS: ProbeEndpoints = {
  publicIp: '203.0.113.10',
  tlsHost: 'probe.example.org',
  turnUdpPort: 3478,
  turnTcpPort: 3478,
  turnTlsPort: 443,
  extraStunPorts: [],
  mtu: MTU,
};

const CREDS = { username: '1800000000:S1', credential: 'c2VjcmV0', expiresAtMs: 1_800_000_000_000 };
const mintTagged = (tag: string) => ({ username: `1800000000:S1:${tag}`, credential: `cred-${tag}` });

describe('the session document\'s MTU ladder', () => {
  it('offers each rung at the public address and one tagged TURN username per size', () => {
    const session = buildSession(ENDPOINTS, 'S1', CREDS, 'test', mintTagged);
    expect(SessionSchema.safeParse(session).success).toBe(true);
    expect(session.mtu?.rungs).toEqual([
      { family: 'ipv4', sizeBytes: 576, df: true, port: 3490, url: 'stun:203.0.113.10:3490' },
      { family: 'ipv4', sizeBytes: 2000, df: false, port: 3492, url: 'stun:203.0.113.10:3492' },
    ]);
    expect(session.mtu?.turn).toEqual([
      { sizeBytes: 576, url: 'turn:203.0.113.10:3478?transport=udp', username: '1800000000:S1:mtu576', credential: 'cred-mtu576' },
      { sizeBytes: 1500, url: 'turn:203.0.113.10:3478?transport=udp', username: '1800000000:S1:mtu1500', credential: 'cred-mtu1500' },
    ]);
    expect(session.mtu?.pathMtuPath).toBe('/v1/sessions/S1/path-mtu');
  });

  it('does not offer a Don\'t-Fragment rung above the server\'s own link MTU, and says why', () => {
    const session = buildSession(ENDPOINTS, 'S1', CREDS, 'test', mintTagged);
    expect(session.mtu?.notOffered).toEqual([{ family: 'ipv4', sizeBytes: 1500, df: true, reason: expect.stringContaining('own link MTU (1460 bytes)') }]);
    expect(session.mtu?.linkMtuBytes).toEqual({ ipv4: 1460 });
  });

  it('says why there is no IPv6 ladder, and offers IPv6 rungs in brackets when there is one', () => {
    expect(buildSession(ENDPOINTS, 'S1', CREDS, 'test', mintTagged).mtu?.ipv6Missing).toMatch(/probe\.mtu\.ipv6/);
    const v6 = buildSession(
      { ...ENDPOINTS, mtu: { ...MTU, ipv6: '2001:db8::10', rungs: [{ family: 'ipv6', sizeBytes: 1280, df: true, ip: '2001:db8::10', port: 3490 }] } },
      'S1',
      CREDS,
      'test',
      mintTagged,
    );
    expect(v6.mtu?.ipv6Missing).toBeUndefined();
    expect(v6.mtu?.rungs[0]?.url).toBe('stun:[2001:db8::10]:3490');
  });

  it('has no TURN ladder without a way to mint tagged credentials, and no mtu at all without a ladder', () => {
    expect(buildSession(ENDPOINTS, 'S1', CREDS, 'test').mtu?.turn).toBeUndefined();
    expect(buildSession({ ...ENDPOINTS, mtu: undefined }, 'S1', CREDS, 'test').mtu).toBeUndefined();
  });
});

describe('GET /v1/sessions/:id/path-mtu', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function start(pathMtuTo: (ip: string) => Promise<PathMtuReport | null>): Promise<{ base: string; sessionId: string }> {
    const sessions = new SessionRegistry({ ttlMs: 600_000, maxSessions: 10 });
    const record = sessions.create('127.0.0.1')!;
    server = http.createServer(
      createProbeApiHandler({
        sessions,
        endpoints: ENDPOINTS,
        mediaPeer: { answer: async () => ({ peerId: 'p', sdp: 'v=0' }) },
        mintCredentials: (id, tag) => ({ username: `1800000000:${id}${tag ? `:${tag}` : ''}`, credential: 'x', expiresAtMs: Date.now() + 600_000 }),
        sessionLimiter: new SessionCreationLimiter({ perAddress: 10, perSubnet: 10 }),
        version: 'test',
        logError: () => undefined,
        mtu: { pathMtuTo },
      }),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sessionId: record.id };
  }

  it('answers what the kernel learned for an address that used the ladder', async () => {
    const asked: string[] = [];
    const { base, sessionId } = await start(async (ip) => (asked.push(ip), { ip, linkMtuBytes: 1500, pathMtuBytes: 1280 }));
    const response = await fetch(`${base}/v1/sessions/${sessionId}/path-mtu?ip=198.51.100.7`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ip: '198.51.100.7', linkMtuBytes: 1500, pathMtuBytes: 1280 });
    expect(asked).toEqual(['198.51.100.7']);
  });

  it('answers 404 for an address that did not use the ladder, 400 for a bad address, 404 for an unknown session', async () => {
    const { base, sessionId } = await start(async () => null);
    expect((await fetch(`${base}/v1/sessions/${sessionId}/path-mtu?ip=198.51.100.7`)).status).toBe(404);
    expect((await fetch(`${base}/v1/sessions/${sessionId}/path-mtu?ip=nonsense`)).status).toBe(400);
    expect((await fetch(`${base}/v1/sessions/unknown/path-mtu?ip=198.51.100.7`)).status).toBe(404);
  });

  it('puts one tagged TURN username per size into a new session', async () => {
    const { base } = await start(async () => null);
    const session = SessionSchema.parse(await (await fetch(`${base}/v1/sessions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json());
    expect(session.mtu?.turn?.map((t) => t.username)).toEqual([`1800000000:${session.sessionId}:mtu576`, `1800000000:${session.sessionId}:mtu1500`]);
  });
});
