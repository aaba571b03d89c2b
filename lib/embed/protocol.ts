/**
 * The embed protocol (issue 14), version 1: the messages a host page (a meeting app's join screen) and the netready
 * check in its iframe (`/embed`) exchange with `postMessage`. One module for both sides: the check (pages/embed.tsx)
 * validates what the host sends (./check-side.ts); the loader and ES module (sdk/embed.ts) use the same types.
 *
 * Host → check: `netready:start` `{ version, options? }`.
 * Check → host: `netready:ready`, `netready:progress`, `netready:result`, `netready:error`, `netready:resize`.
 * Every message carries `version`. Messages of other types are ignored by both sides; a `netready:start` of another
 * version is answered with `netready:error` `unsupported-version`. So that this answer reaches a host of another
 * version, a `netready:error` is read whatever its version (readCheckError); every other message only in this one.
 *
 * Origins: the check posts only to its parent's origin, and only when it is on the operator's `embed.allowedOrigins`
 * (never `*`); it ignores messages from any other origin or window. Pure and isomorphic: no DOM here.
 */
import type { Severity, Verdict } from '../schema/result';

/** The protocol version this build speaks. A host sending another gets `unsupported-version`. */
export const EMBED_PROTOCOL_VERSION = 1;

/**
 * What a check runs:
 * - `connectivity`: every check of the network's paths (STUN/TURN per transport, DNS, proxy and TLS inspection, MTU,
 *   NAT), without the call-quality stream — the shortest run, and the verdict says whether calls can connect;
 * - `full` (default): the same plus the call-quality stream (round trip, jitter, loss, bandwidth);
 * - `deep`: `full` plus every network interface (VPN, Wi-Fi, Ethernet), which needs microphone permission — the
 *   only plan for which the loader's iframe allows camera and microphone.
 */
export type EmbedPlan = 'connectivity' | 'full' | 'deep';
/** Every plan, in the order above. */
export const EMBED_PLANS: readonly EmbedPlan[] = ['connectivity', 'full', 'deep'];

/** Colour scheme: follow the visitor's `prefers-color-scheme` (`auto`, the default), or force one. */
export type ThemeMode = 'light' | 'dark' | 'auto';
/** Every theme mode. */
export const THEME_MODES: readonly ThemeMode[] = ['light', 'dark', 'auto'];

/** The check's look. */
export interface EmbedTheme {
  /** Default `auto`. */
  mode?: ThemeMode;
  /** The host's accent colour for the main button and progress bar, `#rgb` or `#rrggbb`. Default netready's blue. */
  accent?: string;
}

/** Options of `netready:start` (and of the loader's `check()`). Every field is optional. */
export interface StartOptions {
  /** Default `full`. */
  plan?: EmbedPlan;
  /** BCP 47 language tag of the check's own words (`en`, `de`); others fall back to English. Default: the browser's. */
  locale?: string;
  theme?: EmbedTheme;
  /**
   * Which of the deployment's vendor targets (config `targets[].name`) to check: their media ports join the STUN port
   * matrix and their host names the DNS checks. Default: all configured. `[]` checks netready's own servers only.
   */
  targets?: string[];
  /** Store the result and send its share link (`shareUrl`) with `netready:result`, for the host's support flow. Default false. */
  share?: boolean;
}

/** `netready:start`: the host asks the check to run. Sent once the check said `netready:ready`. */
export interface StartMessage {
  type: 'netready:start';
  version: number;
  options?: StartOptions;
}

/** `netready:ready`: the check has loaded and listens; what this deployment offers. */
export interface ReadyMessage {
  type: 'netready:ready';
  version: number;
  plans: EmbedPlan[];
  /** Languages the check's own words come in. */
  locales: string[];
  /** Names of the vendor targets configured on this deployment. */
  targets: string[];
}

/** `netready:progress`: one probe started or finished, or the connectivity verdict is known (before quality). */
export interface ProgressMessage {
  type: 'netready:progress';
  version: number;
  runId: string;
  /** Milliseconds since the run started. */
  atMs: number;
  /** Probes finished so far, of `total`. */
  completed: number;
  total: number;
  /** The probe this message is about; `status` is `running` when it started, its outcome when it finished. */
  probe?: { id: string; title: string; status: 'running' | 'pass' | 'warn' | 'fail' | 'skipped' | 'inconclusive' };
  /** Whether calls can connect, as soon as the transports prove it; the quality stream may still lower it. */
  connectivity?: { verdict: Verdict };
}

/** One finding as the host receives it: enough to decide and to show; the share page has the rest. */
export interface EmbedFinding {
  /** Stable finding code (shared/DESIGN.md), e.g. `udp-blocked`: localise and decide by this. */
  code: string;
  severity: Severity;
  /** English title. */
  title: string;
  /** Whose problem it is: the network, netready's own set-up, or this browser. */
  category: 'network' | 'deployment' | 'browser';
}

/** `netready:result`: the run finished. */
export interface ResultMessage {
  type: 'netready:result';
  version: number;
  runId: string;
  verdict: Verdict;
  /** The connectivity verdict, when the transports proved it before quality was measured. */
  connectivity?: Verdict;
  durationMs: number;
  /** Blockers first. */
  findings: EmbedFinding[];
  /** The result's share link, when the host asked (`share: true`) and it could be stored. */
  shareUrl?: string;
  /** Why no share link came although the host asked for one. */
  shareError?: { code: string; message: string };
}

/** Error codes of `netready:error` (from the check) and of the loader's NetreadyEmbedError (the last three). */
export type EmbedErrorCode =
  | 'unsupported-version'
  | 'invalid-options'
  | 'busy'
  | 'run-failed'
  | 'load-timeout'
  | 'aborted'
  | 'not-allowed';

/** Every EmbedErrorCode, in the order above. */
export const EMBED_ERROR_CODES: readonly EmbedErrorCode[] = ['unsupported-version', 'invalid-options', 'busy', 'run-failed', 'load-timeout', 'aborted', 'not-allowed'];

/** `netready:error`: a start the check refused, or a run that broke without a result. */
export interface ErrorMessage {
  type: 'netready:error';
  version: number;
  code: EmbedErrorCode;
  message: string;
}

/** `netready:resize`: the check's content height changed; the loader sets the iframe to it. */
export interface ResizeMessage {
  type: 'netready:resize';
  version: number;
  /** CSS pixels. */
  height: number;
}

/** Every message the check sends. */
export type CheckMessage = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage | ResizeMessage;
/** A message of the check before `version` is stamped on it. */
export type UnversionedMessage = CheckMessage extends infer M ? (M extends CheckMessage ? Omit<M, 'version'> : never) : never;

/** `#rgb` or `#rrggbb`: nothing else reaches a style attribute. */
const ACCENT_PATTERN = /^#(?:[0-9a-f]{3}){1,2}$/i;
/** A BCP 47 tag's shape (language, optional subtags), at most 35 characters (RFC 5646 §4.4.1). */
const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i;

/** Whether `tag` has the shape of a BCP 47 language tag (`en`, `de-CH`). */
export function isLocaleTag(tag: string): boolean {
  return tag.length <= 35 && LOCALE_PATTERN.test(tag);
}

/** Whether `accent` is a colour the check accepts (`#rgb` or `#rrggbb`). */
export function isAccentColour(accent: string): boolean {
  return ACCENT_PATTERN.test(accent);
}

/** Whether `data` is a message of the check (for the host side: anything else on the window is ignored). */
export function isCheckMessage(data: unknown): data is CheckMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    ['netready:ready', 'netready:progress', 'netready:result', 'netready:error', 'netready:resize'].includes((data as { type: string }).type) &&
    (data as { version?: unknown }).version === EMBED_PROTOCOL_VERSION
  );
}

/** A message's protocol version when it is a positive integer, else null (then it is no netready message at all). */
function versionOf(data: unknown): number | null {
  const version = typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : null;
}

/**
 * Reads a `netready:error` of any protocol version: a check of a newer version refuses an older host's start with
 * `unsupported-version`, and that host must learn it rather than wait for a load timeout. Null unless `type` is
 * `netready:error`, `version` a positive integer, and `code` (a code's shape: lower case and `-`) and `message`
 * strings. Of this version, only the codes of EmbedErrorCode (anything else is malformed: null). Of another, a code
 * this side does not know is reported as `unsupported-version`, with the check's own code and version in the message.
 */
export function readCheckError(data: unknown): ErrorMessage | null {
  const version = versionOf(data);
  if (version === null || (data as { type?: unknown }).type !== 'netready:error') return null;
  const { code, message } = data as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(code) || typeof message !== 'string') return null;
  if (EMBED_ERROR_CODES.includes(code as EmbedErrorCode)) return { type: 'netready:error', version, code: code as EmbedErrorCode, message };
  if (version === EMBED_PROTOCOL_VERSION) return null;
  return {
    type: 'netready:error',
    version,
    code: 'unsupported-version',
    message: `the check speaks embed protocol version ${version} (this side ${EMBED_PROTOCOL_VERSION}) and reported ${code}: ${message}`,
  };
}

/**
 * The version of a `netready:ready` of another protocol version than this one, else null: a check that loaded but
 * speaks another version. The host still learns nothing else from it (its fields may mean other things).
 */
export function foreignReadyVersion(data: unknown): number | null {
  const version = versionOf(data);
  return version !== null && version !== EMBED_PROTOCOL_VERSION && (data as { type?: unknown }).type === 'netready:ready' ? version : null;
}
