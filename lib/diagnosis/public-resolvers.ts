/**
 * Public DNS services that browsers offer as "secure DNS" (DNS over HTTPS) — Chromium's and Firefox's built-in provider
 * lists — by the network (autonomous system) their recursive resolvers query from. A GeoIP database with network data
 * (MaxMind GeoLite2-ASN or a combined one, `dns.geoipMmdb`) gives a resolver address's AS number; these are the
 * operators' own, stable AS numbers. Data, not code: issue 15's `dns-over-https` reads it.
 */

/** A public DNS service: its name, whether it forwards the EDNS Client Subnet to authorities, and its networks. */
export interface PublicResolver {
  name: string;
  /** Sends authorities a truncated client subnet (Google Public DNS does; Cloudflare, Quad9 and OpenDNS do not). */
  forwardsClientSubnet: boolean;
  asns: readonly number[];
}

/** The services, by operator. */
export const PUBLIC_RESOLVERS: readonly PublicResolver[] = Object.freeze([
  { name: 'Cloudflare (1.1.1.1)', forwardsClientSubnet: false, asns: [13335] },
  { name: 'Google Public DNS (8.8.8.8)', forwardsClientSubnet: true, asns: [15169] },
  { name: 'Quad9 (9.9.9.9)', forwardsClientSubnet: false, asns: [19281] },
  { name: 'Cisco OpenDNS', forwardsClientSubnet: false, asns: [36692] },
]);

/** The public DNS service an AS number belongs to, or undefined. */
export function publicResolverByAsn(asn: number | undefined): PublicResolver | undefined {
  return asn === undefined ? undefined : PUBLIC_RESOLVERS.find((r) => r.asns.includes(asn));
}
