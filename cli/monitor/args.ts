/**
 * Command-line parsing of `netready monitor` (issue 19): the full check on a schedule from a machine inside the network.
 *
 *   netready monitor --url <deployment> --site <name> --interval <duration> [--runs N] [--metrics <host:port>]
 *                    [--webhook <url>] [--browser chromium|firefox] [--data-dir <folder>]
 *                    [--confirm-runs N] [--timeout-ms N] [--token <site token>]
 */
import { isSiteName } from '../../lib/monitor/sites';
import { BROWSERS, DEFAULT_TIMEOUT_MS, type BrowserName } from '../args';

/** Shortest interval between the starts of two checks, ms: a check takes 3–10 s and must never overlap the next. */
export const MIN_INTERVAL_MS = 30_000;
/** Longest interval, ms (a day). */
export const MAX_INTERVAL_MS = 24 * 3600_000;
/** Default data folder of the monitor (history, schedule), relative to the working directory. */
export const DEFAULT_MONITOR_DATA_DIR = './netready-monitor';

/** Parsed `monitor` options. */
export interface MonitorOptions {
  command: 'monitor';
  /** Base URL of the netready deployment. */
  url: string;
  /** The site this machine stands for (an office, a branch), as it appears in metrics, alerts and the central view. */
  site: string;
  /** Time between the starts of two checks, ms (≥ 30 s). */
  intervalMs: number;
  /** Stop after this many checks (tests, a one-off series); default: run until stopped. */
  runs?: number;
  /** Serve Prometheus metrics on this address (`/metrics`). */
  metrics?: { host: string; port: number };
  /** Send confirmed changes to this URL (JSON; Slack/Teams incoming-webhook shape for those hosts). */
  webhook?: string;
  browser: BrowserName;
  /** Folder for the monitor's own history (SQLite) and schedule. */
  dataDir: string;
  /** Consecutive runs a change must hold before it alerts (default 2). */
  confirmRuns: number;
  /** Deadline of one check, ms. */
  timeoutMs: number;
  /**
   * The site's token (`netready site-token`): each check is then stored on the server under the site, for the support
   * view's Sites page, and its share link goes into the history and the alerts. From `--token` or NETREADY_MONITOR_TOKEN.
   */
  token?: string;
}

/** Environment variable holding the site token (keeps it out of the process list; the systemd unit's env file sets it). */
export const MONITOR_TOKEN_ENV = 'NETREADY_MONITOR_TOKEN';

/** Usage text of `netready monitor`. */
export const MONITOR_USAGE = `Usage: netready monitor --url <base-url> --site <name> --interval <duration> [--runs N]
                        [--metrics <host:port>] [--webhook <url>] [--browser chromium|firefox]
                        [--data-dir <folder>] [--confirm-runs N] [--timeout-ms N] [--token <token>]

Runs the full netready check on a schedule from this machine and reports what changed in network terms.

  --url <base-url>      netready web app, e.g. https://netready.example.com
  --site <name>         this machine's site (letters, digits, space, . _ -; at most 64), e.g. "Berlin office"
  --interval <duration> time between checks: 30s at least, e.g. 90s, 5m, 1h
  --runs N              stop after N checks (default: until stopped with Ctrl-C or SIGTERM)
  --metrics <host:port> serve Prometheus metrics at http://<host:port>/metrics, e.g. 127.0.0.1:9470
  --webhook <url>       POST each confirmed change there (JSON; Slack and Teams incoming webhooks get their shape)
  --browser <name>      chromium (default) or firefox
  --data-dir <folder>   history and schedule (default ${DEFAULT_MONITOR_DATA_DIR})
  --confirm-runs N      consecutive checks a change must hold before it alerts (default 2)
  --timeout-ms N        give up on one check after N milliseconds (default ${DEFAULT_TIMEOUT_MS})
  --token <token>       store each check on the server under this site (the support view's Sites page); the
                        token comes from the operator (netready site-token). Or set ${MONITOR_TOKEN_ENV}.

Signals: SIGINT/SIGTERM stop after the check in progress; SIGUSR2 (kill -USR2 <pid>, or systemctl reload with the
shipped unit) runs the next check now, e.g. right after a firewall change.`;

/** Parses a duration: a whole number with `s`, `m` or `h` (`90s`, `5m`, `1h`); null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})(s|m|h)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

/** Parses `monitor`'s arguments (without the word `monitor`); `env` supplies NETREADY_MONITOR_TOKEN. */
export function parseMonitorArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): MonitorOptions | { command: 'help' } | { command: 'error'; message: string } {
  const fail = (message: string) => ({ command: 'error' as const, message });
  const values = new Map<string, string>();
  const valued = ['--url', '--site', '--interval', '--runs', '--metrics', '--webhook', '--browser', '--data-dir', '--confirm-runs', '--timeout-ms', '--token'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!valued.includes(name)) return fail(`unknown option ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return fail(`${name} needs a value`);
    values.set(name, value);
  }
  const url = values.get('--url');
  if (!url) return fail('--url is required (the netready deployment, e.g. https://netready.example.com)');
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    return fail(`--url ${url} is not a URL`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') return fail(`--url must be http:// or https://, not ${parsedUrl.protocol}`);
  const site = values.get('--site');
  if (!site) return fail('--site is required (the name of the place this machine stands for, e.g. "Berlin office")');
  if (!isSiteName(site)) return fail(`--site ${JSON.stringify(site)}: use at most 64 letters, digits, spaces, dots, dashes or underscores, no leading or trailing space`);
  const intervalText = values.get('--interval');
  if (!intervalText) return fail('--interval is required, e.g. --interval 5m');
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === null) return fail(`--interval ${intervalText}: give a whole number with s, m or h, e.g. 90s, 5m, 1h`);
  if (intervalMs < MIN_INTERVAL_MS) return fail(`--interval ${intervalText} is too short: at least 30s (a check takes up to 10 s and two never overlap)`);
  if (intervalMs > MAX_INTERVAL_MS) return fail(`--interval ${intervalText} is too long: at most 24h`);
  const count = (name: string, min: number, max: number): number | undefined | { error: string } => {
    const text = values.get(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : { error: `${name} must be a whole number from ${min} to ${max}, not ${text}` };
  };
  const runs = count('--runs', 1, 1_000_000);
  if (typeof runs === 'object') return fail(runs.error);
  const confirmRuns = count('--confirm-runs', 1, 100);
  if (typeof confirmRuns === 'object') return fail(confirmRuns.error);
  const timeoutMs = count('--timeout-ms', 5_000, 300_000);
  if (typeof timeoutMs === 'object') return fail(timeoutMs.error);
  let metrics: MonitorOptions['metrics'];
  const metricsText = values.get('--metrics');
  if (metricsText !== undefined) {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(metricsText);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) return fail(`--metrics ${metricsText}: give host:port, e.g. 127.0.0.1:9470`);
    metrics = { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  }
  const webhook = values.get('--webhook');
  if (webhook !== undefined) {
    let hook: URL;
    try {
      hook = new URL(webhook);
    } catch {
      return fail(`--webhook ${webhook} is not a URL`);
    }
    if (hook.protocol !== 'http:' && hook.protocol !== 'https:') return fail(`--webhook must be http:// or https://, not ${hook.protocol}`);
  }
  const token = values.get('--token') ?? (env[MONITOR_TOKEN_ENV] || undefined);
  if (token !== undefined && !/^\S{16,256}$/.test(token)) return fail(`--token (or ${MONITOR_TOKEN_ENV}) must be the token netready site-token printed, 16 to 256 characters without spaces`);
  const browser = values.get('--browser') ?? 'chromium';
  if (!(BROWSERS as readonly string[]).includes(browser)) return fail(`--browser must be ${BROWSERS.join(' or ')}, not ${browser}`);
  return {
    command: 'monitor',
    url: parsedUrl.toString().replace(/\/+$/, ''),
    site,
    intervalMs,
    ...(runs !== undefined ? { runs } : {}),
    ...(metrics ? { metrics } : {}),
    ...(webhook !== undefined ? { webhook } : {}),
    browser: browser as BrowserName,
    dataDir: values.get('--data-dir') ?? DEFAULT_MONITOR_DATA_DIR,
    confirmRuns: confirmRuns ?? 2,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(token !== undefined ? { token } : {}),
  };
}
