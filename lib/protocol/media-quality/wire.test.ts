import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeData, decodePageControl, decodeServerControl, encodeData, MAX_DATA_BYTES, QualityWireError, type DataMessage } from './wire';

function rejection(run: () => unknown): QualityWireError {
  try {
    run();
  } catch (error) {
    if (error instanceof QualityWireError) return error;
    throw error;
  }
  throw new Error('expected a QualityWireError, nothing was thrown');
}

describe('data messages', () => {
  it.each<[string, DataMessage, string]>([
    ['a round-trip ping', { kind: 'T', seq: 0, t: 12.5 }, 'T 0 12.5'],
    ['its reply', { kind: 'R', seq: 7, t: 1234.567 }, 'R 7 1234.567'],
    ['a stream packet towards the server', { kind: 'P', seq: 199, t: 5 }, 'P 199 5'],
    ['a stream packet from the server', { kind: 'S', seq: 3, t: 0.001 }, 'S 3 0.001'],
  ])('encodes and decodes %s', (_name, message, text) => {
    expect(encodeData(message)).toBe(text);
    expect(decodeData(text)).toEqual(message);
  });

  it('pads throughput packets to exactly the requested size and decodes them back', () => {
    for (const kind of ['U', 'D'] as const) {
      const text = encodeData({ kind, seq: 41, t: 99.25 }, 1100);
      expect(text).toHaveLength(1100);
      expect(decodeData(text)).toEqual({ kind, seq: 41, t: 99.25 });
    }
  });

  it.each([
    ['an unknown kind', 'X 1 2', 'data/kind', 'unknown-message'],
    ['a missing field', 'P 1', 'data/P', 'bad-field'],
    ['an extra field', 'T 1 2 3', 'data/T', 'bad-field'],
    ['a negative sequence number', 'P -1 2', 'data/P/seq', 'bad-field'],
    ['a time that is not a number', 'S 1 soon', 'data/S/t', 'bad-field'],
    ['padding that is not padding', 'U 1 2 <script>', 'data/U/pad', 'bad-field'],
    ['a message over one SCTP chunk', `U 1 2 ${'x'.repeat(MAX_DATA_BYTES)}`, 'data', 'too-large'],
  ])('rejects %s, saying where', (_name, text, where, code) => {
    const error = rejection(() => decodeData(text));
    expect(error.where).toBe(where);
    expect(error.code).toBe(code);
  });

  it('raises only QualityWireError for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (text) => {
        try {
          decodeData(text);
        } catch (error) {
          if (!(error instanceof QualityWireError)) throw error;
        }
      }),
    );
  });
});

describe('control messages', () => {
  it('decodes the page\'s requests', () => {
    expect(decodePageControl('{"type":"hello","version":1}')).toEqual({ type: 'hello', version: 1 });
    expect(decodePageControl('{"type":"stream","count":200,"intervalMs":2.5}')).toEqual({ type: 'stream', count: 200, intervalMs: 2.5 });
    expect(decodePageControl('{"type":"bulk","rateKbps":8000,"windowMs":400,"packetBytes":1100}')).toEqual({ type: 'bulk', rateKbps: 8000, windowMs: 400, packetBytes: 1100 });
    expect(decodePageControl('{"type":"report"}')).toEqual({ type: 'report' });
  });

  it.each([
    ['not JSON', 'hello', 'control', 'unknown-message'],
    ['an array', '[1]', 'control', 'unknown-message'],
    ['an unknown request', '{"type":"flood"}', 'control/type', 'unknown-message'],
    ['an unexpected field', '{"type":"report","bytes":1}', 'control/report', 'bad-field'],
    ['a fractional count', '{"type":"stream","count":1.5,"intervalMs":2}', 'control/stream/count', 'bad-field'],
    ['a packet size over one chunk', '{"type":"bulk","rateKbps":1,"windowMs":1,"packetBytes":5000}', 'control/bulk/packetBytes', 'bad-field'],
  ])('rejects %s from the page', (_name, text, where, code) => {
    const error = rejection(() => decodePageControl(text));
    expect(error.where).toBe(where);
    expect(error.code).toBe(code);
  });

  it('rejects a report without the expected shape from the server', () => {
    expect(rejection(() => decodeServerControl('{"type":"report","report":{"upStream":{}}}')).where).toBe('control/report/report');
    expect(decodeServerControl('{"type":"refused","request":"bulk","code":"busy","message":"4 bursts"}')).toEqual({ type: 'refused', request: 'bulk', code: 'busy', message: '4 bursts' });
  });
});
