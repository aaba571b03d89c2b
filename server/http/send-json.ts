/**
 * The probe server's one way to answer JSON, on the plain-HTTP and the TLS listener alike (HTTP/1.1 and HTTP/2
 * compat responses): open to any origin (the page runs on another origin than the probe), readable by Resource
 * Timing (`Timing-Allow-Origin`, which the lookup/connect timing probes need), never cached, never sniffed.
 */

/** CORS and timing headers of every probe-server answer, preflights included. */
export const PROBE_CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
  // Lets the page read Resource Timing of these requests (lookup/connect timing probes).
  'timing-allow-origin': '*',
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
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
