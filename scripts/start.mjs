#!/usr/bin/env node
// `npm start`: builds the web app when its sources changed, then runs the probe server (server/main.ts) and
// the web app (next start) side by side, prefixing their output with [probe] / [web]. When both are ready it
// prints "netready is running: <url>" with both PIDs. If either child exits during start-up, or the web app exits
// at any time, the other is stopped and this script exits non-zero with that child's status and its last lines
// of output. If the probe server exits after start-up, the web app keeps serving (stored results, and test runs
// that honestly report the probe servers unreachable) and the probe's exit is reported. Ctrl-C / SIGTERM stop both.
//
// Both children log JSON lines (pino); on a terminal they are shown readably (scripts/log-format.mjs), otherwise as
// they are, for log collectors.
//
// `npm run dev` (`--dev`): `next dev` instead of build + start.
//
// Children run in their own process groups, so stopping one (by its PID: SIGTERM, then SIGKILL after a
// deadline) also reaches any process it started itself (tsx runs the server in a child node process).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatLogLine, messageOf } from './log-format.mjs';
import { startWarnings } from './start-warnings.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The probe logs a line whose message contains this once every listener is bound (server/main.ts). */
const PROBE_READY_MARKER = 'netready probe ready';
/** The probe's ready line contains this when it serves the development certificate (server/main.ts). */
const PROBE_DEV_CERT_MARKER = '; dev certificate ';
/** Deadlines in milliseconds. `next dev` compiles the first page on the first request, hence the longer one. */
const PROBE_READY_DEADLINE_MS = 60_000;
const WEB_READY_DEADLINE_MS = 60_000;
const WEB_DEV_READY_DEADLINE_MS = 180_000;
/** Interval between readiness requests to the web app. */
const WEB_POLL_INTERVAL_MS = 250;
/** How long a child gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Lines of a child's output kept for the failure report. */
const TAIL_LINES = 30;

/** What the web build depends on; a file here newer than .next/BUILD_ID triggers `next build`. */
const BUILD_INPUTS = ['app', 'pages', 'components', 'lib', 'sdk', 'public', 'next.config.js', 'postcss.config.mjs', 'package.json', 'tsconfig.json'];

/** A start-up problem with a message for the user and the exit status to use. */
class StartError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'StartError';
    this.exitCode = exitCode;
  }
}

/** @param {string} message */
function log(message) {
  process.stdout.write(`netready: ${message}\n`);
}

/** @param {string} message */
function logError(message) {
  process.stderr.write(`netready: ${message}\n`);
}

/**
 * Loads and validates the whole configuration with the probe's own loader (server/config/load.ts, via tsx), so
 * a bad value stops start-up here — before any build — with the message naming the field, and the web app's
 * host and port come from the one source of truth.
 * @returns {Promise<{ host: string, port: number, embed: { allowedOrigins: string[], demoPort?: number } }>}
 */
async function readWebAddress() {
  const tsx = await import('tsx/esm/api').catch(() => {
    throw new StartError('the dependencies are not installed (tsx is missing). Run: npm install');
  });
  const unregister = tsx.register();
  try {
    const { loadConfig } = await import('../server/config/load.ts');
    try {
      const config = loadConfig();
      // Issue 18: a configuration that starts but misleads some browsers (TURN/TLS by IP address) is said at once.
      for (const warning of startWarnings(config.probe)) logError(`warning: ${warning}`);
      return { host: config.web.host, port: config.web.port, embed: config.embed };
    } catch (error) {
      if (error instanceof Error && error.name === 'ConfigError') throw new StartError(error.message, 2);
      throw error;
    }
  } finally {
    await unregister();
  }
}

/** The URL to show people: loopback and wildcard binds are reachable as localhost. */
function displayUrl(host, port) {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host);
  return `http://${local ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The URL this script polls: a wildcard bind is reached over loopback. */
function pollUrl(host, port) {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}/`;
}

/** Resolves a node_modules/.bin entry to the JavaScript file it links to, so we run it with this Node. */
function resolveBin(name) {
  const link = path.join(repoRoot, 'node_modules', '.bin', name);
  if (!existsSync(link)) {
    throw new StartError(`node_modules/.bin/${name} is missing: the dependencies are not installed. Run: npm install`);
  }
  return realpathSync(link);
}

/**
 * Why the web app must be rebuilt, or null when .next is up to date.
 * @returns {string | null}
 */
function whyBuild() {
  const buildIdFile = path.join(repoRoot, '.next', 'BUILD_ID');
  if (!existsSync(buildIdFile)) return '.next/BUILD_ID is missing (no production build yet)';
  if (!existsSync(path.join(repoRoot, 'public', 'embed.js'))) return 'public/embed.js is missing (the embed client was not built)';
  const builtMs = statSync(buildIdFile).mtimeMs;
  for (const input of BUILD_INPUTS) {
    const newer = findNewerFile(path.join(repoRoot, input), builtMs);
    if (newer !== null) return `${path.relative(repoRoot, newer)} changed after the last build`;
  }
  return null;
}

/** First file under `entry` modified after `sinceMs`; unit tests do not count (they are not part of the app). */
function findNewerFile(entry, sinceMs) {
  let stats;
  try {
    stats = statSync(entry);
  } catch {
    return null; // an input that does not exist (yet) cannot be newer
  }
  if (stats.isFile()) return stats.mtimeMs > sinceMs ? entry : null;
  if (!stats.isDirectory()) return null;
  if (stats.mtimeMs > sinceMs) {
    // A deleted or renamed file only shows as a newer directory mtime.
    return entry;
  }
  for (const dirent of readdirSync(entry, { withFileTypes: true })) {
    if (dirent.name === 'node_modules' || dirent.name.startsWith('.')) continue;
    if (dirent.isFile() && /\.test\.tsx?$/.test(dirent.name)) continue;
    const found = findNewerFile(path.join(entry, dirent.name), sinceMs);
    if (found !== null) return found;
  }
  return null;
}

/** Fails fast when the web port is taken, instead of polling another program's server. */
async function assertPortFree(host, port) {
  await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error) => {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code === 'EADDRINUSE') {
        reject(new StartError(`port ${port} on ${host} is already in use (is netready already running?). Stop that program or set NETREADY_WEB_PORT.`));
      } else if (code === 'EADDRNOTAVAIL') {
        reject(new StartError(`cannot listen on ${host}: no such local address. Check NETREADY_WEB_HOST.`));
      } else {
        reject(new StartError(`cannot listen on ${host}:${port}: ${error.message}`));
      }
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, error?: Error }} ExitInfo
 * @typedef {{
 *   name: string, label: string, pid: number | undefined, tail: string[],
 *   exit: ExitInfo | null, exited: Promise<ExitInfo>, onLine: (listener: (line: string) => void) => void
 * }} Child
 */

/**
 * Starts `node <script> ...args` in its own process group with output prefixed by `[name]`.
 * @param {string} name
 * @param {string} label
 * @param {string} script
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Child}
 */
function startChild(name, label, script, args, env) {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  /** @type {((line: string) => void)[]} */
  const listeners = [];
  /** @type {Child} */
  const child = {
    name,
    label,
    pid: proc.pid,
    tail: [],
    exit: null,
    exited: new Promise((resolve) => {
      let settled = false;
      /** @param {ExitInfo} info */
      const settle = (info) => {
        if (settled) return;
        settled = true;
        child.exit = info;
        resolve(info);
      };
      proc.once('error', (error) => settle({ code: null, signal: null, error }));
      // 'close' waits for the output pipes, so the tail is complete; a grandchild holding them open must not
      // hide the exit, so 'exit' settles too after a short grace period.
      proc.once('close', (code, signal) => settle({ code, signal }));
      proc.once('exit', (code, signal) => setTimeout(() => settle({ code, signal }), 1000).unref());
    }),
    onLine: (listener) => listeners.push(listener),
  };
  for (const [stream, sink] of [
    [proc.stdout, process.stdout],
    [proc.stderr, process.stderr],
  ]) {
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      sink.write(`[${name}] ${sink.isTTY ? formatLogLine(line) : line}\n`);
      child.tail.push(line);
      if (child.tail.length > TAIL_LINES) child.tail.shift();
      for (const listener of listeners) listener(line);
    });
  }
  return child;
}

/** Sends `signal` to the child's process group (its PID); a group that is gone already is fine. */
function signalChild(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ESRCH') throw error;
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within STOP_GRACE_MS. Also clears leftover grandchildren. */
async function stopChild(child) {
  signalChild(child, 'SIGTERM');
  if (child.exit === null) {
    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => resolve('deadline'), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([child.exited, deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      logError(`${child.label} did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM; sending SIGKILL`);
      signalChild(child, 'SIGKILL');
      await child.exited;
    }
  }
  signalChild(child, 'SIGKILL'); // anything the child started and left behind in its group
}

/** Exit status to pass on for a child's exit: its own code, 128+N for signal N, never 0. */
function exitStatusOf(info) {
  if (info.code !== null && info.code !== 0) return info.code;
  if (info.signal !== null) return 128 + (os.constants.signals[info.signal] ?? 0);
  return 1;
}

function describeExit(info) {
  if (info.error) return `could not be started: ${info.error.message}`;
  if (info.signal !== null) return `was killed by ${info.signal}`;
  return `exited with code ${info.code}`;
}

/** Resolves when `child` logs a line whose message contains `marker` (JSON or plain); rejects at the deadline. */
function waitForLine(child, marker, deadlineMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StartError(`${child.label} did not print "${marker}" within ${deadlineMs / 1000} s`)),
      deadlineMs,
    );
    if (child.tail.some((line) => messageOf(line).includes(marker))) {
      clearTimeout(timer);
      resolve(undefined);
      return;
    }
    child.onLine((line) => {
      if (messageOf(line).includes(marker)) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
}

/** Polls `url` until it answers with any HTTP response; rejects at the deadline. */
async function waitForHttp(child, url, deadlineMs, isStopping) {
  const deadline = Date.now() + deadlineMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline && !isStopping()) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      await response.body?.cancel();
      return;
    } catch (error) {
      lastError = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, WEB_POLL_INTERVAL_MS));
  }
  if (isStopping()) return;
  throw new StartError(`${child.label} did not answer GET ${url} within ${deadlineMs / 1000} s (last error: ${lastError})`);
}

/** Runs one build step (`node <script> ...args`) with prefixed output; throws when it fails. */
async function runBuildStep(label, script, args, env) {
  const builder = startChild('build', label, script, args, env);
  const stopOnSignal = () => signalChild(builder, 'SIGTERM');
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const info = await builder.exited;
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  if (info.code !== 0) {
    throw new StartError(`${label} ${describeExit(info)}; the web app cannot start. Its output is above.`, exitStatusOf(info));
  }
}

/** Builds the embed client (public/embed.js …, scripts/build-embed.mjs); the web app serves it from public/. */
function buildEmbed(env) {
  return runBuildStep('the embed client build', path.join(repoRoot, 'scripts', 'build-embed.mjs'), [], env);
}

/** Runs the embed client build and `next build`; throws when either fails. */
async function build(nextCli, env) {
  await buildEmbed(env);
  await runBuildStep('next build', nextCli, ['build'], env);
}

/**
 * `npm run dev` serves the embed demo (server/embed-demo: a meeting app's join page on its own origin) on the web port
 * + 1 unless `embed.demoPort` is configured, and allows its origin to frame /embed for this run only.
 * @param {string} host @param {number} port @param {{ allowedOrigins: string[], demoPort?: number }} embed
 * @returns {Record<string, string>}
 */
function demoHostEnv(host, port, embed) {
  if (embed.demoPort !== undefined) return {};
  const demoPort = port + 1;
  const origins = [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`];
  return {
    NETREADY_EMBED_DEMO_PORT: String(demoPort),
    NETREADY_EMBED_ALLOWED_ORIGINS: [...new Set([...embed.allowedOrigins, ...origins])].join(','),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--dev');
  if (unknown.length > 0) throw new StartError(`unknown argument ${unknown.join(' ')}. Usage: node scripts/start.mjs [--dev]`, 2);
  const dev = args.includes('--dev');

  const { host, port, embed } = await readWebAddress();
  const nextCli = resolveBin('next');
  const tsxCli = resolveBin('tsx');
  if (!existsSync(path.join(repoRoot, 'server', 'main.ts'))) {
    throw new StartError('server/main.ts is missing: the probe server is not in this checkout, so netready cannot start.');
  }
  const env = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    ...(process.stdout.isTTY && process.env.NO_COLOR === undefined ? { FORCE_COLOR: '1' } : {}),
    ...(dev ? demoHostEnv(host, port, embed) : {}),
  };

  if (!dev) {
    const reason = whyBuild();
    if (reason !== null) {
      log(`building the web app: ${reason}`);
      await build(nextCli, env);
    }
  } else {
    await buildEmbed(env);
  }
  await assertPortFree(host, port);

  const probe = startChild('probe', 'the probe server (server/main.ts)', tsxCli, ['server/main.ts'], env);
  const web = startChild('web', `the web app (next ${dev ? 'dev' : 'start'})`, nextCli, [dev ? 'dev' : 'start', '-p', String(port), '-H', host], env);
  const children = [probe, web];
  let devCertificate = false;
  probe.onLine((line) => {
    const message = messageOf(line);
    if (message.includes(PROBE_READY_MARKER) && message.includes(PROBE_DEV_CERT_MARKER)) devCertificate = true;
  });

  // Last resort if this script dies unexpectedly: do not leave the servers running.
  process.once('exit', () => {
    for (const child of children) if (child.exit === null) signalChild(child, 'SIGKILL');
  });

  let stopping = false;
  let running = false;
  /** Stops every child, then exits with `status`. */
  const shutDown = async (status) => {
    stopping = true;
    await Promise.all(children.map((child) => stopChild(child)));
    process.exit(status);
  };

  const onSignal = (signal) => {
    if (stopping) {
      logError(`${signal} again: killing now`);
      for (const child of children) signalChild(child, 'SIGKILL');
      process.exit(130);
    }
    log(`${signal}: stopping the probe server and the web app`);
    void shutDown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const child of children) {
    void child.exited.then(async (info) => {
      if (stopping) return;
      if (running && child === probe) {
        logError(
          `${child.label} ${describeExit(info)}. The web app keeps running, and test runs will report the probe servers ` +
            'as unreachable. Restart netready (Ctrl-C, then npm start) to bring them back.',
        );
        for (const line of child.tail) process.stderr.write(`  [${child.name}] ${process.stderr.isTTY ? formatLogLine(line) : line}\n`);
        return;
      }
      stopping = true;
      const others = children.filter((other) => other !== child);
      logError(`${child.label} ${describeExit(info)}; stopping ${others.map((other) => other.label).join(' and ')}.`);
      if (child.tail.length > 0) {
        logError(`last lines from ${child.label}:`);
        for (const line of child.tail) process.stderr.write(`  [${child.name}] ${process.stderr.isTTY ? formatLogLine(line) : line}\n`);
      }
      await shutDown(exitStatusOf(info));
    });
  }

  try {
    await Promise.all([
      waitForLine(probe, PROBE_READY_MARKER, PROBE_READY_DEADLINE_MS),
      waitForHttp(web, pollUrl(host, port), dev ? WEB_DEV_READY_DEADLINE_MS : WEB_READY_DEADLINE_MS, () => stopping),
    ]);
  } catch (error) {
    if (stopping) return; // a child exited; its handler reports and exits
    logError(error instanceof Error ? error.message : String(error));
    await shutDown(1);
    return;
  }
  if (stopping) return;
  running = true;
  process.stdout.write(
    `netready is running: ${displayUrl(host, port)}${dev ? ' (development mode)' : ''}  (probe pid ${probe.pid}, web pid ${web.pid})\n`,
  );
  if (devCertificate) {
    // Browsers refuse TURN over TLS, the TLS mirror and wss:// with a certificate they do not trust.
    log('the probe uses its development certificate: let your browsers trust it with `npx netready trust` (undo: `npx netready untrust`)');
  }
}

main().catch((error) => {
  if (error instanceof StartError) {
    logError(error.message);
    process.exit(error.exitCode);
  }
  logError(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
