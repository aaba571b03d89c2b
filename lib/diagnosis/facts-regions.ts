/**
 * Region facts (issue 15): the round trip to every region's node, the nearest one, and the region netready's GeoDNS
 * gave this browser — from the regions probe. Absent when the probe did not run (one region) or measured nothing.
 */
import { REGIONS_PROBE_ID, regionRttMs, type RegionMeasurement, type RegionsData } from '../probes/regions';
import type { GeoRule } from '../protocol/dns/label-table';
import type { Evidence, ProbeOutcome } from '../schema/result';

/** What the regions probe established. */
export interface RegionFacts {
  regions: RegionMeasurement[];
  compareBy?: 'udp' | 'https';
  /** The nearest reachable region and its round trip by `compareBy`. */
  nearest?: { region: RegionMeasurement; rttMs: number };
  /** The region DNS gave this browser (the node that answered the GeoDNS name), its round trip, and the rule. */
  dnsChoice?: { region: RegionMeasurement; rttMs?: number; rule?: GeoRule; resolverIp?: string; clientSubnet?: string };
  evidence: Evidence[];
}

/** The region facts of a run, or undefined. */
export function deriveRegionFacts(probes: Record<string, ProbeOutcome>): RegionFacts | undefined {
  const outcome = probes[REGIONS_PROBE_ID];
  if (!outcome || outcome.status !== 'pass') return undefined;
  const data = outcome.data as Partial<RegionsData>;
  if (!Array.isArray(data.regions)) return undefined;
  const facts: RegionFacts = { regions: data.regions, evidence: outcome.evidence };
  const by = data.compareBy;
  if (by) facts.compareBy = by;
  const nearest = data.regions.find((r) => r.id === data.nearest);
  const nearestRtt = nearest && by ? regionRttMs(nearest, by) : undefined;
  if (nearest && nearestRtt !== undefined) facts.nearest = { region: nearest, rttMs: nearestRtt };
  const chosen = data.regions.find((r) => r.id === data.dns?.region);
  if (chosen && data.dns) {
    const rtt = by ? regionRttMs(chosen, by) : undefined;
    facts.dnsChoice = {
      region: chosen,
      ...(rtt !== undefined ? { rttMs: rtt } : {}),
      ...(data.dns.rule ? { rule: data.dns.rule } : {}),
      ...(data.dns.resolverIp ? { resolverIp: data.dns.resolverIp } : {}),
      ...(data.dns.clientSubnet ? { clientSubnet: data.dns.clientSubnet } : {}),
    };
  }
  return facts;
}
