/**
 * Probe "server-view": the last step of a run. It reads what netready's servers saw for this session
 * (`GET /v1/sessions/:id/observations`) once every other probe has finished, which answers two questions the page
 * cannot answer alone:
 *  - Is the test server still there? A server that stopped answering mid-run makes the probes that were still
 *    running fail in ways that look like a network problem (no echo back = "packet loss", no relay = "TURN
 *    blocked"). If it no longer answers now, the diagnosis reports the server, not the network.
 *  - How did this browser's TLS handshakes with netready end? The page only sees "failed"; the server saw whether the
 *    handshake completed, or the browser aborted it with a certificate alert (it does not trust netready's
 *    certificate), or no handshake arrived at all (the network stopped it).
 * Records; never judges (lib/diagnosis/facts-deployment.ts does).
 */
import type { Evidence } from '../schema/result';
import { timedGet } from './http-get';
import { readSession, SESSION_PROBE_ID } from './session';
import type { Probe, ProbeReport } from './types';

/** Id of the server-view probe. */
export const SERVER_VIEW_PROBE_ID = 'server-view';

/**
 * Its deadline, ms: a live server answers in milliseconds; a dead one refuses at once or (a vanished host) never
 * answers, and the run must not wait a full transport deadline to learn that.
 */
export const SERVER_VIEW_TIMEOUT_MS = 2500;

/** One TLS handshake from this client's address as the server recorded it (server/tls-mirror/handshake-log.ts). */
export interface HandshakeSeen {
  /** Which TLS listener: the HTTPS listener or TURN over TLS. */
  listener: 'https' | 'turn-tls';
  /** `completed`, `certificate-rejected` (the client aborted with a certificate alert) or `failed`. */
  outcome: 'completed' | 'certificate-rejected' | 'failed';
  /** The TLS alert the client sent (`certificate_unknown`, `unknown_ca` …), when it sent one. */
  alert?: string;
  alertNumber?: number;
  /** The SNI the handshake named, `null` for none (a URL by IP address); absent from older servers. */
  serverName?: string | null;
}

/** `data` of the server-view probe. */
export interface ServerViewData {
  url: string;
  /** The server answered 200 with the session's observations. */
  reached: boolean;
  httpStatus?: number;
  timedOut: boolean;
  /** The browser's error text when the request failed. */
  error?: string;
  elapsedMs: number;
  /** The address the session was opened from, as the server saw it. */
  clientAddress?: string;
  /** TLS handshakes from that address since the session was opened. */
  tlsHandshakes: HandshakeSeen[];
}

const LISTENERS = new Set(['https', 'turn-tls']);
const OUTCOMES = new Set(['completed', 'certificate-rejected', 'failed']);

/** Reads the server's `tlsHandshakes` list defensively (an older server sends none). */
export function readHandshakes(value: unknown): HandshakeSeen[] {
  if (!Array.isArray(value)) return [];
  const out: HandshakeSeen[] = [];
  for (const item of value.slice(0, 64)) {
    if (typeof item !== 'object' || item === null) continue;
    const { listener, outcome, alert, alertNumber, serverName } = item as Record<string, unknown>;
    if (typeof listener !== 'string' || !LISTENERS.has(listener) || typeof outcome !== 'string' || !OUTCOMES.has(outcome)) continue;
    out.push({
      listener: listener as HandshakeSeen['listener'],
      outcome: outcome as HandshakeSeen['outcome'],
      ...(typeof alert === 'string' ? { alert: alert.slice(0, 40) } : {}),
      ...(typeof alertNumber === 'number' ? { alertNumber } : {}),
      ...(typeof serverName === 'string' ? { serverName: serverName.slice(0, 253) } : serverName === null ? { serverName: null } : {}),
    });
  }
  return out;
}

/** "https: 2 completed; turn-tls: 1 rejected (certificate_unknown)". */
export function describeHandshakes(handshakes: HandshakeSeen[]): string {
  if (handshakes.length === 0) return 'no TLS handshake from this address';
  const parts: string[] = [];
  for (const listener of ['https', 'turn-tls'] as const) {
    const mine = handshakes.filter((h) => h.listener === listener);
    if (mine.length === 0) continue;
    const counts = new Map<string, number>();
    for (const h of mine) {
      const key = h.outcome === 'completed' ? 'completed' : `${h.outcome === 'certificate-rejected' ? 'rejected' : 'failed'}${h.alert ? ` (${h.alert})` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    parts.push(`${listener === 'https' ? 'HTTPS' : 'TURN over TLS'}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
  return parts.join('; ');
}

/** Creates the probe; it runs once every other probe of the plan has finished, with any outcome. */
export function createServerViewProbe(): Probe {
  return {
    id: SERVER_VIEW_PROBE_ID,
    title: 'What the test server saw, and that it still answers',
    dependsOn: [SESSION_PROBE_ID],
    runsLast: true,
    timeoutMs: SERVER_VIEW_TIMEOUT_MS,
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const url = `${ctx.probeUrl}/v1/sessions/${encodeURIComponent(session.sessionId)}/observations`;
      ctx.progress('Asking the test server what it saw');
      const got = await timedGet(ctx, url);
      const body = (typeof got.body === 'object' && got.body !== null ? got.body : {}) as { clientAddress?: unknown; tlsHandshakes?: unknown };
      const data: ServerViewData = {
        url,
        reached: got.answered && got.httpStatus === 200,
        timedOut: got.timedOut,
        elapsedMs: got.elapsedMs,
        tlsHandshakes: got.httpStatus === 200 ? readHandshakes(body.tlsHandshakes) : [],
      };
      if (got.httpStatus !== undefined) data.httpStatus = got.httpStatus;
      if (got.error !== undefined) data.error = got.error;
      if (data.reached && typeof body.clientAddress === 'string') data.clientAddress = body.clientAddress;
      const record = data as unknown as Record<string, unknown>;
      if (!data.reached) {
        const what = got.timedOut
          ? `no answer within ${ctx.timeoutMs} ms`
          : got.httpStatus === 404
            ? 'HTTP 404: the server no longer knows this test session (it was restarted)'
            : got.httpStatus !== undefined
              ? `HTTP ${got.httpStatus}`
              : `the request failed (${got.error ?? 'network error'})`;
        return {
          status: 'fail',
          reason: `The test server stopped answering during the test: ${what}.`,
          data: record,
          evidence: [{ probe: SERVER_VIEW_PROBE_ID, kind: got.timedOut ? 'timeout' : 'http-error', summary: `GET ${url}: ${what}`, data: { url, ...(got.httpStatus ? { httpStatus: got.httpStatus } : {}), ...(got.error ? { error: got.error } : {}) } }],
        };
      }
      const evidence: Evidence[] = [
        {
          probe: SERVER_VIEW_PROBE_ID,
          kind: 'server-observation',
          summary: `the test server still answers (${got.elapsedMs} ms); TLS handshakes it saw from ${data.clientAddress ?? 'this address'}: ${describeHandshakes(data.tlsHandshakes)}`,
          data: { clientAddress: data.clientAddress ?? null, tlsHandshakes: data.tlsHandshakes },
        },
      ];
      return { status: 'pass', data: record, evidence };
    },
  };
}
