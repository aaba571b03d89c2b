/**
 * The monitor's wait for its next check, which a "check now" request ends early: `kill -USR2 <pid>` or
 * `systemctl reload netready-monitor` (the unit's ExecReload) right after a firewall change shows its effect without
 * waiting out the interval. SIGUSR2 because Node keeps SIGUSR1 for its debugger. A request that arrives while a check
 * runs is kept, and the wait after that check ends at once: two checks never overlap.
 */

/** A sleep that {@link ScheduleSleep.checkNow} ends early. */
export class ScheduleSleep {
  private pending = false;
  private wake: (() => void) | undefined;

  /** Asks for a check now: ends the wait in progress, or the next one as soon as it begins. */
  checkNow(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Resolves after `ms`, when `signal` aborts, or on a check-now request — whichever comes first. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.pending || signal.aborted) {
        this.pending = false;
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
