/**
 * TURN REST credentials (draft-uberti-behave-turn-rest-00, coturn `use-auth-secret`) and stateless nonces.
 * username = `<expiry unix seconds>:<session id>[:<tag>]`, password = base64(HMAC-SHA1(secret, username)). The tag
 * asks for something about this one allocation (e.g. `mtu1280`: pad the Allocate response, lib/protocol/mtu); it is
 * part of what the HMAC signs, so only the credential minter can set it.
 * Nonces carry their own expiry and an HMAC stamp, so the server keeps no nonce table (RFC 8489 §9.2.4 leaves
 * nonce construction to the server).
 */
import { constantTimeEqual, encodeBase64, toHex, type StunCrypto } from '../stun/crypto';
import { DecodeError } from '../stun/errors';

const utf8 = new TextEncoder();

/** A parsed REST username. */
export interface RestUsername {
  /** The username as sent. */
  username: string;
  /** Expiry, Unix seconds. */
  expiresAtS: number;
  /** The part between the first and the second `:` (netready's test session id), or null when there is none. */
  sessionId: string | null;
  /** The part after the second `:` (netready never mints session ids with a colon), or null when there is none. */
  tag: string | null;
}

/** Parses `<expiry>[:<sessionId>[:<tag>]]`; throws DecodeError (`USERNAME/...`) when it is not a REST username. */
export function parseRestUsername(username: string): RestUsername {
  const colon = username.indexOf(':');
  const stamp = colon < 0 ? username : username.slice(0, colon);
  if (!/^\d{1,12}$/.test(stamp)) {
    throw new DecodeError('bad-value', 'USERNAME/expiry', 'a TURN REST username starts with a Unix timestamp');
  }
  if (colon < 0) return { username, expiresAtS: Number(stamp), sessionId: null, tag: null };
  const rest = username.slice(colon + 1);
  const second = rest.indexOf(':');
  return { username, expiresAtS: Number(stamp), sessionId: second < 0 ? rest : rest.slice(0, second), tag: second < 0 ? null : rest.slice(second + 1) };
}

/** The REST password for `username`: base64(HMAC-SHA1(secret, username)). */
export function computeRestPassword(crypto: StunCrypto, secret: string, username: string): string {
  return encodeBase64(crypto.hmacSha1(utf8.encode(secret), utf8.encode(username)));
}

/** Result of checking a nonce. */
export type NonceCheck = 'valid' | 'expired' | 'invalid';

/**
 * Issues and checks nonces of the form `<expiry ms base36>.<hex HMAC(key, expiry|client ip)>`. Bound to the
 * client IP so a nonce seen on one path is useless from another.
 */
export class NonceIssuer {
  private readonly crypto: StunCrypto;
  private readonly key: Uint8Array;
  private readonly ttlMs: number;

  /** `key` should be random per server process; `ttlS` is the nonce lifetime in seconds. */
  constructor(options: { crypto: StunCrypto; key: Uint8Array; ttlS: number }) {
    this.crypto = options.crypto;
    this.key = options.key;
    this.ttlMs = options.ttlS * 1000;
  }

  private stamp(expiry: string, clientIp: string): string {
    return toHex(this.crypto.hmacSha1(this.key, utf8.encode(`${expiry}|${clientIp}`)).subarray(0, 12));
  }

  /** A fresh nonce valid for the configured lifetime. */
  issue(nowMs: number, clientIp: string): string {
    const expiry = Math.floor(nowMs + this.ttlMs).toString(36);
    return `${expiry}.${this.stamp(expiry, clientIp)}`;
  }

  /** Whether `nonce` was issued by this issuer for `clientIp` and has not expired. */
  check(nonce: string, nowMs: number, clientIp: string): NonceCheck {
    const dot = nonce.indexOf('.');
    if (dot < 1) return 'invalid';
    const expiry = nonce.slice(0, dot);
    if (!/^[0-9a-z]{1,12}$/.test(expiry)) return 'invalid';
    if (!constantTimeEqual(utf8.encode(nonce.slice(dot + 1)), utf8.encode(this.stamp(expiry, clientIp)))) return 'invalid';
    return parseInt(expiry, 36) > nowMs ? 'valid' : 'expired';
  }
}
