/**
 * The real check of the Firefox launcher: headless Firefox ESR (/usr/bin/firefox-esr, WebDriver BiDi) started on a
 * profile from createFirefoxProfile loads an HTTPS server using netready's development certificate only when the
 * profile's NSS DB trusts the dev CA — the trust TURN over TLS needs in `netready check --browser firefox`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCertificate } from '../server/tls/dev-ca';
import { createFirefoxProfile, findFirefox, launchFirefox } from './firefox';

let root: string;
let caPem: string;
let server: https.Server;
let url = '';
/** Page requests (GET /; Firefox also asks for /favicon.ico) the server answered: only after a handshake Firefox accepted. */
let requests = 0;

/** Starts Firefox on a fresh profile trusting `cas`, loads `url`, and returns the page text or the navigation error. */
async function load(cas: string[]): Promise<{ text: string } | { error: string }> {
  const profile = createFirefoxProfile(cas, { parent: root });
  try {
    const context = await launchFirefox({ executablePath: findFirefox(process.env), profile, url });
    try {
      const page = await context.newPage();
      try {
        await page.goto(url, { timeout: 10_000 });
        return { text: await page.innerText('body') };
      } catch (error) {
        return { error: (error as Error).message.split('\n')[0] ?? String(error) };
      }
    } finally {
      await context.close();
    }
  } finally {
    profile.cleanup();
  }
}

beforeAll(async () => {
  // Never skip to go green: without Firefox findFirefox throws and says what to install.
  findFirefox(process.env);
  root = mkdtempSync(path.join(os.tmpdir(), 'netready-firefox-launch-'));
  const dev = await ensureDevCertificate({ dataDir: root, hostNames: [], ipAddresses: [] });
  caPem = dev.caPem;
  server = https.createServer({ cert: dev.certPem, key: dev.keyPem }, (req, res) => {
    if (req.url === '/') requests += 1;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('netready dev leaf');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/`;
}, 30_000);

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('launchFirefox with real headless Firefox ESR', () => {
  it('loads the dev certificate\'s server when the profile trusts the dev CA, and refuses it on a profile that does not', async () => {
    expect(await load([caPem])).toEqual({ text: 'netready dev leaf' });
    expect(requests).toBe(1);
    // Over BiDi the refused certificate surfaces only as a failed navigation ("unknown error"); the server shows it
    // was the handshake: no request arrived.
    expect(await load([])).toEqual({ error: expect.stringContaining('page.goto') });
    expect(requests).toBe(1);
  }, 60_000);
});
