/**
 * One complete netready run: emits `run-started`, runs the plan under the budget, diagnoses, assembles the
 * schemaVersion 1 result and emits `run-finished`. Environment-agnostic: the browser adapter
 * (components/runner/start-run.ts) and unit tests inject the environment.
 */
import { diagnose } from '../diagnosis/diagnose';
import { createDefaultPlan } from '../probes/plan';
import type { Probe, ProbeEnvironment } from '../probes/types';
import { SCHEMA_VERSION, type ClientInfo, type ProbeOutcome, type Result, type Verdict } from '../schema/result';
import { describeClient } from './client-info';
import type { RunEventListener } from './events';
import { adaptiveTimeoutMs, BUDGET_TAIL_MS } from './deadlines';
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
  /** Keep every probe at `probeTimeoutMs` instead of adapting to the measured round trip (tests with fakes). */
  fixedTimeouts?: boolean;
  /** Probes to run. Default: createDefaultPlan(). */
  plan?: Probe[];
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

/** The probes whose outcomes decide whether media can flow at all (the connectivity verdict). */
const CONNECTIVITY_PROBES = ['session', 'stun-udp', 'turn-udp', 'turn-tcp', 'turn-tls', 'ice-tcp'];

/**
 * The connectivity verdict once the outcomes so far prove it, else null: `ready` as soon as STUN over UDP reached the
 * media port, `degraded` once the port matrix has ended without it while a relay (or ICE-TCP) carried data — neither
 * can change later —, and otherwise whatever the connectivity probes say once all of them have ended. Quality is not
 * part of it (the final verdict adds it).
 */
export function provenConnectivity(finished: Readonly<Record<string, ProbeOutcome>>, probeUrl?: string, client?: ClientInfo): Verdict | null {
  if (!finished.session) return null;
  if (!finished['stun-udp'] && finished.session.status === 'pass') return null;
  const all = CONNECTIVITY_PROBES.every((id) => finished[id] !== undefined);
  const { verdict } = diagnose({ ...finished }, { ...(probeUrl ? { probeUrl } : {}), ...(client ? { client } : {}) });
  if (verdict === 'ready' || verdict === 'degraded') return verdict;
  return all ? verdict : null;
}

/** Runs netready end to end and resolves with the result (never rejects for network failures). */
export async function runNetready(options: RunNetreadyOptions): Promise<Result> {
  const { env, onEvent } = options;
  const plan = options.plan ?? createDefaultPlan();
  const runId = env.randomId();
  const t0 = env.now();
  // The browser is part of the diagnosis (issue 18): engine, version and what it offers of WebRTC.
  const client = describeClient(options.userAgent, env.webrtc);
  const emit: RunEventListener = (event) => {
    try {
      onEvent?.(event);
    } catch {
      // Listener bugs must not break the run.
    }
  };
  emit({ type: 'run-started', runId, startedAt: options.startedAt, probes: plan.map(({ id, title }) => ({ id, title })) });
  // The connectivity verdict is emitted as soon as the transports prove it; the quality stream refines it later.
  const finished: Record<string, ProbeOutcome> = {};
  let connectivity: Result['connectivity'];
  const watch: RunEventListener = (event) => {
    emit(event);
    if (event.type !== 'probe-finished' || connectivity) return;
    finished[event.probeId] = event.outcome;
    const verdict = provenConnectivity(finished, options.probeUrl, client);
    if (verdict) {
      connectivity = { verdict, atMs: event.atMs };
      emit({ type: 'connectivity-verdict', atMs: event.atMs, verdict });
    }
  };
  const rawProbes = await runPlan({
    plan,
    env,
    probeUrl: options.probeUrl,
    budgetMs: options.budgetMs,
    defaultTimeoutMs: options.probeTimeoutMs,
    // Deadlines follow the round trip measured by the session request (lib/engine/deadlines.ts), unless a caller
    // (a unit test with fakes) fixes them.
    ...(options.fixedTimeouts ? {} : { adaptTimeout: (finished: Parameters<typeof adaptiveTimeoutMs>[0]) => adaptiveTimeoutMs(finished, options.budgetMs) }),
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: watch,
    extensionReserveMs: BUDGET_TAIL_MS,
  });
  const { verdict, findings, probes } = diagnose(rawProbes, { probeUrl: options.probeUrl, client });
  const durationMs = Math.round(env.now() - t0);
  const result: Result = {
    schemaVersion: SCHEMA_VERSION,
    id: runId,
    startedAt: options.startedAt,
    durationMs,
    config: { name: options.configName, probeUrl: options.probeUrl, budgetMs: options.budgetMs },
    client,
    verdict,
    ...(connectivity ? { connectivity } : {}),
    findings,
    probes,
  };
  emit({ type: 'run-finished', atMs: durationMs, result });
  return result;
}
