/**
 * The Binding hot path (issue 16): recognises the one request shape a STUN server sees by the ten thousand — a
 * Binding request with no attributes, as browsers send to gather server-reflexive candidates — and writes its
 * success response (XOR-MAPPED-ADDRESS, optional SOFTWARE, FINGERPRINT) without building a message object, an
 * attribute list or a closure. Everything else (attributes, IPv6 clients, FINGERPRINT on the request …) takes the
 * general decoder in message.ts. The output is byte-for-byte what `encodeMessage` produces for the same response;
 * fast-binding.test.ts holds the two to that.
 */
import { ATTR_FINGERPRINT, ATTR_SOFTWARE, ATTR_XOR_MAPPED_ADDRESS, FINGERPRINT_XOR, MAGIC_COOKIE, STUN_HEADER_BYTES } from './constants';
import { crc32Range } from './fingerprint';
import { FAMILY_IPV4 } from './xor-address';

/** RFC 8489 §5: message type of a Binding request (method 0x001, class request). */
const BINDING_REQUEST_TYPE = 0x0001;
/** RFC 8489 §5: message type of a Binding success response (method 0x001, class success). */
const BINDING_SUCCESS_TYPE = 0x0101;
/** XOR-MAPPED-ADDRESS TLV of an IPv4 address: 4-byte header + family/port/address (RFC 8489 §14.2). */
const XOR_MAPPED_IPV4_TLV_BYTES = 12;
/** FINGERPRINT TLV: 4-byte header + CRC-32 (RFC 8489 §14.7). */
const FINGERPRINT_TLV_BYTES = 8;

/**
 * True when `bytes` is exactly a Binding request without attributes (RFC 8489 §5: type 0x0001, length 0, magic
 * cookie). Reads five bytes and a word; no allocation.
 */
export function isPlainBindingRequest(bytes: Uint8Array): boolean {
  return (
    bytes.length === STUN_HEADER_BYTES &&
    bytes[0] === BINDING_REQUEST_TYPE >> 8 &&
    bytes[1] === (BINDING_REQUEST_TYPE & 0xff) &&
    bytes[2] === 0 &&
    bytes[3] === 0 &&
    bytes[4] === MAGIC_COOKIE >>> 24 &&
    bytes[5] === ((MAGIC_COOKIE >>> 16) & 0xff) &&
    bytes[6] === ((MAGIC_COOKIE >>> 8) & 0xff) &&
    bytes[7] === (MAGIC_COOKIE & 0xff)
  );
}

/**
 * Parses a dotted-quad IPv4 address in canonical form (no leading zeros, as Node reports datagram sources) into a
 * 32-bit number, or -1. Char codes, not split(): this runs per datagram.
 */
export function parseIpv4Number(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1; // a leading zero: not canonical
      octet = octet * 10 + (c - 0x30);
      digits++;
      if (octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Writes Binding success responses for plain Binding requests from IPv4 clients. One per server; no I/O. */
export class BindingResponder {
  /** The SOFTWARE TLV, padded, encoded once (empty when the server sends none). */
  private readonly softwareTlv: Uint8Array;
  private readonly size: number;

  /** `software`: the SOFTWARE attribute's text (RFC 8489 §14.14), or undefined for none. */
  constructor(software?: string) {
    if (software) {
      const text = new TextEncoder().encode(software);
      if (text.length > 763) throw new RangeError('SOFTWARE must be at most 763 bytes (RFC 8489 §14.14)');
      this.softwareTlv = new Uint8Array(4 + ((text.length + 3) & ~3));
      this.softwareTlv[0] = ATTR_SOFTWARE >> 8;
      this.softwareTlv[1] = ATTR_SOFTWARE & 0xff;
      this.softwareTlv[2] = text.length >> 8;
      this.softwareTlv[3] = text.length & 0xff;
      this.softwareTlv.set(text, 4);
    } else {
      this.softwareTlv = new Uint8Array(0);
    }
    this.size = STUN_HEADER_BYTES + XOR_MAPPED_IPV4_TLV_BYTES + this.softwareTlv.length + FINGERPRINT_TLV_BYTES;
  }

  /** Bytes of every response this responder writes. */
  get responseBytes(): number {
    return this.size;
  }

  /**
   * Writes the success response to the plain Binding `request` (see {@link isPlainBindingRequest}) from
   * `clientIp`:`clientPort` into `out` at `offset` (needs {@link responseBytes} bytes). Returns false — writing
   * nothing — when the client address is not a canonical IPv4 address; the general encoder handles those.
   */
  writeResponse(request: Uint8Array, clientIp: string, clientPort: number, out: Uint8Array, offset: number): boolean {
    const ip = parseIpv4Number(clientIp);
    if (ip < 0 || clientPort < 0 || clientPort > 0xffff) return false;
    const bodyLength = this.size - STUN_HEADER_BYTES;
    let o = offset;
    // RFC 8489 §5 header: type, length (attributes incl. FINGERPRINT), cookie and the request's transaction ID.
    out[o++] = BINDING_SUCCESS_TYPE >> 8;
    out[o++] = BINDING_SUCCESS_TYPE & 0xff;
    out[o++] = bodyLength >> 8;
    out[o++] = bodyLength & 0xff;
    for (let i = 4; i < STUN_HEADER_BYTES; i++) out[o++] = request[i] ?? 0;
    // RFC 8489 §14.2: X-Port = port ^ (cookie >> 16); X-Address = address ^ cookie.
    out[o++] = ATTR_XOR_MAPPED_ADDRESS >> 8;
    out[o++] = ATTR_XOR_MAPPED_ADDRESS & 0xff;
    out[o++] = 0;
    out[o++] = 8;
    out[o++] = 0;
    out[o++] = FAMILY_IPV4;
    const xPort = clientPort ^ (MAGIC_COOKIE >>> 16);
    out[o++] = xPort >> 8;
    out[o++] = xPort & 0xff;
    const xIp = (ip ^ MAGIC_COOKIE) >>> 0;
    out[o++] = xIp >>> 24;
    out[o++] = (xIp >>> 16) & 0xff;
    out[o++] = (xIp >>> 8) & 0xff;
    out[o++] = xIp & 0xff;
    out.set(this.softwareTlv, o);
    o += this.softwareTlv.length;
    // RFC 8489 §14.7: CRC-32 of everything before the FINGERPRINT attribute, XOR 0x5354554e.
    const fingerprint = (crc32Range(out, offset, o) ^ FINGERPRINT_XOR) >>> 0;
    out[o++] = ATTR_FINGERPRINT >> 8;
    out[o++] = ATTR_FINGERPRINT & 0xff;
    out[o++] = 0;
    out[o++] = 4;
    out[o++] = fingerprint >>> 24;
    out[o++] = (fingerprint >>> 16) & 0xff;
    out[o++] = (fingerprint >>> 8) & 0xff;
    out[o++] = fingerprint & 0xff;
    return true;
  }
}
