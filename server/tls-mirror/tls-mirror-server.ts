/**
 * The probe's HTTPS listener with TLS terminated in-process: a plain TCP server reads each connection's first
 * bytes until the whole ClientHello has arrived (lib/protocol/tls), records it with its JA4, puts the bytes
 * back (`socket.unshift`) and hands the untouched connection to Node's TLS + HTTP/2 stack. So the mirror sees
 * exactly what the client — or a TLS-inspecting middlebox in front of it — sent, and the handshake is not
 * changed by looking.
 *
 * ALPN offers h2 and http/1.1 (`http2.createSecureServer({ allowHTTP1: true })`): a browser connecting
 * directly negotiates h2, while the usual inspecting proxies talk http/1.1 to the server — the page sees that as
 * `nextHopProtocol`. WebSocket upgrades arrive on the HTTP/1.1 side (`upgrade` handler).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { readClientHello } from '../../lib/protocol/tls/client-hello';
import { TlsDecodeError } from '../../lib/protocol/tls/errors';
import { computeJa4 } from '../../lib/protocol/tls/ja4';
import { summarizeClientHello, type ClientHelloSummary } from '../../lib/protocol/tls/summary';
import type { TlsHandshakeLog } from './handshake-log';
import { canonicalAddress } from '../net/address';
import { ConnectionGuard, LISTEN_BACKLOG, startGuardSweeper, type GuardedConnection } from '../net/connection-guard';
import { applyHttpTimeouts, trackHttpRequest, type HttpTimers } from '../net/http-guard';

/** What the mirror captured from one TLS connection. */
export interface CapturedClientHello {
  /** Decoded features, or null when the bytes were TLS records but not a ClientHello the decoder accepts. */
  clientHello: ClientHelloSummary | null;
  ja4: string | null;
  /** JA4_r (sorted lists instead of hashes). */
  ja4Raw: string | null;
  /** Base64 of the ClientHello handshake message (for test data and support cases). */
  handshakeBase64: string | null;
  /** Why decoding failed, when it did. */
  decodeError?: { code: string; where: string; message: string };
  /** The TCP peer as this server saw it. */
  clientAddress: string;
  clientPort: number;
}

/** An HTTP request as either HTTP/1.1 or HTTP/2 compat delivers it. */
export type MirrorRequest = IncomingMessage | Http2ServerRequest;
/** The matching response. */
export type MirrorResponse = import('node:http').ServerResponse | Http2ServerResponse;

/** Options of TlsMirrorServer. */
export interface TlsMirrorServerOptions {
  /** PEM certificate chain and key. */
  cert: string;
  key: string;
  /** Handles every HTTP request (HTTP/1.1 and HTTP/2). */
  onRequest(req: MirrorRequest, res: MirrorResponse): void;
  /** Handles HTTP/1.1 upgrade requests (WebSocket). Without it, upgrades are refused. */
  onUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Server names (SNI) that get http/1.1 even when the client offers h2. The DNS timing probes fetch a fresh
   * name per lookup; over h2 Chromium would coalesce those onto one connection (same IP, same certificate) and
   * report no connect phase at all. Default: none — h2 for everyone who offers it.
   */
  http1OnlyFor?(serverName: string): boolean;
  /** A second certificate for the TLS server names it matches (the probe zone's wildcard), chosen by SNI. */
  zoneTls?: { cert: string; key: string; matches(serverName: string): boolean };
  /**
   * Connection policy (per-address caps, handshake and first-request deadlines, idle deadline, global cap with
   * eviction), usually shared with the probe's other listeners. A connection is in its handshake until the TLS
   * handshake is done and a whole HTTP request head (HTTP/1.1 or HTTP/2) has arrived. Default: a guard of its own.
   */
  guard?: ConnectionGuard;
  /** Name of this listener in connection-limit events. Default `https`. */
  name?: string;
  /** Where each handshake's end (completed, rejected by the client's certificate check, failed) is recorded. */
  handshakes?: Pick<TlsHandshakeLog, 'completed' | 'failed'>;
  /**
   * Keep each connection's raw first bytes (the TLS records carrying the ClientHello, at most 16 KiB) with their
   * arrival time and the local address, for the per-session capture (issue 20; {@link TlsMirrorServer.rawClientHelloOf}).
   * Default false.
   */
  keepRawClientHello?: boolean;
}

/** The raw TLS records of a connection's ClientHello as they arrived (issue 20, the server's side of the capture). */
export interface RawClientHello {
  /** The bytes read before the TLS stack took over: the ClientHello's records. */
  bytes: Uint8Array;
  /** When they arrived, ms since the epoch. */
  atMs: number;
  client: { ip: string; port: number };
  /** This server's address the connection reached. */
  server: { ip: string; port: number };
}

/** Most raw ClientHello bytes kept per connection. */
const MAX_RAW_CLIENT_HELLO_BYTES = 16_384;

/** Turns `::ffff:192.0.2.1` into `192.0.2.1`; other addresses unchanged. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function connectionKey(address: string | undefined, port: number | undefined): string {
  return `${normalizeAddress(address)}|${port ?? 0}`;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Decodes the captured bytes into what the mirror reports. Exported for tests and tooling. */
export function describeCapture(handshakeOrRecords: { hello: ReturnType<typeof readClientHello> } | { error: TlsDecodeError }, clientAddress: string, clientPort: number): CapturedClientHello {
  if ('error' in handshakeOrRecords) {
    const { code, where, message } = handshakeOrRecords.error;
    return { clientHello: null, ja4: null, ja4Raw: null, handshakeBase64: null, decodeError: { code, where, message }, clientAddress, clientPort };
  }
  const read = handshakeOrRecords.hello;
  if (read.status !== 'complete') throw new Error('describeCapture needs a complete ClientHello');
  const { ja4, ja4Raw } = computeJa4(read.hello, sha256Hex);
  return {
    clientHello: summarizeClientHello(read.hello, read.handshake.length),
    ja4,
    ja4Raw,
    handshakeBase64: Buffer.from(read.handshake).toString('base64'),
    clientAddress,
    clientPort,
  };
}

/** The TLS-terminating mirror listener. Nothing happens until listen(). */
export class TlsMirrorServer {
  private options: TlsMirrorServerOptions;
  private readonly captures = new Map<string, CapturedClientHello>();
  private readonly rawHellos = new Map<string, RawClientHello>();
  private readonly sockets = new Set<Socket>();
  /** Guard entries by connection key (remote address|port), which HTTP/1.1 and HTTP/2 requests both report. */
  private readonly guarded = new Map<string, GuardedConnection>();
  private readonly guard: ConnectionGuard;
  private stopSweeper?: () => void;
  private tcp?: net.Server;
  private secure?: http2.Http2SecureServer;
  /** The zone certificate's context, read per connection by the SNI callback (replaced by setZoneCertificate). */
  private zoneContext?: tls.SecureContext;

  /** Keeps the options; opens nothing. */
  constructor(options: TlsMirrorServerOptions) {
    this.options = options;
    this.guard = options.guard ?? new ConnectionGuard();
  }

  /** Binds the listener. Rejects when the port cannot be bound. */
  async listen(port: number, ip: string): Promise<AddressInfo> {
    const zoneTls = this.options.zoneTls;
    this.zoneContext = zoneTls ? tls.createSecureContext({ cert: zoneTls.cert, key: zoneTls.key }) : undefined;
    const secure = http2.createSecureServer(
      {
        cert: this.options.cert,
        key: this.options.key,
        ...(zoneTls
          ? { SNICallback: (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) => callback(null, zoneTls.matches(servername) ? this.zoneContext : undefined) }
          : {}),
        allowHTTP1: true,
        // RFC 7301 §3.2: the server picks one of the client's protocols; h2 first unless the name is http/1.1-only.
        ALPNCallback: ({ servername, protocols }: { servername?: string; protocols: string[] }) => {
          const http1Only = servername ? (this.options.http1OnlyFor?.(servername) ?? false) : false;
          if (!http1Only && protocols.includes('h2')) return 'h2';
          return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
        },
      },
      (req, res) => {
        trackHttpRequest(this.guardedOf(req.socket), res);
        this.options.onRequest(req, res);
      },
    );
    // The HTTP/1.1 side's keep-alive timer (unset on an Http2SecureServer) matches the guard's idle deadline. Node
    // types omit the HTTP/1.1 timers that `allowHTTP1` adds; its header/request checks never run here (this server
    // never listens itself), which is why the guard's deadlines do that job.
    applyHttpTimeouts(secure as unknown as HttpTimers, this.guard.limits);
    secure.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A WebSocket holds its connection until it closes; the echo has its own idle limit.
      this.guardedOf(req.socket)?.pin();
      if (this.options.onUpgrade) this.options.onUpgrade(req, socket, head);
      else socket.destroy();
    });
    // A failed handshake is recorded (a client that rejects our certificate says so with an alert: the diagnosis
    // must not blame the network for it), then the connection is dropped.
    secure.on('tlsClientError', (error, socket) => {
      this.options.handshakes?.failed(normalizeAddress(socket.remoteAddress), 'https', error);
      socket.destroy();
    });
    // The TLS socket may outlive the raw socket object's events; forget the capture when either closes.
    secure.on('secureConnection', (tlsSocket: tls.TLSSocket) => {
      this.options.handshakes?.completed(normalizeAddress(tlsSocket.remoteAddress), 'https');
      const key = connectionKey(tlsSocket.remoteAddress, tlsSocket.remotePort);
      this.guarded.get(key)?.secured();
      tlsSocket.once('close', () => {
        this.captures.delete(key);
        this.rawHellos.delete(key);
      });
    });
    this.secure = secure;
    const tcp = net.createServer((socket) => this.accept(socket));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ port, host: ip, backlog: LISTEN_BACKLOG }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.stopSweeper = startGuardSweeper(this.guard);
    return tcp.address() as AddressInfo;
  }

  /** Whether the listener holds its port (readiness checks). */
  get listening(): boolean {
    return this.tcp?.listening ?? false;
  }

  /**
   * Serves this certificate chain and key from now on (a renewed certificate): new TLS connections get it, open
   * ones keep theirs. Throws (and keeps the old one) when the PEM pair is unusable.
   */
  setCertificate(pair: { cert: string; key: string }): void {
    tls.createSecureContext(pair); // validate first: setSecureContext would leave the server half-updated
    this.options = { ...this.options, cert: pair.cert, key: pair.key };
    this.secure?.setSecureContext({ cert: pair.cert, key: pair.key });
  }

  /** Like setCertificate, for the zone certificate (`zoneTls`); a no-op for a server without one. */
  setZoneCertificate(pair: { cert: string; key: string }): void {
    if (!this.options.zoneTls) return;
    const context = tls.createSecureContext({ cert: pair.cert, key: pair.key });
    this.options = { ...this.options, zoneTls: { ...this.options.zoneTls, cert: pair.cert, key: pair.key } };
    this.zoneContext = context;
  }

  /** The bound address, or null before listen(). */
  address(): AddressInfo | null {
    return (this.tcp?.address() as AddressInfo | null) ?? null;
  }

  /** The ClientHello of the TLS connection a request arrived on, or null (plain HTTP, or unknown). */
  clientHelloOf(req: MirrorRequest): CapturedClientHello | null {
    return this.captures.get(connectionKey(req.socket.remoteAddress, req.socket.remotePort)) ?? null;
  }

  /** The raw ClientHello records of the TLS connection a request arrived on (only with `keepRawClientHello`), or null. */
  rawClientHelloOf(req: MirrorRequest): RawClientHello | null {
    return this.rawHellos.get(connectionKey(req.socket.remoteAddress, req.socket.remotePort)) ?? null;
  }

  /** Closes the listener and every connection; safe to call more than once. */
  async close(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = undefined;
    this.stopSweeper?.();
    this.stopSweeper = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.captures.clear();
    this.rawHellos.clear();
    this.secure?.close();
    this.secure = undefined;
    if (!tcp?.listening) return;
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  /** The guard entry of the connection a request or upgrade arrived on. */
  private guardedOf(socket: { remoteAddress?: string; remotePort?: number } | null | undefined): GuardedConnection | undefined {
    return socket ? this.guarded.get(connectionKey(socket.remoteAddress, socket.remotePort)) : undefined;
  }

  private accept(socket: Socket): void {
    const secure = this.secure;
    if (!secure) {
      socket.destroy();
      return;
    }
    // The guard's deadline covers the ClientHello, the handshake and the first request head together.
    const guarded = this.guard.admit({ address: canonicalAddress(socket.remoteAddress), listener: this.options.name ?? 'https', tls: true, close: () => socket.destroy() });
    if (!guarded) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const clientAddress = normalizeAddress(socket.remoteAddress);
    const clientPort = socket.remotePort ?? 0;
    const key = connectionKey(socket.remoteAddress, socket.remotePort);
    this.guarded.set(key, guarded);
    const chunks: Buffer[] = [];
    let size = 0;
    const release = (): void => {
      socket.off('data', onData);
    };
    const handOver = (capture: CapturedClientHello | null, bytes: Buffer): void => {
      release();
      // Lives as long as the connection, like the decoded capture (the close handler below forgets both).
      if (this.options.keepRawClientHello && socket.localAddress) {
        this.rawHellos.set(key, {
          bytes: new Uint8Array(bytes.subarray(0, MAX_RAW_CLIENT_HELLO_BYTES)),
          atMs: Date.now(),
          client: { ip: clientAddress, port: clientPort },
          server: { ip: normalizeAddress(socket.localAddress), port: socket.localPort ?? 0 },
        });
      }
      if (capture) {
        this.captures.set(key, capture);
        // Bounded: a capture lives as long as its connection, and never more than 2 × the guard's total of them.
        const limit = 2 * this.guard.limits.maxTotal;
        for (const oldest of this.captures.keys()) {
          if (this.captures.size <= limit) break;
          this.captures.delete(oldest);
        }
      }
      socket.pause();
      socket.unshift(bytes);
      // Node's TLS server wraps the socket and reads the unshifted bytes first (TLSSocket initRead).
      secure.emit('connection', socket);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      let read: ReturnType<typeof readClientHello>;
      try {
        read = readClientHello(bytes);
      } catch (error) {
        if (!(error instanceof TlsDecodeError)) throw error;
        if (error.code === 'not-tls') {
          // Not TLS at all (plain HTTP to the TLS port, a scanner): nothing to mirror or serve.
          release();
          socket.destroy();
          return;
        }
        // TLS records we could not decode: let the TLS stack judge them, and say what we saw.
        handOver(describeCapture({ error }, clientAddress, clientPort), bytes);
        return;
      }
      if (read.status === 'incomplete') return;
      handOver(describeCapture({ hello: read }, clientAddress, clientPort), bytes);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      release();
      guarded.closed();
      this.sockets.delete(socket);
      this.captures.delete(key);
      this.rawHellos.delete(key);
      if (this.guarded.get(key) === guarded) this.guarded.delete(key);
    });
  }
}
