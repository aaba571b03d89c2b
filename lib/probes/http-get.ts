/**
 * One GET from a probe, timed, that never throws for a network failure: the shared first step of every probe that
 * asks "did this URL answer, how, and how fast" (DNS lookup timing, the proxy echoes, proxy sign-in); and the headers
 * of a JSON POST to the probe server that needs no CORS preflight (the session, the media peer's offers, NAT checks).
 */
import type { ProbeContext } from './types';

/**
 * Headers of a JSON POST to the probe server that needs no CORS preflight: `text/plain` is a CORS-safelisted content
 * type, `application/json` is not, and a preflight costs a whole extra round trip per URL before the request itself
 * leaves (≈ 200 ms per media-peer offer on a 200 ms path, issue 16). The probe server is CORS-open to every origin,
 * so a preflight protects nothing there, and it parses the body as JSON whatever the declared type.
 */
export const PREFLIGHT_FREE_JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'text/plain;charset=UTF-8' });

/** What one GET produced. */
export interface TimedGet {
  url: string;
  /** An HTTP answer arrived (any status). */
  answered: boolean;
  httpStatus?: number;
  /** The JSON body, when the answer had one. */
  body?: unknown;
  /** The probe's deadline (its signal) ended the request. */
  timedOut: boolean;
  /** The browser's error text when the request failed (it never says why: blocked, refused, untrusted certificate). */
  error?: string;
  elapsedMs: number;
}

/**
 * GETs `url` under the probe's signal and reads the body as JSON when it is JSON. With `mode: 'no-cors'` any answer
 * counts (an opaque response has status 0 and no body).
 */
export async function timedGet(ctx: Pick<ProbeContext, 'env' | 'signal'>, url: string, mode: 'cors' | 'no-cors' = 'cors'): Promise<TimedGet> {
  const started = ctx.env.now();
  const result: TimedGet = { url, answered: false, timedOut: false, elapsedMs: 0 };
  try {
    const response = await ctx.env.fetch(url, { method: 'GET', signal: ctx.signal, ...(mode === 'no-cors' ? { mode } : {}) });
    result.answered = true;
    result.httpStatus = response.status;
    const body: unknown = await response.json().catch(() => undefined);
    if (body !== undefined) result.body = body;
  } catch (error) {
    result.timedOut = ctx.signal.aborted;
    if (!result.timedOut) result.error = error instanceof Error ? error.message : String(error);
  }
  result.elapsedMs = Math.round(ctx.env.now() - started);
  return result;
}
