/**
 * Client-address keys for limits: one spelling per address (so `::ffff:192.0.2.1` and `192.0.2.1` share a
 * limit), and the network an address belongs to for per-subnet limits — /24 for IPv4, /48 for IPv6, the sizes
 * one site usually gets (RFC 6177 §2 for IPv6), so one network cannot take a whole table by rotating addresses.
 */
import { canonicalIp, parseIpv6 } from '../../lib/protocol/stun/ip';

/** Canonical IP text of a socket's remote address; `unknown` when the socket has none (already closed). */
export function canonicalAddress(raw: string | undefined): string {
  if (!raw) return 'unknown';
  try {
    return canonicalIp(raw);
  } catch {
    // Not an IP literal (a Unix socket in a test): the raw text is still one stable key.
    return raw;
  }
}

/** The /24 (IPv4) or /48 (IPv6) of a canonical address, e.g. `192.0.2.0/24`, `2001:db8:1::/48`; other text unchanged. */
export function subnetKey(address: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) return `${address.slice(0, address.lastIndexOf('.'))}.0/24`;
  if (!address.includes(':')) return address;
  let bytes: Uint8Array;
  try {
    bytes = parseIpv6(address);
  } catch {
    return address;
  }
  const groups = [0, 2, 4].map((i) => (((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `${groups.join(':')}::/48`;
}
