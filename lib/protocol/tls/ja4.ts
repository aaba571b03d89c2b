/**
 * JA4 TLS client fingerprint of a ClientHello, per the FoxIO JA4 specification (technical_details/JA4.md,
 * BSD 3-Clause; only JA4 itself — the other JA4+ methods carry a different licence and are not used here).
 *
 *   JA4   = a_b_c
 *   a     = "t" + version(2) + ("d" SNI present | "i") + ciphers(2) + extensions(2) + ALPN first/last char(2)
 *   b     = sha256(sorted cipher hex list)[0..12]
 *   c     = sha256(sorted extension hex list without SNI/ALPN + "_" + signature algorithms in wire order)[0..12]
 *   JA4_r = the same with the lists instead of their hashes.
 * GREASE (RFC 8701) is ignored everywhere. SHA-256 is injected so lib/ stays free of node:crypto.
 */
import type { ClientHello } from './client-hello';
import { EXT, isGrease, VERSION_NAMES } from './constants';

/** Hex SHA-256 of a UTF-8 string (server: node:crypto; tests: the same). */
export type Sha256Hex = (text: string) => string;

/** JA4 and its raw (unhashed, sorted) form. */
export interface Ja4 {
  ja4: string;
  /** JA4_r: the sorted lists instead of their truncated hashes. */
  ja4Raw: string;
}

const EMPTY_HASH = '000000000000';

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

function twoDigits(count: number): string {
  return String(Math.min(count, 99)).padStart(2, '0');
}

function isAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** JA4 "ALPN Extension Value": first and last character of the first ALPN value, or "00". */
export function ja4AlpnChars(firstAlpn: Uint8Array | undefined): string {
  if (!firstAlpn || firstAlpn.length === 0) return '00';
  const first = firstAlpn[0]!;
  const last = firstAlpn[firstAlpn.length - 1]!;
  if (isAlphanumeric(first) && isAlphanumeric(last)) return String.fromCharCode(first) + String.fromCharCode(last);
  // Non-alphanumeric: first and last characters of the hex of the whole value ("0xAB 0xCD" → "ad").
  const hex = Array.from(firstAlpn, (b) => b.toString(16).padStart(2, '0')).join('');
  return hex[0]! + hex[hex.length - 1]!;
}

/** The first ALPN protocol name's raw bytes (the spec works on bytes, not on decoded text). */
function firstAlpnBytes(hello: ClientHello): Uint8Array | undefined {
  const extension = hello.extensions.find((e) => e.type === EXT.ALPN);
  if (!extension || extension.data.length < 3) return undefined;
  const length = extension.data[2]!;
  return extension.data.subarray(3, 3 + length);
}

/** JA4's two-character TLS version: the highest non-GREASE supported_versions entry, else legacy_version. */
export function ja4Version(hello: ClientHello): string {
  const versions = (hello.supportedVersions ?? []).filter((v) => !isGrease(v));
  const version = versions.length > 0 ? Math.max(...versions) : hello.legacyVersion;
  return VERSION_NAMES[version]?.ja4 ?? '00';
}

/** Computes JA4 (TCP, "t") of a ClientHello. */
export function computeJa4(hello: ClientHello, sha256Hex: Sha256Hex): Ja4 {
  const ciphers = hello.cipherSuites.filter((c) => !isGrease(c));
  const extensions = hello.extensions.map((e) => e.type).filter((t) => !isGrease(t));
  const sni = extensions.includes(EXT.SERVER_NAME) ? 'd' : 'i';
  const a = `t${ja4Version(hello)}${sni}${twoDigits(ciphers.length)}${twoDigits(extensions.length)}${ja4AlpnChars(firstAlpnBytes(hello))}`;
  const cipherList = ciphers.map(hex4).sort().join(',');
  const extensionList = extensions
    .filter((t) => t !== EXT.SERVER_NAME && t !== EXT.ALPN)
    .map(hex4)
    .sort()
    .join(',');
  const sigalgs = (hello.signatureAlgorithms ?? []).filter((s) => !isGrease(s)).map(hex4).join(',');
  const cText = sigalgs ? `${extensionList}_${sigalgs}` : extensionList;
  const b = cipherList ? sha256Hex(cipherList).slice(0, 12) : EMPTY_HASH;
  const c = extensionList ? sha256Hex(cText).slice(0, 12) : EMPTY_HASH;
  return { ja4: `${a}_${b}_${c}`, ja4Raw: `${a}_${cipherList}_${cText}` };
}
