// What only the PostgreSQL store does: connecting lazily, saying which database failed (without its password), and
// recovering once the database is back. The behaviour both engines share is in result-store.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { PostgresResultStore, describeDatabase } from './postgres-store';
import { startTestPostgres, type TestPostgres } from './testing/postgres';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

describe('PostgresResultStore', () => {
  it('names the database in messages without its password', () => {
    expect(describeDatabase('postgresql://netready:s3cret@db.example.com:5432/netready')).toBe('postgresql://netready@db.example.com:5432/netready');
    expect(describeDatabase('postgresql://netready@%2Ftmp%2Fpg/postgres')).toBe('postgresql://netready@%2Ftmp%2Fpg/postgres');
  });

  it('connects only when first used, and fails with open_failed naming the database when it cannot', async () => {
    const store = new PostgresResultStore({ connectionString: 'postgresql://netready:s3cret@127.0.0.1:1/netready' });
    try {
      const failing = store.put(sampleResult);
      await expect(failing).rejects.toMatchObject({ name: 'ResultStoreError', code: 'open_failed', message: expect.stringContaining('postgresql://netready@127.0.0.1:1/netready') });
      await expect(store.get('AAAAAAAAAAAAAAAAAAAAAA')).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') });
    } finally {
      await store.close();
    }
  });

  it('migrates once and serves several stores (web instances) on one database', async () => {
    const url = await postgres.createDatabase('instances');
    const a = new PostgresResultStore({ connectionString: url });
    const b = new PostgresResultStore({ connectionString: url });
    try {
      const { id } = await a.put(sampleResult);
      expect((await b.get(id))?.result).toEqual(sampleResult);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
