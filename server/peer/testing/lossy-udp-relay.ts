/**
 * A lossy UDP hop for loopback tests of the media peer: listens on `listenIp:port` and forwards each client's
 * datagrams to `targetIp:port` from a socket of its own, and the answers back, dropping every n-th datagram of a
 * direction (deterministic, like the lab's `iptables -m statistic --mode nth`) and delaying each by a fixed time.
 * Counts what it forwarded and dropped per direction — the test's ground truth, independent of netready.
 *
 * The media peer advertises `publicIp` and binds `bindIp`: with publicIp 127.0.0.2 and bindIp 127.0.0.1 on the same
 * port, the browser's packets go to this hop and the peer's answers come back through it.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** One direction's behaviour. */
export interface RelayDirection {
  /** Drop every n-th datagram (0: none). */
  dropEvery?: number;
  /** One-way delay added, ms. */
  delayMs?: number;
}

/** Datagrams of one direction. */
export interface RelayCounts {
  seen: number;
  dropped: number;
}

/** A running relay. */
export interface LossyUdpRelay {
  /** towards the target (`up`: the browser's datagrams) and back (`down`). */
  counts: { up: RelayCounts; down: RelayCounts };
  /** Starts dropping (before: forwards everything, e.g. while ICE and DTLS connect). */
  arm(): void;
  close(): Promise<void>;
}

/** Starts a relay; resolves once it listens. */
export async function startLossyUdpRelay(options: { listenIp: string; targetIp: string; port: number; up?: RelayDirection; down?: RelayDirection }): Promise<LossyUdpRelay> {
  const counts = { up: { seen: 0, dropped: 0 }, down: { seen: 0, dropped: 0 } };
  let armed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const front = createSocket('udp4');
  const backs = new Map<string, Socket>();
  const pass = (direction: RelayDirection | undefined, count: RelayCounts, send: () => void): void => {
    if (!armed) return send();
    count.seen++;
    if (direction?.dropEvery && count.seen % direction.dropEvery === 0) {
      count.dropped++;
      return;
    }
    if (!direction?.delayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, direction.delayMs);
    timers.add(timer);
  };
  front.on('message', (message: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let back = backs.get(key);
    if (!back) {
      const socket = createSocket('udp4');
      socket.on('message', (answer: Buffer) => pass(options.down, counts.down, () => front.send(answer, from.port, from.address)));
      socket.bind(0, options.targetIp);
      backs.set(key, socket);
      back = socket;
    }
    const target = back;
    pass(options.up, counts.up, () => target.send(message, options.port, options.targetIp));
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(options.port, options.listenIp, () => resolve());
  });
  return {
    counts,
    arm() {
      armed = true;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([front, ...backs.values()].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}
