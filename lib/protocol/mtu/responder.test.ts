import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr, ERROR_CODE, readAttribute, SOFTWARE, UNKNOWN_ATTRIBUTES, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import { METHOD_BINDING } from '../stun/constants';
import { decodeMessage, encodeMessage, rawAttribute } from '../stun/message';
import { ATTR_NETREADY_PADDING } from './padding';
import { respondToBinding } from './responder';

const CLIENT = { ip: '198.51.100.7', port: 40000 };
const TID = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const RUNG = { sizeBytes: 1280, family: 'ipv4' as const };

function request(method = METHOD_BINDING, extra: ReturnType<typeof attr>[] = []): Uint8Array {
  return encodeMessage({ cls: 'request', method, transactionId: TID, attributes: extra }, { fingerprint: true });
}

describe('respondToBinding', () => {
  it('answers a Binding request with a success response that makes a 1280-byte IPv4 datagram and maps the client', () => {
    const action = respondToBinding({ data: request(), client: CLIENT, rung: RUNG });
    expect(action.type).toBe('send');
    if (action.type !== 'send') return;
    expect(action.padded).toBe(true);
    expect(action.to).toEqual(CLIENT);
    expect(action.data.length + 28).toBe(1280);
    const message = decodeMessage(action.data);
    expect(message.cls).toBe('success');
    expect(message.transactionId).toEqual(TID);
    expect(readAttribute(message, XOR_MAPPED_ADDRESS)).toEqual(CLIENT);
    expect(message.attributes.some((a) => a.type === ATTR_NETREADY_PADDING)).toBe(true);
  });

  it('pads an IPv6 rung with the 40-byte IPv6 header counted', () => {
    const action = respondToBinding({ data: request(), client: { ip: '2001:db8::7', port: 5 }, rung: { sizeBytes: 1500, family: 'ipv6' } });
    expect(action.type === 'send' && action.data.length + 48).toBe(1500);
  });

  it('answers an unknown comprehension-required attribute with an unpadded 420 listing it', () => {
    const action = respondToBinding({ data: request(METHOD_BINDING, [rawAttribute(0x7f01, new Uint8Array(4))]), client: CLIENT, rung: RUNG });
    expect(action).toMatchObject({ type: 'send', padded: false });
    if (action.type !== 'send') return;
    const message = decodeMessage(action.data);
    expect(readAttribute(message, ERROR_CODE)?.code).toBe(420);
    expect(readAttribute(message, UNKNOWN_ATTRIBUTES)).toEqual([0x7f01]);
  });

  it('ignores unknown comprehension-optional attributes and still pads', () => {
    const action = respondToBinding({ data: request(METHOD_BINDING, [attr(SOFTWARE, 'x'), rawAttribute(0xc001, new Uint8Array(8))]), client: CLIENT, rung: RUNG });
    expect(action).toMatchObject({ type: 'send', padded: true });
  });

  it('answers a request for another method (Allocate) with 400', () => {
    const action = respondToBinding({ data: request(0x003), client: CLIENT, rung: RUNG });
    expect(action.type === 'send' && readAttribute(decodeMessage(action.data), ERROR_CODE)?.code).toBe(400);
  });

  it('ignores indications, responses, non-STUN bytes and a broken FINGERPRINT', () => {
    const indication = encodeMessage({ cls: 'indication', method: METHOD_BINDING, transactionId: TID, attributes: [] });
    const response = encodeMessage({ cls: 'success', method: METHOD_BINDING, transactionId: TID, attributes: [] });
    const broken = request();
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0xff;
    for (const data of [indication, response, Uint8Array.of(1, 2, 3), broken]) {
      expect(respondToBinding({ data, client: CLIENT, rung: RUNG }).type).toBe('ignore');
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const action = respondToBinding({ data, client: CLIENT, rung: RUNG });
        expect(['send', 'ignore']).toContain(action.type);
      }),
    );
  });
});
