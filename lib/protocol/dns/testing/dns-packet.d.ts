/**
 * Minimal types for `dns-packet` 5 (no @types package is installed). netready uses dns-packet only in tests, as
 * an independent encoder/decoder to check its own codec against: dns-packet needs Node's `buffer` module, so
 * it cannot live in isomorphic lib/ code.
 */
declare module 'dns-packet' {
  /** A question. */
  export interface Question {
    type: string;
    name: string;
    class?: string;
  }
  /** Any record; record-specific fields are left open. */
  export interface Answer {
    type: string;
    name: string;
    class?: string;
    ttl?: number;
    flush?: boolean;
    data?: unknown;
    udpPayloadSize?: number;
    extendedRcode?: number;
    ednsVersion?: number;
    flags?: number;
    options?: Array<Record<string, unknown>>;
  }
  /** A packet. */
  export interface Packet {
    type?: 'query' | 'response';
    id?: number;
    flags?: number;
    rcode?: string;
    opcode?: string;
    questions?: Question[];
    answers?: Answer[];
    authorities?: Answer[];
    additionals?: Answer[];
  }
  export function encode(packet: Packet): Buffer;
  export function decode(buf: Uint8Array): Packet & { flag_aa: boolean; flag_tc: boolean; flag_rd: boolean; flag_ra: boolean; flag_qr: boolean };
  export function streamEncode(packet: Packet): Buffer;
  export function streamDecode(buf: Uint8Array): Packet;
  export const RECURSION_DESIRED: number;
  export const TRUNCATED_RESPONSE: number;
  export const AUTHORITATIVE_ANSWER: number;
  export const DNSSEC_OK: number;
  const _default: {
    encode: typeof encode;
    decode: typeof decode;
    streamEncode: typeof streamEncode;
    streamDecode: typeof streamDecode;
    RECURSION_DESIRED: number;
  };
  export default _default;
}
