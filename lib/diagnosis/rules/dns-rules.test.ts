import { describe, expect, it } from 'vitest';
import { FindingSchema } from '../../schema/result';
import type { GeoInfo } from '../../probes/dns-resolver';
import type { RelayAttempt, TurnLookupPair } from '../../probes/dns-turn-lookup';
import { deriveFacts, type TransportFacts } from '../facts';
import { DNS_THRESHOLDS, sharePrefix, type DnsFacts } from '../facts-dns';
import { outcomesFor } from '../testing/outcomes';
import { dnsResolverRemote } from './dns-resolver-remote';
import { dnsSlow } from './dns-slow';
import { dnsTurnLookupFailed } from './dns-turn-lookup-failed';

const base = deriveFacts(outcomesFor({}));
const withDns = (dns: Omit<DnsFacts, 'thresholds'>): TransportFacts => ({ ...base, dns: { thresholds: DNS_THRESHOLDS, ...dns } });

const lookup = (over: Partial<NonNullable<DnsFacts['lookup']>>): Omit<DnsFacts, 'thresholds'> => ({
  lookup: { zone: 'probe.netready.test', attempts: 3, answered: 3, timedOut: 0, failed: 0, timingAvailable: true, resolvedByProxy: false, lookupMedianMs: 30, lookupWorstMs: 40, evidence: [], ...over },
});

const UNKNOWN: GeoInfo = { status: 'unknown', reason: 'no GeoIP database is configured (dns.geoipMmdb)' };
const geo = (country: string): GeoInfo => ({ status: 'known', country });
const resolver = (ip: string, options: { geo?: GeoInfo; clientGeo?: GeoInfo; srflx?: string[]; ecs?: string[]; client?: string } = {}): Omit<DnsFacts, 'thresholds'> => {
  const client = options.client ?? '198.51.100.7';
  const srflx = options.srflx ?? [client];
  const clientGeo = options.clientGeo ?? UNKNOWN;
  const g = options.geo ?? UNKNOWN;
  const comparisons = [client, ...srflx].map((c) => sharePrefix(ip, c, 16, 32)).filter((c) => c !== null);
  return {
    resolver: {
      httpClient: { ip: client, geo: clientGeo },
      srflxIps: srflx,
      clientSubnets: options.ecs ?? [],
      evidence: [],
      resolvers: [
        {
          ip,
          geo: g,
          comparable: comparisons.length > 0,
          sameNetworkAsClient: comparisons.some(Boolean),
          differentCountry: g.status === 'known' && clientGeo.status === 'known' && g.country !== clientGeo.country,
        },
      ],
    },
  };
};

const attempt = (outcome: RelayAttempt['outcome']): RelayAttempt => ({
  url: 'turn:x',
  outcome,
  timedOut: outcome !== 'relay',
  errors: outcome === 'lookup-error' ? [{ errorCode: 701, errorText: 'TURN host lookup received error.', url: 'turn:x', atMs: 3 }] : [],
  ...(outcome === 'relay' ? { relay: { address: '203.0.113.10', port: 50000, relayProtocol: 'udp' }, relayMs: 5 } : {}),
});
const pair = (transport: TurnLookupPair['transport'], byName: RelayAttempt['outcome'], byIp: RelayAttempt['outcome']): TurnLookupPair => ({
  transport,
  byName: { ...attempt(byName), url: `turn:turn.probe.netready.test:3478?transport=${transport}` },
  byIp: { ...attempt(byIp), url: `turn:203.0.113.10:3478?transport=${transport}` },
});
const turnLookup = (...pairs: TurnLookupPair[]): Omit<DnsFacts, 'thresholds'> => ({ turnLookup: { turnHost: 'turn.probe.netready.test', pairs, evidence: [] } });

interface Case {
  name: string;
  dns: Omit<DnsFacts, 'thresholds'> | null;
  expected: Array<{ code: string; severity: string }>;
}

const CASES: Case[] = [
  { name: 'no DNS facts at all gives no DNS finding', dns: null, expected: [] },
  { name: 'a 30 ms median lookup is not slow', dns: lookup({}), expected: [] },
  { name: 'a median of exactly 300 ms is not slow', dns: lookup({ lookupMedianMs: 300, lookupWorstMs: 300 }), expected: [] },
  { name: 'a median above 300 ms is dns-slow', dns: lookup({ lookupMedianMs: 301, lookupWorstMs: 400 }), expected: [{ code: 'dns-slow', severity: 'warning' }] },
  { name: 'one lookup above 1000 ms is dns-slow', dns: lookup({ lookupMedianMs: 40, lookupWorstMs: 1001 }), expected: [{ code: 'dns-slow', severity: 'warning' }] },
  { name: 'a lookup that never finished next to answered ones is dns-slow', dns: lookup({ answered: 2, timedOut: 1 }), expected: [{ code: 'dns-slow', severity: 'warning' }] },
  { name: 'names resolved by a proxy are never dns-slow', dns: lookup({ resolvedByProxy: true, lookupMedianMs: 0, lookupWorstMs: 0, timedOut: 1 }), expected: [] },
  { name: 'no name answered at all is not dns-slow (nothing was measured)', dns: lookup({ answered: 0, timedOut: 3, lookupMedianMs: undefined, lookupWorstMs: undefined }), expected: [] },
  { name: 'a resolver in the client’s /16 is not remote', dns: resolver('198.51.200.1'), expected: [] },
  { name: 'a resolver in another /16 without ECS is dns-resolver-remote (info)', dns: resolver('192.0.2.53'), expected: [{ code: 'dns-resolver-remote', severity: 'info' }] },
  { name: 'a resolver in the srflx /16 (HTTP via a proxy elsewhere) is not remote', dns: resolver('198.51.100.53', { client: '192.0.2.80', srflx: ['198.51.100.7'] }), expected: [] },
  { name: 'a resolver that forwards the client subnet is not remote by address', dns: resolver('192.0.2.53', { ecs: ['198.51.100.0/24'] }), expected: [] },
  {
    name: 'a resolver in another country by GeoIP is dns-resolver-remote (warning), even with ECS',
    dns: resolver('192.0.2.53', { geo: geo('US'), clientGeo: geo('DE'), ecs: ['198.51.100.0/24'] }),
    expected: [{ code: 'dns-resolver-remote', severity: 'warning' }],
  },
  { name: 'a resolver in another /16 but the same country by GeoIP is not remote', dns: resolver('192.0.2.53', { geo: geo('DE'), clientGeo: geo('DE') }), expected: [] },
  { name: 'an IPv6 resolver in the client’s /32 is not remote', dns: resolver('2001:db8:1::53', { client: '2001:db8:2::7', srflx: [] }), expected: [] },
  { name: 'an IPv6 resolver with only IPv4 client addresses cannot be compared: no finding', dns: resolver('2001:db8:1::53'), expected: [] },
  { name: 'TURN by name and by IP both working is fine', dns: turnLookup(pair('udp', 'relay', 'relay')), expected: [] },
  {
    name: 'TURN by IP working and by name failing with 701 is dns-turn-lookup-failed',
    dns: turnLookup(pair('udp', 'lookup-error', 'relay'), pair('tcp', 'relay', 'relay')),
    expected: [{ code: 'dns-turn-lookup-failed', severity: 'warning' }],
  },
  {
    name: 'TURN by name relaying 3 s after by IP while another by-name lookup failed (the proxy resolved it) is dns-turn-lookup-failed',
    dns: turnLookup(pair('udp', 'lookup-error', 'no-relay'), { ...pair('tls', 'relay', 'relay'), byName: { ...pair('tls', 'relay', 'relay').byName, relayMs: 3152 } }),
    expected: [{ code: 'dns-turn-lookup-failed', severity: 'warning' }],
  },
  {
    name: 'a late by-name relay whose own URL also raised the AAAA false-alarm 701 is still a slow resolver, not a failed lookup',
    dns: turnLookup({
      ...pair('udp', 'relay', 'relay'),
      byName: { ...pair('udp', 'relay', 'relay').byName, relayMs: 2135, errors: [{ errorCode: 701, errorText: 'STUN host lookup received error.', url: 'stun:x', atMs: 2135 }] },
    }),
    expected: [],
  },
  {
    name: 'TURN by name relaying 2 s late with no lookup error anywhere is a slow resolver, not a failed lookup',
    dns: turnLookup({ ...pair('tls', 'relay', 'relay'), byName: { ...pair('tls', 'relay', 'relay').byName, relayMs: 2135 } }),
    expected: [],
  },
  {
    name: 'TURN by name relaying a few ms after by IP is a working lookup',
    dns: turnLookup({ ...pair('tls', 'relay', 'relay'), byName: { ...pair('tls', 'relay', 'relay').byName, relayMs: 180 } }),
    expected: [],
  },
  { name: 'TURN by name timing out while IP works is dns-turn-lookup-failed', dns: turnLookup(pair('tcp', 'no-relay', 'relay')), expected: [{ code: 'dns-turn-lookup-failed', severity: 'warning' }] },
  { name: 'TURN failing by name and by IP is a TURN problem, not a DNS one', dns: turnLookup(pair('udp', 'lookup-error', 'no-relay')), expected: [] },
];

describe('DNS rules', () => {
  it.each(CASES)('$name', ({ dns, expected }) => {
    const facts = dns ? withDns(dns) : { ...base, dns: undefined };
    const findings = [dnsTurnLookupFailed, dnsSlow, dnsResolverRemote].flatMap((rule) => rule.evaluate(facts) ?? []);
    expect(findings.map((f) => ({ code: f.code, severity: f.severity }))).toEqual(expected);
    for (const finding of findings) {
      expect(FindingSchema.safeParse(finding).success).toBe(true);
      expect(finding.title.length).toBeGreaterThan(10);
      expect(finding.remediation.length).toBeGreaterThan(20);
    }
  });

  it.each([
    ['198.51.100.7', '198.51.200.1', true],
    ['198.51.100.7', '198.50.100.7', false],
    ['::ffff:198.51.100.7', '198.51.1.1', true],
    ['2001:db8::1', '198.51.100.7', null],
    ['not-an-ip', '198.51.100.7', null],
  ])('compares %s and %s by /16 or /32 prefix as %s', (a, b, expected) => {
    expect(sharePrefix(a, b, 16, 32)).toBe(expected);
  });
});
