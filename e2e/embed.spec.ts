/**
 * The embedded pre-join check (issue 14) in real Chromium: the demo meeting app (server/embed-demo) on an allowed
 * origin embeds the check with the loader (/embed.js) and receives ready → progress → result; a page on an origin
 * that is not allowed can neither frame the check (CSP frame-ancestors) nor, where a browser would frame it anyway,
 * receive a single message from it; protocol errors come back as `netready:error`; the page is themeable (following the
 * system's colour scheme unless the host sets one) and axe-clean.
 *
 * A second web app (`next start`) runs on the shared stack's probe and data folder with `embed.allowedOrigins` naming
 * the allowed demo host; the demo hosts run in this process on ports of their own (another port is another origin).
 * Chromium project, and one test in Firefox, which has no `location.ancestorOrigins` (the check then reads the referrer).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test, type Locator, type Page } from '@playwright/test';
import type { ProgressMessage, ResultMessage } from '../lib/embed/protocol';
import { DemoHost } from '../server/embed-demo/demo-host';
import { SHARED_STACK_BASE_PORT } from './global-setup';
import { LAUNCH_OPTIONS } from './support/browser';
import { withFirefox } from './support/fixtures';
import { assertPortFree, portsFrom, spawnManaged, stackEnv, waitUntil, REPO_ROOT, type ManagedProcess } from './support/stack';

const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';

/** A message the host page received, as recorded by the init script below. */
interface Received {
  origin: string;
  data: { type: string; version: number } & Record<string, unknown>;
}

/** Records every `netready:*` message the top window receives (the init script runs in frames too: top only). */
const RECORD_MESSAGES = `
  if (window === window.top) {
    window.__received = [];
    window.addEventListener('message', (event) => {
      const type = event.data && event.data.type;
      if (typeof type === 'string' && type.startsWith('netready:')) window.__received.push({ origin: event.origin, data: event.data });
    });
  }`;

async function received(page: Page): Promise<Received[]> {
  return page.evaluate(() => (window as unknown as { __received: Received[] }).__received);
}

/** axe's violations on the page, one line each (rule: elements), so a failure says what to fix. */
async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * CIE L* (0 black … 100 white) of an element's computed background. Chromium reports Tailwind's palette in `lab()`
 * and plain colours in `rgb()`; any other notation fails the test rather than passing it by default.
 */
async function backgroundLightness(element: Locator): Promise<number> {
  const colour = await element.evaluate((el) => getComputedStyle(el).backgroundColor);
  const lab = /^lab\(([\d.]+)/.exec(colour);
  if (lab) return Number(lab[1]);
  const rgb = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(colour);
  if (!rgb || (rgb[4] !== undefined && Number(rgb[4]) < 1)) throw new Error(`background ${colour} is not an opaque lab() or rgb() colour`);
  const linear = (c: string): number => {
    const v = Number(c) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * linear(rgb[1]!) + 0.7152 * linear(rgb[2]!) + 0.0722 * linear(rgb[3]!);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

let web: ManagedProcess | undefined;
let allowedHost: DemoHost;
let otherHost: DemoHost;
let webUrl = '';
let allowedUrl = '';
let otherUrl = '';

test.beforeAll(async () => {
  // The embedding web app: the shared stack's probe and data, its own port and allowlist.
  const ports = { ...portsFrom(SHARED_STACK_BASE_PORT), web: SHARED_STACK_BASE_PORT + 60 };
  webUrl = `http://127.0.0.1:${ports.web}`;
  allowedHost = new DemoHost({ netreadyUrl: webUrl });
  otherHost = new DemoHost({ netreadyUrl: webUrl });
  allowedUrl = `http://127.0.0.1:${(await allowedHost.listen(0, '127.0.0.1')).port}`;
  otherUrl = `http://127.0.0.1:${(await otherHost.listen(0, '127.0.0.1')).port}`;
  await assertPortFree(ports.web);
  web = spawnManaged('embed-web', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], {
    ...stackEnv(ports, dataDir()),
    NETREADY_EMBED_ALLOWED_ORIGINS: allowedUrl,
  });
  await waitUntil('the embedding web app', async () => (await fetch(`${webUrl}/embed.js`).catch(() => null))?.status === 200, 60_000, web);
});

test.afterAll(async () => {
  await web?.stop();
  await allowedHost?.close();
  await otherHost?.close();
});

test('the demo host on an allowed origin receives ready → progress → result and offers video with the share link', async ({ page }) => {
  await page.addInitScript(RECORD_MESSAGES);
  await page.goto(`${allowedUrl}/`);
  await expect(page.locator('#join-status')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Join with video' })).toBeEnabled();

  const messages = await received(page);
  // Only the check's messages, all from netready's origin, all of protocol version 1.
  expect(new Set(messages.map((m) => m.origin))).toEqual(new Set([webUrl]));
  expect(messages.every((m) => m.data.version === 1)).toBe(true);
  const types = messages.map((m) => m.data.type).filter((type) => type !== 'netready:resize');
  expect(types[0]).toBe('netready:ready');
  expect(types.at(-1)).toBe('netready:result');
  const progress = messages.filter((m) => m.data.type === 'netready:progress').map((m) => m.data as unknown as ProgressMessage);
  // Every probe of the plan reports start and finish; the connectivity verdict comes before the result (issue 16).
  const finished = progress.filter((p) => p.probe && p.probe.status !== 'running');
  expect(finished.length).toBe(finished[0]!.total);
  expect(progress.some((p) => p.probe?.id === 'media-quality')).toBe(true);
  const connectivity = progress.find((p) => p.connectivity);
  expect(connectivity?.connectivity?.verdict).toBe('ready');
  expect(progress.indexOf(connectivity!)).toBeLessThan(progress.length - 1);
  const result = messages.find((m) => m.data.type === 'netready:result')!.data as unknown as ResultMessage;
  expect(result).toMatchObject({ verdict: 'ready', connectivity: 'ready', findings: [] });
  expect(result.durationMs).toBeGreaterThan(0);
  // The host asked for a share link: it is stored, and support can open it.
  expect(result.shareUrl).toMatch(/^http:\/\/[^/]+\/r\/[A-Za-z0-9_-]+$/);
  await expect(page.locator('#support-link')).toHaveAttribute('href', result.shareUrl!);
  const stored = await page.request.get(`${webUrl}/api/results/${result.shareUrl!.split('/').at(-1)}`);
  expect(stored.status()).toBe(200);
  expect((await stored.json()).verdict).toBe('ready');

  // The iframe is as tall as the check said it is.
  const lastResize = messages.filter((m) => m.data.type === 'netready:resize').at(-1)!.data;
  const frameHeight = await page.locator('#network-check iframe').evaluate((el) => el.getBoundingClientRect().height);
  expect(Math.round(frameHeight)).toBe(lastResize.height);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'embed-demo-ready.png'), fullPage: true });

  // The same client as an ES module, importable from the host's origin (CORS), with its types beside it.
  const esm = await page.evaluate(async (url) => {
    const module = (await import(url)) as { check?: unknown; EMBED_PROTOCOL_VERSION?: unknown };
    return { check: typeof module.check, version: module.EMBED_PROTOCOL_VERSION };
  }, `${webUrl}/embed.mjs`);
  expect(esm).toEqual({ check: 'function', version: 1 });
  const declarations = await page.request.get(`${webUrl}/embed.d.ts`);
  expect(declarations.headers()['content-type']).toBe('text/plain; charset=utf-8');
  expect(await declarations.text()).toContain('export declare function check(options: CheckOptions): Promise<ResultMessage>;');
});

test('a page on an origin that is not allowed cannot frame the check, and the loader says why', async ({ page }) => {
  await page.addInitScript(RECORD_MESSAGES);
  const refused = page.waitForEvent('console', (message) => message.text().includes('frame-ancestors'));
  await page.goto(`${otherUrl}/?loadTimeoutMs=4000`);
  // Chromium refuses the frame because of /embed's frame-ancestors, and logs it.
  expect((await refused).text()).toContain(allowedUrl);
  await expect(page.locator('#join-status')).toContainText('(load-timeout)');
  await expect(page.locator('#join-status')).toContainText('embed.allowedOrigins');
  expect(await received(page)).toEqual([]);
});

test('where a browser frames it anyway, the check ignores that host and posts it nothing', async () => {
  // A browser without frame-ancestors: the CSP header is taken off /embed's answer (Playwright's bypassCSP does not
  // cover frame-ancestors). A document Playwright fulfils has no server address, so Chromium's Local Network Access
  // would count it as public and refuse its requests to the loopback probe: this browser runs without those checks.
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, args: [...LAUNCH_OPTIONS.args, '--disable-features=LocalNetworkAccessChecks'] });
  try {
    const page = await browser.newPage();
    await page.route(`${webUrl}/embed?**`, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['content-security-policy'];
      await route.fulfill({ response, headers });
    });
    await page.addInitScript(RECORD_MESSAGES);
    await page.goto(`${otherUrl}/?autostart=0&loadTimeoutMs=60000`);
    const frame = page.frameLocator('#network-check iframe');
    await expect(frame.getByRole('button', { name: 'Start check' })).toBeVisible();
    // The host asks for a run and for a protocol error: the check must do neither.
    await page.evaluate((origin) => {
      const target = document.querySelector('iframe')!.contentWindow!;
      target.postMessage({ type: 'netready:start', version: 1, options: { plan: 'connectivity' } }, origin);
      target.postMessage({ type: 'netready:start', version: 99 }, origin);
    }, webUrl);
    // A run the person starts inside the frame: by its result, every message it would post has been posted.
    await frame.getByRole('button', { name: 'Start check' }).click();
    await expect(frame.getByRole('heading', { name: 'Ready for calls' })).toBeVisible({ timeout: 30_000 });
    // It was the person's full run, not the host's connectivity-only one.
    await expect(frame.getByText(/Took \d/)).toBeVisible();
    expect(await received(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('protocol errors come back as netready:error, and a valid start runs the connectivity plan in the host theme', async ({ page }) => {
  await page.addInitScript(RECORD_MESSAGES);
  await page.goto(`${allowedUrl}/?autostart=0`);
  await expect.poll(async () => (await received(page)).some((m) => m.data.type === 'netready:ready')).toBe(true);
  const ready = (await received(page)).find((m) => m.data.type === 'netready:ready')!.data;
  expect(ready).toMatchObject({ plans: ['connectivity', 'full', 'deep'], locales: ['en', 'de'], targets: [] });

  const post = (message: unknown) =>
    page.evaluate(({ message, origin }) => document.querySelector('iframe')!.contentWindow!.postMessage(message, origin), { message, origin: webUrl });
  const errors = async () => (await received(page)).filter((m) => m.data.type === 'netready:error').map((m) => m.data);
  await post({ type: 'netready:hello', version: 1 });
  await post({ type: 'netready:start', version: 2 });
  await expect.poll(async () => (await errors()).length).toBe(1);
  await post({ type: 'netready:start', version: 1, options: { plan: 'fastest' } });
  await expect.poll(async () => (await errors()).length).toBe(2);
  await post({ type: 'netready:start', version: 1, options: { targets: ['Acme media'] } });
  await expect.poll(async () => (await errors()).length).toBe(3);
  const [version, plan, target] = await errors();
  // The unknown type was ignored: the first error is the version's.
  expect(version).toMatchObject({ code: 'unsupported-version', message: expect.stringContaining('version 1') });
  expect(plan).toMatchObject({ code: 'invalid-options', message: expect.stringContaining('options.plan') });
  expect(target).toMatchObject({ code: 'invalid-options', message: expect.stringContaining('no targets configured') });

  await post({ type: 'netready:start', version: 1, options: { plan: 'connectivity', theme: { mode: 'dark', accent: '#f59e0b' }, locale: 'de-CH' } });
  const frame = page.frameLocator('#network-check iframe');
  await expect(frame.getByRole('heading', { name: 'Bereit für Anrufe' })).toBeVisible({ timeout: 30_000 });
  const results = (await received(page)).filter((m) => m.data.type === 'netready:result');
  expect(results).toHaveLength(1);
  const result = results[0]!.data as unknown as ResultMessage;
  expect(result).toMatchObject({ verdict: 'ready' });
  expect(result.shareUrl).toBeUndefined();
  // No call-quality stream in the connectivity plan.
  const probes = (await received(page)).flatMap((m) => (m.data.type === 'netready:progress' && m.data.probe ? [(m.data as unknown as ProgressMessage).probe!.id] : []));
  expect(probes).toContain('turn-tls');
  expect(probes).not.toContain('media-quality');
  // Dark, with the host's accent (amber needs dark text on it).
  const root = frame.locator('.nr-embed');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await expect(root).toHaveCSS('color-scheme', 'dark');
  // Tailwind's slate-900: a dark background.
  expect(await backgroundLightness(root)).toBeLessThan(15);
  await expect(frame.getByRole('button', { name: 'Erneut prüfen' })).toBeVisible();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'embed-demo-dark-de.png'), fullPage: true });
});

test('in Firefox (no location.ancestorOrigins) the check finds its host by the referrer and reports to it', async () => {
  // The shared stack gives TURN/TLS by IP address, which Firefox does not use (turn-tls-needs-hostname): whatever the
  // verdict, what matters here is that every message reaches the host and says what the check shows.
  await withFirefox({ webUrl, dataDir: dataDir() }, undefined, async (context) => {
    const page = await context.newPage();
    await page.addInitScript(RECORD_MESSAGES);
    await page.goto(`${allowedUrl}/?plan=connectivity`);
    await expect(page.locator('#join-status')).not.toHaveAttribute('data-state', 'checking', { timeout: 30_000 });
    const messages = await received(page);
    expect(new Set(messages.map((m) => m.origin))).toEqual(new Set([webUrl]));
    expect(messages[0]?.data.type).toBe('netready:ready');
    const result = messages.find((m) => m.data.type === 'netready:result')?.data as unknown as ResultMessage;
    await expect(page.frameLocator('#network-check iframe').locator('#embed-verdict')).toHaveAttribute('data-verdict', result.verdict);
    expect(result.findings).toContainEqual(expect.objectContaining({ code: 'turn-tls-needs-hostname', category: 'deployment' }));
    expect(messages.filter((m) => m.data.type === 'netready:progress').length).toBeGreaterThan(10);
  });
});

test('the check is accessible in light and dark, idle and finished, and its Start button carries the host accent', async ({ page }) => {
  for (const [theme, accent] of [
    ['light', '#1d4ed8'],
    ['dark', '#fde047'],
  ] as const) {
    await page.goto(`${webUrl}/embed?theme=${theme}&accent=${encodeURIComponent(accent)}`);
    const start = page.getByRole('button', { name: 'Start check' });
    await expect(start).toBeVisible();
    // The accent as background; its ink chosen for contrast (white on blue, dark on yellow).
    const accentRgb = accent === '#1d4ed8' ? 'rgb(29, 78, 216)' : 'rgb(253, 224, 71)';
    await expect(start).toHaveCSS('background-color', accentRgb);
    await expect(start).toHaveCSS('color', accent === '#1d4ed8' ? 'rgb(255, 255, 255)' : 'rgb(15, 23, 42)');
    expect(await axeViolations(page)).toEqual([]);
    await start.click();
    await expect(page.locator('#embed-verdict')).toBeVisible({ timeout: 30_000 });
    expect(await axeViolations(page)).toEqual([]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.setViewportSize({ width: 420, height: 700 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `embed-${theme}.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('with no theme from the host the check follows the system’s colour scheme, also while open, and is accessible in auto-dark', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${webUrl}/embed`);
  const root = page.locator('.nr-embed');
  await expect(root).toHaveAttribute('data-theme', 'auto');
  await expect(root).toHaveCSS('color-scheme', 'dark');
  expect(await backgroundLightness(root)).toBeLessThan(15);
  // Opened alone (not framed), the page around the check is dark too.
  expect(await backgroundLightness(page.locator('html'))).toBeLessThan(15);
  const start = page.getByRole('button', { name: 'Start check' });
  await expect(start).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await start.click();
  await expect(page.locator('#embed-verdict')).toBeVisible({ timeout: 30_000 });
  expect(await axeViolations(page)).toEqual([]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'embed-auto-dark.png'), fullPage: true });

  // The system turns light while the check is open: so does the check, and the page around it.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(root).toHaveCSS('color-scheme', 'light');
  expect(await backgroundLightness(root)).toBeGreaterThan(95);
  await expect.poll(() => backgroundLightness(page.locator('html'))).toBeGreaterThan(95);
  expect(await axeViolations(page)).toEqual([]);
});

test('a host’s theme overrides the system’s: in a frame, light stays light under a dark system; alone, dark stays dark under a light one', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  // The demo host frames the check through the loader; without `theme` in its query it leaves the system's choice.
  await page.goto(`${allowedUrl}/?autostart=0`);
  const framed = page.frameLocator('#network-check iframe').locator('.nr-embed');
  await expect(framed).toHaveAttribute('data-theme', 'auto');
  await expect(framed).toHaveCSS('color-scheme', 'dark');
  expect(await backgroundLightness(framed)).toBeLessThan(15);

  await page.goto(`${allowedUrl}/?autostart=0&theme=light`);
  await expect(framed).toHaveAttribute('data-theme', 'light');
  await expect(framed).toHaveCSS('color-scheme', 'light');
  expect(await backgroundLightness(framed)).toBeGreaterThan(95);

  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${webUrl}/embed?theme=dark`);
  const alone = page.locator('.nr-embed');
  await expect(alone).toHaveCSS('color-scheme', 'dark');
  expect(await backgroundLightness(alone)).toBeLessThan(15);
  expect(await backgroundLightness(page.locator('html'))).toBeLessThan(15);
});
