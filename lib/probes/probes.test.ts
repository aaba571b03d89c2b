import { describe, expect, it } from 'vitest';
import { runNetready } from '../engine/run-netready';
import { INTERFACES_PROBE_ID } from './interfaces';
import { MEDIA_QUALITY_PROBE_ID } from './media-quality';
import { createDefaultPlan } from './plan';
import type { Session } from '../schema/session';
import { sessionRoundTrip } from './session';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import { ECHO_GRACE_MS } from './webrtc';
import type { FetchLike, PeerConnectionConfigLike } from './types';

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-11-25T10:00:00.000Z',
  stun: [
    { port: 3478, url: 'stun:203.0.113.10:3478', role: 'turn' },
    { port: 3479, url: 'stun:203.0.113.10:3479', role: 'alternate' },
  ],
  turn: [
    { transport: 'udp', url: 'turn:203.0.113.10:3478?transport=udp', username: '1800000000:S1', credential: 'c2VjcmV0' },
    { transport: 'tcp', url: 'turn:203.0.113.10:3478?transport=tcp', username: '1800000000:S1', credential: 'c2VjcmV0' },
    { transport: 'tls', url: 'turns:203.0.113.10:5349?transport=tcp', username: '1800000000:S1', credential: 'c2VjcmV0' },
  ],
  peerPath: '/v1/sessions/S1/peers',
};

const serverFetch: FetchLike = async (url) => {
  if (url.endsWith('/v1/sessions')) return { status: 201, json: async () => SESSION };
  if (url.endsWith('/peers')) return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };
  if (url.endsWith('/observations')) return { status: 200, json: async () => ({ sessionId: 'S1', clientAddress: '198.51.100.7', observations: [], tlsHandshakes: [] }) };
  return { status: 404, json: async () => ({}) };
};

const SRFLX = 'candidate:1 1 udp 1677729535 198.51.100.7 40000 typ srflx raddr 0.0.0.0 rport 0';
const RELAY = 'candidate:2 1 udp 41885439 203.0.113.10 50000 typ relay raddr 198.51.100.7 rport 40000';
/** Chromium's masked host candidate, which every STUN peer connection offers first whether or not STUN answers. */
const HOST = 'candidate:0 1 udp 2113937151 6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5.local 40000 typ host generation 0 network-cost 999';

/** The script with the host candidate a real browser adds to every STUN peer connection. */
function withHost(url: string, script: PeerScript): PeerScript {
  return url.startsWith('stun:') ? { ...script, candidates: [{ afterMs: 1, line: HOST }, ...(script.candidates ?? [])] } : script;
}

/** The single URL a probe's peer connection uses; `quality:` for the media-quality probe, which uses them all. */
function urlOf(config: PeerConnectionConfigLike): string {
  if (config.iceServers.length > 1) return 'quality:';
  const urls = config.iceServers[0]?.urls;
  return Array.isArray(urls) ? urls[0]! : urls!;
}

async function run(script: (url: string) => PeerScript, fetch: FetchLike = serverFetch, probeTimeoutMs = 300) {
  const env = fakeEnvironment((config) => withHost(urlOf(config), script(urlOf(config))), fetch);
  const result = await runNetready({
    env,
    probeUrl: 'http://203.0.113.10:8080',
    budgetMs: 3000,
    probeTimeoutMs,
    // The fakes answer in milliseconds: keep their short fixed deadlines (lib/engine/deadlines.ts adapts real runs).
    fixedTimeouts: true,
    configName: 'test',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    startedAt: '2026-11-25T09:00:00.000Z',
    // The transport matrix alone: the quality stream and the interfaces probe have their own tests.
    plan: createDefaultPlan().filter((probe) => probe.id !== MEDIA_QUALITY_PROBE_ID && probe.id !== INTERFACES_PROBE_ID),
  });
  return { result, env };
}

describe('the transport-matrix probes with fake WebRTC', () => {
  it('report ready when every STUN port answers and every relay echoes, closing every peer connection', async () => {
    const { result, env } = await run((url) =>
      url.startsWith('stun:') ? { candidates: [{ afterMs: 2, line: SRFLX }] } : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true },
    );
    expect(result.verdict).toBe('ready');
    expect(result.findings).toEqual([]);
    expect(result.probes['turn-tls']?.data).toMatchObject({ stage: 'done', dataChannel: { sent: 5, echoed: 5 } });
    expect(result.client.browser).toBe('Chrome');
    // STUN × 2 and TURN × 3; every one closed.
    expect(env.peers.length).toBe(5);
    expect(env.peers.every((pc) => pc.closed)).toBe(true);
  });

  it('never puts TURN credentials into the shareable result', async () => {
    const { result } = await run(() => ({ candidates: [{ afterMs: 2, line: SRFLX }] }));
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0');
    expect(result.probes.session?.data.sessionId).toBe('S1');
  });

  it('stops waiting at the probe deadline when packets vanish, and records a timeout', async () => {
    const started = performance.now();
    const { result } = await run((url) => (url.includes('transport=udp') || url.startsWith('stun:') ? {} : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.verdict).toBe('degraded');
    expect(result.findings.map((f) => f.code).sort()).toEqual(['relay-only', 'udp-blocked']);
    expect(result.probes['turn-udp']?.data).toMatchObject({ timedOut: true, stage: 'allocating' });
  });

  it('records ICE errors with code, text and URL as evidence', async () => {
    const { result } = await run((url) =>
      url.startsWith('turns:')
        ? { errors: [{ afterMs: 1, errorCode: 701, errorText: 'TURN host lookup received error.', url }] }
        : url.startsWith('stun:')
          ? { candidates: [{ afterMs: 2, line: SRFLX }] }
          : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true },
    );
    const tls = result.probes['turn-tls']!;
    expect(tls.status).toBe('fail');
    expect(tls.evidence.some((e) => e.kind === 'ice-error' && e.summary.includes('701'))).toBe(true);
    expect(result.findings.map((f) => f.code)).toEqual(['turn-tls-failed']);
  });

  it('reports a relay that allocates but never opens its channel as allocated without data', async () => {
    const { result } = await run((url) => (url.startsWith('stun:') ? { candidates: [{ afterMs: 2, line: SRFLX }] } : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: !url.includes('tcp') || url.startsWith('turns:') }));
    expect(result.probes['turn-tcp']).toMatchObject({ status: 'warn', data: { stage: 'connecting', timedOut: true } });
    const finding = result.findings.find((f) => f.code === 'turn-tcp-failed');
    expect(finding?.title).toContain('no data');
  });

  it('gives the echoes time once a relay\'s channel is open, so a slow echo past the first deadline still proves data', async () => {
    const { result } = await run((url) =>
      url.startsWith('stun:') ? { candidates: [{ afterMs: 2, line: SRFLX }] } : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true, ...(url.startsWith('turns:') ? { echoDelayMs: 450 } : {}) },
    );
    const tls = result.probes['turn-tls']!;
    expect(tls).toMatchObject({ status: 'pass', data: { stage: 'done', timedOut: false, dataChannel: { sent: 5, echoed: 5 } } });
    // Its 300 ms deadline moved to the channel's opening + ECHO_GRACE_MS, within the run's budget less its tail.
    expect((tls.data as { deadlineMs?: number }).deadlineMs).toBeGreaterThan(300 + ECHO_GRACE_MS / 2);
    expect(tls.durationMs).toBeGreaterThan(450);
    // The others' echoes came back in time: their deadlines are what they were given, not recorded as moved.
    expect(result.probes['turn-udp']?.data).not.toHaveProperty('deadlineMs');
    expect(result.findings).toEqual([]);
  });

  it('is inconclusive with server-unreachable when the session cannot be opened', async () => {
    const refused: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));
    const { result, env } = await run(() => ({}), refused);
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => f.code)).toEqual(['server-unreachable']);
    expect(result.probes['turn-udp']?.status).toBe('skipped');
    expect(env.peers.length).toBe(0);
  });

  it('does not blame the network when the server refuses the media offer', async () => {
    const noPeer: FetchLike = async (url, init) =>
      url.endsWith('/peers') ? { status: 503, json: async () => ({ error: { code: 'peer_unavailable', message: 'busy' } }) } : serverFetch(url, init);
    const { result } = await run((url) => (url.startsWith('stun:') ? { candidates: [{ afterMs: 2, line: SRFLX }] } : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true }), noPeer);
    expect(result.probes['turn-udp']?.status).toBe('inconclusive');
    expect(result.findings.filter((f) => f.code.startsWith('turn-'))).toEqual([]);
  });

  it('ends a TURN probe as soon as an IP-literal URL reports a failed connection, instead of waiting out its deadline', async () => {
    const { result } = await run(
      (url) =>
        url.startsWith('turns:')
          ? { errors: [{ afterMs: 5, errorCode: 701, errorText: 'Failed to establish connection', url }] }
          : url.startsWith('stun:')
            ? { candidates: [{ afterMs: 2, line: SRFLX }] }
            : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true },
      serverFetch,
      2500,
    );
    const tls = result.probes['turn-tls']!;
    expect(tls.status).toBe('fail');
    expect(tls.durationMs).toBeLessThan(500);
    expect(tls.data).toMatchObject({ timedOut: false, decidedBy: { errorKind: 'connect-failed', errorCode: 701 } });
    expect(tls.explainedBy).toEqual(['turn-tls-failed']);
  });

  it('does not blame the network when netready\'s own TURN server refuses the relay with a STUN error', async () => {
    const { result } = await run((url) =>
      url.startsWith('turn:') && url.includes('transport=tcp')
        ? { errors: [{ afterMs: 2, errorCode: 486, errorText: 'Allocation Quota Reached', url }] }
        : url.startsWith('stun:')
          ? { candidates: [{ afterMs: 2, line: SRFLX }] }
          : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true },
    );
    expect(result.probes['turn-tcp']).toMatchObject({ status: 'inconclusive', data: { decidedBy: { errorKind: 'server-error', errorCode: 486 } } });
    expect(result.probes['turn-tcp']?.reason).toContain('486');
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('ready');
  });

  it('reports probe-certificate-untrusted, not turn-tls-failed, when the server saw this browser reject its certificate', async () => {
    const rejected: FetchLike = async (url, init) =>
      url.endsWith('/observations')
        ? {
            status: 200,
            json: async () => ({
              clientAddress: '198.51.100.7',
              observations: [],
              tlsHandshakes: [{ listener: 'turn-tls', outcome: 'certificate-rejected', alert: 'certificate_unknown', alertNumber: 46, atMs: 1 }],
            }),
          }
        : serverFetch(url, init);
    const { result } = await run(
      (url) =>
        url.startsWith('turns:')
          ? { errors: [{ afterMs: 5, errorCode: 701, errorText: 'Failed to establish connection', url }] }
          : url.startsWith('stun:')
            ? { candidates: [{ afterMs: 2, line: SRFLX }] }
            : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true },
      rejected,
    );
    expect(result.verdict).toBe('ready');
    expect(result.findings.map((f) => [f.code, f.category])).toEqual([['probe-certificate-untrusted', 'deployment']]);
    expect(result.probes['turn-tls']).toMatchObject({ status: 'inconclusive', reclassified: { from: 'fail', because: 'probe-certificate-untrusted' }, explainedBy: ['probe-certificate-untrusted'] });
    expect(result.findings[0]?.detail).toContain('certificate_unknown');
  });

  it('reports a test server that stopped answering as server-unreachable, with what failed meanwhile not decided', async () => {
    const diesAtTheEnd: FetchLike = async (url, init) => (url.endsWith('/observations') ? Promise.reject(new TypeError('Failed to fetch')) : serverFetch(url, init));
    const { result } = await run(
      (url) => (url.startsWith('stun:') ? { candidates: [{ afterMs: 2, line: SRFLX }] } : url.includes('transport=udp') ? { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true } : {}),
      diesAtTheEnd,
    );
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => f.code)).toEqual(['server-unreachable']);
    expect(result.findings[0]?.title).toContain('stopped answering');
    for (const id of ['turn-tcp', 'turn-tls']) {
      expect(result.probes[id]).toMatchObject({ status: 'inconclusive', reclassified: { from: 'fail', because: 'server-unreachable' } });
    }
    expect(result.probes['server-view']).toMatchObject({ status: 'fail', explainedBy: ['server-unreachable'] });
    // What passed before it went away still passed.
    expect(result.probes['turn-udp']?.status).toBe('pass');
  });

  it('names, for every probe that failed or warned, the finding that explains it', async () => {
    const { result } = await run((url) => (url.includes('transport=udp') || url.startsWith('stun:') ? {} : { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true }));
    const failed = Object.entries(result.probes).filter(([, o]) => o.status === 'fail' || o.status === 'warn');
    expect(failed.map(([id]) => id).sort()).toEqual(['stun-udp']);
    for (const [, outcome] of failed) expect(outcome.explainedBy).toEqual(['udp-blocked']);
    // TURN over UDP is stopped as soon as the port matrix ended in silence (issue 16): implied, not waited out.
    expect(result.probes['turn-udp']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^Stopped early: STUN over UDP got no answer on any port/), explainedBy: ['udp-blocked'] });
  });
});

describe('the session request\'s round trip (the run\'s first measure of the path)', () => {
  const entry = (requestStart: number, responseStart: number) => ({
    name: 'x', startTime: 10, fetchStart: 10, domainLookupStart: 10, domainLookupEnd: 10, connectStart: 10, connectEnd: 1010,
    secureConnectionStart: 0, requestStart, responseStart, responseEnd: responseStart + 1, nextHopProtocol: 'http/1.1',
  });

  it('is request sent → first byte back by Resource Timing, without the connection\'s handshake', () => {
    expect(sessionRoundTrip(entry(1010, 2015.66), 2020)).toEqual({ roundTripMs: 1005.7, roundTripFrom: 'request-timing' });
  });

  it('is half the whole request when the timing is hidden (no Timing-Allow-Origin: zeros) or missing', () => {
    expect(sessionRoundTrip(entry(0, 0), 2020)).toEqual({ roundTripMs: 1010, roundTripFrom: 'elapsed' });
    expect(sessionRoundTrip(null, 41)).toEqual({ roundTripMs: 21, roundTripFrom: 'elapsed' });
  });
});
