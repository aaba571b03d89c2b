import { describe, expect, it } from 'vitest';
import { csvField, formQuery, formatCursor, supportParams } from './support-params';

describe('the support view’s filters', () => {
  it('reads every filter, with `to` as the whole day', () => {
    const { query, problems } = supportParams(new URLSearchParams('verdict=blocked&code=udp-blocked&from=2026-01-02&to=2026-01-03&org=acme.example&q=ticket'));
    expect(problems).toEqual([]);
    expect(query).toEqual({
      verdict: 'blocked',
      code: 'udp-blocked',
      from: new Date('2026-01-02T00:00:00.000Z'),
      to: new Date('2026-01-04T00:00:00.000Z'),
      noteContains: ['acme.example', 'ticket'],
    });
  });

  it('reports what it cannot use instead of widening the search silently', () => {
    const { query, problems } = supportParams(new URLSearchParams('verdict=great&code=<script>&from=2026-02-30&after=nonsense'));
    expect(query).toEqual({});
    expect(problems).toHaveLength(4);
  });

  it('round-trips a page cursor and keeps the filters in links', () => {
    const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'abcDEF_-123' };
    expect(supportParams(new URLSearchParams({ after: formatCursor(cursor) })).after).toEqual(cursor);
    expect(formQuery({ verdict: 'ready', code: '', from: '', to: '', org: 'a&b', q: '' }, { after: 'x' })).toBe('?verdict=ready&org=a%26b&after=x');
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
