/**
 * The results HTTP API behind app/api/results: store a finished run, fetch a stored one. Framework-free
 * (standard Request/Response), with the store and limits injected, so tests call these directly.
 *
 * POST refuses, in this order and before reading the body where it can: posts another site's page could make
 * (403 `cross_site_request`: `Sec-Fetch-Site` cross-site/same-site, or an `Origin` that is not this app's), bodies
 * not declared `application/json` (415 `unsupported_media_type`: HTML forms and `text/plain` fetches cannot send it
 * cross-site without a CORS preflight, which this API never grants), more than `web.maxResultsPerMinute` requests
 * from one client (429 `rate_limited`), bodies over `web.maxResultBytes` (413), JSON nested deeper than
 * MAX_JSON_DEPTH (400 `json_too_deep`, checked before anything recursive runs), invalid results (400/422) and
 * results past the client's daily `web.maxResultBytesPerDay` (429 `quota_exceeded`). Nothing is stored unless all
 * pass. A store that cannot write answers 503 `storage_unavailable`.
 */
import { ApiError, type ApiErrorCode } from '../../lib/api/api-error';
import { applyClientAddressPolicy, type ClientAddressPolicy } from '../../lib/privacy/client-addresses';
import { ResultSchema, type Result } from '../../lib/schema/result';
import { DAY_MS, retentionCutoff } from '../store/retention';
import { ResultStoreError, type ResultStore, type StoredResult } from '../store/result-store';
import type { Logger } from '../ops/logger';
import type { WebMetrics } from '../ops/web-metrics';
import { clientAddressOf, limitKeyOf } from './client-address';

/** Deepest nesting of arrays and objects a posted result may have (real results nest about 8 deep). */
export const MAX_JSON_DEPTH = 64;

/** What the results API needs from its caller. */
export interface ResultsApiDeps {
  /** Where results are stored. */
  store: ResultStore;
  /** Largest accepted request body in bytes (config `web.maxResultBytes`). */
  maxResultBytes: number;
  /** Most POSTs one client may make per minute (config `web.maxResultsPerMinute`). */
  maxResultsPerMinute: number;
  /** Most bytes one client may store per UTC day (config `web.maxResultBytesPerDay`). */
  maxResultBytesPerDay: number;
  /** Reverse proxies trusted to append to X-Forwarded-For (config `web.trustedProxyHops`). */
  trustedProxyHops: number;
  /** Days a stored result is kept (config `results.retentionDays`): older ones answer 404 and are purged. */
  retentionDays: number;
  /** What is stored of client addresses (config `results.clientAddresses`); default `full`. */
  clientAddresses?: ClientAddressPolicy;
  /** The deployment's own addresses, kept whatever the policy (server/config/load.ts deploymentAddresses). */
  ownAddresses?: readonly string[];
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
  /** Where unexpected errors and storage failures are logged. Default: `ops.log` at level error. */
  logError?: (message: string, error: unknown) => void;
  /** Where the API reports what it did: log lines and counters (server/ops/). Default: neither. */
  ops?: ResultsApiOps;
}

/** The logger and counters of the results API (the web process's, from server/ops/web-ops.ts). */
export interface ResultsApiOps {
  /** Structured log (pino), bound to the request's id: stored results and refusals at info, failures at error. */
  log?: Pick<Logger, 'info' | 'error'>;
  /** Counters of stored and refused results and of store failures. */
  metrics?: Pick<WebMetrics, 'resultStored' | 'resultRefused' | 'storeError'>;
}

/** Body of a 201 answer to POST /api/results. */
export interface StoredResultResponse {
  /** Share id. */
  id: string;
  /** Absolute URL of the share page, `<request origin>/r/<id>`. */
  url: string;
  /** The private token that deletes the result (`DELETE /api/results/:id`, `Authorization: Bearer <token>`); given once. */
  deleteToken: string;
  /** When the server deletes the result by itself (ISO 8601): stored time + `results.retentionDays`. */
  expiresAt: string;
}

/** Longest submitter note, in characters (ticket number, site, contact). */
export const MAX_NOTE_CHARS = 500;

/** A POST body: a result, and the submitter's note when the body is `{ "result": …, "note": "…" }`. */
export interface Submission {
  result: Result;
  note?: string;
}

/** When a result stored at `createdAt` expires. */
export function expiryOf(createdAt: Date, retentionDays: number): Date {
  return new Date(createdAt.getTime() + retentionDays * DAY_MS);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** An ApiError the client may retry after `retryAfterS` seconds (sent as `Retry-After`). */
export class RetryLaterError extends ApiError {
  /** Whole seconds to wait. */
  readonly retryAfterS: number;
  constructor(code: ApiErrorCode, message: string, retryAfterS: number) {
    super(code, message);
    this.name = 'RetryLaterError';
    this.retryAfterS = retryAfterS;
  }
}

/** POST /api/results: origin, media type, rate limit, size, depth, schema, daily quota, store; 201 `{ id, url }`. */
export async function postResult(request: Request, deps: ResultsApiDeps): Promise<Response> {
  try {
    checkSameOrigin(request.headers, deps.trustedProxyHops);
    checkJsonContentType(request.headers);
    const client = limitKeyOf(clientAddressOf(request.headers, deps.trustedProxyHops));
    const admission = await deps.store.admit(client, deps.maxResultsPerMinute);
    if (!admission.admitted) {
      throw new RetryLaterError(
        'rate_limited',
        `too many results from this address (at most ${deps.maxResultsPerMinute} a minute); try again in ${admission.retryAfterS} s`,
        admission.retryAfterS,
      );
    }
    const text = await readBodyText(request, deps.maxResultBytes);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      throw new ApiError('json_too_deep', `the JSON nests arrays and objects more than ${MAX_JSON_DEPTH} deep`);
    }
    const submission = parseSubmission(text);
    const { note } = submission;
    const result = applyClientAddressPolicy(submission.result, deps.clientAddresses ?? 'full', deps.ownAddresses ?? []);
    const receipt = await deps.store.put(result, { charge: { clientAddress: client, maxBytesPerDay: deps.maxResultBytesPerDay }, ...(note !== undefined ? { note } : {}) });
    const { id } = receipt;
    const bytes = Buffer.byteLength(text);
    deps.ops?.metrics?.resultStored(bytes);
    // The share id lets support find the result a person reports; it is what the person already holds.
    deps.ops?.log?.info({ resultId: id, bytes }, 'result stored');
    const body: StoredResultResponse = {
      id,
      url: new URL(`/r/${id}`, request.url).toString(),
      deleteToken: receipt.deleteToken,
      expiresAt: expiryOf(receipt.createdAt, deps.retentionDays).toISOString(),
    };
    return new Response(JSON.stringify(body), { status: 201, headers: JSON_HEADERS });
  } catch (error) {
    const mapped = fromStoreError(error, 'write');
    countFailure(error, 'write', deps.ops);
    const response = errorResponse(mapped, logErrorOf(deps));
    deps.ops?.metrics?.resultRefused(mapped instanceof ApiError ? mapped.code : 'internal_error');
    if (mapped instanceof ApiError && mapped.status < 500) deps.ops?.log?.info({ code: mapped.code, status: mapped.status }, 'result refused');
    return response;
  }
}

/**
 * A stored result that has not expired, or null: a result past `results.retentionDays` is gone for every reader at
 * once, whether or not the purge has deleted it yet.
 */
export async function readLiveResult(id: string, deps: Pick<ResultsApiDeps, 'store' | 'retentionDays' | 'now'>): Promise<StoredResult | null> {
  const stored = await deps.store.get(id);
  if (stored === null) return null;
  // The support view lists only results stored after the same cut-off (support-params.ts), so it never links here in vain.
  return stored.createdAt <= retentionCutoff(deps.now?.() ?? new Date(), deps.retentionDays) ? null : stored;
}

/** GET /api/results/:id: the stored result JSON, or 404 `not_found` (also once it expired). */
export async function getResult(id: string, deps: Pick<ResultsApiDeps, 'store' | 'logError' | 'ops' | 'retentionDays' | 'now'>): Promise<Response> {
  try {
    const stored = await readLiveResult(id, deps);
    if (stored === null) throw new ApiError('not_found', 'no stored result has this id');
    return new Response(JSON.stringify(stored.result), { status: 200, headers: JSON_HEADERS });
  } catch (error) {
    const mapped = fromStoreError(error, 'read');
    countFailure(error, 'read', deps.ops);
    return errorResponse(mapped, logErrorOf(deps));
  }
}

/**
 * DELETE /api/results/:id with `Authorization: Bearer <deleteToken>`: removes the result at once (204). 401
 * `delete_token_required` without a token, 403 `delete_token_invalid` with another result's (nothing deleted), 404
 * `not_found` for an unknown id.
 */
export async function deleteResult(id: string, request: Request, deps: Pick<ResultsApiDeps, 'store' | 'logError' | 'ops'>): Promise<Response> {
  try {
    const token = /^Bearer\s+([A-Za-z0-9_-]{16,128})\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!token) throw new ApiError('delete_token_required', 'send the delete token you got when the link was created: Authorization: Bearer <deleteToken>');
    const outcome = await deps.store.delete(id, token);
    if (outcome === 'not_found') throw new ApiError('not_found', 'no stored result has this id');
    if (outcome === 'forbidden') throw new ApiError('delete_token_invalid', 'this is not the delete token of this result; nothing was deleted');
    deps.ops?.log?.info({ resultId: id }, 'result deleted by its submitter');
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const mapped = fromStoreError(error, 'write');
    countFailure(error, 'write', deps.ops);
    return errorResponse(mapped, logErrorOf(deps));
  }
}

/** The error logger of a call: the injected one, else the ops log, else the errorResponse default. */
export function logErrorOf(deps: Pick<ResultsApiDeps, 'logError' | 'ops'>): ResultsApiDeps['logError'] {
  if (deps.logError) return deps.logError;
  const log = deps.ops?.log;
  return log ? (message, error) => log.error({ err: error }, message) : undefined;
}

/** Counts a store failure (not a quota refusal, which is the store working as meant). */
export function countFailure(error: unknown, operation: 'write' | 'read', ops: ResultsApiOps | undefined): void {
  if (error instanceof ResultStoreError && error.code !== 'quota_exceeded') ops?.metrics?.storeError(operation, error.code);
}

/**
 * Maps a store failure to its public error: the used-up quota to 429 `quota_exceeded` (Retry-After: the next UTC
 * day), a store that cannot be opened, written or read to 503 `storage_unavailable` (logged, with the cause, for the
 * operator). A corrupt record and anything else stay unexpected (500, logged).
 */
export function fromStoreError(error: unknown, action: 'write' | 'read'): unknown {
  if (!(error instanceof ResultStoreError) || error.code === 'corrupt_record') return error;
  if (error.code === 'quota_exceeded') {
    const retryAfterS = error.retryAfterS ?? 3600;
    return new RetryLaterError('quota_exceeded', `this address has used up its storage for today; try again in ${retryAfterS} s`, retryAfterS);
  }
  const message =
    action === 'write'
      ? 'the result was not stored: the server cannot write to its storage right now; try again later'
      : 'the result cannot be read: the server cannot open its storage right now; try again later';
  return new ApiError('storage_unavailable', message, { cause: error });
}

/**
 * Refuses a request another site's page could have made: `Sec-Fetch-Site: cross-site` or `same-site` (sent by
 * current browsers on every request), or an `Origin` whose host is not this app's `Host` (or, behind trusted
 * proxies, `X-Forwarded-Host`). `Origin: null` (sandboxed frames, file: pages) is refused too. A request without
 * either header is not a browser page's cross-site request (the CLI drives a page of this origin; curl sends none).
 * The scheme is not compared: behind a TLS-terminating proxy the app cannot know it, and the host and port already
 * name this app. Throws ApiError `cross_site_request`.
 */
export function checkSameOrigin(headers: Headers, trustedProxyHops: number): void {
  const site = headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    throw new ApiError('cross_site_request', `results can only be stored from this site's own pages (Sec-Fetch-Site: ${site})`);
  }
  const origin = headers.get('origin');
  if (origin === null) return;
  let originUrl: URL | null = null;
  try {
    originUrl = new URL(origin);
  } catch {
    // `null` and other opaque origins are never this app.
  }
  const ownHosts = [headers.get('host'), ...(trustedProxyHops > 0 ? [headers.get('x-forwarded-host')?.split(',')[0]] : [])]
    .filter((host): host is string => typeof host === 'string' && host.trim() !== '')
    .map((host) => {
      try {
        // Same normalisation as the Origin's (lower case, the scheme's default port dropped).
        return new URL(`${originUrl?.protocol ?? 'http:'}//${host.trim()}`).host;
      } catch {
        return null;
      }
    });
  if (!originUrl || originUrl.host === '' || !ownHosts.includes(originUrl.host)) {
    throw new ApiError('cross_site_request', `results can only be stored from this site's own pages (Origin: ${origin.slice(0, 100)})`);
  }
}

/** Requires `Content-Type: application/json` (parameters such as charset allowed). Throws `unsupported_media_type`. */
export function checkJsonContentType(headers: Headers): void {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError('unsupported_media_type', `send the result as Content-Type: application/json (got ${type ? type.slice(0, 100) : 'none'})`);
  }
}

/**
 * Tells whether JSON text nests arrays/objects deeper than `maxDepth`, in one pass without recursion (brackets
 * inside strings do not count). JSON.parse itself copes with deep input; what came after it did not (serialising
 * 10,000 levels overflowed the stack and answered 500).
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
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
 * Parses a POST body: a result as it is, or `{ "result": <result>, "note": "<text>" }` with the submitter's note —
 * plain text up to MAX_NOTE_CHARS characters, no control characters but line breaks and tabs (it is shown as text,
 * never as HTML). Throws ApiError `invalid_json`, `invalid_request` (the note) or `invalid_result`.
 */
export function parseSubmission(text: string): Submission {
  const value = parseJson(text);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'result' in value && !('schemaVersion' in value)) {
    const { result, note, ...rest } = value as { result: unknown; note?: unknown };
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new ApiError('invalid_request', `unknown field "${extra}": the body is a result, or { "result": …, "note": "…" }`);
    if (note !== undefined && typeof note !== 'string') throw new ApiError('invalid_request', 'note must be text');
    if (typeof note === 'string') {
      if ([...note].length > MAX_NOTE_CHARS) throw new ApiError('invalid_request', `note must be at most ${MAX_NOTE_CHARS} characters`);
      if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(note)) throw new ApiError('invalid_request', 'note must be plain text (no control characters)');
    }
    const trimmed = typeof note === 'string' ? note.trim() : '';
    return { result: validateResult(result), ...(trimmed ? { note: trimmed } : {}) };
  }
  return { result: validateResult(value) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ApiError('invalid_json', 'the request body is not valid JSON', { cause });
  }
}

function validateResult(value: unknown): Result {
  const parsed = ResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    throw new ApiError('invalid_result', `not a valid netready result at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Turns any thrown value into the error envelope (with `Retry-After` for a RetryLaterError). Unknown errors are logged
 * and answered as `internal_error`; `storage_unavailable` is logged with its cause too, for the operator.
 */
export function errorResponse(error: unknown, logError: ResultsApiDeps['logError'] = defaultLogError): Response {
  logError ??= defaultLogError;
  const apiError =
    error instanceof ApiError ? error : new ApiError('internal_error', 'the server could not complete the request');
  if (!(error instanceof ApiError)) logError('results API: unexpected error', error);
  else if (error.code === 'storage_unavailable') logError('results API: result store unavailable', error.cause);
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (apiError instanceof RetryLaterError) headers['retry-after'] = String(apiError.retryAfterS);
  return new Response(JSON.stringify(apiError.toEnvelope()), { status: apiError.status, headers });
}

/** Without an injected logger (a caller that could not build one): one JSON line on stderr, the same shape pino writes. */
function defaultLogError(message: string, error: unknown): void {
  const err = error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : { message: String(error) };
  process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'web', msg: message, err })}\n`);
}
