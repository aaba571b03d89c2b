import dgram from 'node:dgram';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attr, XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { encodeMessage } from '../../lib/protocol/stun/message';
import { CHANNEL_NUMBER, DATA, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import { decodeChannelData, encodeChannelData } from '../../lib/protocol/turn/channel-data';
import * as T from '../../lib/protocol/turn/constants';
import type { TurnEvent } from '../../lib/protocol/turn/server';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import { mintTurnCredentials } from './credentials';
import { nodeStunCrypto } from './node-crypto';
import { connectStream, connectUdp, exchange, type SocketClient } from './testing/socket-client';
import { createTestCertificate } from './testing/test-certificate';
import { TurnServer } from './turn-server';
import { sizeOfMtuTurnTag } from '../../lib/protocol/mtu/ladder';
import { getPmtuMode } from '../mtu/socket-options';

const SECRET = 'adapter-test-secret-0123456789';
const ALLOCATE_UDP = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)];

let cert: string;
let key: string;

beforeAll(() => {
  ({ cert, key } = createTestCertificate());
});

const servers: TurnServer[] = [];
const clients: SocketClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(events: TurnEvent[] = []) {
  const server = new TurnServer({
    realm: 'netready',
    secret: SECRET,
    software: 'netready-test',
    udp: [{ ip: '127.0.0.1', port: 0 }, { ip: '127.0.0.1', port: 0, stunOnly: true }],
    tcp: [{ ip: '127.0.0.1', port: 0 }],
    tls: { cert, key },
    relayIp: '127.0.0.1',
    relayPortMin: 40000,
    relayPortMax: 45000,
    onEvent: (e) => events.push(e),
  });
  servers.push(server);
  await server.listen();
  const addresses = server.addresses();
  return { server, udp: addresses.udp[0]!, stunOnly: addresses.udp[1]!, tcp: addresses.tcp[0]! };
}

function factoryFor(sessionId: string, seed: number) {
  const creds = mintTurnCredentials({ secret: SECRET, sessionId, ttlS: 600, nowMs: Date.now() });
  return new TurnMessageFactory({ crypto: nodeStunCrypto, username: creds.username, password: creds.credential, seed });
}

async function track<C extends SocketClient>(client: Promise<C>): Promise<C> {
  const c = await client;
  clients.push(c);
  return c;
}

describe('TurnServer adapter on loopback', () => {
  it('reports the real ports when asked for port 0, and does no network work before listen()', async () => {
    const idle = new TurnServer({ realm: 'r', secret: 's', udp: [{ ip: '127.0.0.1', port: 0 }], tcp: [], relayIp: '127.0.0.1', relayPortMin: 40000, relayPortMax: 40010 });
    expect(idle.addresses()).toEqual({ udp: [], tcp: [] });
    const { udp, stunOnly, tcp } = await startServer();
    for (const port of [udp.port, stunOnly.port, tcp.port]) expect(port).toBeGreaterThan(0);
    expect(stunOnly.stunOnly).toBe(true);
  });

  it.each(['udp', 'tcp', 'tls'] as const)('answers a Binding request over %s with the client address', async (transport) => {
    const events: TurnEvent[] = [];
    const { udp, tcp } = await startServer(events);
    const client = await track(
      transport === 'udp' ? connectUdp(udp) : connectStream(tcp, transport === 'tls' ? { ca: cert } : undefined),
    );
    const factory = factoryFor('binding', 1);
    const response = await exchange(client, factory, METHOD_BINDING);
    expect(response.errorCode).toBeNull();
    expect(response.get(XOR_MAPPED_ADDRESS)).toEqual(client.local());
    expect(events).toContainEqual({ type: 'binding', transport, client: client.local(), server: transport === 'udp' ? { ip: udp.ip, port: udp.port } : tcp });
  });

  it('pads an MTU-tagged Allocate response to its exact size on a listener sending with Don\'t-Fragment (probe mode)', async () => {
    const events: TurnEvent[] = [];
    const server = new TurnServer({
      realm: 'netready',
      secret: SECRET,
      udp: [{ ip: '127.0.0.1', port: 0, pmtuMode: 'probe' }],
      tcp: [],
      relayIp: '127.0.0.1',
      relayPortMin: 40000,
      relayPortMax: 45000,
      allocateResponseSize: sizeOfMtuTurnTag,
      onEvent: (e) => events.push(e),
    });
    servers.push(server);
    await server.listen();
    const socket = (server as unknown as { udpSockets: Array<{ socket: dgram.Socket }> }).udpSockets[0]!.socket;
    expect(getPmtuMode(socket, 'ipv4')).toBe('probe');
    const client = await track(connectUdp(server.addresses().udp[0]!));
    const creds = mintTurnCredentials({ secret: SECRET, sessionId: 'mtu', ttlS: 600, nowMs: Date.now(), tag: 'mtu1400' });
    const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username: creds.username, password: creds.credential, seed: 3 });
    const response = await exchange(client, factory, T.METHOD_ALLOCATE, ALLOCATE_UDP);
    expect(response.errorCode).toBeNull();
    expect(response.message.raw.length + 28).toBe(1400);
    expect(events).toContainEqual(expect.objectContaining({ type: 'allocation-created', sessionId: 'mtu', paddedToBytes: 1400 }));
  });

  it('answers plain Binding requests on the hot path and still hands responses to the UDP tap', async () => {
    const tapped: number[] = [];
    const events: TurnEvent[] = [];
    let sawResponse: () => void = () => undefined;
    const responseTapped = new Promise<void>((resolve) => (sawResponse = resolve));
    const server = new TurnServer({
      realm: 'netready',
      secret: SECRET,
      udp: [{ ip: '127.0.0.1', port: 0 }],
      tcp: [],
      relayIp: '127.0.0.1',
      relayPortMin: 40000,
      relayPortMax: 45000,
      onEvent: (e) => events.push(e),
      udpTap: (data) => {
        tapped.push(((data[0] ?? 0) << 8) | (data[1] ?? 0));
        if (data[0] === 0x01 && data[1] === 0x01) sawResponse();
        return true;
      },
    });
    servers.push(server);
    await server.listen();
    const udp = server.addresses().udp[0]!;
    const client = await track(connectUdp(udp));
    // What browsers send to gather srflx candidates: no attributes, no FINGERPRINT.
    client.send(encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: new Uint8Array(12).fill(7), attributes: [] }));
    const answer = await client.next((r) => r.kind === 'stun');
    expect(answer.kind === 'stun' && answer.response.get(XOR_MAPPED_ADDRESS)).toEqual(client.local());
    expect(events).toContainEqual({ type: 'binding', transport: 'udp', client: client.local(), server: { ip: udp.ip, port: udp.port } });
    // A Binding success response (0x0101) — what the NAT checks wait for — goes to the tap, not the core.
    client.send(Uint8Array.of(0x01, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...new Uint8Array(12)));
    await responseTapped;
    expect(tapped).toEqual([0x0101]);
  });

  it('refuses Allocate with 400 on a STUN-only port', async () => {
    const { stunOnly } = await startServer();
    const client = await track(connectUdp(stunOnly));
    expect((await exchange(client, factoryFor('x', 1), T.METHOD_ALLOCATE, ALLOCATE_UDP)).errorCode).toBe(400);
  });

  it('relays allocate → permission → Send → Data between two UDP allocations on the same server', async () => {
    const events: TurnEvent[] = [];
    const { udp } = await startServer(events);
    const alice = await track(connectUdp(udp));
    const bob = await track(connectUdp(udp));
    const fa = factoryFor('round-trip', 1);
    const fb = factoryFor('round-trip', 2);
    const relayA = (await exchange(alice, fa, T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
    const relayB = (await exchange(bob, fb, T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
    expect(relayA.ip).toBe('127.0.0.1');
    expect((await exchange(alice, fa, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayB)])).errorCode).toBeNull();
    expect((await exchange(bob, fb, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayA)])).errorCode).toBeNull();
    alice.send(fa.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, relayB), attr(DATA, Uint8Array.of(0xca, 0xfe))]));
    const data = await bob.next((r) => r.kind === 'stun' && r.response.message.method === T.METHOD_DATA);
    if (data.kind !== 'stun') throw new Error('expected a Data indication');
    expect(data.response.get(XOR_PEER_ADDRESS)).toEqual(relayA);
    expect(data.response.get(DATA)).toEqual(Uint8Array.of(0xca, 0xfe));
    const created = events.filter((e) => e.type === 'allocation-created');
    expect(created).toHaveLength(2);
    expect(created.every((e) => e.type === 'allocation-created' && e.sessionId === 'round-trip' && e.transport === 'udp')).toBe(true);
  });

  it('relays ChannelData between a TCP allocation and a UDP allocation, padded on the TCP side', async () => {
    const { udp, tcp } = await startServer();
    const overTcp = await track(connectStream(tcp));
    const overUdp = await track(connectUdp(udp));
    const ft = factoryFor('channels', 1);
    const fu = factoryFor('channels', 2);
    const relayT = (await exchange(overTcp, ft, T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
    const relayU = (await exchange(overUdp, fu, T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
    expect((await exchange(overTcp, ft, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4001), attr(XOR_PEER_ADDRESS, relayU)])).errorCode).toBeNull();
    expect((await exchange(overUdp, fu, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x6002), attr(XOR_PEER_ADDRESS, relayT)])).errorCode).toBeNull();
    overTcp.send(encodeChannelData(0x4001, Uint8Array.of(1, 2, 3, 4, 5), { pad: true }));
    const atUdp = await overUdp.next((r) => r.kind === 'channel-data');
    expect(decodeChannelData(atUdp.bytes)).toEqual({ channel: 0x6002, data: Uint8Array.of(1, 2, 3, 4, 5) });
    overUdp.send(encodeChannelData(0x6002, Uint8Array.of(9, 8, 7), { pad: false }));
    const atTcp = await overTcp.next((r) => r.kind === 'channel-data');
    expect(atTcp.bytes.length).toBe(8);
    expect(decodeChannelData(atTcp.bytes)).toEqual({ channel: 0x4001, data: Uint8Array.of(9, 8, 7) });
  });

  it('allocates over TLS and ends the allocation when the connection closes', async () => {
    const events: TurnEvent[] = [];
    const { tcp, server } = await startServer(events);
    const client = await connectStream(tcp, { ca: cert });
    const response = await exchange(client, factoryFor('tls-session', 1), T.METHOD_ALLOCATE, ALLOCATE_UDP);
    expect(response.errorCode).toBeNull();
    expect(server.allocations()).toHaveLength(1);
    await client.close();
    await expect.poll(() => server.allocations().length).toBe(0);
    expect(events).toContainEqual(expect.objectContaining({ type: 'allocation-ended', reason: 'connection-closed', sessionId: 'tls-session' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'allocation-created', transport: 'tls' }));
  });

  it('closes a TCP connection that sends garbage', async () => {
    const { tcp } = await startServer();
    const client = await connectStream(tcp);
    client.send(Uint8Array.of(0x80, 0x01, 0x02, 0x03, 0x04));
    await client.closed;
  });

  it('relays a burst from a UDP peer to a UDP client as exact, unpadded ChannelData and drops an unpermitted peer’s data', async () => {
    const bindPeer = async (ip: string): Promise<dgram.Socket> => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, ip, () => resolve());
      });
      return socket;
    };
    const peer = await bindPeer('127.0.0.1');
    const stranger = await bindPeer('127.0.0.2');
    try {
      const peerPort = peer.address().port;
      const server = new TurnServer({
        realm: 'netready',
        secret: SECRET,
        udp: [{ ip: '127.0.0.1', port: 0 }],
        tcp: [],
        relayIp: '127.0.0.1',
        relayPortMin: 40000,
        relayPortMax: 45000,
        allowedPeers: [{ ip: '127.0.0.1', portMin: peerPort, portMax: peerPort }, { ip: '127.0.0.2', portMin: 1, portMax: 65535 }],
      });
      servers.push(server);
      await server.listen();
      const client = await track(connectUdp(server.addresses().udp[0]!));
      const factory = factoryFor('peer-burst', 1);
      const relay = (await exchange(client, factory, T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
      expect((await exchange(client, factory, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4123), attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: peerPort })])).errorCode).toBeNull();
      // 127.0.0.2 is an allowed peer IP but has no permission: RFC 8656 §9 says discard, silently.
      stranger.send(Uint8Array.of(0xde, 0xad), relay.port, relay.ip);
      const payloads = Array.from({ length: 50 }, (_, i) => new Uint8Array((i * 29) % 1401).fill(i));
      for (const payload of payloads) peer.send(payload, relay.port, relay.ip);
      for (const payload of payloads) {
        const frame = await client.next((r) => r.kind === 'channel-data');
        expect(frame.bytes).toEqual(encodeChannelData(0x4123, payload, { pad: false }));
      }
      const relayed = server.traffic().relayed.udp;
      expect(relayed.packetsFromPeer).toBe(payloads.length);
      expect(relayed.bytesFromPeer).toBe(payloads.reduce((sum, p) => sum + p.length, 0));
      expect(relayed.packetsDropped).toBe(1);
    } finally {
      await new Promise<void>((resolve) => peer.close(() => resolve()));
      await new Promise<void>((resolve) => stranger.close(() => resolve()));
    }
  });

  it('close() releases listeners and relay sockets so the ports can be bound again', async () => {
    const { server, udp } = await startServer();
    const client = await connectUdp(udp);
    const relay = (await exchange(client, factoryFor('close', 1), T.METHOD_ALLOCATE, ALLOCATE_UDP)).get(XOR_RELAYED_ADDRESS)!;
    await client.close();
    await server.close();
    servers.length = 0;
    for (const port of [udp.port, relay.port]) {
      const probe = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
  });
});
