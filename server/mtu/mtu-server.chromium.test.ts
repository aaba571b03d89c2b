/**
 * Real headless Chromium against the MTU ladder on loopback: every padded size (Don't-Fragment rungs and fragment
 * rungs) gives a server-reflexive candidate — Chromium accepts netready's comprehension-optional padding attribute —
 * and a padded TURN Allocate response gives a relay candidate. Loopback carries every size (MTU 65536), so nothing is
 * lost here; the network lab's `mtu-1280-icmp-blocked` row proves the sizes that do not fit are lost.
 * Runs under vitest beside its source (one Chromium); fails, saying what to install, when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { DEFAULT_FRAGMENT_SIZES, DEFAULT_MTU_SIZES, sizeOfMtuTurnTag } from '../../lib/protocol/mtu/ladder';
import type { TurnEvent } from '../../lib/protocol/turn/server';
import { mintTurnCredentials } from '../turn/credentials';
import { TurnServer } from '../turn/turn-server';
import { MtuServer } from './mtu-server';

const CHROMIUM_PATH = '/usr/bin/chromium';
const SECRET = 'chromium-mtu-test-secret-0123456789';

let browser: Browser | undefined;
let site: Server | undefined;
let siteUrl = '';
const pages: Page[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // Never skip to go green: without Chromium this suite fails and says what to install.
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (npm test installs it as root).`);
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>netready mtu check</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => site?.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 30_000);

afterEach(async () => {
  await Promise.allSettled(pages.splice(0).map((p) => p.close()));
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

async function newPage(): Promise<Page> {
  const page = await browser!.newPage();
  pages.push(page);
  await page.goto(siteUrl);
  return page;
}

/** In the page: one PeerConnection per ICE server config, all at once; which produced a candidate of `type` in time. */
async function gather(args: { configs: RTCConfiguration[]; type: string; timeoutMs: number }): Promise<Array<{ got: boolean; ms: number; candidate: string }>> {
  return Promise.all(
    args.configs.map(async (config) => {
      const started = performance.now();
      const pc = new RTCPeerConnection(config);
      pc.createDataChannel('mtu');
      try {
        const found = new Promise<string>((resolve) => {
          pc.addEventListener('icecandidate', (event) => {
            if (event.candidate?.type === args.type) resolve(event.candidate.candidate);
          });
        });
        await pc.setLocalDescription();
        const candidate = await Promise.race([found, new Promise<string>((resolve) => setTimeout(() => resolve(''), args.timeoutMs))]);
        return { got: candidate !== '', ms: Math.round(performance.now() - started), candidate };
      } finally {
        pc.close();
      }
    }),
  );
}

describe('the MTU ladder with real Chromium', () => {
  it('gets a server-reflexive candidate from every padded size, Don\'t-Fragment and fragment rungs alike', async () => {
    const server = new MtuServer({ ipv4: '127.0.0.1', firstPort: 0, sizes: DEFAULT_MTU_SIZES, fragmentSizes: DEFAULT_FRAGMENT_SIZES });
    closers.push(() => server.close());
    await server.listen();
    const page = await newPage();
    const rungs = server.rungs();
    const results = await page.evaluate(gather, { configs: rungs.map((r) => ({ iceServers: [{ urls: `stun:127.0.0.1:${r.port}` }] })), type: 'srflx', timeoutMs: 3000 });
    expect(results.map((r, i) => [rungs[i]!.sizeBytes, r.got])).toEqual(rungs.map((r) => [r.sizeBytes, true]));
    // What the server saw: each rung was asked and answered with its padded size.
    for (const stats of server.stats()) {
      expect(stats.requests).toBeGreaterThanOrEqual(1);
      expect(stats.responses).toBeGreaterThanOrEqual(1);
      expect(stats.sendErrors).toBe(0);
    }
    console.info(`[mtu chromium] srflx per size: ${results.map((r, i) => `${rungs[i]!.sizeBytes}${rungs[i]!.df ? '' : '(frag)'}=${r.ms}ms`).join(' ')}`);
  }, 30_000);

  it('gets a relay candidate from a TURN Allocate response padded to 1500 bytes, sent with Don\'t-Fragment', async () => {
    const events: TurnEvent[] = [];
    const turn = new TurnServer({
      realm: 'netready',
      secret: SECRET,
      udp: [{ ip: '127.0.0.1', port: 0, pmtuMode: 'probe' }],
      tcp: [],
      relayIp: '127.0.0.1',
      relayPortMin: 41_412,
      relayPortMax: 41_419,
      allocateResponseSize: sizeOfMtuTurnTag,
      onEvent: (e) => events.push(e),
    });
    closers.push(() => turn.close());
    await turn.listen();
    const port = turn.addresses().udp[0]!.port;
    const creds = mintTurnCredentials({ secret: SECRET, sessionId: 'chromium', ttlS: 600, nowMs: Date.now(), tag: 'mtu1500' });
    const page = await newPage();
    const [result] = await page.evaluate(gather, {
      configs: [{ iceServers: [{ urls: `turn:127.0.0.1:${port}?transport=udp`, username: creds.username, credential: creds.credential }], iceTransportPolicy: 'relay' as const }],
      type: 'relay',
      timeoutMs: 3000,
    });
    expect(result?.got).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'allocation-created', sessionId: 'chromium', paddedToBytes: 1500 }));
  }, 30_000);
});
