/**
 * The shape every probe shares, and the injected context through which probes reach browser APIs.
 * Probes measure and record evidence; they never decide severity or format UI text (shared/STYLE.md).
 * The interfaces below are the structural subset of the WebRTC/fetch APIs the probes use, so a real
 * RTCPeerConnection satisfies them and unit tests can pass small fakes.
 */
import type { Evidence, ProbeOutcome, ProbeStatus, WebRtcCapabilities } from '../schema/result';

/** One ICE server entry (subset of RTCIceServer). */
export interface IceServerLike {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Peer connection configuration (subset of RTCConfiguration). */
export interface PeerConnectionConfigLike {
  iceServers: IceServerLike[];
  iceTransportPolicy?: 'all' | 'relay';
  iceCandidatePoolSize?: number;
}

/** Session description (subset of RTCSessionDescriptionInit). */
export interface SessionDescriptionLike {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** An ICE candidate as delivered by `icecandidate` (subset of RTCIceCandidate). */
export interface IceCandidateLike {
  candidate: string;
  type?: string | null;
  protocol?: string | null;
  address?: string | null;
  port?: number | null;
  relayProtocol?: string | null;
  url?: string | null;
}

/** `icecandidate` event (subset). `candidate` is null at end of gathering. */
export interface IceCandidateEventLike {
  candidate: IceCandidateLike | null;
  url?: string | null;
}

/** `icecandidateerror` event (subset of RTCPeerConnectionIceErrorEvent). */
export interface IceCandidateErrorEventLike {
  errorCode: number;
  errorText: string;
  url: string;
  address?: string | null;
  port?: number | null;
}

/** Data channel (subset of RTCDataChannel). */
export interface DataChannelLike {
  readonly readyState: string;
  /** Bytes queued by send() and not yet handed to the network (the media-quality probe paces its bursts by it). */
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** One getStats() report entry: a plain record with `type` and `id`. */
export type StatsEntry = { id: string; type: string } & Record<string, unknown>;

/** Peer connection (subset of RTCPeerConnection). */
export interface PeerConnectionLike {
  readonly connectionState: string;
  readonly iceConnectionState: string;
  readonly localDescription: SessionDescriptionLike | null;
  createDataChannel(label: string, init?: { ordered?: boolean; maxRetransmits?: number }): DataChannelLike;
  createOffer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description?: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  getStats(): Promise<{ forEach(callback: (entry: StatsEntry) => void): void }>;
  close(): void;
  addEventListener(type: 'icecandidate', listener: (event: IceCandidateEventLike) => void): void;
  addEventListener(type: 'icecandidateerror', listener: (event: IceCandidateErrorEventLike) => void): void;
  addEventListener(type: 'connectionstatechange' | 'iceconnectionstatechange', listener: () => void): void;
}

/** Minimal fetch response. */
export interface HttpResponseLike {
  readonly status: number;
  json(): Promise<unknown>;
}

/**
 * Minimal fetch. `mode` defaults to `cors`; `no-cors` asks only whether the host answered at all (the response is
 * opaque: status 0, no body) — the one way a page can tell "reachable" from "blocked" for a host that sends no
 * CORS headers.
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal; mode?: 'cors' | 'no-cors' },
) => Promise<HttpResponseLike>;

/**
 * One Resource Timing entry (subset of PerformanceResourceTiming), in ms on the `now()` clock. Cross-origin
 * entries carry the connection phases only when the server sent `Timing-Allow-Origin`; otherwise they are 0.
 */
export interface ResourceTimingLike {
  name: string;
  startTime: number;
  fetchStart: number;
  domainLookupStart: number;
  domainLookupEnd: number;
  connectStart: number;
  connectEnd: number;
  secureConnectionStart: number;
  requestStart: number;
  responseStart: number;
  responseEnd: number;
  /** ALPN protocol of the connection (`h2`, `http/1.1`), '' when not exposed. */
  nextHopProtocol: string;
}

/** A WebSocket (subset of the browser's WebSocket). */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string; wasClean: boolean }) => void): void;
}

/**
 * A proxy's request for credentials (HTTP 407 Proxy Authentication Required) that the browser received for one
 * of the page's requests. A page never sees these — Chromium answers them from its credential cache, asks the
 * person, or (headless) waits — so only the program driving the browser can report them (the CLI reads
 * `Fetch.authRequired` with `source: "Proxy"` from the DevTools protocol).
 */
export interface ProxyAuthChallengeLike {
  /** The proxy that asked, as an origin (`http://10.0.0.1:3128`). */
  proxy: string;
  /** Authentication scheme it offered, lower case (`basic`, `negotiate`, `ntlm`, `digest`). */
  scheme: string;
  /** Its realm ('' when none). */
  realm: string;
  /** The request it was asked for. */
  url: string;
}

/** What the program driving the browser saw of the page's requests so far. */
export interface ProxyAuthReportLike {
  /** Requests of the page it watched (each one passed through the DevTools protocol's Fetch domain). */
  requestsWatched: number;
  /** One entry per request a proxy answered with 407, oldest first. */
  challenges: ProxyAuthChallengeLike[];
}

/**
 * The deep check's media permission (issue 11): browsers show a page its network interfaces only after it was granted
 * microphone or camera access, so the runner may ask for it before the run (and releases the tracks at once).
 * `unavailable` covers "no navigator.mediaDevices" (not a secure context) and "no device" (NotFoundError).
 */
export interface MediaAccessReport {
  requested: boolean;
  state: 'not-requested' | 'granted' | 'denied' | 'unavailable';
  /** DOMException name and message, or why access is unavailable. */
  error?: string;
}

/** Everything a probe may touch, injected by the runner (browser adapter or a unit test). */
export interface ProbeEnvironment {
  /** Creates a peer connection (the browser's RTCPeerConnection). */
  createPeerConnection(config: PeerConnectionConfigLike): PeerConnectionLike;
  /** fetch(). */
  fetch: FetchLike;
  /** Monotonic clock in milliseconds (performance.now()). */
  now(): number;
  /** Random identifier (a v4 UUID in the browser). */
  randomId(): string;
  /**
   * The Resource Timing entry of a completed fetch of `url` (performance.getEntriesByName), waiting briefly
   * for it to be recorded; null when there is none. Optional: without it, timing probes record "unavailable".
   */
  resourceTiming?(url: string, signal: AbortSignal): Promise<ResourceTimingLike | null>;
  /** Opens a WebSocket (the browser's `new WebSocket(url)`). Optional: without it, the WebSocket probe is skipped. */
  createWebSocket?(url: string): WebSocketLike;
  /**
   * The proxy sign-in requests (407) the browser received for this page so far, as reported by the program
   * driving the browser (the CLI). Optional: absent in a browser a person opened — the proxy-auth probe then says
   * it cannot tell.
   */
  proxyAuthReport?(): Promise<ProxyAuthReportLike>;
  /**
   * How the deep check's media permission request ended before this run (issue 11). Optional: absent means the
   * default mode (`not-requested`).
   */
  mediaAccess?(): MediaAccessReport;
  /**
   * What this browser offers of WebRTC (issue 18), read once before the run (lib/engine/client-info.ts). Recorded in
   * the result's `client`; the diagnosis reads `peerConnection: false` as `webrtc-unavailable`. Optional: absent,
   * nothing is assumed.
   */
  webrtc?: WebRtcCapabilities;
}

/** What a running probe receives. */
export interface ProbeContext {
  env: ProbeEnvironment;
  /** Aborted when the probe's own deadline passes or the run is cancelled/out of budget. */
  signal: AbortSignal;
  /** Milliseconds this probe may take (its own deadline; `signal` fires at this point). */
  timeoutMs: number;
  /** Base URL of the probe server's HTTP API (no trailing slash). */
  probeUrl: string;
  /** Outcomes of the probes this one depends on, by id. */
  deps: Readonly<Record<string, ProbeOutcome>>;
  /** Private hand-offs (ProbeReport.handoff) of the probes this one depends on, by id. */
  handoffs: Readonly<Record<string, unknown>>;
  /** Reports a short progress message (shown live). */
  progress(message: string): void;
  /**
   * Moves this probe's deadline to `wantedMs` after its start when that is later, within the run's budget; returns the
   * deadline now in force, ms after the start. For a probe whose network step is already proven and only time stands
   * between it and its result (a data channel open through a relay, whose echoes a lossy path delays): never to wait
   * longer for something that has not shown up. Optional: absent (a caller without an engine), nothing moves.
   */
  extendDeadline?(wantedMs: number): number;
}

/** What a probe's run() returns; the engine adds durationMs. */
export interface ProbeReport {
  status: ProbeStatus;
  /** Why it ended so; required for fail/skipped/inconclusive. */
  reason?: string;
  data: Record<string, unknown>;
  evidence: Evidence[];
  /**
   * Values for dependent probes that must not be recorded in the shareable result (e.g. TURN credentials).
   */
  handoff?: unknown;
}

/** The report of a probe that did not run, and why (required for `skipped`). */
export function skippedReport(reason: string, data: Record<string, unknown> = {}): ProbeReport {
  return { status: 'skipped', reason, data, evidence: [] };
}

/** A probe in a plan. */
export interface Probe {
  /** Stable id: key in `result.probes`. */
  id: string;
  /** Short human title for progress display. */
  title: string;
  /** Ids of probes that must finish (status pass or warn) before this one starts. */
  dependsOn?: string[];
  /**
   * Ids of probes that must have finished — with any outcome — before this one starts. Unlike dependsOn, their
   * outcomes are not handed over and their failure does not skip this probe: for a probe that looks back at what
   * others did (e.g. which of their requests a proxy challenged).
   */
  runsAfter?: string[];
  /**
   * Runs after every other probe of the plan has finished, with any outcome (like runsAfter naming them all): for a
   * probe that checks the run as a whole, such as whether the test server still answers at its end.
   */
  runsLast?: boolean;
  /**
   * The probe ends on an answer from netready's probe server (media-quality's report), so its own outcome shows
   * whether the server was still there at its end: a `runsLast` probe does not wait for it, and the run's last
   * step overlaps its tail instead of adding a round trip after it (issue 16).
   */
  endsWithServerAnswer?: boolean;
  /** This probe's own deadline in ms (default: the plan's, adapted to the round trip measured early in the run). */
  timeoutMs?: number;
  /**
   * While this probe runs, the engine asks this each time another probe finishes: a reason when the outcomes so far
   * already imply this probe's own (TURN over UDP where UDP reached no port of the server; a quality stream where no
   * path exists), so it must not hold the run. The probe is then stopped and recorded `skipped` with that reason and
   * whatever it had recorded. Pure; null to go on.
   */
  abandonWhen?(finished: Readonly<Record<string, ProbeOutcome>>): string | null;
  /** Runs the probe. Must release every resource in `finally`, and resolve promptly once `ctx.signal` aborts. */
  run(ctx: ProbeContext): Promise<ProbeReport>;
}
