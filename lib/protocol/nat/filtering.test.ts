import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ICE_CONTROLLED, PRIORITY, readAttribute, USERNAME } from '../stun/attributes';
import { METHOD_BINDING } from '../stun/constants';
import { shortTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import { decodeMessage } from '../stun/message';
import { parseAnnotatedHex, testCrypto } from '../stun/testing/node-crypto';
import { CHECK_PRIORITY, encodeIceCheck, FILTERING_SEND_SCHEDULE_MS, FilteringRun } from './filtering';

const load = (name: string) => parseAnnotatedHex(readFileSync(new URL(`../../../testdata/stun/${name}`, import.meta.url), 'utf8'));
/** RFC 5769 §2: the short-term password and transaction ID of the sample request and responses. */
const RFC_PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';
const RFC_TRANSACTION_ID = Uint8Array.from([0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae]);
const TIE_BREAKER = Uint8Array.from([0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36]);
/** RFC 5769 §2.2's mapped address: the browser's mapping the checks go to (and its answer comes from). */
const MAPPING = { ip: '192.0.2.1', port: 32853 };
const ALT_PORT = { ip: '198.51.100.10', port: 3479 };
const ALT_ADDRESS = { ip: '198.51.100.11', port: 3478 };
const CREDENTIALS = { browserUfrag: 'evtj', browserPwd: RFC_PASSWORD, serverUfrag: 'h6vY' };

/** randomBytes that hands out the tie-breaker, then the RFC transaction ID for the first check, then 0x01… for others. */
function scriptedRandom(): (n: number) => Uint8Array {
  const queue = [TIE_BREAKER, RFC_TRANSACTION_ID, new Uint8Array(12).fill(1)];
  return (n) => {
    const next = queue.shift() ?? new Uint8Array(n).fill(7);
    expect(next.length).toBe(n);
    return next;
  };
}

function newRun(): FilteringRun {
  return new FilteringRun({
    target: MAPPING,
    from: [
      { role: 'alt-port', endpoint: ALT_PORT },
      { role: 'alt-address', endpoint: ALT_ADDRESS },
    ],
    credentials: CREDENTIALS,
    crypto: testCrypto,
    randomBytes: scriptedRandom(),
  });
}

describe('encodeIceCheck', () => {
  it('encodes an RFC 8445 §7.2.2 check the browser accepts: USERNAME browser:server, PRIORITY, ICE-CONTROLLED, integrity under the browser password, FINGERPRINT', () => {
    const bytes = encodeIceCheck({ transactionId: RFC_TRANSACTION_ID, tieBreaker: TIE_BREAKER, credentials: CREDENTIALS, crypto: testCrypto });
    const message = decodeMessage(bytes);
    expect(message.cls).toBe('request');
    expect(message.method).toBe(METHOD_BINDING);
    expect(message.transactionId).toEqual(RFC_TRANSACTION_ID);
    // The same USERNAME and ICE-CONTROLLED as RFC 5769 §2.1's sample request, which is such a check.
    const sample = decodeMessage(load('rfc5769-2.1-request.hex'));
    expect(readAttribute(message, USERNAME)).toBe(readAttribute(sample, USERNAME));
    expect(readAttribute(message, ICE_CONTROLLED)).toEqual(readAttribute(sample, ICE_CONTROLLED));
    expect(readAttribute(message, PRIORITY)).toBe(CHECK_PRIORITY);
    expect(verifyMessageIntegrity(message, shortTermKey(RFC_PASSWORD), testCrypto)).toBe(true);
    expect(verifyMessageIntegrity(message, shortTermKey('another-password-entirely'), testCrypto)).toBe(false);
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('uses the peer-reflexive priority of RFC 8445 §5.1.2.1 (type preference 110, local preference 65535, component 1)', () => {
    expect(CHECK_PRIORITY).toBe(2 ** 24 * 110 + 2 ** 8 * 65535 + 255);
  });
});

describe('FilteringRun', () => {
  it('takes RFC 5769 §2.2 (a Binding success under the short-term password) as the answer to the check with its transaction ID', () => {
    const run = newRun();
    run.start(1000);
    const verdict = run.offer(load('rfc5769-2.2-ipv4-response.hex'), MAPPING, ALT_PORT, 1012);
    expect(verdict).toEqual({ taken: true, role: 'alt-port' });
    expect(run.result()).toEqual([
      { role: 'alt-port', from: '198.51.100.10:3479', sent: 1, answered: true, rttMs: 12 },
      { role: 'alt-address', from: '198.51.100.11:3478', sent: 1, answered: false },
    ]);
    expect(run.done()).toBe(false);
  });

  it.each([
    { name: 'arriving at another socket than the check left from', from: MAPPING, at: ALT_ADDRESS, reason: /not at 198\.51\.100\.10:3479/ },
    { name: 'coming from another address than the mapping', from: { ip: '203.0.113.9', port: 32853 }, at: ALT_PORT, reason: /not from the mapping/ },
    { name: 'coming from another port than the mapping', from: { ip: MAPPING.ip, port: 40000 }, at: ALT_PORT, reason: /not from the mapping/ },
  ])('refuses an answer $name', ({ from, at, reason }) => {
    const run = newRun();
    run.start(0);
    const verdict = run.offer(load('rfc5769-2.2-ipv4-response.hex'), from, at, 5);
    expect(verdict.taken).toBe(false);
    expect(verdict.taken ? '' : verdict.reason).toMatch(reason);
    expect(run.result().every((c) => !c.answered)).toBe(true);
  });

  it('refuses an answer whose MESSAGE-INTEGRITY does not match the browser password', () => {
    const run = new FilteringRun({ target: MAPPING, from: [{ role: 'alt-port', endpoint: ALT_PORT }], credentials: { ...CREDENTIALS, browserPwd: 'not-the-rfc-5769-password' }, crypto: testCrypto, randomBytes: scriptedRandom() });
    run.start(0);
    expect(run.offer(load('rfc5769-2.2-ipv4-response.hex'), MAPPING, ALT_PORT, 5)).toEqual({ taken: false, reason: 'MESSAGE-INTEGRITY missing or wrong' });
  });

  it('refuses requests, unknown transactions and bytes that are not STUN', () => {
    const run = newRun();
    run.start(0);
    expect(run.offer(load('rfc5769-2.1-request.hex'), MAPPING, ALT_PORT, 1)).toMatchObject({ taken: false, reason: expect.stringMatching(/not a Binding success/) });
    const other = load('rfc5769-2.2-ipv4-response.hex');
    other[19] = other[19]! ^ 0xff;
    expect(run.offer(other, MAPPING, ALT_PORT, 1)).toMatchObject({ taken: false });
    expect(run.owns(other)).toBe(false);
    expect(run.offer(Uint8Array.from([1, 2, 3]), MAPPING, ALT_PORT, 1)).toEqual({ taken: false, reason: 'not a STUN message' });
  });

  it('retransmits unanswered checks on the schedule, stops for answered ones, and has nothing left after the last', () => {
    const run = newRun();
    const first = run.start(1000);
    expect(first.map((a) => [a.from, a.to])).toEqual([
      [ALT_PORT, MAPPING],
      [ALT_ADDRESS, MAPPING],
    ]);
    expect(run.nextTickAtMs()).toBe(1000 + FILTERING_SEND_SCHEDULE_MS[1]!);
    expect(run.tick(1050)).toEqual([]);
    expect(run.tick(1100)).toHaveLength(2);
    run.offer(load('rfc5769-2.2-ipv4-response.hex'), MAPPING, ALT_PORT, 1150);
    const later = run.tick(1000 + FILTERING_SEND_SCHEDULE_MS[3]!);
    // Both remaining slots (300 and 700 ms) are due; only the unanswered alt-address check is sent.
    expect(later.map((a) => a.from)).toEqual([ALT_ADDRESS, ALT_ADDRESS]);
    expect(run.nextTickAtMs()).toBeNull();
    expect(run.result().map((c) => [c.role, c.sent, c.answered])).toEqual([
      ['alt-port', 2, true],
      ['alt-address', 4, false],
    ]);
  });
});
