import { describe, expect, it } from 'vitest';
import type { BurstDirection, MediaQualityData } from '../probes/media-quality';
import type { ProbeOutcome } from '../schema/result';
import { qualityFactsFromOutcome } from './facts-quality';

const STREAM = { sent: 200, received: 200, lossRatio: 0, jitterMs: 1, lost: [], duplicates: 0 };

function outcome(up: Partial<BurstDirection>, extra: Partial<MediaQualityData> = {}, down: Partial<BurstDirection> = { kbps: 7900 }): ProbeOutcome {
  const burst = (b: Partial<BurstDirection>): BurstDirection => ({ targetKbps: 8000, sentPackets: 300, sentBytes: 330_000, receivedPackets: 300, receivedBytes: 330_000, ...b });
  const data: MediaQualityData = {
    stage: 'done',
    timedOut: false,
    streamIntervalMs: 2.5,
    rttIntervalMs: 5,
    rttSent: 40,
    rttSamples: [],
    rttMedianMs: 20,
    up: STREAM,
    down: STREAM,
    throughput: { up: burst(up), down: burst(down) },
    refused: [],
    ...extra,
  };
  return { status: 'pass', durationMs: 1, data: data as unknown as Record<string, unknown>, evidence: [] };
}

describe('what limited a throughput burst', () => {
  it.each([
    ['reached ≥ 90 % of its target', { kbps: 7500 }, 'target'],
    ['arrived low, spaced by a link at capacity', { kbps: 950, dispersionKbps: 1010 }, 'path'],
    ['arrived low in clumps and lost 8 % (the browser\'s own SCTP abandons messages of a held-back burst)', { kbps: 190, lossRatio: 0.08, dispersionKbps: 464 }, 'sender'],
    ['arrived low in clumps with no extra loss (a sender held back on a long path)', { kbps: 240, lossRatio: 0.02, dispersionKbps: 60_000 }, 'sender'],
    ['arrived low in clumps, stamped 1 s "late" by the browser\'s own send queue', { kbps: 240, dispersionKbps: 60_000, queueDelay: { medianMs: 1188, p90Ms: 1990 } }, 'sender'],
    ['produced no rate', {}, 'unmeasured'],
  ])('a burst towards the server that %s is limited by the %s', (_name, up, limitedBy) => {
    expect(qualityFactsFromOutcome(outcome(up))?.throughput.up.limitedBy).toBe(limitedBy);
  });

  it('does not take evenly spaced arrivals towards the server for a link at capacity when the page was busy (its own pace)', () => {
    const busy = { rttMs: 206.7, rttSource: 'ice', pageDelayMs: 148.9 } as Partial<MediaQualityData>;
    const facts = qualityFactsFromOutcome(outcome({ kbps: 109, dispersionKbps: 120, lossRatio: 0.25 }, busy))!;
    expect(facts.throughput.up.limitedBy).toBe('sender');
    expect(facts.lowBandwidth).toBe(false);
    // The same arrivals from a page that answered on time: a link at capacity.
    expect(qualityFactsFromOutcome(outcome({ kbps: 950, dispersionKbps: 1010 }, { rttMs: 20, rttSource: 'pings' }))?.throughput.up.limitedBy).toBe('path');
  });

  it.each([
    ['built a queue (stamped as it left)', { kbps: 950, dispersionKbps: 60_000, queueDelay: { medianMs: 30, p90Ms: 40 } }],
    ['lost 20 % more than the stream', { kbps: 950, lossRatio: 0.2, dispersionKbps: 60_000 }],
  ])('takes a burst from the server that %s as a bottleneck', (_name, down) => {
    expect(qualityFactsFromOutcome(outcome({ kbps: 7900 }, {}, down))?.throughput.down.limitedBy).toBe('path');
  });

  it.each([
    ['a saturated CPU', { serverLoad: { cpuBusyRatio: 0.95, loopLagMaxMs: 5, udpReceiveErrors: 0, concurrentBursts: 2 } }, 'its process used 95 % of a CPU core'],
    ['a stalled event loop', { serverLoad: { cpuBusyRatio: 0.3, loopLagMaxMs: 250, udpReceiveErrors: 0, concurrentBursts: 2 } }, 'its event loop stalled for 250 ms'],
    ['full UDP receive buffers', { serverLoad: { cpuBusyRatio: 0.3, loopLagMaxMs: 5, udpReceiveErrors: 7, concurrentBursts: 2 } }, 'its host dropped 7 UDP datagrams for full receive buffers'],
    ['a refused burst', { refused: ['bulk: busy: the test server is already sending 4 throughput bursts'] }, 'it refused the burst as busy with other tests'],
  ])('blames netready\'s server, not the path, for %s', (_name, extra, reason) => {
    const facts = qualityFactsFromOutcome(outcome({ kbps: 950, dispersionKbps: 1000 }, extra as Partial<MediaQualityData>))!;
    expect(facts.serverLimited).toBe(true);
    expect(facts.serverReasons).toContain(reason);
    expect(facts.throughput.up.limitedBy).toBe('server');
    expect(facts.lowBandwidth).toBe(false);
  });

  it('takes what the stream proved as a lower bound when no burst was measured: ≈ 300 kbit/s at 400 packets/s, enough for audio', () => {
    const facts = qualityFactsFromOutcome(outcome({}, { throughput: {} }))!;
    // (93 bytes of headers + 5 of text) · 8 bits · 400 packets/s.
    expect(facts.throughput.up).toEqual({ targetKbps: 0, limitedBy: 'unmeasured', kbps: 313 });
    expect(facts.estimate.find((r) => r.activity === 'audio')?.verdict).toBe('can');
    expect(facts.estimate.find((r) => r.activity === 'hd-video')?.reasons[0]).toBe('at least 313 kbit/s towards the server (the stream only; no burst measured) (needs 1.2 Mbit/s–2.6 Mbit/s)');
  });

  it('keeps the stream\'s rate when a burst held back by its sender carried less (lossy-latent: 95 kbit/s after a 2 %-loss stream)', () => {
    const lossy = { ...STREAM, received: 196, lossRatio: 0.02, lost: [56, 104, 139, 184] };
    const facts = qualityFactsFromOutcome(outcome({ kbps: 95, lossRatio: 0.02, dispersionKbps: 60_000 }, { up: lossy, rttMs: 199 }))!;
    // 98 bytes · 8 bits · 196 of 200 packets every 2.5 ms.
    expect(facts.throughput.up).toMatchObject({ limitedBy: 'sender', kbps: 307 });
    expect(facts.estimate.find((r) => r.activity === 'audio')?.verdict).toBe('can');
    // A burst that carried more than the stream keeps its own figure; a path-limited one is a capacity, left as it is.
    expect(qualityFactsFromOutcome(outcome({ kbps: 450, dispersionKbps: 60_000 }))?.throughput.up.kbps).toBe(450);
    expect(qualityFactsFromOutcome(outcome({ kbps: 450, dispersionKbps: 460 }))?.throughput.up).toMatchObject({ limitedBy: 'path', kbps: 450 });
  });

  it('never takes a burst slower than the stream for the path\'s capacity, however evenly it arrived (SCTP\'s window on a lossy path)', () => {
    const lossy = { ...STREAM, received: 196, lossRatio: 0.02, lost: [56, 104, 139, 184] };
    // lossy-latent: 10 of 61 packets in the window, 64 kbit/s, spaced at 44 kbit/s — after the stream proved 307.
    const facts = qualityFactsFromOutcome(outcome({ kbps: 64, lossRatio: 0.333, dispersionKbps: 44, queueDelay: { medianMs: 597, p90Ms: 1219 } }, { up: lossy, rttMs: 214 }))!;
    expect(facts.throughput.up).toMatchObject({ limitedBy: 'sender', kbps: 307 });
    expect(facts.lowBandwidth).toBe(false);
    expect(facts.estimate.find((r) => r.activity === 'audio')?.verdict).toBe('can');
  });

  it('has no facts for an outcome that did not measure both streams', () => {
    expect(qualityFactsFromOutcome({ status: 'inconclusive', durationMs: 1, data: {}, evidence: [] })).toBeUndefined();
    expect(qualityFactsFromOutcome(outcome({}, { down: undefined }))).toBeUndefined();
  });
});
