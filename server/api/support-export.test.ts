import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { SqliteResultStore } from '../store/sqlite-store';
import { supportResultsCsv } from './support-export';

describe('the support view’s CSV export', () => {
  let dir: string;
  let store: SqliteResultStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-csv-'));
    store = new SqliteResultStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every matching result as CSV, hostile notes inert', async () => {
    const a = await store.put(sampleResult, { note: '=HYPERLINK("http://evil.example","click"), <script>alert(1)</script>' });
    await store.put({ ...sampleResult, verdict: 'ready', findings: [] }, { note: 'Globex' });
    const response = await supportResultsCsv(store, new URL('https://netready.example/api/support/results.csv?verdict=degraded'), { retentionDays: 30 });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('x-netready-rows')).toBe('1 of 1');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('stored_at,share_url,verdict,finding_codes,note');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`https://netready.example/r/${a.id},degraded,`);
    expect(lines[1]).toMatch(/,"'=HYPERLINK\(""http:\/\/evil\.example"",""click""\), <script>alert\(1\)<\/script>"$/);
  });

  it('leaves out results past retention that the purge has not deleted yet', async () => {
    const old = new SqliteResultStore({ dataDir: dir, now: () => new Date(Date.now() - 31 * 86_400_000) });
    await old.put(sampleResult, { note: 'expired' });
    await old.close();
    await store.put(sampleResult, { note: 'live' });
    const response = await supportResultsCsv(store, new URL('https://netready.example/api/support/results.csv'), { retentionDays: 30 });
    expect(response.headers.get('x-netready-rows')).toBe('1 of 1');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines.slice(1).map((line) => line.split(',').at(-1))).toEqual(['live']);
  });

  it('refuses filters it cannot read with invalid_request', async () => {
    await expect(supportResultsCsv(store, new URL('https://n.example/api/support/results.csv?verdict=great'), { retentionDays: 30 })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
