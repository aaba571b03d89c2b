/**
 * The support view (issue 13) in Chromium: refused without the operator's credential, filters and counts stored
 * results, exports CSV, accessible; and off (saying so) on a deployment without a credential — the shared stack.
 * A second web app (`next start`) on the shared stack's probe and data folder has `support.passwordHash` set, and the
 * operator's branding (name, logo, accent, support line), checked on the landing page, the finished runner, the share
 * page and in print; the share page's actions (Copy link, Download JSON, print to PDF) and its engineer tables.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { VERDICT_COPY } from '../components/result/labels';
import { sampleResult } from '../lib/api/testing/sample-result';
import { ResultSchema, type Result } from '../lib/schema/result';
import { hashPassword } from '../server/api/support-auth';
import { SHARED_STACK_BASE_PORT } from './global-setup';
import { hostile, PAYLOADS, pwned, recordDialogs } from './support/hostile';
import { assertPortFree, portsFrom, spawnManaged, stackEnv, waitUntil, REPO_ROOT, type ManagedProcess } from './support/stack';

const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
const PASSWORD = 'support-e2e-password-1';
const SUPPORT_LINE = 'Questions? support@acme.example · +1 555 0100';
/** The configured accent, #b45309, as computed styles give it. */
const ACCENT = 'rgb(180, 83, 9)';
/**
 * Most pages the printed share page of a real full run may take (A4 and Letter): about six for the summary, the
 * measurements and the engineer's tables, and the rest for every check's raw data, which print open (26 pages on
 * A4 when this was written). Far more means something stopped breaking across pages and leaves pages empty again.
 */
const PDF_MAX_PAGES = 30;
const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';
const sharedWebUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
/** A word only this spec's notes have, so results other specs stored in the shared folder do not count. */
const MARK = `spec${Date.now().toString(36)}`;

let web: ManagedProcess | undefined;
let url = '';

test.beforeAll(async () => {
  const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + 75 };
  url = `http://127.0.0.1:${ports.web}`;
  await assertPortFree(ports.web);
  web = spawnManaged('support-web', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], {
    ...stackEnv(ports, dataDir()),
    NETREADY_SUPPORT_PASSWORD_HASH: hashPassword(PASSWORD),
    // Branding (issue 13 item 6): on every page of this instance, and in print.
    NETREADY_NAME: 'Acme Meet',
    NETREADY_BRAND_LOGO_URL: '/apple-touch-icon.png',
    NETREADY_BRAND_ACCENT_COLOUR: '#b45309',
    NETREADY_BRAND_SUPPORT_CONTACT: SUPPORT_LINE,
  });
  await waitUntil('the support web app', async () => (await fetch(`${url}/robots.txt`).catch(() => null))?.status === 200, 60_000, web);
  // Stored results with notes from two organisations.
  const notes = [`Ticket 1 · it@acme.example · ${MARK}`, `Ticket 2 · it@acme.example · ${MARK}`, `Globex, Springfield · ${MARK}`];
  for (const [index, note] of notes.entries()) {
    const result = index === 2 ? { ...sampleResult, verdict: 'ready' as const, findings: [] } : sampleResult;
    const response = await fetch(`${url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result, note }) });
    expect(response.status).toBe(201);
  }
});

test.afterAll(async () => {
  await web?.stop();
});

test('refuses the support view and its export without the operator’s credential', async () => {
  for (const path of ['/support', '/api/support/results.csv']) {
    const anonymous = await fetch(`${url}${path}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="netready support", charset="UTF-8"');
    const wrong = await fetch(`${url}${path}`, { headers: { authorization: `Basic ${Buffer.from('support:guess').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(MARK);
  }
});

test('filters stored results, counts their findings, exports CSV, and is accessible', async ({ browser }) => {
  const context = await browser.newContext({ httpCredentials: { username: 'support', password: PASSWORD } });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/support?q=${MARK}`);
    await expect(page.getByRole('heading', { name: 'Stored results' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '3 results' })).toBeVisible();
    const counts = page.getByRole('region', { name: 'Findings in these results' });
    await expect(counts.getByRole('row', { name: /udp-blocked 2/ })).toBeVisible();
    expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'support-view.png'), fullPage: true });

    await page.getByLabel('Organisation or e-mail domain').fill('acme.example');
    await page.getByLabel('Verdict').selectOption('degraded');
    await page.getByRole('button', { name: 'Show results' }).click();
    await expect(page.getByRole('heading', { name: '2 results' })).toBeVisible();
    await expect(page.getByRole('cell', { name: /Globex/ })).toHaveCount(0);
    // A row's link opens the share page.
    await page.getByRole('link', { name: /^Open/ }).first().click();
    await expect(page.getByTestId('submitter-note')).toContainText('it@acme.example');
    await page.goBack();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('stored_at,share_url,verdict,finding_codes,note');
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines.slice(1).every((line) => line.includes(',degraded,') && line.includes('it@acme.example'))).toBe(true);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'support-view-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('hostile results and notes show as plain text in the support view and its CSV export, and run nothing', async ({ browser }) => {
  // Every free-text field of the results is a payload; the notes (what the view shows of a result) are payloads too,
  // one starting as a spreadsheet formula with a javascript: URL.
  // Not containing MARK: the other tests count the results with MARK in the note.
  const hostileMark = `hostile${Date.now().toString(36)}`;
  const notes = [`${PAYLOADS[0]} ${PAYLOADS[1]} ${hostileMark}`, `=HYPERLINK("${PAYLOADS[2]}","open") ${PAYLOADS[1]} ${hostileMark}`];
  for (const note of notes) {
    const response = await fetch(`${url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: hostile(sampleResult), note }) });
    expect(response.status).toBe(201);
  }
  const context = await browser.newContext({ httpCredentials: { username: 'support', password: PASSWORD } });
  try {
    const page = await context.newPage();
    const dialogs = recordDialogs(page);
    await page.goto(`${url}/support?q=${hostileMark}`);
    await expect(page.getByRole('heading', { name: '2 results' })).toBeVisible();
    // The notes, character for character, as the text of their cells.
    for (const note of notes) await expect(page.getByRole('cell', { name: note, exact: true })).toHaveText(note);
    await expect(page.getByRole('cell', { name: 'relay-only, udp-blocked' }).first()).toBeVisible();
    expect(await pwned(page)).toEqual({ ran: false, elements: 0, handlers: 0, scriptLinks: 0 });
    // A row's link leads to the share page and nowhere else.
    expect(await page.getByRole('link', { name: /^Open/ }).evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
      expect.stringMatching(/^\/r\/[A-Za-z0-9_-]{22}$/),
      expect.stringMatching(/^\/r\/[A-Za-z0-9_-]{22}$/),
    ]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const rows = csv.trimEnd().split('\r\n').slice(1);
    expect(rows).toHaveLength(2);
    // Newest first. The formula gets a leading quote mark (read as text by spreadsheets), its quotes doubled (RFC 4180).
    expect(rows[0]!.endsWith(`,"'=HYPERLINK(""javascript:window.__pwned=1"",""open"") <script>window.__pwned=1</script> ${hostileMark}"`)).toBe(true);
    expect(rows[1]!.endsWith(`,"<img src=x onerror=""window.__pwned=1""> <script>window.__pwned=1</script> ${hostileMark}"`)).toBe(true);
    // The export is a download of text/csv that no browser sniffs into HTML.
    const headers = await (await context.request.get(`${url}/api/support/results.csv?q=${hostileMark}`)).headersArray();
    const header = (name: string): string | undefined => headers.find((h) => h.name.toLowerCase() === name)?.value;
    expect(header('content-type')).toMatch(/^text\/csv/);
    expect(header('content-disposition')).toMatch(/^attachment;/);
    expect(header('x-content-type-options')).toBe('nosniff');
    expect(await pwned(page)).toEqual({ ran: false, elements: 0, handlers: 0, scriptLinks: 0 });
    expect(dialogs).toEqual([]);
  } finally {
    await context.close();
  }
});

/** The operator's branding in the page frame: name, logo, support line, and the accent strip above the header. */
async function expectBrandFrame(page: Page): Promise<void> {
  await expect(page.getByRole('link', { name: 'Acme Meet' })).toBeVisible();
  await expect(page.locator('header img[src="/apple-touch-icon.png"]')).toBeVisible();
  await expect(page.getByTestId('support-contact')).toHaveText(SUPPORT_LINE);
  await expect(page.getByTestId('site-header')).toHaveCSS('border-top-color', ACCENT);
}

test('the operator’s branding — name, logo, accent colour, support line — is on the landing page, the finished runner and the share page', async ({ page }) => {
  await page.goto(`${url}/`);
  await expectBrandFrame(page);
  // The accent on the main button, with the ink chosen for contrast (white on this brown).
  const start = page.getByRole('button', { name: 'Start' });
  await expect(start).toHaveCSS('background-color', ACCENT);
  await expect(start).toHaveCSS('color', 'rgb(255, 255, 255)');

  // A real run on this deployment: the finished runner keeps the frame, and its main action wears the accent.
  await start.click();
  await expect(page.getByRole('heading', { name: VERDICT_COPY.ready.title })).toBeVisible({ timeout: 30_000 });
  await expectBrandFrame(page);
  const share = page.getByRole('button', { name: 'Share link' });
  await expect(share).toHaveCSS('background-color', ACCENT);
  await expect(share).toHaveCSS('color', 'rgb(255, 255, 255)');
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'runner-finished-branded.png'), fullPage: true });
  await page.getByLabel(/Note for support/).fill(`Real run ${MARK}`);
  const [posted] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/results') && r.request().method() === 'POST'), share.click()]);
  expect(posted.status()).toBe(201);
  const { url: shareUrl } = (await posted.json()) as { url: string };

  // Its share page: the same frame, and the engineer's tables filled from this run.
  await page.goto(shareUrl);
  await expectBrandFrame(page);
  const pairs = page.getByTestId('ice-selected-pairs');
  await expect(pairs.getByRole('row', { name: /^TURN relay over UDP relay udp 127\.0\.0\.1:\d+ \(relay over udp\) turn:127\.0\.0\.1:\d+\?transport=udp/ })).toBeVisible();
  await expect(pairs.getByRole('row', { name: /^TURN relay over TCP relay udp .* \(relay over tcp\)/ })).toBeVisible();
  await expect(page.getByTestId('ice-candidates').locator('tbody[data-probe="turn-udp"]')).toContainText('Given one ICE server: turn:127.0.0.1:');
  await expect(page.getByTestId('server-seen').getByRole('row', { name: /^HTTPS listener \(TLS mirror\) 127\.0\.0\.1 HTTP\/2\.0$/ })).toBeVisible();
  await expect(page.getByTestId('proxy-tls').getByRole('row', { name: /^JA4 fingerprint t13i/ })).toBeVisible();
  // This stack has no DNS zone: the DNS checks were skipped, and no empty DNS table is drawn.
  await expect(page.getByTestId('dns-lookups')).toHaveCount(0);
});

test('the share page’s actions work: Copy link puts its address on the clipboard, Download JSON is the stored result, and it prints branded with every detail open', async ({ browser }) => {
  // A real run with every engineer table (testdata/results: the DNS spec's run, through a real resolver).
  const real = JSON.parse(readFileSync(path.join(REPO_ROOT, 'testdata', 'results', 'chromium-156-loopback-dns.json'), 'utf8')) as Result;
  const posted = await fetch(`${url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: real, note: `Print ${MARK}` }) });
  expect(posted.status).toBe(201);
  const { id, url: shareUrl } = (await posted.json()) as { id: string; url: string };
  const stored = (await (await fetch(`${url}/api/results/${id}`)).json()) as Result;
  expect(stored.id).toBe(real.id);

  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(shareUrl);
    await expect(page.getByRole('heading', { name: VERDICT_COPY[stored.verdict].title })).toBeVisible();
    // The engineer's view: which transport got through on which port, and the tables of what each check recorded.
    await expect(page.getByRole('table', { name: /Which transport reached/ })).toBeVisible();
    for (const table of ['ice-selected-pairs', 'ice-candidates', 'server-seen', 'dns-lookups', 'dns-resolvers', 'dns-turn-by-name', 'proxy-tls']) await expect(page.getByTestId(table)).toBeVisible();
    await expect(page.getByTestId('dns-lookups').getByRole('row', { name: /^nr-9cbf6957881b46ec84f254a26dc4d239\.probe\.netready\.test 6 ms 98 ms 97 ms http\/1\.1 HTTP 200 after 304 ms$/ })).toBeVisible();
    await expect(page.getByTestId('dns-resolvers').getByRole('row', { name: /^127\.0\.0\.3 udp / })).toBeVisible();
    expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);

    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect(page.getByRole('button', { name: 'Link copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`netready-${stored.id}.json`);
    const file = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const downloaded = ResultSchema.parse(JSON.parse(file));
    expect({ id: downloaded.id, verdict: downloaded.verdict, findings: downloaded.findings }).toEqual({ id: stored.id, verdict: stored.verdict, findings: stored.findings });
    expect(downloaded).toEqual(stored);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'share-page-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'share-page-390.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });

    for (const kit of [page.getByTestId('capture-kit'), page.getByRole('region', { name: 'Check your PAC file' })]) await expect(kit).toBeVisible();
    await page.emulateMedia({ media: 'print' });
    // Printed: the brand, the verdict, the note, the engineer's tables and the technical details (opened by the print
    // stylesheet); no buttons or links that only work on screen.
    await expect(page.getByRole('link', { name: 'Acme Meet' })).toBeVisible();
    await expect(page.locator('header img[src="/apple-touch-icon.png"]')).toBeVisible();
    await expect(page.getByTestId('support-contact')).toHaveText(SUPPORT_LINE);
    await expect(page.getByRole('heading', { name: VERDICT_COPY[stored.verdict].title })).toBeVisible();
    await expect(page.getByTestId('submitter-note')).toBeVisible();
    await expect(page.getByTestId('proxy-tls')).toBeVisible();
    const details = page.locator('details').filter({ hasText: 'Technical details' });
    expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    // (Locators, not roles: a closed <details>' content stays out of the accessibility tree even when printed.)
    await expect(details.locator('h4').filter({ hasText: /^Browser$/ })).toBeVisible();
    await expect(details.getByText(stored.client.userAgent).first()).toBeVisible();
    for (const control of [page.getByRole('button', { name: 'Copy link' }), page.getByRole('button', { name: 'Download JSON' }), page.getByRole('link', { name: 'Test your own network' })]) await expect(control).toBeHidden();
    // The troubleshooter's kit is work to do at a computer: the capture kit and the PAC form are not printed.
    for (const kit of [page.getByTestId('capture-kit'), page.getByRole('region', { name: 'Check your PAC file' })]) await expect(kit).toBeHidden();
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = await page.pdf({ format, printBackground: true, path: path.join(SCREENSHOT_DIR, `share-page-${format}.pdf`) });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(PDF_MAX_PAGES);
    }
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'share-page-print.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('without a credential configured, the support view says it is off and its export answers 404', async ({ page }) => {
  const response = await page.goto(`${sharedWebUrl()}/support`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'The support view is off' })).toBeVisible();
  await expect(page.getByText('npx netready hash-password')).toBeVisible();
  const csv = await fetch(`${sharedWebUrl()}/api/support/results.csv`);
  expect(csv.status).toBe(404);
  expect(await csv.json()).toMatchObject({ error: { code: 'support_disabled' } });
});
