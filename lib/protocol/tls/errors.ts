/**
 * The one error type of the TLS ClientHello codec. A decoder never returns `undefined` on failure: it throws a
 * `TlsDecodeError` that says where the bytes stopped making sense (`record/length`,
 * `client-hello/extensions/0x002b/value`) and why.
 */

/** Why a decode failed. */
export type TlsDecodeErrorCode =
  /** The bytes are not a TLS record carrying a handshake (e.g. plain HTTP, or a TURN/STUN message). */
  | 'not-tls'
  /** The first handshake message is not a ClientHello. */
  | 'not-client-hello'
  /** A length field points past the bytes of its container. */
  | 'bad-length'
  /** A field holds a value the RFC does not allow (odd-length list, empty list where one is required). */
  | 'bad-value'
  /** The ClientHello is larger than the decoder accepts. */
  | 'too-large';

/** A malformed TLS record or ClientHello. */
export class TlsDecodeError extends Error {
  /** Machine-readable reason. */
  readonly code: TlsDecodeErrorCode;
  /** Slash-separated location, e.g. `record/content-type` or `client-hello/extensions/0x0010/value`. */
  readonly where: string;

  /** Creates an error located at `where`; `message` says why in plain words. */
  constructor(code: TlsDecodeErrorCode, where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = 'TlsDecodeError';
    this.code = code;
    this.where = where;
  }
}
