import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr, readAttribute, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import { METHOD_BINDING } from '../stun/constants';
import { verifyFingerprint } from '../stun/integrity';
import { decodeMessage } from '../stun/message';
import { parseAnnotatedHex } from '../stun/testing/node-crypto';
import { DEFAULT_FRAGMENT_SIZES, DEFAULT_MTU_SIZES, FIREFOX_MAX_STUN_BYTES, mtuTurnTag, sizeOfMtuTurnTag } from './ladder';
import { ATTR_NETREADY_PADDING, encodePaddedMessage, MtuError, udpPayloadBytesFor, type MtuFamily } from './padding';

const load = (name: string) => parseAnnotatedHex(readFileSync(new URL(`../../../testdata/stun/${name}`, import.meta.url), 'utf8'));
const TRANSACTION_ID = Uint8Array.from([0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae]);

function bindingSuccess(mapped: { ip: string; port: number }, transactionId = TRANSACTION_ID) {
  return { cls: 'success' as const, method: METHOD_BINDING, transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, mapped)] };
}

describe.each([
  { file: 'mtu-576-ipv4-response.hex', size: 576, family: 'ipv4' as MtuFamily, mapped: { ip: '192.0.2.1', port: 32853 }, padding: 504 },
  { file: 'mtu-1280-ipv6-response.hex', size: 1280, family: 'ipv6' as MtuFamily, mapped: { ip: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 }, padding: 1176 },
])('golden vector $file', ({ file, size, family, mapped, padding }) => {
  const bytes = load(file);

  it('is exactly the IP datagram size minus the IP and UDP headers', () => {
    expect(bytes.length).toBe(size - (family === 'ipv6' ? 48 : 28));
  });

  it('decodes with netready\'s own decoder: mapped address, the padding attribute, a valid FINGERPRINT', () => {
    const message = decodeMessage(bytes);
    expect(message.cls).toBe('success');
    expect(message.method).toBe(METHOD_BINDING);
    expect(readAttribute(message, XOR_MAPPED_ADDRESS)).toEqual(mapped);
    const pad = message.attributes.find((a) => a.type === ATTR_NETREADY_PADDING);
    expect(pad?.value.length).toBe(padding);
    expect(pad?.value.every((b) => b === 0)).toBe(true);
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('is what the encoder produces, byte for byte', () => {
    expect(encodePaddedMessage(bindingSuccess(mapped), { fingerprint: true }, size, family)).toEqual(bytes);
  });
});

describe('udpPayloadBytesFor', () => {
  it.each([
    { size: 576, family: 'ipv4' as const, payload: 548 },
    { size: 1500, family: 'ipv4' as const, payload: 1472 },
    { size: 1280, family: 'ipv6' as const, payload: 1232 },
    { size: 1500, family: 'ipv6' as const, payload: 1452 },
  ])('takes $family\'s IP and UDP headers off $size bytes', ({ size, family, payload }) => {
    expect(udpPayloadBytesFor(size, family)).toBe(payload);
  });

  it.each([1350, 1450, 1501])('refuses %i bytes, which no STUN datagram can have (not a multiple of 4)', (size) => {
    expect(() => udpPayloadBytesFor(size, 'ipv4')).toThrow(expect.objectContaining({ code: 'not-word-aligned' }));
  });

  it('refuses sizes with no room for a STUN header and sizes beyond one UDP datagram', () => {
    expect(() => udpPayloadBytesFor(44, 'ipv4')).toThrow(expect.objectContaining({ code: 'too-small' }));
    expect(() => udpPayloadBytesFor(65540, 'ipv4')).toThrow(expect.objectContaining({ code: 'too-large' }));
  });
});

describe('encodePaddedMessage', () => {
  it('refuses a size the unpadded message already exceeds', () => {
    expect(() => encodePaddedMessage(bindingSuccess({ ip: '192.0.2.1', port: 1 }), { fingerprint: true }, 64, 'ipv4')).toThrow(MtuError);
  });

  it('pads every default ladder and fragment size exactly, IPv4 and IPv6, and the result decodes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_MTU_SIZES, ...DEFAULT_FRAGMENT_SIZES),
        fc.constantFrom<MtuFamily>('ipv4', 'ipv6'),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.nat(65535),
        (size, family, transactionId, port) => {
          const mapped = { ip: family === 'ipv4' ? '198.51.100.7' : '2001:db8::7', port };
          const bytes = encodePaddedMessage(bindingSuccess(mapped, transactionId), { fingerprint: true }, size, family);
          expect(bytes.length + (family === 'ipv4' ? 28 : 48)).toBe(size);
          const message = decodeMessage(bytes);
          expect(readAttribute(message, XOR_MAPPED_ADDRESS)).toEqual(mapped);
          expect(verifyFingerprint(message)).toBe(true);
        },
      ),
    );
  });

  it('keeps every default fragment size under the 2048-byte STUN limit of Firefox', () => {
    for (const size of DEFAULT_FRAGMENT_SIZES) expect(udpPayloadBytesFor(size, 'ipv4')).toBeLessThanOrEqual(FIREFOX_MAX_STUN_BYTES);
  });

  it('keeps every default ladder size buildable (word-aligned)', () => {
    for (const size of DEFAULT_MTU_SIZES) expect(size % 4).toBe(0);
  });
});

describe('MTU TURN username tags', () => {
  it('round-trips a size through its tag', () => {
    expect(sizeOfMtuTurnTag(mtuTurnTag(1280))).toBe(1280);
  });

  it.each(['', 'mtu', 'mtu0576', 'mtu12', 'mtu1280x', 'MTU1280', 'quality'])('does not read a size from the tag "%s"', (tag) => {
    expect(sizeOfMtuTurnTag(tag)).toBeNull();
  });
});
