/**
 * Test helpers: the captured ClientHellos of testdata/tls/ (see its README) and a tiny ClientHello encoder for
 * synthetic cases (RFC 8446 §4.1.2 layout, one record).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One capture file of testdata/tls/. */
export interface CapturedHello {
  capturedWith: string;
  how: string;
  userAgent: string;
  negotiatedAlpn: string | null;
  httpVersion: string;
  ja4: string;
  ja4Raw: string;
  /** The handshake message (no record header). */
  handshake: Uint8Array;
}

const TESTDATA = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'testdata', 'tls');

/** Loads `testdata/tls/<name>.json`. */
export function loadCapture(name: 'chromium-156-direct' | 'chromium-156-via-squid-connect' | 'squid-5.7-ssl-bump'): CapturedHello {
  const raw = JSON.parse(readFileSync(path.join(TESTDATA, `${name}.json`), 'utf8')) as Omit<CapturedHello, 'handshake'> & { handshakeBase64: string };
  return { ...raw, handshake: new Uint8Array(Buffer.from(raw.handshakeBase64, 'base64')) };
}

/** Wraps a handshake message in TLS records of at most `fragment` bytes each (RFC 8446 §5.1). */
export function toRecords(handshake: Uint8Array, fragment = 16384): Uint8Array {
  const parts: number[] = [];
  for (let at = 0; at < handshake.length; at += fragment) {
    const chunk = handshake.subarray(at, at + fragment);
    parts.push(22, 3, 1, chunk.length >> 8, chunk.length & 0xff, ...chunk);
  }
  return Uint8Array.from(parts);
}

const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const vec16 = (bytes: number[]): number[] => [...u16(bytes.length), ...bytes];
const vec8 = (bytes: number[]): number[] => [bytes.length, ...bytes];
const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/** A synthetic ClientHello. */
export interface HelloSpec {
  legacyVersion?: number;
  cipherSuites: number[];
  /** Extensions in order: `type` with raw `data`, or one of the helpers below. */
  extensions: Array<{ type: number; data: number[] }>;
}

/** Extension helpers producing wire bytes. */
export const ext = {
  sni: (host: string) => ({ type: 0x0000, data: vec16([0, ...vec16(ascii(host))]) }),
  alpn: (protocols: string[]) => ({ type: 0x0010, data: vec16(protocols.flatMap((p) => vec8(ascii(p)))) }),
  alpnRaw: (first: number[]) => ({ type: 0x0010, data: vec16(vec8(first)) }),
  versions: (versions: number[]) => ({ type: 0x002b, data: vec8(versions.flatMap(u16)) }),
  groups: (groups: number[]) => ({ type: 0x000a, data: vec16(groups.flatMap(u16)) }),
  sigalgs: (algs: number[]) => ({ type: 0x000d, data: vec16(algs.flatMap(u16)) }),
  empty: (type: number) => ({ type, data: [] as number[] }),
};

/** Encodes a ClientHello handshake message (header + body). */
export function encodeClientHello(spec: HelloSpec): Uint8Array {
  const body = [
    ...u16(spec.legacyVersion ?? 0x0303),
    ...new Array<number>(32).fill(7),
    ...vec8(new Array<number>(32).fill(1)),
    ...vec16(spec.cipherSuites.flatMap(u16)),
    ...vec8([0]),
    ...vec16(spec.extensions.flatMap((e) => [...u16(e.type), ...vec16(e.data)])),
  ];
  return Uint8Array.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
}
