/**
 * Chromium settings shared by the browser suite: Debian's /usr/bin/chromium (never a downloaded browser),
 * the flags of shared/DESIGN.md, and a HOME whose NSS DB trusts the test stack's dev CA (TURN-TLS goes
 * through Chromium's normal certificate verifier; ignoreHTTPSErrors does not apply to it — LAB.md).
 */
import path from 'node:path';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { REPO_ROOT } from './stack';

/** Chromium used by every browser test. */
export const CHROMIUM_PATH = process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium';

/** HOME for the test browser (its .pki/nssdb trusts the e2e dev CA; made by global setup). */
export const E2E_HOME = path.join(REPO_ROOT, 'test-results', '.e2e-home');

/** Launch options for Playwright. */
export const LAUNCH_OPTIONS = {
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
  env: { ...process.env, HOME: E2E_HOME },
};
