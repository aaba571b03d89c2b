/**
 * The embedded result store: one SQLite file, `<dataDir>/netready.sqlite`, in WAL mode so the page reads
 * while another process (or a second Next worker) writes. The file is opened on first use, not in the
 * constructor, so creating a store never touches the disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ResultSchema, type Result } from '../../lib/schema/result';
import { ResultStoreError, type ResultStore } from './result-store';

/** File name of the database inside `dataDir`. */
export const SQLITE_FILE_NAME = 'netready.sqlite';

/** Share ids: 16 random bytes as base64url → 22 characters of [A-Za-z0-9_-] (128 bits). */
const SHARE_ID_BYTES = 16;
/** Shape of every id this store can issue; other strings are answered with null without a query. */
const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** How many fresh ids put() tries when an id is already taken (only plausible with an injected generator). */
const MAX_ID_ATTEMPTS = 5;
/** How long a writer waits for another process's lock before failing, in milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

/** Returns a fresh random share id (22 URL-safe characters). */
export function generateShareId(): string {
  return randomBytes(SHARE_ID_BYTES).toString('base64url');
}

/** Tells whether a string has the shape of a share id (cheap pre-check before a lookup). */
export function isShareId(id: string): boolean {
  return SHARE_ID_PATTERN.test(id);
}

/** Options of SqliteResultStore. */
export interface SqliteResultStoreOptions {
  /** Folder holding `netready.sqlite`; created on first use if missing (config `dataDir`). */
  dataDir: string;
  /** Share id generator. Default generateShareId; tests inject collisions. */
  generateId?: () => string;
  /** Clock for `created_at`. Default `() => new Date()`. */
  now?: () => Date;
}

interface OpenDatabase {
  db: Database.Database;
  insert: Database.Statement<[string, string, string]>;
  select: Database.Statement<[string], { json: string }>;
}

/** A ResultStore backed by one SQLite file (better-sqlite3, synchronous under an async interface). */
export class SqliteResultStore implements ResultStore {
  /** Absolute or cwd-relative path of the database file. */
  readonly file: string;
  readonly #dataDir: string;
  readonly #generateId: () => string;
  readonly #now: () => Date;
  #open: OpenDatabase | null = null;
  #closed = false;

  constructor(options: SqliteResultStoreOptions) {
    this.#dataDir = options.dataDir;
    this.file = path.join(options.dataDir, SQLITE_FILE_NAME);
    this.#generateId = options.generateId ?? generateShareId;
    this.#now = options.now ?? (() => new Date());
  }

  async put(result: Result): Promise<{ id: string }> {
    const { insert } = this.#database();
    const json = JSON.stringify(result);
    const createdAt = this.#now().toISOString();
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const id = this.#generateId();
      try {
        insert.run(id, createdAt, json);
        return { id };
      } catch (cause) {
        if (isPrimaryKeyConflict(cause)) continue;
        throw new ResultStoreError('write_failed', `cannot store result in ${this.file}`, { cause });
      }
    }
    throw new ResultStoreError('id_exhausted', `no free share id after ${MAX_ID_ATTEMPTS} attempts`);
  }

  async get(id: string): Promise<Result | null> {
    if (!isShareId(id)) return null;
    const { select } = this.#database();
    let row: { json: string } | undefined;
    try {
      row = select.get(id);
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot read result ${id} from ${this.file}`, { cause });
    }
    if (row === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(row.json);
    } catch (cause) {
      throw new ResultStoreError('corrupt_record', `stored result ${id} is not valid JSON`, { cause });
    }
    const parsed = ResultSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.join('.') || '(top level)' : '(unknown)';
      throw new ResultStoreError('corrupt_record', `stored result ${id} does not match the result schema at ${where}`);
    }
    return parsed.data;
  }

  close(): void {
    this.#closed = true;
    this.#open?.db.close();
    this.#open = null;
  }

  /** Opens the database on first use: folder, WAL, table, prepared statements. */
  #database(): OpenDatabase {
    if (this.#open) return this.#open;
    if (this.#closed) throw new ResultStoreError('open_failed', 'the result store has been closed');
    let db: Database.Database | undefined;
    try {
      mkdirSync(this.#dataDir, { recursive: true });
      db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.exec(`CREATE TABLE IF NOT EXISTS results (
        id TEXT PRIMARY KEY NOT NULL,
        created_at TEXT NOT NULL,
        json TEXT NOT NULL
      ) STRICT`);
      this.#open = {
        db,
        insert: db.prepare<[string, string, string]>('INSERT INTO results (id, created_at, json) VALUES (?, ?, ?)'),
        select: db.prepare<[string], { json: string }>('SELECT json FROM results WHERE id = ?'),
      };
      return this.#open;
    } catch (cause) {
      db?.close();
      throw new ResultStoreError('open_failed', `cannot open result database ${this.file}`, { cause });
    }
  }
}

function isPrimaryKeyConflict(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
