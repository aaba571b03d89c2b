/**
 * Globals the netready pages read. `__netreadyReport` is injected by the CLI (`npx netready check`) with
 * Playwright's `page.exposeFunction`, so a headless run hands its result over without scraping the page.
 */
import type { Result } from '../lib/schema/result';

declare global {
  interface Window {
    /** Called once with the result when a run finishes, if present (CLI). May return a promise. */
    __netreadyReport?: (result: Result) => void | Promise<void>;
    /** Called with the error message when a run breaks without producing a result, if present (CLI). */
    __netreadyFailed?: (message: string) => void | Promise<void>;
  }
}

export {};
