/**
 * The page's side of the media-quality protocol (lib/protocol/media-quality/wire.ts) on two open DataChannels:
 * runs the phases in order and records what it saw; media-quality.ts turns that into the probe's data.
 *
 *  1. `hello` — the server's limits (and proof that it speaks the protocol), announced with the media peer's answer
 *     or asked on the control channel;
 *  2. round trips: a short stream of `T` pings, each answered by an `R` (a ping without answer is marked lost);
 *  3. the stream towards the server: `P` packets at a steady pace, counted and timed by the server;
 *  4. the stream from the server, on request: `S` packets the page counts and times;
 *  5. `report` — what the server counted of 3;
 *  6. throughput towards the server: `U` packets paced at the target rate for a bounded window;
 *  7. throughput from the server, on request: `D` packets, likewise;
 *  8. `report` — what the server counted of 6 and how busy it was during 6 and 7.
 *
 * Each direction carries one phase at a time, and while a stream runs its direction carries nothing else of this
 * measurement (its acknowledgements travel the other way): a network that drops every n-th packet of a direction
 * drops every n-th packet of that stream, which the lab asserts (e2e/lab, `lossy-latent`). Phases follow each other
 * without quiet gaps: a phase in one direction starts while the last one's tail still travels the other way, and the
 * report is asked together with the server's stream or burst and answered when it has ended (wire.ts), so no phase
 * waits a guessed round trip — on a 200 ms path the phases take ≈ 2.5 s instead of ≈ 6 s (issue 16). The report
 * after 4 keeps the streams measured when the bursts are cut short by the deadline.
 */
import { InterarrivalJitter, quantile, SequenceTracker } from '../protocol/media-quality/stats';
import {
  decodeData,
  decodeServerControl,
  encodeData,
  QUALITY_PROTOCOL_VERSION,
  QualityWireError,
  REPORT_AFTER_BURST_MS,
  type PageControl,
  type QualityLimits,
  type ServerControl,
  type ServerReport,
} from '../protocol/media-quality/wire';
import type { DataChannelLike, ProbeEnvironment } from './types';
import { DeadlineError, median, pace, untilAborted } from './webrtc';

/** How the page runs the measurement. */
export interface QualityPlan {
  /** Round-trip pings and their interval, ms. */
  rttPings: number;
  rttIntervalMs: number;
  /** Packets of each stream (towards and from the server). */
  streamPackets: number;
  /** Interval between stream packets, ms (400 packets/s, a video call's packet rate). */
  streamIntervalMs: number;
  /** Throughput target, kbit/s (capped by the server's limit): enough to tell whether HD video fits. */
  bulkRateKbps: number;
  /** Length of each throughput window, ms. */
  bulkWindowMs: number;
  /** Size of each throughput packet, bytes (below one SCTP chunk, no fragmentation). */
  bulkPacketBytes: number;
  /** Most bytes the page lets queue in its channel during the upward burst (the rest waits: the sender is limited). */
  upBufferLimitBytes: number;
  /** Bounds of the wait after a server's answer for packets jitter reordered behind it (2 × the round trips' spread), ms. */
  minGapMs: number;
  maxGapMs: number;
  /** Longest wait for a control answer, ms. */
  answerTimeoutMs: number;
}

/** The plan netready runs: the whole stage ≈ 2.3 s on an open network. */
export const DEFAULT_QUALITY_PLAN: QualityPlan = {
  rttPings: 40,
  rttIntervalMs: 5,
  streamPackets: 200,
  streamIntervalMs: 2.5,
  bulkRateKbps: 8000,
  bulkWindowMs: 400,
  bulkPacketBytes: 1100,
  upBufferLimitBytes: 64 * 1024,
  minGapMs: 60,
  maxGapMs: 800,
  answerTimeoutMs: 3000,
};

/** The phase the session reached (the last one started). */
export type QualityStage = 'hello' | 'rtt' | 'up-stream' | 'down-stream' | 'up-bulk' | 'down-bulk' | 'report' | 'done';

/** Everything the page saw; times are ms on the page's clock. */
export interface QualityRecord {
  stage: QualityStage;
  limits?: QualityLimits;
  /** Round-trip pings: how many were sent, and [seq, ms] of each answered one. */
  rtt: { sent: number; samples: Array<[number, number]> };
  upStream: { sent: number };
  downStream: {
    requested: number;
    /** The server's count of what it sent (`stream-done`). */
    serverSent?: number;
    received: number;
    duplicates: number;
    missing: number[];
    jitterMs: number | null;
    /** One-way delays of the `S` packets (arrival − server send time; clocks unsynchronised). */
    owdMs: number[];
  };
  upBulk?: { targetKbps: number; sentPackets: number; sentBytes: number; durationMs: number; blockedMs: number; drainMs: number };
  downBulk?: {
    targetKbps: number;
    packets: number;
    bytes: number;
    firstAtMs: number | null;
    lastAtMs: number | null;
    owdMs: number[];
    /** Arrival times of the `D` packets (for their dispersion). */
    arrivalsMs: number[];
    /** Highest `D` sequence number received, -1 for none. */
    highestSeq: number;
  };
  report?: ServerReport;
  /** Whether `report` was asked after the bursts (it then counts the burst towards the server). */
  reportAfterBursts: boolean;
  /** When each phase started, ms after the session began (where the time goes, on slow paths). */
  phaseStartsMs: Partial<Record<QualityStage, number>>;
  /** Requests the server refused, with its reason. */
  refused: string[];
  malformed: number;
}

/** Control answers arrive in order; waiters take the first that matches. */
class ControlInbox {
  readonly #queue: ServerControl[] = [];
  #waiter?: { match: (m: ServerControl) => boolean; resolve: (m: ServerControl) => void };

  push(message: ServerControl): void {
    if (this.#waiter?.match(message)) {
      const { resolve } = this.#waiter;
      this.#waiter = undefined;
      resolve(message);
      return;
    }
    this.#queue.push(message);
  }

  /** Removes and returns a queued answer matching `match`, if one came. */
  take(match: (m: ServerControl) => boolean): ServerControl | undefined {
    const queued = this.#queue.findIndex(match);
    return queued >= 0 ? this.#queue.splice(queued, 1)[0] : undefined;
  }

  /** The next answer matching `match`, or DeadlineError at `signal` or after `timeoutMs`. */
  async next(match: (m: ServerControl) => boolean, signal: AbortSignal, timeoutMs: number, what: string): Promise<ServerControl> {
    const queued = this.#queue.findIndex(match);
    if (queued >= 0) return this.#queue.splice(queued, 1)[0]!;
    // An own controller and timer: AbortSignal.timeout()/any() hold their sources weakly in Node, and a collected
    // timeout signal never fires.
    const limit = new AbortController();
    const onAbort = (): void => limit.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(onAbort, timeoutMs);
    if (signal.aborted) limit.abort();
    try {
      return await untilAborted<ServerControl>(limit.signal, (resolve) => (this.#waiter = { match, resolve }), what);
    } finally {
      this.#waiter = undefined;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** Runs one measurement over open channels. Release is the caller's (closing the peer connection). */
export class QualitySession {
  readonly record: QualityRecord;
  readonly #env: ProbeEnvironment;
  readonly #data: DataChannelLike;
  readonly #control: DataChannelLike;
  readonly #plan: QualityPlan;
  readonly #inbox = new ControlInbox();
  readonly #pingsOut = new Set<number>();
  readonly #down: { tracker: SequenceTracker; jitter: InterarrivalJitter };
  readonly #downBulk: SequenceTracker;
  readonly #startedAt: number;

  /** Subscribes to both channels; `run()` starts the phases. */
  constructor(env: ProbeEnvironment, data: DataChannelLike, control: DataChannelLike, plan: QualityPlan = DEFAULT_QUALITY_PLAN) {
    this.#env = env;
    this.#data = data;
    this.#control = control;
    this.#plan = plan;
    this.#down = { tracker: new SequenceTracker(plan.streamPackets), jitter: new InterarrivalJitter() };
    this.#downBulk = new SequenceTracker(Math.ceil((plan.bulkRateKbps * plan.bulkWindowMs) / 8 / 64) + 1);
    this.record = {
      stage: 'hello',
      rtt: { sent: 0, samples: [] },
      upStream: { sent: 0 },
      downStream: { requested: 0, received: 0, duplicates: 0, missing: [], jitterMs: null, owdMs: [] },
      reportAfterBursts: false,
      phaseStartsMs: { hello: 0 },
      refused: [],
      malformed: 0,
    };
    this.#startedAt = env.now();
    data.addEventListener('message', (event) => this.#onData(event.data));
    control.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      try {
        this.#inbox.push(decodeServerControl(event.data));
      } catch (error) {
        if (!(error instanceof QualityWireError)) throw error;
        this.record.malformed++;
      }
    });
  }

  #onData(raw: unknown): void {
    if (typeof raw !== 'string') return;
    const now = this.#env.now();
    let message;
    try {
      message = decodeData(raw);
    } catch (error) {
      if (!(error instanceof QualityWireError)) throw error;
      this.record.malformed++;
      return;
    }
    switch (message.kind) {
      case 'R':
        if (!this.#pingsOut.delete(message.seq)) return;
        this.record.rtt.samples.push([message.seq, Math.round((now - message.t) * 10) / 10]);
        return;
      case 'S': {
        const down = this.record.downStream;
        if (!this.#down.tracker.add(message.seq)) return;
        this.#down.jitter.add(message.t, now);
        if (down.owdMs.length < 4096) down.owdMs.push(now - message.t);
        return;
      }
      case 'D': {
        const bulk = this.record.downBulk;
        if (!bulk || !this.#downBulk.add(message.seq)) return;
        bulk.packets++;
        bulk.bytes += raw.length;
        bulk.highestSeq = Math.max(bulk.highestSeq, message.seq);
        bulk.firstAtMs ??= now;
        bulk.lastAtMs = now;
        if (bulk.owdMs.length < 4096) {
          bulk.owdMs.push(now - message.t);
          bulk.arrivalsMs.push(now);
        }
        return;
      }
      default:
        return;
    }
  }

  #trySend(channel: DataChannelLike, text: string): boolean {
    try {
      channel.send(text);
      return true;
    } catch {
      return false;
    }
  }

  #request(request: PageControl): void {
    if (!this.#trySend(this.#control, JSON.stringify(request))) throw new Error(`the control channel would not send "${request.type}"`);
  }

  #enter(stage: QualityStage): void {
    this.record.stage = stage;
    this.record.phaseStartsMs[stage] = Math.round(this.#env.now() - this.#startedAt);
  }

  /**
   * How long to wait after the server's answer for packets it sent before it: the spread of the round trips (the
   * path's jitter can reorder a packet behind the answer), at least `minGapMs`, at most `maxGapMs`.
   */
  #settleMs(): number {
    const sorted = this.record.rtt.samples.map(([, ms]) => ms).sort((a, b) => a - b);
    const spread = sorted.length > 1 ? (quantile(sorted, 0.95) ?? 0) - (quantile(sorted, 0.5) ?? 0) : this.#plan.maxGapMs;
    return Math.min(this.#plan.maxGapMs, Math.max(this.#plan.minGapMs, Math.round(2 * spread)));
  }

  /** Sends `count` packets `interval` ms apart, paced against the clock (a late timer sends what is due at once). */
  async #paced(count: number, intervalMs: number, signal: AbortSignal, send: (seq: number) => boolean): Promise<number> {
    const start = this.#env.now();
    let sent = 0;
    for (let seq = 0; seq < count; seq++) {
      const wait = start + seq * intervalMs - this.#env.now();
      if (wait > 0.5) await pace(wait, signal);
      if (!send(seq)) break;
      sent++;
    }
    return sent;
  }

  #answer(match: (m: ServerControl) => boolean, signal: AbortSignal, what: string, timeoutMs = this.#plan.answerTimeoutMs): Promise<ServerControl> {
    return this.#inbox.next(match, signal, timeoutMs, what);
  }

  /**
   * Runs every phase; resolves when the report is in. Rejects with DeadlineError when `signal` aborts or an answer
   * does not come in time (what was measured so far stays in `record`), or with an Error when the server answers
   * something unusable.
   */
  async run(signal: AbortSignal, announced?: { version: number; limits: QualityLimits }): Promise<void> {
    const plan = this.#plan;
    const r = this.record;
    // 1. The server's limits: announced with the media peer's answer (no round trip), or asked with `hello`.
    let hello: ServerControl;
    if (announced?.version === QUALITY_PROTOCOL_VERSION) {
      hello = { type: 'hello', version: announced.version, limits: announced.limits };
    } else {
      this.#request({ type: 'hello', version: QUALITY_PROTOCOL_VERSION });
      hello = await this.#answer((m) => m.type === 'hello' || (m.type === 'refused' && m.request !== 'stream' && m.request !== 'bulk'), signal, 'the media peer\'s hello');
    }
    if (hello.type !== 'hello') throw new Error(`the media peer refused the measurement: ${hello.type === 'refused' ? hello.message : hello.type}`);
    if (hello.version !== QUALITY_PROTOCOL_VERSION) throw new Error(`the media peer speaks quality protocol ${hello.version}, this page ${QUALITY_PROTOCOL_VERSION}`);
    r.limits = hello.limits;
    const l = hello.limits;

    // 2. Round trips; the replies to the last pings may still be on their way when the next phase starts.
    this.#enter('rtt');
    r.rtt.sent = await this.#paced(Math.min(plan.rttPings, l.replies), plan.rttIntervalMs, signal, (seq) => {
      this.#pingsOut.add(seq);
      return this.#trySend(this.#data, encodeData({ kind: 'T', seq, t: this.#env.now() }));
    });
    const interval = Math.max(plan.streamIntervalMs, l.minIntervalMs);
    const packets = Math.min(plan.streamPackets, l.streamPackets);

    // 3. The stream towards the server, at once: the replies to the last pings still on their way travel the other
    // direction, which this stream does not measure.
    this.#enter('up-stream');
    r.upStream.sent = await this.#paced(packets, interval, signal, (seq) => this.#trySend(this.#data, encodeData({ kind: 'P', seq, t: this.#env.now() })));

    // 4. The stream from the server, asked right behind the last `P`, and (5.) the report with it: the server answers
    // it after `stream-done`, when every `P` that will ever arrive is in — the streams stay measured should the bursts
    // be cut short.
    this.#enter('down-stream');
    r.downStream.requested = packets;
    this.#request({ type: 'stream', count: packets, intervalMs: interval });
    this.#request({ type: 'report' });
    // Twice the usual answer time: on a lossy path the request, the packets' last SACKs and `stream-done` each may need
    // a retransmission (the media peer's SCTP waits at least 1 s, RTO.Min, before it resends), and a stream whose
    // answer is late is still measured — the probe's own deadline bounds the wait either way.
    const streamDone = await this.#answer((m) => m.type === 'stream-done' || (m.type === 'refused' && m.request === 'stream'), signal, 'the stream from the media peer', packets * interval + 2 * plan.answerTimeoutMs);
    if (streamDone.type === 'stream-done') r.downStream.serverSent = streamDone.sent;
    else if (streamDone.type === 'refused') r.refused.push(`stream: ${streamDone.message}`);
    await this.#takeReport(signal, plan.answerTimeoutMs);
    // The last `S` left before `stream-done`; only jitter can reorder it behind the answers.
    await pace(this.#settleMs(), signal);
    this.#snapshotDownStream();

    const rateKbps = Math.min(plan.bulkRateKbps, l.bulkRateKbps);
    const windowMs = Math.min(plan.bulkWindowMs, l.bulkWindowMs);
    const packetBytes = Math.min(plan.bulkPacketBytes, l.bulkPacketBytes);
    if (rateKbps > 0 && windowMs > 0) {
      // 6. Throughput towards the server: paced at the target; when the channel's queue is full the sender waits.
      this.#enter('up-bulk');
      await this.#sendUpBulk(rateKbps, windowMs, packetBytes, signal);

      // 7. Throughput from the server, and (8.) the report with it: the server answers it once its burst has ended
      // and a bottleneck's queue has drained (wire.ts REPORT_AFTER_BURST_MS), so the last `D` is in before it.
      this.#enter('down-bulk');
      r.downBulk = { targetKbps: rateKbps, packets: 0, bytes: 0, firstAtMs: null, lastAtMs: null, owdMs: [], arrivalsMs: [], highestSeq: -1 };
      this.#request({ type: 'bulk', rateKbps, windowMs, packetBytes });
      this.#request({ type: 'report' });
      this.#enter('report');
      await this.#takeReport(signal, windowMs + REPORT_AFTER_BURST_MS + plan.answerTimeoutMs);
      const refused = this.#inbox.take((m) => m.type === 'refused' && m.request === 'bulk');
      if (refused?.type === 'refused') r.refused.push(`bulk: ${refused.code}: ${refused.message}`);
    } else {
      this.#request({ type: 'report' });
      this.#enter('report');
      await this.#takeReport(signal, plan.answerTimeoutMs);
    }
    r.reportAfterBursts = true;
    this.#enter('done');
  }

  async #takeReport(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const report = await this.#answer((m) => m.type === 'report', signal, 'the media peer\'s report', timeoutMs);
    if (report.type === 'report') this.record.report = report.report;
  }

  #snapshotDownStream(): void {
    const down = this.record.downStream;
    const sent = down.serverSent ?? down.requested;
    down.received = this.#down.tracker.received;
    down.duplicates = this.#down.tracker.duplicates;
    down.missing = this.#down.tracker.missing(sent, 512);
    down.jitterMs = this.#down.jitter.value;
  }

  async #sendUpBulk(rateKbps: number, windowMs: number, packetBytes: number, signal: AbortSignal): Promise<void> {
    const bytesPerMs = rateKbps / 8;
    const bulk = { targetKbps: rateKbps, sentPackets: 0, sentBytes: 0, durationMs: 0, blockedMs: 0, drainMs: 0 };
    this.record.upBulk = bulk;
    const start = this.#env.now();
    let last = start;
    for (;;) {
      const now = this.#env.now();
      const elapsed = now - start;
      if (elapsed >= windowMs) break;
      const queued = (): number => this.#data.bufferedAmount ?? 0;
      if (queued() >= this.#plan.upBufferLimitBytes) bulk.blockedMs += now - last;
      while (bulk.sentBytes < bytesPerMs * elapsed + packetBytes && queued() < this.#plan.upBufferLimitBytes) {
        const text = encodeData({ kind: 'U', seq: bulk.sentPackets, t: this.#env.now() }, packetBytes);
        if (!this.#trySend(this.#data, text)) break;
        bulk.sentPackets++;
        bulk.sentBytes += text.length;
      }
      last = now;
      await pace(2, signal);
    }
    bulk.durationMs = Math.round(this.#env.now() - start);
    bulk.blockedMs = Math.round(bulk.blockedMs);
    // Let what is still queued leave before the next phase, for at most one round trip (at least 200 ms): on a slow
    // path the rest trickles on while the server's burst runs, which only the upward acknowledgements share.
    const drainStart = this.#env.now();
    const rtt = median(this.record.rtt.samples.map(([, ms]) => ms)) ?? 100;
    const drainLimit = Math.min(1000, Math.max(200, rtt));
    while ((this.#data.bufferedAmount ?? 0) > 0 && this.#env.now() - drainStart < drainLimit) await pace(10, signal);
    bulk.drainMs = Math.round(this.#env.now() - drainStart);
  }
}

/** Whether an error only means the measurement ran out of time (as opposed to a broken exchange). */
export function isDeadline(error: unknown): boolean {
  return error instanceof DeadlineError;
}
