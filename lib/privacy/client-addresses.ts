/**
 * What a stored result keeps of the client's addresses (issue 13, config `results.clientAddresses`): every IP address
 * in the result's strings that is not one of the deployment's own (its probe servers' public addresses) is the
 * client's — host candidates, the public address STUN and the servers saw, the proxy's — and is kept `full`,
 * `truncated` to its network (IPv4 /24, IPv6 /48, written as a CIDR block so nobody mistakes it for a host), or
 * replaced (`none`) by a placeholder. Pure: the web app applies it before storing, so nothing else ever reaches the
 * database.
 */
import { canonicalIp, formatIp, ipFamily, parseIp } from '../protocol/stun/ip';
import type { Result } from '../schema/result';

/** How much of a client address is stored. */
export type ClientAddressPolicy = 'full' | 'truncated' | 'none';
/** Every policy. */
export const CLIENT_ADDRESS_POLICIES: readonly ClientAddressPolicy[] = ['full', 'truncated', 'none'];

/** What replaces a client address under `none`. */
export const ADDRESS_NOT_STORED = '[address not stored]';

/**
 * Candidate addresses, checked with ipFamily: IPv6 (hex groups with colons, possibly a v4 tail) standing alone, or an
 * IPv4 dotted quad, which may be followed by `:port`. One pass, so a truncated `198.51.100.0/24` is never cut again.
 */
const CANDIDATE = /(?<![\w.:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?![\w.:])|(?<![\w.:])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])/g;

/** Keys whose values are versions or user agents, never addresses (a dotted version is a dotted quad). */
const VERSION_KEY = /user-?agent|version/i;

/** An address cut to its network: IPv4 /24, IPv6 /48, as a CIDR block. */
export function truncateAddress(address: string): string {
  const bytes = parseIp(address);
  const keep = bytes.length === 4 ? 3 : 6;
  const network = bytes.map((byte, index) => (index < keep ? byte : 0));
  return `${formatIp(network)}/${keep * 8}`;
}

/** Applies the policy to every client address in `text`. */
function rewrite(text: string, policy: ClientAddressPolicy, own: ReadonlySet<string>): string {
  return text.replace(CANDIDATE, (match) => {
    if (ipFamily(match) === null) return match;
    let canonical: string;
    try {
      canonical = canonicalIp(match);
    } catch {
      return match;
    }
    if (own.has(canonical)) return match;
    return policy === 'none' ? ADDRESS_NOT_STORED : truncateAddress(canonical);
  });
}

/**
 * The result as it may be stored under `policy`: `full` returns it unchanged; otherwise every string (values and
 * object keys, at any depth) has its client addresses truncated or removed. `ownAddresses` are the deployment's own
 * (never changed: support needs to see which server was reached).
 */
export function applyClientAddressPolicy(result: Result, policy: ClientAddressPolicy, ownAddresses: readonly string[]): Result {
  if (policy === 'full') return result;
  const own = new Set(ownAddresses.flatMap((address) => {
    try {
      return [canonicalIp(address)];
    } catch {
      return [];
    }
  }));
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return rewrite(value, policy, own);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        // Versions look like addresses (`Chrome/156.0.0.0`): user agents and versions are left as they are.
        Object.entries(value).map(([key, inner]) => [rewrite(key, policy, own), VERSION_KEY.test(key) ? inner : walk(inner)]),
      );
    }
    return value;
  };
  return walk(result) as Result;
}
