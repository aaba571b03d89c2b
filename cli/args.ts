/**
 * Command-line parsing of `netready check --url <base-url> [--json] [--timeout-ms N]` (shared/DESIGN.md).
 */

/** Browsers `netready check` can drive (issue 18). */
export const BROWSERS = ['chromium', 'firefox'] as const;
/** One browser `netready check` can drive. */
export type BrowserName = (typeof BROWSERS)[number];

/** Parsed `check` options. */
export interface CheckOptions {
  command: 'check';
  /** Base URL of the netready deployment, e.g. http://localhost:3000. */
  url: string;
  /** The browser that runs the test (`--browser`): Chromium (default) or Debian's Firefox ESR over WebDriver BiDi. */
  browser: BrowserName;
  /** Print the result JSON instead of a summary. */
  json: boolean;
  /** Overall deadline for loading the page and finishing the run, ms. */
  timeoutMs: number;
  /** Trust the deployment's development CA (GET /api/dev-ca) for TURN-TLS. */
  trustDevCa: boolean;
  /** Extra CA certificate files (PEM) the browser trusts for this run (e.g. a corporate inspection CA). */
  trustCaFiles: string[];
  /** Explicit proxy for the browser (Chromium's --proxy-server), e.g. http://proxy.example:3128. */
  proxyServer?: string;
  /**
   * Hosts the browser reaches without the proxy (Chromium's --proxy-bypass-list: `;`-separated rules such as
   * `intranet.example.com;*.corp.example;10.0.0.1:3000`). Only with proxyServer.
   */
  proxyBypassList?: string;
  /**
   * Run the deep check (issue 11): the page asks for media permission before the run so the browser shows every
   * network interface; the CLI's Chromium answers with fake devices and a fake permission UI.
   */
  deep: boolean;
  /** With the deep check: the permission is denied (a user who says no; tests). Implies `deep`. */
  denyMedia: boolean;
  /** Extra Chromium flags appended to the CLI's own (e.g. an enterprise policy's command-line twin); repeatable. */
  chromiumArgs: string[];
  /**
   * The browser's WebRTC IP-handling policy for this run, as the `WebRtcIPHandlingPolicy` enterprise policy sets it
   * (passed as Chromium's `--webrtc-ip-handling-policy`; Chromium 156 has no `--force-webrtc-ip-handling-policy`).
   */
  webrtcIpHandlingPolicy?: WebRtcIpHandlingPolicy;
  /**
   * Number of checks to run one after another in ONE headless Chromium (a fresh browser context and page each):
   * one summary or JSON line per run; the exit code is the worst verdict's. Default 1.
   */
  repeat: number;
  /** Print where the time went (ms since the process started: Chromium launched, page loaded, result…) on stderr. */
  timings: boolean;
  /** `--pac <url|file>` (issue 20): the PAC file to fetch here and check against the run's hosts. */
  pac?: string;
}

/** Values of Chromium's WebRtcIPHandlingPolicy. */
export const WEBRTC_IP_HANDLING_POLICIES = ['default', 'default_public_and_private_interfaces', 'default_public_interface_only', 'disable_non_proxied_udp'] as const;
/** One WebRtcIPHandlingPolicy value. */
export type WebRtcIpHandlingPolicy = (typeof WEBRTC_IP_HANDLING_POLICIES)[number];

/** Parse outcome: options, a help request, or a usage error. */
export type ParsedArgs = CheckOptions | { command: 'help' } | { command: 'error'; message: string };

/** Default overall deadline of `check`, ms. */
export const DEFAULT_TIMEOUT_MS = 45_000;

/** Most runs of one `--repeat`. */
export const MAX_REPEAT = 1000;

/** Usage text. */
export const USAGE = `Usage: netready check --url <base-url> [--browser chromium|firefox] [--json] [--timeout-ms N] [--no-trust-dev-ca]
                      [--deep | --deny-media] [--webrtc-ip-handling-policy <policy>] [--chromium-arg <flag>]… [--repeat N] [--timings]

Runs the netready network readiness test in a headless browser against a deployment.

  --url <base-url>     netready web app, e.g. http://localhost:3000
  --browser <name>     chromium (default) or firefox (Firefox ESR over WebDriver BiDi); the options marked
                       "Chromium only" below need chromium
  --json               print the result JSON (schemaVersion 1) instead of a summary
  --timeout-ms N       give up after N milliseconds (default ${DEFAULT_TIMEOUT_MS}), per run
  --repeat N           run N checks one after another in one browser (a fresh context each); one summary,
                       or with --json one JSON line, per run; the exit code is the worst verdict's (1–${MAX_REPEAT})
  --pac <url|file>     also check this PAC file (fetched from here, inside the network): DIRECT/PROXY for every
                       host and port of the run next to what it observed; with --json the result gets a "pacCheck" key
  --timings            print where the time went (ms since start: Chromium launched, page loaded, result) on stderr
  --no-trust-dev-ca    do not trust the deployment's development CA for TURN over TLS
  --trust-ca <file>    also trust this CA certificate (PEM) in the browser; repeatable
  --proxy-server <url> send the browser's traffic through this proxy (Chromium --proxy-server);
                       without it Chromium uses the proxy settings of the environment
  --proxy-bypass-list <rules>
                       with --proxy-server: hosts reached without the proxy, ';'-separated
                       (Chromium --proxy-bypass-list, e.g. "netready.corp.example;10.0.0.5:3000")
  --deep               (Chromium only) also check every network interface (VPN, Wi-Fi, Ethernet): the browser is given
                       fake media devices and grants the media permission that reveals its interfaces
  --deny-media         (Chromium only) the deep check with the media permission denied (what a user who says no sees)
  --webrtc-ip-handling-policy <policy>
                       (Chromium only) run with the browser's WebRTC IP-handling policy set as an enterprise policy sets it:
                       ${WEBRTC_IP_HANDLING_POLICIES.join(', ')}
  --chromium-arg <flag>
                       (Chromium only) append a Chromium flag, e.g. to reproduce an enterprise policy:
                       --chromium-arg=--webrtc-ip-handling-policy=disable_non_proxied_udp; repeatable

Exit codes: 0 ready, 1 degraded, 2 blocked, 3 could not run (or inconclusive).
Chromium: $NETREADY_CHROMIUM, else Playwright's Chromium, else /usr/bin/chromium.
Firefox: $NETREADY_FIREFOX, else /usr/bin/firefox-esr.`;

/** Parses argv (without node and script). */
export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { command: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'check') return { command: 'error', message: `unknown command "${command}"` };
  let url: string | undefined;
  let browser: BrowserName = 'chromium';
  let json = false;
  let trustDevCa = true;
  const trustCaFiles: string[] = [];
  let proxyServer: string | undefined;
  let proxyBypassList: string | undefined;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let deep = false;
  let denyMedia = false;
  const chromiumArgs: string[] = [];
  let webrtcIpHandlingPolicy: WebRtcIpHandlingPolicy | undefined;
  let repeat = 1;
  let timings = false;
  let pac: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? rest[++i];
    if (flag === '--url') url = value();
    else if (flag === '--browser') {
      const name = value();
      if (!BROWSERS.includes(name as BrowserName)) return { command: 'error', message: `--browser must be one of ${BROWSERS.join(', ')}, got "${name ?? ''}"` };
      browser = name as BrowserName;
    }
    else if (flag === '--json') json = true;
    else if (flag === '--no-trust-dev-ca') trustDevCa = false;
    else if (flag === '--trust-ca') {
      const file = value();
      if (!file) return { command: 'error', message: '--trust-ca needs a PEM file' };
      trustCaFiles.push(file);
    } else if (flag === '--proxy-server') {
      proxyServer = value();
      if (!proxyServer) return { command: 'error', message: '--proxy-server needs a proxy URL' };
    } else if (flag === '--proxy-bypass-list') {
      proxyBypassList = value();
      if (!proxyBypassList) return { command: 'error', message: '--proxy-bypass-list needs rules, e.g. "intranet.example.com;10.0.0.5:3000"' };
    } else if (flag === '--deep') deep = true;
    else if (flag === '--deny-media') {
      deep = true;
      denyMedia = true;
    } else if (flag === '--chromium-arg') {
      const chromiumArg = value();
      // A flag only: a bare word would be taken by Chromium as a URL to open.
      if (!chromiumArg || !/^--[a-z0-9]/i.test(chromiumArg)) {
        return { command: 'error', message: `--chromium-arg needs a Chromium flag starting with "--" (e.g. --chromium-arg=--webrtc-ip-handling-policy=disable_non_proxied_udp), got "${chromiumArg ?? ''}"` };
      }
      chromiumArgs.push(chromiumArg);
    } else if (flag === '--webrtc-ip-handling-policy') {
      const policy = value();
      if (!WEBRTC_IP_HANDLING_POLICIES.includes(policy as WebRtcIpHandlingPolicy)) {
        return { command: 'error', message: `--webrtc-ip-handling-policy must be one of ${WEBRTC_IP_HANDLING_POLICIES.join(', ')}, got "${policy ?? ''}"` };
      }
      webrtcIpHandlingPolicy = policy as WebRtcIpHandlingPolicy;
    } else if (flag === '--repeat') {
      const raw = value();
      if (!raw || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_REPEAT) return { command: 'error', message: `--repeat needs a whole number of runs from 1 to ${MAX_REPEAT}, got "${raw ?? ''}"` };
      repeat = Number(raw);
    } else if (flag === '--timings') timings = true;
    else if (flag === '--pac') {
      pac = value();
      if (!pac) return { command: 'error', message: '--pac needs the PAC file\'s URL (http or https) or a file' };
    }
    else if (flag === '--timeout-ms') {
      const raw = value();
      if (!raw || !/^\d+$/.test(raw) || Number(raw) < 1000) return { command: 'error', message: `--timeout-ms needs a whole number of milliseconds ≥ 1000, got "${raw ?? ''}"` };
      timeoutMs = Number(raw);
    } else return { command: 'error', message: `unknown option "${arg}"` };
  }
  if (!url) return { command: 'error', message: '--url <base-url> is required' };
  if (proxyBypassList && !proxyServer) return { command: 'error', message: '--proxy-bypass-list only applies with --proxy-server' };
  if (browser === 'firefox') {
    // These reproduce Chromium switches and Chromium's fake media UI; Firefox has no equivalent the CLI drives yet.
    const chromiumOnly = [
      deep ? (denyMedia ? '--deny-media' : '--deep') : undefined,
      chromiumArgs.length > 0 ? '--chromium-arg' : undefined,
      webrtcIpHandlingPolicy ? '--webrtc-ip-handling-policy' : undefined,
    ].filter((flag): flag is string => flag !== undefined);
    if (chromiumOnly.length > 0) return { command: 'error', message: `${chromiumOnly.join(', ')} only work${chromiumOnly.length === 1 ? 's' : ''} with --browser chromium` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { command: 'error', message: `--url "${url}" is not a valid URL` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { command: 'error', message: `--url must be http(s), got "${parsed.protocol}"` };
  return {
    command: 'check',
    url: parsed.toString().replace(/\/+$/, ''),
    browser,
    json,
    timeoutMs,
    trustDevCa,
    trustCaFiles,
    ...(proxyServer ? { proxyServer } : {}),
    ...(proxyBypassList ? { proxyBypassList } : {}),
    deep,
    denyMedia,
    chromiumArgs,
    ...(webrtcIpHandlingPolicy ? { webrtcIpHandlingPolicy } : {}),
    repeat,
    timings,
    ...(pac ? { pac } : {}),
  };
}

/** Exit code for a verdict: 0 ready, 1 degraded, 2 blocked, 3 inconclusive. */
export function exitCodeFor(verdict: string): number {
  return verdict === 'ready' ? 0 : verdict === 'degraded' ? 1 : verdict === 'blocked' ? 2 : 3;
}
