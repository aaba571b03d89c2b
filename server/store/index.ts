/**
 * The one process-wide result store handle for the Next.js route handlers and pages. Everything else
 * (tests, tools) creates its own store with `new SqliteResultStore(...)` and closes it.
 */
import type { Config } from '../../lib/config/schema';
import type { ResultStore } from './result-store';
import { SqliteResultStore } from './sqlite-store';

export type { ResultStore } from './result-store';
export { ResultStoreError } from './result-store';

/**
 * The lazily created store of this process, keyed by its data folder. This is the only module-level
 * mutable state of the web tier: a database handle is costly to open per request, and SQLite wants one
 * connection per process. It lives for the life of the process (Next.js has no shutdown hook for route code).
 */
let processStore: { dataDir: string; store: ResultStore } | null = null;

/**
 * Returns the process-wide result store for `config.dataDir`, creating it on first call. The database
 * file itself is opened on first use. A call with a different `dataDir` replaces (and closes) the handle.
 */
export function getResultStore(config: Pick<Config, 'dataDir'>): ResultStore {
  if (processStore?.dataDir === config.dataDir) return processStore.store;
  processStore?.store.close();
  processStore = { dataDir: config.dataDir, store: new SqliteResultStore({ dataDir: config.dataDir }) };
  return processStore.store;
}
