/**
 * Firefox for the CLI and the browser suite (issue 18): Debian's firefox-esr driven over WebDriver BiDi through
 * Playwright's `moz-firefox` channel — never a downloaded browser. Finds the executable, builds a throwaway profile
 * whose NSS database (cert9.db, which Firefox reads from its profile folder, not from $HOME/.pki) trusts the given
 * CAs, and holds the preferences netready needs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firefox, type BrowserContext } from 'playwright-core';
import { addNssCasIn, createNssDbIn, isExecutable, isPotentiallyTrustworthy } from './chromium';

/** Error of this module. */
export class FirefoxError extends Error {
  /** Machine-readable reason. */
  readonly code: 'not_found';
  constructor(code: FirefoxError['code'], message: string) {
    super(message);
    this.name = 'FirefoxError';
    this.code = code;
  }
}

/** Where Debian (and scripts/install-system-deps.sh) installs Firefox ESR. */
export const DEFAULT_FIREFOX_PATH = '/usr/bin/firefox-esr';

/** Playwright's channel for a stock Firefox driven over WebDriver BiDi (no patched Juggler build). */
export const FIREFOX_CHANNEL = 'moz-firefox';

/**
 * Returns the Firefox executable: `$NETREADY_FIREFOX`, else /usr/bin/firefox-esr. Throws FirefoxError('not_found')
 * saying what to install. `exists` is injectable for tests.
 */
export function findFirefox(env: Record<string, string | undefined>, exists: (file: string) => boolean = isExecutable): string {
  const explicit = env.NETREADY_FIREFOX;
  if (explicit) {
    if (exists(explicit)) return explicit;
    throw new FirefoxError('not_found', `NETREADY_FIREFOX=${explicit} is not an executable file.`);
  }
  if (exists(DEFAULT_FIREFOX_PATH)) return DEFAULT_FIREFOX_PATH;
  throw new FirefoxError(
    'not_found',
    `No Firefox found at ${DEFAULT_FIREFOX_PATH}. Install it (Debian/Ubuntu: sudo apt-get install firefox-esr) or set NETREADY_FIREFOX=/path/to/firefox.`,
  );
}

/** Whether `url`'s host is a loopback address or name (where a local netready, `npm start` or a test stack, runs). */
export function isLoopbackUrl(url: string): boolean {
  // isPotentiallyTrustworthy is true for every https URL; asked about plain http, it answers for the host alone.
  return isPotentiallyTrustworthy(`http://${new URL(url).host}`);
}

/**
 * Firefox preferences for a netready run against `url`.
 * - `media.peerconnection.ice.loopback`: Firefox gathers no ICE candidates on the loopback interface by default, so
 *   a probe server on 127.0.0.1 is unreachable for WebRTC (issue 18: `npm start` + Firefox looked `blocked`). Set
 *   only when the deployment itself is on loopback, so a check of a real deployment sees what a person's Firefox sees.
 * - `browser.shell.checkDefaultBrowser`, `datareporting.policy.dataSubmissionEnabled`, `app.update.enabled`: no
 *   first-run prompts or background traffic in a throwaway profile (the Chromium flags' `--no-first-run` twins).
 */
export function firefoxPrefs(url: string): Record<string, string | number | boolean> {
  return {
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'app.update.enabled': false,
    ...(isLoopbackUrl(url) ? { 'media.peerconnection.ice.loopback': true } : {}),
  };
}

/**
 * Firefox's `network.proxy.*` preferences for the CLI's Chromium-style `--proxy-server` and `--proxy-bypass-list`.
 * Set as preferences rather than through Playwright's `proxy` option: over WebDriver BiDi (the `moz-firefox` channel)
 * Playwright 1.64.1 sets only `network.proxy.http`, so HTTPS and WebSocket-over-TLS went direct — on a proxy-only
 * network they hung until their deadlines (the lab's `proxy-only+firefox`, before this). An `http://` proxy carries
 * every scheme (`share_proxy_settings`, the `ssl` pair); `socks4://`/`socks5://` (also `socks://`, version 5) a SOCKS
 * proxy that resolves names itself. The bypass list is `;`-separated for Chromium, `,` for Firefox; Chromium's
 * `<-loopback>` rule has no Firefox twin (Firefox never proxies loopback unless
 * `network.proxy.allow_hijacking_localhost`) and is dropped. Throws TypeError for a proxy URL it cannot use.
 */
export function firefoxProxyPrefs(server: string, bypassList: string | undefined): Record<string, string | number | boolean> {
  let url: URL;
  try {
    url = new URL(server.includes('://') ? server : `http://${server}`);
  } catch {
    throw new TypeError(`--proxy-server ${JSON.stringify(server)} is not a proxy URL (like http://proxy.example:3128)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const scheme = url.protocol.replace(/:$/, '');
  const bypass = (bypassList ?? '')
    .split(/[;,]/)
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '' && rule !== '<-loopback>')
    .join(',');
  const common = { 'network.proxy.type': 1, 'network.proxy.no_proxies_on': bypass };
  if (scheme === 'http') {
    const port = Number(url.port || 80);
    return { ...common, 'network.proxy.share_proxy_settings': true, 'network.proxy.http': host, 'network.proxy.http_port': port, 'network.proxy.ssl': host, 'network.proxy.ssl_port': port };
  }
  if (scheme === 'socks' || scheme === 'socks4' || scheme === 'socks5') {
    return { ...common, 'network.proxy.socks': host, 'network.proxy.socks_port': Number(url.port || 1080), 'network.proxy.socks_version': scheme === 'socks4' ? 4 : 5, 'network.proxy.socks_remote_dns': true };
  }
  throw new TypeError(`--proxy-server ${JSON.stringify(server)}: Firefox takes an http://, socks4:// or socks5:// proxy, not ${scheme}://`);
}

/** A throwaway Firefox profile folder. */
export interface FirefoxProfile {
  dir: string;
  /** Whether any CA was added to its NSS DB. */
  trustedCa: boolean;
  /** Adds more CAs (e.g. the deployment's dev CA once fetched); call before launching. */
  addCas(caPems: string[]): void;
  cleanup(): void;
}

/**
 * Makes a fresh profile folder under `parent` (default the OS temp folder). With CAs or `nssDb`, its NSS DB is made
 * with certutil (libnss3-tools) and trusts `caPems` for TLS servers; without, Firefox makes its own empty one at
 * start-up. Throws ChromiumError('nss_failed') saying what to install.
 */
export function createFirefoxProfile(caPems: string[], options: { nssDb?: boolean; parent?: string } = {}): FirefoxProfile {
  const dir = mkdtempSync(path.join(options.parent ?? os.tmpdir(), 'netready-firefox-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  let added = 0;
  try {
    if (caPems.length > 0 || options.nssDb) {
      createNssDbIn(dir);
      addNssCasIn(dir, caPems);
      added = caPems.length;
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  return {
    dir,
    get trustedCa() {
      return added > 0;
    },
    addCas(pems: string[]) {
      addNssCasIn(dir, pems, added);
      added += pems.length;
    },
    cleanup,
  };
}

/** Options of {@link launchFirefox}. */
export interface LaunchFirefoxOptions {
  executablePath: string;
  profile: FirefoxProfile;
  /** The deployment's URL (decides the loopback preference). */
  url: string;
  timeoutMs?: number;
  /** `network.proxy.*` preferences (firefoxProxyPrefs). */
  proxyPrefs?: Record<string, string | number | boolean>;
  /**
   * Preferences over netready's own, as a person's Firefox or an enterprise policy may set them (the browser suite:
   * `media.peerconnection.enabled: false`, loopback gathering off). The CLI sets none.
   */
  extraPrefs?: Record<string, string | number | boolean>;
  viewport?: { width: number; height: number };
}

/**
 * Launches headless Firefox on `profile` as a persistent context: Playwright's plain `launch()` makes a profile of
 * its own, and the NSS DB that trusts the dev CA must be in the profile Firefox starts with.
 */
export function launchFirefox(options: LaunchFirefoxOptions): Promise<BrowserContext> {
  return firefox.launchPersistentContext(options.profile.dir, {
    channel: FIREFOX_CHANNEL,
    executablePath: options.executablePath,
    headless: true,
    firefoxUserPrefs: { ...firefoxPrefs(options.url), ...options.proxyPrefs, ...options.extraPrefs },
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
}
