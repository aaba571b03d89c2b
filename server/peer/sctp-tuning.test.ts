import { describe, expect, it } from 'vitest';
import type { RTCPeerConnection } from 'werift';
import { holdCongestionWindow, honourPartialReliability, INITIAL_RTO_SECONDS, shortenInitialRto, shouldAbandon } from './sctp-tuning';

/** RFC 9260 §3.3.1 B and E bits: a message in one chunk has both. */
const WHOLE = 0x03;
const FIRST = 0x02;
const MIDDLE = 0x00;
const LAST = 0x01;

interface Chunk {
  tsn: number;
  flags: number;
  sentCount: number;
  maxRetransmits?: number;
  expiry?: number;
  abandoned?: boolean;
  retransmit?: boolean;
}

/** A stand-in for werift's association with werift's own (mistaken) maybeAbandon, as in werift 0.24.4. */
function fakePeer(sentQueue: Chunk[]) {
  const sctp = {
    sentQueue,
    cwnd: 3600,
    maybeAbandon(chunk: Chunk): boolean {
      if (chunk.abandoned) return true;
      const abandon = (!!chunk.maxRetransmits && chunk.maxRetransmits < chunk.sentCount) || (!!chunk.expiry && chunk.expiry < Date.now() / 1000);
      if (!abandon) return false;
      sentQueue[0]!.abandoned = true;
      return true;
    },
  };
  return { pc: { sctpTransport: { sctp } } as unknown as RTCPeerConnection, sctp };
}

describe('shouldAbandon (RFC 8831 §6.1 maxRetransmits, werift expiry)', () => {
  it.each([
    ['a maxRetransmits-0 message sent once', { maxRetransmits: 0, sentCount: 1 }, true],
    ['a reliable message sent three times', { sentCount: 3 }, false],
    ['a maxRetransmits-2 message sent twice', { maxRetransmits: 2, sentCount: 2 }, false],
    ['a maxRetransmits-2 message sent three times', { maxRetransmits: 2, sentCount: 3 }, true],
    ['a message whose lifetime ended', { sentCount: 1, expiry: 999 }, true],
    ['a message still within its lifetime', { sentCount: 1, expiry: 1001 }, false],
  ])('%s: abandon %s', (_name, chunk, expected) => {
    expect(shouldAbandon(chunk, 1000)).toBe(expected);
  });
});

describe('honourPartialReliability', () => {
  it('abandons a lost maxRetransmits-0 message, which werift 0.24 would retransmit', () => {
    const lost: Chunk = { tsn: 2, flags: WHOLE, sentCount: 1, maxRetransmits: 0 };
    const { pc, sctp } = fakePeer([{ tsn: 1, flags: WHOLE, sentCount: 1, maxRetransmits: 0 }, lost]);
    // werift's own version: !!0 is false, so the chunk is to be retransmitted.
    expect(sctp.maybeAbandon(lost)).toBe(false);
    expect(honourPartialReliability(pc)).toBe(true);
    expect(sctp.maybeAbandon(lost)).toBe(true);
    expect(lost).toMatchObject({ abandoned: true, retransmit: false });
  });

  it('abandons the chunk it is asked about and the rest of its message, not whatever heads the queue', () => {
    const queue: Chunk[] = [
      { tsn: 1, flags: WHOLE, sentCount: 1 },
      { tsn: 2, flags: FIRST, sentCount: 1, maxRetransmits: 0 },
      { tsn: 3, flags: MIDDLE, sentCount: 1, maxRetransmits: 0 },
      { tsn: 4, flags: LAST, sentCount: 1, maxRetransmits: 0 },
      { tsn: 5, flags: WHOLE, sentCount: 1, maxRetransmits: 0 },
    ];
    const { pc, sctp } = fakePeer(queue);
    honourPartialReliability(pc);
    expect(sctp.maybeAbandon(queue[2]!)).toBe(true);
    expect(queue.map((c) => c.abandoned === true)).toEqual([false, true, true, true, false]);
  });

  it('leaves reliable messages to be retransmitted', () => {
    const reliable: Chunk = { tsn: 1, flags: WHOLE, sentCount: 4 };
    const { pc, sctp } = fakePeer([reliable]);
    honourPartialReliability(pc);
    expect(sctp.maybeAbandon(reliable)).toBe(false);
    expect(reliable.abandoned).toBeUndefined();
  });

  it('changes nothing and says so when the peer has no SCTP association of the expected shape', () => {
    expect(honourPartialReliability({ sctpTransport: undefined } as unknown as RTCPeerConnection)).toBe(false);
    expect(holdCongestionWindow({ sctpTransport: { sctp: { cwnd: 'x' } } } as unknown as RTCPeerConnection, 1000)).toBeUndefined();
  });
});

describe('holdCongestionWindow', () => {
  it('keeps the window at the floor while held, tracks werift\'s own value underneath, and restores it on release', () => {
    const { pc, sctp } = fakePeer([]);
    const release = holdCongestionWindow(pc, 200_000)!;
    expect(sctp.cwnd).toBe(200_000);
    sctp.cwnd = 1200; // werift halves it after a loss
    expect(sctp.cwnd).toBe(200_000);
    sctp.cwnd = 300_000;
    expect(sctp.cwnd).toBe(300_000);
    sctp.cwnd = 4800;
    release();
    expect(sctp.cwnd).toBe(4800);
    sctp.cwnd = 2400;
    expect(sctp.cwnd).toBe(2400);
  });
});

describe('shortenInitialRto', () => {
  it('starts an association without a round-trip sample at a 1 s retransmission timeout instead of werift\'s 3 s', () => {
    const { pc, sctp } = fakePeer([]);
    Object.assign(sctp, { rto: 3 });
    expect(shortenInitialRto(pc)).toBe(true);
    expect((sctp as unknown as { rto: number }).rto).toBe(INITIAL_RTO_SECONDS);
  });

  it('leaves a timeout werift already computed from a measured round trip alone', () => {
    const { pc, sctp } = fakePeer([]);
    Object.assign(sctp, { rto: 2.4, srtt: 0.6 });
    expect(shortenInitialRto(pc)).toBe(true);
    expect((sctp as unknown as { rto: number }).rto).toBe(2.4);
  });

  it('reports false and changes nothing when werift\'s association has another shape', () => {
    const { pc } = fakePeer([]);
    expect(shortenInitialRto(pc)).toBe(false);
    expect(shortenInitialRto({} as RTCPeerConnection)).toBe(false);
  });
});
