/**
 * A throw-away PostgreSQL for tests (issue 13): Debian's server binaries (`postgresql` package, found under
 * /usr/lib/postgresql/<version>/bin or `NETREADY_PG_BINDIR`) run a fresh cluster in a temporary folder — no service,
 * no TCP port: it listens on a Unix socket in that folder only. Started by PID and stopped by PID (fast shutdown).
 * As root (CI), the cluster runs as the `postgres` system user the package creates, because PostgreSQL refuses root.
 * When no PostgreSQL is installed it throws with what to install; callers fail, never skip.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A running throw-away cluster. */
export interface TestPostgres {
  /** Connection string of its `postgres` database (superuser `netready`, no password, over the socket). */
  url: string;
  /** Creates a fresh empty database and returns its connection string (one per test that needs a clean slate). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (by PID) and removes the folder. */
  stop(): Promise<void>;
}

/** The folder with `initdb` and `postgres`, or null. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NETREADY_PG_BINDIR) return existsSync(path.join(env.NETREADY_PG_BINDIR, 'initdb')) ? env.NETREADY_PG_BINDIR : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/** The postmaster's PID from `<data>/postmaster.pid`, or null. */
function postmasterPid(data: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Runs a command as `user` when we are root (runuser), else as ourselves. */
function asUser(user: { name: string; uid: number; gid: number } | null, command: string, args: string[]): [string, string[]] {
  return user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args];
}

/** Starts a throw-away cluster and waits until it accepts connections. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBinDir();
  if (!bin) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the store tests need it. Install it: apt-get install postgresql (npm test does, as root), or set NETREADY_PG_BINDIR.');
  }
  const root = process.getuid?.() === 0;
  let user: { name: string; uid: number; gid: number } | null = null;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    user = { name: 'postgres', uid, gid };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const [initCommand, initArgs] = asUser(user, path.join(bin, 'initdb'), ['-D', data, '-U', 'netready', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  try {
    execFileSync(initCommand, initArgs, { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr.trim() || String(error)}`);
  }
  // Unix socket in the folder only; fsync off: a test cluster has nothing to keep.
  const [command, args] = asUser(user, path.join(bin, 'postgres'), ['-D', data, '-k', dir, '-c', "listen_addresses=", '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']);
  const server: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const output: string[] = [];
  server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `postgresql://netready@${encodeURIComponent(dir)}/postgres`;
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      // SIGINT to the postmaster (its PID is the first line of postmaster.pid; under runuser it is not our child):
      // fast shutdown, which disconnects clients.
      const postmaster = postmasterPid(data);
      if (postmaster !== null) process.kill(postmaster, 'SIGINT');
      else server.kill('SIGINT');
      const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited with code ${server.exitCode}: ${output.join('').trim()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections within 30 s: ${output.join('').trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgresql://netready@${encodeURIComponent(dir)}/${name}`;
    },
    stop,
  };
}
