import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { SessionSchema } from '../../lib/schema/session';
import { MediaPeerServer } from '../peer/media-peer';
import { createProbeApiHandler } from './probe-api';
import { SessionCreationLimiter } from './rate-limit';
import { SessionRegistry } from './sessions';
import { TlsHandshakeLog } from '../tls-mirror/handshake-log';

/**
 * Issue 18: an offer the real media peer cannot use is the offer's fault — a 4xx with a code and a message the page
 * shows, never HTTP 500. Real server on loopback, port 0; the media peer on its own ports in 41000–41999.
 */
const PORT_MIN = 41_000 + Math.floor(Math.random() * 40) * 20;

let server: http.Server;
let mediaPeer: MediaPeerServer;
let base: string;
const logged: unknown[] = [];
const clients: RTCPeerConnection[] = [];

beforeEach(async () => {
  logged.length = 0;
  mediaPeer = new MediaPeerServer({ bindIp: '127.0.0.1', publicIp: '127.0.0.1', portMin: PORT_MIN, portMax: PORT_MIN + 19 });
  const handler = createProbeApiHandler({
    sessions: new SessionRegistry({ ttlMs: 600_000, maxSessions: 100 }),
    endpoints: { publicIp: '127.0.0.1', tlsHost: 'probe.example.org', turnUdpPort: 3478, turnTcpPort: 3478, turnTlsPort: 5349, extraStunPorts: [], certificateSource: 'development' },
    mediaPeer,
    mintCredentials: (sessionId) => ({ username: `1800000000:${sessionId}`, credential: 'Y3JlZA==', expiresAtMs: Date.now() + 600_000 }),
    sessionLimiter: new SessionCreationLimiter({ perAddress: 100, perSubnet: 100 }),
    onLimit: () => undefined,
    version: 'test',
    logError: (_what, error) => logged.push(error),
    tlsHandshakes: new TlsHandshakeLog(),
  });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await mediaPeer.close();
});

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A real DataChannel offer (werift, loopback only), with its candidates removed but `a=end-of-candidates` kept when asked. */
async function offerWithoutCandidates(keepEndOfCandidates: boolean): Promise<string> {
  const client = new RTCPeerConnection({ iceServers: [], iceUseIpv4: false, iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' } });
  clients.push(client);
  client.createDataChannel('netready-echo');
  for (const transport of client.iceTransports) transport.connection.stunServer = undefined;
  await client.setLocalDescription(await client.createOffer());
  const lines = (client.localDescription?.sdp ?? '').split(/\r?\n/).filter((line) => !line.startsWith('a=candidate:'));
  return (keepEndOfCandidates ? lines : lines.filter((line) => line !== 'a=end-of-candidates')).join('\r\n');
}

describe('POST /v1/sessions/:id/peers with an offer the media peer cannot use', () => {
  it('answers 422 offer_unusable with the reason, not 500, when the offer has no candidate and says gathering is over', async () => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    const offer = await offerWithoutCandidates(true);
    expect(offer).toContain('a=end-of-candidates');
    const response = await post(session.peerPath, { type: 'offer', sdp: offer, label: 'stun-udp' });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('offer_unusable');
    expect(body.error.message).toMatch(/ICE failed while answering: the offer carries no ICE candidate/);
    expect(logged).toEqual([]);
  });

  it('still answers an offer without candidates that leaves gathering open (what the page sends; the browser connects peer-reflexive)', async () => {
    const session = SessionSchema.parse(await (await post('/v1/sessions', {})).json());
    const response = await post(session.peerPath, { type: 'offer', sdp: await offerWithoutCandidates(false), label: 'stun-udp' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { type: string }).type).toBe('answer');
  });
});
