/**
 * Which region a GeoDNS would send a client to (issue 15), and the distances behind it. Pure and isomorphic: the
 * probe's DNS server asks it with what GeoIP knows of the client subnet (EDNS Client Subnet) or of the resolver; the
 * diagnosis uses the same distances to explain its choice.
 *
 * The rule, as GeoDNS services apply it: the region nearest to the place GeoIP gives (great-circle distance between
 * coordinates); without coordinates, a region in the same country, else on the same continent; else none (the
 * caller then uses its default region).
 */

import type { GeoRule } from '../protocol/dns/label-table';

/** Where a region's node stands, or where GeoIP places an address. */
export interface GeoPlace {
  /** ISO 3166-1 alpha-2 country code, e.g. `DE`. */
  country?: string;
  /** Continent code as MaxMind gives it: AF, AN, AS, EU, NA, OC, SA. */
  continent?: string;
  latitude?: number;
  longitude?: number;
}

/** A region as the choice needs it. */
export interface RegionPlace {
  id: string;
  location: GeoPlace;
}

/** What the choice was based on: coordinates, the same country, the same continent. */
export type RegionMatch = 'nearest' | 'country' | 'continent';

/** Mean Earth radius, km (IUGG). */
const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance between two coordinates, km (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (deg: number): number => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function hasCoordinates(place: GeoPlace): place is GeoPlace & { latitude: number; longitude: number } {
  return typeof place.latitude === 'number' && typeof place.longitude === 'number';
}

/**
 * The region a GeoDNS gives a client GeoIP places at `place`, and why; undefined when nothing about the place matches
 * a region (no coordinates, no shared country or continent). Ties go to the region listed first.
 */
export function chooseRegion<R extends RegionPlace>(regions: readonly R[], place: GeoPlace): { region: R; match: RegionMatch; distanceKm?: number } | undefined {
  if (hasCoordinates(place)) {
    let best: { region: R; distanceKm: number } | undefined;
    for (const region of regions) {
      if (!hasCoordinates(region.location)) continue;
      const d = distanceKm(place, region.location);
      if (!best || d < best.distanceKm) best = { region, distanceKm: d };
    }
    if (best) return { region: best.region, match: 'nearest', distanceKm: Math.round(best.distanceKm) };
  }
  const country = place.country?.toUpperCase();
  const sameCountry = country ? regions.find((r) => r.location.country?.toUpperCase() === country) : undefined;
  if (sameCountry) return { region: sameCountry, match: 'country' };
  const continent = place.continent?.toUpperCase();
  const sameContinent = continent ? regions.find((r) => r.location.continent?.toUpperCase() === continent) : undefined;
  if (sameContinent) return { region: sameContinent, match: 'continent' };
  return undefined;
}

/**
 * How netready's GeoDNS chose a region, in words for people ("by the client subnet the resolver forwarded (…)"): the
 * result page's regions note, the probe's evidence and the `geodns-wrong-region` finding say it alike.
 */
export function describeGeoChoice(choice: { rule?: GeoRule; clientSubnet?: string; resolverIp?: string }): string {
  switch (choice.rule) {
    case 'client-subnet':
      return `by the client subnet the resolver forwarded (${choice.clientSubnet ?? 'ECS'})`;
    case 'resolver':
      return `by the address of the resolver that asked (${choice.resolverIp ?? 'unknown'})`;
    case 'default':
      return 'by default: neither a client subnet nor the resolver could be placed';
    default:
      return 'by a rule the server did not report';
  }
}
