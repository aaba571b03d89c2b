/**
 * Two corrections to werift 0.24's SCTP association, applied per peer, that the media-quality measurement needs.
 *
 * 1. **`maxRetransmits: 0` is honoured.** RFC 8831 §6.1 (and RFC 3758 PR-SCTP): a message of a channel with
 *    `maxRetransmits: n` is transmitted at most n + 1 times, then abandoned and skipped with FORWARD-TSN. werift's
 *    `SCTP.maybeAbandon` tests `!!chunk.maxRetransmits && chunk.maxRetransmits < chunk.sentCount`; `!!0` is false, so
 *    a `maxRetransmits: 0` channel is retransmitted like a reliable one, and every downstream packet the network lost
 *    arrived late instead of not at all — the echo path hid the downstream half of the loss (the lab's
 *    `lossy-latent` row measured ≈ 1–2.5 % round trip at 2 % each way). It also marks `sentQueue[0]` instead of the
 *    chunk it was asked about (`findIndex(v => v.type === chunk.type)`: every DATA chunk has the same type). The
 *    replacement below keeps werift's contract (returns whether the chunk is abandoned, marks the whole message's
 *    fragments) with both mistakes fixed; werift's own callers (T3 expiry, the third miss indication in a SACK) and
 *    `updateAdvancedPeerAckPoint` then send the FORWARD-TSN as designed.
 * 2. **A congestion-window floor while a requested stream or burst is sent.** werift starts every association at
 *    3,600 bytes of congestion window and halves it on each loss, so a 200 ms, 2 %-loss path could never carry a
 *    paced 8 Mbit/s burst (≈ 200 KB in flight) and the burst would measure werift's window, not the path. While a
 *    floor is held, the window never drops below it; the burst itself is paced and bounded (QualityLimits), like a
 *    UDP throughput test, and the floor is released as soon as it ends.
 *
 * 3. **A 1 s initial retransmission timeout.** werift starts at RFC 9260's suggested RTO.Initial of 3 s and keeps it
 *    until its first round-trip sample; a control answer lost in the first round trips (the `hello` of the quality
 *    measurement, seen in the lab's `lossy-latent` row, where the router drops exactly every 50th packet) then arrives
 *    3 s late and the measurement runs out of time. RTO.Initial is a protocol parameter (RFC 9260 §16); 1 s is its
 *    RTO.Min, what werift itself falls back to once it has measured a round trip on any path under 250 ms.
 *
 * All three touch werift internals; `applies()` checks the shapes they rely on so a werift upgrade that changes them is
 * reported (MediaPeerServer logs it) instead of silently measuring the wrong thing.
 */
import type { RTCPeerConnection } from 'werift';

/** The parts of werift's internal SCTP association this module touches. */
interface WeriftAssociation {
  sentQueue: WeriftDataChunk[];
  cwnd: number;
  /** Retransmission timeout, seconds. */
  rto?: number;
  /** Smoothed round trip, seconds; unset until the first sample. */
  srtt?: number;
  maybeAbandon(chunk: WeriftDataChunk): boolean;
}

interface WeriftDataChunk {
  abandoned?: boolean;
  retransmit?: boolean;
  maxRetransmits?: number;
  expiry?: number;
  sentCount: number;
  flags: number;
}

/** RFC 9260 §3.3.1: the B (first fragment) and E (last fragment) bits of a DATA chunk's flags. */
const DATA_FIRST_FRAG = 0x02;
const DATA_LAST_FRAG = 0x01;

const patched = new WeakSet<object>();

function associationOf(pc: RTCPeerConnection): WeriftAssociation | undefined {
  const sctp = (pc.sctpTransport as unknown as { sctp?: unknown } | undefined)?.sctp as Partial<WeriftAssociation> | undefined;
  if (!sctp || !Array.isArray(sctp.sentQueue) || typeof sctp.cwnd !== 'number' || typeof sctp.maybeAbandon !== 'function') return undefined;
  return sctp as WeriftAssociation;
}

/** Whether this peer's werift association has the shape the corrections rely on (false before SCTP exists). */
export function applies(pc: RTCPeerConnection): boolean {
  return associationOf(pc) !== undefined;
}

/**
 * Whether `chunk` must be abandoned rather than retransmitted: RFC 8831 §6.1 `maxRetransmits` (sent more than
 * n + 1 times would be needed), or werift's own expiry (seconds since the epoch) for `maxPacketLifeTime`.
 */
export function shouldAbandon(chunk: Pick<WeriftDataChunk, 'maxRetransmits' | 'expiry' | 'sentCount'>, nowSeconds: number): boolean {
  if (typeof chunk.maxRetransmits === 'number' && chunk.sentCount > chunk.maxRetransmits) return true;
  return typeof chunk.expiry === 'number' && chunk.expiry < nowSeconds;
}

/**
 * Replaces the association's `maybeAbandon` with the corrected one (idempotent). Returns false when werift's shape
 * is not the expected one (nothing changed).
 */
export function honourPartialReliability(pc: RTCPeerConnection): boolean {
  const association = associationOf(pc);
  if (!association) return false;
  if (patched.has(association)) return true;
  patched.add(association);
  association.maybeAbandon = (chunk: WeriftDataChunk): boolean => {
    if (chunk.abandoned) return true;
    if (!shouldAbandon(chunk, Date.now() / 1000)) return false;
    const queue = association.sentQueue;
    const at = queue.indexOf(chunk);
    if (at < 0) {
      chunk.abandoned = true;
      chunk.retransmit = false;
      return true;
    }
    // A message is abandoned whole: every fragment from its first (B bit) to its last (E bit).
    let first = at;
    while (first > 0 && !(queue[first]!.flags & DATA_FIRST_FRAG)) first--;
    for (let i = first; i < queue.length; i++) {
      queue[i]!.abandoned = true;
      queue[i]!.retransmit = false;
      if (queue[i]!.flags & DATA_LAST_FRAG) break;
    }
    return true;
  };
  return true;
}

/**
 * Holds the association's congestion window at `floorBytes` or above until the returned release function is called
 * (werift's own window keeps evolving underneath and takes over again). Returns undefined when werift's shape is
 * not the expected one.
 */
export function holdCongestionWindow(pc: RTCPeerConnection, floorBytes: number): (() => void) | undefined {
  const association = associationOf(pc);
  if (!association) return undefined;
  let own = association.cwnd;
  Object.defineProperty(association, 'cwnd', {
    configurable: true,
    enumerable: true,
    get: () => Math.max(own, floorBytes),
    set: (value: number) => {
      own = value;
    },
  });
  return () => {
    Object.defineProperty(association, 'cwnd', { configurable: true, enumerable: true, writable: true, value: own });
  };
}

/** The initial retransmission timeout the media peer's associations start with, seconds (RFC 9260 RTO.Min). */
export const INITIAL_RTO_SECONDS = 1;

/**
 * Lowers the association's retransmission timeout to INITIAL_RTO_SECONDS while werift has not measured a round trip
 * yet (its own estimate takes over with the first sample). Call it before the association sends its first DATA (the
 * data-channel event comes before werift's DCEP acknowledgement). False when werift's shape is not the expected one.
 */
export function shortenInitialRto(pc: RTCPeerConnection): boolean {
  const association = associationOf(pc);
  if (!association || typeof association.rto !== 'number') return false;
  if (!association.srtt && association.rto > INITIAL_RTO_SECONDS) association.rto = INITIAL_RTO_SECONDS;
  return true;
}
