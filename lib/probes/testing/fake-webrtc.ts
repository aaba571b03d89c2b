/**
 * Scriptable fakes of the browser APIs behind ProbeEnvironment, for probe unit tests. A FakePeerConnection
 * emits the candidates and ICE errors its script lists (after the given delays) once setLocalDescription is
 * called, and opens its data channel when a remote answer is set, if the script says data flows.
 */
import type {
  DataChannelLike,
  FetchLike,
  IceCandidateErrorEventLike,
  IceCandidateEventLike,
  PeerConnectionConfigLike,
  PeerConnectionLike,
  ProbeEnvironment,
  SessionDescriptionLike,
  StatsEntry,
  WebSocketLike,
} from '../types';
import { FakeQualityChannel, FakeQualityServer, type FakeQualityPeer } from './fake-quality-peer';

/** What one fake peer connection does. */
export interface PeerScript {
  candidates?: Array<{ afterMs: number; line: string; relayProtocol?: string }>;
  errors?: Array<{ afterMs: number; errorCode: number; errorText: string; url: string }>;
  /** Whether the data channel opens and echoes once the answer is set. */
  dataFlows?: boolean;
  /** Drop every n-th message instead of echoing it (a lossy path). */
  dropEvery?: number;
  /** Drop every message longer than this many characters (large packets lost on the path: an MTU black hole). */
  dropLargerThan?: number;
  /** Delay of each echo in ms (default 1). */
  echoDelayMs?: number;
  /** ICE gives up (iceConnectionState and connectionState `failed`) this many ms after the answer is set. */
  iceFailsAfterMs?: number;
  /** The selected pair's `currentRoundTripTime` in getStats, ms (default 2). */
  pairRttMs?: number;
  /** Extra fields of the selected pair's local and remote candidate in getStats (e.g. `protocol`, `tcpType`). */
  selectedPair?: { local?: Record<string, unknown>; remote?: Record<string, unknown> };
  /**
   * Channels with the media-quality labels talk to a fake media peer (./fake-quality-peer.ts) that behaves like this,
   * once the answer is set and `dataFlows` is true.
   */
  quality?: FakeQualityPeer;
  /** Ends gathering (an `icecandidate` event without a candidate) this many ms after setLocalDescription; default never. */
  endOfCandidatesAfterMs?: number;
  /** SDP of the offer createOffer() returns (default `v=0`): e.g. with a=ice-ufrag / a=ice-pwd for the nat probe. */
  offerSdp?: string;
  /** Extra getStats entries (e.g. `local-candidate` entries with `url`, `networkType`, as the nat and interfaces probes read them). */
  stats?: StatsEntry[];
}

type Listener = (event: never) => void;

class FakeChannel implements DataChannelLike {
  readyState = 'connecting';
  private readonly listeners = new Map<string, Listener[]>();
  echo = false;
  dropEvery = 0;
  dropLargerThan = Infinity;
  echoDelayMs = 1;
  private sentCount = 0;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('channel not open');
    this.sentCount++;
    if (this.dropEvery > 0 && this.sentCount % this.dropEvery === 0) return;
    if (data.length > this.dropLargerThan) return;
    if (this.echo) setTimeout(() => this.emit('message', { data }), this.echoDelayMs);
  }
  close(): void {
    this.readyState = 'closed';
  }
}

/** A scriptable RTCPeerConnection stand-in. */
export class FakePeerConnection implements PeerConnectionLike {
  connectionState = 'new';
  iceConnectionState = 'new';
  localDescription: SessionDescriptionLike | null = null;
  closed = false;
  readonly config: PeerConnectionConfigLike;
  private readonly script: PeerScript;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private channel?: FakeChannel;
  /** The fake media peer behind this connection's media-quality channels, when the script has one. */
  qualityServer?: FakeQualityServer;

  constructor(config: PeerConnectionConfigLike, script: PeerScript) {
    this.config = config;
    this.script = script;
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  private emit(type: string, event: IceCandidateEventLike | IceCandidateErrorEventLike): void {
    if (this.closed) return;
    for (const l of this.listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  createDataChannel(label = ''): DataChannelLike {
    if (this.script.quality) {
      this.qualityServer ??= new FakeQualityServer(this.script.quality);
      const channel = new FakeQualityChannel(label);
      if (this.qualityServer.adopt(channel)) return channel;
    }
    this.channel = new FakeChannel();
    return this.channel;
  }
  async createOffer(): Promise<SessionDescriptionLike> {
    return { type: 'offer', sdp: this.script.offerSdp ?? 'v=0\r\n' };
  }
  async setLocalDescription(description?: SessionDescriptionLike): Promise<void> {
    this.localDescription = description ?? null;
    for (const c of this.script.candidates ?? []) {
      this.timers.push(
        setTimeout(() => {
          const typ = /typ (\w+)/.exec(c.line)?.[1] ?? null;
          this.emit('icecandidate', { candidate: { candidate: c.line, type: typ, relayProtocol: c.relayProtocol ?? null } });
        }, c.afterMs),
      );
    }
    const endAfter = this.script.endOfCandidatesAfterMs;
    if (endAfter !== undefined) this.timers.push(setTimeout(() => this.emit('icecandidate', { candidate: null }), endAfter));
    for (const e of this.script.errors ?? []) {
      this.timers.push(setTimeout(() => this.emit('icecandidateerror', { errorCode: e.errorCode, errorText: e.errorText, url: e.url }), e.afterMs));
    }
  }
  async setRemoteDescription(): Promise<void> {
    const failAfter = this.script.iceFailsAfterMs;
    if (failAfter !== undefined) {
      this.timers.push(
        setTimeout(() => {
          this.iceConnectionState = 'failed';
          this.connectionState = 'failed';
          for (const type of ['iceconnectionstatechange', 'connectionstatechange']) for (const l of this.listeners.get(type) ?? []) (l as () => void)();
        }, failAfter),
      );
    }
    if (this.script.dataFlows && this.qualityServer) this.qualityServer.open();
    if (this.script.dataFlows && this.channel) {
      const channel = this.channel;
      channel.echo = true;
      channel.dropEvery = this.script.dropEvery ?? 0;
      channel.dropLargerThan = this.script.dropLargerThan ?? Infinity;
      channel.echoDelayMs = this.script.echoDelayMs ?? 1;
      this.timers.push(
        setTimeout(() => {
          channel.readyState = 'open';
          channel.emit('open', {});
        }, 5),
      );
    }
  }
  async getStats(): Promise<{ forEach(cb: (e: StatsEntry) => void): void }> {
    const entries: StatsEntry[] = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: (this.script.pairRttMs ?? 2) / 1000 },
      { id: 'L', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', address: '203.0.113.10', port: 50000, ...this.script.selectedPair?.local },
      { id: 'R', type: 'remote-candidate', candidateType: 'host', address: '203.0.113.10', port: 60000, ...this.script.selectedPair?.remote },
      ...(this.script.stats ?? []),
    ];
    return { forEach: (cb) => entries.forEach(cb) };
  }
  close(): void {
    this.closed = true;
    this.timers.forEach(clearTimeout);
    this.channel?.close();
    this.qualityServer?.close();
    for (const channel of [this.qualityServer?.data, this.qualityServer?.control]) channel?.close();
  }
}

/**
 * Creates an environment whose peer connections follow `scriptFor(config)` and whose fetch is `fetch`;
 * `resourceTiming`, when given, answers the Resource Timing lookups.
 */
export function fakeEnvironment(
  scriptFor: (config: PeerConnectionConfigLike) => PeerScript,
  fetch: FetchLike,
  resourceTiming?: ProbeEnvironment['resourceTiming'],
): ProbeEnvironment & { peers: FakePeerConnection[] } {
  const peers: FakePeerConnection[] = [];
  let counter = 0;
  return {
    peers,
    createPeerConnection(config) {
      const pc = new FakePeerConnection(config, scriptFor(config));
      peers.push(pc);
      return pc;
    },
    fetch,
    now: () => performance.now(),
    randomId: () => `id-${++counter}`,
    ...(resourceTiming ? { resourceTiming } : {}),
  };
}

/** How a fake WebSocket behaves: opens and echoes, is refused (error + close 1006), or never answers. */
export type WebSocketBehaviour = 'echo' | 'refused' | 'silent';

/** A scriptable WebSocket stand-in (see WebSocketBehaviour). */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, Array<(event: never) => void>>();
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];

  constructor(
    readonly url: string,
    behaviour: WebSocketBehaviour,
  ) {
    if (behaviour === 'echo') {
      this.timers.push(setTimeout(() => ((this.readyState = 1), this.emit('open', {})), 2));
    } else if (behaviour === 'refused') {
      this.timers.push(
        setTimeout(() => {
          this.readyState = 3;
          this.emit('error', {});
          this.emit('close', { code: 1006, reason: '', wasClean: false });
        }, 2),
      );
    }
  }
  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  private emit(type: string, event: unknown): void {
    if (this.closed && type !== 'close') return;
    for (const l of this.listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.timers.push(setTimeout(() => this.emit('message', { data }), 1));
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
    this.timers.forEach(clearTimeout);
  }
}

/** A `createWebSocket` whose sockets behave as `behaviourFor(url)` says; `sockets` lists every one made. */
export function fakeWebSockets(behaviourFor: (url: string) => WebSocketBehaviour): { createWebSocket(url: string): FakeWebSocket; sockets: FakeWebSocket[] } {
  const sockets: FakeWebSocket[] = [];
  return {
    sockets,
    createWebSocket(url) {
      const socket = new FakeWebSocket(url, behaviourFor(url));
      sockets.push(socket);
      return socket;
    },
  };
}
