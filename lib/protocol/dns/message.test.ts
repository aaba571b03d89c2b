import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASS_IN, TYPE_A, TYPE_OPT } from './constants';
import { decodeClientSubnet, readEdns } from './edns';
import { DnsDecodeError } from './errors';
import { decodeMessage, encodeMessage, type MessageSpec } from './message';
import { formatName, isHostName, readName } from './name';
import { ZONE, buildQuery, hex } from './testing/queries';

describe('DNS message codec', () => {
  it('decodes a dns-packet query with its question and the OPT record carrying Client Subnet', () => {
    const message = decodeMessage(buildQuery(`turn.${ZONE}`, { id: 7, ecs: { ip: '198.51.100.0', prefix: 24 } }));
    expect(message.header).toMatchObject({ id: 7, qr: false, opcode: 0, qdcount: 1, arcount: 1 });
    expect(message.questions).toEqual([{ labels: ['turn', 'probe', 'netready', 'test'], type: TYPE_A, class: CLASS_IN }]);
    const edns = readEdns(message.additionals);
    expect(edns).toMatchObject({ udpPayloadSize: 1232, version: 0, dnssecOk: false, clientSubnet: { family: 1, sourcePrefixLength: 24, subnet: '198.51.100.0/24' } });
  });

  it('reads an IPv6 Client Subnet and pads the address to full length', () => {
    expect(decodeClientSubnet(hex('0002 3800 20010db8000000'), 'ecs').subnet).toBe('2001:db8::/56');
  });

  it('follows a backward compression pointer', () => {
    // header, question "a.b" (offset 12), then an answer whose owner is "x" + pointer to offset 14 ("b").
    const bytes = hex('0001 8000 0001 0001 0000 0000 01 61 01 62 00 0001 0001 01 78 c00e 0001 0001 00000005 0004 cb007101');
    const message = decodeMessage(bytes);
    expect(message.answers[0]?.labels).toEqual(['x', 'b']);
    expect(Array.from(message.answers[0]!.data)).toEqual([203, 0, 113, 1]);
  });

  it('rejects a name longer than 255 octets', () => {
    const label = `3f${'61'.repeat(63)}`;
    const bytes = hex(`${label.repeat(4)}00`);
    expect(() => readName(bytes, 0, 'name')).toThrow(DnsDecodeError);
  });

  it('escapes octets outside LDH when formatting a name', () => {
    expect(formatName(['a.b', 'c\u0000'])).toBe('a\\046b.c\\000');
    expect(formatName([])).toBe('.');
  });

  it('accepts host names and rejects others as zones', () => {
    expect(isHostName('probe.netready.test')).toBe(true);
    expect(isHostName('-bad.test')).toBe(false);
    expect(isHostName('')).toBe(false);
  });

  it('round-trips encode → decode for arbitrary questions and A answers', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(label, { minLength: 0, maxLength: 5 }), fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { maxLength: 5 }), (id, labels, addresses) => {
        const spec: MessageSpec = {
          id,
          flags: 0x8400,
          questions: [{ labels, type: TYPE_A, class: CLASS_IN }],
          answers: addresses.map((address) => ({ labels, type: TYPE_A, class: CLASS_IN, ttl: 5, data: { type: 'A' as const, address } })),
          authorities: [],
          additionals: [{ labels: [], type: TYPE_OPT, class: 1232, ttl: 0, data: { type: 'OPT', options: [] } }],
        };
        const decoded = decodeMessage(encodeMessage(spec));
        expect(decoded.header.id).toBe(id);
        expect(decoded.questions[0]?.labels).toEqual(labels);
        expect(decoded.answers.map((a) => Array.from(a.data))).toEqual(addresses.map((a) => Array.from(a)));
        expect(decoded.answers.every((a) => a.labels.join('.') === labels.join('.'))).toBe(true);
      }),
    );
  });

  it('throws only DnsDecodeError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const message = decodeMessage(bytes);
          readEdns(message.additionals);
        } catch (error) {
          expect(error).toBeInstanceOf(DnsDecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
