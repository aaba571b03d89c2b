/**
 * Storage of finished runs behind share links. The web tier only talks to this interface, so the embedded
 * SQLite store (sqlite-store.ts) and a PostgreSQL store for production are interchangeable.
 */
import type { Result } from '../../lib/schema/result';
import type { SiteCheck } from '../../lib/monitor/sites';
import type { StoredSite } from './site-query';
import type { SupportCursor, SupportPage, SupportQuery } from './support-query';

/**
 * Why a store operation failed. `quota_exceeded` is a refusal, not a failure: the client's daily quota is used up
 * and nothing was stored; every other code means the storage itself did not work.
 */
export type ResultStoreErrorCode = 'open_failed' | 'write_failed' | 'read_failed' | 'corrupt_record' | 'id_exhausted' | 'quota_exceeded';

/**
 * Marks a ResultStoreError across copies of this module. Next.js bundles instrumentation.ts and each route handler with
 * their own copy of it, and the process's one store (server/store/index.ts) is made by the start-up copy: without the
 * mark, a route's `instanceof ResultStoreError` failed for every error that store threw, and a read-only data folder
 * answered 500 instead of 503 `storage_unavailable`.
 */
const RESULT_STORE_ERROR = Symbol.for('netready.ResultStoreError');

/** A storage failure (or quota refusal). `code` says which step failed; `cause` holds the driver's error. */
export class ResultStoreError extends Error {
  /** `instanceof` by the process-wide mark (see RESULT_STORE_ERROR), whichever copy of the class made the error. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [RESULT_STORE_ERROR]?: unknown })[RESULT_STORE_ERROR] === true;
  }

  /** The process-wide mark. */
  readonly [RESULT_STORE_ERROR] = true;
  /** Machine-readable reason. */
  readonly code: ResultStoreErrorCode;
  /** With `quota_exceeded`: seconds until the quota resets (the next UTC day). */
  readonly retryAfterS: number | undefined;
  constructor(code: ResultStoreErrorCode, message: string, options?: { cause?: unknown; retryAfterS?: number }) {
    super(message, options);
    this.name = 'ResultStoreError';
    this.code = code;
    this.retryAfterS = options?.retryAfterS;
  }
}

/**
 * Charges a stored result to the client that sent it. The store keys usage by a salted hash of the address and
 * never writes the address itself.
 */
export interface UsageCharge {
  /** The client's network address (server/api/client-address.ts). */
  clientAddress: string;
  /** Most bytes this client may store per UTC day (config `web.maxResultBytesPerDay`). */
  maxBytesPerDay: number;
}

/** Whether one more request of a client fits its per-minute limit. */
export type Admission = { admitted: true } | { admitted: false; /** Seconds until the client's window ends. */ retryAfterS: number };

/** Length of the per-client request-counting window, in milliseconds. */
export const RATE_WINDOW_MS = 60_000;

/** The UTC day a moment falls on, `YYYY-MM-DD`: the unit of the daily storage quota. */
export function usageDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Whole seconds (at least 1) from `now` until the next UTC day starts, when daily quotas reset. */
export function secondsUntilNextUsageDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** Options of ResultStore.put. */
export interface PutOptions {
  /** Charge the result to a client's daily quota (see put). */
  charge?: UsageCharge;
  /** The submitter's note (ticket number, site, contact), plain text, already length-checked by the API. */
  note?: string;
  /** The monitored site whose check this is (issue 19: POST /api/monitor/runs with the site's token). */
  site?: string;
}

/** What put hands back: the share id, and the delete token — given out once, stored only as its hash. */
export interface PutReceipt {
  id: string;
  deleteToken: string;
  createdAt: Date;
}

/** A stored result with what the store keeps beside it. */
export interface StoredResult {
  result: Result;
  /** When it was stored (retention counts from here). */
  createdAt: Date;
  /** The submitter's note, or null. */
  note: string | null;
  /** The PAC check the submitter attached (JSON text, server/pac/pac-attach.ts); absent when none is. Issue 20. */
  pacCheck?: string;
}

/** Outcome of ResultStore.delete. */
export type DeleteOutcome = 'deleted' | 'not_found' | 'forbidden';

/** Outcome of ResultStore.attachPacCheck. */
export type AttachOutcome = 'attached' | 'not_found' | 'forbidden';

/** Stores finished runs and hands them back by share id. */
export interface ResultStore {
  /**
   * Opens the database now and applies the schema migrations it lacks (migrations.ts); every other method does this on
   * first use. The web server calls it at start-up (server/store/index.ts startResultStore). Rejects with
   * ResultStoreError `open_failed` when the database cannot be opened or is from a newer netready.
   */
  open(): Promise<void>;
  /**
   * Stores a result that has already been validated against ResultSchema and returns its new share id:
   * random, URL-safe, unguessable, and unrelated to `result.id` (the run id made by the page), so a run id
   * seen in a log or a screenshot does not reveal the shared result. Storing the same run twice makes two ids.
   * With `charge`, it stores the result only if the client's bytes stored today plus this result's (its JSON, UTF-8)
   * stay within `charge.maxBytesPerDay`, and adds them in the same transaction; past it, it rejects with
   * ResultStoreError `quota_exceeded` (with `retryAfterS`) and stores nothing. Usage is kept in the store, so it
   * survives a restart. The receipt's delete token is the only way to delete the result (`delete`).
   */
  put(result: Result, options?: PutOptions): Promise<PutReceipt>;
  /**
   * Deletes a result at once when `deleteToken` is the one its put handed out: `deleted`; `forbidden` (nothing
   * deleted) for another token; `not_found` when no result has the id.
   */
  delete(id: string, deleteToken: string): Promise<DeleteOutcome>;
  /**
   * Attaches (or replaces) a PAC check (JSON text) to a result when `deleteToken` is its token — only the submitter
   * may: `attached`; `forbidden` (nothing changed) for another token; `not_found` for an unknown id. Issue 20.
   */
  attachPacCheck?(id: string, deleteToken: string, pacCheck: string): Promise<AttachOutcome>;
  /** Deletes every result stored before `cutoff` (retention); resolves with how many. */
  purgeStoredBefore(cutoff: Date): Promise<number>;
  /** The support view (issue 13): one page of results matching `query`, newest first, with the total. */
  searchResults(query: SupportQuery, page: { limit: number; after?: SupportCursor }): Promise<SupportPage>;
  /** How many results matching `query` (its `code` ignored) have each finding code, most frequent first. */
  findingCounts(query: SupportQuery): Promise<Array<{ code: string; count: number }>>;
  /** The Sites page (issue 19): every monitored site with checks stored after `liveAfter` (retentionCutoff), by name. */
  listSites(liveAfter: Date): Promise<StoredSite[]>;
  /**
   * One site's newest checks stored after `liveAfter` (retentionCutoff), at most `limit` (MAX_SITE_CHECKS), newest
   * first, with their findings (code and severity).
   */
  siteChecks(site: string, limit: number, liveAfter: Date): Promise<SiteCheck[]>;
  /**
   * Counts one request of a client against `maxPerMinute` in a fixed window of RATE_WINDOW_MS that starts with its
   * first request. A refused request is not counted. Kept in the store, so every web process sharing it agrees.
   */
  admit(clientAddress: string, maxPerMinute: number): Promise<Admission>;
  /**
   * Returns the result stored under a share id, re-validated against ResultSchema, with when it was stored and the
   * submitter's note; null when no result has that id (including ids that could never have been issued). Rejects
   * with ResultStoreError `corrupt_record` when the stored JSON no longer matches the schema.
   */
  get(id: string): Promise<StoredResult | null>;
  /**
   * Proves the store can take a write now, for readiness checks (`/readyz`): a real write in a transaction that is
   * rolled back, so nothing changes. Rejects with ResultStoreError (`open_failed`, `write_failed`) when it cannot.
   * Optional: a store without it is reported as not checked.
   */
  checkWritable?(): Promise<void>;
  /** Releases the underlying handle (a PostgreSQL pool ends asynchronously). Idempotent; the store must not be used afterwards. */
  close(): Promise<void>;
}
