/** {@link StunCrypto} implemented with node:crypto, for the server adapters. */
import { createHash, createHmac } from 'node:crypto';
import type { StunCrypto } from '../../lib/protocol/stun/crypto';

/** HMAC-SHA1 and MD5 from node:crypto (returned as plain Uint8Arrays, not Buffers). */
export const nodeStunCrypto: StunCrypto = {
  hmacSha1(key, data) {
    const mac = createHmac('sha1', key).update(data).digest();
    return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
  },
  md5(data) {
    const digest = createHash('md5').update(data).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  },
};
