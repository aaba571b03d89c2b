/**
 * One GET from a probe, timed, that never throws for a network failure: the shared first step of every probe that
 * asks "did this URL answer, how, and how fast" (DNS lookup timing, the proxy echoes, proxy sign-in).
 */
import type { ProbeContext } from './types';

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
