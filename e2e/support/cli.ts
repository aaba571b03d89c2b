/**
 * Runs the real CLI (`bin/netready.mjs`, as `npx netready` does) in a child process and collects its output.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './stack';

/** One CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `netready <args>` with `env` (default: this process's) and resolves when it exits. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'netready.mjs'), ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr, elapsedMs: Date.now() - started }));
  });
}
