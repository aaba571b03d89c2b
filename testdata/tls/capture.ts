/**
 * Captures real ClientHellos for testdata/tls/ (see README.md): runs netready's TLS mirror on loopback with a
 * throwaway certificate, loads `https://127.0.0.1:<port>/v1/tls/mirror` in Debian's Chromium — once directly,
 * once through a loopback squid as a plain explicit proxy (CONNECT tunnel), once through a loopback squid doing
 * ssl-bump — and writes what the mirror received.
 *   npx tsx testdata/tls/capture.ts            (root: squid drops to the `proxy` user)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { createMirrorRoutes, type TlsMirrorBody } from '../../server/tls-mirror/mirror-routes';
import { TlsMirrorServer } from '../../server/tls-mirror/tls-mirror-server';
import { startLoopbackSquid } from '../../server/tls-mirror/testing/loopback-squid';

const HERE = import.meta.dirname;
const CHROMIUM = process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium';

async function fetchMirror(url: string, proxyUrl: string | null): Promise<TlsMirrorBody> {
  const args = [...CHROMIUM_ARGS, '--headless'];
  // Chromium never proxies loopback unless told so (`<-loopback>` removes the implicit bypass rule).
  if (proxyUrl) args.push(`--proxy-server=${proxyUrl}`, '--proxy-bypass-list=<-loopback>');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const response = await page.goto(url);
    if (!response || response.status() !== 200) throw new Error(`GET ${url} → ${response?.status()}`);
    return JSON.parse(await response.text()) as TlsMirrorBody;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-capture-'));
  let mirror: TlsMirrorServer | undefined;
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=netready capture', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    const routes = createMirrorRoutes({ listener: 'https', clientHelloOf: (req) => mirror?.clientHelloOf(req) ?? null });
    mirror = new TlsMirrorServer({
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      onRequest: (req, res) => {
        if (!routes(req, res)) (res as import('node:http').ServerResponse).writeHead(404).end();
      },
    });
    const { port } = await mirror.listen(0, '127.0.0.1');
    const url = `https://127.0.0.1:${port}/v1/tls/mirror`;
    const version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
    const write = (name: string, how: string, body: TlsMirrorBody): void => {
      const userAgent = body.headers.find(([n]) => n === 'user-agent')?.[1] ?? null;
      const record = { capturedWith: version, how, userAgent, negotiatedAlpn: body.negotiatedAlpn, httpVersion: body.httpVersion, ja4: body.ja4, ja4Raw: body.ja4Raw, handshakeBase64: body.handshakeBase64 };
      writeFileSync(path.join(HERE, name), `${JSON.stringify(record, null, 2)}\n`);
      console.log(`${name}: ${body.ja4} (${body.negotiatedAlpn})`);
    };
    write('chromium-156-direct.json', 'Chromium → netready TLS mirror on 127.0.0.1, no proxy', await fetchMirror(url, null));
    const explicit = await startLoopbackSquid('explicit');
    try {
      write('chromium-156-via-squid-connect.json', 'Chromium → squid 5.7 explicit proxy (CONNECT tunnel, no inspection) on 127.0.0.1 → netready TLS mirror', await fetchMirror(url, explicit.proxyUrl));
    } finally {
      await explicit.stop();
    }
    const squid = await startLoopbackSquid('bump');
    try {
      write('squid-5.7-ssl-bump.json', 'Chromium → squid 5.7 ssl-bump (peek step1, bump all) on 127.0.0.1 → netready TLS mirror: the ClientHello is squid\'s', await fetchMirror(url, squid.proxyUrl));
    } finally {
      await squid.stop();
    }
  } finally {
    await mirror?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
