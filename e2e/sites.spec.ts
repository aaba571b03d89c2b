/**
 * The central view of monitored sites (issue 19) in Chromium: a web app (`next start`, on the shared stack's probe
 * servers and data folder) whose config lists two sites with their token hashes and has the support credential. The
 * real `netready monitor --token` stores a real check there; further checks posted with the token make a change; a
 * wrong token is refused and stores nothing; the Sites page shows the verdict strip, the change with its window and
 * links, the latest result, and the configured site that never reported — only to the support credential.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sampleResult } from '../lib/api/testing/sample-result';
import { siteTokenHash } from '../server/api/monitor-runs-api';
import { hashPassword } from '../server/api/support-auth';
import { SHARED_STACK_BASE_PORT } from './global-setup';
import { runCli } from './support/cli';
import { assertPortFree, portsFrom, spawnManaged, stackEnv, waitUntil, REPO_ROOT, type ManagedProcess } from './support/stack';

const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
const PASSWORD = 'sites-e2e-password-1';
/** Site names only this spec uses (the shared data folder holds other specs' results). */
const SITE = `Berlin office ${Date.now().toString(36)}`;
const SILENT_SITE = `Zurich ${Date.now().toString(36)}`;
const TOKEN = `nrs_e2e_${Date.now().toString(36)}_0123456789abcdef`;
const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';

let web: ManagedProcess | undefined;
let url = '';
let work = '';

test.beforeAll(async () => {
  const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + 77 };
  url = `http://127.0.0.1:${ports.web}`;
  await assertPortFree(ports.web);
  work = mkdtempSync(path.join(os.tmpdir(), 'netready-sites-e2e-'));
  const config = path.join(work, 'netready.config.json');
  writeFileSync(
    config,
    JSON.stringify({ name: 'netready e2e', monitor: { sites: [{ name: SITE, tokenSha256: siteTokenHash(TOKEN) }, { name: SILENT_SITE, tokenSha256: siteTokenHash(`${TOKEN}-other`) }] } }),
  );
  web = spawnManaged('sites-web', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], {
    ...stackEnv(ports, dataDir()),
    NETREADY_CONFIG: config,
    NETREADY_SUPPORT_PASSWORD_HASH: hashPassword(PASSWORD),
  });
  await waitUntil('the sites web app', async () => (await fetch(`${url}/robots.txt`).catch(() => null))?.status === 200, 60_000, web);
});

test.afterAll(async () => {
  await web?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Posts a check for the site with `token`; the answer's status and body. */
async function postCheck(result: unknown, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/monitor/runs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(result) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('a monitor with its site token stores checks; the Sites page shows the change, its window and the latest result, to support only', async ({ browser }) => {
  // 1. The real monitor: one check in Chromium against the shared stack, stored under the site.
  const monitorDir = path.join(work, 'monitor');
  const run = await runCli(['monitor', '--url', url, '--site', 'Berlin', '--interval', '30s', '--runs', '1', '--data-dir', monitorDir], { ...process.env, NETREADY_MONITOR_TOKEN: TOKEN });
  expect(run.code, run.stderr).toBe(0);
  const line = JSON.parse(run.stdout.trim().split('\n')[0]!) as { type: string; verdict: string; findings: string[]; resultUrl?: string; uploadError?: string };
  // Chromium on the loopback stack is ready without findings (run.spec.ts): the baseline the change below departs from.
  expect(line).toMatchObject({ type: 'check', verdict: 'ready', findings: [] });
  expect(line.uploadError).toBeUndefined();
  // (Next.js names a loopback host `localhost` in the request URL the link is built from.)
  expect(new URL(line.resultUrl!).port).toBe(new URL(url).port);
  expect(new URL(line.resultUrl!).pathname).toMatch(/^\/r\/[A-Za-z0-9_-]{22}$/);
  // It says once that the server files the token's checks under the configured name, not the --site given here.
  expect(run.stderr).toContain(`under site "${SITE}"`);
  const first = line.resultUrl!.split('/r/')[1]!;

  // 2. Three more checks with the token: ready, then UDP blocked twice — a change the second confirms.
  const ready = { ...sampleResult, verdict: 'ready' as const, findings: [] };
  const blocked = { ...sampleResult, verdict: 'blocked' as const, findings: [{ ...sampleResult.findings[0]!, code: 'udp-blocked', severity: 'blocker' as const }] };
  const posted: string[] = [];
  for (const result of [ready, blocked, blocked]) {
    const answer = await postCheck(result, TOKEN);
    expect(answer.status).toBe(201);
    expect(answer.body.site).toBe(SITE);
    posted.push(String(answer.body.id));
  }
  // A wrong token: 401, nothing stored.
  const refused = await postCheck(ready, `${TOKEN}x`);
  expect(refused).toMatchObject({ status: 401, body: { error: { code: 'site_token_invalid' } } });

  // 3. Only the support credential opens the Sites page.
  expect((await fetch(`${url}/support/sites`)).status).toBe(401);
  const context = await browser.newContext({ httpCredentials: { username: 'support', password: PASSWORD } });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/support/sites`);
    await expect(page.getByRole('heading', { name: 'Monitored sites' })).toBeVisible();
    const card = page.getByRole('region', { name: SITE });
    await expect(card).toContainText('4 checks stored');
    await expect(card).toContainText('now: udp-blocked');
    await expect(card.getByRole('img', { name: /Verdicts of 4 checks/ })).toHaveAttribute('aria-label', /2 blocked/);
    await expect(card.getByRole('link', { name: 'latest result' })).toHaveAttribute('href', `/r/${posted[2]}`);
    const changes = card.getByRole('list', { name: /Changes at/ }).getByRole('listitem');
    await expect(changes).toHaveCount(1);
    await expect(changes.first()).toContainText('Verdict ready → blocked');
    await expect(changes.first()).toContainText('udp-blocked (blocker)');
    await expect(changes.first().getByRole('link', { name: 'last check before' })).toHaveAttribute('href', `/r/${posted[0]}`);
    await expect(changes.first().getByRole('link', { name: 'first check after' })).toHaveAttribute('href', `/r/${posted[1]}`);
    // The real monitor's check is on the strip, and its link opens its result.
    await expect(card.locator('rect title')).toHaveCount(4);
    expect((await fetch(`${url}/api/results/${first}`)).status).toBe(200);
    // The configured site that never reported is named.
    await expect(page.getByRole('region', { name: /Configured, but no checks stored/ })).toContainText(SILENT_SITE);
    expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'support-sites.png'), fullPage: true });

    // One site on its own, from its name's link; the change's link opens the first blocked check.
    await card.getByRole('link', { name: SITE }).click();
    await expect(page.getByRole('heading', { level: 1, name: SITE })).toBeVisible();
    await page.getByRole('link', { name: 'first check after' }).click();
    await expect(page).toHaveURL(`${url}/r/${posted[1]}`);
    await page.goBack();
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'support-sites-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
