import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { nearestRank, probeStunLatency } from './stun-prober';

describe('stun prober', () => {
  it.each([
    [[], 99, null],
    [[1], 99, 1],
    [[1, 2, 3, 4], 50, 2],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
  ])('takes the nearest-rank percentile of %j at p%i', (values, p, want) => {
    expect(nearestRank(values, p)).toBe(want);
  });

  it('times every Binding request a responder answers, and counts the ones it ignores as lost', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    let seen = 0;
    server.on('message', (message, from) => {
      // A Binding success response with the request's transaction id; every fourth request goes unanswered.
      if (++seen % 4 === 0) return;
      const response = Buffer.from(message.subarray(0, 20));
      response.writeUInt16BE(0x0101, 0);
      response.writeUInt16BE(0, 2);
      setTimeout(() => server.send(response, from.port, from.address), 3);
    });
    try {
      const report = await probeStunLatency(server.address().port, 200, 10);
      expect(report.sent).toBeGreaterThanOrEqual(15);
      expect(report.lost).toBe(Math.floor(report.sent / 4));
      expect(report.answered).toBe(report.sent - report.lost);
      expect(report.p50Ms).toBeGreaterThanOrEqual(3);
      expect(report.p99Ms).toBeGreaterThanOrEqual(report.p50Ms!);
    } finally {
      server.close();
    }
  });
});
