/**
 * STUN message framing (RFC 8489 §5–§6): header, attribute TLVs, MESSAGE-INTEGRITY and FINGERPRINT placement.
 * Attribute values stay raw here; lib/protocol/stun/attributes.ts gives them types.
 */
import {
  ATTR_FINGERPRINT,
  ATTR_MESSAGE_INTEGRITY,
  MAGIC_COOKIE,
  MESSAGE_INTEGRITY_BYTES,
  STUN_HEADER_BYTES,
  TRANSACTION_ID_BYTES,
} from './constants';
import type { StunCrypto } from './crypto';
import { DecodeError } from './errors';
import { computeFingerprint } from './fingerprint';

/** RFC 8489 §5: the two class bits C1 C0. */
export type StunClass = 'request' | 'indication' | 'success' | 'error';

const CLASS_BITS: Readonly<Record<StunClass, number>> = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 };
const CLASS_BY_BITS: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

/** One attribute as it sits on the wire. */
export interface RawAttribute {
  /** Attribute type (RFC 8489 §14). */
  type: number;
  /** Value bytes without padding (a view into the message). */
  value: Uint8Array;
  /** Offset of the attribute's 4-byte header inside the message. */
  offset: number;
}

/** A decoded STUN message with raw attribute values. */
export interface StunMessage {
  /** Message class. */
  cls: StunClass;
  /** 12-bit method (RFC 8489 §5). */
  method: number;
  /** 96-bit transaction ID. */
  transactionId: Uint8Array;
  /**
   * Attributes in wire order. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are dropped, as
   * RFC 8489 §14.5 requires ("MUST ignore all other attributes that follow MESSAGE-INTEGRITY").
   */
  attributes: RawAttribute[];
  /** The exact bytes decoded (needed to verify MESSAGE-INTEGRITY and FINGERPRINT). */
  raw: Uint8Array;
  /** Offset of the MESSAGE-INTEGRITY attribute, or null when absent. */
  integrityOffset: number | null;
  /** Offset of the FINGERPRINT attribute, or null when absent. */
  fingerprintOffset: number | null;
}

/** RFC 8489 §5: packs method and class into the 14-bit message type (M11..M7 C1 M6..M4 C0 M3..M0). */
export function encodeMessageType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
}

/** Inverse of {@link encodeMessageType}. */
export function decodeMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, cls: CLASS_BY_BITS[c] ?? 'request' };
}

/**
 * Cheap demultiplexing test (RFC 8489 §5, RFC 7983): leading bits 00, magic cookie present, length aligned.
 * True does not mean the message is well formed; {@link decodeMessage} decides that.
 */
export function looksLikeStun(bytes: Uint8Array): boolean {
  if (bytes.length < STUN_HEADER_BYTES || ((bytes[0] ?? 0xff) & 0xc0) !== 0) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(4) === MAGIC_COOKIE && (view.getUint16(2) & 3) === 0;
}

/** Decodes a whole STUN message; throws {@link DecodeError} on any malformation. */
export function decodeMessage(bytes: Uint8Array): StunMessage {
  if (bytes.length < STUN_HEADER_BYTES) {
    throw new DecodeError('truncated', 'header', `a STUN header needs 20 bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(0);
  if ((type & 0xc000) !== 0) {
    throw new DecodeError('bad-header', 'header/type', 'the two most significant bits must be zero (RFC 8489 §5)');
  }
  const length = view.getUint16(2);
  if (length % 4 !== 0) {
    throw new DecodeError('bad-header', 'header/length', `message length ${length} is not a multiple of 4`);
  }
  if (view.getUint32(4) !== MAGIC_COOKIE) {
    throw new DecodeError('bad-magic-cookie', 'header/magic-cookie', `expected 0x2112a442, got 0x${view.getUint32(4).toString(16)}`);
  }
  if (STUN_HEADER_BYTES + length !== bytes.length) {
    throw new DecodeError('bad-length', 'header/length', `header says ${length} attribute bytes, ${bytes.length - STUN_HEADER_BYTES} present`);
  }
  const { method, cls } = decodeMessageType(type);
  const attributes: RawAttribute[] = [];
  let integrityOffset: number | null = null;
  let fingerprintOffset: number | null = null;
  let offset = STUN_HEADER_BYTES;
  while (offset < bytes.length) {
    const where = `attribute#${attributes.length}@${offset}`;
    if (offset + 4 > bytes.length) throw new DecodeError('truncated', where, 'attribute header cut short');
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const padded = (attrLength + 3) & ~3;
    if (offset + 4 + padded > bytes.length) {
      throw new DecodeError('truncated', where, `attribute 0x${attrType.toString(16)} claims ${attrLength} bytes past the end of the message`);
    }
    if (fingerprintOffset !== null) {
      throw new DecodeError('bad-order', where, 'FINGERPRINT must be the last attribute (RFC 8489 §14.7)');
    }
    const value = bytes.subarray(offset + 4, offset + 4 + attrLength);
    if (attrType === ATTR_FINGERPRINT) {
      if (attrLength !== 4) throw new DecodeError('bad-length', 'attribute/FINGERPRINT/length', `must be 4, got ${attrLength}`);
      fingerprintOffset = offset;
      attributes.push({ type: attrType, value, offset });
    } else if (integrityOffset === null) {
      if (attrType === ATTR_MESSAGE_INTEGRITY) {
        if (attrLength !== MESSAGE_INTEGRITY_BYTES) {
          throw new DecodeError('bad-length', 'attribute/MESSAGE-INTEGRITY/length', `must be 20, got ${attrLength}`);
        }
        integrityOffset = offset;
      }
      attributes.push({ type: attrType, value, offset });
    }
    offset += 4 + padded;
  }
  return {
    cls,
    method,
    transactionId: bytes.subarray(8, STUN_HEADER_BYTES),
    attributes,
    raw: bytes,
    integrityOffset,
    fingerprintOffset,
  };
}

/** The context an attribute value codec may need (XOR addresses mix in the transaction ID). */
export interface AttributeContext {
  /** The message's 96-bit transaction ID. */
  transactionId: Uint8Array;
}

/** An attribute ready to be written: its type and a function producing its value bytes. */
export interface OutgoingAttribute {
  /** Attribute type. */
  type: number;
  /** Produces the value bytes (without padding). */
  encode(ctx: AttributeContext): Uint8Array;
}

/** What to encode. */
export interface StunMessageInit {
  /** Message class. */
  cls: StunClass;
  /** 12-bit method. */
  method: number;
  /** 12-byte transaction ID. */
  transactionId: Uint8Array;
  /** Attributes in order, before MESSAGE-INTEGRITY/FINGERPRINT (add those through options). */
  attributes: readonly OutgoingAttribute[];
}

/** Trailer options for {@link encodeMessage}. */
export interface EncodeOptions {
  /** Append MESSAGE-INTEGRITY computed with this key (RFC 8489 §14.5). */
  integrity?: { key: Uint8Array; crypto: StunCrypto };
  /** Append FINGERPRINT (RFC 8489 §14.7). */
  fingerprint?: boolean;
}

/** Wraps raw value bytes as an {@link OutgoingAttribute} (for types without a typed codec). */
export function rawAttribute(type: number, value: Uint8Array): OutgoingAttribute {
  return { type, encode: () => value };
}

/** Encodes a STUN message; throws RangeError when the transaction ID or an attribute is out of range. */
export function encodeMessage(init: StunMessageInit, options: EncodeOptions = {}): Uint8Array {
  if (init.transactionId.length !== TRANSACTION_ID_BYTES) {
    throw new RangeError(`transaction ID must be 12 bytes, got ${init.transactionId.length}`);
  }
  if (init.method < 0 || init.method > 0xfff) throw new RangeError(`method 0x${init.method.toString(16)} does not fit 12 bits`);
  const ctx: AttributeContext = { transactionId: init.transactionId };
  const values = init.attributes.map((a) => {
    const value = a.encode(ctx);
    if (value.length > 0xffff) throw new RangeError(`attribute 0x${a.type.toString(16)} value is ${value.length} bytes`);
    return { type: a.type, value };
  });
  let bodyLength = values.reduce((sum, a) => sum + 4 + ((a.value.length + 3) & ~3), 0);
  const total =
    STUN_HEADER_BYTES + bodyLength + (options.integrity ? 4 + MESSAGE_INTEGRITY_BYTES : 0) + (options.fingerprint ? 8 : 0);
  if (total - STUN_HEADER_BYTES > 0xffff) throw new RangeError(`message body of ${total - STUN_HEADER_BYTES} bytes exceeds 65535`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, encodeMessageType(init.method, init.cls));
  view.setUint32(4, MAGIC_COOKIE);
  out.set(init.transactionId, 8);
  let offset = STUN_HEADER_BYTES;
  for (const a of values) {
    view.setUint16(offset, a.type);
    view.setUint16(offset + 2, a.value.length);
    out.set(a.value, offset + 4);
    offset += 4 + ((a.value.length + 3) & ~3);
  }
  if (options.integrity) {
    // RFC 8489 §14.5: the length field counts up to and including MESSAGE-INTEGRITY while hashing.
    bodyLength += 4 + MESSAGE_INTEGRITY_BYTES;
    view.setUint16(2, bodyLength);
    const mac = options.integrity.crypto.hmacSha1(options.integrity.key, out.subarray(0, offset));
    view.setUint16(offset, ATTR_MESSAGE_INTEGRITY);
    view.setUint16(offset + 2, MESSAGE_INTEGRITY_BYTES);
    out.set(mac.subarray(0, MESSAGE_INTEGRITY_BYTES), offset + 4);
    offset += 4 + MESSAGE_INTEGRITY_BYTES;
  }
  if (options.fingerprint) {
    bodyLength += 8;
    view.setUint16(2, bodyLength);
    const crc = computeFingerprint(out.subarray(0, offset));
    view.setUint16(offset, ATTR_FINGERPRINT);
    view.setUint16(offset + 2, 4);
    view.setUint32(offset + 4, crc);
    offset += 8;
  }
  view.setUint16(2, bodyLength);
  return out;
}
