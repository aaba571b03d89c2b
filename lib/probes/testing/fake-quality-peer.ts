/**
 * A fake of netready's media peer for the media-quality protocol, for unit tests: the real Sans-IO
 * QualityResponder behind two simulated links (one per direction), each with a one-way delay, a deterministic loss
 * (every n-th packet dropped, like the lab's `statistic --mode nth`) and optionally a rate cap with a bounded queue
 * (like `tc tbf`). Timers are real; keep plans short in tests.
 */
import { DEFAULT_QUALITY_LIMITS, QualityResponder } from '../../protocol/media-quality/responder';
import { QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL, REPORT_AFTER_BURST_MS, type QualityLimits, type ServerLoad } from '../../protocol/media-quality/wire';
import type { DataChannelLike } from '../types';

/** One direction of the simulated path. */
export interface FakeLink {
  /** One-way delay, ms (default 1). */
  delayMs?: number;
  /** Drop every n-th packet of this direction (0 or absent: none). */
  dropEvery?: number;
  /** Capacity, kbit/s; packets queue behind each other and are dropped when they would wait over `queueMs`. */
  rateKbps?: number;
  /** Longest queueing delay before a drop, ms (default 50). */
  queueMs?: number;
  /** Drop everything. */
  dead?: boolean;
}

/** The fake media peer's behaviour. */
export interface FakeQualityPeer {
  up?: FakeLink;
  down?: FakeLink;
  /** The load the server reports for its bursts (default: idle). */
  load?: ServerLoad;
  /** Limits the server announces (default DEFAULT_QUALITY_LIMITS). */
  limits?: QualityLimits;
  /** Refuse the throughput burst as busy. */
  refuseBursts?: boolean;
  /** Never answer the control channel (an old server that does not speak the protocol). */
  mute?: boolean;
  /**
   * Send `stream-done` (and the report asked with it) this many ms late: a lost control message the media peer's
   * SCTP resent after its retransmission timeout.
   */
  lateStreamDoneMs?: number;
}

type Listener = (event: never) => void;

class LinkSimulator {
  #count = 0;
  #freeAt = 0;
  readonly #link: FakeLink;
  readonly #timers: Array<ReturnType<typeof setTimeout>>;

  constructor(link: FakeLink, timers: Array<ReturnType<typeof setTimeout>>) {
    this.#link = link;
    this.#timers = timers;
  }

  /** Delivers `bytes` via `deliver` after the link's delay, or drops it. */
  carry(bytes: number, deliver: () => void): void {
    const link = this.#link;
    this.#count++;
    if (link.dead || (link.dropEvery && this.#count % link.dropEvery === 0)) return;
    const now = performance.now();
    let wait = 0;
    if (link.rateKbps) {
      const start = Math.max(now, this.#freeAt);
      wait = start - now;
      if (wait > (link.queueMs ?? 50)) return;
      this.#freeAt = start + (bytes * 8) / link.rateKbps;
      wait = this.#freeAt - now;
    }
    this.#timers.push(setTimeout(deliver, (link.delayMs ?? 1) + wait));
  }
}

/** A DataChannel of the fake page side whose messages go to the fake server. */
export class FakeQualityChannel implements DataChannelLike {
  readyState = 'connecting';
  bufferedAmount = 0;
  readonly #listeners = new Map<string, Listener[]>();
  sendHook: (data: string) => void = () => undefined;
  readonly label: string;

  constructor(label: string) {
    this.label = label;
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('channel not open');
    this.sendHook(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
}

/** The server end: owns the responder and both links; `open()` opens the page's channels. */
export class FakeQualityServer {
  readonly responder: QualityResponder;
  readonly #timers: Array<ReturnType<typeof setTimeout>> = [];
  readonly #up: LinkSimulator;
  readonly #down: LinkSimulator;
  readonly #behaviour: FakeQualityPeer;
  data?: FakeQualityChannel;
  control?: FakeQualityChannel;
  closed = false;
  /** The `type` of every control request that reached this server, in order. */
  readonly requests: string[] = [];
  /** A stream or burst runs; a `report` asked meanwhile waits for its end (wire.ts), as on the real peer. */
  #sending = false;
  #reportDue = false;

  constructor(behaviour: FakeQualityPeer) {
    this.#behaviour = behaviour;
    this.responder = new QualityResponder(behaviour.limits ?? DEFAULT_QUALITY_LIMITS);
    this.#up = new LinkSimulator(behaviour.up ?? {}, this.#timers);
    this.#down = new LinkSimulator(behaviour.down ?? {}, this.#timers);
  }

  /** Wires a page channel created with a quality label; false for other labels. */
  adopt(channel: FakeQualityChannel): boolean {
    if (channel.label === QUALITY_DATA_LABEL) {
      this.data = channel;
      channel.sendHook = (text) => this.#up.carry(text.length, () => this.#onData(text));
      return true;
    }
    if (channel.label === QUALITY_CONTROL_LABEL) {
      this.control = channel;
      // The control channel is reliable: delayed, never dropped.
      channel.sendHook = (text) => this.#later(this.#behaviour.up?.delayMs ?? 1, () => this.#onControl(text));
      return true;
    }
    return false;
  }

  /** Opens the adopted channels (the answer was applied). */
  open(): void {
    this.#later(5, () => {
      for (const channel of [this.control, this.data]) {
        if (!channel) continue;
        channel.readyState = 'open';
        channel.emit('open', {});
      }
    });
  }

  /** Stops every timer. */
  close(): void {
    this.closed = true;
    this.#timers.forEach(clearTimeout);
  }

  #later(ms: number, run: () => void): void {
    this.#timers.push(setTimeout(() => !this.closed && run(), ms));
  }

  #toPage(text: string): void {
    this.#down.carry(text.length, () => !this.closed && this.data?.emit('message', { data: text }));
  }

  #answer(message: unknown): void {
    this.#later(this.#behaviour.down?.delayMs ?? 1, () => this.control?.emit('message', { data: JSON.stringify(message) }));
  }

  #sendReport(): void {
    this.#reportDue = false;
    this.#answer(this.responder.report(this.#behaviour.load ?? { cpuBusyRatio: 0.1, loopLagMaxMs: 1, udpReceiveErrors: 0, concurrentBursts: 1 }));
  }

  #onData(text: string): void {
    if (this.closed) return;
    for (const reply of this.responder.onData(text, performance.now())) this.#toPage(reply);
  }

  #onControl(text: string): void {
    if (this.#behaviour.mute) return;
    this.requests.push(String((JSON.parse(text) as { type?: unknown }).type));
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
      case 'start-stream': {
        const { plan } = outcome;
        const start = performance.now();
        for (let seq = 0; seq < plan.count; seq++) {
          this.#later(seq * plan.intervalMs, () => this.#toPage(this.responder.streamPacket(seq, performance.now())));
        }
        this.#sending = true;
        this.#later(plan.count * plan.intervalMs + (this.#behaviour.lateStreamDoneMs ?? 0), () => {
          this.#sending = false;
          this.#answer(this.responder.streamDone(plan.count, performance.now() - start));
          if (this.#reportDue) this.#sendReport();
        });
        return;
      }
      case 'start-bulk': {
        if (this.#behaviour.refuseBursts) return this.#answer({ type: 'refused', request: 'bulk', code: 'busy', message: 'the test server is already sending 4 throughput bursts' });
        const { plan } = outcome;
        const start = performance.now();
        this.#sending = true;
        const bytesPerMs = plan.rateKbps / 8;
        let seq = 0;
        let sentBytes = 0;
        const tick = (): void => {
          const elapsed = Math.min(performance.now() - start, plan.windowMs);
          while (sentBytes < bytesPerMs * elapsed) {
            const text = this.responder.bulkPacket(plan, seq++, performance.now());
            sentBytes += text.length;
            this.#toPage(text);
          }
          if (performance.now() - start < plan.windowMs) this.#later(2, tick);
          else {
            this.responder.bulkDone(plan, seq, sentBytes, performance.now() - start);
            this.#sending = false;
            if (this.#reportDue) this.#later(REPORT_AFTER_BURST_MS, () => this.#sendReport());
          }
        };
        tick();
        return;
      }
    }
  }
}
