/**
 * One complete netready run: emits `run-started`, runs the plan under the budget, diagnoses, assembles the
 * schemaVersion 1 result and emits `run-finished`. Environment-agnostic: the browser adapter
 * (components/runner/start-run.ts) and unit tests inject the environment.
 */
import { diagnose } from '../diagnosis/diagnose';
import { createDefaultPlan } from '../probes/plan';
import type { Probe, ProbeEnvironment } from '../probes/types';
import { SCHEMA_VERSION, type Result } from '../schema/result';
import { describeClient } from './client-info';
import type { RunEventListener } from './events';
import { runPlan } from './run-plan';

/** Options of runNetready. */
export interface RunNetreadyOptions {
  env: ProbeEnvironment;
  /** Probe server HTTP base URL (no trailing slash). */
  probeUrl: string;
  /** Overall time budget in ms. */
  budgetMs: number;
  /** Deadline of each network probe in ms. */
  probeTimeoutMs: number;
  /** Deployment name recorded in `config.name`. */
  configName: string;
  /** The browser's User-Agent. */
  userAgent: string;
  /** Wall-clock start time (ISO 8601). */
  startedAt: string;
  /** Probes to run. Default: createDefaultPlan(). */
  plan?: Probe[];
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

/** Runs netready end to end and resolves with the result (never rejects for network failures). */
export async function runNetready(options: RunNetreadyOptions): Promise<Result> {
  const { env, onEvent } = options;
  const plan = options.plan ?? createDefaultPlan();
  const runId = env.randomId();
  const t0 = env.now();
  const emit: RunEventListener = (event) => {
    try {
      onEvent?.(event);
    } catch {
      // Listener bugs must not break the run.
    }
  };
  emit({ type: 'run-started', runId, startedAt: options.startedAt, probes: plan.map(({ id, title }) => ({ id, title })) });
  const rawProbes = await runPlan({
    plan,
    env,
    probeUrl: options.probeUrl,
    budgetMs: options.budgetMs,
    defaultTimeoutMs: options.probeTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: emit,
  });
  const { verdict, findings, probes } = diagnose(rawProbes, { probeUrl: options.probeUrl });
  const durationMs = Math.round(env.now() - t0);
  const result: Result = {
    schemaVersion: SCHEMA_VERSION,
    id: runId,
    startedAt: options.startedAt,
    durationMs,
    config: { name: options.configName, probeUrl: options.probeUrl, budgetMs: options.budgetMs },
    client: describeClient(options.userAgent),
    verdict,
    findings,
    probes,
  };
  emit({ type: 'run-finished', atMs: durationMs, result });
  return result;
}
