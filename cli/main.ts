/**
 * The `netready` command line: `check` (below), and `trust` / `untrust` (cli/trust.ts).
 *
 * `netready check`: loads a deployment's page in headless Chromium (or Firefox, `--browser firefox`) with `?autostart=1`, waits for the run to
 * finish (the page calls `window.__netreadyReport(result)`, which the CLI exposes), prints a summary or the
 * JSON, and exits 0 ready / 1 degraded / 2 blocked / 3 could not run or inconclusive.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { chromium, request, type BrowserContext, type Page } from 'playwright-core';
import type { Result } from '../lib/schema/result';
import { exitCodeFor, parseArgs, USAGE, type CheckOptions } from './args';
import { addNssCas, CHROMIUM_ARGS, ChromiumError, createBrowserSandbox, deepCheckArgs, findChromium, type BrowserSandbox } from './chromium';
import { createFirefoxProfile, findFirefox, firefoxProxyPrefs, launchFirefox, type FirefoxProfile } from './firefox';
import { formatSummary } from './format';
import { checkPacLocally, formatPacCheck, loadPac } from './pac';
import { watchProxyAuth } from './proxy-auth';

/** Exit code when the check could not run. */
export const EXIT_COULD_NOT_RUN = 3;

/** Longest wait for the deployment's dev CA (it is a tiny static answer). */
const DEV_CA_TIMEOUT_MS = 5000;

/**
 * Fetches the deployment's development CA (`GET /api/dev-ca`), through `proxyServer` when given — on a
 * proxy-only network the direct request would just time out. Resolves with the PEM, `null` when the deployment
 * uses no dev CA (404), or an error message.
 */
async function fetchDevCa(baseUrl: string, proxyServer: string | undefined): Promise<{ pem: string | null } | { error: string }> {
  // A plain-HTTP deployment behind an explicit proxy is fetched the way browsers do it: `GET http://…` sent to
  // the proxy. (Playwright's request proxy always tunnels with CONNECT, which proxies refuse for port 80.)
  if (proxyServer && baseUrl.startsWith('http:')) return fetchViaHttpProxy(`${baseUrl}/api/dev-ca`, proxyServer);
  const context = await request.newContext({ ...(proxyServer ? { proxy: { server: proxyServer } } : {}), timeout: DEV_CA_TIMEOUT_MS });
  try {
    const response = await context.get(`${baseUrl}/api/dev-ca`, { failOnStatusCode: false });
    if (response.status() === 404) return { pem: null };
    const text = await response.text();
    if (response.status() !== 200 || !text.includes('BEGIN CERTIFICATE')) return { error: `HTTP ${response.status()}` };
    return { pem: text };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? String(error) };
  } finally {
    await context.dispose();
  }
}

/**
 * Whether a `--proxy-bypass-list` rule sends `url` past the proxy, for the CLI's own request (the browser applies
 * the list itself). Understands the common rule forms: `host`, `host:port`, `scheme://host[:port]`, `*.domain`
 * and `.domain`; anything else counts as "through the proxy".
 */
export function bypassesProxy(url: string, bypassList: string | undefined): boolean {
  if (!bypassList) return false;
  const target = new URL(url);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return bypassList
    .split(/[;,]/)
    .map((rule) => rule.trim().toLowerCase())
    .filter(Boolean)
    .some((rule) => {
      const withScheme = /^([a-z]+):\/\/(.*)$/.exec(rule);
      if (withScheme && `${withScheme[1]}:` !== target.protocol) return false;
      const hostRule = withScheme ? withScheme[2]! : rule;
      const [, host = '', rulePort] = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostRule) ?? [];
      if (rulePort && rulePort !== port) return false;
      if (host.startsWith('*.') || host.startsWith('.')) return target.hostname.endsWith(host.replace(/^\*/, ''));
      return host === target.hostname;
    });
}

/** `GET <absolute http URL>` through an HTTP proxy, as a browser sends plain-HTTP requests to a proxy. */
function fetchViaHttpProxy(url: string, proxyServer: string): Promise<{ pem: string | null } | { error: string }> {
  const proxy = new URL(proxyServer.includes('://') ? proxyServer : `http://${proxyServer}`);
  return new Promise((resolve) => {
    const req = http.get(
      { host: proxy.hostname, port: Number(proxy.port || 80), path: url, headers: { host: new URL(url).host }, timeout: DEV_CA_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode === 404) resolve({ pem: null });
          else if (res.statusCode === 200 && body.includes('BEGIN CERTIFICATE')) resolve({ pem: body });
          else resolve({ error: `HTTP ${res.statusCode ?? '?'} through proxy ${proxy.host}` });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${DEV_CA_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve({ error: error.message }));
  });
}

/**
 * Where a check's time goes, in ms since the process started (`--timings`): the CLI's own overhead is the sum of
 * everything but `run started → result`, which the page itself reports as `durationMs`.
 */
export class Timings {
  private readonly marks: Array<{ name: string; atMs: number }> = [];

  /** Records `name` now. */
  mark(name: string): void {
    this.marks.push({ name, atMs: Math.round(performance.now()) });
  }

  /** One line: `name atMs, …`. */
  format(): string {
    return this.marks.map((m) => `${m.name} ${m.atMs}`).join(', ');
  }
}

/** One run's page, in a context of its own (Chromium) or in the one persistent context (Firefox). */
interface RunPage {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A headless browser for one or more runs, with its throwaway HOME (NSS DB) and profile. */
interface CheckBrowser {
  /** Engine, for messages and the `--timings` marks. */
  name: 'Chromium' | 'Firefox';
  /** A fresh page for one run, with no cookies or storage from an earlier run. */
  openRun(): Promise<RunPage>;
  /** Whether the CLI can watch the browser's requests for a proxy's 407 (over the DevTools protocol: Chromium). */
  watchesProxyAuth: boolean;
  /**
   * The result schema (zod, ~0.1 s to load): imported while Chromium starts, when this process only waits, instead
   * of before it.
   */
  schema: Promise<typeof import('../lib/schema/result')>;
  close(): Promise<void>;
}

/**
 * Starts the browser `options.browser` names. The `--trust-ca` files are read first, so a bad path fails before
 * anything starts.
 */
async function startBrowser(options: CheckOptions, err: (line: string) => void, timings: Timings): Promise<CheckBrowser | { error: string }> {
  const filePems: string[] = [];
  for (const file of options.trustCaFiles) {
    try {
      filePems.push(readFileSync(file, 'utf8'));
    } catch (error) {
      return { error: `cannot read --trust-ca file ${file}: ${(error as Error).message}` };
    }
  }
  return options.browser === 'firefox' ? startFirefox(options, filePems, err, timings) : startChromium(options, filePems, err, timings);
}

/**
 * Starts Firefox. Unlike Chromium, the dev CA is fetched and added to the profile's NSS DB before launch: Firefox
 * opens its profile's cert9.db at start-up, and a CA added while it runs is not proven to be seen (the fetch is one
 * small request, tens of ms on loopback). One persistent context serves every `--repeat` run: the NSS DB that trusts
 * the CA belongs to the profile, and a context made with `browser.newContext()` would not be on that profile.
 */
async function startFirefox(options: CheckOptions, filePems: string[], err: (line: string) => void, timings: Timings): Promise<CheckBrowser | { error: string }> {
  let executablePath: string;
  try {
    executablePath = findFirefox(process.env);
  } catch (error) {
    return { error: (error as Error).message };
  }
  let profile: FirefoxProfile;
  // As for Chromium: without certutil a deployment with no dev CA (404) still runs.
  let nssUnavailable: string | undefined;
  try {
    profile = createFirefoxProfile(filePems, { nssDb: options.trustDevCa });
  } catch (error) {
    if (!(error instanceof ChromiumError)) return { error: String(error) };
    if (filePems.length > 0) return { error: error.message };
    nssUnavailable = error.message;
    profile = createFirefoxProfile([]);
  }
  timings.mark('sandbox ready');
  const proxyForCa = options.proxyServer && !bypassesProxy(options.url, options.proxyBypassList) ? options.proxyServer : undefined;
  const schema = import('../lib/schema/result');
  schema.catch(() => undefined);
  const fetched = options.trustDevCa ? await fetchDevCa(options.url, proxyForCa) : { pem: null };
  timings.mark('dev CA fetched');
  if ('error' in fetched) {
    err(`netready: warning: could not fetch the deployment's development CA (${fetched.error}); TURN over TLS will fail if the deployment uses it. Pass --trust-ca <ca.pem> to trust it anyway.`);
  }
  const devCa = 'pem' in fetched ? fetched.pem : null;
  if (devCa && nssUnavailable) {
    profile.cleanup();
    return { error: nssUnavailable };
  }
  if (devCa) {
    try {
      profile.addCas([devCa]);
    } catch (error) {
      profile.cleanup();
      return { error: error instanceof ChromiumError ? error.message : String(error) };
    }
  }
  let context: BrowserContext;
  try {
    context = await launchFirefox({ executablePath, profile, url: options.url, timeoutMs: options.timeoutMs, ...(options.proxyServer ? { proxyPrefs: firefoxProxyPrefs(options.proxyServer, options.proxyBypassList) } : {}) });
  } catch (error) {
    profile.cleanup();
    return { error: `could not start Firefox (${executablePath}): ${(error as Error).message.split('\n')[0]}` };
  }
  timings.mark('firefox launched');
  if (devCa && !options.json) err(`Trusting the deployment's development CA for this run (${options.url}/api/dev-ca).`);
  return {
    name: 'Firefox',
    watchesProxyAuth: false,
    async openRun() {
      // The persistent context outlives a run: a run starts without the cookies an earlier one left.
      await context.clearCookies();
      const page = await context.newPage();
      return { context, page, close: () => page.close() };
    },
    schema,
    async close() {
      await context.close().catch(() => undefined);
      profile.cleanup();
    },
  };
}

/**
 * Starts Chromium while the deployment's dev CA is fetched — the two do not wait for each other: the (empty) NSS DB
 * exists before launch and the CA goes in before the first page is loaded, which is when TURN over TLS can first
 * need it.
 */
/** Chromium's executable (cli/chromium.ts findChromium, with Playwright's own as a candidate); throws saying what to install. */
function chromiumPath(): string {
  return findChromium(process.env, () => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  });
}

async function startChromium(options: CheckOptions, filePems: string[], err: (line: string) => void, timings: Timings): Promise<CheckBrowser | { error: string }> {
  let executablePath: string;
  try {
    executablePath = chromiumPath();
  } catch (error) {
    return { error: (error as Error).message };
  }
  let sandbox: BrowserSandbox;
  // Without certutil a deployment with no dev CA (404) still runs, as before: the missing tool only matters once
  // there is a CA to trust.
  let nssUnavailable: string | undefined;
  try {
    sandbox = createBrowserSandbox(filePems, { nssDb: options.trustDevCa });
  } catch (error) {
    if (!(error instanceof ChromiumError)) return { error: String(error) };
    if (filePems.length > 0) return { error: error.message };
    nssUnavailable = error.message;
    sandbox = createBrowserSandbox([]);
  }
  timings.mark('sandbox ready');
  const proxyForCa = options.proxyServer && !bypassesProxy(options.url, options.proxyBypassList) ? options.proxyServer : undefined;
  const fetching = options.trustDevCa ? fetchDevCa(options.url, proxyForCa) : Promise.resolve({ pem: null });
  const launching = chromium
    .launch({
      executablePath,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        ...(options.proxyServer ? [`--proxy-server=${options.proxyServer}`] : []),
        ...(options.proxyBypassList ? [`--proxy-bypass-list=${options.proxyBypassList}`] : []),
        ...(options.deep ? deepCheckArgs(options.url, options.denyMedia) : []),
        ...(options.webrtcIpHandlingPolicy ? [`--webrtc-ip-handling-policy=${options.webrtcIpHandlingPolicy}`] : []),
        // Last, so an admin's flag can reproduce a policy on top of the CLI's own.
        ...options.chromiumArgs,
      ],
      env: { ...process.env, HOME: sandbox.home },
      timeout: options.timeoutMs,
    })
    .then((browser) => {
      timings.mark('chromium launched');
      return browser;
    })
    .catch((error: unknown) => error as Error);
  const schema = import('../lib/schema/result');
  // Awaited by every run; an early return below must not leave it as an unhandled rejection.
  schema.catch(() => undefined);
  const fetched = await fetching;
  timings.mark('dev CA fetched');
  if ('error' in fetched) {
    err(`netready: warning: could not fetch the deployment's development CA (${fetched.error}); TURN over TLS will fail if the deployment uses it. Pass --trust-ca <ca.pem> to trust it anyway.`);
  }
  const devCa = 'pem' in fetched ? fetched.pem : null;
  let trustError: string | undefined;
  if (devCa && nssUnavailable) trustError = nssUnavailable;
  else if (devCa) {
    try {
      addNssCas(sandbox.home, [devCa], filePems.length);
    } catch (error) {
      trustError = error instanceof ChromiumError ? error.message : String(error);
    }
  }
  const browser = await launching;
  if (browser instanceof Error) {
    sandbox.cleanup();
    return { error: `could not start Chromium (${executablePath}): ${browser.message}` };
  }
  const close = async (): Promise<void> => {
    await browser.close().catch(() => undefined);
    sandbox.cleanup();
  };
  if (trustError) {
    await close();
    return { error: trustError };
  }
  if (devCa && !options.json) err(`Trusting the deployment's development CA for this run (${options.url}/api/dev-ca).`);
  return {
    name: 'Chromium',
    watchesProxyAuth: true,
    async openRun() {
      const context = await browser.newContext();
      try {
        return { context, page: await context.newPage(), close: () => context.close() };
      } catch (error) {
        await context.close().catch(() => undefined);
        throw error;
      }
    },
    schema,
    close,
  };
}

/** One check in a fresh context and page of `browser`. */
async function runOnce(browser: CheckBrowser, options: CheckOptions, err: (line: string) => void, timings: Timings): Promise<{ result: Result } | { error: string }> {
  const { schema } = browser;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const run = await browser.openRun().catch((error: unknown) => error as Error);
  if (run instanceof Error) return { error: `could not open a browser context: ${run.message}` };
  const { context, page } = run;
  try {
    let report: (value: unknown) => void = () => undefined;
    const reported = new Promise<unknown>((resolve) => (report = resolve));
    // The page cannot see a proxy's 407; Chromium's DevTools protocol can (cli/proxy-auth.ts). Set up side by
    // side: each of these is one DevTools round trip, and none needs another. Firefox over WebDriver BiDi has no
    // such watch here: the page is then told nothing and its proxy-auth check says it cannot tell (skipped).
    const [proxyAuth] = await Promise.all([
      browser.watchesProxyAuth ? watchProxyAuth(context, page) : undefined,
      page.exposeFunction('__netreadyReport', (value: unknown) => report(value)),
      page.exposeFunction('__netreadyFailed', (message: unknown) => report({ pageError: String(message) })),
    ]);
    if (proxyAuth) await page.exposeFunction('__netreadyProxyAuth', () => proxyAuth.report());
    timings.mark('page ready');
    const timedOut = new Promise<'timeout'>((resolve) => deadline.addEventListener('abort', () => resolve('timeout'), { once: true }));
    // `deep=1`: the page asks for media permission without its explanation step (the flags above answer it).
    const target = `${options.url}/?autostart=1${options.deep ? '&deep=1' : ''}`;
    if (!options.json) err(`Running netready in headless ${browser.name} against ${options.url} …`);
    try {
      const response = await page.goto(target, { timeout: options.timeoutMs, waitUntil: 'domcontentloaded' });
      if (response?.status() === 407) {
        const asked = proxyAuth?.challenges()[0];
        return {
          error:
            `the proxy${asked ? ` ${asked.proxy}` : ''} asks for a sign-in (HTTP 407${asked ? `, ${asked.scheme}` : ''}) before it lets the browser load ${target}; ` +
            'netready check cannot sign in to proxies. Let the deployment bypass the proxy (--proxy-bypass-list, or no_proxy in the environment).',
        };
      }
      if (response && response.status() >= 400) return { error: `${target} answered HTTP ${response.status()}` };
    } catch (error) {
      return { error: `could not load ${target}: ${(error as Error).message.split('\n')[0]}` };
    }
    timings.mark('page loaded');
    const value = await Promise.race([reported, timedOut]);
    timings.mark('result');
    if (value === 'timeout') return { error: `no result within ${options.timeoutMs} ms` };
    if (typeof value === 'object' && value !== null && 'pageError' in value) {
      return { error: `the test page stopped without a result: ${String((value as { pageError: unknown }).pageError)}` };
    }
    const parsed = (await schema).ResultSchema.safeParse(value);
    if (!parsed.success) return { error: `the page reported a result that does not match schemaVersion 1: ${parsed.error.issues[0]?.message}` };
    return { result: parsed.data };
  } finally {
    await run.close().catch(() => undefined);
  }
}

/**
 * One check in a browser started for it and closed after it (`netready monitor`, issue 19: no browser outlives its
 * check, so a monitor running for weeks leaves no processes behind). Never throws for a check that could not run.
 */
export async function checkOnce(options: CheckOptions, err: (line: string) => void): Promise<{ result: Result } | { error: string }> {
  const timings = new Timings();
  const started = await startBrowser(options, err, timings);
  if ('error' in started) return started;
  try {
    return await runOnce(started, options, err, timings);
  } finally {
    await started.close();
  }
}

/**
 * The browser's executable for `browser`, or an error saying what to install (`netready monitor` refuses to start
 * without one).
 */
export function browserExecutable(browser: CheckOptions['browser']): { path: string } | { error: string } {
  try {
    return { path: browser === 'firefox' ? findFirefox(process.env) : chromiumPath() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Runs `options.repeat` checks in one browser and prints each (a summary, or one JSON document per run — pretty
 * for a single run as before, one line each with --repeat). Resolves with the exit code of the worst run.
 */
async function checkAll(options: CheckOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const timings = new Timings();
  timings.mark('main');
  // --pac: read the PAC file before the browser starts, so a bad URL or file costs no run.
  const pacFile = options.pac ? await loadPac(options.pac) : null;
  if (pacFile && 'error' in pacFile) {
    err(`netready: ${pacFile.error}`);
    return EXIT_COULD_NOT_RUN;
  }
  const started = await startBrowser(options, err, timings);
  if ('error' in started) {
    err(`netready: could not run the check: ${started.error}`);
    return EXIT_COULD_NOT_RUN;
  }
  let worst = 0;
  try {
    for (let run = 1; run <= options.repeat; run++) {
      const outcome = await runOnce(started, options, err, timings);
      let code: number;
      if ('error' in outcome) {
        err(`netready: could not run the check${options.repeat > 1 ? ` (run ${run}/${options.repeat})` : ''}: ${outcome.error}`);
        code = EXIT_COULD_NOT_RUN;
      } else {
        const pacCheck = pacFile && options.pac ? await checkPacLocally(outcome.result, pacFile.text, options.pac) : null;
        const printed = pacCheck ? { ...outcome.result, pacCheck } : outcome.result;
        if (options.json) out(options.repeat > 1 ? JSON.stringify(printed) : JSON.stringify(printed, null, 2));
        else out(`${options.repeat > 1 ? `Run ${run}/${options.repeat}: ` : ''}${formatSummary(outcome.result)}${pacCheck ? `\n${formatPacCheck(pacCheck).join('\n')}` : ''}`);
        // A PAC file that could not be evaluated means the check asked for did not complete.
        code = pacCheck && 'error' in pacCheck ? EXIT_COULD_NOT_RUN : exitCodeFor(outcome.result.verdict);
      }
      worst = Math.max(worst, code);
    }
  } finally {
    await started.close();
    timings.mark('closed');
    if (options.timings) err(`netready: timings (ms since the process started): ${timings.format()}`);
  }
  return worst;
}

/** Runs the CLI with argv (without node/script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const [command, ...rest] = argv;
  if (command === 'trust' || command === 'untrust') {
    // Loaded only here: its certificate stores cost ~0.2 s of start-up that `check` does not need.
    const { runTrustCommand } = await import('./trust');
    return runTrustCommand(command, rest, { env: process.env, cwd: process.cwd(), out, err });
  }
  if (command === 'monitor') {
    const { runMonitorCommand } = await import('./monitor/command');
    return runMonitorCommand(rest, out, err);
  }
  if (command === 'probe') {
    // Issue 15: a region's node — the probe servers only (`npm run probe`), `--region <id>` naming its region. The
    // probe process reads the same argv and exits by itself (on SIGINT/SIGTERM, or with 2 for a bad configuration).
    await import('../server/main');
    return new Promise<number>(() => undefined);
  }
  if (command === 'hash-password') {
    const { runHashPassword } = await import('./hash-password');
    return runHashPassword(rest, out, err);
  }
  if (command === 'site-token') {
    const { runSiteToken } = await import('./site-token');
    return runSiteToken(rest, out, err);
  }
  const args = parseArgs(argv);
  if (args.command === 'help') {
    out(
      `${USAGE}\n\nAlso: netready trust | untrust — trust this installation's development CA in your browsers (netready trust --help).\n` +
        '      netready hash-password — print the scrypt hash of a password for support.passwordHash (the support view).\n' +
        '      netready site-token "<site>" — make a monitored site\'s token and its monitor.sites entry (the Sites page).\n' +
        '      netready probe [--region <id>] — run the probe servers only (a region\'s node; npm run probe does the same).\n' +
        '      netready monitor --url <base-url> --site <name> --interval <duration> — the check on a schedule (netready monitor --help).',
    );
    return 0;
  }
  if (args.command === 'error') {
    err(`netready: ${args.message}\n\n${USAGE}`);
    return EXIT_COULD_NOT_RUN;
  }
  return checkAll(args, out, err);
}
