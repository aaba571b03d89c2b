/**
 * Storage of finished runs behind share links. The web tier only talks to this interface, so the embedded
 * SQLite store (sqlite-store.ts) and a PostgreSQL store for production are interchangeable.
 */
import type { Result } from '../../lib/schema/result';

/** Why a store operation failed. */
export type ResultStoreErrorCode = 'open_failed' | 'write_failed' | 'read_failed' | 'corrupt_record' | 'id_exhausted';

/** A storage failure. `code` says which step failed; `cause` holds the driver's error. */
export class ResultStoreError extends Error {
  /** Machine-readable reason. */
  readonly code: ResultStoreErrorCode;
  constructor(code: ResultStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResultStoreError';
    this.code = code;
  }
}

/** Stores finished runs and hands them back by share id. */
export interface ResultStore {
  /**
   * Stores a result that has already been validated against ResultSchema and returns its new share id:
   * random, URL-safe, unguessable, and unrelated to `result.id` (the run id made by the page), so a run id
   * seen in a log or a screenshot does not reveal the shared result. Storing the same run twice makes two ids.
   */
  put(result: Result): Promise<{ id: string }>;
  /**
   * Returns the result stored under a share id, re-validated against ResultSchema, or null when no result has
   * that id (including ids that could never have been issued). Rejects with ResultStoreError `corrupt_record`
   * when the stored JSON no longer matches the schema.
   */
  get(id: string): Promise<Result | null>;
  /** Releases the underlying handle. Idempotent; the store must not be used afterwards. */
  close(): void;
}
