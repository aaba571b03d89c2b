import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { createResultStore, getResultStore, startResultStore } from './index';
import { SCHEMA_VERSION_LATEST } from './migrations';
import { PostgresResultStore } from './postgres-store';
import { DAY_MS } from './retention';
import { SQLITE_FILE_NAME, SqliteResultStore } from './sqlite-store';

/** The store-related configuration, defaults but the data folder. */
const cfg = (dataDir: string) => ({ dataDir, database: {}, results: { retentionDays: 30, clientAddresses: 'full' as const } });

describe('getResultStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netready-store-index-'));
  afterAll(async () => {
    await getResultStore(cfg(path.join(dir, 'last'))).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out one store per process for the same data folder', () => {
    const config = cfg(path.join(dir, 'a'));
    expect(getResultStore(config)).toBe(getResultStore({ ...config }));
  });

  it('replaces the handle when the data folder changes', () => {
    const a = getResultStore(cfg(path.join(dir, 'a')));
    const b = getResultStore(cfg(path.join(dir, 'b')));
    expect(b).not.toBe(a);
  });

  it('keeps the handle on globalThis, so every bundle of the web server (instrumentation, each route) shares it', () => {
    const store = getResultStore(cfg(path.join(dir, 'a')));
    expect((globalThis as Record<symbol, { store?: unknown }>)[Symbol.for('netready.resultStore')]?.store).toBe(store);
  });

  it('at start-up, migrates the database and purges results past retention before the first request', async () => {
    const dataDir = path.join(dir, 'start');
    // A result stored 40 days ago and one from yesterday, written by an earlier run of the server.
    const earlier = new SqliteResultStore({ dataDir, now: () => new Date(Date.now() - 40 * DAY_MS) });
    await earlier.put(sampleResult);
    await earlier.close();
    const yesterday = new SqliteResultStore({ dataDir, now: () => new Date(Date.now() - DAY_MS) });
    const kept = await yesterday.put(sampleResult);
    await yesterday.close();
    const purged: number[] = [];
    const { firstPurge } = await startResultStore(cfg(dataDir), { onPurged: (n) => purged.push(n) });
    expect(await firstPurge).toBe(1);
    expect(purged).toEqual([1]);
    const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      expect(db.prepare('SELECT id FROM results').all()).toEqual([{ id: kept.id }]);
      expect((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(SCHEMA_VERSION_LATEST);
    } finally {
      db.close();
    }
  });

  it('chooses PostgreSQL when database.url (DATABASE_URL) is set, SQLite otherwise', async () => {
    const pg = createResultStore({ dataDir: dir, database: { url: 'postgresql://netready@db.invalid:5432/netready' } });
    expect(pg).toBeInstanceOf(PostgresResultStore);
    await pg.close();
    expect(createResultStore({ dataDir: dir, database: {} })).toBeInstanceOf(SqliteResultStore);
  });
});
