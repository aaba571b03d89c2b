/**
 * `netready monitor …` on the command line (issue 19): parses the options, refuses to start without the browser it
 * needs (saying which to install), runs the monitor (./run.ts) with real checks — each in a browser started and closed
 * for it (cli/main.ts checkOnce) — until `--runs` is done or SIGINT/SIGTERM arrives; SIGUSR2 runs the next check now.
 */
import { browserExecutable, checkOnce, EXIT_COULD_NOT_RUN } from '../main';
import { MONITOR_USAGE, parseMonitorArgs } from './args';
import type { Result } from '../../lib/schema/result';
import { runMonitor } from './run';
import { ScheduleSleep } from './schedule-sleep';
import { uploadCheck } from './upload';

/** Runs the monitor command; resolves with the exit code (0 when it ended as asked, 3 when it could not start). */
export async function runMonitorCommand(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const options = parseMonitorArgs(argv, process.env);
  if (options.command === 'help') {
    out(MONITOR_USAGE);
    return 0;
  }
  if (options.command === 'error') {
    err(`netready monitor: ${options.message}\n\n${MONITOR_USAGE}`);
    return EXIT_COULD_NOT_RUN;
  }
  const browser = browserExecutable(options.browser);
  if ('error' in browser) {
    err(`netready monitor: cannot start: ${browser.error}`);
    return EXIT_COULD_NOT_RUN;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  // `on`, not `once`: a stop may be signalled twice (to the process and to its group, as systemd and the lab do), and
  // the second must not kill the monitor halfway through closing its history.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // SIGUSR2 (`kill -USR2`, the systemd unit's `systemctl reload`): the next check now, not at the end of the interval.
  const schedule = new ScheduleSleep();
  const checkNow = (): void => schedule.checkNow();
  process.on('SIGUSR2', checkNow);
  try {
    const summary = await runMonitor(
      options,
      {
        check: () =>
          checkOnce(
            { command: 'check', url: options.url, browser: options.browser, json: true, timeoutMs: options.timeoutMs, trustDevCa: true, trustCaFiles: [], deep: false, denyMedia: false, chromiumArgs: [], repeat: 1, timings: false },
            // The check's own progress lines would repeat every interval: only its problems go to standard error.
            (line) => (line.startsWith('Running netready') ? undefined : err(line)),
          ),
        ...(options.token ? { upload: (result: Result) => uploadCheck(options.url, options.token!, result) } : {}),
        now: () => Date.now(),
        sleep: (ms, signal) => schedule.sleep(ms, signal),
        out,
        err,
      },
      controller.signal,
    );
    err(
      `netready monitor: stopped after ${summary.checks} check(s) (${summary.failedChecks} could not run${options.token ? `, ${summary.failedUploads} not stored on the server` : ''}), ${summary.events.length} change event(s)`,
    );
    return 0;
  } catch (error) {
    err(`netready monitor: ${(error as Error).message}`);
    return EXIT_COULD_NOT_RUN;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGUSR2', checkNow);
  }
}
