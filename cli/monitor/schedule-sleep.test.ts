import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScheduleSleep } from './schedule-sleep';

describe('ScheduleSleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole interval when nothing asks for a check', async () => {
    vi.useFakeTimers();
    const sleep = new ScheduleSleep();
    let woke = false;
    const waiting = sleep.sleep(30_000, new AbortController().signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(woke).toBe(true);
  });

  it('ends a wait in progress on a check-now request', async () => {
    vi.useFakeTimers();
    const sleep = new ScheduleSleep();
    let woke = false;
    const waiting = sleep.sleep(30_000, new AbortController().signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(1_000);
    sleep.checkNow();
    await waiting;
    expect(woke).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a request made while no wait runs (a check in progress) and ends the next wait at once, only that one', async () => {
    vi.useFakeTimers();
    const sleep = new ScheduleSleep();
    sleep.checkNow();
    await sleep.sleep(30_000, new AbortController().signal);
    let woke = false;
    void sleep.sleep(30_000, new AbortController().signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(woke).toBe(false);
  });

  it('ends on abort and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const sleep = new ScheduleSleep();
    const controller = new AbortController();
    const waiting = sleep.sleep(30_000, controller.signal);
    controller.abort();
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
  });
});
