/**
 * Small WebRTC helpers shared by the network probes: candidate parsing, listening for candidates and ICE
 * errors with timestamps, waiting on events under an AbortSignal, and the DataChannel echo exchange that
 * proves media-path data really flows.
 */
import type {
  DataChannelLike,
  IceCandidateErrorEventLike,
  IceCandidateLike,
  PeerConnectionLike,
  ProbeContext,
  ProbeEnvironment,
  StatsEntry,
} from './types';

/** A candidate reduced to the fields probes report. Wire strings as in RFC 8445 / webrtc-stats. */
export interface CandidateInfo {
  type: string;
  protocol: string;
  address: string;
  port: number;
  relayProtocol?: string;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: string;
  /**
   * Chromium's `network-id` extension: which of the browser's networks (interfaces) gathered this candidate. Relay
   * and server-reflexive candidates carry the id of the network their requests left through.
   */
  networkId?: number;
  /**
   * Chromium's `network-cost` extension (rtc::NetworkCost: 0 ethernet/unknown-but-wired, 10 wifi, 900 cellular,
   * 999 unknown — which is also what every masked host candidate says, since the network stays hidden).
   */
  networkCost?: number;
  /** ms since the probe started. */
  atMs: number;
}

/** An `icecandidateerror`, recorded as evidence. */
export interface IceErrorInfo {
  errorCode: number;
  errorText: string;
  url: string;
  atMs: number;
}

/**
 * Parses an SDP `candidate:` attribute value per RFC 8839 §5.1 grammar:
 * foundation component transport priority address port "typ" type [raddr X] [rport Y] *(key value).
 * Returns null for anything that does not follow the grammar.
 */
export function parseCandidateLine(line: string): Omit<CandidateInfo, 'atMs'> | null {
  const text = line.startsWith('a=') ? line.slice(2) : line;
  const body = text.startsWith('candidate:') ? text.slice('candidate:'.length) : text;
  const parts = body.trim().split(/\s+/);
  if (parts.length < 8 || parts[6] !== 'typ') return null;
  const [, , transport, , address, portText, , type] = parts as [string, string, string, string, string, string, string, string];
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  const info: Omit<CandidateInfo, 'atMs'> = { type, protocol: transport.toLowerCase(), address, port };
  for (let i = 8; i + 1 < parts.length; i += 2) {
    const key = parts[i];
    const value = parts[i + 1]!;
    if (key === 'raddr') info.relatedAddress = value;
    else if (key === 'rport') info.relatedPort = Number(value);
    else if (key === 'tcptype') info.tcpType = value;
    else if (key === 'network-id' || key === 'network-cost') {
      // Both are unsigned integers in Chromium's lines; anything else is not what we think it is, so it stays out.
      if (!/^\d{1,10}$/.test(value)) continue;
      if (key === 'network-id') info.networkId = Number(value);
      else info.networkCost = Number(value);
    }
    // Other extension pairs (generation, ufrag …) are not recorded: nothing reads them.
  }
  return info;
}

/** Converts a browser candidate to CandidateInfo, preferring the typed fields over the SDP line. */
export function toCandidateInfo(candidate: IceCandidateLike, atMs: number): CandidateInfo | null {
  const parsed = parseCandidateLine(candidate.candidate);
  if (!parsed) return null;
  const info: CandidateInfo = {
    ...parsed,
    type: candidate.type ?? parsed.type,
    // Chromium's RTCIceCandidate.address brackets IPv6 literals (`[fd00::2]`); the line and getStats do not.
    address: (candidate.address ?? parsed.address).replace(/^\[(.*)\]$/, '$1'),
    port: candidate.port ?? parsed.port,
    atMs,
  };
  if (candidate.relayProtocol) info.relayProtocol = candidate.relayProtocol;
  return info;
}

/** `icecandidateerror` code Chromium uses both for a failed TURN host lookup and for a failed TURN connection. */
export const ICE_ERROR_TURN_UNREACHABLE = 701;
/** errorText Chromium gives a 701 when the TURN host name did not resolve ("TURN host lookup received error."). */
export const HOST_LOOKUP_TEXT = /host lookup/i;

/**
 * What an ICE error says about a TURN URL: `lookup` — its host name did not resolve (which Chromium also reports
 * for the AAAA lookup on every network without IPv6, so it decides nothing while a relay may still come);
 * `connect-failed` — the TCP/TLS connection to the TURN server could not be made or was given up by the browser
 * (refused, reset, or the browser rejected the server's certificate: Chromium reports all of them as 701 "Failed to
 * establish connection" within a fraction of a second); `server-error` — the TURN server answered with a STUN error
 * (RFC 8489 §14.8 codes 300–699, e.g. 486 Allocation Quota Reached), i.e. the network carried the request and the
 * server refused it; `other` — anything else.
 */
export type IceErrorKind = 'lookup' | 'connect-failed' | 'server-error' | 'other';

/** Classifies an `icecandidateerror` (see IceErrorKind). */
export function classifyIceError(error: Pick<IceErrorInfo, 'errorCode' | 'errorText'>): IceErrorKind {
  if (error.errorCode === ICE_ERROR_TURN_UNREACHABLE) return HOST_LOOKUP_TEXT.test(error.errorText) ? 'lookup' : 'connect-failed';
  if (error.errorCode >= 300 && error.errorCode <= 699) return 'server-error';
  return 'other';
}

/** Whether an ICE server URL names its host by IP literal (`turn:192.0.2.1:3478`, `turns:[2001:db8::1]:443`). */
export function isIpLiteralIceUrl(url: string): boolean {
  const match = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?]+)/.exec(url);
  const host = match?.[1] ?? '';
  return host.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * How long a relay may still arrive after a host-name TURN URL reported `connect-failed`: Chromium tries each address
 * the name resolves to (IPv4 and IPv6) as its own allocation, so one failed connection does not yet decide the
 * URL. An IP-literal URL has one address and is decided by its first failure.
 */
export const HOSTNAME_FAILURE_SETTLE_MS = 500;

/**
 * How waiting for a relay ended early: a relay; an ICE error that already decides the outcome; or the browser ended
 * gathering without either — no relay can come after that (Firefox ends it at once for a `turns:` IP literal it does
 * not try; a silently dropped server keeps gathering open, so it never ends a wait that way).
 */
export type RelayWaitResult =
  | { kind: 'relay'; candidate: CandidateInfo }
  | { kind: 'decided'; error: IceErrorInfo; errorKind: 'connect-failed' | 'server-error' }
  | { kind: 'ended'; atMs: number };

/** Listens to a peer connection's candidates and ICE errors; `waitForType` resolves on the first of a type. */
export class CandidateLog {
  /** Every candidate gathered, in order. */
  readonly candidates: CandidateInfo[] = [];
  /** Every icecandidateerror, in order. */
  readonly errors: IceErrorInfo[] = [];
  /**
   * ms from the start to the end of gathering (the `icecandidate` event without a candidate), when it came. Issue 18:
   * a browser that ends gathering at once with no candidate and no error did not even try a server (Firefox with a
   * `turns:` IP literal, or on loopback) — evidence that a silent network drop, which keeps gathering open, cannot give.
   */
  gatheringCompleteMs?: number;
  private readonly waiters: Array<{ type: string; resolve: (c: CandidateInfo) => void }> = [];
  private readonly errorWaiters: Array<(error: IceErrorInfo) => void> = [];
  private readonly endWaiters: Array<() => void> = [];

  constructor(pc: PeerConnectionLike, env: ProbeEnvironment, startedAt: number) {
    pc.addEventListener('icecandidate', (event) => {
      if (!event.candidate || !event.candidate.candidate) {
        if (this.gatheringCompleteMs !== undefined) return;
        this.gatheringCompleteMs = Math.round(env.now() - startedAt);
        for (const waiter of [...this.endWaiters]) waiter();
        return;
      }
      const info = toCandidateInfo(event.candidate, Math.round(env.now() - startedAt));
      if (!info) return;
      this.candidates.push(info);
      for (const waiter of this.waiters.filter((w) => w.type === info.type)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(info);
      }
    });
    pc.addEventListener('icecandidateerror', (event: IceCandidateErrorEventLike) => {
      const info: IceErrorInfo = {
        errorCode: event.errorCode,
        errorText: event.errorText,
        url: event.url,
        atMs: Math.round(env.now() - startedAt),
      };
      this.errors.push(info);
      for (const waiter of [...this.errorWaiters]) waiter(info);
    });
  }

  /**
   * Waits for a relay candidate of a relay-only peer connection with the single TURN URL `url`, but ends as soon as
   * the outcome is decided without one (a probe must not sit out its deadline when the browser already said no):
   * a STUN error from the TURN server at once; a failed connection at once for an IP-literal URL, and after
   * HOSTNAME_FAILURE_SETTLE_MS without a relay for a host-name URL; and when the browser ends gathering without a
   * relay — decided by the failed connection it reported, if any, else `ended`. Rejects with DeadlineError when
   * `signal` aborts.
   */
  waitForRelayOrDecided(url: string, signal: AbortSignal): Promise<RelayWaitResult> {
    const ipLiteral = isIpLiteralIceUrl(url);
    return untilAborted<RelayWaitResult>(
      signal,
      (resolve) => {
        let done = false;
        let settleTimer: ReturnType<typeof setTimeout> | undefined;
        const relayWaiter = { type: 'relay', resolve: (candidate: CandidateInfo) => finish({ kind: 'relay', candidate }) };
        const cleanUp = (): void => {
          clearTimeout(settleTimer);
          const errorIndex = this.errorWaiters.indexOf(onError);
          if (errorIndex >= 0) this.errorWaiters.splice(errorIndex, 1);
          const endIndex = this.endWaiters.indexOf(onEnd);
          if (endIndex >= 0) this.endWaiters.splice(endIndex, 1);
          const relayIndex = this.waiters.indexOf(relayWaiter);
          if (relayIndex >= 0) this.waiters.splice(relayIndex, 1);
        };
        const finish = (result: RelayWaitResult): void => {
          if (done) return;
          done = true;
          cleanUp();
          resolve(result);
        };
        const onError = (error: IceErrorInfo): void => {
          const errorKind = classifyIceError(error);
          if (errorKind === 'server-error' || (errorKind === 'connect-failed' && ipLiteral)) finish({ kind: 'decided', error, errorKind });
          else if (errorKind === 'connect-failed' && settleTimer === undefined) {
            settleTimer = setTimeout(() => finish({ kind: 'decided', error, errorKind }), HOSTNAME_FAILURE_SETTLE_MS);
          }
        };
        // Gathering over without a relay: a failed connection it reported decides (the error says why), else `ended`.
        const onEnd = (): void => {
          for (const error of this.errors) {
            const errorKind = classifyIceError(error);
            if (errorKind === 'connect-failed' || errorKind === 'server-error') return finish({ kind: 'decided', error, errorKind });
          }
          finish({ kind: 'ended', atMs: this.gatheringCompleteMs ?? 0 });
        };
        signal.addEventListener('abort', cleanUp, { once: true });
        const seen = this.candidates.find((c) => c.type === 'relay');
        if (seen) return finish({ kind: 'relay', candidate: seen });
        this.errorWaiters.push(onError);
        this.waiters.push(relayWaiter);
        this.endWaiters.push(onEnd);
        for (const error of [...this.errors]) onError(error);
        if (this.gatheringCompleteMs !== undefined) onEnd();
      },
      'a relay candidate',
    );
  }


  /** Resolves with the first candidate of `type` (already seen or future); rejects when `signal` aborts. */
  waitForType(type: string, signal: AbortSignal): Promise<CandidateInfo> {
    const seen = this.candidates.find((c) => c.type === type);
    if (seen) return Promise.resolve(seen);
    return untilAborted(signal, (resolve) => {
      this.waiters.push({ type, resolve });
    });
  }
}

/** Error used when a wait is cut short by the probe's deadline. */
export class DeadlineError extends Error {
  constructor(what: string) {
    super(`deadline passed while waiting for ${what}`);
    this.name = 'DeadlineError';
  }
}

/**
 * Wraps a callback-style wait so it rejects with DeadlineError once `signal` aborts.
 * `start` receives the resolve function; it is never called after the promise settled.
 */
export function untilAborted<T>(signal: AbortSignal, start: (resolve: (value: T) => void) => void, what = 'an event'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(new DeadlineError(what));
      return;
    }
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      reject(new DeadlineError(what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    start((value) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/**
 * Waits `ms` (pacing a measured stream or a measurement window — never to synchronise with an event), or
 * rejects with DeadlineError when `signal` aborts first. Leaves no timer or listener behind.
 */
export function pace(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new DeadlineError('the end of a measurement window'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DeadlineError('the end of a measurement window'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An AbortSignal that fires at `ms` or when `parent` aborts: one phase of a probe with its own, shorter deadline. `done()`
 * ends the phase: it releases the timer and the parent listener, and aborts the signal so that any wait still registered
 * on it (a candidate that never came) lets go.
 */
export function deadlinePhase(parent: AbortSignal, ms: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const timer = setTimeout(abort, ms);
  parent.addEventListener('abort', abort, { once: true });
  if (parent.aborted) controller.abort();
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', abort);
      controller.abort();
    },
  };
}

/** Waits for a DataChannel to open (or the deadline). */
export function waitForOpen(channel: DataChannelLike, signal: AbortSignal): Promise<void> {
  return untilAborted<void>(
    signal,
    (resolve) => {
      if (channel.readyState === 'open') resolve();
      else channel.addEventListener('open', () => resolve());
    },
    'the data channel to open',
  );
}

/** Result of an echo exchange. */
export interface EchoResult {
  sent: number;
  echoed: number;
  /** Round-trip times of the echoed messages, ms. */
  rttMs: number[];
}

/**
 * Time the echoes get once a data channel is open, ms. Its DTLS and SCTP handshakes have crossed the path both ways,
 * so only the path's delay stands between it and the echoes: on a lossy 200 ms path one TCP retransmission costs a
 * second (lossy-latent: a TURN/TLS channel opened 436 ms before its 5,440 ms deadline, and no echo came back by then).
 */
export const ECHO_GRACE_MS = 2000;

/**
 * Gives the echoes over a channel that opened `openedAtMs` after the probe's start ECHO_GRACE_MS, within the run's
 * budget (ProbeContext.extendDeadline). Returns the probe's deadline when it moved, else undefined.
 */
export function extendForEchoes(ctx: Pick<ProbeContext, 'extendDeadline' | 'timeoutMs'>, openedAtMs: number): number | undefined {
  const granted = ctx.extendDeadline?.(openedAtMs + ECHO_GRACE_MS);
  return granted !== undefined && granted > ctx.timeoutMs ? granted : undefined;
}

/**
 * Sends `count` numbered messages at once over an open channel (pipelined, so a high-latency path needs one
 * round trip, not `count`), and collects the echoes from netready's media peer until all are back or the
 * deadline passes. Returns how many came back and their round-trip times.
 */
export async function exchangeEchoes(
  channel: DataChannelLike,
  env: ProbeEnvironment,
  count: number,
  signal: AbortSignal,
): Promise<EchoResult> {
  const result: EchoResult = { sent: 0, echoed: 0, rttMs: [] };
  const sentAt = new Map<string, number>();
  let allBack: () => void = () => undefined;
  const done = untilAborted<void>(signal, (resolve) => (allBack = resolve), 'the echoes').catch(() => undefined);
  channel.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    const at = sentAt.get(event.data);
    if (at === undefined) return;
    sentAt.delete(event.data);
    result.echoed++;
    result.rttMs.push(Math.round((env.now() - at) * 10) / 10);
    if (result.echoed === result.sent) allBack();
  });
  const nonce = env.randomId();
  for (let seq = 0; seq < count && !signal.aborted; seq++) {
    const message = `netready-echo ${nonce} ${seq}`;
    try {
      sentAt.set(message, env.now());
      channel.send(message);
      result.sent++;
    } catch {
      sentAt.delete(message);
      break;
    }
  }
  if (result.sent > 0) await done;
  return result;
}

/** The selected candidate pair of a connected peer connection, from getStats. */
export interface SelectedPairInfo {
  /** `networkCost`/`networkId` come from the candidate line the peer connection emitted for this candidate (not in getStats). */
  local?: {
    candidateType?: string;
    protocol?: string;
    relayProtocol?: string;
    address?: string;
    port?: number;
    url?: string;
    networkType?: string;
    networkCost?: number;
    networkId?: number;
  };
  remote?: { candidateType?: string; protocol?: string; address?: string; port?: number };
  currentRoundTripTimeMs?: number;
  /**
   * The pair's ICE checks so far: summed round trip and answers (`totalRoundTripTime`, `responsesReceived`). The
   * browser's network stack times these, below the page, so a busy page does not stretch them.
   */
  checks?: { totalRoundTripMs: number; responses: number };
}

function pick(entry: StatsEntry | undefined, keys: string[]): Record<string, unknown> | undefined {
  if (!entry) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (entry[key] !== undefined && entry[key] !== null) out[key] = entry[key];
  return out;
}

/**
 * The candidate line (from `icecandidate`) that a getStats local-candidate entry describes: same address, port,
 * protocol and type. A masked host candidate's stats may carry no address (or another spelling than its `.local`
 * line), so when no line matches all four, a single line matching port, protocol and type is taken; several such
 * lines are ambiguous and give none.
 */
export function matchCandidateLine(stats: StatsEntry, lines: readonly CandidateInfo[]): CandidateInfo | undefined {
  const protocol = typeof stats.protocol === 'string' ? stats.protocol.toLowerCase() : undefined;
  const sameSocket = lines.filter((c) => c.port === stats.port && c.protocol === protocol && c.type === stats.candidateType);
  const exact = sameSocket.find((c) => c.address === stats.address);
  if (exact) return exact;
  return sameSocket.length === 1 ? sameSocket[0] : undefined;
}

/**
 * Reads the selected candidate pair (transport.selectedCandidatePairId, else a nominated succeeded pair). With the
 * candidates the peer connection emitted (`lines`, e.g. a CandidateLog's), the local side also gets the
 * `network-cost` and `network-id` of its candidate line, which getStats does not report.
 */
export async function readSelectedPair(pc: PeerConnectionLike, lines: readonly CandidateInfo[] = []): Promise<SelectedPairInfo | undefined> {
  const report = await pc.getStats();
  const byId = new Map<string, StatsEntry>();
  report.forEach((entry) => byId.set(entry.id, entry));
  let pairId: string | undefined;
  for (const entry of byId.values()) {
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') pairId = entry.selectedCandidatePairId;
  }
  if (!pairId) {
    for (const entry of byId.values()) {
      if (entry.type === 'candidate-pair' && entry.nominated === true && entry.state === 'succeeded') pairId = entry.id;
    }
  }
  const pair = pairId ? byId.get(pairId) : undefined;
  if (!pair) return undefined;
  const local = byId.get(String(pair.localCandidateId));
  const remote = byId.get(String(pair.remoteCandidateId));
  const info: SelectedPairInfo = {
    local: pick(local, ['candidateType', 'protocol', 'relayProtocol', 'address', 'port', 'url', 'networkType']) as SelectedPairInfo['local'],
    remote: pick(remote, ['candidateType', 'protocol', 'address', 'port']) as SelectedPairInfo['remote'],
  };
  const line = local && info.local ? matchCandidateLine(local, lines) : undefined;
  if (line && info.local) {
    if (line.networkCost !== undefined) info.local.networkCost = line.networkCost;
    if (line.networkId !== undefined) info.local.networkId = line.networkId;
  }
  if (typeof pair.currentRoundTripTime === 'number') info.currentRoundTripTimeMs = Math.round(pair.currentRoundTripTime * 1000);
  if (typeof pair.totalRoundTripTime === 'number' && typeof pair.responsesReceived === 'number' && pair.responsesReceived > 0) {
    info.checks = { totalRoundTripMs: Math.round(pair.totalRoundTripTime * 10000) / 10, responses: pair.responsesReceived };
  }
  return info;
}

/** Median of a list of numbers (undefined for an empty list). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
