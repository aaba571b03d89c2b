import { describe, expect, it } from 'vitest';
import { hashPassword, SupportAuthenticator, verifyPassword } from './support-auth';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the support view’s sign-in', () => {
  const hash = hashPassword('correct horse battery staple');

  it('hashes with scrypt and a fresh salt, and verifies only the right password', () => {
    expect(hash).toMatch(/^scrypt\$16384\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(verifyPassword('Correct horse battery staple', hash)).toBe(false);
    expect(verifyPassword('x', 'scrypt$3$AAAA$AAAA')).toBe(false);
    expect(verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('is off without a password hash, asks for a sign-in without or with wrong credentials, and allows the right ones', () => {
    const auth = new SupportAuthenticator();
    const settings = { username: 'support', passwordHash: hash };
    expect(auth.check(basic('support', 'correct horse battery staple'), { username: 'support' })).toBe('off');
    expect(auth.check(null, settings)).toBe('sign-in');
    expect(auth.check('Bearer abc', settings)).toBe('sign-in');
    expect(auth.check(basic('support', 'wrong'), settings)).toBe('sign-in');
    expect(auth.check(basic('admin', 'correct horse battery staple'), settings)).toBe('sign-in');
    expect(auth.check(basic('support', 'correct horse battery staple'), settings)).toBe('allowed');
  });

  it('remembers a verified header for five minutes, and forgets it when the password changes', () => {
    let now = 0;
    const auth = new SupportAuthenticator(() => now);
    const settings = { username: 'support', passwordHash: hash };
    const header = basic('support', 'correct horse battery staple');
    expect(auth.check(header, settings)).toBe('allowed');
    now = 4 * 60_000;
    expect(auth.check(header, settings)).toBe('allowed');
    expect(auth.check(header, { username: 'support', passwordHash: hashPassword('new password') })).toBe('sign-in');
  });
});
