/**
 * Small statistics both ends of the media-quality protocol compute: RFC 3550 interarrival jitter, percentiles,
 * sequence-number bookkeeping and queueing delay from one-way delays measured against an unsynchronised clock.
 */

/**
 * RFC 3550 §6.4.1 interarrival jitter, in ms, fed packet by packet in arrival order:
 * D(i,j) = (Rj − Ri) − (Sj − Si) and J = J + (|D(i−1,i)| − J) / 16. The two clocks need not agree: only
 * differences of each are used. `value` is null until two packets arrived.
 */
export class InterarrivalJitter {
  #last?: { sentMs: number; arrivedMs: number };
  #jitter = 0;
  #count = 0;

  /** Feeds one packet: the sender's send time and this side's arrival time, ms. */
  add(sentMs: number, arrivedMs: number): void {
    if (this.#last) {
      const d = arrivedMs - this.#last.arrivedMs - (sentMs - this.#last.sentMs);
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#last = { sentMs, arrivedMs };
    this.#count++;
  }

  /** The jitter estimate in ms (rounded to 0.1), or null below two packets. */
  get value(): number | null {
    return this.#count < 2 ? null : Math.round(this.#jitter * 10) / 10;
  }
}

/** The p-quantile (0–1) of an ascending array by the nearest-rank method; undefined for an empty one. */
export function quantile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
}

/** Rounds to 0.1. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Counts distinct sequence numbers received and tells which below the highest never came. */
export class SequenceTracker {
  readonly #seen = new Set<number>();
  #highest = -1;
  #duplicates = 0;
  readonly #capacity: number;

  /** `capacity`: most distinct numbers tracked (the rest are ignored, bounding memory). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records one arrival; returns false for a duplicate or when over capacity. */
  add(seq: number): boolean {
    if (this.#seen.has(seq)) {
      this.#duplicates++;
      return false;
    }
    if (this.#seen.size >= this.#capacity) return false;
    this.#seen.add(seq);
    if (seq > this.#highest) this.#highest = seq;
    return true;
  }

  /** Distinct numbers received. */
  get received(): number {
    return this.#seen.size;
  }

  /** Highest number received, -1 for none. */
  get highest(): number {
    return this.#highest;
  }

  /** Duplicates received (a retransmitting transport would show here). */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Numbers in [0, upTo) never received, ascending, at most `limit`. */
  missing(upTo: number, limit: number): number[] {
    const out: number[] = [];
    for (let seq = 0; seq < upTo && out.length < limit; seq++) if (!this.#seen.has(seq)) out.push(seq);
    return out;
  }

  /** Whether `seq` arrived. */
  has(seq: number): boolean {
    return this.#seen.has(seq);
  }
}

/**
 * Queueing delay of a burst: its packets' one-way delays (arrival minus send time, on two unsynchronised clocks)
 * minus the smallest one-way delay of the quiet stream before it. The clock offset cancels; what remains is how
 * much longer packets waited in queues during the burst. Null without both sets.
 */
export function queueDelay(baselineOwdMs: readonly number[], burstOwdMs: readonly number[]): { medianMs: number; p90Ms: number } | null {
  if (baselineOwdMs.length === 0 || burstOwdMs.length === 0) return null;
  const base = Math.min(...baselineOwdMs);
  const sorted = burstOwdMs.map((x) => x - base).sort((a, b) => a - b);
  return { medianMs: round1(Math.max(0, quantile(sorted, 0.5)!)), p90Ms: round1(Math.max(0, quantile(sorted, 0.9)!)) };
}

/**
 * Packet dispersion of a burst (the packet-pair principle): the rate its packets arrived at when they arrived back to
 * back, kbit/s — average packet size over the median gap between consecutive arrivals. A link at capacity spaces
 * packets by its serialisation time, so the dispersion rate is about the rate that arrived; a sender held back by
 * its congestion window sends a window's worth at once and waits, so its packets arrive in clumps and the dispersion
 * rate is far above the rate that arrived. Null below 3 arrivals; a median gap of 0 counts as 0.01 ms.
 */
export function dispersionKbps(arrivalsMs: readonly number[], averagePacketBytes: number): number | null {
  if (arrivalsMs.length < 3) return null;
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!).sort((a, b) => a - b);
  const gap = Math.max(0.01, quantile(gaps, 0.5)!);
  return Math.round((averagePacketBytes * 8) / gap);
}
