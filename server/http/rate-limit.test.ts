import { describe, expect, it } from 'vitest';
import { RateLimiter, SessionCreationLimiter } from './rate-limit';

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

describe('SessionCreationLimiter', () => {
  it.each<[string, string[], string, ReturnType<SessionCreationLimiter['take']>]>([
    ['refuses one address past its own limit', ['192.0.2.1', '192.0.2.1'], '192.0.2.1', 'sessions-per-address'],
    ['lets another address of the network use its own allowance', ['192.0.2.1', '192.0.2.1'], '192.0.2.2', 'ok'],
    ['refuses a network that rotates addresses past the subnet limit', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'], '192.0.2.5', 'sessions-per-subnet'],
    ['treats the next /24 as another network', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'], '192.0.3.1', 'ok'],
    ['groups IPv6 clients by /48', ['2001:db8:1:1::1', '2001:db8:1:2::1', '2001:db8:1:3::1', '2001:db8:1:4::1'], '2001:db8:1:ffff::9', 'sessions-per-subnet'],
    ['treats another /48 as another network', ['2001:db8:1:1::1', '2001:db8:1:2::1', '2001:db8:1:3::1', '2001:db8:1:4::1'], '2001:db8:2::1', 'ok'],
  ])('%s', (_name, earlier, address, verdict) => {
    const limiter = new SessionCreationLimiter({ perAddress: 2, perSubnet: 4, now: () => 0 });
    for (const ip of earlier) expect(limiter.take(ip)).toBe('ok');
    expect(limiter.take(address)).toBe(verdict);
  });

  it('does not charge a refused creation to either limit, and allows again after the window', () => {
    let now = 0;
    const limiter = new SessionCreationLimiter({ perAddress: 1, perSubnet: 2, windowMs: 60_000, now: () => now });
    expect(limiter.take('198.51.100.1')).toBe('ok');
    expect(limiter.take('198.51.100.1')).toBe('sessions-per-address');
    expect(limiter.take('198.51.100.1')).toBe('sessions-per-address');
    // The two refusals above used none of the network's allowance.
    expect(limiter.take('198.51.100.2')).toBe('ok');
    expect(limiter.take('198.51.100.3')).toBe('sessions-per-subnet');
    now = 60_000;
    expect(limiter.take('198.51.100.3')).toBe('ok');
  });
});
