/**
 * Probe "proxy-echo": a plain-HTTP request to the probe server's header echo (`GET /v1/echo` on its HTTP
 * listener). The server returns the request exactly as it arrived — client address, HTTP version, header lines
 * in order — which is where an HTTP proxy shows itself (Via, X-Forwarded-For, Forwarded …). Only runs when the
 * page talks to the probe over plain HTTP: an HTTPS page may not fetch http:// (mixed content).
 */
import type { Evidence } from '../schema/result';
import { fetchEcho, toEchoedRequest, type EchoedRequest } from './proxy-fetch';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeReport } from './types';

/** Id of the plain-HTTP echo probe. */
export const PROXY_ECHO_PROBE_ID = 'proxy-echo';

/** `data` of the plain-HTTP echo probe: the request as the server received it. */
export type ProxyEchoData = EchoedRequest;

/** Creates the plain-HTTP echo probe. */
export function createProxyEchoProbe(): Probe {
  return {
    id: PROXY_ECHO_PROBE_ID,
    title: 'Plain web request as the test server received it',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.mirror) {
        return skippedReport('The test server offers no header echo (older version).');
      }
      if (!ctx.probeUrl.startsWith('http:')) {
        return skippedReport('This page uses HTTPS, and browsers do not let it make plain-HTTP requests.');
      }
      ctx.progress(`Requesting ${session.mirror.echoUrl}`);
      const fetched = await fetchEcho(ctx, session.mirror.echoUrl, session.sessionId);
      const data: ProxyEchoData = toEchoedRequest(fetched);
      const record = data as unknown as Record<string, unknown>;
      const evidence: Evidence[] = [
        {
          probe: PROXY_ECHO_PROBE_ID,
          kind: fetched.reached ? 'http-echo' : fetched.timedOut ? 'timeout' : 'http-error',
          summary: fetched.reached
            ? `the server received the plain-HTTP request from ${data.clientAddress ?? 'unknown'} with headers: ${(data.headers ?? []).map(([n]) => n).join(', ')}`
            : `GET ${session.mirror.echoUrl}: ${fetched.error ?? (fetched.timedOut ? `no answer within ${ctx.timeoutMs} ms` : `HTTP ${fetched.httpStatus}`)}`,
          data: { url: fetched.url, ...(data.clientAddress ? { clientAddress: data.clientAddress } : {}), ...(data.headers ? { headers: data.headers } : {}) },
        },
      ];
      if (!fetched.reached) {
        return { status: 'inconclusive', reason: 'The plain-HTTP echo of the test server could not be reached from this page.', data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
