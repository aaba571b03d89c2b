/**
 * Stores one check of the monitor on the netready server under its site (issue 19): `POST /api/monitor/runs` with the
 * site's token. Never throws: a refusal or an unreachable server comes back as an error the monitor logs, and the
 * check stays in the monitor's own history either way.
 */
import type { Result } from '../../lib/schema/result';

/** How long one upload may take, ms. */
export const UPLOAD_TIMEOUT_MS = 15_000;

/** What the server answered: the share link and the site the token stands for, or why nothing was stored. */
export type UploadOutcome = { url: string; site: string } | { error: string; status?: number };

/** Posts `result` to `<baseUrl>/api/monitor/runs` with `token` (fetch injectable for tests). */
export async function uploadCheck(baseUrl: string, token: string, result: Result, fetchImpl: typeof fetch = fetch): Promise<UploadOutcome> {
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
    return {
      error: certificate
        ? `the server's certificate is not trusted here (${cause!.code}): give Node its CA with NODE_EXTRA_CA_CERTS=<ca.pem>`
        : `the server could not be reached: ${cause?.message ?? (error as Error).message}`,
    };
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
  return { error: `the server did not store the check (HTTP ${response.status} ${said})`, status: response.status };
}

function isStored(body: unknown): body is { url: string; site: string } {
  return typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string' && typeof (body as { site?: unknown }).site === 'string';
}
