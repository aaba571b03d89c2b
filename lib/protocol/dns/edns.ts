/**
 * EDNS(0), RFC 6891 §6: the OPT pseudo-record of a query (the client's UDP payload size, version, DO bit and
 * options), and the Client Subnet option, RFC 7871 §6 — the part of the client's address a recursive
 * resolver forwards, which tells us where the person behind the resolver really is.
 */
import { formatIp } from '../stun/ip';
import { OPTION_CLIENT_SUBNET, TYPE_OPT } from './constants';
import { DnsDecodeError } from './errors';
import type { DnsRawRecord } from './message';

/** An EDNS Client Subnet option, RFC 7871 §6. */
export interface ClientSubnet {
  /** Address family, IANA Address Family Numbers: 1 = IPv4, 2 = IPv6. */
  family: 1 | 2;
  /** Leftmost bits of the address that are significant. */
  sourcePrefixLength: number;
  /** Scope prefix length (0 in queries). */
  scopePrefixLength: number;
  /** The subnet in CIDR form, e.g. `198.51.100.0/24`. */
  subnet: string;
  /** Raw ADDRESS octets as sent (already truncated to the prefix). */
  address: Uint8Array;
}

/** The OPT record of a query. */
export interface Edns {
  /** Requestor's UDP payload size (values below 512 are treated as 512, RFC 6891 §6.2.3). */
  udpPayloadSize: number;
  /** EDNS version (we implement 0). */
  version: number;
  /** The DNSSEC OK bit. */
  dnssecOk: boolean;
  /** Every option, in order. */
  options: Array<{ code: number; data: Uint8Array }>;
  /** The Client Subnet option, when sent. */
  clientSubnet?: ClientSubnet;
}

/**
 * Decodes a Client Subnet option value. Per RFC 7871 §6/§7.1.1–7.1.2 the address must be exactly
 * ceil(SOURCE PREFIX-LENGTH / 8) octets with no bits set past the prefix, for a known family; anything else
 * is a DnsDecodeError (the server answers FORMERR).
 */
export function decodeClientSubnet(data: Uint8Array, where: string): ClientSubnet {
  if (data.length < 4) throw new DnsDecodeError('truncated', where, 'Client Subnet option shorter than 4 octets');
  const family = (data[0]! << 8) | data[1]!;
  const sourcePrefixLength = data[2]!;
  const scopePrefixLength = data[3]!;
  if (family !== 1 && family !== 2) throw new DnsDecodeError('bad-value', where, `unknown address family ${family}`);
  const maxBits = family === 1 ? 32 : 128;
  if (sourcePrefixLength > maxBits) throw new DnsDecodeError('bad-value', where, `source prefix /${sourcePrefixLength} is longer than the address`);
  const address = data.subarray(4);
  const expected = Math.ceil(sourcePrefixLength / 8);
  if (address.length !== expected) {
    throw new DnsDecodeError('bad-value', where, `address of ${address.length} octets does not match source prefix /${sourcePrefixLength}`);
  }
  const spareBits = expected * 8 - sourcePrefixLength;
  if (spareBits > 0 && (address[expected - 1]! & ((1 << spareBits) - 1)) !== 0) {
    throw new DnsDecodeError('bad-value', where, 'address has bits set past the source prefix');
  }
  const full = new Uint8Array(family === 1 ? 4 : 16);
  full.set(address);
  return {
    family,
    sourcePrefixLength,
    scopePrefixLength,
    subnet: `${formatIp(full, where)}/${sourcePrefixLength}`,
    address: address.slice(),
  };
}

/**
 * Reads the OPT record among a query's additional records. Returns null when there is none; throws for two
 * OPT records, an OPT whose owner is not the root (RFC 6891 §6.1.1), or malformed options.
 */
export function readEdns(additionals: DnsRawRecord[]): Edns | null {
  const opts = additionals.map((r, i) => ({ r, i })).filter(({ r }) => r.type === TYPE_OPT);
  if (opts.length === 0) return null;
  if (opts.length > 1) throw new DnsDecodeError('bad-value', 'additional/OPT', 'more than one OPT record');
  const { r: record, i } = opts[0]!;
  const where = `additional/${i}/OPT`;
  if (record.labels.length !== 0) throw new DnsDecodeError('bad-value', `${where}/name`, 'OPT owner name must be the root');
  const options: Edns['options'] = [];
  let clientSubnet: ClientSubnet | undefined;
  const data = record.data;
  let position = 0;
  while (position < data.length) {
    if (position + 4 > data.length) throw new DnsDecodeError('truncated', `${where}/option`, 'option header cut short');
    const code = (data[position]! << 8) | data[position + 1]!;
    const length = (data[position + 2]! << 8) | data[position + 3]!;
    position += 4;
    if (position + length > data.length) throw new DnsDecodeError('truncated', `${where}/option/${code}`, `option length ${length} runs past RDATA`);
    const value = data.subarray(position, position + length);
    position += length;
    options.push({ code, data: value });
    if (code === OPTION_CLIENT_SUBNET) {
      if (clientSubnet) throw new DnsDecodeError('bad-value', `${where}/option/${code}`, 'more than one Client Subnet option');
      clientSubnet = decodeClientSubnet(value, `${where}/option/${code}`);
    }
  }
  const edns: Edns = {
    udpPayloadSize: Math.max(512, record.class),
    version: (record.ttl >>> 16) & 0xff,
    dnssecOk: (record.ttl & 0x8000) !== 0,
    options,
  };
  if (clientSubnet) edns.clientSubnet = clientSubnet;
  return edns;
}

/** Encodes a Client Subnet option value (for responses: the query's values with our scope, RFC 7871 §7.2.1). */
export function encodeClientSubnet(subnet: ClientSubnet, scopePrefixLength: number): Uint8Array {
  const out = new Uint8Array(4 + subnet.address.length);
  out[0] = 0;
  out[1] = subnet.family;
  out[2] = subnet.sourcePrefixLength;
  out[3] = scopePrefixLength;
  out.set(subnet.address, 4);
  return out;
}
