/**
 * The one error type of the DNS codec. A decoder never returns `undefined` on failure: it throws a
 * `DnsDecodeError` that says where in the message it failed (`question/0/name`) and why.
 */

/** Why a decode failed. */
export type DnsDecodeErrorCode =
  /** Fewer bytes than the structure needs. */
  | 'truncated'
  /** A label length octet uses the reserved 0b01/0b10 prefixes (RFC 6891 §5 deprecates extended labels). */
  | 'bad-label'
  /** A name is longer than 255 octets or a compression pointer loops or points forward. */
  | 'bad-name'
  /** A field holds a value the RFC does not allow (e.g. two OPT records, an OPT with a non-root name). */
  | 'bad-value'
  /** Bytes remain after the last record the header announced. */
  | 'trailing-bytes';

/** A malformed DNS message. */
export class DnsDecodeError extends Error {
  /** Machine-readable reason. */
  readonly code: DnsDecodeErrorCode;
  /** Slash-separated location, e.g. `header`, `question/0/name`, `additional/1/OPT/option/8`. */
  readonly where: string;

  /** Creates an error located at `where`; `message` says why in plain words. */
  constructor(code: DnsDecodeErrorCode, where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = 'DnsDecodeError';
    this.code = code;
    this.where = where;
  }
}
