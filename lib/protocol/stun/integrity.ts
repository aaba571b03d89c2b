/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5) and FINGERPRINT (§14.7) verification, and the long-term credential key
 * (§9.2.2). HMAC and MD5 come from an injected {@link StunCrypto}.
 */
import { copyBytes } from './bytes';
import { MESSAGE_INTEGRITY_BYTES, STUN_HEADER_BYTES } from './constants';
import { constantTimeEqual, type StunCrypto } from './crypto';
import { computeFingerprint } from './fingerprint';
import type { StunMessage } from './message';

const utf8 = new TextEncoder();

/**
 * RFC 8489 §9.2.2: key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)). netready's
 * usernames and REST passwords are ASCII, so OpaqueString (RFC 8265) is the identity here; callers with other
 * text must prepare it first.
 */
export function longTermKey(crypto: StunCrypto, username: string, realm: string, password: string): Uint8Array {
  return crypto.md5(utf8.encode(`${username}:${realm}:${password}`));
}

/** RFC 8489 §9.1.1: the short-term key is the (OpaqueString-prepared) password itself. */
export function shortTermKey(password: string): Uint8Array {
  return utf8.encode(password);
}

/**
 * True when the message has MESSAGE-INTEGRITY and it matches `key` (RFC 8489 §14.5: HMAC over the message up to
 * the attribute, with the length field adjusted to end right after it). False when absent or wrong.
 */
export function verifyMessageIntegrity(message: StunMessage, key: Uint8Array, crypto: StunCrypto): boolean {
  const at = message.integrityOffset;
  if (at === null) return false;
  const prefix = copyBytes(message.raw, 0, at);
  new DataView(prefix.buffer).setUint16(2, at - STUN_HEADER_BYTES + 4 + MESSAGE_INTEGRITY_BYTES);
  const expected = crypto.hmacSha1(key, prefix).subarray(0, MESSAGE_INTEGRITY_BYTES);
  const actual = message.raw.subarray(at + 4, at + 4 + MESSAGE_INTEGRITY_BYTES);
  return constantTimeEqual(expected, actual);
}

/** True when the message has FINGERPRINT and it matches (RFC 8489 §14.7). False when absent or wrong. */
export function verifyFingerprint(message: StunMessage): boolean {
  const at = message.fingerprintOffset;
  if (at === null) return false;
  const prefix = copyBytes(message.raw, 0, at);
  new DataView(prefix.buffer).setUint16(2, at - STUN_HEADER_BYTES + 8);
  const actual = new DataView(message.raw.buffer, message.raw.byteOffset + at + 4, 4).getUint32(0);
  return computeFingerprint(prefix) === actual;
}
