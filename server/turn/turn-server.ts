/**
 * netready's STUN/TURN server: the Node adapter around the Sans-IO {@link TurnServerCore}. It owns the UDP
 * listeners (TURN and STUN-only port-matrix ports), TCP listeners that tell TLS from plain STUN/TURN by the first
 * byte, the relay sockets, and the one-second expiry timer. All protocol decisions are the core's.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { canonicalIp, type Endpoint } from '../../lib/protocol/stun/ip';
import type { AllowedPeerRange } from '../../lib/protocol/turn/peer-policy';
import {
  TurnServerCore,
  type AllocationSnapshot,
  type FiveTuple,
  type TurnAction,
  type TurnEvent,
  type TurnTrafficSnapshot,
  type TurnTransport,
} from '../../lib/protocol/turn/server';
import { writeChannelDataHeader } from '../../lib/protocol/turn/channel-data';
import { StreamFramer } from '../../lib/protocol/turn/stream-framer';
import { ConnectionGuard, LISTEN_BACKLOG, startGuardSweeper, type GuardedConnection } from '../net/connection-guard';
import { nodeStunCrypto } from './node-crypto';
import { setPmtuMode, type PmtuMode } from '../mtu/socket-options';
import type { CaptureSource, CaptureStore } from '../capture/capture-store';
import type { SessionCapture } from '../capture/session-capture';

export type { TurnEvent, AllocationSnapshot, TurnTrafficSnapshot } from '../../lib/protocol/turn/server';
export type { AllowedPeerRange } from '../../lib/protocol/turn/peer-policy';

/** A UDP listener. */
export interface UdpListenOptions {
  /** IP to bind. */
  ip: string;
  /** Port; 0 picks a free one (see {@link TurnServer.addresses}). */
  port: number;
  /** Answer STUN Binding only (the STUN port matrix). Default false. */
  stunOnly?: boolean;
  /**
   * Don't-Fragment mode of the socket (server/mtu/socket-options.ts): `probe` sets DF on every datagram and never
   * fragments — needed where the MTU ladder pads Allocate responses through this listener, so a path-MTU learned from
   * an earlier ICMP cannot make the kernel fragment them into a false pass. Default: the operating system's (Linux:
   * DF set, fragment once a smaller path MTU is known).
   */
  pmtuMode?: PmtuMode;
}

/** A TCP listener (accepts both TLS and plain STUN/TURN, told apart by the first byte). */
export interface TcpListenOptions {
  /** IP to bind. */
  ip: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Name in connection-limit events (`turn-tcp`, `turn-tls`). Default `turn-<port>`. */
  name?: string;
}

/** Options of {@link TurnServer}. */
export interface TurnServerOptions {
  /** Long-term credential realm. */
  realm: string;
  /** TURN REST shared secret. */
  secret: string;
  /** SOFTWARE attribute in responses. Default none. */
  software?: string;
  /** UDP listeners, in the order {@link TurnServer.addresses} reports them. */
  udp: UdpListenOptions[];
  /** TCP listeners, in the order {@link TurnServer.addresses} reports them. */
  tcp: TcpListenOptions[];
  /** PEM certificate chain and key for TLS on the TCP listeners. Without it a TLS ClientHello closes the connection. */
  tls?: { cert: string; key: string };
  /** IPv4 address relay sockets bind to and advertise in XOR-RELAYED-ADDRESS. */
  relayIp: string;
  /** Lowest relay port. */
  relayPortMin: number;
  /** Highest relay port. */
  relayPortMax: number;
  /** Allocations one client IP may hold (486 past it). Default 64. */
  maxAllocationsPerClient?: number;
  /** Maximum allocation lifetime in seconds. Default 600. */
  maxLifetimeS?: number;
  /**
   * Receive buffer of each UDP listener, bytes (SO_RCVBUF, capped by the kernel): datagrams that arrive while the event
   * loop is paused wait here instead of being dropped. Default: the kernel's.
   */
  udpReceiveBufferBytes?: number;
  /** Media peers besides our own relays that allocations may reach. Default none. */
  allowedPeers?: AllowedPeerRange[];
  /** Receives what the server saw (allocations with session ids, refusals, auth failures …). */
  onEvent?: (event: TurnEvent) => void;
  /** The MTU ladder through the relay: see TurnCoreOptions.allocateResponseSize. Default: never pad. */
  allocateResponseSize?: (tag: string) => number | null;
  /**
   * Connection policy of the TCP listeners (per-address caps, handshake/first-message and idle deadlines, global
   * cap with eviction), usually shared with the probe's other listeners. Default: a guard of its own with the
   * default limits. A TCP/TLS connection counts as in handshake until its first whole STUN/TURN frame, as idle
   * while it carries no allocation, and is never cut while it carries one.
   */
  guard?: ConnectionGuard;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /**
   * Sees every datagram of the UDP listeners that the core's hot path does not answer (plain Binding requests and
   * relayable ChannelData: never a response) before the STUN/TURN core; returning true consumes it. The NAT filtering
   * checks (server/nat) send Binding requests to browsers from these sockets (sendUdpFrom) and take the answers here —
   * the core would drop them as unexpected responses. Default: none.
   */
  udpTap?: (data: Uint8Array, tuple: FiveTuple) => boolean;
  /**
   * Where the end of each TURN-over-TLS handshake is recorded by client IP (server/tls-mirror/handshake-log.ts): a
   * browser that does not trust the certificate aborts with an alert, which is netready's problem, not the network's.
   */
  /**
   * The per-session capture (issue 20, server/capture): every message, datagram and relayed packet of a session's
   * allocations is recorded there — client addresses are tied to a session when an allocation authenticated with
   * its username is made. Default none: nothing is recorded and the hot paths pay nothing.
   */
  capture?: Pick<CaptureStore, 'captureOf' | 'tie' | 'stunDatagram' | 'fastBinding' | 'relayDatagram' | 'streamSegment' | 'recordPacket'>;
  tlsHandshakes?: {
    /** `serverName`: the SNI the ClientHello named, `null` for none (a `turns:` URL by IP address). */
    completed(address: string, listener: 'turn-tls', serverName: string | null): void;
    failed(address: string, listener: 'turn-tls', error: unknown, serverName: string | null): void;
  };
}

/** Where the server listens, with real ports after `listen()`. */
export interface TurnServerAddresses {
  /** UDP listeners in option order. */
  udp: { ip: string; port: number; stunOnly: boolean }[];
  /** TCP listeners in option order. */
  tcp: { ip: string; port: number }[];
}

/** Whether one listener still holds its port (readiness: a closed socket cannot serve anyone). */
export interface TurnListenerState {
  /** `udp <ip>:<port>` (`stun-only` marked), or the TCP listener's name (`turn-tcp`, `turn-tls`). */
  name: string;
  /** True while the socket is bound. */
  bound: boolean;
  /** A UDP listener's receive buffer as the kernel reports it (twice what was set, on Linux), bytes. */
  receiveBufferBytes?: number;
}

/** Bytes a connection may have queued for writing before relayed data to it is dropped (UDP semantics). */
const MAX_CONNECTION_BACKLOG_BYTES = 1024 * 1024;
/** Relay ports tried per Allocate before answering 508. */
const RELAY_BIND_ATTEMPTS = 64;
/** RFC 8446 §5.1: a TLS record starts with content type 22 (handshake) for the ClientHello. */
const TLS_HANDSHAKE_RECORD = 0x16;

interface Connection {
  stream: net.Socket | tls.TLSSocket;
  tuple: FiveTuple;
  guarded: GuardedConnection;
}

/**
 * dgram resolves every destination through `dns.lookup`, which answers even an IP literal on the next tick — a
 * closure, a tick and an isIP regex per datagram sent. Every destination here is a literal (a datagram's source or
 * an endpoint the core decoded), so answer those at once; anything else still goes to the resolver.
 */
function literalLookup(address: string, family: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  if (address.includes(':')) callback(null, address, 6);
  else if (address.charCodeAt(0) >= 0x30 && address.charCodeAt(0) <= 0x39 && net.isIPv4(address)) callback(null, address, 4);
  else dns.lookup(address, family as number, (error, resolved, resolvedFamily) => callback(error, resolved, resolvedFamily));
}

function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function key(endpoint: Endpoint): string {
  return `${endpoint.ip}|${endpoint.port}`;
}

function tupleKey(tuple: FiveTuple): string {
  return `${tuple.transport}|${key(tuple.client)}|${key(tuple.server)}`;
}

/** netready's STUN/TURN server. The constructor does no network work; call `listen()`. */
export class TurnServer {
  private readonly options: TurnServerOptions;
  private readonly core: TurnServerCore;
  private readonly now: () => number;
  private readonly udpSockets: { socket: dgram.Socket; endpoint: Endpoint; stunOnly: boolean; bound: boolean }[] = [];
  private readonly udpByEndpoint = new Map<string, dgram.Socket>();
  private readonly tcpServers: { server: net.Server; endpoint: Endpoint; name: string }[] = [];
  private readonly connections = new Map<string, Connection>();
  private readonly relays = new Map<string, dgram.Socket>();
  /** The same relay sockets by port: there is one relay IP, and the hot path looks a socket up per datagram. */
  private readonly relaysByPort = new Map<number, dgram.Socket>();
  /** The capture of each relay's allocation, by relay port (only allocations of captured sessions). */
  private readonly relayCaptures = new Map<number, SessionCapture>();
  /** Capture source name of each UDP listener, by `ip|port`. */
  private readonly udpSources = new Map<string, CaptureSource>();
  /** Read for each new TLS connection, so setCertificate() takes effect without a restart. */
  private secureContext?: tls.SecureContext;
  private readonly guard: ConnectionGuard;
  /** Ends of the guard pins of allocations on TCP/TLS connections, by allocation id. */
  private readonly allocationPins = new Map<number, () => void>();
  private stopSweeper?: () => void;
  private timer?: ReturnType<typeof setInterval>;
  private state: 'new' | 'listening' | 'closing' | 'closed' = 'new';

  /** Validates options and builds the protocol core; opens nothing. */
  constructor(options: TurnServerOptions) {
    if (net.isIPv4(options.relayIp) === false) throw new TypeError(`relayIp must be an IPv4 address, got ${options.relayIp}`);
    if (options.relayPortMin < 1 || options.relayPortMax > 65535 || options.relayPortMin > options.relayPortMax) {
      throw new RangeError(`bad relay port range ${options.relayPortMin}-${options.relayPortMax}`);
    }
    this.options = options;
    this.now = options.now ?? Date.now;
    this.guard = options.guard ?? new ConnectionGuard();
    this.core = new TurnServerCore({
      realm: options.realm,
      secret: options.secret,
      crypto: nodeStunCrypto,
      nonceKey: new Uint8Array(randomBytes(32)),
      relayIps: [options.relayIp],
      software: options.software,
      maxAllocationsPerClient: options.maxAllocationsPerClient,
      maxLifetimeS: options.maxLifetimeS,
      allowedPeers: options.allowedPeers,
      allocateResponseSize: options.allocateResponseSize,
      // Without a listener and TCP, nobody reads events: leave it unset so the hot path builds none per Binding.
      onEvent:
        options.onEvent || options.tcp.length > 0 || options.capture
          ? (event) => {
              this.pinAllocations(event);
              if (options.capture) this.captureAllocations(event, options.capture);
              options.onEvent?.(event);
            }
          : undefined,
    });
    if (options.tls) this.secureContext = tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  }

  /** Binds every listener. Rejects (after closing what was opened) if any cannot be bound. */
  async listen(): Promise<void> {
    if (this.state !== 'new') throw new Error(`TurnServer.listen() called in state ${this.state}`);
    this.state = 'listening';
    try {
      for (const listener of this.options.udp) await this.listenUdp(listener);
      for (const listener of this.options.tcp) await this.listenTcp(listener);
    } catch (error) {
      await this.close();
      throw error;
    }
    this.timer = setInterval(() => this.execute(this.core.tick(this.now())), 1000);
    this.timer.unref();
    if (this.tcpServers.length > 0) this.stopSweeper = startGuardSweeper(this.guard);
  }

  /**
   * Serves this certificate chain and key to TLS connections from now on (a renewed certificate); connections
   * already open keep theirs. Throws (and keeps the old one) when the PEM pair is unusable.
   */
  setCertificate(pair: { cert: string; key: string }): void {
    this.secureContext = tls.createSecureContext({ cert: pair.cert, key: pair.key });
  }

  /** Where the server listens (real ports, also when 0 was asked for). */
  addresses(): TurnServerAddresses {
    return {
      udp: this.udpSockets.map((u) => ({ ip: u.endpoint.ip, port: u.endpoint.port, stunOnly: u.stunOnly })),
      tcp: this.tcpServers.map((t) => ({ ip: t.endpoint.ip, port: t.endpoint.port })),
    };
  }

  /**
   * Sends one datagram from the UDP listener bound at `from` (the NAT filtering checks). False when no listener is bound
   * there or the server is not listening.
   */
  sendUdpFrom(from: Endpoint, to: Endpoint, data: Uint8Array): boolean {
    const socket = this.state === 'listening' ? this.udpByEndpoint.get(key({ ip: canonicalIp(from.ip), port: from.port })) : undefined;
    if (!socket) return false;
    socket.send(data, to.port, to.ip);
    this.options.capture?.stunDatagram('nat', canonicalIp(from.ip), from.port, canonicalIp(to.ip), to.port, data, false);
    return true;
  }

  /** Live allocations (for tests and status pages). */
  allocations(): AllocationSnapshot[] {
    return this.core.allocations();
  }

  /** Message and relay counters of the protocol core since it was created (for metrics). */
  traffic(): TurnTrafficSnapshot {
    return this.core.traffic();
  }

  /** Each listener and whether it is still bound (for readiness checks). Empty before listen() and after close(). */
  listenerStates(): TurnListenerState[] {
    return [
      ...this.udpSockets.map((u) => ({
        name: `udp ${u.endpoint.ip}:${u.endpoint.port}${u.stunOnly ? ' (stun-only)' : ''}`,
        bound: u.bound,
        ...(u.bound ? { receiveBufferBytes: u.socket.getRecvBufferSize() } : {}),
      })),
      ...this.tcpServers.map((t) => ({ name: t.name, bound: t.server.listening })),
    ];
  }

  /** Ends every allocation and releases every socket, connection and timer. Safe to call twice. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopSweeper?.();
    this.stopSweeper = undefined;
    this.execute(this.core.closeAll());
    this.allocationPins.clear();
    for (const relay of this.relays.values()) relay.close();
    this.relays.clear();
    this.relaysByPort.clear();
    this.relayCaptures.clear();
    for (const connection of this.connections.values()) connection.stream.destroy();
    this.connections.clear();
    await Promise.all([
      ...this.udpSockets.map((u) => new Promise<void>((resolve) => u.socket.close(() => resolve()))),
      ...this.tcpServers.map((t) => new Promise<void>((resolve) => t.server.close(() => resolve()))),
    ]);
    this.udpSockets.length = 0;
    this.udpByEndpoint.clear();
    this.tcpServers.length = 0;
    this.state = 'closed';
  }

  // ───────────────────────────── listeners ─────────────────────────────

  private async listenUdp(listener: UdpListenOptions): Promise<void> {
    const socket = dgram.createSocket({ type: net.isIPv6(listener.ip) ? 'udp6' : 'udp4', lookup: literalLookup as never });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: listener.ip, port: listener.port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Issue 16 (load): a paused event loop must delay requests, not drop them (see udpReceiveBufferBytes).
    if (this.options.udpReceiveBufferBytes !== undefined) socket.setRecvBufferSize(this.options.udpReceiveBufferBytes);
    if (listener.pmtuMode) {
      try {
        setPmtuMode(socket, net.isIPv6(listener.ip) ? 'ipv6' : 'ipv4', listener.pmtuMode);
      } catch (error) {
        socket.close();
        throw error;
      }
    }
    const endpoint = { ip: canonicalIp(listener.ip), port: socket.address().port };
    const stunOnly = listener.stunOnly === true;
    const entry = { socket, endpoint, stunOnly, bound: true };
    socket.once('close', () => {
      entry.bound = false;
    });
    this.udpSockets.push(entry);
    this.udpByEndpoint.set(key(endpoint), socket);
    socket.on('error', () => {
      // ICMP port unreachable and similar per-datagram errors must not stop the listener.
    });
    const udpTap = this.options.udpTap;
    const capture = this.options.capture;
    const source: CaptureSource = stunOnly ? 'stun' : 'turn-udp';
    this.udpSources.set(key(endpoint), source);
    const v4 = !net.isIPv6(listener.ip);
    socket.on('message', (message, rinfo) => {
      if (this.state !== 'listening') return;
      // A udp4 socket reports canonical dotted quads; only IPv6 sources need canonicalIp's parsing.
      const clientIp = v4 ? rinfo.address : canonicalIp(rinfo.address);
      // The hot path (issue 16): no tuple, no action array; a Buffer is a Uint8Array, so no view either. It takes
      // only Binding requests and ChannelData, never a response, so the tap below still sees every answer it waits for.
      const fast = this.core.handleUdpFast(message, clientIp, rinfo.port, endpoint, this.now(), stunOnly);
      if (fast) {
        if (fast.type === 'reply') {
          socket.send(fast.data, rinfo.port, rinfo.address);
          capture?.fastBinding(source, clientIp, rinfo.port, endpoint, message, fast.data);
        } else {
          this.relaysByPort.get(fast.relay.port)?.send(fast.data, fast.peer.port, fast.peer.ip);
          // Issue 20: one lookup by relay port when capturing; the session's allocation holds the capture.
          const sessionCapture = capture ? this.relayCaptures.get(fast.relay.port) : undefined;
          if (sessionCapture && !sessionCapture.full) {
            capture!.stunDatagram(source, clientIp, rinfo.port, endpoint.ip, endpoint.port, message, true);
            capture!.relayDatagram(sessionCapture, fast.relay, fast.peer, fast.data, true);
          }
        }
        return;
      }
      const tuple: FiveTuple = { transport: 'udp', client: { ip: clientIp, port: rinfo.port }, server: endpoint };
      capture?.stunDatagram(source, clientIp, rinfo.port, endpoint.ip, endpoint.port, message, true);
      if (udpTap?.(toBytes(message), tuple)) return;
      this.execute(this.core.handleClientMessage({ data: toBytes(message), tuple, nowMs: this.now(), stunOnly }));
    });
  }

  private async listenTcp(listener: TcpListenOptions): Promise<void> {
    // The default name needs the bound port (0 asks for any); no connection is accepted before it is known.
    let name = listener.name;
    const server = net.createServer((socket) => this.acceptConnection(socket, name ?? 'turn'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: listener.ip, port: listener.port, exclusive: true, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : listener.port;
    name ??= `turn-${port}`;
    server.on('error', () => {
      // Accept errors (EMFILE …) affect one connection; the listener stays.
    });
    this.tcpServers.push({ server, endpoint: { ip: canonicalIp(listener.ip), port }, name });
  }

  private acceptConnection(socket: net.Socket, listener: string): void {
    if (this.state !== 'listening' || !socket.remoteAddress || !socket.remotePort || !socket.localAddress) {
      socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy());
    const client = { ip: canonicalIp(socket.remoteAddress), port: socket.remotePort };
    const server = { ip: canonicalIp(socket.localAddress), port: socket.localPort ?? 0 };
    // Destroying the raw socket also ends a TLSSocket wrapped around it.
    const guarded = this.guard.admit({ address: client.ip, listener, close: () => socket.destroy() });
    if (!guarded) {
      socket.destroy();
      return;
    }
    socket.once('close', () => guarded.closed());
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        if (!this.secureContext) {
          socket.destroy();
          return;
        }
        // Issue 20: of a TLS connection only its first bytes (the ClientHello) are recorded; the messages inside are not.
        this.options.capture?.streamSegment('turn-tls', client, server, first, true, 'TLS ClientHello (the connection\'s first bytes; the TURN messages inside TLS are not recorded)');
        guarded.startTls();
        // Put the ClientHello back and let a server-side TLSSocket read it (Node feeds a wrapped socket's
        // buffered bytes to the TLS engine first).
        socket.pause();
        socket.unshift(first);
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
        let handshakeDone = false;
        secure.on('error', (error) => {
          if (!handshakeDone) {
            handshakeDone = true;
            this.options.tlsHandshakes?.failed(client.ip, 'turn-tls', error, secure.servername || null);
          }
          secure.destroy();
        });
        secure.once('secure', () => {
          handshakeDone = true;
          guarded.secured();
          // Node sets `servername` from the ClientHello's SNI (false when it named none).
          this.options.tlsHandshakes?.completed(client.ip, 'turn-tls', secure.servername || null);
        });
        this.attachStream(secure, 'tls', client, server, guarded);
      } else {
        this.attachStream(socket, 'tcp', client, server, guarded);
        socket.emit('data', first);
      }
    });
  }

  private attachStream(stream: net.Socket | tls.TLSSocket, transport: TurnTransport, client: Endpoint, server: Endpoint, guarded: GuardedConnection): void {
    const tuple: FiveTuple = { transport, client, server };
    const id = tupleKey(tuple);
    this.connections.set(id, { stream, tuple, guarded });
    const framer = new StreamFramer();
    stream.on('data', (chunk: Buffer) => {
      if (this.state !== 'listening') return;
      let frames;
      try {
        frames = framer.push(toBytes(chunk));
      } catch {
        // Garbage on a stream cannot be resynchronised: close the connection (and, below, its allocation).
        stream.destroy();
        return;
      }
      // A whole frame, not a first byte, ends the handshake stage: a one-byte connection must not live forever.
      if (frames.length > 0) guarded.firstMessage();
      for (const frame of frames) {
        if (transport === 'tcp') this.options.capture?.streamSegment('turn-tcp', client, server, frame.bytes, true);
        this.execute(this.core.handleClientMessage({ data: frame.bytes, tuple, nowMs: this.now() }));
      }
    });
    stream.once('close', () => {
      if (this.connections.get(id)?.stream === stream) this.connections.delete(id);
      if (this.state === 'listening') this.execute(this.core.handleConnectionClosed(tuple, this.now()));
    });
  }

  /**
   * An allocation on a TCP/TLS connection pins it in the guard for the allocation's life (RFC 8656 §6: the
   * allocation belongs to the connection's 5-tuple), so no idle deadline or eviction can cut a relay in use.
   */
  private pinAllocations(event: TurnEvent): void {
    if (event.type === 'allocation-created' && event.transport !== 'udp') {
      const connection = this.connections.get(tupleKey({ transport: event.transport, client: event.client, server: event.server }));
      if (connection) this.allocationPins.set(event.allocationId, connection.guarded.pin());
    } else if (event.type === 'allocation-ended') {
      this.allocationPins.get(event.allocationId)?.();
      this.allocationPins.delete(event.allocationId);
    }
  }

  // ───────────────────────────── actions ─────────────────────────────

  private execute(actions: TurnAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'send':
          this.sendToClient(action.tuple, action.data);
          break;
        case 'send-relay': {
          const relay = this.relays.get(key(action.relay));
          relay?.send(action.data, action.peer.port, action.peer.ip);
          const sessionCapture = this.relayCaptures.get(action.relay.port);
          if (sessionCapture) this.options.capture?.relayDatagram(sessionCapture, action.relay, action.peer, action.data, true);
          break;
        }
        case 'allocate':
          void this.bindRelay(action.evenPort, action.tuple).then((bound) => {
            if (bound && this.state !== 'listening') {
              bound.socket.close();
              return;
            }
            if (bound) {
              this.relays.set(key(bound.relay), bound.socket);
              this.relaysByPort.set(bound.relay.port, bound.socket);
            }
            this.execute(this.core.commitAllocation(action.allocationId, bound?.relay ?? null, this.now()));
          });
          break;
        case 'release': {
          const relayKey = key(action.relay);
          this.relays.get(relayKey)?.close();
          this.relays.delete(relayKey);
          this.relaysByPort.delete(action.relay.port);
          this.relayCaptures.delete(action.relay.port);
          break;
        }
        case 'ignore':
          break;
      }
    }
  }

  private sendToClient(tuple: FiveTuple, data: Uint8Array): void {
    if (tuple.transport === 'udp') {
      this.udpByEndpoint.get(key(tuple.server))?.send(data, tuple.client.port, tuple.client.ip);
      const source = this.udpSources.get(key(tuple.server)) ?? 'turn-udp';
      this.options.capture?.stunDatagram(source, tuple.server.ip, tuple.server.port, tuple.client.ip, tuple.client.port, data, false);
      return;
    }
    const connection = this.connections.get(tupleKey(tuple));
    if (!connection || connection.stream.destroyed) return;
    if (connection.stream.writableLength > MAX_CONNECTION_BACKLOG_BYTES) return;
    connection.stream.write(data);
    if (tuple.transport === 'tcp') this.options.capture?.streamSegment('turn-tcp', tuple.client, tuple.server, data, false);
  }

  /**
   * Issue 20: an allocation made with a session's username ties its client address to that session's capture (the
   * messages that waited for it are filed then) and hands the capture to its relay.
   */
  private captureAllocations(event: TurnEvent, capture: NonNullable<TurnServerOptions['capture']>): void {
    if (event.type !== 'allocation-created' || event.sessionId === null) return;
    const sessionCapture = capture.captureOf(event.sessionId);
    if (!sessionCapture) return;
    capture.tie(event.transport === 'udp' ? 'udp' : 'tcp', event.client, event.sessionId);
    this.relayCaptures.set(event.relay.port, sessionCapture);
  }

  /**
   * Binds a relay socket on a random free port of the range (even when asked, RFC 8656 §7.2), or null. `tuple` is
   * the allocation's: over UDP, data from peers goes back from that listener, so the socket's handler holds it.
   */
  private async bindRelay(evenPort: boolean, tuple: FiveTuple): Promise<{ socket: dgram.Socket; relay: Endpoint } | null> {
    const { relayPortMin: min, relayPortMax: max, relayIp } = this.options;
    const span = max - min + 1;
    const start = Math.floor(Math.random() * span);
    let tried = 0;
    for (let i = 0; i < span && tried < RELAY_BIND_ATTEMPTS; i++) {
      const port = min + ((start + i) % span);
      if (evenPort && port % 2 !== 0) continue;
      tried++;
      const socket = dgram.createSocket({ type: 'udp4', lookup: literalLookup as never });
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind({ address: relayIp, port, exclusive: true }, () => resolve(true));
      });
      if (!ok) {
        try {
          socket.close();
        } catch {
          // Never bound: nothing to close.
        }
        continue;
      }
      const relay = { ip: canonicalIp(relayIp), port };
      socket.removeAllListeners('error');
      socket.on('error', () => {
        // Per-datagram errors (ICMP unreachable from a peer) must not kill the relay.
      });
      // The peer→client hot path (issue 16): ChannelData leaves as two pieces of one datagram, the 4-byte header and
      // the peer's datagram itself (sendmsg gathers them), so the data is never copied. The header buffer is reused
      // only while the listener's send queue is empty: a queued send (EAGAIN) still reads its buffers later, so then
      // a fresh header is taken. This relies on literalLookup answering at once: the send is issued inside send(),
      // before the next datagram can rewrite the header (dns.lookup would defer it a tick).
      const listener = tuple.transport === 'udp' ? this.udpByEndpoint.get(key(tuple.server)) : undefined;
      const header = Buffer.alloc(4);
      const pieces: Uint8Array[] = [header, header];
      const capture = this.options.capture;
      socket.on('message', (message, rinfo) => {
        if (this.state !== 'listening') return;
        // Issue 20: one lookup by relay port when capturing.
        const sessionCapture = capture ? this.relayCaptures.get(relay.port) : undefined;
        if (listener) {
          const fast = this.core.handlePeerFast(relay.ip, relay.port, rinfo.address, rinfo.port, message, this.now());
          if (fast) {
            const head = listener.getSendQueueCount() === 0 ? header : Buffer.alloc(4);
            writeChannelDataHeader(head, fast.channel, fast.data.length);
            pieces[0] = head;
            pieces[1] = fast.data;
            listener.send(pieces, fast.client.port, fast.client.ip);
            if (sessionCapture && !sessionCapture.full) {
              capture!.relayDatagram(sessionCapture, { ip: rinfo.address, port: rinfo.port }, relay, message, false);
              capture!.recordPacket(sessionCapture, 'turn-udp', fast.server, fast.client, [head, fast.data], `ChannelData 0x${fast.channel.toString(16)}, ${fast.data.length} bytes`);
            }
            return;
          }
        }
        const peer = { ip: canonicalIp(rinfo.address), port: rinfo.port };
        if (sessionCapture) capture!.relayDatagram(sessionCapture, peer, relay, message, false);
        this.execute(this.core.handlePeerDatagram({ relay, peer, data: toBytes(message), nowMs: this.now() }));
      });
      return { socket, relay };
    }
    return null;
  }
}
