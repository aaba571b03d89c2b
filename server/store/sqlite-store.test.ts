import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { ResultStoreError } from './result-store';
import { SQLITE_FILE_NAME, SqliteResultStore, generateShareId, isShareId } from './sqlite-store';

describe('SqliteResultStore', () => {
  let dir: string;
  const stores: SqliteResultStore[] = [];
  const makeStore = (options: Partial<ConstructorParameters<typeof SqliteResultStore>[0]> = {}) => {
    const store = new SqliteResultStore({ dataDir: path.join(dir, 'data'), ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-store-'));
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not touch the disk until first used', () => {
    makeStore();
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('stores a result and returns it by its share id', async () => {
    const store = makeStore();
    const { id } = await store.put(sampleResult);
    expect(await store.get(id)).toEqual(sampleResult);
  });

  it('issues random URL-safe ids of at least 16 characters that are not the run id', async () => {
    const store = makeStore();
    const a = await store.put(sampleResult);
    const b = await store.put(sampleResult);
    for (const { id } of [a, b]) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(id).not.toBe(sampleResult.id);
    }
    expect(a.id).not.toBe(b.id);
  });

  it('creates <dataDir>/netready.sqlite in WAL mode with one results table', async () => {
    const store = makeStore({ now: () => new Date('2025-11-25T10:00:00.000Z') });
    const { id } = await store.put(sampleResult);
    store.close();
    const db = new Database(path.join(dir, 'data', SQLITE_FILE_NAME), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const row = db.prepare('SELECT id, created_at, json FROM results').get() as { id: string; created_at: string; json: string };
      expect(row).toEqual({ id, created_at: '2025-11-25T10:00:00.000Z', json: JSON.stringify(sampleResult) });
    } finally {
      db.close();
    }
  });

  it('keeps results across store instances (a restarted process)', async () => {
    const { id } = await makeStore().put(sampleResult);
    expect(await makeStore().get(id)).toEqual(sampleResult);
  });

  it.each([
    ['an unknown id', 'AAAAAAAAAAAAAAAAAAAAAA'],
    ['an id that is too short', 'abc'],
    ['an id with characters outside base64url', '../../etc/passwd%00xxxx'],
    ['an empty id', ''],
  ])('answers null for %s', async (_name, id) => {
    expect(await makeStore().get(id)).toBeNull();
  });

  it('retries with a fresh id when the generated id is taken', async () => {
    const ids = ['collidingIdAAAAAAAAAAA', 'collidingIdAAAAAAAAAAA', 'freshIdBBBBBBBBBBBBBBB'];
    const store = makeStore({ generateId: () => ids.shift() ?? generateShareId() });
    expect((await store.put(sampleResult)).id).toBe('collidingIdAAAAAAAAAAA');
    expect((await store.put(sampleResult)).id).toBe('freshIdBBBBBBBBBBBBBBB');
  });

  it('gives up with id_exhausted when every generated id is taken', async () => {
    const store = makeStore({ generateId: () => 'alwaysTheSameIdAAAAAAA' });
    await store.put(sampleResult);
    await expect(store.put(sampleResult)).rejects.toMatchObject({ name: 'ResultStoreError', code: 'id_exhausted' });
  });

  it('rejects a stored record that no longer matches the schema with corrupt_record', async () => {
    const store = makeStore();
    const { id } = await store.put(sampleResult);
    store.close();
    const db = new Database(path.join(dir, 'data', SQLITE_FILE_NAME));
    db.prepare('UPDATE results SET json = ? WHERE id = ?').run(JSON.stringify({ ...sampleResult, verdict: 'great' }), id);
    db.close();
    const reopened = makeStore();
    const read = reopened.get(id);
    await expect(read).rejects.toBeInstanceOf(ResultStoreError);
    await expect(read).rejects.toMatchObject({ code: 'corrupt_record', message: expect.stringContaining('verdict') });
  });

  it('rejects use after close with open_failed', async () => {
    const store = makeStore();
    store.close();
    await expect(store.get(generateShareId())).rejects.toMatchObject({ code: 'open_failed' });
  });

  it('fails with open_failed when the data folder cannot be created', async () => {
    // A regular file where a parent folder should be: mkdir fails with ENOTDIR.
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    const store = makeStore({ dataDir: path.join(dir, 'not-a-folder', 'data') });
    await expect(store.put(sampleResult)).rejects.toMatchObject({ code: 'open_failed' });
  });
});

describe('share ids', () => {
  it('are 22 base64url characters', () => {
    const id = generateShareId();
    expect(id).toHaveLength(22);
    expect(isShareId(id)).toBe(true);
  });
});
