/** Test-only {@link StunCrypto} backed by node:crypto (lib/ tests may use Node; shipped lib/ code may not). */
import { createHash, createHmac } from 'node:crypto';
import type { StunCrypto } from '../crypto';

/** HMAC-SHA1 / MD5 via node:crypto, returning plain Uint8Arrays. */
export const testCrypto: StunCrypto = {
  hmacSha1: (key, data) => new Uint8Array(createHmac('sha1', key).update(data).digest()),
  md5: (data) => new Uint8Array(createHash('md5').update(data).digest()),
};

/** Reads annotated hex (`00 01 00 58   # comment`, `#` lines ignored) into bytes. */
export function parseAnnotatedHex(text: string): Uint8Array {
  const hex = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter((token) => token.length > 0);
  for (const token of hex) if (!/^[0-9a-fA-F]{2}$/.test(token)) throw new Error(`bad hex token ${token}`);
  return Uint8Array.from(hex.map((token) => parseInt(token, 16)));
}
