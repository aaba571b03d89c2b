/**
 * WebSocket echo at `/ws` on the probe's plain-HTTP and TLS listeners (the `ws` package): the page opens
 * `ws://` / `wss://`, sends a short text message and expects it back. Proxies that do not pass HTTP Upgrade,
 * or inspecting gateways that break it, make this fail while plain requests to the same port work.
 * Each socket is closed after a few messages or a short idle time, so it holds nothing for long.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** Path of the echo endpoint. */
export const WEBSOCKET_ECHO_PATH = '/ws';
/** Largest message echoed (bytes). */
export const WEBSOCKET_MAX_MESSAGE_BYTES = 1024;
/** Messages echoed per connection before the server closes it. */
export const WEBSOCKET_MAX_MESSAGES = 8;
/** Milliseconds a connection may stay idle. */
export const WEBSOCKET_IDLE_MS = 10_000;

/** Echo server; `handleUpgrade` is wired to the HTTP servers' `upgrade` events. */
export class WebSocketEcho {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WEBSOCKET_MAX_MESSAGE_BYTES });

  /** Accepts upgrades to `/ws`; anything else gets 404 and is closed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://probe.invalid').pathname;
    if (path !== WEBSOCKET_ECHO_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  }

  private serve(ws: WebSocket): void {
    let count = 0;
    let idle = setTimeout(() => ws.terminate(), WEBSOCKET_IDLE_MS);
    ws.on('message', (data, isBinary) => {
      clearTimeout(idle);
      idle = setTimeout(() => ws.terminate(), WEBSOCKET_IDLE_MS);
      ws.send(data, { binary: isBinary });
      if (++count >= WEBSOCKET_MAX_MESSAGES) ws.close(1000, 'enough');
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => clearTimeout(idle));
  }

  /** Closes every open WebSocket. */
  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
