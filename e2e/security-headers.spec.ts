/**
 * Security headers on every route of the built web app, the results API's refusals (cross-site posts, other media
 * types, deep JSON, rate limit that a forged X-Forwarded-For cannot dodge), a real run under the CSP without a
 * single violation, and the share button's Retry after a storage failure (a read-only data folder).
 * Routes are checked with Playwright's `request` fixture; only the run and the Retry need the browser.
 * The run under the CSP also runs in Firefox (issue 18): browsers enforce CSP each in their own way. The rest is
 * Chromium-only: no browser involved, or (the Retry) a second web app wired to the shared Chromium stack's probe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { APIResponse, Page } from '@playwright/test';
import { sampleResult } from '../lib/api/testing/sample-result';
import { makeReadOnly } from '../server/store/testing/read-only-dir';
import { SHARED_STACK_BASE_PORT } from './global-setup';
import { expect, test } from './support/fixtures';
import { assertPortFree, portsFrom, spawnManaged, stackEnv, storedResultCount, waitUntil, REPO_ROOT, type ManagedProcess } from './support/stack';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
const probeUrl = (): string => process.env.NETREADY_E2E_PROBE_URL ?? '';
const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';

const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const JSON_POST = { 'content-type': 'application/json' };

/** Directive name → sources of a CSP header. */
function directives(csp: string | undefined): Record<string, string[]> {
  expect(csp, 'Content-Security-Policy header').toBeTruthy();
  return Object.fromEntries(
    csp!.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** Stored results in the shared stack's database (the suite's other specs store some too). */
const storedCount = (): number => storedResultCount(dataDir());

/** The headers every answer carries, whatever the route. */
function expectCommonHeaders(response: APIResponse, where: string): Record<string, string> {
  const headers = response.headers();
  expect(headers['x-content-type-options'], where).toBe('nosniff');
  expect(headers['referrer-policy'], where).toBe('strict-origin-when-cross-origin');
  expect(headers['permissions-policy'], where).toContain('geolocation=()');
  // Served over plain HTTP: no HSTS (a browser would ignore it anyway).
  expect(headers['strict-transport-security'], where).toBeUndefined();
  return headers;
}

// `@once`: no browser behaviour involved, so it runs in the chromium project only (playwright.config.ts grepInvert).
test.describe('security headers on every route', { tag: '@once' }, () => {
  let storedId = '';
  let chunkPath = '';

  test.beforeAll(async ({ request }) => {
    const stored = await request.post(`${webUrl()}/api/results`, { headers: JSON_POST, data: sampleResult });
    expect(stored.status()).toBe(201);
    storedId = ((await stored.json()) as { id: string }).id;
    const html = await (await request.get(`${webUrl()}/`)).text();
    chunkPath = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    expect(chunkPath).not.toBe('');
  });

  const pages: Array<[string, () => string, number, 'runner' | 'other']> = [
    ['the landing page', () => '/', 200, 'runner'],
    ['the autostart runner', () => '/?autostart=1', 200, 'runner'],
    ['the embed page', () => '/embed', 200, 'runner'],
    ['a share page', () => `/r/${storedId}`, 200, 'other'],
    ['an unknown share page', () => `/r/${UNKNOWN_ID}`, 404, 'other'],
    ['a page that does not exist', () => '/no-such-page', 404, 'other'],
  ];
  for (const [name, pathOf, status, kind] of pages) {
    test(`${name} gets a nonce CSP that its own scripts carry, and cannot be framed`, async ({ request }) => {
      const response = await request.get(`${webUrl()}${pathOf()}`);
      expect(response.status()).toBe(status);
      const headers = expectCommonHeaders(response, name);
      const csp = directives(headers['content-security-policy']);
      const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp['script-src']?.find((s) => s.startsWith("'nonce-")) ?? '')?.[1];
      expect(nonce, 'script-src nonce').toBeTruthy();
      expect(csp['script-src']).toContain("'strict-dynamic'");
      expect(csp['object-src']).toEqual(["'none'"]);
      expect(csp['base-uri']).toEqual(["'none'"]);
      expect(csp['form-action']).toEqual(["'self'"]);
      // The shared stack configures no embed.allowedOrigins, so even /embed refuses every frame.
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      const probe = new URL(probeUrl());
      expect(csp['connect-src']).toEqual(expect.arrayContaining(["'self'", probe.origin, `ws://${probe.host}`]));
      expect(csp['connect-src']?.some((s) => s.startsWith('https://') && s.endsWith(`:${SHARED_STACK_BASE_PORT + 2}`))).toBe(true);
      const html = await response.text();
      const tags = html.match(/<(?:script|style)\b[^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag, 'every script and style carries the nonce').toContain(`nonce="${nonce}"`);
      expect(headers['permissions-policy']).toContain(kind === 'runner' ? 'camera=(self)' : 'camera=()');
      expect(headers['permissions-policy']).toContain(kind === 'runner' ? 'microphone=(self)' : 'microphone=()');
      if (pathOf() !== '/embed') expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-robots-tag']).toBe(pathOf().startsWith('/r/') ? 'noindex' : undefined);
    });
  }

  test('a fresh nonce for every request', async ({ request }) => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) nonces.add((await request.get(`${webUrl()}/`)).headers()['content-security-policy'] ?? '');
    expect(nonces.size).toBe(3);
  });

  const resources: Array<[string, () => string, number]> = [
    ['a stored result', () => `/api/results/${storedId}`, 200],
    ['an unknown result', () => `/api/results/${UNKNOWN_ID}`, 404],
    ['the dev CA', () => '/api/dev-ca', 200],
  ];
  for (const [name, pathOf, status] of resources) {
    test(`the API answer for ${name} loads nothing, frames nothing and stays out of search engines`, async ({ request }) => {
      const response = await request.get(`${webUrl()}${pathOf()}`);
      expect(response.status()).toBe(status);
      const headers = expectCommonHeaders(response, name);
      expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers['x-robots-tag']).toBe('noindex');
      expect(headers['permissions-policy']).toContain('camera=()');
    });
  }

  test('POST answers carry the headers too, refusals included', async ({ request }) => {
    const stored = await request.post(`${webUrl()}/api/results`, { headers: JSON_POST, data: sampleResult });
    const refused = await request.post(`${webUrl()}/api/results`, { headers: { 'content-type': 'text/plain' }, data: JSON.stringify(sampleResult) });
    for (const [response, status] of [[stored, 201], [refused, 415]] as const) {
      expect(response.status()).toBe(status);
      const headers = expectCommonHeaders(response, `POST → ${status}`);
      expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers['x-robots-tag']).toBe('noindex');
    }
  });

  const files: Array<[string, () => string, RegExp]> = [
    ['robots.txt', () => '/robots.txt', /^text\/plain/],
    ['favicon.ico', () => '/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/],
    ['apple-touch-icon.png', () => '/apple-touch-icon.png', /^image\/png/],
    ['the app icon', () => '/icon.svg', /^image\/svg\+xml/],
    ['a script chunk', () => chunkPath, /javascript/],
  ];
  for (const [name, pathOf, type] of files) {
    test(`the static file ${name} is served with its type, never sniffed, never framed`, async ({ request }) => {
      const response = await request.get(`${webUrl()}${pathOf()}`);
      expect(response.status()).toBe(200);
      const headers = expectCommonHeaders(response, name);
      expect(headers['content-type']).toMatch(type);
      expect(directives(headers['content-security-policy'])['frame-ancestors']).toEqual(["'none'"]);
    });
  }

  test('robots.txt keeps crawlers away from share pages and the API', async ({ request }) => {
    const text = await (await request.get(`${webUrl()}/robots.txt`)).text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Disallow: \/r\/$/m);
    expect(text).toMatch(/^Disallow: \/api\/$/m);
  });

  test('HSTS is sent when the page was served over HTTPS (through a TLS-terminating proxy)', async ({ request }) => {
    const response = await request.get(`${webUrl()}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers()['strict-transport-security']).toMatch(/^max-age=\d{7,}$/);
  });
});

test.describe('results API refusals', { tag: '@once' }, () => {
  test('a cross-site form post, a text/plain post and a 10,000-deep result are refused with their codes, and nothing is stored', async ({ request }) => {
    const before = storedCount();
    const crossSite = await request.post(`${webUrl()}/api/results`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      data: `result=${encodeURIComponent(JSON.stringify(sampleResult))}`,
    });
    expect(crossSite.status()).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: { code: 'cross_site_request' } });
    const otherOrigin = await request.post(`${webUrl()}/api/results`, { headers: { ...JSON_POST, origin: 'https://evil.example' }, data: sampleResult });
    expect(otherOrigin.status()).toBe(403);
    const textPlain = await request.post(`${webUrl()}/api/results`, { headers: { 'content-type': 'text/plain;charset=UTF-8' }, data: JSON.stringify(sampleResult) });
    expect(textPlain.status()).toBe(415);
    expect(await textPlain.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const deep = JSON.stringify(sampleResult).replace(
      '"probes":{',
      `"probes":{"deep":{"status":"pass","durationMs":1,"evidence":[],"data":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}},`,
    );
    const tooDeep = await request.post(`${webUrl()}/api/results`, { headers: JSON_POST, data: deep });
    expect(tooDeep.status()).toBe(400);
    expect(await tooDeep.json()).toMatchObject({ error: { code: 'json_too_deep' } });
    expect(storedCount()).toBe(before);
  });
});

/** POSTs JSON from a chosen local source address (loopback has all of 127/8), resolving with the status. */
function postFrom(localAddress: string, target: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Collects CSP violations (DOM events) and CSP / Permissions-Policy console errors of a page from its first script on. */
async function watchPolicyErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    // Chromium writes "Content Security Policy", Firefox "Content-Security-Policy".
    if (/Content[- ]Security[- ]Policy|Permissions-Policy|Permissions policy/i.test(text)) errors.push(`console ${message.type()}: ${text}`);
  });
  await page.exposeFunction('__netreadyTestCspViolation', (text: string) => void errors.push(`violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __netreadyTestCspViolation: (text: string) => void }).__netreadyTestCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return errors;
}

test('a full run at /?autostart=1 under the CSP reports no policy violation, nor do the share and 404 pages', async ({ page, e2eStack }) => {
  const errors = await watchPolicyErrors(page);
  await page.goto(`${e2eStack.webUrl}/?autostart=1`);
  await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
  // The share link posts from the page (connect-src 'self') and its page renders under its own nonce.
  await page.getByRole('button', { name: 'Share link' }).click();
  const link = page.getByLabel('Share link');
  await expect(link).toHaveValue(/\/r\/[A-Za-z0-9_-]+$/);
  await page.goto(await link.inputValue());
  await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
  await page.goto(`${e2eStack.webUrl}/no-such-page`);
  await expect(page.getByRole('heading', { name: 'There is no page at this address' })).toBeVisible();
  // A client-side navigation runs the router's own scripts under the same policy.
  await page.getByRole('link', { name: 'Test your network' }).click();
  await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
  expect(errors).toEqual([]);
});

// `@once`: what is tested is the web app's handling of a read-only data folder, not the browser's.
test.describe('a second web app over a read-only data folder', { tag: '@once' }, () => {
  // Own port inside the shared stack's block (base … base+5 and base+100 … are taken), same probe server.
  const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + 50 };
  const url = `http://127.0.0.1:${ports.web}`;
  let folder = '';
  let restore: (() => void) | null = null;
  let web: ManagedProcess | undefined;

  test.beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'netready-e2e-readonly-'));
    restore = makeReadOnly(folder);
    await assertPortFree(ports.web);
    web = spawnManaged('web-read-only', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], {
      ...stackEnv(ports, folder),
      NETREADY_MAX_RESULTS_PER_MINUTE: '3',
      NETREADY_EMBED_ALLOWED_ORIGINS: 'https://meet.example.com,https://*.example.org',
    });
    await waitUntil('the second web app', async () => (await fetch(`${url}/robots.txt`).catch(() => null))?.status === 200, 60_000, web);
  });
  test.afterAll(async () => {
    await web?.stop();
    restore?.();
    rmSync(folder, { recursive: true, force: true });
  });

  test('embed.allowedOrigins opens /embed, and only /embed, to framing by those origins', async ({ request }) => {
    const embed = directives((await request.get(`${url}/embed`)).headers()['content-security-policy']);
    expect(embed['frame-ancestors']).toEqual(['https://meet.example.com', 'https://*.example.org']);
    const home = await request.get(`${url}/`);
    expect(directives(home.headers()['content-security-policy'])['frame-ancestors']).toEqual(["'none'"]);
    expect(home.headers()['x-frame-options']).toBe('DENY');
  });

  test('sharing says the result was not stored and offers Retry, which posts the same result once storage is back', async ({ page }, testInfo) => {
    await page.goto(`${url}/?autostart=1`);
    await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/results') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Share link' }).click(),
    ]);
    expect(answer.status()).toBe(503);
    expect(await answer.json()).toMatchObject({ error: { code: 'storage_unavailable', message: expect.stringMatching(/not stored/) } });
    const alert = page.getByRole('alert').filter({ hasText: 'No share link was created.' });
    await expect(alert).toContainText('its storage is not available right now');
    const retry = alert.getByRole('button', { name: 'Retry' });
    await expect(retry).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('share-storage-unavailable.png'), fullPage: false });

    restore?.();
    restore = null;
    const [retried] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/results') && r.request().method() === 'POST'), retry.click()]);
    expect(retried.status()).toBe(201);
    const link = page.getByLabel('Share link');
    await expect(link).toHaveValue(/\/r\/[A-Za-z0-9_-]+$/);
    const id = (await link.inputValue()).split('/r/')[1]!;
    // Retry posted exactly what the failed attempt posted, and that run is what is stored now.
    const posted = answer.request().postData() ?? '';
    expect(retried.request().postData()).toBe(posted);
    const stored = (await (await fetch(`${url}/api/results/${id}`)).json()) as { id: string };
    expect(stored.id).toBe((JSON.parse(posted) as { id: string }).id);
  });

  test('the per-minute limit counts the TCP peer, whatever X-Forwarded-For or peer header the client forges', async ({ request }) => {
    // Limit 3 a minute: seven posts within a minute span at most two windows, so at most six can be admitted —
    // unless each forged address got a budget of its own, which would admit all seven.
    const answers: APIResponse[] = [];
    for (let i = 1; i <= 7; i++) {
      answers.push(
        await request.post(`${url}/api/results`, {
          headers: { ...JSON_POST, 'x-forwarded-for': `203.0.113.${i}`, 'x-netready-peer-address': `198.51.100.${i}` },
          data: sampleResult,
        }),
      );
    }
    const limited = answers.filter((a) => a.status() === 429);
    expect(limited.length, `statuses: ${answers.map((a) => a.status()).join(' ')}`).toBeGreaterThan(0);
    expect(answers.every((a) => a.status() === 201 || a.status() === 429)).toBe(true);
    expect(await limited[0]!.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(limited[0]!.headers()['retry-after'])).toBeGreaterThan(0);
    // Another TCP peer (a second loopback source address) has a budget of its own: the limit really follows the
    // peer the server saw, not one shared bucket for every client.
    expect(await postFrom('127.0.0.2', `${url}/api/results`, JSON.stringify(sampleResult))).toBe(201);
  });
});
