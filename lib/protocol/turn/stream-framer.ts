/**
 * Splits a TCP/TLS byte stream into STUN messages and ChannelData frames (RFC 8656 §12.5, RFC 8489 §6.2.2).
 * Sans-IO: the adapter pushes chunks and gets whole frames back. Anything that is neither STUN (first two bits
 * 00) nor ChannelData (first byte 0x40–0x7F) is garbage the stream cannot resynchronise from, so `push` throws
 * DecodeError and the adapter closes the connection.
 */
import { copyBytes } from '../stun/bytes';
import { STUN_HEADER_BYTES } from '../stun/constants';
import { DecodeError } from '../stun/errors';

/** One frame cut from the stream. */
export interface StreamFrame {
  /** What the first byte said it is. */
  kind: 'stun' | 'channel-data';
  /** The frame bytes (for ChannelData including its padding). */
  bytes: Uint8Array;
}

/** Largest frame possible on the wire: a STUN header plus a 65532-byte body (length is a multiple of 4). */
export const MAX_STREAM_FRAME_BYTES = STUN_HEADER_BYTES + 0xfffc;

/** Stateful splitter for one connection. Buffered bytes never exceed one frame (at most `maxFrameBytes`). */
export class StreamFramer {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly maxFrameBytes: number;

  /** `maxFrameBytes` bounds a single frame (default and ceiling {@link MAX_STREAM_FRAME_BYTES}). */
  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = Math.min(options.maxFrameBytes ?? MAX_STREAM_FRAME_BYTES, MAX_STREAM_FRAME_BYTES);
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Adds a chunk and returns every frame now complete; throws DecodeError on garbage or an oversize frame. */
  push(chunk: Uint8Array): StreamFrame[] {
    let data: Uint8Array;
    if (this.buffer.length === 0) {
      data = chunk;
    } else {
      data = new Uint8Array(this.buffer.length + chunk.length);
      data.set(this.buffer, 0);
      data.set(chunk, this.buffer.length);
    }
    const frames: StreamFrame[] = [];
    let offset = 0;
    while (data.length - offset >= 4) {
      const first = data[offset] ?? 0;
      const length = ((data[offset + 2] ?? 0) << 8) | (data[offset + 3] ?? 0);
      let size: number;
      let kind: StreamFrame['kind'];
      if ((first & 0xc0) === 0x00) {
        kind = 'stun';
        if (length % 4 !== 0) throw new DecodeError('bad-header', 'stream/stun/length', `length ${length} is not a multiple of 4`);
        size = STUN_HEADER_BYTES + length;
      } else if (first >= 0x40 && first <= 0x7f) {
        kind = 'channel-data';
        size = (4 + length + 3) & ~3;
      } else {
        throw new DecodeError('bad-header', 'stream/first-byte', `0x${first.toString(16)} starts neither STUN nor ChannelData`);
      }
      if (size > this.maxFrameBytes) {
        throw new DecodeError('bad-length', `stream/${kind}/length`, `frame of ${size} bytes exceeds ${this.maxFrameBytes}`);
      }
      if (data.length - offset < size) break;
      frames.push({ kind, bytes: data.subarray(offset, offset + size) });
      offset += size;
    }
    this.buffer = offset === data.length ? new Uint8Array(0) : copyBytes(data, offset);
    return frames;
  }
}
