/**
 * Issue 12 item 4, acceptance on loopback through the real probe server (one ConnectionGuard shared by every TCP
 * listener, configured from `probe.connections`): slow-connection floods against the HTTPS listener (silent
 * connections, half ClientHellos) and the plain-HTTP listener (slowloris request heads) from 127.0.0.1 do not stop
 * 127.0.0.2's requests and are closed at the deadline; the session cap answers 503 `server_busy`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../lib/config/schema';
import { GUARD_SWEEP_INTERVAL_MS } from './net/connection-guard';
import { openFlood, type Flood } from './net/testing/flood';
import { ProbeServer, type ProbeServerInfo } from './probe-server';
import { loopbackProbeSection } from './tls/testing/loopback-probe';

const ATTACKER = '127.0.0.1';
const CLIENT = '127.0.0.2';
/** The smallest deadline the configuration accepts keeps the tests short; the default is 5 s. */
const HANDSHAKE_TIMEOUT_MS = 1000;
/** One sweep plus scheduling on a busy 2-core machine. */
const DEADLINE_SLACK_MS = GUARD_SWEEP_INTERVAL_MS + 1250;
/** A request on loopback takes a few ms; a few hundred with the attacker on the same event loop and cores. */
const NORMAL_REQUEST_MS = 2000;

let dataDir: string;
let server: ProbeServer;
let info: ProbeServerInfo;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-limits-'));
  const config = ConfigSchema.parse({
    dataDir,
    probe: loopbackProbeSection([41300, 41349], [41350, 41399], { maxLiveSessions: 3, connections: { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, idleTimeoutMs: 2000 } }),
  });
  server = new ProbeServer(config, { info: () => undefined, error: () => undefined });
  info = await server.start();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const floods: Flood[] = [];
afterEach(() => {
  for (const flood of floods.splice(0)) flood.destroy();
});

/** GET `url` from CLIENT on a fresh connection; resolves with the status and how long it took. */
function getFrom(url: string, ca?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { localAddress: CLIENT, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    request.on('error', reject);
  });
}

/** Opens the floods, waits until the attacker has hit its handshake cap, and runs `legit` meanwhile. */
async function duringFlood<T>(targets: Array<Parameters<typeof openFlood>>, legit: () => Promise<T>): Promise<{ result: T; opened: Flood[] }> {
  const atCap = new Promise<void>((resolve) => {
    const unsubscribe = server.limits.subscribe((event) => {
      if (event.reason !== 'handshakes-per-address') return;
      unsubscribe();
      resolve();
    });
  });
  const opening = Promise.all(targets.map((args) => openFlood(...args))).then((all) => {
    floods.push(...all);
    return all;
  });
  await atCap;
  const result = await legit();
  return { result, opened: await opening };
}

async function expectClosedAtDeadline(opened: Flood[]): Promise<void> {
  await Promise.all(opened.map((flood) => flood.allClosed(HANDSHAKE_TIMEOUT_MS + DEADLINE_SLACK_MS)));
  const lifetimes = opened.flatMap((flood) => flood.lifetimesMs());
  expect(Math.max(...lifetimes)).toBeLessThan(HANDSHAKE_TIMEOUT_MS + DEADLINE_SLACK_MS);
  expect(server.connections.countFor(ATTACKER)).toBe(0);
}

describe('probe server listeners under a slow-connection flood', () => {
  it('answers another address over HTTPS while one address holds silent connections and half ClientHellos, and closes them at the deadline', async () => {
    const https = new URL(info.httpsUrl);
    const target = { ip: https.hostname, port: Number(https.port) };
    const halfClientHello = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03);
    const before = server.limits.count('handshake-timeout', 'https');
    const started = performance.now();
    const { result, opened } = await duringFlood(
      [[target, { count: 1000, from: ATTACKER }], [target, { count: 1000, from: ATTACKER, bytes: halfClientHello }]],
      () => getFrom(`${info.httpsUrl}/v1/health`, info.tls.devCaPem ?? undefined),
    );
    const openedMs = performance.now() - started;
    expect(result.status).toBe(200);
    expect(result.ms).toBeLessThan(NORMAL_REQUEST_MS);
    expect(opened.reduce((n, f) => n + f.connected, 0)).toBe(2000);
    await expectClosedAtDeadline(opened);
    expect(server.limits.count('handshake-timeout', 'https')).toBeGreaterThan(before);
    console.info(`HTTPS flood: 2000 connections opened in ${Math.round(openedMs)} ms; HTTPS request from another address ${Math.round(result.ms)} ms`);
  });

  it('answers another address over plain HTTP while one address trickles partial request heads, and closes them at the deadline', async () => {
    const plain = new URL(info.httpUrl);
    const target = { ip: plain.hostname, port: Number(plain.port) };
    const partialHead = new TextEncoder().encode('GET /v1/health HTTP/1.1\r\nHost: probe\r\nX-Slow: ');
    const before = server.limits.count('first-message-timeout', 'http');
    const started = performance.now();
    const { result, opened } = await duringFlood([[target, { count: 1100, from: ATTACKER, bytes: partialHead }]], () => getFrom(`${info.httpUrl}/v1/health`));
    const openedMs = performance.now() - started;
    expect(result.status).toBe(200);
    expect(result.ms).toBeLessThan(NORMAL_REQUEST_MS);
    expect(opened[0]!.connected).toBe(1100);
    await expectClosedAtDeadline(opened);
    expect(server.limits.count('first-message-timeout', 'http')).toBeGreaterThan(before);
    console.info(`HTTP slowloris: 1100 connections opened in ${Math.round(openedMs)} ms; HTTP request from another address ${Math.round(result.ms)} ms`);
  });

  it('refuses a session past probe.maxLiveSessions with 503 server_busy and counts it', async () => {
    const create = (): Promise<Response> => fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create()).status);
    expect(statuses).toEqual([201, 201, 201, 503]);
    expect(server.limits.count('sessions-full', 'sessions')).toBe(1);
  });
});
