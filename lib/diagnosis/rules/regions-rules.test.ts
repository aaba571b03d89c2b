import { describe, expect, it } from 'vitest';
import type { RegionMeasurement, RegionsData } from '../../probes/regions';
import type { ProbeOutcome } from '../../schema/result';
import { deriveFacts } from '../facts';
import { geodnsWrongRegion } from './geodns-wrong-region';
import { dnsOverHttps } from './dns-over-https';
import { dnsResolverRemote } from './dns-resolver-remote';
import type { DnsFacts } from '../facts-dns';
import { DNS_THRESHOLDS } from '../facts-dns';
import type { GeoInfo } from '../../probes/dns-resolver';

const region = (id: string, label: string, udpRttMs: number | undefined, httpsRttMs?: number): RegionMeasurement => ({
  id,
  label,
  location: { continent: 'EU', latitude: 0, longitude: 0 },
  home: id === 'eu',
  reachable: udpRttMs !== undefined || httpsRttMs !== undefined,
  ...(udpRttMs !== undefined ? { udpRttMs } : {}),
  ...(httpsRttMs !== undefined ? { httpsRttMs } : {}),
});

function facts(data: RegionsData, status: ProbeOutcome['status'] = 'pass') {
  const outcome: ProbeOutcome = { status, durationMs: 100, data: data as unknown as Record<string, unknown>, evidence: [{ probe: 'regions', kind: 'region-rtt', summary: 'x' }] };
  return deriveFacts({ regions: outcome });
}

const EU = region('eu', 'Frankfurt', 12, 14);
const US = region('us', 'Ashburn', 105, 110);

describe('geodns-wrong-region', () => {
  it('warns when DNS chose a region 93 ms slower than the nearest, naming both, the rule and the remedy', () => {
    const finding = geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver', resolverIp: '192.0.2.53' } }));
    expect(finding).toMatchObject({ code: 'geodns-wrong-region', severity: 'warning', title: 'DNS sends this network to Ashburn, but Frankfurt is nearer' });
    expect(finding?.detail).toContain('105 ms');
    expect(finding?.detail).toContain('12 ms');
    expect(finding?.detail).toContain('192.0.2.53');
    expect(finding?.remediation).toContain('EDNS Client Subnet');
    expect(finding?.evidence).toHaveLength(1);
  });

  it('compares over HTTPS when that is how the regions were measured', () => {
    const finding = geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'Frankfurt', undefined, 14), region('us', 'Ashburn', undefined, 110)], compareBy: 'https', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'default' } }));
    expect(finding?.detail).toContain('over HTTPS');
    expect(finding?.detail).toContain('by default');
  });

  it('stays silent when DNS chose the nearest region, a region about as near, or one it could not measure', () => {
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'eu', rule: 'client-subnet', clientSubnet: '198.51.100.0/24' } }))).toBeNull();
    // 10 ms and 25 ms: 2.5 × but only 15 ms apart; 70 ms and 101 ms: 31 ms apart but only 1.44 ×.
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'F', 10), region('nl', 'A', 25)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'nl', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'F', 70), region('nl', 'A', 101)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'nl', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, region('us', 'Ashburn', undefined)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', error: 'no answer' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver' } }, 'skipped'))).toBeNull();
  });
});

describe('dns-over-https', () => {
  const base = deriveFacts({});
  const withResolver = (ip: string, geo: GeoInfo, options: { clientAsn?: number; ecs?: string[] } = {}) => {
    const resolver: NonNullable<DnsFacts['resolver']> = {
      httpClient: { ip: '198.51.100.7', geo: options.clientAsn ? { status: 'known', asn: options.clientAsn } : { status: 'unknown', reason: 'not in the database' } },
      srflxIps: ['198.51.100.7'],
      clientSubnets: options.ecs ?? [],
      resolvers: [{ ip, geo, comparable: true, sameNetworkAsClient: false, differentCountry: false }],
      evidence: [{ probe: 'dns-resolver', kind: 'dns-resolver', summary: 'x' }],
    };
    return { ...base, dns: { thresholds: DNS_THRESHOLDS, resolver } };
  };

  it("reports (information) names resolved from a public DNS service's own network, saying what it means for GeoDNS", () => {
    const finding = dnsOverHttps.evaluate(withResolver('172.68.1.1', { status: 'known', country: 'DE', asn: 13335, asOrganization: 'CLOUDFLARENET' }));
    expect(finding).toMatchObject({ code: 'dns-over-https', severity: 'info', title: "This browser's names are resolved by Cloudflare (1.1.1.1), not by this network's resolver" });
    expect(finding?.detail).toContain('AS13335');
    expect(finding?.detail).toContain('does not forward the client subnet');
    expect(finding?.remediation).toContain('DnsOverHttpsMode');
    // Google forwards the client subnet: said so when it did.
    expect(dnsOverHttps.evaluate(withResolver('172.253.1.1', { status: 'known', asn: 15169 }, { ecs: ['198.51.100.0/24'] }))?.detail).toContain('forwarded this network\'s client subnet (198.51.100.0/24)');
  });

  it('stays silent for an ordinary resolver, an unknown network, and the operator\'s own office network', () => {
    expect(dnsOverHttps.evaluate(withResolver('192.0.2.53', { status: 'known', asn: 64500 }))).toBeNull();
    expect(dnsOverHttps.evaluate(withResolver('192.0.2.53', { status: 'unknown', reason: 'no GeoIP database is configured (dns.geoipMmdb)' }))).toBeNull();
    expect(dnsOverHttps.evaluate(withResolver('172.68.1.1', { status: 'known', asn: 13335 }, { clientAsn: 13335 }))).toBeNull();
    expect(dnsOverHttps.evaluate(base)).toBeNull();
  });
});

describe('dns-resolver-remote with regions measured', () => {
  it('adds the round trips to the region a GeoDNS picks for the resolver and to the nearest one', () => {
    const regions = facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver', resolverIp: '192.0.2.53' } });
    const resolver: NonNullable<DnsFacts['resolver']> = {
      httpClient: { ip: '198.51.100.7', geo: { status: 'known', country: 'DE' } },
      srflxIps: ['198.51.100.7'],
      clientSubnets: [],
      resolvers: [{ ip: '192.0.2.53', geo: { status: 'known', country: 'US' }, comparable: true, sameNetworkAsClient: false, differentCountry: true }],
      evidence: [],
    };
    const finding = dnsResolverRemote.evaluate({ ...regions, dns: { thresholds: DNS_THRESHOLDS, resolver } });
    expect(finding?.detail).toContain('the region a GeoDNS picks for it, Ashburn, answers in 105 ms; the nearest, Frankfurt, in 12 ms.');
    // Without regions: the sentence is left out.
    expect(dnsResolverRemote.evaluate({ ...deriveFacts({}), dns: { thresholds: DNS_THRESHOLDS, resolver } })?.detail).not.toContain('GeoDNS picks');
  });
});
