/**
 * HTTP listeners under the connection guard: a connection is in its handshake until a whole request head has
 * arrived (Node emits `request`/`upgrade` only then, so a slowloris head never leaves the handshake stage and
 * meets its deadline), busy while a request is answered or a WebSocket is open, and idle between keep-alive
 * requests. The plain-HTTP listener uses {@link guardHttpServer}; the HTTPS listener (server/tls-mirror), which
 * accepts its sockets itself, uses {@link trackHttpRequest} and {@link applyHttpTimeouts}.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { canonicalAddress } from './address';
import { startGuardSweeper, type ConnectionGuard, type ConnectionLimits, type GuardedConnection } from './connection-guard';

/** Node's own HTTP/1.1 timers, as http.Server and an `allowHTTP1` Http2SecureServer both have them. */
export interface HttpTimers {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout?: number;
}

/**
 * Sets Node's HTTP/1.1 timers to the guard's numbers, so both close an idle keep-alive connection at the same time
 * (Node's default is 5 s) and Node's checks back the guard's deadlines up.
 */
export function applyHttpTimeouts(server: HttpTimers, limits: ConnectionLimits): void {
  server.keepAliveTimeout = limits.idleTimeoutMs;
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.handshakeTimeoutMs);
  server.headersTimeout = limits.handshakeTimeoutMs;
}

/** Counts one HTTP request on its connection until its answer is done or abandoned (`close` fires either way). */
export function trackHttpRequest(connection: GuardedConnection | undefined, res: { once(event: 'close', listener: () => void): unknown }): void {
  if (!connection) return;
  res.once('close', connection.beginRequest());
}

/**
 * Admits every connection of a plain-HTTP server through `guard` (refused ones are destroyed at once), tracks its
 * requests and upgrades, aligns Node's timers, and sweeps the guard while the server listens.
 */
export function guardHttpServer(server: http.Server, guard: ConnectionGuard, listener: string): void {
  const bySocket = new WeakMap<Socket, GuardedConnection>();
  applyHttpTimeouts(server, guard.limits);
  server.on('connection', (socket: Socket) => {
    const guarded = guard.admit({ address: canonicalAddress(socket.remoteAddress), listener, close: () => socket.destroy() });
    if (!guarded) {
      socket.destroy();
      return;
    }
    bySocket.set(socket, guarded);
    socket.once('close', () => guarded.closed());
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => trackHttpRequest(bySocket.get(req.socket), res));
  // A WebSocket (`/ws`) holds its connection until it closes; the echo has its own idle limit.
  server.on('upgrade', (req: http.IncomingMessage) => bySocket.get(req.socket)?.pin());
  let stopSweeper: (() => void) | undefined;
  server.on('listening', () => {
    stopSweeper?.();
    stopSweeper = startGuardSweeper(guard);
  });
  server.on('close', () => stopSweeper?.());
}
