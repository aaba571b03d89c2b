/**
 * Change detection of `netready monitor` (issue 19): from one run to the next, what changed in network terms — the
 * verdict, and each finding appearing or disappearing — and when. A change alerts only once it has held for
 * `confirmRuns` consecutive runs (default 2), so one lost packet pages nobody; it then names the window in which the
 * network changed: the last run before it (the old state) and the first run after it (the new one).
 *
 * Pure and deterministic: the monitor feeds every run in order (also its stored history after a restart, which rebuilds
 * the same state), and stores the events it returns.
 */
import type { Severity, Verdict } from '../schema/result';

/** What one monitor run reduces to for change detection. */
export interface RunSnapshot {
  runId: string;
  /** When the run ended, ms since the epoch. */
  atMs: number;
  verdict: Verdict;
  findings: ReadonlyArray<{ code: string; severity: Severity }>;
  /** The run's share link, when it was stored on the server. */
  resultUrl?: string;
}

/** A run as a change event names it. */
export interface RunRef {
  runId: string;
  atMs: number;
  resultUrl?: string;
}

/** A confirmed change. */
export type ChangeEvent =
  | { kind: 'verdict'; from: Verdict; to: Verdict; before: RunRef; after: RunRef; confirmedAt: RunRef }
  | { kind: 'finding-appeared' | 'finding-disappeared'; code: string; severity: Severity; before: RunRef; after: RunRef; confirmedAt: RunRef };

/** Options of ChangeDetector. */
export interface ChangeDetectorOptions {
  /** Consecutive runs a change must hold before it is reported (1 reports every change at once). Default 2. */
  confirmRuns?: number;
}

/** A change seen but not yet confirmed: the value it changed to, the run before and the runs showing it. */
interface Pending<T> {
  to: T;
  before: RunRef;
  after: RunRef;
  seen: number;
}

/** One aspect of a run (the verdict, or one finding's presence): its confirmed value and a change in waiting. */
interface Aspect<T> {
  value: T;
  /** The last run that showed the confirmed value. */
  last: RunRef;
  pending?: Pending<T>;
}

function ref(run: RunSnapshot): RunRef {
  return { runId: run.runId, atMs: run.atMs, ...(run.resultUrl ? { resultUrl: run.resultUrl } : {}) };
}

/** Detects confirmed changes over a sequence of runs (see the module comment). */
export class ChangeDetector {
  readonly #confirmRuns: number;
  #verdict: Aspect<Verdict> | undefined;
  /** Per finding code: whether it is present, and its latest severity. */
  readonly #findings = new Map<string, Aspect<boolean> & { severity: Severity }>();
  #lastRun: RunRef | undefined;

  constructor(options: ChangeDetectorOptions = {}) {
    const confirmRuns = options.confirmRuns ?? 2;
    if (!Number.isInteger(confirmRuns) || confirmRuns < 1) throw new RangeError(`confirmRuns must be a whole number ≥ 1, not ${confirmRuns}`);
    this.#confirmRuns = confirmRuns;
  }

  /** Takes the next run (runs must come in order) and returns the changes it confirmed, verdict first. */
  observe(run: RunSnapshot): ChangeEvent[] {
    const now = ref(run);
    if (this.#lastRun && run.atMs < this.#lastRun.atMs) throw new RangeError(`run ${run.runId} is older than run ${this.#lastRun.runId}: runs must come in order`);
    const events: ChangeEvent[] = [];
    if (!this.#verdict) {
      // The first run sets the baseline: nothing changed yet.
      this.#verdict = { value: run.verdict, last: now };
      for (const f of run.findings) this.#findings.set(f.code, { value: true, last: now, severity: f.severity });
      this.#lastRun = now;
      return events;
    }
    const verdictChange = this.#step(this.#verdict, run.verdict, now);
    if (verdictChange) events.push({ kind: 'verdict', from: verdictChange.from, to: verdictChange.to, before: verdictChange.before, after: verdictChange.after, confirmedAt: now });
    const present = new Map(run.findings.map((f) => [f.code, f.severity]));
    // Codes never seen before start as "absent until the last run", so their first appearance is a change.
    for (const code of present.keys()) {
      if (!this.#findings.has(code)) this.#findings.set(code, { value: false, last: this.#lastRun!, severity: present.get(code)! });
    }
    for (const [code, aspect] of [...this.#findings.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (present.has(code)) aspect.severity = present.get(code)!;
      const change = this.#step(aspect, present.has(code), now);
      if (!change) continue;
      events.push({ kind: change.to ? 'finding-appeared' : 'finding-disappeared', code, severity: aspect.severity, before: change.before, after: change.after, confirmedAt: now });
    }
    this.#lastRun = now;
    return events;
  }

  /** Advances one aspect by a run's value; returns the confirmed change, if this run confirmed one. */
  #step<T>(aspect: Aspect<T>, value: T, now: RunRef): { from: T; to: T; before: RunRef; after: RunRef } | undefined {
    if (value === aspect.value) {
      // Back to (or still at) the confirmed value: a change in waiting did not hold.
      aspect.last = now;
      delete aspect.pending;
      return undefined;
    }
    if (!aspect.pending || aspect.pending.to !== value) aspect.pending = { to: value, before: aspect.last, after: now, seen: 0 };
    aspect.pending.seen++;
    if (aspect.pending.seen < this.#confirmRuns) return undefined;
    const { before, after } = aspect.pending;
    const from = aspect.value;
    aspect.value = value;
    aspect.last = now;
    delete aspect.pending;
    return { from, to: value, before, after };
  }
}

/** The severity order of verdicts, best first: a change towards a later one is worse. */
export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { ready: 0, degraded: 1, inconclusive: 2, blocked: 3 };

/** A change event in one line of plain words, for logs and alerts. */
export function describeChange(event: ChangeEvent): string {
  const window = `between ${new Date(event.before.atMs).toISOString()} and ${new Date(event.after.atMs).toISOString()}`;
  if (event.kind === 'verdict') return `verdict ${event.from} → ${event.to} (${VERDICT_RANK[event.to] > VERDICT_RANK[event.from] ? 'worse' : 'better'}), changed ${window}`;
  return `${event.code} (${event.severity}) ${event.kind === 'finding-appeared' ? 'appeared' : 'disappeared'}, ${window}`;
}

/**
 * The changes one check confirmed, grouped by their window: what a person reads as one event ("at 10:05 the verdict
 * went from ready to degraded, udp-blocked and relay-only appeared"). Changes confirmed together with the same window
 * form one group; a change confirmed with another window (it began in another run) forms its own.
 */
export interface ChangeGroup {
  before: RunRef;
  after: RunRef;
  confirmedAt: RunRef;
  verdict?: { from: Verdict; to: Verdict };
  appeared: Array<{ code: string; severity: Severity }>;
  disappeared: Array<{ code: string; severity: Severity }>;
}

/** Groups the changes of one `observe` call by window (see ChangeGroup), in order of their windows. */
export function groupChanges(events: readonly ChangeEvent[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const event of events) {
    const key = `${event.before.runId}\u0000${event.after.runId}`;
    let group = groups.get(key);
    if (!group) {
      group = { before: event.before, after: event.after, confirmedAt: event.confirmedAt, appeared: [], disappeared: [] };
      groups.set(key, group);
    }
    if (event.kind === 'verdict') group.verdict = { from: event.from, to: event.to };
    else (event.kind === 'finding-appeared' ? group.appeared : group.disappeared).push({ code: event.code, severity: event.severity });
  }
  return [...groups.values()].sort((a, b) => a.after.atMs - b.after.atMs);
}

/** A change group in one line of plain words, for logs and alerts. */
export function describeGroup(group: ChangeGroup): string {
  const parts: string[] = [];
  if (group.verdict) parts.push(`verdict ${group.verdict.from} → ${group.verdict.to} (${VERDICT_RANK[group.verdict.to] > VERDICT_RANK[group.verdict.from] ? 'worse' : 'better'})`);
  const list = (items: ChangeGroup['appeared']): string => items.map((f) => `${f.code} (${f.severity})`).join(', ');
  if (group.appeared.length > 0) parts.push(`${list(group.appeared)} appeared`);
  if (group.disappeared.length > 0) parts.push(`${list(group.disappeared)} disappeared`);
  return `${parts.join('; ')}; changed between ${new Date(group.before.atMs).toISOString()} and ${new Date(group.after.atMs).toISOString()}`;
}
