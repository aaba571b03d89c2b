/**
 * Browser entry for tests and the bench that run the real media-quality probe in real Chromium: bundled with
 * esbuild (server/peer/testing/quality-page.ts) and injected into a blank page, it defines
 * `globalThis.__netreadyQuality(options)`, which runs the session and media-quality probes with the browser's own
 * RTCPeerConnection and resolves with the media-quality outcome. `answerOffer`, when the page has one exposed,
 * stands in for the probe server's HTTP API (a test that drives a MediaPeerServer directly).
 */
import { runNetready } from '../../engine/run-netready';
import type { ProbeOutcome } from '../../schema/result';
import type { Session } from '../../schema/session';
import { createMediaQualityProbe } from '../media-quality';
import type { QualityPlan } from '../media-quality-session';
import { createSessionProbe } from '../session';
import type { FetchLike, PeerConnectionLike, ProbeEnvironment } from '../types';

/** Options of one in-page run. */
export interface QualityPageOptions {
  /** The probe server's HTTP API (real fetches), or any base URL when `session` is given. */
  probeUrl: string;
  /** A session document to use instead of asking the server (with `answerOffer` exposed). */
  session?: Session;
  plan?: QualityPlan;
  budgetMs?: number;
}

interface PageGlobals {
  __netreadyQuality?: (options: QualityPageOptions) => Promise<ProbeOutcome | undefined>;
  /** Exposed by the test: takes the offer SDP, returns the answer JSON text. */
  __netreadyAnswerOffer?: (sdp: string) => Promise<string>;
  RTCPeerConnection: new (config: unknown) => PeerConnectionLike;
  fetch: (url: string, init: unknown) => Promise<{ status: number; json(): Promise<unknown> }>;
  performance: { now(): number };
  crypto: { randomUUID(): string };
}

const page = globalThis as unknown as PageGlobals;

page.__netreadyQuality = async (options) => {
  const answer = page.__netreadyAnswerOffer;
  const fetchLike: FetchLike = async (url, init) => {
    if (options.session && url.endsWith('/v1/sessions')) return { status: 201, json: async () => options.session };
    if (options.session && answer && url.endsWith('/peers')) {
      const text = await answer((JSON.parse(init.body ?? '{}') as { sdp: string }).sdp);
      return { status: 200, json: async () => JSON.parse(text) as unknown };
    }
    return page.fetch(url, { ...init, mode: init.mode ?? 'cors', cache: 'no-store' });
  };
  const env: ProbeEnvironment = {
    createPeerConnection: (config) => new page.RTCPeerConnection(config),
    fetch: fetchLike,
    now: () => page.performance.now(),
    randomId: () => page.crypto.randomUUID(),
  };
  const result = await runNetready({
    env,
    probeUrl: options.probeUrl,
    budgetMs: options.budgetMs ?? 10_000,
    probeTimeoutMs: 5000,
    configName: 'quality-page',
    userAgent: 'quality-page',
    startedAt: new Date().toISOString(),
    plan: [createSessionProbe(), createMediaQualityProbe(options.plan)],
  });
  return result.probes['media-quality'];
};
