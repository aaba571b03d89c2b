import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { SQLITE_FILE_NAME, SqliteResultStore } from '../store/sqlite-store';
import { MONITOR_RUNS_PER_MINUTE, postMonitorRun, siteOfToken, siteTokenHash, type MonitorRunsDeps } from './monitor-runs-api';

const ORIGIN = 'https://netready.example';
const BERLIN_TOKEN = 'nrs_berlin_0123456789abcdefghijklmnopqrstuv';
const ZURICH_TOKEN = 'nrs_zurich_0123456789abcdefghijklmnopqrstuv';

function post(body: string, headers: Record<string, string>): Request {
  return new Request(`${ORIGIN}/api/monitor/runs`, { method: 'POST', body, headers });
}

function withToken(token: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

describe('POST /api/monitor/runs', () => {
  let dir: string;
  let store: SqliteResultStore;
  let deps: MonitorRunsDeps;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-monitor-api-'));
    store = new SqliteResultStore({ dataDir: dir });
    deps = {
      store,
      sites: [
        { name: 'Berlin office', tokenSha256: siteTokenHash(BERLIN_TOKEN) },
        { name: 'Zurich', tokenSha256: siteTokenHash(ZURICH_TOKEN) },
      ],
      maxResultBytes: 256 * 1024,
      retentionDays: 30,
    };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Rows in the results table, read past the store (nothing partially stored). */
  async function storedRows(): Promise<number> {
    await store.checkWritable();
    const db = new Database(path.join(dir, SQLITE_FILE_NAME), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  it('stores a check under the site its token stands for and answers its share link', async () => {
    const response = await postMonitorRun(post(JSON.stringify(sampleResult), withToken(ZURICH_TOKEN)), deps);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; url: string; site: string; expiresAt: string };
    expect(body).toEqual({ id: expect.any(String), url: `${ORIGIN}/r/${body.id}`, site: 'Zurich', expiresAt: expect.any(String) });
    expect((await store.get(body.id))?.result).toEqual(sampleResult);
    const checks = await store.siteChecks('Zurich', 10, new Date(0));
    expect(checks.map((check) => check.id)).toEqual([body.id]);
    expect(await store.siteChecks('Berlin office', 10, new Date(0))).toEqual([]);
  });

  it('refuses a request without a token with 401 site_token_required and stores nothing', async () => {
    const response = await postMonitorRun(post(JSON.stringify(sampleResult), { 'content-type': 'application/json' }), deps);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'site_token_required' } });
    expect(await storedRows()).toBe(0);
  });

  it.each([
    ['another token', 'nrs_wrong_0123456789abcdefghijklmnopqrstuvw'],
    ['a token hash instead of the token', siteTokenHash(BERLIN_TOKEN)],
    ['a prefix of a token', BERLIN_TOKEN.slice(0, 20)],
  ])('refuses %s with 401 site_token_invalid and stores nothing', async (_, token) => {
    const response = await postMonitorRun(post(JSON.stringify(sampleResult), withToken(token)), deps);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'site_token_invalid' } });
    expect(await storedRows()).toBe(0);
  });

  it('says so when the deployment lists no sites at all', async () => {
    const response = await postMonitorRun(post(JSON.stringify(sampleResult), withToken(BERLIN_TOKEN)), { ...deps, sites: [] });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'site_token_invalid', message: expect.stringContaining('monitor.sites') } });
  });

  it('refuses an invalid result with 422 after the token passed, and stores nothing', async () => {
    const response = await postMonitorRun(post(JSON.stringify({ ...sampleResult, schemaVersion: 2 }), withToken(BERLIN_TOKEN)), deps);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_result' } });
    expect(await storedRows()).toBe(0);
  });

  it('refuses a body not declared JSON with 415', async () => {
    const response = await postMonitorRun(post(JSON.stringify(sampleResult), { authorization: `Bearer ${BERLIN_TOKEN}`, 'content-type': 'text/plain' }), deps);
    expect(response.status).toBe(415);
    expect(await storedRows()).toBe(0);
  });

  it(`lets one site store ${MONITOR_RUNS_PER_MINUTE} checks a minute, then answers 429 with Retry-After, without slowing another site`, async () => {
    for (let i = 0; i < MONITOR_RUNS_PER_MINUTE; i++) expect((await postMonitorRun(post(JSON.stringify(sampleResult), withToken(BERLIN_TOKEN)), deps)).status).toBe(201);
    const refused = await postMonitorRun(post(JSON.stringify(sampleResult), withToken(BERLIN_TOKEN)), deps);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await postMonitorRun(post(JSON.stringify(sampleResult), withToken(ZURICH_TOKEN)), deps)).status).toBe(201);
    expect(await storedRows()).toBe(MONITOR_RUNS_PER_MINUTE + 1);
  });

  it('matches a token to its site only, by its SHA-256', () => {
    expect(siteOfToken(BERLIN_TOKEN, deps.sites)?.name).toBe('Berlin office');
    expect(siteOfToken(ZURICH_TOKEN, deps.sites)?.name).toBe('Zurich');
    expect(siteOfToken('', deps.sites)).toBeUndefined();
    expect(siteTokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
