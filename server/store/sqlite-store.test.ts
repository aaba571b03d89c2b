import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { RATE_WINDOW_MS, ResultStoreError, secondsUntilNextUsageDay, usageDay } from './result-store';
import { SQLITE_FILE_NAME, SqliteResultStore, generateShareId, isShareId } from './sqlite-store';
import { makeReadOnly } from './testing/read-only-dir';

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

describe('SqliteResultStore per-client limits', () => {
  let dir: string;
  let clock: Date;
  const stores: SqliteResultStore[] = [];
  const makeStore = () => {
    const store = new SqliteResultStore({ dataDir: path.join(dir, 'data'), now: () => clock });
    stores.push(store);
    return store;
  };
  const resultBytes = Buffer.byteLength(JSON.stringify(sampleResult));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-store-limits-'));
    clock = new Date('2025-11-25T10:00:00.000Z');
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits a client up to its per-minute limit, then says how long to wait, and counts nobody else', async () => {
    const store = makeStore();
    for (let i = 0; i < 3; i++) expect(await store.admit('198.51.100.7', 3)).toEqual({ admitted: true });
    clock = new Date(clock.getTime() + 20_000);
    expect(await store.admit('198.51.100.7', 3)).toEqual({ admitted: false, retryAfterS: 40 });
    expect(await store.admit('198.51.100.8', 3)).toEqual({ admitted: true });
  });

  it('starts a new window a minute after the first request, and a refusal does not extend the wait', async () => {
    const store = makeStore();
    await store.admit('198.51.100.7', 1);
    clock = new Date(clock.getTime() + RATE_WINDOW_MS - 1000);
    expect(await store.admit('198.51.100.7', 1)).toMatchObject({ admitted: false, retryAfterS: 1 });
    clock = new Date(clock.getTime() + 1000);
    expect(await store.admit('198.51.100.7', 1)).toEqual({ admitted: true });
  });

  it('stores results until the daily quota is reached, then refuses with quota_exceeded and stores nothing', async () => {
    const store = makeStore();
    const charge = { clientAddress: '198.51.100.7', maxBytesPerDay: resultBytes * 2 + 10 };
    await store.put(sampleResult, charge);
    await store.put(sampleResult, charge);
    clock = new Date('2025-11-25T23:59:30.000Z');
    const refused = store.put(sampleResult, charge);
    await expect(refused).rejects.toBeInstanceOf(ResultStoreError);
    await expect(refused).rejects.toMatchObject({ code: 'quota_exceeded', retryAfterS: 30 });
    const db = new Database(store.file, { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n).toBe(2);
    } finally {
      db.close();
    }
    // Another address has its own quota, and the next UTC day starts afresh.
    await expect(store.put(sampleResult, { ...charge, clientAddress: '198.51.100.8' })).resolves.toMatchObject({ id: expect.any(String) });
    clock = new Date('2025-11-26T00:00:00.000Z');
    await expect(store.put(sampleResult, charge)).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('keeps the daily usage across a restart of the process', async () => {
    const charge = { clientAddress: '198.51.100.7', maxBytesPerDay: resultBytes + 10 };
    const first = makeStore();
    await first.put(sampleResult, charge);
    first.close();
    await expect(makeStore().put(sampleResult, charge)).rejects.toMatchObject({ code: 'quota_exceeded' });
  });

  it('keys usage by a salted hash and never writes the address itself', async () => {
    const store = makeStore();
    await store.admit('198.51.100.7', 5);
    await store.put(sampleResult, { clientAddress: '198.51.100.7', maxBytesPerDay: 1 << 20 });
    store.close();
    const db = new Database(path.join(dir, 'data', SQLITE_FILE_NAME), { readonly: true });
    try {
      const usage = db.prepare('SELECT client, day, bytes, results FROM client_usage').all() as Array<{ client: string; day: string; bytes: number; results: number }>;
      expect(usage).toEqual([{ client: expect.stringMatching(/^[0-9a-f]{32}$/), day: '2025-11-25', bytes: resultBytes, results: 1 }]);
      const rate = db.prepare('SELECT client FROM client_rate').all() as Array<{ client: string }>;
      expect(rate).toEqual([{ client: usage[0]!.client }]);
      const dump = JSON.stringify(db.prepare("SELECT * FROM client_usage, client_rate, meta WHERE meta.key = 'client_salt'").all());
      expect(dump).not.toContain('198.51.100.7');
    } finally {
      db.close();
    }
  });

  it('gives two databases different keys for the same address (the salt is per database)', async () => {
    const keyIn = async (folder: string): Promise<string> => {
      const store = new SqliteResultStore({ dataDir: path.join(dir, folder) });
      await store.admit('198.51.100.7', 5);
      store.close();
      const db = new Database(path.join(dir, folder, SQLITE_FILE_NAME), { readonly: true });
      try {
        return (db.prepare('SELECT client FROM client_rate').get() as { client: string }).client;
      } finally {
        db.close();
      }
    };
    expect(await keyIn('a')).not.toBe(await keyIn('b'));
  });

  it('fails with open_failed in a read-only data folder, and works once the folder is writable again', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const restore = makeReadOnly(data);
    const store = makeStore();
    try {
      await expect(store.admit('198.51.100.7', 5)).rejects.toMatchObject({ name: 'ResultStoreError', code: 'open_failed' });
      await expect(store.put(sampleResult)).rejects.toMatchObject({ name: 'ResultStoreError', code: 'open_failed' });
    } finally {
      restore();
    }
    await expect(store.put(sampleResult)).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe('usage days', () => {
  it.each([
    ['2025-11-25T00:00:00.000Z', '2025-11-25', 86400],
    ['2025-11-25T23:59:59.500Z', '2025-11-25', 1],
    ['2025-12-31T12:00:00.000Z', '2025-12-31', 43200],
  ])('puts %s on UTC day %s, %i s before the next one', (iso, day, seconds) => {
    expect(usageDay(new Date(iso))).toBe(day);
    expect(secondsUntilNextUsageDay(new Date(iso))).toBe(seconds);
  });
});

describe('share ids', () => {
  it('are 22 base64url characters', () => {
    const id = generateShareId();
    expect(id).toHaveLength(22);
    expect(isShareId(id)).toBe(true);
  });
});
