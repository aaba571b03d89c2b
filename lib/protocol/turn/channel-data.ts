/** ChannelData messages (RFC 8656 §12.4–§12.6). */
import { DecodeError } from '../stun/errors';
import { CHANNEL_DATA_HEADER_BYTES, CHANNEL_NUMBER_MAX_RFC5766, CHANNEL_NUMBER_MIN } from './constants';

/** A decoded ChannelData message. */
export interface ChannelData {
  /** Channel number, 0x4000–0x7FFF. */
  channel: number;
  /** Application data (a view into the input). */
  data: Uint8Array;
}

/** RFC 7983 / RFC 8656 §12: the first byte of a ChannelData message is 0x40–0x7F (0x50+ is reserved). */
export function looksLikeChannelData(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return bytes.length >= CHANNEL_DATA_HEADER_BYTES && first !== undefined && first >= 0x40 && first <= 0x7f;
}

/**
 * True when `channel` is bindable: 0x4000–0x7FFF. RFC 8656 §12 narrowed this to 0x4000–0x4FFF, but Chrome and
 * coturn's clients still use RFC 5766's range (see CHANNEL_NUMBER_MAX_RFC5766), so netready accepts it.
 */
export function isValidChannelNumber(channel: number): boolean {
  return Number.isInteger(channel) && channel >= CHANNEL_NUMBER_MIN && channel <= CHANNEL_NUMBER_MAX_RFC5766;
}

/**
 * Decodes one ChannelData message. Bytes beyond the claimed length are padding (RFC 8656 §12.5: padding MAY be
 * present over UDP and is present over TCP) and are ignored; fewer bytes than claimed is an error (§12.6).
 */
export function decodeChannelData(bytes: Uint8Array): ChannelData {
  if (bytes.length < CHANNEL_DATA_HEADER_BYTES) {
    throw new DecodeError('truncated', 'channel-data/header', `needs 4 bytes, got ${bytes.length}`);
  }
  const channel = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  const length = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  if (!isValidChannelNumber(channel)) {
    // Below 0x4000 is not ChannelData at all; 0x8000+ is reserved (RFC 8656 §12.6 "silently discarded").
    throw new DecodeError('bad-value', 'channel-data/channel-number', `0x${channel.toString(16)} is outside 0x4000–0x7FFF`);
  }
  if (CHANNEL_DATA_HEADER_BYTES + length > bytes.length) {
    throw new DecodeError('truncated', 'channel-data/length', `claims ${length} bytes, ${bytes.length - 4} present`);
  }
  if (bytes.length - CHANNEL_DATA_HEADER_BYTES - length > 3) {
    throw new DecodeError('bad-length', 'channel-data/padding', `${bytes.length - 4 - length} trailing bytes exceed padding`);
  }
  return { channel, data: bytes.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + length) };
}

/**
 * Encodes a ChannelData message. `pad` rounds the size up to a multiple of 4 — required over TCP and
 * TLS-over-TCP (RFC 8656 §12.5), optional over UDP. Throws RangeError for a bad channel or oversize data.
 */
export function encodeChannelData(channel: number, data: Uint8Array, options: { pad: boolean }): Uint8Array {
  if (!isValidChannelNumber(channel)) throw new RangeError(`channel 0x${channel.toString(16)} is outside 0x4000–0x7FFF`);
  if (data.length > 0xffff) throw new RangeError(`ChannelData payload of ${data.length} bytes exceeds 65535`);
  const size = CHANNEL_DATA_HEADER_BYTES + data.length;
  const out = new Uint8Array(options.pad ? (size + 3) & ~3 : size);
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = data.length >> 8;
  out[3] = data.length & 0xff;
  out.set(data, CHANNEL_DATA_HEADER_BYTES);
  return out;
}

/**
 * Writes the 4-byte ChannelData header (RFC 8656 §12.4: channel number, then the length of the application data)
 * into `out` at offset 0 — for senders that send the header and the data as two pieces of one datagram
 * (the relay hot path) instead of copying the data behind it. Throws RangeError for a bad channel or length.
 */
export function writeChannelDataHeader(out: Uint8Array, channel: number, length: number): void {
  if (!isValidChannelNumber(channel)) throw new RangeError(`channel 0x${channel.toString(16)} is outside 0x4000–0x7FFF`);
  if (!(length >= 0 && length <= 0xffff)) throw new RangeError(`ChannelData payload of ${length} bytes exceeds 65535`);
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = length >> 8;
  out[3] = length & 0xff;
}
