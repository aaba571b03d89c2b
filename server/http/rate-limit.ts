/**
 * A per-key fixed-window rate limiter (e.g. sessions per client IP per minute), bounded in memory, and the
 * session-creation limit built from two of them: per address and per /24 (IPv4) or /48 (IPv6).
 */
import { subnetKey } from '../net/address';

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

  /** Keeps the options; tracks nothing yet. */
  constructor(options: RateLimiterOptions) {
    this.options = { maxKeys: 100_000, now: Date.now, ...options };
  }

  /** Whether one more event for `key` would be allowed now; records nothing. */
  allows(key: string): boolean {
    const window = this.windows.get(key);
    if (!window || this.options.now() - window.startMs >= this.options.windowMs) return true;
    return window.count < this.options.limit;
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

/** Why a session creation was refused, or `ok`. */
export type SessionLimitVerdict = 'ok' | 'sessions-per-address' | 'sessions-per-subnet';

/** Options of {@link SessionCreationLimiter}. */
export interface SessionCreationLimiterOptions {
  /** Sessions one address may open per window (config `probe.maxSessionsPerMinute`). */
  perAddress: number;
  /** Sessions one /24 or /48 may open per window (config `probe.maxSessionsPerMinutePerSubnet`). */
  perSubnet: number;
  /** Window length in ms. Default 60000. */
  windowMs?: number;
  /** Clock (ms). Default Date.now. */
  now?: () => number;
}

/**
 * Limits session creation per address and per network, so that neither one client nor one network rotating its
 * addresses can fill the session table. A refused creation counts against neither limit.
 */
export class SessionCreationLimiter {
  private readonly byAddress: RateLimiter;
  private readonly bySubnet: RateLimiter;

  /** Builds the two windows; tracks nothing yet. */
  constructor(options: SessionCreationLimiterOptions) {
    const common = { windowMs: options.windowMs ?? 60_000, ...(options.now ? { now: options.now } : {}) };
    this.byAddress = new RateLimiter({ limit: options.perAddress, ...common });
    this.bySubnet = new RateLimiter({ limit: options.perSubnet, ...common });
  }

  /** Records one creation by `address` (canonical IP text), or says which limit refuses it. */
  take(address: string): SessionLimitVerdict {
    const subnet = subnetKey(address);
    if (!this.byAddress.allows(address)) return 'sessions-per-address';
    if (!this.bySubnet.allows(subnet)) return 'sessions-per-subnet';
    this.byAddress.take(address);
    this.bySubnet.take(subnet);
    return 'ok';
  }
}
