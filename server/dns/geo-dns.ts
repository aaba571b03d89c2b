/**
 * netready as a GeoDNS (issue 15): the region its DNS server names for `media.<dns.zone>`, chosen the way GeoDNS
 * services choose — by the EDNS Client Subnet a resolver forwards, else by the resolver's own address (both placed
 * with the operator's GeoIP database, `dns.geoipMmdb`), else the default region (this node's). The protocol side is
 * lib/protocol/dns/authority.ts (`geo`); the rule is lib/regions/choose.ts.
 */
import type { RegionConfig } from '../../lib/config/schema';
import type { DnsGeoOptions, GeoAnswer } from '../../lib/protocol/dns/authority';
import { chooseRegion } from '../../lib/regions/choose';
import { regionHttpsIp } from '../../lib/regions/deployment';
import type { GeoIpLookup } from './geoip';

/** The network address of a CIDR client subnet, or undefined when the client asked not to be located (/0). */
function subnetAddress(subnet: string): string | undefined {
  const [address, prefix] = subnet.split('/');
  return address && prefix !== '0' ? address : undefined;
}

/**
 * The GeoDNS choice for `regions` with `defaultRegion` (an id among them) as the fallback. GeoIP lookups that say
 * "unknown" or place an address where no region matches fall through to the next rule.
 */
export function createGeoDns(regions: readonly RegionConfig[], defaultRegion: string, geoip: GeoIpLookup): DnsGeoOptions {
  const fallback = regions.find((r) => r.id === defaultRegion) ?? regions[0];
  if (!fallback) throw new Error('GeoDNS needs at least one region');
  const answer = (region: RegionConfig, rule: GeoAnswer['rule']): GeoAnswer => ({ region: region.id, rule, ipv4: [regionHttpsIp(region)] });
  const place = (ip: string): RegionConfig | undefined => {
    const info = geoip.lookup(ip);
    return info.status === 'known' ? chooseRegion(regions, info)?.region : undefined;
  };
  return {
    choose(resolverIp, clientSubnet) {
      const address = clientSubnet ? subnetAddress(clientSubnet) : undefined;
      const bySubnet = address ? place(address) : undefined;
      if (bySubnet) return answer(bySubnet, 'client-subnet');
      const byResolver = place(resolverIp);
      if (byResolver) return answer(byResolver, 'resolver');
      return answer(fallback, 'default');
    },
  };
}
