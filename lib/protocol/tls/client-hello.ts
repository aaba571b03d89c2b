/**
 * Sans-IO ClientHello reader (RFC 8446 §4.1.2, §5.1). Given the first bytes a client sent on a TCP connection,
 * `readClientHello` says whether more bytes are needed, or returns the decoded ClientHello and how many bytes
 * of records it spanned. The server adapter (server/tls-mirror) feeds it bytes as they arrive and hands the
 * untouched bytes on to the TLS stack afterwards, so decoding never changes the handshake.
 *
 * Every length is checked against its container; malformed input raises TlsDecodeError saying where.
 */
import {
  CONTENT_TYPE_HANDSHAKE,
  EXT,
  HANDSHAKE_CLIENT_HELLO,
  HANDSHAKE_HEADER_BYTES,
  hex16,
  MAX_RECORD_FRAGMENT,
  RECORD_HEADER_BYTES,
} from './constants';
import { TlsDecodeError } from './errors';

/** Largest ClientHello handshake message accepted (bytes). Chromium's with a post-quantum key share is ~1.9 KB. */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

/** One extension as sent, in wire order. */
export interface TlsExtension {
  /** Extension code point (GREASE values included as sent). */
  type: number;
  /** extension_data. */
  data: Uint8Array;
}

/** A decoded ClientHello: the raw lists in wire order, GREASE included, plus the decoded extensions we use. */
export interface ClientHello {
  /** TLSPlaintext.legacy_record_version of the first record. */
  recordVersion: number;
  /** ClientHello.legacy_version. */
  legacyVersion: number;
  /** Length of legacy_session_id (32 for a TLS 1.3 middlebox-compatibility hello). */
  sessionIdLength: number;
  /** cipher_suites in wire order. */
  cipherSuites: number[];
  /** legacy_compression_methods. */
  compressionMethods: number[];
  /** Extensions in wire order. */
  extensions: TlsExtension[];
  /** server_name host_name (RFC 6066 §3), when present. */
  serverName?: string;
  /** ALPN protocol names in order (RFC 7301 §3.1), when the extension is present. */
  alpn?: string[];
  /** supported_versions (RFC 8446 §4.2.1), when present. */
  supportedVersions?: number[];
  /** supported_groups (RFC 8446 §4.2.7), when present. */
  supportedGroups?: number[];
  /** signature_algorithms (RFC 8446 §4.2.3), when present. */
  signatureAlgorithms?: number[];
  /** Groups of the key_share entries (RFC 8446 §4.2.8), when present. */
  keyShareGroups?: number[];
  /** compress_certificate algorithms (RFC 8879 §3), when present. */
  certificateCompressionAlgorithms?: number[];
  /** ALPS supported protocols (draft-vvv-tls-alps), from 0x44cd or 0x4469, when present. */
  alpsProtocols?: string[];
}

/** What readClientHello found in the bytes so far. */
export type ClientHelloReadResult =
  /** More bytes are needed; `needBytes` is the least total length that could complete it. */
  | { status: 'incomplete'; needBytes: number }
  /** A whole ClientHello: `recordBytes` is how many input bytes its records span; `handshake` the message itself. */
  | { status: 'complete'; hello: ClientHello; recordBytes: number; handshake: Uint8Array };

/**
 * Reads the ClientHello at the start of a TLS connection's byte stream. The handshake message may be split
 * over several records (RFC 8446 §5.1 allows fragmentation); only handshake records may precede its end.
 * Throws TlsDecodeError for bytes that are not a TLS ClientHello.
 */
export function readClientHello(bytes: Uint8Array): ClientHelloReadResult {
  const fragments: Uint8Array[] = [];
  let fragmentBytes = 0;
  let offset = 0;
  let recordVersion = -1;
  let needed = -1;
  for (let record = 0; ; record++) {
    const where = `record[${record}]`;
    if (bytes.length < offset + RECORD_HEADER_BYTES) return { status: 'incomplete', needBytes: offset + RECORD_HEADER_BYTES };
    const type = bytes[offset]!;
    const major = bytes[offset + 1]!;
    if (type !== CONTENT_TYPE_HANDSHAKE) {
      throw new TlsDecodeError('not-tls', `${where}/content-type`, `content type ${type} is not handshake (22)`);
    }
    if (major !== 3) throw new TlsDecodeError('not-tls', `${where}/version`, `record version ${major}.${bytes[offset + 2]} is not 3.x`);
    const length = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
    if (length === 0 || length > MAX_RECORD_FRAGMENT) {
      throw new TlsDecodeError('bad-length', `${where}/length`, `record length ${length} is outside 1–${MAX_RECORD_FRAGMENT}`);
    }
    if (recordVersion < 0) recordVersion = (major << 8) | bytes[offset + 2]!;
    const end = offset + RECORD_HEADER_BYTES + length;
    if (bytes.length < end) return { status: 'incomplete', needBytes: end };
    fragments.push(bytes.subarray(offset + RECORD_HEADER_BYTES, end));
    fragmentBytes += length;
    offset = end;
    if (needed < 0 && fragmentBytes >= HANDSHAKE_HEADER_BYTES) {
      const head = concat(fragments, HANDSHAKE_HEADER_BYTES);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) {
        throw new TlsDecodeError('not-client-hello', 'handshake/msg-type', `handshake type ${head[0]} is not client_hello (1)`);
      }
      needed = HANDSHAKE_HEADER_BYTES + ((head[1]! << 16) | (head[2]! << 8) | head[3]!);
      if (needed > MAX_CLIENT_HELLO_BYTES) {
        throw new TlsDecodeError('too-large', 'handshake/length', `ClientHello of ${needed} bytes exceeds ${MAX_CLIENT_HELLO_BYTES}`);
      }
    }
    if (needed >= 0 && fragmentBytes >= needed) {
      const handshake = concat(fragments, needed);
      const hello = decodeClientHelloBody(handshake.subarray(HANDSHAKE_HEADER_BYTES), recordVersion);
      return { status: 'complete', hello, recordBytes: offset, handshake };
    }
  }
}

function concat(parts: Uint8Array[], limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let at = 0;
  for (const part of parts) {
    if (at >= limit) break;
    const take = part.subarray(0, limit - at);
    out.set(take, at);
    at += take.length;
  }
  return out;
}

/** A bounds-checked cursor over a byte slice; every read names its location for errors. */
class Reader {
  private offset = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number, field: string): void {
    if (this.remaining < count) {
      throw new TlsDecodeError('bad-length', `${this.where}/${field}`, `needs ${count} bytes, ${this.remaining} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return value;
  }

  take(count: number, field: string): Uint8Array {
    this.need(count, field);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  /** A length-prefixed sub-vector (`<a..b>` in RFC 8446 §3.4 notation) with a 1- or 2-byte length. */
  vector(lengthBytes: 1 | 2, field: string): Reader {
    const length = lengthBytes === 1 ? this.u8(`${field}/length`) : this.u16(`${field}/length`);
    return new Reader(this.take(length, field), `${this.where}/${field}`);
  }

  /** Throws unless every byte was consumed (trailing bytes mean a length field lied). */
  end(): void {
    if (this.remaining !== 0) throw new TlsDecodeError('bad-length', this.where, `${this.remaining} unexpected trailing bytes`);
  }
}

function u16List(reader: Reader, field: string): number[] {
  if (reader.remaining % 2 !== 0) throw new TlsDecodeError('bad-value', `client-hello/${field}`, 'list length is odd');
  const out: number[] = [];
  while (reader.remaining > 0) out.push(reader.u16('item'));
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function protocolNameList(reader: Reader): string[] {
  const names: string[] = [];
  while (reader.remaining > 0) {
    const name = reader.vector(1, 'protocol_name');
    names.push(utf8.decode(name.take(name.remaining, 'value')));
  }
  return names;
}

/**
 * Decodes a ClientHello body (after the 4-byte handshake header), RFC 8446 §4.1.2:
 *   legacy_version(2) random(32) legacy_session_id<0..32> cipher_suites<2..2^16-2>
 *   legacy_compression_methods<1..2^8-1> extensions<8..2^16-1>
 * An SSL 3.0 / early TLS hello may omit extensions entirely (RFC 5246 §7.4.1.2).
 */
export function decodeClientHelloBody(body: Uint8Array, recordVersion: number): ClientHello {
  const r = new Reader(body, 'client-hello');
  const legacyVersion = r.u16('legacy_version');
  r.take(32, 'random');
  const sessionId = r.vector(1, 'legacy_session_id');
  if (sessionId.remaining > 32) throw new TlsDecodeError('bad-value', 'client-hello/legacy_session_id', 'longer than 32 bytes');
  const sessionIdLength = sessionId.remaining;
  const cipherReader = r.vector(2, 'cipher_suites');
  if (cipherReader.remaining === 0) throw new TlsDecodeError('bad-value', 'client-hello/cipher_suites', 'empty');
  const cipherSuites = u16List(cipherReader, 'cipher_suites');
  const compression = r.vector(1, 'legacy_compression_methods');
  const compressionMethods: number[] = [];
  while (compression.remaining > 0) compressionMethods.push(compression.u8('method'));
  const hello: ClientHello = { recordVersion, legacyVersion, sessionIdLength, cipherSuites, compressionMethods, extensions: [] };
  if (r.remaining === 0) return hello;
  const extensions = r.vector(2, 'extensions');
  r.end();
  while (extensions.remaining > 0) {
    const type = extensions.u16('extension/type');
    const data = extensions.take(extensions.u16(`extension/${hex16(type)}/length`), `extension/${hex16(type)}/value`);
    hello.extensions.push({ type, data });
  }
  for (const extension of hello.extensions) decodeKnownExtension(hello, extension);
  return hello;
}

function decodeKnownExtension(hello: ClientHello, { type, data }: TlsExtension): void {
  const where = `extensions/${hex16(type)}`;
  switch (type) {
    case EXT.SERVER_NAME: {
      // RFC 6066 §3: ServerNameList<1..2^16-1> of { NameType(1) HostName<1..2^16-1> }; 0 = host_name.
      if (data.length === 0) return; // A server's empty echo; a client never sends it, but it is not malformed.
      const list = new Reader(data, `client-hello/${where}`).vector(2, 'server_name_list');
      while (list.remaining > 0) {
        const nameType = list.u8('name_type');
        const name = list.vector(2, 'host_name');
        if (nameType === 0 && hello.serverName === undefined) hello.serverName = utf8.decode(name.take(name.remaining, 'value'));
      }
      return;
    }
    case EXT.ALPN: {
      const outer = new Reader(data, `client-hello/${where}`);
      hello.alpn = protocolNameList(outer.vector(2, 'protocol_name_list'));
      outer.end();
      return;
    }
    case EXT.ALPS:
    case EXT.ALPS_OLD: {
      const outer = new Reader(data, `client-hello/${where}`);
      hello.alpsProtocols = protocolNameList(outer.vector(2, 'supported_protocols'));
      outer.end();
      return;
    }
    case EXT.SUPPORTED_VERSIONS: {
      const outer = new Reader(data, `client-hello/${where}`);
      hello.supportedVersions = u16List(outer.vector(1, 'versions'), `${where}/versions`);
      outer.end();
      return;
    }
    case EXT.SUPPORTED_GROUPS: {
      const outer = new Reader(data, `client-hello/${where}`);
      hello.supportedGroups = u16List(outer.vector(2, 'named_group_list'), `${where}/named_group_list`);
      outer.end();
      return;
    }
    case EXT.SIGNATURE_ALGORITHMS: {
      const outer = new Reader(data, `client-hello/${where}`);
      hello.signatureAlgorithms = u16List(outer.vector(2, 'supported_signature_algorithms'), `${where}/supported_signature_algorithms`);
      outer.end();
      return;
    }
    case EXT.KEY_SHARE: {
      // RFC 8446 §4.2.8: KeyShareClientHello { KeyShareEntry client_shares<0..2^16-1> }, entry = group(2) key<1..2^16-1>.
      const outer = new Reader(data, `client-hello/${where}`);
      const shares = outer.vector(2, 'client_shares');
      outer.end();
      const groups: number[] = [];
      while (shares.remaining > 0) {
        groups.push(shares.u16('group'));
        shares.vector(2, 'key_exchange');
      }
      hello.keyShareGroups = groups;
      return;
    }
    case EXT.COMPRESS_CERTIFICATE: {
      // RFC 8879 §3: CertificateCompressionAlgorithm algorithms<2..2^8-2>.
      const outer = new Reader(data, `client-hello/${where}`);
      hello.certificateCompressionAlgorithms = u16List(outer.vector(1, 'algorithms'), `${where}/algorithms`);
      outer.end();
      return;
    }
    default:
      return;
  }
}
