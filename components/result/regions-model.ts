/**
 * The regions of a result (issue 15), for the result and share pages: every region's node with its round trips, the
 * nearest one and the one DNS chose, each row marked. Pure: built from the regions probe's outcome in the result JSON,
 * so live, stored and printed results draw the same.
 */
import { regionRttMs, type RegionsData } from '../../lib/probes/regions';
import { describeGeoChoice } from '../../lib/regions/choose';
import type { ProbeOutcome } from '../../lib/schema/result';

/** One region's row. */
export interface RegionRow {
  id: string;
  label: string;
  /** Country and continent, e.g. "DE, Europe". */
  place: string;
  udpMs?: number;
  httpsMs?: number;
  reachable: boolean;
  /** The round trip the regions are compared by, and its share of the slowest one (for the bar), 0–1. */
  compareMs?: number;
  barFraction?: number;
  nearest: boolean;
  /** The region netready's GeoDNS gave this browser. */
  dnsChoice: boolean;
  /** The region of the node this run's session lived on. */
  home: boolean;
}

/** The table: rows in the configured order, how they were compared, and what DNS did. */
export interface RegionsModel {
  rows: RegionRow[];
  compareBy?: 'udp' | 'https';
  /** How DNS chose its region, in words; or why it is unknown. */
  dnsNote: string;
}

const CONTINENTS: Record<string, string> = { AF: 'Africa', AN: 'Antarctica', AS: 'Asia', EU: 'Europe', NA: 'North America', OC: 'Oceania', SA: 'South America' };

function dnsNote(data: Partial<RegionsData>, rows: RegionRow[]): string {
  const dns = data.dns;
  if (!dns) return 'Which region DNS gives this network was not checked (the server has no DNS zone).';
  const chosen = rows.find((r) => r.dnsChoice);
  if (!dns.region || !chosen) return `Which region DNS gives this network is unknown: ${dns.error ?? 'the answering server named no region'}.`;
  return `DNS gave this network ${chosen.label}, ${describeGeoChoice(dns)}.`;
}

/** The model of a result's regions, or null when the regions probe did not measure (one region, or skipped). */
export function buildRegionsModel(outcome: ProbeOutcome | undefined): RegionsModel | null {
  if (!outcome || outcome.status === 'skipped') return null;
  const data = outcome.data as Partial<RegionsData>;
  if (!Array.isArray(data.regions) || data.regions.length === 0) return null;
  const by = data.compareBy;
  const compare = data.regions.map((r) => (by ? regionRttMs(r, by) : undefined));
  const slowest = Math.max(0, ...compare.filter((x): x is number => x !== undefined));
  const rows: RegionRow[] = data.regions.map((r, i) => {
    const row: RegionRow = {
      id: r.id,
      label: r.label,
      place: [r.location.country, CONTINENTS[r.location.continent] ?? r.location.continent].filter(Boolean).join(', '),
      reachable: r.reachable,
      nearest: r.id === data.nearest,
      dnsChoice: r.id === data.dns?.region,
      home: r.home,
    };
    if (r.udpRttMs !== undefined) row.udpMs = r.udpRttMs;
    if (r.httpsRttMs !== undefined) row.httpsMs = r.httpsRttMs;
    const ms = compare[i];
    if (ms !== undefined) {
      row.compareMs = ms;
      row.barFraction = slowest > 0 ? Math.max(0.02, ms / slowest) : 0;
    }
    return row;
  });
  return { rows, ...(by ? { compareBy: by } : {}), dnsNote: dnsNote(data, rows) };
}
