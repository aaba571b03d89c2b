/**
 * Deadlines that adapt to the path (issue 16). One fixed 6 s deadline made every blocked network wait 6 s per
 * transport, and would still declare a transport failed on a 1 s round-trip link (satellite, an intercontinental VPN)
 * merely because it is slow. The session request — the first thing a run does, a fresh connection to the probe
 * server — costs about two round trips (TCP handshake, request), so it is the early measure: a probe without its own
 * deadline gets a fixed floor plus a multiple of it.
 *
 * Why these numbers (measured in the lab, Chromium 156): on a LAN the session takes 20–135 ms and every working
 * transport proves data in under 1.5 s (TURN over TLS through squid included), so 2 s + 8 × session gives 2.2–3.1 s;
 * with 200 ms of round trip and 2 % loss the session took 632 ms and TURN over UDP needed 4.85 s — 2 s + 8 × 632 ms is
 * 7.1 s. On a 1 s round trip a relay over TLS needs about ten round trips; the deadline is then capped by the run's
 * budget, and the round trip itself is reported as `high-rtt` by the quality measurement.
 */
import type { ProbeOutcome } from '../schema/result';
import { SESSION_PROBE_ID } from '../probes/session';

/** The fixed part of an adaptive deadline, ms. */
export const ADAPTIVE_FLOOR_MS = 2000;
/** Multiple of the session request's duration (≈ 2 round trips) added to the floor. */
export const ADAPTIVE_SESSION_FACTOR = 8;
/** Shortest adaptive deadline, ms. */
export const ADAPTIVE_MIN_MS = 2500;
/** Time kept at the end of the budget for the probes that run last (what the server saw), ms. */
export const BUDGET_TAIL_MS = 1000;

/**
 * The deadline of probes without their own, from the session request's duration; undefined until the session
 * probe has passed (then the configured fixed deadline applies).
 */
export function adaptiveTimeoutMs(finished: Readonly<Record<string, ProbeOutcome>>, budgetMs: number): number | undefined {
  const session = finished[SESSION_PROBE_ID];
  const elapsed = session?.status === 'pass' ? session.data.elapsedMs : undefined;
  if (typeof elapsed !== 'number' || !Number.isFinite(elapsed) || elapsed < 0) return undefined;
  const wanted = ADAPTIVE_FLOOR_MS + ADAPTIVE_SESSION_FACTOR * elapsed;
  return Math.round(Math.min(Math.max(wanted, ADAPTIVE_MIN_MS), Math.max(ADAPTIVE_MIN_MS, budgetMs - BUDGET_TAIL_MS)));
}
