/**
 * Query builders for DNS tests, using dns-packet as an independent encoder (so our decoder is checked against
 * someone else's encoder), plus raw-byte helpers for the malformed cases dns-packet cannot express.
 */
import dnsPacket, { type Answer } from 'dns-packet';

/** Test zone (the `.test` TLD is reserved for testing, RFC 2606). */
export const ZONE = 'probe.netready.test';
/** Answer addresses from the documentation ranges. */
export const ANSWER_V4 = '203.0.113.10';
/** IPv6 answer address (RFC 3849 documentation prefix). */
export const ANSWER_V6 = '2001:db8::10';

/** Options of buildQuery. */
export interface QueryOptions {
  id?: number;
  type?: string;
  class?: string;
  /** Add an OPT record with this UDP payload size. */
  ednsSize?: number;
  /** Add a Client Subnet option (IPv4 `ip` with `prefix` bits). */
  ecs?: { ip: string; prefix: number; family?: 1 | 2 };
  /** EDNS version (default 0). */
  ednsVersion?: number;
}

/** Encodes a standard query for `name`. */
export function buildQuery(name: string, options: QueryOptions = {}): Uint8Array {
  const additionals: Answer[] = [];
  if (options.ednsSize !== undefined || options.ecs || options.ednsVersion !== undefined) {
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: options.ednsSize ?? 1232,
      ...(options.ednsVersion !== undefined ? { ednsVersion: options.ednsVersion } : {}),
      options: options.ecs
        ? [{ code: 'CLIENT_SUBNET', family: options.ecs.family ?? 1, sourcePrefixLength: options.ecs.prefix, scopePrefixLength: 0, ip: options.ecs.ip }]
        : [],
    });
  }
  const bytes = dnsPacket.encode({
    type: 'query',
    id: options.id ?? 0x1234,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: options.type ?? 'A', name, class: options.class ?? 'IN' }],
    additionals,
  });
  return new Uint8Array(bytes);
}

/** Decodes a response with dns-packet. */
export function decodeResponse(bytes: Uint8Array): ReturnType<typeof dnsPacket.decode> {
  return dnsPacket.decode(Buffer.from(bytes));
}

/** Hex text (spaces allowed) → bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}
