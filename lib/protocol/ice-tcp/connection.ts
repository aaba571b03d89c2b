/**
 * One passive ICE-TCP connection (RFC 6544), Sans-IO: TCP bytes in → actions out, datagrams for the browser in →
 * framed bytes out. The socket adapter (server/ice-tcp/) owns the socket, the deadlines and the datagram path to
 * the media peer; this object owns the protocol:
 *
 *   awaiting-first-message ──(a check naming a live answer: `accept`)──▶ open ──▶ closed
 *            └──────────────(anything else: `close`)────────────────────────────▶ closed
 *
 * Once open, every datagram is handed on (`forward`) if RFC 7983 says it is STUN or DTLS — the only protocols
 * of a DataChannel-only WebRTC session on the wire; anything else is dropped and counted, never forwarded.
 * Binding success responses on their way to the browser get XOR-MAPPED-ADDRESS set to the browser's TCP address
 * as this endpoint saw it (re-signed with the answer's password), so the browser learns its real mapped address
 * rather than the loopback address of the adapter's datagram path.
 */
import { attr, XOR_MAPPED_ADDRESS } from '../stun/attributes';
import { ATTR_FINGERPRINT, ATTR_MESSAGE_INTEGRITY, ATTR_XOR_MAPPED_ADDRESS, METHOD_BINDING } from '../stun/constants';
import type { StunCrypto } from '../stun/crypto';
import { DecodeError } from '../stun/errors';
import { shortTermKey } from '../stun/integrity';
import type { Endpoint } from '../stun/ip';
import { decodeMessage, encodeMessage, looksLikeStun, rawAttribute, type StunMessage } from '../stun/message';
import { checkFirstMessage, type FirstMessageRejection, type LiveAnswerCredentials } from './first-message';
import { frameRfc4571, Rfc4571Framer } from './framing';

/**
 * Largest first frame accepted: a Chromium check is ~100 bytes; pion reads the first packet into 512 bytes. A
 * bigger LENGTH before the connection is accepted is refused at once, so an unauthenticated client makes us
 * buffer at most this much.
 */
export const MAX_FIRST_FRAME_BYTES = 1024;
/** Largest frame once open: a DTLS record of a DataChannel message fits well inside a UDP-sized datagram. */
export const MAX_OPEN_FRAME_BYTES = 0xffff;

/** Why the connection ended, as far as the protocol is concerned. */
export type IceTcpCloseReason = FirstMessageRejection | 'bad-framing' | 'first-frame-too-large';

/** What the adapter must do. */
export type IceTcpAction =
  /** The first message passed the gate: bind this connection to the answer with `localUfrag`. Comes before its `forward`. */
  | { type: 'accept'; localUfrag: string; remoteUfrag: string }
  /** Hand this datagram to the media peer. */
  | { type: 'forward'; datagram: Uint8Array }
  /** Close the connection; nothing more will be forwarded. */
  | { type: 'close'; reason: IceTcpCloseReason; detail: string };

/** Options of an {@link IceTcpConnection}. */
export interface IceTcpConnectionOptions {
  /** The browser's address as the TCP socket shows it (what the media peer's responses report back). */
  remote: Endpoint;
  /** Finds a live answer by our ufrag. */
  lookup(ufrag: string): LiveAnswerCredentials | undefined;
  crypto: StunCrypto;
}

/** RFC 7983 §7: first byte 0–3 is STUN, 20–63 is DTLS. */
function isStunOrDtls(datagram: Uint8Array): boolean {
  const first = datagram[0] ?? 0xff;
  return first <= 3 || (first >= 20 && first <= 63);
}

/** Per-connection protocol state. */
export class IceTcpConnection {
  readonly #options: IceTcpConnectionOptions;
  readonly #framer = new Rfc4571Framer({ maxFrameBytes: MAX_OPEN_FRAME_BYTES });
  #state: 'awaiting-first-message' | 'open' | 'closed' = 'awaiting-first-message';
  #answer?: LiveAnswerCredentials;
  /** Datagrams received that RFC 7983 says are neither STUN nor DTLS (dropped). */
  droppedDatagrams = 0;
  /** Datagrams forwarded to the media peer. */
  forwardedDatagrams = 0;

  /** Stores the options; does nothing else. */
  constructor(options: IceTcpConnectionOptions) {
    this.#options = options;
  }

  /** Where the connection is. */
  get state(): 'awaiting-first-message' | 'open' | 'closed' {
    return this.#state;
  }

  /** Our ufrag of the answer this connection belongs to, once accepted. */
  get localUfrag(): string | undefined {
    return this.#answer?.ufrag;
  }

  /** TCP bytes from the browser. Returns what to do, in order; nothing once closed. */
  receive(chunk: Uint8Array): IceTcpAction[] {
    if (this.#state === 'closed') return [];
    let datagrams: Uint8Array[];
    try {
      datagrams = this.#framer.push(chunk);
    } catch (error) {
      // Unreachable with a 65,535-byte bound (a 16-bit LENGTH cannot exceed it); kept so a bound change fails safe.
      if (!(error instanceof DecodeError)) throw error;
      return [this.#close('bad-framing', error.message)];
    }
    const actions: IceTcpAction[] = [];
    for (const datagram of datagrams) {
      if (this.#state === 'awaiting-first-message') {
        if (datagram.length > MAX_FIRST_FRAME_BYTES) {
          actions.push(this.#close('first-frame-too-large', `a first frame of ${datagram.length} bytes (a check is ~100)`));
          return actions;
        }
        const verdict = checkFirstMessage(datagram, this.#options.lookup, this.#options.crypto);
        if (!verdict.accept) {
          actions.push(this.#close(verdict.reason, verdict.detail));
          return actions;
        }
        this.#answer = this.#options.lookup(verdict.localUfrag);
        this.#state = 'open';
        actions.push({ type: 'accept', localUfrag: verdict.localUfrag, remoteUfrag: verdict.remoteUfrag });
      }
      if (isStunOrDtls(datagram)) {
        this.forwardedDatagrams++;
        actions.push({ type: 'forward', datagram });
      } else this.droppedDatagrams++;
    }
    // Before the gate, a LENGTH above the bound closes at once: an unauthenticated client never makes us buffer more.
    const pending = this.#framer.pendingFrameBytes;
    if (this.#state === 'awaiting-first-message' && pending !== null && pending > MAX_FIRST_FRAME_BYTES) {
      actions.push(this.#close('first-frame-too-large', `a first frame of ${pending} bytes announced (a check is ~100)`));
    }
    return actions;
  }

  /**
   * A datagram from the media peer for the browser: the RFC 4571 frame to write, or null when the connection is
   * not open (nothing may reach a client that has not proven it holds a live answer).
   */
  frameForBrowser(datagram: Uint8Array): Uint8Array | null {
    if (this.#state !== 'open' || datagram.length > MAX_OPEN_FRAME_BYTES) return null;
    return frameRfc4571(this.#rewriteMappedAddress(datagram));
  }

  /** Marks the connection closed (the socket went away). */
  close(): void {
    this.#state = 'closed';
  }

  #close(reason: IceTcpCloseReason, detail: string): IceTcpAction {
    this.#state = 'closed';
    return { type: 'close', reason, detail };
  }

  /**
   * RFC 8489 §14.2 in a Binding success response to the browser: set XOR-MAPPED-ADDRESS to the browser's TCP
   * address and sign again with our password (the media peer signed it with the same password, for the loopback
   * address its datagrams came from). Any other datagram, or one that does not decode, passes unchanged.
   */
  #rewriteMappedAddress(datagram: Uint8Array): Uint8Array {
    if (!this.#answer || !looksLikeStun(datagram)) return datagram;
    let message: StunMessage;
    try {
      message = decodeMessage(datagram);
    } catch {
      return datagram;
    }
    if (message.cls !== 'success' || message.method !== METHOD_BINDING) return datagram;
    if (!message.attributes.some((a) => a.type === ATTR_XOR_MAPPED_ADDRESS)) return datagram;
    const kept = message.attributes
      .filter((a) => a.type !== ATTR_XOR_MAPPED_ADDRESS && a.type !== ATTR_MESSAGE_INTEGRITY && a.type !== ATTR_FINGERPRINT)
      .map((a) => rawAttribute(a.type, a.value));
    return encodeMessage(
      { cls: 'success', method: METHOD_BINDING, transactionId: message.transactionId, attributes: [attr(XOR_MAPPED_ADDRESS, this.#options.remote), ...kept] },
      { integrity: { key: shortTermKey(this.#answer.password), crypto: this.#options.crypto }, fingerprint: true },
    );
  }
}
