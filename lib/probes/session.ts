/**
 * Probe "session": reaches the probe server's HTTP API and opens a test session (TURN credentials, the list
 * of STUN ports and TURN URLs). Every network probe depends on it; when it fails, the run is inconclusive
 * (`server-unreachable`) rather than a false "everything is blocked".
 */
import { SessionSchema, type Session } from '../schema/session';
import type { Probe, ProbeContext, ProbeReport } from './types';

/** Id of the session probe. */
export const SESSION_PROBE_ID = 'session';

/** Reads the session (with credentials) the session probe handed off; dependents call this. */
export function readSession(ctx: Pick<ProbeContext, 'handoffs'>): Session {
  const parsed = SessionSchema.safeParse(ctx.handoffs[SESSION_PROBE_ID]);
  if (!parsed.success) throw new Error('the session probe recorded no valid session');
  return parsed.data;
}

/** Creates the session probe. */
export function createSessionProbe(): Probe {
  return {
    id: SESSION_PROBE_ID,
    title: 'Reaching the netready test server',
    async run(ctx): Promise<ProbeReport> {
      const url = `${ctx.probeUrl}/v1/sessions`;
      const started = ctx.env.now();
      ctx.progress(`Contacting ${ctx.probeUrl}`);
      let status: number;
      let body: unknown;
      try {
        const response = await ctx.env.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          signal: ctx.signal,
        });
        status = response.status;
        body = await response.json().catch(() => null);
      } catch (error) {
        const elapsedMs = Math.round(ctx.env.now() - started);
        const timedOut = ctx.signal.aborted;
        return {
          status: 'fail',
          reason: timedOut
            ? `No answer from the test server at ${ctx.probeUrl} within ${ctx.timeoutMs} ms.`
            : `Could not connect to the test server at ${ctx.probeUrl}.`,
          data: { url, elapsedMs, timedOut },
          evidence: [
            {
              kind: timedOut ? 'timeout' : 'http-error',
              summary: timedOut ? `POST ${url}: no answer after ${elapsedMs} ms` : `POST ${url}: ${String(error)}`,
              data: { url, elapsedMs, error: String(error) },
            },
          ],
        };
      }
      const elapsedMs = Math.round(ctx.env.now() - started);
      const parsed = SessionSchema.safeParse(body);
      if (status !== 201 || !parsed.success) {
        return {
          status: 'fail',
          reason: `The test server at ${ctx.probeUrl} answered HTTP ${status} instead of opening a session.`,
          data: { url, elapsedMs, httpStatus: status },
          evidence: [{ kind: 'http-error', summary: `POST ${url} → HTTP ${status}`, data: { url, httpStatus: status, body } }],
        };
      }
      return {
        status: 'pass',
        // Credentials go to dependents only; the shareable result keeps the endpoints, never the secrets.
        data: {
          url,
          elapsedMs,
          sessionId: parsed.data.sessionId,
          expiresAt: parsed.data.expiresAt,
          stun: parsed.data.stun,
          turn: parsed.data.turn.map(({ transport, url: turnUrl }) => ({ transport, url: turnUrl })),
          ...(parsed.data.certificate ? { certificate: parsed.data.certificate } : {}),
        },
        handoff: parsed.data,
        evidence: [{ kind: 'http', summary: `POST ${url} → 201 in ${elapsedMs} ms`, data: { url, elapsedMs } }],
      };
    },
  };
}
