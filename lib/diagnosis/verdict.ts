/**
 * The verdict of a run (shared/DESIGN.md): inconclusive when the probe server could not be reached (also when it
 * stopped answering during the run); blocked when
 * no media path works at all; degraded when media works only through a fallback (relay, TCP/TLS) or with poor
 * quality (round trip, jitter or loss past the thresholds, or a bandwidth bottleneck below HD video); ready when direct
 * UDP to the media ports works well. Media over TCP straight to a media server (ICE-TCP, issue 10) is such a fallback:
 * a network where only it works is degraded, not blocked — meeting services whose media servers accept ICE-TCP connect
 * there. Issue 18: also inconclusive when this browser has no WebRTC (`webrtc-unavailable`, a blocker of category
 * browser) or netready answers on a loopback address the browser does not use for WebRTC (`probe-on-loopback`): no
 * media path was tried, so "blocked" would blame the network — like netready's own failures, they make it inconclusive.
 */
import type { Verdict } from '../schema/result';
import { TURN_TRANSPORTS } from '../probes/turn-relay';
import type { TransportFacts } from './facts';

/** Whether the measured call quality is poor enough to make a working path "degraded" (DESIGN.md). */
function poorQuality(facts: TransportFacts): boolean {
  const q = facts.quality;
  const t = facts.thresholds;
  // A long round trip from the run's first request, not contradicted by the quality measurement (facts-slow-link.ts).
  if (facts.slowLink) return true;
  if (!q) return false;
  return (q.rttMedianMs ?? 0) > t.highRttMs || (q.jitterMs ?? 0) > t.highJitterMs || (q.lossRatio ?? 0) > t.maxLossRatio || q.lowBandwidth;
}

/** Computes the verdict from the facts. */
export function decideVerdict(facts: TransportFacts): Verdict {
  // The test server was unreachable, from the start or before the run ended: the run could not finish its work.
  if (!facts.session.ok || facts.deployment.server.lost) return 'inconclusive';
  // Issue 18: without WebRTC in this browser, or with netready on a loopback address it does not use for WebRTC, no
  // media path was tried at all — the network is neither ready nor blocked; the blocker/deployment finding says why.
  if (facts.browser.webrtcUnavailable || facts.browser.loopback) return 'inconclusive';
  const relays = TURN_TRANSPORTS.map((t) => facts.turn[t]);
  const anyRelay = relays.some((t) => t.carriesData);
  if (facts.stun.mediaPortReached) return poorQuality(facts) ? 'degraded' : 'ready';
  if (anyRelay || facts.iceTcp?.works) return 'degraded';
  // Nothing worked. If some probe could not decide, or the STUN probe could not run, do not claim "blocked".
  if (!facts.stun.ran || relays.some((t) => t.inconclusive) || facts.iceTcp?.inconclusive) return 'inconclusive';
  return 'blocked';
}
