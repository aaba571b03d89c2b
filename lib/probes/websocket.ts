/**
 * Probe "websocket": opens a WebSocket to the probe server's echo (`/ws`) — `wss://` on its HTTPS port always,
 * `ws://` on its plain-HTTP port when the page itself talks plain HTTP (an HTTPS page may not open ws://) — sends
 * one message and waits for it to come back. Meeting apps signal over WebSockets; proxies that do not pass the
 * HTTP Upgrade, or inspecting gateways that break it, stop them while ordinary requests still work. Every socket
 * is closed in `finally`.
 */
import type { Evidence } from '../schema/result';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeContext, type ProbeReport, type WebSocketLike } from './types';

/** Id of the WebSocket probe. */
export const WEBSOCKET_PROBE_ID = 'websocket';

/** One WebSocket attempt. */
export interface WebSocketAttempt {
  url: string;
  scheme: 'wss' | 'ws';
  /** The handshake completed (`open`). */
  opened: boolean;
  /** The message came back. */
  echoed: boolean;
  timedOut: boolean;
  /** ms to `open`. */
  openMs?: number;
  /** ms from send to echo. */
  echoMs?: number;
  /** Close code when the browser closed it (1006 = the connection failed; the browser does not say why). */
  closeCode?: number;
}

/** `data` of the WebSocket probe. */
export interface WebSocketData {
  attempts: WebSocketAttempt[];
}

async function attempt(ctx: ProbeContext, url: string, scheme: 'wss' | 'ws'): Promise<WebSocketAttempt> {
  const create = ctx.env.createWebSocket;
  const result: WebSocketAttempt = { url, scheme, opened: false, echoed: false, timedOut: false };
  if (!create) return result;
  const started = ctx.env.now();
  let socket: WebSocketLike | undefined;
  let onAbort: (() => void) | undefined;
  try {
    socket = create(url);
    const ws = socket;
    const nonce = `netready-${ctx.env.randomId()}`;
    let sentAt = 0;
    await new Promise<void>((resolve) => {
      onAbort = (): void => {
        result.timedOut = true;
        resolve();
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      ws.addEventListener('open', () => {
        result.opened = true;
        result.openMs = Math.round(ctx.env.now() - started);
        sentAt = ctx.env.now();
        ws.send(nonce);
      });
      ws.addEventListener('message', (event) => {
        if (event.data !== nonce) return;
        result.echoed = true;
        result.echoMs = Math.round(ctx.env.now() - sentAt);
        resolve();
      });
      ws.addEventListener('close', (event) => {
        result.closeCode = event.code;
        resolve();
      });
    });
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    socket?.close(1000, 'done');
  }
  return result;
}

/** Creates the WebSocket probe. */
export function createWebSocketProbe(): Probe {
  return {
    id: WEBSOCKET_PROBE_ID,
    title: 'WebSocket to the test server',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.mirror) return skippedReport('The test server offers no WebSocket echo (older version).');
      if (!ctx.env.createWebSocket) return skippedReport('This environment cannot open WebSockets.');
      const targets: Array<[string, 'wss' | 'ws']> = [[session.mirror.wssUrl, 'wss']];
      if (ctx.probeUrl.startsWith('http:')) targets.push([session.mirror.wsUrl, 'ws']);
      ctx.progress(`Opening ${targets.map(([url]) => url).join(' and ')}`);
      const attempts = await Promise.all(targets.map(([url, scheme]) => attempt(ctx, url, scheme)));
      const evidence: Evidence[] = attempts.map((a) => ({
        probe: WEBSOCKET_PROBE_ID,
        kind: a.echoed ? 'websocket-echo' : a.timedOut ? 'timeout' : 'websocket-error',
        summary: a.echoed
          ? `${a.url}: opened in ${a.openMs} ms, message echoed in ${a.echoMs} ms`
          : a.opened
            ? `${a.url}: opened, but the message did not come back${a.closeCode !== undefined ? ` (closed with ${a.closeCode})` : ''}`
            : `${a.url}: ${a.timedOut ? `did not open within ${ctx.timeoutMs} ms` : `failed${a.closeCode !== undefined ? ` (close code ${a.closeCode})` : ''}`}`,
        data: { ...a },
      }));
      const data = { attempts } satisfies WebSocketData;
      const working = attempts.filter((a) => a.echoed).length;
      if (working === attempts.length) return { status: 'pass', data, evidence };
      if (working > 0) return { status: 'warn', reason: `${working} of ${attempts.length} WebSocket connections worked.`, data, evidence };
      return { status: 'fail', reason: 'No WebSocket to the test server worked.', data, evidence };
    },
  };
}
