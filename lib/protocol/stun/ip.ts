/**
 * IP address text ⇄ bytes, without `node:net` (lib/ is isomorphic). IPv6 text follows RFC 5952 (lower case,
 * longest zero run compressed) so the same address always has one spelling, which the TURN server uses as a map key.
 */
import { DecodeError } from './errors';

/** The two address families STUN carries (RFC 8489 §14.1: 0x01 IPv4, 0x02 IPv6). */
export type IpFamily = 'IPv4' | 'IPv6';

/** A transport address: IP text plus port. */
export interface Endpoint {
  /** IPv4 dotted quad or RFC 5952 IPv6 text. */
  ip: string;
  /** Port, 0–65535. */
  port: number;
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses IPv4 dotted-quad text into 4 bytes; throws DecodeError when it is not one. */
export function parseIpv4(text: string, where = 'ip'): Uint8Array {
  if (!IPV4_RE.test(text)) throw new DecodeError('bad-value', where, `not an IPv4 address: ${JSON.stringify(text)}`);
  return Uint8Array.from(text.split('.').map(Number));
}

/** Parses IPv6 text (with `::` and an optional embedded IPv4 tail) into 16 bytes; throws DecodeError otherwise. */
export function parseIpv6(text: string, where = 'ip'): Uint8Array {
  const fail = (): never => {
    throw new DecodeError('bad-value', where, `not an IPv6 address: ${JSON.stringify(text)}`);
  };
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = bare.indexOf('%');
  const addr = zone >= 0 ? bare.slice(0, zone) : bare;
  if (addr.length < 2 || addr.length > 45) fail();
  const halves = addr.split('::');
  if (halves.length > 2) fail();
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    pieces.forEach((piece, i) => {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece, where);
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        fail();
      }
    });
    return out;
  };
  const head = toGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) fail();
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) fail();
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Tells which family an IP text belongs to, or `null` when it is neither. */
export function ipFamily(text: string): IpFamily | null {
  if (IPV4_RE.test(text)) return 'IPv4';
  try {
    parseIpv6(text);
    return 'IPv6';
  } catch {
    return null;
  }
}

/** Parses IPv4 or IPv6 text into 4 or 16 bytes; throws DecodeError when it is neither. */
export function parseIp(text: string, where = 'ip'): Uint8Array {
  return IPV4_RE.test(text) ? parseIpv4(text, where) : parseIpv6(text, where);
}

/** Formats 4 or 16 bytes as IP text (RFC 5952 for IPv6); throws DecodeError for any other length. */
export function formatIp(bytes: Uint8Array, where = 'ip'): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new DecodeError('bad-length', where, `an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952 §4.2: compress the longest run (first on ties) of two or more zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Canonical spelling of an IP text: IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what dual-stack sockets report)
 * becomes plain IPv4; IPv6 is re-formatted per RFC 5952. Throws DecodeError for text that is no IP.
 */
export function canonicalIp(text: string): string {
  if (IPV4_RE.test(text)) return text;
  const bytes = parseIpv6(text);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? Array.from(bytes.subarray(12)).join('.') : formatIp(bytes);
}

/** `ip:port` for IPv4, `[ip]:port` for IPv6 — for logs and map keys. */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}
