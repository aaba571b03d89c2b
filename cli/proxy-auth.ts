/**
 * Watches the browser the CLI drives for proxy sign-in requests (HTTP 407), which page JavaScript never sees, over
 * the DevTools protocol: `Fetch.enable` with `handleAuthRequests` makes Chromium report every authentication
 * challenge as `Fetch.authRequired` (with `source: "Proxy"` for a proxy's). Each one is recorded and then
 * cancelled — the CLI holds no credentials, and a headless Chromium left to itself would wait forever for a
 * sign-in dialog nobody sees (the page's request then just hangs until its deadline). Cancelled, the request fails
 * at once as it would for a person who dismissed the dialog. The page reads the record through the
 * `__netreadyProxyAuth` function the CLI exposes (lib/probes/proxy-auth.ts).
 * With the Fetch domain enabled every request pauses until `Fetch.continueRequest`: one local round trip each.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { ProxyAuthChallengeLike, ProxyAuthReportLike } from '../lib/probes/types';

/** The subset of `Fetch.authRequired` the watcher reads. */
interface AuthRequiredEvent {
  requestId: string;
  request: { url: string };
  authChallenge: { source?: 'Server' | 'Proxy'; origin: string; scheme: string; realm: string };
}

/** A running watch. */
export interface ProxyAuthWatch {
  /** Proxy challenges seen so far, oldest first (one per challenged request). */
  challenges(): ProxyAuthChallengeLike[];
  /** What the page gets: requests watched so far and the proxy challenges among them. */
  report(): ProxyAuthReportLike;
  /** Stops watching (disables the Fetch domain and detaches). */
  stop(): Promise<void>;
}

/** Starts watching `page` (call before navigating, so the page's first requests are seen too). */
export async function watchProxyAuth(context: BrowserContext, page: Page): Promise<ProxyAuthWatch> {
  const cdp: CDPSession = await context.newCDPSession(page);
  const seen: ProxyAuthChallengeLike[] = [];
  let requestsWatched = 0;
  // A request may be gone (page closed, aborted) by the time we answer; that is not an error worth reporting.
  const ignore = (): undefined => undefined;
  cdp.on('Fetch.requestPaused', (event: { requestId: string }) => {
    requestsWatched += 1;
    cdp.send('Fetch.continueRequest', { requestId: event.requestId }).catch(ignore);
  });
  cdp.on('Fetch.authRequired', (event: AuthRequiredEvent) => {
    const { authChallenge } = event;
    if (authChallenge.source === 'Proxy') {
      seen.push({ proxy: authChallenge.origin, scheme: authChallenge.scheme.toLowerCase(), realm: authChallenge.realm, url: event.request.url });
    }
    // A server's 401 is cancelled as well: the page then receives the 401 response itself instead of a dialog.
    cdp.send('Fetch.continueWithAuth', { requestId: event.requestId, authChallengeResponse: { response: 'CancelAuth' } }).catch(ignore);
  });
  await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
  return {
    challenges: () => seen.map((c) => ({ ...c })),
    report: () => ({ requestsWatched, challenges: seen.map((c) => ({ ...c })) }),
    stop: async () => {
      await cdp.send('Fetch.disable').catch(ignore);
      await cdp.detach().catch(ignore);
    },
  };
}
