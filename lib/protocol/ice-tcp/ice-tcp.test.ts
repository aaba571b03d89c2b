import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr, readAttribute, SOFTWARE, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import { METHOD_BINDING } from '../stun/constants';
import { DecodeError } from '../stun/errors';
import { shortTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import { decodeMessage, encodeMessage } from '../stun/message';
import { testCrypto } from '../stun/testing/node-crypto';
import { IceTcpConnection, MAX_FIRST_FRAME_BYTES } from './connection';
import { checkFirstMessage, type LiveAnswerCredentials } from './first-message';
import { frameRfc4571, MAX_RFC4571_PAYLOAD_BYTES, Rfc4571Framer } from './framing';
import { buildCheck } from './testing/checks';

const ANSWER: LiveAnswerCredentials = { ufrag: 'srvUfrag', password: 'server-password-0123456789' };
const lookup = (ufrag: string): LiveAnswerCredentials | undefined => (ufrag === ANSWER.ufrag ? ANSWER : undefined);
const BROWSER = { ip: '198.51.100.7', port: 50123 };
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('RFC 4571 framing', () => {
  it('prefixes a datagram with its 16-bit big-endian length', () => {
    expect([...frameRfc4571(bytes(0xaa, 0xbb, 0xcc))]).toEqual([0, 3, 0xaa, 0xbb, 0xcc]);
    expect([...frameRfc4571(new Uint8Array(0))]).toEqual([0, 0]);
  });

  it('refuses to frame a datagram longer than 65,535 bytes', () => {
    expect(() => frameRfc4571(new Uint8Array(MAX_RFC4571_PAYLOAD_BYTES + 1))).toThrow(RangeError);
    expect(frameRfc4571(new Uint8Array(MAX_RFC4571_PAYLOAD_BYTES)).length).toBe(MAX_RFC4571_PAYLOAD_BYTES + 2);
  });

  it.each([
    { name: 'one frame in one chunk', chunks: [[0, 2, 1, 2]], datagrams: [[1, 2]], buffered: 0 },
    { name: 'two frames in one chunk', chunks: [[0, 1, 9, 0, 2, 7, 8]], datagrams: [[9], [7, 8]], buffered: 0 },
    { name: 'a frame split inside its length field', chunks: [[0], [3, 1, 2], [3]], datagrams: [[1, 2, 3]], buffered: 0 },
    { name: 'a frame split inside its payload', chunks: [[0, 3, 1], [2, 3, 0]], datagrams: [[1, 2, 3]], buffered: 1 },
    { name: 'a zero-length frame (legal, carries nothing)', chunks: [[0, 0, 0, 1, 5]], datagrams: [[5]], buffered: 0 },
    { name: 'an empty chunk', chunks: [[]], datagrams: [], buffered: 0 },
  ])('cuts $name', ({ chunks, datagrams, buffered }) => {
    const framer = new Rfc4571Framer();
    const out = chunks.flatMap((chunk) => framer.push(Uint8Array.from(chunk)));
    expect(out.map((d) => [...d])).toEqual(datagrams);
    expect(framer.bufferedBytes).toBe(buffered);
  });

  it('throws DecodeError for a length above its bound, before buffering the payload', () => {
    const framer = new Rfc4571Framer({ maxFrameBytes: 100 });
    expect(() => framer.push(bytes(0, 101))).toThrow(DecodeError);
  });

  it('tells the length of the frame still arriving', () => {
    const framer = new Rfc4571Framer();
    expect(framer.pendingFrameBytes).toBeNull();
    framer.push(bytes(0x01, 0x00, 7));
    expect(framer.pendingFrameBytes).toBe(256);
  });

  it('round-trips any sequence of datagrams cut into any chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }), (datagrams, cuts) => {
        const stream = Uint8Array.from(datagrams.flatMap((d) => [...frameRfc4571(d)]));
        const framer = new Rfc4571Framer();
        const out: Uint8Array[] = [];
        let offset = 0;
        for (let i = 0; offset < stream.length; i++) {
          const size = cuts[i % cuts.length]!;
          out.push(...framer.push(stream.subarray(offset, offset + size)));
          offset += size;
        }
        expect(out.map((d) => [...d])).toEqual(datagrams.map((d) => [...d]));
        expect(framer.bufferedBytes).toBe(0);
      }),
    );
  });
});

describe('the first-message gate', () => {
  it('accepts a Binding request naming a live answer, signed with its password', () => {
    const verdict = checkFirstMessage(buildCheck(testCrypto, {}), lookup, testCrypto);
    expect(verdict).toMatchObject({ accept: true, localUfrag: 'srvUfrag', remoteUfrag: 'brwsr' });
  });

  it.each([
    { name: 'an unknown ufrag', check: { username: 'guessed:brwsr' }, reason: 'unknown-ufrag' },
    { name: 'the right ufrag signed with the wrong password', check: { password: 'not-the-password-at-all' }, reason: 'bad-integrity' },
    { name: 'no MESSAGE-INTEGRITY', check: { password: null }, reason: 'bad-integrity' },
    { name: 'no FINGERPRINT', check: { fingerprint: false }, reason: 'bad-fingerprint' },
    { name: 'no USERNAME', check: { username: null }, reason: 'no-username' },
    { name: 'a USERNAME without a colon', check: { username: 'srvUfrag' }, reason: 'no-username' },
    { name: 'a USERNAME with an empty remote ufrag', check: { username: 'srvUfrag:' }, reason: 'no-username' },
    { name: 'a USERNAME with an empty local ufrag', check: { username: ':brwsr' }, reason: 'no-username' },
    { name: 'a Binding indication', check: { cls: 'indication' as const }, reason: 'not-binding-request' },
    { name: 'a TURN Allocate request', check: { method: 0x003 }, reason: 'not-binding-request' },
  ])('refuses $name with $reason', ({ check, reason }) => {
    const verdict = checkFirstMessage(buildCheck(testCrypto, check), lookup, testCrypto);
    expect(verdict).toMatchObject({ accept: false, reason });
  });

  it.each([
    { name: 'an HTTP request', datagram: new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n') },
    { name: 'a TLS ClientHello', datagram: bytes(0x16, 0x03, 0x01, 0x00, 0x10, ...new Array(20).fill(0)) },
    { name: 'a STUN header with a wrong length', datagram: buildCheck(testCrypto, {}).subarray(0, 40) },
    { name: 'a single byte', datagram: bytes(0) },
  ])('refuses $name as not-stun', ({ datagram }) => {
    expect(checkFirstMessage(datagram, lookup, testCrypto)).toMatchObject({ accept: false, reason: 'not-stun' });
  });

  it('never throws and never accepts arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (datagram) => {
        expect(checkFirstMessage(datagram, lookup, testCrypto).accept).toBe(false);
      }),
    );
  });
});

describe('an ICE-TCP connection', () => {
  const open = (): IceTcpConnection => new IceTcpConnection({ remote: BROWSER, lookup, crypto: testCrypto });

  it('accepts a framed check and forwards it, then forwards DTLS records', () => {
    const connection = open();
    const check = buildCheck(testCrypto, {});
    const actions = connection.receive(frameRfc4571(check));
    expect(actions.map((a) => a.type)).toEqual(['accept', 'forward']);
    expect(actions[0]).toEqual({ type: 'accept', localUfrag: 'srvUfrag', remoteUfrag: 'brwsr' });
    expect(connection.state).toBe('open');
    const dtls = bytes(22, 0xfe, 0xfd, ...new Array(2000).fill(1));
    expect(connection.receive(frameRfc4571(dtls))).toEqual([{ type: 'forward', datagram: dtls }]);
    expect(connection.forwardedDatagrams).toBe(2);
  });

  it('closes on a first frame that fails the gate and forwards nothing', () => {
    const connection = open();
    const actions = connection.receive(frameRfc4571(buildCheck(testCrypto, { username: 'other:brwsr' })));
    expect(actions).toEqual([{ type: 'close', reason: 'unknown-ufrag', detail: expect.any(String) }]);
    expect(connection.state).toBe('closed');
    expect(connection.receive(frameRfc4571(buildCheck(testCrypto, {})))).toEqual([]);
  });

  it('closes on a first frame longer than the first-message bound without waiting for its bytes', () => {
    const connection = open();
    const length = MAX_FIRST_FRAME_BYTES + 1;
    expect(connection.receive(bytes(length >> 8, length & 0xff))).toMatchObject([{ type: 'close', reason: 'first-frame-too-large' }]);
  });

  it('closes on bytes that are not RFC 4571 framed STUN (an HTTP client)', () => {
    const connection = open();
    // "GE" read as a length is 18245 bytes: over the first-message bound.
    expect(connection.receive(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toMatchObject([{ type: 'close', reason: 'first-frame-too-large' }]);
  });

  it('drops datagrams that are neither STUN nor DTLS once open (RFC 7983), without closing', () => {
    const connection = open();
    connection.receive(frameRfc4571(buildCheck(testCrypto, {})));
    expect(connection.receive(frameRfc4571(bytes(0x80, 0x60, 1, 2)))).toEqual([]);
    expect(connection.droppedDatagrams).toBe(1);
    expect(connection.state).toBe('open');
  });

  it('frames nothing for the browser before the first message passed the gate', () => {
    expect(open().frameForBrowser(bytes(22, 1, 2))).toBeNull();
  });

  it('frames DTLS for the browser unchanged once open', () => {
    const connection = open();
    connection.receive(frameRfc4571(buildCheck(testCrypto, {})));
    expect([...connection.frameForBrowser(bytes(23, 1, 2))!]).toEqual([0, 3, 23, 1, 2]);
  });

  it('rewrites XOR-MAPPED-ADDRESS of a Binding success to the browser\'s TCP address and signs it again', () => {
    const connection = open();
    connection.receive(frameRfc4571(buildCheck(testCrypto, {})));
    const key = shortTermKey(ANSWER.password);
    const transactionId = new Uint8Array(12).fill(3);
    const fromPeer = encodeMessage(
      { cls: 'success', method: METHOD_BINDING, transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, { ip: '127.0.0.1', port: 40000 }), attr(SOFTWARE, 'werift')] },
      { integrity: { key, crypto: testCrypto }, fingerprint: true },
    );
    const framed = connection.frameForBrowser(fromPeer)!;
    const message = decodeMessage(framed.subarray(2));
    expect(readAttribute(message, XOR_MAPPED_ADDRESS)).toEqual(BROWSER);
    expect(readAttribute(message, SOFTWARE)).toBe('werift');
    expect([...message.transactionId]).toEqual([...transactionId]);
    expect(verifyMessageIntegrity(message, key, testCrypto)).toBe(true);
    expect(verifyFingerprint(message)).toBe(true);
  });

  it('survives arbitrary bytes in arbitrary chunks: closes or stays waiting, never forwards unauthenticated data', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 6 }), (chunks) => {
        const connection = open();
        const actions = chunks.flatMap((chunk) => connection.receive(chunk));
        expect(actions.every((a) => a.type === 'close')).toBe(true);
        expect(actions.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('survives arbitrary bytes after a valid first message', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 6 }), (chunks) => {
        const connection = open();
        connection.receive(frameRfc4571(buildCheck(testCrypto, {})));
        for (const chunk of chunks) for (const action of connection.receive(chunk)) expect(['forward', 'close']).toContain(action.type);
      }),
    );
  });
});

describe('an ICE-TCP connection given several frames in one chunk', () => {
  it('accepts the check and forwards a large DTLS record that arrived right behind it', () => {
    const connection = new IceTcpConnection({ remote: BROWSER, lookup, crypto: testCrypto });
    const dtls = bytes(22, 0xfe, 0xfd, ...new Array(3000).fill(5));
    const check = frameRfc4571(buildCheck(testCrypto, {}));
    const record = frameRfc4571(dtls);
    const chunk = new Uint8Array(check.length + record.length);
    chunk.set(check, 0);
    chunk.set(record, check.length);
    expect(connection.receive(chunk).map((a) => a.type)).toEqual(['accept', 'forward', 'forward']);
  });

  it('refuses a complete first frame above the first-message bound', () => {
    const connection = new IceTcpConnection({ remote: BROWSER, lookup, crypto: testCrypto });
    expect(connection.receive(frameRfc4571(new Uint8Array(MAX_FIRST_FRAME_BYTES + 1)))).toMatchObject([{ type: 'close', reason: 'first-frame-too-large' }]);
  });
});
