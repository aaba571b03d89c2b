import { describe, expect, it } from 'vitest';
import { runNetready } from '../engine/run-netready';
import type { Result } from '../schema/result';
import type { Session } from '../schema/session';
import type { DnsLookupData } from './dns-lookup';
import { makeProbeLabel, summariseLookups } from './dns-lookup';
import { MEDIA_QUALITY_PROBE_ID } from './media-quality';
import { createDefaultPlan } from './plan';
import type { DnsResolverData } from './dns-resolver';
import { inferLookupErrors, type DnsTurnLookupData, type RelayAttempt } from './dns-turn-lookup';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike, PeerConnectionConfigLike, ResourceTimingLike } from './types';

const ZONE = 'probe.netready.test';
const SERVER = '203.0.113.10';
const CLIENT = '198.51.100.7';
const auth = { username: '1800000000:S1', credential: 'c2VjcmV0' };

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-11-25T10:00:00.000Z',
  stun: [{ port: 3478, url: `stun:${SERVER}:3478`, role: 'turn' }],
  turn: [
    { transport: 'udp', url: `turn:${SERVER}:3478?transport=udp`, ...auth },
    { transport: 'tcp', url: `turn:${SERVER}:3478?transport=tcp`, ...auth },
    { transport: 'tls', url: `turns:${SERVER}:5349?transport=tcp`, ...auth },
  ],
  peerPath: '/v1/sessions/S1/peers',
  dns: {
    zone: ZONE,
    lookupUrl: `https://{label}.${ZONE}:8443/v1/dns/ping`,
    labelsPath: '/v1/dns/labels',
    turnByName: [
      { transport: 'udp', url: `turn:turn.${ZONE}:3478?transport=udp`, ...auth },
      { transport: 'tcp', url: `turn:turn.${ZONE}:3478?transport=tcp`, ...auth },
      { transport: 'tls', url: `turns:turn.${ZONE}:5349?transport=tcp`, ...auth },
    ],
  },
};

const SRFLX = `candidate:1 1 udp 1677729535 ${CLIENT} 40000 typ srflx raddr 0.0.0.0 rport 0`;
const RELAY = `candidate:2 1 udp 41885439 ${SERVER} 50000 typ relay raddr ${CLIENT} rport 40000`;
const LOOKUP_ERROR = { errorCode: 701, errorText: 'TURN host lookup received error.' };

/** How the fake network behaves. */
interface Network {
  session?: Session;
  /** TURN by name: 'ok', a 701 then nothing, a 701 and still a relay (AAAA false alarm), or nothing at all. */
  turnByName?: 'ok' | 'lookup-error' | 'aaaa-false-alarm' | 'silent';
  /** Lookup and connect ms each fresh name shows in Resource Timing. */
  lookupMs?: number[];
  connectMs?: number;
  /** Fresh names that fail to fetch. */
  fetchFails?: boolean;
  /** Which fresh names (by order) the browser sent over a connection opened for another name (HTTP/2 pooling). */
  pooled?: number[];
  resolverIp?: string;
  clientSubnet?: string;
}

function urlOf(config: PeerConnectionConfigLike): string {
  const urls = config.iceServers[0]?.urls;
  return Array.isArray(urls) ? urls[0]! : urls!;
}

function script(network: Network, url: string): PeerScript {
  if (url.startsWith('stun:')) return { candidates: [{ afterMs: 2, line: SRFLX }] };
  const relay = { afterMs: 5, line: RELAY };
  if (!url.includes(`turn.${ZONE}`)) return { candidates: [relay], dataFlows: true };
  switch (network.turnByName ?? 'ok') {
    case 'ok':
      return { candidates: [relay] };
    case 'lookup-error':
      return { errors: [{ afterMs: 3, url, ...LOOKUP_ERROR }] };
    case 'aaaa-false-alarm':
      return { candidates: [{ afterMs: 8, line: RELAY }], errors: [{ afterMs: 3, url, ...LOOKUP_ERROR }] };
    case 'silent':
      return {};
  }
}

async function run(network: Network): Promise<Result> {
  const labels: string[] = [];
  const fetch: FetchLike = async (url) => {
    if (url.endsWith('/v1/sessions')) return { status: 201, json: async () => network.session ?? SESSION };
    if (url.endsWith('/peers')) return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };
    if (url.endsWith('/observations')) return { status: 200, json: async () => ({ clientAddress: CLIENT, observations: [], tlsHandshakes: [] }) };
    if (url.includes('/v1/dns/ping')) {
      if (network.fetchFails) throw new TypeError('Failed to fetch');
      labels.push(new URL(url).hostname.split('.')[0]!);
      const host = new URL(url).hostname;
      // The server's view: which name the connection was opened for (another one when the browser pooled it).
      const connectionServerName = network.pooled?.includes(labels.length - 1) ? null : host;
      return { status: 200, json: async () => ({ ok: true, host, connectionServerName }) };
    }
    const label = /\/v1\/dns\/labels\/([^/]+)$/.exec(url)?.[1];
    if (label) {
      const resolverIp = network.resolverIp ?? CLIENT;
      const seen = labels.includes(label);
      return {
        status: 200,
        json: async () => ({
          label,
          queries: seen
            ? [{ atMs: 1, resolverIp, resolverPort: 5353, transport: 'udp', qtype: 'A', edns: true, ...(network.clientSubnet ? { clientSubnet: network.clientSubnet } : {}) }]
            : [],
          resolvers: seen ? [{ ip: resolverIp, geo: { status: 'unknown', reason: 'no GeoIP database is configured (dns.geoipMmdb)' } }] : [],
          httpClient: { ip: CLIENT, geo: { status: 'unknown', reason: 'no GeoIP database is configured (dns.geoipMmdb)' } },
        }),
      };
    }
    return { status: 404, json: async () => ({}) };
  };
  let n = 0;
  const resourceTiming = async (url: string): Promise<ResourceTimingLike> => {
    // The session request's entry (its round trip) takes no lookup of the sequence the DNS names walk through.
    const lookup = url.endsWith('/v1/sessions') ? 0 : (network.lookupMs ?? [20, 30, 40])[n++ % 3]!;
    const connect = network.connectMs ?? 2;
    const start = 100;
    return {
      name: url,
      startTime: start,
      fetchStart: start,
      domainLookupStart: start,
      domainLookupEnd: start + lookup,
      connectStart: start + lookup,
      secureConnectionStart: start + lookup + connect / 2,
      connectEnd: start + lookup + connect,
      requestStart: start + lookup + connect,
      responseStart: start + lookup + connect + 1,
      responseEnd: start + lookup + connect + 2,
      nextHopProtocol: 'http/1.1',
    };
  };
  const env = fakeEnvironment((config) => script(network, urlOf(config)), fetch, resourceTiming);
  return runNetready({
    env,
    probeUrl: `http://${SERVER}:8080`,
    budgetMs: 3000,
    probeTimeoutMs: 300,
    // The fakes answer in milliseconds: keep their short fixed deadlines (lib/engine/deadlines.ts adapts real runs).
    fixedTimeouts: true,
    configName: 'test',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    startedAt: '2026-11-25T09:00:00.000Z',
    // These rows are about DNS: without the quality stream, whose fake peer never answers, a run ends when its DNS
    // probes do instead of at the budget.
    plan: createDefaultPlan().filter((probe) => probe.id !== MEDIA_QUALITY_PROBE_ID),
  });
}

const codes = (result: Result): string[] => result.findings.map((f) => f.code);
const dnsCodes = (result: Result): string[] => codes(result).filter((c) => c.startsWith('dns-'));

describe('the DNS probes with a fake browser', () => {
  it('skip with a reason naming dns.zone when the server has no probe zone, and add no DNS finding', async () => {
    const { dns: _dns, ...withoutDns } = SESSION;
    const result = await run({ session: withoutDns });
    for (const id of ['dns-lookup', 'dns-turn-lookup']) {
      expect(result.probes[id]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('dns.zone') });
    }
    expect(result.probes['dns-resolver']?.status).toBe('skipped');
    expect(result.probes['dns-vendor-hosts']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('targets[].hosts') });
    expect(dnsCodes(result)).toEqual([]);
    expect(result.verdict).toBe('ready');
  });

  it('record lookup times, the resolver and TURN by name on an open network, with no DNS finding', async () => {
    const result = await run({});
    const lookup = result.probes['dns-lookup']!;
    expect(lookup.status).toBe('pass');
    expect(lookup.data).toMatchObject({ answered: 3, failed: 0, timedOut: 0, lookupMedianMs: 30, lookupWorstMs: 40, connectMedianMs: 2, resolvedByProxy: false });
    const attempts = (lookup.data as unknown as DnsLookupData).attempts;
    expect(attempts.map((a) => a.url)).toEqual(attempts.map((a) => `https://${a.label}.${ZONE}:8443/v1/dns/ping`));
    expect(new Set(attempts.map((a) => a.label)).size).toBe(3);
    const resolver = result.probes['dns-resolver']!;
    expect(resolver.status).toBe('pass');
    expect(resolver.data as unknown as DnsResolverData).toMatchObject({ resolvers: [{ ip: CLIENT, transports: ['udp'] }], resolverIsHttpClient: true, unseenLabels: [] });
    const turn = result.probes['dns-turn-lookup']!;
    expect(turn.status).toBe('pass');
    expect((turn.data as unknown as DnsTurnLookupData).pairs.map((p) => [p.transport, p.byName.outcome, p.byIp.outcome])).toEqual([
      ['udp', 'relay', 'relay'],
      ['tcp', 'relay', 'relay'],
      ['tls', 'relay', 'relay'],
    ]);
    expect(dnsCodes(result)).toEqual([]);
    expect(result.verdict).toBe('ready');
  });

  it('report dns-turn-lookup-failed when TURN works by IP but the name fails with 701, and keep the verdict', async () => {
    const result = await run({ turnByName: 'lookup-error' });
    expect(result.probes['dns-turn-lookup']).toMatchObject({ status: 'warn', reason: expect.stringContaining(`turn.${ZONE}`) });
    const pairs = (result.probes['dns-turn-lookup']!.data as unknown as DnsTurnLookupData).pairs;
    expect(pairs.every((p) => p.byName.outcome === 'lookup-error' && p.byName.errors[0]?.errorCode === 701)).toBe(true);
    expect(dnsCodes(result)).toEqual(['dns-turn-lookup-failed']);
    const finding = result.findings.find((f) => f.code === 'dns-turn-lookup-failed')!;
    expect(finding.severity).toBe('warning');
    expect(finding.remediation).toContain(`turns:${SERVER}:443`);
    expect(finding.evidence.some((e) => e.kind === 'ice-error')).toBe(true);
    expect(result.verdict).toBe('ready');
  });

  it('report dns-turn-lookup-failed when the name lookup hangs silently until the deadline', async () => {
    const result = await run({ turnByName: 'silent' });
    const pairs = (result.probes['dns-turn-lookup']!.data as unknown as DnsTurnLookupData).pairs;
    expect(pairs.map((p) => [p.byName.outcome, p.byName.timedOut])).toEqual([['no-relay', true], ['no-relay', true], ['no-relay', true]]);
    expect(result.findings.find((f) => f.code === 'dns-turn-lookup-failed')?.detail).toContain('hanging');
  });

  it('treat a 701 for a URL that still produced a relay as the AAAA false alarm, not a failure', async () => {
    const result = await run({ turnByName: 'aaaa-false-alarm' });
    expect(result.probes['dns-turn-lookup']?.status).toBe('pass');
    expect(result.probes['dns-turn-lookup']?.evidence.some((e) => e.summary.includes('not a failure'))).toBe(true);
    expect(dnsCodes(result)).toEqual([]);
  });

  it('report dns-slow when fresh names take about 2 s to resolve', async () => {
    const result = await run({ lookupMs: [2000, 2100, 1900] });
    expect(result.probes['dns-lookup']?.data).toMatchObject({ lookupMedianMs: 2000, lookupWorstMs: 2100 });
    expect(dnsCodes(result)).toEqual(['dns-slow']);
    expect(result.findings[0]?.detail).toContain('median 2000 ms, worst 2100 ms');
  });

  it('record 0 ms lookups and connects on fresh names as resolved by a proxy, without calling DNS slow', async () => {
    const result = await run({ lookupMs: [0, 0, 0], connectMs: 0 });
    expect(result.probes['dns-lookup']?.data).toMatchObject({ resolvedByProxy: true, lookupMedianMs: 0 });
    expect(dnsCodes(result)).toEqual([]);
  });

  it('record Firefox\'s tunnelled fresh names (a small "lookup", no TLS phase) as resolved by a proxy, and its direct ones not', () => {
    // Lookup/connect/TLS ms Firefox ESR 153 reported in the lab: through squid (proxy-only, tls-inspect) and direct
    // (open, no-udp, udp-3478-blocked) — where it sometimes reports 0 ms lookups of fresh names too.
    const summarise = (phases: Array<[number, number, number]>): boolean =>
      summariseLookups(
        ZONE,
        phases.map(([lookupMs, connectMs, tlsMs], i) => ({
          label: `nr-${i}`, url: `https://nr-${i}.${ZONE}/v1/dns/ping`, answered: true, timedOut: false, elapsedMs: 10,
          timing: { lookupMs, connectMs, tlsMs, firstByteMs: lookupMs + connectMs + 1, nextHopProtocol: 'http/1.1' },
        })),
      ).resolvedByProxy;
    expect(summarise([[1, 1, 0], [0, 0, 0], [0, 0, 0]])).toBe(true);
    expect(summarise([[0, 1, 0], [0, 1, 0], [0, 0, 0]])).toBe(true);
    expect(summarise([[0, 0, 0], [0, 0, 0], [11, 1, 0]])).toBe(true);
    expect(summarise([[5, 8, 8], [5, 4, 3], [0, 6, 5]])).toBe(false);
    expect(summarise([[0, 24, 24], [0, 16, 16], [4, 24, 23]])).toBe(false);
    expect(summarise([[1, 14, 13], [1, 14, 13], [1, 14, 13]])).toBe(false);
  });

  it('leave out the timing of a name the browser sent over another name\'s connection (pooled: no lookup happened there)', async () => {
    const result = await run({ pooled: [1], lookupMs: [20, 40, 60] });
    const data = result.probes['dns-lookup']?.data as { attempts: Array<{ sharedConnection?: boolean; timing: unknown }>; lookupMedianMs: number };
    expect(data.attempts.map((a) => a.sharedConnection ?? false)).toEqual([false, true, false]);
    expect(data.attempts[1]?.timing).toBeNull();
    expect(data.lookupMedianMs).toBe(30);
    expect(result.probes['dns-lookup']?.evidence[1]?.summary).toContain('connection the browser had opened for another name');
  });

  it('never reads pooled names\' 0 ms as "resolved by a proxy"', async () => {
    const result = await run({ pooled: [0, 1, 2], lookupMs: [0, 0, 0], connectMs: 0 });
    expect(result.probes['dns-lookup']?.data).toMatchObject({ timingAvailable: false, resolvedByProxy: false, answered: 3 });
    expect(dnsCodes(result)).toEqual([]);
  });

  it('report dns-resolver-remote (info) when the resolver is in another /16 and forwards no client subnet', async () => {
    const result = await run({ resolverIp: '192.0.2.53' });
    expect(result.probes['dns-resolver']?.data).toMatchObject({ resolverIsHttpClient: false });
    const finding = result.findings.find((f) => f.code === 'dns-resolver-remote');
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding?.detail).toContain('192.0.2.53');
    expect(finding?.detail).toContain('dns.geoipMmdb');
  });

  it('do not call a resolver remote when it forwards the client subnet', async () => {
    const result = await run({ resolverIp: '192.0.2.53', clientSubnet: '198.51.100.0/24' });
    expect(result.probes['dns-resolver']?.data).toMatchObject({ clientSubnets: ['198.51.100.0/24'] });
    expect(dnsCodes(result)).toEqual([]);
  });

  it('fail the lookup probe when no fresh name can be fetched, and skip the resolver probe', async () => {
    const result = await run({ fetchFails: true });
    expect(result.probes['dns-lookup']).toMatchObject({ status: 'fail', data: { answered: 0, failed: 3 } });
    expect(result.probes['dns-resolver']?.status).toBe('skipped');
  });
});

describe('makeProbeLabel', () => {
  it.each([
    ['a UUID', '3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'nr-3f2504e04f8911d39a0c0305e82c3301'],
    ['a short id, padded to the minimum length', 'id-1', 'nr-id100000'],
  ])('turns %s into a label the server records', (_what, id, label) => {
    expect(makeProbeLabel(id)).toBe(label);
  });
});

describe('inferLookupErrors (Firefox: a bare 701 for a name that does not resolve)', () => {
  const attempt = (url: string, relay: boolean, errors: Array<{ errorCode: number; errorText: string }> = []): RelayAttempt => ({
    url,
    outcome: relay ? 'relay' : 'no-relay',
    timedOut: false,
    errors: errors.map((e) => ({ ...e, url, atMs: 133 })),
    ...(relay ? { relay: { address: '203.0.113.10', port: 50000, relayProtocol: 'udp' }, relayMs: 40 } : {}),
  });

  it('reads a bare 701 by name as a lookup error when the same server by address gave a relay', () => {
    const pair = inferLookupErrors({ transport: 'udp', byName: attempt('turn:turn.example.test:3478', false, [{ errorCode: 701, errorText: '' }]), byIp: attempt('turn:203.0.113.10:3478', true) });
    expect(pair.byName).toMatchObject({ outcome: 'lookup-error', lookupInferred: true });
  });

  it('leaves it alone when the address failed too, or the 701 said why (a connection that failed)', () => {
    expect(inferLookupErrors({ transport: 'udp', byName: attempt('turn:turn.example.test:3478', false, [{ errorCode: 701, errorText: '' }]), byIp: attempt('turn:203.0.113.10:3478', false) }).byName.outcome).toBe('no-relay');
    expect(inferLookupErrors({ transport: 'tcp', byName: attempt('turn:turn.example.test:80', false, [{ errorCode: 701, errorText: 'Failed to establish connection' }]), byIp: attempt('turn:203.0.113.10:80', true) }).byName.outcome).toBe('no-relay');
  });
});
