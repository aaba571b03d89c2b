/**
 * `npm run bench -- --monitor` (issue 19): the real `netready monitor` against a local stack for `checks` checks at
 * its shortest interval (30 checks at 30 s: 15 minutes). After each check it samples the monitor process's resident
 * memory twice — as the check's line is printed (the check's garbage not yet collected), and settled, shortly before
 * the next check starts (V8's memory reducer has run in the pause) — and the processes still below it; after the last
 * settled sample it stops the monitor with SIGTERM, as systemd does, and counts every process left that used its
 * temporary folder (where each check's browser profile lives). A monitor that runs for weeks must leave no browser
 * behind and must not grow: the report compares the settled RSS after the first and the last check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../e2e/support/stack';

/** One sample, taken when the monitor printed a check's line. */
export interface SoakSample {
  check: number;
  atS: number;
  /** RSS as the check's line was printed, MB. */
  rssAtLineMb: number;
  /** RSS shortly before the next check, MB (settled). */
  rssMb: number;
  /** Names of the processes below the monitor right after the check (its browser must be gone by then; tsx keeps esbuild). */
  descendants: string[];
  verdict: string | null;
  durationMs: number | null;
}

/** The soak's figures. */
export interface SoakSummary {
  checks: number;
  intervalS: number;
  wallS: number;
  /** Settled RSS after the first and the last check, MB. */
  rssAfterFirstMb: number | null;
  rssAfterLastMb: number | null;
  /** Last ÷ first − 1 of the settled RSS (the issue asks for within ±0.10). */
  rssChange: number | null;
  rssMaxMb: number | null;
  /** RSS as the first and the last check's line was printed, MB (before the check's garbage was collected). */
  rssAtLineFirstMb: number | null;
  rssAtLineLastMb: number | null;
  /** Most browser processes (Chromium, Firefox) below the monitor right after any check. */
  browsersAfterCheckMax: number;
  /** The other processes below it (tsx's esbuild service), by name. */
  otherDescendants: string[];
  /** Processes that used the monitor's temporary folder, still alive after it exited (browsers left behind). */
  leftBehind: number;
  checkDurationMedianMs: number | null;
  verdicts: Record<string, number>;
  exitCode: number | string | null;
}

/** The summary of a soak's samples. */
export function summariseSoak(samples: readonly SoakSample[], intervalS: number, wallS: number, leftBehind: number, exitCode: number | string | null): SoakSummary {
  const first = samples[0]?.rssMb ?? null;
  const last = samples.at(-1)?.rssMb ?? null;
  const durations = samples.map((s) => s.durationMs).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const verdicts: Record<string, number> = {};
  for (const s of samples) verdicts[s.verdict ?? 'could-not-run'] = (verdicts[s.verdict ?? 'could-not-run'] ?? 0) + 1;
  return {
    checks: samples.length,
    intervalS,
    wallS,
    rssAfterFirstMb: first,
    rssAfterLastMb: last,
    rssChange: first !== null && last !== null ? Math.round((last / first - 1) * 1000) / 1000 : null,
    rssMaxMb: samples.length > 0 ? Math.max(...samples.map((s) => s.rssMb)) : null,
    rssAtLineFirstMb: samples[0]?.rssAtLineMb ?? null,
    rssAtLineLastMb: samples.at(-1)?.rssAtLineMb ?? null,
    browsersAfterCheckMax: samples.length > 0 ? Math.max(...samples.map((s) => s.descendants.filter(isBrowser).length)) : 0,
    otherDescendants: [...new Set(samples.flatMap((s) => s.descendants.filter((name) => !isBrowser(name))))].sort(),
    leftBehind,
    checkDurationMedianMs: durations.length > 0 ? durations[Math.floor((durations.length - 1) / 2)]! : null,
    verdicts,
    exitCode,
  };
}

/** Whether a process name is a browser's (Chromium's processes are all `chromium`/`chrome`, Firefox's `firefox*`). */
function isBrowser(name: string): boolean {
  return /chrom|firefox|headless_shell/i.test(name);
}

/** Resident memory of a process, MB (VmRSS), or 0 when it is gone. */
function rssMb(pid: number): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** Every live process: pid, parent pid, name, command line. */
function processes(): Array<{ pid: number; ppid: number; name: string; cmdline: string }> {
  const all: Array<{ pid: number; ppid: number; name: string; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      all.push({ pid: Number(entry), ppid: Number(fields[1]), name, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // Gone while reading.
    }
  }
  return all;
}

/** The names of the live processes descending from `root`. */
function descendantsOf(root: number): string[] {
  const all = processes();
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  below.delete(root);
  return all.filter((p) => below.has(p.pid)).map((p) => p.name);
}

/** Runs the soak against `webUrl`; `log` gets a line per check. */
export async function measureMonitorSoak(options: { webUrl: string; checks: number; intervalS: number; log: (line: string) => void }): Promise<SoakSummary> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'netready-monitor-soak-'));
  const started = Date.now();
  const samples: SoakSample[] = [];
  // No --runs: the monitor is stopped by SIGTERM after the last settled sample, as a service is.
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'netready.mjs'), 'monitor', '--url', options.webUrl, '--site', 'Bench', '--interval', `${options.intervalS}s`, '--data-dir', path.join(tmp, 'data')],
    { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid!;
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let buffered = '';
  let stderr = '';
  let settled: ReturnType<typeof setTimeout> | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let parsed: { type?: string; verdict?: string; durationMs?: number; error?: string };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        continue;
      }
      if (parsed.type !== 'check' || samples.length >= options.checks) continue;
      const sample: SoakSample = {
        check: samples.length + 1,
        atS: Math.round((Date.now() - started) / 100) / 10,
        rssAtLineMb: rssMb(pid),
        rssMb: 0,
        descendants: descendantsOf(pid),
        verdict: parsed.verdict ?? null,
        durationMs: typeof parsed.durationMs === 'number' ? parsed.durationMs : null,
      };
      samples.push(sample);
      // The settled sample: a few seconds before the next check starts (the check began durationMs before its line).
      const untilNextMs = options.intervalS * 1000 - (sample.durationMs ?? 3000) - 3000;
      settled = setTimeout(() => {
        sample.rssMb = rssMb(pid);
        options.log(`monitor soak ${sample.check}/${options.checks} at ${sample.atS} s: ${sample.verdict ?? parsed.error}, RSS ${sample.rssAtLineMb} MB at its line, ${sample.rssMb} MB settled, below it: ${sample.descendants.join(', ') || 'nothing'}`);
        if (sample.check === options.checks) child.kill('SIGTERM');
      }, Math.max(1000, untilNextMs));
    }
  });
  const exitCode = await exited;
  clearTimeout(settled);
  if (exitCode !== 0) options.log(`monitor exited with ${exitCode}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  // Whatever still runs with the monitor's temporary folder in its command line was left behind by it.
  const leftBehind = processes().filter((p) => p.cmdline.includes(tmp)).length;
  rmSync(tmp, { recursive: true, force: true });
  return summariseSoak(samples, options.intervalS, Math.round((Date.now() - started) / 1000), leftBehind, exitCode);
}
