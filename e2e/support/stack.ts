/**
 * Starts the real netready stack for browser tests — the probe server (`tsx server/main.ts`) and the built web
 * app (`next start`) — on test ports with a temporary data folder, waits for real readiness signals (the probe's
 * "netready probe ready" line, an HTTP 200 from the web app), and stops each process by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Ports of one test stack. */
export interface StackPorts {
  web: number;
  http: number;
  https: number;
  turn: number;
  tls: number;
  alt: number;
  /** The probe's operations listener (/metrics, /healthz, /readyz): one per stack, so stacks can run side by side. */
  ops: number;
  /** The media peer's passive ICE-TCP port (`probe.iceTcp`). */
  iceTcp: number;
  /** First port of the MTU ladder (ten UDP ports from here: eight sizes, two fragment sizes). */
  mtu: number;
  relayMin: number;
  relayMax: number;
  peerMin: number;
  peerMax: number;
}

/** Builds a port set from a base number (each stack in a run gets its own base). */
export function portsFrom(base: number): StackPorts {
  return {
    web: base,
    http: base + 1,
    https: base + 2,
    turn: base + 3,
    tls: base + 4,
    alt: base + 5,
    ops: base + 6,
    iceTcp: base + 7,
    mtu: base + 10,
    relayMin: base + 100,
    relayMax: base + 399,
    peerMin: base + 400,
    peerMax: base + 699,
  };
}

/** A running process with its output so far. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and resolves when it exited. */
  stop(): Promise<void>;
}

/** Spawns a process in its own process group and keeps its last output lines. */
export function spawnManaged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ManagedProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 400) output.shift();
      if (process.env.NETREADY_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const pid = child.pid;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup('SIGTERM');
    const killer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  return { name, child, output, stop };
}

/** Waits until `check` resolves true, polling every 100 ms, or throws after `timeoutMs` with the process output. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, proc?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with code ${proc.child.exitCode} while waiting for ${what}:\n${proc.output.slice(-30).join('\n')}`);
    }
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${proc.output.slice(-30).join('\n')}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A running test stack. */
export interface Stack {
  ports: StackPorts;
  dataDir: string;
  webUrl: string;
  probeUrl: string;
  probe: ManagedProcess;
  web: ManagedProcess;
  /** Environment both processes got (config via NETREADY_* variables). */
  env: NodeJS.ProcessEnv;
  /** Stops both processes (the current `probe` and `web`) and removes the data folder. */
  stop(): Promise<void>;
}

/** Environment that configures netready for a test stack. */
export function stackEnv(ports: StackPorts, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NETREADY_CONFIG: path.join(REPO_ROOT, 'e2e', 'support', 'test-config.json'),
    NETREADY_DATA_DIR: dataDir,
    NETREADY_WEB_PORT: String(ports.web),
    NETREADY_WEB_HOST: '127.0.0.1',
    NETREADY_HTTP_PORT: String(ports.http),
    NETREADY_HTTPS_PORT: String(ports.https),
    NETREADY_TURN_UDP_PORT: String(ports.turn),
    NETREADY_TURN_TCP_PORT: String(ports.turn),
    NETREADY_TURN_TLS_PORT: String(ports.tls),
    NETREADY_STUN_ALT_PORTS: String(ports.alt),
    NETREADY_OPS_PORT: String(ports.ops),
    NETREADY_ICE_TCP_PORT: String(ports.iceTcp),
    NETREADY_MTU_FIRST_PORT: String(ports.mtu),
    NETREADY_RELAY_PORT_MIN: String(ports.relayMin),
    NETREADY_RELAY_PORT_MAX: String(ports.relayMax),
    NETREADY_PEER_PORT_MIN: String(ports.peerMin),
    NETREADY_PEER_PORT_MAX: String(ports.peerMax),
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

/**
 * Throws when something already listens on `port` (a server left over from a killed run): the readiness checks
 * below would take its answers for the fresh stack's, and the tests would run against old code.
 */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${host}:${port} is already in use — a server left over from an earlier run? Stop it (ss -ltnp 'sport = :${port}') and run again.` : `cannot check port ${host}:${port}: ${error.message}`)),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Starts the probe server alone (for tests that stop and restart it). */
export async function startProbe(env: NodeJS.ProcessEnv, probeUrl: string): Promise<ManagedProcess> {
  await assertPortFree(Number(new URL(probeUrl).port));
  const probe = spawnManaged('probe', path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['server/main.ts'], env);
  try {
    await waitUntil('the probe server', () => probe.output.some((l) => l.includes('netready probe ready')), 30_000, probe);
    await waitUntil('the probe API', async () => (await fetch(`${probeUrl}/v1/health`).catch(() => null))?.status === 200, 10_000, probe);
  } catch (error) {
    await probe.stop();
    throw error;
  }
  return probe;
}

/**
 * Starts probe + web on the given ports. The web app must be built (`npm run build`). `extraEnv` adds or overrides
 * NETREADY_* settings (e.g. the Firefox stack's `NETREADY_PUBLIC_HOST`).
 */
export async function startStack(ports: StackPorts, extraEnv: Record<string, string> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-e2e-'));
  const env = { ...stackEnv(ports, dataDir), ...extraEnv };
  const probeUrl = `http://127.0.0.1:${ports.http}`;
  const webUrl = `http://127.0.0.1:${ports.web}`;
  await assertPortFree(ports.web);
  const probe = await startProbe(env, probeUrl);
  const web = spawnManaged('web', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(ports.web), '-H', '127.0.0.1'], env);
  try {
    await waitUntil('the web app', async () => (await fetch(webUrl).catch(() => null))?.status === 200, 60_000, web);
  } catch (error) {
    await Promise.all([web.stop(), probe.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stack: Stack = {
    ports,
    dataDir,
    webUrl,
    probeUrl,
    probe,
    web,
    env,
    async stop() {
      // Tests may replace stack.probe (stop and restart it): stop whatever runs now.
      await Promise.all([stack.web.stop(), stack.probe.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** How many results the SQLite store in `dataDir` holds (0 before the first is stored). */
export function storedResultCount(dataDir: string): number {
  const file = path.join(dataDir, 'netready.sqlite');
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
