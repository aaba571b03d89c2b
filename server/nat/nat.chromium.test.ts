/**
 * Real headless Chromium runs the nat probe against a real probe server on loopback with a second address
 * (`probe.stunAltIp` 127.0.0.2 — Linux routes all of 127/8 to lo): loopback has no NAT, so every endpoint must see the
 * browser's socket at the same address and port (endpoint-independent mapping, or "no NAT" where the browser shows its
 * own address), the server must say so too, and unsolicited ICE checks from the other port and the other address must
 * be answered (endpoint-independent filtering) — which proves Chromium answers the server's checks at all.
 * Fails, saying what to install, when /usr/bin/chromium is absent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { ConfigSchema } from '../../lib/config/schema';
import type { NatData } from '../../lib/probes/nat';
import type { ProbeOutcome } from '../../lib/schema/result';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { natPageScript } from './testing/nat-page';

const CHROMIUM_PATH = '/usr/bin/chromium';
const BASE = 41_000 + Math.floor(Math.random() * 40) * 20;

let browser: Browser | undefined;
let site: Server | undefined;
let siteUrl = '';
let dataDir = '';
let server: ProbeServer | undefined;
let info: ProbeServerInfo;
let page: Page | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (npm test installs it as root).`);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-nat-chromium-'));
  server = new ProbeServer(
    ConfigSchema.parse({ dataDir, probe: loopbackProbeSection([BASE, BASE + 7], [BASE + 8, BASE + 15], { stunAltPorts: [BASE + 16], stunAltIp: '127.0.0.2' }) }),
    { info: () => undefined, error: () => undefined },
  );
  info = await server.start();
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>netready nat check</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => site?.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.goto(siteUrl);
  await page.addScriptTag({ content: natPageScript() });
}, 30_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the nat probe in real Chromium on loopback', () => {
  it('finds one mapping for the primary, alternate-port and second-address endpoints, confirmed by what the server saw, and every unsolicited check answered', async () => {
    const outcome = (await page!.evaluate(async (probeUrl) => {
      const run = (globalThis as unknown as { __netreadyNat(o: { probeUrl: string }): Promise<ProbeOutcome | undefined> }).__netreadyNat;
      return run({ probeUrl });
    }, info.httpUrl)) as ProbeOutcome | undefined;
    expect(outcome, 'the nat probe ran').toBeDefined();
    const data = outcome!.data as unknown as NatData;
    expect(data.endpoints.map((e) => e.role)).toEqual(['primary', 'alt-port', 'alt-address']);
    expect(outcome!.status, `${outcome!.reason} ${JSON.stringify(outcome!.data)}`).toBe('pass');
    expect(['endpoint-independent', 'no-nat']).toContain(data.mapping);
    // Chromium reports one srflx for identical mappings: the primary's (or the first to answer).
    expect(data.mapped.length).toBeGreaterThanOrEqual(1);
    const first = data.mapped[0]!;
    // The server saw the same source address and port on all three endpoints.
    for (const role of ['primary', 'alt-port', 'alt-address'] as const) {
      expect(data.serverSaw?.some((s) => s.role === role && s.address === first.address && s.port === first.port), `the ${role} endpoint saw ${first.address}:${first.port}`).toBe(true);
    }
    expect(data.filtering).toBe('endpoint-independent');
    expect(data.filteringChecks?.map((c) => [c.role, c.answered])).toEqual([
      ['alt-port', true],
      ['alt-address', true],
    ]);
    expect(data.ipv6.state).toBe('not-tested');
    expect(outcome!.durationMs).toBeLessThan(2500);
    console.info(`nat probe on loopback: ${outcome!.durationMs} ms; timings ${JSON.stringify(data.timings)}; mapped ${JSON.stringify(data.mapped)}; checks ${JSON.stringify(data.filteringChecks)}`);
  }, 20_000);
});
