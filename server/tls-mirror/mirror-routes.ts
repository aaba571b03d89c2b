/**
 * Routes that show the page what the probe server received, on both listeners:
 *   GET /v1/echo         – the request as received: client address, HTTP version, headers in wire order
 *                          (a proxy in the path adds Via, X-Forwarded-For, Forwarded …)
 *   GET /v1/tls/mirror   – HTTPS listener only: the echo plus the connection's raw ClientHello features and JA4
 * `?session=<id>` also records what was seen as an observation of that test session, so the server-side view
 * (GET /v1/sessions/:id/observations) carries it too. Responses are CORS-open, uncacheable and carry
 * `Timing-Allow-Origin: *` so the page can read their Resource Timing (connect time, nextHopProtocol); like every
 * probe answer they also carry the security headers of send-json.ts (nosniff, a CSP that loads and frames nothing,
 * no Referer).
 */
import type { CapturedClientHello, MirrorRequest, MirrorResponse } from './tls-mirror-server';
import { normalizeAddress } from './tls-mirror-server';
import { sendJson } from '../http/send-json';

/** Path of the header echo. */
export const ECHO_PATH = '/v1/echo';
/** Path of the TLS mirror. */
export const TLS_MIRROR_PATH = '/v1/tls/mirror';

/** Most header lines echoed back. */
export const MAX_ECHO_HEADERS = 64;
/** Longest header value echoed back (characters). */
export const MAX_ECHO_VALUE_CHARS = 512;
/** Headers whose values are never echoed (the page sends none; a misbehaving proxy might add them). */
const REDACTED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** What the routes need from their listener and the session table. */
export interface MirrorRoutesOptions {
  /** Which listener these routes serve. */
  listener: 'http' | 'https';
  /** The ClientHello captured for the request's connection (HTTPS listener). */
  clientHelloOf?(req: MirrorRequest): CapturedClientHello | null;
  /** Whether this listener offers h2 to the request's connection (default: yes). */
  offersH2?(req: MirrorRequest): boolean;
  /** Records an observation for a live session; unknown ids are ignored. */
  observe?(sessionId: string, observation: { source: 'http'; kind: string; data: Record<string, unknown> }): void;
}

/** Body of GET /v1/echo. */
export interface EchoBody {
  listener: 'http' | 'https';
  clientAddress: string;
  clientPort: number;
  httpVersion: string;
  method: string;
  /** [name, value] in the order received; names lower-cased. */
  headers: Array<[string, string]>;
}

/** Body of GET /v1/tls/mirror. */
export interface TlsMirrorBody extends EchoBody {
  /** ALPN protocol the TLS stack negotiated with the client ("h2", "http/1.1") or null. */
  negotiatedAlpn: string | null;
  /** Whether the server offers h2 on this connection (it does unless the name is http/1.1-only). */
  serverOffersH2: boolean;
  clientHello: CapturedClientHello['clientHello'];
  ja4: string | null;
  ja4Raw: string | null;
  handshakeBase64: string | null;
  decodeError?: CapturedClientHello['decodeError'];
}

/** The request's header lines in wire order, bounded and with credentials redacted. */
export function echoHeaders(rawHeaders: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length && out.length < MAX_ECHO_HEADERS; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = REDACTED_HEADERS.has(name) ? '[redacted]' : rawHeaders[i + 1]!.slice(0, MAX_ECHO_VALUE_CHARS);
    out.push([name, value]);
  }
  return out;
}

function echoOf(req: MirrorRequest, listener: 'http' | 'https'): EchoBody {
  return {
    listener,
    clientAddress: normalizeAddress(req.socket.remoteAddress),
    clientPort: req.socket.remotePort ?? 0,
    httpVersion: req.httpVersion,
    method: req.method ?? 'GET',
    headers: echoHeaders(req.rawHeaders),
  };
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Creates the routes. The returned function answers a request it owns and returns true, or returns false so
 * the caller passes the request on (to the probe API).
 */
export function createMirrorRoutes(options: MirrorRoutesOptions): (req: MirrorRequest, res: MirrorResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe.invalid');
    if (url.pathname !== ECHO_PATH && url.pathname !== TLS_MIRROR_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } });
      return true;
    }
    const sessionParam = url.searchParams.get('session');
    const sessionId = sessionParam && SESSION_ID.test(sessionParam) ? sessionParam : null;
    const echo = echoOf(req, options.listener);
    if (url.pathname === ECHO_PATH) {
      if (sessionId) {
        options.observe?.(sessionId, { source: 'http', kind: 'http-echo', data: { listener: options.listener, clientAddress: echo.clientAddress, headers: echo.headers } });
      }
      sendJson(res, 200, echo);
      return true;
    }
    if (options.listener !== 'https') {
      sendJson(res, 404, { error: { code: 'not_found', message: 'the TLS mirror answers on the probe\'s HTTPS listener' } });
      return true;
    }
    const capture = options.clientHelloOf?.(req) ?? null;
    const alpn = (req.socket as { alpnProtocol?: string | false }).alpnProtocol;
    const body: TlsMirrorBody = {
      ...echo,
      negotiatedAlpn: typeof alpn === 'string' ? alpn : null,
      serverOffersH2: options.offersH2?.(req) ?? true,
      clientHello: capture?.clientHello ?? null,
      ja4: capture?.ja4 ?? null,
      ja4Raw: capture?.ja4Raw ?? null,
      handshakeBase64: capture?.handshakeBase64 ?? null,
      ...(capture?.decodeError ? { decodeError: capture.decodeError } : {}),
    };
    if (sessionId) {
      options.observe?.(sessionId, {
        source: 'http',
        kind: 'tls-client-hello',
        data: { clientAddress: body.clientAddress, ja4: body.ja4, negotiatedAlpn: body.negotiatedAlpn, httpVersion: body.httpVersion },
      });
    }
    sendJson(res, 200, body);
    // An open HTTP/2 connection to this IP with a certificate covering other names (the DNS probe zone) lets
    // Chromium pool later requests for those names onto it, and then it reports no DNS or connect time for them
    // (connection coalescing). GOAWAY right after the answer leaves nothing to pool onto.
    const session = (req as { stream?: { session?: { close(): void } } }).stream?.session;
    if (req.httpVersion === '2.0' && session) res.once('finish', () => session.close());
    return true;
  };
}
