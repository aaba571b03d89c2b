/**
 * netready's Sans-IO STUN/TURN server core (RFC 8489, RFC 8656), modelled on pion/turn's `HandleRequest`.
 *
 * Every input — a client datagram or stream frame, a datagram arriving at a relay address, a closed connection,
 * a clock tick — goes in with its 5-tuple and the current time in milliseconds, and a list of {@link TurnAction}s
 * comes out for the adapter (server/turn) to carry out. The core owns no sockets and no timers, holds all state
 * in the instance, and never throws: malformed input becomes an `ignore` action or an error response.
 *
 * Allocation is two-phase because binding a relay socket is I/O: the core answers an acceptable Allocate with an
 * `allocate` action, the adapter binds a UDP socket and calls {@link TurnServerCore.commitAllocation}, which
 * yields the success response (or 508 when the adapter found no port).
 */
import {
  attr,
  ERROR_CODE,
  NONCE,
  readAllAttributes,
  readAttribute,
  REALM,
  SOFTWARE,
  STUN_ATTRIBUTE_TABLE,
  UNKNOWN_ATTRIBUTES,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '../stun/attributes';
import { copyBytes } from '../stun/bytes';
import { BindingResponder, isPlainBindingRequest } from '../stun/fast-binding';
import * as C from '../stun/constants';
import { toHex, type StunCrypto } from '../stun/crypto';
import { DecodeError } from '../stun/errors';
import { longTermKey, verifyFingerprint, verifyMessageIntegrity } from '../stun/integrity';
import { LongTermKeyCache } from './key-cache';
import { formatEndpoint, type Endpoint } from '../stun/ip';
import { decodeMessage, encodeMessage, type OutgoingAttribute, type StunClass, type StunMessage } from '../stun/message';
import {
  ADDITIONAL_ADDRESS_FAMILY,
  ADDRESS_ERROR_CODE,
  CHANNEL_NUMBER,
  DATA,
  EVEN_PORT,
  LIFETIME,
  REQUESTED_ADDRESS_FAMILY,
  REQUESTED_TRANSPORT,
  RESERVATION_TOKEN,
  TURN_ATTRIBUTE_TABLE,
  XOR_PEER_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from './attributes';
import { decodeChannelData, encodeChannelData, isValidChannelNumber, looksLikeChannelData } from './channel-data';
import { encodePaddedMessage, ipUdpOverheadBytes, type MtuFamily } from '../mtu/padding';
import * as T from './constants';
import { PeerPolicy, type AllowedPeerRange, type PeerRefusalReason } from './peer-policy';
import { computeRestPassword, NonceIssuer, parseRestUsername } from './rest-auth';

/** Transport between client and server. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** RFC 8656 §2: the 5-tuple (transport, client IP:port, server IP:port) naming a client's path to us. */
export interface FiveTuple {
  /** Client–server transport. */
  transport: TurnTransport;
  /** The client's (server-reflexive) address as we see it. */
  client: Endpoint;
  /** Our listening address the message arrived on. */
  server: Endpoint;
}

/** Per-allocation relay counters. */
export interface RelayCounters {
  /** Datagrams relayed client → peer. */
  packetsToPeer: number;
  /** Payload bytes relayed client → peer. */
  bytesToPeer: number;
  /** Datagrams relayed peer → client. */
  packetsFromPeer: number;
  /** Payload bytes relayed peer → client. */
  bytesFromPeer: number;
  /** Datagrams dropped at the relay (no permission, refused peer) or from the client (refused peer). */
  packetsDropped: number;
}

/**
 * How many STUN/TURN messages of one kind the core handled: requests by how they were answered, indications as
 * received. Method names come from a fixed table (`unknown` for any other number), so a fuzzer cannot grow the set.
 */
export interface MessageCount {
  /** Client–server transport. */
  transport: TurnTransport;
  /** RFC 8489 §5 message class of what the client sent. */
  cls: 'request' | 'indication';
  /** Method name (`Binding`, `Allocate`, `Refresh`, `CreatePermission`, `ChannelBind`, `Send` …) or `unknown`. */
  method: string;
  /** `success`, the error response code (`401`, `438`, `486` …), or `none` for indications (never answered). */
  response: string;
  /** Messages so far. */
  count: number;
}

/**
 * Traffic counters of the whole core since it was created, for metrics: read by the adapter when it is asked
 * (a Prometheus scrape), so counting costs one map update per message and nothing per metric library call.
 */
export interface TurnTrafficSnapshot {
  /** Requests by answer and indications received, by transport, class and method. */
  messages: MessageCount[];
  /** Relayed datagrams and payload bytes of every allocation, ended or live, by client–server transport. */
  relayed: Record<TurnTransport, RelayCounters>;
}

/** Why an allocation ended. `expired` is RFC 8656 §6 time-to-expiry reaching zero. */
export type AllocationEndReason = 'expired' | 'deleted' | 'connection-closed' | 'server-closed';

/** Why authentication failed (missing credentials and stale nonces are normal and not reported). */
export type AuthFailureReason = 'malformed-username' | 'expired-username' | 'wrong-realm' | 'bad-integrity' | 'wrong-username';

/** What the TURN server saw, for correlating with a test session. */
export type TurnEvent =
  | { type: 'binding'; transport: TurnTransport; client: Endpoint; server: Endpoint }
  | {
      type: 'allocation-created';
      allocationId: number;
      sessionId: string | null;
      username: string;
      transport: TurnTransport;
      client: Endpoint;
      server: Endpoint;
      relay: Endpoint;
      lifetimeS: number;
      /** The success response was padded to this IP datagram size (an MTU ladder rung, `allocateResponseSize`). */
      paddedToBytes?: number;
    }
  | { type: 'allocation-refreshed'; allocationId: number; sessionId: string | null; lifetimeS: number }
  | {
      type: 'allocation-ended';
      allocationId: number;
      sessionId: string | null;
      transport: TurnTransport;
      client: Endpoint;
      relay: Endpoint;
      reason: AllocationEndReason;
      counters: RelayCounters;
    }
  | {
      type: 'allocation-refused';
      sessionId: string | null;
      transport: TurnTransport;
      client: Endpoint;
      code: number;
      reason: string;
    }
  | { type: 'permission-created'; allocationId: number; sessionId: string | null; peerIp: string }
  | {
      type: 'permission-refused';
      allocationId: number;
      sessionId: string | null;
      /** Which message asked for the peer. */
      via: 'CreatePermission' | 'ChannelBind' | 'Send';
      peer: { ip: string; port?: number };
      reason: PeerRefusalReason | 'address-family-mismatch' | 'no-permission';
    }
  | { type: 'channel-bound'; allocationId: number; sessionId: string | null; channel: number; peer: Endpoint }
  | {
      type: 'auth-failed';
      transport: TurnTransport;
      client: Endpoint;
      username: string | null;
      sessionId: string | null;
      reason: AuthFailureReason;
    };

/** What the adapter must do. */
export type TurnAction =
  /** Send bytes to the client on its 5-tuple (UDP datagram from `tuple.server`, or write to the connection). */
  | { type: 'send'; tuple: FiveTuple; data: Uint8Array }
  /** Send a UDP datagram from relay address `relay` to `peer`. */
  | { type: 'send-relay'; relay: Endpoint; peer: Endpoint; data: Uint8Array }
  /** Bind a UDP relay socket, then call `commitAllocation(allocationId, relay | null, nowMs)`. */
  | { type: 'allocate'; allocationId: number; tuple: FiveTuple; evenPort: boolean }
  /** Close the relay socket of an allocation that ended. */
  | { type: 'release'; allocationId: number; relay: Endpoint }
  /** Nothing to do; `reason` says why (for debug logs and tests). */
  | { type: 'ignore'; reason: string };

/**
 * What the adapter must do for a datagram the UDP hot path handled ({@link TurnServerCore.handleUdpFast}). The
 * core owns these two objects and rewrites them on the next call: act on one before handing the core another
 * datagram, and do not keep it.
 */
export type FastUdpAction =
  /** Send `data` back to the datagram's source, from the socket it arrived on. */
  | { type: 'reply'; data: Uint8Array }
  /** Send `data` (a view into the client's datagram) from relay address `relay` to `peer`. */
  | { type: 'send-relay'; relay: Endpoint; peer: Endpoint; data: Uint8Array };

/**
 * What the adapter must do for a peer datagram the relay hot path handled ({@link TurnServerCore.handlePeerFast}):
 * send ChannelData — the 4-byte header (`channel`, then `data.length`; see writeChannelDataHeader in
 * channel-data.ts) followed by `data`, the peer's datagram itself — to `client` from the UDP listener at `server`.
 * Over UDP no padding follows (RFC 8656 §12.5). The core owns this object and rewrites it on the next call: act on
 * it before handing the core another datagram, and do not keep it.
 */
export interface FastPeerAction {
  /** Always 'send-channel-data'. */
  type: 'send-channel-data';
  /** The channel bound to the peer (0x4000–0x7FFF). */
  channel: number;
  /** The client's transport address (the allocation's 5-tuple). */
  client: Endpoint;
  /** The listener the client's allocation belongs to (the datagram leaves from it). */
  server: Endpoint;
  /** The application data: the peer's datagram, not copied. */
  data: Uint8Array;
}

/** Options of {@link TurnServerCore}. */
export interface TurnCoreOptions {
  /** Long-term credential realm (RFC 8489 §9.2). */
  realm: string;
  /** TURN REST shared secret (coturn `static-auth-secret`). */
  secret: string;
  /** HMAC-SHA1 and MD5. */
  crypto: StunCrypto;
  /** Key stamping nonces; random per process (the adapter draws it). */
  nonceKey: Uint8Array;
  /** IPs relays are allocated on (the adapter's relay IP). */
  relayIps: readonly string[];
  /** SOFTWARE attribute value in responses. Default: none. */
  software?: string;
  /** Allocations (including ones being set up) one client IP may hold; 486 past it. Default 64. */
  maxAllocationsPerClient?: number;
  /** Maximum allocation lifetime in seconds; LIFETIME requests are clamped to it. Default 600. */
  maxLifetimeS?: number;
  /** Media peers besides our own relays that allocations may reach. Default none. */
  allowedPeers?: readonly AllowedPeerRange[];
  /** Nonce lifetime in seconds (RFC 8656 §5: expire at least once an hour). Default 600. */
  nonceTtlS?: number;
  /** Receives every {@link TurnEvent}; exceptions it throws are swallowed so they cannot break the server. */
  onEvent?: (event: TurnEvent) => void;
  /**
   * The MTU ladder through the relay (lib/protocol/mtu): for the tag of an authenticated REST username
   * (`<expiry>:<session>:<tag>`), the exact IP datagram size to pad the Allocate success response to, or null to
   * send it as usual. Only over UDP — a stream has no datagram size — and only the success response: everything
   * else RFC 8656 prescribes is unchanged (the padding is a comprehension-optional attribute before
   * MESSAGE-INTEGRITY). Default: never pad.
   */
  allocateResponseSize?: (tag: string) => number | null;
}

/** A live allocation, as reported by {@link TurnServerCore.allocations}. */
export interface AllocationSnapshot {
  /** Server-unique id. */
  allocationId: number;
  /** Session id from the REST username. */
  sessionId: string | null;
  /** REST username. */
  username: string;
  /** The client's 5-tuple. */
  tuple: FiveTuple;
  /** Relayed transport address. */
  relay: Endpoint;
  /** When it expires (clock ms). */
  expiresAtMs: number;
  /** Peer IPs with a live permission. */
  permissions: string[];
  /** Bound channels. */
  channels: { channel: number; peer: Endpoint }[];
  /** Relay counters. */
  counters: RelayCounters;
}

interface Channel {
  peer: Endpoint;
  peerKey: string;
  expiresAtMs: number;
}

interface Allocation {
  id: number;
  tuple: FiveTuple;
  tupleKey: string;
  relay: Endpoint;
  relayKey: string;
  username: string;
  sessionId: string | null;
  key: Uint8Array;
  expiresAtMs: number;
  allocateTransactionId: string;
  allocateResponse: Uint8Array;
  permissions: Map<string, number>;
  channelsByNumber: Map<number, Channel>;
  channelsByPeer: Map<string, number>;
  counters: RelayCounters;
}

interface PendingAllocation {
  id: number;
  tuple: FiveTuple;
  tupleKey: string;
  transactionId: Uint8Array;
  username: string;
  sessionId: string | null;
  key: Uint8Array;
  lifetimeS: number;
  /** ADDITIONAL-ADDRESS-FAMILY asked for IPv6 too: report 440 for it in ADDRESS-ERROR-CODE (RFC 8656 §7.2 step 9). */
  ipv6Refused: boolean;
  /** Pad the success response to this IP datagram size (MTU ladder), or null. */
  paddedToBytes: number | null;
}

interface AuthOk {
  ok: true;
  key: Uint8Array;
  username: string;
  sessionId: string | null;
  /** The REST username's tag (after the second colon), or null. */
  tag: string | null;
}

/** RFC 8656 §7.2: the server never accepts DONT-FRAGMENT — Node cannot set DF on relayed datagrams. */
const UNSUPPORTED_DONT_FRAGMENT = T.ATTR_DONT_FRAGMENT;

const KNOWN_ATTRIBUTE_TYPES: ReadonlySet<number> = new Set(
  [...STUN_ATTRIBUTE_TABLE, ...TURN_ATTRIBUTE_TABLE].map((a) => a.type).filter((t) => t !== UNSUPPORTED_DONT_FRAGMENT),
);

/** STUN/TURN method names by number (RFC 8489 §18.2, RFC 8656 §17): the traffic counters' and the capture's. */
export const TURN_METHOD_NAMES: Readonly<Record<number, string>> = {
  [C.METHOD_BINDING]: 'Binding',
  [T.METHOD_ALLOCATE]: 'Allocate',
  [T.METHOD_REFRESH]: 'Refresh',
  [T.METHOD_SEND]: 'Send',
  [T.METHOD_DATA]: 'Data',
  [T.METHOD_CREATE_PERMISSION]: 'CreatePermission',
  [T.METHOD_CHANNEL_BIND]: 'ChannelBind',
};

function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.ip}|${endpoint.port}`;
}

function tupleKeyOf(tuple: FiveTuple): string {
  return `${tuple.transport}|${endpointKey(tuple.client)}|${endpointKey(tuple.server)}`;
}

const TRANSPORT_ORDER: readonly TurnTransport[] = ['udp', 'tcp', 'tls'];
/** Stands for every method number without a name (so arbitrary numbers share one counter). */
const UNKNOWN_METHOD = 0x1000;

/** Packs a message kind into one number: transport, class, named method (else UNKNOWN_METHOD), response (0 success, 1 none, else the code). */
function messageKey(transport: TurnTransport, cls: 'request' | 'indication', method: number, response: 'success' | 'none' | number): number {
  const m = TURN_METHOD_NAMES[method] === undefined ? UNKNOWN_METHOD : method;
  const r = response === 'success' ? 0 : response === 'none' ? 1 : response;
  return ((TRANSPORT_ORDER.indexOf(transport) * 2 + (cls === 'request' ? 0 : 1)) * (UNKNOWN_METHOD + 1) + m) * 1024 + r;
}

/** The labels of a messageKey. */
function unpackMessageKey(key: number): Omit<MessageCount, 'count'> {
  const r = key % 1024;
  const rest = Math.floor(key / 1024);
  const m = rest % (UNKNOWN_METHOD + 1);
  const tc = Math.floor(rest / (UNKNOWN_METHOD + 1));
  return {
    transport: TRANSPORT_ORDER[Math.floor(tc / 2)]!,
    cls: tc % 2 === 0 ? 'request' : 'indication',
    method: m === UNKNOWN_METHOD ? 'unknown' : (TURN_METHOD_NAMES[m] ?? 'unknown'),
    response: r === 0 ? 'success' : r === 1 ? 'none' : String(r),
  };
}

function zeroCounters(): RelayCounters {
  return { packetsToPeer: 0, bytesToPeer: 0, packetsFromPeer: 0, bytesFromPeer: 0, packetsDropped: 0 };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One STUN/TURN server's protocol state. Create one per server; instances share nothing. */
export class TurnServerCore {
  private readonly options: Required<Omit<TurnCoreOptions, 'software' | 'onEvent' | 'allocateResponseSize'>> & Pick<TurnCoreOptions, 'software' | 'onEvent' | 'allocateResponseSize'>;
  private readonly nonces: NonceIssuer;
  /** Long-term keys of usernames that authenticated, until their expiry. */
  private readonly keys = new LongTermKeyCache();
  private readonly policy: PeerPolicy;
  private readonly defaultLifetimeS: number;
  private readonly byTuple = new Map<string, Allocation>();
  private readonly byRelay = new Map<string, Allocation>();
  private readonly pending = new Map<number, PendingAllocation>();
  private readonly pendingByTuple = new Map<string, number>();
  private readonly perClientIp = new Map<string, number>();
  private nextAllocationId = 1;
  /** Packed (transport, class, method, response) → messages (see {@link TurnServerCore.traffic}, messageKey). */
  private readonly messageCounts = new Map<number, number>();
  /** Relay counters summed over all allocations, by client–server transport. */
  private readonly relayTotals: Record<TurnTransport, RelayCounters> = { udp: zeroCounters(), tcp: zeroCounters(), tls: zeroCounters() };
  /** Writes hot-path Binding responses (see handleUdpFast). */
  private readonly bindingResponder: BindingResponder;
  /** Binding success responses over UDP written by the hot path; folded into traffic() instead of a Map update. */
  private fastBindingCount = 0;
  /** UDP allocations by client port: the ChannelData hot path finds its allocation without building a key string. */
  private readonly udpByClientPort = new Map<number, Allocation[]>();
  /** UDP allocations by relay port: the peer→client hot path finds its allocation without building a key string. */
  private readonly udpByRelayPort = new Map<number, Allocation[]>();
  /** The peer→client hot path's preallocated action, rewritten per call (see FastPeerAction). */
  private readonly channelDataAction: FastPeerAction = { type: 'send-channel-data', channel: 0, client: { ip: '', port: 0 }, server: { ip: '', port: 0 }, data: new Uint8Array(0) };
  /** The hot path's two preallocated actions, rewritten per call (see FastUdpAction). */
  private readonly replyAction: { type: 'reply'; data: Uint8Array } = { type: 'reply', data: new Uint8Array(0) };
  private readonly relayAction: { type: 'send-relay'; relay: Endpoint; peer: Endpoint; data: Uint8Array } = {
    type: 'send-relay',
    relay: { ip: '', port: 0 },
    peer: { ip: '', port: 0 },
    data: new Uint8Array(0),
  };

  /** Creates the core; does no I/O. */
  constructor(options: TurnCoreOptions) {
    // `??` rather than spread: callers pass `undefined` for "use the default".
    this.options = {
      ...options,
      maxAllocationsPerClient: options.maxAllocationsPerClient ?? 64,
      maxLifetimeS: options.maxLifetimeS ?? T.DEFAULT_ALLOCATION_LIFETIME_S,
      allowedPeers: options.allowedPeers ?? [],
      nonceTtlS: options.nonceTtlS ?? 600,
    };
    this.nonces = new NonceIssuer({ crypto: options.crypto, key: options.nonceKey, ttlS: this.options.nonceTtlS });
    this.policy = new PeerPolicy({
      relayIps: options.relayIps,
      allowedPeers: this.options.allowedPeers,
      isActiveRelay: (endpoint) => this.byRelay.has(endpointKey(endpoint)),
    });
    this.bindingResponder = new BindingResponder(options.software);
    // RFC 8656 §6: default lifetime 600 s — but never above the configured maximum.
    this.defaultLifetimeS = Math.min(T.DEFAULT_ALLOCATION_LIFETIME_S, this.options.maxLifetimeS);
  }

  // ───────────────────────────── inputs ─────────────────────────────

  /**
   * The UDP hot path (issue 16), tried before {@link handleClientMessage} for every datagram on a UDP listener:
   * a Binding request without attributes from an IPv4 client, and ChannelData on a bound channel with a live
   * permission, are answered here without decoding into objects, building key strings or allocating actions.
   * Returns a preallocated action (valid until the next call), or null when the datagram needs the general path —
   * which then gives exactly the answer it always gave, including every refusal and its counters.
   * `clientIp` is the datagram's source in canonical form (as `canonicalIp` in lib/protocol/stun/ip.ts gives it).
   */
  handleUdpFast(data: Uint8Array, clientIp: string, clientPort: number, server: Endpoint, nowMs: number, stunOnly: boolean): FastUdpAction | null {
    const first = data[0];
    if (first === 0x00) {
      if (!isPlainBindingRequest(data)) return null;
      const out = new Uint8Array(this.bindingResponder.responseBytes);
      if (!this.bindingResponder.writeResponse(data, clientIp, clientPort, out, 0)) return null;
      this.fastBindingCount++;
      // The NAT checks correlate Bindings by source (server/nat); the event is built only when someone listens.
      if (this.options.onEvent) this.emit({ type: 'binding', transport: 'udp', client: { ip: clientIp, port: clientPort }, server });
      this.replyAction.data = out;
      return this.replyAction;
    }
    // RFC 8656 §12: ChannelData starts 0x40–0x7F; the general path handles everything unusual about it.
    if (stunOnly || first === undefined || first < 0x40 || first > 0x7f || data.length < 4) return null;
    const channelNumber = (first << 8) | (data[1] ?? 0);
    const length = ((data[2] ?? 0) << 8) | (data[3] ?? 0);
    const padding = data.length - 4 - length;
    if (!isValidChannelNumber(channelNumber) || padding < 0 || padding > 3) return null;
    const candidates = this.udpByClientPort.get(clientPort);
    if (!candidates) return null;
    let allocation: Allocation | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const a = candidates[i]!;
      if (a.tuple.client.ip === clientIp && a.tuple.server.port === server.port && a.tuple.server.ip === server.ip) {
        allocation = a;
        break;
      }
    }
    if (!allocation || allocation.expiresAtMs <= nowMs) return null;
    const channel = allocation.channelsByNumber.get(channelNumber);
    if (!channel || channel.expiresAtMs <= nowMs) return null;
    const permission = allocation.permissions.get(channel.peer.ip);
    if (permission === undefined || permission <= nowMs || this.policy.checkEndpoint(channel.peer) !== null) return null;
    this.countRelay(allocation, 'packetsToPeer', 1);
    this.countRelay(allocation, 'bytesToPeer', length);
    this.relayAction.relay = allocation.relay;
    this.relayAction.peer = channel.peer;
    this.relayAction.data = data.subarray(4, 4 + length);
    return this.relayAction;
  }

  /**
   * Handles one datagram (UDP) or frame (TCP/TLS) from a client. `stunOnly` listeners (the STUN port matrix)
   * answer Binding only and refuse TURN requests with 400.
   */
  handleClientMessage(input: { data: Uint8Array; tuple: FiveTuple; nowMs: number; stunOnly?: boolean }): TurnAction[] {
    try {
      const { data, tuple, nowMs } = input;
      if (looksLikeChannelData(data)) {
        return input.stunOnly ? [{ type: 'ignore', reason: 'ChannelData on a STUN-only listener' }] : this.handleChannelData(data, tuple, nowMs);
      }
      let message: StunMessage;
      try {
        message = decodeMessage(data);
      } catch (error) {
        return [{ type: 'ignore', reason: `malformed STUN message: ${describeError(error)}` }];
      }
      // RFC 8489 §7.3: a FINGERPRINT that does not match means this is not a STUN message for us.
      if (message.fingerprintOffset !== null && !verifyFingerprint(message)) {
        return [{ type: 'ignore', reason: 'FINGERPRINT mismatch' }];
      }
      switch (message.cls) {
        case 'request':
          return this.handleRequest(message, tuple, nowMs, input.stunOnly === true);
        case 'indication':
          return input.stunOnly ? [{ type: 'ignore', reason: 'indication on a STUN-only listener' }] : this.handleIndication(message, tuple, nowMs);
        default:
          // RFC 8489 §6.3.3/§6.3.4: responses we never asked for are discarded.
          return [{ type: 'ignore', reason: `unexpected ${message.cls} response` }];
      }
    } catch (error) {
      return [{ type: 'ignore', reason: `internal error: ${describeError(error)}` }];
    }
  }

  /**
   * Completes an `allocate` action. `relay` is the bound relay address, or null when no port was free, which
   * answers 508 (Insufficient Capacity, RFC 8656 §7.2). If the request vanished meanwhile (connection closed),
   * a bound relay is handed straight back with a `release` action.
   */
  commitAllocation(allocationId: number, relay: Endpoint | null, nowMs: number): TurnAction[] {
    try {
      const pending = this.pending.get(allocationId);
      if (!pending) {
        return relay ? [{ type: 'release', allocationId, relay }] : [{ type: 'ignore', reason: 'allocation request no longer pending' }];
      }
      this.pending.delete(allocationId);
      this.pendingByTuple.delete(pending.tupleKey);
      const request = { cls: 'request' as StunClass, method: T.METHOD_ALLOCATE, transactionId: pending.transactionId };
      if (!relay) {
        this.adjustClientCount(pending.tuple.client.ip, -1);
        this.emit({ type: 'allocation-refused', sessionId: pending.sessionId, transport: pending.tuple.transport, client: pending.tuple.client, code: C.ERROR_INSUFFICIENT_CAPACITY, reason: 'no relay port free' });
        return [this.errorResponse(request, pending.tuple, C.ERROR_INSUFFICIENT_CAPACITY, { key: pending.key })];
      }
      const attributes: OutgoingAttribute[] = [
        attr(XOR_RELAYED_ADDRESS, relay),
        attr(LIFETIME, pending.lifetimeS),
        attr(XOR_MAPPED_ADDRESS, pending.tuple.client),
      ];
      if (pending.ipv6Refused) {
        attributes.push(attr(ADDRESS_ERROR_CODE, { family: 0x02, code: C.ERROR_ADDRESS_FAMILY_NOT_SUPPORTED, reason: 'IPv6 relaying is not offered' }));
      }
      // An MTU ladder rung: the whole datagram, with the IP header of the client's family, is the rung's size.
      const padding = pending.paddedToBytes === null ? null : { ipDatagramBytes: pending.paddedToBytes, family: pending.tuple.client.ip.includes(':') ? ('ipv6' as const) : ('ipv4' as const) };
      const response = this.buildResponse(request, 'success', attributes, pending.key, padding);
      // buildResponse falls back to the unpadded response when the size cannot be reached; the event says which.
      const paddedToBytes = padding && response.length + ipUdpOverheadBytes(padding.family) === padding.ipDatagramBytes ? padding.ipDatagramBytes : null;
      this.countMessage(pending.tuple.transport, 'request', T.METHOD_ALLOCATE, 'success');
      const allocation: Allocation = {
        id: allocationId,
        tuple: pending.tuple,
        tupleKey: pending.tupleKey,
        relay,
        relayKey: endpointKey(relay),
        username: pending.username,
        sessionId: pending.sessionId,
        key: pending.key,
        expiresAtMs: nowMs + pending.lifetimeS * 1000,
        allocateTransactionId: toHex(pending.transactionId),
        allocateResponse: response,
        permissions: new Map(),
        channelsByNumber: new Map(),
        channelsByPeer: new Map(),
        counters: zeroCounters(),
      };
      this.byTuple.set(allocation.tupleKey, allocation);
      this.byRelay.set(allocation.relayKey, allocation);
      if (allocation.tuple.transport === 'udp') {
        const samePort = this.udpByClientPort.get(allocation.tuple.client.port);
        if (samePort) samePort.push(allocation);
        else this.udpByClientPort.set(allocation.tuple.client.port, [allocation]);
        const sameRelayPort = this.udpByRelayPort.get(relay.port);
        if (sameRelayPort) sameRelayPort.push(allocation);
        else this.udpByRelayPort.set(relay.port, [allocation]);
      }
      this.emit({
        type: 'allocation-created',
        allocationId,
        sessionId: allocation.sessionId,
        username: allocation.username,
        transport: allocation.tuple.transport,
        client: allocation.tuple.client,
        server: allocation.tuple.server,
        relay,
        lifetimeS: pending.lifetimeS,
        ...(paddedToBytes !== null ? { paddedToBytes } : {}),
      });
      return [{ type: 'send', tuple: allocation.tuple, data: response }];
    } catch (error) {
      const reason = `internal error: ${describeError(error)}`;
      return relay ? [{ type: 'release', allocationId, relay }, { type: 'ignore', reason }] : [{ type: 'ignore', reason }];
    }
  }

  /**
   * The peer→client hot path (issue 16), tried before {@link handlePeerDatagram} for every datagram on a relay
   * socket: data from a peer that has a live permission, passes the peer policy and has a live channel, for an
   * allocation made over UDP, is counted and handed back as ChannelData to send — no decoding, no key strings, no
   * copy of the data, no action array. Returns the preallocated action (valid until the next call), or null when
   * the datagram needs the general path: no allocation on `relayIp:relayPort`, an expired allocation, no permission
   * (RFC 8656 §9: discarded — never an open relay), a refused peer, no channel (a Data indication), a TCP/TLS client
   * (padding). The general path then gives exactly the answer it always gave, counters included.
   * `peerIp` is the datagram's source in canonical form (a udp4 socket's dotted quad).
   */
  handlePeerFast(relayIp: string, relayPort: number, peerIp: string, peerPort: number, data: Uint8Array, nowMs: number): FastPeerAction | null {
    const candidates = this.udpByRelayPort.get(relayPort);
    if (!candidates || data.length > 0xffff) return null;
    let allocation: Allocation | undefined;
    for (let i = 0; i < candidates.length; i++) {
      if (candidates[i]!.relay.ip === relayIp) {
        allocation = candidates[i];
        break;
      }
    }
    if (!allocation || allocation.expiresAtMs <= nowMs) return null;
    // RFC 8656 §9: "If no match is found, relaying is not permitted and the server silently discards the UDP datagram."
    const permission = allocation.permissions.get(peerIp);
    if (permission === undefined || permission <= nowMs) return null;
    // The channel bound to this peer: a client binds one or two, so a scan beats building the peer's key string;
    // many channels go through the map as the general path does.
    let channelNumber = -1;
    let channel: Channel | undefined;
    if (allocation.channelsByNumber.size <= 4) {
      for (const [number, c] of allocation.channelsByNumber) {
        if (c.peer.port === peerPort && c.peer.ip === peerIp) {
          channelNumber = number;
          channel = c;
          break;
        }
      }
    } else {
      const number = allocation.channelsByPeer.get(`${peerIp}|${peerPort}`);
      if (number !== undefined) {
        channelNumber = number;
        channel = allocation.channelsByNumber.get(number);
      }
    }
    if (!channel || channel.expiresAtMs <= nowMs || this.policy.checkEndpoint(channel.peer) !== null) return null;
    this.countRelay(allocation, 'packetsFromPeer', 1);
    this.countRelay(allocation, 'bytesFromPeer', data.length);
    const action = this.channelDataAction;
    action.channel = channelNumber;
    action.client = allocation.tuple.client;
    action.server = allocation.tuple.server;
    action.data = data;
    return action;
  }

  /**
   * Handles a UDP datagram that arrived at relay address `relay` from `peer` (RFC 8656 §11.3). Relayed to the
   * client as ChannelData when a channel is bound to the peer, else as a Data indication; dropped without a
   * permission for the peer's IP, or when the peer is not a live relay / allowed media peer.
   */
  handlePeerDatagram(input: { relay: Endpoint; peer: Endpoint; data: Uint8Array; nowMs: number }): TurnAction[] {
    try {
      const { relay, peer, data, nowMs } = input;
      const actions: TurnAction[] = [];
      const allocation = this.byRelay.get(endpointKey(relay));
      if (!allocation) return [{ type: 'ignore', reason: `no allocation on relay ${formatEndpoint(relay)}` }];
      if (allocation.expiresAtMs <= nowMs) {
        this.endAllocation(allocation, 'expired', actions);
        actions.push({ type: 'ignore', reason: 'allocation expired' });
        return actions;
      }
      // RFC 8656 §9: "If no match is found, relaying is not permitted and the server silently discards the UDP datagram."
      const permission = allocation.permissions.get(peer.ip);
      if (permission === undefined || permission <= nowMs) {
        this.countRelay(allocation, 'packetsDropped', 1);
        return [{ type: 'ignore', reason: `no permission for ${peer.ip}` }];
      }
      const refusal = this.policy.checkEndpoint(peer);
      if (refusal) {
        this.countRelay(allocation, 'packetsDropped', 1);
        return [{ type: 'ignore', reason: `peer ${formatEndpoint(peer)} refused: ${refusal}` }];
      }
      this.countRelay(allocation, 'packetsFromPeer', 1);
      this.countRelay(allocation, 'bytesFromPeer', data.length);
      const channelNumber = allocation.channelsByPeer.get(endpointKey(peer));
      const channel = channelNumber === undefined ? undefined : allocation.channelsByNumber.get(channelNumber);
      if (channelNumber !== undefined && channel && channel.expiresAtMs > nowMs) {
        // RFC 8656 §12.5: "The server ... MUST use the ChannelData message if a channel has been bound to the peer."
        const framed = encodeChannelData(channelNumber, data, { pad: allocation.tuple.transport !== 'udp' });
        return [{ type: 'send', tuple: allocation.tuple, data: framed }];
      }
      // RFC 8656 §11.3: otherwise a Data indication with XOR-PEER-ADDRESS and DATA.
      const indication = encodeMessage({
        cls: 'indication',
        method: T.METHOD_DATA,
        transactionId: this.randomTransactionId(allocation, nowMs),
        attributes: [attr(XOR_PEER_ADDRESS, peer), attr(DATA, data)],
      });
      return [{ type: 'send', tuple: allocation.tuple, data: indication }];
    } catch (error) {
      return [{ type: 'ignore', reason: `internal error: ${describeError(error)}` }];
    }
  }

  /**
   * A TCP/TLS connection closed. An allocation belongs to its 5-tuple (RFC 8656 §6), and a closed connection's
   * 5-tuple can never carry a Refresh again, so the allocation is freed now rather than at expiry — as coturn does.
   */
  handleConnectionClosed(tuple: FiveTuple, _nowMs: number): TurnAction[] {
    try {
      const key = tupleKeyOf(tuple);
      const actions: TurnAction[] = [];
      const pendingId = this.pendingByTuple.get(key);
      if (pendingId !== undefined) {
        const pending = this.pending.get(pendingId);
        this.pending.delete(pendingId);
        this.pendingByTuple.delete(key);
        if (pending) this.adjustClientCount(pending.tuple.client.ip, -1);
      }
      const allocation = this.byTuple.get(key);
      if (allocation) this.endAllocation(allocation, 'connection-closed', actions);
      return actions;
    } catch (error) {
      return [{ type: 'ignore', reason: `internal error: ${describeError(error)}` }];
    }
  }

  /** Expires allocations, permissions and channels whose time is up (the adapter calls this about once a second). */
  tick(nowMs: number): TurnAction[] {
    const actions: TurnAction[] = [];
    try {
      this.keys.prune(nowMs);
      for (const allocation of [...this.byTuple.values()]) {
        if (allocation.expiresAtMs <= nowMs) {
          this.endAllocation(allocation, 'expired', actions);
          continue;
        }
        for (const [ip, expiresAtMs] of allocation.permissions) if (expiresAtMs <= nowMs) allocation.permissions.delete(ip);
        for (const [number, channel] of allocation.channelsByNumber) {
          if (channel.expiresAtMs <= nowMs) {
            allocation.channelsByNumber.delete(number);
            allocation.channelsByPeer.delete(channel.peerKey);
          }
        }
      }
    } catch (error) {
      actions.push({ type: 'ignore', reason: `internal error: ${describeError(error)}` });
    }
    return actions;
  }

  /** Ends every allocation (server shutdown) and returns the `release` actions. */
  closeAll(): TurnAction[] {
    const actions: TurnAction[] = [];
    for (const allocation of [...this.byTuple.values()]) this.endAllocation(allocation, 'server-closed', actions);
    this.pending.clear();
    this.pendingByTuple.clear();
    this.perClientIp.clear();
    return actions;
  }

  /** Message and relay counters since the core was created (copies; safe to keep). */
  traffic(): TurnTrafficSnapshot {
    const messages: MessageCount[] = [];
    const counts = new Map(this.messageCounts);
    if (this.fastBindingCount > 0) {
      const bindingKey = messageKey('udp', 'request', C.METHOD_BINDING, 'success');
      counts.set(bindingKey, (counts.get(bindingKey) ?? 0) + this.fastBindingCount);
    }
    for (const [key, count] of counts) messages.push({ ...unpackMessageKey(key), count });
    const copy = (c: RelayCounters): RelayCounters => ({ ...c });
    return { messages, relayed: { udp: copy(this.relayTotals.udp), tcp: copy(this.relayTotals.tcp), tls: copy(this.relayTotals.tls) } };
  }

  /** Live allocations (copies; safe to keep). */
  allocations(): AllocationSnapshot[] {
    return [...this.byTuple.values()].map((a) => ({
      allocationId: a.id,
      sessionId: a.sessionId,
      username: a.username,
      tuple: a.tuple,
      relay: a.relay,
      expiresAtMs: a.expiresAtMs,
      permissions: [...a.permissions.keys()],
      channels: [...a.channelsByNumber].map(([channel, c]) => ({ channel, peer: c.peer })),
      counters: { ...a.counters },
    }));
  }

  // ───────────────────────────── requests ─────────────────────────────

  private handleRequest(message: StunMessage, tuple: FiveTuple, nowMs: number, stunOnly: boolean): TurnAction[] {
    if (message.method === C.METHOD_BINDING) return this.handleBinding(message, tuple);
    const isTurnRequest =
      message.method === T.METHOD_ALLOCATE ||
      message.method === T.METHOD_REFRESH ||
      message.method === T.METHOD_CREATE_PERMISSION ||
      message.method === T.METHOD_CHANNEL_BIND;
    if (!isTurnRequest || stunOnly) {
      // RFC 8489 §6.3.1: a request for a method the server does not offer gets 400.
      return [this.errorResponse(message, tuple, C.ERROR_BAD_REQUEST, { reason: stunOnly ? 'Binding only on this port' : 'Unknown method' })];
    }
    const auth = this.authenticate(message, tuple, nowMs);
    if (!auth.ok) return auth.actions;
    // RFC 8489 §6.3: "Once the authentication checks are done, the STUN agent checks for unknown attributes".
    // RFC 8656 §7.2 step 4: DONT-FRAGMENT is unknown to a server that cannot set DF — netready (Node) cannot.
    const unknown = this.unknownComprehensionRequired(message);
    if (unknown.length > 0) {
      return [this.errorResponse(message, tuple, C.ERROR_UNKNOWN_ATTRIBUTE, { key: auth.key, extra: [attr(UNKNOWN_ATTRIBUTES, unknown)] })];
    }
    try {
      switch (message.method) {
        case T.METHOD_ALLOCATE:
          return this.handleAllocate(message, tuple, nowMs, auth);
        case T.METHOD_REFRESH:
          return this.handleRefresh(message, tuple, nowMs, auth);
        case T.METHOD_CREATE_PERMISSION:
          return this.handleCreatePermission(message, tuple, nowMs, auth);
        default:
          return this.handleChannelBind(message, tuple, nowMs, auth);
      }
    } catch (error) {
      if (error instanceof DecodeError) {
        // A present but malformed attribute: RFC 8656 answers 400 (Bad Request) for invalid attributes.
        return [this.errorResponse(message, tuple, C.ERROR_BAD_REQUEST, { key: auth.key, reason: `Bad Request: ${error.where}` })];
      }
      throw error;
    }
  }

  private handleBinding(message: StunMessage, tuple: FiveTuple): TurnAction[] {
    const unknown = this.unknownComprehensionRequired(message);
    if (unknown.length > 0) {
      return [this.errorResponse(message, tuple, C.ERROR_UNKNOWN_ATTRIBUTE, { extra: [attr(UNKNOWN_ATTRIBUTES, unknown)] })];
    }
    this.emit({ type: 'binding', transport: tuple.transport, client: tuple.client, server: tuple.server });
    // RFC 8489 §6.3.1.1: the success response carries XOR-MAPPED-ADDRESS with the request's source address.
    return [this.successResponse(message, tuple, [attr(XOR_MAPPED_ADDRESS, tuple.client)])];
  }

  /** RFC 8489 §9.2.4: long-term credential checks, with TURN REST usernames and stateless nonces. */
  private authenticate(message: StunMessage, tuple: FiveTuple, nowMs: number): AuthOk | { ok: false; actions: TurnAction[] } {
    const challenge = (code: number, reason?: string): { ok: false; actions: TurnAction[] } => ({
      ok: false,
      actions: [
        this.errorResponse(message, tuple, code, {
          reason,
          extra: [attr(REALM, this.options.realm), attr(NONCE, this.nonces.issue(nowMs, tuple.client.ip))],
        }),
      ],
    });
    // "If the message does not contain a MESSAGE-INTEGRITY ... the server MUST generate an error response with an
    // error code of 401 (Unauthenticated). This response MUST include a REALM value ... [and] a NONCE".
    if (message.integrityOffset === null) return challenge(C.ERROR_UNAUTHENTICATED);
    let username: string | undefined;
    let realm: string | undefined;
    let nonce: string | undefined;
    try {
      username = readAttribute(message, USERNAME);
      realm = readAttribute(message, REALM);
      nonce = readAttribute(message, NONCE);
    } catch {
      username = undefined;
    }
    // "If the message contains a MESSAGE-INTEGRITY ... but is missing either the USERNAME or USERHASH, REALM, or
    // NONCE attribute, the server MUST generate an error response with an error code of 400 (Bad Request)."
    if (username === undefined || realm === undefined || nonce === undefined) {
      return { ok: false, actions: [this.errorResponse(message, tuple, C.ERROR_BAD_REQUEST)] };
    }
    // "If the NONCE is no longer valid, the server MUST generate an error response with an error code of 438
    // (Stale Nonce)." Ours are stateless: expired or not stamped by us are both no longer valid.
    if (this.nonces.check(nonce, nowMs, tuple.client.ip) !== 'valid') return challenge(C.ERROR_STALE_NONCE);
    const fail = (reason: AuthFailureReason, sessionId: string | null): { ok: false; actions: TurnAction[] } => {
      this.emit({ type: 'auth-failed', transport: tuple.transport, client: tuple.client, username: username ?? null, sessionId, reason });
      return challenge(C.ERROR_UNAUTHENTICATED);
    };
    if (realm !== this.options.realm) return fail('wrong-realm', null);
    // "If the value of the USERNAME or USERHASH attribute is not valid, the server MUST generate an error
    // response with an error code of 401 (Unauthenticated)." A REST username past its expiry is not valid.
    let rest;
    try {
      rest = parseRestUsername(username);
    } catch {
      return fail('malformed-username', null);
    }
    if (rest.expiresAtS * 1000 <= nowMs) return fail('expired-username', rest.sessionId);
    // Issue 16 (load): one session sends about ten authenticated requests with one username; derive its key once.
    const cached = this.keys.get(username, nowMs);
    const key = cached ?? longTermKey(this.options.crypto, username, this.options.realm, computeRestPassword(this.options.crypto, this.options.secret, username));
    // "Using the password associated with the username ... compute the value for the MESSAGE-INTEGRITY ... If the
    // resulting value does not match ... reject the request with an error response ... 401 (Unauthenticated)."
    if (!verifyMessageIntegrity(message, key, this.options.crypto)) return fail('bad-integrity', rest.sessionId);
    if (!cached) this.keys.set(username, key, rest.expiresAtS * 1000);
    return { ok: true, key, username, sessionId: rest.sessionId, tag: rest.tag };
  }

  private handleAllocate(message: StunMessage, tuple: FiveTuple, nowMs: number, auth: AuthOk): TurnAction[] {
    const key = auth.key;
    const refuse = (code: number, reason?: string): TurnAction[] => {
      this.emit({ type: 'allocation-refused', sessionId: auth.sessionId, transport: tuple.transport, client: tuple.client, code, reason: reason ?? C.ERROR_REASONS[code] ?? '' });
      return [this.errorResponse(message, tuple, code, { key, reason })];
    };
    // RFC 8656 §7.2 step 1: "Otherwise, the server MUST require that the request be authenticated." — done above.
    const tupleKey = tupleKeyOf(tuple);
    // Step 2: "The server checks if the 5-tuple is currently in use by an existing allocation. If yes, the server
    // rejects the request with a 437 (Allocation Mismatch) error." A UDP retransmission of the request that made
    // the allocation gets the same success response again (RFC 8656 §5: requests are idempotent).
    const existing = this.lookupByTuple(tupleKey, nowMs, []);
    if (existing) {
      if (existing.allocateTransactionId === toHex(message.transactionId)) {
        this.countMessage(tuple.transport, 'request', message.method, 'success');
        return [{ type: 'send', tuple, data: existing.allocateResponse }];
      }
      return [this.errorResponse(message, tuple, C.ERROR_ALLOCATION_MISMATCH, { key })];
    }
    if (this.pendingByTuple.has(tupleKey)) return [{ type: 'ignore', reason: 'Allocate already in progress on this 5-tuple' }];
    // Step 3: "If the REQUESTED-TRANSPORT attribute is not included or is malformed, the server rejects the
    // request with a 400 (Bad Request) error. Otherwise, if the attribute is included but specifies a protocol
    // that is not supported by the server, the server rejects the request with a 442".
    let transport: number | undefined;
    try {
      transport = readAttribute(message, REQUESTED_TRANSPORT);
    } catch {
      transport = undefined;
    }
    if (transport === undefined) return refuse(C.ERROR_BAD_REQUEST, 'REQUESTED-TRANSPORT missing or malformed');
    if (transport !== T.TRANSPORT_UDP) return refuse(C.ERROR_UNSUPPORTED_TRANSPORT_PROTOCOL);
    // Step 4 (DONT-FRAGMENT treated as unknown comprehension-required) was applied with the 420 check.
    const evenPort = readAttribute(message, EVEN_PORT);
    const requestedFamily = readAttribute(message, REQUESTED_ADDRESS_FAMILY);
    const additionalFamily = readAttribute(message, ADDITIONAL_ADDRESS_FAMILY);
    // Step 5: "If yes, and the request also contains an EVEN-PORT or REQUESTED-ADDRESS-FAMILY or
    // ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request with a 400 (Bad Request) error.
    // Otherwise, it checks to see if the token is valid ... If the token is not valid for some reason, the server
    // rejects the request with a 508 (Insufficient Capacity) error." netready never issues tokens.
    if (readAttribute(message, RESERVATION_TOKEN) !== undefined) {
      if (evenPort || requestedFamily !== undefined || additionalFamily !== undefined) return refuse(C.ERROR_BAD_REQUEST);
      return refuse(C.ERROR_INSUFFICIENT_CAPACITY, 'Reservations are not offered');
    }
    // Step 6: "... contains both REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY attributes. If yes, then
    // the server rejects the request with a 400 (Bad Request) error."
    if (requestedFamily !== undefined && additionalFamily !== undefined) return refuse(C.ERROR_BAD_REQUEST);
    // Step 7: "If the server does not support the address family requested by the client in
    // REQUESTED-ADDRESS-FAMILY, or if the allocation of the requested address family is disabled by local policy,
    // it MUST generate an Allocate error response ... 440 (Address Family not Supported)". netready relays IPv4.
    if (requestedFamily === 0x02) return refuse(C.ERROR_ADDRESS_FAMILY_NOT_SUPPORTED);
    // Step 8: "... an EVEN-PORT attribute with the R bit set to 1. If yes, and the request also contains an
    // ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request with a 400 (Bad Request) error.
    // Otherwise, the server checks if it can satisfy the request ... If the server cannot satisfy the request,
    // then the server rejects the request with a 508 (Insufficient Capacity) error." We do not reserve ports.
    if (evenPort?.reserve) {
      if (additionalFamily !== undefined) return refuse(C.ERROR_BAD_REQUEST);
      return refuse(C.ERROR_INSUFFICIENT_CAPACITY, 'Port reservations are not offered');
    }
    // Step 9: "If yes, and the attribute value is 0x01 (IPv4 address family), then the server rejects the request
    // with a 400 (Bad Request) error. ... If the server can partially meet the request ... it includes
    // ADDRESS-ERROR-CODE attribute in the success response". We give the IPv4 half and say 440 for IPv6.
    if (additionalFamily === 0x01) return refuse(C.ERROR_BAD_REQUEST);
    // Step 10: "At any point, the server MAY choose to reject the request with a 486 (Allocation Quota Reached)".
    // netready's quota is per client IP: a test page makes several allocations under one session username.
    if ((this.perClientIp.get(tuple.client.ip) ?? 0) >= this.options.maxAllocationsPerClient) {
      return refuse(C.ERROR_ALLOCATION_QUOTA_REACHED);
    }
    // Step 11 (300 Try Alternate) is never used.
    // "If the request contains a LIFETIME attribute, then the server computes the minimum of the client's proposed
    // lifetime and the server's maximum allowed lifetime. If this computed value is greater than the default
    // lifetime, then the server uses the computed lifetime ... Otherwise, the server uses the default lifetime."
    const lifetimeS = this.desiredLifetime(readAttribute(message, LIFETIME));
    const allocationId = this.nextAllocationId++;
    this.pending.set(allocationId, {
      id: allocationId,
      tuple,
      tupleKey,
      transactionId: copyBytes(message.transactionId),
      username: auth.username,
      sessionId: auth.sessionId,
      key,
      lifetimeS,
      ipv6Refused: additionalFamily === 0x02,
      // An MTU ladder rung (lib/protocol/mtu): only a datagram has a size to pad to.
      paddedToBytes: tuple.transport === 'udp' && auth.tag !== null ? (this.options.allocateResponseSize?.(auth.tag) ?? null) : null,
    });
    this.pendingByTuple.set(tupleKey, allocationId);
    this.adjustClientCount(tuple.client.ip, +1);
    return [{ type: 'allocate', allocationId, tuple, evenPort: evenPort !== undefined }];
  }

  private handleRefresh(message: StunMessage, tuple: FiveTuple, nowMs: number, auth: AuthOk): TurnAction[] {
    const actions: TurnAction[] = [];
    const allocation = this.allocationForRequest(message, tuple, nowMs, auth, actions);
    if (!allocation) return actions;
    // RFC 8656 §8.2: "If the server receives a Refresh Request with a REQUESTED-ADDRESS-FAMILY attribute and the
    // attribute value does not match the address family of the allocation, the server MUST reply with a 443".
    if (readAttribute(message, REQUESTED_ADDRESS_FAMILY) === 0x02) {
      return [this.errorResponse(message, tuple, C.ERROR_PEER_ADDRESS_FAMILY_MISMATCH, { key: auth.key })];
    }
    // "if the request contains a LIFETIME attribute and the attribute value is zero, then the 'desired lifetime'
    // is zero. Otherwise, if the request contains a LIFETIME attribute, then the server computes the minimum of
    // the client's requested lifetime and the server's maximum allowed lifetime. If this computed value is greater
    // than the default lifetime, then the 'desired lifetime' is the computed value. Otherwise, the 'desired
    // lifetime' is the default lifetime."
    const requested = readAttribute(message, LIFETIME);
    const lifetimeS = requested === 0 ? 0 : this.desiredLifetime(requested);
    if (lifetimeS === 0) {
      // "If the 'desired lifetime' is zero, then the request succeeds and the allocation is deleted."
      this.endAllocation(allocation, 'deleted', actions);
    } else {
      // "If the 'desired lifetime' is non-zero, then the request succeeds and the allocation's time-to-expiry is
      // set to the 'desired lifetime'."
      allocation.expiresAtMs = nowMs + lifetimeS * 1000;
      this.emit({ type: 'allocation-refreshed', allocationId: allocation.id, sessionId: allocation.sessionId, lifetimeS });
    }
    actions.push(this.successResponse(message, tuple, [attr(LIFETIME, lifetimeS)], auth.key));
    return actions;
  }

  private handleCreatePermission(message: StunMessage, tuple: FiveTuple, nowMs: number, auth: AuthOk): TurnAction[] {
    const actions: TurnAction[] = [];
    const allocation = this.allocationForRequest(message, tuple, nowMs, auth, actions);
    if (!allocation) return actions;
    // RFC 8656 §10.2: "The CreatePermission request MUST contain at least one XOR-PEER-ADDRESS attribute and MAY
    // contain multiple such attributes. If no such attribute exists, or if any of these attributes are invalid,
    // then a 400 (Bad Request) error is returned."
    const peers = readAllAttributes(message, XOR_PEER_ADDRESS);
    if (peers.length === 0) return [this.errorResponse(message, tuple, C.ERROR_BAD_REQUEST, { key: auth.key, reason: 'XOR-PEER-ADDRESS missing' })];
    for (const peer of peers) {
      // "If an XOR-PEER-ADDRESS attribute contains an address of an address family that is not the same as that
      // of a relayed transport address for the allocation, the server MUST generate an error response with the
      // 443 (Peer Address Family Mismatch) response code."
      if (peer.ip.includes(':') !== allocation.relay.ip.includes(':')) {
        this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via: 'CreatePermission', peer: { ip: peer.ip }, reason: 'address-family-mismatch' });
        return [this.errorResponse(message, tuple, C.ERROR_PEER_ADDRESS_FAMILY_MISMATCH, { key: auth.key })];
      }
      // "The server MAY impose restrictions on the IP address allowed in the XOR-PEER-ADDRESS attribute; if a value
      // is not allowed, the server rejects the request with a 403 (Forbidden) error." All or nothing.
      const refusal = this.policy.checkIp(peer.ip);
      if (refusal) {
        this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via: 'CreatePermission', peer: { ip: peer.ip }, reason: refusal });
        return [this.errorResponse(message, tuple, C.ERROR_FORBIDDEN, { key: auth.key })];
      }
    }
    // "If the message is valid and the server is capable of carrying out the request, then the server installs or
    // refreshes a permission for the IP address contained in each XOR-PEER-ADDRESS attribute ... The port portion
    // of each attribute is ignored and may be any arbitrary value."
    for (const peer of peers) this.installPermission(allocation, peer.ip, nowMs);
    actions.push(this.successResponse(message, tuple, [], auth.key));
    return actions;
  }

  private handleChannelBind(message: StunMessage, tuple: FiveTuple, nowMs: number, auth: AuthOk): TurnAction[] {
    const actions: TurnAction[] = [];
    const allocation = this.allocationForRequest(message, tuple, nowMs, auth, actions);
    if (!allocation) return actions;
    const badRequest = (reason: string): TurnAction[] => [this.errorResponse(message, tuple, C.ERROR_BAD_REQUEST, { key: auth.key, reason })];
    const channel = readAttribute(message, CHANNEL_NUMBER);
    const peer = readAttribute(message, XOR_PEER_ADDRESS);
    // RFC 8656 §12.2: "The server checks the following:
    //  - The request contains both a CHANNEL-NUMBER and an XOR-PEER-ADDRESS attribute;
    if (channel === undefined || peer === undefined) return badRequest('CHANNEL-NUMBER and XOR-PEER-ADDRESS required');
    //  - The channel number is in the range 0x4000 through 0x4FFF (inclusive);
    //    netready accepts RFC 5766's 0x4000–0x7FFF because Chrome and coturn's clients still bind there.
    if (!isValidChannelNumber(channel)) return badRequest('channel number outside 0x4000-0x7FFF');
    const peerKey = endpointKey(peer);
    this.pruneChannels(allocation, nowMs);
    //  - The channel number is not currently bound to a different transport address (same transport address is OK);
    const bound = allocation.channelsByNumber.get(channel);
    if (bound && bound.peerKey !== peerKey) return badRequest('channel already bound to another peer');
    //  - The transport address is not currently bound to a different channel number.
    const boundChannel = allocation.channelsByPeer.get(peerKey);
    if (boundChannel !== undefined && boundChannel !== channel) return badRequest('peer already bound to another channel');
    // If any of these tests fail, the server replies with a 400 (Bad Request) error. If the XOR-PEER-ADDRESS
    // attribute contains an address of an address family that is not the same as that of a relayed transport
    // address for the allocation, the server MUST generate an error response with the 443 (Peer Address Family
    // Mismatch) response code."
    if (peer.ip.includes(':') !== allocation.relay.ip.includes(':')) {
      this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via: 'ChannelBind', peer, reason: 'address-family-mismatch' });
      return [this.errorResponse(message, tuple, C.ERROR_PEER_ADDRESS_FAMILY_MISMATCH, { key: auth.key })];
    }
    // "The server MAY impose restrictions on the IP address and port values allowed in the XOR-PEER-ADDRESS
    // attribute; if a value is not allowed, the server rejects the request with a 403 (Forbidden) error."
    const refusal = this.policy.checkEndpoint(peer);
    if (refusal) {
      this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via: 'ChannelBind', peer, reason: refusal });
      return [this.errorResponse(message, tuple, C.ERROR_FORBIDDEN, { key: auth.key })];
    }
    // "If the server can satisfy the request, then the server creates or refreshes the channel binding using the
    // channel number in the CHANNEL-NUMBER attribute and the transport address in the XOR-PEER-ADDRESS attribute.
    // The server also installs or refreshes a permission for the IP address in the XOR-PEER-ADDRESS attribute".
    const isNew = !bound;
    allocation.channelsByNumber.set(channel, { peer, peerKey, expiresAtMs: nowMs + T.CHANNEL_BINDING_LIFETIME_S * 1000 });
    allocation.channelsByPeer.set(peerKey, channel);
    this.installPermission(allocation, peer.ip, nowMs);
    if (isNew) this.emit({ type: 'channel-bound', allocationId: allocation.id, sessionId: allocation.sessionId, channel, peer });
    actions.push(this.successResponse(message, tuple, [], auth.key));
    return actions;
  }

  // ───────────────────────────── indications and ChannelData ─────────────────────────────

  private handleIndication(message: StunMessage, tuple: FiveTuple, nowMs: number): TurnAction[] {
    this.countMessage(tuple.transport, 'indication', message.method, 'none');
    if (message.method !== T.METHOD_SEND) {
      return [{ type: 'ignore', reason: `${TURN_METHOD_NAMES[message.method] ?? `method 0x${message.method.toString(16)}`} indication not accepted from clients` }];
    }
    // RFC 8489 §6.3.2: an indication with unknown comprehension-required attributes is discarded; RFC 8656 §11.2
    // treats DONT-FRAGMENT that way when the server cannot set DF.
    if (this.unknownComprehensionRequired(message).length > 0) {
      return [{ type: 'ignore', reason: 'Send indication with unknown comprehension-required attributes' }];
    }
    const allocation = this.lookupByTuple(tupleKeyOf(tuple), nowMs, []);
    // RFC 8656 §5: an indication whose 5-tuple has no allocation is silently ignored.
    if (!allocation) return [{ type: 'ignore', reason: 'Send indication without an allocation' }];
    let peer: Endpoint | undefined;
    let data: Uint8Array | undefined;
    try {
      peer = readAttribute(message, XOR_PEER_ADDRESS);
      data = readAttribute(message, DATA);
    } catch (error) {
      return [{ type: 'ignore', reason: `malformed Send indication: ${describeError(error)}` }];
    }
    // RFC 8656 §11.2: "The Send indication MUST contain both an XOR-PEER-ADDRESS attribute and a DATA attribute.
    // If one of these attributes is missing or invalid, then the message is discarded."
    if (!peer || !data) return [{ type: 'ignore', reason: 'Send indication lacks XOR-PEER-ADDRESS or DATA' }];
    return this.relayToPeer(allocation, peer, data, nowMs, 'Send');
  }

  private handleChannelData(bytes: Uint8Array, tuple: FiveTuple, nowMs: number): TurnAction[] {
    let frame;
    try {
      frame = decodeChannelData(bytes);
    } catch (error) {
      // RFC 8656 §12.6: reserved channel numbers and short datagrams are silently discarded.
      return [{ type: 'ignore', reason: `malformed ChannelData: ${describeError(error)}` }];
    }
    const allocation = this.lookupByTuple(tupleKeyOf(tuple), nowMs, []);
    if (!allocation) return [{ type: 'ignore', reason: 'ChannelData without an allocation' }];
    const channel = allocation.channelsByNumber.get(frame.channel);
    // "If the ChannelData message is received on a channel that is not bound to any peer, then the message is
    // silently discarded." ... "the receipt of a ChannelData message MUST NOT refresh either the channel binding
    // or the permission towards the peer."
    if (!channel || channel.expiresAtMs <= nowMs) return [{ type: 'ignore', reason: `channel 0x${frame.channel.toString(16)} not bound` }];
    return this.relayToPeer(allocation, channel.peer, frame.data, nowMs, null);
  }

  private relayToPeer(allocation: Allocation, peer: Endpoint, data: Uint8Array, nowMs: number, via: 'Send' | null): TurnAction[] {
    // RFC 8656 §11.2: "The server also checks that there is a permission installed for the IP address contained in
    // the XOR-PEER-ADDRESS attribute. If no such permission exists, the message is discarded."
    const permission = allocation.permissions.get(peer.ip);
    if (permission === undefined || permission <= nowMs) {
      this.countRelay(allocation, 'packetsDropped', 1);
      if (via) this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via, peer, reason: 'no-permission' });
      return [{ type: 'ignore', reason: `no permission for ${peer.ip}` }];
    }
    // "The server MAY impose restrictions on the IP address and port values allowed in the XOR-PEER-ADDRESS
    // attribute; if a value is not allowed, the server silently discards the Send indication."
    const refusal = this.policy.checkEndpoint(peer);
    if (refusal) {
      this.countRelay(allocation, 'packetsDropped', 1);
      if (via) this.emit({ type: 'permission-refused', allocationId: allocation.id, sessionId: allocation.sessionId, via, peer, reason: refusal });
      return [{ type: 'ignore', reason: `peer ${formatEndpoint(peer)} refused: ${refusal}` }];
    }
    this.countRelay(allocation, 'packetsToPeer', 1);
    this.countRelay(allocation, 'bytesToPeer', data.length);
    return [{ type: 'send-relay', relay: allocation.relay, peer, data }];
  }

  // ───────────────────────────── helpers ─────────────────────────────

  /** RFC 8656 §5: non-Allocate requests need an allocation on the 5-tuple (437) with the same username (441). */
  private allocationForRequest(message: StunMessage, tuple: FiveTuple, nowMs: number, auth: AuthOk, actions: TurnAction[]): Allocation | null {
    const allocation = this.lookupByTuple(tupleKeyOf(tuple), nowMs, actions);
    if (!allocation) {
      actions.push(this.errorResponse(message, tuple, C.ERROR_ALLOCATION_MISMATCH, { key: auth.key }));
      return null;
    }
    if (allocation.username !== auth.username) {
      this.emit({ type: 'auth-failed', transport: tuple.transport, client: tuple.client, username: auth.username, sessionId: auth.sessionId, reason: 'wrong-username' });
      actions.push(this.errorResponse(message, tuple, C.ERROR_WRONG_CREDENTIALS, { key: auth.key }));
      return null;
    }
    return allocation;
  }

  private lookupByTuple(key: string, nowMs: number, actions: TurnAction[]): Allocation | null {
    const allocation = this.byTuple.get(key);
    if (!allocation) return null;
    if (allocation.expiresAtMs <= nowMs) {
      this.endAllocation(allocation, 'expired', actions);
      return null;
    }
    return allocation;
  }

  private desiredLifetime(requested: number | undefined): number {
    if (requested === undefined) return this.defaultLifetimeS;
    const computed = Math.min(requested, this.options.maxLifetimeS);
    return computed > this.defaultLifetimeS ? computed : this.defaultLifetimeS;
  }

  private installPermission(allocation: Allocation, ip: string, nowMs: number): void {
    // RFC 8656 §9: "The Permission Lifetime MUST be 300 seconds (= 5 minutes)."
    const isNew = !allocation.permissions.has(ip);
    allocation.permissions.set(ip, nowMs + T.PERMISSION_LIFETIME_S * 1000);
    if (isNew) this.emit({ type: 'permission-created', allocationId: allocation.id, sessionId: allocation.sessionId, peerIp: ip });
  }

  private pruneChannels(allocation: Allocation, nowMs: number): void {
    for (const [number, channel] of allocation.channelsByNumber) {
      if (channel.expiresAtMs <= nowMs) {
        allocation.channelsByNumber.delete(number);
        allocation.channelsByPeer.delete(channel.peerKey);
      }
    }
  }

  private endAllocation(allocation: Allocation, reason: AllocationEndReason, actions: TurnAction[]): void {
    if (this.byTuple.get(allocation.tupleKey) !== allocation) return;
    this.byTuple.delete(allocation.tupleKey);
    this.byRelay.delete(allocation.relayKey);
    const samePort = this.udpByClientPort.get(allocation.tuple.client.port);
    if (samePort) {
      const rest = samePort.filter((a) => a !== allocation);
      if (rest.length > 0) this.udpByClientPort.set(allocation.tuple.client.port, rest);
      else this.udpByClientPort.delete(allocation.tuple.client.port);
    }
    const sameRelayPort = this.udpByRelayPort.get(allocation.relay.port);
    if (sameRelayPort) {
      const rest = sameRelayPort.filter((a) => a !== allocation);
      if (rest.length > 0) this.udpByRelayPort.set(allocation.relay.port, rest);
      else this.udpByRelayPort.delete(allocation.relay.port);
    }
    this.adjustClientCount(allocation.tuple.client.ip, -1);
    actions.push({ type: 'release', allocationId: allocation.id, relay: allocation.relay });
    this.emit({
      type: 'allocation-ended',
      allocationId: allocation.id,
      sessionId: allocation.sessionId,
      transport: allocation.tuple.transport,
      client: allocation.tuple.client,
      relay: allocation.relay,
      reason,
      counters: { ...allocation.counters },
    });
  }

  private adjustClientCount(ip: string, delta: number): void {
    const next = (this.perClientIp.get(ip) ?? 0) + delta;
    if (next <= 0) this.perClientIp.delete(ip);
    else this.perClientIp.set(ip, next);
  }

  private unknownComprehensionRequired(message: StunMessage): number[] {
    const unknown: number[] = [];
    for (const a of message.attributes) {
      if (C.isComprehensionRequired(a.type) && !KNOWN_ATTRIBUTE_TYPES.has(a.type) && !unknown.includes(a.type)) unknown.push(a.type);
    }
    return unknown;
  }

  /**
   * Data indications need a fresh transaction ID (RFC 8489 §6: "effectively random"). lib/ has no CSPRNG
   * dependency, and an indication's ID protects nothing, so a counter mixed with the allocation id is enough.
   */
  private indicationCounter = 0;
  private randomTransactionId(allocation: Allocation, nowMs: number): Uint8Array {
    const id = new Uint8Array(12);
    const view = new DataView(id.buffer);
    view.setUint32(0, allocation.id);
    view.setUint32(4, ++this.indicationCounter);
    view.setUint32(8, nowMs % 0x100000000);
    return id;
  }

  private buildResponse(
    request: { method: number; transactionId: Uint8Array },
    cls: 'success' | 'error',
    attributes: OutgoingAttribute[],
    key?: Uint8Array,
    padding: { ipDatagramBytes: number; family: MtuFamily } | null = null,
  ): Uint8Array {
    const all = this.options.software ? [...attributes, attr(SOFTWARE, this.options.software)] : attributes;
    const init = { cls, method: request.method, transactionId: request.transactionId, attributes: all };
    const options = { integrity: key ? { key, crypto: this.options.crypto } : undefined, fingerprint: true };
    if (padding) {
      try {
        return encodePaddedMessage(init, options, padding.ipDatagramBytes, padding.family);
      } catch {
        // A size the response cannot be padded to (smaller than the response itself): send it unpadded.
      }
    }
    return encodeMessage(init, options);
  }

  /** A success response to `request` on `tuple`, counted for {@link TurnServerCore.traffic}. */
  private successResponse(request: StunMessage, tuple: FiveTuple, attributes: OutgoingAttribute[], key?: Uint8Array): TurnAction {
    this.countMessage(tuple.transport, 'request', request.method, 'success');
    return { type: 'send', tuple, data: this.buildResponse(request, 'success', attributes, key) };
  }

  /**
   * Counts one message. The key is one number, not a string: this runs for every request, and building a string key
   * cost about a tenth of a Binding's handling time in the core benchmark.
   */
  private countMessage(transport: TurnTransport, cls: 'request' | 'indication', method: number, response: 'success' | 'none' | number): void {
    const key = messageKey(transport, cls, method, response);
    this.messageCounts.set(key, (this.messageCounts.get(key) ?? 0) + 1);
  }

  /** Adds to one relay counter of the allocation and to its transport's total. */
  private countRelay(allocation: Allocation, field: keyof RelayCounters, amount: number): void {
    allocation.counters[field] += amount;
    this.relayTotals[allocation.tuple.transport][field] += amount;
  }

  private errorResponse(
    request: { method: number; transactionId: Uint8Array },
    tuple: FiveTuple,
    code: number,
    options: { key?: Uint8Array; reason?: string; extra?: OutgoingAttribute[] } = {},
  ): TurnAction {
    const reason = options.reason ?? C.ERROR_REASONS[code] ?? 'Error';
    const attributes = [attr(ERROR_CODE, { code, reason }), ...(options.extra ?? [])];
    // Every error response answers a request (indications are never answered, RFC 8489 §6.3.2).
    this.countMessage(tuple.transport, 'request', request.method, code);
    return { type: 'send', tuple, data: this.buildResponse(request, 'error', attributes, options.key) };
  }

  private emit(event: TurnEvent): void {
    const listener = this.options.onEvent;
    if (!listener) return;
    try {
      listener(event);
    } catch {
      // A faulty listener must not take the server down; the event is informational.
    }
  }
}

/** Whether `type` is an attribute this server understands (exported for tests and the 420 logic's callers). */
export function isKnownAttributeType(type: number): boolean {
  return KNOWN_ATTRIBUTE_TYPES.has(type);
}
