/**
 * Per-source token bucket for the DNS server. A resolver's queries all come from its own address, so the
 * limit is per source IP; beyond it the server drops UDP (answering would turn it into a reflector for
 * spoofed sources) and refuses over TCP. The clock is passed in; the table is bounded.
 */

/** Limits of a SourceRateLimiter. */
export interface SourceRateLimitOptions {
  /** Sustained queries per second per source. */
  queriesPerSecond: number;
  /** Bucket size: queries a source may send in a burst. */
  burst: number;
  /** Sources tracked at once; the least recently refilled is forgotten past it. Default 10000. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Token buckets keyed by source IP. */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxSources: number;

  constructor(options: SourceRateLimitOptions) {
    this.rate = options.queriesPerSecond;
    this.burst = options.burst;
    this.maxSources = options.maxSources ?? 10000;
  }

  /** Takes one token for `source` at `nowMs`; false when the source is over its limit. */
  take(source: string, nowMs: number): boolean {
    let bucket = this.buckets.get(source);
    if (bucket) {
      this.buckets.delete(source);
      bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, nowMs - bucket.updatedMs) * this.rate) / 1000);
      bucket.updatedMs = nowMs;
    } else {
      while (this.buckets.size >= this.maxSources) {
        const oldest = this.buckets.keys().next().value;
        if (oldest === undefined) break;
        this.buckets.delete(oldest);
      }
      bucket = { tokens: this.burst, updatedMs: nowMs };
    }
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.buckets.set(source, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
