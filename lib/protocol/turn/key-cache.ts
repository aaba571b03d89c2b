/**
 * Long-term credential keys (RFC 8489 §9.2.2: MD5(username ":" realm ":" password)) of TURN REST usernames that
 * already passed MESSAGE-INTEGRITY, so that the further requests of one session (Allocate, CreatePermission,
 * ChannelBind, Refresh …) do not derive the REST password (an HMAC) and the key (an MD5) again for every message.
 *
 * Only usernames that authenticated are kept, so a flood of made-up usernames cannot fill it; each entry is forgotten
 * at its username's expiry (nothing older can authenticate anyway), and the table never holds more than `maxEntries`
 * (the oldest goes first: a forgotten key is only derived again, never wrong).
 */

/** Options of {@link LongTermKeyCache}. */
export interface LongTermKeyCacheOptions {
  /** Most usernames kept. Default 20,000 (twice the default `probe.maxLiveSessions`). */
  maxEntries?: number;
}

/** Keys by username, each with the clock time (ms) its username stops being valid. */
export class LongTermKeyCache {
  private readonly entries = new Map<string, { key: Uint8Array; expiresAtMs: number }>();
  private readonly maxEntries: number;

  /** Starts empty. */
  constructor(options: LongTermKeyCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 20_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
  }

  /** The key of `username` if it was kept and has not expired at `nowMs`, else undefined. */
  get(username: string, nowMs: number): Uint8Array | undefined {
    const entry = this.entries.get(username);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(username);
      return undefined;
    }
    return entry.key;
  }

  /** Keeps `key` for `username` until `expiresAtMs`; at the cap, the entry kept longest ago is dropped first. */
  set(username: string, key: Uint8Array, expiresAtMs: number): void {
    this.entries.delete(username);
    this.entries.set(username, { key, expiresAtMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets every entry expired at `nowMs` (the server calls this once a second). */
  prune(nowMs: number): void {
    // Entries are not in expiry order (a username is kept at its first use, not when it was minted): scan them all.
    for (const [username, entry] of this.entries) if (entry.expiresAtMs <= nowMs) this.entries.delete(username);
  }

  /** Usernames kept now. */
  get size(): number {
    return this.entries.size;
  }
}
