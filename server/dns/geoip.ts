/**
 * Optional GeoIP lookups for resolver and client addresses: with a MaxMind-format database supplied by the
 * operator (config `dns.geoipMmdb`, read with the `maxmind` package), an address maps to country, continent and
 * network (ASN). Without one, every lookup says "unknown" and why — never a guess.
 */
import maxmind from 'maxmind';
import { canonicalIp, parseIp } from '../../lib/protocol/stun/ip';

/** What is known about where an address is (coordinates from a City database, `location.latitude/longitude`). */
export type GeoInfo =
  | { status: 'known'; country?: string; continent?: string; latitude?: number; longitude?: number; asn?: number; asOrganization?: string }
  | { status: 'unknown'; reason: string };

/** Looks addresses up. */
export interface GeoIpLookup {
  lookup(ip: string): GeoInfo;
}

/** The subset of a `maxmind` Reader we use. */
interface MmdbReader {
  get(ip: string): unknown;
}

/** Whether an address is private, loopback, link-local or otherwise not in any public GeoIP database. */
export function isNonPublicIp(ip: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = parseIp(canonicalIp(ip));
  } catch {
    return true;
  }
  if (bytes.length === 4) {
    const [a, b] = [bytes[0]!, bytes[1]!];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const first = (bytes[0]! << 8) | bytes[1]!;
  return bytes.every((x, i) => (i < 15 ? x === 0 : x <= 1)) || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

function unknownLookup(reason: string): GeoIpLookup {
  return { lookup: () => ({ status: 'unknown', reason }) };
}

function readRecord(record: unknown): GeoInfo {
  if (typeof record !== 'object' || record === null) return { status: 'unknown', reason: 'address not in the GeoIP database' };
  const r = record as {
    country?: { iso_code?: string };
    registered_country?: { iso_code?: string };
    continent?: { code?: string };
    location?: { latitude?: number; longitude?: number };
    autonomous_system_number?: number;
    autonomous_system_organization?: string;
  };
  const info: GeoInfo = { status: 'known' };
  const country = r.country?.iso_code ?? r.registered_country?.iso_code;
  if (country) info.country = country;
  if (r.continent?.code) info.continent = r.continent.code;
  if (typeof r.location?.latitude === 'number' && typeof r.location.longitude === 'number') {
    info.latitude = r.location.latitude;
    info.longitude = r.location.longitude;
  }
  if (typeof r.autonomous_system_number === 'number') info.asn = r.autonomous_system_number;
  if (r.autonomous_system_organization) info.asOrganization = r.autonomous_system_organization;
  return info;
}

/**
 * Opens the GeoIP database when one is configured; otherwise returns a lookup that answers "unknown" with the
 * reason (no database configured / file unreadable).
 */
export async function openGeoIp(mmdbPath: string | undefined, log?: (message: string) => void): Promise<GeoIpLookup> {
  if (!mmdbPath) return unknownLookup('no GeoIP database is configured (dns.geoipMmdb)');
  let reader: MmdbReader;
  try {
    reader = await maxmind.open(mmdbPath);
  } catch (error) {
    log?.(`GeoIP: cannot open ${mmdbPath}: ${String(error)}`);
    return unknownLookup('the GeoIP database could not be opened');
  }
  return {
    lookup(ip) {
      // The database first: an organisation's own database may place its private networks (its sites' resolvers).
      let record: unknown;
      try {
        record = reader.get(canonicalIp(ip));
      } catch {
        return { status: 'unknown', reason: 'address could not be looked up' };
      }
      if ((typeof record !== 'object' || record === null) && isNonPublicIp(ip)) return { status: 'unknown', reason: 'private or loopback address' };
      return readRecord(record);
    },
  };
}
