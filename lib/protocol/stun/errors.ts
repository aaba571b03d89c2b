/**
 * The one error type of the STUN/TURN codecs. A decoder never returns `undefined` on failure: it throws a
 * `DecodeError` that says where in the message it failed (`attribute/XOR-MAPPED-ADDRESS/value`) and why.
 */

/** Why a decode failed. */
export type DecodeErrorCode =
  /** Fewer bytes than the structure needs. */
  | 'truncated'
  /** The fixed header is not a STUN header (leading bits, length alignment). */
  | 'bad-header'
  /** The magic cookie (RFC 8489 §5) is wrong. */
  | 'bad-magic-cookie'
  /** A length field disagrees with the bytes present. */
  | 'bad-length'
  /** A field holds a value the RFC does not allow. */
  | 'bad-value'
  /** Attributes appear in an order the RFC forbids (e.g. something after FINGERPRINT). */
  | 'bad-order'
  /** A text attribute is not valid UTF-8. */
  | 'bad-utf8';

/** A malformed STUN message, attribute or ChannelData frame. */
export class DecodeError extends Error {
  /** Machine-readable reason. */
  readonly code: DecodeErrorCode;
  /** Slash-separated location, e.g. `header/magic-cookie` or `attribute/ERROR-CODE/value`. */
  readonly where: string;

  /** Creates an error located at `where`; `message` says why in plain words. */
  constructor(code: DecodeErrorCode, where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = 'DecodeError';
    this.code = code;
    this.where = where;
  }
}
