/**
 * Rule `dns-over-https` (issue 15, information): the names this browser looked up reached netready's DNS server from
 * a public DNS service's own network (lib/diagnosis/public-resolvers.ts, by the AS number GeoIP gives) rather than from
 * the network's resolver — what a browser's "secure DNS" (DNS over HTTPS) does, and also what a network configured to
 * use that service looks like, which the finding says. It matters for GeoDNS: the service, not the user's network,
 * decides where the meeting service sees the user. Needs a GeoIP database with network (ASN) data.
 */
import type { Finding } from '../../schema/result';
import { publicResolverByAsn } from '../public-resolvers';
import type { Rule } from '../types';

/** dns-over-https */
export const dnsOverHttps: Rule = {
  code: 'dns-over-https',
  evaluate(facts): Finding | null {
    const resolver = facts.dns?.resolver;
    if (!resolver) return null;
    const clientAsn = resolver.httpClient.geo.status === 'known' ? resolver.httpClient.geo.asn : undefined;
    for (const r of resolver.resolvers) {
      const asn = r.geo.status === 'known' ? r.geo.asn : undefined;
      const service = publicResolverByAsn(asn);
      // The operator's own offices use their own resolvers: that is the network's resolver, not a detour.
      if (!service || asn === clientAsn) continue;
      const ecs = resolver.clientSubnets.length > 0;
      const geoDns = ecs
        ? `It forwarded this network's client subnet (${resolver.clientSubnets.join(', ')}), so services that choose servers by DNS still see roughly where this network is.`
        : `${service.forwardsClientSubnet ? 'It forwarded no client subnet here' : 'It does not forward the client subnet'}, so services that choose servers by DNS see the location of ${service.name}'s resolver, not this network's — usually nearby, but not always.`;
      return {
        code: 'dns-over-https',
        severity: 'info',
        title: `This browser's names are resolved by ${service.name}, not by this network's resolver`,
        detail:
          `Names looked up in this browser reached netready's DNS server from ${r.ip} (AS${asn}), ${service.name}'s own network. ` +
          'That is what the browser\'s "secure DNS" (DNS over HTTPS) does; it is also what a network configured to use that public service looks like. ' +
          geoDns,
        remediation:
          'Nothing needs to change for calls. Where company policy wants names resolved by the network\'s own resolver (split DNS, filtering, GeoDNS by site), ' +
          'turn secure DNS off or point it at the company\'s resolver by policy: Chrome/Edge `DnsOverHttpsMode` and `DnsOverHttpsTemplates`, Firefox `DNSOverHTTPS`.',
        evidence: resolver.evidence,
      };
    }
    return null;
  },
};
