import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGuard, type ConnectionGuardOptions } from './connection-guard';
import { guardHttpServer } from './http-guard';
import type { LimitEvent } from './limit-events';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A guarded plain-HTTP server whose answers wait until the test calls `answerAll()`, when `hold` is set. */
async function start(options: ConnectionGuardOptions, hold = false) {
  const events: LimitEvent[] = [];
  const guard = new ConnectionGuard({ ...options, onEvent: (e) => events.push(e) });
  const waiting: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => {
    if (hold) waiting.push(res);
    else res.end('ok');
  });
  guardHttpServer(server, guard, 'http');
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { guard, events, port, server, answerAll: () => waiting.splice(0).forEach((res) => res.end('ok')) };
}

/** Connects, optionally writes, and resolves with what the server sent and when it closed. */
function connectAndWait(port: number, write?: string): Promise<{ received: string; closedAfterMs: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      if (write) socket.write(write);
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, closedAfterMs: performance.now() - started }));
  });
}

describe('guardHttpServer', () => {
  it('refuses a connection past the per-address cap at once, without an answer', async () => {
    const { port, events, guard } = await start({ maxPerAddress: 1, maxHandshakesPerAddress: 1, maxTotal: 16 });
    const first = net.connect(port, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => first.once('connect', () => resolve()));
      const refused = await connectAndWait(port);
      expect(refused.received).toBe('');
      expect(events).toEqual([{ reason: 'per-address', scope: 'http', address: '127.0.0.1' }]);
      expect(guard.countFor('127.0.0.1')).toBe(1);
    } finally {
      first.destroy();
    }
  });

  it('answers a keep-alive request, then closes the idle connection at the idle deadline', async () => {
    const { port, events } = await start({ idleTimeoutMs: 300 });
    const result = await connectAndWait(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(result.received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(300);
    expect(events.map((e) => e.reason)).toEqual(['idle-timeout']);
  });

  it('closes a slowloris request head at the first-message deadline without answering', async () => {
    const { port, events } = await start({ handshakeTimeoutMs: 300 });
    const result = await connectAndWait(port, 'GET / HTTP/1.1\r\nhost: x\r\nx-slow: ');
    expect(result.received).toBe('');
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(300);
    expect(events.map((e) => e.reason)).toEqual(['first-message-timeout']);
  });

  it('counts a connection as busy, not idle, while its answer is pending, and forgets it when it closes', async () => {
    const { port, guard, answerAll } = await start({ idleTimeoutMs: 1000 }, true);
    const result = connectAndWait(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await expect.poll(() => guard.stats().busy, { timeout: 2000, interval: 20 }).toBe(1);
    answerAll();
    expect((await result).received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(guard.stats().total).toBe(0);
  });
});
