/**
 * Server-side WebRTC media peer: answers a browser's DataChannel offer with a werift peer whose only ICE
 * candidate is the probe server's public IP and a port from the configured UDP range, and echoes every
 * DataChannel message straight back so the page can measure RTT and loss.
 *
 * The TURN server only permits relays towards the configured media-peer IP and port range, so this peer must
 * bind and advertise exactly those: no interface enumeration, no STUN/TURN servers, no TCP, no mDNS.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { RTCDtlsTransport, RTCPeerConnection, type RTCDataChannel } from 'werift';
import { DEFAULT_QUALITY_LIMITS } from '../../lib/protocol/media-quality/responder';
import { QUALITY_PROTOCOL_VERSION, type QualityLimits } from '../../lib/protocol/media-quality/wire';
import { BurstGate, isQualityLabel, QualityPeer } from './quality-peer';
import { followLatestNomination } from './ice-tuning';
import { honourPartialReliability, shortenInitialRto } from './sctp-tuning';

/** Why `answer()` (or the constructor) refused. */
export type MediaPeerErrorCode =
  /** The constructor options are invalid (addresses, port range, limits). */
  | 'config'
  /** The offer is not an SDP offer werift can answer with a DataChannel. */
  | 'bad-offer'
  /** `maxPeers` peers are already active. */
  | 'capacity'
  /** Gathering produced no candidate in time (typically: every port in the range is in use). */
  | 'no-candidate'
  /** The server was closed (before or while answering). */
  | 'closed'
  /**
   * ICE failed (or closed) while answering: the offer gives werift nothing it can use — typically no candidate and
   * `a=end-of-candidates` (a browser that gathered nothing, Firefox on loopback). The offer's fault, not the server's
   * (issue 18: a 4xx, never a 500).
   */
  | 'ice-failed';

/** The one error type this module throws; `code` says why, `cause` carries werift's error if any. */
export class MediaPeerError extends Error {
  /** Stable reason, for the HTTP layer's code→status map. */
  readonly code: MediaPeerErrorCode;

  /** Creates an error with a stable `code` and an optional underlying `cause`. */
  constructor(code: MediaPeerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaPeerError';
    this.code = code;
  }
}

/** Why a peer was closed. */
export type MediaPeerCloseReason =
  /** `peerTtlMs` elapsed since the answer was created. */
  | 'ttl'
  /** ICE did not connect within `connectTimeoutMs`. */
  | 'connect-timeout'
  /** ICE or DTLS failed (werift connection state `failed`). */
  | 'ice-failed'
  /** werift reported the connection closed (e.g. the remote sent a DTLS close). */
  | 'ice-closed'
  /** Every DataChannel the remote opened has closed. */
  | 'channel-closed'
  /** `MediaPeerServer.close()` was called. */
  | 'server-closed';

/** Event emitted by a `MediaPeerServer`, for logs and for "what the server saw" evidence. */
export type MediaPeerEvent =
  | {
      type: 'peer-created';
      peerId: string;
      sessionId: string;
      label?: string;
      /** The advertised candidate address (= `publicIp`) and the bound UDP port. */
      localAddress: string;
      localPort: number;
      /** Time from the `answer()` call to the answer SDP being ready. */
      answerMs: number;
    }
  | {
      type: 'peer-connected';
      peerId: string;
      sessionId: string;
      /**
       * The remote address ICE selected, as this server saw it. For a relay-only browser this is the TURN
       * relay's address (candidate type `relay` if it was in the offer, `prflx` if learnt from a check).
       */
      remoteAddress: string;
      remotePort: number;
      /** `'host' | 'srflx' | 'prflx' | 'relay'` as werift classified the remote candidate. */
      remoteCandidateType: string;
      /** Time from peer creation to ICE connected. */
      connectMs: number;
    }
  | {
      /**
       * The browser moved the connection to another candidate pair after it connected (issue 11: e.g. from the relay
       * it connected through first to a direct host pair): the client address media now comes from, as this server
       * sees it. Without it, what the server saw would stay the first pair's address.
       */
      type: 'peer-path-switched';
      peerId: string;
      sessionId: string;
      remoteAddress: string;
      remotePort: number;
      remoteCandidateType: string;
      /** Switches so far, this one included. */
      pathSwitches: number;
    }
  | {
      type: 'channel-open';
      peerId: string;
      sessionId: string;
      channelLabel: string;
      ordered: boolean;
      /** `null` for a reliable channel; 0 for the loss-measurement channel. */
      maxRetransmits: number | null;
    }
  | {
      type: 'peer-closed';
      peerId: string;
      sessionId: string;
      reason: MediaPeerCloseReason;
      /** Messages and payload bytes echoed over the peer's lifetime, all channels. */
      echoedMessages: number;
      echoedBytes: number;
      /** Messages not echoed because the channel's send queue was over its limit (a flooding client). */
      droppedMessages: number;
      lifetimeMs: number;
    };

/** Receives media-peer events. Exceptions it throws are caught and ignored. */
export type MediaPeerEventListener = (event: MediaPeerEvent) => void;

/** Options of a `MediaPeerServer`. */
export interface MediaPeerServerOptions {
  /** Local IP literal the UDP sockets bind to, e.g. `0.0.0.0` or the public address itself. */
  bindIp: string;
  /** IP literal advertised as the only (host) candidate; what the TURN server permits. Not a wildcard. */
  publicIp: string;
  /** Lowest UDP port a peer may bind (inclusive). */
  portMin: number;
  /** Highest UDP port a peer may bind (inclusive); must be greater than `portMin` (werift rejects equal). */
  portMax: number;
  /** Most peers alive at once (answering or answered); further `answer()` calls reject. Default 64. */
  maxPeers?: number;
  /** Lifetime of a peer from its answer, in milliseconds. Default 60 000. */
  peerTtlMs?: number;
  /** Close a peer whose ICE has not connected this long after its answer, in milliseconds. Default 15 000. */
  connectTimeoutMs?: number;
  /** Upper bound for local candidate gathering, in milliseconds (it is all local). Default 500. */
  gatherTimeoutMs?: number;
  /** Largest offer accepted, in bytes of SDP text. Default 65 536. */
  maxOfferBytes?: number;
  /** Event sink. */
  onEvent?: MediaPeerEventListener;
  /**
   * Told of every UDP datagram a peer's ICE sockets send or receive once it has answered (the per-session capture,
   * issue 20): ICE checks, DTLS, SCTP. Called on the packet path: keep it cheap; what it throws is dropped.
   */
  onDatagram?: (datagram: PeerDatagram) => void;
  /**
   * The media-quality protocol (lib/protocol/media-quality/wire.ts): limits announced to and enforced on each
   * session (default DEFAULT_QUALITY_LIMITS), and the most throughput bursts the server sends at once across all
   * sessions (default 4; more are refused `busy`).
   */
  quality?: { limits?: Partial<QualityLimits>; maxConcurrentBursts?: number };
}

/** One UDP datagram of a media peer, as its socket sent or received it. */
export interface PeerDatagram {
  sessionId: string;
  /** The peer's socket. */
  local: { ip: string; port: number };
  /** The browser's (or a relay's) address. */
  remote: { ip: string; port: number };
  data: Uint8Array;
  /** Received (true) or sent (false). */
  inbound: boolean;
}

/** werift 0.24's UDP transport as far as the datagram tap uses it (werift/lib/common/src/transport.js). */
interface WeriftUdpTransportLike {
  socket?: { address(): { address: string; port: number } };
  rinfo?: { address: string; port: number };
  send: (data: Buffer, addr?: [string, number]) => Promise<void>;
  onData: (data: Buffer, addr: [string, number]) => void;
}

/**
 * Taps the UDP sockets werift's ICE gathered for `pc` (after gathering: werift sets each socket's `onData` when it
 * makes it): every datagram in and out goes to `listener`. werift 0.24 keeps them in its Connection's private
 * `protocols` (a StunProtocol's `transport`, with a writable `send` and `onData`); a shape it does not recognise is
 * left alone, so a werift update can lose the tap, never the peer.
 */
function tapDatagrams(pc: RTCPeerConnection, sessionId: string, listener: (datagram: PeerDatagram) => void): void {
  for (const iceTransport of pc.iceTransports) {
    const protocols = (iceTransport.connection as unknown as { protocols?: unknown }).protocols;
    if (!Array.isArray(protocols)) continue;
    for (const protocol of protocols as Array<{ transport?: Partial<WeriftUdpTransportLike> }>) {
      const udp = protocol.transport;
      if (!udp?.socket || typeof udp.send !== 'function' || typeof udp.onData !== 'function') continue;
      let local: PeerDatagram['local'];
      try {
        const bound = udp.socket.address();
        local = { ip: bound.address, port: bound.port };
      } catch {
        continue;
      }
      const emit = (data: Uint8Array, remote: readonly [unknown, unknown], inbound: boolean): void => {
        try {
          listener({ sessionId, local, remote: { ip: String(remote[0]), port: Number(remote[1]) }, data, inbound });
        } catch {
          // The capture never breaks the media path.
        }
      };
      const send = udp.send;
      const onData = udp.onData;
      udp.send = (data, addr) => {
        const to = addr ?? (udp.rinfo ? ([udp.rinfo.address, udp.rinfo.port] as const) : undefined);
        if (to) emit(data, to, false);
        return send(data, addr);
      };
      udp.onData = (data, addr) => {
        emit(data, addr, true);
        onData(data, addr);
      };
    }
  }
}

/** What `answer()` resolves with. */
export interface MediaPeerAnswer {
  /** Opaque id of the created peer (appears in every event about it). */
  peerId: string;
  /** Complete answer SDP, candidates included (no trickle). */
  sdp: string;
  /** The media-quality protocol version and limits this peer serves (what its `hello` would answer). */
  quality: { version: number; limits: QualityLimits };
}

/** Point-in-time view of one live peer. */
export interface MediaPeerSnapshot {
  peerId: string;
  sessionId: string;
  label?: string;
  /** Bound UDP port, once gathered. */
  localPort?: number;
  /** Selected remote address, once ICE connected. */
  remote?: { address: string; port: number; candidateType: string };
  echoedMessages: number;
  echoedBytes: number;
  droppedMessages: number;
  /** How often the browser moved the connection to another candidate pair after it connected (ice-tuning.ts). */
  pathSwitches: number;
  /** Milliseconds since the peer was created. */
  ageMs: number;
}

interface PeerEntry {
  readonly peerId: string;
  readonly sessionId: string;
  readonly label?: string;
  readonly pc: RTCPeerConnection;
  readonly createdAtMs: number;
  readonly timers: ReturnType<typeof setTimeout>[];
  /** Channels the remote opened that have not closed yet. */
  readonly openChannels: Set<RTCDataChannel>;
  /** Aborted when the peer must stop while `answer()` still owns it. */
  readonly answerAbort: AbortController;
  /** Settles once `answer()` returned or finished cleaning up after a failure. */
  readonly answerDone: Promise<void>;
  localPort?: number;
  remote?: { address: string; port: number; candidateType: string };
  /** True once the answer was returned; from then on the peer is closed by `#closePeer`. */
  answered: boolean;
  echoedMessages: number;
  echoedBytes: number;
  droppedMessages: number;
  /** How often the browser moved the connection to another candidate pair after it connected. */
  pathSwitches: number;
  /** The media-quality session, once the page opened one of its channels. */
  quality?: QualityPeer;
  /** Set once closing started; the promise resolves when werift has released everything. */
  closing?: Promise<void>;
}

const DEFAULT_MAX_PEERS = 64;
const DEFAULT_PEER_TTL_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_GATHER_TIMEOUT_MS = 500;
const DEFAULT_MAX_OFFER_BYTES = 65_536;
const DEFAULT_MAX_CONCURRENT_BURSTS = 4;
/**
 * Echoes are skipped (and counted as dropped) while a channel has more than this queued: a client that
 * sends faster than the path back can carry would otherwise grow werift's send queue until the TTL.
 */
const ECHO_BUFFER_LIMIT_BYTES = 1024 * 1024;

/**
 * Answers DataChannel offers with short-lived werift peers bound to one IP and a UDP port range, and echoes
 * their messages. Construct, call `answer()` per browser offer, and `close()` on shutdown.
 * The constructor only validates options; sockets are opened per `answer()`.
 */
export class MediaPeerServer {
  readonly #bindIp: string;
  readonly #publicIp: string;
  readonly #portRange: [number, number];
  readonly #maxPeers: number;
  readonly #peerTtlMs: number;
  readonly #connectTimeoutMs: number;
  readonly #gatherTimeoutMs: number;
  readonly #maxOfferBytes: number;
  readonly #onEvent?: MediaPeerEventListener;
  readonly #onDatagram?: (datagram: PeerDatagram) => void;
  readonly #qualityLimits: QualityLimits;
  readonly #bursts: BurstGate;
  readonly #peers = new Map<string, PeerEntry>();
  /**
   * Serialises candidate gathering. werift picks a port by test-binding each port from `portMin` upwards,
   * closing the probe socket and binding again; two peers gathering at once can pick the same port and the
   * loser's bind error is an unhandled 'error' event. Gathering takes a few ms, so a queue costs nothing.
   */
  #gatherQueue: Promise<void> = Promise.resolve();
  #closed = false;

  /** Validates and stores the options; opens nothing. Throws `MediaPeerError('config')` on bad options. */
  constructor(options: MediaPeerServerOptions) {
    const family = isIP(options.bindIp);
    if (family === 0) throw new MediaPeerError('config', `bindIp is not an IP literal: ${options.bindIp}`);
    if (isIP(options.publicIp) !== family) {
      throw new MediaPeerError('config', `publicIp must be an IPv${family} literal like bindIp: ${options.publicIp}`);
    }
    if (options.publicIp === '0.0.0.0' || options.publicIp === '::') {
      throw new MediaPeerError('config', 'publicIp must be a routable address, not a wildcard');
    }
    const { portMin, portMax } = options;
    if (!isPort(portMin) || !isPort(portMax) || portMin === 0 || portMin >= portMax) {
      throw new MediaPeerError('config', `need 1 <= portMin < portMax <= 65535, got ${portMin}–${portMax}`);
    }
    this.#bindIp = options.bindIp;
    this.#publicIp = options.publicIp;
    this.#portRange = [portMin, portMax];
    this.#maxPeers = positiveInt(options.maxPeers ?? DEFAULT_MAX_PEERS, 'maxPeers');
    this.#peerTtlMs = positiveInt(options.peerTtlMs ?? DEFAULT_PEER_TTL_MS, 'peerTtlMs');
    this.#connectTimeoutMs = positiveInt(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    this.#gatherTimeoutMs = positiveInt(options.gatherTimeoutMs ?? DEFAULT_GATHER_TIMEOUT_MS, 'gatherTimeoutMs');
    this.#maxOfferBytes = positiveInt(options.maxOfferBytes ?? DEFAULT_MAX_OFFER_BYTES, 'maxOfferBytes');
    this.#onEvent = options.onEvent;
    this.#onDatagram = options.onDatagram;
    this.#qualityLimits = { ...DEFAULT_QUALITY_LIMITS, ...options.quality?.limits };
    for (const [name, value] of Object.entries(this.#qualityLimits)) {
      if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) throw new MediaPeerError('config', `quality.limits.${name} must be a non-negative number`);
    }
    this.#bursts = new BurstGate(positiveInt(options.quality?.maxConcurrentBursts ?? DEFAULT_MAX_CONCURRENT_BURSTS, 'quality.maxConcurrentBursts'));
  }

  /** Throughput bursts running now across all peers (media-quality protocol), for metrics and the bench. */
  get activeBursts(): number {
    return this.#bursts.active;
  }

  /**
   * Generates werift's process-wide DTLS certificate ahead of the first browser offer, so the first test run
   * does not pay for it (70–120 ms measured). Optional; `answer()` works without it.
   */
  async warmUp(): Promise<void> {
    await RTCDtlsTransport.SetupCertificate();
  }

  /** Number of peers alive (answering or answered). */
  get activePeers(): number {
    return this.#peers.size;
  }

  /** A snapshot of one live peer, or `undefined` if it never existed or has closed. */
  getPeer(peerId: string): MediaPeerSnapshot | undefined {
    const entry = this.#peers.get(peerId);
    if (!entry) return undefined;
    return {
      peerId: entry.peerId,
      sessionId: entry.sessionId,
      ...(entry.label === undefined ? {} : { label: entry.label }),
      ...(entry.localPort === undefined ? {} : { localPort: entry.localPort }),
      ...(entry.remote === undefined ? {} : { remote: { ...entry.remote } }),
      echoedMessages: entry.echoedMessages,
      echoedBytes: entry.echoedBytes,
      droppedMessages: entry.droppedMessages,
      pathSwitches: entry.pathSwitches,
      ageMs: Math.round(performance.now() - entry.createdAtMs),
    };
  }

  /**
   * Answers a DataChannel offer. Resolves with the complete answer SDP (one host candidate,
   * `publicIp`:port-in-range) once local gathering finished; the peer then waits for ICE from the offerer.
   * Rejects with `MediaPeerError` `bad-offer`, `capacity`, `no-candidate`, `closed` or `ice-failed`.
   */
  async answer(offerSdp: string, meta: { sessionId: string; label?: string }): Promise<MediaPeerAnswer> {
    const startedAtMs = performance.now();
    if (this.#closed) throw new MediaPeerError('closed', 'media peer server is closed');
    const sdp = this.#checkOffer(offerSdp);
    if (this.#peers.size >= this.#maxPeers) {
      throw new MediaPeerError('capacity', `${this.#maxPeers} media peers already active`);
    }

    let settle!: () => void;
    const entry: PeerEntry = {
      peerId: randomUUID(),
      sessionId: meta.sessionId,
      ...(meta.label === undefined ? {} : { label: meta.label }),
      pc: new RTCPeerConnection(this.#peerConfig()),
      createdAtMs: startedAtMs,
      timers: [],
      openChannels: new Set(),
      answerAbort: new AbortController(),
      answerDone: new Promise<void>((resolve) => (settle = resolve)),
      answered: false,
      echoedMessages: 0,
      echoedBytes: 0,
      droppedMessages: 0,
      pathSwitches: 0,
    };
    this.#peers.set(entry.peerId, entry);
    const { signal } = entry.answerAbort;

    try {
      this.#wire(entry);
      try {
        await raceAbort(entry.pc.setRemoteDescription({ type: 'offer', sdp }), signal);
      } catch (cause) {
        if (cause instanceof MediaPeerError) throw cause;
        throw new MediaPeerError('bad-offer', `werift rejected the offer: ${errorText(cause)}`, { cause });
      }
      // werift falls back to stun.l.google.com:19302 when no STUN server is configured (Connection
      // constructor: `validateAddress(stunServer) ?? ["stun.l.google.com", 19302]`), so `iceServers: []` alone
      // still makes every answer resolve that name and send it a Binding request, and gathering then waits up
      // to 5 s for it. The transport exists once the offer is applied; gathering starts in setLocalDescription.
      for (const transport of entry.pc.iceTransports) {
        transport.connection.stunServer = undefined;
        // Send on the pair the browser nominated last, not werift's first (./ice-tuning.ts).
        followLatestNomination(transport.connection, () => this.#onPathSwitch(entry));
      }
      const answer = await raceAbort(entry.pc.createAnswer(), signal);
      await this.#gather(entry, preferDtlsServer(answer.sdp));
      if (this.#onDatagram) tapDatagrams(entry.pc, entry.sessionId, this.#onDatagram);

      const answerSdp = entry.pc.localDescription?.sdp ?? '';
      const localPort = findCandidatePort(answerSdp, this.#publicIp);
      if (localPort === undefined) {
        throw new MediaPeerError(
          'no-candidate',
          `no candidate on ${this.#publicIp} in ports ${this.#portRange[0]}–${this.#portRange[1]} (all in use?)`,
        );
      }
      signal.throwIfAborted();
      entry.localPort = localPort;
      entry.answered = true;
      entry.timers.push(
        unrefTimer(() => void this.#closePeer(entry, 'ttl'), this.#peerTtlMs),
        unrefTimer(() => {
          if (!entry.remote) void this.#closePeer(entry, 'connect-timeout');
        }, this.#connectTimeoutMs),
      );
      this.#emit({
        type: 'peer-created',
        peerId: entry.peerId,
        sessionId: entry.sessionId,
        ...(entry.label === undefined ? {} : { label: entry.label }),
        localAddress: this.#publicIp,
        localPort,
        answerMs: round(performance.now() - startedAtMs),
      });
      return { peerId: entry.peerId, sdp: answerSdp, quality: { version: QUALITY_PROTOCOL_VERSION, limits: { ...this.#qualityLimits } } };
    } catch (error) {
      // Never announced, so released without a peer-closed event.
      entry.closing ??= Promise.resolve().then(() => this.#release(entry));
      await entry.closing;
      if (error instanceof MediaPeerError && error.code === 'ice-failed') {
        // Say what was wrong with the offer: the page shows this message (issue 18).
        const candidates = sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:')).length;
        throw new MediaPeerError(
          'ice-failed',
          candidates === 0
            ? 'ICE failed while answering: the offer carries no ICE candidate the media peer could use (the browser gathered no address for this connection)'
            : `ICE failed while answering: none of the offer's ${candidates} ICE candidates could be used`,
          { cause: error },
        );
      }
      if (error instanceof MediaPeerError) throw error;
      throw new MediaPeerError('bad-offer', `could not answer the offer: ${errorText(error)}`, { cause: error });
    } finally {
      settle();
    }
  }

  /** Closes every peer and refuses further offers. Resolves once werift released all sockets. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#peers.values()].map((entry) => this.#closePeer(entry, 'server-closed')));
  }

  #peerConfig(): ConstructorParameters<typeof RTCPeerConnection>[0] {
    const socketType = isIP(this.#bindIp) === 6 ? 'udp6' : 'udp4';
    return {
      // No STUN/TURN: this peer needs no reflexive or relayed candidate (see also the stunServer reset in answer()).
      iceServers: [],
      // No interface enumeration: the only host address is publicIp (added below) ...
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [this.#publicIp],
      // ... and its socket binds bindIp (0.0.0.0 or the public address) on a port in the range.
      iceInterfaceAddresses: { [socketType]: this.#bindIp },
      icePortRange: [...this.#portRange],
      iceUseTcp: false,
      iceUseLinkLocalAddress: false,
    };
  }

  /** Subscribes the peer's lifecycle and echo handlers. */
  #wire(entry: PeerEntry): void {
    const { pc } = entry;
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed') void this.#closePeer(entry, 'ice-failed');
      else if (state === 'closed') void this.#closePeer(entry, 'ice-closed');
    });
    pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'failed') void this.#closePeer(entry, 'ice-failed');
      else if ((state === 'connected' || state === 'completed') && !entry.remote) this.#onIceConnected(entry);
    });
    pc.onDataChannel.subscribe((channel) => this.#echo(entry, channel));
  }

  /** The browser moved to another pair after connecting (./ice-tuning.ts): the remote the snapshot shows follows. */
  #onPathSwitch(entry: PeerEntry): void {
    entry.pathSwitches += 1;
    const pair = entry.pc.iceTransports[0]?.connection.nominated;
    if (!pair || !entry.remote) return;
    const [address, port] = pair.remoteAddr;
    const moved = entry.remote.address !== address || entry.remote.port !== port;
    entry.remote = { address, port, candidateType: pair.remoteCandidate.type };
    if (moved) {
      this.#emit({
        type: 'peer-path-switched',
        peerId: entry.peerId,
        sessionId: entry.sessionId,
        remoteAddress: address,
        remotePort: port,
        remoteCandidateType: pair.remoteCandidate.type,
        pathSwitches: entry.pathSwitches,
      });
    }
  }

  #onIceConnected(entry: PeerEntry): void {
    const pair = entry.pc.iceTransports[0]?.connection.nominated;
    if (!pair) return;
    const [address, port] = pair.remoteAddr;
    entry.remote = { address, port, candidateType: pair.remoteCandidate.type };
    this.#emit({
      type: 'peer-connected',
      peerId: entry.peerId,
      sessionId: entry.sessionId,
      remoteAddress: address,
      remotePort: port,
      remoteCandidateType: pair.remoteCandidate.type,
      connectMs: round(performance.now() - entry.createdAtMs),
    });
  }

  /**
   * Echoes every message of a remote-opened channel back on the same channel, text as text, binary as binary —
   * except the media-quality protocol's two channels, which its QualityPeer serves (./quality-peer.ts).
   */
  #echo(entry: PeerEntry, channel: RTCDataChannel): void {
    entry.openChannels.add(channel);
    // werift retransmits maxRetransmits-0 messages (./sctp-tuning.ts); every unreliable channel must lose what is lost.
    honourPartialReliability(entry.pc);
    // A control answer lost before werift's first round-trip sample would otherwise wait out a 3 s timeout.
    shortenInitialRto(entry.pc);
    this.#emit({
      type: 'channel-open',
      peerId: entry.peerId,
      sessionId: entry.sessionId,
      channelLabel: channel.label,
      ordered: channel.ordered,
      maxRetransmits: channel.maxRetransmits,
    });
    if (isQualityLabel(channel.label)) {
      entry.quality ??= new QualityPeer({ pc: entry.pc, limits: this.#qualityLimits, gate: this.#bursts });
      entry.quality.attach(channel);
    } else {
      channel.onMessage.subscribe((data) => this.#echoMessage(entry, channel, data));
    }
    channel.stateChanged.subscribe((state) => {
      if (state !== 'closed') return;
      entry.openChannels.delete(channel);
      if (entry.openChannels.size === 0) void this.#closePeer(entry, 'channel-closed');
    });
  }

  #echoMessage(entry: PeerEntry, channel: RTCDataChannel, data: string | Buffer): void {
    if (channel.readyState !== 'open') return;
    if (channel.bufferedAmount > ECHO_BUFFER_LIMIT_BYTES) {
      entry.droppedMessages += 1;
      return;
    }
    try {
      channel.send(data);
    } catch {
      // The association went away between receive and send; the state handlers close the peer.
      return;
    }
    entry.echoedMessages += 1;
    entry.echoedBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  /**
   * Runs setLocalDescription (werift gathers inside it) in the server-wide gather queue, bounded by
   * gatherTimeoutMs. Deliberately not cut short by `close()`: werift registers a socket for closing only after
   * its bind finished, so closing mid-bind could leak it; gathering takes ~2 ms, so waiting is cheap. The
   * queue moves on when this peer's gathering finished or timed out.
   */
  async #gather(entry: PeerEntry, answerSdp: string): Promise<void> {
    const previous = this.#gatherQueue;
    let release!: () => void;
    this.#gatherQueue = new Promise<void>((resolve) => (release = resolve));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await raceAbort(previous, entry.answerAbort.signal);
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new MediaPeerError('no-candidate', `candidate gathering took over ${this.#gatherTimeoutMs} ms`)),
          this.#gatherTimeoutMs,
        );
      });
      await Promise.race([entry.pc.setLocalDescription({ type: 'answer', sdp: answerSdp }), timedOut]);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /**
   * Closes a peer once; later calls return the same promise. A peer `answer()` still owns is only asked to
   * stop (its answer rejects and cleans up); an answered peer is released here and announced as closed.
   */
  #closePeer(entry: PeerEntry, reason: MediaPeerCloseReason): Promise<void> {
    if (entry.closing) return entry.closing;
    if (!entry.answered) {
      const message = this.#closed ? 'media peer server closed while answering' : `peer ${reason} while answering`;
      // ICE giving up before the answer exists is about the offer (answer() says what in its message), not the server.
      const code = !this.#closed && (reason === 'ice-failed' || reason === 'ice-closed') ? 'ice-failed' : 'closed';
      entry.answerAbort.abort(new MediaPeerError(code, message));
      return entry.answerDone;
    }
    // Deferred one tick so that `closing` is set before werift's close re-enters via its state events.
    entry.closing = Promise.resolve().then(() => this.#release(entry, reason));
    return entry.closing;
  }

  /** Stops timers, closes the werift peer, forgets it, and announces answered peers as closed. */
  async #release(entry: PeerEntry, reason?: MediaPeerCloseReason): Promise<void> {
    for (const timer of entry.timers) clearTimeout(timer);
    entry.quality?.close();
    try {
      await entry.pc.close();
    } catch {
      // werift's close is best-effort (e.g. a socket already gone); the peer is unusable either way.
    } finally {
      this.#peers.delete(entry.peerId);
      if (entry.answered && reason) {
        this.#emit({
          type: 'peer-closed',
          peerId: entry.peerId,
          sessionId: entry.sessionId,
          reason,
          echoedMessages: entry.echoedMessages,
          echoedBytes: entry.echoedBytes,
          droppedMessages: entry.droppedMessages,
          lifetimeMs: round(performance.now() - entry.createdAtMs),
        });
      }
    }
  }

  /**
   * Cheap structural checks werift does not do (it answers almost anything, even an offer without a
   * DataChannel), and removal of mDNS (`.local`) candidates: this server cannot resolve a browser's mDNS
   * names across the internet, and werift would open a multicast socket and wait 10 s per name. The browser's
   * checks still reach us and become peer-reflexive candidates, so ICE connects without them.
   */
  #checkOffer(offerSdp: string): string {
    if (typeof offerSdp !== 'string' || offerSdp.length === 0) {
      throw new MediaPeerError('bad-offer', 'offer SDP is empty');
    }
    if (Buffer.byteLength(offerSdp) > this.#maxOfferBytes) {
      throw new MediaPeerError('bad-offer', `offer SDP exceeds ${this.#maxOfferBytes} bytes`);
    }
    const lines = offerSdp.split(/\r?\n/).filter((line) => line.length > 0);
    const required: [RegExp, string][] = [
      [/^v=0$/, 'v=0'],
      [/^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel$/, 'an m=application UDP/DTLS/SCTP section'],
      [/^a=ice-ufrag:\S+$/, 'a=ice-ufrag'],
      [/^a=ice-pwd:\S+$/, 'a=ice-pwd'],
      [/^a=fingerprint:\S+ [0-9A-Fa-f:]+$/, 'a=fingerprint'],
    ];
    if (lines[0] !== 'v=0') throw new MediaPeerError('bad-offer', 'offer SDP does not start with v=0');
    for (const [pattern, name] of required) {
      if (!lines.some((line) => pattern.test(line))) throw new MediaPeerError('bad-offer', `offer SDP lacks ${name}`);
    }
    const kept = lines.filter((line) => !isMdnsCandidate(line));
    return `${kept.join('\r\n')}\r\n`;
  }

  #emit(event: MediaPeerEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A listener must not break the peer; its failure is its own problem.
    }
  }
}

/** `a=candidate:… <address> <port> typ …` → the connection address field (RFC 8839 §5.1). */
function isMdnsCandidate(line: string): boolean {
  if (!line.startsWith('a=candidate:')) return false;
  const address = line.split(' ')[4];
  return address !== undefined && address.toLowerCase().endsWith('.local');
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Makes this peer the DTLS server (`a=setup:passive`, allowed for an answer to `actpass`, RFC 8842 §5.3).
 * As DTLS client werift sleeps a fixed 100 ms after ICE connects before sending its ClientHello
 * (RTCDtlsTransport.start); as server it answers the browser's ClientHello as soon as it arrives.
 */
function preferDtlsServer(answerSdp: string): string {
  return answerSdp.replace(/^a=setup:active(\r?)$/gm, 'a=setup:passive$1');
}

/** Port of the first UDP host candidate on `address` in an SDP, if any. */
function findCandidatePort(sdp: string, address: string): number | undefined {
  for (const line of sdp.split(/\r?\n/)) {
    if (!line.startsWith('a=candidate:')) continue;
    const fields = line.split(' ');
    if (fields[2]?.toLowerCase() === 'udp' && fields[4] === address && fields[7] === 'host') {
      const port = Number(fields[5]);
      if (isPort(port)) return port;
    }
  }
  return undefined;
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 65_535;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new MediaPeerError('config', `${name} must be a positive integer`);
  return value;
}

function unrefTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return timer;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
