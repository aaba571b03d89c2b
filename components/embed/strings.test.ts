import { describe, expect, it } from 'vitest';
import { EMBED_LOCALES, pickLocale } from './strings';

describe('the embed’s languages', () => {
  it.each([
    [undefined, 'en'],
    ['de', 'de'],
    ['de-CH', 'de'],
    ['DE-at', 'de'],
    ['en-GB', 'en'],
    ['fr', 'en'],
  ])('picks %s → %s', (requested, locale) => {
    expect(pickLocale(requested)).toBe(locale);
  });

  it('has every verdict and status in every language', () => {
    for (const strings of Object.values(EMBED_LOCALES)) {
      expect(Object.keys(strings.verdict).sort()).toEqual(['blocked', 'degraded', 'inconclusive', 'ready']);
      expect(Object.keys(strings.connectivity).sort()).toEqual(['blocked', 'degraded', 'inconclusive', 'ready']);
      expect(strings.progress(3, 19)).toMatch(/3.*19/);
    }
  });
});
