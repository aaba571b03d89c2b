/**
 * The one process-wide result store handle for the Next.js route handlers and pages. Everything else
 * (tests, tools) creates its own store with `new SqliteResultStore(...)` and closes it.
 *
 * The web server opens it at start-up (instrumentation.ts → startResultStore): schema migrations run then, and the
 * retention purge runs once at once and every PURGE_INTERVAL_MS after (retention.ts).
 */
import type { Config } from '../../lib/config/schema';
import { PostgresResultStore } from './postgres-store';
import { startRetentionPurge, type RetentionPurge, type RetentionPurgeOptions } from './retention';
import type { ResultStore } from './result-store';
import { SqliteResultStore } from './sqlite-store';

export type { ResultStore } from './result-store';
export { ResultStoreError } from './result-store';
export { PURGE_INTERVAL_MS } from './retention';

/** The process's store, keyed by where it stores, with its purge schedule. */
interface ProcessStore {
  key: string;
  store: ResultStore;
  purge: RetentionPurge;
}

/**
 * Where the process's store lives: on `globalThis` under a registered symbol, because Next.js compiles
 * instrumentation.ts and each route handler as separate bundles, each with its own copy of this module (as
 * server/ops/web-ops.ts explains) — a module-level variable would give the start-up code and the pages two handles
 * and two purge schedules. This is the only mutable state of the web tier's storage: a database handle (or pool) is
 * costly to open per request. It lives for the life of the process (Next.js has no shutdown hook for route code).
 */
const PROCESS_STORE = Symbol.for('netready.resultStore');

/** What the process's store needs of the configuration. */
export type StoreConfig = Pick<Config, 'dataDir' | 'database' | 'results'>;

/** What startResultStore reports to (the web process's log). */
export interface StoreStartHooks {
  /** Told how many expired results each purge deleted. */
  onPurged?: RetentionPurgeOptions['onPurged'];
  /** Told when a purge failed. */
  onPurgeError?: RetentionPurgeOptions['onError'];
}

/** Which store a configuration names: PostgreSQL when `database.url` (DATABASE_URL) is set, else SQLite in `dataDir`. */
export function createResultStore(config: Pick<Config, 'dataDir' | 'database'>): ResultStore {
  return config.database.url ? new PostgresResultStore({ connectionString: config.database.url }) : new SqliteResultStore({ dataDir: config.dataDir });
}

/**
 * Returns the process-wide result store for the configuration, creating it on first call and starting its retention
 * purge (results older than `results.retentionDays`: once now, then hourly). A call naming another database replaces
 * (and closes) the handle and its schedule. `hooks` are used only when this call creates the handle.
 */
export function getResultStore(config: StoreConfig, hooks: StoreStartHooks = {}): ResultStore {
  const holder = globalThis as { [PROCESS_STORE]?: ProcessStore };
  const key = config.database.url ? `pg:${config.database.url}` : `sqlite:${config.dataDir}`;
  const existing = holder[PROCESS_STORE];
  if (existing?.key === key) return existing.store;
  if (existing) {
    existing.purge.stop();
    void existing.store.close();
  }
  const store = createResultStore(config);
  const purge = startRetentionPurge({
    store,
    retentionDays: config.results.retentionDays,
    ...(hooks.onPurged ? { onPurged: hooks.onPurged } : {}),
    ...(hooks.onPurgeError ? { onError: hooks.onPurgeError } : {}),
  });
  holder[PROCESS_STORE] = { key, store, purge };
  return store;
}

/**
 * Start-up of the web server's storage: opens the process's store, applying pending schema migrations now rather than
 * at the first request, and starts the retention purge (its first run begins at once; `firstPurge` resolves with how
 * many results it deleted, or null when it failed). Rejects with ResultStoreError when the database cannot be opened;
 * the caller logs it and the web server keeps serving (the store retries on next use, and /readyz reports it).
 */
export async function startResultStore(config: StoreConfig, hooks: StoreStartHooks = {}): Promise<{ store: ResultStore; firstPurge: Promise<number | null> }> {
  const store = getResultStore(config, hooks);
  await store.open();
  const holder = globalThis as { [PROCESS_STORE]?: ProcessStore };
  return { store, firstPurge: holder[PROCESS_STORE]?.purge.first ?? Promise.resolve(null) };
}
