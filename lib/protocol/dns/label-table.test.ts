import { describe, expect, it } from 'vitest';
import { LabelTable, type LabelQuery } from './label-table';
import { SourceRateLimiter } from './rate-limit';

const query = (atMs: number): LabelQuery => ({ atMs, resolverIp: '198.51.100.53', resolverPort: 5353, transport: 'udp', qtype: 'A', edns: false });

describe('LabelTable', () => {
  it('ignores labels that are not probe labels', () => {
    const table = new LabelTable();
    table.record('turn', query(0));
    table.record('nr-x', query(0));
    expect(table.size).toBe(0);
  });

  it('forgets a label once its time to live has passed', () => {
    const table = new LabelTable({ ttlMs: 1000 });
    table.record('nr-aaaaaaaa', query(0));
    expect(table.get('nr-aaaaaaaa', 999)?.queries).toHaveLength(1);
    expect(table.get('nr-aaaaaaaa', 1000)).toBeNull();
  });

  it('keeps at most maxLabels labels, dropping the oldest', () => {
    const table = new LabelTable({ maxLabels: 2 });
    for (const label of ['nr-aaaaaaaa', 'nr-bbbbbbbb', 'nr-cccccccc']) table.record(label, query(0));
    expect(table.size).toBe(2);
    expect(table.get('nr-aaaaaaaa', 0)).toBeNull();
    expect(table.get('NR-CCCCCCCC', 0)).not.toBeNull();
  });

  it('stores at most maxQueriesPerLabel queries and counts the rest', () => {
    const table = new LabelTable({ maxQueriesPerLabel: 2 });
    for (let i = 0; i < 5; i++) table.record('nr-aaaaaaaa', query(i));
    expect(table.get('nr-aaaaaaaa', 5)).toMatchObject({ droppedQueries: 3, queries: [{ atMs: 0 }, { atMs: 1 }] });
  });
});

describe('SourceRateLimiter', () => {
  it('allows a burst, then refills at the configured rate', () => {
    const limiter = new SourceRateLimiter({ queriesPerSecond: 2, burst: 2 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([true, true, false]);
    expect(limiter.take('a', 499)).toBe(false);
    expect(limiter.take('a', 500)).toBe(true);
  });

  it('tracks a bounded number of sources', () => {
    const limiter = new SourceRateLimiter({ queriesPerSecond: 1, burst: 1, maxSources: 2 });
    expect(limiter.take('a', 0)).toBe(true);
    limiter.take('b', 0);
    limiter.take('c', 0);
    // 'a' was evicted, so it starts with a fresh bucket.
    expect(limiter.take('a', 0)).toBe(true);
  });
});
