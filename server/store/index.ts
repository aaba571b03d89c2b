/**
 * The one process-wide result store handle for the Next.js route handlers and pages. Everything else
 * (tests, tools) creates its own store with `new SqliteResultStore(...)` and closes it.
 */
import type { Config } from '../../lib/config/schema';
import { PostgresResultStore } from './postgres-store';
import type { ResultStore } from './result-store';
import { SqliteResultStore } from './sqlite-store';

export type { ResultStore } from './result-store';
export { ResultStoreError } from './result-store';

/** How often the web process deletes expired results (and once when the store is first used). */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/**
 * The lazily created store of this process, keyed by where it stores. This is the only module-level mutable state of
 * the web tier: a database handle (or pool) is costly to open per request. It lives for the life of the process
 * (Next.js has no shutdown hook for route code), with its hourly purge timer (unref'd: it never keeps a process alive).
 */
let processStore: { key: string; store: ResultStore; timer: ReturnType<typeof setInterval> } | null = null;

/** Which store a configuration names: PostgreSQL when `database.url` (DATABASE_URL) is set, else SQLite in `dataDir`. */
export function createResultStore(config: Pick<Config, 'dataDir' | 'database'>): ResultStore {
  return config.database.url ? new PostgresResultStore({ connectionString: config.database.url }) : new SqliteResultStore({ dataDir: config.dataDir });
}

/**
 * Returns the process-wide result store for the configuration, creating it on first call and starting the retention
 * purge (results older than `results.retentionDays`). A call naming another database replaces (and closes) the handle.
 */
export function getResultStore(config: Pick<Config, 'dataDir' | 'database' | 'results'>): ResultStore {
  const key = config.database.url ? `pg:${config.database.url}` : `sqlite:${config.dataDir}`;
  if (processStore?.key === key) return processStore.store;
  if (processStore) {
    clearInterval(processStore.timer);
    void processStore.store.close();
  }
  const store = createResultStore(config);
  const purge = (): void => {
    // A failed purge is retried at the next tick; reads already hide expired results (readLiveResult).
    store.purgeStoredBefore(new Date(Date.now() - config.results.retentionDays * DAY_MS)).catch(() => undefined);
  };
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  purge();
  processStore = { key, store, timer };
  return store;
}
