import { describe, expect, it } from 'vitest';
import { accentColours, contrastRatio, relativeLuminance } from './theme';

describe('theme colours', () => {
  it('computes WCAG luminance and contrast (white on black is 21:1, a colour on itself 1:1)', () => {
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 6);
    expect(relativeLuminance('#000')).toBe(0);
    expect(contrastRatio('#000000', '#fff')).toBeCloseTo(21, 6);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    // WCAG's own example: #767676 on white is 4.54:1.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it.each([
    ['#1d4ed8', '#ffffff'],
    ['#fde047', '#0f172a'],
    ['#F59E0B', '#0f172a'],
    ['#000', '#ffffff'],
    ['#0a7', '#0f172a'],
  ])('puts the more readable ink on %s', (accent, ink) => {
    const colours = accentColours(accent)!;
    expect(colours.ink).toBe(ink);
    expect(contrastRatio(colours.accent, colours.ink)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([undefined, 'red', '#12345', 'url(x)', '#1234567'])('refuses %s', (accent) => {
    expect(accentColours(accent)).toBeNull();
  });
});
