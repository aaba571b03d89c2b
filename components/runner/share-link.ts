/**
 * Creating a result's share link (POST /api/results), for the runner's actions and the embedded check: the link, or
 * a ShareError that says in words why not and whether posting the same result again can help.
 */
import { readErrorEnvelope } from '../../lib/api/api-error';
import type { Result } from '../../lib/schema/result';

/** Why creating a link failed, in words, and whether posting the same result again can help. */
export interface ShareFailure {
  message: string;
  retryable: boolean;
}

/** A share request that failed; `retryable` says whether the page offers Retry. */
export class ShareError extends Error {
  readonly retryable: boolean;
  /** The API's error code (lib/api/api-error.ts), or `network_error` when the server was not reached. */
  readonly code: string;
  constructor({ message, retryable }: ShareFailure, code: string) {
    super(message);
    this.code = code;
    this.name = 'ShareError';
    this.retryable = retryable;
  }
}

/** Explains a failed share request in words (codes: lib/api/api-error.ts). */
function describeShareFailure(status: number, body: unknown, retryAfter: string | null): ShareFailure {
  const envelope = readErrorEnvelope(body);
  const download = 'Use “Download JSON” and send the file instead.';
  switch (envelope?.code) {
    case 'payload_too_large':
      return { message: `This result is too large to store on the server. ${download}`, retryable: false };
    case 'invalid_result':
    case 'invalid_json':
    case 'json_too_deep':
      return { message: `The server did not accept this result (${envelope.message}). ${download}`, retryable: false };
    case 'storage_unavailable':
      return {
        message: 'The server could not save the result: its storage is not available right now. Your result is still here — press Retry in a moment, or use “Download JSON” and send the file instead.',
        retryable: true,
      };
    case 'rate_limited': {
      const seconds = Number(retryAfter);
      const wait = Number.isFinite(seconds) && seconds > 0 ? `about ${Math.ceil(seconds)} seconds` : 'a minute';
      return { message: `Too many share links were created from your network just now. Wait ${wait}, then press Retry.`, retryable: true };
    }
    case 'quota_exceeded':
      return { message: `Your network has stored as many results today as this server allows. ${download}`, retryable: false };
    case 'invalid_request':
      return { message: `The server did not accept the note (${envelope.message}). Shorten it or leave it out, then press Retry.`, retryable: true };
    case 'cross_site_request':
    case 'unsupported_media_type':
      return { message: `The server refused to store a result sent this way (${envelope.message}). ${download}`, retryable: false };
    default:
      return status >= 500
        ? { message: `The server could not store the result right now. Press Retry in a moment, or use “Download JSON”.`, retryable: true }
        : { message: `The server refused to create a link (HTTP ${status}). ${download}`, retryable: false };
  }
}

/** A created share link: the page's URL, the private delete token (shown once), and when the server deletes it. */
export interface SharedLink {
  url: string;
  deleteToken: string;
  expiresAt: string;
}

/**
 * Posts the result (with the submitter's note, if any) to /api/results and resolves with the link, or rejects with a
 * ShareError.
 */
export async function createShareLink(result: Result, note?: string): Promise<SharedLink> {
  let response: Response;
  const trimmed = note?.trim();
  try {
    response = await fetch('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(trimmed ? { result, note: trimmed } : result),
    });
  } catch {
    throw new ShareError({ message: 'Could not reach the server to create a link. Check your connection and press Retry.', retryable: true }, 'network_error');
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 201 && typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string') {
    const { url, deleteToken, expiresAt } = body as { url: string; deleteToken?: unknown; expiresAt?: unknown };
    return { url, deleteToken: typeof deleteToken === 'string' ? deleteToken : '', expiresAt: typeof expiresAt === 'string' ? expiresAt : '' };
  }
  throw new ShareError(describeShareFailure(response.status, body, response.headers.get('retry-after')), readErrorEnvelope(body)?.code ?? `http_${response.status}`);
}

/** Deletes a shared result with its delete token (DELETE /api/results/:id); resolves when it is gone. */
export async function deleteSharedResult(url: string, deleteToken: string): Promise<void> {
  const id = new URL(url).pathname.split('/').pop() ?? '';
  let response: Response;
  try {
    response = await fetch(`/api/results/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${deleteToken}` } });
  } catch {
    throw new ShareError({ message: 'Could not reach the server to delete the result. Check your connection and try again.', retryable: true }, 'network_error');
  }
  if (response.status === 204 || response.status === 404) return;
  const body: unknown = await response.json().catch(() => null);
  const envelope = readErrorEnvelope(body);
  throw new ShareError({ message: `The server did not delete the result (${envelope?.message ?? `HTTP ${response.status}`}).`, retryable: response.status >= 500 }, envelope?.code ?? `http_${response.status}`);
}

/** Stores the result for an embedding host's support flow: its share link, or the API's error code and words. Never throws. */
export async function shareForHost(result: Result): Promise<{ url: string } | { code: string; message: string }> {
  try {
    return { url: (await createShareLink(result)).url };
  } catch (error) {
    return error instanceof ShareError ? { code: error.code, message: error.message } : { code: 'internal_error', message: String(error) };
  }
}
