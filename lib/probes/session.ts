/**
 * Probe "session": reaches the probe server's HTTP API and opens a test session (TURN credentials, the list
 * of STUN ports and TURN URLs). Every network probe depends on it; when it fails, the run is inconclusive
 * (`server-unreachable`) rather than a false "everything is blocked".
 */
import { SessionSchema, type Session } from '../schema/session';
import { PREFLIGHT_FREE_JSON_HEADERS } from './http-get';
import type { Probe, ProbeContext, ProbeReport, ResourceTimingLike } from './types';

/** Id of the session probe. */
export const SESSION_PROBE_ID = 'session';

/** Reads the session (with credentials) the session probe handed off; dependents call this. */
export function readSession(ctx: Pick<ProbeContext, 'handoffs'>): Session {
  const parsed = SessionSchema.safeParse(ctx.handoffs[SESSION_PROBE_ID]);
  if (!parsed.success) throw new Error('the session probe recorded no valid session');
  return parsed.data;
}

/**
 * The round trip to the probe server, the run's first measure of the path (lib/engine/deadlines.ts,
 * facts-slow-link.ts): request sent → first byte of the answer from the session request's Resource Timing (the
 * server answers with `Timing-Allow-Origin`; creating a session takes it well under a millisecond), else half the
 * request's whole time (a fresh connection costs a TCP round trip before the request's own: an upper bound).
 */
export interface SessionRoundTrip {
  roundTripMs: number;
  roundTripFrom: 'request-timing' | 'elapsed';
}

/** The session request's round trip from its Resource Timing entry, or half its elapsed time (exported for tests). */
export function sessionRoundTrip(entry: ResourceTimingLike | null, elapsedMs: number): SessionRoundTrip {
  if (entry && entry.requestStart > 0 && entry.responseStart >= entry.requestStart) {
    return { roundTripMs: Math.round((entry.responseStart - entry.requestStart) * 10) / 10, roundTripFrom: 'request-timing' };
  }
  return { roundTripMs: Math.round(elapsedMs / 2), roundTripFrom: 'elapsed' };
}

/** Options of createSessionProbe. */
export interface SessionProbeOptions {
  /**
   * Vendor targets (config `targets[].name`) to check; the others' media ports and host names are dropped from the
   * session before any probe reads it (an embedding host's `netready:start` `targets`, issue 14). Default: all.
   */
  targets?: readonly string[];
}

/** Keeps only the chosen vendor targets' STUN ports and host names; netready's own endpoints always stay. */
export function selectTargets(session: Session, targets: readonly string[] | undefined): Session {
  if (!targets) return session;
  const chosen = (target: string | undefined): boolean => target !== undefined && targets.includes(target);
  return {
    ...session,
    stun: session.stun.filter((endpoint) => endpoint.role !== 'vendor' || chosen(endpoint.target)),
    ...(session.vendorHosts ? { vendorHosts: session.vendorHosts.filter((entry) => chosen(entry.target)) } : {}),
  };
}

/** Creates the session probe. */
export function createSessionProbe(options: SessionProbeOptions = {}): Probe {
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
          // No CORS preflight: on a 1 s round-trip link that is a whole second before the run can start.
          headers: { ...PREFLIGHT_FREE_JSON_HEADERS },
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
      // The entry is recorded once the body is read (above), so this does not wait; without it, the elapsed time.
      // An entry from before this request is an earlier run's in the same page (same URL): not this one.
      const timing = ctx.env.resourceTiming ? await ctx.env.resourceTiming(url, ctx.signal).catch(() => null) : null;
      const roundTrip = sessionRoundTrip(timing && timing.startTime >= started - 1 ? timing : null, elapsedMs);
      const session = selectTargets(parsed.data, options.targets);
      return {
        status: 'pass',
        // Credentials go to dependents only; the shareable result keeps the endpoints, never the secrets.
        data: {
          url,
          elapsedMs,
          ...roundTrip,
          sessionId: session.sessionId,
          expiresAt: session.expiresAt,
          stun: session.stun,
          turn: session.turn.map(({ transport, url: turnUrl }) => ({ transport, url: turnUrl })),
          ...(session.certificate ? { certificate: session.certificate } : {}),
          ...(options.targets ? { targets: [...options.targets] } : {}),
          // Issue 20: where the probe server's own capture of this session can be downloaded (whoever holds the result).
          ...(session.capturePath ? { captureUrl: `${ctx.probeUrl}${session.capturePath}` } : {}),
        },
        handoff: session,
        evidence: [{ kind: 'http', summary: `POST ${url} → 201 in ${elapsedMs} ms (round trip ${roundTrip.roundTripMs} ms)`, data: { url, elapsedMs, ...roundTrip } }],
      };
    },
  };
}
