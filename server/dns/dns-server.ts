/**
 * Socket adapter of netready's authoritative DNS server: one UDP socket and one TCP listener on the same
 * port, both feeding lib/protocol/dns/authority.ts (Sans-IO) and sending what it returns. TCP follows
 * RFC 7766: two-octet length-prefixed messages, several per connection, an idle timeout, bounded buffers.
 * `listen()` opens the sockets (nothing happens in the constructor), `close()` closes them.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { canonicalIp } from '../../lib/protocol/stun/ip';
import type { DnsAuthority, DnsSource } from '../../lib/protocol/dns/authority';
import { MAX_TCP_MESSAGE } from '../../lib/protocol/dns/constants';

/** Options of DnsServer. */
export interface DnsServerOptions {
  authority: DnsAuthority;
  /** IPv4 to bind. */
  ip: string;
  /** Port for both UDP and TCP; 0 picks a free one (the same for both). */
  port: number;
  /** Wall clock, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** TCP connections open at once. Default 256. */
  maxTcpConnections?: number;
  /** Milliseconds a TCP connection may sit idle (RFC 7766 §6.2.3 suggests seconds, not minutes). Default 10000. */
  tcpIdleMs?: number;
  /** Reports unexpected socket errors. */
  onError?(message: string, error: unknown): void;
  /**
   * Issue 20: sees every query (`fromResolver`) and answer, with the resolver's and this server's address, for the
   * per-session capture (server/capture: filed under the session its probe label is tied to). Must not throw.
   */
  onMessage?(transport: 'udp' | 'tcp', resolver: { ip: string; port: number }, server: { ip: string; port: number }, message: Uint8Array, fromResolver: boolean): void;
}

/** Why the DNS server could not start. */
export class DnsServerError extends Error {
  /** Machine-readable reason. */
  readonly code: 'bind-failed';
  constructor(code: DnsServerError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsServerError';
    this.code = code;
  }
}

function bindUdp(socket: dgram.Socket, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function listenTcp(server: net.Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The authoritative DNS server's sockets. */
export class DnsServer {
  private readonly options: DnsServerOptions;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private boundPort = 0;

  constructor(options: DnsServerOptions) {
    this.options = options;
  }

  /**
   * Opens UDP and TCP on the configured port. When binding fails (both closed again) it rejects with Node's
   * error for a configured port, or DnsServerError when no free port pair was found for port 0.
   */
  async listen(): Promise<void> {
    const { ip } = this.options;
    // With port 0 the UDP socket picks the port and TCP takes the same one; another process may hold that
    // TCP port, so try a few times.
    const attempts = this.options.port === 0 ? 5 : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const udp = dgram.createSocket({ type: 'udp4' });
      const tcp = net.createServer((socket) => this.onTcpConnection(socket));
      tcp.maxConnections = this.options.maxTcpConnections ?? 256;
      try {
        await bindUdp(udp, ip, this.options.port);
        await listenTcp(tcp, ip, udp.address().port);
      } catch (error) {
        lastError = error;
        await new Promise<void>((resolve) => udp.close(() => resolve())).catch(() => undefined);
        if (tcp.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
        continue;
      }
      udp.on('message', (message, remote) => this.onDatagram(message, remote));
      udp.on('error', (error) => this.options.onError?.('DNS UDP socket error', error));
      tcp.on('error', (error) => this.options.onError?.('DNS TCP listener error', error));
      this.udp = udp;
      this.tcp = tcp;
      this.boundPort = udp.address().port;
      return;
    }
    // A configured port: rethrow Node's own error (EADDRINUSE/EACCES with address and port), which the probe's
    // start-up turns into an actionable message.
    if (this.options.port !== 0) throw lastError;
    throw new DnsServerError('bind-failed', `cannot bind DNS on ${ip}:${this.options.port}: ${String(lastError)}`, { cause: lastError });
  }

  /** Where the server listens (same port for UDP and TCP). */
  address(): { ip: string; port: number } {
    return { ip: this.options.ip, port: this.boundPort };
  }

  /** Closes both sockets and every open TCP connection; safe to call more than once. */
  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private source(address: string | undefined, port: number | undefined, transport: 'udp' | 'tcp'): DnsSource {
    let ip = address ?? '0.0.0.0';
    try {
      ip = canonicalIp(ip);
    } catch {
      // Keep the socket's spelling.
    }
    return { ip, port: port ?? 0, transport };
  }

  private onDatagram(message: Buffer, remote: dgram.RemoteInfo): void {
    const source = this.source(remote.address, remote.port, 'udp');
    const onMessage = this.options.onMessage;
    const local = onMessage ? { ip: this.options.ip, port: this.boundPort } : undefined;
    onMessage?.('udp', source, local!, message, true);
    const action = this.options.authority.handle(new Uint8Array(message.buffer, message.byteOffset, message.length), source, this.now());
    if (action.type === 'send') {
      onMessage?.('udp', source, local!, action.bytes, false);
      this.udp?.send(action.bytes, remote.port, remote.address, (error) => {
        if (error) this.options.onError?.('DNS UDP send failed', error);
      });
    }
  }

  private onTcpConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.setTimeout(this.options.tcpIdleMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    const source = this.source(socket.remoteAddress, socket.remotePort, 'tcp');
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // A length prefix plus at most one maximal message may be buffered.
      if (buffered.length > MAX_TCP_MESSAGE + 2) {
        socket.destroy();
        return;
      }
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const local = { ip: this.options.ip, port: this.boundPort };
        this.options.onMessage?.('tcp', source, local, message, true);
        const action = this.options.authority.handle(new Uint8Array(message.buffer, message.byteOffset, message.length), source, this.now());
        if (action.type !== 'send') continue;
        this.options.onMessage?.('tcp', source, local, action.bytes, false);
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(action.bytes.length, 0);
        socket.write(Buffer.concat([prefix, action.bytes]));
      }
    });
  }
}
