import { describe, expect, it } from 'vitest';
import { ConnectionGuard, type ConnectionGuardOptions, type GuardedConnection } from './connection-guard';
import { LimitCounters, type LimitEvent, type LimitReason } from './limit-events';

const A = '192.0.2.1';
const B = '198.51.100.2';
const C = '203.0.113.3';

/** A guard on a fake clock that records events and which connections it closed, and why. */
function harness(options: ConnectionGuardOptions = {}) {
  let nowMs = 0;
  const events: LimitEvent[] = [];
  const closedBy = new Map<string, LimitReason>();
  const guard = new ConnectionGuard({
    maxPerAddress: 4,
    maxHandshakesPerAddress: 2,
    maxTotal: 8,
    handshakeTimeoutMs: 5000,
    idleTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    now: () => nowMs,
    onEvent: (e) => events.push(e),
    ...options,
  });
  let next = 0;
  const open = (address: string, opts: { tls?: boolean; name?: string } = {}): GuardedConnection | null => {
    const name = opts.name ?? `c${next++}`;
    const connection = guard.admit({
      address,
      listener: 'test',
      tls: opts.tls,
      close: (reason) => {
        expect(closedBy.has(name)).toBe(false);
        closedBy.set(name, reason);
      },
    });
    return connection;
  };
  const advance = (ms: number): void => {
    nowMs += ms;
    guard.sweep();
  };
  return { guard, events, closedBy, open, advance };
}

describe('ConnectionGuard admission', () => {
  it.each<[string, (h: ReturnType<typeof harness>) => void, string, LimitReason | null]>([
    ['refuses an address past maxPerAddress', (h) => {
      for (let i = 0; i < 4; i++) h.open(A)!.firstMessage();
    }, A, 'per-address'],
    ['still admits another address when one is at its cap', (h) => {
      for (let i = 0; i < 4; i++) h.open(A)!.firstMessage();
    }, B, null],
    ['refuses an address past maxHandshakesPerAddress while its connections are silent', (h) => {
      h.open(A);
      h.open(A);
    }, A, 'handshakes-per-address'],
    ['admits the address again once one of its connections sent a first message', (h) => {
      h.open(A)!.firstMessage();
      h.open(A);
    }, A, null],
    ['refuses a newcomer at the global cap when every connection is in use', (h) => {
      for (const address of [A, B]) for (let i = 0; i < 4; i++) h.open(address)!.pin();
    }, C, 'global-full'],
  ])('%s', (_name, setup, address, refusal) => {
    const h = harness();
    setup(h);
    const connection = h.open(address);
    if (refusal === null) {
      expect(connection).not.toBeNull();
      expect(h.events).toEqual([]);
    } else {
      expect(connection).toBeNull();
      expect(h.events).toEqual([{ reason: refusal, scope: 'test', address }]);
    }
  });

  it.each<[string, (h: ReturnType<typeof harness>) => void, string]>([
    ['the oldest connection still in handshake of the address holding the most', (h) => {
      h.open(A, { name: 'a-idle-1' })!.firstMessage();
      h.open(A, { name: 'a-idle-2' })!.firstMessage();
      h.open(A, { name: 'a-silent-old' });
      h.open(A, { name: 'a-silent-new' });
      h.open(B, { name: 'b-silent' });
      h.open(B, { name: 'b-idle' })!.firstMessage();
      h.open(C, { name: 'c-busy-1' })!.pin();
      h.open(C, { name: 'c-busy-2' })!.pin();
    }, 'a-silent-old'],
    ['a connection in handshake before any idle one, even of an address holding fewer', (h) => {
      for (let i = 0; i < 4; i++) h.open(A, { name: `a-idle-${i}` })!.firstMessage();
      h.open(B, { name: 'b-silent' });
      for (let i = 0; i < 3; i++) h.open(C, { name: `c-busy-${i}` })!.pin();
    }, 'b-silent'],
    ['the longest idle connection of the address holding the most when none is in handshake', (h) => {
      h.open(A, { name: 'a-idle-old' })!.firstMessage();
      h.open(A, { name: 'a-idle-new' })!.firstMessage();
      h.open(A, { name: 'a-busy' })!.pin();
      h.open(B, { name: 'b-idle' })!.firstMessage();
      for (let i = 0; i < 4; i++) h.open(C, { name: `c-busy-${i}` })!.pin();
    }, 'a-idle-old'],
  ])('at the global cap a newcomer evicts %s', (_name, setup, victim) => {
    const h = harness();
    setup(h);
    expect(h.guard.stats().total).toBe(8);
    const newcomer = h.open('192.0.2.200');
    expect(newcomer).not.toBeNull();
    expect([...h.closedBy]).toEqual([[victim, 'global-evicted']]);
    expect(h.events.map((e) => e.reason)).toEqual(['global-evicted']);
    expect(h.guard.stats().total).toBe(8);
  });

  it('frees the slot of a closed connection and tolerates closing twice', () => {
    const h = harness();
    const first = h.open(A)!;
    h.open(A);
    first.closed();
    first.closed();
    expect(first.stage).toBe('closed');
    expect(h.guard.countFor(A)).toBe(1);
    expect(h.open(A)).not.toBeNull();
  });

  it.each<[string, ConnectionGuardOptions]>([
    ['a zero limit', { maxTotal: 0 }],
    ['a fractional deadline', { idleTimeoutMs: 1.5 }],
    ['more handshakes than connections per address', { maxPerAddress: 4, maxHandshakesPerAddress: 5 }],
    ['a per-address cap above the total', { maxPerAddress: 10, maxTotal: 8 }],
  ])('rejects %s at construction', (_name, options) => {
    expect(() => new ConnectionGuard({ maxPerAddress: 4, maxHandshakesPerAddress: 2, maxTotal: 8, ...options })).toThrow(RangeError);
  });
});

describe('ConnectionGuard deadlines', () => {
  it.each<[string, (c: GuardedConnection, h: ReturnType<typeof harness>) => void, { tls?: boolean }, number, LimitReason]>([
    ['a silent TLS connection at the handshake deadline', () => undefined, { tls: true }, 5000, 'handshake-timeout'],
    ['a silent plain connection at the same deadline, as a missing first message', () => undefined, {}, 5000, 'first-message-timeout'],
    ['a one-byte TLS start on a plain-or-TLS port, as a handshake', (c) => c.startTls(), {}, 5000, 'handshake-timeout'],
    ['a finished handshake with no first message, counted from accept', (c, h) => {
      h.advance(3000);
      c.secured();
    }, { tls: true }, 2000, 'first-message-timeout'],
    ['a connection that sent its first message but never allocated, at the idle deadline', (c, h) => {
      h.advance(1000);
      c.firstMessage();
    }, {}, 10_000, 'idle-timeout'],
    ['an HTTP connection idle after its answer, counted from the answer', (c, h) => {
      const end = c.beginRequest();
      h.advance(20_000);
      end();
    }, {}, 10_000, 'idle-timeout'],
    ['a connection whose request trickles for longer than the request deadline', (c) => {
      c.beginRequest();
    }, {}, 30_000, 'request-timeout'],
    ['a connection whose allocation ended, counted from the end', (c, h) => {
      c.firstMessage();
      const unpin = c.pin();
      h.advance(600_000);
      unpin();
    }, {}, 10_000, 'idle-timeout'],
  ])('closes %s', (_name, act, openOptions, remainingMs, reason) => {
    const h = harness();
    const connection = h.open(A, { ...openOptions, name: 'victim' })!;
    act(connection, h);
    h.advance(remainingMs - 1);
    expect(h.closedBy.get('victim')).toBeUndefined();
    h.advance(1);
    expect(h.closedBy.get('victim')).toBe(reason);
    expect(h.events).toEqual([{ reason, scope: 'test', address: A }]);
    expect(connection.stage).toBe('closed');
    expect(h.guard.stats().total).toBe(0);
  });

  it('never times out a connection carrying an allocation or a WebSocket, however long it lives', () => {
    const h = harness();
    const connection = h.open(A)!;
    connection.firstMessage();
    connection.pin();
    for (let i = 0; i < 60; i++) h.advance(10_000);
    expect(h.closedBy.size).toBe(0);
    expect(connection.stage).toBe('busy');
  });

  it('keeps a connection whose requests follow each other within the idle deadline', () => {
    const h = harness();
    const connection = h.open(A)!;
    for (let i = 0; i < 10; i++) {
      const end = connection.beginRequest();
      h.advance(100);
      end();
      h.advance(9000);
    }
    expect(h.closedBy.size).toBe(0);
    expect(connection.stage).toBe('idle');
  });

  it('keeps an h2 connection busy until the last of its concurrent requests ends', () => {
    const h = harness();
    const connection = h.open(A, { tls: true })!;
    connection.secured();
    const endFirst = connection.beginRequest();
    const endSecond = connection.beginRequest();
    endFirst();
    endFirst();
    expect(connection.stage).toBe('busy');
    endSecond();
    expect(connection.stage).toBe('idle');
  });

  it('closes every connection of a one-byte flood at its deadline and then admits the address again', () => {
    const h = harness({ maxPerAddress: 100, maxHandshakesPerAddress: 50, maxTotal: 1000 });
    const flood = Array.from({ length: 80 }, () => h.open(A));
    expect(flood.filter(Boolean)).toHaveLength(50);
    expect(h.events.filter((e) => e.reason === 'handshakes-per-address')).toHaveLength(30);
    h.open(B)!.firstMessage();
    h.advance(5000);
    expect(h.closedBy.size).toBe(50);
    expect(h.guard.countFor(A)).toBe(0);
    expect(h.open(A)).not.toBeNull();
  });

  it('feeds every refusal, eviction and timeout to one counter set with its reason', () => {
    const counters = new LimitCounters();
    const seen: LimitReason[] = [];
    counters.subscribe((e) => seen.push(e.reason));
    const h = harness({ onEvent: (e) => counters.record(e) });
    h.open(A);
    h.open(A);
    h.open(A);
    h.advance(5000);
    expect(counters.count('handshakes-per-address')).toBe(1);
    expect(counters.count('first-message-timeout', 'test')).toBe(2);
    expect(counters.count('first-message-timeout', 'other')).toBe(0);
    expect(seen).toEqual(['handshakes-per-address', 'first-message-timeout', 'first-message-timeout']);
    expect(counters.snapshot()).toContainEqual({ scope: 'test', reason: 'first-message-timeout', count: 2 });
  });
});
