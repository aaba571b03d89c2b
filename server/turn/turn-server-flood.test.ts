/**
 * Issue 12 item 4, acceptance on loopback: a slow-connection flood against TURN/TCP and TURN/TLS no longer locks
 * other clients out. The attacker is 127.0.0.1 (or many 127.0.1.x/127.0.2.x addresses), the legitimate client
 * 127.0.0.2 — Linux routes all of 127/8 to the loopback interface.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { attr } from '../../lib/protocol/stun/attributes';
import { REQUESTED_TRANSPORT, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import { ConnectionGuard, GUARD_SWEEP_INTERVAL_MS, type ConnectionGuardOptions } from '../net/connection-guard';
import { LimitCounters } from '../net/limit-events';
import { openFlood, type Flood } from '../net/testing/flood';
import { mintTurnCredentials } from './credentials';
import { nodeStunCrypto } from './node-crypto';
import { connectStream, exchange, type SocketClient } from './testing/socket-client';
import { createTestCertificate } from './testing/test-certificate';
import { TurnServer } from './turn-server';

const SECRET = 'flood-test-secret-0123456789';
const ATTACKER = '127.0.0.1';
const CLIENT = '127.0.0.2';
/** Short deadlines keep each test bounded; the defaults (5 s / 10 s) are the same code with other numbers. */
const HANDSHAKE_TIMEOUT_MS = 2000;
const IDLE_TIMEOUT_MS = 1000;
/** What "within the deadline" allows on top of the deadline: one sweep plus scheduling on a busy 2-core machine. */
const DEADLINE_SLACK_MS = GUARD_SWEEP_INTERVAL_MS + 1250;
/**
 * "The normal time" for connect + Allocate: a few ms on an idle loopback, a few hundred here where the attacker
 * shares the test's event loop and 2 cores; the TURN probes give up at 6 s (`run.probeTimeoutMs`). Before the
 * guard, the Allocate never completed while the flood was held.
 */
const NORMAL_ALLOCATE_MS = 2000;

let cert: string;
let key: string;

beforeAll(() => {
  ({ cert, key } = createTestCertificate());
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(limits: ConnectionGuardOptions) {
  const counters = new LimitCounters();
  const guard = new ConnectionGuard({ handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...limits, onEvent: (e) => counters.record(e) });
  const server = new TurnServer({
    realm: 'netready',
    secret: SECRET,
    udp: [],
    tcp: [{ ip: '127.0.0.1', port: 0, name: 'turn-tcp' }, { ip: '127.0.0.1', port: 0, name: 'turn-tls' }],
    tls: { cert, key },
    relayIp: '127.0.0.1',
    relayPortMin: 41500,
    relayPortMax: 41999,
    guard,
  });
  cleanups.push(() => server.close());
  await server.listen();
  const [tcp, tlsPort] = server.addresses().tcp;
  return { server, guard, counters, tcp: tcp!, tls: tlsPort! };
}

function track(flood: Flood): Flood {
  cleanups.push(() => flood.destroy());
  return flood;
}

/** Connects from CLIENT and allocates a relay; resolves with the open client and how long it all took. */
async function allocate(target: { ip: string; port: number }, overTls: boolean, seed: number): Promise<{ client: SocketClient; ms: number }> {
  const started = performance.now();
  const client = await connectStream(target, overTls ? { ca: cert } : undefined, CLIENT);
  cleanups.push(() => client.close());
  const creds = mintTurnCredentials({ secret: SECRET, sessionId: `legit-${seed}`, ttlS: 600, nowMs: Date.now() });
  const factory = new TurnMessageFactory({ crypto: nodeStunCrypto, username: creds.username, password: creds.credential, seed });
  const response = await exchange(client, factory, T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]);
  expect(response.errorCode).toBeNull();
  expect(response.get(XOR_RELAYED_ADDRESS)?.ip).toBe('127.0.0.1');
  return { client, ms: performance.now() - started };
}

describe('TURN/TCP and TURN/TLS under a slow-connection flood', () => {
  it('let another address allocate over TCP and TLS while one address floods both ports, and close the flood at the deadline', async () => {
    const { server, guard, counters, tcp, tls } = await startServer({});
    const atCap = new Promise<void>((resolve) => counters.subscribe((e) => e.reason === 'handshakes-per-address' && resolve()));
    const started = performance.now();
    const floods = Promise.all([
      openFlood(tcp, { count: 1100, from: ATTACKER, bytes: Uint8Array.of(0x00) }),
      openFlood(tcp, { count: 1100, from: ATTACKER }),
      openFlood(tls, { count: 1100, from: ATTACKER, bytes: Uint8Array.of(0x16) }),
      openFlood(tls, { count: 1100, from: ATTACKER }),
    ]).then((all) => all.map(track));
    // Meanwhile: the attacker holds all the handshakes it may, and keeps opening more.
    await atCap;
    const [overTcp, overTls] = await Promise.all([allocate(tcp, false, 1), allocate(tls, true, 2)]);
    const opened = await floods;
    const openedMs = performance.now() - started;

    expect(overTcp.ms).toBeLessThan(NORMAL_ALLOCATE_MS);
    expect(overTls.ms).toBeLessThan(NORMAL_ALLOCATE_MS);
    expect(opened.reduce((n, f) => n + f.connected, 0)).toBe(4400);
    await Promise.all(opened.map((f) => f.allClosed(HANDSHAKE_TIMEOUT_MS + DEADLINE_SLACK_MS)));
    const lifetimes = opened.flatMap((f) => f.lifetimesMs());
    expect(Math.max(...lifetimes)).toBeLessThan(HANDSHAKE_TIMEOUT_MS + DEADLINE_SLACK_MS);
    expect(counters.count('handshakes-per-address')).toBeGreaterThan(0);
    expect(counters.count('first-message-timeout', 'turn-tcp')).toBeGreaterThan(0);
    expect(counters.count('handshake-timeout', 'turn-tls')).toBeGreaterThan(0);
    expect(guard.countFor(ATTACKER)).toBe(0);
    // The relays in use outlived the flood and the 1 s idle deadline: an allocation pins its connection.
    const legit = server.allocations().filter((a) => a.tuple.client.ip === CLIENT);
    expect(legit.map((a) => a.tuple.transport).sort()).toEqual(['tcp', 'tls']);
    expect(guard.countFor(CLIENT)).toBe(2);
    console.info(`TURN flood: 4400 connections opened in ${Math.round(openedMs)} ms; Allocate over TCP ${Math.round(overTcp.ms)} ms, TLS ${Math.round(overTls.ms)} ms; longest attacker connection ${Math.round(Math.max(...lifetimes))} ms`);
  });

  it('evicts the flood of many addresses at the global cap to admit a newcomer, and never evicts a connection carrying an allocation', async () => {
    const { server, guard, counters, tcp } = await startServer({ maxTotal: 512, maxPerAddress: 64, maxHandshakesPerAddress: 64 });
    const wave = (subnet: number): Promise<Flood[]> =>
      Promise.all(Array.from({ length: 12 }, (_, i) => openFlood(tcp, { count: 64, from: `127.0.${subnet}.${i + 1}` }))).then((all) => all.map(track));
    const first = await wave(1);
    // The clients see 'connect' when the kernel queues a connection; wait until the server has taken all 768.
    await vi.waitFor(() => expect(guard.stats().total + counters.count('global-evicted')).toBe(768), { timeout: 2000, interval: 20 });
    expect(guard.stats().total).toBe(512);
    const overTcp = await allocate(tcp, false, 3);
    expect(overTcp.ms).toBeLessThan(NORMAL_ALLOCATE_MS);
    const second = await wave(2);
    expect(first.reduce((n, f) => n + f.connected, 0) + second.reduce((n, f) => n + f.connected, 0)).toBe(1536);
    expect(counters.count('global-evicted')).toBeGreaterThan(0);
    expect(guard.stats().total).toBeLessThanOrEqual(512);
    expect(counters.count('global-full')).toBe(0);
    await Promise.all([...first, ...second].map((f) => f.allClosed(HANDSHAKE_TIMEOUT_MS + DEADLINE_SLACK_MS)));
    expect(server.allocations().filter((a) => a.tuple.client.ip === CLIENT)).toHaveLength(1);
    expect(guard.stats()).toMatchObject({ total: 1, busy: 1 });
  });
});
