import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TURN_ATTRIBUTE_TABLE, CHANNEL_NUMBER, DATA, LIFETIME, XOR_PEER_ADDRESS } from '../turn/attributes';
import {
  attr,
  ERROR_CODE,
  readAllAttributes,
  readAttribute,
  SOFTWARE,
  STUN_ATTRIBUTE_TABLE,
  UNKNOWN_ATTRIBUTES,
  USERNAME,
  XOR_MAPPED_ADDRESS,
  type AttributeSpec,
} from './attributes';
import { METHOD_BINDING } from './constants';
import { DecodeError } from './errors';
import { shortTermKey, verifyFingerprint, verifyMessageIntegrity } from './integrity';
import { formatIp, type Endpoint } from './ip';
import { decodeMessage, decodeMessageType, encodeMessage, encodeMessageType, looksLikeStun, rawAttribute, type StunClass } from './message';
import { testCrypto } from './testing/node-crypto';

const TX = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

function bindingWith(attributes: ReturnType<typeof attr>[] = []): Uint8Array {
  return encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId: TX, attributes });
}

function expectDecodeError(fn: () => unknown, where: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  expect((thrown as DecodeError).where).toMatch(where);
}

describe('message type packing', () => {
  it.each([
    { method: 0x001, cls: 'request' as StunClass, type: 0x0001 },
    { method: 0x001, cls: 'success' as StunClass, type: 0x0101 },
    { method: 0x001, cls: 'error' as StunClass, type: 0x0111 },
    { method: 0x003, cls: 'request' as StunClass, type: 0x0003 },
    { method: 0x006, cls: 'indication' as StunClass, type: 0x0016 },
    { method: 0x007, cls: 'indication' as StunClass, type: 0x0017 },
    { method: 0x009, cls: 'error' as StunClass, type: 0x0119 },
    { method: 0xfff, cls: 'error' as StunClass, type: 0x3fff },
  ])('packs method 0x$method as $cls into type $type', ({ method, cls, type }) => {
    expect(encodeMessageType(method, cls)).toBe(type);
    expect(decodeMessageType(type)).toEqual({ method, cls });
  });
});

describe('decodeMessage rejects malformed messages with a located DecodeError', () => {
  const valid = bindingWith([attr(SOFTWARE, 'netready')]);
  const mutate = (fn: (b: Uint8Array) => Uint8Array): Uint8Array => fn(valid.slice());
  it.each([
    { name: 'a short header', bytes: valid.subarray(0, 19), where: /^header$/ },
    { name: 'leading bits 11', bytes: mutate((b) => ((b[0] = 0xc0), b)), where: /^header\/type$/ },
    { name: 'an unaligned length', bytes: mutate((b) => ((b[3] = (b[3] ?? 0) + 1), b)), where: /^header\/length$/ },
    { name: 'a wrong magic cookie', bytes: mutate((b) => ((b[4] = 0), b)), where: /^header\/magic-cookie$/ },
    { name: 'trailing bytes past the length', bytes: Uint8Array.from([...valid, 0, 0, 0, 0]), where: /^header\/length$/ },
    {
      name: 'an attribute overrunning the message',
      bytes: mutate((b) => ((b[23] = 200), b)),
      where: /^attribute#0@20$/,
    },
  ])('rejects $name', ({ bytes, where }) => {
    expectDecodeError(() => decodeMessage(bytes), where);
  });

  it('rejects an attribute after FINGERPRINT', () => {
    const withFingerprint = encodeMessage({ cls: 'request', method: 1, transactionId: TX, attributes: [] }, { fingerprint: true });
    const extra = Uint8Array.from([...withFingerprint, 0x80, 0x22, 0x00, 0x00]);
    extra[3] = (extra[3] ?? 0) + 4;
    expectDecodeError(() => decodeMessage(extra), /^attribute#1@28$/);
  });

  it('rejects a MESSAGE-INTEGRITY of the wrong length', () => {
    expectDecodeError(() => decodeMessage(bindingWith([rawAttribute(0x0008, new Uint8Array(16))])), /^attribute\/MESSAGE-INTEGRITY\/length$/);
  });

  it('ignores attributes that follow MESSAGE-INTEGRITY except FINGERPRINT (RFC 8489 §14.5)', () => {
    const signed = encodeMessage(
      { cls: 'request', method: 1, transactionId: TX, attributes: [attr(USERNAME, 'a')] },
      { integrity: { key: shortTermKey('pw'), crypto: testCrypto } },
    );
    const tail = Uint8Array.from([0x80, 0x22, 0x00, 0x04, 0x61, 0x62, 0x63, 0x64]);
    const bytes = Uint8Array.from([...signed, ...tail]);
    bytes[3] = (bytes[3] ?? 0) + 8;
    const message = decodeMessage(bytes);
    expect(readAttribute(message, SOFTWARE)).toBeUndefined();
    expect(verifyMessageIntegrity(message, shortTermKey('pw'), testCrypto)).toBe(true);
  });
});

describe('typed attribute decoders', () => {
  const decodeOne = <T>(spec: AttributeSpec<T>, value: Uint8Array) =>
    readAttribute(decodeMessage(bindingWith([rawAttribute(spec.type, value)])), spec);
  it.each([
    { spec: XOR_MAPPED_ADDRESS, value: [0, 3, 0, 0, 0, 0, 0, 0], where: 'attribute/XOR-MAPPED-ADDRESS/value/family' },
    { spec: XOR_MAPPED_ADDRESS, value: [0, 1, 0, 0, 0, 0], where: 'attribute/XOR-MAPPED-ADDRESS/value' },
    { spec: XOR_MAPPED_ADDRESS, value: [0, 2, 0, 0, 1, 2, 3, 4], where: 'attribute/XOR-MAPPED-ADDRESS/value' },
    { spec: ERROR_CODE, value: [0, 0, 7, 0], where: 'attribute/ERROR-CODE/value/class' },
    { spec: ERROR_CODE, value: [0, 0, 4, 100], where: 'attribute/ERROR-CODE/value/number' },
    { spec: ERROR_CODE, value: [0, 0], where: 'attribute/ERROR-CODE/value' },
    { spec: UNKNOWN_ATTRIBUTES, value: [0, 1, 0], where: 'attribute/UNKNOWN-ATTRIBUTES/value' },
    { spec: USERNAME, value: [0xff, 0xfe], where: 'attribute/USERNAME/value' },
    { spec: LIFETIME, value: [0, 0, 1], where: 'attribute/LIFETIME/value' },
    { spec: CHANNEL_NUMBER, value: [0x40], where: 'attribute/CHANNEL-NUMBER/value' },
  ] as { spec: AttributeSpec<unknown>; value: number[]; where: string }[])('$where rejects $value', ({ spec, value, where }) => {
    expectDecodeError(() => decodeOne(spec, Uint8Array.from(value)), new RegExp(`^${where.replace(/[/-]/g, '\\$&')}$`));
  });

  it('returns undefined only for an absent attribute', () => {
    expect(readAttribute(decodeMessage(bindingWith()), SOFTWARE)).toBeUndefined();
  });

  it('decodes a 420 UNKNOWN-ATTRIBUTES list in order', () => {
    expect(decodeOne(UNKNOWN_ATTRIBUTES, Uint8Array.from([0x00, 0x1a, 0x7f, 0xff]))).toEqual([0x001a, 0x7fff]);
  });
});

// ─────────────── property tests ───────────────

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIp(b));
const endpoint: fc.Arbitrary<Endpoint> = fc.record({ ip: fc.oneof(ipv4, ipv6), port: fc.nat(65535) });
const shortText = fc.string({ maxLength: 60, unit: 'grapheme' }).filter((s) => [...s].length <= 127);

type Entry = { spec: AttributeSpec<unknown>; value: unknown };
const entry = <T>(spec: AttributeSpec<T>, value: fc.Arbitrary<T>): fc.Arbitrary<Entry> =>
  value.map((v) => ({ spec: spec as AttributeSpec<unknown>, value: v }));
const anyEntry = fc.oneof(
  entry(XOR_MAPPED_ADDRESS, endpoint),
  entry(XOR_PEER_ADDRESS, endpoint),
  entry(SOFTWARE, shortText),
  entry(USERNAME, fc.string({ maxLength: 100 })),
  entry(LIFETIME, fc.nat({ max: 0xffffffff })),
  entry(CHANNEL_NUMBER, fc.integer({ min: 0x4000, max: 0x7fff })),
  entry(DATA, fc.uint8Array({ maxLength: 300 })),
  entry(ERROR_CODE, fc.record({ code: fc.integer({ min: 300, max: 699 }), reason: shortText })),
  entry(UNKNOWN_ATTRIBUTES, fc.array(fc.nat(0xffff), { maxLength: 8 })),
);

describe('properties', () => {
  it('decode(encode(x)) round-trips messages with typed attributes, integrity and fingerprint', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<StunClass>('request', 'indication', 'success', 'error'),
        fc.nat(0xfff),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.array(anyEntry, { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        (cls, method, transactionId, entries, integrity, fingerprint) => {
          const key = shortTermKey('secret');
          const bytes = encodeMessage(
            { cls, method, transactionId, attributes: entries.map((e) => attr(e.spec, e.value)) },
            { integrity: integrity ? { key, crypto: testCrypto } : undefined, fingerprint },
          );
          expect(bytes.length % 4).toBe(0);
          expect(looksLikeStun(bytes)).toBe(true);
          const message = decodeMessage(bytes);
          expect(message.cls).toBe(cls);
          expect(message.method).toBe(method);
          expect(message.transactionId).toEqual(transactionId);
          const typed = message.attributes.filter((a) => a.type !== 0x0008 && a.type !== 0x8028);
          expect(typed.length).toBe(entries.length);
          entries.forEach((e, i) => expect(e.spec.decode(typed[i]!.value, message)).toEqual(e.value));
          expect(verifyMessageIntegrity(message, key, testCrypto)).toBe(integrity);
          expect(verifyFingerprint(message)).toBe(fingerprint);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('all XOR-PEER-ADDRESS attributes are read back in order', () => {
    fc.assert(
      fc.property(fc.array(endpoint, { minLength: 1, maxLength: 5 }), (peers) => {
        const message = decodeMessage(bindingWith(peers.map((p) => attr(XOR_PEER_ADDRESS, p))));
        expect(readAllAttributes(message, XOR_PEER_ADDRESS)).toEqual(peers);
      }),
    );
  });

  const allSpecs = [...STUN_ATTRIBUTE_TABLE, ...TURN_ATTRIBUTE_TABLE];
  const onlyDecodeErrors = (bytes: Uint8Array): void => {
    try {
      const message = decodeMessage(bytes);
      for (const raw of message.attributes) {
        const spec = allSpecs.find((s) => s.type === raw.type);
        try {
          spec?.decode(raw.value, message);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
      }
      verifyFingerprint(message);
      verifyMessageIntegrity(message, shortTermKey('x'), testCrypto);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  };

  it('arbitrary bytes only ever raise DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyDecodeErrors(bytes)), { numRuns: 2000 });
  });

  it('arbitrary attribute bodies behind a valid header only ever raise DecodeError', () => {
    fc.assert(
      fc.property(fc.nat(0x3fff), fc.uint8Array({ maxLength: 60 }).map((b) => b.subarray(0, b.length - (b.length % 4))), (type, body) => {
        const bytes = new Uint8Array(20 + body.length);
        const view = new DataView(bytes.buffer);
        view.setUint16(0, type);
        view.setUint16(2, body.length);
        view.setUint32(4, 0x2112a442);
        bytes.set(body, 20);
        onlyDecodeErrors(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('typed decoders given random values of their own type only ever raise DecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allSpecs), fc.uint8Array({ maxLength: 40 }), (spec, value) => {
        const bytes = bindingWith([rawAttribute(spec.type, value)]);
        onlyDecodeErrors(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
