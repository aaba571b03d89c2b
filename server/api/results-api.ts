/**
 * The results HTTP API behind app/api/results: store a finished run, fetch a stored one. Framework-free
 * (standard Request/Response), with the store and limits injected, so tests call these directly.
 */
import { ApiError } from '../../lib/api/api-error';
import { ResultSchema, type Result } from '../../lib/schema/result';
import type { ResultStore } from '../store/result-store';

/** What the results API needs from its caller. */
export interface ResultsApiDeps {
  /** Where results are stored. */
  store: ResultStore;
  /** Largest accepted request body in bytes (config `web.maxResultBytes`). */
  maxResultBytes: number;
  /** Where unexpected errors are logged. Default `console.error`. */
  logError?: (message: string, error: unknown) => void;
}

/** Body of a 201 answer to POST /api/results. */
export interface StoredResultResponse {
  /** Share id. */
  id: string;
  /** Absolute URL of the share page, `<request origin>/r/<id>`. */
  url: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** POST /api/results: size-limited read, JSON parse, schema validation, store; 201 `{ id, url }`. */
export async function postResult(request: Request, deps: ResultsApiDeps): Promise<Response> {
  try {
    const text = await readBodyText(request, deps.maxResultBytes);
    const result = parseResult(text);
    const { id } = await deps.store.put(result);
    const body: StoredResultResponse = { id, url: new URL(`/r/${id}`, request.url).toString() };
    return new Response(JSON.stringify(body), { status: 201, headers: JSON_HEADERS });
  } catch (error) {
    return errorResponse(error, deps.logError);
  }
}

/** GET /api/results/:id: the stored result JSON, or 404 `not_found`. */
export async function getResult(id: string, deps: Pick<ResultsApiDeps, 'store' | 'logError'>): Promise<Response> {
  try {
    const result = await deps.store.get(id);
    if (result === null) throw new ApiError('not_found', 'no stored result has this id');
    return new Response(JSON.stringify(result), { status: 200, headers: JSON_HEADERS });
  } catch (error) {
    return errorResponse(error, deps.logError);
  }
}

/**
 * Reads a request body as UTF-8 text, refusing more than `maxBytes`: first by Content-Length, then while
 * streaming (the header can be absent with chunked encoding, or lie). Throws ApiError `payload_too_large`
 * or `invalid_json` (bytes that are not UTF-8).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ApiError('payload_too_large', `the result must be at most ${maxBytes} bytes`);
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    // Stop the upload as soon as the limit is passed (and release the lock otherwise).
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new ApiError('invalid_json', 'the request body is not UTF-8 text', { cause });
  }
}

/**
 * Parses and validates a result body. Throws ApiError `invalid_json` when the text is not JSON and
 * `invalid_result` (naming the first issue's path) when it does not match ResultSchema.
 */
export function parseResult(text: string): Result {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ApiError('invalid_json', 'the request body is not valid JSON', { cause });
  }
  const parsed = ResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    throw new ApiError('invalid_result', `not a valid netready result at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Turns any thrown value into the error envelope; unknown errors are logged and answered as `internal_error`. */
export function errorResponse(error: unknown, logError: ResultsApiDeps['logError'] = defaultLogError): Response {
  const apiError =
    error instanceof ApiError ? error : new ApiError('internal_error', 'the server could not complete the request');
  if (!(error instanceof ApiError)) logError('results API: unexpected error', error);
  return new Response(JSON.stringify(apiError.toEnvelope()), { status: apiError.status, headers: JSON_HEADERS });
}

function defaultLogError(message: string, error: unknown): void {
  console.error(message, error);
}
