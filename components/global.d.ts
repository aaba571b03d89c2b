/**
 * Globals the netready pages read. They are injected by the CLI (`npx netready check`) with Playwright's
 * `page.exposeFunction`: `__netreadyReport` so a headless run hands its result over without scraping the page,
 * `__netreadyProxyAuthChallenges` so the page learns what it cannot see itself (a proxy's 407).
 */
import type { ProxyAuthChallengeLike } from '../lib/probes/types';
import type { Result } from '../lib/schema/result';

declare global {
  interface Window {
    /** Called once with the result when a run finishes, if present (CLI). May return a promise. */
    __netreadyReport?: (result: Result) => void | Promise<void>;
    /** Called with the error message when a run breaks without producing a result, if present (CLI). */
    __netreadyFailed?: (message: string) => void | Promise<void>;
    /** The proxy sign-in requests (407) the driving program saw for this page so far, if present (CLI). */
    __netreadyProxyAuthChallenges?: () => Promise<ProxyAuthChallengeLike[]>;
  }
}

export {};
