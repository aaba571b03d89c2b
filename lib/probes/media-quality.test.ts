import { describe, expect, it } from 'vitest';
import { runNetready } from '../engine/run-netready';
import { FAKE_QUALITY_PLAN } from '../engine/testing/fake-deployment';
import { diagnose } from '../diagnosis/diagnose';
import { qualityFactsFromOutcome } from '../diagnosis/facts-quality';
import type { Session } from '../schema/session';
import { DEFAULT_QUALITY_LIMITS } from '../protocol/media-quality/responder';
import { QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL, QUALITY_PROTOCOL_VERSION } from '../protocol/media-quality/wire';
import { choosePathRtt, createMediaQualityProbe, summarizeRecord, type MediaQualityData } from './media-quality';
import type { QualityRecord } from './media-quality-session';
import { createSessionProbe } from './session';
import type { FakeQualityPeer } from './testing/fake-quality-peer';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike } from './types';

const SESSION: Session = {
  sessionId: 'S1',
  expiresAt: '2026-11-25T10:00:00.000Z',
  stun: [{ port: 3478, url: 'stun:203.0.113.10:3478', role: 'turn' }],
  turn: [{ transport: 'udp', url: 'turn:203.0.113.10:3478?transport=udp', username: '1800000000:S1', credential: 'c2VjcmV0' }],
  peerPath: '/v1/sessions/S1/peers',
};

const serverFetch: FetchLike = async (url) =>
  url.endsWith('/v1/sessions')
    ? { status: 201, json: async () => SESSION }
    : { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };

/** A newer server: its answer announces the quality protocol and limits (so the page sends no `hello`). */
const announcingFetch: FetchLike = async (url) =>
  url.endsWith('/v1/sessions')
    ? { status: 201, json: async () => SESSION }
    : { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1', quality: { version: QUALITY_PROTOCOL_VERSION, limits: DEFAULT_QUALITY_LIMITS } }) };

const SRFLX = 'candidate:1 1 udp 1677729535 198.51.100.7 40000 typ srflx raddr 0.0.0.0 rport 0';

async function measure(quality: FakeQualityPeer | undefined, options: { budgetMs?: number; script?: PeerScript; fetch?: FetchLike } = {}) {
  const script: PeerScript = options.script ?? { candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true, ...(quality ? { quality } : {}) };
  const env = fakeEnvironment(() => script, options.fetch ?? serverFetch);
  const result = await runNetready({
    env,
    probeUrl: 'http://203.0.113.10:8080',
    budgetMs: options.budgetMs ?? 9000,
    probeTimeoutMs: 8000,
    // The fakes answer in milliseconds: keep their short fixed deadlines (lib/engine/deadlines.ts adapts real runs).
    fixedTimeouts: true,
    configName: 'test',
    userAgent: 'test',
    startedAt: '2026-11-25T09:00:00.000Z',
    plan: [createSessionProbe(), createMediaQualityProbe(FAKE_QUALITY_PLAN)],
  });
  const outcome = result.probes['media-quality']!;
  return { outcome, data: outcome.data as unknown as MediaQualityData, probes: result.probes, env };
}

describe('media-quality probe', () => {
  it('offers every STUN and TURN URL, opens a reliable control channel and an unreliable unordered one, and measures a clean path', async () => {
    const { outcome, data, env } = await measure({});
    expect(outcome.status).toBe('pass');
    expect(env.peers[0]?.config.iceServers.map((s) => s.urls)).toEqual(['stun:203.0.113.10:3478', 'turn:203.0.113.10:3478?transport=udp']);
    const server = env.peers[0]!.qualityServer!;
    expect([server.control?.label, server.data?.label]).toEqual([QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL]);
    expect(data.up).toMatchObject({ sent: 40, received: 40, lossRatio: 0, lost: [] });
    expect(data.down).toMatchObject({ sent: 40, received: 40, lossRatio: 0, lost: [] });
    // Every round-trip ping was answered, in its own phase.
    expect(data.rttSent).toBe(10);
    expect(data.rttSamples.map(([seq]) => seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.rttMedianMs).toBeLessThan(40);
    expect(data.throughput.up?.kbps).toBeGreaterThan(3000);
    expect(data.throughput.down?.kbps).toBeGreaterThan(3000);
    expect(data.stage).toBe('done');
    expect(env.peers.every((pc) => pc.closed)).toBe(true);
    expect(server.closed).toBe(true);
  });

  it('asks with hello only when the media peer did not announce its limits with the answer, and asks each report with its stream or burst', async () => {
    const asked = await measure({});
    expect(asked.env.peers[0]!.qualityServer!.requests).toEqual(['hello', 'stream', 'report', 'bulk', 'report']);
    const announced = await measure({}, { fetch: announcingFetch });
    expect(announced.outcome.status).toBe('pass');
    expect(announced.env.peers[0]!.qualityServer!.requests).toEqual(['stream', 'report', 'bulk', 'report']);
    expect(announced.data.up).toMatchObject({ sent: 40, received: 40 });
    expect(announced.data.down).toMatchObject({ sent: 40, received: 40 });
  });

  it.each([
    ['towards the server', 'lossy-up', { up: { dropEvery: 10 } }, 'up', 'down'],
    ['from the server', 'lossy-down', { down: { dropEvery: 10 } }, 'down', 'up'],
  ] as const)('measures loss %s on its own and the finding names that direction', async (words, _knob, quality, lossy, clean) => {
    const { data, probes } = await measure(quality);
    // Every 10th packet of the 40-packet stream: exactly 4 lost in that direction, none in the other.
    expect(data[lossy]).toMatchObject({ sent: 40, received: 36, lossRatio: 0.1, lost: [9, 19, 29, 39] });
    expect(data[clean]).toMatchObject({ received: 40, lossRatio: 0 });
    const finding = diagnose(probes).findings.find((f) => f.code === 'packet-loss');
    expect(finding?.detail).toContain(`loss ${words} 10 % (4 of 40 packets)`);
    expect(finding?.detail).toContain(`loss ${lossy === 'up' ? 'from' : 'towards'} the server 0 % (0 of 40 packets)`);
  });

  it('reports a slow path as high-rtt, with the measured median, and no packet loss', async () => {
    const { data, probes } = await measure({ up: { delayMs: 170 }, down: { delayMs: 170 } });
    // 170 ms each way; Node timers may fire a fraction of a millisecond early by performance.now().
    expect(data.rttMedianMs).toBeGreaterThanOrEqual(335);
    const codes = diagnose(probes).findings.map((f) => f.code);
    expect(codes).toContain('high-rtt');
    expect(codes).not.toContain('packet-loss');
  });

  it('measures a 900 kbit/s bottleneck each way as the path\'s capacity: low-bandwidth, HD video cannot', async () => {
    const { data, probes, outcome } = await measure({ up: { rateKbps: 900 }, down: { rateKbps: 900 } });
    // The burst from the server (stamped as it left) queued at the bottleneck: the fake link holds 50 ms.
    expect(data.throughput.down?.queueDelay?.p90Ms).toBeGreaterThanOrEqual(25);
    for (const dir of ['up', 'down'] as const) {
      expect(data.throughput[dir]?.kbps).toBeGreaterThan(720);
      expect(data.throughput[dir]?.kbps).toBeLessThan(1000);
      // The bottleneck spaced the packets by its serialisation time: they arrived at about the rate that got through.
      expect(data.throughput[dir]?.dispersionKbps).toBeLessThan(1.5 * data.throughput[dir]!.kbps!);
    }
    const facts = qualityFactsFromOutcome(outcome)!;
    expect(facts.throughput.up.limitedBy).toBe('path');
    expect(Object.fromEntries(facts.estimate.map((r) => [r.activity, r.verdict]))).toEqual({ audio: 'can', 'sd-video': 'marginal', 'hd-video': 'cannot', 'screen-share': 'marginal' });
    const diagnosis = diagnose(probes);
    expect(diagnosis.findings.map((f) => f.code)).toEqual(['low-bandwidth']);
    expect(diagnosis.findings[0]?.title).toBe('Limited bandwidth: HD video will not fit');
    expect(diagnosis.findings[0]?.detail).toMatch(/towards the server: at most [789]\d\d kbit\/s/);
    expect(diagnosis.findings[0]?.detail).toContain('That carries audio.');
  });

  it('never reads its own overloaded server as low bandwidth: the same bottleneck with a saturated server CPU is a deployment finding', async () => {
    const { probes, outcome } = await measure({ up: { rateKbps: 900 }, down: { rateKbps: 900 }, load: { cpuBusyRatio: 0.97, loopLagMaxMs: 150, udpReceiveErrors: 12, concurrentBursts: 4 } });
    const facts = qualityFactsFromOutcome(outcome)!;
    expect(facts.lowBandwidth).toBe(false);
    expect(facts.throughput.up.limitedBy).toBe('server');
    expect(facts.throughput.down.limitedBy).toBe('server');
    const diagnosis = diagnose(probes);
    expect(diagnosis.findings.map((f) => [f.code, f.severity, f.category])).toEqual([['probe-server-overloaded', 'info', 'deployment']]);
    expect(diagnosis.findings[0]?.detail).toContain('97 % of a CPU core');
    expect(diagnosis.findings[0]?.detail).toContain('dropped 12 UDP datagrams');
  });

  it('records a burst the server refused as busy, and measures loss, jitter and round trip all the same', async () => {
    const { outcome, data, probes } = await measure({ refuseBursts: true });
    expect(outcome.status).toBe('pass');
    expect(data.refused).toEqual(['bulk: busy: the test server is already sending 4 throughput bursts']);
    expect(data.throughput.down).toBeUndefined();
    expect(data.up?.received).toBe(40);
    expect(diagnose(probes).findings.map((f) => f.code)).toEqual(['probe-server-overloaded']);
  });

  it('waits for a stream-done that comes a retransmission late (past the usual answer time) and measures both streams', async () => {
    // FAKE_QUALITY_PLAN answers within 1.5 s; a lost `stream-done` resent after werift's 1 s RTO.Min and a second loss.
    const { outcome, data, probes } = await measure({ lateStreamDoneMs: FAKE_QUALITY_PLAN.answerTimeoutMs + 500, up: { dropEvery: 20 } });
    expect(outcome.status).toBe('pass');
    expect(data.down?.received).toBe(40);
    expect(data.up?.lossRatio).toBeGreaterThan(0);
    expect(diagnose(probes).findings.map((f) => f.code)).toContain('packet-loss');
  });

  it('is inconclusive, naming the missing answer, when the media peer does not speak the protocol', async () => {
    const { outcome } = await measure({ mute: true });
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.reason).toMatch(/hello/);
  });

  it('fails when the path opens but nothing arrives either way, and packet-loss explains it', async () => {
    const { outcome, probes } = await measure({ up: { dead: true }, down: { dead: true } });
    expect(outcome.status).toBe('fail');
    const diagnosis = diagnose(probes);
    expect(diagnosis.probes['media-quality']?.explainedBy).toEqual(['packet-loss']);
    expect(diagnosis.findings[0]?.detail).toContain('loss towards the server 100 % (40 of 40 packets)');
  });

  it('is inconclusive when no media path comes up, leaving the transport findings to the transport probes', async () => {
    const { outcome } = await measure(undefined, { budgetMs: 900, script: {} });
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.reason).toMatch(/could not be measured|deadline/);
  });
});

describe('summarizeRecord', () => {
  const base = (): MediaQualityData => ({ stage: 'connecting', timedOut: false, streamIntervalMs: 2.5, rttIntervalMs: 5, rttSent: 0, rttSamples: [], throughput: {}, refused: [] });
  const record: QualityRecord = {
    stage: 'up-bulk',
    rtt: { sent: 4, samples: [[2, 14], [0, 12], [3, 13]] },
    upStream: { sent: 10 },
    downStream: { requested: 10, serverSent: 10, received: 9, duplicates: 0, missing: [3], jitterMs: 1.5, owdMs: [5, 6] },
    report: {
      upStream: { received: 8, duplicates: 1, highestSeq: 7, missing: [2], jitterMs: 2.5 },
      pings: { received: 3, replied: 3 },
      downStream: { sent: 10 },
      upBulk: { packets: 0, bytes: 0, highestSeq: -1, firstAtMs: null, lastAtMs: null, queueDelay: null, dispersionKbps: null },
      downBulk: null,
      load: null,
    },
    reportAfterBursts: false,
    phaseStartsMs: { hello: 0, rtt: 3, 'up-bulk': 1400 },
    refused: [],
    malformed: 0,
  };

  it('counts no burst towards the server from a report asked before it (the deadline cut the bursts short)', () => {
    const data = base();
    summarizeRecord({ ...record, upBulk: { targetKbps: 8000, sentPackets: 120, sentBytes: 132_000, durationMs: 400, blockedMs: 0, drainMs: 0 } }, data);
    expect(data.throughput.up).toBeUndefined();
    expect(data.phaseStartsMs).toEqual({ hello: 0, rtt: 3, 'up-bulk': 1400 });
  });

  it('counts packets after the highest received as lost, and takes the worst direction for the one-line figures', () => {
    const data = base();
    summarizeRecord(record, data);
    expect(data.up).toEqual({ sent: 10, received: 8, lost: [2, 8, 9], duplicates: 1, lossRatio: 0.2, jitterMs: 2.5 });
    expect(data.down).toEqual({ sent: 10, received: 9, lost: [3], duplicates: 0, lossRatio: 0.1, jitterMs: 1.5 });
    expect(data.lossRatio).toBe(0.2);
    expect(data.jitterMs).toBe(2.5);
    expect(data.rttSent).toBe(4);
    expect(data.rttSamples).toEqual([[0, 12], [2, 14], [3, 13]]);
    expect(data.rttMedianMs).toBe(13);
    expect(data.stage).toBe('up-bulk');
  });
});

describe('choosePathRtt: the pings, unless the page was late with them', () => {
  const data = (extra: Partial<MediaQualityData>): MediaQualityData => ({ stage: 'done', timedOut: false, streamIntervalMs: 20, rttIntervalMs: 5, rttSent: 40, rttSamples: [], throughput: {}, refused: [], ...extra });

  it('takes the pings when they agree with ICE within what SCTP and DTLS add', () => {
    const d = data({ rttMedianMs: 208.6, iceRtt: { ms: 203, responses: 3 } });
    choosePathRtt(d);
    expect(d).toMatchObject({ rttMs: 208.6, rttSource: 'pings' });
    expect(d.pageDelayMs).toBeUndefined();
  });

  it('takes ICE when the pings came back later by more than 25 ms and 25 % (a busy page: CI saw 324 ms on a 200 ms path)', () => {
    const d = data({ rttMedianMs: 324, iceRtt: { ms: 206, responses: 4 } });
    choosePathRtt(d);
    expect(d).toMatchObject({ rttMs: 206, rttSource: 'ice', pageDelayMs: 118 });
  });

  it('keeps the pings on a fast path where 25 ms is most of the round trip but not beyond both bounds', () => {
    const d = data({ rttMedianMs: 30, iceRtt: { ms: 8, responses: 2 } });
    choosePathRtt(d);
    expect(d).toMatchObject({ rttMs: 30, rttSource: 'pings' });
    const late = data({ rttMedianMs: 40, iceRtt: { ms: 8, responses: 2 } });
    choosePathRtt(late);
    expect(late).toMatchObject({ rttMs: 8, rttSource: 'ice', pageDelayMs: 32 });
  });

  it('uses whichever exists alone, and sets nothing without either', () => {
    const pingsOnly = data({ rttMedianMs: 50 });
    choosePathRtt(pingsOnly);
    expect(pingsOnly).toMatchObject({ rttMs: 50, rttSource: 'pings' });
    const iceOnly = data({ iceRtt: { ms: 70, responses: 1 } });
    choosePathRtt(iceOnly);
    expect(iceOnly).toMatchObject({ rttMs: 70, rttSource: 'ice' });
    expect(iceOnly.pageDelayMs).toBeUndefined();
    const none = data({});
    choosePathRtt(none);
    expect(none.rttMs).toBeUndefined();
  });

  it('feeds the diagnosis ICE\'s figure and says why in high-rtt', () => {
    const d = data({ rttMedianMs: 420, rttP95Ms: 500, iceRtt: { ms: 330, responses: 3 }, up: { sent: 100, received: 100, lost: [], duplicates: 0, lossRatio: 0 }, down: { sent: 100, received: 100, lost: [], duplicates: 0, lossRatio: 0 } });
    choosePathRtt(d);
    const facts = qualityFactsFromOutcome({ status: 'pass', durationMs: 2000, data: d as unknown as Record<string, unknown>, evidence: [] });
    expect(facts?.rttMedianMs).toBe(330);
    expect(facts?.rttP95Ms).toBeUndefined();
    expect(facts?.pageDelayMs).toBe(90);
  });
});
