import { describe, expect, it } from 'vitest';
import { SessionRegistry } from './sessions';

function registry(maxSessions: number) {
  let nowMs = 1_000_000;
  const sessions = new SessionRegistry({ ttlMs: 600_000, maxSessions, now: () => nowMs });
  return { sessions, advance: (ms: number) => (nowMs += ms) };
}

describe('SessionRegistry', () => {
  it('refuses new sessions at the cap instead of evicting a live one', () => {
    const { sessions } = registry(3);
    const live = [sessions.create('192.0.2.1'), sessions.create('192.0.2.2'), sessions.create('192.0.2.3')];
    expect(sessions.isFull()).toBe(true);
    expect(sessions.create('203.0.113.9')).toBeNull();
    for (const record of live) expect(sessions.get(record!.id)?.clientAddress).toBe(record!.clientAddress);
    expect(sessions.size).toBe(3);
  });

  it('keeps the first of 10,200 sessions from many addresses live until its expiry', () => {
    const { sessions, advance } = registry(10_000);
    const first = sessions.create('192.0.2.1')!;
    let created = 1;
    for (let i = 0; i < 10_200; i++) {
      if (sessions.create(`198.51.${(i >> 8) & 255}.${i & 255}`)) created++;
      if (i % 1000 === 0) advance(100);
    }
    expect(created).toBe(10_000);
    expect(sessions.get(first.id)).not.toBeNull();
    advance(600_000);
    expect(sessions.get(first.id)).toBeNull();
  });

  it('still sweeps expired sessions, which makes room at the cap', () => {
    const { sessions, advance } = registry(2);
    sessions.create('192.0.2.1');
    advance(300_000);
    const younger = sessions.create('192.0.2.2')!;
    expect(sessions.create('192.0.2.3')).toBeNull();
    advance(300_000);
    expect(sessions.size).toBe(1);
    expect(sessions.isFull()).toBe(false);
    expect(sessions.create('192.0.2.3')).not.toBeNull();
    expect(sessions.get(younger.id)).not.toBeNull();
  });
});
