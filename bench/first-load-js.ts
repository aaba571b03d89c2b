/**
 * First-load JavaScript of the web app's routes, as a browser sees it (issue 16, "a lean page"): every script the
 * page fetches from navigation until the network is idle, each body gzipped here (level 9) and summed. Gzipping the
 * bodies ourselves makes the figure independent of whether the server compresses (the Next server does; a proxy in
 * front may not), and it counts exactly what the browser loaded — not what a build manifest claims it would.
 *
 * A run's probes and engine are loaded only when a run starts, so a route is loaded WITHOUT `?autostart=1`.
 */
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';

/** What one route's first load fetched. */
export interface FirstLoadJs {
  /** Sum of each script body gzipped (level 9), bytes. */
  gzipBytes: number;
  /** Sum of the uncompressed script bodies, bytes. */
  rawBytes: number;
  /** How many scripts were fetched. */
  scripts: number;
  /** Each script's path and gzipped size in bytes, largest first (to see what to shrink). */
  files: Array<{ path: string; gzipBytes: number }>;
}

/** The `/embed.js` loader's size, or why there is no figure. */
export type EmbedLoaderSize = { gzipBytes: number; rawBytes: number } | { gzipBytes: null; reason: string };

/** Options of measureFirstLoadJs. */
export interface FirstLoadOptions {
  /** A launched Chromium (headless); a fresh context per route keeps the HTTP cache empty. */
  browser: Browser;
  /** Base URL of the running web app, e.g. `http://127.0.0.1:25000`. */
  baseUrl: string;
  /** Route paths to load, e.g. `['/', '/embed']`. */
  routes: readonly string[];
}

/** Records every script the page fetches from now on; the returned function sums them, largest first. */
function collectScripts(page: Page): () => Promise<FirstLoadJs> {
  const bodies: Array<Promise<{ path: string; raw: number; gzip: number }>> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    bodies.push(response.body().then((body) => ({ path: new URL(response.url()).pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length })));
  });
  return async () => summarize(await Promise.all(bodies));
}

/** Sums fetched scripts, largest first. */
function summarize(files: Array<{ path: string; raw: number; gzip: number }>): FirstLoadJs {
  const sorted = [...files].sort((a, b) => b.gzip - a.gzip);
  return {
    gzipBytes: sorted.reduce((sum, f) => sum + f.gzip, 0),
    rawBytes: sorted.reduce((sum, f) => sum + f.raw, 0),
    scripts: sorted.length,
    files: sorted.map((f) => ({ path: f.path, gzipBytes: f.gzip })),
  };
}

/** Loads each route in a fresh browser context and sums the gzipped size of every script it fetched. */
export async function measureFirstLoadJs({ browser, baseUrl, routes }: FirstLoadOptions): Promise<Record<string, FirstLoadJs>> {
  const out: Record<string, FirstLoadJs> = {};
  for (const route of routes) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const scripts = collectScripts(page);
      const navigation = await page.goto(new URL(route, baseUrl).href, { waitUntil: 'networkidle' });
      if (!navigation?.ok()) throw new Error(`GET ${route} answered ${navigation?.status() ?? 'nothing'}`);
      out[route] = await scripts();
    } finally {
      await context.close();
    }
  }
  return out;
}

/** Options of measureRunChunk. */
export interface RunChunkOptions {
  /** A launched Chromium (headless). */
  browser: Browser;
  /** Base URL of the running web app. */
  baseUrl: string;
  /** Longest wait for the verdict after Start, ms. Default 60000. */
  timeoutMs?: number;
}

/**
 * What pressing Start on `/` fetches as script: the run's probes, engine and result view, which the first load
 * leaves out. Loads `/` until the network is idle, presses Start and waits for the verdict heading.
 */
export async function measureRunChunk({ browser, baseUrl, timeoutMs = 60_000 }: RunChunkOptions): Promise<FirstLoadJs> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const navigation = await page.goto(new URL('/', baseUrl).href, { waitUntil: 'networkidle' });
    if (!navigation?.ok()) throw new Error(`GET / answered ${navigation?.status() ?? 'nothing'}`);
    const scripts = collectScripts(page);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('#run-verdict').waitFor({ timeout: timeoutMs });
    return await scripts();
  } finally {
    await context.close();
  }
}

/** The size of `/embed.js` (issue 14's loader); null with the reason when the app does not serve it. */
export async function measureEmbedLoader(baseUrl: string): Promise<EmbedLoaderSize> {
  const response = await fetch(new URL('/embed.js', baseUrl));
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !/javascript/.test(type)) {
    await response.body?.cancel();
    return { gzipBytes: null, reason: `GET /embed.js answered ${response.status} ${type || 'without a content type'}: the loader is not built (npm run build writes public/embed.js)` };
  }
  const body = Buffer.from(await response.arrayBuffer());
  return { gzipBytes: gzipSync(body, { level: 9 }).length, rawBytes: body.length };
}
