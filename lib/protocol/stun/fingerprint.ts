/**
 * FINGERPRINT (RFC 8489 §14.7): CRC-32 (ISO-HDLC, the zlib polynomial) of the message up to the attribute,
 * XORed with 0x5354554e. Pure TypeScript so lib/ stays isomorphic.
 */
import { FINGERPRINT_XOR } from './constants';

/** CRC-32 lookup table for the reflected polynomial 0xEDB88320; built once, never written again. */
const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ITU-T V.42 / zlib) of `data`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  return crc32Range(data, 0, data.length);
}

/** CRC-32 of `data[start, end)`: the hot path hashes part of a buffer without a subarray view. */
export function crc32Range(data: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (CRC32_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The FINGERPRINT value for `prefix` (the message bytes before the attribute, length field already final). */
export function computeFingerprint(prefix: Uint8Array): number {
  return (crc32(prefix) ^ FINGERPRINT_XOR) >>> 0;
}
