/**
 * Deterministic query fuzzer for the DNS server tests: a seeded PRNG (mulberry32) and mutations of valid
 * queries — bit flips, byte overwrites, truncation, insertion, count-field and pointer edits — plus plain
 * random bytes. Deterministic so a failure names a reproducible seed and iteration.
 */
import { ZONE, buildQuery } from './queries';

/** A seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid queries the mutations start from. */
export function seedQueries(): Uint8Array[] {
  const label = 'nr-0123456789abcdef0123456789abcdef';
  return [
    buildQuery(ZONE),
    buildQuery(`turn.${ZONE}`, { type: 'AAAA' }),
    buildQuery(`${label}.${ZONE}`, { ecs: { ip: '198.51.100.0', prefix: 24 } }),
    buildQuery(`${label}.${ZONE}`, { ecs: { ip: '2001:db8::', prefix: 56, family: 2 }, type: 'HTTPS' }),
    buildQuery(`big.${ZONE}`, { type: 'TXT', ednsSize: 4096 }),
    buildQuery('example.com', { type: 'ANY' }),
    buildQuery(`a.b.${ZONE}`, { ednsSize: 512 }),
    buildQuery(ZONE, { type: 'SOA', ednsVersion: 1 }),
  ];
}

/** One mutated (or random) query. */
export function mutateQuery(random: () => number, seeds: Uint8Array[]): Uint8Array {
  const int = (n: number): number => Math.floor(random() * n);
  if (random() < 0.1) return Uint8Array.from({ length: int(600) }, () => int(256));
  const base = seeds[int(seeds.length)]!;
  let bytes: Uint8Array = base.slice();
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const kind = int(7);
    if (bytes.length === 0) bytes = Uint8Array.of(int(256));
    const at = int(bytes.length);
    switch (kind) {
      case 0:
        bytes[at] = bytes[at]! ^ (1 << int(8));
        break;
      case 1:
        bytes[at] = int(256);
        break;
      case 2:
        bytes = bytes.slice(0, at);
        break;
      case 3: {
        const insert = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        const next = new Uint8Array(bytes.length + insert.length);
        next.set(bytes.subarray(0, at));
        next.set(insert, at);
        next.set(bytes.subarray(at), at + insert.length);
        bytes = next;
        break;
      }
      case 4:
        // A header count (QD/AN/NS/AR) set to something odd.
        if (bytes.length >= 12) {
          const field = 4 + 2 * int(4);
          const value = [0, 1, 2, 0xffff, int(65536)][int(5)]!;
          bytes[field] = value >> 8;
          bytes[field + 1] = value & 0xff;
        }
        break;
      case 5:
        // A compression pointer somewhere.
        if (bytes.length >= 14) {
          const target = int(bytes.length + 4);
          bytes[at] = 0xc0 | ((target >> 8) & 0x3f);
          if (at + 1 < bytes.length) bytes[at + 1] = target & 0xff;
        }
        break;
      case 6:
        // Opcode / flags word.
        if (bytes.length >= 4) {
          bytes[2] = int(256);
          bytes[3] = int(256);
        }
        break;
    }
  }
  return bytes;
}
