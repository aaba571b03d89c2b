/**
 * The embedded check's colours from the host's accent: the text colour that reads on it (WCAG 2.2 contrast), so a
 * host's brand colour never makes the Start button unreadable.
 */
import { isAccentColour } from './protocol';

/** `#rgb` → `#rrggbb`, lower case. */
function expand(hex: string): string {
  const digits = hex.slice(1).toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
}

/** Relative luminance of an sRGB colour (WCAG 2.2, "relative luminance"). */
export function relativeLuminance(hex: string): number {
  const full = expand(hex);
  const channel = (offset: number): number => {
    const c = parseInt(full.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Contrast ratio of two colours, 1–21 (WCAG 2.2, "contrast ratio"). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The accent and the text colour to put on it: white or near-black, whichever contrasts more. */
export interface AccentColours {
  accent: string;
  ink: string;
}

/** Colours for an accent (`#rgb`/`#rrggbb`); null for anything else (it never reaches a style attribute). */
export function accentColours(accent: string | undefined): AccentColours | null {
  if (accent === undefined || !isAccentColour(accent)) return null;
  const full = expand(accent);
  const ink = contrastRatio(full, '#ffffff') >= contrastRatio(full, '#0f172a') ? '#ffffff' : '#0f172a';
  return { accent: full, ink };
}
