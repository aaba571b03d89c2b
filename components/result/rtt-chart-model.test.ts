import { describe, expect, it } from 'vitest';
import type { MediaQualityData } from '../../lib/probes/media-quality';
import { buildRttChart, CHART, niceCeiling } from './rtt-chart-model';

const STREAM = (lost: number[]) => ({ sent: 200, received: 200 - lost.length, lossRatio: lost.length / 200, lost, duplicates: 0 });

describe('round-trip chart model', () => {
  it('places answered pings by time and round trip, marks the unanswered ones and each stream\'s lost packets', () => {
    const model = buildRttChart({ rttIntervalMs: 5, rttSent: 5, rttSamples: [[0, 20], [1, 40], [3, 30], [4, 20]], rttMedianMs: 25, up: STREAM([0, 199]), down: STREAM([]) } as Partial<MediaQualityData>)!;
    const plotWidth = CHART.width - CHART.left - CHART.right;
    expect(model.maxMs).toBe(50);
    expect(model.points.map((p) => p.x)).toEqual([CHART.left, CHART.left + plotWidth / 4, CHART.left + (3 * plotWidth) / 4, CHART.left + plotWidth]);
    // 40 ms of a 50 ms axis: 80 % up the plot.
    expect(model.points[1]!.y).toBe(CHART.plotTop + CHART.plotHeight * 0.2);
    expect(model.lostPings).toEqual([CHART.left + plotWidth / 2]);
    expect(model.path.startsWith(`M${CHART.left} `)).toBe(true);
    expect(model.strips.map((s) => [s.label, s.lostCount, s.ticks])).toEqual([
      ['Stream towards the server', 2, [CHART.left, CHART.left + plotWidth]],
      ['Stream from the server', 0, []],
    ]);
    expect(model.summary).toBe(
      'Round trip of 4 of 5 pings sent 5 ms apart: from 20 to 40 ms, median 25 ms; 1 unanswered. ' +
        'Stream towards the server: 2 of 200 packets lost (1 %). Stream from the server: 0 of 200 packets lost (0 %).',
    );
  });

  it('says when the browser\'s own ICE checks, not the late pings, are the network\'s round trip', () => {
    const model = buildRttChart({ rttIntervalMs: 5, rttSent: 2, rttSamples: [[0, 320], [1, 330]], rttMedianMs: 325, rttMs: 206, rttSource: 'ice', pageDelayMs: 119, up: STREAM([]), down: STREAM([]) } as Partial<MediaQualityData>)!;
    expect(model.summary).toContain('The browser\'s own connection checks timed the path at 206 ms: this computer was busy');
  });

  it('draws nothing for a result without an answered ping (an older or unmeasured result)', () => {
    expect(buildRttChart({})).toBeNull();
    expect(buildRttChart({ rttSent: 40, rttSamples: [] } as Partial<MediaQualityData>)).toBeNull();
  });

  it.each([
    [0.4, 0.5],
    [3, 5],
    [44, 50],
    [210, 500],
    [1000, 1000],
  ])('rounds an axis maximum of %s up to %s', (value, nice) => {
    expect(niceCeiling(value)).toBe(nice);
  });
});
