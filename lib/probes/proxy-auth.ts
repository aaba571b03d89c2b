/**
 * Probe "proxy-auth": does a proxy between this browser and netready's servers demand a sign-in (HTTP 407)?
 * Page JavaScript never sees a 407 — Chromium answers it from its credential cache, asks the person, or (headless)
 * waits — so the answer comes from the program driving the browser: the CLI watches the DevTools protocol for
 * proxy authentication requests and hands them to the page (`ProbeEnvironment.proxyAuthChallenges`). The probe
 * makes its own requests along the paths a proxy would see — a fresh name in the probe zone over HTTPS (not
 * resolvable from any cache, and the path the TURN host name takes), the HTTPS echo, and the plain-HTTP echo when
 * the page is plain HTTP — then asks which of the page's requests a proxy challenged so far (its own and every
 * other probe's). In a browser a person opened there is no such program, and the probe says so (`skipped`).
 * Records only; diagnosis/rules/proxy-auth-required.ts decides what it means.
 */
import type { Evidence } from '../schema/result';
import { makeProbeLabel } from './dns-lookup';
import { timedGet, type TimedGet } from './http-get';
import { readSession, SESSION_PROBE_ID } from './session';
import type { Probe, ProbeContext, ProbeReport, ProxyAuthChallengeLike } from './types';

/** Id of the proxy-authentication probe. */
export const PROXY_AUTH_PROBE_ID = 'proxy-auth';

/** At most this many challenges are kept (a page makes a few dozen requests; the rest add nothing). */
export const PROXY_AUTH_MAX_CHALLENGES = 20;

/** Longest realm/proxy/URL text kept from the browser host (it is untrusted input that ends up in the result). */
const MAX_TEXT = 300;

/** One request the probe made to draw out a proxy's challenge (its body is not kept). */
export type ProxyAuthRequest = Omit<TimedGet, 'body'>;

/** `data` of the proxy-authentication probe. */
export interface ProxyAuthData {
  /** Who reported the challenges: the DevTools protocol of the browser the CLI drives. */
  observer: 'devtools';
  requests: ProxyAuthRequest[];
  /** Distinct challenges (proxy × scheme × realm), each with the first request it was seen on. */
  challenges: ProxyAuthChallengeLike[];
  /** How many of the page's requests a proxy challenged in all. */
  challengedRequests: number;
}

const clip = (value: string): string => (value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value);

/** Keeps well-formed challenges, text clipped, one per proxy × scheme × realm (first URL kept). */
export function distinctChallenges(values: readonly unknown[]): ProxyAuthChallengeLike[] {
  const seen = new Map<string, ProxyAuthChallengeLike>();
  for (const value of values) {
    if (typeof value !== 'object' || value === null) continue;
    const { proxy, scheme, realm, url } = value as Record<string, unknown>;
    if (typeof proxy !== 'string' || typeof scheme !== 'string' || typeof url !== 'string') continue;
    const challenge: ProxyAuthChallengeLike = { proxy: clip(proxy), scheme: clip(scheme.toLowerCase()), realm: typeof realm === 'string' ? clip(realm) : '', url: clip(url) };
    const key = `${challenge.proxy}\u0000${challenge.scheme}\u0000${challenge.realm}`;
    if (!seen.has(key) && seen.size < PROXY_AUTH_MAX_CHALLENGES) seen.set(key, challenge);
  }
  return [...seen.values()];
}

async function request(ctx: ProbeContext, url: string): Promise<ProxyAuthRequest> {
  const { body: _body, ...got } = await timedGet(ctx, url);
  return got;
}

/** The URLs the probe requests: each unique, so neither a cache nor an open connection answers them. */
function targetUrls(ctx: ProbeContext): string[] {
  const session = readSession(ctx);
  const unique = (base: string): string => `${base}?session=${encodeURIComponent(session.sessionId)}&n=${encodeURIComponent(ctx.env.randomId())}`;
  const urls: string[] = [];
  if (session.dns) urls.push(session.dns.lookupUrl.replace('{label}', makeProbeLabel(ctx.env.randomId())));
  if (session.mirror) {
    urls.push(unique(session.mirror.httpsEchoUrl));
    // An HTTPS page may not make plain-HTTP requests (mixed content).
    if (ctx.probeUrl.startsWith('http:')) urls.push(unique(session.mirror.echoUrl));
  }
  return urls;
}

/** Creates the proxy-authentication probe. */
export function createProxyAuthProbe(): Probe {
  return {
    id: PROXY_AUTH_PROBE_ID,
    title: 'Proxy sign-in (HTTP 407) on the way to the test servers',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const observe = ctx.env.proxyAuthChallenges;
      if (!observe) {
        return {
          status: 'skipped',
          reason:
            'A web page cannot see a proxy asking for a sign-in: the browser answers it or asks you itself. ' +
            'Run the check with `npx netready check`, which watches the browser\'s own requests, to test for it.',
          data: {},
          evidence: [],
        };
      }
      const urls = targetUrls(ctx);
      if (urls.length === 0) {
        return { status: 'skipped', reason: 'The test server offers no echo or probe zone to send requests to (older version).', data: {}, evidence: [] };
      }
      ctx.progress(`Requesting ${urls.length} test URL(s) and asking the browser about proxy sign-ins`);
      const requests = await Promise.all(urls.map((url) => request(ctx, url)));
      let reported: unknown[];
      try {
        const value: unknown = await observe();
        reported = Array.isArray(value) ? value : [];
      } catch (error) {
        return {
          status: 'inconclusive',
          reason: `The program driving the browser did not say which requests a proxy challenged: ${error instanceof Error ? error.message : String(error)}`,
          data: { requests },
          evidence: [],
        };
      }
      const challenges = distinctChallenges(reported);
      const data: ProxyAuthData = { observer: 'devtools', requests, challenges, challengedRequests: reported.length };
      const evidence: Evidence[] = challenges.map((c) => ({
        probe: PROXY_AUTH_PROBE_ID,
        kind: 'proxy-auth-challenge',
        summary: `the proxy ${c.proxy} answered ${c.url} with 407 Proxy Authentication Required (${c.scheme}${c.realm ? `, realm "${c.realm}"` : ''})`,
        data: { ...c },
      }));
      if (challenges.length === 0) {
        evidence.push({
          probe: PROXY_AUTH_PROBE_ID,
          kind: 'no-proxy-auth',
          summary: `no proxy asked for a sign-in on any of the page's requests (${requests.length} made for this check: ${requests.map((r) => (r.answered ? `HTTP ${r.httpStatus}` : r.timedOut ? 'no answer' : 'failed')).join(', ')})`,
          data: { requests: requests.map((r) => r.url) },
        });
        return { status: 'pass', data: data as unknown as Record<string, unknown>, evidence };
      }
      return {
        status: 'fail',
        reason: `A proxy asked for a sign-in on ${reported.length} of the page's request(s) and the browser had no credentials it could use.`,
        data: data as unknown as Record<string, unknown>,
        evidence,
      };
    },
  };
}
