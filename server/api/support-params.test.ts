import { describe, expect, it } from 'vitest';
import { csvField, formQuery, formatCursor, supportParams } from './support-params';

/** Thirty days' retention, seen on 2026-01-31 at noon. */
const RETENTION = { retentionDays: 30, now: new Date('2026-01-31T12:00:00.000Z') };
const CUTOFF = new Date('2026-01-01T12:00:00.000Z');

describe('the support view’s filters', () => {
  it('reads every filter, with `to` as the whole day', () => {
    const { query, problems } = supportParams(new URLSearchParams('verdict=blocked&code=udp-blocked&from=2026-01-02&to=2026-01-03&org=acme.example&q=ticket'), RETENTION);
    expect(problems).toEqual([]);
    expect(query).toEqual({
      liveAfter: CUTOFF,
      verdict: 'blocked',
      code: 'udp-blocked',
      from: new Date('2026-01-02T00:00:00.000Z'),
      to: new Date('2026-01-04T00:00:00.000Z'),
      noteContains: ['acme.example', 'ticket'],
    });
  });

  it('reports what it cannot use instead of widening the search silently', () => {
    const { query, problems } = supportParams(new URLSearchParams('verdict=great&code=<script>&from=2026-02-30&after=nonsense'), RETENTION);
    expect(query).toEqual({ liveAfter: CUTOFF });
    expect(problems).toHaveLength(4);
  });

  it('round-trips a page cursor and keeps the filters in links', () => {
    const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'abcDEF_-123' };
    expect(supportParams(new URLSearchParams({ after: formatCursor(cursor) }), RETENTION).after).toEqual(cursor);
    expect(formQuery({ verdict: 'ready', code: '', from: '', to: '', org: 'a&b', q: '' }, { after: 'x' })).toBe('?verdict=ready&org=a%26b&after=x');
  });

  it('keeps every query to results within retention, even one that names an older day', () => {
    const { query } = supportParams(new URLSearchParams('from=2025-06-01'), { retentionDays: 7, now: new Date('2026-01-31T00:00:00.000Z') });
    expect(query).toEqual({ from: new Date('2025-06-01T00:00:00.000Z'), liveAfter: new Date('2026-01-24T00:00:00.000Z') });
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("http://evil.example")', '"\'=HYPERLINK(""http://evil.example"")"'],
    ['+1 555', "'+1 555"],
    ['line\nbreak', '"line\nbreak"'],
  ])('writes the CSV field %j as %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});
