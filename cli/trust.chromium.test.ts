/**
 * The real check of `netready trust`: headless Chromium (/usr/bin/chromium) with HOME set to a temporary folder
 * reads `$HOME/.pki/nssdb`, as a person's Chromium on Linux does. Before `trust` it refuses an HTTPS server that
 * uses netready's development certificate; after `trust` (and a browser restart) it loads it; after `untrust` it
 * refuses it again. A leaf outside the CA's name constraints, signed with the CA's own key, stays refused even
 * while the CA is trusted.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLeafWithDevCa } from '../server/tls/testing/sign-leaf';
import { CHROMIUM_ARGS } from './chromium';
import { runTrustCommand, TEST_SYSTEM_STORE_ENV } from './trust';

const CHROMIUM_PATH = '/usr/bin/chromium';

let root: string;
let home: string;
let dataDir: string;
const servers: https.Server[] = [];
let devUrl = '';
let outsideUrl = '';
let insideUrl = '';

/** An HTTPS server on 127.0.0.1, port 0, answering "netready dev leaf" with the given certificate. */
async function serve(certPem: string, keyPem: string): Promise<number> {
  const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('netready dev leaf');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function trustCommand(command: 'trust' | 'untrust'): Promise<number> {
  writeFileSync(path.join(root, 'config.json'), '{}');
  return runTrustCommand(command, [], {
    env: { PATH: process.env.PATH, HOME: home, NETREADY_DATA_DIR: dataDir, NETREADY_CONFIG: path.join(root, 'config.json'), [TEST_SYSTEM_STORE_ENV]: path.join(root, 'system-store') },
    cwd: root,
    out: () => undefined,
    err: () => undefined,
    isRoot: false,
    interactive: false,
  });
}

/**
 * Starts a fresh headless Chromium with HOME = the temporary home (browsers read the NSS database when they start),
 * loads `url`, and returns the page text or the navigation error.
 */
async function load(url: string): Promise<{ text: string } | { error: string }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP evil.example 127.0.0.1'],
    env: { ...process.env, HOME: home },
  });
  try {
    const page = await browser.newPage();
    try {
      await page.goto(url, { timeout: 10_000 });
      return { text: await page.innerText('body') };
    } catch (error) {
      return { error: (error as Error).message.split('\n')[0] ?? String(error) };
    }
  } finally {
    await browser.close();
  }
}

beforeAll(async () => {
  // Never skip to go green: without Chromium this suite fails and says what to install.
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (npm test installs it as root).`);
  root = mkdtempSync(path.join(os.tmpdir(), 'netready-trust-chromium-'));
  home = path.join(root, 'home');
  dataDir = path.join(root, 'data');
  mkdirSync(home);
  // `trust` makes the CA and leaf (as the probe would on first start); `untrust` straight away leaves no trace, so
  // the first page load below sees an untrusted CA.
  expect(await trustCommand('trust')).toBe(0);
  expect(await trustCommand('untrust')).toBe(0);
  const tlsDir = path.join(dataDir, 'tls');
  devUrl = `https://localhost:${await serve(readFileSync(path.join(tlsDir, 'cert.pem'), 'utf8'), readFileSync(path.join(tlsDir, 'key.pem'), 'utf8'))}/`;
  const outside = await signLeafWithDevCa(dataDir, ['evil.example']);
  outsideUrl = `https://evil.example:${await serve(outside.certPem, outside.keyPem)}/`;
  // The control for the one above: the same helper signing a name inside the constraints.
  const inside = await signLeafWithDevCa(dataDir, ['localhost']);
  insideUrl = `https://localhost:${await serve(inside.certPem, inside.keyPem)}/`;
}, 30_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('netready trust with real headless Chromium', () => {
  it('Chromium refuses the dev certificate before trust, loads it after trust, and refuses it again after untrust', async () => {
    expect(await load(devUrl)).toEqual({ error: expect.stringContaining('net::ERR_CERT_AUTHORITY_INVALID') });

    expect(await trustCommand('trust')).toBe(0);
    expect(await load(devUrl)).toEqual({ text: 'netready dev leaf' });

    expect(await trustCommand('untrust')).toBe(0);
    expect(await load(devUrl)).toEqual({ error: expect.stringContaining('net::ERR_CERT_AUTHORITY_INVALID') });
  }, 60_000);

  it('Chromium refuses a leaf outside the trusted CA\'s name constraints, signed with the CA key', async () => {
    expect(await trustCommand('trust')).toBe(0);
    try {
      expect(await load(insideUrl)).toEqual({ text: 'netready dev leaf' });
      // Chromium 156 reports the violated name constraint as ERR_CERT_INVALID.
      expect(await load(outsideUrl)).toEqual({ error: expect.stringContaining('net::ERR_CERT_INVALID') });
    } finally {
      await trustCommand('untrust');
    }
  }, 60_000);
});
