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
    case 'cross_site_request':
    case 'unsupported_media_type':
      return { message: `The server refused to store a result sent this way (${envelope.message}). ${download}`, retryable: false };
    default:
      return status >= 500
        ? { message: `The server could not store the result right now. Press Retry in a moment, or use “Download JSON”.`, retryable: true }
        : { message: `The server refused to create a link (HTTP ${status}). ${download}`, retryable: false };
  }
}

/** Posts the result to /api/results and resolves with the share URL, or rejects with a ShareError. */
export async function createShareLink(result: Result): Promise<string> {
  let response: Response;
  try {
    response = await fetch('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });
  } catch {
    throw new ShareError({ message: 'Could not reach the server to create a link. Check your connection and press Retry.', retryable: true }, 'network_error');
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 201 && typeof body === 'object' && body !== null && typeof (body as { url?: unknown }).url === 'string') {
    return (body as { url: string }).url;
  }
  throw new ShareError(describeShareFailure(response.status, body, response.headers.get('retry-after')), readErrorEnvelope(body)?.code ?? `http_${response.status}`);
}
