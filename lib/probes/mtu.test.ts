import { describe, expect, it } from 'vitest';
import type { Session } from '../schema/session';
import { createMtuProbe, summarisePath, UPSTREAM_MESSAGE_BYTES, type MtuData, type MtuRungResult } from './mtu';
import { SESSION_PROBE_ID } from './session';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike, PeerConnectionConfigLike, ProbeContext } from './types';

const SERVER = '203.0.113.10';
const CLIENT = '198.51.100.7';
const SIZES = [576, 1200, 1280, 1348, 1400, 1448, 1480, 1500];
const FRAGMENTS = [1600, 2000];

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-11-25T10:00:00.000Z',
  stun: [{ port: 3478, url: `stun:${SERVER}:3478`, role: 'turn' }],
  turn: [{ transport: 'udp', url: `turn:${SERVER}:3478?transport=udp`, username: '1800000000:S1', credential: 'c2VjcmV0' }],
  peerPath: '/v1/sessions/S1/peers',
  mtu: {
    rungs: [...SIZES.map((sizeBytes) => ({ sizeBytes, df: true })), ...FRAGMENTS.map((sizeBytes) => ({ sizeBytes, df: false }))].map((r, i) => ({
      family: 'ipv4' as const,
      ...r,
      port: 3490 + i,
      url: `stun:${SERVER}:${3490 + i}`,
    })),
    notOffered: [],
    ipv6Missing: 'the test server has no IPv6 address configured (probe.mtu.ipv6)',
    turn: SIZES.map((sizeBytes) => ({ sizeBytes, url: `turn:${SERVER}:3478?transport=udp`, username: `1800000000:S1:mtu${sizeBytes}`, credential: 'x' })),
    pathMtuPath: '/v1/sessions/S1/path-mtu',
  },
};

/** The network under test: sizes that arrive, ICMP, the upstream echo; `null` silences a kind of peer connection. */
interface Net {
  largestBytes?: number;
  fragments?: boolean;
  ports?: boolean;
  turn?: 'works' | 'quota' | 'silent';
  upstream?: 'echoes' | 'lost' | 'silent';
  pathMtuBytes?: number;
  /** Sizes lost although they fit (loss, not size). */
  lose?: number[];
}

const SRFLX = `candidate:1 1 udp 1677729535 ${CLIENT} 40000 typ srflx raddr 0.0.0.0 rport 0`;
const RELAY = `candidate:2 1 udp 41885439 ${SERVER} 50000 typ relay raddr ${CLIENT} rport 40000`;

function script(net: Net, config: PeerConnectionConfigLike): PeerScript {
  const first = config.iceServers[0]!;
  const url = String(first.urls);
  if (config.iceServers.length === 2) {
    if (net.upstream === 'silent') return {};
    return { candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true, ...(net.upstream === 'lost' ? { dropLargerThan: 1000 } : {}) };
  }
  const tag = /:mtu(\d+)$/.exec(first.username ?? '');
  if (tag) {
    if (net.turn === 'quota') return { errors: [{ afterMs: 2, errorCode: 486, errorText: 'Allocation Quota Reached', url }] };
    if (net.turn === 'silent') return {};
    return Number(tag[1]) <= (net.largestBytes ?? Infinity) ? { candidates: [{ afterMs: 2, line: RELAY }] } : {};
  }
  const rung = SESSION.mtu!.rungs.find((r) => r.url === url)!;
  if (net.ports === false || net.lose?.includes(rung.sizeBytes)) return {};
  const arrives = rung.df ? rung.sizeBytes <= (net.largestBytes ?? Infinity) : net.fragments !== false;
  return arrives ? { candidates: [{ afterMs: 2, line: SRFLX }] } : {};
}

async function runProbe(net: Net, session: Session = SESSION, timeoutMs = 400) {
  const asked: string[] = [];
  const fetch: FetchLike = async (url) => {
    if (url.endsWith('/peers')) return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };
    if (url.includes('/path-mtu?')) {
      asked.push(url);
      return { status: 200, json: async () => ({ ip: CLIENT, linkMtuBytes: 1500, pathMtuBytes: net.pathMtuBytes ?? 1500 }) };
    }
    return { status: 404, json: async () => ({}) };
  };
  const env = fakeEnvironment((config) => script(net, config), fetch);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const ctx: ProbeContext = {
    env,
    signal: controller.signal,
    timeoutMs,
    probeUrl: `http://${SERVER}:8080`,
    deps: {},
    handoffs: { [SESSION_PROBE_ID]: session },
    progress: () => undefined,
  };
  const started = performance.now();
  try {
    const report = await createMtuProbe().run(ctx);
    return { report, data: report.data as unknown as MtuData, env, asked, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

const sizesOf = (rungs: MtuRungResult[], outcome: string): number[] => rungs.filter((r) => r.outcome === outcome).map((r) => r.sizeBytes);

describe('mtu probe', () => {
  it('passes on an open network: every size and the fragments arrive, the upstream message echoes, one peer connection per size', async () => {
    const { report, data, env, asked } = await runProbe({});
    expect(report.status).toBe('pass');
    const direct = data.paths.find((p) => p.path === 'direct-ipv4')!;
    expect(direct).toMatchObject({ status: 'measured', largestArrivedBytes: 1500, fragments: 'arrived' });
    expect(direct.smallestLostBytes).toBeUndefined();
    expect(data.paths.find((p) => p.path === 'turn-udp')).toMatchObject({ status: 'not-tried' });
    expect(data.paths.find((p) => p.path === 'direct-ipv6')?.reason).toMatch(/probe\.mtu\.ipv6/);
    // The large message alone answered: no small one was needed.
    expect(data.upstream).toMatchObject({ status: 'passed', smallSent: false, largeEchoed: true, messageBytes: UPSTREAM_MESSAGE_BYTES });
    // Ten ladder rungs, each with its own single-URL peer connection, plus the upstream check; all closed.
    expect(env.peers.filter((pc) => pc.config.iceServers.length === 1).map((pc) => String(pc.config.iceServers[0]!.urls))).toEqual(SESSION.mtu!.rungs.map((r) => r.url));
    expect(env.peers).toHaveLength(11);
    expect(env.peers.every((pc) => pc.closed)).toBe(true);
    expect(asked).toEqual([]);
  });

  it('finds where the path breaks, asks the server whether an ICMP came back, and warns when none did', async () => {
    const { report, data, asked } = await runProbe({ largestBytes: 1280 });
    expect(report.status).toBe('warn');
    const direct = data.paths.find((p) => p.path === 'direct-ipv4')!;
    expect(direct).toMatchObject({ largestArrivedBytes: 1280, smallestLostBytes: 1348 });
    expect(sizesOf(direct.rungs, 'lost')).toEqual([1348, 1400, 1448, 1480, 1500]);
    expect(direct.icmp).toEqual({ asked: true, ip: CLIENT, pathMtuBytes: 1500, linkMtuBytes: 1500, learnedBelowLost: false });
    expect(asked).toEqual([`http://${SERVER}:8080/v1/sessions/S1/path-mtu?ip=${CLIENT}`]);
    expect(report.reason).toContain('1280-byte packets arrive, 1348-byte ones are lost');
  });

  it('passes where the MTU is only smaller and the server\'s kernel learned it from an ICMP', async () => {
    const { report, data } = await runProbe({ largestBytes: 1480, pathMtuBytes: 1492 });
    expect(report.status).toBe('pass');
    expect(data.paths[0]!.icmp).toMatchObject({ asked: true, learnedBelowLost: true });
  });

  it('reads a size lost below one that arrived as loss, not as the break', async () => {
    const { report, data } = await runProbe({ lose: [1200] });
    expect(report.status).toBe('pass');
    expect(data.paths[0]).toMatchObject({ largestArrivedBytes: 1500, lostBelowLargestBytes: [1200] });
  });

  it('warns when fragments do not arrive although full-size packets do', async () => {
    const { report, data } = await runProbe({ fragments: false });
    expect(report.status).toBe('warn');
    expect(data.paths[0]!.fragments).toBe('dropped');
  });

  it('runs the ladder through TURN over UDP, one tagged username per size, when the ladder ports do not answer', async () => {
    const { report, data, env } = await runProbe({ ports: false, largestBytes: 1400 });
    const turn = data.paths.find((p) => p.path === 'turn-udp')!;
    expect(turn).toMatchObject({ status: 'measured', largestArrivedBytes: 1400, smallestLostBytes: 1448, fragments: 'not-tried' });
    expect(data.paths[0]).toMatchObject({ status: 'unreachable' });
    expect(report.status).toBe('warn');
    const relayPeers = env.peers.filter((pc) => pc.config.iceTransportPolicy === 'relay');
    expect(relayPeers.map((pc) => pc.config.iceServers[0]!.username)).toEqual(SIZES.map((s) => `1800000000:S1:mtu${s}`));
  });

  it('counts a TURN refusal (486) as not tried, not as a lost size', async () => {
    const { report, data } = await runProbe({ ports: false, turn: 'quota' });
    const turn = data.paths.find((p) => p.path === 'turn-udp')!;
    expect(sizesOf(turn.rungs, 'refused')).toEqual(SIZES);
    expect(sizesOf(turn.rungs, 'lost')).toEqual([]);
    expect(report.status).toBe('inconclusive');
  });

  it('is inconclusive, within its deadline, when no UDP path reaches the ladder', async () => {
    const { report, elapsedMs } = await runProbe({ ports: false, turn: 'silent', upstream: 'silent' });
    expect(report.status).toBe('inconclusive');
    expect(report.reason).toMatch(/No UDP path reached the MTU ladder/);
    expect(elapsedMs).toBeLessThan(600);
  });

  it('warns when the largest DataChannel packet does not get upstream while a small one does', async () => {
    const { report, data } = await runProbe({ upstream: 'lost' });
    expect(report.status).toBe('warn');
    expect(data.upstream).toMatchObject({ status: 'lost', smallSent: true, smallEchoed: true, largeEchoed: false });
  });

  it('is skipped, saying why, when the server runs no ladder', async () => {
    const { report } = await runProbe({}, { ...SESSION, mtu: undefined });
    expect(report.status).toBe('skipped');
    expect(report.reason).toMatch(/no MTU ladder/);
  });
});

describe('summarisePath', () => {
  const rung = (sizeBytes: number, outcome: MtuRungResult['outcome'], df = true): MtuRungResult => ({ sizeBytes, df, url: 'stun:x', outcome });
  it.each([
    { name: 'all arrive', rungs: [rung(576, 'arrived'), rung(1500, 'arrived')], largest: 1500, lost: undefined },
    { name: 'break above 1280', rungs: [rung(576, 'arrived'), rung(1280, 'arrived'), rung(1400, 'lost'), rung(1500, 'lost')], largest: 1280, lost: 1400 },
    { name: 'unsorted input', rungs: [rung(1500, 'lost'), rung(576, 'arrived'), rung(1400, 'lost')], largest: 576, lost: 1400 },
    { name: 'refused above the largest is not a break', rungs: [rung(576, 'arrived'), rung(1500, 'refused')], largest: 576, lost: undefined },
  ])('$name', ({ rungs, largest, lost }) => {
    const path = summarisePath('direct-ipv4', rungs, []);
    expect(path.largestArrivedBytes).toBe(largest);
    expect(path.smallestLostBytes).toBe(lost);
  });

  it('calls a path where nothing arrived unreachable', () => {
    expect(summarisePath('direct-ipv4', [rung(576, 'lost')], []).status).toBe('unreachable');
  });
});
