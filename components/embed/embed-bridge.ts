/**
 * The check's side of the embed protocol (lib/embed/protocol.ts) in the browser: finds the host's origin, posts to it
 * only when it is on the operator's `embed.allowedOrigins` (target origin that exact origin, never `*`), and hands
 * valid `netready:start` requests from the parent window on that list to the page. Everything else is ignored.
 *
 * The host's origin: `location.ancestorOrigins[0]` (Chromium, WebKit), else the origin of `document.referrer` (the
 * loader's iframe sends `referrerpolicy="origin"`, so Firefox has it too), else the origin of the first message the
 * parent sends. A claimed origin cannot leak anything: the browser delivers a message only when the target window's
 * origin really is the target origin.
 */
import { isOriginAllowed, readHostMessage, type ResolvedStart } from '../../lib/embed/check-side';
import { EMBED_PROTOCOL_VERSION, type UnversionedMessage } from '../../lib/embed/protocol';

/** The parts of `window` the bridge uses (a fake in unit tests). */
export interface BridgeWindow {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  location: { ancestorOrigins?: { readonly length: number; readonly [index: number]: string } };
  document: { referrer: string };
  addEventListener(type: 'message', listener: (event: BridgeMessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: BridgeMessageEvent) => void): void;
}

/** The parts of a MessageEvent the bridge reads. */
export interface BridgeMessageEvent {
  data: unknown;
  origin: string;
  source: unknown;
}

/** Options of createEmbedBridge. */
export interface EmbedBridgeOptions {
  /** The operator's `embed.allowedOrigins`. */
  allowedOrigins: readonly string[];
  /** The deployment's vendor target names (for validating `options.targets`). */
  targets: readonly string[];
  /** Called with each valid start request of the allowed host. */
  onStart(start: ResolvedStart): void;
}

/** A running bridge. */
export interface EmbedBridge {
  /** Whether there is a host to talk to: the page is framed and its parent's origin is allowed. */
  readonly connected: boolean;
  /** Posts a message to the allowed host; does nothing when there is none. Adds `version` when missing. */
  post(message: UnversionedMessage): void;
  /** Stops listening. */
  close(): void;
}

/** The origin of a URL, or null. */
function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The parent's origin as the browser tells it before any message, or null. */
export function claimedParentOrigin(win: Pick<BridgeWindow, 'location' | 'document'>): string | null {
  const ancestors = win.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0]) return ancestors[0] === 'null' ? null : ancestors[0];
  return win.document.referrer ? originOf(win.document.referrer) : null;
}

/** Starts the bridge on `win` (the page's window). Not framed: a bridge that never posts. */
export function createEmbedBridge(win: BridgeWindow, options: EmbedBridgeOptions): EmbedBridge {
  const framed = (win.parent as unknown) !== win;
  const claimed = framed ? claimedParentOrigin(win) : null;
  let hostOrigin = claimed && isOriginAllowed(claimed, options.allowedOrigins) ? claimed : null;

  const post = (message: UnversionedMessage): void => {
    if (!hostOrigin) return;
    win.parent.postMessage({ ...message, version: EMBED_PROTOCOL_VERSION }, hostOrigin);
  };

  const onMessage = (event: BridgeMessageEvent): void => {
    // Only the window that frames us, and only from an allowed origin: other frames and windows are ignored.
    if (!framed || event.source !== win.parent || !isOriginAllowed(event.origin, options.allowedOrigins)) return;
    const action = readHostMessage(event.data, options.targets);
    if (action.kind === 'ignore') return;
    // The parent's origin as the browser reports it on its own message is authoritative.
    hostOrigin = event.origin;
    if (action.kind === 'reject') post({ type: 'netready:error', code: action.code, message: action.message });
    else options.onStart(action.start);
  };
  win.addEventListener('message', onMessage);

  return {
    get connected() {
      return hostOrigin !== null;
    },
    post,
    close: () => win.removeEventListener('message', onMessage),
  };
}
