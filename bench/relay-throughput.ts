/**
 * TURN ChannelData relay throughput (issue 16): one UDP allocation with a channel bound to a UDP peer socket on
 * loopback; ChannelData of a fixed size is blasted through it for a fixed time, and what the peer receives is the
 * figure (payload Gbit/s and datagrams/s). UDP may drop under overload — that is the point: delivered, not sent,
 * is what counts. Loopback only: it refuses any other host.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { attr } from '../lib/protocol/stun/attributes';
import { CHANNEL_NUMBER, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS } from '../lib/protocol/turn/attributes';
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
  /** Datagrams sent per event-loop turn before yielding to receive. Default 32. */
  burst?: number;
}

/** What one measurement saw. */
export interface RelayThroughputResult {
  /** Payload delivered to the peer, Gbit/s. */
  gbps: number;
  /** Datagrams delivered to the peer per second. */
  packetsPerSecond: number;
  /** Payload bytes per datagram. */
  packetBytes: number;
  /** ChannelData datagrams sent. */
  sent: number;
  /** Datagrams the peer received. */
  received: number;
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

/** Runs one measurement; rejects on bad options or when the server refuses the allocation or channel. */
export async function measureRelayThroughput(options: RelayThroughputOptions): Promise<RelayThroughputResult> {
  if (!isLoopback(options.server.ip)) throw new RangeError(`relay-throughput only targets IPv4 loopback, not ${options.server.ip}`);
  if (!(options.durationMs >= 1 && options.durationMs <= 60_000)) throw new RangeError('durationMs must be 1-60000');
  const packetBytes = options.packetBytes ?? 1200;
  if (!Number.isInteger(packetBytes) || packetBytes < 1 || packetBytes > 65_000) throw new RangeError('packetBytes must be 1-65000');
  const burst = options.burst ?? 32;

  const peer = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    peer.once('error', reject);
    peer.bind(options.peerPort, '127.0.0.1', () => {
      peer.off('error', reject);
      resolve();
    });
  });
  peer.setRecvBufferSize(8 * 1024 * 1024);
  let received = 0;
  let counting = false;
  peer.on('message', () => {
    if (counting) received++;
  });
  // A connected socket: send() then skips dgram's per-datagram address lookup, so the generator costs less CPU.
  const client = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    client.once('error', reject);
    client.connect(options.server.port, options.server.ip, () => {
      client.off('error', reject);
      resolve();
    });
  });
  client.on('error', () => undefined);
  try {
    const username = `${Math.floor(Date.now() / 1000) + 3600}:bench-relay`;
    const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username, password: computeRestPassword(nodeStunCrypto, options.secret, username) });
    const allocated = await exchange(client, factory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
    if (allocated.errorCode !== null) throw new Error(`Allocate refused with ${allocated.errorCode}`);
    const bound = await exchange(client, factory, T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, CHANNEL), attr(XOR_PEER_ADDRESS, { ip: '127.0.0.1', port: options.peerPort })]);
    if (bound.errorCode !== null) throw new Error(`ChannelBind refused with ${bound.errorCode} (is 127.0.0.1:${options.peerPort} an allowed peer?)`);

    // One ChannelData frame reused for every datagram (RFC 8656 §12.4: channel, length, data; no padding over UDP).
    const frame = Buffer.alloc(4 + packetBytes, 0x5a);
    frame.writeUInt16BE(CHANNEL, 0);
    frame.writeUInt16BE(packetBytes, 2);
    let sent = 0;
    let running = true;
    counting = true;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const stop = setTimeout(() => {
        running = false;
        resolve();
      }, options.durationMs);
      stop.unref();
      const blast = (): void => {
        if (!running) return;
        for (let i = 0; i < burst; i++) client.send(frame);
        sent += burst;
        // setImmediate, not a loop: the peer's receive callbacks run in between (same process, same core).
        setImmediate(blast);
      };
      blast();
    });
    counting = false;
    const elapsedS = (performance.now() - started) / 1000;
    return {
      gbps: Math.round(((received * packetBytes * 8) / elapsedS / 1e9) * 1000) / 1000,
      packetsPerSecond: Math.round(received / elapsedS),
      packetBytes,
      sent,
      received,
    };
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }
}
