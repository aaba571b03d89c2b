import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr } from '../stun/attributes';
import * as C from '../stun/constants';
import type { Endpoint } from '../stun/ip';
import { encodeMessage } from '../stun/message';
import { testCrypto } from '../stun/testing/node-crypto';
import { CHANNEL_NUMBER, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS } from './attributes';
import { encodeChannelData, writeChannelDataHeader } from './channel-data';
import * as T from './constants';
import { computeRestPassword } from './rest-auth';
import { TurnServerCore, type FastPeerAction, type FastUdpAction, type FiveTuple, type TurnAction } from './server';
import { decodeResponse, TurnMessageFactory } from './testing/turn-client';

const SECRET = 'unit-test-secret-0123456789';
const SERVER: Endpoint = { ip: '198.51.100.1', port: 3478 };
const CLIENT: Endpoint = { ip: '192.0.2.10', port: 40000 };
const PEER: Endpoint = { ip: '198.51.100.20', port: 5000 };
const START_MS = 1_700_000_000_000;
const TUPLE: FiveTuple = { transport: 'udp', client: CLIENT, server: SERVER };

function newCore(): TurnServerCore {
  return new TurnServerCore({
    realm: 'netready',
    secret: SECRET,
    crypto: testCrypto,
    nonceKey: new Uint8Array(32).fill(1),
    relayIps: ['203.0.113.5'],
    software: 'netready-test',
    allowedPeers: [{ ip: PEER.ip, portMin: PEER.port, portMax: PEER.port }],
  });
}

/** A core with one UDP allocation for CLIENT and channel 0x4000 bound to PEER, set up through the general path. */
function coreWithChannel(): TurnServerCore {
  const core = newCore();
  const username = `${Math.floor(START_MS / 1000) + 3600}:session-1`;
  const factory = new TurnMessageFactory({ crypto: testCrypto, username, password: computeRestPassword(testCrypto, SECRET, username) });
  const run = (actions: TurnAction[]): TurnAction[] =>
    actions.flatMap((a) => (a.type === 'allocate' ? run(core.commitAllocation(a.allocationId, { ip: '203.0.113.5', port: 50000 }, START_MS)) : [a]));
  const request = (method: number, attributes: Parameters<TurnMessageFactory['request']>[1]): number | null => {
    for (let attempt = 0; ; attempt++) {
      const sent = run(core.handleClientMessage({ data: factory.request(method, attributes).bytes, tuple: TUPLE, nowMs: START_MS })).find((a) => a.type === 'send');
      const response = decodeResponse((sent as Extract<TurnAction, { type: 'send' }>).data);
      if (attempt === 0 && response.errorCode === 401 && factory.learn(response)) continue;
      return response.errorCode;
    }
  };
  expect(request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)])).toBeNull();
  expect(request(T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4000), attr(XOR_PEER_ADDRESS, PEER)])).toBeNull();
  return core;
}

/** The fast path's answer in the general path's terms (copied: the fast action is rewritten by the next call). */
function asAction(fast: FastUdpAction, tuple: FiveTuple): TurnAction {
  return fast.type === 'reply'
    ? { type: 'send', tuple, data: new Uint8Array(fast.data) }
    : { type: 'send-relay', relay: { ...fast.relay }, peer: { ...fast.peer }, data: new Uint8Array(fast.data) };
}

function plainBinding(transactionId: Uint8Array): Uint8Array {
  return encodeMessage({ cls: 'request', method: C.METHOD_BINDING, transactionId, attributes: [] });
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));

describe('TurnServerCore.handleUdpFast', () => {
  it('answers a plain Binding request with the bytes the general path sends, and counts it the same', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), ipv4, fc.nat(65535), (id, ip, port) => {
        const fastCore = newCore();
        const generalCore = newCore();
        const tuple: FiveTuple = { transport: 'udp', client: { ip, port }, server: SERVER };
        const fast = fastCore.handleUdpFast(plainBinding(id), ip, port, SERVER, START_MS, false);
        expect(fast?.type).toBe('reply');
        expect([asAction(fast!, tuple)]).toEqual(generalCore.handleClientMessage({ data: plainBinding(id), tuple, nowMs: START_MS }));
        expect(fastCore.traffic()).toEqual(generalCore.traffic());
      }),
      { numRuns: 300 },
    );
  });

  it('reports each hot-path Binding to an event listener, as the general path does', () => {
    const events: unknown[] = [];
    const core = new TurnServerCore({ realm: 'r', secret: SECRET, crypto: testCrypto, nonceKey: new Uint8Array(32), relayIps: ['203.0.113.5'], onEvent: (e) => events.push(e) });
    expect(core.handleUdpFast(plainBinding(new Uint8Array(12)), CLIENT.ip, CLIENT.port, SERVER, START_MS, true)?.type).toBe('reply');
    expect(events).toEqual([{ type: 'binding', transport: 'udp', client: CLIENT, server: SERVER }]);
  });

  it('relays ChannelData on a bound channel exactly as the general path does, counters included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.nat(3), (payload, padding) => {
        const fastCore = coreWithChannel();
        const generalCore = coreWithChannel();
        const framed = new Uint8Array(4 + payload.length + padding);
        framed.set(encodeChannelData(0x4000, payload, { pad: false }));
        const fast = fastCore.handleUdpFast(framed, CLIENT.ip, CLIENT.port, SERVER, START_MS + 1000, false);
        expect(fast?.type).toBe('send-relay');
        expect([asAction(fast!, TUPLE)]).toEqual(generalCore.handleClientMessage({ data: framed, tuple: TUPLE, nowMs: START_MS + 1000 }));
        expect(fastCore.allocations()[0]!.counters).toEqual(generalCore.allocations()[0]!.counters);
        expect(fastCore.traffic()).toEqual(generalCore.traffic());
      }),
      { numRuns: 200 },
    );
  });

  it.each<[string, Uint8Array, Endpoint, number, boolean]>([
    ['ChannelData on an unbound channel', encodeChannelData(0x4001, Uint8Array.of(1), { pad: false }), CLIENT, START_MS, false],
    ['ChannelData from another client port', encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }), { ip: CLIENT.ip, port: CLIENT.port + 1 }, START_MS, false],
    ['ChannelData from another client IP', encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }), { ip: '192.0.2.11', port: CLIENT.port }, START_MS, false],
    ['ChannelData after the permission expired (RFC 8656 §9: 300 s)', encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }), CLIENT, START_MS + 301_000, false],
    ['ChannelData after the allocation expired', encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }), CLIENT, START_MS + 3_600_000, false],
    ['ChannelData on a STUN-only listener', encodeChannelData(0x4000, Uint8Array.of(1), { pad: false }), CLIENT, START_MS, true],
    ['ChannelData shorter than its length field', Uint8Array.of(0x40, 0x00, 0x00, 0x08, 1, 2), CLIENT, START_MS, false],
    ['ChannelData with more than 3 bytes of padding', Uint8Array.of(0x40, 0x00, 0x00, 0x01, 1, 0, 0, 0, 0), CLIENT, START_MS, false],
    ['a Binding request with attributes', encodeMessage({ cls: 'request', method: C.METHOD_BINDING, transactionId: new Uint8Array(12), attributes: [] }, { fingerprint: true }), CLIENT, START_MS, false],
    ['a Binding request from an IPv6 client', plainBinding(new Uint8Array(12)), { ip: '2001:db8::1', port: 4000 }, START_MS, false],
  ])('leaves %s to the general path', (_name, bytes, client, nowMs, stunOnly) => {
    const core = coreWithChannel();
    const before = core.allocations().map((a) => a.counters);
    expect(core.handleUdpFast(bytes, client.ip, client.port, SERVER, nowMs, stunOnly)).toBeNull();
    expect(core.allocations().map((a) => a.counters)).toEqual(before);
  });

  it('answers arbitrary bytes either not at all or exactly as the general path does', () => {
    const channelShaped = fc.tuple(fc.integer({ min: 0x40, max: 0x7f }), fc.uint8Array({ maxLength: 40 })).map(([first, rest]) => Uint8Array.of(first, ...rest));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 60 }), channelShaped), (bytes) => {
        const fastCore = coreWithChannel();
        const generalCore = coreWithChannel();
        const fast = fastCore.handleUdpFast(bytes, CLIENT.ip, CLIENT.port, SERVER, START_MS, false);
        if (fast) expect([asAction(fast, TUPLE)]).toEqual(generalCore.handleClientMessage({ data: bytes, tuple: TUPLE, nowMs: START_MS }));
        else expect(fastCore.allocations()).toEqual(generalCore.allocations());
      }),
      { numRuns: 1000 },
    );
  });
});

/** The bytes the adapter sends for a peer→client hot-path action: the header, then the data (one datagram). */
function framedByFastPath(fast: FastPeerAction): Uint8Array {
  const out = new Uint8Array(4 + fast.data.length);
  writeChannelDataHeader(out, fast.channel, fast.data.length);
  out.set(fast.data, 4);
  return out;
}

const RELAY: Endpoint = { ip: '203.0.113.5', port: 50000 };

describe('TurnServerCore.handlePeerFast', () => {
  it('frames data from the channel peer exactly as the general path does, to the same client, counters included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.integer({ min: 0, max: 299_999 }), (payload, afterMs) => {
        const fastCore = coreWithChannel();
        const generalCore = coreWithChannel();
        // Any time within the permission's 300 s (RFC 8656 §9).
        const nowMs = START_MS + afterMs;
        const fast = fastCore.handlePeerFast(RELAY.ip, RELAY.port, PEER.ip, PEER.port, payload, nowMs);
        expect(fast).not.toBeNull();
        const general = generalCore.handlePeerDatagram({ relay: RELAY, peer: PEER, data: payload, nowMs });
        expect(general).toEqual([{ type: 'send', tuple: TUPLE, data: framedByFastPath(fast!) }]);
        expect({ client: fast!.client, server: fast!.server }).toEqual({ client: TUPLE.client, server: TUPLE.server });
        expect(fastCore.allocations()[0]!.counters).toEqual(generalCore.allocations()[0]!.counters);
        expect(fastCore.traffic()).toEqual(generalCore.traffic());
      }),
      { numRuns: 200 },
    );
  });

  it.each<[string, string, number, Endpoint, number]>([
    ['a peer IP without a permission (RFC 8656 §9: never an open relay)', RELAY.ip, RELAY.port, { ip: '198.51.100.21', port: PEER.port }, START_MS],
    ['a permitted peer IP from a port without a channel (a Data indication)', RELAY.ip, RELAY.port, { ip: PEER.ip, port: PEER.port + 1 }, START_MS],
    ['data after the permission expired (300 s)', RELAY.ip, RELAY.port, PEER, START_MS + 301_000],
    ['data after the allocation expired', RELAY.ip, RELAY.port, PEER, START_MS + 3_600_000],
    ['data on a relay port without an allocation', RELAY.ip, RELAY.port + 1, PEER, START_MS],
    ['data on another relay IP with the same port', '203.0.113.6', RELAY.port, PEER, START_MS],
  ])('leaves %s to the general path and changes nothing', (_name, relayIp, relayPort, peer, nowMs) => {
    const core = coreWithChannel();
    const before = core.allocations();
    const trafficBefore = core.traffic();
    expect(core.handlePeerFast(relayIp, relayPort, peer.ip, peer.port, Uint8Array.of(1, 2, 3), nowMs)).toBeNull();
    expect(core.allocations()).toEqual(before);
    expect(core.traffic()).toEqual(trafficBefore);
  });

  it('leaves data for an allocation made over TCP to the general path (ChannelData over a stream is padded)', () => {
    const core = newCore();
    const tcpTuple: FiveTuple = { transport: 'tcp', client: CLIENT, server: SERVER };
    const username = `${Math.floor(START_MS / 1000) + 3600}:session-tcp`;
    const factory = new TurnMessageFactory({ crypto: testCrypto, username, password: computeRestPassword(testCrypto, SECRET, username) });
    const run = (actions: TurnAction[]): TurnAction[] =>
      actions.flatMap((a) => (a.type === 'allocate' ? run(core.commitAllocation(a.allocationId, RELAY, START_MS)) : [a]));
    const request = (method: number, attributes: Parameters<TurnMessageFactory['request']>[1]): number | null => {
      for (let attempt = 0; ; attempt++) {
        const sent = run(core.handleClientMessage({ data: factory.request(method, attributes).bytes, tuple: tcpTuple, nowMs: START_MS })).find((a) => a.type === 'send');
        const response = decodeResponse((sent as Extract<TurnAction, { type: 'send' }>).data);
        if (attempt === 0 && response.errorCode === 401 && factory.learn(response)) continue;
        return response.errorCode;
      }
    };
    expect(request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)])).toBeNull();
    expect(request(T.METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, 0x4000), attr(XOR_PEER_ADDRESS, PEER)])).toBeNull();
    expect(core.handlePeerFast(RELAY.ip, RELAY.port, PEER.ip, PEER.port, Uint8Array.of(1, 2, 3), START_MS)).toBeNull();
    const general = core.handlePeerDatagram({ relay: RELAY, peer: PEER, data: Uint8Array.of(1, 2, 3), nowMs: START_MS });
    expect(general).toEqual([{ type: 'send', tuple: tcpTuple, data: encodeChannelData(0x4000, Uint8Array.of(1, 2, 3), { pad: true }) }]);
  });

  it('answers data from arbitrary peers either not at all, leaving the state alone, or exactly as the general path does', () => {
    const peers = fc.oneof(
      fc.constant(PEER),
      fc.record({ ip: fc.constantFrom(PEER.ip, '198.51.100.21', '127.0.0.1', '10.0.0.1'), port: fc.oneof(fc.constant(PEER.port), fc.nat(65535)) }),
    );
    fc.assert(
      fc.property(peers, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 700_000 }), (peer, payload, afterMs) => {
        const fastCore = coreWithChannel();
        const generalCore = coreWithChannel();
        const nowMs = START_MS + afterMs;
        const fast = fastCore.handlePeerFast(RELAY.ip, RELAY.port, peer.ip, peer.port, payload, nowMs);
        const general = generalCore.handlePeerDatagram({ relay: RELAY, peer, data: payload, nowMs });
        if (fast) {
          expect(general).toEqual([{ type: 'send', tuple: TUPLE, data: framedByFastPath(fast) }]);
          expect(fastCore.traffic()).toEqual(generalCore.traffic());
        } else {
          expect(fastCore.allocations().map((a) => a.counters)).toEqual(coreWithChannel().allocations().map((a) => a.counters));
        }
      }),
      { numRuns: 500 },
    );
  });
});
