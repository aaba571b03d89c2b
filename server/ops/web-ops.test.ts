// The web app's operations: readiness of config and store, the ops.allowFrom check, the results API's counters and
// log lines, and the request observer every answer passes through.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { ConfigSchema, type Config } from '../../lib/config/schema';
import { PEER_ADDRESS_HEADER } from '../api/client-address';
import { postResult, getResult } from '../api/results-api';
import { NON_PAGE_CSP, securityHeaders } from '../api/security-headers';
import { ConfigError } from '../config/load';
import { SqliteResultStore, SQLITE_FILE_NAME } from '../store/sqlite-store';
import { makeReadOnly } from '../store/testing/read-only-dir';
import { createLogger } from './logger';
import { sampleValue } from './testing/prometheus-text';
import { webRouteOf, WebMetrics } from './web-metrics';
import { checkWebReadiness, installWebRequestObserver, opsRequestAllowed, webOps, type WebOps } from './web-ops';

let dir: string;
const cleanups: Array<() => void | Promise<void>> = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-web-ops-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function configFor(dataDir: string, extra: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({ dataDir, ...extra });
}

/** A logger whose lines land in `lines`. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'web', level: 'debug', clientAddresses: 'truncated', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('web readiness', () => {
  it('is ready when the configuration loads and the store takes a write, and the write leaves nothing behind', async () => {
    const store = new SqliteResultStore({ dataDir: dir });
    cleanups.push(() => store.close());
    const readiness = await checkWebReadiness({ loadConfig: () => configFor(dir), storeFor: () => store });
    expect(readiness).toEqual({ ready: true, checks: [{ name: 'config', ok: true }, { name: 'result store', ok: true, detail: 'writable' }] });
    const db = new Database(path.join(dir, SQLITE_FILE_NAME), { readonly: true });
    cleanups.push(() => void db.close());
    expect(db.prepare("SELECT value FROM meta WHERE key = 'ready_check'").get()).toBeUndefined();
  });

  it('is not ready, and says why, when the data folder is read-only from the start', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const restore = makeReadOnly(data);
    cleanups.push(restore);
    const store = new SqliteResultStore({ dataDir: data });
    cleanups.push(() => store.close());
    const metrics = new WebMetrics();
    const readiness = await checkWebReadiness({ loadConfig: () => configFor(data), storeFor: () => store, metrics });
    expect(readiness.ready).toBe(false);
    expect(readiness.checks[1]).toMatchObject({ name: 'result store', ok: false, detail: expect.stringMatching(/^not writable \(open_failed\): cannot open result database/) });
    expect(sampleValue(await metrics.registry.metrics(), 'netready_web_store_errors_total', { operation: 'check', code: 'open_failed' })).toBe(1);
  });

  it('turns not ready when the data folder becomes read-only after the store was opened, and ready again after', async () => {
    const data = path.join(dir, 'data');
    const store = new SqliteResultStore({ dataDir: data });
    cleanups.push(() => store.close());
    const deps = { loadConfig: () => configFor(data), storeFor: () => store };
    expect((await checkWebReadiness(deps)).ready).toBe(true);
    const restore = makeReadOnly(data);
    try {
      const readiness = await checkWebReadiness(deps);
      expect(readiness.ready).toBe(false);
      expect(readiness.checks[1]).toMatchObject({ name: 'result store', ok: false, detail: expect.stringMatching(/^not writable \(write_failed\)/) });
    } finally {
      restore();
    }
    expect((await checkWebReadiness(deps)).ready).toBe(true);
  });

  it('is not ready, naming the configuration, when the configuration does not load', async () => {
    const readiness = await checkWebReadiness({
      loadConfig: () => {
        throw new ConfigError('config_invalid', 'invalid netready configuration:\n  web.port: Too big');
      },
      storeFor: () => {
        throw new Error('not reached');
      },
    });
    expect(readiness).toEqual({
      ready: false,
      checks: [
        { name: 'config', ok: false, detail: 'invalid netready configuration:\n  web.port: Too big' },
        { name: 'result store', ok: false, detail: 'not checked: the configuration does not load' },
      ],
    });
  });
});

describe('ops.allowFrom on the web app', () => {
  const headers = (peer: string | null, extra: Record<string, string> = {}) => new Headers({ ...(peer === null ? {} : { [PEER_ADDRESS_HEADER]: peer }), ...extra });

  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['203.0.113.9', false],
    ['2001:db8::1', false],
  ])('with the default list, %s → %s', (peer, allowed) => {
    expect(opsRequestAllowed(headers(peer), () => configFor(dir))).toBe(allowed);
  });

  it('refuses a request whose address is unknown (the capture is not installed)', () => {
    expect(opsRequestAllowed(headers(null), () => configFor(dir))).toBe(false);
  });

  it('behind a trusted proxy on loopback, judges the client the proxy names, not the proxy', () => {
    const load = () => configFor(dir, { web: { trustedProxyHops: 1 } });
    expect(opsRequestAllowed(headers('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }), load)).toBe(false);
    expect(opsRequestAllowed(headers('127.0.0.1', { 'x-forwarded-for': '10.0.5.7' }), () => configFor(dir, { web: { trustedProxyHops: 1 }, ops: { allowFrom: ['10.0.5.0/24'] } }))).toBe(true);
  });

  it('allows loopback only when the configuration does not load', () => {
    const broken = () => {
      throw new ConfigError('config_invalid', 'bad');
    };
    expect(opsRequestAllowed(headers('127.0.0.1'), broken)).toBe(true);
    expect(opsRequestAllowed(headers('198.51.100.7'), broken)).toBe(false);
  });
});

describe('results API counters and log lines', () => {
  const PAGE = { 'content-type': 'application/json', host: 'netready.example', origin: 'http://netready.example', 'sec-fetch-site': 'same-origin', [PEER_ADDRESS_HEADER]: '198.51.100.7' };
  const post = (body: string, headers: Record<string, string> = PAGE) =>
    new Request('http://netready.example/api/results', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  const limits = { maxResultBytes: 262144, maxResultsPerMinute: 30, maxResultBytesPerDay: 64 * 1024 * 1024, trustedProxyHops: 0, retentionDays: 30 };

  it('counts a stored result with its bytes and refusals by code, and logs both without the client address', async () => {
    const store = new SqliteResultStore({ dataDir: dir });
    cleanups.push(() => store.close());
    const metrics = new WebMetrics();
    const { logger, lines } = capturingLogger();
    const deps = { store, ...limits, ops: { log: logger, metrics } };
    const body = JSON.stringify(sampleResult);
    expect((await postResult(post(body), deps)).status).toBe(201);
    expect((await postResult(post(body, { ...PAGE, 'content-type': 'text/plain' }), deps)).status).toBe(415);
    expect((await postResult(post(body, { ...PAGE, 'sec-fetch-site': 'cross-site' }), deps)).status).toBe(403);
    expect((await postResult(post('['.repeat(100) + ']'.repeat(100)), deps)).status).toBe(400);
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'netready_web_results_stored_total')).toBe(1);
    expect(sampleValue(text, 'netready_web_results_stored_bytes_total')).toBe(Buffer.byteLength(body));
    expect(sampleValue(text, 'netready_web_results_refused_total', { code: 'unsupported_media_type' })).toBe(1);
    expect(sampleValue(text, 'netready_web_results_refused_total', { code: 'cross_site_request' })).toBe(1);
    expect(sampleValue(text, 'netready_web_results_refused_total', { code: 'json_too_deep' })).toBe(1);
    expect(lines.map((l) => [l.msg, l.code ?? null])).toEqual([
      ['result stored', null],
      ['result refused', 'unsupported_media_type'],
      ['result refused', 'cross_site_request'],
      ['result refused', 'json_too_deep'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('198.51.100.7');
  });

  it('counts a store that cannot write as a store error and logs it at error level with its cause', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const store = new SqliteResultStore({ dataDir: data });
    cleanups.push(() => store.close());
    const restore = makeReadOnly(data);
    cleanups.push(restore);
    const metrics = new WebMetrics();
    const { logger, lines } = capturingLogger();
    const response = await postResult(post(JSON.stringify(sampleResult)), { store, ...limits, ops: { log: logger, metrics } });
    expect(response.status).toBe(503);
    expect((await getResult('AAAAAAAAAAAAAAAAAAAAAA', { store, retentionDays: 30, ops: { log: logger, metrics } })).status).toBe(503);
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'netready_web_store_errors_total', { operation: 'write', code: 'open_failed' })).toBe(1);
    expect(sampleValue(text, 'netready_web_store_errors_total', { operation: 'read', code: 'open_failed' })).toBe(1);
    expect(sampleValue(text, 'netready_web_results_refused_total', { code: 'storage_unavailable' })).toBe(1);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['results API: result store unavailable', 'results API: result store unavailable']);
    expect(lines[0]).toMatchObject({ err: { message: expect.stringContaining('cannot open result database') } });
  });
});

describe('the web request observer', () => {
  /** A plain HTTP server observed like the Next.js one, answering `status` for every path. */
  async function observedServer(status: number) {
    const { logger, lines } = capturingLogger();
    const ops: WebOps = { logger, metrics: new WebMetrics(), trustedProxyHops: 0 };
    cleanups.push(installWebRequestObserver(() => ops));
    const server = http.createServer((req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`request id seen by the handler: ${String(req.headers['x-request-id'])}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ops, lines };
  }

  it('echoes a safe X-Request-Id, hands it to the handler, and logs and counts the answer by route', async () => {
    const { url, ops, lines } = await observedServer(200);
    const response = await fetch(`${url}/r/abcdefghijklmnopqrstuv?x=1`, { headers: { 'x-request-id': 'support-ticket-42' } });
    expect(response.headers.get('x-request-id')).toBe('support-ticket-42');
    expect(await response.text()).toBe('request id seen by the handler: support-ticket-42');
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'http request', requestId: 'support-ticket-42', method: 'GET', route: '/r/:id', path: '/r/abcdefghijklmnopqrstuv', status: 200, clientAddress: '127.0.0.0/24' });
    expect(sampleValue(await ops.metrics.registry.metrics(), 'netready_web_http_responses_total', { route: '/r/:id', status_class: '2xx' })).toBe(1);
  });

  it('replaces an unsafe X-Request-Id with its own and logs static files at debug', async () => {
    const { url, ops, lines } = await observedServer(404);
    const response = await fetch(`${url}/_next/static/chunks/app.js`, { headers: { 'x-request-id': 'a b' } });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatchObject({ level: 'debug', requestId: id, route: '/_next/static', status: 404 });
    expect(sampleValue(await ops.metrics.registry.metrics(), 'netready_web_http_responses_total', { route: '/_next/static', status_class: '4xx' })).toBe(1);
  });
});

describe('web routes of the operations endpoints', () => {
  it.each([
    ['/', '/'],
    ['/embed', '/embed'],
    ['/r/abcdefghijklmnopqrstuv', '/r/:id'],
    ['/api/results', '/api/results'],
    ['/api/results/abcdefghijklmnopqrstuv', '/api/results/:id'],
    ['/metrics', '/metrics'],
    ['/robots.txt', 'public-file'],
    ['/_next/image', '/_next/other'],
    ['/wp-login.php', 'other'],
  ])('names %s %s', (pathname, route) => {
    expect(webRouteOf(pathname)).toBe(route);
  });

  it.each(['/metrics', '/healthz', '/readyz'])('gives %s the non-page security headers (no page CSP, never framed or indexed)', (pathname) => {
    const headers = securityHeaders(configFor(dir), { pathname, https: false, nonce: 'n' });
    expect(headers).toMatchObject({ 'content-security-policy': NON_PAGE_CSP, 'x-frame-options': 'DENY', 'x-robots-tag': 'noindex', 'x-content-type-options': 'nosniff' });
  });

  it('keeps one logger and registry per process, with default log settings when the configuration does not load', () => {
    const key = Symbol.for('netready.webOps');
    const holder = globalThis as { [key]?: unknown };
    const before = holder[key];
    delete holder[key];
    try {
      const first = webOps(() => {
        throw new ConfigError('config_invalid', 'bad');
      });
      expect(webOps(() => configFor(dir))).toBe(first);
      expect(first.logger.level).toBe('info');
      expect(first.trustedProxyHops).toBe(0);
    } finally {
      holder[key] = before;
    }
  });
});
