/**
 * Probe "tls-mirror": fetches the probe server's TLS mirror (`GET /v1/tls/mirror` on its HTTPS listener, where
 * TLS is terminated in-process) and records what the server received: the raw ClientHello's features and JA4,
 * the ALPN it negotiated, the headers and the client address — plus the connection phases and
 * `nextHopProtocol` the browser reports for the same request. Whether that handshake is the browser's own is
 * for the diagnosis to decide (lib/diagnosis/facts-proxy.ts).
 */
import type { ClientHelloSummary } from '../protocol/tls/summary';
import type { Evidence } from '../schema/result';
import { fetchEcho, toEchoedRequest, type EchoedRequest } from './proxy-fetch';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeReport } from './types';

/** Id of the TLS mirror probe. */
export const TLS_MIRROR_PROBE_ID = 'tls-mirror';

/** `data` of the TLS mirror probe: the request as the HTTPS listener received it, and its TLS handshake. */
export interface TlsMirrorData extends EchoedRequest {
  /** ALPN the server negotiated with whoever connected. */
  negotiatedAlpn?: string | null;
  /** Whether the server offered h2 on that connection. */
  serverOffersH2?: boolean;
  clientHello?: ClientHelloSummary | null;
  ja4?: string | null;
  ja4Raw?: string | null;
  handshakeBase64?: string | null;
}

/** Creates the TLS mirror probe. */
export function createTlsMirrorProbe(): Probe {
  return {
    id: TLS_MIRROR_PROBE_ID,
    title: 'TLS handshake as the test server received it',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.mirror) {
        return skippedReport('The test server offers no TLS mirror (older version).');
      }
      ctx.progress(`Opening ${session.mirror.tlsMirrorUrl}`);
      const fetched = await fetchEcho(ctx, session.mirror.tlsMirrorUrl, session.sessionId);
      const data: TlsMirrorData = toEchoedRequest(fetched);
      const body = fetched.body;
      if (body) {
        data.negotiatedAlpn = typeof body.negotiatedAlpn === 'string' ? body.negotiatedAlpn : null;
        data.serverOffersH2 = body.serverOffersH2 !== false;
        data.clientHello = typeof body.clientHello === 'object' && body.clientHello !== null ? (body.clientHello as ClientHelloSummary) : null;
        data.ja4 = typeof body.ja4 === 'string' ? body.ja4 : null;
        data.ja4Raw = typeof body.ja4Raw === 'string' ? body.ja4Raw : null;
        data.handshakeBase64 = typeof body.handshakeBase64 === 'string' ? body.handshakeBase64 : null;
      }
      const evidence: Evidence[] = [];
      const record = data as unknown as Record<string, unknown>;
      if (!fetched.reached) {
        evidence.push({
          probe: TLS_MIRROR_PROBE_ID,
          kind: fetched.timedOut ? 'timeout' : 'http-error',
          summary: `GET ${session.mirror.tlsMirrorUrl}: ${fetched.timedOut ? `no answer within ${ctx.timeoutMs} ms` : fetched.error ?? `HTTP ${fetched.httpStatus}`}`,
          data: { url: fetched.url, ...(fetched.error ? { error: fetched.error } : {}), ...(fetched.httpStatus ? { httpStatus: fetched.httpStatus } : {}) },
        });
        return {
          status: 'inconclusive',
          // The browser hides why an HTTPS request failed (blocked port, refused, untrusted certificate).
          reason: `The test server's HTTPS endpoint could not be reached from this page, so its TLS handshake could not be checked.`,
          data: record,
          evidence,
        };
      }
      evidence.push({
        probe: TLS_MIRROR_PROBE_ID,
        kind: 'tls-client-hello',
        summary:
          `the server received a ClientHello with JA4 ${data.ja4 ?? 'unknown'} from ${data.clientAddress ?? 'unknown'}, negotiated ` +
          `${data.negotiatedAlpn ?? 'no ALPN'}; the browser reports ${data.timing?.nextHopProtocol || 'no protocol'}`,
        data: { ja4: data.ja4 ?? null, clientAddress: data.clientAddress ?? null, negotiatedAlpn: data.negotiatedAlpn ?? null, nextHopProtocol: data.timing?.nextHopProtocol ?? null },
      });
      if (!data.clientHello) {
        return { status: 'inconclusive', reason: 'The test server answered but could not decode the TLS handshake it received.', data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
