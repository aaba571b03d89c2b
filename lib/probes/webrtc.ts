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
    address: candidate.address ?? parsed.address,
    port: candidate.port ?? parsed.port,
    atMs,
  };
  if (candidate.relayProtocol) info.relayProtocol = candidate.relayProtocol;
  return info;
}

/** Listens to a peer connection's candidates and ICE errors; `waitForType` resolves on the first of a type. */
export class CandidateLog {
  /** Every candidate gathered, in order. */
  readonly candidates: CandidateInfo[] = [];
  /** Every icecandidateerror, in order. */
  readonly errors: IceErrorInfo[] = [];
  private readonly waiters: Array<{ type: string; resolve: (c: CandidateInfo) => void }> = [];

  constructor(pc: PeerConnectionLike, env: ProbeEnvironment, startedAt: number) {
    pc.addEventListener('icecandidate', (event) => {
      if (!event.candidate || !event.candidate.candidate) return;
      const info = toCandidateInfo(event.candidate, Math.round(env.now() - startedAt));
      if (!info) return;
      this.candidates.push(info);
      for (const waiter of this.waiters.filter((w) => w.type === info.type)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(info);
      }
    });
    pc.addEventListener('icecandidateerror', (event: IceCandidateErrorEventLike) => {
      this.errors.push({
        errorCode: event.errorCode,
        errorText: event.errorText,
        url: event.url,
        atMs: Math.round(env.now() - startedAt),
      });
    });
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
  local?: { candidateType?: string; protocol?: string; relayProtocol?: string; address?: string; port?: number; url?: string; networkType?: string };
  remote?: { candidateType?: string; protocol?: string; address?: string; port?: number };
  currentRoundTripTimeMs?: number;
}

function pick(entry: StatsEntry | undefined, keys: string[]): Record<string, unknown> | undefined {
  if (!entry) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (entry[key] !== undefined && entry[key] !== null) out[key] = entry[key];
  return out;
}

/** Reads the selected candidate pair (transport.selectedCandidatePairId, else a nominated succeeded pair). */
export async function readSelectedPair(pc: PeerConnectionLike): Promise<SelectedPairInfo | undefined> {
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
  if (typeof pair.currentRoundTripTime === 'number') info.currentRoundTripTimeMs = Math.round(pair.currentRoundTripTime * 1000);
  return info;
}

/** Median of a list of numbers (undefined for an empty list). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
