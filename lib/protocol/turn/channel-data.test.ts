import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../stun/errors';
import { decodeChannelData, encodeChannelData, looksLikeChannelData, writeChannelDataHeader } from './channel-data';
import { StreamFramer } from './stream-framer';
import { encodeMessage } from '../stun/message';

describe('ChannelData', () => {
  it.each([
    { length: 0, pad: true, size: 4 },
    { length: 1, pad: true, size: 8 },
    { length: 4, pad: true, size: 8 },
    { length: 5, pad: false, size: 9 },
  ])('encodes $length data bytes to $size bytes (pad=$pad)', ({ length, pad, size }) => {
    const bytes = encodeChannelData(0x4001, new Uint8Array(length).fill(7), { pad });
    expect(bytes.length).toBe(size);
    expect(looksLikeChannelData(bytes)).toBe(true);
    expect(decodeChannelData(bytes)).toEqual({ channel: 0x4001, data: new Uint8Array(length).fill(7) });
  });

  it.each([
    { name: 'a reserved channel number', bytes: [0x80, 0x00, 0, 0], where: 'channel-data/channel-number' },
    { name: 'a channel number below 0x4000', bytes: [0x3f, 0xff, 0, 0], where: 'channel-data/channel-number' },
    { name: 'a datagram shorter than its length', bytes: [0x40, 0x00, 0, 8, 1, 2], where: 'channel-data/length' },
    { name: 'more trailing bytes than padding', bytes: [0x40, 0x00, 0, 0, 1, 2, 3, 4], where: 'channel-data/padding' },
    { name: 'a short header', bytes: [0x40], where: 'channel-data/header' },
  ])('rejects $name', ({ bytes, where }) => {
    expect(() => decodeChannelData(Uint8Array.from(bytes))).toThrow(expect.objectContaining({ where }));
  });

  it('round-trips arbitrary payloads on every valid channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x4000, max: 0x7fff }), fc.uint8Array({ maxLength: 600 }), fc.boolean(), (channel, data, pad) => {
        expect(decodeChannelData(encodeChannelData(channel, data, { pad }))).toEqual({ channel, data });
      }),
    );
  });

  it('arbitrary bytes only ever raise DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          decodeChannelData(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('StreamFramer', () => {
  const stun = encodeMessage({ cls: 'request', method: 1, transactionId: new Uint8Array(12), attributes: [] }, { fingerprint: true });
  const channel = encodeChannelData(0x4000, Uint8Array.of(1, 2, 3), { pad: true });

  it('cuts STUN and padded ChannelData frames out of one chunk', () => {
    const frames = new StreamFramer().push(Uint8Array.from([...stun, ...channel, ...stun]));
    expect(frames.map((f) => f.kind)).toEqual(['stun', 'channel-data', 'stun']);
    expect(frames[1]?.bytes).toEqual(channel);
  });

  it('reassembles frames split at every byte boundary', () => {
    const all = Uint8Array.from([...stun, ...channel]);
    for (let cut = 1; cut < all.length; cut++) {
      const framer = new StreamFramer();
      const frames = [...framer.push(all.subarray(0, cut)), ...framer.push(all.subarray(cut))];
      expect(frames.map((f) => f.bytes)).toEqual([stun, channel]);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('throws DecodeError on a first byte that is neither STUN nor ChannelData', () => {
    expect(() => new StreamFramer().push(Uint8Array.of(0x80, 3, 1, 0, 0))).toThrow(DecodeError);
  });

  it('throws DecodeError on a frame larger than the configured bound', () => {
    expect(() => new StreamFramer({ maxFrameBytes: 64 }).push(Uint8Array.of(0x40, 0, 0x01, 0))).toThrow(DecodeError);
  });

  it('never holds more than one partial frame', () => {
    const framer = new StreamFramer();
    framer.push(Uint8Array.from([...stun, ...channel.subarray(0, 5)]));
    expect(framer.bufferedBytes).toBe(5);
  });

  it('arbitrary byte streams only ever raise DecodeError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 6 }), (chunks) => {
        const framer = new StreamFramer();
        try {
          for (const chunk of chunks) framer.push(chunk);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('writeChannelDataHeader', () => {
  it('writes the same four bytes encodeChannelData puts before the data over UDP', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x4000, max: 0x7fff }), fc.integer({ min: 0, max: 0xffff }), (channel, length) => {
        const header = new Uint8Array(4).fill(0xee);
        writeChannelDataHeader(header, channel, length);
        expect(header).toEqual(encodeChannelData(channel, new Uint8Array(length), { pad: false }).subarray(0, 4));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['a channel below 0x4000', 0x3fff, 1],
    ['a reserved channel (0x8000)', 0x8000, 1],
    ['a length above 65535', 0x4000, 0x10000],
    ['a negative length', 0x4000, -1],
  ])('rejects %s with a RangeError and leaves the buffer alone', (_name, channel, length) => {
    const header = new Uint8Array(4).fill(0xee);
    expect(() => writeChannelDataHeader(header, channel, length)).toThrow(RangeError);
    expect(header).toEqual(new Uint8Array(4).fill(0xee));
  });
});
