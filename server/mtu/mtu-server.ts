/**
 * The MTU ladder's UDP listeners: one port per rung (a size and an IP family), each answering STUN Binding requests
 * with a success response padded to exactly its IP datagram size (lib/protocol/mtu/responder.ts decides; this
 * adapter owns the sockets). Ladder rungs send with Don't-Fragment set and never fragment (IP_PMTUDISC_PROBE);
 * fragment rungs, above any Ethernet MTU, send without it, so they arrive only as IP fragments
 * (server/mtu/socket-options.ts). A port per size is the simplest way for a request to pick its size — the browser
 * sends a `stun:` server no username — and shows in a packet capture which size was asked for.
 *
 * It also remembers which client addresses used the ladder recently, and answers for those what path MTU the kernel
 * has learned towards them: only an ICMP "fragmentation needed" that came back lowers it, which tells a small MTU
 * with working path-MTU discovery from a black hole.
 */
import dgram from 'node:dgram';
import { canonicalIp } from '../../lib/protocol/stun/ip';
import { respondToBinding } from '../../lib/protocol/mtu/responder';
import type { MtuFamily } from '../../lib/protocol/mtu/padding';
import { linkMtuOf } from './link-mtu';
import { connectedPathMtu, setPmtuMode, type PmtuMode } from './socket-options';

/** Options of {@link MtuServer}. */
export interface MtuServerOptions {
  /** IPv4 address the IPv4 rungs bind. */
  ipv4: string;
  /** IPv6 address the IPv6 rungs bind (same ports); none: no IPv6 rungs. */
  ipv6?: string;
  /** Port of the first rung; rung i gets firstPort + i (sizes, then fragment sizes). 0: each picks a free port. */
  firstPort: number;
  /** IP datagram sizes sent with Don't-Fragment (multiples of 4), bytes. */
  sizes: readonly number[];
  /** IP datagram sizes sent without Don't-Fragment (fragment rungs), bytes. */
  fragmentSizes: readonly number[];
  /** Clock in ms. Default Date.now. */
  now?: () => number;
  /** How long a client address is remembered for path-MTU questions, ms. Default 600000 (the credential lifetime). */
  clientMemoryMs?: number;
  /** At most this many client addresses are remembered (oldest forgotten first). Default 50000. */
  maxClients?: number;
}

/** Where one rung listens. */
export interface MtuRungAddress {
  family: MtuFamily;
  /** IP datagram size of its responses, bytes. */
  sizeBytes: number;
  /** Don't-Fragment set (a ladder rung) or not (a fragment rung). */
  df: boolean;
  ip: string;
  port: number;
}

/** What one rung did since start. */
export interface MtuRungStats extends MtuRungAddress {
  /** Datagrams received. */
  requests: number;
  /** Padded responses handed to the kernel. */
  responses: number;
  /** Sends the kernel refused (EMSGSIZE above the link MTU …). */
  sendErrors: number;
  /** The last send error's code. */
  lastSendError?: string;
}

/** What the kernel knows about the path to a client that used the ladder. */
export interface PathMtuReport {
  ip: string;
  /** MTU of the server's own interface towards it, bytes (null: unknown). */
  linkMtuBytes: number | null;
  /** Path MTU the kernel has for the client (IP_MTU), bytes: below the link MTU only after an ICMP came back. */
  pathMtuBytes: number;
}

interface Rung extends MtuRungStats {
  socket: dgram.Socket;
  bound: boolean;
}

/** The MTU ladder's listeners. The constructor opens nothing; call `listen()`. */
export class MtuServer {
  private readonly options: MtuServerOptions;
  private readonly now: () => number;
  private readonly rungList: Rung[] = [];
  /** Client IP → when it last used a rung (ms); Map order is least recently seen first. */
  private readonly clients = new Map<string, number>();
  private state: 'new' | 'listening' | 'closed' = 'new';

  /** Keeps the options; opens nothing. */
  constructor(options: MtuServerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Binds every rung and sets its Don't-Fragment mode. Rejects (after closing what was opened) on any failure. */
  async listen(): Promise<void> {
    if (this.state !== 'new') throw new Error(`MtuServer.listen() called in state ${this.state}`);
    this.state = 'listening';
    const all = [...this.options.sizes.map((sizeBytes) => ({ sizeBytes, df: true })), ...this.options.fragmentSizes.map((sizeBytes) => ({ sizeBytes, df: false }))];
    const families: Array<[MtuFamily, string]> = [['ipv4', this.options.ipv4], ...(this.options.ipv6 ? [['ipv6', this.options.ipv6] as [MtuFamily, string]] : [])];
    try {
      for (const [family, ip] of families) {
        for (const [index, rung] of all.entries()) {
          const port = this.options.firstPort === 0 ? 0 : this.options.firstPort + index;
          await this.bindRung(family, ip, port, rung.sizeBytes, rung.df);
        }
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async bindRung(family: MtuFamily, ip: string, port: number, sizeBytes: number, df: boolean): Promise<void> {
    const socket = dgram.createSocket({ type: family === 'ipv6' ? 'udp6' : 'udp4', ...(family === 'ipv6' ? { ipv6Only: true } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: ip, port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const mode: PmtuMode = df ? 'probe' : 'dont';
    try {
      setPmtuMode(socket, family, mode);
    } catch (error) {
      socket.close();
      throw error;
    }
    const rung: Rung = { family, sizeBytes, df, ip: canonicalIp(ip), port: socket.address().port, requests: 0, responses: 0, sendErrors: 0, socket, bound: true };
    socket.once('close', () => {
      rung.bound = false;
    });
    socket.on('error', () => {
      // ICMP errors for one datagram must not stop the listener.
    });
    socket.on('message', (message, rinfo) => this.handle(rung, message, rinfo));
    this.rungList.push(rung);
  }

  private handle(rung: Rung, message: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.state !== 'listening') return;
    rung.requests++;
    const client = { ip: canonicalIp(rinfo.address), port: rinfo.port };
    const action = respondToBinding({ data: new Uint8Array(message.buffer, message.byteOffset, message.byteLength), client, rung });
    if (action.type !== 'send') return;
    if (action.padded) this.remember(client.ip);
    rung.socket.send(action.data, action.to.port, action.to.ip, (error) => {
      if (error) {
        rung.sendErrors++;
        rung.lastSendError = (error as NodeJS.ErrnoException).code ?? error.message;
      } else if (action.padded) {
        rung.responses++;
      }
    });
  }

  /** Remembers that `ip` used the ladder (also called for TURN ladder clients), so pathMtuTo may answer for it. */
  remember(ip: string): void {
    const key = canonicalIp(ip);
    this.clients.delete(key);
    this.clients.set(key, this.now());
    const max = this.options.maxClients ?? 50_000;
    while (this.clients.size > max) this.clients.delete(this.clients.keys().next().value!);
  }

  /** Where each rung listens (real ports, also when 0 was asked for). */
  rungs(): MtuRungAddress[] {
    return this.rungList.map(({ family, sizeBytes, df, ip, port }) => ({ family, sizeBytes, df, ip, port }));
  }

  /** Counters per rung since start. */
  stats(): MtuRungStats[] {
    return this.rungList.map(({ family, sizeBytes, df, ip, port, requests, responses, sendErrors, lastSendError }) => ({
      family,
      sizeBytes,
      df,
      ip,
      port,
      requests,
      responses,
      sendErrors,
      ...(lastSendError ? { lastSendError } : {}),
    }));
  }

  /** Each rung's socket and whether it is still bound (readiness). */
  listenerStates(): Array<{ name: string; bound: boolean }> {
    return this.rungList.map((r) => ({ name: `mtu ${r.family} ${r.sizeBytes}${r.df ? '' : ' (no DF)'} ${r.family === 'ipv6' ? `[${r.ip}]` : r.ip}:${r.port}`, bound: r.bound }));
  }

  /** The MTU of the server's own interface of `family` (null: unknown, e.g. bound to 0.0.0.0 or not Linux). */
  linkMtu(family: MtuFamily): number | null {
    const ip = family === 'ipv6' ? this.options.ipv6 : this.options.ipv4;
    return ip ? linkMtuOf(ip) : null;
  }

  /**
   * The path MTU the kernel has learned towards `ip`, for a client that used the ladder in the last
   * `clientMemoryMs` (null otherwise: this is not a tool to ask about arbitrary addresses). Rejects when the socket
   * options are unavailable.
   */
  async pathMtuTo(ip: string): Promise<PathMtuReport | null> {
    let key: string;
    try {
      key = canonicalIp(ip);
    } catch {
      return null;
    }
    const seen = this.clients.get(key);
    if (seen === undefined || this.now() - seen > (this.options.clientMemoryMs ?? 600_000)) return null;
    const family: MtuFamily = key.includes(':') ? 'ipv6' : 'ipv4';
    const local = family === 'ipv6' ? this.options.ipv6 : this.options.ipv4;
    if (!local) return null;
    const socket = dgram.createSocket(family === 'ipv6' ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        // Bound to the ladder's own address, so the route (and any policy routing by source) is the ladder's.
        socket.bind({ address: local, port: 0 }, () => {
          // connect() sends nothing: it only gives the socket a route whose MTU IP_MTU reports (port 9: discard).
          socket.connect(9, key, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      });
      return { ip: key, linkMtuBytes: this.linkMtu(family), pathMtuBytes: connectedPathMtu(socket, family) };
    } finally {
      socket.close();
    }
  }

  /** Closes every socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await Promise.all(this.rungList.map((r) => (r.bound ? new Promise<void>((resolve) => r.socket.close(() => resolve())) : Promise.resolve())));
    this.clients.clear();
  }
}
