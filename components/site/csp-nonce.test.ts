import { describe, expect, it } from 'vitest';
import { nonceFromCsp } from './csp-nonce';

describe('nonceFromCsp', () => {
  it.each([
    ['the script-src nonce of a page policy', "default-src 'self'; script-src 'self' 'nonce-AbC+/9==' 'strict-dynamic'; style-src 'self' 'nonce-AbC+/9=='", 'AbC+/9=='],
    ['the nonce when the header arrived as several values', ["default-src 'self'", "script-src 'nonce-xyz'"], 'xyz'],
    ['nothing for a policy without a script-src nonce', "default-src 'none'; frame-ancestors 'none'", undefined],
    ['nothing for a style-src nonce alone', "script-src 'self'; style-src 'nonce-abc'", undefined],
    ['nothing without a header', undefined, undefined],
  ])('reads %s', (_name, header, expected) => {
    expect(nonceFromCsp(header)).toBe(expected);
  });
});
