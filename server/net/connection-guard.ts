/**
 * The probe server's connection policy, shared by every TCP/TLS listener (TURN/TCP, TURN/TLS, HTTPS, plain HTTP):
 * per-address caps on connections and on connections still in their handshake, deadlines for the handshake and
 * the first message, an idle deadline, and a global cap that evicts the oldest unauthenticated or idle connection
 * of the address holding the most instead of refusing the newcomer — so one address cannot deny service to others
 * (issue 12: ~1,030 one-byte connections to TURN used to lock every other client out).
 *
 * Sans-IO: no sockets and no timers inside. A listener calls {@link ConnectionGuard.admit} for each accepted
 * socket with a `close` callback, reports progress on the returned {@link GuardedConnection}, and calls
 * {@link ConnectionGuard.sweep} periodically ({@link startGuardSweeper}); the guard calls `close` when a deadline
 * passes or the connection is evicted. The clock is injected, so the policy is unit-tested with a fake one.
 *
 * A connection moves through these stages:
 *   tls-handshake → first-message → idle ⇄ busy
 * `tls-handshake` and `first-message` together are "in handshake" (one deadline from accept); `idle` has the
 * idle deadline; `busy` (a TURN allocation, a WebSocket, an HTTP request in flight) has none, except that an HTTP
 * request must finish within `requestTimeoutMs`.
 */
import { CONNECTION_LIMIT_DEFAULTS } from '../../lib/config/schema';
import type { LimitEvent, LimitReason } from './limit-events';

/** The numbers of the policy (config `probe.connections`, documented there). */
export interface ConnectionLimits {
  /** Connections one address may hold on all guarded listeners together. */
  maxPerAddress: number;
  /** Connections one address may hold that have not yet sent a complete first message. */
  maxHandshakesPerAddress: number;
  /** Connections in total; past it the oldest unauthenticated/idle connection is evicted. */
  maxTotal: number;
  /** Milliseconds from accept to a finished TLS handshake and a complete first message. */
  handshakeTimeoutMs: number;
  /** Milliseconds a connection may sit idle (no allocation, no request in flight). */
  idleTimeoutMs: number;
  /** Milliseconds one HTTP request may stay in flight. */
  requestTimeoutMs: number;
}

/** Options of {@link ConnectionGuard}: limits (defaults from the config schema), clock and event sink. */
export interface ConnectionGuardOptions extends Partial<ConnectionLimits> {
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Receives every refusal, eviction and timeout. Exceptions it throws are ignored. */
  onEvent?: (event: LimitEvent) => void;
}

/** What a listener tells the guard about one new connection. */
export interface AdmitRequest {
  /** Client IP (canonical text: the same address must always be spelled the same). */
  address: string;
  /** Listener name for events (`turn-tcp`, `https` …). */
  listener: string;
  /** True when the connection must finish a TLS handshake before its first message (HTTPS). */
  tls?: boolean;
  /** Closes the socket. Called at most once, by a deadline or an eviction, after the guard forgot it. */
  close(reason: LimitReason): void;
}

/** The stage a guarded connection is in (see the module comment). */
export type ConnectionStage = 'tls-handshake' | 'first-message' | 'idle' | 'busy';

/** A connection the guard admitted; the listener reports its progress here. Every method is safe after close. */
export interface GuardedConnection {
  /** Client IP. */
  readonly address: string;
  /** Listener name. */
  readonly listener: string;
  /** Current stage (`closed` once the socket is gone or the guard closed it). */
  readonly stage: ConnectionStage | 'closed';
  /** A TLS ClientHello started on a connection admitted without `tls` (TURN tells TLS from plain by byte one). */
  startTls(): void;
  /** The TLS handshake finished; the first message is still due by the same deadline. */
  secured(): void;
  /** A complete first message arrived (STUN/TURN frame, HTTP request head): no longer in handshake. */
  firstMessage(): void;
  /** An HTTP request is in flight (implies a first message); returns its end. Must finish in `requestTimeoutMs`. */
  beginRequest(): () => void;
  /** Long-lived legitimate use (TURN allocation, WebSocket) that no idle deadline may cut; returns its end. */
  pin(): () => void;
  /** The socket closed: forget the connection. */
  closed(): void;
}

/** Counts for tests and status pages. */
export interface GuardStats {
  total: number;
  inHandshake: number;
  idle: number;
  busy: number;
  addresses: number;
}

interface AddressBook {
  address: string;
  total: number;
  /** In handshake, oldest first. */
  opening: Set<Entry>;
  /** Idle, longest idle first. */
  idle: Set<Entry>;
}

interface RequestHold {
  entry: Entry;
  startedMs: number;
}

/**
 * Accept-queue length of the guarded listeners (Linux caps it at `net.core.somaxconn`, 4096 by default). Node's
 * default 511 overflows under a connection flood before the event loop drains it, and an overflowing queue drops
 * SYNs of other clients too — each drop costs them a 1 s retransmit. Measured on loopback: 4,400 flood connections
 * caused ~2,000 overflows at 511 and none at 4096.
 */
export const LISTEN_BACKLOG = 4096;

/** How often listeners sweep their guard, in milliseconds: deadlines are kept to within this. */
export const GUARD_SWEEP_INTERVAL_MS = 250;

class Entry implements GuardedConnection {
  stage: ConnectionStage | 'closed';
  /** Accept time while in handshake, idle-since time while idle. */
  sinceMs: number;
  pins = 0;
  readonly requests = new Set<RequestHold>();

  constructor(
    private readonly guard: ConnectionGuard,
    readonly book: AddressBook,
    readonly listener: string,
    readonly closeSocket: (reason: LimitReason) => void,
    tls: boolean,
    nowMs: number,
  ) {
    this.stage = tls ? 'tls-handshake' : 'first-message';
    this.sinceMs = nowMs;
  }

  get address(): string {
    return this.book.address;
  }

  startTls(): void {
    if (this.stage === 'first-message') this.stage = 'tls-handshake';
  }

  secured(): void {
    if (this.stage === 'tls-handshake') this.stage = 'first-message';
  }

  firstMessage(): void {
    this.guard.settle(this);
  }

  beginRequest(): () => void {
    return this.guard.hold(this, true);
  }

  pin(): () => void {
    return this.guard.hold(this, false);
  }

  closed(): void {
    this.guard.forget(this);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** The shared connection policy. See the module comment. */
export class ConnectionGuard {
  /** The limits in force. */
  readonly limits: ConnectionLimits;
  private readonly now: () => number;
  private readonly onEvent?: (event: LimitEvent) => void;
  private readonly books = new Map<string, AddressBook>();
  /** Every connection in handshake, oldest first (one deadline for all, so also earliest deadline first). */
  private readonly opening = new Set<Entry>();
  /** Every idle connection, longest idle first. */
  private readonly idle = new Set<Entry>();
  /** Every HTTP request in flight, oldest first. */
  private readonly requests = new Set<RequestHold>();
  private total = 0;

  /** Validates the limits; starts nothing. */
  constructor(options: ConnectionGuardOptions = {}) {
    const limits: ConnectionLimits = {
      maxPerAddress: options.maxPerAddress ?? CONNECTION_LIMIT_DEFAULTS.maxPerAddress,
      maxHandshakesPerAddress: options.maxHandshakesPerAddress ?? CONNECTION_LIMIT_DEFAULTS.maxHandshakesPerAddress,
      maxTotal: options.maxTotal ?? CONNECTION_LIMIT_DEFAULTS.maxTotal,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? CONNECTION_LIMIT_DEFAULTS.handshakeTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? CONNECTION_LIMIT_DEFAULTS.idleTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? CONNECTION_LIMIT_DEFAULTS.requestTimeoutMs,
    };
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`connection limit ${name} must be a positive integer, got ${value}`);
    }
    if (limits.maxHandshakesPerAddress > limits.maxPerAddress) throw new RangeError('maxHandshakesPerAddress must not exceed maxPerAddress');
    if (limits.maxPerAddress > limits.maxTotal) throw new RangeError('maxPerAddress must not exceed maxTotal');
    this.limits = limits;
    this.now = options.now ?? (() => performance.now());
    this.onEvent = options.onEvent;
  }

  /**
   * Admits a new connection, or refuses it (null; the listener closes the socket). At the global cap the oldest
   * connection still in handshake — else the longest idle — of the address holding the most connections is closed
   * to make room; only when every connection is busy is the newcomer refused.
   */
  admit(request: AdmitRequest): GuardedConnection | null {
    const { address, listener } = request;
    const book = this.books.get(address);
    if (book && book.total >= this.limits.maxPerAddress) return this.refuse('per-address', listener, address);
    if (book && book.opening.size >= this.limits.maxHandshakesPerAddress) return this.refuse('handshakes-per-address', listener, address);
    if (this.total >= this.limits.maxTotal) {
      const victim = this.pickVictim();
      if (!victim) return this.refuse('global-full', listener, address);
      this.expire(victim, 'global-evicted');
    }
    let target = this.books.get(address);
    if (!target) {
      target = { address, total: 0, opening: new Set(), idle: new Set() };
      this.books.set(address, target);
    }
    const entry = new Entry(this, target, listener, request.close, request.tls === true, this.now());
    target.total++;
    target.opening.add(entry);
    this.opening.add(entry);
    this.total++;
    return entry;
  }

  /** Closes every connection whose deadline has passed. Listeners call it every {@link GUARD_SWEEP_INTERVAL_MS}. */
  sweep(): void {
    const now = this.now();
    for (const entry of this.opening) {
      if (entry.sinceMs + this.limits.handshakeTimeoutMs > now) break;
      this.expire(entry, entry.stage === 'tls-handshake' ? 'handshake-timeout' : 'first-message-timeout');
    }
    for (const entry of this.idle) {
      if (entry.sinceMs + this.limits.idleTimeoutMs > now) break;
      this.expire(entry, 'idle-timeout');
    }
    for (const hold of this.requests) {
      if (hold.startedMs + this.limits.requestTimeoutMs > now) break;
      this.expire(hold.entry, 'request-timeout');
    }
  }

  /** Connections currently held by `address`. */
  countFor(address: string): number {
    return this.books.get(address)?.total ?? 0;
  }

  /** Current counts. */
  stats(): GuardStats {
    return { total: this.total, inHandshake: this.opening.size, idle: this.idle.size, busy: this.total - this.opening.size - this.idle.size, addresses: this.books.size };
  }

  /** @internal Entry → guard: the first message arrived. */
  settle(entry: Entry): void {
    if (entry.stage !== 'tls-handshake' && entry.stage !== 'first-message') return;
    this.opening.delete(entry);
    entry.book.opening.delete(entry);
    if (entry.pins > 0 || entry.requests.size > 0) entry.stage = 'busy';
    else this.makeIdle(entry);
  }

  /** @internal Entry → guard: a request or a pin begins; returns its end. */
  hold(entry: Entry, isRequest: boolean): () => void {
    if (entry.stage === 'closed') return () => undefined;
    this.settle(entry);
    if (entry.stage === 'idle') {
      this.idle.delete(entry);
      entry.book.idle.delete(entry);
    }
    entry.stage = 'busy';
    if (!isRequest) {
      entry.pins++;
      return once(() => {
        entry.pins--;
        this.maybeIdle(entry);
      });
    }
    const hold: RequestHold = { entry, startedMs: this.now() };
    entry.requests.add(hold);
    this.requests.add(hold);
    return once(() => {
      entry.requests.delete(hold);
      this.requests.delete(hold);
      this.maybeIdle(entry);
    });
  }

  /** @internal Entry → guard: the socket closed. */
  forget(entry: Entry): void {
    if (entry.stage === 'closed') return;
    entry.stage = 'closed';
    this.opening.delete(entry);
    this.idle.delete(entry);
    for (const hold of entry.requests) this.requests.delete(hold);
    entry.requests.clear();
    const book = entry.book;
    book.opening.delete(entry);
    book.idle.delete(entry);
    book.total--;
    if (book.total === 0) this.books.delete(book.address);
    this.total--;
  }

  private maybeIdle(entry: Entry): void {
    if (entry.stage !== 'busy' || entry.pins > 0 || entry.requests.size > 0) return;
    this.makeIdle(entry);
  }

  private makeIdle(entry: Entry): void {
    entry.stage = 'idle';
    entry.sinceMs = this.now();
    // Re-inserted at the end: both sets stay ordered by idle-since, so sweeps and evictions look at the front only.
    this.idle.add(entry);
    entry.book.idle.add(entry);
  }

  /**
   * The connection to evict at the global cap: among addresses with a connection still in handshake, the one
   * holding the most connections gives its oldest such connection; failing that, the same among idle ones.
   * O(addresses), paid only at the cap.
   */
  private pickVictim(): Entry | null {
    for (const pick of [(b: AddressBook) => b.opening, (b: AddressBook) => b.idle]) {
      let best: AddressBook | undefined;
      for (const book of this.books.values()) {
        if (pick(book).size > 0 && (!best || book.total > best.total)) best = book;
      }
      if (best) return pick(best).values().next().value ?? null;
    }
    return null;
  }

  private expire(entry: Entry, reason: LimitReason): void {
    const { address, listener } = entry;
    this.forget(entry);
    this.emit({ reason, scope: listener, address });
    try {
      entry.closeSocket(reason);
    } catch {
      // A socket that throws while being destroyed is gone either way.
    }
  }

  private refuse(reason: LimitReason, listener: string, address: string): null {
    this.emit({ reason, scope: listener, address });
    return null;
  }

  private emit(event: LimitEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // Observability must never take down the path it observes.
    }
  }
}

/** Sweeps `guard` every {@link GUARD_SWEEP_INTERVAL_MS} without keeping the process alive; returns the stop function. */
export function startGuardSweeper(guard: ConnectionGuard): () => void {
  const timer = setInterval(() => guard.sweep(), GUARD_SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
