// What only the SQLite store does: one file in the data folder, WAL, opening lazily, adopting a database made before
// schema migrations, and read-only folders. The behaviour both engines share is in result-store.test.ts.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { SCHEMA_VERSION_LATEST } from './migrations';
import { findingRows } from './records';
import { secondsUntilNextUsageDay, usageDay } from './result-store';
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
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not touch the disk until first used', () => {
    makeStore();
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('creates <dataDir>/netready.sqlite in WAL mode, the result row holding the JSON as sent', async () => {
    const store = makeStore({ now: () => new Date('2025-11-25T10:00:00.000Z') });
    const { id } = await store.put(sampleResult, { note: 'ticket 1' });
    await store.close();
    const db = new Database(path.join(dir, 'data', SQLITE_FILE_NAME), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const row = db.prepare('SELECT id, created_at, json, note FROM results').get();
      expect(row).toEqual({ id, created_at: '2025-11-25T10:00:00.000Z', json: JSON.stringify(sampleResult), note: 'ticket 1' });
    } finally {
      db.close();
    }
  });

  it('adopts a database made before schema migrations, keeping its results readable (no delete token: never deletable)', async () => {
    mkdirSync(path.join(dir, 'data'));
    const db = new Database(path.join(dir, 'data', SQLITE_FILE_NAME));
    db.exec('CREATE TABLE results (id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, json TEXT NOT NULL) STRICT');
    db.prepare('INSERT INTO results (id, created_at, json) VALUES (?, ?, ?)').run('oldResultAAAAAAAAAAAAA', '2025-11-01T00:00:00.000Z', JSON.stringify(sampleResult));
    db.close();
    const store = makeStore();
    expect(await store.get('oldResultAAAAAAAAAAAAA')).toEqual({ result: sampleResult, createdAt: new Date('2025-11-01T00:00:00.000Z'), note: null });
    expect(await store.delete('oldResultAAAAAAAAAAAAA', 'x'.repeat(43))).toBe('forbidden');
    // Step 5 (issue 20): no PAC check can be attached without the result's delete token.
    expect(await store.attachPacCheck('oldResultAAAAAAAAAAAAA', 'x'.repeat(43), '{}')).toBe('forbidden');
    // The migration filled in the verdict and finding codes from the stored JSON, so support finds it.
    const found = await store.searchResults({ code: sampleResult.findings[0]!.code, verdict: sampleResult.verdict }, { limit: 10 });
    expect(found.rows.map((row) => row.id)).toEqual(['oldResultAAAAAAAAAAAAA']);
    const check = new Database(path.join(dir, 'data', SQLITE_FILE_NAME), { readonly: true });
    try {
      expect((check.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(SCHEMA_VERSION_LATEST);
      // …and each finding's severity, for the Sites page.
      const severities = check.prepare('SELECT code, severity FROM result_findings WHERE result_id = ? ORDER BY code').all('oldResultAAAAAAAAAAAAA');
      expect(severities).toEqual(findingRows(sampleResult).sort((a, b) => a.code.localeCompare(b.code)));
    } finally {
      check.close();
    }
  });

  it('fails with open_failed when the data folder cannot be created', async () => {
    // A regular file where a parent folder should be: mkdir fails with ENOTDIR.
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    const store = makeStore({ dataDir: path.join(dir, 'not-a-folder', 'data') });
    await expect(store.put(sampleResult)).rejects.toMatchObject({ code: 'open_failed' });
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
