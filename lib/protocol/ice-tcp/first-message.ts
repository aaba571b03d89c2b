/**
 * The gate of the passive ICE-TCP endpoint: the first datagram on a new TCP connection must be an ICE
 * connectivity check (RFC 8445 §7.2.2: a STUN Binding request whose USERNAME is `<our ufrag>:<their ufrag>`,
 * with MESSAGE-INTEGRITY under our password and FINGERPRINT) naming the ufrag of an answer netready's media
 * peer gave out and that is still live. Anything else closes the connection, so the port is never an open relay
 * or something a port scanner can talk to: only a browser holding a live answer gets a datagram through.
 *
 * pion/ice's TCPMux (tcp_mux.go handleConn) reads the first packet the same way but creates a connection for an
 * unknown ufrag and does not check integrity; here an unknown ufrag or a wrong password is refused outright.
 */
import { readAttribute, USERNAME } from '../stun/attributes';
import { METHOD_BINDING } from '../stun/constants';
import type { StunCrypto } from '../stun/crypto';
import { DecodeError } from '../stun/errors';
import { shortTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import { decodeMessage, looksLikeStun, type StunMessage } from '../stun/message';

/** The short-term credentials of one live answer (its `a=ice-ufrag` / `a=ice-pwd`). */
export interface LiveAnswerCredentials {
  /** Our ufrag, as in the answer SDP. */
  ufrag: string;
  /** Our ice-pwd: the MESSAGE-INTEGRITY key of the browser's checks (RFC 8445 §7.2.2, RFC 8489 §9.1.1). */
  password: string;
}

/** Why a first message was refused. */
export type FirstMessageRejection =
  /** Not a STUN message at all (RFC 7983 demultiplexing, or it did not decode). */
  | 'not-stun'
  /** STUN, but not a Binding request (RFC 6544 §3: the first thing on an ICE-TCP connection is a check). */
  | 'not-binding-request'
  /** No USERNAME, or not of the form `<ufrag>:<ufrag>`. */
  | 'no-username'
  /** The ufrag names no live answer (expired, never issued, or guessed). */
  | 'unknown-ufrag'
  /** No MESSAGE-INTEGRITY, or it does not verify under the answer's password. */
  | 'bad-integrity'
  /** No FINGERPRINT, or it does not match (RFC 8445 §7.2.2 requires it on every check). */
  | 'bad-fingerprint';

/** What the gate decided. */
export type FirstMessageVerdict =
  | {
      accept: true;
      /** Our ufrag (first half of USERNAME): which answer this connection belongs to. */
      localUfrag: string;
      /** The browser's ufrag (second half). */
      remoteUfrag: string;
      /** The decoded check. */
      message: StunMessage;
    }
  | { accept: false; reason: FirstMessageRejection; detail: string };

/**
 * Decides on the first datagram of a connection. `lookup` returns the live answer whose ufrag this is, if any.
 * Never throws: malformed bytes are a rejection with the decoder's words in `detail`.
 */
export function checkFirstMessage(
  datagram: Uint8Array,
  lookup: (ufrag: string) => LiveAnswerCredentials | undefined,
  crypto: StunCrypto,
): FirstMessageVerdict {
  const reject = (reason: FirstMessageRejection, detail: string): FirstMessageVerdict => ({ accept: false, reason, detail });
  if (!looksLikeStun(datagram)) return reject('not-stun', `${datagram.length} bytes that are not a STUN message`);
  let message: StunMessage;
  let username: string | undefined;
  try {
    message = decodeMessage(datagram);
    username = readAttribute(message, USERNAME);
  } catch (error) {
    if (error instanceof DecodeError) return reject(error.where.startsWith('attribute/USERNAME') ? 'no-username' : 'not-stun', error.message);
    throw error;
  }
  if (message.cls !== 'request' || message.method !== METHOD_BINDING) {
    return reject('not-binding-request', `STUN ${message.cls} of method 0x${message.method.toString(16)}, not a Binding request`);
  }
  // RFC 8445 §7.2.2: USERNAME = "RFRAG:LFRAG" from the sender's view, i.e. <our ufrag>:<their ufrag>.
  const colon = username?.indexOf(':') ?? -1;
  if (username === undefined || colon <= 0 || colon === username.length - 1) {
    return reject('no-username', username === undefined ? 'no USERNAME attribute' : 'USERNAME is not <ufrag>:<ufrag>');
  }
  const localUfrag = username.slice(0, colon);
  const remoteUfrag = username.slice(colon + 1);
  const answer = lookup(localUfrag);
  if (!answer) return reject('unknown-ufrag', 'the USERNAME names no live answer');
  if (!verifyMessageIntegrity(message, shortTermKey(answer.password), crypto)) {
    return reject('bad-integrity', 'MESSAGE-INTEGRITY is missing or does not verify under the answer\'s password');
  }
  if (!verifyFingerprint(message)) return reject('bad-fingerprint', 'FINGERPRINT is missing or wrong');
  return { accept: true, localUfrag, remoteUfrag, message };
}
