import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import type { ResultStore } from '../store/result-store';
import { SqliteResultStore } from '../store/sqlite-store';
import { getResult, postResult, readBodyText, type ResultsApiDeps } from './results-api';

const ORIGIN = 'http://netready.example:3000';

function post(body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Request {
  return new Request(`${ORIGIN}/api/results`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
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
    deps = { store, maxResultBytes: 64 * 1024, logError };
  });
  afterEach(() => {
    store.close();
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
    expect(await store.get(body.id)).toEqual(sampleResult);
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
    const response = await postResult(post(body, { 'content-length': String(body.length) }), { ...deps, maxResultBytes: 1024 });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining('1024') } });
    expect(await count()).toBe(0);
  });

  it('rejects a streamed body without Content-Length once it passes the limit', async () => {
    const text = JSON.stringify(sampleResult);
    const chunks = text.match(/[\s\S]{1,500}/g) ?? [];
    const response = await postResult(post(streamOf(chunks), {}), { ...deps, maxResultBytes: 1024 });
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
      put: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full at /secret/path')),
      get: () => Promise.reject(new Error('boom')),
      close: () => undefined,
    };
    const response = await postResult(post(JSON.stringify(sampleResult)), { ...deps, store: failing });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(text).not.toContain('SQLITE_FULL');
    expect(text).not.toContain('/secret/path');
    expect(logError).toHaveBeenCalledOnce();

    const read = await getResult('AAAAAAAAAAAAAAAAAAAAAA', { store: failing, logError });
    expect(read.status).toBe(500);
  });
});
