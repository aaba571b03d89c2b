import { describe, expect, it } from 'vitest';
import type { MediaQualityData } from '../../lib/probes/media-quality';
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildCallEstimateTable } from './call-estimate-model';

const STREAM = { sent: 200, received: 200, lossRatio: 0, jitterMs: 1, lost: [], duplicates: 0 };

function outcome(data: Partial<MediaQualityData>): ProbeOutcome {
  const full = { stage: 'done', timedOut: false, streamIntervalMs: 2.5, rttIntervalMs: 5, rttSent: 40, rttSamples: [], rttMedianMs: 4, up: STREAM, down: STREAM, throughput: {}, refused: [], ...data };
  return { status: 'pass', durationMs: 2300, data: full as unknown as Record<string, unknown>, evidence: [] };
}

const burst = (kbps: number, extra: object = {}) => ({ targetKbps: 8000, kbps, sentPackets: 300, sentBytes: 330_000, receivedPackets: 300, receivedBytes: 330_000, ...extra });

describe('call estimate table', () => {
  it('reads a 900 kbit/s bottleneck: audio works with its E-model rating, HD video will not, and why', () => {
    const congested = burst(900, { lossRatio: 0.8, dispersionKbps: 950 });
    const table = buildCallEstimateTable(outcome({ throughput: { up: congested, down: congested } }))!;
    expect(table.rows.map((r) => [r.label, r.symbol, r.word])).toEqual([
      ['Audio', '✓', 'Works'],
      ['SD video', '~', 'Marginal'],
      ['HD video', '✗', 'Will not work'],
      ['Screen sharing', '~', 'Marginal'],
    ]);
    expect(table.rows[0]!.detail).toMatch(/^speech rated R 9\d\.\d, MOS 4\.\d+ \(ITU-T G\.107 E-model, the weaker direction\)$/);
    expect(table.rows[2]!.detail).toBe('900 kbit/s towards the server (needs 1.2 Mbit/s–2.6 Mbit/s); 900 kbit/s from the server (needs 1.2 Mbit/s–2.6 Mbit/s)');
    expect(table.throughput).toBe("Towards the server: 900 kbit/s (the path's limit) · from the server: 900 kbit/s (the path's limit)");
    expect(table.serverNote).toBeUndefined();
  });

  it('says when netready\'s own server limited the throughput, and judges nothing on it', () => {
    const table = buildCallEstimateTable(outcome({ throughput: { up: burst(900), down: burst(900) }, serverLoad: { cpuBusyRatio: 0.99, loopLagMaxMs: 5, udpReceiveErrors: 0, concurrentBursts: 4 } }))!;
    expect(table.throughput).toBe('Towards the server: not measured · from the server: not measured');
    expect(table.serverNote).toContain('its process used 99 % of a CPU core');
    expect(table.rows.some((r) => r.verdict === 'cannot')).toBe(false);
  });

  it('has no table for an outcome that did not measure the streams', () => {
    expect(buildCallEstimateTable(undefined)).toBeNull();
    expect(buildCallEstimateTable({ status: 'inconclusive', durationMs: 1, data: {}, evidence: [] })).toBeNull();
  });
});
