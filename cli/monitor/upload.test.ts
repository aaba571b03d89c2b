import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { uploadCheck } from './upload';

const STORED = JSON.stringify({ id: 'abc', url: 'https://nr.example/r/abc', site: 'Berlin office', expiresAt: '2027-01-01T00:00:00Z' });
let server: http.Server;
let base: string;
let answers: Array<{ status: number; body: string; headers?: Record<string, string> }>;
let seen: Array<{ url?: string; authorization?: string; contentType?: string; body: string }>;

beforeEach(async () => {
  seen = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('uploadCheck', () => {
  it('posts the result with the token and returns the share link and site the server answered', async () => {
    answers = [{ status: 201, body: STORED }];
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult)).toEqual({ url: 'https://nr.example/r/abc', site: 'Berlin office' });
    expect(seen).toEqual([{ url: '/api/monitor/runs', authorization: 'Bearer nrs_token_0123456789', contentType: 'application/json', body: JSON.stringify(sampleResult) }]);
  });

  it('says what the server refused, with its status and error code, and does not ask again', async () => {
    answers = [{ status: 401, body: JSON.stringify({ error: { code: 'site_token_invalid', message: 'this token is no site\'s' } }) }];
    const pauses: number[] = [];
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult, { sleep: async (ms) => void pauses.push(ms) })).toEqual({ status: 401, error: expect.stringContaining('HTTP 401 site_token_invalid') });
    expect([seen.length, pauses]).toEqual([1, []]);
  });

  it('asks again after a server error and after a 429 (its Retry-After), and stores the check', async () => {
    answers = [
      { status: 503, body: JSON.stringify({ error: { code: 'storage_unavailable', message: 'later' } }) },
      { status: 429, body: JSON.stringify({ error: { code: 'rate_limited', message: 'later' } }), headers: { 'retry-after': '7' } },
      { status: 201, body: STORED },
    ];
    const pauses: number[] = [];
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult, { sleep: async (ms) => void pauses.push(ms) })).toEqual({ url: 'https://nr.example/r/abc', site: 'Berlin office' });
    expect([seen.length, pauses]).toEqual([3, [2000, 7000]]);
  });

  it('gives up after three tries and says why', async () => {
    answers = [{ status: 500, body: JSON.stringify({ error: { code: 'internal_error', message: 'x' } }) }];
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult, { sleep: async () => undefined })).toEqual({ status: 500, error: expect.stringContaining('HTTP 500') });
    expect(seen).toHaveLength(3);
  });

  it('says when the server cannot be reached, without throwing', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const outcome = await uploadCheck(base, 'nrs_token_0123456789', sampleResult, { sleep: async () => undefined });
    expect(outcome).toEqual({ error: expect.stringContaining('could not be reached') });
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
