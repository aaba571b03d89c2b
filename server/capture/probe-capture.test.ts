/**
 * The server's side of the capture wired into the real probe server on loopback: a session's TURN over UDP and TCP
 * (with a relayed datagram to a peer), its DNS query for a probe name, the HTTPS request to that name (its TLS
 * ClientHello) and a plain-HTTP echo request are downloaded as `GET /v1/sessions/:id/capture.pcapng` and read back by
 * Debian's tshark — addresses and ports as the sockets had them, traffic of another client left out.
 */
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { attr } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { encodeMessage } from '../../lib/protocol/stun/message';
import { DATA, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import { SessionSchema, type Session } from '../../lib/schema/session';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { nodeStunCrypto } from '../turn/node-crypto';
import { connectStream, connectUdp, exchange } from '../turn/testing/socket-client';
import { tsharkFields } from './testing/tshark';

const ZONE = 'probe.netready.test';
const PEER_PORT = 41479;

function getOnName(name: string, port: number, pathname: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: name, port, path: pathname, ca, headers: { host: `${name}:${port}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server capture on the probe server', () => {
  let dataDir: string;
  let server: ProbeServer;
  let info: ProbeServerInfo;
  let session: Session;
  let peer: dgram.Socket;
  const seen: { udpClient?: { ip: string; port: number }; tcpClient?: { ip: string; port: number }; relayPort?: number; strangerPort?: number } = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-capture-'));
    const config = ConfigSchema.parse({
      dataDir,
      probe: loopbackProbeSection([41460, 41469], [41470, 41479]),
      dns: { zone: ZONE, listen: { port: 0 }, answerIp: '127.0.0.1' },
    });
    server = new ProbeServer(config, { info: () => undefined, error: () => undefined });
    info = await server.start();
    peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(PEER_PORT, '127.0.0.1', resolve));
    session = SessionSchema.parse(await (await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', body: '{}' })).json());
    const turn = session.turn[0]!;
    const factory = (seed: number): TurnMessageFactory => new TurnMessageFactory({ crypto: nodeStunCrypto, username: turn.username, password: turn.credential, seed });

    // DNS first (the resolver asks before the browser connects), then the HTTPS request to that name.
    const label = 'nr-capture0000001';
    const resolver = new Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([`127.0.0.1:${info.dns!.port}`]);
    await resolver.resolve4(`${label}.${ZONE}`);
    expect(await getOnName(`${label}.${ZONE}`, Number(new URL(info.httpsUrl).port), `/v1/dns/ping?session=${session.sessionId}`, info.tls.devCaPem!)).toBe(200);

    // TURN over UDP: Allocate (401, then success), CreatePermission, a Send indication relayed to the peer.
    const udp = await connectUdp({ ip: '127.0.0.1', port: info.endpoints.turnUdpPort });
    const udpFactory = factory(1);
    const allocated = await exchange(udp, udpFactory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
    seen.relayPort = allocated.get(XOR_RELAYED_ADDRESS)!.port;
    seen.udpClient = udp.local();
    await exchange(udp, udpFactory, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: PEER_PORT })]);
    const arrived = new Promise<void>((resolve) => peer.once('message', () => resolve()));
    udp.send(udpFactory.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: PEER_PORT }), attr(DATA, new Uint8Array(1000).fill(0x42))]));
    await arrived;
    await udp.close();

    // TURN over TCP.
    const tcp = await connectStream({ ip: '127.0.0.1', port: info.endpoints.turnTcpPort });
    await exchange(tcp, factory(2), T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
    seen.tcpClient = tcp.local();
    await tcp.close();

    // Another client's anonymous Binding: tied to no session, so in no capture.
    const stranger = await connectUdp({ ip: '127.0.0.1', port: info.endpoints.turnUdpPort });
    stranger.send(encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(9), attributes: [] }));
    await stranger.next((r) => r.kind === 'stun', 2000);
    seen.strangerPort = stranger.local().port;
    await stranger.close();

    expect((await fetch(`${info.httpUrl}/v1/echo?session=${session.sessionId}&n=1`)).status).toBe(200);
  });

  afterAll(async () => {
    peer?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the capture in the session and serves it as an uncacheable pcapng attachment with CORS', async () => {
    expect(session.capturePath).toBe(`/v1/sessions/${session.sessionId}/capture.pcapng`);
    const response = await fetch(`${info.httpUrl}${session.capturePath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.tcpdump.pcap');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="netready-${session.sessionId}.pcapng"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('decodes as STUN/TURN, DNS, TLS with the SNI and HTTP in tshark, with the sockets’ real addresses and ports', async () => {
    const bytes = new Uint8Array(await (await fetch(`${info.httpUrl}${session.capturePath}`)).arrayBuffer());
    const decodeAs = [
      ['udp.port', info.endpoints.turnUdpPort, 'stun'],
      ['tcp.port', info.endpoints.turnTcpPort, 'stun'],
      ['udp.port', info.dns!.port, 'dns'],
      ['tcp.port', Number(new URL(info.httpsUrl).port), 'tls'],
      ['tcp.port', Number(new URL(info.httpUrl).port), 'http'],
    ].flatMap(([field, port, protocol]) => ['-d', `${field}==${port},${protocol}`]);
    const frames = await tsharkFields(
      bytes,
      ['ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'tcp.srcport', 'stun.type', 'stun.att.port', 'stun.att.ipv4', 'dns.qry.name', 'dns.flags.response', 'tls.handshake.extensions_server_name', 'http.request.uri', 'frame.comment'],
      [...decodeAs, '-o', 'udp.check_checksum:TRUE'],
    );
    const types = frames.map((f) => f['stun.type']).filter(Boolean);
    // Allocate request, its 401 and success; CreatePermission request and success; Send indication (RFC 8656 §17).
    for (const type of ['0x0003', '0x0113', '0x0103', '0x0008', '0x0108', '0x0016']) expect(types).toContain(type);
    const allocate = frames.find((f) => f['stun.type'] === '0x0003' && f['udp.srcport'] !== '')!;
    expect(allocate).toMatchObject({ 'ip.src': seen.udpClient!.ip, 'udp.srcport': String(seen.udpClient!.port), 'udp.dstport': String(info.endpoints.turnUdpPort), 'frame.comment': 'turn-udp: Allocate request' });
    const success = frames.find((f) => f['stun.type'] === '0x0103' && f['udp.dstport'] === String(seen.udpClient!.port))!;
    expect((success['stun.att.port'] ?? '').split('|')).toEqual(expect.arrayContaining([String(seen.relayPort), String(seen.udpClient!.port)]));
    expect(frames.some((f) => f['stun.type'] === '0x0003' && f['tcp.srcport'] === String(seen.tcpClient!.port))).toBe(true);
    expect(frames.some((f) => f['udp.srcport'] === String(seen.relayPort) && f['udp.dstport'] === String(PEER_PORT) && (f['frame.comment'] ?? '').startsWith('turn-relay: relayed to the peer'))).toBe(true);
    expect(frames.filter((f) => f['dns.qry.name'] === `nr-capture0000001.${ZONE}`).map((f) => f['dns.flags.response'])).toEqual(expect.arrayContaining(['0', '1']));
    expect(frames.map((f) => f['tls.handshake.extensions_server_name'])).toContain(`nr-capture0000001.${ZONE}`);
    expect(frames.map((f) => f['http.request.uri'])).toContain(`/v1/echo?session=${session.sessionId}&n=1`);
    expect(frames.some((f) => f['udp.srcport'] === String(seen.strangerPort) || f['udp.dstport'] === String(seen.strangerPort))).toBe(false);
    // The downloads of the capture itself (the test before this one) are not part of it.
    expect(frames.some((f) => (f['frame.comment'] ?? '').includes('capture.pcapng'))).toBe(false);
  });

  it('answers 404 with the error envelope for a session it never captured', async () => {
    const response = await fetch(`${info.httpUrl}/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/capture.pcapng`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.stringContaining('no capture') } });
    expect((await fetch(`${info.httpUrl}${session.capturePath}`, { method: 'POST' })).status).toBe(405);
  });

  it('writes the live captures to <dataDir>/captures when the probe stops, the same bytes it served', async () => {
    const served = new Uint8Array(await (await fetch(`${info.httpUrl}${session.capturePath}`)).arrayBuffer());
    await server.stop();
    const file = path.join(dataDir, 'captures', `${session.sessionId}.pcapng`);
    expect(existsSync(file)).toBe(true);
    expect(new Uint8Array((await import('node:fs')).readFileSync(file))).toEqual(served);
  });
});
