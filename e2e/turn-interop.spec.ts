/**
 * TURN interop in real Chromium, against two independent servers: netready's own TURN server and coturn (the
 * Debian package). Two relay-only peer connections in one page connect through the server's relays over UDP,
 * TCP and TLS and exchange DataChannel messages. The same page code runs against both servers, so a pass here
 * means netready's TURN behaves like the reference implementation for Chromium.
 * Chromium only: it compares netready's TURN with coturn for Chromium, and launches Chromium itself for the untrusted case.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { LAUNCH_OPTIONS } from './support/browser';
import { mintTurnCredentials } from '../server/turn/credentials';
import { startCoturn, type RunningCoturn } from './support/coturn';
import { relayPairCheck } from './support/relay-pair';

const MESSAGES = 10;
const dataDir = (): string => process.env.NETREADY_E2E_DATA_DIR ?? '';
const probeUrl = (): string => process.env.NETREADY_E2E_PROBE_URL ?? '';

let coturn: RunningCoturn;
const COTURN_SECRET = 'coturn-interop-secret-0123456789';

test.beforeAll(async () => {
  const tls = path.join(dataDir(), 'tls');
  coturn = await startCoturn({
    listeningIp: '127.0.0.1',
    port: 0,
    tlsPort: 23979,
    cert: readFileSync(path.join(tls, 'cert.pem'), 'utf8'),
    key: readFileSync(path.join(tls, 'key.pem'), 'utf8'),
    secret: COTURN_SECRET,
    realm: 'netready',
    relayIp: '127.0.0.1',
    minPort: 23900,
    maxPort: 23970,
    // Both in-page peers' relays are on 127.0.0.1; coturn refuses loopback peers unless told otherwise.
    allowLoopbackPeers: true,
  });
});

test.afterAll(async () => {
  await coturn?.stop();
});

async function netreadyTurn(transport: 'udp' | 'tcp' | 'tls'): Promise<{ url: string; username: string; credential: string }> {
  const response = await fetch(`${probeUrl()}/v1/sessions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  const session = (await response.json()) as { turn: Array<{ transport: string; url: string; username: string; credential: string }> };
  const entry = session.turn.find((t) => t.transport === transport);
  if (!entry) throw new Error(`no ${transport} TURN URL in the session`);
  return entry;
}

function coturnTurn(transport: 'udp' | 'tcp' | 'tls'): { url: string; username: string; credential: string } {
  const creds = mintTurnCredentials({ secret: COTURN_SECRET, sessionId: `interop-${transport}`, ttlS: 600, nowMs: Date.now() });
  const url =
    transport === 'tls' ? `turns:127.0.0.1:${coturn.tlsPort}?transport=tcp` : `turn:127.0.0.1:${coturn.port}?transport=${transport}`;
  return { url, username: creds.username, credential: creds.credential };
}

for (const server of ['netready', 'coturn'] as const) {
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    test(`Chromium relays data through ${server} over TURN/${transport.toUpperCase()}`, async ({ page }) => {
      await page.goto('about:blank');
      const turn = server === 'netready' ? await netreadyTurn(transport) : coturnTurn(transport);
      const out = await page.evaluate(relayPairCheck, { ...turn, messages: MESSAGES, timeoutMs: 8000 });
      expect(out.failure, JSON.stringify(out.errors)).toBeUndefined();
      expect(out.relayCandidates.length).toBeGreaterThan(0);
      expect(out.received).toBe(MESSAGES);
      expect(out.selectedLocal).toMatchObject({ candidateType: 'relay', relayProtocol: transport });
    });
  }
}

test('Chromium gets no TLS relay when it does not trust the server certificate', async () => {
  // Same server and URL as the passing TLS test, but a browser whose NSS DB lacks the dev CA: TURN-TLS goes
  // through Chromium's certificate verifier, so the relay must not come up (and nothing may hang).
  const home = mkdtempSync(path.join(os.tmpdir(), 'netready-untrusted-'));
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, env: { ...process.env, HOME: home } });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    const turn = await netreadyTurn('tls');
    const out = await page.evaluate(relayPairCheck, { ...turn, messages: 1, timeoutMs: 3000 });
    expect(out.failure).toContain('timeout');
    expect(out.relayCandidates).toEqual([]);
    expect(out.received).toBe(0);
  } finally {
    await browser.close();
    rmSync(home, { recursive: true, force: true });
  }
});
