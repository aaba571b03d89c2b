import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConnectionGuard } from '../net/connection-guard';
import { createMirrorRoutes, type EchoBody, type TlsMirrorBody } from './mirror-routes';
import { TlsMirrorServer } from './tls-mirror-server';
import { WebSocketEcho } from './websocket-echo';

let dir: string;
let mirror: TlsMirrorServer;
let plain: http.Server;
let tlsPort: number;
let plainPort: number;
const observed: Array<{ sessionId: string; kind: string; data: Record<string, unknown> }> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-mirror-test-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-subj', '/CN=mirror test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.zone.test',
  ], { stdio: 'pipe' });
  const observe = (sessionId: string, o: { kind: string; data: Record<string, unknown> }): void => void observed.push({ sessionId, ...o });
  const tlsRoutes = createMirrorRoutes({ listener: 'https', observe, clientHelloOf: (req) => mirror.clientHelloOf(req) });
  const plainRoutes = createMirrorRoutes({ listener: 'http', observe });
  const echo = new WebSocketEcho();
  const fallback = (res: { writeHead(s: number): { end(): void } }): void => res.writeHead(404).end();
  mirror = new TlsMirrorServer({
    cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    onRequest: (req, res) => {
      if (!tlsRoutes(req, res)) fallback(res as http.ServerResponse);
    },
    onUpgrade: (req, socket, head) => echo.handleUpgrade(req, socket, head),
    http1OnlyFor: (name) => name.endsWith('.zone.test'),
    guard: new ConnectionGuard({ handshakeTimeoutMs: 500 }),
  });
  tlsPort = (await mirror.listen(0, '127.0.0.1')).port;
  plain = http.createServer((req, res) => {
    if (!plainRoutes(req, res)) fallback(res);
  });
  plain.on('upgrade', (req, socket, head) => echo.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainPort = (plain.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await mirror.close();
  plain.closeAllConnections();
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function getHttp1(pathname: string, servername?: string): Promise<{ status: number; body: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port: tlsPort, host: '127.0.0.1', ...(servername ? { servername } : {}), ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false }, () => {
      const alpn = socket.alpnProtocol;
      if (alpn === 'h2') {
        socket.destroy();
        resolve({ status: 0, body: '', alpn });
        return;
      }
      socket.write(`GET ${pathname} HTTP/1.1\r\nhost: 127.0.0.1\r\nuser-agent: mirror-test\r\nx-forwarded-for: 192.0.2.9\r\nconnection: close\r\n\r\n`);
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4), alpn: alpn ?? false }));
    });
    socket.on('error', reject);
  });
}

describe('the TLS mirror listener', () => {
  it('serves HTTP/2 to a client offering h2 and returns the ClientHello it captured, with JA4', async () => {
    const session = http2.connect(`https://127.0.0.1:${tlsPort}`, { rejectUnauthorized: false });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const request = session.request({ ':path': '/v1/tls/mirror?session=S1', 'user-agent': 'mirror-test' });
        let text = '';
        request.on('data', (d: Buffer) => (text += d.toString()));
        request.on('end', () => resolve(text));
        request.on('error', reject);
        request.end();
      });
      const mirrorBody = JSON.parse(body) as TlsMirrorBody;
      expect(mirrorBody.httpVersion).toBe('2.0');
      expect(mirrorBody.negotiatedAlpn).toBe('h2');
      expect(mirrorBody.clientAddress).toBe('127.0.0.1');
      expect(mirrorBody.clientHello?.alpn).toEqual(['h2']);
      expect(mirrorBody.ja4).toMatch(/^t13i\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
      expect(Buffer.from(mirrorBody.handshakeBase64 ?? '', 'base64')[0]).toBe(1);
      expect(mirrorBody.headers).toContainEqual(['user-agent', 'mirror-test']);
      expect(observed.find((o) => o.kind === 'tls-client-hello')).toMatchObject({ sessionId: 'S1', data: { ja4: mirrorBody.ja4, negotiatedAlpn: 'h2' } });
    } finally {
      session.close();
    }
  });

  it('serves HTTP/1.1 to a client offering only that, with the headers in wire order', async () => {
    const socket = tls.connect({ port: tlsPort, host: '127.0.0.1', ALPNProtocols: ['http/1.1'], rejectUnauthorized: false });
    const text = await new Promise<string>((resolve, reject) => {
      socket.once('secureConnect', () => socket.write('GET /v1/echo HTTP/1.1\r\nhost: x\r\nvia: 1.1 gw\r\nconnection: close\r\n\r\n'));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    const echo = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as EchoBody;
    expect(echo.headers).toEqual([['host', 'x'], ['via', '1.1 gw'], ['connection', 'close']]);
    expect(echo.listener).toBe('https');
  });

  it('answers http/1.1 even to an h2-offering client for names configured http/1.1-only', async () => {
    const result = await getHttp1('/v1/tls/mirror', 'nr-abc.zone.test');
    expect(result.alpn).toBe('http/1.1');
    expect(JSON.parse(result.body)).toMatchObject({ negotiatedAlpn: 'http/1.1', clientHello: { serverName: 'nr-abc.zone.test' } });
  });

  it('closes a connection that does not start with TLS, without answering', async () => {
    const closed = await new Promise<string>((resolve) => {
      const socket = net.connect(tlsPort, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('close', () => resolve(out));
    });
    expect(closed).toBe('');
  });

  it('closes a connection that never finishes its ClientHello, at the hello deadline', async () => {
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const socket = net.connect(tlsPort, '127.0.0.1', () => socket.write(Buffer.from([22, 3, 1, 2, 0, 1])));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('holds an HTTP/2 connection in its handshake until the first request, then closes it at the idle deadline', async () => {
    const guard = new ConnectionGuard({ idleTimeoutMs: 300 });
    const h2Mirror = new TlsMirrorServer({
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      onRequest: (_req, res) => res.end('ok'),
      guard,
    });
    const { port } = await h2Mirror.listen(0, '127.0.0.1');
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    try {
      await new Promise<void>((resolve) => session.once('connect', () => resolve()));
      expect(guard.stats()).toMatchObject({ total: 1, inHandshake: 1 });
      await new Promise<void>((resolve, reject) => {
        const request = session.request({ ':path': '/v1/health' });
        request.resume();
        request.on('end', resolve);
        request.on('error', reject);
        request.end();
      });
      const answeredAt = performance.now();
      await expect.poll(() => guard.stats().idle, { timeout: 1000, interval: 10 }).toBe(1);
      await new Promise<void>((resolve) => session.once('close', () => resolve()));
      expect(performance.now() - answeredAt).toBeGreaterThanOrEqual(250);
      expect(guard.stats().total).toBe(0);
    } finally {
      session.destroy();
      await h2Mirror.close();
    }
  });

  it('answers the plain-HTTP echo and refuses the TLS mirror path there with 404', async () => {
    const echo = await fetch(`http://127.0.0.1:${plainPort}/v1/echo`, { headers: { forwarded: 'for=192.0.2.9' } });
    expect(echo.headers.get('timing-allow-origin')).toBe('*');
    expect(((await echo.json()) as EchoBody).headers).toContainEqual(['forwarded', 'for=192.0.2.9']);
    expect((await fetch(`http://127.0.0.1:${plainPort}/v1/tls/mirror`)).status).toBe(404);
  });

  it.each(['wss', 'ws'])('echoes a WebSocket message over %s at /ws', async (scheme) => {
    const url = scheme === 'wss' ? `wss://127.0.0.1:${tlsPort}/ws` : `ws://127.0.0.1:${plainPort}/ws`;
    const ws = new WebSocket(url, { rejectUnauthorized: false });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send('ping-1'));
        ws.once('message', (data) => resolve(String(data)));
        ws.once('error', reject);
      });
      expect(reply).toBe('ping-1');
    } finally {
      ws.terminate();
    }
  });
});
