import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { uploadCheck } from './upload';

let server: http.Server;
let base: string;
let answer: { status: number; body: string };
let seen: Array<{ url?: string; authorization?: string; contentType?: string; body: string }>;

beforeEach(async () => {
  seen = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
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
    answer = { status: 201, body: JSON.stringify({ id: 'abc', url: 'https://nr.example/r/abc', site: 'Berlin office', expiresAt: '2027-01-01T00:00:00Z' }) };
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult)).toEqual({ url: 'https://nr.example/r/abc', site: 'Berlin office' });
    expect(seen).toEqual([{ url: '/api/monitor/runs', authorization: 'Bearer nrs_token_0123456789', contentType: 'application/json', body: JSON.stringify(sampleResult) }]);
  });

  it('says what the server refused, with its status and error code', async () => {
    answer = { status: 401, body: JSON.stringify({ error: { code: 'site_token_invalid', message: 'this token is no site\'s' } }) };
    expect(await uploadCheck(base, 'nrs_token_0123456789', sampleResult)).toEqual({ status: 401, error: expect.stringContaining('HTTP 401 site_token_invalid') });
  });

  it('says when the server cannot be reached, without throwing', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const outcome = await uploadCheck(base, 'nrs_token_0123456789', sampleResult);
    expect(outcome).toEqual({ error: expect.stringContaining('could not be reached') });
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
