/**
 * ICE-TCP through the whole probe server (no browser): the session document names the endpoint, a TCP-only offer
 * gets an answer whose only candidate is the passive TCP one, and a TCP client speaking RFC 4571 framed STUN with the
 * answer's credentials gets werift's own Binding success back — the path the browser takes, down to the media peer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { frameRfc4571, Rfc4571Framer } from '../../lib/protocol/ice-tcp/framing';
import { readIceCredentials } from '../../lib/protocol/ice-tcp/sdp';
import { buildCheck } from '../../lib/protocol/ice-tcp/testing/checks';
import { readAttribute, XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { decodeMessage } from '../../lib/protocol/stun/message';
import { testCrypto } from '../../lib/protocol/stun/testing/node-crypto';
import type { Session } from '../../lib/schema/session';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';

const BASE = 41_000 + Math.floor(Math.random() * 45) * 20;

/** A DataChannel offer as Chromium writes it (no candidates needed: the server ignores them for ICE-TCP). */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host generation 0',
  'a=ice-ufrag:brwsr',
  'a=ice-pwd:browser-password-012345678',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

describe('ICE-TCP through the probe server', () => {
  let dataDir: string;
  let server: ProbeServer;
  let info: ProbeServerInfo;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-probe-icetcp-'));
    const config = ConfigSchema.parse({ dataDir, probe: loopbackProbeSection([BASE, BASE + 9], [BASE + 10, BASE + 19]) });
    server = new ProbeServer(config, { info: () => undefined, error: () => undefined });
    info = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openSession(): Promise<Session> {
    const response = await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return (await response.json()) as Session;
  }

  it('names its ICE-TCP endpoint in the session document and is ready with it', async () => {
    const session = await openSession();
    expect(session.iceTcp).toEqual({ host: '127.0.0.1', port: info.endpoints.iceTcp!.port });
    expect(session.iceTcp!.port).toBeGreaterThan(0);
    expect(server.readiness().checks).toContainEqual({ name: 'listener ice-tcp', ok: true });
  });

  it('answers a TCP-only offer with the passive candidate, and carries a framed check to werift and its answer back', async () => {
    const session = await openSession();
    const response = await fetch(`${info.httpUrl}${session.peerPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'offer', sdp: OFFER, label: 'ice-tcp', iceTcp: true }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { sdp: string; peerId: string };
    const candidates = answer.sdp.split('\r\n').filter((line) => line.startsWith('a=candidate:'));
    expect(candidates).toEqual([expect.stringMatching(new RegExp(` tcp \\d+ 127\\.0\\.0\\.1 ${session.iceTcp!.port} typ host tcptype passive$`))]);
    const credentials = readIceCredentials(answer.sdp)!;

    const socket = net.connect(session.iceTcp!.port, '127.0.0.1');
    await once(socket, 'connect');
    const clientPort = socket.localPort;
    const framer = new Rfc4571Framer();
    const frame = new Promise<Uint8Array>((resolve) => socket.on('data', (chunk) => framer.push(new Uint8Array(chunk)).forEach(resolve)));
    socket.write(frameRfc4571(buildCheck(testCrypto, { username: `${credentials.ufrag}:brwsr`, password: credentials.password })));
    const reply = decodeMessage(await frame);
    socket.destroy();
    // werift's own Binding success, with the address the endpoint saw (not the loopback shim's).
    expect(reply.cls).toBe('success');
    expect(readAttribute(reply, XOR_MAPPED_ADDRESS)).toEqual({ ip: '127.0.0.1', port: clientPort });
    const observations = (await (await fetch(`${info.httpUrl}/v1/sessions/${session.sessionId}/observations`)).json()) as { observations: Array<{ kind: string; data: Record<string, unknown> }> };
    expect(observations.observations).toContainEqual(expect.objectContaining({ kind: 'ice-tcp-accepted', data: expect.objectContaining({ peerId: answer.peerId, remoteAddress: '127.0.0.1' }) }));
  });

  it('answers an ordinary offer with the UDP candidate only (no ICE-TCP unless asked)', async () => {
    const session = await openSession();
    const response = await fetch(`${info.httpUrl}${session.peerPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'offer', sdp: OFFER }) });
    const answer = (await response.json()) as { sdp: string };
    expect(answer.sdp).toMatch(/a=candidate:\S+ 1 udp /);
    expect(answer.sdp).not.toContain('tcptype');
  });
});
