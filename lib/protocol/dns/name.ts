/**
 * Domain names on the wire, RFC 1035 §3.1 and §4.1.4: a sequence of length-prefixed labels ending with the
 * root label, where a two-octet pointer (top bits 0b11) may replace the rest of the name.
 * Labels are kept as strings with one character per octet (code points 0–255) so nothing is lost; only
 * ASCII letters are case-folded when names are compared (RFC 4343 §3).
 */
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './constants';
import { DnsDecodeError } from './errors';

/** A decoded name and where the bytes that follow it start. */
export interface DecodedName {
  /** Labels, most specific first, without the root label. One character per octet. */
  labels: string[];
  /** Offset of the first byte after the name as written at the starting offset (after a pointer, if any). */
  end: number;
}

/** Most compression pointers followed in one name; a legal name has at most 127 labels, so more is a loop. */
const MAX_POINTER_HOPS = 127;

/**
 * Reads a (possibly compressed) name at `offset`. Pointers must point strictly backwards (RFC 1035 §4.1.4
 * says "a prior occurrence"), which also rules out loops. Throws DnsDecodeError located at `where`.
 */
export function readName(bytes: Uint8Array, offset: number, where: string): DecodedName {
  const labels: string[] = [];
  let position = offset;
  let end = -1;
  let wireLength = 1;
  let hops = 0;
  let lowestPointerTarget = offset;
  for (;;) {
    if (position >= bytes.length) throw new DnsDecodeError('truncated', where, `name runs past the end of the message at offset ${position}`);
    const length = bytes[position]!;
    const prefix = length & 0xc0;
    if (prefix === 0xc0) {
      if (position + 1 >= bytes.length) throw new DnsDecodeError('truncated', where, 'compression pointer cut short');
      const target = ((length & 0x3f) << 8) | bytes[position + 1]!;
      if (target >= lowestPointerTarget) throw new DnsDecodeError('bad-name', where, `compression pointer to offset ${target} does not point backwards`);
      if (++hops > MAX_POINTER_HOPS) throw new DnsDecodeError('bad-name', where, 'too many compression pointers');
      if (end < 0) end = position + 2;
      lowestPointerTarget = target;
      position = target;
      continue;
    }
    if (prefix !== 0) throw new DnsDecodeError('bad-label', where, `label type 0x${prefix.toString(16)} at offset ${position} is not supported`);
    if (length === 0) {
      if (end < 0) end = position + 1;
      return { labels, end };
    }
    if (position + 1 + length > bytes.length) throw new DnsDecodeError('truncated', where, `label of ${length} octets runs past the end of the message`);
    wireLength += length + 1;
    if (wireLength > MAX_NAME_LENGTH) throw new DnsDecodeError('bad-name', where, `name is longer than ${MAX_NAME_LENGTH} octets`);
    let label = '';
    for (let i = position + 1; i <= position + length; i++) label += String.fromCharCode(bytes[i]!);
    labels.push(label);
    position += length + 1;
  }
}

/** Lower-cases ASCII letters only (RFC 4343 §3: DNS comparisons are case-insensitive for A–Z alone). */
export function foldCase(label: string): string {
  return label.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20));
}

/** Splits a presentation-form name (`probe.example.org`, trailing dot optional) into labels. */
export function splitName(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** Whether a presentation-form name is a valid host name we can serve: LDH labels of 1–63 octets, ≤ 253 total. */
export function isHostName(name: string): boolean {
  const labels = splitName(name);
  if (labels.length === 0 || name.length > 253) return false;
  return labels.every((l) => l.length <= MAX_LABEL_LENGTH && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
}

/** Presentation form of decoded labels, escaping anything that is not a printable LDH/underscore octet (RFC 4343 §2.1). */
export function formatName(labels: string[]): string {
  if (labels.length === 0) return '.';
  return labels
    .map((label) =>
      label.replace(/[^A-Za-z0-9_-]/g, (c) => {
        const code = c.charCodeAt(0);
        return code > 0x20 && code < 0x7f && c !== '.' && c !== '\\' ? c : `\\${String(code).padStart(3, '0')}`;
      }),
    )
    .join('.');
}
