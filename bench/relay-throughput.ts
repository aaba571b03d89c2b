/**
 * TURN ChannelData relay throughput (issue 16): one UDP allocation with a channel bound to a UDP peer socket on
 * loopback; datagrams of a fixed size are blasted through it for a fixed time in one direction — ChannelData from
 * the client to the peer (`to-peer`), plain datagrams from the peer that the relay wraps as ChannelData to the
 * client (`from-peer`), or round trips through a peer that echoes (`echo`, closed loop) — and what reaches the
 * receiving socket is the figure (payload Gbit/s and datagrams/s). UDP
 * drops under overload — that is the point: delivered, not sent, is what counts.
 *
 * The receiver does not read (issue 16, profiled on the 2-core bench machine): one Node process sending and
 * reading on one core tops out near 1.3 Gbit/s of 1200-byte datagrams — below what the relays can do — while
 * sending alone reaches ≈ 2.3. So the receiving socket stops reading after the TURN setup and the kernel counts
 * for it: every datagram that reaches a full receive buffer is counted in the socket's `drops` (/proc/net/udp);
 * with the smallest buffer (a datagram or two), the drops over the window are the datagrams delivered, to within
 * the one or two the buffer held. The kernel's receive work is done on the sender's core (loopback delivers in the
 * sender's context), i.e. the relay's for its output — the same for netready and coturn.
 * {@link measureGeneratorCeiling} measures the generator alone against such a sink. Loopback only: it refuses any
 * other host. Linux only (/proc/net/udp).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { attr } from '../lib/protocol/stun/attributes';
import { CHANNEL_NUMBER, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../lib/protocol/turn/attributes';
import * as T from '../lib/protocol/turn/constants';
import { computeRestPassword } from '../lib/protocol/turn/rest-auth';
import { decodeResponse, TurnMessageFactory, type TestResponse } from '../lib/protocol/turn/testing/turn-client';
import type { OutgoingAttribute } from '../lib/protocol/stun/message';
import { nodeStunCrypto } from '../server/turn/node-crypto';

/** Options of {@link measureRelayThroughput}. */
export interface RelayThroughputOptions {
  /** TURN server (UDP) on loopback. */
  server: { ip: string; port: number };
  /** TURN REST shared secret of the server. */
  secret: string;
  /** The peer socket's port: the server must allow it as a media peer (127.0.0.1). */
  peerPort: number;
  /** How long to blast, milliseconds (1–60000). */
  durationMs: number;
  /** ChannelData payload bytes per datagram (1–65000). Default 1200, a typical media packet under a 1500 MTU. */
  packetBytes?: number;
  /** Which way the data flows through the relay. Default `to-peer`. */
  direction?: RelayDirection;
  /** Datagrams sent per event-loop turn before yielding (to timers and the setup's sockets). Default 256. */
  burst?: number;
}

/**
 * `to-peer`: the client sends ChannelData, the peer receives raw data; `from-peer`: the other way round; `echo`: the
 * client keeps a window of ChannelData in flight, the peer sends each datagram back, and the client reads the
 * ChannelData and sends the next — every counted datagram went through the relay both ways. Client and peer read
 * in the generator's process, so this one shares the generator's core between four socket operations per round
 * trip (the relay does four too): it is a figure of the pair, not of the relay alone.
 */
export type RelayDirection = 'to-peer' | 'from-peer' | 'echo';

/** What one measurement saw. */
export interface RelayThroughputResult {
  /** Payload delivered to the receiving socket, Gbit/s. */
  gbps: number;
  /** Datagrams delivered to the receiving socket per second. */
  packetsPerSecond: number;
  /** Payload bytes per datagram. */
  packetBytes: number;
  /** Datagrams sent. */
  sent: number;
  /** Datagrams delivered to the receiving socket (kernel-counted, see the file comment). */
  received: number;
  /** The direction measured. */
  direction: RelayDirection;
}

/** The channel the measurement binds (RFC 8656 §12: 0x4000 is the first valid number). */
const CHANNEL = 0x4000;

/** Sends a request on `socket` (connected to the server) and waits for its response; learns the nonce on 401/438. */
async function exchange(socket: dgram.Socket, factory: TurnMessageFactory, method: number, attributes: OutgoingAttribute[]): Promise<TestResponse> {
  for (let attempt = 0; ; attempt++) {
    const { transactionId, bytes } = factory.request(method, attributes);
    const response = await new Promise<TestResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(new Error(`no answer to TURN method 0x${method.toString(16)} within 3 s`));
      }, 3000);
      const onMessage = (message: Buffer): void => {
        let decoded: TestResponse;
        try {
          decoded = decodeResponse(new Uint8Array(message));
        } catch {
          return;
        }
        if (Buffer.compare(Buffer.from(decoded.message.transactionId), Buffer.from(transactionId)) !== 0) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(decoded);
      };
      socket.on('message', onMessage);
      socket.send(bytes);
    });
    if (attempt === 0 && (response.errorCode === 401 || response.errorCode === 438) && factory.learn(response)) continue;
    return response;
  }
}

function isLoopback(host: string): boolean {
  return net.isIPv4(host) && host.startsWith('127.');
}

async function bindUdp(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
  return socket;
}

async function connectUdp(socket: dgram.Socket, to: { ip: string; port: number }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(to.port, to.ip, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/**
 * Makes `socket` a counting sink: it stops reading (Node's dgram has no public pause, so the handle's own
 * recvStop, found by its state symbol) and gets the smallest receive buffer. Returns a reader of the datagrams the
 * kernel delivered to it and dropped since (its `drops` in /proc/net/udp). Throws when this Node or kernel
 * offers neither, so a figure is never made up.
 */
export function makeCountingSink(socket: dgram.Socket): () => number {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state ? (socket as unknown as Record<symbol, { handle?: { recvStop?: () => number } }>)[state]?.handle : undefined;
  if (typeof handle?.recvStop !== 'function' || handle.recvStop() !== 0) throw new Error('cannot stop reading a dgram socket on this Node version');
  socket.setRecvBufferSize(1);
  const { port } = socket.address();
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return () => {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[1] === local && fields[12] !== undefined) return Number(fields[12]);
    }
    throw new Error(`no /proc/net/udp entry for 127.0.0.1:${port}`);
  };
}

/**
 * Sends `frame` on the connected `socket` as fast as one event loop can for `durationMs`, while `delivered()`
 * counts what arrived; the count starts after a short warm-up (the sink's buffer is full by then) and stops with
 * the sending.
 */
async function blast(socket: dgram.Socket, frame: Buffer, durationMs: number, burst: number, delivered: () => number): Promise<{ sent: number; received: number; elapsedS: number }> {
  let sent = 0;
  let phase: 'warm-up' | 'counting' | 'done' = 'warm-up';
  let startCount = 0;
  let started = 0;
  let endCount = 0;
  let elapsedS = 0;
  await new Promise<void>((resolve) => {
    const warmUp = setTimeout(() => {
      startCount = delivered();
      started = performance.now();
      sent = 0;
      phase = 'counting';
      const stop = setTimeout(() => {
        endCount = delivered();
        elapsedS = (performance.now() - started) / 1000;
        phase = 'done';
        resolve();
      }, durationMs);
      stop.unref();
    }, 50);
    warmUp.unref();
    const loop = (): void => {
      if (phase === 'done') return;
      for (let i = 0; i < burst; i++) socket.send(frame);
      sent += burst;
      // setImmediate, not a loop: the timers above must run.
      setImmediate(loop);
    };
    loop();
  });
  return { sent, received: endCount - startCount, elapsedS };
}

/**
 * Datagrams the echo measurement keeps in flight. Closed loop, not a blast: blasting both ways at once measures how
 * the relay's queues collapse (a few percent of echoes come back), not how many round trips it carries.
 */
const ECHO_WINDOW = 32;

/**
 * Closed-loop echo: `window` datagrams in flight, each echo that comes back (read here, in the generator's process)
 * sends the next; when none came back for 5 ms, a fresh window replaces the lost ones. Counts echoes for `durationMs`.
 */
async function echoLoop(client: dgram.Socket, frame: Buffer, durationMs: number, window: number): Promise<{ sent: number; received: number; elapsedS: number }> {
  let sent = 0;
  let received = 0;
  let running = true;
  const onEcho = (): void => {
    received++;
    if (running) {
      client.send(frame);
      sent++;
    }
  };
  client.on('message', onEcho);
  const sendWindow = (): void => {
    for (let i = 0; i < window; i++) client.send(frame);
    sent += window;
  };
  const started = performance.now();
  let seen = -1;
  await new Promise<void>((resolve) => {
    const refill = setInterval(() => {
      if (received === seen) sendWindow();
      seen = received;
    }, 5);
    setTimeout(() => {
      running = false;
      clearInterval(refill);
      resolve();
    }, durationMs);
    sendWindow();
  });
  const elapsedS = (performance.now() - started) / 1000;
  client.off('message', onEcho);
  return { sent, received, elapsedS };
}

function figures(received: number, elapsedS: number, packetBytes: number): { gbps: number; packetsPerSecond: number } {
  return { gbps: Math.round(((received * packetBytes * 8) / elapsedS / 1e9) * 1000) / 1000, packetsPerSecond: Math.round(received / elapsedS) };
}

function checkOptions(durationMs: number, packetBytes: number): void {
  if (!(durationMs >= 1 && durationMs <= 60_000)) throw new RangeError('durationMs must be 1-60000');
  if (!Number.isInteger(packetBytes) || packetBytes < 1 || packetBytes > 65_000) throw new RangeError('packetBytes must be 1-65000');
}

/**
 * The generator's own ceiling: the same sender, datagrams of `packetBytes` plus the 4-byte ChannelData header,
 * straight to a counting sink on loopback, no relay between. A relay figure near this one measures the generator.
 */
export async function measureGeneratorCeiling(options: { durationMs: number; packetBytes?: number; burst?: number }): Promise<{ gbps: number; packetsPerSecond: number; packetBytes: number }> {
  const packetBytes = options.packetBytes ?? 1200;
  checkOptions(options.durationMs, packetBytes);
  const sink = await bindUdp(0);
  const sender = await bindUdp(0);
  try {
    const delivered = makeCountingSink(sink);
    await connectUdp(sender, { ip: '127.0.0.1', port: sink.address().port });
    const r = await blast(sender, Buffer.alloc(4 + packetBytes, 0x5a), options.durationMs, options.burst ?? 256, delivered);
    return { ...figures(r.received, r.elapsedS, packetBytes), packetBytes };
  } finally {
    await new Promise<void>((resolve) => sender.close(() => resolve()));
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

/** Runs one measurement; rejects on bad options or when the server refuses the allocation or channel. */
export async function measureRelayThroughput(options: RelayThroughputOptions): Promise<RelayThroughputResult> {
  if (!isLoopback(options.server.ip)) throw new RangeError(`relay-throughput only targets IPv4 loopback, not ${options.server.ip}`);
  const packetBytes = options.packetBytes ?? 1200;
  checkOptions(options.durationMs, packetBytes);
  const direction = options.direction ?? 'to-peer';
  const burst = options.burst ?? 256;

  const peer = await bindUdp(options.peerPort);
  // Connected sockets: send() then skips dgram's per-datagram address lookup, so the generator costs less CPU.
  const client = await bindUdp(0);
  try {
    await connectUdp(client, options.server);
    const username = `${Math.floor(Date.now() / 1000) + 3600}:bench-relay`;
    const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username, password: computeRestPassword(nodeStunCrypto, options.secret, username) });
    const allocated = await exchange(client, factory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
    if (allocated.errorCode !== null) throw new Error(`Allocate refused with ${allocated.errorCode}`);
    const relay = allocated.get(XOR_RELAYED_ADDRESS);
    if (!relay) throw new Error('Allocate success without XOR-RELAYED-ADDRESS');
    const bound = await exchange(client, factory, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, CHANNEL), attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: options.peerPort })]);
    if (bound.errorCode !== null) throw new Error(`ChannelBind refused with ${bound.errorCode} (is 127.0.0.1:${options.peerPort} an allowed peer?)`);

    let r: { sent: number; received: number; elapsedS: number };
    if (direction === 'to-peer') {
      // One ChannelData frame reused for every datagram (RFC 8656 §12.4: channel, length, data; no padding over UDP).
      const frame = Buffer.alloc(4 + packetBytes, 0x5a);
      frame.writeUInt16BE(CHANNEL, 0);
      frame.writeUInt16BE(packetBytes, 2);
      r = await blast(client, frame, options.durationMs, burst, makeCountingSink(peer));
    } else if (direction === 'echo') {
      const frame = Buffer.alloc(4 + packetBytes, 0x5a);
      frame.writeUInt16BE(CHANNEL, 0);
      frame.writeUInt16BE(packetBytes, 2);
      await connectUdp(peer, relay);
      peer.on('message', (message: Buffer) => peer.send(message));
      r = await echoLoop(client, frame, options.durationMs, ECHO_WINDOW);
    } else {
      // The peer sends plain data to the relayed address; the ChannelBind above installed its permission.
      await connectUdp(peer, relay);
      r = await blast(peer, Buffer.alloc(packetBytes, 0x5a), options.durationMs, burst, makeCountingSink(client));
    }
    return { ...figures(r.received, r.elapsedS, packetBytes), packetBytes, sent: r.sent, received: r.received, direction };
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }
}
