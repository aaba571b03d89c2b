/**
 * System helpers of the network lab: run a command (optionally inside a namespace) and fail loudly with its
 * output, spawn daemons inside a namespace and remember their PIDs, and stop processes by PID — never by name.
 * Everything here is synchronous where teardown needs it, so the SIGINT handler and the `exit` hook can use it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Error of the lab's system layer: which command failed and what it printed. */
export class LabError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabError';
  }
}

/** Runs a command and returns its stdout; throws LabError with stderr when it exits non-zero. */
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; allowFail?: boolean } = {}): string {
  try {
    return execFileSync(command, args, {
      input: options.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 15_000,
    });
  } catch (error) {
    if (options.allowFail) return '';
    const e = error as { stderr?: string; stdout?: string; status?: number | null; message: string };
    throw new LabError(`\`${[command, ...args].join(' ')}\` failed (status ${e.status ?? '?'}): ${(e.stderr || e.stdout || e.message).trim()}`, {
      cause: error,
    });
  }
}

/** Runs a command inside network namespace `ns` (`ip netns exec`). */
export function nsRun(ns: string, args: string[], options: { input?: string; timeoutMs?: number; allowFail?: boolean } = {}): string {
  return run('ip', ['netns', 'exec', ns, ...args], options);
}

/** Blocks the thread for `ms` (teardown must work from a signal handler, without the event loop). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Promise-based sleep for the async parts (only used between polls, never as a readiness signal). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Process state from /proc/PID/stat: 'gone' when the PID no longer exists or is a zombie/dead entry
 * (a zombie still passes `kill -0`, LAB.md), else the state letter.
 */
export function processState(pid: number): 'gone' | string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces or parentheses).
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X' ? 'gone' : state;
  } catch {
    return 'gone';
  }
}

/** Sends `signal` to a PID (and its process group when it leads one); ignores processes already gone. */
function signalPid(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // No such group / process: already gone.
    }
  }
}

/**
 * Stops PIDs: SIGTERM, waits up to `graceMs` (squid needs ~1.4 s), then SIGKILL and waits again.
 * Returns the PIDs still alive afterwards (should be none).
 */
export function stopPids(pids: number[], graceMs = 3000): number[] {
  const alive = (): number[] => pids.filter((pid) => processState(pid) !== 'gone');
  if (alive().length === 0) return [];
  for (const pid of alive()) signalPid(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive().length > 0 && Date.now() < deadline) sleepSync(50);
  for (const pid of alive()) signalPid(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (alive().length > 0 && Date.now() < killDeadline) sleepSync(50);
  return alive();
}

/** PIDs of the processes inside a namespace (`ip netns pids`), empty when it does not exist. */
export function namespacePids(ns: string): number[] {
  return run('ip', ['netns', 'pids', ns], { allowFail: true })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** A daemon started by the lab inside a namespace. */
export interface LabProcess {
  name: string;
  ns: string;
  pid: number;
  child: ChildProcess;
  /** Last output lines (stdout and stderr). */
  output: string[];
  /** Resolves with the exit code (or signal) when it exits. */
  exited: Promise<number | string>;
  hasExited(): boolean;
}

/** Every process the lab started, by PID (teardown stops exactly these, then sweeps the namespaces). */
export const started = new Map<number, LabProcess>();

/**
 * Starts `args` inside `ns` as `ip netns exec NS cmd…` (ip execs the command, so the PID is the daemon's) in
 * its own process group, so Ctrl-C in the terminal reaches only the lab runner, which then stops it by PID.
 * Output goes to `logFile` and the last 200 lines are kept.
 */
export function spawnInNs(
  name: string,
  ns: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string; stdoutFile?: string },
): LabProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new LabError(`could not start ${name} (${args.join(' ')})`);
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    appendFileSync(options.logFile, text);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 200) output.shift();
    }
  };
  const stdoutFile = options.stdoutFile;
  if (stdoutFile) child.stdout?.on('data', (chunk: Buffer) => appendFileSync(stdoutFile, chunk));
  else child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      started.delete(child.pid!);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const proc: LabProcess = { name, ns, pid: child.pid, child, output, exited, hasExited: () => done || processState(child.pid!) === 'gone' };
  started.set(child.pid, proc);
  return proc;
}

/** Stops one lab process by PID and waits for its exit. */
export async function stopProcess(proc: LabProcess, graceMs = 3000): Promise<void> {
  if (proc.hasExited()) return;
  signalPid(proc.pid, 'SIGTERM');
  const timer = setTimeout(() => signalPid(proc.pid, 'SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Polls `check` every 100 ms until true; throws with `proc`'s output on timeout or when it exits. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, proc?: LabProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.hasExited()) throw new LabError(`${proc.name} exited while waiting for ${what}:\n${proc.output.slice(-20).join('\n')}`);
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new LabError(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${proc.output.slice(-20).join('\n')}` : ''}`);
    }
    await sleep(100);
  }
}

/** Whether a binary exists. */
export function hasBinary(file: string): boolean {
  return existsSync(file);
}
