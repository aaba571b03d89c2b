/**
 * X.509 name constraints (RFC 5280 §4.2.1.10) for the development CA: a CA certificate that may only vouch for
 * the names and addresses of this installation. A browser that trusts the dev CA (`netready trust`) then cannot be
 * fooled into accepting a certificate for any other site, even if `ca-key.pem` leaks. Chromium, Firefox (NSS),
 * OpenSSL and macOS enforce name constraints on locally trusted roots.
 *
 * @peculiar/x509 has no class for this extension, so the DER is written and read here. Only what the dev CA uses
 * is supported: permitted subtrees of dNSName and iPAddress (no excluded subtrees, no minimum/maximum).
 */
import { isIP } from 'node:net';

/** OID of the nameConstraints extension (RFC 5280 §4.2.1.10, id-ce 30). */
export const OID_NAME_CONSTRAINTS = '2.5.29.30';

/** An iPAddress subtree: an address and a prefix length (`127.0.0.0/8`, `::1/128`). */
export interface IpSubtree {
  /** The address, canonical text form. */
  ip: string;
  /** Prefix length in bits: ≤ 32 for IPv4, ≤ 128 for IPv6. */
  prefixLength: number;
}

/** Permitted subtrees of a name-constrained CA. */
export interface PermittedSubtrees {
  /** DNS subtrees: each permits the name itself and every name below it (`example.org` → `a.b.example.org`). */
  dns: string[];
  /** IP subtrees. With none, RFC 5280 would leave IP SANs unconstrained — the dev CA always lists some. */
  ip: IpSubtree[];
}

/** Why a name-constraints value could not be read. */
export class NameConstraintsError extends Error {
  override readonly name = 'NameConstraintsError';
}

// DER tags (X.690 §8): SEQUENCE, and the context-specific tags of NameConstraints and GeneralName.
const TAG_SEQUENCE = 0x30;
/** permittedSubtrees [0] IMPLICIT GeneralSubtrees (constructed). */
const TAG_PERMITTED = 0xa0;
/** excludedSubtrees [1] IMPLICIT GeneralSubtrees (constructed). */
const TAG_EXCLUDED = 0xa1;
/** GeneralName dNSName [2] IMPLICIT IA5String (primitive). */
const TAG_DNS_NAME = 0x82;
/** GeneralName iPAddress [7] IMPLICIT OCTET STRING (primitive): address then mask. */
const TAG_IP_ADDRESS = 0x87;

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: number[]): number[] {
  return [tag, ...encodeLength(content.length), ...content];
}

/** The bytes of an IPv4 or IPv6 address. */
export function ipToBytes(ip: string): number[] {
  const family = isIP(ip);
  if (family === 4) return ip.split('.').map(Number);
  if (family !== 6) throw new NameConstraintsError(`not an IP address: ${JSON.stringify(ip)}`);
  // Expand `::` and an embedded IPv4 tail into eight 16-bit groups.
  let text = ip;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4Tail[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

function bytesToIp(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The WHATWG URL parser prints IPv6 in RFC 5952 canonical form.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

function prefixToMask(prefixLength: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => {
    const bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
    return (0xff << (8 - bits)) & 0xff;
  });
}

function maskToPrefix(mask: number[]): number {
  let prefix = 0;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((byte >> bit) & 1) prefix++;
      else return prefix;
    }
  }
  return prefix;
}

/** DER of a NameConstraints value with only permitted subtrees (the extension's extnValue contents). */
export function encodeNameConstraints(permitted: PermittedSubtrees): ArrayBuffer {
  const subtrees: number[] = [];
  for (const name of permitted.dns) {
    subtrees.push(...tlv(TAG_SEQUENCE, tlv(TAG_DNS_NAME, [...Buffer.from(name.toLowerCase(), 'ascii')])));
  }
  for (const { ip, prefixLength } of permitted.ip) {
    const address = ipToBytes(ip);
    const mask = prefixToMask(prefixLength, address.length);
    // RFC 5280 §4.2.1.10: the address with its host bits cleared, followed by the mask.
    const network = address.map((byte, i) => byte & mask[i]!);
    subtrees.push(...tlv(TAG_SEQUENCE, tlv(TAG_IP_ADDRESS, [...network, ...mask])));
  }
  return new Uint8Array(tlv(TAG_SEQUENCE, tlv(TAG_PERMITTED, subtrees))).buffer;
}

/** Reads one TLV at `offset`; returns its tag, content range and where the next one starts. */
function readTlv(bytes: Uint8Array, offset: number, where: string): { tag: number; start: number; end: number } {
  if (offset + 2 > bytes.length) throw new NameConstraintsError(`${where}: truncated`);
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || start + count > bytes.length) throw new NameConstraintsError(`${where}: bad length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new NameConstraintsError(`${where}: truncated`);
  return { tag, start, end };
}

/**
 * Reads the permitted subtrees of a NameConstraints value. Throws NameConstraintsError on excluded subtrees or
 * name forms the dev CA never writes: such a CA was not made by netready and is not judged here.
 */
export function decodeNameConstraints(der: ArrayBuffer | Uint8Array): PermittedSubtrees {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const outer = readTlv(bytes, 0, 'NameConstraints');
  if (outer.tag !== TAG_SEQUENCE) throw new NameConstraintsError('NameConstraints: not a SEQUENCE');
  const result: PermittedSubtrees = { dns: [], ip: [] };
  for (let offset = outer.start; offset < outer.end; ) {
    const part = readTlv(bytes, offset, 'NameConstraints/subtrees');
    if (part.tag === TAG_EXCLUDED) throw new NameConstraintsError('NameConstraints: excluded subtrees are not supported');
    if (part.tag !== TAG_PERMITTED) throw new NameConstraintsError(`NameConstraints: unexpected tag 0x${part.tag.toString(16)}`);
    for (let inner = part.start; inner < part.end; ) {
      const subtree = readTlv(bytes, inner, 'GeneralSubtree');
      if (subtree.tag !== TAG_SEQUENCE) throw new NameConstraintsError('GeneralSubtree: not a SEQUENCE');
      const base = readTlv(bytes, subtree.start, 'GeneralSubtree/base');
      const value = [...bytes.subarray(base.start, base.end)];
      if (base.tag === TAG_DNS_NAME) result.dns.push(Buffer.from(value).toString('ascii').toLowerCase());
      else if (base.tag === TAG_IP_ADDRESS && (value.length === 8 || value.length === 32)) {
        const half = value.length / 2;
        result.ip.push({ ip: bytesToIp(value.slice(0, half)), prefixLength: maskToPrefix(value.slice(half)) });
      } else throw new NameConstraintsError(`GeneralSubtree/base: unsupported name form 0x${base.tag.toString(16)}`);
      inner = subtree.end;
    }
    offset = part.end;
  }
  return result;
}

/**
 * Whether a DNS name (possibly a `*.` wildcard) lies in one of the DNS subtrees: RFC 5280 §4.2.1.10, "any DNS
 * name that can be constructed by simply adding zero or more labels to the left-hand side of the name".
 */
export function permitsDnsName(permitted: PermittedSubtrees, name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return permitted.dns.some((subtree) => lower === subtree || lower.endsWith(`.${subtree}`));
}

/** Whether an IP address lies in one of the IP subtrees of its family. */
export function permitsIp(permitted: PermittedSubtrees, ip: string): boolean {
  const address = ipToBytes(ip);
  return permitted.ip.some((subtree) => {
    const network = ipToBytes(subtree.ip);
    if (network.length !== address.length) return false;
    const mask = prefixToMask(subtree.prefixLength, network.length);
    return address.every((byte, i) => (byte & mask[i]!) === (network[i]! & mask[i]!));
  });
}

/** The subtrees as text for messages: `localhost, probe.example.org, 127.0.0.0/8, ::1/128`. */
export function describeSubtrees(permitted: PermittedSubtrees): string {
  return [...permitted.dns, ...permitted.ip.map(({ ip, prefixLength }) => `${ip}/${prefixLength}`)].join(', ');
}
