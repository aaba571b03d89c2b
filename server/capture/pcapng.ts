/**
 * A small pcapng writer (draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File Format"): one Section
 * Header Block, one Interface Description Block of LINKTYPE_RAW (101: the packet starts with its IPv4 or IPv6
 * header), and Enhanced Packet Blocks whose packets are synthesised — an IP header and a UDP or TCP header with
 * correct lengths and checksums — around the payload the probe servers saw, each with an `opt_comment`.
 * Little-endian throughout (§4.1: a reader tells the byte order from the byte-order magic). Pure: bytes out.
 */
import { parseIp, parseIpv4 } from '../../lib/protocol/stun/ip';

/** §4.1 Section Header Block type; the same bytes in either byte order. */
const BLOCK_SHB = 0x0a0d0d0a;
/** §4.2 Interface Description Block type. */
const BLOCK_IDB = 0x00000001;
/** §4.3 Enhanced Packet Block type. */
const BLOCK_EPB = 0x00000006;
/** §4.1 byte-order magic. */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** §3.5 options: opt_endofopt, opt_comment. */
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
/** §4.1 shb_userappl: the application that wrote the section. */
const SHB_USERAPPL = 4;
/** §4.2 if_name and if_tsresol (6: microseconds, the default, written for clarity). */
const IF_NAME = 2;
const IF_TSRESOL = 9;
/** tcpdump.org link-layer header types: LINKTYPE_RAW, raw IPv4 or IPv6. */
export const LINKTYPE_RAW = 101;
/** IANA protocol numbers. */
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** TCP flags (RFC 9293 §3.1). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** One side of a packet. */
export interface PacketEndpoint {
  ip: string;
  port: number;
}

/** A packet to synthesise: the transport payload as seen (maybe cut short) and how long it really was. */
export interface SynthPacket {
  transport: 'udp' | 'tcp';
  src: PacketEndpoint;
  dst: PacketEndpoint;
  /** The payload bytes kept (at most `originalLength`). */
  payload: Uint8Array;
  /** The payload's real length; larger than `payload.length` when it was cut at the snap length. Default payload's. */
  originalLength?: number;
  /** TCP only: sequence and acknowledgement numbers and flags (default PSH|ACK). */
  tcp?: { seq: number; ack: number; flags?: number };
  /** IPv4 identification, for readers that show it. Default 0. */
  ipId?: number;
}

const textEncoder = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One option (§3.5): code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

/** A block (§3.1): type, total length, body, total length again. */
function block(type: number, body: Uint8Array[]): Uint8Array {
  const bodyLength = body.reduce((sum, part) => sum + part.length, 0);
  const total = 12 + bodyLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  let offset = 8;
  for (const part of body) {
    out.set(part, offset);
    offset += part.length;
  }
  view.setUint32(total - 4, total, true);
  return out;
}

function options(list: Uint8Array[]): Uint8Array[] {
  return list.length === 0 ? [] : [...list, option(OPT_ENDOFOPT, new Uint8Array(0))];
}

/**
 * Section Header Block (§4.1), version 1.0, section length unknown (-1), naming the writing application, with an
 * optional section comment.
 */
export function sectionHeaderBlock(application: string, comment?: string): Uint8Array {
  const fixed = new Uint8Array(16);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, BYTE_ORDER_MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  view.setBigInt64(8, -1n, true);
  const list = [option(SHB_USERAPPL, textEncoder.encode(application))];
  if (comment) list.unshift(option(OPT_COMMENT, textEncoder.encode(comment)));
  return block(BLOCK_SHB, [fixed, ...options(list)]);
}

/** Interface Description Block (§4.2) of LINKTYPE_RAW with this snap length (0: no limit) and a name. */
export function interfaceDescriptionBlock(name: string, snapLength: number): Uint8Array {
  const fixed = new Uint8Array(8);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, LINKTYPE_RAW, true);
  view.setUint32(4, snapLength, true);
  return block(BLOCK_IDB, [fixed, ...options([option(IF_NAME, textEncoder.encode(name)), option(IF_TSRESOL, Uint8Array.of(6))])]);
}

/**
 * Enhanced Packet Block (§4.3) on interface 0: timestamp in microseconds since the epoch, the captured bytes, the
 * packet's original length, and an `opt_comment` (UTF-8) when given.
 */
export function enhancedPacketBlock(timestampUs: number, packet: Uint8Array, originalLength: number, comment?: string): Uint8Array {
  const fixed = new Uint8Array(20);
  const view = new DataView(fixed.buffer);
  const high = Math.floor(timestampUs / 2 ** 32);
  view.setUint32(0, 0, true);
  view.setUint32(4, high >>> 0, true);
  view.setUint32(8, (timestampUs - high * 2 ** 32) >>> 0, true);
  view.setUint32(12, packet.length, true);
  view.setUint32(16, originalLength, true);
  const data = new Uint8Array(pad4(packet.length));
  data.set(packet);
  const opts = comment ? options([option(OPT_COMMENT, textEncoder.encode(comment))]) : [];
  return block(BLOCK_EPB, [fixed, data, ...opts]);
}

/** Adds the big-endian 16-bit words of `bytes[from, to)` to `initial` (RFC 1071; an odd last byte is padded with zero). */
function sumWords(bytes: Uint8Array, from: number, to: number, initial: number): number {
  let sum = initial;
  const even = from + ((to - from) & ~1);
  for (let i = from; i < even; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if ((to - from) & 1) sum += bytes[to - 1]! << 8;
  return sum;
}

/** RFC 1071: folds a 32-bit sum of 16-bit words into the one's-complement checksum. */
function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Writes an IPv4 dotted quad into `out` at `offset` without allocating (the capture's hot path); false when `text`
 * is not one (then the caller parses it as IPv6).
 */
function writeIpv4(text: string, out: Uint8Array, offset: number): boolean {
  let octet = 0;
  let digits = 0;
  let index = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3 || octet > 255) return false;
    } else if (c === 0x2e && digits > 0 && index < 4) {
      out[offset + index++] = octet;
      octet = 0;
      digits = 0;
    } else return false;
  }
  return index === 4;
}

/** The 16 bytes of an address for an IPv6 header: IPv6 as parsed, IPv4 as IPv4-mapped (RFC 4291 §2.5.5.2). */
function ipv6Bytes(text: string, where: string): Uint8Array {
  const v4 = new Uint8Array(4);
  if (!writeIpv4(text, v4, 0)) return parseIp(text, where);
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/** Bytes of the IP packet {@link writePacket} writes, and the packet's original length on the wire. */
export function packetLengths(packet: SynthPacket): { captured: number; original: number; v6: boolean } {
  const v6 = packet.src.ip.includes(':') || packet.dst.ip.includes(':');
  const headers = (v6 ? 40 : 20) + (packet.transport === 'udp' ? 8 : 20);
  const payloadLength = Math.max(packet.originalLength ?? packet.payload.length, packet.payload.length);
  return { captured: headers + packet.payload.length, original: headers + payloadLength, v6 };
}

/**
 * Writes the IP packet around a transport payload into `out` at `offset` (`packetLengths(packet).captured` bytes):
 * IPv4 (RFC 791, no options, DF set, TTL 64) or IPv6 (RFC 8200, hop limit 64; an IPv4 address beside an IPv6 one is
 * written IPv4-mapped), then UDP (RFC 768) or TCP (RFC 9293, 20-byte header, window 65535). Lengths name the original
 * payload length; the checksum covers the payload when it is whole, and is 0 when it was cut short (UDP over IPv4:
 * "no checksum"; elsewhere readers report it unverifiable, which it is). Throws on an address that is no IP.
 */
export function writePacket(packet: SynthPacket, out: Uint8Array, offset: number): void {
  const { captured, original, v6 } = packetLengths(packet);
  out.fill(0, offset, offset + captured - packet.payload.length);
  const view = new DataView(out.buffer, out.byteOffset + offset, captured);
  const protocol = packet.transport === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
  const ipHeaderLength = v6 ? 40 : 20;
  const transportLength = original - ipHeaderLength;
  const srcAt = offset + (v6 ? 8 : 12);
  const dstAt = offset + (v6 ? 24 : 16);
  if (v6) {
    view.setUint32(0, 0x60000000);
    view.setUint16(4, transportLength);
    out[offset + 6] = protocol;
    out[offset + 7] = 64;
    out.set(ipv6Bytes(packet.src.ip, 'src'), srcAt);
    out.set(ipv6Bytes(packet.dst.ip, 'dst'), dstAt);
  } else {
    if (!writeIpv4(packet.src.ip, out, srcAt)) out.set(parseIpv4(packet.src.ip, 'src'), srcAt);
    if (!writeIpv4(packet.dst.ip, out, dstAt)) out.set(parseIpv4(packet.dst.ip, 'dst'), dstAt);
    out[offset] = 0x45;
    view.setUint16(2, original);
    view.setUint16(4, (packet.ipId ?? 0) & 0xffff);
    view.setUint16(6, 0x4000);
    out[offset + 8] = 64;
    out[offset + 9] = protocol;
    view.setUint16(10, foldChecksum(sumWords(out, offset, offset + 20, 0)));
  }
  const t = ipHeaderLength;
  view.setUint16(t, packet.src.port);
  view.setUint16(t + 2, packet.dst.port);
  const transportHeaderLength = packet.transport === 'udp' ? 8 : 20;
  if (packet.transport === 'udp') {
    view.setUint16(t + 4, transportLength);
  } else {
    const tcp = packet.tcp ?? { seq: 0, ack: 0 };
    view.setUint32(t + 4, tcp.seq >>> 0);
    view.setUint32(t + 8, tcp.ack >>> 0);
    out[offset + t + 12] = 5 << 4;
    out[offset + t + 13] = tcp.flags ?? TCP_PSH | TCP_ACK;
    view.setUint16(t + 14, 0xffff);
  }
  out.set(packet.payload, offset + t + transportHeaderLength);
  if (captured === original) {
    // The pseudo-header (RFC 768; RFC 8200 §8.1 for IPv6): addresses, protocol, transport length.
    const addressBytes = v6 ? 16 : 4;
    let sum = sumWords(out, srcAt, srcAt + addressBytes, 0);
    sum = sumWords(out, dstAt, dstAt + addressBytes, sum);
    sum += protocol + (transportLength & 0xffff) + (transportLength >>> 16);
    let checksum = foldChecksum(sumWords(out, offset + t, offset + captured, sum));
    // RFC 768: a computed UDP checksum of 0 is sent as all ones (0 means "none").
    if (packet.transport === 'udp' && checksum === 0) checksum = 0xffff;
    view.setUint16(t + (packet.transport === 'udp' ? 6 : 16), checksum);
  }
}

/** The synthesised IP packet of {@link writePacket} in bytes of its own, and its original length. */
export function synthesisePacket(packet: SynthPacket): { bytes: Uint8Array; originalLength: number } {
  const { captured, original } = packetLengths(packet);
  const bytes = new Uint8Array(captured);
  writePacket(packet, bytes, 0);
  return { bytes, originalLength: original };
}

/**
 * One Enhanced Packet Block (§4.3) on interface 0 around a synthesised packet, with its comment — built in one
 * allocation (Node's pooled `Buffer.allocUnsafe` for small blocks: recording runs on the servers' hot paths, where
 * an ArrayBuffer per piece cost microseconds). Throws on an address that is no IP.
 */
export function packetBlock(timestampUs: number, packet: SynthPacket, comment: string): Uint8Array {
  const { captured, original } = packetLengths(packet);
  const commentBytes = Buffer.byteLength(comment, 'utf8');
  const optionsLength = commentBytes > 0 ? 4 + pad4(commentBytes) + 4 : 0;
  const total = 12 + 20 + pad4(captured) + optionsLength;
  const out = Buffer.allocUnsafe(total);
  const view = new DataView(out.buffer, out.byteOffset, total);
  view.setUint32(0, BLOCK_EPB, true);
  view.setUint32(4, total, true);
  const high = Math.floor(timestampUs / 2 ** 32);
  view.setUint32(8, 0, true);
  view.setUint32(12, high >>> 0, true);
  view.setUint32(16, (timestampUs - high * 2 ** 32) >>> 0, true);
  view.setUint32(20, captured, true);
  view.setUint32(24, original, true);
  writePacket(packet, out, 28);
  let at = 28 + captured;
  out.fill(0, at, 28 + pad4(captured));
  at = 28 + pad4(captured);
  if (optionsLength > 0) {
    view.setUint16(at, OPT_COMMENT, true);
    view.setUint16(at + 2, commentBytes, true);
    out.write(comment, at + 4, 'utf8');
    out.fill(0, at + 4 + commentBytes, at + 4 + pad4(commentBytes) + 4);
  }
  view.setUint32(total - 4, total, true);
  return out;
}
