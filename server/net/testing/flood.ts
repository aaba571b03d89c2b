/**
 * Test-only connection flood on loopback: many TCP connections from one source address that stay silent or send
 * a few bytes and then nothing (slowloris, half a ClientHello, one byte of a STUN header). It records, per
 * connection, how long the server let it live, so a test can assert the deadlines. Bounded: a fixed count,
 * opened in batches small enough for the listen backlog, and {@link Flood.destroy} ends whatever is left.
 */
import net from 'node:net';

/** Options of {@link openFlood}. */
export interface FloodOptions {
  /** Connections to open. */
  count: number;
  /** Source address (any of 127/8 on Linux). */
  from: string;
  /** Bytes each connection sends once connected, then never more. Default: nothing (silent). */
  bytes?: Uint8Array;
  /** Connections opened before waiting for them to connect; below the listen backlog (511). Default 200. */
  batch?: number;
}

/** A flood whose connections have all connected (or failed to). */
export interface Flood {
  /** Connections that connected. */
  connected: number;
  /** Connections still open. */
  open(): number;
  /** Milliseconds from connect to close of every connection closed so far. */
  lifetimesMs(): number[];
  /** Resolves once every connection is closed; rejects after `timeoutMs` saying how many are still open. */
  allClosed(timeoutMs: number): Promise<void>;
  /** Closes every connection still open (cleanup). */
  destroy(): void;
}

/** Opens the flood and resolves once every connection has connected or failed. */
export async function openFlood(target: { ip: string; port: number }, options: FloodOptions): Promise<Flood> {
  const sockets: net.Socket[] = [];
  const lifetimes: number[] = [];
  let connected = 0;
  let closed = 0;
  let wake: (() => void) | undefined;
  const batch = options.batch ?? 200;
  for (let start = 0; start < options.count; start += batch) {
    const size = Math.min(batch, options.count - start);
    await Promise.all(
      Array.from({ length: size }, () => new Promise<void>((settle) => {
        const socket = net.connect({ host: target.ip, port: target.port, localAddress: options.from });
        sockets.push(socket);
        let connectedAt: number | undefined;
        socket.on('connect', () => {
          connected++;
          connectedAt = performance.now();
          if (options.bytes) socket.write(options.bytes);
          settle();
        });
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          closed++;
          if (connectedAt !== undefined) lifetimes.push(performance.now() - connectedAt);
          settle();
          wake?.();
        });
      })),
    );
  }
  const total = sockets.length;
  return {
    connected,
    open: () => total - closed,
    lifetimesMs: () => [...lifetimes],
    allClosed: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (closed < total) return;
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(() => {
          wake = undefined;
          reject(new Error(`${total - closed} of ${total} flood connections still open after ${timeoutMs} ms`));
        }, timeoutMs);
        wake = check;
        check();
      }),
    destroy: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
