/**
 * The shape of what a browser engine reports about ICE (issue 18 item 5): which fields its candidates and getStats
 * local candidates carry, and which `icecandidateerror` codes and texts it gives for which kind of TURN URL —
 * without addresses, ports or anything else that changes from run to run. e2e/engine-stats.spec.ts records it from
 * the real engines; lib/probes/engine-stats.test.ts runs netready's readers over each engine's copy.
 */
import { isIpLiteralIceUrl } from '../webrtc';

/** An engine the suite records (Chromium, Firefox) or describes from its documentation (WebKit). */
export type Engine = 'chromium' | 'firefox' | 'webkit';

/** What a page saw of one peer connection's gathering, as e2e/engine-stats.spec.ts records it. */
export interface EngineRecord {
  engine: Engine;
  candidates: Array<{ type: string | null; protocol: string | null; eventUrl: string | null; candidateUrl: string | null; relayProtocol: string | null; line: string }>;
  errors: Array<{ errorCode: number; errorText: string; url: string }>;
  /** getStats `local-candidate` entries, as given. */
  stats: Array<Record<string, unknown>>;
  /** getStats of a connected pair (two peer connections in the page): its `candidate-pair` and `transport` entries. */
  connected: Array<Record<string, unknown>>;
}

/** The candidate-pair fields netready reads (readSelectedPair, media-quality's ICE round trip). */
export const READ_PAIR_FIELDS = ['state', 'nominated', 'selected', 'currentRoundTripTime', 'totalRoundTripTime', 'responsesReceived'] as const;

/** The getStats local-candidate fields netready reads (lib/probes/webrtc.ts readSelectedPair, nat.ts, interfaces.ts). */
export const READ_STATS_FIELDS = ['address', 'ip', 'port', 'protocol', 'candidateType', 'relayProtocol', 'url', 'networkType'] as const;

/** An engine's reporting, reduced. */
export interface EngineShape {
  engine: Engine;
  /** Where a shape that was not recorded comes from (WebKit: its IDL and documented behaviour). */
  source?: string;
  /** Candidate types gathered (sorted). */
  candidateTypes: string[];
  /** Per candidate type: whether the event's `url`, the candidate's `url` and `relayProtocol` were given; `.local` hosts. */
  candidateFields: Record<string, { eventUrl: boolean; candidateUrl: boolean; relayProtocol: boolean; mdnsHost: boolean }>;
  /** The ICE errors, by code, text and the kind of URL (a name or an address), sorted and without repeats. */
  errors: Array<{ errorCode: number; errorText: string; urlKind: 'name' | 'ip'; transport: 'udp' | 'tcp' }>;
  /** Per candidate type: which of READ_STATS_FIELDS its getStats entry carries (sorted). */
  statsFields: Record<string, string[]>;
  /** Which of READ_PAIR_FIELDS a connected candidate pair carries (sorted), and whether a `transport` entry names the selected pair. */
  pairFields: string[];
  transportSelectsPair: boolean;
}

function urlKind(url: string): 'name' | 'ip' {
  return isIpLiteralIceUrl(url) ? 'ip' : 'name';
}

/** Reduces a record to its shape. */
export function engineShape(record: EngineRecord): EngineShape {
  const candidateFields: EngineShape['candidateFields'] = {};
  for (const c of record.candidates) {
    const type = c.type ?? 'unknown';
    const host = c.line.split(' ')[4] ?? '';
    const seen = candidateFields[type] ?? { eventUrl: false, candidateUrl: false, relayProtocol: false, mdnsHost: false };
    candidateFields[type] = {
      eventUrl: seen.eventUrl || c.eventUrl !== null,
      candidateUrl: seen.candidateUrl || c.candidateUrl !== null,
      relayProtocol: seen.relayProtocol || c.relayProtocol !== null,
      mdnsHost: seen.mdnsHost || (type === 'host' && host.endsWith('.local')),
    };
  }
  const errors = new Map<string, EngineShape['errors'][number]>();
  for (const e of record.errors) {
    const entry = { errorCode: e.errorCode, errorText: e.errorText, urlKind: urlKind(e.url), transport: /transport=tcp/.test(e.url) ? ('tcp' as const) : ('udp' as const) };
    errors.set(JSON.stringify(entry), entry);
  }
  const statsFields: EngineShape['statsFields'] = {};
  for (const entry of record.stats) {
    const type = typeof entry.candidateType === 'string' ? entry.candidateType : 'unknown';
    const fields = new Set(statsFields[type] ?? []);
    for (const field of READ_STATS_FIELDS) if (entry[field] !== undefined && entry[field] !== null && entry[field] !== '') fields.add(field);
    statsFields[type] = [...fields].sort();
  }
  const pairFields = new Set<string>();
  let transportSelectsPair = false;
  for (const entry of record.connected) {
    if (entry.type === 'candidate-pair') for (const field of READ_PAIR_FIELDS) if (entry[field] !== undefined && entry[field] !== null) pairFields.add(field);
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') transportSelectsPair = true;
  }
  return {
    engine: record.engine,
    candidateTypes: Object.keys(candidateFields).sort(),
    candidateFields: Object.fromEntries(Object.entries(candidateFields).sort(([a], [b]) => a.localeCompare(b))),
    errors: [...errors.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    statsFields: Object.fromEntries(Object.entries(statsFields).sort(([a], [b]) => a.localeCompare(b))),
    pairFields: [...pairFields].sort(),
    transportSelectsPair,
  };
}
