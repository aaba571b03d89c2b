import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readClientHello } from './client-hello';
import { computeJa4, ja4AlpnChars } from './ja4';
import { encodeClientHello, ext, loadCapture, toRecords } from './testing/fixtures';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

function ja4Of(handshake: Uint8Array) {
  const read = readClientHello(toRecords(handshake));
  if (read.status !== 'complete') throw new Error('incomplete');
  return computeJa4(read.hello, sha256Hex);
}

// The worked example of the FoxIO JA4 specification (technical_details/JA4.md), in its original wire order
// (JA4_ro), with GREASE values added where Chrome puts them — JA4 must ignore them.
const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

/** The smallest well-formed body of an extension the decoder reads (others may be empty). */
function minimal(type: number): { type: number; data: number[] } {
  if (type === 0x000a) return ext.groups([0x001d]);
  if (type === 0x001b) return { type, data: [2, 0, 2] };
  if (type === 0x0033 || type === 0x4469) return { type, data: [0, 0] };
  if (type === 0x002b) return ext.versions([0x0304]);
  return ext.empty(type);
}

function specHello(options: { sigalgs?: boolean } = {}): Uint8Array {
  const order = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
  const extensions = [
    ext.empty(0x1a1a),
    ...order
      .filter((t) => options.sigalgs !== false || t !== 0x000d)
      .map((t) => {
        if (t === 0x0000) return ext.sni('example.com');
        if (t === 0x0010) return ext.alpn(['h2', 'http/1.1']);
        if (t === 0x002b) return ext.versions([0x2a2a, 0x0304, 0x0303]);
        if (t === 0x000d) return ext.sigalgs(SPEC_SIGALGS);
        return minimal(t);
      }),
    ext.empty(0xfafa),
  ];
  return encodeClientHello({ cipherSuites: [0x0a0a, ...SPEC_CIPHERS], extensions });
}

describe('JA4 (FoxIO specification)', () => {
  it('reproduces the specification\'s worked example t13d1516h2_8daaf6152771_e5627efa2ab1, ignoring GREASE', () => {
    const { ja4, ja4Raw } = ja4Of(specHello());
    expect(ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(ja4Raw).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
  });

  it('hashes the extension list without a trailing underscore when there are no signature algorithms', () => {
    // Spec: "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01 = 6d807ffa2a79" (000d kept as an
    // empty extension here so the list matches the spec's).
    const hello = specHello({ sigalgs: false });
    const withEmptySigalgs = encodeClientHello({
      cipherSuites: SPEC_CIPHERS,
      extensions: [0x0005, 0x000a, 0x000b, 0x000d, 0x0012, 0x0015, 0x0017, 0x001b, 0x0023, 0x002b, 0x002d, 0x0033, 0x4469, 0xff01].map((t) =>
        t === 0x000d ? { type: t, data: [0, 0] } : minimal(t),
      ),
    });
    expect(ja4Of(withEmptySigalgs).ja4.split('_')[2]).toBe('6d807ffa2a79');
    expect(ja4Of(hello).ja4).toMatch(/^t13d1515h2_8daaf6152771_[0-9a-f]{12}$/);
  });

  it('uses "i" without SNI, legacy_version without supported_versions, and zeros for empty lists', () => {
    const { ja4 } = ja4Of(encodeClientHello({ legacyVersion: 0x0301, cipherSuites: [0x0a0a], extensions: [] }));
    expect(ja4).toBe('t10i0000000_000000000000_000000000000'.replace('0000000_', '000000_'));
  });

  it.each([
    ['h2', 'h2', [0x68, 0x32]],
    ['http/1.1', 'h1', Array.from('http/1.1', (c) => c.charCodeAt(0))],
    ['a single character', 'aa', [0x61]],
    ['0xAB', 'ab', [0xab]],
    ['0xAB 0xCD', 'ad', [0xab, 0xcd]],
    ['0x30 0xAB', '3b', [0x30, 0xab]],
    ['0x30 0x31 0xAB 0xCD', '3d', [0x30, 0x31, 0xab, 0xcd]],
    ['0x30 0xAB 0xCD 0x31', '01', [0x30, 0xab, 0xcd, 0x31]],
    ['an empty value', '00', []],
  ])('spells the first ALPN value %s as "%s"', (_name, expected, bytes) => {
    expect(ja4AlpnChars(Uint8Array.from(bytes))).toBe(expected);
  });

  it('gives the captured Chromium 156 the same JA4 directly and through a CONNECT tunnel, and squid ssl-bump another', () => {
    const direct = loadCapture('chromium-156-direct');
    const tunnelled = loadCapture('chromium-156-via-squid-connect');
    const bumped = loadCapture('squid-5.7-ssl-bump');
    expect(ja4Of(direct.handshake).ja4).toBe(direct.ja4);
    expect(ja4Of(direct.handshake).ja4).toBe('t13i1516h2_8daaf6152771_cb7bf5808d99');
    expect(ja4Of(tunnelled.handshake).ja4).toBe(direct.ja4);
    expect(ja4Of(bumped.handshake).ja4).toBe('t13i311100_e8f1e7e78f70_830561eb1039');
  });
});
