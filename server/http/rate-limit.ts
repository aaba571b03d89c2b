/**
 * A per-key fixed-window rate limiter (e.g. sessions per client IP per minute), bounded in memory.
 */

/** Options of RateLimiter. */
export interface RateLimiterOptions {
  /** Most events per key per window. */
  limit: number;
  /** Window length in ms. */
  windowMs: number;
  /** Most keys tracked; the oldest window is forgotten past it. Default 100000. */
  maxKeys?: number;
  /** Clock (ms). Default Date.now. */
  now?: () => number;
}

/** Counts events per key and says whether one more is allowed. */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();
  private readonly options: Required<RateLimiterOptions>;

  constructor(options: RateLimiterOptions) {
    this.options = { maxKeys: 100_000, now: Date.now, ...options };
  }

  /** Records an event for `key`; false (nothing recorded) when the key is over its limit. */
  take(key: string): boolean {
    const now = this.options.now();
    let window = this.windows.get(key);
    if (!window || now - window.startMs >= this.options.windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.options.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = { startMs: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.options.limit) return false;
    window.count++;
    return true;
  }
}
