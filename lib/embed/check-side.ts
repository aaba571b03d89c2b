/**
 * The check's side of the embed protocol (./protocol.ts), pure: which parent origins it talks to (the operator's
 * `embed.allowedOrigins`, matched as CSP `frame-ancestors` matches them), what it does with a host's message, and the
 * result as the host receives it.
 */
import type { Result } from '../schema/result';
import {
  EMBED_PLANS,
  EMBED_PROTOCOL_VERSION,
  isAccentColour,
  isLocaleTag,
  THEME_MODES,
  type EmbedErrorCode,
  type EmbedPlan,
  type EmbedTheme,
  type ResultMessage,
  type ThemeMode,
} from './protocol';

/** A start request after validation: every option decided. */
export interface ResolvedStart {
  plan: EmbedPlan;
  locale?: string;
  theme?: EmbedTheme;
  /** Target names to check, or undefined for all. */
  targets?: string[];
  share: boolean;
}

/** What the check does with one incoming message. */
export type HostMessageAction =
  | { kind: 'ignore' }
  | { kind: 'start'; start: ResolvedStart }
  | { kind: 'reject'; code: EmbedErrorCode; message: string };

const START_OPTION_KEYS = ['plan', 'locale', 'theme', 'targets', 'share'];
const THEME_KEYS = ['mode', 'accent'];
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): HostMessageAction {
  return { kind: 'reject', code: 'invalid-options', message };
}

/** Validates a theme (from `netready:start` or the iframe's query); returns the field at fault, or null. */
function themeProblem(theme: unknown): string | null {
  if (!isRecord(theme)) return 'options.theme must be an object';
  const unknown = Object.keys(theme).find((key) => !THEME_KEYS.includes(key));
  if (unknown) return `options.theme.${unknown} is not an option (known: ${THEME_KEYS.join(', ')})`;
  if (theme.mode !== undefined && !THEME_MODES.includes(theme.mode as ThemeMode)) return `options.theme.mode must be one of ${THEME_MODES.join(', ')}`;
  if (theme.accent !== undefined && !(typeof theme.accent === 'string' && isAccentColour(theme.accent))) {
    return 'options.theme.accent must be a colour like #1d4ed8';
  }
  return null;
}

/**
 * Decides what the check does with a message from its (allowed) parent: ignore it (not a netready request: other
 * scripts on the host post messages too), start a run with validated options, or reject it with a code and a message
 * naming the field at fault. `targets` are the deployment's vendor target names.
 */
export function readHostMessage(data: unknown, targets: readonly string[]): HostMessageAction {
  if (!isRecord(data) || data.type !== 'netready:start') return { kind: 'ignore' };
  if (data.version !== EMBED_PROTOCOL_VERSION) {
    return {
      kind: 'reject',
      code: 'unsupported-version',
      message: `this check speaks protocol version ${EMBED_PROTOCOL_VERSION}; the host sent ${JSON.stringify(data.version ?? null)}. Load the loader (/embed.js) from this deployment.`,
    };
  }
  const options = data.options ?? {};
  if (!isRecord(options)) return invalid('options must be an object');
  const unknown = Object.keys(options).find((key) => !START_OPTION_KEYS.includes(key));
  if (unknown) return invalid(`options.${unknown} is not an option (known: ${START_OPTION_KEYS.join(', ')})`);
  const { plan = 'full', locale, theme, targets: wanted, share = false } = options;
  if (!EMBED_PLANS.includes(plan as EmbedPlan)) return invalid(`options.plan must be one of ${EMBED_PLANS.join(', ')}`);
  if (locale !== undefined && !(typeof locale === 'string' && isLocaleTag(locale))) {
    return invalid('options.locale must be a language tag such as en or de-CH');
  }
  if (theme !== undefined) {
    const problem = themeProblem(theme);
    if (problem) return invalid(problem);
  }
  if (wanted !== undefined) {
    if (!Array.isArray(wanted) || !wanted.every((name): name is string => typeof name === 'string')) return invalid('options.targets must be a list of target names');
    const missing = wanted.find((name) => !targets.includes(name));
    if (missing !== undefined) {
      const known = targets.length > 0 ? `configured: ${targets.map((name) => JSON.stringify(name)).join(', ')}` : 'this deployment has no targets configured';
      return invalid(`options.targets names ${JSON.stringify(missing)}, which is not a target of this deployment (${known})`);
    }
  }
  if (typeof share !== 'boolean') return invalid('options.share must be true or false');
  return {
    kind: 'start',
    start: {
      plan: plan as EmbedPlan,
      share,
      ...(locale !== undefined ? { locale: locale as string } : {}),
      ...(theme !== undefined ? { theme: theme as EmbedTheme } : {}),
      ...(wanted !== undefined ? { targets: [...(wanted as string[])] } : {}),
    },
  };
}

/** An origin's parts; the default port made explicit. Null for anything that is not `http(s)://host[:port]`. */
function originParts(origin: string): { scheme: string; host: string; port: string } | null {
  const match = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(origin);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  return { scheme, host: `${match[2] ?? ''}${match[3]!.toLowerCase()}`, port: match[4] ?? (scheme === 'https' ? '443' : '80') };
}

/**
 * Whether `origin` (a MessageEvent's, or the parent's) is on the allowlist, matched the way CSP `frame-ancestors`
 * matches it (CSP 3 §6.7.2.8): same scheme, same port (default ports implied), and the same host, or for
 * `https://*.example.com` any subdomain of example.com (not example.com itself). `null` origins never match.
 */
export function isOriginAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  const candidate = originParts(origin);
  if (!candidate || candidate.host.startsWith('*.')) return false;
  return allowedOrigins.some((entry) => {
    const allowed = originParts(entry);
    if (!allowed || allowed.scheme !== candidate.scheme || allowed.port !== candidate.port) return false;
    return allowed.host.startsWith('*.') ? candidate.host.endsWith(allowed.host.slice(1)) : allowed.host === candidate.host;
  });
}

/**
 * The result as the host receives it: verdict, findings (code, severity, title, category), duration, share link. The
 * findings keep the run's order, which the diagnosis already sorted blockers first (lib/diagnosis/diagnose.ts).
 * Deliberately no import of the sorting here: this module is in the embed's first load, and a module shared between a
 * page and the run chunk becomes a chunk of its own — one more request before every run (components/runner/run-chunk.ts).
 */
export function resultMessage(result: Result, share?: { url: string } | { code: string; message: string }): ResultMessage {
  const findings = result.findings.map((finding) => ({ code: finding.code, severity: finding.severity, title: finding.title, category: finding.category ?? 'network' }));
  return {
    type: 'netready:result',
    version: EMBED_PROTOCOL_VERSION,
    runId: result.id,
    verdict: result.verdict,
    ...(result.connectivity ? { connectivity: result.connectivity.verdict } : {}),
    durationMs: result.durationMs,
    findings,
    ...(share && 'url' in share ? { shareUrl: share.url } : {}),
    ...(share && 'code' in share ? { shareError: { code: share.code, message: share.message } } : {}),
  };
}

