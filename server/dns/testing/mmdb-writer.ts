/**
 * A minimal MaxMind DB writer for tests (format: https://maxmind.github.io/MaxMind-DB/): IPv4 only, 24-bit
 * records, values made of maps, UTF-8 strings, doubles and uint32s. Enough to give the GeoIP code a real database file
 * read by the real `maxmind` reader, with documentation-range networks.
 */

/** A double (MaxMind's type 3, e.g. `location.latitude`); plain numbers are written as uint32. */
export class MmdbDouble {
  constructor(readonly value: number) {}
}

/** A value stored for a network. */
export type MmdbValue = string | number | MmdbDouble | { [key: string]: MmdbValue };

function controlByte(type: number, size: number): Buffer {
  // Types 1–7 sit in the top 3 bits; larger ones are "extended" (0 there, type − 7 in the next byte).
  if (size >= 29) throw new RangeError('test writer supports sizes < 29 only');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([controlByte(2, bytes.length), bytes]);
  }
  if (value instanceof MmdbDouble) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value.value);
    return Buffer.concat([controlByte(3, 8), bytes]);
  }
  if (typeof value === 'number') {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    const trimmed = bytes.subarray(bytes.findIndex((b) => b !== 0) === -1 ? 4 : bytes.findIndex((b) => b !== 0));
    return Buffer.concat([controlByte(6, trimmed.length), trimmed]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([controlByte(7, entries.length), ...entries.flatMap(([k, v]) => [encodeValue(k), encodeValue(v)])]);
}

function encodeUint16(n: number): Buffer {
  return Buffer.concat([controlByte(5, 2), Buffer.from([n >> 8, n & 0xff])]);
}

/** Builds an IPv4 MMDB file mapping each `a.b.c.d/len` network to its value. */
export function writeMmdb(networks: Array<{ cidr: string; value: MmdbValue }>): Buffer {
  // Binary trie: node i has two children; a child is a node index, a data entry, or empty.
  type Child = { node: number } | { data: number } | null;
  const nodes: Array<[Child, Child]> = [[null, null]];
  const dataParts: Buffer[] = [];
  let dataSize = 0;
  for (const { cidr, value } of networks) {
    const [ip, lenText] = cidr.split('/') as [string, string];
    const bits = ip.split('.').reduce((acc, octet) => (acc << 8) | Number(octet), 0) >>> 0;
    const len = Number(lenText);
    const encoded = encodeValue(value);
    const offset = dataSize;
    dataParts.push(encoded);
    dataSize += encoded.length;
    let node = 0;
    for (let depth = 0; depth < len; depth++) {
      const bit = (bits >>> (31 - depth)) & 1;
      if (depth === len - 1) {
        nodes[node]![bit] = { data: offset };
        break;
      }
      const child = nodes[node]![bit];
      if (child && 'node' in child) node = child.node;
      else {
        nodes.push([null, null]);
        nodes[node]![bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const record = (child: Child): number => (child === null ? nodeCount : 'node' in child ? child.node : nodeCount + 16 + child.data);
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(record(left), i * 6, 3);
    tree.writeUIntBE(record(right), i * 6 + 3, 3);
  });
  const metadataEntries: Array<[string, Buffer]> = [
    ['binary_format_major_version', encodeUint16(2)],
    ['binary_format_minor_version', encodeUint16(0)],
    ['build_epoch', encodeValue(1_700_000_000)],
    ['database_type', encodeValue('netready-Test-Country')],
    ['description', encodeValue({ en: 'netready test database' })],
    ['ip_version', encodeUint16(4)],
    ['languages', Buffer.concat([controlByte(11, 0)])],
    ['node_count', encodeValue(nodeCount)],
    ['record_size', encodeUint16(24)],
  ];
  const metadata = Buffer.concat([controlByte(7, metadataEntries.length), ...metadataEntries.flatMap(([k, v]) => [encodeValue(k), v])]);
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), metadata]);
}
