import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { attr, NONCE, REALM, UNKNOWN_ATTRIBUTES, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import * as C from '../stun/constants';
import { longTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import type { Endpoint } from '../stun/ip';
import { encodeMessage, rawAttribute, type OutgoingAttribute } from '../stun/message';
import { testCrypto } from '../stun/testing/node-crypto';
import {
  ADDITIONAL_ADDRESS_FAMILY,
  ADDRESS_ERROR_CODE,
  CHANNEL_NUMBER,
  DATA,
  DONT_FRAGMENT,
  EVEN_PORT,
  LIFETIME,
  REQUESTED_ADDRESS_FAMILY,
  REQUESTED_TRANSPORT,
  RESERVATION_TOKEN,
  XOR_PEER_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from './attributes';
import { decodeChannelData, encodeChannelData } from './channel-data';
import * as T from './constants';
import { computeRestPassword } from './rest-auth';
import { TurnServerCore, type FiveTuple, type TurnAction, type TurnCoreOptions, type TurnEvent } from './server';
import { decodeResponse, TurnMessageFactory, type TestResponse } from './testing/turn-client';
import { sizeOfMtuTurnTag } from '../mtu/ladder';

const REALM_NAME = 'netready';
const SECRET = 'unit-test-secret-0123456789';
const RELAY_IP = '203.0.113.5';
const SERVER: Endpoint = { ip: '198.51.100.1', port: 3478 };
const START_MS = 1_700_000_000_000;

/** A core plus a fake clock, a relay port allocator and an event log. */
class Harness {
  readonly events: TurnEvent[] = [];
  readonly core: TurnServerCore;
  nowMs = START_MS;
  private nextRelayPort = 50000;
  relayIp: string;

  constructor(options: Partial<TurnCoreOptions> = {}) {
    this.relayIp = options.relayIps?.[0] ?? RELAY_IP;
    this.core = new TurnServerCore({
      realm: REALM_NAME,
      secret: SECRET,
      crypto: testCrypto,
      nonceKey: new Uint8Array(32).fill(1),
      relayIps: [RELAY_IP],
      software: 'netready-test',
      onEvent: (event) => this.events.push(event),
      ...options,
    });
  }

  /** Runs actions the way an adapter would: binds "relays" for allocate actions (null when `noRelay`). */
  settle(actions: TurnAction[], noRelay = false): TurnAction[] {
    const out: TurnAction[] = [];
    for (const action of actions) {
      if (action.type === 'allocate') {
        let port = this.nextRelayPort++;
        if (action.evenPort && port % 2 === 1) port = this.nextRelayPort++;
        out.push(...this.settle(this.core.commitAllocation(action.allocationId, noRelay ? null : { ip: this.relayIp, port }, this.nowMs)));
      } else {
        out.push(action);
      }
    }
    return out;
  }

  client(options: { ip?: string; port?: number; transport?: FiveTuple['transport']; sessionId?: string; expiresAtS?: number; password?: string } = {}) {
    const username = `${options.expiresAtS ?? Math.floor(this.nowMs / 1000) + 3600}:${options.sessionId ?? 'session-1'}`;
    const password = options.password ?? computeRestPassword(testCrypto, SECRET, username);
    const tuple: FiveTuple = {
      transport: options.transport ?? 'udp',
      client: { ip: options.ip ?? '192.0.2.10', port: options.port ?? 40000 },
      server: SERVER,
    };
    return new TestClient(this, tuple, username, password);
  }

  eventsOf<K extends TurnEvent['type']>(type: K): Extract<TurnEvent, { type: K }>[] {
    return this.events.filter((e): e is Extract<TurnEvent, { type: K }> => e.type === type);
  }
}

class TestClient {
  readonly factory: TurnMessageFactory;
  relay: Endpoint | undefined;

  constructor(
    readonly harness: Harness,
    readonly tuple: FiveTuple,
    readonly username: string,
    readonly password: string,
  ) {
    this.factory = new TurnMessageFactory({ crypto: testCrypto, username, password, seed: tuple.client.port });
  }

  get key(): Uint8Array {
    return longTermKey(testCrypto, this.username, REALM_NAME, this.password);
  }

  /** Sends raw bytes; returns settled actions. */
  send(bytes: Uint8Array, options: { stunOnly?: boolean; noRelay?: boolean } = {}): TurnAction[] {
    return this.harness.settle(
      this.harness.core.handleClientMessage({ data: bytes, tuple: this.tuple, nowMs: this.harness.nowMs, stunOnly: options.stunOnly }),
      options.noRelay,
    );
  }

  /** The single response sent back to this client among `actions`. */
  responseIn(actions: TurnAction[]): TestResponse {
    const sends = actions.filter((a): a is Extract<TurnAction, { type: 'send' }> => a.type === 'send');
    expect(sends).toHaveLength(1);
    expect(sends[0]?.tuple).toEqual(this.tuple);
    return decodeResponse(sends[0]!.data);
  }

  /** A request that learns the nonce from a 401/438 and retries once, as real clients do. */
  request(method: number, attributes: OutgoingAttribute[] = [], options: { noRelay?: boolean; password?: string } = {}) {
    let actions = this.send(this.factory.request(method, attributes, { password: options.password }).bytes, options);
    let response = this.responseIn(actions);
    if ((response.errorCode === 401 && this.factory.nonce === undefined) || response.errorCode === 438) {
      this.factory.learn(response);
      actions = this.send(this.factory.request(method, attributes, { password: options.password }).bytes, options);
      response = this.responseIn(actions);
    }
    return { response, actions };
  }

  allocate(attributes: OutgoingAttribute[] = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)], options: { noRelay?: boolean } = {}) {
    const result = this.request(T.METHOD_ALLOCATE, attributes, options);
    this.relay = result.response.get(XOR_RELAYED_ADDRESS) ?? this.relay;
    return result;
  }

  createPermission(...peers: Endpoint[]) {
    return this.request(T.METHOD_CREATE_PERMISSION, peers.map((p) => attr(XOR_PEER_ADDRESS, p)));
  }

  channelBind(channel: number, peer: Endpoint) {
    return this.request(T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, channel), attr(XOR_PEER_ADDRESS, peer)]);
  }

  sendIndication(peer: Endpoint, data: Uint8Array): TurnAction[] {
    return this.send(this.factory.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, peer), attr(DATA, data)]));
  }
}

const ALLOCATE_UDP = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)];

describe('Binding', () => {
  it('answers a Binding request with XOR-MAPPED-ADDRESS of the source, SOFTWARE and a valid FINGERPRINT', () => {
    const h = new Harness();
    const client = h.client();
    const response = client.responseIn(client.send(client.factory.request(C.METHOD_BINDING, [], { authenticate: false }).bytes));
    expect(response.message.cls).toBe('success');
    expect(response.get(XOR_MAPPED_ADDRESS)).toEqual({ ip: '192.0.2.10', port: 40000 });
    expect(verifyFingerprint(response.message)).toBe(true);
    expect(h.eventsOf('binding')).toEqual([{ type: 'binding', transport: 'udp', client: { ip: '192.0.2.10', port: 40000 }, server: SERVER }]);
  });

  it('answers 420 listing an unknown comprehension-required attribute and ignores unknown optional ones', () => {
    const h = new Harness();
    const client = h.client();
    const bad = client.responseIn(client.send(client.factory.request(C.METHOD_BINDING, [rawAttribute(0x7777, new Uint8Array(4))], { authenticate: false }).bytes));
    expect(bad.errorCode).toBe(420);
    expect(bad.get(UNKNOWN_ATTRIBUTES)).toEqual([0x7777]);
    const ok = client.responseIn(client.send(client.factory.request(C.METHOD_BINDING, [rawAttribute(0xc0de, new Uint8Array(4))], { authenticate: false }).bytes));
    expect(ok.errorCode).toBeNull();
  });

  it('answers Binding but refuses Allocate with 400 on a STUN-only listener', () => {
    const h = new Harness();
    const client = h.client();
    expect(client.responseIn(client.send(client.factory.request(C.METHOD_BINDING, [], { authenticate: false }).bytes, { stunOnly: true })).errorCode).toBeNull();
    const refused = client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes, { stunOnly: true }));
    expect(refused.errorCode).toBe(400);
  });

  it('drops responses, malformed messages and FINGERPRINT mismatches without answering', () => {
    const h = new Harness();
    const client = h.client();
    const request = client.factory.request(C.METHOD_BINDING, [], { authenticate: false }).bytes;
    const corrupted = request.slice();
    corrupted[corrupted.length - 1] = (corrupted[corrupted.length - 1] ?? 0) ^ 0xff;
    for (const bytes of [corrupted, request.subarray(0, 10), Uint8Array.of(0xff, 0xff, 0, 0, 1)]) {
      expect(client.send(bytes).every((a) => a.type === 'ignore')).toBe(true);
    }
  });
});

describe('long-term authentication with TURN REST credentials', () => {
  it('challenges an unauthenticated Allocate with 401, REALM and NONCE and no MESSAGE-INTEGRITY', () => {
    const h = new Harness();
    const client = h.client();
    const response = client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes));
    expect(response.errorCode).toBe(401);
    expect(response.get(REALM)).toBe(REALM_NAME);
    expect(response.get(NONCE)).toMatch(/^[0-9a-z]+\.[0-9a-f]{24}$/);
    expect(response.message.integrityOffset).toBeNull();
    expect(h.eventsOf('auth-failed')).toEqual([]);
  });

  it('allocates with valid credentials, signs the response and reports the session id', () => {
    const h = new Harness();
    const client = h.client({ sessionId: 'sess-42' });
    const { response } = client.allocate();
    expect(response.errorCode).toBeNull();
    expect(response.get(XOR_RELAYED_ADDRESS)).toEqual({ ip: RELAY_IP, port: 50000 });
    expect(response.get(LIFETIME)).toBe(600);
    expect(response.get(XOR_MAPPED_ADDRESS)).toEqual(client.tuple.client);
    expect(verifyMessageIntegrity(response.message, client.key, testCrypto)).toBe(true);
    expect(h.eventsOf('allocation-created')).toEqual([
      expect.objectContaining({ sessionId: 'sess-42', transport: 'udp', client: client.tuple.client, relay: { ip: RELAY_IP, port: 50000 } }),
    ]);
  });

  it.each([
    { name: 'an expired username', make: (h: Harness) => h.client({ expiresAtS: START_MS / 1000 - 1 }), code: 401, reason: 'expired-username' },
    { name: 'a wrong password', make: (h: Harness) => h.client({ password: 'not-the-rest-password' }), code: 401, reason: 'bad-integrity' },
  ])('rejects $name with 401, a fresh nonce and an auth-failed event', ({ make, code, reason }) => {
    const h = new Harness();
    const client = make(h);
    const { response } = client.allocate();
    expect(response.errorCode).toBe(code);
    expect(response.get(NONCE)).toBeDefined();
    expect(response.get(REALM)).toBe(REALM_NAME);
    expect(h.eventsOf('auth-failed')).toEqual([expect.objectContaining({ reason, sessionId: 'session-1' })]);
    expect(h.core.allocations()).toEqual([]);
  });

  it('rejects a username that is not in the REST format with 401', () => {
    const h = new Harness();
    const client = new TestClient(h, { transport: 'udp', client: { ip: '192.0.2.10', port: 40000 }, server: SERVER }, 'alice', 'pw');
    expect(client.allocate().response.errorCode).toBe(401);
    expect(h.eventsOf('auth-failed')[0]?.reason).toBe('malformed-username');
  });

  it('rejects a wrong realm with 401', () => {
    const h = new Harness();
    const client = h.client();
    client.factory.realm = 'other';
    client.factory.nonce = 'x';
    client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes)); // 438 (nonce), learn
    client.factory.nonce = undefined;
    const first = client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes));
    client.factory.learn(first);
    client.factory.realm = 'other';
    expect(client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes)).errorCode).toBe(401);
    expect(h.eventsOf('auth-failed')[0]?.reason).toBe('wrong-realm');
  });

  it('answers 438 Stale Nonce once the nonce expired, and the client recovers with the new nonce', () => {
    const h = new Harness({ nonceTtlS: 60 });
    const client = h.client();
    expect(client.allocate().response.errorCode).toBeNull();
    h.nowMs += 61_000;
    const stale = client.responseIn(client.send(client.factory.request(T.METHOD_REFRESH, []).bytes));
    expect(stale.errorCode).toBe(438);
    client.factory.learn(stale);
    expect(client.responseIn(client.send(client.factory.request(T.METHOD_REFRESH, []).bytes)).errorCode).toBeNull();
  });

  it('answers 438 to a nonce it never issued', () => {
    const h = new Harness();
    const client = h.client();
    client.factory.realm = REALM_NAME;
    client.factory.nonce = 'forged.000000000000000000000000';
    expect(client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes)).errorCode).toBe(438);
  });

  it('answers 400 to MESSAGE-INTEGRITY without USERNAME, REALM and NONCE', () => {
    const h = new Harness();
    const client = h.client();
    const bytes = encodeMessage(
      { cls: 'request', method: T.METHOD_ALLOCATE, transactionId: client.factory.nextTransactionId(), attributes: ALLOCATE_UDP },
      { integrity: { key: new Uint8Array(16), crypto: testCrypto } },
    );
    expect(client.responseIn(client.send(bytes)).errorCode).toBe(400);
  });

  it('answers 441 when a request on an allocation uses another username', () => {
    const h = new Harness();
    const owner = h.client({ sessionId: 'owner' });
    owner.allocate();
    const intruder = h.client({ sessionId: 'intruder' });
    expect(intruder.createPermission({ ip: RELAY_IP, port: 1 }).response.errorCode).toBe(441);
    expect(h.eventsOf('auth-failed')).toEqual([expect.objectContaining({ reason: 'wrong-username', sessionId: 'intruder' })]);
  });
});

describe('Allocate (RFC 8656 §7.2)', () => {
  it.each([
    { name: 'no REQUESTED-TRANSPORT (step 3)', attrs: [] as OutgoingAttribute[], code: 400 },
    { name: 'TCP as REQUESTED-TRANSPORT (step 3)', attrs: [attr(REQUESTED_TRANSPORT, 6)], code: 442 },
    { name: 'DONT-FRAGMENT, which Node cannot honour (step 4)', attrs: [...ALLOCATE_UDP, attr(DONT_FRAGMENT, true)], code: 420 },
    { name: 'a RESERVATION-TOKEN (step 5)', attrs: [...ALLOCATE_UDP, attr(RESERVATION_TOKEN, new Uint8Array(8))], code: 508 },
    {
      name: 'a RESERVATION-TOKEN with EVEN-PORT (step 5)',
      attrs: [...ALLOCATE_UDP, attr(RESERVATION_TOKEN, new Uint8Array(8)), attr(EVEN_PORT, { reserve: false })],
      code: 400,
    },
    {
      name: 'both REQUESTED- and ADDITIONAL-ADDRESS-FAMILY (step 6)',
      attrs: [...ALLOCATE_UDP, attr(REQUESTED_ADDRESS_FAMILY, 0x01), attr(ADDITIONAL_ADDRESS_FAMILY, 0x02)],
      code: 400,
    },
    { name: 'an IPv6 relay (step 7)', attrs: [...ALLOCATE_UDP, attr(REQUESTED_ADDRESS_FAMILY, 0x02)], code: 440 },
    { name: 'EVEN-PORT with the R bit (step 8)', attrs: [...ALLOCATE_UDP, attr(EVEN_PORT, { reserve: true })], code: 508 },
    { name: 'ADDITIONAL-ADDRESS-FAMILY IPv4 (step 9)', attrs: [...ALLOCATE_UDP, attr(ADDITIONAL_ADDRESS_FAMILY, 0x01)], code: 400 },
    { name: 'a malformed LIFETIME', attrs: [...ALLOCATE_UDP, rawAttribute(T.ATTR_LIFETIME, new Uint8Array(3))], code: 400 },
  ])('rejects $name with $code', ({ attrs, code }) => {
    const h = new Harness();
    const client = h.client();
    const { response, actions } = client.allocate(attrs);
    expect(response.errorCode).toBe(code);
    expect(actions.some((a) => a.type === 'allocate')).toBe(false);
    expect(verifyMessageIntegrity(response.message, client.key, testCrypto)).toBe(true);
    if (code === 420) expect(response.get(UNKNOWN_ATTRIBUTES)).toEqual([T.ATTR_DONT_FRAGMENT]);
  });

  it('allocates an even port for EVEN-PORT without the R bit', () => {
    const h = new Harness();
    const client = h.client();
    const raw = h.core.handleClientMessage({ data: client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes, tuple: client.tuple, nowMs: h.nowMs });
    client.factory.learn(client.responseIn(raw));
    const actions = h.core.handleClientMessage({
      data: client.factory.request(T.METHOD_ALLOCATE, [...ALLOCATE_UDP, attr(EVEN_PORT, { reserve: false })]).bytes,
      tuple: client.tuple,
      nowMs: h.nowMs,
    });
    expect(actions).toEqual([expect.objectContaining({ type: 'allocate', evenPort: true })]);
  });

  it('gives the IPv4 half of a dual allocation and reports 440 for IPv6 in ADDRESS-ERROR-CODE (step 9)', () => {
    const h = new Harness();
    const { response } = h.client().allocate([...ALLOCATE_UDP, attr(ADDITIONAL_ADDRESS_FAMILY, 0x02)]);
    expect(response.errorCode).toBeNull();
    expect(response.get(ADDRESS_ERROR_CODE)).toEqual({ family: 0x02, code: 440, reason: 'IPv6 relaying is not offered' });
  });

  it('answers 437 to a second Allocate on the same 5-tuple but repeats the response to a retransmission', () => {
    const h = new Harness();
    const client = h.client();
    client.allocate();
    const retransmit = client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP);
    const first = client.send(retransmit.bytes);
    expect(client.responseIn(first).errorCode).toBe(437);
    const original = h.core.allocations()[0]!;
    expect(original.relay.port).toBe(50000);
    // A retransmission of the original request (same transaction ID) gets the original success again.
    const h2 = new Harness();
    const c2 = h2.client();
    c2.factory.learn(c2.responseIn(c2.send(c2.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes)));
    const request = c2.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP);
    const success = c2.responseIn(c2.send(request.bytes));
    const again = c2.responseIn(c2.send(c2.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { transactionId: request.transactionId }).bytes));
    expect(again.message.raw).toEqual(success.message.raw);
    expect(h2.core.allocations()).toHaveLength(1);
  });

  it('answers 508 when the adapter finds no relay port', () => {
    const h = new Harness();
    const { response } = h.client().allocate(ALLOCATE_UDP, { noRelay: true });
    expect(response.errorCode).toBe(508);
    expect(h.eventsOf('allocation-refused')).toEqual([expect.objectContaining({ code: 508 })]);
  });

  it('answers 486 past the per-client-IP quota, counting allocations still being set up', () => {
    const h = new Harness({ maxAllocationsPerClient: 2 });
    expect(h.client({ port: 40001 }).allocate().response.errorCode).toBeNull();
    // The second is left pending (no commit yet) and still counts.
    const pendingClient = h.client({ port: 40002 });
    pendingClient.factory.learn(pendingClient.responseIn(pendingClient.send(pendingClient.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes)));
    const pending = h.core.handleClientMessage({ data: pendingClient.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes, tuple: pendingClient.tuple, nowMs: h.nowMs });
    expect(pending[0]?.type).toBe('allocate');
    const third = h.client({ port: 40003 });
    expect(third.allocate().response.errorCode).toBe(486);
    expect(h.client({ ip: '192.0.2.11' }).allocate().response.errorCode).toBeNull();
    // Deleting one frees a slot.
    const first = h.client({ port: 40001 });
    first.factory.realm = REALM_NAME;
    first.factory.nonce = third.factory.nonce;
    expect(first.request(T.METHOD_REFRESH, [attr(LIFETIME, 0)]).response.errorCode).toBeNull();
    expect(h.client({ port: 40004 }).allocate().response.errorCode).toBeNull();
  });

  it('ignores a retransmitted Allocate while the relay is still being bound', () => {
    const h = new Harness();
    const client = h.client();
    client.factory.learn(client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes)));
    const request = client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP);
    expect(h.core.handleClientMessage({ data: request.bytes, tuple: client.tuple, nowMs: h.nowMs })[0]?.type).toBe('allocate');
    expect(h.core.handleClientMessage({ data: request.bytes, tuple: client.tuple, nowMs: h.nowMs })).toEqual([
      { type: 'ignore', reason: 'Allocate already in progress on this 5-tuple' },
    ]);
  });
});

describe('MTU ladder through the relay (allocateResponseSize)', () => {
  const sizeOf = (tag: string): number | null => sizeOfMtuTurnTag(tag);
  const sendsOf = (actions: TurnAction[]) => actions.filter((a): a is Extract<TurnAction, { type: 'send' }> => a.type === 'send');

  it('pads the Allocate success response to the exact IPv4 datagram size its username tag names, still signed', () => {
    const h = new Harness({ allocateResponseSize: sizeOf });
    const client = h.client({ sessionId: 'sess-1:mtu1280' });
    const { response, actions } = client.allocate();
    expect(response.errorCode).toBeNull();
    expect(sendsOf(actions)[0]!.data.length + 28).toBe(1280);
    expect(response.get(XOR_RELAYED_ADDRESS)).toEqual({ ip: RELAY_IP, port: 50000 });
    expect(verifyMessageIntegrity(response.message, client.key, testCrypto)).toBe(true);
    expect(verifyFingerprint(response.message)).toBe(true);
    // The tag is not part of the session id: observations still land in the session.
    expect(h.eventsOf('allocation-created')).toEqual([expect.objectContaining({ sessionId: 'sess-1', paddedToBytes: 1280 })]);
  });

  it('repeats the same padded response to a retransmitted Allocate', () => {
    const h = new Harness({ allocateResponseSize: sizeOf });
    const client = h.client({ sessionId: 'sess-1:mtu1400' });
    client.factory.learn(client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes)));
    const request = client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP);
    const first = sendsOf(client.send(request.bytes))[0]!.data;
    const again = sendsOf(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { transactionId: request.transactionId }).bytes))[0]!.data;
    expect(first.length + 28).toBe(1400);
    expect(again).toEqual(first);
  });

  it('counts the 40-byte IPv6 header for an IPv6 client', () => {
    const h = new Harness({ allocateResponseSize: sizeOf });
    const client = h.client({ sessionId: 'sess-1:mtu1500', ip: '2001:db8::10' });
    const { actions } = client.allocate();
    expect(sendsOf(actions)[0]!.data.length + 48).toBe(1500);
  });

  it.each([
    { name: 'over TCP (a stream has no datagram size)', options: { allocateResponseSize: sizeOf }, client: { sessionId: 'sess-1:mtu1280', transport: 'tcp' as const } },
    { name: 'without the option', options: {}, client: { sessionId: 'sess-1:mtu1280' } },
    { name: 'for a tag that names no size', options: { allocateResponseSize: sizeOf }, client: { sessionId: 'sess-1:other' } },
    { name: 'when the size is smaller than the response itself', options: { allocateResponseSize: () => 64 }, client: { sessionId: 'sess-1:mtu64' } },
  ])('sends the ordinary response $name', ({ options, client: clientOptions }) => {
    const h = new Harness(options);
    const client = h.client(clientOptions);
    const { response, actions } = client.allocate();
    expect(response.errorCode).toBeNull();
    expect(sendsOf(actions)[0]!.data.length).toBeLessThan(200);
    expect(h.eventsOf('allocation-created')[0]).not.toHaveProperty('paddedToBytes');
  });
});

describe('lifetimes with a fake clock', () => {
  it.each([
    { maxLifetimeS: 600, requested: 3600, granted: 600 },
    { maxLifetimeS: 1200, requested: 3600, granted: 1200 },
    { maxLifetimeS: 1200, requested: 900, granted: 900 },
    { maxLifetimeS: 600, requested: 30, granted: 600 },
    { maxLifetimeS: 120, requested: undefined, granted: 120 },
  ])('grants $granted s for LIFETIME $requested with a $maxLifetimeS s maximum', ({ maxLifetimeS, requested, granted }) => {
    const h = new Harness({ maxLifetimeS });
    const attrs = requested === undefined ? ALLOCATE_UDP : [...ALLOCATE_UDP, attr(LIFETIME, requested)];
    expect(h.client().allocate(attrs).response.get(LIFETIME)).toBe(granted);
  });

  it('expires an allocation at its lifetime and releases the relay, unless refreshed', () => {
    const h = new Harness();
    const client = h.client({ sessionId: 'expiry' });
    client.allocate();
    h.nowMs += 599_000;
    expect(h.core.tick(h.nowMs)).toEqual([]);
    expect(client.request(T.METHOD_REFRESH, [attr(LIFETIME, 600)]).response.get(LIFETIME)).toBe(600);
    h.nowMs += 599_000;
    expect(h.core.tick(h.nowMs)).toEqual([]);
    h.nowMs += 1_000;
    expect(h.core.tick(h.nowMs)).toEqual([{ type: 'release', allocationId: 1, relay: { ip: RELAY_IP, port: 50000 } }]);
    expect(h.eventsOf('allocation-ended')).toEqual([expect.objectContaining({ reason: 'expired', sessionId: 'expiry' })]);
    expect(client.request(T.METHOD_REFRESH, []).response.errorCode).toBe(437);
  });

  it('deletes an allocation on Refresh with LIFETIME 0', () => {
    const h = new Harness();
    const client = h.client();
    client.allocate();
    const { response, actions } = client.request(T.METHOD_REFRESH, [attr(LIFETIME, 0)]);
    expect(response.get(LIFETIME)).toBe(0);
    expect(actions).toContainEqual({ type: 'release', allocationId: 1, relay: { ip: RELAY_IP, port: 50000 } });
    expect(h.eventsOf('allocation-ended')[0]?.reason).toBe('deleted');
  });

  it('answers 437 to Refresh, CreatePermission and ChannelBind without an allocation', () => {
    const h = new Harness();
    const client = h.client();
    expect(client.request(T.METHOD_REFRESH).response.errorCode).toBe(437);
    expect(client.createPermission({ ip: RELAY_IP, port: 0 }).response.errorCode).toBe(437);
    expect(client.channelBind(0x4000, { ip: RELAY_IP, port: 50001 }).response.errorCode).toBe(437);
  });

  it('ends the allocation when its TCP connection closes', () => {
    const h = new Harness();
    const client = h.client({ transport: 'tcp' });
    client.allocate();
    expect(h.core.handleConnectionClosed(client.tuple, h.nowMs)).toEqual([{ type: 'release', allocationId: 1, relay: { ip: RELAY_IP, port: 50000 } }]);
    expect(h.eventsOf('allocation-ended')[0]?.reason).toBe('connection-closed');
  });

  it('hands back a relay bound after its connection closed', () => {
    const h = new Harness();
    const client = h.client({ transport: 'tcp' });
    client.factory.learn(client.responseIn(client.send(client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP, { authenticate: false }).bytes)));
    const [allocate] = h.core.handleClientMessage({ data: client.factory.request(T.METHOD_ALLOCATE, ALLOCATE_UDP).bytes, tuple: client.tuple, nowMs: h.nowMs });
    h.core.handleConnectionClosed(client.tuple, h.nowMs);
    expect(allocate?.type).toBe('allocate');
    if (allocate?.type !== 'allocate') return;
    expect(h.core.commitAllocation(allocate.allocationId, { ip: RELAY_IP, port: 50123 }, h.nowMs)).toEqual([
      { type: 'release', allocationId: allocate.allocationId, relay: { ip: RELAY_IP, port: 50123 } },
    ]);
  });
});

describe('never an open relay', () => {
  let h: Harness;
  let a: TestClient;
  let b: TestClient;
  beforeEach(() => {
    h = new Harness({ allowedPeers: [{ ip: '198.51.100.7', portMin: 60000, portMax: 60010 }] });
    a = h.client({ port: 41000, sessionId: 'a' });
    b = h.client({ port: 41001, sessionId: 'b' });
    a.allocate();
    b.allocate();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.5', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.10', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['239.255.255.250', 'multicast'],
    ['203.0.113.99', 'not-allowed'],
  ])('rejects a CreatePermission for %s with 403 (%s)', (ip, reason) => {
    const { response } = a.createPermission({ ip, port: 9 });
    expect(response.errorCode).toBe(403);
    expect(h.eventsOf('permission-refused')).toEqual([expect.objectContaining({ via: 'CreatePermission', peer: { ip }, reason, sessionId: 'a' })]);
  });

  it('rejects an IPv6 peer on an IPv4 relay with 443 (RFC 8656 §10.2 requires 443 over 403)', () => {
    expect(a.createPermission({ ip: '2001:db8::1', port: 9 }).response.errorCode).toBe(443);
    expect(a.channelBind(0x4001, { ip: '::ffff:127.0.0.1', port: 9 }).response.errorCode).toBe(443);
  });

  it('installs no permission when one of several peers is refused', () => {
    expect(a.createPermission({ ip: RELAY_IP, port: 0 }, { ip: '10.0.0.1', port: 0 }).response.errorCode).toBe(403);
    expect(h.core.allocations()[0]?.permissions).toEqual([]);
  });

  it('allows a CreatePermission for its own relay IP and an allowed media-peer IP', () => {
    const { response } = a.createPermission({ ip: RELAY_IP, port: 0 }, { ip: '198.51.100.7', port: 0 });
    expect(response.errorCode).toBeNull();
    expect(h.core.allocations()[0]?.permissions).toEqual([RELAY_IP, '198.51.100.7']);
  });

  it('relays a Send to another live relay of this server and drops one to a dead port on the same IP', () => {
    a.createPermission(b.relay!);
    expect(a.sendIndication(b.relay!, Uint8Array.of(1, 2, 3))).toEqual([
      { type: 'send-relay', relay: a.relay, peer: b.relay, data: Uint8Array.of(1, 2, 3) },
    ]);
    expect(a.sendIndication({ ip: RELAY_IP, port: 22 }, Uint8Array.of(1))[0]?.type).toBe('ignore');
    expect(h.eventsOf('permission-refused')).toEqual([expect.objectContaining({ via: 'Send', peer: { ip: RELAY_IP, port: 22 }, reason: 'not-allowed' })]);
  });

  it('drops a Send to a peer without permission', () => {
    expect(a.sendIndication(b.relay!, Uint8Array.of(1))[0]).toEqual({ type: 'ignore', reason: `no permission for ${RELAY_IP}` });
  });

  it.each([
    { peer: { ip: '198.51.100.7', port: 60000 }, code: null },
    { peer: { ip: '198.51.100.7', port: 60011 }, code: 403 },
    { peer: { ip: '127.0.0.1', port: 3000 }, code: 403 },
    { peer: { ip: RELAY_IP, port: 50999 }, code: 403 },
  ])('answers ChannelBind to $peer.ip:$peer.port with $code', ({ peer, code }) => {
    expect(a.channelBind(0x4000, peer).response.errorCode).toBe(code);
  });

  it('refuses loopback ports other than its own relays even when the relay IP is loopback', () => {
    const lo = new Harness({ relayIps: ['127.0.0.1'] });
    const c = lo.client({ port: 42000 });
    const d = lo.client({ port: 42001 });
    c.allocate();
    d.allocate();
    expect(c.createPermission({ ip: '127.0.0.1', port: 0 }).response.errorCode).toBeNull();
    expect(c.channelBind(0x4000, { ip: '127.0.0.1', port: 22 }).response.errorCode).toBe(403);
    expect(c.sendIndication({ ip: '127.0.0.1', port: 6379 }, Uint8Array.of(1))[0]?.type).toBe('ignore');
    expect(c.channelBind(0x4000, d.relay!).response.errorCode).toBeNull();
    const viaChannel = c.send(encodeChannelData(0x4000, Uint8Array.of(9), { pad: false }));
    expect(viaChannel).toEqual([{ type: 'send-relay', relay: c.relay, peer: d.relay, data: Uint8Array.of(9) }]);
  });

  it('drops data arriving at a relay from a peer without permission, and from an unknown port on a permitted IP', () => {
    const fromB = h.core.handlePeerDatagram({ relay: a.relay!, peer: b.relay!, data: Uint8Array.of(5), nowMs: h.nowMs });
    expect(fromB[0]?.type).toBe('ignore');
    a.createPermission(b.relay!);
    const stranger = h.core.handlePeerDatagram({ relay: a.relay!, peer: { ip: RELAY_IP, port: 12345 }, data: Uint8Array.of(5), nowMs: h.nowMs });
    expect(stranger[0]?.type).toBe('ignore');
    expect(h.core.allocations()[0]?.counters.packetsDropped).toBe(2);
  });
});

describe('ChannelBind (RFC 8656 §12.2) and relaying', () => {
  let h: Harness;
  let a: TestClient;
  let b: TestClient;
  beforeEach(() => {
    h = new Harness();
    a = h.client({ port: 43000, sessionId: 'a' });
    b = h.client({ port: 43001, sessionId: 'b', transport: 'tcp' });
    a.allocate();
    b.allocate();
  });

  it.each([
    { name: 'a channel below 0x4000', channel: 0x3fff, code: 400 },
    { name: 'a channel above 0x7FFF', channel: 0x8000, code: 400 },
    { name: 'channel 0x4000', channel: 0x4000, code: null },
    { name: 'channel 0x7FFF (RFC 5766 range, used by Chrome)', channel: 0x7fff, code: null },
  ])('answers $name with $code', ({ channel, code }) => {
    expect(a.channelBind(channel, b.relay!).response.errorCode).toBe(code);
  });

  it('answers 400 without CHANNEL-NUMBER or XOR-PEER-ADDRESS', () => {
    expect(a.request(T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4000)]).response.errorCode).toBe(400);
    expect(a.request(T.METHOD_CHANNEL_BIND, [attr(XOR_PEER_ADDRESS, b.relay!)]).response.errorCode).toBe(400);
  });

  it('refreshes a binding to the same peer but refuses rebinding the channel or the peer elsewhere', () => {
    const c = h.client({ port: 43002 });
    c.allocate();
    expect(a.channelBind(0x4000, b.relay!).response.errorCode).toBeNull();
    expect(a.channelBind(0x4000, b.relay!).response.errorCode).toBeNull();
    expect(a.channelBind(0x4000, c.relay!).response.errorCode).toBe(400);
    expect(a.channelBind(0x4001, b.relay!).response.errorCode).toBe(400);
    expect(h.eventsOf('channel-bound')).toHaveLength(1);
  });

  it('installs a permission, relays ChannelData both ways and pads it over TCP', () => {
    expect(a.channelBind(0x4000, b.relay!).response.errorCode).toBeNull();
    expect(b.channelBind(0x5000, a.relay!).response.errorCode).toBeNull();
    const out = a.send(encodeChannelData(0x4000, Uint8Array.of(1, 2, 3), { pad: false }));
    expect(out).toEqual([{ type: 'send-relay', relay: a.relay, peer: b.relay, data: Uint8Array.of(1, 2, 3) }]);
    const toB = h.core.handlePeerDatagram({ relay: b.relay!, peer: a.relay!, data: Uint8Array.of(1, 2, 3), nowMs: h.nowMs });
    expect(toB).toHaveLength(1);
    const framed = toB[0]?.type === 'send' ? toB[0].data : new Uint8Array(0);
    expect(framed.length).toBe(8);
    expect(decodeChannelData(framed)).toEqual({ channel: 0x5000, data: Uint8Array.of(1, 2, 3) });
  });

  it('relays peer data as a Data indication when no channel is bound', () => {
    a.createPermission(b.relay!);
    const actions = h.core.handlePeerDatagram({ relay: a.relay!, peer: b.relay!, data: Uint8Array.of(7, 7), nowMs: h.nowMs });
    const send = actions[0];
    expect(send?.type).toBe('send');
    if (send?.type !== 'send') return;
    const indication = decodeResponse(send.data);
    expect(indication.message.cls).toBe('indication');
    expect(indication.message.method).toBe(T.METHOD_DATA);
    expect(indication.get(XOR_PEER_ADDRESS)).toEqual(b.relay);
    expect(indication.get(DATA)).toEqual(Uint8Array.of(7, 7));
  });

  it('drops ChannelData on an unbound channel and ChannelData without an allocation', () => {
    expect(a.send(encodeChannelData(0x4444, Uint8Array.of(1), { pad: false }))[0]?.type).toBe('ignore');
    const stranger = h.client({ port: 49999 });
    expect(stranger.send(encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }))[0]?.type).toBe('ignore');
  });

  it('stops relaying when the permission (300 s) lapses and the channel (600 s) expires', () => {
    a.channelBind(0x4000, b.relay!);
    h.nowMs += 299_000;
    expect(a.send(encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }))[0]?.type).toBe('send-relay');
    h.nowMs += 1_000;
    expect(a.send(encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }))[0]?.type).toBe('ignore');
    // Refresh of the allocation keeps it alive; the channel expires at 600 s and the number becomes free again.
    a.request(T.METHOD_REFRESH, []);
    b.request(T.METHOD_REFRESH, []);
    h.nowMs += 300_000;
    h.core.tick(h.nowMs);
    expect(h.core.allocations().find((x) => x.sessionId === 'a')?.channels).toEqual([]);
    const c = h.client({ port: 43005 });
    c.allocate();
    expect(a.channelBind(0x4000, c.relay!).response.errorCode).toBeNull();
  });

  it('counts relayed packets and reports them when the allocation ends', () => {
    a.channelBind(0x4000, b.relay!);
    a.send(encodeChannelData(0x4000, Uint8Array.of(1, 2), { pad: false }));
    a.request(T.METHOD_REFRESH, [attr(LIFETIME, 0)]);
    expect(h.eventsOf('allocation-ended')[0]?.counters).toEqual({ packetsToPeer: 1, bytesToPeer: 2, packetsFromPeer: 0, bytesFromPeer: 0, packetsDropped: 0 });
  });
});

describe('robustness', () => {
  it('never throws and only answers with well-formed STUN for arbitrary client bytes', () => {
    const h = new Harness();
    const client = h.client();
    client.allocate();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, stunOnly) => {
        const actions = h.core.handleClientMessage({ data: bytes, tuple: client.tuple, nowMs: h.nowMs, stunOnly });
        for (const action of actions) if (action.type === 'send') decodeResponse(action.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws for arbitrary STUN-shaped requests and peer datagrams', () => {
    const h = new Harness();
    const client = h.client();
    client.allocate();
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 4, 6, 8, 9, 0x7ff),
        fc.array(fc.record({ type: fc.constantFrom(0x0c, 0x0d, 0x12, 0x13, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x22, 0x8000, 0x06, 0x14, 0x15), value: fc.uint8Array({ maxLength: 24 }) }), { maxLength: 5 }),
        (method, attrs) => {
          const bytes = client.factory.request(method, attrs.map((x) => rawAttribute(x.type, x.value))).bytes;
          expect(Array.isArray(h.core.handleClientMessage({ data: bytes, tuple: client.tuple, nowMs: h.nowMs }))).toBe(true);
          expect(Array.isArray(h.core.handlePeerDatagram({ relay: client.relay!, peer: { ip: RELAY_IP, port: 1 }, data: bytes, nowMs: h.nowMs }))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps working when the event listener throws', () => {
    const h = new Harness({ onEvent: () => {
      throw new Error('listener bug');
    } });
    expect(h.client().allocate().response.errorCode).toBeNull();
  });

  it('closeAll releases every relay and reports server-closed', () => {
    const h = new Harness();
    h.client({ port: 1 }).allocate();
    h.client({ port: 2 }).allocate();
    expect(h.core.closeAll().map((a) => a.type)).toEqual(['release', 'release']);
    expect(h.eventsOf('allocation-ended').map((e) => e.reason)).toEqual(['server-closed', 'server-closed']);
  });
});
