/**
 * Runs a plan of probes in parallel under one time budget. Each probe starts as soon as the probes it
 * depends on have passed; each gets its own deadline (the smaller of its timeout and the budget left) as an
 * AbortSignal; a probe that ignores its signal is cut off shortly after and recorded as inconclusive, so a
 * run never outlives its budget (peers hang for 30–40 s on blocked networks — we must not).
 */
import type { ProbeOutcome } from '../schema/result';
import type { Probe, ProbeEnvironment, ProbeReport } from '../probes/types';
import type { RunEventListener } from './events';

/** Grace period after a probe's deadline before the engine stops waiting for it. */
export const ABORT_GRACE_MS = 300;

/** Options of runPlan. */
export interface RunPlanOptions {
  /** Probes to run. Ids must be unique; dependencies must name probes in the plan. */
  plan: Probe[];
  /** Injected browser APIs. */
  env: ProbeEnvironment;
  /** Probe server HTTP base URL. */
  probeUrl: string;
  /** Overall budget in ms, from the start of runPlan. */
  budgetMs: number;
  /** Deadline of a probe that sets no timeoutMs, until `adaptTimeout` gives one. */
  defaultTimeoutMs: number;
  /**
   * The deadline of probes that set no timeoutMs, from the outcomes so far (e.g. the session request's round trip), or
   * undefined while it cannot tell. Asked when each such probe starts.
   */
  adaptTimeout?: (finished: Readonly<Record<string, ProbeOutcome>>) => number | undefined;
  /** Cancels the whole run. */
  signal?: AbortSignal;
  /** Progress events (probe-started, probe-progress, probe-finished). */
  onEvent?: RunEventListener;
  /**
   * Time at the end of the budget a probe's extended deadline (ProbeContext.extendDeadline) may not reach into, ms:
   * kept for the probes that run last. Default 0.
   */
  extensionReserveMs?: number;
}

/** Error for an invalid plan (duplicate id, unknown dependency, dependency cycle). */
export class PlanError extends Error {
  /** Machine-readable reason. */
  readonly code: 'duplicate_probe' | 'unknown_dependency' | 'dependency_cycle';
  constructor(code: PlanError['code'], message: string) {
    super(message);
    this.name = 'PlanError';
    this.code = code;
  }
}

/**
 * Every probe `probe` waits for: its dependencies, the probes it runs after, and, when it runs last, every other probe
 * but those whose own last step is an answer from the probe server (`endsWithServerAnswer`).
 */
function waitsFor(probe: Probe, plan: readonly Probe[]): string[] {
  const last = probe.runsLast ? plan.filter((p) => p.id !== probe.id && !p.runsLast && !p.endsWithServerAnswer).map((p) => p.id) : [];
  return [...new Set([...(probe.dependsOn ?? []), ...(probe.runsAfter ?? []), ...last])];
}

function validatePlan(plan: Probe[]): void {
  const ids = new Set<string>();
  for (const probe of plan) {
    if (ids.has(probe.id)) throw new PlanError('duplicate_probe', `probe "${probe.id}" appears twice in the plan`);
    ids.add(probe.id);
  }
  for (const probe of plan) {
    for (const dep of waitsFor(probe, plan)) {
      if (!ids.has(dep)) throw new PlanError('unknown_dependency', `probe "${probe.id}" depends on unknown probe "${dep}"`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(plan.map((p) => [p.id, p]));
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new PlanError('dependency_cycle', `probe dependencies form a cycle through "${id}"`);
    state.set(id, 'visiting');
    const probe = byId.get(id);
    for (const dep of probe ? waitsFor(probe, plan) : []) visit(dep);
    state.set(id, 'done');
  };
  for (const probe of plan) visit(probe.id);
}

function emitSafely(onEvent: RunEventListener | undefined, event: Parameters<RunEventListener>[0]): void {
  try {
    onEvent?.(event);
  } catch {
    // A failing listener (UI bug) must not break the measurement.
  }
}

/**
 * Runs the plan and resolves with every probe's outcome by id (always one per probe: skipped, failed,
 * or inconclusive when it could not run). Never rejects for a probe's failure; rejects only with PlanError.
 */
export async function runPlan(options: RunPlanOptions): Promise<Record<string, ProbeOutcome>> {
  const { plan, env, onEvent } = options;
  validatePlan(plan);
  const t0 = env.now();
  const since = (): number => Math.round(env.now() - t0);
  const outcomes: Record<string, ProbeOutcome> = {};
  const handoffs: Record<string, unknown> = {};
  const running = new Map<string, Promise<void>>();
  /** Running probes that may be abandoned: their abort, by id. */
  const abandonable = new Map<string, (reason: string) => void>();

  const finish = (probe: Probe, outcome: ProbeOutcome): void => {
    outcomes[probe.id] = outcome;
    emitSafely(onEvent, { type: 'probe-finished', probeId: probe.id, atMs: since(), outcome });
    for (const [id, abandon] of abandonable) {
      const reason = plan.find((p) => p.id === id)?.abandonWhen?.(outcomes);
      if (reason) abandon(reason);
    }
  };

  const runOne = async (probe: Probe): Promise<void> => {
    const deps: Record<string, ProbeOutcome> = {};
    const depHandoffs: Record<string, unknown> = {};
    for (const dep of probe.dependsOn ?? []) {
      const outcome = outcomes[dep];
      if (!outcome || (outcome.status !== 'pass' && outcome.status !== 'warn')) {
        const depTitle = plan.find((p) => p.id === dep)?.title ?? dep;
        finish(probe, {
          status: 'skipped',
          durationMs: 0,
          reason: `Not run: it needs "${depTitle}", which did not succeed.`,
          data: {},
          evidence: [],
        });
        return;
      }
      deps[dep] = outcome;
      depHandoffs[dep] = handoffs[dep];
    }
    const remaining = options.budgetMs - since();
    if (options.signal?.aborted || remaining <= 0) {
      finish(probe, {
        status: 'inconclusive',
        durationMs: 0,
        reason: options.signal?.aborted ? 'Not run: the test was cancelled.' : 'Not run: the time budget was used up.',
        data: {},
        evidence: [],
      });
      return;
    }
    const timeoutMs = Math.max(1, Math.min(probe.timeoutMs ?? options.adaptTimeout?.(outcomes) ?? options.defaultTimeoutMs, remaining));
    const controller = new AbortController();
    let abandonedBecause: string | undefined;
    if (probe.abandonWhen) {
      const already = probe.abandonWhen(outcomes);
      abandonable.set(probe.id, (reason) => {
        if (abandonedBecause !== undefined || controller.signal.aborted) return;
        abandonedBecause = reason;
        controller.abort(new Error(`abandoned: ${reason}`));
      });
      if (already) abandonable.get(probe.id)!(already);
    }
    const onOuterAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let deadlineMs = timeoutMs;
    const expire = (): void => controller.abort(new Error(`deadline of ${deadlineMs} ms passed`));
    let deadline = setTimeout(expire, timeoutMs);
    let cutoff: ReturnType<typeof setTimeout> | undefined;
    const started = env.now();
    const startedAtMs = since();
    const extendDeadline = (wantedMs: number): number => {
      if (controller.signal.aborted) return deadlineMs;
      const latest = options.budgetMs - (options.extensionReserveMs ?? 0) - startedAtMs;
      const granted = Math.min(Math.max(deadlineMs, Math.round(wantedMs)), latest);
      if (granted > deadlineMs) {
        deadlineMs = granted;
        clearTimeout(deadline);
        deadline = setTimeout(expire, Math.max(0, granted - (since() - startedAtMs)));
      }
      return deadlineMs;
    };
    emitSafely(onEvent, { type: 'probe-started', probeId: probe.id, atMs: since() });
    try {
      const abandoned = new Promise<'abandoned'>((resolve) => {
        const arm = (): void => {
          cutoff = setTimeout(() => resolve('abandoned'), ABORT_GRACE_MS);
        };
        if (controller.signal.aborted) arm();
        else controller.signal.addEventListener('abort', arm, { once: true });
      });
      const report: ProbeReport | 'abandoned' = await Promise.race([
        probe.run({
          env,
          signal: controller.signal,
          timeoutMs,
          probeUrl: options.probeUrl,
          deps,
          handoffs: depHandoffs,
          progress: (message) => emitSafely(onEvent, { type: 'probe-progress', probeId: probe.id, atMs: since(), message }),
          extendDeadline,
        }),
        abandoned,
      ]);
      const durationMs = Math.round(env.now() - started);
      abandonable.delete(probe.id);
      if (abandonedBecause !== undefined) {
        // Stopped because other probes' outcomes already imply this one's: keep what it recorded, say why it ended.
        const recorded = report === 'abandoned' ? { data: {}, evidence: [] } : report;
        finish(probe, { status: 'skipped', durationMs, reason: `Stopped early: ${abandonedBecause}`, data: recorded.data, evidence: recorded.evidence });
      } else if (report === 'abandoned') {
        finish(probe, {
          status: 'inconclusive',
          durationMs,
          reason: `Stopped after its ${deadlineMs} ms deadline without a result.`,
          data: {},
          evidence: [],
        });
      } else {
        const { handoff, ...recorded } = report;
        handoffs[probe.id] = handoff;
        finish(probe, { ...recorded, durationMs });
      }
    } catch (error) {
      finish(probe, {
        status: 'inconclusive',
        durationMs: Math.round(env.now() - started),
        reason: `The probe could not run: ${error instanceof Error ? error.message : String(error)}`,
        data: {},
        evidence: [],
      });
    } finally {
      abandonable.delete(probe.id);
      clearTimeout(deadline);
      if (cutoff !== undefined) clearTimeout(cutoff);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  };

  // Start every probe whose dependencies are settled; re-check whenever one finishes.
  const pending = new Set(plan.map((p) => p.id));
  await new Promise<void>((resolveAll) => {
    const schedule = (): void => {
      for (const probe of plan) {
        if (!pending.has(probe.id)) continue;
        const ready = waitsFor(probe, plan).every((dep) => outcomes[dep] !== undefined);
        if (!ready) continue;
        pending.delete(probe.id);
        const task = runOne(probe).then(() => {
          running.delete(probe.id);
          schedule();
        });
        running.set(probe.id, task);
      }
      if (pending.size === 0 && running.size === 0) resolveAll();
    };
    schedule();
  });
  // Report in plan order (not finishing order), so every view lists probes the same way.
  return Object.fromEntries(plan.map((probe) => [probe.id, outcomes[probe.id]!]));
}
