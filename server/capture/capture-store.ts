/**
 * The probe servers' per-session capture (issue 20, "the server's side of the capture"): which session a packet
 * belongs to, the live captures in memory, their pcapng files under `<dataDir>/captures/`, and their deletion
 * with the result retention.
 *
 * Attribution. A packet is recorded only when it is tied to a session by something the session itself proved:
 * - a client transport address (UDP or TCP `ip:port`) is tied when a TURN allocation authenticated with the
 *   session's username is made from it (the allocation's 5-tuple, RFC 8656 §2), or when the page names it as its
 *   mapping for the NAT filtering check (`POST /v1/sessions/:id/nat/filtering`);
 * - a probe DNS label (`nr-…`) is tied when the page's HTTPS request for that name carries `?session=<id>`;
 * - HTTP(S) requests carrying the session in their path or `?session=` are recorded directly.
 * STUN/TURN control messages and DNS messages that arrive before their tie (the first, unauthenticated Allocate
 * and its 401; the DNS query before the HTTPS request) wait in a small pending buffer (seconds, bounded) and are
 * filed with their original timestamps once tied, else dropped. Nothing is attributed by IP address alone: an
 * office behind one NAT address runs several tests at once.
 *
 * Recording never throws into a socket path, copies at most the snap length of data packets, stops at the
 * per-session cap, and holds at most `maxLiveCaptures` captures in memory; a capture is written to disk when its
 * session ends or has been quiet for a minute, and a disk error is logged, never thrown.
 */
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeDns, describeStun, dnsQuestionLabel } from './describe';
import type { PacketEndpoint } from './pcapng';
import { SessionCapture, type CapturedPacket } from './session-capture';

/** Session ids as POST /v1/sessions makes them (base64url); anything else is never a file name. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A capture with no packet for this long is written to disk and leaves memory (a run takes seconds). */
export const CAPTURE_IDLE_MS = 60_000;
/** How long an untied control message waits for its tie. */
export const PENDING_TTL_MS = 30_000;
/** Untied addresses/labels remembered at once, and messages per address/label. */
const MAX_PENDING_KEYS = 2048;
const MAX_PENDING_PER_KEY = 8;
/** Anonymous Binding exchanges remembered (a ring): enough for the seconds between a page's Bindings and its tie. */
export const RECENT_BINDINGS = 4096;
/** Largest control message recorded whole (STUN/TURN, DNS, TLS ClientHello, HTTP head); longer ones are cut. */
export const MAX_CONTROL_BYTES = 16_384;
/**
 * DTLS/SCTP datagrams of the media peer recorded per session (its ICE checks are all kept): enough for the handshakes,
 * the echoes and the quality stream's packets, not its throughput bursts (a run's capture grew from ≈ 200 KB to
 * 710 KB with all of them).
 */
export const MEDIA_PEER_DATA_LIMIT = 400;

/** Settings of a CaptureStore (config `probe.capture`, `results.retentionDays`, `dataDir`). */
export interface CaptureStoreOptions {
  /** Folder of the pcapng files (`<dataDir>/captures`). */
  dir: string;
  /** Bytes of a data packet's payload kept (ChannelData, relayed datagrams). */
  snapLengthBytes: number;
  /** Most bytes of one session's pcapng file. */
  maxBytesPerSession: number;
  /** Most captures recorded in memory at once; sessions past it are not captured. */
  maxLiveCaptures: number;
  /** Days a written capture is kept (the result retention). */
  retentionDays: number;
  /** Public addresses written for listeners bound to `0.0.0.0` / `::` (see SessionCaptureLimits). */
  unspecifiedAs?: { v4?: string; v6?: string };
  /** Whether the session is still live (its packets may still come); ended sessions' captures are written. */
  isSessionLive(sessionId: string): boolean;
  /** Logs a failed write or deletion. */
  logError(message: string, error: unknown): void;
  /** Clock, ms since the epoch. Default Date.now. */
  now?: () => number;
}

/** Which server saw a packet: the comment's first word. */
export type CaptureSource = 'turn-udp' | 'turn-tcp' | 'turn-tls' | 'stun' | 'turn-relay' | 'nat' | 'dns-udp' | 'dns-tcp' | 'https' | 'http' | 'media-peer';

interface Tie {
  transport: 'udp' | 'tcp';
  ip: string;
  capture: SessionCapture;
}

interface PendingPacket extends CapturedPacket {
  atMs: number;
  /** Names the payload when the packet is filed (most pending packets never are: naming waits until then). */
  describe?: (data: Uint8Array) => string;
  source: CaptureSource;
}

/** The per-session captures of one probe process. */
export class CaptureStore {
  private readonly options: CaptureStoreOptions;
  private readonly now: () => number;
  private readonly live = new Map<string, SessionCapture>();
  /** Client transport addresses tied to a live capture, by port (the hot path builds no key string). */
  private readonly ties = new Map<number, Tie[]>();
  private readonly labelTies = new Map<string, SessionCapture>();
  /** What each live capture tied, to untie it when the capture closes. */
  private readonly tiedBy = new Map<SessionCapture, { ports: number[]; labels: string[] }>();
  /** DTLS/SCTP datagrams of the media peer recorded so far, per capture (MEDIA_PEER_DATA_LIMIT). */
  private readonly peerData = new WeakMap<SessionCapture, number>();
  private readonly pending = new Map<string, PendingPacket[]>();
  /**
   * The UDP hot path's anonymous Binding exchanges, newest overwriting oldest: no key string, no copy (the request is
   * the datagram's own Buffer, the response a fresh array of the core's), so a flood of them costs a few stores each.
   */
  private readonly bindings = Array.from({ length: RECENT_BINDINGS }, () => ({ atMs: -Infinity, source: 'stun' as CaptureSource, ip: '', port: 0, server: { ip: '', port: 0 }, request: EMPTY, response: EMPTY }));
  private nextBinding = 0;
  /** Captures being written: served from here until the file exists. */
  private readonly writing = new Map<string, Uint8Array>();
  private readonly writes = new Set<Promise<void>>();

  /** Keeps the options; touches no disk until a capture is written. */
  constructor(options: CaptureStoreOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Captures in memory now. */
  get liveCount(): number {
    return this.live.size;
  }

  /** Starts capturing a new session; false when `maxLiveCaptures` are recording already (the session is not captured). */
  open(sessionId: string): boolean {
    if (!SESSION_ID.test(sessionId)) return false;
    if (this.live.has(sessionId)) return true;
    if (this.live.size >= this.options.maxLiveCaptures) return false;
    const capture = new SessionCapture(sessionId, { maxBytes: this.options.maxBytesPerSession, ...(this.options.unspecifiedAs ? { unspecifiedAs: this.options.unspecifiedAs } : {}) }, this.now());
    this.live.set(sessionId, capture);
    this.tiedBy.set(capture, { ports: [], labels: [] });
    return true;
  }

  /** The live capture of a session, or null. */
  captureOf(sessionId: string): SessionCapture | null {
    return this.live.get(sessionId) ?? null;
  }

  /** Ties a client transport address to a session and files what waited for it. */
  tie(transport: 'udp' | 'tcp', client: PacketEndpoint, sessionId: string): void {
    const capture = this.live.get(sessionId);
    if (!capture) return;
    const list = this.ties.get(client.port);
    const existing = list?.find((t) => t.transport === transport && t.ip === client.ip);
    if (existing) existing.capture = capture;
    else {
      if (list) list.push({ transport, ip: client.ip, capture });
      else this.ties.set(client.port, [{ transport, ip: client.ip, capture }]);
      this.tiedBy.get(capture)?.ports.push(client.port);
    }
    this.flushPending(`${transport}|${client.ip}|${client.port}`, capture);
    if (transport === 'udp') this.flushBindings(client, capture);
  }

  /** Ties a probe DNS label to a session and files the queries and answers that waited for it. */
  tieLabel(label: string, sessionId: string): void {
    const capture = this.live.get(sessionId);
    const key = label.toLowerCase();
    if (!capture || this.labelTies.has(key)) return;
    this.labelTies.set(key, capture);
    this.tiedBy.get(capture)?.labels.push(key);
    this.flushPending(`dns|${key}`, capture);
  }

  /** The capture a client transport address is tied to, or null: one Map lookup by port, then a short scan. */
  captureOfClient(transport: 'udp' | 'tcp', ip: string, port: number): SessionCapture | null {
    const list = this.ties.get(port);
    if (!list) return null;
    for (let i = 0; i < list.length; i++) {
      const tie = list[i]!;
      if (tie.ip === ip && tie.transport === transport) return tie.capture;
    }
    return null;
  }

  /**
   * A STUN/TURN datagram or ChannelData on a UDP listener (`clientIsSrc`: received from the client, else sent to
   * it). Tied: recorded (ChannelData cut at the snap length). Untied: a STUN message waits for its tie; data is
   * dropped (it only ever flows on an allocation, which is tied when made).
   */
  stunDatagram(source: CaptureSource, srcIp: string, srcPort: number, dstIp: string, dstPort: number, data: Uint8Array, clientIsSrc: boolean): void {
    const capture = clientIsSrc ? this.captureOfClient('udp', srcIp, srcPort) : this.captureOfClient('udp', dstIp, dstPort);
    const isData = carriesData(data);
    if (capture) {
      if (!capture.full) this.recordInto(capture, 'udp', source, { ip: srcIp, port: srcPort }, { ip: dstIp, port: dstPort }, data, isData, describeStun);
      return;
    }
    if (isData) return;
    const key = clientIsSrc ? `udp|${srcIp}|${srcPort}` : `udp|${dstIp}|${dstPort}`;
    this.pend(key, this.packet('udp', source, { ip: srcIp, port: srcPort }, { ip: dstIp, port: dstPort }, data, false, describeStun, true));
  }

  /**
   * A Binding request the UDP hot path answered, and its response. Tied: both recorded. Untied: remembered in a ring
   * (no copy: neither buffer is reused) and filed if the client address is tied within the pending window.
   */
  fastBinding(source: CaptureSource, clientIp: string, clientPort: number, server: PacketEndpoint, request: Uint8Array, response: Uint8Array): void {
    const capture = this.captureOfClient('udp', clientIp, clientPort);
    if (capture) {
      if (capture.full) return;
      const client = { ip: clientIp, port: clientPort };
      this.recordInto(capture, 'udp', source, client, server, request, false, describeStun);
      this.recordInto(capture, 'udp', source, server, client, response, false, describeStun);
      return;
    }
    const slot = this.bindings[this.nextBinding]!;
    this.nextBinding = (this.nextBinding + 1) % RECENT_BINDINGS;
    slot.atMs = this.now();
    slot.source = source;
    slot.ip = clientIp;
    slot.port = clientPort;
    slot.server = server;
    slot.request = request;
    slot.response = response;
  }

  /** A datagram between a relay address and a peer, recorded into the allocation's capture (cut at the snap length). */
  relayDatagram(capture: SessionCapture, src: PacketEndpoint, dst: PacketEndpoint, data: Uint8Array, toPeer: boolean): void {
    if (capture.full) return;
    this.recordInto(capture, 'udp', 'turn-relay', src, dst, data, true, () => `${toPeer ? 'relayed to the peer' : 'from the peer, to be relayed'}, ${data.length} bytes`);
  }

  /**
   * A datagram of the session's media peer (server/peer: its ICE sockets), as the peer sent or received it: ICE checks
   * whole, DTLS and SCTP cut at the snap length. Datagrams between the peer and netready's own relay are left to
   * {@link relayDatagram} by the caller, so none is recorded twice.
   */
  peerDatagram(sessionId: string, local: PacketEndpoint, remote: PacketEndpoint, data: Uint8Array, inbound: boolean): void {
    const capture = this.captureOf(sessionId);
    if (!capture || capture.full) return;
    const stun = isStunMessage(data);
    let describe = describeStun;
    if (!stun) {
      // The quality stream's throughput bursts are thousands of datagrams: past the first MEDIA_PEER_DATA_LIMIT
      // they would only push the run's later messages past the session's cap.
      const count = (this.peerData.get(capture) ?? 0) + 1;
      if (count > MEDIA_PEER_DATA_LIMIT) return;
      this.peerData.set(capture, count);
      const last = count === MEDIA_PEER_DATA_LIMIT ? ` — the media peer's later DTLS/SCTP datagrams are not recorded (${MEDIA_PEER_DATA_LIMIT} kept)` : '';
      describe = (d: Uint8Array) => `${inbound ? 'from' : 'to'} the browser, ${d.length} bytes (DTLS, SCTP)${last}`;
    }
    this.recordInto(capture, 'udp', 'media-peer', inbound ? remote : local, inbound ? local : remote, data, !stun, describe, inbound);
  }

  /**
   * A data datagram sent in pieces (the relay's ChannelData: header, then the peer's datagram), recorded into a
   * capture with its first snap-length bytes.
   */
  recordPacket(capture: SessionCapture, source: CaptureSource, src: PacketEndpoint, dst: PacketEndpoint, pieces: Uint8Array[], comment: string): void {
    if (capture.full) return;
    let length = 0;
    for (const piece of pieces) length += piece.length;
    // Pooled: an ArrayBuffer of its own per datagram would cost a microsecond on the relay's hot path.
    const payload = Buffer.allocUnsafe(Math.min(length, this.options.snapLengthBytes));
    let offset = 0;
    for (const piece of pieces) {
      if (offset >= payload.length) break;
      const part = piece.subarray(0, payload.length - offset);
      payload.set(part, offset);
      offset += part.length;
    }
    capture.record({ timestampUs: this.now() * 1000, transport: 'udp', src, dst, payload, originalLength: length, comment: `${source}: ${comment}` });
  }

  /**
   * A STUN/TURN frame on a TCP or TLS connection, or the first bytes of one (a TLS ClientHello), as a TCP segment
   * (`fromClient`: the client sent it). Untied connections' frames wait for their tie like datagrams.
   */
  streamSegment(source: CaptureSource, client: PacketEndpoint, server: PacketEndpoint, data: Uint8Array, fromClient: boolean, comment?: string): void {
    const capture = this.captureOfClient('tcp', client.ip, client.port);
    const src = fromClient ? client : server;
    const dst = fromClient ? server : client;
    const isData = carriesData(data);
    const describe = comment === undefined ? describeStun : () => comment;
    if (capture) {
      if (!capture.full) this.recordInto(capture, 'tcp', source, src, dst, data, isData, describe, fromClient);
      return;
    }
    if (isData) return;
    this.pend(`tcp|${client.ip}|${client.port}`, this.packet('tcp', source, src, dst, data, false, describe, fromClient));
  }

  /**
   * A DNS message on the authoritative server (`fromResolver`: a query; TCP messages with their two-byte length
   * prefix, RFC 7766 §8). Filed under the session its probe label is tied to, or waits for that tie.
   */
  dnsMessage(transport: 'udp' | 'tcp', resolver: PacketEndpoint, server: PacketEndpoint, message: Uint8Array, fromResolver: boolean): void {
    const label = dnsQuestionLabel(message);
    if (!label || !label.startsWith('nr-')) return;
    const wire = transport === 'tcp' ? withLengthPrefix(message) : message;
    const source: CaptureSource = transport === 'udp' ? 'dns-udp' : 'dns-tcp';
    const src = fromResolver ? resolver : server;
    const dst = fromResolver ? server : resolver;
    const capture = this.labelTies.get(label);
    if (capture) {
      if (!capture.full) this.recordInto(capture, transport, source, src, dst, wire, false, () => describeDns(message), fromResolver);
      return;
    }
    this.pend(`dns|${label}`, this.packet(transport, source, src, dst, wire, false, () => describeDns(message), fromResolver));
  }

  /** A TCP segment of a session's HTTP(S) connection (the TLS ClientHello record, a request head) with its comment. */
  sessionSegment(sessionId: string, source: CaptureSource, client: PacketEndpoint, server: PacketEndpoint, data: Uint8Array, comment: string, timestampMs?: number): void {
    const capture = this.live.get(sessionId);
    if (!capture || capture.full) return;
    const packet = this.packet('tcp', source, client, server, data, false, () => comment, true);
    packet.comment = `${source}: ${comment}`;
    if (timestampMs !== undefined) packet.timestampUs = Math.round(timestampMs * 1000);
    capture.record(packet);
  }

  /**
   * The session's pcapng file: from memory while it is live, else from disk; null when there is none (unknown
   * session, never captured, or deleted with the retention).
   */
  async read(sessionId: string): Promise<Uint8Array | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const capture = this.live.get(sessionId);
    if (capture) return capture.encode(this.options.snapLengthBytes);
    const writing = this.writing.get(sessionId);
    if (writing) return writing;
    try {
      return new Uint8Array(await readFile(this.fileOf(sessionId)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Writes and forgets the captures whose session ended or that have been quiet for CAPTURE_IDLE_MS, and drops
   * pending messages that waited too long. Called every half minute by the probe server.
   */
  sweep(): void {
    const now = this.now();
    for (const [id, capture] of this.live) {
      if (this.options.isSessionLive(id) && now - capture.lastActivityMs < CAPTURE_IDLE_MS) continue;
      this.finish(capture);
    }
    for (const [key, list] of this.pending) {
      if (now - list[list.length - 1]!.atMs >= PENDING_TTL_MS) this.pending.delete(key);
    }
  }

  /**
   * Deletes written captures older than the result retention (`results.retentionDays`, by file time), and
   * leftovers of interrupted writes. Returns how many files were deleted. Called hourly by the probe server.
   */
  async sweepRetention(): Promise<number> {
    const cutoff = this.now() - this.options.retentionDays * 86_400_000;
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logError(`netready capture: cannot list ${this.options.dir}`, error);
      return 0;
    }
    let deleted = 0;
    for (const name of names) {
      if (!name.endsWith('.pcapng') && !name.endsWith('.pcapng.tmp')) continue;
      const file = path.join(this.options.dir, name);
      try {
        const info = await stat(file);
        if (info.mtimeMs > cutoff) continue;
        await unlink(file);
        deleted++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logError(`netready capture: cannot delete ${file}`, error);
      }
    }
    return deleted;
  }

  /** Writes every live capture (the probe is stopping) and waits for all writes. */
  async close(): Promise<void> {
    for (const capture of [...this.live.values()]) this.finish(capture);
    await Promise.all([...this.writes]);
  }

  /** Waits for the writes under way (tests). */
  async flushed(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  private fileOf(sessionId: string): string {
    return path.join(this.options.dir, `${sessionId}.pcapng`);
  }

  /** Ends a live capture: untied, out of memory, written to disk (an empty one is not written). */
  private finish(capture: SessionCapture): void {
    const id = capture.sessionId;
    this.live.delete(id);
    const tied = this.tiedBy.get(capture);
    this.tiedBy.delete(capture);
    for (const port of tied?.ports ?? []) {
      const list = this.ties.get(port)?.filter((t) => t.capture !== capture) ?? [];
      if (list.length > 0) this.ties.set(port, list);
      else this.ties.delete(port);
    }
    for (const label of tied?.labels ?? []) this.labelTies.delete(label);
    if (capture.packetCount === 0) return;
    const bytes = capture.encode(this.options.snapLengthBytes);
    this.writing.set(id, bytes);
    const file = this.fileOf(id);
    const write = (async () => {
      try {
        await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
        await writeFile(`${file}.tmp`, bytes, { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      } catch (error) {
        this.options.logError(`netready capture: cannot write ${file}; the session's capture is lost`, error);
      } finally {
        this.writing.delete(id);
      }
    })();
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** A packet kept for later (pending) or recorded now; its comment is made when it is filed (see flushPending). */
  private packet(transport: 'udp' | 'tcp', source: CaptureSource, src: PacketEndpoint, dst: PacketEndpoint, data: Uint8Array, isData: boolean, describe: (data: Uint8Array) => string, fromClient: boolean): PendingPacket {
    const keep = Math.min(data.length, isData ? this.options.snapLengthBytes : MAX_CONTROL_BYTES);
    const now = this.now();
    // A copy (pooled: anonymous Bindings pass here at line rate): the socket layer may reuse its buffers.
    const payload = Buffer.allocUnsafe(keep);
    payload.set(keep === data.length ? data : data.subarray(0, keep));
    return { atMs: now, timestampUs: now * 1000, transport, src: { ip: src.ip, port: src.port }, dst: { ip: dst.ip, port: dst.port }, payload, originalLength: data.length, comment: '', source, describe, fromClient };
  }

  private recordInto(
    capture: SessionCapture,
    transport: 'udp' | 'tcp',
    source: CaptureSource,
    src: PacketEndpoint,
    dst: PacketEndpoint,
    data: Uint8Array,
    isData: boolean,
    describe: (data: Uint8Array) => string,
    fromClient = true,
  ): void {
    const keep = Math.min(data.length, isData ? this.options.snapLengthBytes : MAX_CONTROL_BYTES);
    // record() synthesises the packet at once (one copy of at most `keep` bytes), so no copy is taken here.
    capture.record({
      timestampUs: this.now() * 1000,
      transport,
      src,
      dst,
      payload: keep === data.length ? data : data.subarray(0, keep),
      originalLength: data.length,
      comment: `${source}: ${describe(data)}`,
      fromClient,
    });
  }

  private pend(key: string, packet: PendingPacket): void {
    let list = this.pending.get(key);
    if (!list) {
      if (this.pending.size >= MAX_PENDING_KEYS) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      list = [];
      this.pending.set(key, list);
    }
    if (list.length >= MAX_PENDING_PER_KEY) list.shift();
    list.push(packet);
  }

  /** Files the remembered anonymous Binding exchanges of a newly tied UDP address (a scan: ties are a few per run). */
  private flushBindings(client: PacketEndpoint, capture: SessionCapture): void {
    const now = this.now();
    for (let i = 0; i < RECENT_BINDINGS; i++) {
      const slot = this.bindings[(this.nextBinding + i) % RECENT_BINDINGS]!;
      if (slot.port !== client.port || slot.ip !== client.ip || now - slot.atMs >= PENDING_TTL_MS) continue;
      const timestampUs = slot.atMs * 1000;
      const record = (src: PacketEndpoint, dst: PacketEndpoint, data: Uint8Array): void => {
        capture.record({ timestampUs, transport: 'udp', src, dst, payload: data.subarray(0, MAX_CONTROL_BYTES), originalLength: data.length, comment: `${slot.source}: ${describeStun(data)}` });
      };
      record(client, slot.server, slot.request);
      record(slot.server, client, slot.response);
      slot.atMs = -Infinity;
    }
  }

  private flushPending(key: string, capture: SessionCapture): void {
    const list = this.pending.get(key);
    if (!list) return;
    this.pending.delete(key);
    const now = this.now();
    for (const packet of list) {
      if (now - packet.atMs >= PENDING_TTL_MS) continue;
      if (packet.describe) packet.comment = `${packet.source}: ${packet.describe(packet.payload)}`;
      capture.record(packet);
    }
  }
}

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Whether a STUN/TURN frame carries relayed application data, which is cut at the snap length: ChannelData (RFC 8656
 * §12.4, first byte 0x40–0x7F) and Send / Data indications (message types 0x0016 / 0x0017, §10 and §11: their
 * XOR-PEER-ADDRESS and the DATA header stay within the first 40 bytes).
 */
function carriesData(data: Uint8Array): boolean {
  const first = data[0];
  if (first === undefined) return false;
  if (first >= 0x40 && first <= 0x7f) return true;
  return first === 0x00 && (data[1] === 0x16 || data[1] === 0x17);
}

/** A STUN message (RFC 8489 §5: top bits 00, the magic cookie at offset 4), as ICE checks are; DTLS starts with 20–63. */
function isStunMessage(data: Uint8Array): boolean {
  return data.length >= 20 && data[0]! < 0x40 && data[4] === 0x21 && data[5] === 0x12 && data[6] === 0xa4 && data[7] === 0x42;
}

function withLengthPrefix(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + message.length);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}
