/**
 * The packets one test session exchanged with the probe servers, kept as ready-made pcapng Enhanced Packet Blocks
 * (server/capture/pcapng.ts) up to a byte cap. Datagrams are recorded as they are; stream data (TURN over TCP, the
 * TLS ClientHello, an HTTP request head) as TCP segments whose sequence numbers advance by each segment's length
 * per connection and direction, so Wireshark reassembles messages split across segments. Never throws: an address
 * that cannot be synthesised is skipped.
 */
import { enhancedPacketBlock, interfaceDescriptionBlock, packetBlock, sectionHeaderBlock, TCP_ACK, TCP_PSH, type PacketEndpoint } from './pcapng';

/** pcapng bytes of the section and interface headers (counted against the cap like packets). */
const HEADER_ALLOWANCE_BYTES = 256;

/** What a capture is limited to. */
export interface SessionCaptureLimits {
  /** Most bytes of the pcapng file; recording stops there with a "capture truncated" comment. */
  maxBytes: number;
  /**
   * The server's address to write for a listener bound to the unspecified address (`0.0.0.0`, `::`), which is not
   * where the client sent its packets: the public addresses clients reach. Default: written as bound.
   */
  unspecifiedAs?: { v4?: string; v6?: string };
}

function resolved(endpoint: PacketEndpoint, unspecifiedAs: SessionCaptureLimits['unspecifiedAs']): PacketEndpoint {
  if (endpoint.ip === '0.0.0.0' && unspecifiedAs?.v4) return { ip: unspecifiedAs.v4, port: endpoint.port };
  if (endpoint.ip === '::' && unspecifiedAs?.v6) return { ip: unspecifiedAs.v6, port: endpoint.port };
  return endpoint;
}

/** One packet to record. */
export interface CapturedPacket {
  /** Microseconds since the epoch when the server received or sent it. */
  timestampUs: number;
  transport: 'udp' | 'tcp';
  src: PacketEndpoint;
  dst: PacketEndpoint;
  /** Payload kept (already cut to the snap length where that applies). */
  payload: Uint8Array;
  /** The payload's real length. Default payload's. */
  originalLength?: number;
  /** The packet's comment: the server and what it was, e.g. `turn-udp: Allocate request`. */
  comment: string;
  /**
   * TCP only: which side is the client, so the connection's two sequence numbers are kept apart (the client is
   * the `src` of its own segments).
   */
  fromClient?: boolean;
}

interface TcpState {
  clientNext: number;
  serverNext: number;
}

/** One session's recorded packets. */
export class SessionCapture {
  /** The session's id (`POST /v1/sessions`). */
  readonly sessionId: string;
  private readonly limits: SessionCaptureLimits;
  private readonly blocks: { timestampUs: number; bytes: Uint8Array }[] = [];
  private readonly tcp = new Map<string, TcpState>();
  private totalBytes = HEADER_ALLOWANCE_BYTES;
  private truncatedAtBytes: number | null = null;
  private ipId = 0;
  /** Milliseconds since the epoch of the last packet recorded (or of creation). */
  lastActivityMs: number;

  /** An empty capture; `nowMs` starts its idle clock. */
  constructor(sessionId: string, limits: SessionCaptureLimits, nowMs: number) {
    this.sessionId = sessionId;
    this.limits = limits;
    this.lastActivityMs = nowMs;
  }

  /** Bytes the pcapng file has now (headers included). */
  get sizeBytes(): number {
    return this.totalBytes;
  }

  /** Packets recorded. */
  get packetCount(): number {
    return this.blocks.length;
  }

  /** Whether recording stopped at the cap: then the size it stopped at. */
  get truncatedAt(): number | null {
    return this.truncatedAtBytes;
  }

  /** True once the cap is reached: the hot paths ask this before copying anything. */
  get full(): boolean {
    return this.truncatedAtBytes !== null;
  }

  /** Records one packet; false when the cap stopped it (or its addresses were no IP). */
  record(original: CapturedPacket): boolean {
    if (this.truncatedAtBytes !== null) return false;
    const unspecifiedAs = this.limits.unspecifiedAs;
    const packet = unspecifiedAs ? { ...original, src: resolved(original.src, unspecifiedAs), dst: resolved(original.dst, unspecifiedAs) } : original;
    let tcp: { seq: number; ack: number; flags: number } | undefined;
    let state: TcpState | undefined;
    const length = packet.originalLength ?? packet.payload.length;
    if (packet.transport === 'tcp') {
      const client = packet.fromClient === false ? packet.dst : packet.src;
      const server = packet.fromClient === false ? packet.src : packet.dst;
      const key = `${client.ip}|${client.port}|${server.ip}|${server.port}`;
      state = this.tcp.get(key);
      if (!state) {
        // Relative sequence numbers start at 1 in Wireshark's view whatever the first one is.
        state = { clientNext: 1, serverNext: 1 };
        this.tcp.set(key, state);
      }
      tcp = packet.fromClient === false ? { seq: state.serverNext, ack: state.clientNext, flags: TCP_PSH | TCP_ACK } : { seq: state.clientNext, ack: state.serverNext, flags: TCP_PSH | TCP_ACK };
    }
    let block: Uint8Array;
    try {
      block = packetBlock(packet.timestampUs, { transport: packet.transport, src: packet.src, dst: packet.dst, payload: packet.payload, originalLength: length, ipId: this.ipId++, ...(tcp ? { tcp } : {}) }, packet.comment);
    } catch {
      return false;
    }
    if (this.totalBytes + block.length > this.limits.maxBytes) {
      this.truncatedAtBytes = this.totalBytes;
      return false;
    }
    if (state) {
      if (packet.fromClient === false) state.serverNext = (state.serverNext + length) >>> 0;
      else state.clientNext = (state.clientNext + length) >>> 0;
    }
    this.blocks.push({ timestampUs: packet.timestampUs, bytes: block });
    this.totalBytes += block.length;
    this.lastActivityMs = Math.floor(packet.timestampUs / 1000);
    return true;
  }

  /**
   * The pcapng file: section header (its comment names the session and, when recording stopped at the cap, says
   * so), interface description, the packets in time order (packets of a source address first tied to the session
   * later were recorded later), and a final comment-only block "capture truncated at N bytes" when it was.
   */
  encode(snapLengthBytes: number): Uint8Array {
    const truncated = this.truncatedAtBytes === null ? '' : `; capture truncated at ${this.truncatedAtBytes} bytes (probe.capture.maxBytesPerSession)`;
    const parts: Uint8Array[] = [
      sectionHeaderBlock('netready probe servers', `netready session ${this.sessionId}: what the probe servers received and sent${truncated}`),
      interfaceDescriptionBlock('netready probe servers (synthesised IP/UDP/TCP headers)', snapLengthBytes),
    ];
    const ordered = [...this.blocks].sort((a, b) => a.timestampUs - b.timestampUs);
    for (const { bytes } of ordered) parts.push(bytes);
    if (this.truncatedAtBytes !== null) {
      const last = ordered[ordered.length - 1]?.timestampUs ?? this.lastActivityMs * 1000;
      parts.push(enhancedPacketBlock(last, new Uint8Array(0), 0, `capture truncated at ${this.truncatedAtBytes} bytes`));
    }
    const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
