/**
 * NAT facts from the nat probe (lib/probes/nat.ts): the RFC 4787 mapping and filtering behaviour, and whether IPv6
 * reaches netready. Read here once, so the rules never parse probe data.
 */
import { NAT_PROBE_ID, type NatData } from '../probes/nat';
import type { NatFiltering, NatMapping } from '../probes/nat-classify';
import type { Evidence, ProbeOutcome } from '../schema/result';

/** What the nat probe established. */
export interface NatFacts {
  mapping: NatMapping;
  mappingWhy?: string;
  /** The mapping depends on the destination (address-dependent, address-and-port-dependent or endpoint-dependent). */
  endpointDependent: boolean;
  filtering: NatFiltering;
  filteringWhy?: string;
  ipv6: NatData['ipv6'];
  /** The mapped addresses by endpoint, for the findings' words. */
  mapped: NatData['mapped'];
  evidence: Evidence[];
}

const DEPENDENT: readonly NatMapping[] = ['address-dependent', 'address-and-port-dependent', 'endpoint-dependent'];

/** Derives the NAT facts; undefined when the probe did not run, was skipped, or netready's own failure set it aside. */
export function deriveNatFacts(probes: Record<string, ProbeOutcome>): NatFacts | undefined {
  const outcome = probes[NAT_PROBE_ID];
  if (!outcome || outcome.status === 'skipped' || outcome.reclassified) return undefined;
  const data = outcome.data as Partial<NatData>;
  if (typeof data.mapping !== 'string' || typeof data.filtering !== 'string' || !data.ipv6) return undefined;
  return {
    mapping: data.mapping,
    ...(data.mappingWhy ? { mappingWhy: data.mappingWhy } : {}),
    endpointDependent: DEPENDENT.includes(data.mapping),
    filtering: data.filtering,
    ...(data.filteringWhy ? { filteringWhy: data.filteringWhy } : {}),
    ipv6: data.ipv6,
    mapped: Array.isArray(data.mapped) ? data.mapped : [],
    evidence: outcome.evidence,
  };
}
