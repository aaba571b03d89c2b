import { describe, expect, it } from 'vitest';
import { runPlan } from '../engine/run-plan';
import type { Session } from '../schema/session';
import { createRegionsProbe, nearestRegion, pairRttMs, REGIONS_PROBE_ID, type RegionsData } from './regions';
import { createSessionProbe } from './session';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike, ResourceTimingLike } from './types';

const ZONE = 'probe.netready.test';
const NEAR = '203.0.113.10';
const FAR = '198.51.100.20';
const SRFLX = 'candidate:1 1 udp 1677729535 192.0.2.7 40000 typ srflx raddr 0.0.0.0 rport 0';
const HOST = 'candidate:2 1 udp 2122260223 10.0.0.7 40000 typ host generation 0';

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-12-05T10:00:00.000Z',
  stun: [],
  turn: [],
  peerPath: '/v1/sessions/S1/peers',
  dns: { zone: ZONE, lookupUrl: `https://{label}.${ZONE}:8443/v1/dns/ping`, labelsPath: '/v1/dns/labels', turnByName: [] },
  regions: {
    home: 'near',
    list: [
      { id: 'near', label: 'Frankfurt', location: { continent: 'EU', country: 'DE', latitude: 50.11, longitude: 8.68 }, stunUrl: `stun:${NEAR}:3478`, pingUrl: `https://${NEAR}:8443/v1/dns/ping`, apiUrl: `https://${NEAR}:8443` },
      { id: 'far', label: 'Ashburn', location: { continent: 'NA', country: 'US', latitude: 39.04, longitude: -77.49 }, stunUrl: `stun:${FAR}:3478`, pingUrl: `https://${FAR}:8443/v1/dns/ping`, apiUrl: `https://${FAR}:8443` },
    ],
    mediaLookupUrl: `https://{label}.media.${ZONE}:8443/v1/dns/ping`,
  },
};

interface Network {
  session?: Session;
  /** The far node is down: no STUN answer, HTTPS refused. */
  farDown?: boolean;
  /** No UDP at all: STUN gets no answer anywhere. */
  udpBlocked?: boolean;
  /** The region DNS names for the media name, and the rule the home DNS server used. */
  dnsRegion?: 'near' | 'far';
}

/** Where the page posted its offers (one per region). */
let offers: string[] = [];

async function run(network: Network): Promise<{ status: string; reason?: string; data: RegionsData }> {
  const labels: string[] = [];
  offers = [];
  const fetch: FetchLike = async (url) => {
    if (url.includes(FAR) && network.farDown) throw new TypeError('Failed to fetch');
    // A session of the page's own on each node, and its media peer's answer.
    if (url.endsWith(':8443/v1/sessions')) return { status: 201, json: async () => ({ ...SESSION, regions: undefined, sessionId: 'R1', peerPath: '/v1/sessions/R1/peers' }) };
    if (url.endsWith('/v1/sessions/R1/peers') || url.endsWith('/v1/sessions/S1/peers')) {
      offers.push(url);
      return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };
    }
    if (url.endsWith('/v1/sessions')) return { status: 201, json: async () => network.session ?? SESSION };
    if (url.includes(`.media.${ZONE}`)) {
      labels.push(new URL(url).hostname.split('.')[0]!);
      return { status: 200, json: async () => ({ ok: true, region: network.dnsRegion ?? 'near' }) };
    }
    if (url.includes('/v1/dns/labels/')) {
      const label = url.split('/').pop()!;
      const geo = { region: network.dnsRegion ?? 'near', rule: 'resolver' };
      return { status: 200, json: async () => ({ label, queries: labels.includes(label) ? [{ atMs: 1, resolverIp: '192.0.2.53', resolverPort: 5353, transport: 'udp', qtype: 'A', edns: true, geo }] : [], resolvers: [], httpClient: { ip: '192.0.2.7', geo: { status: 'unknown', reason: 'none' } } }) };
    }
    if (url.includes('/v1/dns/ping')) return { status: 200, json: async () => ({ ok: true }) };
    return { status: 404, json: async () => ({}) };
  };
  // HTTPS round trips: 8 ms to the near node, 95 ms to the far one.
  const resourceTiming = async (url: string): Promise<ResourceTimingLike> => {
    const rtt = url.includes(FAR) ? 95 : 8;
    return { name: url, startTime: 100, fetchStart: 100, domainLookupStart: 100, domainLookupEnd: 100, connectStart: 100, connectEnd: 100, secureConnectionStart: 0, requestStart: 100, responseStart: 100 + rtt, responseEnd: 101 + rtt, nextHopProtocol: 'http/1.1' };
  };
  const script = (url: string): PeerScript => {
    if (network.udpBlocked || (network.farDown && url.includes(FAR))) return {};
    // ICE's checks take 6 ms to the near node, 90 ms to the far one.
    return { candidates: [{ afterMs: 2, line: HOST }, { afterMs: 8, line: SRFLX }], dataFlows: true, pairRttMs: url.includes(FAR) ? 90 : 6 };
  };
  const env = fakeEnvironment((config) => script(String(config.iceServers[0]?.urls)), fetch, resourceTiming);
  const outcomes = await runPlan({ plan: [createSessionProbe(), createRegionsProbe()], env, probeUrl: `http://${NEAR}:8080`, budgetMs: 3000, defaultTimeoutMs: 400 });
  const outcome = outcomes[REGIONS_PROBE_ID]!;
  return { status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}), data: outcome.data as unknown as RegionsData };
}

describe('the regions probe', () => {
  it('times every region over UDP and HTTPS, names the nearest, and learns the region DNS gives and why', async () => {
    const { status, data } = await run({ dnsRegion: 'far' });
    expect(status).toBe('pass');
    expect(data.regions.map((r) => [r.id, r.home, r.reachable, r.udpRttMs, r.httpsRttMs])).toEqual([
      ['near', true, true, 6, 8],
      ['far', false, true, 90, 95],
    ]);
    expect(data).toMatchObject({ home: 'near', compareBy: 'udp', nearest: 'near', dns: { region: 'far', rule: 'resolver', resolverIp: '192.0.2.53' } });
    // The home node's media peer answers on the run's own session; the far node's on a session opened there.
    expect(offers.sort()).toEqual([`http://${NEAR}:8080/v1/sessions/S1/peers`, `https://${FAR}:8443/v1/sessions/R1/peers`]);
  });

  it('compares by HTTPS where UDP is blocked', async () => {
    const { data } = await run({ udpBlocked: true });
    expect(data.regions.every((r) => r.udpRttMs === undefined && r.udpError === 'no UDP path before the deadline' && r.reachable)).toBe(true);
    expect(data).toMatchObject({ compareBy: 'https', nearest: 'near' });
  });

  it('records a region whose node is down as unreachable without failing the probe', async () => {
    const { status, data } = await run({ farDown: true });
    expect(status).toBe('pass');
    expect(data.regions.find((r) => r.id === 'far')).toMatchObject({ reachable: false, udpError: 'no session: Failed to fetch', httpsError: 'Failed to fetch' });
    expect(data).toMatchObject({ nearest: 'near', compareBy: 'udp' });
  });

  it('is skipped, with the reason, on a deployment with one region', async () => {
    const { regions: _regions, ...single } = SESSION;
    const { status, reason } = await run({ session: single });
    expect(status).toBe('skipped');
    expect(reason).toContain('one region');
  });
});

describe('nearestRegion', () => {
  const region = (id: string, udpRttMs?: number, httpsRttMs?: number) => ({ id, label: id, location: { continent: 'EU', latitude: 0, longitude: 0 }, home: false, reachable: udpRttMs !== undefined || httpsRttMs !== undefined, ...(udpRttMs !== undefined ? { udpRttMs } : {}), ...(httpsRttMs !== undefined ? { httpsRttMs } : {}) });

  it('compares like with like: UDP when every reachable region has it, else HTTPS, else nothing', () => {
    expect(nearestRegion([region('a', 50, 60), region('b', 20, 90)])).toEqual({ compareBy: 'udp', nearest: 'b' });
    expect(nearestRegion([region('a', 50, 60), region('b', undefined, 30)])).toEqual({ compareBy: 'https', nearest: 'b' });
    expect(nearestRegion([region('a', 50), region('b', undefined, 30)])).toEqual({});
    expect(nearestRegion([region('a'), region('b')])).toEqual({});
  });
});

describe('pairRttMs', () => {
  it('takes the latest check\'s round trip above 0, else the mean of the checks, else nothing (Firefox reports 0)', () => {
    expect(pairRttMs({ currentRoundTripTimeMs: 2, checks: { totalRoundTripMs: 51, responses: 3 } } as never)).toBe(2);
    expect(pairRttMs({ currentRoundTripTimeMs: 0, checks: { totalRoundTripMs: 366, responses: 3 } } as never)).toBe(122);
    expect(pairRttMs({ currentRoundTripTimeMs: 0, checks: { totalRoundTripMs: 0, responses: 3 } } as never)).toBeUndefined();
    expect(pairRttMs({ currentRoundTripTimeMs: 0 } as never)).toBeUndefined();
    expect(pairRttMs(undefined)).toBeUndefined();
  });
});
