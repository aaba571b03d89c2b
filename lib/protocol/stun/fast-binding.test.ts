import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr, readAttribute, SOFTWARE, XOR_MAPPED_ADDRESS } from './attributes';
import * as C from './constants';
import { BindingResponder, isPlainBindingRequest, parseIpv4Number } from './fast-binding';
import { verifyFingerprint } from './integrity';
import { decodeMessage, encodeMessage, type OutgoingAttribute } from './message';
import { parseAnnotatedHex } from './testing/node-crypto';

/** RFC 5769 §2.2 (IPv4 response): the transaction ID and the XOR-MAPPED-ADDRESS attribute, annotated. */
const RFC5769_TRANSACTION_ID = parseAnnotatedHex('b7 e7 a7 01 bc 34 d6 86 fa 87 df ae');
const RFC5769_XOR_MAPPED_ADDRESS = parseAnnotatedHex(`
  00 20 00 08   # XOR-MAPPED-ADDRESS, length 8
  00 01 a1 47   # IPv4, port 32853 XOR 0x2112
  e1 12 a6 43   # 192.0.2.1 XOR 0x2112a442
`);

function plainRequest(transactionId: Uint8Array): Uint8Array {
  return encodeMessage({ cls: 'request', method: C.METHOD_BINDING, transactionId, attributes: [] });
}

/** What the general encoder sends for the same response (the core's buildResponse: attributes, SOFTWARE, FINGERPRINT). */
function generalResponse(transactionId: Uint8Array, ip: string, port: number, software: string | undefined): Uint8Array {
  const attributes: OutgoingAttribute[] = [attr(XOR_MAPPED_ADDRESS, { ip, port })];
  if (software) attributes.push(attr(SOFTWARE, software));
  return encodeMessage({ cls: 'success', method: C.METHOD_BINDING, transactionId, attributes }, { fingerprint: true });
}

function fastResponse(request: Uint8Array, ip: string, port: number, software: string | undefined): Uint8Array | null {
  const responder = new BindingResponder(software);
  const out = new Uint8Array(responder.responseBytes);
  return responder.writeResponse(request, ip, port, out, 0) ? out : null;
}

const transactionId = fc.uint8Array({ minLength: 12, maxLength: 12 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const software = fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined });

describe('isPlainBindingRequest', () => {
  it('recognises a Binding request without attributes', () => {
    expect(isPlainBindingRequest(plainRequest(RFC5769_TRANSACTION_ID))).toBe(true);
  });

  it.each([
    ['a Binding request with an attribute', encodeMessage({ cls: 'request', method: C.METHOD_BINDING, transactionId: RFC5769_TRANSACTION_ID, attributes: [attr(SOFTWARE, 'x')] })],
    ['a Binding request with FINGERPRINT', encodeMessage({ cls: 'request', method: C.METHOD_BINDING, transactionId: RFC5769_TRANSACTION_ID, attributes: [] }, { fingerprint: true })],
    ['a Binding success response', encodeMessage({ cls: 'success', method: C.METHOD_BINDING, transactionId: RFC5769_TRANSACTION_ID, attributes: [] })],
    ['an Allocate request', encodeMessage({ cls: 'request', method: 0x003, transactionId: RFC5769_TRANSACTION_ID, attributes: [] })],
    ['a header with the wrong magic cookie', Uint8Array.of(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x43, ...RFC5769_TRANSACTION_ID)],
    ['a truncated header', plainRequest(RFC5769_TRANSACTION_ID).subarray(0, 19)],
  ])('rejects %s', (_name, bytes) => {
    expect(isPlainBindingRequest(bytes)).toBe(false);
  });

  it('agrees with the general decoder on arbitrary bytes and on mutated Binding headers', () => {
    const mutated = fc
      .tuple(transactionId, fc.nat(19), fc.nat(255), fc.nat(4))
      .map(([id, at, value, extra]) => {
        const bytes = new Uint8Array(20 + extra);
        bytes.set(plainRequest(id));
        bytes[at] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), mutated), (bytes) => {
        let general = false;
        try {
          const message = decodeMessage(bytes);
          general = message.cls === 'request' && message.method === C.METHOD_BINDING && message.attributes.length === 0 && bytes.length === 20;
        } catch {
          general = false;
        }
        expect(isPlainBindingRequest(bytes)).toBe(general);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseIpv4Number', () => {
  it.each([
    ['192.0.2.1', 0xc0000201],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['203.0.113.10', 0xcb00710a],
  ])('reads %s', (text, value) => {
    expect(parseIpv4Number(text)).toBe(value);
  });

  it.each(['192.0.2', '192.0.2.1.5', '192.0.2.256', '192.0.02.1', '::1', '', '1..2.3', '192.0.2.1 '])('refuses %j', (text) => {
    expect(parseIpv4Number(text)).toBe(-1);
  });

  it('reads every canonical dotted quad', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        expect(parseIpv4Number(`${a}.${b}.${c}.${d}`)).toBe(((a * 256 + b) * 256 + c) * 256 + d);
      }),
    );
  });
});

describe('BindingResponder', () => {
  it('writes the XOR-MAPPED-ADDRESS of RFC 5769 §2.2 for 192.0.2.1:32853', () => {
    const out = fastResponse(plainRequest(RFC5769_TRANSACTION_ID), '192.0.2.1', 32853, 'test vector ');
    expect(out).not.toBeNull();
    const message = decodeMessage(out!);
    expect(message.cls).toBe('success');
    expect(message.transactionId).toEqual(RFC5769_TRANSACTION_ID);
    expect(out!.subarray(20, 32)).toEqual(RFC5769_XOR_MAPPED_ADDRESS);
    expect(readAttribute(message, SOFTWARE)).toBe('test vector ');
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('writes byte for byte what the general encoder writes, with and without SOFTWARE', () => {
    fc.assert(
      fc.property(transactionId, ipv4, fc.nat(65535), software, (id, ip, port, sw) => {
        expect(fastResponse(plainRequest(id), ip, port, sw)).toEqual(generalResponse(id, ip, port, sw));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes at an offset and leaves the bytes around the response alone', () => {
    const responder = new BindingResponder('netready');
    const out = new Uint8Array(responder.responseBytes + 8).fill(0xee);
    expect(responder.writeResponse(plainRequest(RFC5769_TRANSACTION_ID), '198.51.100.7', 4000, out, 4)).toBe(true);
    expect(out.subarray(4, 4 + responder.responseBytes)).toEqual(generalResponse(RFC5769_TRANSACTION_ID, '198.51.100.7', 4000, 'netready'));
    expect([...out.subarray(0, 4), ...out.subarray(4 + responder.responseBytes)]).toEqual(new Array(8).fill(0xee));
  });

  it.each([['2001:db8::1'], ['::ffff:192.0.2.1'], ['192.0.2.01']])('leaves a client at %s to the general encoder and writes nothing', (ip) => {
    const responder = new BindingResponder();
    const out = new Uint8Array(responder.responseBytes);
    expect(responder.writeResponse(plainRequest(RFC5769_TRANSACTION_ID), ip, 4000, out, 0)).toBe(false);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it('refuses a SOFTWARE text longer than RFC 8489 allows', () => {
    expect(() => new BindingResponder('x'.repeat(764))).toThrow(RangeError);
  });
});
