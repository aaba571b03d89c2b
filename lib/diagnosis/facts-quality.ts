/**
 * Quality facts from the media-quality probe: the measured round trip, jitter and loss on the path a call would
 * take, or nothing when the stream could not be measured.
 */
import type { Evidence, ProbeOutcome } from '../schema/result';
import { MEDIA_QUALITY_PROBE_ID, type MediaQualityData } from '../probes/media-quality';

/** What the media-quality probe measured. */
export interface QualityFacts {
  rttMedianMs?: number;
  jitterMs?: number;
  lossRatio?: number;
  sent: number;
  received: number;
  /** Local candidate type of the measured path (`host`, `srflx`, `prflx`, `relay`). */
  pathType?: string;
  /** TURN transport when the path is relayed. */
  relayProtocol?: string;
  evidence: Evidence[];
}

/** Derives quality facts; undefined when the probe did not produce a complete measurement. */
export function deriveQualityFacts(probes: Record<string, ProbeOutcome>): QualityFacts | undefined {
  const outcome = probes[MEDIA_QUALITY_PROBE_ID];
  if (!outcome || (outcome.status !== 'pass' && outcome.status !== 'fail')) return undefined;
  const data = outcome.data as Partial<MediaQualityData>;
  const facts: QualityFacts = { sent: data.sent ?? 0, received: data.received ?? 0, evidence: outcome.evidence };
  if (typeof data.rttMedianMs === 'number') facts.rttMedianMs = data.rttMedianMs;
  if (typeof data.jitterMs === 'number') facts.jitterMs = data.jitterMs;
  if (typeof data.lossRatio === 'number') facts.lossRatio = data.lossRatio;
  if (data.path?.local?.candidateType) facts.pathType = data.path.local.candidateType;
  if (data.path?.local?.relayProtocol) facts.relayProtocol = data.path.local.relayProtocol;
  return facts;
}

/** Describes the measured path for finding text. */
export function describePath(facts: QualityFacts): string {
  if (facts.pathType === 'relay') return `through the relay server over ${(facts.relayProtocol ?? 'udp').toUpperCase()}`;
  return 'on the direct path';
}
