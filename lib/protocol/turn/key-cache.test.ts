import { describe, expect, it } from 'vitest';
import { attr } from '../stun/attributes';
import type { StunCrypto } from '../stun/crypto';
import { testCrypto } from '../stun/testing/node-crypto';
import { LIFETIME, REQUESTED_TRANSPORT } from './attributes';
import * as T from './constants';
import { LongTermKeyCache } from './key-cache';
import { computeRestPassword } from './rest-auth';
import { TurnServerCore, type FiveTuple, type TurnAction, type TurnEvent } from './server';
import { decodeResponse, TurnMessageFactory } from './testing/turn-client';

const KEY_A = Uint8Array.of(1);
const KEY_B = Uint8Array.of(2);
const START_MS = 1_700_000_000_000;
const SECRET = 'unit-test-secret-0123456789';

describe('LongTermKeyCache', () => {
  it('returns a kept key until its username expires, then forgets it', () => {
    const cache = new LongTermKeyCache();
    cache.set('u', KEY_A, START_MS + 1000);
    expect(cache.get('u', START_MS + 999)).toBe(KEY_A);
    expect(cache.get('u', START_MS + 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('prunes every expired entry, also ones kept after a live one', () => {
    const cache = new LongTermKeyCache();
    cache.set('live', KEY_A, START_MS + 5000);
    cache.set('expired', KEY_B, START_MS + 1000);
    cache.prune(START_MS + 1000);
    expect(cache.size).toBe(1);
    expect(cache.get('live', START_MS + 1000)).toBe(KEY_A);
  });

  it('never holds more than maxEntries, dropping the entry kept longest ago', () => {
    const cache = new LongTermKeyCache({ maxEntries: 2 });
    cache.set('first', KEY_A, START_MS + 1000);
    cache.set('second', KEY_A, START_MS + 1000);
    cache.set('third', KEY_B, START_MS + 1000);
    expect(cache.size).toBe(2);
    expect(cache.get('first', START_MS)).toBeUndefined();
    expect(cache.get('third', START_MS)).toBe(KEY_B);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new LongTermKeyCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

/** A core whose MD5 calls (one per long-term key derived) are counted, on a fake clock. */
function harness() {
  const counted = { md5: 0 };
  const crypto: StunCrypto = {
    hmacSha1: (key, data) => testCrypto.hmacSha1(key, data),
    md5: (data) => {
      counted.md5++;
      return testCrypto.md5(data);
    },
  };
  const events: TurnEvent[] = [];
  const clock = { nowMs: START_MS };
  const core = new TurnServerCore({ realm: 'netready', secret: SECRET, crypto, nonceKey: new Uint8Array(32).fill(1), relayIps: ['203.0.113.5'], onEvent: (e) => events.push(e) });
  const tuple: FiveTuple = { transport: 'udp', client: { ip: '192.0.2.10', port: 40000 }, server: { ip: '198.51.100.1', port: 3478 } };
  let relayPort = 50000;
  const settle = (actions: TurnAction[]): TurnAction[] =>
    actions.flatMap((a) => (a.type === 'allocate' ? settle(core.commitAllocation(a.allocationId, { ip: '203.0.113.5', port: relayPort++ }, clock.nowMs)) : [a]));
  const client = (expiresAtS: number, password?: string) => {
    const username = `${expiresAtS}:session-1`;
    const factory = new TurnMessageFactory({ crypto: testCrypto, username, password: password ?? computeRestPassword(testCrypto, SECRET, username), seed: 7 });
    const send = (method: number, attributes: Parameters<TurnMessageFactory['request']>[1]) => {
      const sends = settle(core.handleClientMessage({ data: factory.request(method, attributes).bytes, tuple, nowMs: clock.nowMs })).filter(
        (a): a is Extract<TurnAction, { type: 'send' }> => a.type === 'send',
      );
      return decodeResponse(sends[0]!.data);
    };
    return {
      /** Sends a request, learning the nonce from a 401/438 first as a real client does. */
      request(method: number, attributes: Parameters<TurnMessageFactory['request']>[1]) {
        let response = send(method, attributes);
        if ((response.errorCode === 401 && factory.nonce === undefined) || response.errorCode === 438) {
          factory.learn(response);
          response = send(method, attributes);
        }
        return response;
      },
    };
  };
  return { core, counted, clock, events, client };
}

describe('TurnServerCore with cached long-term keys', () => {
  it('derives the key of a username once for all the requests of its session', () => {
    const h = harness();
    const expiresAtS = START_MS / 1000 + 60;
    const c = h.client(expiresAtS);
    expect(c.request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]).errorCode).toBeNull();
    expect(c.request(T.METHOD_REFRESH, [attr(LIFETIME, 600)]).errorCode).toBeNull();
    expect(c.request(T.METHOD_REFRESH, [attr(LIFETIME, 0)]).errorCode).toBeNull();
    expect(h.counted.md5).toBe(1);
  });

  it('still refuses a username past its expiry although its key was cached', () => {
    const h = harness();
    const expiresAtS = START_MS / 1000 + 60;
    const c = h.client(expiresAtS);
    expect(c.request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]).errorCode).toBeNull();
    h.clock.nowMs = expiresAtS * 1000;
    h.core.tick(h.clock.nowMs);
    expect(c.request(T.METHOD_REFRESH, [attr(LIFETIME, 600)]).errorCode).toBe(401);
    expect(h.events.filter((e) => e.type === 'auth-failed').map((e) => (e as { reason: string }).reason)).toEqual(['expired-username']);
  });

  it('still refuses a wrong password for a username whose right key is cached', () => {
    const h = harness();
    const expiresAtS = START_MS / 1000 + 60;
    expect(h.client(expiresAtS).request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]).errorCode).toBeNull();
    const impostor = h.client(expiresAtS, 'not-the-rest-password');
    expect(impostor.request(T.METHOD_REFRESH, [attr(LIFETIME, 600)]).errorCode).toBe(401);
    expect(h.events.filter((e) => e.type === 'auth-failed').map((e) => (e as { reason: string }).reason)).toEqual(['bad-integrity']);
  });

  it('does not keep the key of a username whose request failed integrity', () => {
    const h = harness();
    const expiresAtS = START_MS / 1000 + 60;
    expect(h.client(expiresAtS, 'not-the-rest-password').request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]).errorCode).toBe(401);
    expect(h.client(expiresAtS).request(T.METHOD_ALLOCATE, [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)]).errorCode).toBeNull();
    // The failed request derived the key and the good one derived it again: nothing was kept from the failure.
    expect(h.counted.md5).toBe(2);
  });
});
