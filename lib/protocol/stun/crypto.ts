/**
 * The crypto STUN needs, injected so lib/ has no `node:crypto`: HMAC-SHA1 for MESSAGE-INTEGRITY
 * (RFC 8489 §14.5) and MD5 for the long-term key (RFC 8489 §9.2.2). server/turn implements it with node:crypto.
 */

/** Synchronous HMAC-SHA1 and MD5. */
export interface StunCrypto {
  /** HMAC-SHA1 of `data` under `key`: 20 bytes. */
  hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** MD5 digest of `data`: 16 bytes. */
  md5(data: Uint8Array): Uint8Array;
}

/** Compares two byte strings in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648 §4, with padding) of `bytes` — the TURN REST password encoding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    out += BASE64_ALPHABET[(n >> 18) & 63];
    out += BASE64_ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64_ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET[n & 63] : '=';
  }
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return out;
}
