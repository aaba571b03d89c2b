/**
 * STUN messages padded to an exact IP datagram size — the MTU ladder's probe packets (shared/DESIGN.md "MTU").
 *
 * A comprehension-optional attribute (RFC 8489 §15: types 0x8000–0xFFFF may be ignored by an agent that does not
 * know them) is filled with zeros until the whole IP datagram — IP header, UDP header and STUN message — is exactly
 * the size asked for. Chromium keeps such a response (a type in 0x4000–0x7FFF, comprehension-required, makes it
 * discard the whole response), so a server-reflexive or relay candidate appears iff the datagram fitted the path.
 *
 * A STUN message is a whole number of 4-byte words (RFC 8489 §5: "the last 2 bits of this field are always zero"),
 * and so is every IP and UDP header here, so only sizes that are multiples of 4 can be built exactly: 1350 and
 * 1450 are not (the default ladder uses 1348 and 1448; lib/protocol/mtu/ladder.ts).
 */
import { rawAttribute, encodeMessage, type EncodeOptions, type StunMessageInit } from '../stun/message';
import { STUN_HEADER_BYTES } from '../stun/constants';

/**
 * netready's padding attribute. In the Expert Review, comprehension-optional range 0xC000–0xFFFF and unassigned in
 * the IANA "STUN Attributes" registry (last updated 2023-12-18); any agent that does not know it ignores it.
 */
export const ATTR_NETREADY_PADDING = 0xfadd;

/** IP family of a ladder rung. */
export type MtuFamily = 'ipv4' | 'ipv6';

/** RFC 791 IPv4 header without options (20) + RFC 768 UDP header (8). */
export const IPV4_UDP_OVERHEAD_BYTES = 28;
/** RFC 8200 IPv6 fixed header (40) + RFC 768 UDP header (8). */
export const IPV6_UDP_OVERHEAD_BYTES = 48;
/** Largest UDP payload (65535 − 8 − 20) and so the largest STUN message that fits one IPv4 datagram. */
export const MAX_UDP_PAYLOAD_BYTES = 65507;
/** A padding attribute's own header: type and length, 2 bytes each (RFC 8489 §14). */
const ATTRIBUTE_HEADER_BYTES = 4;

/** Why a padded message cannot be built. */
export type MtuErrorCode =
  /** The size is not a multiple of 4 bytes, which a STUN message over IP/UDP always is. */
  | 'not-word-aligned'
  /** The message without padding (plus the padding attribute's header) is already larger than the size. */
  | 'too-small'
  /** The size is beyond what one UDP datagram or one STUN message can carry. */
  | 'too-large';

/** A size the padding cannot reach exactly. */
export class MtuError extends Error {
  /** Machine-readable reason. */
  readonly code: MtuErrorCode;

  /** Creates the error; `message` says which size and why. */
  constructor(code: MtuErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MtuError';
    this.code = code;
  }
}

/** IP + UDP header bytes of a datagram of `family`. */
export function ipUdpOverheadBytes(family: MtuFamily): number {
  return family === 'ipv6' ? IPV6_UDP_OVERHEAD_BYTES : IPV4_UDP_OVERHEAD_BYTES;
}

/**
 * The UDP payload (STUN message) size that makes an IP datagram of exactly `ipDatagramBytes`. Throws MtuError when
 * the size is not word-aligned, leaves no room for a STUN header, or exceeds one UDP datagram.
 */
export function udpPayloadBytesFor(ipDatagramBytes: number, family: MtuFamily): number {
  if (!Number.isInteger(ipDatagramBytes) || ipDatagramBytes % 4 !== 0) {
    throw new MtuError('not-word-aligned', `${ipDatagramBytes} bytes is not a multiple of 4: a STUN message over IP/UDP always is (RFC 8489 §5)`);
  }
  const payload = ipDatagramBytes - ipUdpOverheadBytes(family);
  if (payload < STUN_HEADER_BYTES) throw new MtuError('too-small', `an ${family} datagram of ${ipDatagramBytes} bytes leaves no room for a STUN header`);
  if (payload > MAX_UDP_PAYLOAD_BYTES) throw new MtuError('too-large', `${ipDatagramBytes} bytes exceeds one UDP datagram`);
  return payload;
}

/**
 * Encodes `init` with the padding attribute appended after its attributes (before MESSAGE-INTEGRITY and
 * FINGERPRINT, so integrity covers it) so that the whole IP datagram is exactly `ipDatagramBytes`. Throws MtuError
 * when that size cannot be reached (see {@link udpPayloadBytesFor}, or the message is already too large).
 */
export function encodePaddedMessage(init: StunMessageInit, options: EncodeOptions, ipDatagramBytes: number, family: MtuFamily): Uint8Array {
  const target = udpPayloadBytesFor(ipDatagramBytes, family);
  const unpadded = encodeMessage(init, options).length;
  const valueBytes = target - unpadded - ATTRIBUTE_HEADER_BYTES;
  if (valueBytes < 0) {
    throw new MtuError('too-small', `the message is ${unpadded} bytes before padding; an ${family} datagram of ${ipDatagramBytes} bytes holds only ${target}`);
  }
  if (valueBytes > 0xffff) throw new MtuError('too-large', `${valueBytes} bytes of padding exceed one STUN attribute`);
  const padded = encodeMessage({ ...init, attributes: [...init.attributes, rawAttribute(ATTR_NETREADY_PADDING, new Uint8Array(valueBytes))] }, options);
  // Both lengths are word-aligned, so the padding value is too and the message lands exactly on the target.
  if (padded.length !== target) throw new MtuError('too-small', `padding produced ${padded.length} bytes instead of ${target}`);
  return padded;
}
