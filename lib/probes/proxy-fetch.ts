/**
 * Shared by the proxy/TLS-inspection probes: one GET of a probe-server echo with a unique query (so its
 * Resource Timing entry is its own and no cache answers), the parsed JSON body, and the connection phases the
 * browser reports for it. Records; never judges.
 */
import { timedGet } from './http-get';
import type { ProbeContext, ResourceTimingLike } from './types';

/** Connection phases of one request, from Resource Timing (ms, rounded to 0.1). */
export interface RequestTiming {
  /** ALPN protocol of the connection as the browser reports it (`h2`, `http/1.1`), '' when hidden. */
  nextHopProtocol: string;
  dnsMs: number;
  /** TCP connect including TLS (connectEnd − connectStart). */
  connectMs: number;
  /** TLS part of connect (connectEnd − secureConnectionStart), 0 for plain HTTP. */
  tlsMs: number;
  /** connectStart and connectEnd equal fetchStart: an already open connection was reused (or a proxy hid it). */
  noConnectPhase: boolean;
}

/** What every echo probe records of its GET. */
export interface EchoOutcome {
  url: string;
  /** An answer arrived with HTTP 200 and a JSON body. */
  reached: boolean;
  httpStatus?: number;
  /** The browser's error text when the request failed (it never says why: blocked, refused, untrusted certificate). */
  error?: string;
  timedOut: boolean;
  elapsedMs: number;
  timing?: RequestTiming;
}

/** What one echo GET produced: the outcome and the echo's JSON body. */
export interface EchoFetch extends EchoOutcome {
  body?: Record<string, unknown>;
}

/** An echo outcome with what the server said it received: client address, HTTP version, header lines in order. */
export interface EchoedRequest extends EchoOutcome {
  clientAddress?: string;
  /** HTTP version the server saw ("2.0", "1.1"). */
  httpVersion?: string;
  headers?: Array<[string, string]>;
}

/** Reduces an echo GET to what the probes record (the body's request fields read defensively, the rest dropped). */
export function toEchoedRequest(fetched: EchoFetch): EchoedRequest {
  const { body, ...outcome } = fetched;
  const seen: EchoedRequest = { ...outcome };
  if (body) {
    if (typeof body.clientAddress === 'string') seen.clientAddress = body.clientAddress;
    if (typeof body.httpVersion === 'string') seen.httpVersion = body.httpVersion;
    seen.headers = readHeaderPairs(body.headers);
  }
  return seen;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Reduces a Resource Timing entry to the phases the proxy signals use. */
export function toRequestTiming(entry: ResourceTimingLike): RequestTiming {
  return {
    nextHopProtocol: entry.nextHopProtocol,
    dnsMs: round(Math.max(0, entry.domainLookupEnd - entry.domainLookupStart)),
    connectMs: round(Math.max(0, entry.connectEnd - entry.connectStart)),
    tlsMs: entry.secureConnectionStart > 0 ? round(Math.max(0, entry.connectEnd - entry.secureConnectionStart)) : 0,
    noConnectPhase: entry.connectStart === entry.fetchStart && entry.connectEnd === entry.fetchStart,
  };
}

/** GETs `baseUrl?session=<id>&n=<random>` and returns what happened. Never throws for network failures. */
export async function fetchEcho(ctx: ProbeContext, baseUrl: string, sessionId: string): Promise<EchoFetch> {
  const url = `${baseUrl}?session=${encodeURIComponent(sessionId)}&n=${encodeURIComponent(ctx.env.randomId())}`;
  const got = await timedGet(ctx, url);
  const result: EchoFetch = { url, reached: false, timedOut: got.timedOut, elapsedMs: got.elapsedMs };
  if (got.error !== undefined) result.error = got.error;
  if (!got.answered) return result;
  result.httpStatus = got.httpStatus;
  if (got.httpStatus === 200 && typeof got.body === 'object' && got.body !== null) {
    result.reached = true;
    result.body = got.body as Record<string, unknown>;
  }
  const entry = ctx.env.resourceTiming ? await ctx.env.resourceTiming(url, ctx.signal).catch(() => null) : null;
  if (entry) result.timing = toRequestTiming(entry);
  return result;
}

/** Reads `[name, value]` header pairs from an echo body (anything malformed is skipped). */
function readHeaderPairs(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) return [];
  return value.filter((h): h is [string, string] => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string');
}
