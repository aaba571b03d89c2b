/**
 * The probe server's one way to answer JSON, on the plain-HTTP and the TLS listener alike (HTTP/1.1 and HTTP/2
 * compat responses): open to any origin (the page runs on another origin than the probe), readable by Resource
 * Timing (`Timing-Allow-Origin`, which the lookup/connect timing probes need), never cached, never sniffed, never
 * rendered or framed as a document.
 */

/**
 * Security headers of every probe-server answer: JSON is never sniffed into something else, loads nothing and
 * cannot be framed if opened as a document, and links from it send no Referer. None of them limits who may read it:
 * the answers stay CORS-open for the runner on the web app's origin.
 */
export const PROBE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
});

/** CORS, timing and security headers of every probe-server answer, preflights included. */
export const PROBE_CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
  // Lets the page read Resource Timing of these requests (lookup/connect timing probes).
  'timing-allow-origin': '*',
  ...PROBE_SECURITY_HEADERS,
});

/** The part of a Node HTTP/1.1 or HTTP/2-compat response this needs. */
export interface JsonResponseLike {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(text: string): unknown;
}

/** Sends `body` as JSON with `status` and the probe server's headers. */
export function sendJson(res: JsonResponseLike, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...PROBE_CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
