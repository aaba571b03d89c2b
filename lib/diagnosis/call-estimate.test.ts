import { describe, expect, it } from 'vitest';
import { estimateCall, judgeBandwidth, type CallInputs, type CallVerdict } from './call-estimate';
import { THRESHOLDS } from './thresholds';

const CLEAN: CallInputs = { rttMs: 20, jitterUpMs: 1, jitterDownMs: 1, lossUp: 0, lossDown: 0, up: { kbps: 8000, limitedBy: 'target' }, down: { kbps: 8000, limitedBy: 'target' } };

function verdicts(inputs: CallInputs): Record<string, CallVerdict> {
  return Object.fromEntries(estimateCall(inputs, THRESHOLDS).map((row) => [row.activity, row.verdict]));
}

describe('judgeBandwidth', () => {
  const hd = { minKbps: 1200, recommendedKbps: 2600 };
  it.each([
    ['reached the recommended rate', { kbps: 3000, limitedBy: 'target' as const }, 'can'],
    ['a path capacity between minimum and recommended', { kbps: 1500, limitedBy: 'path' as const }, 'marginal'],
    ['a path capacity below the minimum', { kbps: 900, limitedBy: 'path' as const }, 'cannot'],
    ['a lower bound below the minimum (the sender held back)', { kbps: 900, limitedBy: 'sender' as const }, 'unknown'],
    ['a lower bound between minimum and recommended', { kbps: 1500, limitedBy: 'sender' as const }, 'marginal'],
    ['a figure netready\'s own server limited', { kbps: 300, limitedBy: 'server' as const }, 'unknown'],
    ['no burst', { limitedBy: 'unmeasured' as const }, 'unknown'],
  ])('%s → %s', (_name, capacity, expected) => {
    expect(judgeBandwidth(capacity, hd)).toBe(expected);
  });
});

describe('estimateCall', () => {
  it.each<[string, Partial<CallInputs>, Record<string, CallVerdict>]>([
    ['a clean path that carried 8 Mbit/s each way', {}, { audio: 'can', 'sd-video': 'can', 'hd-video': 'can', 'screen-share': 'can' }],
    ['a 900 kbit/s bottleneck each way', { up: { kbps: 900, limitedBy: 'path' }, down: { kbps: 900, limitedBy: 'path' } }, { audio: 'can', 'sd-video': 'marginal', 'hd-video': 'cannot', 'screen-share': 'marginal' }],
    ['a 300 kbit/s uplink', { up: { kbps: 300, limitedBy: 'path' } }, { audio: 'can', 'sd-video': 'cannot', 'hd-video': 'cannot', 'screen-share': 'marginal' }],
    ['2 % loss each way (lab lossy-latent)', { lossUp: 0.02, lossDown: 0.02, rttMs: 200 }, { audio: 'can', 'sd-video': 'marginal', 'hd-video': 'marginal', 'screen-share': 'marginal' }],
    ['15 % loss towards the server', { lossUp: 0.15 }, { audio: 'marginal', 'sd-video': 'cannot', 'hd-video': 'cannot', 'screen-share': 'cannot' }],
    ['a 900 ms round trip (G.107 R 47)', { rttMs: 900 }, { audio: 'cannot', 'sd-video': 'cannot', 'hd-video': 'cannot', 'screen-share': 'cannot' }],
    ['throughput netready\'s server could not measure', { up: { kbps: 200, limitedBy: 'server' }, down: { limitedBy: 'unmeasured' } }, { audio: 'marginal', 'sd-video': 'marginal', 'hd-video': 'marginal', 'screen-share': 'marginal' }],
  ])('%s', (_name, change, expected) => {
    expect(verdicts({ ...CLEAN, ...change })).toEqual(expected);
  });

  it('gives audio its E-model rating each way and says why anything is below "can"', () => {
    const rows = estimateCall({ ...CLEAN, up: { kbps: 900, limitedBy: 'path' } }, THRESHOLDS);
    const audio = rows.find((r) => r.activity === 'audio')!;
    expect(audio.speech?.up.r).toBeGreaterThan(90);
    expect(audio.reasons).toEqual([]);
    expect(rows.find((r) => r.activity === 'hd-video')?.reasons).toEqual(['900 kbit/s towards the server (needs 1.2 Mbit/s–2.6 Mbit/s)']);
    const unmeasured = estimateCall({ ...CLEAN, down: { kbps: 200, limitedBy: 'server' } }, THRESHOLDS);
    expect(unmeasured.find((r) => r.activity === 'sd-video')?.reasons).toEqual(["at least 200 kbit/s from the server: netready's test server was the limit (needs 500 kbit/s–1 Mbit/s)"]);
  });
});
