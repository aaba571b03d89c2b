/**
 * netready's embed client (issue 14): puts the pre-join check into a host page and speaks the embed protocol
 * (lib/embed/protocol.ts) with it. Built by scripts/build-embed.mjs into
 * - `/embed.js`: a classic script that defines `window.netready` (`netready.check(…)`), ≤ 5 KB gzipped;
 * - `/embed.mjs` + `/embed.d.ts`: the same client as an ES module with its TypeScript types.
 *
 * ```html
 * <div id="network-check"></div>
 * <script src="https://netready.example.com/embed.js"></script>
 * <script>
 *   netready.check({ container: '#network-check', origin: 'https://netready.example.com', plan: 'connectivity' })
 *     .then((result) => { if (result.verdict === 'blocked') offerAudioOnly(); });
 * </script>
 * ```
 *
 * The host's origin must be on the deployment's `embed.allowedOrigins`; otherwise the browser refuses to show the
 * check (CSP `frame-ancestors`) and `check()` rejects with `load-timeout` and says so. Messages go to the deployment's
 * origin only, and only messages from the check's own iframe and origin are read.
 *
 * Versions: a check that speaks another protocol version than this client (a bundled copy of an older release) is
 * still sent this client's `netready:start`, and its `netready:error` is read whatever its version, so `check()`
 * rejects with the check's `unsupported-version` at once instead of a `load-timeout` that blames the allowlist.
 * Every other message of another version is ignored.
 */
import {
  EMBED_PROTOCOL_VERSION,
  foreignReadyVersion,
  isCheckMessage,
  readCheckError,
  type EmbedErrorCode,
  type ProgressMessage,
  type ReadyMessage,
  type ResultMessage,
  type StartMessage,
  type StartOptions,
} from '../lib/embed/protocol';

export { EMBED_PROTOCOL_VERSION };
export type {
  EmbedErrorCode,
  EmbedFinding,
  EmbedPlan,
  EmbedTheme,
  ErrorMessage,
  ProgressMessage,
  ReadyMessage,
  ResizeMessage,
  ResultMessage,
  StartOptions,
  ThemeMode,
} from '../lib/embed/protocol';

/** Options of check(): where, which deployment, what to run, and the callbacks. */
export interface CheckOptions extends StartOptions {
  /** The element (or a CSS selector of it) the check's iframe is appended to. */
  container: HTMLElement | string;
  /** The netready deployment's origin (or any URL on it), e.g. `https://netready.example.com`. */
  origin: string;
  /** Each probe started or finished, and the connectivity verdict as soon as it is known. */
  onProgress?: (progress: ProgressMessage) => void;
  /** The run's result (also for later runs the person starts with "Check again" inside the check). */
  onResult?: (result: ResultMessage) => void;
  /** A refused start, a run that broke, or a check that never loaded. */
  onError?: (error: NetreadyEmbedError) => void;
  /** The check loaded and said what it offers. */
  onReady?: (ready: ReadyMessage) => void;
  /** Start at once (default true); false shows the check's own Start button. */
  autostart?: boolean;
  /** Give up when the check has not said `netready:ready` after this long, ms. Default 15000. */
  loadTimeoutMs?: number;
  /** Accessible name of the iframe. Default "Network check". */
  title?: string;
  /** Aborting removes the iframe and rejects the promise with `aborted`. */
  signal?: AbortSignal;
}

/** An error of the check (`netready:error`) or of loading it; `code` is stable. */
export class NetreadyEmbedError extends Error {
  /** See EmbedErrorCode. */
  readonly code: EmbedErrorCode;
  constructor(code: EmbedErrorCode, message: string) {
    super(message);
    this.name = 'NetreadyEmbedError';
    this.code = code;
  }
}

/** Initial iframe height until the check reports its own (`netready:resize`), CSS pixels. */
const INITIAL_HEIGHT_PX = 180;
const DEFAULT_LOAD_TIMEOUT_MS = 15_000;

/** The query of the iframe's URL: the look and language, so the check's first paint already has them. */
function embedUrl(origin: string, options: CheckOptions): string {
  const query = new URLSearchParams();
  if (options.plan) query.set('plan', options.plan);
  if (options.locale) query.set('locale', options.locale);
  if (options.theme?.mode) query.set('theme', options.theme.mode);
  if (options.theme?.accent) query.set('accent', options.theme.accent);
  const text = query.toString();
  return `${origin}/embed${text ? `?${text}` : ''}`;
}

/**
 * Shows the check in `container` and runs it. Resolves with the first result; rejects with a NetreadyEmbedError
 * when the check refuses the start, the run breaks, the check does not load in time, or `signal` aborts.
 */
export function check(options: CheckOptions): Promise<ResultMessage> {
  return new Promise<ResultMessage>((resolve, reject) => {
    const container = typeof options.container === 'string' ? document.querySelector<HTMLElement>(options.container) : options.container;
    if (!container) throw new NetreadyEmbedError('invalid-options', `container ${String(options.container)} is not on this page`);
    let origin: string;
    try {
      origin = new URL(options.origin).origin;
    } catch {
      throw new NetreadyEmbedError('invalid-options', `origin ${JSON.stringify(options.origin)} is not a URL such as https://netready.example.com`);
    }
    const frame = document.createElement('iframe');
    frame.src = embedUrl(origin, options);
    frame.title = options.title ?? 'Network check';
    // The check learns the host's origin from the referrer in every browser (Firefox has no ancestorOrigins).
    frame.referrerPolicy = 'origin';
    // Camera and microphone only for the deep check; the clipboard for the share link's Copy button.
    frame.allow = options.plan === 'deep' ? `camera ${origin}; microphone ${origin}; clipboard-write ${origin}` : `clipboard-write ${origin}`;
    frame.style.cssText = `display:block;width:100%;border:0;height:${INITIAL_HEIGHT_PX}px;color-scheme:normal`;

    let settled = false;
    let ready = false;
    /** The version of a check that said `netready:ready` in another protocol version than this client's. */
    let foreignVersion: number | null = null;
    const fail = (error: NetreadyEmbedError): void => {
      // Settled by an error, a later load timeout would only report the same check twice.
      clearTimeout(loadTimer);
      options.onError?.(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    const sendStart = (): void => {
      const { plan, locale, theme, targets, share } = options;
      const start: StartMessage = {
        type: 'netready:start',
        version: EMBED_PROTOCOL_VERSION,
        options: { ...(plan ? { plan } : {}), ...(locale ? { locale } : {}), ...(theme ? { theme } : {}), ...(targets ? { targets } : {}), ...(share ? { share } : {}) },
      };
      frame.contentWindow?.postMessage(start, origin);
    };
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      // Any version: a newer check's `unsupported-version` is the one answer an older client must understand.
      const error = readCheckError(event.data);
      if (error) {
        fail(new NetreadyEmbedError(error.code, error.message));
        return;
      }
      const otherVersion = foreignReadyVersion(event.data);
      if (otherVersion !== null) {
        // The check loaded (so the allowlist is right) but speaks another version: ask it anyway, in ours, and let it
        // answer — a check that does not speak ours says `unsupported-version` (above).
        foreignVersion = otherVersion;
        if (options.autostart !== false) sendStart();
        return;
      }
      if (!isCheckMessage(event.data)) return;
      const message = event.data;
      switch (message.type) {
        case 'netready:ready':
          ready = true;
          clearTimeout(loadTimer);
          options.onReady?.(message);
          if (options.autostart !== false) sendStart();
          return;
        case 'netready:resize':
          frame.style.height = `${Math.max(0, Math.round(message.height))}px`;
          return;
        case 'netready:progress':
          options.onProgress?.(message);
          return;
        case 'netready:result':
          options.onResult?.(message);
          if (!settled) {
            settled = true;
            resolve(message);
          }
          return;
      }
    };
    const cleanUp = (): void => {
      clearTimeout(loadTimer);
      window.removeEventListener('message', onMessage);
      frame.remove();
    };
    const timeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    const loadTimer = setTimeout(() => {
      if (ready) return;
      fail(
        foreignVersion !== null
          ? new NetreadyEmbedError(
              'unsupported-version',
              `the check at ${origin} speaks embed protocol version ${foreignVersion}, this client version ${EMBED_PROTOCOL_VERSION}: load the client from ${origin}/embed.js (or ${origin}/embed.mjs)`,
            )
          : new NetreadyEmbedError(
              'load-timeout',
              `the check at ${origin} did not load within ${timeoutMs} ms. Is this page's origin (${location.origin}) in the deployment's embed.allowedOrigins, and is ${origin} up?`,
            ),
      );
    }, timeoutMs);
    if (options.signal) {
      if (options.signal.aborted) {
        clearTimeout(loadTimer);
        throw new NetreadyEmbedError('aborted', 'the check was cancelled before it started');
      }
      options.signal.addEventListener(
        'abort',
        () => {
          cleanUp();
          fail(new NetreadyEmbedError('aborted', 'the check was cancelled'));
        },
        { once: true },
      );
    }
    window.addEventListener('message', onMessage);
    container.append(frame);
  });
}
