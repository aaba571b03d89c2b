/**
 * Browser suite: real Chromium (Debian's /usr/bin/chromium) against the real netready stack started by
 * e2e/global-setup.ts. One worker: the stack and Chromium share 2 cores.
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
    browserName: 'chromium',
    launchOptions: LAUNCH_OPTIONS,
    viewport: { width: 1280, height: 900 },
    trace: 'off',
  },
});
