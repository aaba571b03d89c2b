/**
 * Browser entry for tests that run the real nat probe in real Chromium: bundled with esbuild
 * (server/nat/testing/nat-page.ts) and injected into a blank page, it defines `globalThis.__netreadyNat(options)`,
 * which runs the session and nat probes against a real probe server with the browser's own RTCPeerConnection and
 * resolves with the nat outcome and its duration.
 */
import { runNetready } from '../../engine/run-netready';
import type { ProbeOutcome } from '../../schema/result';
import { createNatProbe, NAT_PROBE_ID } from '../nat';
import { createSessionProbe } from '../session';
import type { PeerConnectionLike, ProbeEnvironment } from '../types';

interface PageGlobals {
  __netreadyNat?: (options: { probeUrl: string }) => Promise<ProbeOutcome | undefined>;
  RTCPeerConnection: new (config: unknown) => PeerConnectionLike;
  fetch: (url: string, init: unknown) => Promise<{ status: number; json(): Promise<unknown> }>;
  performance: { now(): number };
  crypto: { randomUUID(): string };
}

const page = globalThis as unknown as PageGlobals;

page.__netreadyNat = async (options) => {
  const env: ProbeEnvironment = {
    createPeerConnection: (config) => new page.RTCPeerConnection(config),
    fetch: (url, init) => page.fetch(url, { ...init, mode: init.mode ?? 'cors', cache: 'no-store' }),
    now: () => page.performance.now(),
    randomId: () => page.crypto.randomUUID(),
  };
  const result = await runNetready({
    env,
    probeUrl: options.probeUrl,
    budgetMs: 10_000,
    probeTimeoutMs: 6000,
    configName: 'nat-page',
    userAgent: 'nat-page',
    startedAt: new Date().toISOString(),
    plan: [createSessionProbe(), createNatProbe()],
  });
  return result.probes[NAT_PROBE_ID];
};
