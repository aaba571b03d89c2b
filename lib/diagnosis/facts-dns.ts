/**
 * DNS facts, derived once from the DNS probes' outcomes (and the STUN probe's server-reflexive addresses) for
 * the dns-* rules, plus the DNS thresholds as data. Rules never read probe data themselves.
 */
import type { Evidence, ProbeOutcome } from '../schema/result';
import { DNS_LOOKUP_PROBE_ID, type DnsLookupData } from '../probes/dns-lookup';
import { DNS_RESOLVER_PROBE_ID, type DnsResolverData, type GeoInfo } from '../probes/dns-resolver';
import { DNS_TURN_LOOKUP_PROBE_ID, type DnsTurnLookupData, type TurnLookupPair } from '../probes/dns-turn-lookup';
import { parseIp } from '../protocol/stun/ip';

/**
 * Limits of the DNS rules.
 * - slowLookupMedianMs 300: a cold lookup through a nearby resolver costs ~20–150 ms (one recursion to our
 *   authoritative server, wherever it runs); a median above 300 ms means every new host name a meeting client
 *   touches (signalling, TURN, media, CDN) waits noticeably, and the lab's slow resolver (≥ 2 s) is far above it.
 * - slowLookupWorstMs 1000: stub resolvers (Chromium's included) retransmit after about 1 s, so a single
 *   lookup over 1 s means a lost query or an overloaded resolver.
 * - remotePrefixV4 16 / remotePrefixV6 32: without GeoIP, "same network" is at best "same /16" (IPv4) or
 *   "same /32" (IPv6, a provider allocation); anything wider would call every ISP resolver remote.
 */
export const DNS_THRESHOLDS = {
  slowLookupMedianMs: 300,
  slowLookupWorstMs: 1000,
  remotePrefixV4: 16,
  remotePrefixV6: 32,
} as const;
/** The DNS thresholds' type. */
export type DnsThresholds = typeof DNS_THRESHOLDS;

/** How a resolver relates to the client's own public addresses. */
export interface ResolverComparison {
  ip: string;
  geo: GeoInfo;
  /** Same /16 (IPv4) or /32 (IPv6) as the HTTP client address or a server-reflexive address. */
  sameNetworkAsClient: boolean;
  /** Whether any client address of the same family existed to compare with. */
  comparable: boolean;
  /** Both locations known and in different countries. */
  differentCountry: boolean;
}

/** Facts for the DNS rules; each part present only when its probe ran. */
export interface DnsFacts {
  thresholds: DnsThresholds;
  lookup?: {
    zone: string;
    attempts: number;
    answered: number;
    timedOut: number;
    failed: number;
    timingAvailable: boolean;
    lookupMedianMs?: number;
    lookupWorstMs?: number;
    resolvedByProxy: boolean;
    evidence: Evidence[];
  };
  resolver?: {
    httpClient: { ip: string; geo: GeoInfo };
    srflxIps: string[];
    clientSubnets: string[];
    resolvers: ResolverComparison[];
    evidence: Evidence[];
  };
  turnLookup?: {
    turnHost: string;
    pairs: TurnLookupPair[];
    evidence: Evidence[];
  };
}

/** Whether two IPs of the same family share their first `v4`/`v6` bits; null when the families differ or one is no IP. */
export function sharePrefix(a: string, b: string, v4: number, v6: number): boolean | null {
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = parseIp(a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1'));
    y = parseIp(b.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1'));
  } catch {
    return null;
  }
  if (x.length !== y.length) return null;
  const bits = x.length === 4 ? v4 : v6;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> i % 8;
    if ((x[i >> 3]! & mask) !== (y[i >> 3]! & mask)) return false;
  }
  return true;
}

/** An outcome with data to read: it ran, and the diagnosis did not set it aside as netready's own failure. */
function usable(outcome: ProbeOutcome | undefined): outcome is ProbeOutcome {
  return Boolean(outcome) && outcome!.status !== 'skipped' && !outcome!.reclassified && Object.keys(outcome!.data).length > 0;
}

/** Derives the DNS facts; `srflxIps` are the STUN probe's server-reflexive addresses. */
export function deriveDnsFacts(probes: Record<string, ProbeOutcome>, srflxIps: string[], thresholds: DnsThresholds = DNS_THRESHOLDS): DnsFacts {
  const facts: DnsFacts = { thresholds };
  const lookup = probes[DNS_LOOKUP_PROBE_ID];
  if (usable(lookup) && Array.isArray((lookup.data as Partial<DnsLookupData>).attempts)) {
    const d = lookup.data as unknown as DnsLookupData;
    facts.lookup = {
      zone: d.zone,
      attempts: d.attempts.length,
      answered: d.answered,
      timedOut: d.timedOut,
      failed: d.failed,
      timingAvailable: d.timingAvailable,
      resolvedByProxy: d.resolvedByProxy,
      evidence: lookup.evidence,
      ...(d.lookupMedianMs !== undefined ? { lookupMedianMs: d.lookupMedianMs } : {}),
      ...(d.lookupWorstMs !== undefined ? { lookupWorstMs: d.lookupWorstMs } : {}),
    };
  }
  const resolver = probes[DNS_RESOLVER_PROBE_ID];
  if (usable(resolver) && Array.isArray((resolver.data as Partial<DnsResolverData>).resolvers)) {
    const d = resolver.data as unknown as DnsResolverData;
    const clientIps = [d.httpClient.ip, ...srflxIps];
    facts.resolver = {
      httpClient: d.httpClient,
      srflxIps,
      clientSubnets: d.clientSubnets,
      evidence: resolver.evidence,
      resolvers: d.resolvers.map((r) => {
        const comparisons = clientIps.map((ip) => sharePrefix(r.ip, ip, thresholds.remotePrefixV4, thresholds.remotePrefixV6)).filter((c) => c !== null);
        const clientGeo = d.httpClient.geo;
        return {
          ip: r.ip,
          geo: r.geo,
          comparable: comparisons.length > 0,
          sameNetworkAsClient: comparisons.some(Boolean),
          differentCountry:
            r.geo.status === 'known' && clientGeo.status === 'known' && Boolean(r.geo.country) && Boolean(clientGeo.country) && r.geo.country !== clientGeo.country,
        };
      }),
    };
  }
  const turnLookup = probes[DNS_TURN_LOOKUP_PROBE_ID];
  if (usable(turnLookup) && Array.isArray((turnLookup.data as Partial<DnsTurnLookupData>).pairs)) {
    const d = turnLookup.data as unknown as DnsTurnLookupData;
    facts.turnLookup = { turnHost: d.turnHost, pairs: d.pairs, evidence: turnLookup.evidence };
  }
  return facts;
}
