/**
 * Finds a Chromium for the CLI and prepares a throwaway profile and NSS certificate database.
 * Order: $NETREADY_CHROMIUM, Playwright's downloaded Chromium, /usr/bin/chromium. Never downloads a browser.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Error of this module. */
export class ChromiumError extends Error {
  /** Machine-readable reason. */
  readonly code: 'not_found' | 'nss_failed';
  constructor(code: ChromiumError['code'], message: string) {
    super(message);
    this.name = 'ChromiumError';
    this.code = code;
  }
}

/** Whether `file` exists and this process may execute it. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the Chromium executable to use, or throws ChromiumError('not_found') saying what to install. */
export function findChromium(env: Record<string, string | undefined>, playwrightPath: () => string | undefined): string {
  const explicit = env.NETREADY_CHROMIUM;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ChromiumError('not_found', `NETREADY_CHROMIUM=${explicit} is not an executable file.`);
  }
  const candidates = [playwrightPath(), '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new ChromiumError(
    'not_found',
    'No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set NETREADY_CHROMIUM=/path/to/chromium.',
  );
}

/** Path of the NSS database Chromium on Linux reads under `home`. */
function nssDbDir(home: string): string {
  return path.join(home, '.pki', 'nssdb');
}

function nssError(error: unknown): ChromiumError {
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return new ChromiumError(
    'nss_failed',
    missing
      ? 'certutil not found: install libnss3-tools (sudo apt-get install libnss3-tools) so the development certificate can be trusted, or pass --no-trust-dev-ca.'
      : `could not build the certificate database: ${(error as Error).message}`,
  );
}

/** Creates an empty `<home>/.pki/nssdb` (replacing any). Throws ChromiumError('nss_failed') saying what to install. */
export function createNssDb(home: string): void {
  rmSync(nssDbDir(home), { recursive: true, force: true });
  createNssDbIn(nssDbDir(home));
}

/**
 * Creates an empty NSS database in the folder `nssdb` (replacing any NSS files there, e.g. a Firefox profile folder,
 * whose cert9.db Firefox reads). Throws ChromiumError('nss_failed') saying what to install.
 */
export function createNssDbIn(nssdb: string): void {
  for (const file of ['cert9.db', 'key4.db', 'pkcs11.txt']) rmSync(path.join(nssdb, file), { force: true });
  mkdirSync(nssdb, { recursive: true });
  try {
    execFileSync('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password'], { stdio: 'pipe' });
  } catch (error) {
    throw nssError(error);
  }
}

/**
 * Adds CAs to an existing `<home>/.pki/nssdb`, trusted for TLS servers. Safe while a Chromium using that home runs:
 * the database is NSS's shared SQLite format, which NSS reads per lookup, so certificates added before the first
 * TLS handshake that needs them are seen (the CLI adds the dev CA while Chromium starts; e2e/cli.spec.ts proves
 * TURN over TLS with it). `first` numbers the nicknames after CAs already added.
 */
export function addNssCas(home: string, caPems: string[], first = 0): void {
  addNssCasIn(nssDbDir(home), caPems, first);
}

/** Adds CAs, trusted for TLS servers, to the NSS database in the folder `nssdb` (see {@link addNssCas}). */
export function addNssCasIn(nssdb: string, caPems: string[], first = 0): void {
  try {
    caPems.forEach((pem, i) => {
      const caFile = path.join(nssdb, `trusted-ca-${first + i}.pem`);
      writeFileSync(caFile, pem);
      execFileSync('certutil', ['-A', '-d', `sql:${nssdb}`, '-n', `netready trusted CA ${first + i}`, '-t', 'C,,', '-i', caFile], { stdio: 'pipe' });
    });
  } catch (error) {
    throw nssError(error);
  }
}

/**
 * Creates `<home>/.pki/nssdb` (the NSS database Chromium on Linux reads) trusting `caPem` for TLS servers,
 * with `certutil` from libnss3-tools. Throws ChromiumError('nss_failed') saying what to install.
 */
export function trustNssCa(home: string, caPem: string | string[]): void {
  createNssDb(home);
  addNssCas(home, Array.isArray(caPem) ? caPem : [caPem]);
}

/** A temporary home (NSS DB) and profile folder, removed by cleanup(). */
export interface BrowserSandbox {
  home: string;
  profile: string;
  /** Whether any CA was added to the NSS DB. */
  trustedCa: boolean;
  cleanup(): void;
}

/**
 * Makes a fresh HOME and a profile folder. With `nssDb`, HOME gets an NSS DB (Chromium on Linux reads
 * `$HOME/.pki/nssdb`) trusting every CA in `caPems` for TLS servers via `certutil` (libnss3-tools); more can be
 * added later with {@link addNssCas}.
 */
export function createBrowserSandbox(caPems: string[], options: { nssDb?: boolean } = {}): BrowserSandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'netready-cli-'));
  const home = path.join(root, 'home');
  const profile = path.join(root, 'profile');
  mkdirSync(profile, { recursive: true });
  const cleanup = (): void => rmSync(root, { recursive: true, force: true });
  let trustedCa = false;
  if (caPems.length > 0 || options.nssDb) {
    try {
      trustNssCa(home, caPems);
      trustedCa = caPems.length > 0;
    } catch (error) {
      cleanup();
      throw error;
    }
  }
  return { home, profile, trustedCa, cleanup };
}

/** Chromium flags used by the CLI (shared/DESIGN.md "Test flags for Chromium"). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No QUIC: netready's servers speak TCP/TLS, and QUIC attempts to other hosts only add noise on locked-down networks.
  '--disable-quic',
];

/**
 * Whether browsers treat `origin` as a secure context (W3C Secure Contexts §3.1 "potentially trustworthy"):
 * https/wss, or a loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`).
 */
export function isPotentiallyTrustworthy(origin: string): boolean {
  const url = new URL(origin);
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]';
}

/**
 * Chromium flags of the deep check (issue 11) against the deployment at `url`:
 * - fake media devices, so getUserMedia has a microphone on a server without one;
 * - the permission answered without a prompt: granted by the fake UI (`--use-fake-ui-for-media-stream`), or, with
 *   `deny`, refused like a user who says no (`--deny-permission-prompts`; Chromium 156 answers getUserMedia with
 *   NotAllowedError at once — `--use-fake-ui-for-media-stream=deny` does the same, checked);
 * - `--unsafely-treat-insecure-origin-as-secure=<origin>` when the deployment is plain http:// on a non-loopback
 *   address: browsers expose navigator.mediaDevices only in secure contexts, and self-hosted deployments are often
 *   reached as http://<LAN address>. The flag applies only to this throwaway browser (fresh profile, removed after
 *   the run) and only to that one origin; a person's browser there gets `unavailable`, and the page says why.
 */
export function deepCheckArgs(url: string, deny: boolean): string[] {
  const origin = new URL(url).origin;
  return [
    '--use-fake-device-for-media-stream',
    deny ? '--deny-permission-prompts' : '--use-fake-ui-for-media-stream',
    ...(isPotentiallyTrustworthy(origin) ? [] : [`--unsafely-treat-insecure-origin-as-secure=${origin}`]),
  ];
}
