/**
 * The browser suite's `test` for specs that run in both projects (playwright.config.ts): Chromium against the shared
 * stack of global setup, Firefox (Debian's firefox-esr over WebDriver BiDi, issue 18) against a stack of its own.
 *
 * Why Firefox gets its own stack: Firefox never tries TURN over TLS given by IP address (`turns:127.0.0.1:…`; issue 18
 * saw no TCP connection at all), and the shared stack's `turns:` URL is an IP so Chromium keeps testing the
 * `npm start` default. The Firefox stack sets `probe.publicHost` to `localhost`, the one host name the e2e stack has
 * (the dev certificate always carries it, server/tls/dev-ca.ts), so its `turns:localhost:…` URL is one Firefox uses.
 *
 * Why Firefox is launched on a profile of ours: the dev CA must be in the NSS DB of the profile Firefox starts with
 * (cert9.db in the profile folder; Playwright's plain `launch()` makes a profile we cannot reach). The worker's
 * `browser` is that persistent context's browser, so each test still gets a fresh context from `browser.newContext()`
 * — contexts of one Firefox share its certificate database.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, type Browser, type BrowserContext } from '@playwright/test';
import { createFirefoxProfile, findFirefox, launchFirefox } from '../../cli/firefox';
import { SHARED_STACK_BASE_PORT } from '../global-setup';
import { portsFrom, REPO_ROOT, startStack } from './stack';

/** Base port of the Firefox project's stack (27000 by default; it moves with NETREADY_E2E_BASE_PORT). */
export const FIREFOX_STACK_BASE_PORT = SHARED_STACK_BASE_PORT + 4000;

/** Where a spec's browser finds the netready stack it tests. */
export interface E2eStack {
  /** The web app, e.g. http://127.0.0.1:23000. */
  webUrl: string;
  /** The probe server's HTTP API. */
  probeUrl: string;
  /** The stack's data folder (tls/ca.pem is its dev CA). */
  dataDir: string;
}

/**
 * Runs `use` with a headless Firefox (Debian's firefox-esr) on a throwaway profile that trusts `stack`'s dev CA, with
 * `extraPrefs` over netready's own (a person's or a policy's settings); closes it and removes the profile after.
 * Throws (fails the test, never skips) with what to install when firefox-esr is missing.
 */
export async function withFirefox<T>(stack: Pick<E2eStack, 'webUrl' | 'dataDir'>, extraPrefs: Record<string, boolean> | undefined, use: (context: BrowserContext) => Promise<T>): Promise<T> {
  const executablePath = findFirefox(process.env);
  const parent = path.join(REPO_ROOT, 'test-results');
  mkdirSync(parent, { recursive: true });
  const profile = createFirefoxProfile([readFileSync(path.join(stack.dataDir, 'tls', 'ca.pem'), 'utf8')], { parent });
  try {
    const context = await launchFirefox({ executablePath, profile, url: stack.webUrl, ...(extraPrefs ? { extraPrefs } : {}) });
    try {
      return await use(context);
    } finally {
      await context.close();
    }
  } finally {
    profile.cleanup();
  }
}

/** `test` with the worker's `e2eStack`, and a Firefox `browser` that trusts that stack's dev CA. */
export const test = base.extend<object, { e2eStack: E2eStack }>({
  e2eStack: [
    async ({ browserName }, use) => {
      if (browserName !== 'firefox') {
        await use({
          webUrl: process.env.NETREADY_E2E_WEB_URL ?? '',
          probeUrl: process.env.NETREADY_E2E_PROBE_URL ?? '',
          dataDir: process.env.NETREADY_E2E_DATA_DIR ?? '',
        });
        return;
      }
      const stack = await startStack(portsFrom(FIREFOX_STACK_BASE_PORT), { NETREADY_PUBLIC_HOST: 'localhost' });
      try {
        await use({ webUrl: stack.webUrl, probeUrl: stack.probeUrl, dataDir: stack.dataDir });
      } finally {
        await stack.stop();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  browser: [
    async ({ browserName, playwright, e2eStack }, use) => {
      if (browserName !== 'firefox') {
        // As Playwright's own fixture does: launch() takes the project's launchOptions.
        const browser = await playwright[browserName].launch();
        await use(browser);
        await browser.close();
        return;
      }
      // Fails every Firefox test, never skips, with what to install when firefox-esr is missing.
      await withFirefox(e2eStack, undefined, (context) => use(context.browser() as Browser));
    },
    { scope: 'worker', timeout: 0 },
  ],
});

export { expect } from '@playwright/test';
