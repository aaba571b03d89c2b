/**
 * Every answer of the probe server, on both listeners (plain HTTP and TLS, HTTP/1.1 and HTTP/2), carries the
 * security headers and stays CORS-open: the runner on the web app's origin must keep reading them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { PROBE_SECURITY_HEADERS } from './send-json';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';

/** What every answer must carry, besides CORS. */
const EXPECTED = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

type Answer = { status: number; headers: Record<string, string | string[] | undefined> };

/** HTTPS/1.1 request to the probe's TLS listener (the dev certificate is not trusted here; headers are the point). */
function httpsRequest(url: string, method: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, rejectUnauthorized: false, headers: { origin: 'http://localhost:3000' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** HTTP/2 GET to the TLS listener (Node's compat layer answers these). */
function http2Get(baseUrl: string, pathname: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl, { rejectUnauthorized: false });
    session.on('error', reject);
    const stream = session.request({ ':path': pathname, origin: 'http://localhost:3000' });
    stream.on('response', (headers) => {
      stream.resume();
      stream.on('end', () => {
        session.close();
        const { ':status': status, ...rest } = headers;
        resolve({ status: Number(status), headers: rest as Answer['headers'] });
      });
    });
    stream.on('error', reject);
    stream.end();
  });
}

describe('probe server answers', () => {
  let dataDir: string;
  let server: ProbeServer;
  let info: ProbeServerInfo;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-probe-headers-'));
    const config = ConfigSchema.parse({
      dataDir,
      probe: loopbackProbeSection([41200, 41249], [41250, 41299]),
    });
    server = new ProbeServer(config, { info: () => undefined, error: () => undefined });
    info = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the headers it sends in one place', () => {
    expect(PROBE_SECURITY_HEADERS).toEqual(EXPECTED);
  });

  it.each([
    ['GET', '/v1/health', 200],
    ['POST', '/v1/sessions', 201],
    ['GET', '/v1/echo', 200],
    ['GET', '/v1/tls/mirror', 404],
    ['PUT', '/v1/echo', 405],
    ['GET', '/no-such-route', 404],
    ['OPTIONS', '/v1/sessions', 204],
  ])('plain HTTP: %s %s answers %i with the security headers, CORS-open', async (method, pathname, status) => {
    const response = await fetch(`${info.httpUrl}${pathname}`, {
      method,
      headers: { origin: 'http://localhost:3000', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(status);
    for (const [name, value] of Object.entries(EXPECTED)) expect(response.headers.get(name)).toBe(value);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['GET', '/v1/tls/mirror', 200],
    ['GET', '/v1/health', 200],
    ['GET', '/v1/echo', 200],
    ['GET', '/no-such-route', 404],
    ['OPTIONS', '/v1/sessions', 204],
  ])('TLS, HTTP/1.1: %s %s answers %i with the security headers, CORS-open', async (method, pathname, status) => {
    const answer = await httpsRequest(`${info.httpsUrl}${pathname}`, method);
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatchObject({ ...EXPECTED, 'access-control-allow-origin': '*' });
  });

  it.each([
    ['/v1/tls/mirror', 200],
    ['/v1/health', 200],
    ['/no-such-route', 404],
  ])('TLS, HTTP/2: GET %s answers %i with the security headers, CORS-open', async (pathname, status) => {
    const answer = await http2Get(info.httpsUrl, pathname);
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatchObject({ ...EXPECTED, 'access-control-allow-origin': '*' });
  });
});
