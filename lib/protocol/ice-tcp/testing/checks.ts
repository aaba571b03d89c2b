/** Builders of the ICE connectivity checks a browser sends (RFC 8445 §7.2.2), for the ICE-TCP tests. */
import { attr, ICE_CONTROLLING, PRIORITY, USE_CANDIDATE, USERNAME } from '../../stun/attributes';
import { METHOD_BINDING } from '../../stun/constants';
import type { StunCrypto } from '../../stun/crypto';
import { shortTermKey } from '../../stun/integrity';
import { encodeMessage, type StunClass } from '../../stun/message';

/** What to put in a check; every field defaults to a valid Chromium-like check. */
export interface CheckInit {
  /** USERNAME: `<server ufrag>:<browser ufrag>`; null leaves it out. */
  username?: string | null;
  /** Key of MESSAGE-INTEGRITY (the answer's ice-pwd); null leaves it out. */
  password?: string | null;
  fingerprint?: boolean;
  cls?: StunClass;
  method?: number;
  transactionId?: Uint8Array;
}

/** A Binding request as Chromium sends it to a passive ICE-TCP candidate (controlling, nominating). */
export function buildCheck(crypto: StunCrypto, init: CheckInit): Uint8Array {
  const username = init.username === undefined ? 'srvUfrag:brwsr' : init.username;
  const password = init.password === undefined ? 'server-password-0123456789' : init.password;
  return encodeMessage(
    {
      cls: init.cls ?? 'request',
      method: init.method ?? METHOD_BINDING,
      transactionId: init.transactionId ?? Uint8Array.from({ length: 12 }, (_, i) => i + 1),
      attributes: [
        ...(username === null ? [] : [attr(USERNAME, username)]),
        attr(PRIORITY, 1_845_501_695),
        attr(ICE_CONTROLLING, new Uint8Array(8).fill(7)),
        attr(USE_CANDIDATE, true),
      ],
    },
    {
      ...(password === null ? {} : { integrity: { key: shortTermKey(password), crypto } }),
      fingerprint: init.fingerprint ?? true,
    },
  );
}
