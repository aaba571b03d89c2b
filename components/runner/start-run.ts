/**
 * Browser adapter of the engine: injects the real RTCPeerConnection, fetch and clocks into runNetready.
 * Browser-only (client components call it after a user action or `?autostart=1`).
 */
import type { RunEventListener } from '../../lib/engine/events';
import { detectWebRtcCapabilities, type WebRtcScope } from '../../lib/engine/client-info';
import { runNetready } from '../../lib/engine/run-netready';
import { createDefaultPlan, type PlanOptions } from '../../lib/probes/plan';
import type { MediaAccessReport, PeerConnectionLike, ProbeEnvironment, ResourceTimingLike, WebSocketLike } from '../../lib/probes/types';
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
  /** How the deep check's media permission request ended (./media-access.ts); absent in default mode. */
  mediaAccess?: MediaAccessReport;
  /** Which probes: the call-quality stream (default on) and the vendor targets (default all); lib/probes/plan.ts. */
  plan?: PlanOptions;
}

/** Longest wait for a finished fetch's Resource Timing entry; it is queued right after the response body ends. */
const RESOURCE_TIMING_WAIT_MS = 1000;

function toResourceTiming(entry: PerformanceResourceTiming): ResourceTimingLike {
  const { name, startTime, fetchStart, domainLookupStart, domainLookupEnd, connectStart, connectEnd, secureConnectionStart, requestStart, responseStart, responseEnd, nextHopProtocol } = entry;
  return { name, startTime, fetchStart, domainLookupStart, domainLookupEnd, connectStart, connectEnd, secureConnectionStart, requestStart, responseStart, responseEnd, nextHopProtocol };
}

/**
 * Finds the Resource Timing entry of `url`: already buffered, or delivered to a PerformanceObserver shortly after
 * the fetch settles (observers also see entries once the 250-entry buffer is full).
 */
function findResourceTiming(rawUrl: string, signal: AbortSignal): Promise<ResourceTimingLike | null> {
  // Entries are named by the serialized URL, which drops a default port (`https://host:443/x` → `https://host/x`).
  const url = new URL(rawUrl).href;
  const latest = (entries: PerformanceEntryList): PerformanceResourceTiming | undefined =>
    entries.filter((e): e is PerformanceResourceTiming => e.entryType === 'resource').at(-1);
  const buffered = latest(performance.getEntriesByName(url, 'resource'));
  if (buffered) return Promise.resolve(toResourceTiming(buffered));
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((list) => {
      const entry = latest(list.getEntriesByName(url, 'resource'));
      if (entry) done(toResourceTiming(entry));
    });
    const onAbort = (): void => done(null);
    function done(value: ResourceTimingLike | null): void {
      observer.disconnect();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    }
    const timer = setTimeout(() => done(null), RESOURCE_TIMING_WAIT_MS);
    if (signal.aborted) return done(null);
    signal.addEventListener('abort', onAbort, { once: true });
    observer.observe({ type: 'resource', buffered: true });
  });
}

/**
 * A random RFC 4122 version-4 UUID. `crypto.randomUUID` exists only in secure contexts, and a deployment may
 * serve the page over plain HTTP on a LAN address; `getRandomValues` works everywhere.
 */
export function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The real browser environment; `mediaAccess` is the deep check's outcome, handed to the interfaces probe. */
export function browserEnvironment(mediaAccess?: MediaAccessReport): ProbeEnvironment {
  // Only a program driving the browser (the CLI) can see a proxy's 407; a page a person opened has no such hook.
  const proxyAuth = typeof window.__netreadyProxyAuth === 'function' ? window.__netreadyProxyAuth : undefined;
  return {
    createPeerConnection: (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike,
    fetch: (url, init) => fetch(url, { ...init, mode: init.mode ?? 'cors', cache: 'no-store', credentials: 'omit' }),
    now: () => performance.now(),
    randomId: randomUuid,
    resourceTiming: findResourceTiming,
    createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    ...(proxyAuth ? { proxyAuthReport: () => proxyAuth() } : {}),
    ...(mediaAccess ? { mediaAccess: () => ({ ...mediaAccess }) } : {}),
    // Issue 18: whether WebRTC is there at all (switched off by a policy, a pref or an in-app web view).
    webrtc: detectWebRtcCapabilities(globalThis as WebRtcScope),
  };
}

/** Runs the full netready test in this browser and resolves with the result. */
export function startRun(options: StartRunOptions): Promise<Result> {
  return runNetready({
    env: browserEnvironment(options.mediaAccess),
    probeUrl: options.probeUrl.replace(/\/+$/, ''),
    budgetMs: options.budgetMs,
    probeTimeoutMs: options.probeTimeoutMs ?? Math.max(2000, Math.round(options.budgetMs / 3)),
    configName: options.configName,
    userAgent: navigator.userAgent,
    startedAt: new Date().toISOString(),
    ...(options.plan ? { plan: createDefaultPlan(options.plan) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: options.onEvent,
  });
}
