import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { attr, readAttribute, USERNAME, XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { shortTermKey, verifyMessageIntegrity } from '../../lib/protocol/stun/integrity';
import { decodeMessage, encodeMessage } from '../../lib/protocol/stun/message';
import { testCrypto } from '../../lib/protocol/stun/testing/node-crypto';
import { frameRfc4571, Rfc4571Framer } from '../../lib/protocol/ice-tcp/framing';
import { buildCheck } from '../../lib/protocol/ice-tcp/testing/checks';
import { ConnectionGuard } from '../net/connection-guard';
import { IceTcpServer, type IceTcpEvent } from './ice-tcp-server';

const PASSWORD = 'server-password-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stand-in for werift's UDP socket: answers every Binding request it gets with a signed success response. */
async function fakeMediaPeer(): Promise<{ port: number; seenFrom: Array<{ address: string; port: number }>; datagrams: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const seenFrom: Array<{ address: string; port: number }> = [];
  const datagrams: Buffer[] = [];
  socket.on('message', (datagram, from) => {
    seenFrom.push({ address: from.address, port: from.port });
    datagrams.push(datagram);
    if (datagram[0]! > 3) return;
    const request = decodeMessage(new Uint8Array(datagram));
    const response = encodeMessage(
      { cls: 'success', method: METHOD_BINDING, transactionId: request.transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, { ip: from.address, port: from.port })] },
      { integrity: { key: shortTermKey(PASSWORD), crypto: testCrypto }, fingerprint: true },
    );
    socket.send(response, from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanups.push(() => {
    socket.close();
  });
  return { port: socket.address().port, seenFrom, datagrams };
}

async function startServer(options: { guard?: ConnectionGuard; idleTimeoutMs?: number; maxConnectionsPerAnswer?: number } = {}): Promise<{ server: IceTcpServer; port: number; events: IceTcpEvent[] }> {
  const events: IceTcpEvent[] = [];
  const server = new IceTcpServer({ ip: '127.0.0.1', port: 0, onEvent: (event) => events.push(event), ...options });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return { server, port, events };
}

/** A TCP client that reads RFC 4571 frames. */
async function connect(port: number): Promise<{ socket: net.Socket; frames: Uint8Array[]; nextFrame(): Promise<Uint8Array>; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  cleanups.push(() => void socket.destroy());
  const framer = new Rfc4571Framer();
  const frames: Uint8Array[] = [];
  const waiters: Array<(frame: Uint8Array) => void> = [];
  socket.on('data', (chunk) => {
    for (const frame of framer.push(new Uint8Array(chunk))) {
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, frames, closed, nextFrame: () => (frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise((resolve) => waiters.push(resolve))) };
}

function register(server: IceTcpServer, mediaPort: number, ttlMs = 60_000): void {
  server.register({ peerId: 'peer-1', sessionId: 'S1', ufrag: 'srvUfrag', password: PASSWORD, mediaAddress: { ip: '127.0.0.1', port: mediaPort }, ttlMs });
}

describe('IceTcpServer on loopback', () => {
  it('carries a framed check to the media peer and its response back, with the browser\'s TCP address as mapped address', async () => {
    const media = await fakeMediaPeer();
    const { server, port, events } = await startServer();
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    const response = decodeMessage(await client.nextFrame());
    expect(response.cls).toBe('success');
    expect(readAttribute(response, XOR_MAPPED_ADDRESS)).toEqual({ ip: '127.0.0.1', port: client.socket.localPort });
    expect(verifyMessageIntegrity(response, shortTermKey(PASSWORD), testCrypto)).toBe(true);
    // The media peer saw the check, unframed, from the shim's loopback socket (a peer-reflexive candidate to it).
    expect(readAttribute(decodeMessage(new Uint8Array(media.datagrams[0]!)), USERNAME)).toBe('srvUfrag:brwsr');
    expect(media.seenFrom[0]!.address).toBe('127.0.0.1');
    expect(events).toContainEqual(expect.objectContaining({ type: 'ice-tcp-accepted', peerId: 'peer-1', sessionId: 'S1', remoteAddress: '127.0.0.1', remotePort: client.socket.localPort }));
  });

  it('carries DTLS both ways once the check passed', async () => {
    const media = await fakeMediaPeer();
    const { server, port } = await startServer();
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await client.nextFrame();
    const record = Uint8Array.from([22, 0xfe, 0xfd, ...new Array(1500).fill(9)]);
    client.socket.write(frameRfc4571(record));
    await expect.poll(() => media.datagrams.length).toBe(2);
    expect([...media.datagrams[1]!]).toEqual([...record]);
  });

  it.each([
    { name: 'a check naming no live answer', bytes: () => frameRfc4571(buildCheck(testCrypto, { username: 'nobody:brwsr' })), reason: 'unknown-ufrag' },
    { name: 'a check signed with the wrong password', bytes: () => frameRfc4571(buildCheck(testCrypto, { password: 'wrong-password-wrong-password' })), reason: 'bad-integrity' },
    { name: 'an HTTP request', bytes: () => new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), reason: 'first-frame-too-large' },
    { name: 'framed garbage', bytes: () => frameRfc4571(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])), reason: 'not-stun' },
  ])('closes a connection that starts with $name, and forwards nothing', async ({ bytes, reason }) => {
    const media = await fakeMediaPeer();
    const { server, port, events } = await startServer();
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(bytes());
    await client.closed;
    expect(client.frames).toEqual([]);
    expect(media.datagrams).toEqual([]);
    expect(events).toEqual([{ type: 'ice-tcp-refused', remoteAddress: '127.0.0.1', reason }]);
  });

  it('closes a silent connection at the first-message deadline', async () => {
    const guard = new ConnectionGuard({ handshakeTimeoutMs: 300 });
    const { port } = await startServer({ guard });
    const client = await connect(port);
    const started = performance.now();
    await client.closed;
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(guard.stats().total).toBe(0);
  });

  it('closes an accepted connection that goes quiet for the idle deadline', async () => {
    const media = await fakeMediaPeer();
    const { server, port, events } = await startServer({ idleTimeoutMs: 300 });
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await client.nextFrame();
    await client.closed;
    expect(events.at(-1)).toMatchObject({ type: 'ice-tcp-closed', reason: 'idle-timeout' });
  });

  it('closes an answer\'s connections when the answer is withdrawn, and refuses new ones for it', async () => {
    const media = await fakeMediaPeer();
    const { server, port, events } = await startServer();
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await client.nextFrame();
    server.unregister('peer-1');
    await client.closed;
    expect(events.at(-1)).toMatchObject({ type: 'ice-tcp-closed', reason: 'answer-ended', peerId: 'peer-1' });
    const late = await connect(port);
    late.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await late.closed;
    expect(events.at(-1)).toEqual({ type: 'ice-tcp-refused', remoteAddress: '127.0.0.1', reason: 'unknown-ufrag' });
  });

  it('ends a registration by itself after its TTL', async () => {
    const media = await fakeMediaPeer();
    const { server } = await startServer();
    register(server, media.port, 50);
    expect(server.liveAnswers).toBe(1);
    await expect.poll(() => server.liveAnswers, { timeout: 2000 }).toBe(0);
  });

  it('refuses connections past the per-answer cap', async () => {
    const media = await fakeMediaPeer();
    const { server, port, events } = await startServer({ maxConnectionsPerAnswer: 1 });
    register(server, media.port);
    const first = await connect(port);
    first.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await first.nextFrame();
    const second = await connect(port);
    second.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await second.closed;
    expect(events.at(-1)).toEqual({ type: 'ice-tcp-refused', remoteAddress: '127.0.0.1', reason: 'answer-connection-limit' });
    expect(server.openConnections).toBe(1);
  });

  it('refuses connections past the guard\'s per-address cap', async () => {
    const guard = new ConnectionGuard({ maxPerAddress: 2, maxHandshakesPerAddress: 2 });
    const { server, port } = await startServer({ guard });
    const clients = await Promise.all([connect(port), connect(port), connect(port)]);
    await Promise.race(clients.map((c) => c.closed));
    await expect.poll(() => server.openConnections).toBe(2);
  });

  it('closes every connection and the port on close()', async () => {
    const media = await fakeMediaPeer();
    const { server, port } = await startServer();
    register(server, media.port);
    const client = await connect(port);
    client.socket.write(frameRfc4571(buildCheck(testCrypto, {})));
    await client.nextFrame();
    await server.close();
    await client.closed;
    expect(server.listening).toBe(false);
    const refused = net.connect(port, '127.0.0.1');
    await expect(once(refused, 'connect')).rejects.toThrow(/ECONNREFUSED/);
  });
});
