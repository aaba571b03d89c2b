import { describe, expect, it } from 'vitest';
import { runNetready } from '../engine/run-netready';
import { diagnose } from '../diagnosis/diagnose';
import type { Session } from '../schema/session';
import { createMediaQualityProbe, QUALITY_PACKETS } from './media-quality';
import { createSessionProbe } from './session';
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

async function measure(script: PeerScript, budgetMs = 8000) {
  const env = fakeEnvironment(() => script, serverFetch);
  const result = await runNetready({
    env,
    probeUrl: 'http://203.0.113.10:8080',
    budgetMs,
    probeTimeoutMs: 5000,
    configName: 'test',
    userAgent: 'test',
    startedAt: '2026-11-25T09:00:00.000Z',
    plan: [createSessionProbe(), createMediaQualityProbe()],
  });
  return { outcome: result.probes['media-quality']!, probes: result.probes, env };
}

const SRFLX = 'candidate:1 1 udp 1677729535 198.51.100.7 40000 typ srflx raddr 0.0.0.0 rport 0';

describe('media-quality probe', () => {
  it('offers every STUN and TURN URL of the session and uses an unreliable, unordered channel', async () => {
    const { outcome, env } = await measure({ candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true });
    expect(outcome.status).toBe('pass');
    expect(env.peers[0]?.config.iceServers.map((s) => s.urls)).toEqual(['stun:203.0.113.10:3478', 'turn:203.0.113.10:3478?transport=udp']);
    expect(outcome.data).toMatchObject({ sent: QUALITY_PACKETS, received: QUALITY_PACKETS, lossRatio: 0, stage: 'done' });
    expect(env.peers.every((pc) => pc.closed)).toBe(true);
  });

  it('measures round-trip loss on a lossy path and the diagnosis reports packet-loss', async () => {
    const { outcome, probes } = await measure({ candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true, dropEvery: 10 });
    expect(outcome.data.lossRatio).toBeCloseTo(0.1, 2);
    const { findings } = diagnose(probes);
    expect(findings.map((f) => f.code)).toEqual(['packet-loss']);
    expect(findings[0]?.detail).toContain(`20 of ${QUALITY_PACKETS} test packets`);
  });

  it('reports a slow path as high-rtt, with the measured median', async () => {
    const { outcome, probes } = await measure({ candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true, echoDelayMs: 320 });
    expect(outcome.data.rttMedianMs as number).toBeGreaterThanOrEqual(320);
    const codes = diagnose(probes).findings.map((f) => f.code);
    expect(codes).toContain('high-rtt');
    expect(codes).not.toContain('packet-loss');
  });

  it('is inconclusive, with no loss ratio, when the run budget cuts the stream short', async () => {
    const { outcome, probes } = await measure({ candidates: [{ afterMs: 1, line: SRFLX }], dataFlows: true }, 700);
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.data.lossRatio).toBeUndefined();
    expect(diagnose(probes).findings).toEqual([]);
  });

  it('is inconclusive when no media path comes up, leaving the transport findings to the transport probes', async () => {
    const { outcome } = await measure({}, 600);
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.reason).toMatch(/could not be measured|deadline/);
  });
});
