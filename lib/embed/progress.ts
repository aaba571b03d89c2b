/**
 * Turns a run's events (lib/engine/events.ts) into the embed protocol's `netready:progress` messages: one when a probe
 * starts, one when it finishes (with how many of the plan are done), and one when the connectivity verdict is known.
 * A tracker per run; pure apart from its own count.
 */
import type { RunEvent } from '../engine/events';
import { EMBED_PROTOCOL_VERSION, type ProgressMessage } from './protocol';

/** Follows one run and answers each event with the progress message to post, or null. */
export interface ProgressTracker {
  next(event: RunEvent): ProgressMessage | null;
}

/** Creates a tracker for one run. */
export function createProgressTracker(): ProgressTracker {
  let runId = '';
  let titles = new Map<string, string>();
  const done = new Set<string>();
  const base = (atMs: number): Omit<ProgressMessage, 'probe' | 'connectivity'> => ({
    type: 'netready:progress',
    version: EMBED_PROTOCOL_VERSION,
    runId,
    atMs: Math.round(atMs),
    completed: done.size,
    total: titles.size,
  });
  return {
    next(event) {
      switch (event.type) {
        case 'run-started':
          runId = event.runId;
          titles = new Map(event.probes.map(({ id, title }) => [id, title]));
          done.clear();
          return null;
        case 'probe-started':
          if (!titles.has(event.probeId)) return null;
          return { ...base(event.atMs), probe: { id: event.probeId, title: titles.get(event.probeId)!, status: 'running' } };
        case 'probe-finished':
          if (!titles.has(event.probeId)) return null;
          done.add(event.probeId);
          return { ...base(event.atMs), probe: { id: event.probeId, title: titles.get(event.probeId)!, status: event.outcome.status } };
        case 'connectivity-verdict':
          return { ...base(event.atMs), connectivity: { verdict: event.verdict } };
        default:
          return null;
      }
    },
  };
}
