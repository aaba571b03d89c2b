/**
 * The result store for deployments with several web instances (issue 13): PostgreSQL through a `pg` pool, chosen when
 * `DATABASE_URL` is set (config `database.url`). The same contract as the embedded SQLite store (result-store.ts):
 * quota checks and rate counting run in transactions that lock the client's row (`SELECT … FOR UPDATE`), so every
 * instance sharing the database agrees. The schema is migrated on first use (migrations.ts), under an advisory lock so
 * instances starting together apply each step once. Nothing connects until the first call.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Result, Verdict } from '../../lib/schema/result';
import { MAX_SUPPORT_PAGE, POSTGRES_DIALECT, supportWhere, type SupportCursor, type SupportPage, type SupportQuery } from './support-query';
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

/** Key of the advisory lock held while migrating (any constant; "netready" in ASCII). */
const MIGRATION_LOCK_KEY = 0x6e65747265616479n;
/** Connections per web process. */
const DEFAULT_POOL_SIZE = 5;
/** How long a connection attempt may take, ms. */
const CONNECT_TIMEOUT_MS = 5000;

/** Options of PostgresResultStore. */
export interface PostgresResultStoreOptions {
  /** `postgresql://user:password@host:port/database` (config `database.url`, env `DATABASE_URL`). */
  connectionString: string;
  /** Share id generator. Default generateShareId; tests inject collisions. */
  generateId?: () => string;
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
  /** Pool size. Default 5. */
  poolSize?: number;
}

/** The database a connection string names, without its password (for messages). */
export function describeDatabase(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.searchParams.get('host') ?? url.host;
    return `postgresql://${url.username ? `${decodeURIComponent(url.username)}@` : ''}${host}${url.pathname}`;
  } catch {
    return 'the configured PostgreSQL database';
  }
}

/** PostgreSQL's SQLSTATE of an error, if it has one. */
function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
}

/** A ResultStore backed by PostgreSQL. */
export class PostgresResultStore implements ResultStore {
  /** The database, without its password (for messages and logs). */
  readonly database: string;
  readonly #pool: pg.Pool;
  readonly #generateId: () => string;
  readonly #now: () => Date;
  #ready: Promise<Buffer> | null = null;
  #closed = false;

  constructor(options: PostgresResultStoreOptions) {
    this.database = describeDatabase(options.connectionString);
    this.#generateId = options.generateId ?? generateShareId;
    this.#now = options.now ?? (() => new Date());
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? DEFAULT_POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async open(): Promise<void> {
    await this.#open();
  }

  async put(result: Result, options: PutOptions = {}): Promise<PutReceipt> {
    const salt = await this.#open();
    const json = JSON.stringify(result);
    const now = this.#now();
    const day = usageDay(now);
    const deleteToken = generateDeleteToken();
    return this.#transaction('write_failed', `cannot store a result in ${this.database}`, async (client) => {
      const { charge } = options;
      if (charge) {
        const key = clientKeyOf(salt, charge.clientAddress);
        await client.query('INSERT INTO client_usage (client, day, bytes, results) VALUES ($1, $2, 0, 0) ON CONFLICT DO NOTHING', [key, day]);
        const used = Number((await client.query<{ bytes: string }>('SELECT bytes FROM client_usage WHERE client = $1 AND day = $2 FOR UPDATE', [key, day])).rows[0]?.bytes ?? 0);
        const bytes = Buffer.byteLength(json);
        if (used + bytes > charge.maxBytesPerDay) {
          throw new ResultStoreError('quota_exceeded', `this address has stored ${used} of ${charge.maxBytesPerDay} bytes today; a result of ${bytes} bytes does not fit`, {
            retryAfterS: secondsUntilNextUsageDay(now),
          });
        }
        await client.query('UPDATE client_usage SET bytes = bytes + $3, results = results + 1 WHERE client = $1 AND day = $2', [key, day, bytes]);
        // Only today's rows decide anything; older ones are dropped as new usage is written.
        await client.query('DELETE FROM client_usage WHERE day < $1', [day]);
      }
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
        const id = this.#generateId();
        const inserted = await client.query(
          'INSERT INTO results (id, created_at, json, note, delete_token_sha256, verdict, site) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING',
          [id, now, json, options.note ?? null, deleteTokenHash(deleteToken), result.verdict, options.site ?? null],
        );
        if (inserted.rowCount === 1) {
          const rows = findingRows(result);
          if (rows.length > 0) {
            await client.query('INSERT INTO result_findings (result_id, code, created_at, severity) SELECT $1, code, $2, severity FROM unnest($3::text[], $4::text[]) AS f (code, severity)', [
              id,
              now,
              rows.map((row) => row.code),
              rows.map((row) => row.severity),
            ]);
          }
          return { id, deleteToken, createdAt: now };
        }
      }
      throw new ResultStoreError('id_exhausted', `no free share id after ${MAX_ID_ATTEMPTS} attempts`);
    });
  }

  async admit(clientAddress: string, maxPerMinute: number): Promise<Admission> {
    const salt = await this.#open();
    const nowMs = this.#now().getTime();
    return this.#transaction('write_failed', `cannot count a request in ${this.database}`, async (client) => {
      await client.query('DELETE FROM client_rate WHERE window_start_ms <= $1', [nowMs - RATE_WINDOW_MS]);
      const key = clientKeyOf(salt, clientAddress);
      const fresh = await client.query('INSERT INTO client_rate (client, window_start_ms, count) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING', [key, nowMs]);
      if (fresh.rowCount === 1) return { admitted: true };
      const row = (await client.query<{ window_start_ms: string; count: number }>('SELECT window_start_ms, count FROM client_rate WHERE client = $1 FOR UPDATE', [key])).rows[0]!;
      const windowStartMs = Number(row.window_start_ms);
      if (nowMs - windowStartMs >= RATE_WINDOW_MS) {
        await client.query('UPDATE client_rate SET window_start_ms = $2, count = 1 WHERE client = $1', [key, nowMs]);
        return { admitted: true };
      }
      if (row.count >= maxPerMinute) return { admitted: false, retryAfterS: Math.max(1, Math.ceil((windowStartMs + RATE_WINDOW_MS - nowMs) / 1000)) };
      await client.query('UPDATE client_rate SET count = count + 1 WHERE client = $1', [key]);
      return { admitted: true };
    });
  }

  async get(id: string): Promise<StoredResult | null> {
    if (!isShareId(id)) return null;
    await this.#open();
    let row: { json: string; created_at: Date; note: string | null; pac_check: string | null } | undefined;
    try {
      row = (await this.#pool.query<{ json: string; created_at: Date; note: string | null; pac_check: string | null }>('SELECT json, created_at, note, pac_check FROM results WHERE id = $1', [id])).rows[0];
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot read result ${id} from ${this.database}`, { cause });
    }
    if (row === undefined) return null;
    return { result: readStoredJson(id, row.json), createdAt: row.created_at, note: row.note, ...(row.pac_check !== null ? { pacCheck: row.pac_check } : {}) };
  }

  async attachPacCheck(id: string, deleteToken: string, pacCheck: string): Promise<AttachOutcome> {
    if (!isShareId(id)) return 'not_found';
    await this.#open();
    return this.#transaction('write_failed', `cannot attach a PAC check to result ${id} in ${this.database}`, async (client) => {
      const row = (await client.query<{ delete_token_sha256: string | null }>('SELECT delete_token_sha256 FROM results WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!row) return 'not_found';
      if (!deleteTokenMatches(deleteToken, row.delete_token_sha256)) return 'forbidden';
      await client.query('UPDATE results SET pac_check = $1 WHERE id = $2', [pacCheck, id]);
      return 'attached';
    });
  }

  async delete(id: string, deleteToken: string): Promise<DeleteOutcome> {
    if (!isShareId(id)) return 'not_found';
    await this.#open();
    return this.#transaction('write_failed', `cannot delete result ${id} in ${this.database}`, async (client) => {
      const row = (await client.query<{ delete_token_sha256: string | null }>('SELECT delete_token_sha256 FROM results WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!row) return 'not_found';
      if (!deleteTokenMatches(deleteToken, row.delete_token_sha256)) return 'forbidden';
      await client.query('DELETE FROM results WHERE id = $1', [id]);
      await client.query('DELETE FROM result_findings WHERE result_id = $1', [id]);
      return 'deleted';
    });
  }

  async purgeStoredBefore(cutoff: Date): Promise<number> {
    await this.#open();
    return this.#transaction('write_failed', `cannot purge expired results in ${this.database}`, async (client) => {
      await client.query('DELETE FROM result_findings WHERE created_at < $1', [cutoff]);
      return (await client.query('DELETE FROM results WHERE created_at < $1', [cutoff])).rowCount ?? 0;
    });
  }

  async searchResults(query: SupportQuery, page: { limit: number; after?: SupportCursor }): Promise<SupportPage> {
    await this.#open();
    try {
      const all = supportWhere(query, POSTGRES_DIALECT);
      const total = Number((await this.#pool.query<{ n: string }>(`SELECT count(*) AS n FROM results ${all.sql}`, all.params)).rows[0]?.n ?? 0);
      const limit = Math.min(Math.max(1, page.limit), MAX_SUPPORT_PAGE);
      const where = supportWhere(query, POSTGRES_DIALECT, page.after ? { cursor: page.after } : {});
      const rows = (
        await this.#pool.query<{ id: string; created_at: Date; verdict: Verdict | null; note: string | null; codes: string | null }>(
          `SELECT id, created_at, verdict, note, (SELECT string_agg(code, ',') FROM result_findings f WHERE f.result_id = results.id) AS codes
           FROM results ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
          where.params,
        )
      ).rows;
      const mapped = rows.slice(0, limit).map((row) => ({ id: row.id, createdAt: row.created_at, verdict: row.verdict, note: row.note, findingCodes: row.codes ? row.codes.split(',').sort() : [] }));
      const last = mapped.at(-1);
      return { rows: mapped, total, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot search results in ${this.database}`, { cause });
    }
  }

  async findingCounts(query: SupportQuery): Promise<Array<{ code: string; count: number }>> {
    await this.#open();
    try {
      const where = supportWhere(query, POSTGRES_DIALECT, { skipCode: true });
      const rows = (
        await this.#pool.query<{ code: string; count: string }>(
          `SELECT f.code AS code, count(*) AS count FROM result_findings f JOIN results ON results.id = f.result_id ${where.sql} GROUP BY f.code ORDER BY count(*) DESC, f.code`,
          where.params,
        )
      ).rows;
      return rows.map((row) => ({ code: row.code, count: Number(row.count) }));
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot count findings in ${this.database}`, { cause });
    }
  }

  async listSites(liveAfter: Date): Promise<StoredSite[]> {
    await this.#open();
    try {
      const { sql, params } = sitesSql(POSTGRES_DIALECT, liveAfter);
      const rows = (await this.#pool.query<{ site: string; checks: string; latest_at: Date }>(sql, params)).rows;
      return rows.map((row) => ({ site: row.site, checks: Number(row.checks), latestAt: row.latest_at }));
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot list the monitored sites in ${this.database}`, { cause });
    }
  }

  async siteChecks(site: string, limit: number, liveAfter: Date): Promise<SiteCheck[]> {
    await this.#open();
    try {
      const { sql, params } = siteChecksSql(POSTGRES_DIALECT, 'string_agg', site, limit, liveAfter);
      return (await this.#pool.query<{ id: string; created_at: Date; verdict: Verdict | null; findings: string | null }>(sql, params)).rows.map(toSiteCheck);
    } catch (cause) {
      throw new ResultStoreError('read_failed', `cannot read the checks of site ${site} in ${this.database}`, { cause });
    }
  }

  async checkWritable(): Promise<void> {
    await this.#open();
    const client = await this.#connect('write_failed');
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO meta (key, value) VALUES ('ready_check', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [this.#now().toISOString()]);
      await client.query('ROLLBACK');
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new ResultStoreError('write_failed', `cannot write to ${this.database}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Connects, migrates and reads the client salt once; a failure is retried by the next call. */
  #open(): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new ResultStoreError('open_failed', 'the result store has been closed'));
    this.#ready ??= this.#migrate().catch((error: unknown) => {
      this.#ready = null;
      throw error instanceof ResultStoreError ? error : new ResultStoreError('open_failed', `cannot open result database ${this.database}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    return this.#ready;
  }

  /** Applies pending migrations under the advisory lock, then makes sure the client salt exists. */
  async #migrate(): Promise<Buffer> {
    const client = await this.#connect('open_failed');
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      await client.query(MIGRATIONS_TABLE_SQL.postgres);
      const applied = Number((await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0);
      for (const migration of pendingMigrations(applied, this.database)) {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
      }
      await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', ['client_salt', randomBytes(CLIENT_SALT_BYTES).toString('hex')]);
      const salt = (await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', ['client_salt'])).rows[0];
      await client.query('COMMIT');
      if (!salt) throw new Error('the client salt was not stored');
      return Buffer.from(salt.value, 'hex');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #connect(code: 'open_failed' | 'write_failed' | 'read_failed'): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (cause) {
      throw new ResultStoreError(code, `cannot connect to ${this.database}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }

  /** Runs `work` in a transaction; ResultStoreErrors pass through, anything else becomes `code` with `message`. */
  async #transaction<T>(code: 'write_failed', message: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect(code);
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof ResultStoreError) throw error;
      // A serialization or deadlock failure is the database's, not the caller's: the API answers 503 and the page retries.
      throw new ResultStoreError(code, `${message}${sqlState(error) ? ` (SQLSTATE ${sqlState(error)})` : ''}`, { cause: error });
    } finally {
      client.release();
    }
  }
}
