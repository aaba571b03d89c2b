/** The typed TURN attribute table (RFC 8656 §18). */
import {
  defineAttribute,
  emptyCodec,
  fixedBytesCodec,
  textCodec,
  uint32Codec,
  xorAddressCodec,
  type AttributeInfo,
} from '../stun/attributes';
import { DecodeError } from '../stun/errors';
import * as T from './constants';

/** RFC 8656 §18.1: CHANNEL-NUMBER value (16-bit number then 16 RFFU bits). */
export const CHANNEL_NUMBER = defineAttribute<number>(T.ATTR_CHANNEL_NUMBER, 'CHANNEL-NUMBER', 'RFC 8656 §18.1', {
  decode(value, _ctx, where) {
    if (value.length !== 4) throw new DecodeError('bad-length', where, `must be 4 bytes, got ${value.length}`);
    return ((value[0] ?? 0) << 8) | (value[1] ?? 0);
  },
  encode(value) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`channel ${value} out of range`);
    return Uint8Array.of(value >> 8, value & 0xff, 0, 0);
  },
});
/** RFC 8656 §18.2: LIFETIME in seconds. */
export const LIFETIME = defineAttribute(T.ATTR_LIFETIME, 'LIFETIME', 'RFC 8656 §18.2', uint32Codec);
/** RFC 8656 §18.3: XOR-PEER-ADDRESS. */
export const XOR_PEER_ADDRESS = defineAttribute(T.ATTR_XOR_PEER_ADDRESS, 'XOR-PEER-ADDRESS', 'RFC 8656 §18.3', xorAddressCodec);
/** RFC 8656 §18.4: DATA (opaque application bytes). */
export const DATA = defineAttribute<Uint8Array>(T.ATTR_DATA, 'DATA', 'RFC 8656 §18.4', {
  decode: (value) => value,
  encode: (value) => value,
});
/** RFC 8656 §18.5: XOR-RELAYED-ADDRESS. */
export const XOR_RELAYED_ADDRESS = defineAttribute(
  T.ATTR_XOR_RELAYED_ADDRESS,
  'XOR-RELAYED-ADDRESS',
  'RFC 8656 §18.5',
  xorAddressCodec,
);

/** Address family byte of REQUESTED-/ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.6: 0x01 IPv4, 0x02 IPv6). */
export type FamilyByte = 0x01 | 0x02;
const familyCodec = {
  decode(value: Uint8Array, _ctx: unknown, where: string): FamilyByte {
    if (value.length !== 4) throw new DecodeError('bad-length', where, `must be 4 bytes, got ${value.length}`);
    const family = value[0];
    if (family !== 0x01 && family !== 0x02) throw new DecodeError('bad-value', `${where}/family`, `unknown family 0x${(family ?? 0).toString(16)}`);
    return family;
  },
  encode: (value: FamilyByte) => Uint8Array.of(value, 0, 0, 0),
};
/** RFC 8656 §18.6: REQUESTED-ADDRESS-FAMILY. */
export const REQUESTED_ADDRESS_FAMILY = defineAttribute(
  T.ATTR_REQUESTED_ADDRESS_FAMILY,
  'REQUESTED-ADDRESS-FAMILY',
  'RFC 8656 §18.6',
  familyCodec,
);
/** RFC 8656 §18.7: EVEN-PORT value: the R (reserve next port) bit. */
export interface EvenPortValue {
  /** R bit: reserve port N+1 for a later allocation. */
  reserve: boolean;
}
/** RFC 8656 §18.7: EVEN-PORT (1 byte: R bit then 7 RFFU bits). */
export const EVEN_PORT = defineAttribute<EvenPortValue>(T.ATTR_EVEN_PORT, 'EVEN-PORT', 'RFC 8656 §18.7', {
  decode(value, _ctx, where) {
    if (value.length !== 1) throw new DecodeError('bad-length', where, `must be 1 byte, got ${value.length}`);
    return { reserve: ((value[0] ?? 0) & 0x80) !== 0 };
  },
  encode: (value) => Uint8Array.of(value.reserve ? 0x80 : 0),
});
/** RFC 8656 §18.8: REQUESTED-TRANSPORT (protocol number then 24 RFFU bits). */
export const REQUESTED_TRANSPORT = defineAttribute<number>(T.ATTR_REQUESTED_TRANSPORT, 'REQUESTED-TRANSPORT', 'RFC 8656 §18.8', {
  decode(value, _ctx, where) {
    if (value.length !== 4) throw new DecodeError('bad-length', where, `must be 4 bytes, got ${value.length}`);
    return value[0] ?? 0;
  },
  encode(value) {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`protocol ${value} out of range`);
    return Uint8Array.of(value, 0, 0, 0);
  },
});
/** RFC 8656 §18.9: DONT-FRAGMENT (a flag). */
export const DONT_FRAGMENT = defineAttribute(T.ATTR_DONT_FRAGMENT, 'DONT-FRAGMENT', 'RFC 8656 §18.9', emptyCodec);
/** RFC 8656 §18.10: RESERVATION-TOKEN (8 opaque bytes). */
export const RESERVATION_TOKEN = defineAttribute(T.ATTR_RESERVATION_TOKEN, 'RESERVATION-TOKEN', 'RFC 8656 §18.10', fixedBytesCodec(8));
/** RFC 8656 §18.11: ADDITIONAL-ADDRESS-FAMILY. */
export const ADDITIONAL_ADDRESS_FAMILY = defineAttribute(
  T.ATTR_ADDITIONAL_ADDRESS_FAMILY,
  'ADDITIONAL-ADDRESS-FAMILY',
  'RFC 8656 §18.11',
  familyCodec,
);
/** RFC 8656 §18.12: ADDRESS-ERROR-CODE value. */
export interface AddressErrorCodeValue {
  /** Family the error is about. */
  family: FamilyByte;
  /** 300–699. */
  code: number;
  /** Reason phrase. */
  reason: string;
}
const reasonCodec = textCodec(763, 128);
/** RFC 8656 §18.12: ADDRESS-ERROR-CODE. */
export const ADDRESS_ERROR_CODE = defineAttribute<AddressErrorCodeValue>(
  T.ATTR_ADDRESS_ERROR_CODE,
  'ADDRESS-ERROR-CODE',
  'RFC 8656 §18.12',
  {
    decode(value, ctx, where) {
      if (value.length < 4) throw new DecodeError('truncated', where, `needs at least 4 bytes, got ${value.length}`);
      const family = value[0];
      if (family !== 0x01 && family !== 0x02) throw new DecodeError('bad-value', `${where}/family`, 'unknown family');
      const cls = (value[2] ?? 0) & 0x07;
      const number = value[3] ?? 0;
      if (cls < 3 || cls > 6 || number > 99) throw new DecodeError('bad-value', `${where}/code`, 'error code outside 300–699');
      return { family, code: cls * 100 + number, reason: reasonCodec.decode(value.subarray(4), ctx, `${where}/reason`) };
    },
    encode(value) {
      const reason = reasonCodec.encode(value.reason);
      const out = new Uint8Array(4 + reason.length);
      out[0] = value.family;
      out[2] = Math.floor(value.code / 100);
      out[3] = value.code % 100;
      out.set(reason, 4);
      return out;
    },
  },
);
/** RFC 8656 §18.13: ICMP value. */
export interface IcmpValue {
  /** ICMP type. */
  icmpType: number;
  /** ICMP code. */
  icmpCode: number;
  /** Error data (e.g. next-hop MTU for "fragmentation needed"). */
  errorData: number;
}
/** RFC 8656 §18.13: ICMP (2 reserved bytes, type, code, 4 bytes error data). */
export const ICMP = defineAttribute<IcmpValue>(T.ATTR_ICMP, 'ICMP', 'RFC 8656 §18.13', {
  decode(value, _ctx, where) {
    if (value.length !== 8) throw new DecodeError('bad-length', where, `must be 8 bytes, got ${value.length}`);
    const view = new DataView(value.buffer, value.byteOffset, 8);
    return { icmpType: view.getUint8(2), icmpCode: view.getUint8(3), errorData: view.getUint32(4) };
  },
  encode(value) {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint8(2, value.icmpType);
    view.setUint8(3, value.icmpCode);
    view.setUint32(4, value.errorData);
    return out;
  },
});

/** Every TURN attribute netready can decode. */
export const TURN_ATTRIBUTE_TABLE: readonly AttributeInfo[] = [
  CHANNEL_NUMBER,
  LIFETIME,
  XOR_PEER_ADDRESS,
  DATA,
  XOR_RELAYED_ADDRESS,
  REQUESTED_ADDRESS_FAMILY,
  EVEN_PORT,
  REQUESTED_TRANSPORT,
  DONT_FRAGMENT,
  RESERVATION_TOKEN,
  ADDITIONAL_ADDRESS_FAMILY,
  ADDRESS_ERROR_CODE,
  ICMP,
];
