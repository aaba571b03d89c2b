/**
 * Browser suite: real browsers against the real netready stack started by e2e/global-setup.ts, never a downloaded
 * browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD). One worker: the stack and the browser share 2 cores.
 *  - chromium: Debian's /usr/bin/chromium, every spec.
 *  - firefox: Debian's /usr/bin/firefox-esr over WebDriver BiDi (Playwright's `moz-firefox` channel; issue 18), the
 *    specs that load the runner page and assert on its result. Launched by e2e/support/fixtures.ts on a profile whose
 *    NSS DB trusts the stack's dev CA. The other specs stay Chromium-only, each for the reason in its header:
 *    Chromium flags (interfaces, proxy, dns), the DevTools protocol (proxy), `chromium.launch` of their own
 *    (deployment, turn-interop), or no browser at all (cli, operations).
 */
import { defineConfig } from '@playwright/test';
import { LAUNCH_OPTIONS } from './e2e/support/browser';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  testIgnore: 'lab/**',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  use: {
    viewport: { width: 1280, height: 900 },
    trace: 'off',
  },
  projects: [
    {
      name: 'chromium',
      // Firefox's own findings (WebRTC off, no loopback gathering) run in the firefox project only.
      testIgnore: ['lab/**', 'firefox-browser-findings.spec.ts'],
      use: { browserName: 'chromium', launchOptions: LAUNCH_OPTIONS },
    },
    {
      name: 'firefox',
      // The runner specs. The browser is launched by e2e/support/fixtures.ts (findFirefox: $NETREADY_FIREFOX or
      // /usr/bin/firefox-esr; a missing Firefox fails these tests with what to install, it never skips them).
      testMatch: ['run.spec.ts', 'security-headers.spec.ts', 'engine-stats.spec.ts', 'firefox-browser-findings.spec.ts'],
      // Tests tagged `@once` check the server, not the browser: they run in the chromium project only.
      grepInvert: /@once/,
      // (cli.spec.ts drives Firefox through `netready check --browser firefox`; it runs in the chromium project.)
      use: { browserName: 'firefox' },
    },
  ],
});
