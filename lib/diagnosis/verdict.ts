/**
 * The verdict of a run (shared/DESIGN.md): inconclusive when the probe server could not be reached; blocked when
 * no media path works at all; degraded when media works only through a fallback (relay, TCP/TLS); ready when
 * direct UDP to the media ports works.
 */
import type { Verdict } from '../schema/result';
import { TURN_TRANSPORTS } from '../probes/turn-relay';
import type { TransportFacts } from './facts';

/** Computes the verdict from the facts. */
export function decideVerdict(facts: TransportFacts): Verdict {
  if (!facts.session.ok) return 'inconclusive';
  const relays = TURN_TRANSPORTS.map((t) => facts.turn[t]);
  const anyRelay = relays.some((t) => t.carriesData);
  if (facts.stun.mediaPortReached) return 'ready';
  if (anyRelay) return 'degraded';
  // Nothing worked. If some probe could not decide, or the STUN probe could not run, do not claim "blocked".
  if (!facts.stun.ran || relays.some((t) => t.inconclusive)) return 'inconclusive';
  return 'blocked';
}
