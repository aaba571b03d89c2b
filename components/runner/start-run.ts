/**
 * Browser adapter of the engine: injects the real RTCPeerConnection, fetch and clocks into runNetready.
 * Browser-only (client components call it after a user action or `?autostart=1`).
 */
import type { RunEventListener } from '../../lib/engine/events';
import { runNetready } from '../../lib/engine/run-netready';
import type { PeerConnectionLike, ProbeEnvironment } from '../../lib/probes/types';
import type { Result } from '../../lib/schema/result';

/** Options of startRun. */
export interface StartRunOptions {
  /** Probe server HTTP base URL. */
  probeUrl: string;
  /** Overall time budget in ms. */
  budgetMs: number;
  /** Deadline of each network probe in ms. Default: a third of the budget, at least 2000. */
  probeTimeoutMs?: number;
  /** Deployment name recorded in the result. */
  configName: string;
  signal?: AbortSignal;
  onEvent: RunEventListener;
}

/** The real browser environment. */
export function browserEnvironment(): ProbeEnvironment {
  return {
    createPeerConnection: (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike,
    fetch: (url, init) => fetch(url, { ...init, mode: 'cors', cache: 'no-store', credentials: 'omit' }),
    now: () => performance.now(),
    randomId: () => crypto.randomUUID(),
  };
}

/** Runs the full netready test in this browser and resolves with the result. */
export function startRun(options: StartRunOptions): Promise<Result> {
  return runNetready({
    env: browserEnvironment(),
    probeUrl: options.probeUrl.replace(/\/+$/, ''),
    budgetMs: options.budgetMs,
    probeTimeoutMs: options.probeTimeoutMs ?? Math.max(2000, Math.round(options.budgetMs / 3)),
    configName: options.configName,
    userAgent: navigator.userAgent,
    startedAt: new Date().toISOString(),
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: options.onEvent,
  });
}
