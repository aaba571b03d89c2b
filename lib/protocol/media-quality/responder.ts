/**
 * The server's side of the media-quality protocol (./wire.ts) as a Sans-IO core: messages and the clock in,
 * messages and plans out. The adapter (server/peer/quality-peer.ts) owns the DataChannels, the timers that pace a
 * requested stream or burst, and the load measurement; tests drive this class directly.
 *
 * Bounded per session (no amplification): it counts at most `limits.streamPackets` stream packets, answers at most
 * `limits.replies` round-trip pings (a reply is no larger than the ping), and plans a server stream or throughput
 * burst only when asked, within the announced limits, at most `limits.requestsPerKind` times each.
 */
import { dispersionKbps, InterarrivalJitter, queueDelay, SequenceTracker } from './stats';
import {
  decodeData,
  decodePageControl,
  encodeData,
  MAX_REPORT_LIST,
  QUALITY_PROTOCOL_VERSION,
  QualityWireError,
  type QualityLimits,
  type ServerControl,
  type ServerLoad,
  type ServerReport,
} from './wire';

/** The limits netready's media peer announces by default (each is also a config field where operators need it). */
export const DEFAULT_QUALITY_LIMITS: QualityLimits = {
  streamPackets: 1000,
  minIntervalMs: 1,
  replies: 200,
  bulkRateKbps: 8000,
  bulkWindowMs: 1000,
  bulkPacketBytes: 1200,
  requestsPerKind: 2,
};

/** Most control requests one session may send; later ones are ignored. */
const MAX_CONTROL_REQUESTS = 32;
/** Most one-way-delay samples kept per burst (enough for a 1 s burst at 8 Mbit/s in 1,100-byte packets). */
const MAX_OWD_SAMPLES = 4096;

/** A stream the page asked the server to send (`S` packets). */
export interface StreamPlan {
  count: number;
  intervalMs: number;
}

/** A throughput burst the page asked the server to send (`D` packets). */
export interface BulkPlan {
  rateKbps: number;
  windowMs: number;
  packetBytes: number;
}

/** What the adapter must do with one control request. */
export type ControlOutcome =
  | { kind: 'reply'; message: ServerControl }
  | { kind: 'start-stream'; plan: StreamPlan }
  | { kind: 'start-bulk'; plan: BulkPlan }
  /** Answer with `report(load)`. */
  | { kind: 'report' }
  | { kind: 'ignore'; reason: string };

/** Counters of what the responder saw, for the peer's "what the server saw" evidence. */
export interface ResponderCounters {
  dataMessages: number;
  malformed: number;
  controlRequests: number;
}

/** One session's server side of the protocol. */
export class QualityResponder {
  readonly limits: QualityLimits;
  readonly #up = { tracker: new SequenceTracker(0), jitter: new InterarrivalJitter(), owd: [] as number[] };
  readonly #pings = { tracker: new SequenceTracker(0), replied: 0 };
  #downSent = 0;
  readonly #upBulk = { tracker: new SequenceTracker(0), packets: 0, bytes: 0, firstAtMs: null as number | null, lastAtMs: null as number | null, owd: [] as number[], arrivals: [] as number[] };
  #downBulk: ServerReport['downBulk'] = null;
  #streams = 0;
  #bulks = 0;
  readonly counters: ResponderCounters = { dataMessages: 0, malformed: 0, controlRequests: 0 };

  /** Creates a responder enforcing `limits` (the ones it announces in `hello`). */
  constructor(limits: QualityLimits = DEFAULT_QUALITY_LIMITS) {
    this.limits = limits;
    this.#up.tracker = new SequenceTracker(limits.streamPackets);
    this.#pings.tracker = new SequenceTracker(limits.replies);
    this.#upBulk.tracker = new SequenceTracker(Math.max(1, Math.ceil((limits.bulkRateKbps * 125 * limits.bulkWindowMs) / 1000 / 64) * limits.requestsPerKind));
  }

  /** Handles one message of the measurement channel; returns the datagrams to send back (a ping's reply, or nothing). */
  onData(text: string, nowMs: number): string[] {
    this.counters.dataMessages++;
    let message;
    try {
      message = decodeData(text);
    } catch (error) {
      if (!(error instanceof QualityWireError)) throw error;
      this.counters.malformed++;
      return [];
    }
    switch (message.kind) {
      case 'T': {
        // Each ping is answered once (a duplicate or one past the limit is not).
        if (!this.#pings.tracker.add(message.seq)) return [];
        this.#pings.replied++;
        return [encodeData({ kind: 'R', seq: message.seq, t: message.t })];
      }
      case 'P': {
        if (!this.#up.tracker.add(message.seq)) return [];
        this.#up.jitter.add(message.t, nowMs);
        if (this.#up.owd.length < MAX_OWD_SAMPLES) this.#up.owd.push(nowMs - message.t);
        return [];
      }
      case 'U': {
        if (!this.#upBulk.tracker.add(message.seq)) return [];
        this.#upBulk.packets++;
        this.#upBulk.bytes += text.length;
        this.#upBulk.firstAtMs ??= nowMs;
        this.#upBulk.lastAtMs = nowMs;
        if (this.#upBulk.owd.length < MAX_OWD_SAMPLES) {
          this.#upBulk.owd.push(nowMs - message.t);
          this.#upBulk.arrivals.push(nowMs);
        }
        return [];
      }
      default:
        // R, S, D travel the other way; a page sending them is ignored.
        return [];
    }
  }

  /** Handles one control request. */
  onControl(text: string): ControlOutcome {
    if (++this.counters.controlRequests > MAX_CONTROL_REQUESTS) return { kind: 'ignore', reason: `more than ${MAX_CONTROL_REQUESTS} control requests` };
    let request;
    try {
      request = decodePageControl(text);
    } catch (error) {
      if (!(error instanceof QualityWireError)) throw error;
      return { kind: 'reply', message: { type: 'refused', request: 'unknown', code: 'bad-request', message: error.message } };
    }
    const refuse = (message: string): ControlOutcome => ({ kind: 'reply', message: { type: 'refused', request: request.type, code: 'limit', message } });
    const l = this.limits;
    switch (request.type) {
      case 'hello':
        return { kind: 'reply', message: { type: 'hello', version: QUALITY_PROTOCOL_VERSION, limits: { ...l } } };
      case 'stream':
        if (this.#streams >= l.requestsPerKind) return refuse(`at most ${l.requestsPerKind} streams per session`);
        if (request.count > l.streamPackets) return refuse(`at most ${l.streamPackets} packets per stream`);
        if (request.intervalMs < l.minIntervalMs) return refuse(`packets at least ${l.minIntervalMs} ms apart`);
        this.#streams++;
        return { kind: 'start-stream', plan: { count: request.count, intervalMs: request.intervalMs } };
      case 'bulk':
        if (this.#bulks >= l.requestsPerKind) return refuse(`at most ${l.requestsPerKind} bursts per session`);
        if (request.rateKbps > l.bulkRateKbps) return refuse(`at most ${l.bulkRateKbps} kbit/s`);
        if (request.windowMs > l.bulkWindowMs) return refuse(`bursts of at most ${l.bulkWindowMs} ms`);
        if (request.packetBytes > l.bulkPacketBytes) return refuse(`packets of at most ${l.bulkPacketBytes} bytes`);
        this.#bulks++;
        return { kind: 'start-bulk', plan: { rateKbps: request.rateKbps, windowMs: request.windowMs, packetBytes: request.packetBytes } };
      case 'report':
        return { kind: 'report' };
    }
  }

  /** The `seq`-th packet of a planned stream, stamped `nowMs`. */
  streamPacket(seq: number, nowMs: number): string {
    this.#downSent = Math.max(this.#downSent, seq + 1);
    return encodeData({ kind: 'S', seq, t: nowMs });
  }

  /** The answer once a stream was sent. */
  streamDone(sent: number, durationMs: number): ServerControl {
    return { type: 'stream-done', sent, durationMs: Math.round(durationMs * 10) / 10 };
  }

  /** The `seq`-th packet of a burst, stamped `nowMs`. */
  bulkPacket(plan: BulkPlan, seq: number, nowMs: number): string {
    return encodeData({ kind: 'D', seq, t: nowMs }, plan.packetBytes);
  }

  /** Records what a burst sent, for the report (no answer of its own: see wire.ts). */
  bulkDone(plan: BulkPlan, sentPackets: number, sentBytes: number, durationMs: number): void {
    this.#downBulk = { sentPackets, sentBytes, durationMs: Math.round(durationMs * 10) / 10, targetKbps: plan.rateKbps };
  }

  /** Everything measured so far, with the load the adapter measured during the bursts. */
  report(load: ServerLoad | null): ServerControl {
    const up = this.#up;
    const report: ServerReport = {
      upStream: {
        received: up.tracker.received,
        duplicates: up.tracker.duplicates,
        highestSeq: up.tracker.highest,
        missing: up.tracker.missing(up.tracker.highest, MAX_REPORT_LIST),
        jitterMs: up.jitter.value,
      },
      pings: { received: this.#pings.tracker.received, replied: this.#pings.replied },
      downStream: { sent: this.#downSent },
      upBulk: {
        packets: this.#upBulk.packets,
        bytes: this.#upBulk.bytes,
        highestSeq: this.#upBulk.tracker.highest,
        firstAtMs: this.#upBulk.firstAtMs,
        lastAtMs: this.#upBulk.lastAtMs,
        queueDelay: queueDelay(up.owd, this.#upBulk.owd),
        dispersionKbps: this.#upBulk.packets > 0 ? dispersionKbps(this.#upBulk.arrivals, this.#upBulk.bytes / this.#upBulk.packets) : null,
        missing: this.#upBulk.tracker.missing(this.#upBulk.tracker.highest, 64),
      },
      downBulk: this.#downBulk,
      load,
    };
    return { type: 'report', report };
  }
}
