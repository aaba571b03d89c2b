/**
 * Address attribute values: MAPPED-ADDRESS (RFC 8489 §14.1) and the XOR form (§14.2) shared by
 * XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8656 §18).
 */
import { copyBytes } from './bytes';
import { MAGIC_COOKIE } from './constants';
import { DecodeError } from './errors';
import { formatIp, parseIp, type Endpoint } from './ip';

/** RFC 8489 §14.1: family 0x01 = IPv4. */
export const FAMILY_IPV4 = 0x01;
/** RFC 8489 §14.1: family 0x02 = IPv6. */
export const FAMILY_IPV6 = 0x02;

const COOKIE_BYTES = Uint8Array.of(0x21, 0x12, 0xa4, 0x42);

function xorMask(transactionId: Uint8Array, length: number): Uint8Array {
  // RFC 8489 §14.2: IPv4 is XORed with the magic cookie; IPv6 with cookie ‖ transaction ID.
  const mask = new Uint8Array(16);
  mask.set(COOKIE_BYTES, 0);
  mask.set(transactionId.subarray(0, 12), 4);
  return mask.subarray(0, length);
}

function decodeAddress(value: Uint8Array, where: string, transactionId: Uint8Array | null): Endpoint {
  if (value.length < 4) throw new DecodeError('truncated', where, `address value needs at least 4 bytes, got ${value.length}`);
  const family = value[1];
  const expected = family === FAMILY_IPV4 ? 8 : family === FAMILY_IPV6 ? 20 : -1;
  if (expected < 0) throw new DecodeError('bad-value', `${where}/family`, `unknown address family 0x${(family ?? 0).toString(16)}`);
  if (value.length !== expected) {
    throw new DecodeError('bad-length', where, `family 0x0${family} needs ${expected} bytes, got ${value.length}`);
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let port = view.getUint16(2);
  const ip = copyBytes(value, 4);
  if (transactionId) {
    port ^= MAGIC_COOKIE >>> 16;
    const mask = xorMask(transactionId, ip.length);
    for (let i = 0; i < ip.length; i++) ip[i] = (ip[i] ?? 0) ^ (mask[i] ?? 0);
  }
  return { ip: formatIp(ip, `${where}/address`), port };
}

function encodeAddress(endpoint: Endpoint, transactionId: Uint8Array | null): Uint8Array {
  const ip = parseIp(endpoint.ip);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 0xffff) {
    throw new RangeError(`port ${endpoint.port} out of range`);
  }
  const out = new Uint8Array(4 + ip.length);
  const view = new DataView(out.buffer);
  out[1] = ip.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  view.setUint16(2, transactionId ? endpoint.port ^ (MAGIC_COOKIE >>> 16) : endpoint.port);
  if (transactionId) {
    const mask = xorMask(transactionId, ip.length);
    for (let i = 0; i < ip.length; i++) ip[i] = (ip[i] ?? 0) ^ (mask[i] ?? 0);
  }
  out.set(ip, 4);
  return out;
}

/** Decodes an XOR-*-ADDRESS value (RFC 8489 §14.2); throws DecodeError when malformed. */
export function decodeXorAddress(value: Uint8Array, transactionId: Uint8Array, where: string): Endpoint {
  return decodeAddress(value, where, transactionId);
}

/** Encodes an XOR-*-ADDRESS value (RFC 8489 §14.2). */
export function encodeXorAddress(endpoint: Endpoint, transactionId: Uint8Array): Uint8Array {
  return encodeAddress(endpoint, transactionId);
}

/** Decodes a plain MAPPED-ADDRESS-style value (RFC 8489 §14.1); throws DecodeError when malformed. */
export function decodePlainAddress(value: Uint8Array, where: string): Endpoint {
  return decodeAddress(value, where, null);
}

/** Encodes a plain MAPPED-ADDRESS-style value (RFC 8489 §14.1). */
export function encodePlainAddress(endpoint: Endpoint): Uint8Array {
  return encodeAddress(endpoint, null);
}
