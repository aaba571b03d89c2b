/**
 * Rule `dns-resolver-remote`: the resolver that looked up this page's names is not where the user is. Global
 * meeting services pick servers by GeoDNS — by the resolver's location, or by the client subnet the resolver
 * forwards (ECS) — so a remote resolver can send the call to another region or continent.
 * With GeoIP on both addresses showing different countries it is a warning. Without GeoIP only the addresses can
 * be compared (a different /16 from every public address of the client, and no client subnet forwarded); that
 * also happens with an ordinary Internet provider's resolver, so it is reported as information only.
 */
import type { Finding } from '../../schema/result';
import type { Rule } from '../types';

/**
 * Issue 15: what the regions measured, when the deployment has several — the round trip to the region netready's own
 * GeoDNS chose for this resolver, and to the nearest one — so "remote" comes with its cost in milliseconds.
 */
function measuredRegions(facts: Parameters<Rule['evaluate']>[0]): string {
  const choice = facts.regions?.dnsChoice;
  const nearest = facts.regions?.nearest;
  if (!choice || choice.rttMs === undefined || !nearest) return '';
  if (choice.region.id === nearest.region.id) {
    return ` Measured from here, the region a GeoDNS picks for it, ${choice.region.label}, is also the nearest (${Math.round(choice.rttMs)} ms).`;
  }
  return ` Measured from here, the region a GeoDNS picks for it, ${choice.region.label}, answers in ${Math.round(choice.rttMs)} ms; the nearest, ${nearest.region.label}, in ${Math.round(nearest.rttMs)} ms.`;
}

/** dns-resolver-remote */
export const dnsResolverRemote: Rule = {
  code: 'dns-resolver-remote',
  explains: ['dns-resolver'],
  evaluate(facts): Finding | null {
    const resolver = facts.dns?.resolver;
    const thresholds = facts.dns?.thresholds;
    if (!resolver || !thresholds || resolver.resolvers.length === 0) return null;
    // A resolver that forwards the client's subnet lets GeoDNS see where the client is, wherever the resolver is.
    const forwardsSubnet = resolver.clientSubnets.length > 0;
    const byCountry = resolver.resolvers.filter((r) => r.differentCountry);
    const byAddress = resolver.resolvers.filter((r) => r.comparable && !r.sameNetworkAsClient && r.geo.status !== 'known');
    if (byCountry.length === 0 && (forwardsSubnet || byAddress.length === 0)) return null;
    const clientIps = [resolver.httpClient.ip, ...resolver.srflxIps.filter((ip) => ip !== resolver.httpClient.ip)].join(', ');
    const prefix = `/${thresholds.remotePrefixV4} (IPv4) or /${thresholds.remotePrefixV6} (IPv6)`;
    if (byCountry.length > 0) {
      const r = byCountry[0]!;
      const clientCountry = resolver.httpClient.geo.status === 'known' ? resolver.httpClient.geo.country : undefined;
      return {
        code: 'dns-resolver-remote',
        severity: 'warning',
        title: `This network's DNS resolver is in another country (${r.geo.status === 'known' ? r.geo.country : '?'})`,
        detail:
          `Names looked up on this computer reached netready's DNS server from the resolver ${r.ip}` +
          `${r.geo.status === 'known' && r.geo.asOrganization ? ` (${r.geo.asOrganization})` : ''}, located in ${r.geo.status === 'known' ? r.geo.country : 'another country'}, ` +
          `while this computer reaches the Internet from ${clientIps}${clientCountry ? ` in ${clientCountry}` : ''}` +
          (forwardsSubnet ? '. The resolver does forward the client subnet (ECS), which helps services that use it.' : ', and the resolver does not forward the client subnet (ECS).') +
          ' Meeting services that choose their servers by DNS may send calls to a server near the resolver rather than near the user.' +
          measuredRegions(facts),
        remediation:
          'Use a DNS resolver in the same region as the users (on site or at the local Internet provider), or one that forwards the EDNS Client Subnet. ' +
          'With a VPN or cloud security service that resolves names centrally, exclude the meeting service\'s domains from central resolution (split DNS).',
        evidence: resolver.evidence,
      };
    }
    const r = byAddress[0]!;
    const why = resolver.resolvers.some((x) => x.geo.status === 'unknown')
      ? ` (location unknown: ${resolver.resolvers.map((x) => (x.geo.status === 'unknown' ? x.geo.reason : '')).find(Boolean)})`
      : '';
    return {
      code: 'dns-resolver-remote',
      severity: 'info',
      title: "This network's DNS resolver is in a different network than its Internet address",
      detail:
        `Names looked up on this computer reached netready's DNS server from the resolver ${r.ip}, which is outside ${prefix} of every ` +
        `public address this computer uses (${clientIps}), and it does not forward the client subnet (ECS). How far away it is cannot be told here${why}. ` +
        'If the resolver is in another region — a central corporate resolver, a VPN or cloud security service — meeting services that choose their ' +
        'servers by DNS may send calls to a distant server.' +
        measuredRegions(facts),
      remediation:
        'Check where the DNS resolver handed out to clients sits. Prefer a resolver in the users\' region or one that forwards the EDNS Client Subnet, ' +
        'or resolve the meeting service\'s domains locally (split DNS). Configure a GeoIP database on the netready server (dns.geoipMmdb) to have the location checked.',
      evidence: resolver.evidence,
    };
  },
};
