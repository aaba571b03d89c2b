/**
 * Retention of stored results (`results.retentionDays`, issue 13): one cut-off that every reader and the purge agree
 * on, and the schedule that deletes expired results — once when the web server starts (instrumentation.ts), then every
 * PURGE_INTERVAL_MS. Between two purges an expired result may still be in the database; readers filter it out with
 * the same cut-off (readLiveResult, the support view's `liveAfter`), so it is gone for everyone the moment it expires.
 */
import type { ResultStore } from './result-store';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** How often the web process deletes expired results (and once at start-up). */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The retention cut-off at `now`: a result stored at or before it has expired (its expiry, stored time plus
 * `retentionDays`, is not after `now`). Readers keep only results stored after it.
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** The timer functions the schedule uses; tests pass fakes that fire on demand. */
export interface PurgeTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The process's own timers, unref'd: the schedule never keeps a process alive. */
export const SYSTEM_TIMERS: PurgeTimers = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** Options of startRetentionPurge. */
export interface RetentionPurgeOptions {
  /** The store to purge. */
  store: Pick<ResultStore, 'purgeStoredBefore'>;
  /** Days a result is kept (config `results.retentionDays`, default 30). */
  retentionDays: number;
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
  /** Time between purges, ms. Default PURGE_INTERVAL_MS. */
  intervalMs?: number;
  /** Timers. Default SYSTEM_TIMERS. */
  timers?: PurgeTimers;
  /** Told how many results a purge deleted. */
  onPurged?: (deleted: number) => void;
  /** Told when a purge failed; the next tick tries again (readers already hide expired results). Default: ignored. */
  onError?: (error: unknown) => void;
}

/** A running purge schedule. */
export interface RetentionPurge {
  /** The purge made at start: resolves with how many results it deleted, or null when it failed (onError was told). */
  readonly first: Promise<number | null>;
  /** Purges now, outside the schedule; resolves like `first`. */
  runNow(): Promise<number | null>;
  /** Stops the schedule (a purge already running finishes). Idempotent. */
  stop(): void;
}

/**
 * Purges results past retention at once and then every `intervalMs`. A purge that is still running when the next tick
 * comes is not started twice.
 */
export function startRetentionPurge(options: RetentionPurgeOptions): RetentionPurge {
  const now = options.now ?? (() => new Date());
  const timers = options.timers ?? SYSTEM_TIMERS;
  let running: Promise<number | null> | null = null;
  const runNow = (): Promise<number | null> => {
    running ??= options.store
      .purgeStoredBefore(retentionCutoff(now(), options.retentionDays))
      .then(
        (deleted) => {
          options.onPurged?.(deleted);
          return deleted;
        },
        (error: unknown) => {
          options.onError?.(error);
          return null;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const handle = timers.setInterval(() => void runNow(), options.intervalMs ?? PURGE_INTERVAL_MS);
  let stopped = false;
  return {
    first: runNow(),
    runNow,
    stop() {
      if (stopped) return;
      stopped = true;
      timers.clearInterval(handle);
    },
  };
}
