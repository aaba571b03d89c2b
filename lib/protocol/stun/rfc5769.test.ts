import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  attr,
  ICE_CONTROLLED,
  MESSAGE_INTEGRITY,
  NONCE,
  PRIORITY,
  readAttribute,
  REALM,
  SOFTWARE,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from './attributes';
import { METHOD_BINDING } from './constants';
import { longTermKey, shortTermKey, verifyFingerprint, verifyMessageIntegrity } from './integrity';
import { decodeMessage, encodeMessage } from './message';
import { parseAnnotatedHex, testCrypto } from './testing/node-crypto';

const load = (name: string) => parseAnnotatedHex(readFileSync(new URL(`../../../testdata/stun/${name}`, import.meta.url), 'utf8'));
const SHORT_TERM_PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';
const TRANSACTION_ID = Uint8Array.from([0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae]);

describe('RFC 5769 §2.1 sample request', () => {
  const bytes = load('rfc5769-2.1-request.hex');
  const message = decodeMessage(bytes);

  it('decodes the header and every attribute', () => {
    expect(bytes.length).toBe(108);
    expect(message.cls).toBe('request');
    expect(message.method).toBe(METHOD_BINDING);
    expect(message.transactionId).toEqual(TRANSACTION_ID);
    expect(readAttribute(message, SOFTWARE)).toBe('STUN test client');
    expect(readAttribute(message, PRIORITY)).toBe(0x6e0001ff);
    expect(readAttribute(message, ICE_CONTROLLED)).toEqual(Uint8Array.from([0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36]));
    expect(readAttribute(message, USERNAME)).toBe('evtj:h6vY');
  });

  it('verifies MESSAGE-INTEGRITY with the short-term password and FINGERPRINT', () => {
    expect(verifyMessageIntegrity(message, shortTermKey(SHORT_TERM_PASSWORD), testCrypto)).toBe(true);
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('rejects MESSAGE-INTEGRITY under a wrong password', () => {
    expect(verifyMessageIntegrity(message, shortTermKey('wrong'), testCrypto)).toBe(false);
  });

  it('re-encodes to the same bytes except the space padding, which becomes zeros', () => {
    const again = encodeMessage(
      {
        cls: 'request',
        method: METHOD_BINDING,
        transactionId: TRANSACTION_ID,
        attributes: [
          attr(SOFTWARE, 'STUN test client'),
          attr(PRIORITY, 0x6e0001ff),
          attr(ICE_CONTROLLED, Uint8Array.from([0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36])),
          attr(USERNAME, 'evtj:h6vY'),
        ],
      },
      { integrity: { key: shortTermKey(SHORT_TERM_PASSWORD), crypto: testCrypto }, fingerprint: true },
    );
    expect(again.length).toBe(bytes.length);
    // Bytes 73–75 are the USERNAME padding: 0x20 in the RFC, 0x00 from our encoder; the HMAC therefore differs.
    expect(again.subarray(0, 73)).toEqual(bytes.subarray(0, 73));
    expect(Array.from(again.subarray(73, 76))).toEqual([0, 0, 0]);
    const decoded = decodeMessage(again);
    expect(verifyMessageIntegrity(decoded, shortTermKey(SHORT_TERM_PASSWORD), testCrypto)).toBe(true);
    expect(verifyFingerprint(decoded)).toBe(true);
  });
});

describe.each([
  { file: 'rfc5769-2.2-ipv4-response.hex', length: 80, mapped: { ip: '192.0.2.1', port: 32853 } },
  { file: 'rfc5769-2.3-ipv6-response.hex', length: 92, mapped: { ip: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 } },
])('RFC 5769 $file', ({ file, length, mapped }) => {
  const bytes = load(file);
  const message = decodeMessage(bytes);

  it('decodes XOR-MAPPED-ADDRESS and SOFTWARE', () => {
    expect(bytes.length).toBe(length);
    expect(message.cls).toBe('success');
    expect(message.method).toBe(METHOD_BINDING);
    expect(readAttribute(message, SOFTWARE)).toBe('test vector');
    expect(readAttribute(message, XOR_MAPPED_ADDRESS)).toEqual(mapped);
  });

  it('verifies MESSAGE-INTEGRITY and FINGERPRINT', () => {
    expect(verifyMessageIntegrity(message, shortTermKey(SHORT_TERM_PASSWORD), testCrypto)).toBe(true);
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('re-encodes byte for byte except SOFTWARE padding (0x20 in the RFC), with valid integrity', () => {
    const again = encodeMessage(
      { cls: 'success', method: METHOD_BINDING, transactionId: TRANSACTION_ID, attributes: [attr(SOFTWARE, 'test vector'), attr(XOR_MAPPED_ADDRESS, mapped)] },
      { integrity: { key: shortTermKey(SHORT_TERM_PASSWORD), crypto: testCrypto }, fingerprint: true },
    );
    const expected = bytes.slice(0, length - 32);
    expected[35] = 0; // padding byte after "test vector"
    expect(again.subarray(0, length - 32)).toEqual(expected);
    expect(verifyMessageIntegrity(decodeMessage(again), shortTermKey(SHORT_TERM_PASSWORD), testCrypto)).toBe(true);
  });
});

describe('RFC 5769 §2.4 sample request with long-term authentication', () => {
  const message = decodeMessage(load('rfc5769-2.4-long-term-request.hex'));
  const username = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';

  it('decodes USERNAME, NONCE and REALM', () => {
    expect(message.transactionId).toEqual(Uint8Array.from([0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e]));
    expect(readAttribute(message, USERNAME)).toBe(username);
    expect(readAttribute(message, NONCE)).toBe('f//499k954d6OL34oL9FSTvy64sA');
    expect(readAttribute(message, REALM)).toBe('example.org');
    expect(readAttribute(message, MESSAGE_INTEGRITY)?.length).toBe(20);
    expect(message.fingerprintOffset).toBeNull();
  });

  it('verifies MESSAGE-INTEGRITY with the long-term key MD5(username:realm:SASLprep(password))', () => {
    expect(verifyMessageIntegrity(message, longTermKey(testCrypto, username, 'example.org', 'TheMatrIX'), testCrypto)).toBe(true);
    expect(verifyMessageIntegrity(message, longTermKey(testCrypto, username, 'example.org', 'TheMatrix'), testCrypto)).toBe(false);
  });
});
