import { describe, expect, it } from 'vitest';
import { buildDnsEvidenceModel, LOOKUP_COLUMNS } from './dns-evidence-model';
import { outcome, REAL_DEEP_RUN, REAL_DNS_RUN } from './testing/real-results';

describe('buildDnsEvidenceModel', () => {
  it('shows each fresh name of a real run with the lookup, connect and TLS time the browser reported', () => {
    const lookups = buildDnsEvidenceModel(REAL_DNS_RUN.probes).lookups!;
    expect(lookups.columns).toEqual(LOOKUP_COLUMNS);
    const [group] = lookups.groups;
    expect(group!.notes).toEqual(["Fresh names in netready's zone probe.netready.test, each asked for once."]);
    expect(group!.rows[0]).toEqual(['nr-9cbf6957881b46ec84f254a26dc4d239.probe.netready.test', '6 ms', '98 ms', '97 ms', 'http/1.1', 'HTTP 200 after 304 ms']);
    expect(group!.rows).toHaveLength(3);
  });

  it('names the resolvers that asked, the subnet they forwarded and what the DNS server saw', () => {
    const resolvers = buildDnsEvidenceModel(REAL_DNS_RUN.probes).resolvers!;
    expect(resolvers.groups[0]!.rows).toEqual([
      ['127.0.0.3', 'udp', 'unknown: no GeoIP database is configured (dns.geoipMmdb)', "asked netready's DNS server for this browser's names"],
      ['127.0.0.1', 'HTTP', 'unknown: no GeoIP database is configured (dns.geoipMmdb)', "this browser, as netready's HTTP server saw it"],
    ]);
    expect(resolvers.groups[0]!.notes).toEqual(['The resolvers forwarded the client subnet 127.0.0.0/24 (EDNS Client Subnet).', 'The DNS server saw 6 queries for 3 names (AAAA, A).']);
  });

  it('sets the TURN server by name beside the same server by IP address, per transport', () => {
    const rows = buildDnsEvidenceModel(REAL_DNS_RUN.probes).turnByName!.groups[0]!.rows;
    expect(rows[0]).toEqual(['udp', 'relay after 500 ms — turn:turn.probe.netready.test:28003?transport=udp', 'relay after 582 ms — turn:127.0.0.1:28003?transport=udp']);
    expect(rows.map((row) => row[0])).toEqual(['udp', 'tcp', 'tls']);
  });

  it('shows a failed lookup by name with its ICE error, a host that did not answer, and a known resolver location', () => {
    const model = buildDnsEvidenceModel({
      'dns-turn-lookup': outcome({ turnHost: 'turn.example.net', pairs: [{ transport: 'udp', byName: { url: 'turn:turn.example.net:3478?transport=udp', outcome: 'lookup-failed', timedOut: false, errors: [{ errorCode: 701, errorText: 'TURN host lookup received error.', url: 'turn:turn.example.net:3478?transport=udp', atMs: 20 }] }, byIp: { url: 'turn:203.0.113.10:3478?transport=udp', outcome: 'relay', relayMs: 90, timedOut: false, errors: [] } }] }, 'fail'),
      'dns-vendor-hosts': outcome({ hosts: [{ target: 'Acme', host: 'media.acme.example', url: 'https://media.acme.example/', answered: false, timedOut: true, elapsedMs: 2000, timing: null }] }, 'warn'),
      'dns-resolver': outcome({ labels: [], resolvers: [{ ip: '198.51.100.53', transports: ['udp', 'tcp'], geo: { status: 'known', country: 'DE', continent: 'EU', asn: 64500, asOrganization: 'Example Net' } }], clientSubnets: [], httpClient: { ip: '203.0.113.9', geo: { status: 'known' } }, resolverIsHttpClient: false, unseenLabels: ['nr-1'] }),
    });
    expect(model.turnByName!.groups[0]!.rows[0]![1]).toBe('lookup-failed; ICE errors 701 "TURN host lookup received error." — turn:turn.example.net:3478?transport=udp');
    expect(model.lookups!.groups[0]!.rows).toEqual([['media.acme.example (Acme)', '—', '—', '—', '—', 'no answer after 2000 ms']]);
    expect(model.resolvers!.groups[0]!.rows[0]).toEqual(['198.51.100.53', 'udp, tcp', 'DE, EU, AS64500 Example Net', "asked netready's DNS server for this browser's names"]);
    expect(model.resolvers!.groups[0]!.notes).toContain('No query reached it for 1 name: answered from a cache it cannot see, or not looked up.');
  });

  it('has no DNS tables when the DNS checks were skipped (no zone configured)', () => {
    expect(buildDnsEvidenceModel(REAL_DEEP_RUN.probes)).toEqual({ lookups: null, resolvers: null, turnByName: null });
  });
});
