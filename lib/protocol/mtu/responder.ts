/**
 * Sans-IO core of one MTU ladder rung (server/mtu owns the socket): a datagram and the client's address in, one
 * action out. A STUN Binding request is answered with a success response padded to the rung's exact IP datagram
 * size (padding.ts); anything else is answered as a STUN server must (RFC 8489 §6.3) or ignored with a reason.
 * Stateless: the rung's size and family come with every call.
 */
import { attr, ERROR_CODE, UNKNOWN_ATTRIBUTES, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import * as C from '../stun/constants';
import { verifyFingerprint } from '../stun/integrity';
import type { Endpoint } from '../stun/ip';
import { decodeMessage, encodeMessage, looksLikeStun, type StunMessage } from '../stun/message';
import { encodePaddedMessage, type MtuFamily } from './padding';

/** One rung as the responder needs it. */
export interface RungSpec {
  /** Exact IP datagram size of the success response, bytes. */
  sizeBytes: number;
  family: MtuFamily;
}

/** What the adapter must do with one datagram. */
export type MtuAction =
  /** Send `data` to `to` from the rung's socket; `padded` tells a ladder response from a short error answer. */
  | { type: 'send'; to: Endpoint; data: Uint8Array; padded: boolean }
  /** Send nothing; `reason` says why (debug logs, tests). */
  | { type: 'ignore'; reason: string };

/** Comprehension-required attributes this responder understands in a Binding request (RFC 8489 §14). */
const KNOWN_REQUIRED = new Set([C.ATTR_MAPPED_ADDRESS, C.ATTR_USERNAME, C.ATTR_MESSAGE_INTEGRITY, C.ATTR_ERROR_CODE, C.ATTR_UNKNOWN_ATTRIBUTES, C.ATTR_REALM, C.ATTR_NONCE, C.ATTR_XOR_MAPPED_ADDRESS, C.ATTR_PRIORITY, C.ATTR_USE_CANDIDATE]);

function errorResponse(request: StunMessage, code: number, extra: ReturnType<typeof attr>[] = []): Uint8Array {
  return encodeMessage(
    { cls: 'error', method: request.method, transactionId: request.transactionId, attributes: [attr(ERROR_CODE, { code, reason: C.ERROR_REASONS[code] ?? 'Error' }), ...extra] },
    { fingerprint: true },
  );
}

/**
 * Answers one datagram that arrived on a ladder rung from `client` (its address as the server saw it: the mapped
 * address the success response reports). Never throws.
 */
export function respondToBinding(input: { data: Uint8Array; client: Endpoint; rung: RungSpec }): MtuAction {
  const { data, client, rung } = input;
  if (!looksLikeStun(data)) return { type: 'ignore', reason: 'not a STUN message' };
  let message: StunMessage;
  try {
    message = decodeMessage(data);
  } catch (error) {
    return { type: 'ignore', reason: `malformed STUN message: ${error instanceof Error ? error.message : String(error)}` };
  }
  // RFC 8489 §7.3: a FINGERPRINT that does not match means the datagram is not STUN meant for us.
  if (message.fingerprintOffset !== null && !verifyFingerprint(message)) return { type: 'ignore', reason: 'FINGERPRINT mismatch' };
  // RFC 8489 §6.3.3/§6.3.2: responses we never asked for and indications are never answered.
  if (message.cls !== 'request') return { type: 'ignore', reason: `${message.cls} on a ladder rung` };
  if (message.method !== C.METHOD_BINDING) {
    // RFC 8489 §6.3.1: a request for a method the server does not offer gets 400.
    return { type: 'send', to: client, data: errorResponse(message, C.ERROR_BAD_REQUEST), padded: false };
  }
  // RFC 8489 §6.3.1: "If the request contains one or more unknown comprehension-required attributes, the server
  // replies with an error response with an error code of 420 (Unknown Attribute) and includes an UNKNOWN-ATTRIBUTES
  // attribute in the response that lists the unknown comprehension-required attributes."
  const unknown = [...new Set(message.attributes.map((a) => a.type).filter((t) => C.isComprehensionRequired(t) && !KNOWN_REQUIRED.has(t)))];
  if (unknown.length > 0) {
    return { type: 'send', to: client, data: errorResponse(message, C.ERROR_UNKNOWN_ATTRIBUTE, [attr(UNKNOWN_ATTRIBUTES, unknown)]), padded: false };
  }
  try {
    // RFC 8489 §6.3.1.1: the success response carries XOR-MAPPED-ADDRESS with the request's source address.
    const response = encodePaddedMessage(
      { cls: 'success', method: C.METHOD_BINDING, transactionId: message.transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, client)] },
      { fingerprint: true },
      rung.sizeBytes,
      rung.family,
    );
    return { type: 'send', to: client, data: response, padded: true };
  } catch (error) {
    // A misconfigured rung (checked at start-up, so only a bug gets here): answer nothing rather than a wrong size.
    return { type: 'ignore', reason: `cannot pad to ${rung.sizeBytes} bytes: ${error instanceof Error ? error.message : String(error)}` };
  }
}
