/**
 * A small pcapng writer (draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File Format"): one Section
 * Header Block, one Interface Description Block of LINKTYPE_RAW (101: the packet starts with its IPv4 or IPv6
 * header), and Enhanced Packet Blocks whose packets are synthesised — an IP header and a UDP or TCP header with
 * correct lengths and checksums — around the payload the probe servers saw, each with an `opt_comment`.
 * Little-endian throughout (§4.1: a reader tells the byte order from the byte-order magic). Pure: bytes out.
 */
import { parseIp } from '../../lib/protocol/stun/ip';

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

/** Adds the big-endian 16-bit words of `bytes` to `initial` (RFC 1071; an odd last byte is padded with zero). */
function sumWords(bytes: Uint8Array, initial: number): number {
  let sum = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

/** RFC 1071 Internet checksum over the given pieces (each but the last of even length). */
function internetChecksum(pieces: Uint8Array[]): number {
  let sum = 0;
  for (const piece of pieces) sum = sumWords(piece, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** 16 bytes of an IPv4 address as an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2), for a mixed-family pair. */
function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/**
 * The IP packet around a transport payload: IPv4 (RFC 791, no options, DF set, TTL 64) or IPv6 (RFC 8200, hop
 * limit 64), then UDP (RFC 768) or TCP (RFC 9293, 20-byte header, window 65535). Lengths name the original
 * payload length; the checksum covers the payload when it is whole, and is 0 when it was cut short (UDP over IPv4:
 * "no checksum"; elsewhere readers report it unverifiable, which it is). Throws on an address that is no IP.
 */
export function synthesisePacket(packet: SynthPacket): { bytes: Uint8Array; originalLength: number } {
  let src = parseIp(packet.src.ip, 'src');
  let dst = parseIp(packet.dst.ip, 'dst');
  if (src.length !== dst.length) {
    src = src.length === 4 ? mapped(src) : src;
    dst = dst.length === 4 ? mapped(dst) : dst;
  }
  const v6 = src.length === 16;
  const payloadLength = Math.max(packet.originalLength ?? packet.payload.length, packet.payload.length);
  const whole = payloadLength === packet.payload.length;
  const transportHeaderLength = packet.transport === 'udp' ? 8 : 20;
  const ipHeaderLength = v6 ? 40 : 20;
  const transportLength = transportHeaderLength + payloadLength;
  const bytes = new Uint8Array(ipHeaderLength + transportHeaderLength + packet.payload.length);
  const view = new DataView(bytes.buffer);
  const protocol = packet.transport === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
  if (v6) {
    view.setUint32(0, 0x60000000);
    view.setUint16(4, transportLength);
    bytes[6] = protocol;
    bytes[7] = 64;
    bytes.set(src, 8);
    bytes.set(dst, 24);
  } else {
    bytes[0] = 0x45;
    view.setUint16(2, ipHeaderLength + transportLength);
    view.setUint16(4, (packet.ipId ?? 0) & 0xffff);
    view.setUint16(6, 0x4000);
    bytes[8] = 64;
    bytes[9] = protocol;
    bytes.set(src, 12);
    bytes.set(dst, 16);
    view.setUint16(10, internetChecksum([bytes.subarray(0, 20)]));
  }
  const t = ipHeaderLength;
  view.setUint16(t, packet.src.port);
  view.setUint16(t + 2, packet.dst.port);
  if (packet.transport === 'udp') {
    view.setUint16(t + 4, transportLength);
  } else {
    const tcp = packet.tcp ?? { seq: 0, ack: 0 };
    view.setUint32(t + 4, tcp.seq >>> 0);
    view.setUint32(t + 8, tcp.ack >>> 0);
    bytes[t + 12] = 5 << 4;
    bytes[t + 13] = tcp.flags ?? TCP_PSH | TCP_ACK;
    view.setUint16(t + 14, 0xffff);
  }
  bytes.set(packet.payload, t + transportHeaderLength);
  if (whole) {
    // The pseudo-header (RFC 768; RFC 8200 §8.1 for IPv6): addresses, protocol, transport length.
    const pseudo = new Uint8Array(v6 ? 40 : 12);
    const pv = new DataView(pseudo.buffer);
    pseudo.set(src, 0);
    pseudo.set(dst, src.length);
    if (v6) {
      pv.setUint32(32, transportLength);
      pseudo[39] = protocol;
    } else {
      pseudo[9] = protocol;
      pv.setUint16(10, transportLength);
    }
    let checksum = internetChecksum([pseudo, bytes.subarray(t)]);
    // RFC 768: a computed UDP checksum of 0 is sent as all ones (0 means "none").
    if (packet.transport === 'udp' && checksum === 0) checksum = 0xffff;
    view.setUint16(t + (packet.transport === 'udp' ? 6 : 16), checksum);
  }
  return { bytes, originalLength: ipHeaderLength + transportLength };
}
