/**
 * A transport-agnostic TURN client message factory for tests: builds requests and indications, remembers the
 * REALM/NONCE a 401/438 handed out, and signs later requests with the long-term key. Used by the core's unit
 * tests and by the socket adapter tests.
 */
import { attr, ERROR_CODE, NONCE, readAttribute, REALM, USERNAME, type AttributeSpec } from '../../stun/attributes';
import type { StunCrypto } from '../../stun/crypto';
import { longTermKey } from '../../stun/integrity';
import { decodeMessage, encodeMessage, type OutgoingAttribute, type StunMessage } from '../../stun/message';

/** A decoded response with its error code (null for success). */
export interface TestResponse {
  /** The decoded message. */
  message: StunMessage;
  /** ERROR-CODE's code, or null. */
  errorCode: number | null;
  /** Reads a typed attribute. */
  get<T>(spec: AttributeSpec<T>): T | undefined;
}

/** Decodes response bytes for assertions. */
export function decodeResponse(bytes: Uint8Array): TestResponse {
  const message = decodeMessage(bytes);
  return {
    message,
    errorCode: readAttribute(message, ERROR_CODE)?.code ?? null,
    get: (spec) => readAttribute(message, spec),
  };
}

/** Builds client messages for one set of credentials. */
export class TurnMessageFactory {
  /** Realm learnt from the last 401/438 (or preset). */
  realm: string | undefined;
  /** Nonce learnt from the last 401/438 (or preset). */
  nonce: string | undefined;
  private counter = 0;
  private readonly crypto: StunCrypto;
  private readonly username: string;
  private readonly password: string;
  private readonly seed: number;

  /** `seed` keeps transaction IDs distinct between factories in one test. */
  constructor(options: { crypto: StunCrypto; username: string; password: string; seed?: number }) {
    this.crypto = options.crypto;
    this.username = options.username;
    this.password = options.password;
    this.seed = options.seed ?? 1;
  }

  /** A fresh 12-byte transaction ID. */
  nextTransactionId(): Uint8Array {
    const id = new Uint8Array(12);
    const view = new DataView(id.buffer);
    view.setUint32(0, this.seed);
    view.setUint32(8, ++this.counter);
    return id;
  }

  /**
   * A request. With `authenticate` (default: when a nonce is known) it carries USERNAME, REALM, NONCE and
   * MESSAGE-INTEGRITY; FINGERPRINT is always appended.
   */
  request(
    method: number,
    attributes: OutgoingAttribute[] = [],
    options: { authenticate?: boolean; transactionId?: Uint8Array; password?: string } = {},
  ): { transactionId: Uint8Array; bytes: Uint8Array } {
    const transactionId = options.transactionId ?? this.nextTransactionId();
    const authenticate = options.authenticate ?? this.nonce !== undefined;
    const all = [...attributes];
    let integrity: { key: Uint8Array; crypto: StunCrypto } | undefined;
    if (authenticate) {
      const realm = this.realm ?? '';
      all.push(attr(USERNAME, this.username), attr(REALM, realm), attr(NONCE, this.nonce ?? ''));
      integrity = { key: longTermKey(this.crypto, this.username, realm, options.password ?? this.password), crypto: this.crypto };
    }
    const bytes = encodeMessage({ cls: 'request', method, transactionId, attributes: all }, { integrity, fingerprint: true });
    return { transactionId, bytes };
  }

  /** An indication (never authenticated, RFC 8656 §5). */
  indication(method: number, attributes: OutgoingAttribute[]): Uint8Array {
    return encodeMessage({ cls: 'indication', method, transactionId: this.nextTransactionId(), attributes }, { fingerprint: true });
  }

  /** Picks up REALM and NONCE from a 401/438 response. Returns true when there was something to learn. */
  learn(response: TestResponse): boolean {
    const realm = response.get(REALM);
    const nonce = response.get(NONCE);
    if (nonce === undefined) return false;
    this.realm = realm ?? this.realm;
    this.nonce = nonce;
    return true;
  }
}
