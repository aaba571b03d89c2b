// The core's traffic counters (read by the adapter for /metrics): requests by answer, indications, relayed totals.
import { describe, expect, it } from 'vitest';
import { attr } from '../stun/attributes';
import * as C from '../stun/constants';
import type { Endpoint } from '../stun/ip';
import { testCrypto } from '../stun/testing/node-crypto';
import { DATA, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from './attributes';
import * as T from './constants';
import { computeRestPassword } from './rest-auth';
import { TurnServerCore, type FiveTuple, type TurnAction } from './server';
import { decodeResponse, TurnMessageFactory } from './testing/turn-client';

const SECRET = 'traffic-test-secret-0123456789';
const SERVER: Endpoint = { ip: '198.51.100.1', port: 3478 };
const RELAY_IP = '203.0.113.5';
const NOW_MS = 1_700_000_000_000;

function makeCore(): TurnServerCore {
  return new TurnServerCore({ realm: 'netready', secret: SECRET, crypto: testCrypto, nonceKey: new Uint8Array(32).fill(7), relayIps: [RELAY_IP] });
}

/** One client of the core: sends a request, settles `allocate` actions with a relay port, returns the response. */
function clientOf(core: TurnServerCore, transport: FiveTuple['transport'], port: number, relayPort: number) {
  const username = `${NOW_MS / 1000 + 600}:traffic`;
  const factory = new TurnMessageFactory({ crypto: testCrypto, username, password: computeRestPassword(testCrypto, SECRET, username), seed: port });
  const tuple: FiveTuple = { transport, client: { ip: '192.0.2.10', port }, server: SERVER };
  const settle = (actions: TurnAction[]): TurnAction[] =>
    actions.flatMap((a) => (a.type === 'allocate' ? settle(core.commitAllocation(a.allocationId, { ip: RELAY_IP, port: relayPort }, NOW_MS)) : [a]));
  const answer = (bytes: Uint8Array) => {
    const sent = settle(core.handleClientMessage({ data: bytes, tuple, nowMs: NOW_MS })).find((a) => a.type === 'send');
    return sent && sent.type === 'send' ? decodeResponse(sent.data) : null;
  };
  const request = (method: number, attributes = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]) => {
    let response = answer(factory.request(method, attributes).bytes);
    if (response && (response.errorCode === 401 || response.errorCode === 438) && factory.learn(response)) response = answer(factory.request(method, attributes).bytes);
    return response;
  };
  return { factory, tuple, answer, request };
}

describe('TurnServerCore.traffic', () => {
  it('counts Binding requests by transport, and the 401 challenge and success of an Allocate by answer', () => {
    const core = makeCore();
    const udp = clientOf(core, 'udp', 40000, 50000);
    const tls = clientOf(core, 'tls', 40001, 50002);
    udp.answer(udp.factory.request(C.METHOD_BINDING, [], { authenticate: false }).bytes);
    tls.answer(tls.factory.request(C.METHOD_BINDING, [], { authenticate: false }).bytes);
    expect(udp.request(T.METHOD_ALLOCATE)?.errorCode).toBeNull();
    const counts = core.traffic().messages;
    expect(counts).toEqual(
      expect.arrayContaining([
        { transport: 'udp', cls: 'request', method: 'Binding', response: 'success', count: 1 },
        { transport: 'tls', cls: 'request', method: 'Binding', response: 'success', count: 1 },
        { transport: 'udp', cls: 'request', method: 'Allocate', response: '401', count: 1 },
        { transport: 'udp', cls: 'request', method: 'Allocate', response: 'success', count: 1 },
      ]),
    );
    expect(counts).toHaveLength(4);
  });

  it('names an unknown method "unknown", so arbitrary method numbers cannot grow the label set', () => {
    const core = makeCore();
    const client = clientOf(core, 'udp', 40000, 50000);
    for (const method of [0x0123, 0x0456, 0x0789]) client.answer(client.factory.request(method, [], { authenticate: false }).bytes);
    expect(core.traffic().messages).toEqual([{ transport: 'udp', cls: 'request', method: 'unknown', response: '400', count: 3 }]);
  });

  it('sums relayed datagrams and bytes per transport, and counts Send indications and drops', () => {
    const core = makeCore();
    const a = clientOf(core, 'tcp', 40000, 50000);
    const b = clientOf(core, 'udp', 40001, 50002);
    const relayA = a.request(T.METHOD_ALLOCATE)!.get(XOR_RELAYED_ADDRESS)!;
    const relayB = b.request(T.METHOD_ALLOCATE)!.get(XOR_RELAYED_ADDRESS)!;
    expect(a.request(T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayB)])?.errorCode).toBeNull();
    // A Send to B's relay is relayed (5 bytes client → peer); B's relay receives it from A's relay.
    a.answer(a.factory.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, relayB), attr(DATA, new Uint8Array(5))]));
    // B has no permission for A's relay yet: dropped at B's relay.
    core.handlePeerDatagram({ relay: relayB, peer: relayA, data: new Uint8Array(5), nowMs: NOW_MS });
    expect(b.request(T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayA)])?.errorCode).toBeNull();
    core.handlePeerDatagram({ relay: relayB, peer: relayA, data: new Uint8Array(7), nowMs: NOW_MS });
    const { relayed, messages } = core.traffic();
    expect(relayed.tcp).toEqual({ packetsToPeer: 1, bytesToPeer: 5, packetsFromPeer: 0, bytesFromPeer: 0, packetsDropped: 0 });
    expect(relayed.udp).toEqual({ packetsToPeer: 0, bytesToPeer: 0, packetsFromPeer: 1, bytesFromPeer: 7, packetsDropped: 1 });
    expect(relayed.tls).toEqual({ packetsToPeer: 0, bytesToPeer: 0, packetsFromPeer: 0, bytesFromPeer: 0, packetsDropped: 0 });
    expect(messages).toContainEqual({ transport: 'tcp', cls: 'indication', method: 'Send', response: 'none', count: 1 });
    expect(messages).toContainEqual({ transport: 'tcp', cls: 'request', method: 'CreatePermission', response: 'success', count: 1 });
  });

  it('keeps relayed totals after the allocation ends', () => {
    const core = makeCore();
    const a = clientOf(core, 'udp', 40000, 50000);
    const b = clientOf(core, 'udp', 40001, 50002);
    a.request(T.METHOD_ALLOCATE);
    const relayB = b.request(T.METHOD_ALLOCATE)!.get(XOR_RELAYED_ADDRESS)!;
    a.request(T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayB)]);
    a.answer(a.factory.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, relayB), attr(DATA, new Uint8Array(9))]));
    core.closeAll();
    expect(core.allocations()).toEqual([]);
    expect(core.traffic().relayed.udp).toMatchObject({ packetsToPeer: 1, bytesToPeer: 9 });
  });
});
