/**
 * RFC 4571 framing of datagrams over a TCP stream, as ICE-TCP uses it (RFC 6544 §3: "STUN, DTLS … packets are
 * framed using RFC 4571"): every datagram is preceded by a 16-bit big-endian LENGTH, so 65,535 bytes at most.
 * Sans-IO: the adapter pushes the chunks TCP delivers and gets whole datagrams back; it writes
 * {@link frameRfc4571}'s output. pion/ice does the same in tcp_packet_conn.go (readStreamingPacket /
 * writeStreamingPacket).
 */
import { copyBytes } from '../stun/bytes';
import { DecodeError } from '../stun/errors';

/** RFC 4571 §2: the LENGTH field is 16 bits. */
export const RFC4571_HEADER_BYTES = 2;
/** The largest payload a 16-bit LENGTH can describe. */
export const MAX_RFC4571_PAYLOAD_BYTES = 0xffff;

/** Prefixes a datagram with its RFC 4571 LENGTH. Throws RangeError for a datagram longer than 65,535 bytes. */
export function frameRfc4571(datagram: Uint8Array): Uint8Array {
  if (datagram.length > MAX_RFC4571_PAYLOAD_BYTES) {
    throw new RangeError(`an RFC 4571 frame carries at most ${MAX_RFC4571_PAYLOAD_BYTES} bytes, got ${datagram.length}`);
  }
  const out = new Uint8Array(RFC4571_HEADER_BYTES + datagram.length);
  out[0] = datagram.length >> 8;
  out[1] = datagram.length & 0xff;
  out.set(datagram, RFC4571_HEADER_BYTES);
  return out;
}

/**
 * Stateful splitter for one connection. Holds at most one partial frame (≤ `maxFrameBytes` + 2 bytes), so a
 * client cannot make it buffer more. A LENGTH above `maxFrameBytes` throws DecodeError (the stream cannot be
 * resynchronised: the adapter closes the connection). Zero-length frames are legal RFC 4571 but carry no
 * datagram, so they are consumed and not returned.
 */
export class Rfc4571Framer {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #maxFrameBytes: number;

  /** `maxFrameBytes`: the largest payload accepted (default and ceiling 65,535). */
  constructor(options: { maxFrameBytes?: number } = {}) {
    this.#maxFrameBytes = Math.min(options.maxFrameBytes ?? MAX_RFC4571_PAYLOAD_BYTES, MAX_RFC4571_PAYLOAD_BYTES);
  }

  /** The LENGTH of the frame whose bytes are still arriving, or null when no LENGTH is buffered. */
  get pendingFrameBytes(): number | null {
    return this.#buffer.length >= RFC4571_HEADER_BYTES ? ((this.#buffer[0] ?? 0) << 8) | (this.#buffer[1] ?? 0) : null;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /** Adds a chunk; returns every datagram now complete, in order. Throws DecodeError on an oversize LENGTH. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data: Uint8Array;
    if (this.#buffer.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.#buffer.length + chunk.length);
      data.set(this.#buffer, 0);
      data.set(chunk, this.#buffer.length);
    }
    const datagrams: Uint8Array[] = [];
    let offset = 0;
    while (data.length - offset >= RFC4571_HEADER_BYTES) {
      const length = ((data[offset] ?? 0) << 8) | (data[offset + 1] ?? 0);
      if (length > this.#maxFrameBytes) {
        throw new DecodeError('bad-length', 'rfc4571/length', `frame of ${length} bytes exceeds ${this.#maxFrameBytes}`);
      }
      if (data.length - offset - RFC4571_HEADER_BYTES < length) break;
      // Copied: the caller may keep datagrams while the next chunk reuses the socket's buffer.
      if (length > 0) datagrams.push(copyBytes(data, offset + RFC4571_HEADER_BYTES, offset + RFC4571_HEADER_BYTES + length));
      offset += RFC4571_HEADER_BYTES + length;
    }
    this.#buffer = offset === data.length ? new Uint8Array(0) : copyBytes(data, offset);
    return datagrams;
  }
}
