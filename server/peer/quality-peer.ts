/**
 * The media peer's side of the media-quality protocol (lib/protocol/media-quality/wire.ts) on werift DataChannels:
 * feeds the two channels' messages to the Sans-IO QualityResponder, paces the streams and bursts it plans, holds
 * werift's congestion window open from the first of them to the end of the session (./sctp-tuning.ts), and measures how busy the process was during
 * bursts (./load-meter.ts) so the page can tell netready's own limits from the network's.
 *
 * Bounded: one stream or burst at a time per peer, each within the responder's limits; at most
 * `maxConcurrentBursts` server bursts across all peers (a further request is refused `busy`, which the page reports
 * as "not measured", never as a slow network).
 */
import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import { QualityResponder, type BulkPlan, type StreamPlan } from '../../lib/protocol/media-quality/responder';
import { QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL, REPORT_AFTER_BURST_MS, type QualityLimits, type ServerControl, type ServerLoad } from '../../lib/protocol/media-quality/wire';
import { mergeLoads, startLoadMeter, type LoadMeter } from './load-meter';
import { holdCongestionWindow } from './sctp-tuning';

/** werift queues more than this on the channel: the burst waits (the server, not the path, is then the limit). */
const BURST_BUFFER_LIMIT_BYTES = 256 * 1024;
/** Pacing timer of streams and bursts, ms (Node timers are ≈ 1 ms grained; packets due are sent in batches). */
const PACE_TICK_MS = 2;
/** Congestion-window floor while a stream runs: far above a 400-packet/s stream's flight on any real RTT. */
const STREAM_CWND_FLOOR_BYTES = 64 * 1024;

/** Whether a DataChannel label belongs to the media-quality protocol. */
export function isQualityLabel(label: string): boolean {
  return label === QUALITY_DATA_LABEL || label === QUALITY_CONTROL_LABEL;
}

/** Counts server bursts running at once across all peers of a MediaPeerServer and caps those the server sends. */
export class BurstGate {
  readonly #max: number;
  #active = 0;

  /** `max`: most server-sent bursts at once. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Bursts running now (server-sent and page-sent ones the server is receiving). */
  get active(): number {
    return this.#active;
  }

  /** Enters for a server-sent burst; undefined when `max` are running. The function leaves (idempotent). */
  tryEnter(): (() => void) | undefined {
    if (this.#active >= this.#max) return undefined;
    return this.track();
  }

  /** Counts a burst the server cannot refuse (the page sending); the function leaves (idempotent). */
  track(): () => void {
    this.#active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#active--;
    };
  }
}

/** Options of a QualityPeer. */
export interface QualityPeerOptions {
  pc: RTCPeerConnection;
  limits: QualityLimits;
  gate: BurstGate;
}

interface RunningMeter {
  meter: LoadMeter;
  leave: () => void;
  peak: number;
}

/** One browser peer's quality session: attach its two channels, close it with the peer. */
export class QualityPeer {
  readonly responder: QualityResponder;
  readonly #pc: RTCPeerConnection;
  readonly #gate: BurstGate;
  #data?: RTCDataChannel;
  #control?: RTCDataChannel;
  #sending = false;
  /** A `report` was asked while a stream or burst ran: answer it when that ends (wire.ts). */
  #reportDue = false;
  #timer?: ReturnType<typeof setTimeout>;
  #release?: () => void;
  #floorBytes = 0;
  #upMeter?: RunningMeter;
  #downMeter?: RunningMeter;
  readonly #loads: ServerLoad[] = [];
  #closed = false;
  /** Bytes the server sent in streams and bursts (for the peer's evidence and the bench). */
  sentBytes = 0;

  /** Creates the session; nothing runs until a channel is attached and the page asks. */
  constructor(options: QualityPeerOptions) {
    this.#pc = options.pc;
    this.#gate = options.gate;
    this.responder = new QualityResponder(options.limits);
  }

  /** Takes over a channel with a quality label (returns false, untouched, for any other label). */
  attach(channel: RTCDataChannel): boolean {
    if (channel.label === QUALITY_DATA_LABEL) {
      this.#data = channel;
      channel.onMessage.subscribe((message) => {
        if (this.#closed || typeof message !== 'string') return;
        const now = performance.now();
        if (message.startsWith('U ')) this.#noteUpBurst();
        for (const reply of this.responder.onData(message, now)) this.#send(channel, reply);
      });
      return true;
    }
    if (channel.label === QUALITY_CONTROL_LABEL) {
      this.#control = channel;
      channel.onMessage.subscribe((message) => {
        if (this.#closed || typeof message !== 'string') return;
        this.#onControl(message);
      });
      return true;
    }
    return false;
  }

  /** Stops whatever runs and releases the window floor, the gate and the meters. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#release?.();
    this.#release = undefined;
    for (const running of [this.#upMeter, this.#downMeter]) {
      running?.meter.stop();
      running?.leave();
    }
    this.#upMeter = this.#downMeter = undefined;
  }

  #send(channel: RTCDataChannel | undefined, text: string): boolean {
    if (!channel || channel.readyState !== 'open') return false;
    try {
      channel.send(text);
      return true;
    } catch {
      // The association went away between the check and the send; the peer's state handlers close it.
      return false;
    }
  }

  #answer(message: ServerControl): void {
    this.#send(this.#control, JSON.stringify(message));
  }

  #onControl(text: string): void {
    // A control request ends the page's upstream burst, if one was running (it sends one thing at a time).
    this.#finishUpBurst();
    const outcome = this.responder.onControl(text);
    switch (outcome.kind) {
      case 'reply':
        return this.#answer(outcome.message);
      case 'ignore':
        return;
      case 'report':
        if (this.#sending) {
          this.#reportDue = true;
          return;
        }
        return this.#sendReport();
      case 'start-stream':
        return this.#startStream(outcome.plan);
      case 'start-bulk':
        return this.#startBulk(outcome.plan);
    }
  }

  #sendReport(): void {
    this.#reportDue = false;
    this.#answer(this.responder.report(mergeLoads(this.#loads)));
  }

  #refuse(request: string, code: 'busy' | 'limit' | 'bad-request', message: string): void {
    this.#answer({ type: 'refused', request, code, message });
  }

  #startStream(plan: StreamPlan): void {
    if (this.#sending) return this.#refuse('stream', 'busy', 'a stream or burst of this session is still running');
    if (this.#data?.readyState !== 'open') return this.#refuse('stream', 'bad-request', `the ${QUALITY_DATA_LABEL} channel is not open`);
    this.#sending = true;
    this.#holdWindow(STREAM_CWND_FLOOR_BYTES);
    const start = performance.now();
    let seq = 0;
    const tick = (): void => {
      const now = performance.now();
      while (seq < plan.count && start + seq * plan.intervalMs <= now) {
        const text = this.responder.streamPacket(seq, now);
        if (this.#send(this.#data, text)) this.sentBytes += text.length;
        seq++;
      }
      if (seq < plan.count) {
        this.#timer = setTimeout(tick, Math.max(0, Math.min(PACE_TICK_MS, start + seq * plan.intervalMs - performance.now())));
        return;
      }
      this.#endSending();
      this.#answer(this.responder.streamDone(seq, performance.now() - start));
      if (this.#reportDue) this.#sendReport();
    };
    tick();
  }

  #startBulk(plan: BulkPlan): void {
    if (this.#sending) return this.#refuse('bulk', 'busy', 'a stream or burst of this session is still running');
    if (this.#data?.readyState !== 'open') return this.#refuse('bulk', 'bad-request', `the ${QUALITY_DATA_LABEL} channel is not open`);
    const leave = this.#gate.tryEnter();
    if (!leave) return this.#refuse('bulk', 'busy', `the test server is already sending ${this.#gate.active} throughput bursts`);
    this.#sending = true;
    const bytesPerMs = (plan.rateKbps * 1000) / 8 / 1000;
    // Enough window for the paced rate over a 600 ms round trip: the path, not werift's window, limits the burst.
    this.#holdWindow(Math.max(STREAM_CWND_FLOOR_BYTES, Math.ceil(bytesPerMs * 600)));
    const running: RunningMeter = { meter: startLoadMeter(), leave, peak: this.#gate.active };
    this.#downMeter = running;
    const data = this.#data;
    const start = performance.now();
    let seq = 0;
    let sentBytes = 0;
    const tick = (): void => {
      const now = performance.now();
      const elapsed = Math.min(now - start, plan.windowMs);
      running.peak = Math.max(running.peak, this.#gate.active);
      // Paced against the clock: what should have left by now, as long as werift's queue keeps up.
      while (sentBytes + plan.packetBytes <= bytesPerMs * elapsed + plan.packetBytes && data.bufferedAmount < BURST_BUFFER_LIMIT_BYTES) {
        const text = this.responder.bulkPacket(plan, seq, now);
        if (!this.#send(data, text)) break;
        sentBytes += text.length;
        seq++;
      }
      if (now - start < plan.windowMs && data.readyState === 'open') {
        this.#timer = setTimeout(tick, PACE_TICK_MS);
        return;
      }
      this.sentBytes += sentBytes;
      this.#loads.push({ ...running.meter.stop(), concurrentBursts: running.peak });
      running.leave();
      this.#downMeter = undefined;
      this.#endSending();
      this.responder.bulkDone(plan, seq, sentBytes, performance.now() - start);
      if (this.#reportDue) this.#timer = setTimeout(() => this.#sendReport(), REPORT_AFTER_BURST_MS);
    };
    tick();
  }

  /**
   * The window floor stays until the peer closes: a burst into a bottleneck leaves hundreds of KB of lost chunks
   * in werift's flight until they are abandoned, and with werift's own small window the report after the burst would
   * wait for a retransmission timeout. What the session still sends is a report or two.
   */
  #endSending(): void {
    this.#sending = false;
  }

  /** Holds werift's window at `floorBytes` or more (a higher floor replaces a lower one) until close(). */
  #holdWindow(floorBytes: number): void {
    if (this.#floorBytes >= floorBytes) return;
    this.#release?.();
    this.#release = holdCongestionWindow(this.#pc, floorBytes);
    this.#floorBytes = floorBytes;
  }

  /** The page started sending `U` packets: measure the load while they arrive. */
  #noteUpBurst(): void {
    if (this.#upMeter) {
      this.#upMeter.peak = Math.max(this.#upMeter.peak, this.#gate.active);
      return;
    }
    this.#upMeter = { meter: startLoadMeter(), leave: this.#gate.track(), peak: this.#gate.active };
  }

  #finishUpBurst(): void {
    const running = this.#upMeter;
    if (!running) return;
    this.#upMeter = undefined;
    this.#loads.push({ ...running.meter.stop(), concurrentBursts: running.peak });
    running.leave();
  }
}
