/**
 * The operator's branding (issue 13, config `name` and `brand`): what the page frame shows — name, logo, support
 * contact line — on the landing page, the runner, the share page and printed results. The accent colour goes out as a
 * stylesheet (`/brand.css`, app/brand.css/route.ts) so no page needs an inline style.
 */
import { accentColours, type AccentColours } from '../embed/theme';
import type { Config } from './schema';

/** The frame's branding; JSON, so pages can take it as props. */
export interface Brand {
  name: string;
  logoUrl?: string;
  supportContact?: string;
  /** Whether an accent colour is configured: only then do pages load /brand.css (one request less on slow links). */
  accent?: true;
}

/** The branding of a configuration. */
export function brandOf(config: Pick<Config, 'name' | 'brand'>): Brand {
  return {
    name: config.name,
    ...(config.brand.logoUrl ? { logoUrl: config.brand.logoUrl } : {}),
    ...(config.brand.supportContact ? { supportContact: config.brand.supportContact } : {}),
    ...(config.brand.accentColour ? { accent: true as const } : {}),
  };
}

/** The stylesheet of the accent colour: `--brand-accent` and the ink that reads on it; empty without one. */
export function brandStylesheet(config: Pick<Config, 'brand'>): string {
  const colours: AccentColours | null = accentColours(config.brand.accentColour);
  return colours ? `:root{--brand-accent:${colours.accent};--brand-accent-ink:${colours.ink}}\n` : '/* no brand.accentColour configured: netready blue */\n';
}
