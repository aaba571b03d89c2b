/**
 * Probe "proxy-auth": did a proxy between this browser and netready's servers demand a sign-in (HTTP 407)?
 * Page JavaScript never sees a 407 — Chromium answers it from its credential cache, asks the person, or (headless)
 * waits — so the answer comes from the program driving the browser: the CLI watches the DevTools protocol for
 * proxy authentication requests and hands them to the page (`ProbeEnvironment.proxyAuthReport`). The probe makes
 * no requests of its own (extra parallel HTTPS requests would share connections with the DNS timing probe's and
 * spoil its figures): it runs after the probes that do — fresh names in the probe zone, the TLS mirror, the echoes,
 * the WebSockets, the vendor hosts — and asks which of the page's requests a proxy challenged. In a browser a person
 * opened there is no such program, and the probe says so (`skipped`).
 * Records only; diagnosis/rules/proxy-auth-required.ts decides what it means.
 */
import type { Evidence } from '../schema/result';
import { DNS_LOOKUP_PROBE_ID } from './dns-lookup';
import { DNS_VENDOR_HOSTS_PROBE_ID } from './dns-vendor-hosts';
import { PROXY_ECHO_PROBE_ID } from './proxy-echo';
import { SESSION_PROBE_ID } from './session';
import { TLS_MIRROR_PROBE_ID } from './tls-mirror';
import { skippedReport, type Probe, type ProbeReport, type ProxyAuthChallengeLike } from './types';
import { WEBSOCKET_PROBE_ID } from './websocket';

/** Id of the proxy-authentication probe. */
export const PROXY_AUTH_PROBE_ID = 'proxy-auth';

/** At most this many distinct challenges are kept (a page makes a few dozen requests; the rest add nothing). */
export const PROXY_AUTH_MAX_CHALLENGES = 20;

/** Longest realm/proxy/URL text kept from the browser host (it is untrusted input that ends up in the result). */
const MAX_TEXT = 300;

/** `data` of the proxy-authentication probe. */
export interface ProxyAuthData {
  /** Who reported the challenges: the DevTools protocol of the browser the CLI drives. */
  observer: 'devtools';
  /** Requests of the page the observer watched by the time this probe asked. */
  requestsWatched: number;
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

/** Creates the proxy-authentication probe. */
export function createProxyAuthProbe(): Probe {
  return {
    id: PROXY_AUTH_PROBE_ID,
    title: 'Proxy sign-in (HTTP 407) on the way to the test servers',
    dependsOn: [SESSION_PROBE_ID],
    runsAfter: [DNS_LOOKUP_PROBE_ID, DNS_VENDOR_HOSTS_PROBE_ID, TLS_MIRROR_PROBE_ID, PROXY_ECHO_PROBE_ID, WEBSOCKET_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const observe = ctx.env.proxyAuthReport;
      if (!observe) {
        return skippedReport(
          'A web page cannot see a proxy asking for a sign-in: the browser answers it or asks you itself. ' +
            'Run the check with the netready command-line tool (npx netready check), which watches the browser\'s own requests, to test for it.',
        );
      }
      ctx.progress('Asking the browser which requests a proxy wanted a sign-in for');
      let requestsWatched: number;
      let reported: unknown[];
      try {
        const value: unknown = await observe();
        const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
        requestsWatched = typeof record.requestsWatched === 'number' && Number.isFinite(record.requestsWatched) ? Math.max(0, Math.round(record.requestsWatched)) : 0;
        reported = Array.isArray(record.challenges) ? record.challenges : [];
      } catch (error) {
        return {
          status: 'inconclusive',
          reason: `The program driving the browser did not say which requests a proxy challenged: ${error instanceof Error ? error.message : String(error)}`,
          data: {},
          evidence: [],
        };
      }
      const challenges = distinctChallenges(reported);
      const data: ProxyAuthData = { observer: 'devtools', requestsWatched, challenges, challengedRequests: reported.length };
      if (challenges.length === 0) {
        const evidence: Evidence[] = [
          { probe: PROXY_AUTH_PROBE_ID, kind: 'no-proxy-auth', summary: `no proxy asked for a sign-in on any of the ${requestsWatched} requests the browser made for this page`, data: { requestsWatched } },
        ];
        return { status: 'pass', data: data as unknown as Record<string, unknown>, evidence };
      }
      const evidence: Evidence[] = challenges.map((c) => ({
        probe: PROXY_AUTH_PROBE_ID,
        kind: 'proxy-auth-challenge',
        summary: `the proxy ${c.proxy} answered ${c.url} with 407 Proxy Authentication Required (${c.scheme}${c.realm ? `, realm "${c.realm}"` : ''})`,
        data: { ...c },
      }));
      return {
        status: 'fail',
        reason: `A proxy asked for a sign-in on ${reported.length} of the ${Math.max(requestsWatched, reported.length)} requests the browser made for this page, and the browser had no credentials it could use.`,
        data: data as unknown as Record<string, unknown>,
        evidence,
      };
    },
  };
}
