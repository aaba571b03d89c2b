/**
 * "Never blame the network for netready", end to end with real Chromium against a real stack of its own:
 *  - a browser that does not trust netready's development certificate gets the deployment finding
 *    `probe-certificate-untrusted` and a `ready` verdict, never `turn-tls-failed` — and the server saw the rejection;
 *  - a probe server killed in the middle of the quality stream gives `server-unreachable`, never packet loss or a
 *    transport finding;
 *  - a flood of silent and one-byte connections from another address does not break a concurrent check.
 * Chromium only: it launches Chromium itself (a sandbox HOME without the dev CA, a browser killed mid-run).
 */
import { expect, test } from '@playwright/test';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, createBrowserSandbox } from '../cli/chromium';
import { ResultSchema, type Result } from '../lib/schema/result';
import { CHROMIUM_PATH } from './support/browser';
import { runCli } from './support/cli';
import { portsFrom, startProbe, startStack, type Stack } from './support/stack';

let stack: Stack;

test.beforeAll(async () => {
  stack = await startStack(portsFrom(25000));
});

test.afterAll(async () => {
  await stack?.stop();
});

const NETWORK_CODES_ON_LOOPBACK = (result: Result): string[] => result.findings.filter((f) => (f.category ?? 'network') === 'network').map((f) => f.code);

interface Seen {
  observations: unknown[];
  tlsHandshakes: Array<{ listener: string; outcome: string; alert?: string }>;
}

async function serverView(result: Result): Promise<Seen> {
  const sessionId = result.probes.session!.data.sessionId as string;
  return (await (await fetch(`${stack.probeUrl}/v1/sessions/${sessionId}/observations`)).json()) as Seen;
}

test('check --no-trust-dev-ca: ready, with probe-certificate-untrusted and without turn-tls-failed; the server saw the browser reject its certificate', async () => {
  const run = await runCli(['check', '--url', stack.webUrl, '--json', '--no-trust-dev-ca']);
  expect(run.code, run.stderr).toBe(0);
  const result = ResultSchema.parse(JSON.parse(run.stdout));
  expect(result.verdict).toBe('ready');
  expect(result.findings.map((f) => [f.code, f.category])).toEqual([['probe-certificate-untrusted', 'deployment']]);
  expect(result.findings.map((f) => f.code)).not.toContain('turn-tls-failed');
  // TURN over TLS and the wss:// WebSocket are "not tested", with the reason; TLS needed nothing else to decide.
  expect(result.probes['turn-tls']).toMatchObject({
    status: 'inconclusive',
    reclassified: { from: 'fail', because: 'probe-certificate-untrusted' },
    explainedBy: ['probe-certificate-untrusted'],
    data: { timedOut: false, decidedBy: { errorKind: 'connect-failed', errorCode: 701 } },
  });
  expect(result.probes.websocket).toMatchObject({ status: 'inconclusive', reclassified: { because: 'probe-certificate-untrusted' } });
  // What the server saw: this browser aborted TLS with a certificate alert on both TLS listeners.
  const seen = await serverView(result);
  const rejected = seen.tlsHandshakes.filter((h) => h.outcome === 'certificate-rejected');
  expect(new Set(rejected.map((h) => h.listener))).toEqual(new Set(['https', 'turn-tls']));
  expect(rejected.every((h) => h.alert === 'certificate_unknown')).toBe(true);
  // Every probe that did not pass names what explains it.
  for (const [id, outcome] of Object.entries(result.probes)) {
    if (outcome.status === 'fail' || outcome.status === 'warn' || outcome.reclassified) expect(outcome.explainedBy, id).toBeDefined();
  }
});

test('check with the development CA trusted: ready, no deployment finding, every TLS handshake completed', async () => {
  const run = await runCli(['check', '--url', stack.webUrl, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const result = ResultSchema.parse(JSON.parse(run.stdout));
  expect(result.verdict).toBe('ready');
  expect(result.findings).toEqual([]);
  const seen = await serverView(result);
  expect(seen.tlsHandshakes.length).toBeGreaterThan(0);
  expect(seen.tlsHandshakes.every((h) => h.outcome === 'completed')).toBe(true);
});

test('a probe server killed during the quality stream gives server-unreachable, never packet loss or a transport finding', async () => {
  const sandbox = createBrowserSandbox([readFileSync(path.join(stack.dataDir, 'tls', 'ca.pem'), 'utf8')]);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, env: { ...process.env, HOME: sandbox.home } });
  try {
    const page = await browser.newPage();
    let report: (value: unknown) => void = () => undefined;
    const reported = new Promise<unknown>((resolve) => (report = resolve));
    await page.exposeFunction('__netreadyReport', (value: unknown) => report(value));
    await page.goto(`${stack.webUrl}/?autostart=1`);
    // The moment the quality stream is under way, the probe server goes away.
    const qualityRow = page.getByRole('list', { name: 'Checks' }).getByRole('listitem').filter({ hasText: 'Call quality on the path a call would take' });
    await expect(qualityRow).toContainText('Running');
    await stack.probe.stop();
    const result = ResultSchema.parse(await reported);
    await expect(page.getByRole('heading', { name: 'Could not complete the test' })).toBeVisible();
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => f.code)).toContain('server-unreachable');
    expect(result.findings.find((f) => f.code === 'server-unreachable')?.title).toContain('stopped answering');
    expect(NETWORK_CODES_ON_LOOPBACK(result)).toEqual([]);
    expect(result.probes['server-view']).toMatchObject({ status: 'fail', explainedBy: ['server-unreachable'] });
    // The quality measurement it cut short is "not decided", not a measurement of the network.
    expect(result.probes['media-quality']?.status).not.toBe('pass');
  } finally {
    await browser.close();
    sandbox.cleanup();
    stack.probe = await startProbe(stack.env, stack.probeUrl);
  }
});

/** Opens `count` TCP connections from `localAddress` to `port`, each sending `bytes` (0: silent). */
async function flood(port: number, count: number, bytes: number, localAddress: string): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
          if (bytes > 0) socket.write(Buffer.alloc(bytes, 0x16));
          resolve();
        });
        socket.on('error', () => resolve());
        // Read (and drop) whatever comes, so the socket sees the server's FIN or RST and closes.
        socket.resume();
        sockets.push(socket);
      }),
    ),
  );
  return sockets;
}

test('a flood of silent and one-byte connections from another address does not break a concurrent check', async () => {
  // The attacker holds ~1,100 connections on each TCP listener from 127.0.0.2 (Linux routes all of 127/8 to lo);
  // the check runs from 127.0.0.1. Before the connection limits, this made TURN/TCP and TURN/TLS time out.
  const attacker = [
    ...(await flood(stack.ports.turn, 1100, 1, '127.0.0.2')),
    ...(await flood(stack.ports.tls, 1100, 1, '127.0.0.2')),
    ...(await flood(stack.ports.https, 1000, 0, '127.0.0.2')),
  ];
  try {
    const run = await runCli(['check', '--url', stack.webUrl, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = ResultSchema.parse(JSON.parse(run.stdout));
    expect(result.verdict).toBe('ready');
    expect(result.findings).toEqual([]);
    for (const transport of ['tcp', 'tls']) expect(result.probes[`turn-${transport}`]?.status).toBe('pass');
    // The server closed the attacker's connections instead of keeping them (handshake deadline, per-address caps).
    await expect.poll(() => attacker.filter((s) => !s.destroyed && !s.closed).length, { timeout: 15_000 }).toBe(0);
  } finally {
    for (const socket of attacker) socket.destroy();
  }
});
