/**
 * DNS message codec, RFC 1035 §4.1: the fixed header, the question section and resource records. The
 * decoder reads every section the header announces (so a bad count or a stray byte is a FORMERR, not a
 * silent misread); RDATA stays raw bytes except where a caller interprets it (OPT, see edns.ts).
 * The encoder builds responses with name compression (RFC 1035 §4.1.4) against names already written.
 */
import { HEADER_LENGTH, MAX_LABEL_LENGTH } from './constants';
import { DnsDecodeError } from './errors';
import { foldCase, readName } from './name';

/** The fixed header, RFC 1035 §4.1.1. */
export interface DnsHeader {
  id: number;
  /** The whole second 16-bit word (QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE). */
  flags: number;
  /** Query (false) or response (true). */
  qr: boolean;
  /** OPCODE, 4 bits. */
  opcode: number;
  /** RCODE, low 4 bits. */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** One question, RFC 1035 §4.1.2. */
export interface DnsQuestion {
  /** Labels as sent (case preserved, one character per octet). */
  labels: string[];
  type: number;
  class: number;
}

/** One resource record with raw RDATA, RFC 1035 §4.1.3. */
export interface DnsRawRecord {
  labels: string[];
  type: number;
  /** CLASS (for OPT: the requestor's UDP payload size, RFC 6891 §6.1.2). */
  class: number;
  /** TTL as an unsigned 32-bit number (for OPT: extended RCODE, version and flags). */
  ttl: number;
  data: Uint8Array;
}

/** A decoded message. */
export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRawRecord[];
  authorities: DnsRawRecord[];
  additionals: DnsRawRecord[];
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes the 12-byte header; throws `truncated` for shorter input. */
export function decodeHeader(bytes: Uint8Array): DnsHeader {
  if (bytes.length < HEADER_LENGTH) throw new DnsDecodeError('truncated', 'header', `message of ${bytes.length} octets is shorter than the 12-octet header`);
  const v = view(bytes);
  const flags = v.getUint16(2);
  return {
    id: v.getUint16(0),
    flags,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    rcode: flags & 0x0f,
    qdcount: v.getUint16(4),
    ancount: v.getUint16(6),
    nscount: v.getUint16(8),
    arcount: v.getUint16(10),
  };
}

function readRecords(bytes: Uint8Array, v: DataView, offset: number, count: number, section: string, out: DnsRawRecord[]): number {
  let position = offset;
  for (let i = 0; i < count; i++) {
    const where = `${section}/${i}`;
    const name = readName(bytes, position, `${where}/name`);
    position = name.end;
    if (position + 10 > bytes.length) throw new DnsDecodeError('truncated', where, 'record header cut short');
    const type = v.getUint16(position);
    const klass = v.getUint16(position + 2);
    const ttl = v.getUint32(position + 4);
    const length = v.getUint16(position + 8);
    position += 10;
    if (position + length > bytes.length) throw new DnsDecodeError('truncated', `${where}/rdata`, `RDLENGTH ${length} runs past the end of the message`);
    out.push({ labels: name.labels, type, class: klass, ttl, data: bytes.subarray(position, position + length) });
    position += length;
  }
  return position;
}

/** Decodes a whole message. Throws DnsDecodeError for anything malformed, including trailing bytes. */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  const header = decodeHeader(bytes);
  const v = view(bytes);
  const questions: DnsQuestion[] = [];
  let position = HEADER_LENGTH;
  for (let i = 0; i < header.qdcount; i++) {
    const where = `question/${i}`;
    const name = readName(bytes, position, `${where}/name`);
    position = name.end;
    if (position + 4 > bytes.length) throw new DnsDecodeError('truncated', where, 'QTYPE/QCLASS cut short');
    questions.push({ labels: name.labels, type: v.getUint16(position), class: v.getUint16(position + 2) });
    position += 4;
  }
  const answers: DnsRawRecord[] = [];
  const authorities: DnsRawRecord[] = [];
  const additionals: DnsRawRecord[] = [];
  position = readRecords(bytes, v, position, header.ancount, 'answer', answers);
  position = readRecords(bytes, v, position, header.nscount, 'authority', authorities);
  position = readRecords(bytes, v, position, header.arcount, 'additional', additionals);
  if (position !== bytes.length) throw new DnsDecodeError('trailing-bytes', 'message', `${bytes.length - position} octets after the last record`);
  return { header, questions, answers, authorities, additionals };
}

/** RDATA of the record types the server writes. */
export type RecordData =
  | { type: 'A' | 'AAAA'; address: Uint8Array }
  | { type: 'NS'; host: string[] }
  | { type: 'SOA'; mname: string[]; rname: string[]; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'TXT'; strings: Uint8Array[] }
  | { type: 'OPT'; options: Array<{ code: number; data: Uint8Array }> };

/** A record to write. For OPT, `class` is the UDP payload size and `ttl` the extended RCODE/version/flags word. */
export interface RecordSpec {
  labels: string[];
  type: number;
  class: number;
  ttl: number;
  data: RecordData;
}

/** A message to write. */
export interface MessageSpec {
  id: number;
  flags: number;
  questions: DnsQuestion[];
  answers: RecordSpec[];
  authorities: RecordSpec[];
  additionals: RecordSpec[];
}

/** Growable byte writer with RFC 1035 §4.1.4 name compression. */
class Writer {
  private bytes = new Uint8Array(512);
  length = 0;
  /** Case-folded name suffix → offset where it was written (pointers reach offsets < 0x4000 only). */
  private readonly names = new Map<string, number>();

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value & 0xff;
  }
  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value);
  }
  u32(value: number): void {
    this.u16(value >>> 16);
    this.u16(value & 0xffff);
  }
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
  setU16(at: number, value: number): void {
    this.bytes[at] = (value >>> 8) & 0xff;
    this.bytes[at + 1] = value & 0xff;
  }
  name(labels: string[]): void {
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).map(foldCase).join('\u0000');
      const known = this.names.get(key);
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length < 0x4000) this.names.set(key, this.length);
      const label = labels[i]!;
      if (label.length === 0 || label.length > MAX_LABEL_LENGTH) throw new RangeError(`label of ${label.length} octets cannot be written`);
      this.u8(label.length);
      for (let c = 0; c < label.length; c++) this.u8(label.charCodeAt(c));
    }
    this.u8(0);
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function writeRecord(w: Writer, record: RecordSpec): void {
  w.name(record.labels);
  w.u16(record.type);
  w.u16(record.class);
  w.u32(record.ttl);
  const lengthAt = w.length;
  w.u16(0);
  const start = w.length;
  const data = record.data;
  switch (data.type) {
    case 'A':
    case 'AAAA':
      w.raw(data.address);
      break;
    case 'NS':
      w.name(data.host);
      break;
    case 'SOA':
      w.name(data.mname);
      w.name(data.rname);
      w.u32(data.serial);
      w.u32(data.refresh);
      w.u32(data.retry);
      w.u32(data.expire);
      w.u32(data.minimum);
      break;
    case 'TXT':
      for (const s of data.strings) {
        if (s.length > 255) throw new RangeError('a TXT character-string holds at most 255 octets');
        w.u8(s.length);
        w.raw(s);
      }
      break;
    case 'OPT':
      for (const option of data.options) {
        w.u16(option.code);
        w.u16(option.data.length);
        w.raw(option.data);
      }
      break;
  }
  w.setU16(lengthAt, w.length - start);
}

/** Encodes a message. Throws RangeError only for specs this server never builds (over-long labels). */
export function encodeMessage(spec: MessageSpec): Uint8Array {
  const w = new Writer();
  w.u16(spec.id);
  w.u16(spec.flags);
  w.u16(spec.questions.length);
  w.u16(spec.answers.length);
  w.u16(spec.authorities.length);
  w.u16(spec.additionals.length);
  for (const q of spec.questions) {
    w.name(q.labels);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const r of spec.answers) writeRecord(w, r);
  for (const r of spec.authorities) writeRecord(w, r);
  for (const r of spec.additionals) writeRecord(w, r);
  return w.result();
}
