/**
 * DNS wire constants, named after the RFCs that define them (RFC 1035 §3.2 and §4.1, RFC 6891 EDNS(0),
 * RFC 7871 Client Subnet, RFC 3596 AAAA).
 */

/** Fixed header length, RFC 1035 §4.1.1. */
export const HEADER_LENGTH = 12;
/** Largest label, RFC 1035 §2.3.4. */
export const MAX_LABEL_LENGTH = 63;
/** Largest name on the wire including length octets and the root label, RFC 1035 §2.3.4. */
export const MAX_NAME_LENGTH = 255;
/** Largest DNS message over UDP without EDNS, RFC 1035 §2.3.4. */
export const CLASSIC_UDP_PAYLOAD = 512;
/**
 * Largest UDP payload we ever send, whatever a client's EDNS buffer says: the DNS Flag Day 2020 value,
 * which fits a 1280-byte IPv6 MTU without fragmentation (https://www.dnsflagday.net/2020/).
 */
export const MAX_UDP_PAYLOAD = 1232;
/** Largest message over TCP (two-octet length prefix), RFC 1035 §4.2.2. */
export const MAX_TCP_MESSAGE = 65535;

/** RR TYPE values, RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6891 §6.1.1, RFC 8482. */
export const TYPE_A = 1;
/** NS. */
export const TYPE_NS = 2;
/** SOA. */
export const TYPE_SOA = 6;
/** TXT. */
export const TYPE_TXT = 16;
/** AAAA, RFC 3596. */
export const TYPE_AAAA = 28;
/** OPT pseudo-RR, RFC 6891 §6.1.1. */
export const TYPE_OPT = 41;
/** IXFR, RFC 1995. */
export const TYPE_IXFR = 251;
/** AXFR, RFC 5936. */
export const TYPE_AXFR = 252;
/** ANY ("*"), RFC 1035 §3.2.3, answered minimally per RFC 8482. */
export const TYPE_ANY = 255;

/** CLASS IN, RFC 1035 §3.2.4. */
export const CLASS_IN = 1;
/** QCLASS ANY, RFC 1035 §3.2.5. */
export const CLASS_ANY = 255;

/** OPCODE QUERY, RFC 1035 §4.1.1. */
export const OPCODE_QUERY = 0;

/** RCODE values, RFC 1035 §4.1.1 and RFC 6891 §9 (BADVERS is an extended RCODE). */
export const RCODE_NOERROR = 0;
/** FORMERR: the server could not interpret the query. */
export const RCODE_FORMERR = 1;
/** SERVFAIL. */
export const RCODE_SERVFAIL = 2;
/** NXDOMAIN: the name does not exist. */
export const RCODE_NXDOMAIN = 3;
/** NOTIMP: the server does not support this kind of query. */
export const RCODE_NOTIMP = 4;
/** REFUSED: policy (here: a name outside our zone, or a rate limit). */
export const RCODE_REFUSED = 5;
/** BADVERS, RFC 6891 §6.1.3: unsupported EDNS version (extended RCODE 16). */
export const RCODE_BADVERS = 16;

/** EDNS option code of Client Subnet, RFC 7871 §6. */
export const OPTION_CLIENT_SUBNET = 8;

/** Header flag bits in the second 16-bit word, RFC 1035 §4.1.1. */
export const FLAG_QR = 0x8000;
/** Authoritative Answer. */
export const FLAG_AA = 0x0400;
/** TrunCation. */
export const FLAG_TC = 0x0200;
/** Recursion Desired (copied from the query). */
export const FLAG_RD = 0x0100;
/** Recursion Available (never set: we do not recurse). */
export const FLAG_RA = 0x0080;
/** Checking Disabled, RFC 4035 §3.2.2 (copied from the query). */
export const FLAG_CD = 0x0010;

/** Printable names of the RR types this server deals with, for evidence. */
export const TYPE_NAMES: Readonly<Record<number, string>> = {
  [TYPE_A]: 'A',
  [TYPE_NS]: 'NS',
  [TYPE_SOA]: 'SOA',
  [TYPE_TXT]: 'TXT',
  [TYPE_AAAA]: 'AAAA',
  [TYPE_OPT]: 'OPT',
  64: 'SVCB',
  65: 'HTTPS',
  [TYPE_IXFR]: 'IXFR',
  [TYPE_AXFR]: 'AXFR',
  [TYPE_ANY]: 'ANY',
};

/** The printable name of an RR type (`TYPE123` for unknown ones, RFC 3597 §5). */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}
