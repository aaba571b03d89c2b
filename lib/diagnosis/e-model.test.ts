import { describe, expect, it } from 'vitest';
import { eModel, mosFromR } from './e-model';

describe('E-model (ITU-T G.107, simplified)', () => {
  it.each([
    [93.2, 4.41],
    [80, 4.02],
    [70, 3.6],
    [50, 2.58],
    [0, 1],
    [100, 4.5],
  ])('maps R %s to MOS %s (G.107 Annex B eq. B-4)', (r, mos) => {
    expect(mosFromR(r)).toBeCloseTo(mos, 2);
  });

  it('rates a clean, short path near G.107\'s default R of 93.2', () => {
    const result = eModel({ oneWayDelayMs: 0.5, jitterMs: 0.2, lossRatio: 0 });
    // Ta = 0.5 + 20 (smallest jitter buffer) + 20 (one frame) = 40.5 ms → Id = 0.024 · 40.5 = 0.97.
    expect(result).toEqual({ r: 92.2, mos: 4.39, mouthToEarMs: 40.5, id: 1, ieEff: 0 });
  });

  it('charges loss through Ie,eff = 95 · Ppl / (Ppl + Bpl) with G.711+PLC\'s Bpl 25.1', () => {
    expect(eModel({ oneWayDelayMs: 0, jitterMs: 0, lossRatio: 0.02 }).ieEff).toBeCloseTo(7.0, 1);
    expect(eModel({ oneWayDelayMs: 0, jitterMs: 0, lossRatio: 0.1 }).ieEff).toBeCloseTo(27.1, 1);
  });

  it('adds the steeper delay term past 177.3 ms mouth to ear', () => {
    // Ta = 200 + 20 + 20 = 240 → Id = 0.024 · 240 + 0.11 · (240 − 177.3) = 12.66.
    expect(eModel({ oneWayDelayMs: 200, jitterMs: 0, lossRatio: 0 }).id).toBeCloseTo(12.7, 1);
    // The jitter buffer is twice the jitter once that exceeds the 20 ms floor.
    expect(eModel({ oneWayDelayMs: 0, jitterMs: 30, lossRatio: 0 }).mouthToEarMs).toBe(80);
  });

  it('rates the lab\'s lossy-latent path (100 ms each way, 2 % loss) as still good enough for speech', () => {
    const { r, mos } = eModel({ oneWayDelayMs: 100, jitterMs: 5, lossRatio: 0.02 });
    expect(r).toBeGreaterThan(80);
    expect(mos).toBeGreaterThan(4);
  });
});
