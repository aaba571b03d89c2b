/**
 * Playwright global setup: checks Chromium exists, starts the shared netready stack (probe + built web app),
 * makes the test browser trust its dev CA, and returns the teardown that stops the stack by PID.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trustNssCa } from '../cli/chromium';
import { CHROMIUM_PATH, E2E_HOME } from './support/browser';
import { portsFrom, REPO_ROOT, startStack } from './support/stack';

/**
 * Base port of the shared stack (the CLI spec uses its own): `NETREADY_E2E_BASE_PORT`, default 23000, so two
 * checkouts on one machine can run their suites without taking each other's ports.
 */
export const SHARED_STACK_BASE_PORT = basePortFromEnv(process.env.NETREADY_E2E_BASE_PORT, 23000);

function basePortFromEnv(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  // The stack uses base … base + 699 (e2e/support/stack.ts portsFrom).
  if (!Number.isInteger(port) || port < 1024 || port > 65535 - 699) {
    throw new Error(`NETREADY_E2E_BASE_PORT must be a whole number from 1024 to ${65535 - 699}, not "${raw}"`);
  }
  return port;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it: apt-get install chromium (or set NETREADY_CHROMIUM).`);
  }
  if (!existsSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('The web app is not built: run `npm run build` first (npm test does this).');
  }
  const stack = await startStack(portsFrom(SHARED_STACK_BASE_PORT));
  mkdirSync(E2E_HOME, { recursive: true });
  trustNssCa(E2E_HOME, readFileSync(path.join(stack.dataDir, 'tls', 'ca.pem'), 'utf8'));
  process.env.NETREADY_E2E_WEB_URL = stack.webUrl;
  process.env.NETREADY_E2E_PROBE_URL = stack.probeUrl;
  process.env.NETREADY_E2E_DATA_DIR = stack.dataDir;
  return async () => {
    await stack.stop();
  };
}
