import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import type { ResultStore } from '../store/result-store';
import { SqliteResultStore } from '../store/sqlite-store';
import { makeReadOnly } from '../store/testing/read-only-dir';
import { PEER_ADDRESS_HEADER } from './client-address';
import { MAX_JSON_DEPTH, MAX_NOTE_CHARS, deleteResult, getResult, jsonDepthExceeds, postResult, readBodyText, type ResultsApiDeps } from './results-api';

const ORIGIN = 'http://netready.example:3000';

/** What Chromium sends with a same-origin fetch from a page of ORIGIN, plus the peer address the web process stamps. */
const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  host: 'netready.example:3000',
  origin: ORIGIN,
  'sec-fetch-site': 'same-origin',
  [PEER_ADDRESS_HEADER]: '198.51.100.7',
};

function post(body: BodyInit | null, headers: Record<string, string> = PAGE_HEADERS): Request {
  return new Request(`${ORIGIN}/api/results`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

/** PAGE_HEADERS with some replaced; `undefined` removes one. */
function withHeaders(changes: Record<string, string | undefined>): Record<string, string> {
  const headers: Record<string, string> = { ...PAGE_HEADERS };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

/** `depth` nested arrays, e.g. 3 → `[[[]]]`. */
function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A body streamed in chunks without Content-Length (chunked upload). */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('results API', () => {
  let dir: string;
  let store: SqliteResultStore;
  let deps: ResultsApiDeps;
  let logError: ReturnType<typeof vi.fn<(message: string, error: unknown) => void>>;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'netready-api-'));
    store = new SqliteResultStore({ dataDir: dir });
    logError = vi.fn<(message: string, error: unknown) => void>();
    deps = { store, maxResultBytes: 64 * 1024, maxResultsPerMinute: 100, maxResultBytesPerDay: 1 << 24, trustedProxyHops: 0, retentionDays: 30, logError };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function count(): Promise<number> {
    // The store opens its file lazily: no file means nothing was ever written.
    if (!existsSync(store.file)) return 0;
    const db = new Database(store.file, { readonly: true });
    try {
      const exists = db.prepare("SELECT name FROM sqlite_master WHERE name = 'results'").get();
      return exists ? (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n : 0;
    } finally {
      db.close();
    }
  }

  it('stores a valid result and answers 201 with the id and an absolute share URL', async () => {
    const response = await postResult(post(JSON.stringify(sampleResult)), deps);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; url: string };
    expect(body.url).toBe(`${ORIGIN}/r/${body.id}`);
    expect((await store.get(body.id))?.result).toEqual(sampleResult);
  });

  it('stores the submitter’s note with the result and hands out a delete token and the expiry date', async () => {
    const now = new Date('2026-12-05T10:00:00.000Z');
    store = new SqliteResultStore({ dataDir: dir, now: () => now });
    const response = await postResult(post(JSON.stringify({ result: sampleResult, note: '  Ticket 4711\nBerlin office  ' })), { ...deps, store });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; deleteToken: string; expiresAt: string };
    expect(body.deleteToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.expiresAt).toBe('2027-01-04T10:00:00.000Z');
    expect(await store.get(body.id)).toMatchObject({ result: sampleResult, note: 'Ticket 4711\nBerlin office' });
  });

  it.each([
    ['a note that is not text', { result: sampleResult, note: 42 }, 'invalid_request'],
    ['a note that is too long', { result: sampleResult, note: 'x'.repeat(MAX_NOTE_CHARS + 1) }, 'invalid_request'],
    ['a note with control characters', { result: sampleResult, note: 'ticket\u0000\u001b[31m' }, 'invalid_request'],
    ['an envelope with another field', { result: sampleResult, note: 'a', html: '<b>' }, 'invalid_request'],
    ['an envelope whose result is not one', { result: { ...sampleResult, schemaVersion: 2 } }, 'invalid_result'],
  ])('refuses %s and stores nothing', async (_name, body, code) => {
    const response = await postResult(post(JSON.stringify(body)), deps);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(await count()).toBe(0);
  });

  it('stores client addresses as the operator chose, keeping the deployment’s own', async () => {
    const withAddresses = { ...sampleResult, probes: { nat: { status: 'pass' as const, durationMs: 1, data: { mapped: '198.51.100.77:5000', server: '203.0.113.10' }, evidence: [] } } };
    const response = await postResult(post(JSON.stringify(withAddresses)), { ...deps, clientAddresses: 'truncated', ownAddresses: ['203.0.113.10'] });
    const { id } = (await response.json()) as { id: string };
    expect((await store.get(id))?.result.probes.nat?.data).toEqual({ mapped: '198.51.100.0/24:5000', server: '203.0.113.10' });
  });

  it('deletes a result with its delete token at once, and refuses without it or with another', async () => {
    const created = (await (await postResult(post(JSON.stringify(sampleResult)), deps)).json()) as { id: string; deleteToken: string };
    const other = (await (await postResult(post(JSON.stringify(sampleResult)), deps)).json()) as { id: string; deleteToken: string };
    const del = (token?: string) =>
      deleteResult(created.id, new Request(`${ORIGIN}/api/results/${created.id}`, { method: 'DELETE', headers: token ? { authorization: `Bearer ${token}` } : {} }), deps);
    const missing = await del();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'delete_token_required' } });
    const wrong = await del(other.deleteToken);
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'delete_token_invalid' } });
    expect((await getResult(created.id, deps)).status).toBe(200);
    expect((await del(created.deleteToken)).status).toBe(204);
    expect((await getResult(created.id, deps)).status).toBe(404);
    expect((await del(created.deleteToken)).status).toBe(404);
    expect((await getResult(other.id, deps)).status).toBe(200);
  });

  it('answers 404 for a result past its retention, before the purge removed it', async () => {
    const { id } = await store.put(sampleResult);
    expect((await getResult(id, { ...deps, now: () => new Date(Date.now() + 29 * 86_400_000) })).status).toBe(200);
    expect((await getResult(id, { ...deps, now: () => new Date(Date.now() + 30 * 86_400_000 + 1000) })).status).toBe(404);
  });

  it('serves a stored result back as JSON', async () => {
    const { id } = await store.put(sampleResult);
    const response = await getResult(id, deps);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(sampleResult);
  });

  it('answers 404 not_found for an unknown id', async () => {
    const response = await getResult('AAAAAAAAAAAAAAAAAAAAAA', deps);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it.each([
    ['a body that is not JSON', 400, 'invalid_json', '{"schemaVersion": 1,'],
    ['an empty body', 400, 'invalid_json', ''],
    ['JSON that is not a result', 422, 'invalid_result', '[1, 2, 3]'],
    ['a result of another schema version', 422, 'invalid_result', JSON.stringify({ ...sampleResult, schemaVersion: 2 })],
    ['a result with an unknown verdict', 422, 'invalid_result', JSON.stringify({ ...sampleResult, verdict: 'fine' })],
  ])('rejects %s with %i %s and stores nothing', async (_name, status, code, body) => {
    const response = await postResult(post(body), deps);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await count()).toBe(0);
  });

  it("names the first invalid field's path in the invalid_result message", async () => {
    const broken = structuredClone(sampleResult);
    (broken.findings[1] as { severity: string }).severity = 'catastrophic';
    const response = await postResult(post(JSON.stringify(broken)), deps);
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('findings.1.severity');
  });

  it('rejects a body whose Content-Length exceeds the limit with 413 payload_too_large', async () => {
    const body = JSON.stringify(sampleResult);
    const response = await postResult(post(body, withHeaders({ 'content-length': String(body.length) })), { ...deps, maxResultBytes: 1024 });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining('1024') } });
    expect(await count()).toBe(0);
  });

  it('rejects a streamed body without Content-Length once it passes the limit', async () => {
    const text = JSON.stringify(sampleResult);
    const chunks = text.match(/[\s\S]{1,500}/g) ?? [];
    const response = await postResult(post(streamOf(chunks)), { ...deps, maxResultBytes: 1024 });
    expect(response.status).toBe(413);
    expect(await count()).toBe(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const text = JSON.stringify(sampleResult);
    await expect(readBodyText(post(text), Buffer.byteLength(text))).resolves.toBe(text);
  });

  it('rejects bytes that are not UTF-8 as invalid_json', async () => {
    const response = await postResult(post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), deps);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('logs an unexpected store failure and answers 500 internal_error without internals', async () => {
    const failing: ResultStore = {
      open: () => Promise.reject(new Error('boom')),
      admit: () => Promise.resolve({ admitted: true }),
      put: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full at /secret/path')),
      get: () => Promise.reject(new Error('boom')),
      delete: () => Promise.reject(new Error('boom')),
      purgeStoredBefore: () => Promise.reject(new Error('boom')),
      searchResults: () => Promise.reject(new Error('boom')),
      findingCounts: () => Promise.reject(new Error('boom')),
      listSites: () => Promise.reject(new Error('boom')),
      siteChecks: () => Promise.reject(new Error('boom')),
      close: () => Promise.resolve(),
    };
    const response = await postResult(post(JSON.stringify(sampleResult)), { ...deps, store: failing });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(text).not.toContain('SQLITE_FULL');
    expect(text).not.toContain('/secret/path');
    expect(logError).toHaveBeenCalledOnce();

    const read = await getResult('AAAAAAAAAAAAAAAAAAAAAA', { store: failing, logError, retentionDays: 30 });
    expect(read.status).toBe(500);
  });
  it.each([
    ['no Content-Type', withHeaders({ 'content-type': undefined })],
    ['text/plain (a cross-site fetch without preflight)', withHeaders({ 'content-type': 'text/plain;charset=UTF-8' })],
    ['a form post', withHeaders({ 'content-type': 'application/x-www-form-urlencoded' })],
    ['multipart form data', withHeaders({ 'content-type': 'multipart/form-data; boundary=x' })],
  ])('refuses a body sent as %s with 415 unsupported_media_type and stores nothing', async (_name, headers) => {
    const response = await postResult(post(JSON.stringify(sampleResult), headers), deps);
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: { code: 'unsupported_media_type', message: expect.any(String) } });
    expect(await count()).toBe(0);
  });

  it('accepts application/json with a charset parameter', async () => {
    const response = await postResult(post(JSON.stringify(sampleResult), withHeaders({ 'content-type': 'Application/JSON; charset=utf-8' })), deps);
    expect(response.status).toBe(201);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', withHeaders({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', withHeaders({ 'sec-fetch-site': 'same-site', origin: 'http://other.netready.example:3000' })],
    ['an Origin of another site (older browsers without Sec-Fetch-Site)', withHeaders({ 'sec-fetch-site': undefined, origin: 'https://evil.example' })],
    ['an Origin on another port of the same host', withHeaders({ 'sec-fetch-site': undefined, origin: 'http://netready.example:8080' })],
    ['Origin: null (a sandboxed frame)', withHeaders({ 'sec-fetch-site': undefined, origin: 'null' })],
  ])('refuses a post with %s with 403 cross_site_request and stores nothing', async (_name, headers) => {
    const response = await postResult(post(JSON.stringify(sampleResult), headers), deps);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: 'cross_site_request', message: expect.any(String) } });
    expect(await count()).toBe(0);
  });

  it.each([
    ["the app's own page", PAGE_HEADERS],
    ['a client that sends neither Origin nor Sec-Fetch-Site (curl)', withHeaders({ origin: undefined, 'sec-fetch-site': undefined })],
    ['an Origin whose host differs only in letter case', withHeaders({ origin: 'http://NetReady.Example:3000' })],
  ])('accepts a post from %s', async (_name, headers) => {
    const response = await postResult(post(JSON.stringify(sampleResult), headers), deps);
    expect(response.status).toBe(201);
  });

  it('accepts the Origin of X-Forwarded-Host only behind a trusted proxy', async () => {
    const proxied = withHeaders({ host: '127.0.0.1:3000', 'x-forwarded-host': 'netready.example:3000', 'x-forwarded-for': '203.0.113.5' });
    expect((await postResult(post(JSON.stringify(sampleResult), proxied), deps)).status).toBe(403);
    expect((await postResult(post(JSON.stringify(sampleResult), proxied), { ...deps, trustedProxyHops: 1 })).status).toBe(201);
  });

  it('refuses JSON nested 10,000 deep with 400 json_too_deep and stores nothing', async () => {
    const deep = JSON.stringify(sampleResult).replace('"probes":{', `"probes":{"deep":{"status":"pass","durationMs":1,"evidence":[],"data":{"x":${nestedArrays(10_000)}}},`);
    const response = await postResult(post(deep), deps);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'json_too_deep', message: expect.stringContaining(String(MAX_JSON_DEPTH)) } });
    expect(await count()).toBe(0);
    expect(logError).not.toHaveBeenCalled();
  });

  it('measures nesting without counting brackets inside strings', () => {
    expect(jsonDepthExceeds(nestedArrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nestedArrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ text: '[[[[[[{{{{ \\" [[[[' }), 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: { b: 'x"y' }, c: [[1]] }), 2)).toBe(true);
  });

  it('answers 429 rate_limited with Retry-After past the per-minute limit, for that address only', async () => {
    const limited = { ...deps, maxResultsPerMinute: 2 };
    for (let i = 0; i < 2; i++) expect((await postResult(post(JSON.stringify(sampleResult)), limited)).status).toBe(201);
    const refused = await postResult(post(JSON.stringify(sampleResult)), limited);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await count()).toBe(2);
    const other = await postResult(post(JSON.stringify(sampleResult), withHeaders({ [PEER_ADDRESS_HEADER]: '198.51.100.8' })), limited);
    expect(other.status).toBe(201);
  });

  it('ignores an X-Forwarded-For the client sends when no proxy is trusted', async () => {
    const limited = { ...deps, maxResultsPerMinute: 1 };
    expect((await postResult(post(JSON.stringify(sampleResult), withHeaders({ 'x-forwarded-for': '203.0.113.1' })), limited)).status).toBe(201);
    const spoofed = await postResult(post(JSON.stringify(sampleResult), withHeaders({ 'x-forwarded-for': '203.0.113.2' })), limited);
    expect(spoofed.status).toBe(429);
  });

  it('counts the address a trusted proxy appended to X-Forwarded-For', async () => {
    const limited = { ...deps, maxResultsPerMinute: 1, trustedProxyHops: 1 };
    const via = (chain: string): Request => post(JSON.stringify(sampleResult), withHeaders({ [PEER_ADDRESS_HEADER]: '127.0.0.1', 'x-forwarded-for': chain }));
    expect((await postResult(via('203.0.113.9'), limited)).status).toBe(201);
    // The client prepends a made-up address; the proxy's entry (the last one) still names it.
    expect((await postResult(via('192.0.2.1, 203.0.113.9'), limited)).status).toBe(429);
    expect((await postResult(via('203.0.113.10'), limited)).status).toBe(201);
  });

  it('answers 429 quota_exceeded with Retry-After once the daily storage is used up, and stores nothing more', async () => {
    const bytes = Buffer.byteLength(JSON.stringify(sampleResult));
    const quota = { ...deps, maxResultBytesPerDay: bytes * 2 };
    for (let i = 0; i < 2; i++) expect((await postResult(post(JSON.stringify(sampleResult)), quota)).status).toBe(201);
    const refused = await postResult(post(JSON.stringify(sampleResult)), quota);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: { code: 'quota_exceeded', message: expect.any(String) } });
    const retryAfterS = Number(refused.headers.get('retry-after'));
    expect(retryAfterS).toBeGreaterThanOrEqual(1);
    expect(retryAfterS).toBeLessThanOrEqual(86_400);
    expect(await count()).toBe(2);
  });

  it('answers 503 storage_unavailable, saying nothing was stored, when the data folder is read-only', async () => {
    const readOnlyDir = path.join(dir, 'read-only');
    mkdirSync(readOnlyDir);
    const readOnlyStore = new SqliteResultStore({ dataDir: readOnlyDir });
    const restore = makeReadOnly(readOnlyDir);
    try {
      const response = await postResult(post(JSON.stringify(sampleResult)), { ...deps, store: readOnlyStore });
      expect(response.status).toBe(503);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toMatch(/not stored/);
      expect(error.message).not.toContain(readOnlyDir);
      expect(logError).toHaveBeenCalledOnce();
      const read = await getResult('AAAAAAAAAAAAAAAAAAAAAA', { store: readOnlyStore, logError, retentionDays: 30 });
      expect(read.status).toBe(503);
    } finally {
      restore();
    }
    // The same post goes through once the folder is writable again (what the page's Retry does).
    const retried = await postResult(post(JSON.stringify(sampleResult)), { ...deps, store: readOnlyStore });
    expect(retried.status).toBe(201);
    readOnlyStore.close();
  });
});
