import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createResultStore, getResultStore } from './index';
import { PostgresResultStore } from './postgres-store';
import { SqliteResultStore } from './sqlite-store';

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

  it('chooses PostgreSQL when database.url (DATABASE_URL) is set, SQLite otherwise', async () => {
    const pg = createResultStore({ dataDir: dir, database: { url: 'postgresql://netready@db.invalid:5432/netready' } });
    expect(pg).toBeInstanceOf(PostgresResultStore);
    await pg.close();
    expect(createResultStore({ dataDir: dir, database: {} })).toBeInstanceOf(SqliteResultStore);
  });
});
