import { describe, expect, it } from 'vitest';
import { dispersionKbps, InterarrivalJitter, quantile, queueDelay, SequenceTracker } from './stats';

describe('InterarrivalJitter (RFC 3550 §6.4.1)', () => {
  it('is null below two packets and 0 for packets that keep their spacing, whatever the clock offset', () => {
    const jitter = new InterarrivalJitter();
    expect(jitter.value).toBeNull();
    for (let i = 0; i < 50; i++) jitter.add(i * 2.5, 100_000 + i * 2.5);
    expect(jitter.value).toBe(0);
  });

  it('follows J += (|D| − J) / 16 for each transit difference', () => {
    const jitter = new InterarrivalJitter();
    // Transit times 10, 18, 10: |D| = 8 twice → J = 8/16 = 0.5, then 0.5 + (8 − 0.5)/16 = 0.96875.
    jitter.add(0, 10);
    jitter.add(20, 38);
    expect(jitter.value).toBe(0.5);
    jitter.add(40, 50);
    expect(jitter.value).toBe(1);
  });
});

describe('SequenceTracker', () => {
  it('counts distinct arrivals, duplicates, and what never came below a bound', () => {
    const tracker = new SequenceTracker(100);
    for (const seq of [0, 1, 3, 3, 6]) tracker.add(seq);
    expect([tracker.received, tracker.duplicates, tracker.highest]).toEqual([4, 1, 6]);
    expect(tracker.missing(8, 10)).toEqual([2, 4, 5, 7]);
    expect(tracker.missing(8, 2)).toEqual([2, 4]);
  });

  it('stops tracking at its capacity, bounding memory', () => {
    const tracker = new SequenceTracker(2);
    expect([tracker.add(0), tracker.add(1), tracker.add(2)]).toEqual([true, true, false]);
    expect(tracker.received).toBe(2);
  });
});

describe('quantile and queueDelay', () => {
  it('takes the nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('measures a burst\'s queueing against the quietest stream packet, unaffected by the clock offset', () => {
    // Clocks 5000 ms apart; the stream saw 20–22 ms one way, the burst 30–80 ms (nearest rank: 5th and 9th of 10).
    expect(queueDelay([5020, 5021, 5022], [5030, 5040, 5050, 5060, 5070, 5080, 5080, 5080, 5080, 5080])).toEqual({ medianMs: 50, p90Ms: 60 });
    expect(queueDelay([], [1])).toBeNull();
  });
});

describe('dispersionKbps', () => {
  it('reads the rate of packets spaced by a 1 Mbit/s link: 1100 bytes every 8.8 ms', () => {
    expect(dispersionKbps([0, 8.8, 17.6, 26.4, 35.2], 1100)).toBe(1000);
  });

  it('reads clumps a congestion window sends at once as a fast link, whatever the waits between them', () => {
    // Three windows of four packets 0.1 ms apart, 200 ms between windows: median gap 0.1 ms.
    const arrivals = [0, 200, 400].flatMap((start) => [0, 0.1, 0.2, 0.3].map((d) => start + d));
    expect(dispersionKbps(arrivals, 1100)).toBe(88_000);
    expect(dispersionKbps([1, 2], 1100)).toBeNull();
  });
});
