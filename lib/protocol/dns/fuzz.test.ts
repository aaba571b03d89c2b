import { describe, expect, it } from 'vitest';
import { DnsAuthority, MAX_UDP_AMPLIFICATION, type DnsSource } from './authority';
import { HEADER_LENGTH, MAX_UDP_PAYLOAD } from './constants';
import { decodeMessage } from './message';
import { mulberry32, mutateQuery, seedQueries } from './testing/fuzz';
import { ANSWER_V4, ANSWER_V6, ZONE } from './testing/queries';

/** Queries per transport; 2 × 60,000 = 120,000 through the handler. */
const ITERATIONS = 60_000;

describe('DnsAuthority under fuzzing', () => {
  it.each(['udp', 'tcp'] as const)('survives %s queries of random and mutated bytes with bounded, decodable answers', (transport) => {
    const server = new DnsAuthority({ zone: ZONE, ipv4: [ANSWER_V4], ipv6: [ANSWER_V6], rateLimit: { queriesPerSecond: 1e9, burst: 1e9 } });
    const random = mulberry32(transport === 'udp' ? 0x5eed : 0xfeed);
    const seeds = seedQueries();
    let responses = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const query = mutateQuery(random, seeds);
      const source: DnsSource = { ip: `192.0.2.${i % 200}`, port: 1024 + (i % 60000), transport };
      let action;
      try {
        action = server.handle(query, source, 1_700_000_000_000 + i);
      } catch (error) {
        throw new Error(`iteration ${i} threw for ${Buffer.from(query).toString('hex')}: ${String(error)}`);
      }
      if (action.type !== 'send') continue;
      responses++;
      // Every response is itself a well-formed DNS message with the query's ID…
      const decoded = decodeMessage(action.bytes);
      expect(decoded.header.qr).toBe(true);
      expect(decoded.header.id).toBe(((query[0]! << 8) | query[1]!) >>> 0);
      // …and over UDP never larger than the amplification bound or the EDNS cap.
      if (transport === 'udp') {
        expect(action.bytes.length).toBeLessThanOrEqual(Math.max(HEADER_LENGTH, query.length * MAX_UDP_AMPLIFICATION));
        expect(action.bytes.length).toBeLessThanOrEqual(MAX_UDP_PAYLOAD);
      }
    }
    expect(server.stats.queries).toBe(ITERATIONS);
    expect(responses).toBeGreaterThan(ITERATIONS / 2);
    // The fuzz exercised every kind of outcome, not just one error path.
    expect(Object.keys(server.stats.byRcode).map(Number).sort((a, b) => a - b)).toEqual(expect.arrayContaining([0, 1, 3, 4, 5]));
    // SERVFAIL would mean an unexpected exception inside the handler.
    expect(server.stats.byRcode[2] ?? 0).toBe(0);
    expect(server.labels.size).toBeLessThanOrEqual(10000);
  });
});
