import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY_LIMITS, QualityResponder } from './responder';
import { encodeData, type ServerControl } from './wire';

const limits = { ...DEFAULT_QUALITY_LIMITS, replies: 3, streamPackets: 10, requestsPerKind: 1 };

function reply(outcome: ReturnType<QualityResponder['onControl']>): ServerControl {
  if (outcome.kind !== 'reply') throw new Error(`expected a reply, got ${outcome.kind}`);
  return outcome.message;
}

describe('QualityResponder', () => {
  it('announces its limits in hello', () => {
    expect(reply(new QualityResponder(limits).onControl('{"type":"hello","version":1}'))).toEqual({ type: 'hello', version: 1, limits });
  });

  it('answers each ping once with a reply no larger than the ping, and no more than its limit', () => {
    const responder = new QualityResponder(limits);
    const sent: string[] = [];
    const answered: string[] = [];
    for (const seq of [0, 0, 1, 2, 3, 4]) {
      const ping = encodeData({ kind: 'T', seq, t: 10 + seq });
      sent.push(ping);
      answered.push(...responder.onData(ping, 50));
    }
    expect(answered).toEqual(['R 0 10', 'R 1 11', 'R 2 12']);
    expect(answered.join('').length).toBeLessThanOrEqual(sent.join('').length);
  });

  it('counts the stream towards it, with jitter and the sequence numbers that never came', () => {
    const responder = new QualityResponder(limits);
    for (const seq of [0, 1, 2, 4, 5]) expect(responder.onData(encodeData({ kind: 'P', seq, t: seq * 2.5 }), 1000 + seq * 2.5)).toEqual([]);
    const answer = responder.report(null);
    expect(answer.type === 'report' && answer.report.upStream).toEqual({ received: 5, duplicates: 0, highestSeq: 5, missing: [3], jitterMs: 0 });
  });

  it('plans a stream and a burst when asked within its limits, and refuses what is over them or asked twice', () => {
    const responder = new QualityResponder(limits);
    expect(reply(responder.onControl('{"type":"stream","count":11,"intervalMs":2.5}'))).toMatchObject({ type: 'refused', code: 'limit', message: 'at most 10 packets per stream' });
    expect(reply(responder.onControl('{"type":"stream","count":10,"intervalMs":0.5}'))).toMatchObject({ type: 'refused', message: 'packets at least 1 ms apart' });
    expect(responder.onControl('{"type":"stream","count":10,"intervalMs":2.5}')).toEqual({ kind: 'start-stream', plan: { count: 10, intervalMs: 2.5 } });
    expect(reply(responder.onControl('{"type":"stream","count":10,"intervalMs":2.5}'))).toMatchObject({ type: 'refused', message: 'at most 1 streams per session' });
    expect(reply(responder.onControl('{"type":"bulk","rateKbps":9000,"windowMs":400,"packetBytes":1100}'))).toMatchObject({ type: 'refused', message: 'at most 8000 kbit/s' });
    expect(responder.onControl('{"type":"bulk","rateKbps":8000,"windowMs":400,"packetBytes":1100}')).toEqual({ kind: 'start-bulk', plan: { rateKbps: 8000, windowMs: 400, packetBytes: 1100 } });
  });

  it('refuses a malformed request with the decoder\'s reason and ignores requests past its cap', () => {
    const responder = new QualityResponder(limits);
    expect(reply(responder.onControl('{"type":"flood"}'))).toMatchObject({ type: 'refused', code: 'bad-request', message: 'control/type: unknown request "flood"' });
    for (let i = 0; i < 31; i++) responder.onControl('{"type":"report"}');
    expect(responder.onControl('{"type":"report"}')).toEqual({ kind: 'ignore', reason: 'more than 32 control requests' });
  });

  it('ignores malformed data and what travels the other way, counting it', () => {
    const responder = new QualityResponder(limits);
    expect(responder.onData('S 1 2', 0)).toEqual([]);
    expect(responder.onData('garbage', 0)).toEqual([]);
    expect(responder.counters).toMatchObject({ dataMessages: 2, malformed: 1 });
  });

  it('reports the burst towards it: bytes, arrival span and the queue it built over the quiet stream', () => {
    const responder = new QualityResponder(limits);
    responder.onData(encodeData({ kind: 'P', seq: 0, t: 0 }), 20);
    for (let seq = 0; seq < 10; seq++) responder.onData(encodeData({ kind: 'U', seq, t: 100 + seq }, 200), 130 + seq * 5);
    const answer = responder.report({ cpuBusyRatio: 0.2, loopLagMaxMs: 3, udpReceiveErrors: 0, concurrentBursts: 1 });
    // Arrivals 5 ms apart, 200 bytes each: a dispersion rate of 200 · 8 / 5 = 320 kbit/s.
    expect(answer.type === 'report' && answer.report.upBulk).toEqual({ packets: 10, bytes: 2000, highestSeq: 9, firstAtMs: 130, lastAtMs: 175, queueDelay: { medianMs: 26, p90Ms: 42 }, dispersionKbps: 320, missing: [] });
  });
});
