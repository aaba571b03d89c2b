/**
 * The passive ICE-TCP endpoint of netready's media peer (RFC 6544): one TCP port, shared by every live answer
 * (the answer's ufrag tells the connections apart, as in pion/ice's TCPMux), in front of a media peer that speaks
 * ICE over UDP only (werift).
 *
 * Thin adapter around lib/protocol/ice-tcp/ (framing, the first-message gate, per-connection state). For each
 * accepted connection it opens a loopback UDP socket — the "shim" — that carries the unframed STUN/DTLS
 * datagrams to the media peer's UDP port and back. The media peer sees the shim as a peer-reflexive candidate
 * and answers the browser's own checks (which carry the browser's credentials and USE-CANDIDATE), so ICE, DTLS
 * and SCTP run end to end between the browser and werift over the TCP connection; nothing in werift changes.
 *
 * Bounded like the TURN listeners: every connection goes through the shared ConnectionGuard (per-address caps,
 * first-message deadline = `handshakeTimeoutMs`, idle deadline), at most `maxConnectionsPerAnswer` connections
 * per answer, a connection idle (no byte either way) for `idleTimeoutMs` is closed, and an answer's connections
 * close with its peer.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { IceTcpConnection, type IceTcpCloseReason } from '../../lib/protocol/ice-tcp/connection';
import type { StunCrypto } from '../../lib/protocol/stun/crypto';
import { canonicalIp, type Endpoint } from '../../lib/protocol/stun/ip';
import { ConnectionGuard, LISTEN_BACKLOG, startGuardSweeper, type GuardedConnection } from '../net/connection-guard';
import { nodeStunCrypto } from '../turn/node-crypto';

/** A live answer the endpoint accepts connections for. */
export interface IceTcpAnswer {
  peerId: string;
  sessionId: string;
  /** The answer's `a=ice-ufrag`. */
  ufrag: string;
  /** The answer's `a=ice-pwd`. */
  password: string;
  /** The media peer's UDP socket for this answer (where the shim sends). */
  mediaAddress: Endpoint;
  /** The registration ends by itself after this many milliseconds (the peer's TTL). */
  ttlMs: number;
}

/** Why an accepted connection ended. */
export type IceTcpConnectionEnd =
  /** The answer was withdrawn (its peer closed) or expired. */
  | 'answer-ended'
  /** The browser closed it (or it reset). */
  | 'client-closed'
  /** No byte in either direction for `idleTimeoutMs`. */
  | 'idle-timeout'
  /** A deadline or eviction of the connection guard. */
  | 'limit'
  /** The stream stopped being RFC 4571 framing. */
  | 'bad-framing'
  /** The endpoint was closed. */
  | 'server-closed';

/** Events for logs, metrics and the session's "what the server saw". */
export type IceTcpEvent =
  | {
      type: 'ice-tcp-accepted';
      peerId: string;
      sessionId: string;
      /** The browser's TCP address as this server saw it (a proxy's, when the browser went through one). */
      remoteAddress: string;
      remotePort: number;
      /** From accept to the first message passing the gate. */
      firstMessageMs: number;
    }
  | {
      type: 'ice-tcp-refused';
      remoteAddress: string;
      /** Why the gate (or the per-answer cap) said no. */
      reason: IceTcpCloseReason | 'answer-connection-limit';
    }
  | {
      type: 'ice-tcp-closed';
      peerId: string;
      sessionId: string;
      remoteAddress: string;
      remotePort: number;
      reason: IceTcpConnectionEnd;
      bytesFromClient: number;
      bytesToClient: number;
      lifetimeMs: number;
    };

/** Options of an {@link IceTcpServer}. */
export interface IceTcpServerOptions {
  /** IP to bind (IPv4 or IPv6 literal). */
  ip: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** The probe's shared connection policy. Default: a guard of its own with the default limits. */
  guard?: ConnectionGuard;
  /** Most connections one answer may have at once (Chromium opens one per local TCP candidate). Default 4. */
  maxConnectionsPerAnswer?: number;
  /** Close a connection that carried no byte either way this long. Default: the guard's `idleTimeoutMs`. */
  idleTimeoutMs?: number;
  /** Listener name in limit events. Default `ice-tcp`. */
  name?: string;
  crypto?: StunCrypto;
  onEvent?: (event: IceTcpEvent) => void;
}

interface AnswerEntry extends IceTcpAnswer {
  readonly connections: Set<ConnectionEntry>;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface ConnectionEntry {
  readonly socket: net.Socket;
  readonly remote: Endpoint;
  readonly acceptedAtMs: number;
  answer?: AnswerEntry;
  shim?: dgram.Socket;
  unpin?: () => void;
  bytesFromClient: number;
  bytesToClient: number;
  end?: IceTcpConnectionEnd;
}

const DEFAULT_MAX_CONNECTIONS_PER_ANSWER = 4;

/** One passive ICE-TCP port. `listen()` binds, `register()` admits an answer, `close()` ends everything. */
export class IceTcpServer {
  readonly #options: IceTcpServerOptions;
  readonly #guard: ConnectionGuard;
  readonly #crypto: StunCrypto;
  readonly #maxPerAnswer: number;
  readonly #idleTimeoutMs: number;
  readonly #name: string;
  readonly #answers = new Map<string, AnswerEntry>();
  readonly #byPeer = new Map<string, AnswerEntry>();
  readonly #connections = new Set<ConnectionEntry>();
  #server?: net.Server;
  #stopSweeper?: () => void;
  #state: 'new' | 'listening' | 'closed' = 'new';

  /** Validates the options; opens nothing. */
  constructor(options: IceTcpServerOptions) {
    if (net.isIP(options.ip) === 0) throw new TypeError(`ICE-TCP ip must be an IP literal, got ${options.ip}`);
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new RangeError(`bad ICE-TCP port ${options.port}`);
    this.#options = options;
    this.#guard = options.guard ?? new ConnectionGuard();
    this.#crypto = options.crypto ?? nodeStunCrypto;
    this.#maxPerAnswer = options.maxConnectionsPerAnswer ?? DEFAULT_MAX_CONNECTIONS_PER_ANSWER;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? this.#guard.limits.idleTimeoutMs;
    this.#name = options.name ?? 'ice-tcp';
  }

  /** Whether the port is bound (readiness). */
  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Binds the port. Rejects when it cannot be bound. */
  async listen(): Promise<Endpoint> {
    if (this.#state !== 'new') throw new Error(`IceTcpServer.listen() called in state ${this.#state}`);
    const server = net.createServer({ pauseOnConnect: false }, (socket) => this.#accept(socket));
    server.on('error', () => {
      // Accept errors (EMFILE …) affect one connection; the listener stays.
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#options.ip, port: this.#options.port, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#state = 'listening';
    this.#stopSweeper = startGuardSweeper(this.#guard);
    return this.address();
  }

  /** Where the port is bound. */
  address(): Endpoint {
    const bound = this.#server?.address();
    if (!bound || typeof bound !== 'object') throw new Error('the ICE-TCP endpoint is not listening');
    return { ip: canonicalIp(bound.address), port: bound.port };
  }

  /** Accepts connections for this answer until `unregister(peerId)` or its TTL. Replaces an earlier one of the peer. */
  register(answer: IceTcpAnswer): void {
    this.unregister(answer.peerId);
    const timer = setTimeout(() => this.unregister(answer.peerId), answer.ttlMs);
    timer.unref();
    const entry: AnswerEntry = { ...answer, connections: new Set(), timer };
    this.#answers.set(answer.ufrag, entry);
    this.#byPeer.set(answer.peerId, entry);
  }

  /** Stops accepting for the peer's answer and closes its connections. Unknown ids are ignored. */
  unregister(peerId: string): void {
    const entry = this.#byPeer.get(peerId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#byPeer.delete(peerId);
    if (this.#answers.get(entry.ufrag) === entry) this.#answers.delete(entry.ufrag);
    for (const connection of [...entry.connections]) this.#end(connection, 'answer-ended');
  }

  /** Number of answers accepting connections. */
  get liveAnswers(): number {
    return this.#answers.size;
  }

  /** Number of open TCP connections (any stage). */
  get openConnections(): number {
    return this.#connections.size;
  }

  /** Closes the port, every connection and every shim. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopSweeper?.();
    for (const peerId of [...this.#byPeer.keys()]) this.unregister(peerId);
    for (const connection of [...this.#connections]) this.#end(connection, 'server-closed');
    const server = this.#server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    if (this.#state !== 'listening' || !socket.remoteAddress || !socket.remotePort) {
      socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy());
    const remote = { ip: canonicalIp(socket.remoteAddress), port: socket.remotePort };
    const connection: ConnectionEntry = { socket, remote, acceptedAtMs: performance.now(), bytesFromClient: 0, bytesToClient: 0 };
    const guarded = this.#guard.admit({ address: remote.ip, listener: this.#name, close: () => this.#end(connection, 'limit') });
    if (!guarded) {
      socket.destroy();
      return;
    }
    this.#connections.add(connection);
    socket.setNoDelay(true);
    socket.setTimeout(this.#idleTimeoutMs, () => this.#end(connection, 'idle-timeout'));
    socket.once('close', () => {
      guarded.closed();
      this.#end(connection, 'client-closed');
    });
    const core = new IceTcpConnection({ remote, lookup: (ufrag) => this.#answers.get(ufrag), crypto: this.#crypto });
    socket.on('data', (chunk: Buffer) => {
      connection.bytesFromClient += chunk.length;
      this.#onData(connection, core, guarded, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  #onData(connection: ConnectionEntry, core: IceTcpConnection, guarded: GuardedConnection, chunk: Uint8Array): void {
    for (const action of core.receive(chunk)) {
      if (connection.end) return;
      switch (action.type) {
        case 'close':
          if (core.localUfrag === undefined) {
            this.#emit({ type: 'ice-tcp-refused', remoteAddress: connection.remote.ip, reason: action.reason });
            this.#end(connection, 'client-closed', false);
          } else this.#end(connection, 'bad-framing');
          return;
        case 'accept': {
          const answer = this.#answers.get(action.localUfrag);
          if (!answer) return;
          if (answer.connections.size >= this.#maxPerAnswer) {
            this.#emit({ type: 'ice-tcp-refused', remoteAddress: connection.remote.ip, reason: 'answer-connection-limit' });
            this.#end(connection, 'client-closed', false);
            return;
          }
          guarded.firstMessage();
          // Pinned while the answer lives: the browser's consent checks keep it busy, and the peer's end closes it.
          connection.unpin = guarded.pin();
          connection.answer = answer;
          answer.connections.add(connection);
          connection.shim = this.#openShim(connection, core);
          this.#emit({
            type: 'ice-tcp-accepted',
            peerId: answer.peerId,
            sessionId: answer.sessionId,
            remoteAddress: connection.remote.ip,
            remotePort: connection.remote.port,
            firstMessageMs: Math.round(performance.now() - connection.acceptedAtMs),
          });
          break;
        }
        case 'forward': {
          const { shim, answer } = connection;
          if (!shim || !answer) return;
          shim.send(action.datagram, answer.mediaAddress.port, answer.mediaAddress.ip, () => {
            // A send error (the peer's socket already gone) is the peer closing; its unregister follows.
          });
          break;
        }
      }
    }
  }

  /** The loopback datagram path of one connection: to the media peer's UDP port and back, framed for the browser. */
  #openShim(connection: ConnectionEntry, core: IceTcpConnection): dgram.Socket {
    const media = connection.answer!.mediaAddress;
    const shim = dgram.createSocket(net.isIPv6(media.ip) ? 'udp6' : 'udp4');
    shim.on('error', () => this.#end(connection, 'answer-ended'));
    shim.on('message', (datagram, from) => {
      // Only the media peer's own socket may speak to the browser through this connection.
      if (from.port !== media.port || canonicalIp(from.address) !== media.ip) return;
      const framed = core.frameForBrowser(new Uint8Array(datagram.buffer, datagram.byteOffset, datagram.byteLength));
      if (!framed || connection.end) return;
      connection.bytesToClient += framed.length;
      connection.socket.write(framed);
    });
    // Bound at once (port 0 on the media peer's own address family's loopback-reachable address); sends queue until then.
    shim.bind({ address: net.isIPv6(media.ip) ? '::1' : media.ip.startsWith('127.') ? '127.0.0.1' : media.ip, port: 0 });
    return shim;
  }

  /** Ends a connection once: socket, shim, pin, bookkeeping, and (for accepted ones) the closed event. */
  #end(connection: ConnectionEntry, reason: IceTcpConnectionEnd, announce = true): void {
    if (connection.end) return;
    connection.end = reason;
    this.#connections.delete(connection);
    connection.unpin?.();
    try {
      connection.shim?.close();
    } catch {
      // Already closed by its error handler.
    }
    connection.socket.destroy();
    const answer = connection.answer;
    if (!answer) return;
    answer.connections.delete(connection);
    if (!announce) return;
    this.#emit({
      type: 'ice-tcp-closed',
      peerId: answer.peerId,
      sessionId: answer.sessionId,
      remoteAddress: connection.remote.ip,
      remotePort: connection.remote.port,
      reason,
      bytesFromClient: connection.bytesFromClient,
      bytesToClient: connection.bytesToClient,
      lifetimeMs: Math.round(performance.now() - connection.acceptedAtMs),
    });
  }

  #emit(event: IceTcpEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // Observability must never take down the path it observes.
    }
  }
}
