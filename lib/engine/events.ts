/**
 * Typed progress events a run emits, in order: `run-started`, then per probe `probe-started`,
 * any number of `probe-progress`, `probe-finished`, and finally `run-finished` with the result.
 * The UI renders live progress from these; the CLI prints them.
 */
import type { ProbeOutcome, Result, Verdict } from '../schema/result';

/** Static description of a probe in a plan, for progress display. */
export interface ProbeDescriptor {
  /** Stable probe id (key of `result.probes`). */
  id: string;
  /** Short human title, e.g. "TURN over TLS". */
  title: string;
}

/** A progress event of a run. `atMs` is milliseconds since the run started. */
export type RunEvent =
  | { type: 'run-started'; runId: string; startedAt: string; probes: ProbeDescriptor[] }
  | { type: 'probe-started'; probeId: string; atMs: number }
  | { type: 'probe-progress'; probeId: string; atMs: number; message: string }
  | { type: 'probe-finished'; probeId: string; atMs: number; outcome: ProbeOutcome }
  /** The connectivity verdict, as soon as the transports prove it (the quality measurement may still refine it). */
  | { type: 'connectivity-verdict'; atMs: number; verdict: Verdict }
  | { type: 'run-finished'; atMs: number; result: Result };

/** Receives run events. Must not throw; exceptions are caught and ignored by the engine. */
export type RunEventListener = (event: RunEvent) => void;
