import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  it('allows up to the limit per key per window, then refuses until the window passes', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 1000, now: () => now });
    expect([limiter.take('192.0.2.1'), limiter.take('192.0.2.1'), limiter.take('192.0.2.1')]).toEqual([true, true, false]);
    expect(limiter.take('192.0.2.2')).toBe(true);
    now = 1000;
    expect(limiter.take('192.0.2.1')).toBe(true);
  });

  it('forgets the oldest key when it tracks too many', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.take('c')).toBe(true);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('c')).toBe(false);
  });
});
