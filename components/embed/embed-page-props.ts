/**
 * The server-side props of `/embed` (pages/embed.tsx): the deployment's configuration (read per request) and the
 * iframe's query, validated — a value that is not understood falls back to the default rather than reaching the page.
 */
import type { GetServerSidePropsContext } from 'next';
import type { Config } from '../../lib/config/schema';
import { EMBED_PLANS, isAccentColour, isLocaleTag, THEME_MODES, type EmbedPlan, type ThemeMode } from '../../lib/embed/protocol';
import type { EmbedCheckProps } from './embed-check';

/** One query value as a string (the first of repeated ones). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the embed's props from a loaded configuration, its public probe URL, the request's query and its
 * `Accept-Language` (the language when the query names none: the browser's first).
 */
export function embedPageProps(config: Config, probeUrl: string, query: GetServerSidePropsContext['query'], acceptLanguage?: string): EmbedCheckProps {
  const plan = single(query.plan);
  const theme = single(query.theme);
  const accent = single(query.accent);
  const locale = single(query.locale) ?? acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  return {
    configName: config.name,
    probeUrl,
    budgetMs: config.run.budgetMs,
    probeTimeoutMs: config.run.probeTimeoutMs,
    allowedOrigins: [...config.embed.allowedOrigins],
    targets: config.targets.map((target) => target.name),
    initial: {
      // `deep=1` is the older spelling of `plan=deep`.
      plan: EMBED_PLANS.includes(plan as EmbedPlan) ? (plan as EmbedPlan) : single(query.deep) === '1' ? 'deep' : 'full',
      theme: THEME_MODES.includes(theme as ThemeMode) ? (theme as ThemeMode) : 'auto',
      ...(accent && isAccentColour(accent) ? { accent } : {}),
      ...(locale && isLocaleTag(locale) ? { locale } : {}),
      autostart: single(query.autostart) === '1',
      share: single(query.share) === '1',
    },
  };
}
