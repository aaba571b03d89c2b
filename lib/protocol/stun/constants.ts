/**
 * STUN wire constants (RFC 8489), named after the RFC. TURN's own methods and attributes live in
 * lib/protocol/turn/constants.ts; the error codes TURN adds (RFC 8656 §19) are here too so one table names
 * every code a response can carry.
 */

/** RFC 8489 §5: fixed value in bytes 4–7 of every STUN header. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: the STUN header is 20 bytes. */
export const STUN_HEADER_BYTES = 20;
/** RFC 8489 §5: the transaction ID is 96 bits. */
export const TRANSACTION_ID_BYTES = 12;
/** RFC 8489 §14.7: FINGERPRINT is CRC-32 of the message XORed with this ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;
/** RFC 8489 §14.5: MESSAGE-INTEGRITY carries a 20-byte HMAC-SHA1. */
export const MESSAGE_INTEGRITY_BYTES = 20;

/** RFC 8489 §18.2: the Binding method. */
export const METHOD_BINDING = 0x001;

/** RFC 8489 §14.1: MAPPED-ADDRESS. */
export const ATTR_MAPPED_ADDRESS = 0x0001;
/** RFC 8489 §14.3: USERNAME. */
export const ATTR_USERNAME = 0x0006;
/** RFC 8489 §14.5: MESSAGE-INTEGRITY. */
export const ATTR_MESSAGE_INTEGRITY = 0x0008;
/** RFC 8489 §14.8: ERROR-CODE. */
export const ATTR_ERROR_CODE = 0x0009;
/** RFC 8489 §14.13: UNKNOWN-ATTRIBUTES. */
export const ATTR_UNKNOWN_ATTRIBUTES = 0x000a;
/** RFC 8489 §14.9: REALM. */
export const ATTR_REALM = 0x0014;
/** RFC 8489 §14.10: NONCE. */
export const ATTR_NONCE = 0x0015;
/** RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 (not supported by netready: listed so it is named in logs). */
export const ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001c;
/** RFC 8489 §14.2: XOR-MAPPED-ADDRESS. */
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
/** RFC 8445 §16.1: PRIORITY (ICE). */
export const ATTR_PRIORITY = 0x0024;
/** RFC 8445 §16.1: USE-CANDIDATE (ICE). */
export const ATTR_USE_CANDIDATE = 0x0025;
/** RFC 8489 §14.14: SOFTWARE. */
export const ATTR_SOFTWARE = 0x8022;
/** RFC 8489 §14.15: ALTERNATE-SERVER. */
export const ATTR_ALTERNATE_SERVER = 0x8023;
/** RFC 8489 §14.7: FINGERPRINT. */
export const ATTR_FINGERPRINT = 0x8028;
/** RFC 8445 §16.1: ICE-CONTROLLED. */
export const ATTR_ICE_CONTROLLED = 0x8029;
/** RFC 8445 §16.1: ICE-CONTROLLING. */
export const ATTR_ICE_CONTROLLING = 0x802a;

/** RFC 8489 §15: attribute types 0x0000–0x7FFF are comprehension-required. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

/** RFC 8489 §14.8: 300 Try Alternate. */
export const ERROR_TRY_ALTERNATE = 300;
/** RFC 8489 §14.8: 400 Bad Request. */
export const ERROR_BAD_REQUEST = 400;
/** RFC 8489 §14.8: 401 Unauthenticated. */
export const ERROR_UNAUTHENTICATED = 401;
/** RFC 8656 §19: 403 Forbidden. */
export const ERROR_FORBIDDEN = 403;
/** RFC 8489 §14.8: 420 Unknown Attribute. */
export const ERROR_UNKNOWN_ATTRIBUTE = 420;
/** RFC 8656 §19: 437 Allocation Mismatch. */
export const ERROR_ALLOCATION_MISMATCH = 437;
/** RFC 8489 §14.8: 438 Stale Nonce. */
export const ERROR_STALE_NONCE = 438;
/** RFC 8656 §19: 440 Address Family not Supported. */
export const ERROR_ADDRESS_FAMILY_NOT_SUPPORTED = 440;
/** RFC 8656 §19: 441 Wrong Credentials. */
export const ERROR_WRONG_CREDENTIALS = 441;
/** RFC 8656 §19: 442 Unsupported Transport Protocol. */
export const ERROR_UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
/** RFC 8656 §19: 443 Peer Address Family Mismatch. */
export const ERROR_PEER_ADDRESS_FAMILY_MISMATCH = 443;
/** RFC 8656 §19: 486 Allocation Quota Reached. */
export const ERROR_ALLOCATION_QUOTA_REACHED = 486;
/** RFC 8489 §14.8: 500 Server Error. */
export const ERROR_SERVER_ERROR = 500;
/** RFC 8656 §19: 508 Insufficient Capacity. */
export const ERROR_INSUFFICIENT_CAPACITY = 508;

/** Reason phrases the RFCs suggest for each error code (RFC 8489 §14.8, RFC 8656 §19). */
export const ERROR_REASONS: Readonly<Record<number, string>> = {
  [ERROR_TRY_ALTERNATE]: 'Try Alternate',
  [ERROR_BAD_REQUEST]: 'Bad Request',
  [ERROR_UNAUTHENTICATED]: 'Unauthenticated',
  [ERROR_FORBIDDEN]: 'Forbidden',
  [ERROR_UNKNOWN_ATTRIBUTE]: 'Unknown Attribute',
  [ERROR_ALLOCATION_MISMATCH]: 'Allocation Mismatch',
  [ERROR_STALE_NONCE]: 'Stale Nonce',
  [ERROR_ADDRESS_FAMILY_NOT_SUPPORTED]: 'Address Family not Supported',
  [ERROR_WRONG_CREDENTIALS]: 'Wrong Credentials',
  [ERROR_UNSUPPORTED_TRANSPORT_PROTOCOL]: 'Unsupported Transport Protocol',
  [ERROR_PEER_ADDRESS_FAMILY_MISMATCH]: 'Peer Address Family Mismatch',
  [ERROR_ALLOCATION_QUOTA_REACHED]: 'Allocation Quota Reached',
  [ERROR_SERVER_ERROR]: 'Server Error',
  [ERROR_INSUFFICIENT_CAPACITY]: 'Insufficient Capacity',
};
