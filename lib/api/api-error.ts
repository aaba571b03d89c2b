/**
 * The HTTP API's one error envelope, `{ "error": { "code", "message" } }`, and its one code→status map.
 * Pure and isomorphic: the server builds envelopes with it, the browser reads them (share-link errors).
 */

/** Every error code the HTTP API can return, mapped to its HTTP status. Codes are public API: add, never rename. */
export const API_ERROR_STATUS = {
  /** The request body is not valid JSON (or not UTF-8). */
  invalid_json: 400,
  /** The request is well-formed JSON but its fields are invalid (probe API: SDP offer). */
  invalid_request: 400,
  /** No stored result has this id. */
  not_found: 404,
  /** The request method is not supported on this path. */
  method_not_allowed: 405,
  /** The request body is larger than `web.maxResultBytes`. */
  payload_too_large: 413,
  /** The body is JSON but not a valid Result (schemaVersion 1). */
  invalid_result: 422,
  /** Too many requests from this client; try again later. */
  rate_limited: 429,
  /** The media peer could not use the SDP offer: ICE failed while answering (e.g. no candidate in it). Issue 18. */
  offer_unusable: 422,
  /** The probe server's media peer is at capacity. */
  peer_unavailable: 503,
  /** The probe server holds as many live test sessions as it may (`probe.maxLiveSessions`); try again shortly. */
  server_busy: 503,
  /** Anything unexpected; details go to the server log, never to the client. */
  internal_error: 500,
  /** The body is not sent as `Content-Type: application/json` (POST /api/results: no form or text/plain posts). */
  unsupported_media_type: 415,
  /** The request comes from another site (`Origin` not this app's, or `Sec-Fetch-Site` cross-site/same-site). */
  cross_site_request: 403,
  /** The JSON nests arrays/objects deeper than the API accepts; refused before it is parsed. */
  json_too_deep: 400,
  /** This client's daily storage quota (`web.maxResultBytesPerDay`) is used up; `Retry-After` says when it resets. */
  quota_exceeded: 429,
  /** The result store cannot be written or read right now (read-only data folder, full disk); nothing was stored. */
  storage_unavailable: 503,
  /** DELETE /api/results/:id without `Authorization: Bearer <deleteToken>`. */
  delete_token_required: 401,
  /** DELETE /api/results/:id with a token that is not this result's; nothing was deleted. */
  delete_token_invalid: 403,
  /** The support view and its API are off: no `support.passwordHash` is configured. */
  support_disabled: 404,
  /** POST /api/monitor/runs without `Authorization: Bearer <site token>`; nothing was stored. */
  site_token_required: 401,
  /** POST /api/monitor/runs with a token that is no configured site's (`monitor.sites`); nothing was stored. */
  site_token_invalid: 401,
  /** GET /v1/sessions/:id/capture.pcapng on a probe server that records no captures (`probe.capture.enabled` false). */
  capture_disabled: 404,
  /** POST /api/pac/evaluate: the PAC file is not valid JavaScript. Issue 20. */
  pac_syntax_error: 422,
  /** POST /api/pac/evaluate: the PAC file defines no function FindProxyForURL. */
  pac_no_function: 422,
  /** POST /api/pac/evaluate: the PAC file's top-level code threw. */
  pac_load_failed: 422,
  /** POST /api/pac/evaluate: the PAC file ran past the time limit (an endless loop) and was stopped. */
  pac_timeout: 422,
  /** POST /api/pac/evaluate: the PAC file allocated past the memory limit and was stopped. */
  pac_memory: 422,
} as const satisfies Record<string, number>;

/** An error code of the HTTP API. */
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** The JSON body of every error response. */
export interface ApiErrorEnvelope {
  error: { code: ApiErrorCode; message: string };
}

/** An API failure with a public code and a message that is safe to show to the caller. */
export class ApiError extends Error {
  /** Public error code; decides the HTTP status via API_ERROR_STATUS. */
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  /** The JSON envelope for this error. */
  toEnvelope(): ApiErrorEnvelope {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Returns the HTTP status of an API error code. */
export function statusForCode(code: ApiErrorCode): number {
  return API_ERROR_STATUS[code];
}

/**
 * Reads an error envelope from an unknown JSON value (e.g. a failed fetch's body).
 * Returns null when the value is not an envelope; unknown codes are kept as plain strings.
 */
export function readErrorEnvelope(value: unknown): { code: string; message: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code, message };
}
