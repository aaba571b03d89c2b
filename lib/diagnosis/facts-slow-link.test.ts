import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../schema/result';
import { diagnose } from './diagnose';
import { deriveSlowLinkFacts, earlyRoundTrip, neededMs } from './facts-slow-link';
import { outcomesFor } from './testing/outcomes';
import { THRESHOLDS } from './thresholds';

/** A run whose first request saw `rttMs`, with the TURN transports as given and each cut one ended after `ranMs`. */
function slowRun(rttMs: number, shape: Parameters<typeof outcomesFor>[0], ranMs: number): Record<string, ProbeOutcome> {
  const probes = outcomesFor(shape);
  probes.session = {
    status: 'pass',
    durationMs: 3 * rttMs,
    data: { elapsedMs: 3 * rttMs, roundTripMs: rttMs, roundTripFrom: 'request-timing' },
    evidence: [{ probe: 'session', kind: 'http', summary: `POST /v1/sessions → 201 in ${3 * rttMs} ms (round trip ${rttMs} ms)` }],
  };
  for (const id of ['turn-udp', 'turn-tcp', 'turn-tls']) {
    if (probes[id]!.status === 'fail' || probes[id]!.status === 'warn') probes[id] = { ...probes[id]!, durationMs: ranMs };
  }
  return probes;
}

describe('slow-link facts: a slow network is high-rtt, not a blocked transport', () => {
  it('reads the round trip the session probe measured, and half the request from older results', () => {
    expect(earlyRoundTrip({ status: 'pass', durationMs: 1, data: { elapsedMs: 3100, roundTripMs: 1012.4, roundTripFrom: 'request-timing' }, evidence: [] })).toEqual({ rttMs: 1012.4, from: 'request-timing' });
    expect(earlyRoundTrip({ status: 'pass', durationMs: 1, data: { elapsedMs: 640 }, evidence: [] })).toEqual({ rttMs: 320, from: 'elapsed' });
    expect(earlyRoundTrip({ status: 'fail', durationMs: 1, data: { elapsedMs: 640 }, evidence: [] })).toBeUndefined();
  });

  it('on a 1 s round trip, TURN over TLS cut at 7.4 s is not decided, explained by high-rtt, and the verdict is degraded', () => {
    const probes = slowRun(1000, { turn: { tls: 'no-relay', tcp: 'no-data' } }, 7400);
    // TURN over TCP allocated, then the deadline came while the data channel was still connecting.
    probes['turn-tcp'] = { ...probes['turn-tcp']!, data: { ...probes['turn-tcp']!.data, timedOut: true } };
    const d = diagnose(probes);
    expect(d.findings.map((f) => f.code)).toEqual(['high-rtt']);
    expect(d.verdict).toBe('degraded');
    for (const id of ['turn-tls', 'turn-tcp']) {
      expect(d.probes[id]).toMatchObject({ status: 'inconclusive', reclassified: { because: 'high-rtt' }, explainedBy: ['high-rtt'] });
    }
    const finding = d.findings[0]!;
    expect(finding.detail).toContain('The first request to the test server took 1000 ms');
    expect(finding.detail).toContain(`turn-tls had 7400 ms of the up to ${neededMs('turn-tls', 1000)} ms it needs here`);
    expect(finding.probes).toEqual(['media-quality', 'turn-tcp', 'turn-tls']);
  });

  it('keeps a timeout the round trip cannot explain a failure: 200 ms links leave TURN/TLS time for its handshakes', () => {
    const probes = slowRun(200, { turn: { tls: 'no-relay' } }, 7000);
    expect(deriveSlowLinkFacts(probes, THRESHOLDS)).toBeUndefined();
    expect(diagnose(probes).findings.map((f) => f.code)).toContain('turn-tls-failed');
  });

  it('keeps a STUN silence on every port a failure when its deadline left time for several round trips', () => {
    const probes = slowRun(1000, { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay' } }, 7400);
    probes['stun-udp'] = { ...probes['stun-udp']!, durationMs: 7400 };
    const facts = deriveSlowLinkFacts(probes, THRESHOLDS)!;
    // Silent for 7.4 s where 5 s would do: UDP to the TURN port is shown silent, and TURN over UDP with it.
    expect(facts.cut).toEqual([]);
    const codes = diagnose(probes).findings.map((f) => f.code);
    expect(codes).toContain('udp-blocked');
    expect(codes).toContain('high-rtt');
    expect(codes).not.toContain('turn-udp-failed');
  });

  it('leaves an answered refusal alone: an ICE error decided the relay, not the deadline', () => {
    const probes = slowRun(1000, { turn: { tls: 'no-relay' } }, 900);
    const tls = probes['turn-tls']!;
    probes['turn-tls'] = { ...tls, data: { ...tls.data, timedOut: false, decidedBy: { errorKind: 'connect-failed', errorCode: 701, errorText: 'TLS error', atMs: 900 } } };
    expect(deriveSlowLinkFacts(probes, THRESHOLDS)!.cut).toEqual([]);
    expect(diagnose(probes).findings.map((f) => f.code)).toContain('turn-tls-failed');
  });

  it('believes the quality measurement over one request: 40 pings at 120 ms mean the link is not slow', () => {
    const probes = slowRun(450, { turn: { tls: 'no-relay' } }, 4000);
    probes['media-quality'] = {
      status: 'pass',
      durationMs: 2500,
      data: { rttMedianMs: 120, rttMs: 120, rttSource: 'pings', rttSent: 40, rttSamples: [], up: { sent: 100, received: 100, lost: [], duplicates: 0, lossRatio: 0 }, down: { sent: 100, received: 100, lost: [], duplicates: 0, lossRatio: 0 }, throughput: {}, refused: [] },
      evidence: [],
    };
    expect(deriveSlowLinkFacts(probes, THRESHOLDS)).toBeUndefined();
    expect(diagnose(probes).findings.map((f) => f.code)).toEqual(['turn-tls-failed']);
  });
});
