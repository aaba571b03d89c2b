// What only the PostgreSQL store does: connecting lazily, saying which database failed (without its password), and
// recovering once the database is back. The behaviour both engines share is in result-store.test.ts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, SCHEMA_VERSION_LATEST } from './migrations';
import { PostgresResultStore, describeDatabase } from './postgres-store';
import { findingRows } from './records';
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

  it('upgrades a database of an older netready: results stored before the Sites page get their findings\' severities', async () => {
    const url = await postgres.createDatabase('upgrade');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // A database at schema version 3, with one result stored then.
      await client.query(MIGRATIONS_TABLE_SQL.postgres);
      for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
      }
      await client.query("INSERT INTO results (id, created_at, json, verdict) VALUES ('oldResultAAAAAAAAAAAAA', now(), $1, $2)", [JSON.stringify(sampleResult), sampleResult.verdict]);
      await client.query("INSERT INTO result_findings (result_id, code, created_at) SELECT 'oldResultAAAAAAAAAAAAA', code, now() FROM unnest($1::text[]) AS code", [findingRows(sampleResult).map((row) => row.code)]);
      const store = new PostgresResultStore({ connectionString: url });
      try {
        expect((await store.get('oldResultAAAAAAAAAAAAA'))?.result).toEqual(sampleResult);
        // Step 5 (issue 20): no PAC check attached, and none can be without a delete token.
        expect(await store.get('oldResultAAAAAAAAAAAAA')).not.toHaveProperty('pacCheck');
        expect(await store.attachPacCheck('oldResultAAAAAAAAAAAAA', 'x'.repeat(43), '{}')).toBe('forbidden');
      } finally {
        await store.close();
      }
      expect(Number((await client.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v)).toBe(SCHEMA_VERSION_LATEST);
      const severities = (await client.query('SELECT code, severity FROM result_findings ORDER BY code')).rows;
      expect(severities).toEqual(findingRows(sampleResult).sort((a, b) => a.code.localeCompare(b.code)));
    } finally {
      await client.end();
    }
  });
});
