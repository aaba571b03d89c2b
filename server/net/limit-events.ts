/**
 * One vocabulary for every connection or session the probe server refuses, evicts or times out, and one counter
 * set that receives them all. The listeners and the session API report here with a reason; the operations work
 * attaches Prometheus counters (or logs) to {@link LimitCounters.subscribe} without touching the listeners.
 */

/** Why a connection or a session was refused, evicted or closed by a limit. Stable: dashboards key on them. */
export const LIMIT_REASONS = [
  /** Refused: the address already holds `maxPerAddress` connections. */
  'per-address',
  /** Refused: the address already holds `maxHandshakesPerAddress` connections without a first message. */
  'handshakes-per-address',
  /** Closed to make room: the global cap was reached and this was the oldest unauthenticated/idle connection. */
  'global-evicted',
  /** Refused: the global cap was reached and every connection was in use (nothing evictable). */
  'global-full',
  /** Closed: the TLS handshake did not finish within `handshakeTimeoutMs`. */
  'handshake-timeout',
  /** Closed: no complete first message (STUN/TURN frame, HTTP request head) within `handshakeTimeoutMs`. */
  'first-message-timeout',
  /** Closed: idle (no allocation, no request in flight) for `idleTimeoutMs`. */
  'idle-timeout',
  /** Closed: an HTTP request was still in flight after `requestTimeoutMs` (a trickled body). */
  'request-timeout',
  /** Session refused (429): the address opened `probe.maxSessionsPerMinute` sessions this minute. */
  'sessions-per-address',
  /** Session refused (429): the /24 (IPv4) or /48 (IPv6) opened `probe.maxSessionsPerMinutePerSubnet`. */
  'sessions-per-subnet',
  /** Session refused (503): `probe.maxLiveSessions` sessions are live; none is evicted before its expiry. */
  'sessions-full',
] as const;

/** One of {@link LIMIT_REASONS}. */
export type LimitReason = (typeof LIMIT_REASONS)[number];

/** One refusal, eviction or timeout. */
export interface LimitEvent {
  /** What happened. */
  reason: LimitReason;
  /** Where: the listener's name (`turn-tcp`, `turn-tls`, `https`, `http`) or `sessions`. */
  scope: string;
  /** The client address it concerns (canonical IP text). */
  address: string;
}

/** Receives limit events. */
export type LimitListener = (event: LimitEvent) => void;

/**
 * Counts limit events by scope and reason and forwards each to subscribers. A plain object the probe server
 * creates once; nothing in it is global.
 */
export class LimitCounters {
  private readonly byKey = new Map<string, number>();
  private readonly listeners = new Set<LimitListener>();

  /** Counts an event and hands it to every subscriber (a subscriber that throws cannot break a listener). */
  record(event: LimitEvent): void {
    const key = `${event.scope}\u0000${event.reason}`;
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // Observability must never take down the path it observes.
      }
    }
  }

  /** How many events of `reason` were recorded (in `scope`, or in all scopes). */
  count(reason: LimitReason, scope?: string): number {
    let total = 0;
    for (const [key, value] of this.byKey) {
      const [keyScope, keyReason] = key.split('\u0000');
      if (keyReason === reason && (scope === undefined || keyScope === scope)) total += value;
    }
    return total;
  }

  /** Every non-zero counter, for status pages and metrics exporters. */
  snapshot(): Array<{ scope: string; reason: LimitReason; count: number }> {
    return [...this.byKey].map(([key, count]) => {
      const [scope, reason] = key.split('\u0000') as [string, LimitReason];
      return { scope, reason, count };
    });
  }

  /** Calls `listener` for every later event; returns the function that unsubscribes it. */
  subscribe(listener: LimitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
