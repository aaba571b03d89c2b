/**
 * Classification of the nat probe's observations (RFC 4787 §4.1 mapping, §5 filtering), pure and table-tested, apart
 * from the probe that gathers them (lib/probes/nat.ts).
 */
import type { NatBindingSeen, NatRole } from '../schema/session';

/** RFC 4787 mapping behaviour as the nat probe reports it (contract: NatData.mapping). */
export type NatMapping = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'endpoint-dependent' | 'no-nat' | 'unknown';
/** RFC 4787 filtering behaviour as the nat probe reports it (contract: NatData.filtering). */
export type NatFiltering = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown';

/** An address and port. */
export interface AddressPort {
  address: string;
  port: number;
}

/** What the mapping classification looks at. */
export interface MappingInput {
  /** The browser's server-reflexive candidate per endpoint (getStats `url`), where it reported one. */
  srflx: Partial<Record<NatRole, AddressPort>>;
  /** Raw host candidates (ip:port) the browser exposed, and srflx related addresses (raddr/rport) other than 0.0.0.0. */
  local: AddressPort[];
  /** What the server's endpoints saw from this computer's addresses since the session began. */
  seen: NatBindingSeen[];
  /** The IPv4 endpoints the session offers (primary always; alt-port / alt-address where configured). */
  offered: NatRole[];
  /** Why a role is not offered (the config field), by role. */
  missingWhy: Partial<Record<NatRole, string>>;
}

/** The mapping, how each endpoint's mapping was known, and why when it is not known. */
export interface MappingVerdict {
  mapping: NatMapping;
  why?: string;
  /** Mappings per IPv4 role and where they came from: the browser's srflx, or the server (a deduplicated srflx). */
  resolved: Partial<Record<NatRole, AddressPort & { source: 'browser' | 'server' }>>;
}

const same = (a: AddressPort, b: AddressPort): boolean => a.address === b.address && a.port === b.port;
const text = (a: AddressPort): string => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);

/**
 * Classifies the mapping (RFC 4787 §4.1). Chromium drops a server-reflexive candidate equal to one it already has, so
 * an endpoint without its own srflx is taken to map like the primary only where the server saw a Binding from exactly
 * the primary's mapping on that endpoint; otherwise that endpoint is "not heard" (other probes' sockets talk to the
 * same server from the same address, so a different port seen there proves nothing about this socket).
 */
export function classifyMapping(input: MappingInput): MappingVerdict {
  const resolved: MappingVerdict['resolved'] = {};
  const isLocal = (a: AddressPort): boolean => input.local.some((l) => same(l, a));
  // Chromium keeps one srflx for identical mappings — that of whichever endpoint answered first, under its url: where
  // another endpoint's srflx is exactly what the primary endpoint saw, it is the primary's mapping too.
  const other = (['alt-port', 'alt-address'] as const).map((role) => input.srflx[role]).find((a) => a && input.seen.some((s) => s.role === 'primary' && same(s, a)));
  const primary = input.srflx.primary ?? other;
  if (!primary) {
    // Chromium also drops a srflx equal to the socket's own address (no NAT) when host addresses are not masked.
    const seenLocal = input.seen.find((s) => s.role === 'primary' && isLocal(s));
    if (seenLocal) return { mapping: 'no-nat', why: `the test server saw this computer's own address ${text(seenLocal)}`, resolved: { primary: { address: seenLocal.address, port: seenLocal.port, source: 'server' } } };
    return { mapping: 'unknown', why: 'no server-reflexive candidate came back from the primary STUN endpoint (UDP to the TURN port got no answer)', resolved };
  }
  resolved.primary = { ...primary, source: input.srflx.primary ? 'browser' : 'server' };
  if (isLocal(primary)) return { mapping: 'no-nat', why: `the server-reflexive address ${text(primary)} is this computer's own address`, resolved };
  for (const role of ['alt-port', 'alt-address'] as const) {
    const own = input.srflx[role];
    if (own) resolved[role] = { ...own, source: 'browser' };
    else if (input.seen.some((s) => s.role === role && same(s, primary))) resolved[role] = { ...primary, source: 'server' };
  }
  const notHeard = (role: 'alt-port' | 'alt-address'): string =>
    input.offered.includes(role) ? `the ${role === 'alt-port' ? 'alternate port' : 'second address'} never heard from this computer's socket` : (input.missingWhy[role] ?? `no ${role} endpoint`);
  const altPort = resolved['alt-port'];
  const altAddress = resolved['alt-address'];
  if (altPort && !same(altPort, primary)) return { mapping: 'address-and-port-dependent', resolved };
  if (altAddress) {
    if (same(altAddress, primary)) return { mapping: 'endpoint-independent', resolved };
    return altPort ? { mapping: 'address-dependent', resolved } : { mapping: 'endpoint-dependent', why: `a different mapping towards the second address; whether the port matters too is unknown: ${notHeard('alt-port')}`, resolved };
  }
  if (altPort) {
    return { mapping: 'unknown', why: `the same mapping for two ports of one address: endpoint-independent or address-dependent — ${notHeard('alt-address')}`, resolved };
  }
  return { mapping: 'unknown', why: `only the primary endpoint answered: ${notHeard('alt-port')}; ${notHeard('alt-address')}`, resolved };
}

/** One server-side filtering check as the probe reads it. */
export interface FilteringCheckSeen {
  role: 'alt-port' | 'alt-address';
  answered: boolean;
}

/**
 * Classifies filtering (RFC 4787 §5) from which unsolicited checks the browser answered: from another port of the same
 * address (alt-port) and from another address (alt-address).
 */
export function classifyFiltering(checks: FilteringCheckSeen[], missingWhy: Partial<Record<NatRole, string>>): { filtering: NatFiltering; why?: string } {
  const port = checks.find((c) => c.role === 'alt-port');
  const address = checks.find((c) => c.role === 'alt-address');
  if (port && address) {
    if (port.answered && address.answered) return { filtering: 'endpoint-independent' };
    if (port.answered) return { filtering: 'address-dependent' };
    if (!address.answered) return { filtering: 'address-and-port-dependent', why: 'at least address-and-port-dependent: no check from another port or address got in (a firewall dropping all unsolicited inbound packets looks the same)' };
    return { filtering: 'unknown', why: 'a check from the second address got in but one from another port of the first did not: inconsistent (a lost packet?)' };
  }
  if (port) {
    if (!port.answered) return { filtering: 'address-and-port-dependent', why: 'at least address-and-port-dependent: a check from another port of the same address did not get in (a firewall dropping all unsolicited inbound packets looks the same)' };
    return { filtering: 'unknown', why: `a check from another port of the same address got in: endpoint-independent or address-dependent — ${missingWhy['alt-address'] ?? 'no second address'}` };
  }
  if (address) {
    if (address.answered) return { filtering: 'endpoint-independent' };
    return { filtering: 'unknown', why: `a check from the second address did not get in, and none came from another port — ${missingWhy['alt-port'] ?? 'no alternate port'}` };
  }
  return { filtering: 'unknown', why: 'no filtering check was made' };
}
