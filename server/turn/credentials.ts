/**
 * Session-scoped TURN credentials in the TURN REST scheme that coturn's `use-auth-secret` implements:
 * username `<expiry unix seconds>:<sessionId>[:<tag>]`, credential base64(HMAC-SHA1(secret, username)). The tag
 * (e.g. `mtu1280`, lib/protocol/mtu/ladder.ts) is signed with the rest, so a client cannot choose one itself.
 */
import { computeRestPassword } from '../../lib/protocol/turn/rest-auth';
import { nodeStunCrypto } from './node-crypto';

/** Longest credential lifetime netready hands out, in seconds. */
export const MAX_CREDENTIAL_TTL_S = 600;

/** Why minting failed. */
export type CredentialsErrorCode = 'invalid-session-id' | 'invalid-ttl' | 'invalid-secret' | 'invalid-tag';

/** Invalid input to {@link mintTurnCredentials}. */
export class CredentialsError extends Error {
  /** Machine-readable reason. */
  readonly code: CredentialsErrorCode;

  /** Creates the error. */
  constructor(code: CredentialsErrorCode, message: string) {
    super(message);
    this.name = 'CredentialsError';
    this.code = code;
  }
}

/** Minted TURN credentials. */
export interface TurnCredentials {
  /** `<expiry unix seconds>:<sessionId>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)) — the `credential` of an RTCIceServer. */
  credential: string;
  /** When the username stops being accepted, Unix milliseconds (whole seconds). */
  expiresAt: number;
}

/**
 * Mints credentials for one test session. `ttlS` is capped at 600 s; `sessionId` must be 1–128 printable ASCII
 * characters without `:` (the server splits the username at the colons); `tag`, when given, 1–32 letters and digits.
 * Throws {@link CredentialsError}.
 */
export function mintTurnCredentials(input: { secret: string; sessionId: string; ttlS: number; nowMs: number; tag?: string }): TurnCredentials {
  if (input.secret.length === 0) throw new CredentialsError('invalid-secret', 'the TURN secret is empty');
  if (!/^[\x21-\x39\x3b-\x7e]{1,128}$/.test(input.sessionId)) {
    throw new CredentialsError('invalid-session-id', 'session id must be 1-128 printable ASCII characters without ":"');
  }
  if (!Number.isFinite(input.ttlS) || input.ttlS <= 0) throw new CredentialsError('invalid-ttl', `ttlS must be positive, got ${input.ttlS}`);
  if (input.tag !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(input.tag)) throw new CredentialsError('invalid-tag', 'tag must be 1-32 letters or digits');
  const ttlS = Math.min(Math.ceil(input.ttlS), MAX_CREDENTIAL_TTL_S);
  const expiresAtS = Math.floor(input.nowMs / 1000) + ttlS;
  const username = `${expiresAtS}:${input.sessionId}${input.tag === undefined ? '' : `:${input.tag}`}`;
  return { username, credential: computeRestPassword(nodeStunCrypto, input.secret, username), expiresAt: expiresAtS * 1000 };
}
