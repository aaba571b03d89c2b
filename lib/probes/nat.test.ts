import { describe, expect, it } from 'vitest';
import { FAKE_SERVER, FAKE_SERVER_ALT, fakeSession } from '../engine/testing/fake-deployment';
import type { Session } from '../schema/session';
import { attributeBySeen, buildIceLiteAnswer, createNatProbe, oneBase, settleMsAfter, type NatData } from './nat';
import { SESSION_PROBE_ID } from './session';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike, PeerConnectionConfigLike, ProbeContext } from './types';
import type { CandidateInfo } from './webrtc';

const CLIENT = '198.51.100.7';
const OFFER = 'v=0\r\na=mid:0\r\na=ice-ufrag:AbCd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n';
const srflx = (port: number): string => `candidate:1 1 udp 1677729535 ${CLIENT} ${port} typ srflx raddr 0.0.0.0 rport 0`;

/** Runs the nat probe with a mapping peer connection that reports `mapping` and a server that saw `seen`. */
async function runNat(options: { session?: Session; mapping?: PeerScript; seen?: Array<{ role: string; port: number }>; filtering?: unknown; timeoutMs?: number }) {
  const requests: Array<{ url: string; body?: string }> = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, ...(init.body ? { body: init.body } : {}) });
    if (url.includes('/nat/observations')) return { status: 200, json: async () => ({ bindings: (options.seen ?? []).map((s) => ({ ...s, address: CLIENT, atMs: 3 })) }) };
    if (url.includes('/nat/filtering')) return { status: options.filtering ? 200 : 503, json: async () => options.filtering ?? { error: { code: 'server_busy', message: 'busy' } } };
    return { status: 404, json: async () => ({}) };
  };
  const scriptFor = (config: PeerConnectionConfigLike): PeerScript => (config.iceServers.length > 1 ? { offerSdp: OFFER, ...options.mapping } : { offerSdp: OFFER, candidates: [{ afterMs: 1, line: srflx(46000) }] });
  const env = fakeEnvironment(scriptFor, fetch);
  const controller = new AbortController();
  const ctx: ProbeContext = { env, signal: controller.signal, timeoutMs: options.timeoutMs ?? 6000, probeUrl: `http://${FAKE_SERVER}:8080`, deps: {}, handoffs: { [SESSION_PROBE_ID]: options.session ?? fakeSession({}) }, progress: () => undefined };
  const started = performance.now();
  const report = await createNatProbe().run(ctx);
  return { report, data: report.data as unknown as NatData, env, requests, elapsedMs: performance.now() - started };
}

const stat = (role: string, url: string, port: number) => ({ id: role, type: 'local-candidate', candidateType: 'srflx', address: CLIENT, port, url });

describe('nat probe', () => {
  it('asks every endpoint from one peer connection and reads each srflx by its getStats url', async () => {
    const { data, env, report } = await runNat({
      mapping: {
        candidates: [{ afterMs: 1, line: srflx(45000) }, { afterMs: 2, line: srflx(45001) }, { afterMs: 3, line: srflx(45002) }],
        stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000), stat('b', `stun:${FAKE_SERVER}:3479`, 45001), stat('c', `stun:${FAKE_SERVER_ALT}:3478`, 45002)],
      },
    });
    const mappingPc = env.peers.find((p) => p.config.iceServers.length > 1)!;
    expect(mappingPc.config.iceServers.map((s) => s.urls)).toEqual([`stun:${FAKE_SERVER}:3478`, `stun:${FAKE_SERVER}:3479`, `stun:${FAKE_SERVER_ALT}:3478`]);
    expect(data.mapped.map((m) => [m.role, m.port])).toEqual([
      ['primary', 45000],
      ['alt-port', 45001],
      ['alt-address', 45002],
    ]);
    expect(data.mapping).toBe('address-and-port-dependent');
    expect(report.status).toBe('warn');
    expect(env.peers.every((p) => p.closed)).toBe(true);
  });

  it('takes one srflx as endpoint-independent only because the server saw that mapping on the other endpoints', async () => {
    const mapping = { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000)] };
    const heard = await runNat({ mapping, seen: [{ role: 'primary', port: 45000 }, { role: 'alt-port', port: 45000 }, { role: 'alt-address', port: 45000 }] });
    expect(heard.data.mapping).toBe('endpoint-independent');
    expect(heard.report.status).toBe('pass');
    expect(heard.report.evidence.filter((e) => e.kind === 'nat-mapping-server')).toHaveLength(2);
    // The observations request names the mapped address.
    expect(heard.requests.find((r) => r.url.includes('/nat/observations'))?.url).toContain(`ip=${CLIENT}`);
    const unheard = await runNat({ mapping, seen: [{ role: 'primary', port: 45000 }] });
    expect(unheard.data.mapping).toBe('unknown');
    expect(unheard.data.mappingWhy).toMatch(/never heard/);
  });

  it('passes when the one srflx is under the alternate port\'s url (it answered first) and the server saw it at the primary', async () => {
    // The e2e stack: Chromium keeps one srflx for the two ports' identical mappings, under the url
    // of whichever answered first. The primary's mapping is then the server's, and the probe must not read "no mapping".
    const mapping = { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('b', `stun:${FAKE_SERVER}:3479`, 45000)] };
    const { data, report } = await runNat({ mapping, seen: [{ role: 'primary', port: 45000 }, { role: 'alt-port', port: 45000 }] });
    expect(data.mapped.map((m) => m.role)).toEqual(['alt-port']);
    expect(report.status).not.toBe('inconclusive');
  });

  it('stops waiting for more candidates shortly after the first one', async () => {
    const { elapsedMs, data } = await runNat({ mapping: { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000)] } });
    expect(elapsedMs).toBeLessThan(settleMsAfter(1) + 400);
    expect(data.timings?.firstSrflxMs).toBeLessThan(50);
  });

  it('sends the filtering check the browser\'s own ICE credentials and mapping, after giving it an ice-lite answer', async () => {
    const { data, env, requests } = await runNat({
      mapping: { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000)] },
      filtering: { checks: [{ role: 'alt-port', from: `${FAKE_SERVER}:3479`, sent: 1, answered: true, rttMs: 2 }, { role: 'alt-address', from: `${FAKE_SERVER_ALT}:3478`, sent: 4, answered: false }], waitedMs: 1500 },
    });
    const body = JSON.parse(requests.find((r) => r.url.includes('/nat/filtering'))!.body!) as Record<string, unknown>;
    expect(body).toMatchObject({ ufrag: 'AbCd', pwd: '0123456789abcdefghijklmn', address: CLIENT, port: 46000 });
    expect(String(body.serverUfrag)).toMatch(/^[A-Za-z0-9]{8}$/);
    const filteringPc = env.peers.find((p) => p.config.iceServers.length === 1)!;
    expect(filteringPc.config.iceServers).toEqual([{ urls: `stun:${FAKE_SERVER}:3478` }]);
    expect(data.filtering).toBe('address-dependent');
  });

  it('keeps filtering unknown, saying why, when the server does not run the checks', async () => {
    const { data } = await runNat({ mapping: { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000)] } });
    expect(data.filtering).toBe('unknown');
    expect(data.filteringWhy).toMatch(/HTTP 503: busy/);
  });

  it('is inconclusive, saying why, when no endpoint answered at all', async () => {
    const { report, data } = await runNat({ mapping: {}, timeoutMs: 1200 });
    expect(report.status).toBe('inconclusive');
    expect(report.reason).toMatch(/no server-reflexive candidate/);
    expect(data.mapping).toBe('unknown');
  });

  it('is skipped, saying why, on a server that offers no nat endpoints', async () => {
    const { nat: _nat, ...older } = fakeSession({});
    const { report } = await runNat({ session: older });
    expect(report.status).toBe('skipped');
    expect(report.reason).toMatch(/no NAT endpoints/);
  });

  it('says IPv6 is not tested, naming the config field, when the server has no IPv6 endpoint', async () => {
    const { data } = await runNat({ mapping: { candidates: [{ afterMs: 1, line: srflx(45000) }], stats: [stat('a', `stun:${FAKE_SERVER}:3478`, 45000)] } });
    expect(data.ipv6).toEqual({ state: 'not-tested', why: expect.stringContaining('probe.publicIpv6') });
  });
});

describe('buildIceLiteAnswer', () => {
  it('answers the offer\'s data channel as an ice-lite agent with the given credentials and no candidates', () => {
    const sdp = buildIceLiteAnswer('v=0\r\na=mid:dc\r\n', { ufrag: 'srvr', pwd: 'abcdefghijklmnopqrstuvwx' });
    expect(sdp).toContain('a=ice-lite\r\n');
    expect(sdp).toContain('a=mid:dc\r\n');
    expect(sdp).toContain('a=group:BUNDLE dc\r\n');
    expect(sdp).toContain('a=ice-ufrag:srvr\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n');
    expect(sdp).not.toContain('a=candidate');
    expect(sdp).toMatch(/a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r\n/);
  });
});

describe('attributeBySeen (Firefox: srflx candidates without a url)', () => {
  const endpoints = [
    { role: 'primary' as const, url: 'stun:203.0.113.10:3478', ip: '203.0.113.10', port: 3478 },
    { role: 'alt-port' as const, url: 'stun:203.0.113.10:3479', ip: '203.0.113.10', port: 3479 },
    { role: 'alt-address' as const, url: 'stun:203.0.113.11:3478', ip: '203.0.113.11', port: 3478 },
  ];
  const srflx = (address: string, port: number, atMs: number): CandidateInfo => ({ type: 'srflx', address, port, protocol: 'udp', atMs, url: null } as unknown as CandidateInfo);

  it('gives each endpoint the srflx equal to the source it saw, and none to an endpoint that saw another or nothing', () => {
    const mapped = attributeBySeen(
      [srflx('198.51.100.7', 40000, 120), srflx('198.51.100.7', 40001, 130)],
      [
        { role: 'primary', address: '198.51.100.7', port: 40000 },
        { role: 'alt-port', address: '198.51.100.7', port: 40001 },
        { role: 'alt-address', address: '198.51.100.9', port: 5000 },
      ] as never,
      endpoints,
    );
    expect(mapped).toEqual([
      { role: 'primary', url: 'stun:203.0.113.10:3478', address: '198.51.100.7', port: 40000, atMs: 120 },
      { role: 'alt-port', url: 'stun:203.0.113.10:3479', address: '198.51.100.7', port: 40001, atMs: 130 },
    ]);
  });
});

describe('oneBase', () => {
  it('keeps the srflx candidates of the local address that reached the most endpoints (deep check: Ethernet and VPN side by side)', () => {
    const eth = (url: string, port: number) => ({ url, address: '10.213.2.1', port, base: '10.213.1.2' });
    const vpn = (url: string, port: number) => ({ url, address: '10.213.2.3', port, base: '10.213.9.2' });
    const stats = [eth('stun:10.213.2.10:3478', 35917), vpn('stun:10.213.2.10:3479', 59090), vpn('stun:10.213.2.10:3478', 59090), vpn('stun:10.213.2.11:3478', 59090)];
    expect(oneBase(stats)).toEqual([vpn('stun:10.213.2.10:3479', 59090), vpn('stun:10.213.2.10:3478', 59090), vpn('stun:10.213.2.11:3478', 59090)]);
    // Masked bases (no permission) are one group; a tie keeps the first listed.
    const masked = [{ url: 'stun:a:1', address: '198.51.100.1', port: 1, base: '' }, { url: 'stun:b:1', address: '198.51.100.1', port: 2, base: '' }];
    expect(oneBase(masked)).toEqual(masked);
    expect(oneBase([eth('stun:a:1', 1), vpn('stun:b:1', 2)])).toEqual([eth('stun:a:1', 1)]);
  });
});
