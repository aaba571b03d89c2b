import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEmbedLoader, measureFirstLoadJs, measureRunChunk } from './first-load-js';

const SCRIPT_A = `window.a = ${JSON.stringify('x'.repeat(5000))};`;
const SCRIPT_B = 'window.b = 1;';
/** Fetched by script B after load: still part of the first load (the network is not idle yet). */
const SCRIPT_LATE = 'window.late = 2;';
/** Loaded by Start (an inline handler: not a script resource), like the runner's run chunk; shows the verdict. */
const SCRIPT_RUN = `document.body.insertAdjacentHTML('beforeend', '<h2 id="run-verdict">Ready</h2>');`;
const START = "const s = document.createElement('script'); s.src = '/run.js'; document.head.append(s);";

let server: http.Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (req.url === '/') return send('text/html', `<script src="/a.js"></script><script src="/b.js"></script><button onclick="${START}">Start</button>`);
    if (req.url === '/bare') return send('text/html', '<p>no scripts</p>');
    if (req.url === '/a.js') return send('text/javascript', SCRIPT_A);
    if (req.url === '/b.js') return send('text/javascript', `${SCRIPT_B} setTimeout(() => { const s = document.createElement('script'); s.src = '/late.js'; document.head.append(s); }, 50);`);
    if (req.url === '/late.js') return send('text/javascript', SCRIPT_LATE);
    if (req.url === '/run.js') return send('text/javascript', SCRIPT_RUN);
    if (req.url === '/embed.js') return res.writeHead(404, { 'content-type': 'text/html' }).end('not found');
    res.writeHead(404, { 'content-type': 'text/html' }).end('<p>not found</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium', headless: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('measureFirstLoadJs', () => {
  it('sums the gzipped bodies of every script the route fetched, including one loaded after the document', async () => {
    const sizes = await measureFirstLoadJs({ browser, baseUrl, routes: ['/', '/bare'] });
    const gz = (s: string) => gzipSync(Buffer.from(s), { level: 9 }).length;
    const first = sizes['/']!;
    expect(first.scripts).toBe(3);
    expect(first.files.map((f) => f.path).sort()).toEqual(['/a.js', '/b.js', '/late.js']);
    expect(first.files.find((f) => f.path === '/a.js')!.gzipBytes).toBe(gz(SCRIPT_A));
    expect(first.gzipBytes).toBe(first.files.reduce((sum, f) => sum + f.gzipBytes, 0));
    expect(first.rawBytes).toBeGreaterThan(SCRIPT_A.length);
    expect(first.gzipBytes).toBeLessThan(first.rawBytes);
    expect(sizes['/bare']).toEqual({ gzipBytes: 0, rawBytes: 0, scripts: 0, files: [] });
  }, 30_000);

  it('rejects a route that does not answer 200', async () => {
    await expect(measureFirstLoadJs({ browser, baseUrl, routes: ['/missing'] })).rejects.toThrow(/GET \/missing answered 404/);
  }, 30_000);
});

describe('measureRunChunk', () => {
  it('counts only the scripts that pressing Start fetched, up to the verdict', async () => {
    const run = await measureRunChunk({ browser, baseUrl, timeoutMs: 10_000 });
    expect(run.scripts).toBe(1);
    expect(run.files).toEqual([{ path: '/run.js', gzipBytes: gzipSync(Buffer.from(SCRIPT_RUN), { level: 9 }).length }]);
  }, 30_000);
});

describe('measureEmbedLoader', () => {
  it('reports no figure, with the reason, when the app does not serve /embed.js', async () => {
    const size = await measureEmbedLoader(baseUrl);
    expect(size.gzipBytes).toBeNull();
    expect(size).toMatchObject({ reason: expect.stringMatching(/GET \/embed\.js answered 404/) });
  });
});
