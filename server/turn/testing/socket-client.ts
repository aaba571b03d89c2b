/**
 * Test-only STUN/TURN socket clients (UDP, TCP, TLS) that speak through {@link TurnMessageFactory}: send bytes,
 * wait for a message matching a predicate with a deadline, and run authenticated request/response exchanges.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { looksLikeChannelData } from '../../../lib/protocol/turn/channel-data';
import { StreamFramer } from '../../../lib/protocol/turn/stream-framer';
import { decodeResponse, type TestResponse, type TurnMessageFactory } from '../../../lib/protocol/turn/testing/turn-client';
import type { OutgoingAttribute } from '../../../lib/protocol/stun/message';

/** One received frame: a STUN message or ChannelData. */
export type Received = { kind: 'stun'; response: TestResponse; bytes: Uint8Array } | { kind: 'channel-data'; bytes: Uint8Array };

/** A connected test client. */
export interface SocketClient {
  /** Sends raw bytes (one datagram, or written to the stream). */
  send(bytes: Uint8Array): void;
  /** Resolves with the first received frame matching `match` (earlier non-matching frames stay queued). */
  next(match: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  /** Local address (the server sees it as the client address). */
  local(): { ip: string; port: number };
  /** Closes the socket. */
  close(): Promise<void>;
}

class Inbox {
  private readonly queue: Received[] = [];
  private waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];

  push(bytes: Uint8Array): void {
    let received: Received;
    if (looksLikeChannelData(bytes)) {
      received = { kind: 'channel-data', bytes };
    } else {
      try {
        received = { kind: 'stun', response: decodeResponse(bytes), bytes };
      } catch {
        return;
      }
    }
    const waiter = this.waiters.find((w) => w.match(received));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(received);
    } else {
      this.queue.push(received);
    }
  }

  next(match: (r: Received) => boolean, timeoutMs: number): Promise<Received> {
    const index = this.queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (r: Received) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** A UDP client bound to 127.0.0.1:0 talking to `server`. */
export async function connectUdp(server: { ip: string; port: number }): Promise<SocketClient> {
  const socket = dgram.createSocket('udp4');
  const inbox = new Inbox();
  socket.on('message', (message) => inbox.push(new Uint8Array(message)));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    send: (bytes) => socket.send(bytes, server.port, server.ip),
    next: (match, timeoutMs = 3000) => inbox.next(match, timeoutMs),
    local: () => ({ ip: '127.0.0.1', port: socket.address().port }),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/**
 * A TCP (or, with `tlsOptions`, TLS) client connected to `server`, from `localAddress` when given (Linux routes all
 * of 127/8 to loopback, so a test can be a second client address). Resolves once connected / handshaken.
 */
export async function connectStream(server: { ip: string; port: number }, tlsOptions?: tls.ConnectionOptions, localAddress?: string): Promise<SocketClient & { closed: Promise<void> }> {
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const from = localAddress ? { localAddress } : {};
    const s = tlsOptions
      ? tls.connect({ host: server.ip, port: server.port, ...from, ...tlsOptions }, () => resolve(s))
      : net.connect({ host: server.ip, port: server.port, ...from }, () => resolve(s));
    s.once('error', reject);
  });
  const inbox = new Inbox();
  const framer = new StreamFramer();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of framer.push(new Uint8Array(chunk))) inbox.push(frame.bytes);
  });
  socket.on('error', () => socket.destroy());
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    send: (bytes) => socket.write(bytes),
    next: (match, timeoutMs = 3000) => inbox.next(match, timeoutMs),
    local: () => ({ ip: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 }),
    close: async () => {
      socket.destroy();
      await closed;
    },
    closed,
  };
}

/** Sends a request and waits for the response with its transaction ID; learns the nonce and retries on 401/438. */
export async function exchange(client: SocketClient, factory: TurnMessageFactory, method: number, attributes: OutgoingAttribute[] = []): Promise<TestResponse> {
  for (let attempt = 0; ; attempt++) {
    const { transactionId, bytes } = factory.request(method, attributes);
    client.send(bytes);
    const key = transactionId.join(',');
    const received = await client.next((r) => r.kind === 'stun' && r.response.message.transactionId.join(',') === key);
    if (received.kind !== 'stun') throw new Error('unreachable');
    const code = received.response.errorCode;
    if (attempt === 0 && (code === 401 || code === 438) && factory.learn(received.response)) continue;
    return received.response;
  }
}
