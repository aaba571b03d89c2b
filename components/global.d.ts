/**
 * Globals the netready pages read. They are injected by the CLI (`npx netready check`) with Playwright's
 * `page.exposeFunction`: `__netreadyReport` so a headless run hands its result over without scraping the page,
 * `__netreadyProxyAuth` so the page learns what it cannot see itself (a proxy's 407).
 */
import type { ProxyAuthReportLike } from '../lib/probes/types';
import type { Result } from '../lib/schema/result';

declare global {
  interface Window {
    /** Called once with the result when a run finishes, if present (CLI). May return a promise. */
    __netreadyReport?: (result: Result) => void | Promise<void>;
    /** Called with the error message when a run breaks without producing a result, if present (CLI). */
    __netreadyFailed?: (message: string) => void | Promise<void>;
    /** Called once with the connectivity verdict as soon as the transports prove it (issue 16), if present (CLI). */
    __netreadyConnectivity?: (connectivity: { verdict: Result['verdict']; atMs: number }) => void | Promise<void>;
    /** The page's requests the driving program watched and the proxy sign-ins (407) among them, if present (CLI). */
    __netreadyProxyAuth?: () => Promise<ProxyAuthReportLike>;
  }
}

export {};
