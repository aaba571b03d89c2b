/**
 * Sans-IO core of the NAT filtering checks (RFC 4787 §5; issue 11). A page cannot send a STUN CHANGE-REQUEST, but the
 * server can reach the browser's mapping the way a remote ICE agent would: it sends ICE connectivity checks (RFC 8445
 * §7.2.2, Binding requests with the browser's short-term credentials) to the address and port the primary endpoint
 * saw, from endpoints the browser never sent to — the other port of the same address, and the second address. The
 * browser answers every valid check (RFC 8445 §7.3); an answer arriving at the sending socket proves that the NAT let
 * the unsolicited packet in. The server adapter (server/nat/nat-filtering.ts) owns the sockets and the clock.
 */
import { attr, ICE_CONTROLLED, PRIORITY, USERNAME } from '../stun/attributes';
import { toHex, type StunCrypto } from '../stun/crypto';
import * as C from '../stun/constants';
import { shortTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import type { Endpoint } from '../stun/ip';
import { decodeMessage, encodeMessage, looksLikeStun, type StunMessage } from '../stun/message';

/** Which endpoint a check goes from: RFC 4787 §5 tells filtering apart by port (alt-port) and by address (alt-address). */
export type FilteringRole = 'alt-port' | 'alt-address';

/**
 * When each check is (re)sent, ms after the start: RFC 8489 §6.2.1 retransmits with a doubling RTO; four tries within
 * 700 ms cover a lost packet or two on a path of up to a few hundred ms round trip, and the run ends at FILTERING_WAIT_MS.
 */
export const FILTERING_SEND_SCHEDULE_MS: readonly number[] = [0, 100, 300, 700];
/** How long the run waits for answers, ms, from its start (checks answered earlier end it earlier). */
export const FILTERING_WAIT_MS = 1500;
/**
 * PRIORITY of the checks (RFC 8445 §5.1.2.1 with type preference 110, peer-reflexive, local preference 65535,
 * component 1): the value a peer-reflexive candidate of ours would have. The browser only records it.
 */
export const CHECK_PRIORITY = (110 << 24) + (65535 << 8) + (256 - 1);

/** The ICE credentials a check needs. */
export interface IceCheckCredentials {
  /** The browser's ufrag and password (its offer's a=ice-ufrag / a=ice-pwd). */
  browserUfrag: string;
  browserPwd: string;
  /** The ufrag the page gave the server in its ice-lite answer. */
  serverUfrag: string;
}

/**
 * Encodes one connectivity check towards the browser (RFC 8445 §7.2.2): USERNAME "<browser ufrag>:<server ufrag>",
 * PRIORITY, ICE-CONTROLLED (the ice-lite side is controlled, RFC 8445 §6.1.1), MESSAGE-INTEGRITY with the browser's
 * password (short-term credentials, RFC 8489 §9.1) and FINGERPRINT (required by RFC 8445 §7.2.2).
 */
export function encodeIceCheck(input: { transactionId: Uint8Array; tieBreaker: Uint8Array; credentials: IceCheckCredentials; crypto: StunCrypto }): Uint8Array {
  const { credentials } = input;
  return encodeMessage(
    {
      cls: 'request',
      method: C.METHOD_BINDING,
      transactionId: input.transactionId,
      attributes: [
        attr(USERNAME, `${credentials.browserUfrag}:${credentials.serverUfrag}`),
        attr(PRIORITY, CHECK_PRIORITY),
        attr(ICE_CONTROLLED, input.tieBreaker),
      ],
    },
    { integrity: { key: shortTermKey(credentials.browserPwd), crypto: input.crypto }, fingerprint: true },
  );
}

/** What the adapter must do. */
export type FilteringAction = { type: 'send'; from: Endpoint; to: Endpoint; data: Uint8Array };

/** How one check ended. */
export interface FilteringCheckResult {
  role: FilteringRole;
  /** `ip:port` it was sent from. */
  from: string;
  /** Requests sent (retransmissions included). */
  sent: number;
  answered: boolean;
  /** ms from the first request to the answer. */
  rttMs?: number;
}

/** Why a datagram was not taken as an answer (tests, debug logs); `taken` when it was. */
export type OfferVerdict = { taken: true; role: FilteringRole } | { taken: false; reason: string };

interface CheckState {
  role: FilteringRole;
  from: Endpoint;
  transactionId: Uint8Array;
  request: Uint8Array;
  sent: number;
  answeredAtMs?: number;
}

const formatEndpoint = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

/**
 * One filtering run towards one browser mapping: `start()` and `tick()` say what to send when, `offer()` takes the
 * answers, `result()` says what came back. No sockets, no timers: the adapter calls tick() at the times nextTickAtMs()
 * names.
 */
export class FilteringRun {
  private readonly checks: CheckState[];
  private readonly key: Uint8Array;
  private startedAtMs = 0;
  private nextSend = 0;

  /** `randomBytes(n)` makes the transaction IDs and the tie-breaker (RFC 8489 §5: cryptographically random). */
  constructor(
    private readonly options: {
      target: Endpoint;
      from: Array<{ role: FilteringRole; endpoint: Endpoint }>;
      credentials: IceCheckCredentials;
      crypto: StunCrypto;
      randomBytes: (n: number) => Uint8Array;
    },
  ) {
    this.key = shortTermKey(options.credentials.browserPwd);
    const tieBreaker = options.randomBytes(8);
    this.checks = options.from.map(({ role, endpoint }) => {
      const transactionId = options.randomBytes(C.TRANSACTION_ID_BYTES);
      return { role, from: endpoint, transactionId, request: encodeIceCheck({ transactionId, tieBreaker, credentials: options.credentials, crypto: options.crypto }), sent: 0 };
    });
  }

  /** The first requests. */
  start(nowMs: number): FilteringAction[] {
    this.startedAtMs = nowMs;
    this.nextSend = 0;
    return this.tick(nowMs);
  }

  /** The (re)transmissions due by `nowMs` for checks not yet answered. */
  tick(nowMs: number): FilteringAction[] {
    const actions: FilteringAction[] = [];
    while (this.nextSend < FILTERING_SEND_SCHEDULE_MS.length && nowMs - this.startedAtMs >= FILTERING_SEND_SCHEDULE_MS[this.nextSend]!) {
      this.nextSend++;
      for (const check of this.checks) {
        if (check.answeredAtMs !== undefined) continue;
        check.sent++;
        actions.push({ type: 'send', from: check.from, to: this.options.target, data: check.request });
      }
    }
    return actions;
  }

  /** When tick() next has something to do (ms on the caller's clock), or null when nothing is left to send. */
  nextTickAtMs(): number | null {
    const offset = FILTERING_SEND_SCHEDULE_MS[this.nextSend];
    return offset === undefined || this.done() ? null : this.startedAtMs + offset;
  }

  /**
   * A datagram that arrived at `at` from `from`: taken when it is the success response to one of this run's checks —
   * same transaction ID, arriving at the socket the check left from, from the browser's mapping — with a valid
   * MESSAGE-INTEGRITY under the browser's password (RFC 8445 §7.2.5.2: the response is authenticated like the request).
   */
  offer(data: Uint8Array, from: Endpoint, at: Endpoint, nowMs: number): OfferVerdict {
    if (!looksLikeStun(data)) return { taken: false, reason: 'not a STUN message' };
    let message: StunMessage;
    try {
      message = decodeMessage(data);
    } catch (error) {
      return { taken: false, reason: `malformed STUN message: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (message.cls !== 'success' || message.method !== C.METHOD_BINDING) return { taken: false, reason: `not a Binding success response (${message.cls})` };
    const id = toHex(message.transactionId);
    const check = this.checks.find((c) => toHex(c.transactionId) === id);
    if (!check) return { taken: false, reason: 'unknown transaction' };
    if (check.from.ip !== at.ip || check.from.port !== at.port) return { taken: false, reason: `answer arrived at ${formatEndpoint(at)}, not at ${formatEndpoint(check.from)}` };
    // RFC 8445 §7.2.5.2.1: the response must come from where the request went (else no pair is formed).
    if (from.ip !== this.options.target.ip || from.port !== this.options.target.port) return { taken: false, reason: `answer came from ${formatEndpoint(from)}, not from the mapping ${formatEndpoint(this.options.target)}` };
    if (message.fingerprintOffset !== null && !verifyFingerprint(message)) return { taken: false, reason: 'FINGERPRINT mismatch' };
    if (!verifyMessageIntegrity(message, this.key, this.options.crypto)) return { taken: false, reason: 'MESSAGE-INTEGRITY missing or wrong' };
    if (check.answeredAtMs === undefined) check.answeredAtMs = nowMs;
    return { taken: true, role: check.role };
  }

  /** True when a datagram carries the transaction ID of one of this run's checks (the adapter's routing). */
  owns(data: Uint8Array): boolean {
    if (data.length < C.STUN_HEADER_BYTES) return false;
    const id = toHex(data.subarray(8, 8 + C.TRANSACTION_ID_BYTES));
    return this.checks.some((c) => toHex(c.transactionId) === id);
  }

  /** Every check answered. */
  done(): boolean {
    return this.checks.every((c) => c.answeredAtMs !== undefined);
  }

  /** How each check ended so far. */
  result(): FilteringCheckResult[] {
    return this.checks.map((c) => ({
      role: c.role,
      from: formatEndpoint(c.from),
      sent: c.sent,
      answered: c.answeredAtMs !== undefined,
      ...(c.answeredAtMs !== undefined ? { rttMs: c.answeredAtMs - this.startedAtMs } : {}),
    }));
  }
}
