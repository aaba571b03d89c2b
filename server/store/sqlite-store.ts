/**
 * The embedded result store: one SQLite file, `<dataDir>/netready.sqlite`, in WAL mode so the page reads
 * while another process (or a second Next worker) writes. The file is opened on first use, not in the
 * constructor, so creating a store never touches the disk.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Result, Verdict } from '../../lib/schema/result';
import { MAX_SUPPORT_PAGE, SQLITE_DIALECT, supportWhere, type SupportCursor, type SupportPage, type SupportQuery } from './support-query';
import { MIGRATIONS_TABLE_SQL, pendingMigrations } from './migrations';
import {
  CLIENT_SALT_BYTES,
  MAX_ID_ATTEMPTS,
  clientKeyOf,
  deleteTokenHash,
  deleteTokenMatches,
  generateDeleteToken,
  generateShareId,
  isShareId,
  findingRows,
  readStoredJson,
} from './records';
import { siteChecksSql, sitesSql, toSiteCheck, type StoredSite } from './site-query';
import type { SiteCheck } from '../../lib/monitor/sites';
import {
  RATE_WINDOW_MS,
  ResultStoreError,
  secondsUntilNextUsageDay,
  usageDay,
  type Admission,
  type AttachOutcome,
  type DeleteOutcome,
  type PutOptions,
  type PutReceipt,
  type ResultStore,
  type StoredResult,
} from './result-store';

export { generateShareId, isShareId } from './records';

/** File name of the database inside `dataDir`. */
export const SQLITE_FILE_NAME = 'netready.sqlite';

/** How long a writer waits for another process's lock before failing, in milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

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
  insert: Database.Statement<[string, string, string, string | null, string, string, string | null]>;
  insertFinding: Database.Statement<[string, string, string, string]>;
  removeFindings: Database.Statement<[string]>;
  purgeFindings: Database.Statement<[string]>;
  select: Database.Statement<[string], { json: string; created_at: string; note: string | null; pac_check: string | null }>;
  attachPac: Database.Statement<[string, string]>;
  selectToken: Database.Statement<[string], { delete_token_sha256: string | null }>;
  remove: Database.Statement<[string]>;
  purge: Database.Statement<[string]>;
  /** Salt of clientKeyOf(): random per database, so a key cannot be matched to an address without this database. */
  clientSalt: Buffer;
  rateGet: Database.Statement<[string], { window_start_ms: number; count: number }>;
  rateSet: Database.Statement<[string, number, number]>;
  ratePurge: Database.Statement<[number]>;
  usageGet: Database.Statement<[string, string], { bytes: number }>;
  usageAdd: Database.Statement<[string, string, number]>;
  usagePurge: Database.Statement<[string]>;
  /** The readiness probe's write (rolled back every time). */
  readyCheck: Database.Statement<[string]>;
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

  async open(): Promise<void> {
    this.#database();
  }

  async put(result: Result, options: PutOptions = {}): Promise<PutReceipt> {
    const open = this.#database();
    const json = JSON.stringify(result);
    const now = this.#now();
    const createdAt = now.toISOString();
    const day = usageDay(now);
    const deleteToken = generateDeleteToken();
    const { charge } = options;
    const store = (): PutReceipt => {
      if (charge) {
        const key = clientKeyOf(open.clientSalt, charge.clientAddress);
        const used = open.usageGet.get(key, day)?.bytes ?? 0;
        const bytes = Buffer.byteLength(json);
        if (used + bytes > charge.maxBytesPerDay) {
          throw new ResultStoreError('quota_exceeded', `this address has stored ${used} of ${charge.maxBytesPerDay} bytes today; a result of ${bytes} bytes does not fit`, {
            retryAfterS: secondsUntilNextUsageDay(now),
          });
        }
        open.usageAdd.run(key, day, bytes);
        // Only today's rows decide anything; older ones are dropped as new usage is written.
        open.usagePurge.run(day);
      }
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
        const id = this.#generateId();
        try {
          open.insert.run(id, createdAt, json, options.note ?? null, deleteTokenHash(deleteToken), result.verdict, options.site ?? null);
          for (const { code, severity } of findingRows(result)) open.insertFinding.run(id, code, createdAt, severity);
          return { id, deleteToken, createdAt: now };
        } catch (cause) {
          if (isPrimaryKeyConflict(cause)) continue;
          throw cause;
        }
      }
      throw new ResultStoreError('id_exhausted', `no free share id after ${MAX_ID_ATTEMPTS} attempts`);
    };
    try {
      // IMMEDIATE takes the write lock first, so two processes cannot both pass the quota check on the same usage.
      return open.db.transaction(store).immediate();
    } catch (cause) {
      if (cause instanceof ResultStoreError) throw cause;
      throw new ResultStoreError('write_failed', `cannot store result in ${this.file}`, { cause });
    }
  }

  async admit(clientAddress: string, maxPerMinute: number): Promise<Admission> {
    const open = this.#database();
    const nowMs = this.#now().getTime();
    const count = (): Admission => {
      open.ratePurge.run(nowMs - RATE_WINDOW_MS);
      const key = clientKeyOf(open.clientSalt, clientAddress);
      const row = open.rateGet.get(key);
      if (!row || nowMs - row.window_start_ms >= RATE_WINDOW_MS) {
        open.rateSet.run(key, nowMs, 1);
        return { admitted: true };
      }
      if (row.count >= maxPerMinute) {
        return { admitted: false, retryAfterS: Math.max(1, Math.ceil((row.window_start_ms + RATE_WINDOW_MS - nowMs) / 1000)) };
      }
      open.rateSet.run(key, row.window_start_ms, row.count + 1);
      return { admitted: true };
    };
    try {
      return open.db.transaction(count).immediate();
    } catch (cause) {
      throw new ResultStoreError('write_failed', `cannot count a request in ${this.file}`, { cause });
    }
  }

  async get(id: string): Promise<StoredResult | null> {
    if (!isShareId(id)) return null;
    const { select } = this.#database();
    let row: { json: string; created_at: string; note: string | null; pac_check: string | null } | undefined;
    try {
      row = select.get(id);
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot read result ${id} from ${this.file}`, { cause });
    }
    if (row === undefined) return null;
    return { result: readStoredJson(id, row.json), createdAt: new Date(row.created_at), note: row.note, ...(row.pac_check !== null ? { pacCheck: row.pac_check } : {}) };
  }

  async attachPacCheck(id: string, deleteToken: string, pacCheck: string): Promise<AttachOutcome> {
    if (!isShareId(id)) return 'not_found';
    const open = this.#database();
    try {
      return open.db
        .transaction((): AttachOutcome => {
          const row = open.selectToken.get(id);
          if (!row) return 'not_found';
          if (!deleteTokenMatches(deleteToken, row.delete_token_sha256)) return 'forbidden';
          open.attachPac.run(pacCheck, id);
          return 'attached';
        })
        .immediate();
    } catch (cause) {
      throw new ResultStoreError('write_failed', `cannot attach a PAC check to result ${id} in ${this.file}`, { cause });
    }
  }

  async delete(id: string, deleteToken: string): Promise<DeleteOutcome> {
    if (!isShareId(id)) return 'not_found';
    const open = this.#database();
    try {
      return open.db
        .transaction((): DeleteOutcome => {
          const row = open.selectToken.get(id);
          if (!row) return 'not_found';
          if (!deleteTokenMatches(deleteToken, row.delete_token_sha256)) return 'forbidden';
          open.remove.run(id);
          open.removeFindings.run(id);
          return 'deleted';
        })
        .immediate();
    } catch (cause) {
      throw new ResultStoreError('write_failed', `cannot delete result ${id} in ${this.file}`, { cause });
    }
  }

  async purgeStoredBefore(cutoff: Date): Promise<number> {
    const open = this.#database();
    try {
      return open.db.transaction(() => {
        open.purgeFindings.run(cutoff.toISOString());
        return open.purge.run(cutoff.toISOString()).changes;
      })();
    } catch (cause) {
      throw new ResultStoreError('write_failed', `cannot purge expired results in ${this.file}`, { cause });
    }
  }

  async searchResults(query: SupportQuery, page: { limit: number; after?: SupportCursor }): Promise<SupportPage> {
    const { db } = this.#database();
    try {
      const all = supportWhere(query, SQLITE_DIALECT);
      const total = (db.prepare(`SELECT count(*) AS n FROM results ${all.sql}`).get(...all.params) as { n: number }).n;
      const limit = Math.min(Math.max(1, page.limit), MAX_SUPPORT_PAGE);
      const where = supportWhere(query, SQLITE_DIALECT, page.after ? { cursor: page.after } : {});
      const rows = db
        .prepare(
          `SELECT id, created_at, verdict, note, (SELECT group_concat(code, ',') FROM result_findings f WHERE f.result_id = results.id) AS codes
           FROM results ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
        )
        .all(...where.params) as Array<{ id: string; created_at: string; verdict: Verdict | null; note: string | null; codes: string | null }>;
      const mapped = rows.slice(0, limit).map((row) => ({ id: row.id, createdAt: new Date(row.created_at), verdict: row.verdict, note: row.note, findingCodes: row.codes ? row.codes.split(',').sort() : [] }));
      const last = mapped.at(-1);
      return { rows: mapped, total, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot search results in ${this.file}`, { cause });
    }
  }

  async findingCounts(query: SupportQuery): Promise<Array<{ code: string; count: number }>> {
    const { db } = this.#database();
    try {
      const where = supportWhere(query, SQLITE_DIALECT, { skipCode: true });
      return db
        .prepare(`SELECT f.code AS code, count(*) AS count FROM result_findings f JOIN results ON results.id = f.result_id ${where.sql} GROUP BY f.code ORDER BY count DESC, f.code`)
        .all(...where.params) as Array<{ code: string; count: number }>;
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot count findings in ${this.file}`, { cause });
    }
  }

  async listSites(liveAfter: Date): Promise<StoredSite[]> {
    const { db } = this.#database();
    try {
      const { sql, params } = sitesSql(SQLITE_DIALECT, liveAfter);
      const rows = db.prepare(sql).all(...params) as Array<{ site: string; checks: number; latest_at: string }>;
      return rows.map((row) => ({ site: row.site, checks: row.checks, latestAt: new Date(row.latest_at) }));
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot list the monitored sites in ${this.file}`, { cause });
    }
  }

  async siteChecks(site: string, limit: number, liveAfter: Date): Promise<SiteCheck[]> {
    const { db } = this.#database();
    try {
      const { sql, params } = siteChecksSql(SQLITE_DIALECT, 'group_concat', site, limit, liveAfter);
      return (db.prepare(sql).all(...params) as Array<{ id: string; created_at: string; verdict: Verdict | null; findings: string | null }>).map(toSiteCheck);
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot read the checks of site ${site} in ${this.file}`, { cause });
    }
  }

  /**
   * Opens the database, checks that the folder and the file still accept writes (a folder or file system turned
   * read-only after opening: SQLite would fail at its next journal or checkpoint, and a rolled-back write may never
   * reach the disk to notice), then writes a row inside a transaction that is rolled back. Needs the write lock, so it
   * also fails while another process holds it past the busy timeout.
   */
  async checkWritable(): Promise<void> {
    const open = this.#database();
    try {
      accessSync(this.#dataDir, fsConstants.W_OK);
      accessSync(this.file, fsConstants.W_OK);
      open.db.exec('BEGIN IMMEDIATE');
      try {
        open.readyCheck.run(this.#now().toISOString());
      } finally {
        open.db.exec('ROLLBACK');
      }
    } catch (cause) {
      throw new ResultStoreError('write_failed', `cannot write to ${this.file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#open?.db.close();
    this.#open = null;
  }

  /** Opens the database on first use: folder, WAL, schema migrations, client salt, prepared statements. */
  #database(): OpenDatabase {
    if (this.#open) return this.#open;
    if (this.#closed) throw new ResultStoreError('open_failed', 'the result store has been closed');
    let db: Database.Database | undefined;
    try {
      mkdirSync(this.#dataDir, { recursive: true });
      db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      migrate(db, this.file);
      db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('client_salt', randomBytes(CLIENT_SALT_BYTES).toString('hex'));
      const salt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get('client_salt');
      if (!salt) throw new Error('the client salt was not stored');
      this.#open = {
        db,
        insert: db.prepare<[string, string, string, string | null, string, string, string | null]>(
          'INSERT INTO results (id, created_at, json, note, delete_token_sha256, verdict, site) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
        insertFinding: db.prepare<[string, string, string, string]>('INSERT INTO result_findings (result_id, code, created_at, severity) VALUES (?, ?, ?, ?)'),
        removeFindings: db.prepare<[string]>('DELETE FROM result_findings WHERE result_id = ?'),
        purgeFindings: db.prepare<[string]>('DELETE FROM result_findings WHERE created_at < ?'),
        select: db.prepare<[string], { json: string; created_at: string; note: string | null; pac_check: string | null }>('SELECT json, created_at, note, pac_check FROM results WHERE id = ?'),
        attachPac: db.prepare<[string, string]>('UPDATE results SET pac_check = ? WHERE id = ?'),
        selectToken: db.prepare<[string], { delete_token_sha256: string | null }>('SELECT delete_token_sha256 FROM results WHERE id = ?'),
        remove: db.prepare<[string]>('DELETE FROM results WHERE id = ?'),
        purge: db.prepare<[string]>('DELETE FROM results WHERE created_at < ?'),
        clientSalt: Buffer.from(salt.value, 'hex'),
        rateGet: db.prepare<[string], { window_start_ms: number; count: number }>('SELECT window_start_ms, count FROM client_rate WHERE client = ?'),
        rateSet: db.prepare<[string, number, number]>(
          'INSERT INTO client_rate (client, window_start_ms, count) VALUES (?, ?, ?) ON CONFLICT (client) DO UPDATE SET window_start_ms = excluded.window_start_ms, count = excluded.count',
        ),
        ratePurge: db.prepare<[number]>('DELETE FROM client_rate WHERE window_start_ms <= ?'),
        usageGet: db.prepare<[string, string], { bytes: number }>('SELECT bytes FROM client_usage WHERE client = ? AND day = ?'),
        usageAdd: db.prepare<[string, string, number]>(
          'INSERT INTO client_usage (client, day, bytes, results) VALUES (?, ?, ?, 1) ON CONFLICT (client, day) DO UPDATE SET bytes = bytes + excluded.bytes, results = results + 1',
        ),
        usagePurge: db.prepare<[string]>('DELETE FROM client_usage WHERE day < ?'),
        readyCheck: db.prepare<[string]>("INSERT OR REPLACE INTO meta (key, value) VALUES ('ready_check', ?)"),
      };
      return this.#open;
    } catch (cause) {
      db?.close();
      throw new ResultStoreError('open_failed', `cannot open result database ${this.file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }
}

/** Applies the schema steps the database lacks (migrations.ts), all under one write lock. */
function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    db.exec(MIGRATIONS_TABLE_SQL.sqlite);
    const applied = (db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
    const record = db.prepare<[number, string, string]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pendingMigrations(applied, file)) {
      db.exec(migration.sqlite);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

function isPrimaryKeyConflict(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
