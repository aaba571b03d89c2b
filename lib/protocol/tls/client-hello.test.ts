import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readClientHello } from './client-hello';
import { EXT, GROUP, isGrease } from './constants';
import { TlsDecodeError } from './errors';
import { summarizeClientHello } from './summary';
import { encodeClientHello, ext, loadCapture, toRecords } from './testing/fixtures';

function complete(bytes: Uint8Array) {
  const read = readClientHello(bytes);
  if (read.status !== 'complete') throw new Error(`expected a complete ClientHello, need ${read.needBytes} bytes`);
  return read;
}

describe('RFC 8701 GREASE values', () => {
  it('recognises exactly the sixteen 0x?A?A code points', () => {
    const grease = Array.from({ length: 0x10000 }, (_, v) => v).filter(isGrease);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
  });
});

describe('reading a captured Chromium 156 ClientHello', () => {
  const capture = loadCapture('chromium-156-direct');
  const read = complete(toRecords(capture.handshake));
  const summary = summarizeClientHello(read.hello, read.handshake.length);

  it('decodes the cipher suites, versions and extensions with GREASE in every list Chromium greases', () => {
    expect(summary.maxVersion).toBe(0x0304);
    expect(summary.grease).toEqual({ cipherSuites: true, extensions: true, supportedGroups: true, supportedVersions: true, keyShare: true });
    expect(summary.cipherSuites.filter((c) => !isGrease(c))).toContain(0x1301);
  });

  it('finds ALPS, certificate compression, ECH and the X25519MLKEM768 key share', () => {
    expect(summary.alps).toBe(true);
    expect(summary.extensions).toContain(EXT.ALPS);
    expect(summary.compressCertificate).toBe(true);
    expect(summary.certificateCompressionAlgorithms).toEqual([2]); // brotli (RFC 8879 §3)
    expect(summary.encryptedClientHello).toBe(true);
    expect(summary.postQuantumKeyShare).toBe(true);
    expect(read.hello.keyShareGroups).toContain(GROUP.X25519MLKEM768);
  });

  it('offers h2 then http/1.1 and sends no SNI to an IP literal', () => {
    expect(summary.alpn).toEqual(['h2', 'http/1.1']);
    expect(summary.serverName).toBeNull();
  });

  it('spans exactly the record bytes and matches the handshake length', () => {
    const records = toRecords(capture.handshake);
    expect(complete(records).recordBytes).toBe(records.length);
    expect(summary.sizeBytes).toBe(capture.handshake.length);
  });

  it('reassembles a ClientHello fragmented over several records', () => {
    const records = toRecords(capture.handshake, 100);
    const read2 = complete(records);
    expect(read2.recordBytes).toBe(records.length);
    expect(read2.hello.cipherSuites).toEqual(read.hello.cipherSuites);
  });

  it('asks for more bytes, never fails, while the ClientHello is still arriving', () => {
    const records = toRecords(capture.handshake, 300);
    for (const cut of [0, 1, 4, 5, 200, 305, records.length - 1]) {
      const partial = readClientHello(records.subarray(0, cut));
      expect(partial.status).toBe('incomplete');
      if (partial.status === 'incomplete') expect(partial.needBytes).toBeGreaterThan(cut);
    }
  });
});

describe('reading squid ssl-bump\'s ClientHello', () => {
  it('shows none of the browser features: no GREASE, no ALPN, no ALPS, no ECH, no post-quantum group', () => {
    const capture = loadCapture('squid-5.7-ssl-bump');
    const read = complete(toRecords(capture.handshake));
    const summary = summarizeClientHello(read.hello, read.handshake.length);
    expect(Object.values(summary.grease).some(Boolean)).toBe(false);
    expect(summary.alpn).toEqual([]);
    expect(summary.alps).toBe(false);
    expect(summary.encryptedClientHello).toBe(false);
    expect(summary.postQuantumKeyShare).toBe(false);
    expect(summary.extensions).toContain(EXT.ENCRYPT_THEN_MAC);
  });
});

describe('rejecting what is not a ClientHello', () => {
  const cases: Array<[string, Uint8Array, string, RegExp]> = [
    ['plain HTTP', new TextEncoder().encode('GET / HTTP/1.1\r\nhost: x\r\n\r\n'), 'not-tls', /record\[0\]\/content-type/],
    ['a STUN binding request', Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4]), 'not-tls', /record\[0\]\/content-type/],
    ['an SSLv2-style record version', Uint8Array.from([22, 2, 0, 0, 4, 1, 0, 0, 0]), 'not-tls', /record\[0\]\/version/],
    ['a ServerHello', toRecords(Uint8Array.from([2, 0, 0, 2, 3, 3])), 'not-client-hello', /handshake\/msg-type/],
    ['a zero-length record', Uint8Array.from([22, 3, 1, 0, 0]), 'bad-length', /record\[0\]\/length/],
    ['a cipher list longer than the body', toRecords(Uint8Array.from([1, 0, 0, 37, 3, 3, ...new Array<number>(32).fill(0), 0, 0xff, 0xff])), 'bad-length', /cipher_suites/],
  ];
  it.each(cases)('rejects %s with a TlsDecodeError saying where', (_name, bytes, code, where) => {
    let thrown: unknown;
    try {
      readClientHello(bytes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TlsDecodeError);
    expect((thrown as TlsDecodeError).code).toBe(code);
    expect((thrown as TlsDecodeError).where).toMatch(where);
  });

  it('rejects an extension whose length runs past the extensions block', () => {
    const hello = encodeClientHello({ cipherSuites: [0x1301], extensions: [ext.sni('example.com')] });
    const broken = hello.slice();
    broken[broken.length - 15] = 0xff; // extension_data length of server_name
    expect(() => readClientHello(toRecords(broken))).toThrow(TlsDecodeError);
  });

  it('only ever answers arbitrary bytes with a result or a TlsDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          readClientHello(bytes);
        } catch (error) {
          if (!(error instanceof TlsDecodeError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('only ever answers mutated real ClientHellos with a result or a TlsDecodeError', () => {
    const base = toRecords(loadCapture('chromium-156-direct').handshake);
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = base.slice();
        bytes[at] = value;
        try {
          readClientHello(bytes);
        } catch (error) {
          if (!(error instanceof TlsDecodeError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
