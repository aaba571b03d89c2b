/**
 * Playwright global setup: checks Chromium exists, starts the shared netready stack (probe + built web app),
 * makes the test browser trust its dev CA, and returns the teardown that stops the stack by PID.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trustNssCa } from '../cli/chromium';
import { CHROMIUM_PATH, E2E_HOME } from './support/browser';
import { portsFrom, REPO_ROOT, startStack } from './support/stack';

/** Base port of the shared stack (the CLI spec uses its own). */
export const SHARED_STACK_BASE_PORT = 23000;

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
