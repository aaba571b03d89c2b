/**
 * The MTU ladder's sizes and how a TURN username names one of them. Shared by the server (which pads to the size)
 * and the probe (which reads which sizes arrived), so the two cannot disagree.
 */

/**
 * Default IP datagram sizes of the ladder, bytes, each sent with Don't-Fragment set:
 * 576 (RFC 791's minimum every IPv4 host accepts), 1200 (WebRTC's usual RTP/SCTP payload bound), 1280 (IPv6's
 * minimum link MTU, RFC 8200 §5, and a common VPN setting), 1348 and 1448 (≈ 1350/1450, typical IPsec/WireGuard
 * tunnel MTUs, rounded down to the multiple of 4 a STUN datagram must be), 1400, 1480 (IP-in-IP, 6in4), and 1500
 * (Ethernet, RFC 894).
 */
export const DEFAULT_MTU_SIZES: readonly number[] = [576, 1200, 1280, 1348, 1400, 1448, 1480, 1500];

/**
 * Default sizes above any Ethernet path MTU, sent WITHOUT Don't-Fragment: they arrive only as IP fragments. 2000
 * keeps the STUN message (1972 bytes over IPv4) under the 2048 bytes Firefox accepts for STUN.
 */
export const DEFAULT_FRAGMENT_SIZES: readonly number[] = [1600, 2000];

/** Largest STUN message Firefox accepts, bytes (shared/DESIGN.md): fragment rungs must stay below it. */
export const FIREFOX_MAX_STUN_BYTES = 2048;

const TAG_PREFIX = 'mtu';

/**
 * The tag of the TURN REST username (`<expiry>:<session>:<tag>`, lib/protocol/turn/rest-auth.ts) that asks the
 * TURN server to pad its Allocate success response to `sizeBytes`.
 */
export function mtuTurnTag(sizeBytes: number): string {
  return `${TAG_PREFIX}${sizeBytes}`;
}

/** The size a username tag asks for (`mtu1280` → 1280), or null when the tag is not an MTU tag. */
export function sizeOfMtuTurnTag(tag: string): number | null {
  const match = /^mtu([1-9]\d{2,4})$/.exec(tag);
  return match ? Number(match[1]) : null;
}
