/**
 * The vendor's side of the link (issue 13) on both result stores: run → share link with the submitter's note → open
 * it in a fresh browser context, and delete it with the private token — on the shared stack's SQLite, and on
 * PostgreSQL with two web instances (`next start`) sharing one database, each serving the other's links.
 *
 * PostgreSQL is a throw-away cluster in a temporary folder (server/store/testing/postgres.ts: Debian's server
 * binaries, no service); the web instances use the shared stack's probe server. Chromium-only: this is about the
 * server's storage; the run itself is covered in both browsers by run.spec.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import pg from 'pg';
import { sampleResult } from '../lib/api/testing/sample-result';
import { ResultSchema } from '../lib/schema/result';
import { SCHEMA_VERSION_LATEST } from '../server/store/migrations';
import { DAY_MS } from '../server/store/retention';
import { SqliteResultStore } from '../server/store/sqlite-store';
import { startTestPostgres, type TestPostgres } from '../server/store/testing/postgres';
import { SHARED_STACK_BASE_PORT } from './global-setup';
import { assertPortFree, portsFrom, spawnManaged, stackEnv, storedResultCount, waitUntil, REPO_ROOT, type ManagedProcess } from './support/stack';

const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';
const sharedWebUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';

let postgres: TestPostgres | undefined;
let databaseUrl = '';
const instances: ManagedProcess[] = [];
const pgWebUrls: string[] = [];

test.beforeAll(async () => {
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase('netready_e2e');
  for (const offset of [70, 71]) {
    const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + offset };
    await assertPortFree(ports.web);
    const web = spawnManaged(`pg-web-${offset}`, path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], {
      ...stackEnv(ports, dataDir()),
      DATABASE_URL: databaseUrl,
    });
    instances.push(web);
    const url = `http://127.0.0.1:${ports.web}`;
    await waitUntil(`web instance ${offset}`, async () => (await fetch(`${url}/robots.txt`).catch(() => null))?.status === 200, 60_000, web);
    pgWebUrls.push(url);
  }
});

test.afterAll(async () => {
  await Promise.all(instances.map((web) => web.stop()));
  await postgres?.stop();
});

/** Runs the test on `runOn`, shares it with a note, and returns the link and the run id. */
async function runAndShare(browser: Browser, runOn: string, note: string): Promise<{ url: string; runId: string; deleteToken: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${runOn}/?autostart=1`);
    await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible({ timeout: 30_000 });
    await page.getByLabel(/Note for support/).fill(note);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/results') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Share link' }).click(),
    ]);
    expect(posted.status()).toBe(201);
    const body = (await posted.json()) as { url: string; deleteToken: string; expiresAt: string };
    await expect(page.getByLabel('Share link')).toHaveValue(body.url);
    await expect(page.getByTestId('delete-token')).toContainText(body.deleteToken);
    const runId = ResultSchema.parse(JSON.parse(posted.request().postData()!).result).id;
    return { url: body.url, runId, deleteToken: body.deleteToken };
  } finally {
    await context.close();
  }
}

/** Opens a share link in a fresh context and checks it shows the run and the note. */
async function expectShared(browser: Browser, url: string, runId: string, note: string): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
    await expect(page.getByText(runId, { exact: true })).toBeVisible();
    await expect(page.getByTestId('submitter-note')).toContainText(note);
    await expect(page.getByTestId('stored-until')).toContainText('It is deleted on');
  } finally {
    await context.close();
  }
}

test('SQLite: run → share link with a note → a fresh browser shows the same result; the delete token removes it', async ({ browser }) => {
  const note = 'Ticket 4711 · Berlin office';
  const { url, runId, deleteToken } = await runAndShare(browser, sharedWebUrl(), note);
  await expectShared(browser, url, runId, note);
  const id = url.split('/r/')[1]!;
  const deleted = await fetch(`${sharedWebUrl()}/api/results/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${deleteToken}` } });
  expect(deleted.status).toBe(204);
  expect((await fetch(`${sharedWebUrl()}/api/results/${id}`)).status).toBe(404);
});

test('a web server starting on a folder with an expired result deletes it at start-up, before any request', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-e2e-purge-'));
  const stored = async (daysAgo: number): Promise<string> => {
    const store = new SqliteResultStore({ dataDir: dir, now: () => new Date(Date.now() - daysAgo * DAY_MS) });
    try {
      return (await store.put(sampleResult)).id;
    } finally {
      await store.close();
    }
  };
  await stored(40);
  const kept = await stored(1);
  expect(storedResultCount(dir)).toBe(2);
  const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + 72 };
  await assertPortFree(ports.web);
  const web = spawnManaged('purge-web', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], stackEnv(ports, dir));
  try {
    // Nothing asks the server anything: the purge is its own doing at start (default retention, 30 days).
    await waitUntil('the start-up purge', () => storedResultCount(dir) === 1, 60_000, web);
    expect(web.output.join('\n')).toContain('retention purge: expired results deleted');
    const url = `http://127.0.0.1:${ports.web}`;
    expect((await fetch(`${url}/api/results/${kept}`)).status).toBe(200);
  } finally {
    await web.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: the web instances migrated the database when they started, before any result was asked for', async () => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const steps = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(steps.rows.map((row) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION_LATEST }, (_, i) => i + 1));
    expect(Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM results')).rows[0]?.n)).toBe(0);
  } finally {
    await client.end();
  }
});

test('PostgreSQL: two web instances on one database serve each other’s links, and a delete on one is gone on both', async ({ browser }) => {
  const [first, second] = pgWebUrls as [string, string];
  const note = 'Ticket 815 · Munich site · it@example.com';
  const { url, runId, deleteToken } = await runAndShare(browser, first, note);
  const id = url.split('/r/')[1]!;
  // The link made on the first instance, opened on the second.
  await expectShared(browser, `${second}/r/${id}`, runId, note);
  const fromSecond = ResultSchema.parse(await (await fetch(`${second}/api/results/${id}`)).json());
  expect(fromSecond.id).toBe(runId);
  // And the other way round: a result stored through the second instance is served by the first.
  const stored = await fetch(`${second}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fromSecond) });
  expect(stored.status).toBe(201);
  const other = (await stored.json()) as { id: string };
  expect((await fetch(`${first}/api/results/${other.id}`)).status).toBe(200);

  expect((await fetch(`${second}/api/results/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${deleteToken}` } })).status).toBe(204);
  expect((await fetch(`${first}/api/results/${id}`)).status).toBe(404);
  expect((await fetch(`${first}/r/${id}`)).status).toBe(404);
});
