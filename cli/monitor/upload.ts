/**
 * Stores one check of the monitor on the netready server under its site (issue 19): `POST /api/monitor/runs` with the
 * site's token. A server that cannot take it right now (unreachable, 5xx, 429) is asked again after 2 and 4 s (429:
 * its Retry-After, up to 10 s); a refusal (401, 4xx) is final. Never throws: what could not be stored comes back as an
 * error the monitor logs, and the check stays in the monitor's own history either way.
 */
import type { Result } from '../../lib/schema/result';

/** How long one upload may take, ms. */
export const UPLOAD_TIMEOUT_MS = 15_000;

/** What the server answered: the share link and the site the token stands for, or why nothing was stored. */
export type UploadOutcome = { url: string; site: string } | { error: string; status?: number };

/** Pauses before the second and third try, ms. */
export const UPLOAD_RETRY_PAUSES_MS = [2000, 4000] as const;
/** Longest Retry-After the monitor honours before its next check, s. */
const MAX_RETRY_AFTER_S = 10;

/** What uploadCheck needs besides the check (injectable for tests). */
export interface UploadDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Posts `result` to `<baseUrl>/api/monitor/runs` with `token`, with the retries of the module comment. */
export async function uploadCheck(baseUrl: string, token: string, result: Result, deps: UploadDeps = {}): Promise<UploadOutcome> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let outcome = await postOnce(baseUrl, token, result, deps.fetch ?? fetch);
  for (const pause of UPLOAD_RETRY_PAUSES_MS) {
    if (!('error' in outcome) || !outcome.retryable) break;
    await sleep(outcome.retryAfterS !== undefined ? Math.min(outcome.retryAfterS, MAX_RETRY_AFTER_S) * 1000 : pause);
    outcome = await postOnce(baseUrl, token, result, deps.fetch ?? fetch);
  }
  if ('error' in outcome) return outcome.status !== undefined ? { error: outcome.error, status: outcome.status } : { error: outcome.error };
  return outcome;
}

type Attempt = { url: string; site: string } | { error: string; status?: number; retryable: boolean; retryAfterS?: number };

/** One POST; says whether a failure is worth another try. */
async function postOnce(baseUrl: string, token: string, result: Result, fetchImpl: typeof fetch): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl}/api/monitor/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(result),
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const certificate = cause?.code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(cause.code);
    return certificate
      ? { error: `the server's certificate is not trusted here (${cause!.code}): give Node its CA with NODE_EXTRA_CA_CERTS=<ca.pem>`, retryable: false }
      : { error: `the server could not be reached: ${cause?.message ?? (error as Error).message}`, retryable: true };
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 201 && isStored(body)) return { url: body.url, site: body.site };
  const envelope = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const said = envelope && typeof envelope.code === 'string' ? `${envelope.code}: ${String(envelope.message)}` : text.slice(0, 200) || 'no answer body';
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    error: `the server did not store the check (HTTP ${response.status} ${said})`,
    status: response.status,
    retryable: response.status === 429 || response.status >= 500,
    ...(response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterS: retryAfter } : {}),
  };
}

function isStored(body: unknown): body is { url: string; site: string } {
  return typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string' && typeof (body as { site?: unknown }).site === 'string';
}
