/**
 * The support view's sign-in (issue 13): HTTP Basic against the operator's `support.username` and an scrypt hash of the
 * password (`support.passwordHash`, made by `npx netready hash-password`). Without a hash the view is off. A verified
 * header is remembered for a few minutes (by its SHA-256), so a page with several requests costs one scrypt.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt cost (N); r = 8, p = 1: about 50 ms and 16 MiB per check. */
const SCRYPT_N = 16384;
const KEY_BYTES = 32;
/** How long a verified Authorization header is trusted without another scrypt. */
const REMEMBER_MS = 5 * 60_000;
/** The realm browsers show in their sign-in prompt. */
export const SUPPORT_REALM = 'netready support';

/** `scrypt$<N>$<salt, base64>$<key, base64>` of a password, with a fresh random salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, KEY_BYTES, { N: SCRYPT_N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT_N}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches a hash made by hashPassword (constant-time compare). */
export function verifyPassword(password: string, hash: string): boolean {
  const [scheme, cost, saltText, keyText] = hash.split('$');
  if (scheme !== 'scrypt' || !cost || !saltText || !keyText) return false;
  const N = Number(cost);
  if (!Number.isInteger(N) || N < 2 || N > 1 << 20 || (N & (N - 1)) !== 0) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = scryptSync(password, Buffer.from(saltText, 'base64'), expected.length, { N, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The outcome of checking a request: signed in, the view is off, or a sign-in is needed. */
export type SupportAccess = 'allowed' | 'off' | 'sign-in';

/** The support settings of the configuration. */
export interface SupportSettings {
  username: string;
  passwordHash?: string | undefined;
}

/** Remembers verified headers; one per process (created by the caller). */
export class SupportAuthenticator {
  readonly #verified = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Checks a request's `Authorization` header against the settings. */
  check(authorization: string | null, settings: SupportSettings): SupportAccess {
    if (!settings.passwordHash) return 'off';
    const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(authorization ?? '');
    if (!match) return 'sign-in';
    const remembered = createHash('sha256').update(`${settings.username}\n${settings.passwordHash}\n${match[1]}`).digest('hex');
    const now = this.#now();
    const until = this.#verified.get(remembered);
    if (until !== undefined && until > now) return 'allowed';
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'sign-in';
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Both compared every time, so a wrong user name costs as long as a wrong password.
    const userOk = user.length === settings.username.length && timingSafeEqual(Buffer.from(user), Buffer.from(settings.username));
    const passwordOk = verifyPassword(password, settings.passwordHash);
    if (!userOk || !passwordOk) return 'sign-in';
    for (const [key, expiry] of this.#verified) if (expiry <= now) this.#verified.delete(key);
    this.#verified.set(remembered, now + REMEMBER_MS);
    return 'allowed';
  }
}
