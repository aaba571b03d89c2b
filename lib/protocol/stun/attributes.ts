/**
 * The typed STUN attribute table (RFC 8489 §14, RFC 8445 §16.1): wire type, name, RFC and value codec for each
 * attribute netready understands. TURN's attributes are in lib/protocol/turn/attributes.ts, built the same way.
 */
import { copyBytes } from './bytes';
import * as C from './constants';
import { DecodeError } from './errors';
import type { Endpoint } from './ip';
import type { AttributeContext, OutgoingAttribute, StunMessage } from './message';
import { decodePlainAddress, decodeXorAddress, encodePlainAddress, encodeXorAddress } from './xor-address';

/** An attribute's identity and decoder, without its value type (what a heterogeneous table can hold). */
export interface AttributeInfo {
  /** Wire type. */
  readonly type: number;
  /** RFC name, e.g. `XOR-MAPPED-ADDRESS`. */
  readonly name: string;
  /** Where it is defined, e.g. `RFC 8489 §14.2`. */
  readonly rfc: string;
  /** Decodes a value; throws DecodeError. */
  decode(value: Uint8Array, ctx: AttributeContext): unknown;
}

/** A typed attribute: identity plus a value codec for `T`. */
export interface AttributeSpec<T> extends AttributeInfo {
  /** Decodes a value; throws DecodeError whose `where` is `attribute/<NAME>/…`. */
  decode(value: Uint8Array, ctx: AttributeContext): T;
  /** Encodes a value; throws RangeError when `value` cannot be represented. */
  encode(value: T, ctx: AttributeContext): Uint8Array;
}

/** Builds an {@link AttributeSpec} whose decode errors are located at `attribute/<name>/value`. */
export function defineAttribute<T>(
  type: number,
  name: string,
  rfc: string,
  codec: { decode(value: Uint8Array, ctx: AttributeContext, where: string): T; encode(value: T, ctx: AttributeContext): Uint8Array },
): AttributeSpec<T> {
  const where = `attribute/${name}/value`;
  return {
    type,
    name,
    rfc,
    decode: (value, ctx) => codec.decode(value, ctx, where),
    encode: (value, ctx) => codec.encode(value, ctx),
  };
}

/** Pairs a spec with a value for {@link encodeMessage}. */
export function attr<T>(spec: AttributeSpec<T>, value: T): OutgoingAttribute {
  return { type: spec.type, encode: (ctx) => spec.encode(value, ctx) };
}

/**
 * The first attribute of `spec`'s type, decoded. `undefined` means absent — a present but malformed attribute
 * throws DecodeError, never `undefined`.
 */
export function readAttribute<T>(message: StunMessage, spec: AttributeSpec<T>): T | undefined {
  const raw = message.attributes.find((a) => a.type === spec.type);
  return raw ? spec.decode(raw.value, message) : undefined;
}

/** Every attribute of `spec`'s type, decoded in wire order; throws DecodeError on the first malformed one. */
export function readAllAttributes<T>(message: StunMessage, spec: AttributeSpec<T>): T[] {
  return message.attributes.filter((a) => a.type === spec.type).map((a) => spec.decode(a.value, message));
}

/** True when an attribute of this type is present. */
export function hasAttribute(message: StunMessage, type: number): boolean {
  return message.attributes.some((a) => a.type === type);
}

const utf8Encoder = new TextEncoder();

/** A UTF-8 text codec with a byte limit (RFC 8489 gives limits in bytes and characters). */
export function textCodec(maxBytes: number, maxChars = Infinity) {
  return {
    decode(value: Uint8Array, _ctx: AttributeContext, where: string): string {
      if (value.length > maxBytes) throw new DecodeError('bad-length', where, `at most ${maxBytes} bytes allowed, got ${value.length}`);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
      } catch (cause) {
        throw new DecodeError('bad-utf8', where, 'not valid UTF-8', { cause });
      }
      if ([...text].length > maxChars) throw new DecodeError('bad-length', where, `at most ${maxChars} characters allowed`);
      return text;
    },
    encode(value: string): Uint8Array {
      const bytes = utf8Encoder.encode(value);
      if (bytes.length > maxBytes) throw new RangeError(`text of ${bytes.length} bytes exceeds ${maxBytes}`);
      return bytes;
    },
  };
}

/** A fixed 32-bit unsigned integer codec. */
export const uint32Codec = {
  decode(value: Uint8Array, _ctx: AttributeContext, where: string): number {
    if (value.length !== 4) throw new DecodeError('bad-length', where, `must be 4 bytes, got ${value.length}`);
    return new DataView(value.buffer, value.byteOffset, 4).getUint32(0);
  },
  encode(value: number): Uint8Array {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} is not a uint32`);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return out;
  },
};

/** A codec for attributes whose value must be empty (flags such as USE-CANDIDATE, DONT-FRAGMENT). */
export const emptyCodec = {
  decode(value: Uint8Array, _ctx: AttributeContext, where: string): true {
    if (value.length !== 0) throw new DecodeError('bad-length', where, `must be empty, got ${value.length} bytes`);
    return true;
  },
  encode(): Uint8Array {
    return new Uint8Array(0);
  },
};

/** A codec for opaque fixed-length bytes. */
export function fixedBytesCodec(length: number) {
  return {
    decode(value: Uint8Array, _ctx: AttributeContext, where: string): Uint8Array {
      if (value.length !== length) throw new DecodeError('bad-length', where, `must be ${length} bytes, got ${value.length}`);
      return copyBytes(value);
    },
    encode(value: Uint8Array): Uint8Array {
      if (value.length !== length) throw new RangeError(`must be ${length} bytes, got ${value.length}`);
      return value;
    },
  };
}

/** Codec for XOR-*-ADDRESS values. */
export const xorAddressCodec = {
  decode: (value: Uint8Array, ctx: AttributeContext, where: string): Endpoint => decodeXorAddress(value, ctx.transactionId, where),
  encode: (value: Endpoint, ctx: AttributeContext): Uint8Array => encodeXorAddress(value, ctx.transactionId),
};

/** Codec for plain address values. */
export const plainAddressCodec = {
  decode: (value: Uint8Array, _ctx: AttributeContext, where: string): Endpoint => decodePlainAddress(value, where),
  encode: (value: Endpoint): Uint8Array => encodePlainAddress(value),
};

/** ERROR-CODE value (RFC 8489 §14.8). */
export interface ErrorCodeValue {
  /** 300–699. */
  code: number;
  /** UTF-8 reason phrase (at most 128 characters). */
  reason: string;
}

const reasonCodec = textCodec(763, 128);

/** RFC 8489 §14.1: MAPPED-ADDRESS. */
export const MAPPED_ADDRESS = defineAttribute(C.ATTR_MAPPED_ADDRESS, 'MAPPED-ADDRESS', 'RFC 8489 §14.1', plainAddressCodec);
/** RFC 8489 §14.2: XOR-MAPPED-ADDRESS. */
export const XOR_MAPPED_ADDRESS = defineAttribute(C.ATTR_XOR_MAPPED_ADDRESS, 'XOR-MAPPED-ADDRESS', 'RFC 8489 §14.2', xorAddressCodec);
/** RFC 8489 §14.3: USERNAME, fewer than 509 bytes of UTF-8. */
export const USERNAME = defineAttribute(C.ATTR_USERNAME, 'USERNAME', 'RFC 8489 §14.3', textCodec(508));
/** RFC 8489 §14.5: MESSAGE-INTEGRITY (20-byte HMAC-SHA1). Written through encodeMessage's `integrity` option. */
export const MESSAGE_INTEGRITY = defineAttribute(
  C.ATTR_MESSAGE_INTEGRITY,
  'MESSAGE-INTEGRITY',
  'RFC 8489 §14.5',
  fixedBytesCodec(C.MESSAGE_INTEGRITY_BYTES),
);
/** RFC 8489 §14.7: FINGERPRINT. Written through encodeMessage's `fingerprint` option. */
export const FINGERPRINT = defineAttribute(C.ATTR_FINGERPRINT, 'FINGERPRINT', 'RFC 8489 §14.7', uint32Codec);
/** RFC 8489 §14.8: ERROR-CODE. */
export const ERROR_CODE = defineAttribute<ErrorCodeValue>(C.ATTR_ERROR_CODE, 'ERROR-CODE', 'RFC 8489 §14.8', {
  decode(value, ctx, where) {
    if (value.length < 4) throw new DecodeError('truncated', where, `needs at least 4 bytes, got ${value.length}`);
    const cls = (value[2] ?? 0) & 0x07;
    const number = value[3] ?? 0;
    if (cls < 3 || cls > 6) throw new DecodeError('bad-value', `${where}/class`, `class ${cls} is outside 3–6`);
    if (number > 99) throw new DecodeError('bad-value', `${where}/number`, `number ${number} is outside 0–99`);
    return { code: cls * 100 + number, reason: reasonCodec.decode(value.subarray(4), ctx, `${where}/reason`) };
  },
  encode(value) {
    if (!Number.isInteger(value.code) || value.code < 300 || value.code > 699) throw new RangeError(`error code ${value.code} outside 300–699`);
    const reason = reasonCodec.encode(value.reason);
    const out = new Uint8Array(4 + reason.length);
    out[2] = Math.floor(value.code / 100);
    out[3] = value.code % 100;
    out.set(reason, 4);
    return out;
  },
});
/** RFC 8489 §14.13: UNKNOWN-ATTRIBUTES, a list of 16-bit types. */
export const UNKNOWN_ATTRIBUTES = defineAttribute<number[]>(C.ATTR_UNKNOWN_ATTRIBUTES, 'UNKNOWN-ATTRIBUTES', 'RFC 8489 §14.13', {
  decode(value, _ctx, where) {
    if (value.length % 2 !== 0) throw new DecodeError('bad-length', where, `length ${value.length} is not a multiple of 2`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const out: number[] = [];
    for (let i = 0; i < value.length; i += 2) out.push(view.getUint16(i));
    return out;
  },
  encode(value) {
    const out = new Uint8Array(value.length * 2);
    const view = new DataView(out.buffer);
    value.forEach((t, i) => view.setUint16(i * 2, t));
    return out;
  },
});
/** RFC 8489 §14.9: REALM, fewer than 128 characters. */
export const REALM = defineAttribute(C.ATTR_REALM, 'REALM', 'RFC 8489 §14.9', textCodec(763, 127));
/** RFC 8489 §14.10: NONCE, fewer than 128 characters. */
export const NONCE = defineAttribute(C.ATTR_NONCE, 'NONCE', 'RFC 8489 §14.10', textCodec(763, 127));
/** RFC 8489 §14.14: SOFTWARE, fewer than 128 characters. */
export const SOFTWARE = defineAttribute(C.ATTR_SOFTWARE, 'SOFTWARE', 'RFC 8489 §14.14', textCodec(763, 127));
/** RFC 8489 §14.15: ALTERNATE-SERVER. */
export const ALTERNATE_SERVER = defineAttribute(C.ATTR_ALTERNATE_SERVER, 'ALTERNATE-SERVER', 'RFC 8489 §14.15', plainAddressCodec);
/** RFC 8445 §16.1: PRIORITY. */
export const PRIORITY = defineAttribute(C.ATTR_PRIORITY, 'PRIORITY', 'RFC 8445 §16.1', uint32Codec);
/** RFC 8445 §16.1: USE-CANDIDATE (a flag). */
export const USE_CANDIDATE = defineAttribute(C.ATTR_USE_CANDIDATE, 'USE-CANDIDATE', 'RFC 8445 §16.1', emptyCodec);
/** RFC 8445 §16.1: ICE-CONTROLLED (64-bit tie-breaker). */
export const ICE_CONTROLLED = defineAttribute(C.ATTR_ICE_CONTROLLED, 'ICE-CONTROLLED', 'RFC 8445 §16.1', fixedBytesCodec(8));
/** RFC 8445 §16.1: ICE-CONTROLLING (64-bit tie-breaker). */
export const ICE_CONTROLLING = defineAttribute(C.ATTR_ICE_CONTROLLING, 'ICE-CONTROLLING', 'RFC 8445 §16.1', fixedBytesCodec(8));

/** Every STUN attribute netready can decode. */
export const STUN_ATTRIBUTE_TABLE: readonly AttributeInfo[] = [
  MAPPED_ADDRESS,
  USERNAME,
  MESSAGE_INTEGRITY,
  ERROR_CODE,
  UNKNOWN_ATTRIBUTES,
  REALM,
  NONCE,
  XOR_MAPPED_ADDRESS,
  PRIORITY,
  USE_CANDIDATE,
  SOFTWARE,
  ALTERNATE_SERVER,
  FINGERPRINT,
  ICE_CONTROLLED,
  ICE_CONTROLLING,
];
