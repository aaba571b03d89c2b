/**
 * Load test of one probe process (issue 16 item 5): `sessions` simulated clients, each repeating the life of a test
 * session for `durationMs` — POST /v1/sessions, a STUN Binding to the TURN port, TURN Allocate with the session's
 * long-term credentials, CreatePermission + ChannelBind towards a UDP echo peer, one ChannelData echo through the
 * relay, Refresh, and Refresh with LIFETIME 0 (close). Records p50/p99 per step, errors by kind, sessions/s, and
 * the probe process's RSS (/proc/<pid>/status VmRSS) over time.
 *
 * The client side uses netready's own codecs (lib/protocol/stun, lib/protocol/turn). Requests are retransmitted
 * like a real client (RFC 8489 §6.2.1: RTO 500 ms, doubled) so one lost datagram on a busy loopback shows as
 * latency and a `retransmits` count, not as a failed session; a request still unanswered after the last try is an
 * error. Loopback only.
 */
import dgram from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runStunProberProcess, type StunProbeReport } from './stun-prober';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { portsFrom, REPO_ROOT, stackEnv } from '../e2e/support/stack';
import { attr, XOR_MAPPED_ADDRESS } from '../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../lib/protocol/stun/constants';
import { encodeMessage, looksLikeStun } from '../lib/protocol/stun/message';
import { testCrypto } from '../lib/protocol/stun/testing/node-crypto';
import { CHANNEL_NUMBER, LIFETIME, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../lib/protocol/turn/attributes';
import { decodeChannelData, encodeChannelData, looksLikeChannelData } from '../lib/protocol/turn/channel-data';
import { CHANNEL_NUMBER_MIN, METHOD_ALLOCATE, METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION, METHOD_REFRESH, TRANSPORT_UDP } from '../lib/protocol/turn/constants';
import { decodeResponse, TurnMessageFactory, type TestResponse } from '../lib/protocol/turn/testing/turn-client';

/** The steps of one simulated session, in order. */
export const LOAD_STEPS = ['session', 'stun', 'allocate', 'permission', 'channelBind', 'echo', 'refresh', 'close'] as const;
/** One step of a simulated session. */
export type LoadStep = (typeof LOAD_STEPS)[number];

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Probe HTTP API base URL (loopback), e.g. http://127.0.0.1:41001. */
  probeUrl: string;
  /** TURN/STUN UDP port of the probe (on 127.0.0.1). */
  turnPort: number;
  /** Port for the UDP echo peer on 127.0.0.1: must lie in the probe's media-peer range (`probe.peerPortMin…Max`), the only peers its relay reaches. */
  echoPort: number;
  /** Concurrent simulated clients (1–5000). */
  sessions: number;
  /** How long the clients keep cycling after warm-up, ms (1000–600000): the measured window. */
  durationMs: number;
  /**
   * Warm-up before the measured window, ms (0–600000): long enough for the probe's live state to level off at full
   * concurrency (see {@link loadWarmupMs}). Latencies of sessions started in it are kept apart, and the RSS "after
   * warm-up" is sampled at its end. Default 0.
   */
  warmupMs?: number;
  /** The probe's operations listener (`/metrics`), sampled every few seconds for its live state; none: not sampled. */
  metricsUrl?: string;
  /**
   * Each client starts a new session at most this often, ms. Default 3000: one page run (start → verdict ≈ 3 s), so
   * N clients stand for N tests running at once.
   */
  cycleMs?: number;
  /** PID whose VmRSS is sampled (the probe's node process); none: no RSS figures. */
  probePid?: number;
  /** The core the probe is pinned to, whose load by other processes is reported; none: not reported. */
  probeCore?: number;
  /**
   * Makes the probe collect all its garbage and resolves with its memory right after: called after warm-up and at the
   * end, so rssStartMb/rssEndMb are taken at the same point of V8's collection cycle. None: RSS as sampled.
   */
  fullGc?: () => Promise<ProbeMemory | null>;
  /** Progress lines (one per second). */
  log?: (line: string) => void;
}

/** The probe's memory right after a full garbage collection, MB. */
export interface ProbeMemory {
  rssMb: number;
  heapUsedMb: number;
}

/** Latency of one step, ms. */
export interface StepLatency {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** What one load run saw. */
export interface LoadReport {
  sessions: number;
  /** The measured window at full concurrency after warm-up, s. */
  seconds: number;
  /** Warm-up before it, s: `warmupMs`, then (with `fullGc`) the full collection and 1 s for its backlog to drain. */
  warmupSeconds: number;
  /** Warm-up plus the measured window, s. */
  totalSeconds: number;
  cycleMs: number;
  /** Sessions that went through every step. */
  sessionsCompleted: number;
  sessionsPerSec: number;
  /** Failed steps in total, warm-up included (a failed step ends that client's cycle). */
  errors: number;
  /** Failed steps by `<step>:<reason>`. */
  errorsByKind: Record<string, number>;
  /** Requests sent again after an unanswered RTO. */
  retransmits: number;
  /** UDP datagrams the kernel dropped on full receive buffers during the run (machine-wide), or null. */
  udpReceiveBufferDrops: number | null;
  /**
   * The probe's core (`probeCore`) in the measured window: how busy the probe kept it and how busy everything else on
   * the machine kept it (other processes share the core; their bursts delay the probe and show as latency), % of
   * the window; null without probePid/probeCore.
   */
  probeCoreBusy: { probePercent: number; othersPercent: number } | null;
  /** Latency per step of the sessions started in the measured window. */
  steps: Record<LoadStep, StepLatency>;
  /**
   * p99 of the STUN Binding round trip in the measured window, ms, as the dedicated prober measured it
   * (bench/stun-prober.ts: a process of its own, 200 requests/s, nothing else on its event loop); the generator's
   * own figure, which includes its event-loop delay, is `steps.stun.p99Ms`. Falls back to that when the prober could
   * not run.
   */
  stunP99Ms: number | null;
  /** The dedicated prober's report, or null when it could not run. */
  stunProbe: StunProbeReport | null;
  /** p99 of the STUN Binding round trip during warm-up, ms. */
  warmupStunP99Ms: number | null;
  /**
   * Event-loop delay of the load generator itself (this process) in the measured window, ms: a busy generator adds
   * its own delay to every latency it measures, so a high figure here means the step latencies overstate the probe's.
   */
  generatorEventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /**
   * VmRSS after warm-up and at the end of the run, MB: right after a full garbage collection when `fullGc` is given
   * (see {@link LoadOptions.fullGc}), else as sampled; null without probePid.
   */
  rssStartMb: number | null;
  rssEndMb: number | null;
  /** VmRSS as sampled (no collection asked for) after warm-up and at the end, MB. */
  rssSampledStartMb: number | null;
  rssSampledEndMb: number | null;
  /** The probe's JS heap in use right after the full collections (what stayed alive), MB; null without `fullGc`. */
  heapAfterGcStartMb: number | null;
  heapAfterGcEndMb: number | null;
  /** VmRSS once a second, MB, with the time since start. */
  rssSamples: Array<{ atS: number; mb: number }>;
  /** The probe's own view every 5 s (from /metrics): live sessions and allocations, JS heap, event-loop lag. */
  probeSamples: ProbeSample[];
}

/** One sample of the probe's /metrics. */
export interface ProbeSample {
  atS: number;
  sessionsLive: number | null;
  allocationsActive: number | null;
  heapUsedMb: number | null;
  /** prom-client's event-loop lag p99 (its histogram of 10 ms timer ticks, less the 10 ms), ms. */
  eventLoopLagP99Ms: number | null;
}

/** The value of a metric (summed over its label sets) in Prometheus text, or null when absent. */
export function metricValue(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Reads the probe's /metrics into a {@link ProbeSample}; null when it does not answer. */
async function sampleProbe(metricsUrl: string, atS: number): Promise<ProbeSample | null> {
  const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.text())
    .catch(() => null);
  if (text === null) return null;
  const round = (value: number | null, scale: number): number | null => (value === null ? null : Math.round(value * scale * 10) / 10);
  return {
    atS,
    sessionsLive: metricValue(text, 'netready_sessions_live'),
    allocationsActive: metricValue(text, 'netready_turn_allocations_active'),
    heapUsedMb: round(metricValue(text, 'nodejs_heap_size_used_bytes'), 1 / 1024 / 1024),
    eventLoopLagP99Ms: ((lag) => (lag === null ? null : Math.max(0, Math.round((lag - 10) * 10) / 10)))(round(metricValue(text, 'nodejs_eventloop_lag_p99_seconds'), 1000)),
  };
}

/** RFC 8489 §6.2.1: RTO 500 ms, doubled per retransmission; Rc = 3 tries here (a loaded loopback, not the Internet). */
const RTO_MS = [500, 1000, 2000];
const ECHO_TIMEOUT_MS = 2000;
const HTTP_TIMEOUT_MS = 10_000;
const ECHO_PAYLOAD_BYTES = 160;

class StepError extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** Percentile (nearest rank) of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank]! * 100) / 100;
}

/**
 * The kernel's count of UDP datagrams dropped because a socket's receive buffer was full (RcvbufErrors in
 * /proc/net/snmp; the whole machine, which the bench has to itself under the exclusive lock), or null.
 */
export function readUdpReceiveBufferErrors(): number | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const value = Number(lines[1]!.split(/\s+/)[names.indexOf('RcvbufErrors')]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system, in clock ticks) core `cpu` spent busy since boot, from /proc/stat; null when unreadable. */
export function readCoreBusyTicks(cpu: number): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
    if (!line) return null;
    // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  } catch {
    return null;
  }
}

/** CPU time (user + system, clock ticks) a process and its threads used, from /proc/<pid>/stat; null when gone. */
export function readProcessTicks(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at ")"; utime and stime are fields 14 and 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** VmRSS of a process in MB, or null when it is gone. */
export function readRssMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** One simulated client: its own UDP socket (its own 5-tuple, as a browser has), transactions matched by ID. */
class LoadClient {
  private readonly pending = new Map<string, (response: TestResponse) => void>();
  private echoWaiter: ((payload: Uint8Array) => void) | undefined;
  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: LoadOptions,
    private readonly onRetransmit: () => void,
  ) {
    socket.on('message', (bytes: Buffer) => this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  }

  static async open(options: LoadOptions, onRetransmit: () => void): Promise<LoadClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A late datagram after close or an ICMP unreachable must not crash the generator; steps time out instead.
    socket.on('error', () => undefined);
    return new LoadClient(socket, options, onRetransmit);
  }

  close(): void {
    this.socket.close();
  }

  private receive(bytes: Uint8Array): void {
    if (looksLikeChannelData(bytes)) {
      const waiter = this.echoWaiter;
      this.echoWaiter = undefined;
      waiter?.(decodeChannelData(bytes).data);
      return;
    }
    if (!looksLikeStun(bytes)) return;
    let response: TestResponse;
    try {
      response = decodeResponse(bytes);
    } catch {
      return;
    }
    const key = Buffer.from(response.message.transactionId).toString('hex');
    const resolve = this.pending.get(key);
    this.pending.delete(key);
    resolve?.(response);
  }

  /** Sends a request and resolves with its response; retransmits per RTO_MS; rejects StepError('<step>:timeout'). */
  transact(step: LoadStep, request: { transactionId: Uint8Array; bytes: Uint8Array }): Promise<TestResponse> {
    const key = Buffer.from(request.transactionId).toString('hex');
    return new Promise((resolve, reject) => {
      let attempt = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        this.socket.send(request.bytes, this.options.turnPort, '127.0.0.1');
        timer = setTimeout(() => {
          attempt++;
          if (attempt >= RTO_MS.length) {
            this.pending.delete(key);
            reject(new StepError(`${step}:timeout`));
          } else {
            this.onRetransmit();
            send();
          }
        }, RTO_MS[attempt]);
      };
      this.pending.set(key, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      send();
    });
  }

  /** Sends `payload` on `channel` and resolves when the echo peer's copy comes back through the relay. */
  echo(channel: number, payload: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.echoWaiter = undefined;
        reject(new StepError('echo:timeout'));
      }, ECHO_TIMEOUT_MS);
      this.echoWaiter = (data) => {
        clearTimeout(timer);
        if (Buffer.compare(Buffer.from(data), Buffer.from(payload)) === 0) resolve();
        else reject(new StepError('echo:mismatch'));
      };
      this.socket.send(encodeChannelData(channel, payload, { pad: false }), this.options.turnPort, '127.0.0.1');
    });
  }
}

/** Throws StepError('<step>:error-<code>') for an error response. */
function expectSuccess(step: LoadStep, response: TestResponse): TestResponse {
  if (response.message.cls !== 'success') throw new StepError(`${step}:error-${response.errorCode ?? 'unknown'}`);
  return response;
}

/** An authenticated TURN request; learns a fresh nonce from one 438 (stale nonce) and tries again. */
async function authed(client: LoadClient, factory: TurnMessageFactory, step: LoadStep, method: number, attributes: Parameters<TurnMessageFactory['request']>[1]): Promise<TestResponse> {
  let response = await client.transact(step, factory.request(method, attributes));
  if (response.errorCode === 438 && factory.learn(response)) response = await client.transact(step, factory.request(method, attributes));
  return expectSuccess(step, response);
}

/** Runs the load and resolves with the report. Rejects on invalid options. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const probe = new URL(options.probeUrl);
  if (!net.isIPv4(probe.hostname) || !probe.hostname.startsWith('127.')) throw new RangeError(`the load test only targets loopback, not ${probe.hostname}`);
  if (!Number.isInteger(options.sessions) || options.sessions < 1 || options.sessions > 5000) throw new RangeError('sessions must be 1-5000');
  if (!(options.durationMs >= 1000 && options.durationMs <= 600_000)) throw new RangeError('durationMs must be 1000-600000');
  const warmupMs = options.warmupMs ?? 0;
  if (!(warmupMs >= 0 && warmupMs <= 600_000)) throw new RangeError('warmupMs must be 0-600000');
  const cycleMs = options.cycleMs ?? 3000;
  const log = options.log ?? (() => undefined);

  // The echo peer: sends every datagram back to where it came from (the client's relayed address).
  const peer = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    peer.once('error', reject);
    peer.bind(options.echoPort, '127.0.0.1', () => {
      peer.off('error', reject);
      resolve();
    });
  });
  peer.on('message', (bytes, from) => peer.send(bytes, from.port, from.address));
  peer.on('error', () => undefined);

  const latencies = Object.fromEntries(LOAD_STEPS.map((s) => [s, [] as number[]])) as Record<LoadStep, number[]>;
  const warmupStun: number[] = [];
  const errorsByKind: Record<string, number> = {};
  let completed = 0;
  let retransmits = 0;
  const rssSamples: Array<{ atS: number; mb: number }> = [];
  let rssStartMb: number | null = null;
  const probeSamples: ProbeSample[] = [];
  const rcvbufErrorsBefore = readUdpReceiveBufferErrors();
  // Set in a callback: typed so that TypeScript does not narrow it to null.
  let gcStart = null as ProbeMemory | null;
  let gcStartAsked: Promise<void> | undefined;
  const started = performance.now();
  const warmupEnd = started + warmupMs;
  // Set in the sampler's callback: typed so that TypeScript does not narrow it to null.
  let coreAtWindowStart = null as { core: number; probe: number; at: number } | null;
  const coreNow = (): { core: number; probe: number; at: number } | null => {
    if (options.probeCore === undefined || options.probePid === undefined) return null;
    const core = readCoreBusyTicks(options.probeCore);
    const probe = readProcessTicks(options.probePid);
    return core === null || probe === null ? null : { core, probe, at: performance.now() };
  };
  // The measured window opens after the warm-up's full collection and one more second for the backlog it caused to
  // drain, so that its pause (≈ 0.3 s at 10,000 live sessions) is not measured as protocol latency.
  let measureFrom = options.fullGc ? Number.POSITIVE_INFINITY : warmupEnd;
  let stopAt = measureFrom + options.durationMs;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });

  const oneSession = async (client: LoadClient, seed: number): Promise<void> => {
    // A session belongs to the phase it started in.
    const measured = performance.now() >= measureFrom;
    const timed = async <T>(step: LoadStep, work: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const value = await work();
      if (measured) latencies[step].push(performance.now() - t0);
      else if (step === 'stun') warmupStun.push(performance.now() - t0);
      return value;
    };
    const created = await timed('session', async () => {
      const response = await fetch(`${options.probeUrl}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      }).catch((error: unknown) => {
        throw new StepError(`session:${(error as Error).name === 'TimeoutError' ? 'timeout' : 'network'}`);
      });
      if (response.status !== 200 && response.status !== 201) throw new StepError(`session:http-${response.status}`);
      return (await response.json()) as { turn: Array<{ transport: string; username: string; credential: string }> };
    });
    const udp = created.turn.find((t) => t.transport === 'udp');
    if (!udp) throw new StepError('session:no-turn-udp');
    const factory = new TurnMessageFactory({ crypto: testCrypto, username: udp.username, password: udp.credential, seed });
    await timed('stun', async () => {
      const transactionId = factory.nextTransactionId();
      const bytes = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId, attributes: [] }, { fingerprint: true });
      const response = expectSuccess('stun', await client.transact('stun', { transactionId, bytes }));
      if (!response.get(XOR_MAPPED_ADDRESS)) throw new StepError('stun:no-mapped-address');
    });
    const peerEndpoint = { family: 'IPv4' as const, ip: '127.0.0.1', port: options.echoPort };
    await timed('allocate', async () => {
      const transport = [attr(REQUESTED_TRANSPORT, TRANSPORT_UDP)];
      const challenge = await client.transact('allocate', factory.request(METHOD_ALLOCATE, transport, { authenticate: false }));
      if (challenge.errorCode !== 401 || !factory.learn(challenge)) throw new StepError(`allocate:no-challenge-${challenge.errorCode ?? 'success'}`);
      const response = await authed(client, factory, 'allocate', METHOD_ALLOCATE, transport);
      if (!response.get(XOR_RELAYED_ADDRESS)) throw new StepError('allocate:no-relayed-address');
    });
    let failure: unknown;
    try {
      await timed('permission', () => authed(client, factory, 'permission', METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, peerEndpoint)]));
      await timed('channelBind', () =>
        authed(client, factory, 'channelBind', METHOD_CHANNEL_BIND, [attr(CHANNEL_NUMBER, CHANNEL_NUMBER_MIN), attr(XOR_PEER_ADDRESS, peerEndpoint)]),
      );
      const payload = new Uint8Array(ECHO_PAYLOAD_BYTES);
      new DataView(payload.buffer).setUint32(0, seed);
      new DataView(payload.buffer).setFloat64(4, performance.now());
      await timed('echo', () => client.echo(CHANNEL_NUMBER_MIN, payload));
      await timed('refresh', () => authed(client, factory, 'refresh', METHOD_REFRESH, [attr(LIFETIME, 600)]));
    } catch (error) {
      failure = error;
    }
    // Always release the allocation, even after a failed step, so a failure does not leak relay ports into later
    // cycles; the first failure is the one reported.
    try {
      await timed('close', () => authed(client, factory, 'close', METHOD_REFRESH, [attr(LIFETIME, 0)]));
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
    completed++;
  };

  const runClient = async (index: number): Promise<void> => {
    // Staggered starts spread the clients over one cycle instead of a thundering herd at t=0.
    let next = started + (index / options.sessions) * cycleMs;
    let cycle = 0;
    for (;;) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (performance.now() >= stopAt) return;
      next = Math.max(performance.now(), next + cycleMs);
      // A fresh socket per session, as a browser has per test: a session whose close was lost must not make the
      // next Allocate on the same 5-tuple fail with 437 (allocation mismatch).
      const client = await LoadClient.open(options, () => retransmits++);
      try {
        // A seed per client and cycle keeps transaction IDs unique across the whole run.
        await oneSession(client, index * 1_000_000 + ++cycle);
      } catch (error) {
        const kind = error instanceof StepError ? error.kind : `internal:${(error as Error).message.slice(0, 60)}`;
        errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
      } finally {
        client.close();
      }
    }
  };

  let ticks = 0;
  let delayMeasured = false;
  let prober: Promise<StunProbeReport | null> | undefined;
  const sampler = setInterval(() => {
    const now = performance.now();
    const atS = Math.round((now - started) / 100) / 10;
    const mb = options.probePid === undefined ? null : readRssMb(options.probePid);
    if (mb !== null) {
      rssSamples.push({ atS, mb });
      if (rssStartMb === null && now >= warmupEnd) rssStartMb = mb;
    }
    if (options.fullGc && gcStartAsked === undefined && now >= warmupEnd) {
      gcStartAsked = options.fullGc().then((memory) => {
        gcStart = memory;
        measureFrom = performance.now() + 1000;
        stopAt = measureFrom + options.durationMs;
      });
    }
    // The generator's own delay is measured over the measured window only (warm-up starts 1,000 sockets).
    if (!delayMeasured && now >= measureFrom) {
      delayMeasured = true;
      loopDelay.enable();
      coreAtWindowStart = coreNow();
      prober = runStunProberProcess(options.turnPort, options.durationMs, log);
    }
    if (options.metricsUrl && ticks++ % 5 === 0) void sampleProbe(options.metricsUrl, atS).then((sample) => sample && probeSamples.push(sample));
    const errors = Object.values(errorsByKind).reduce((a, b) => a + b, 0);
    log(`load ${atS} s: ${completed} sessions completed, ${errors} errors, ${retransmits} retransmits${mb !== null ? `, probe RSS ${mb} MB` : ''}`);
  }, 1000);
  try {
    await Promise.all(Array.from({ length: options.sessions }, (_, i) => runClient(i)));
  } finally {
    clearInterval(sampler);
    loopDelay.disable();
    peer.close();
  }
  const elapsedS = (performance.now() - started) / 1000;
  // The histogram records the time between 10 ms timer ticks: the delay is what exceeds the resolution.
  const delayMs = (ns: number): number => Math.max(0, Math.round((ns - 10e6) / 1e4) / 100);
  const rssSampledEndMb = options.probePid === undefined ? null : readRssMb(options.probePid);
  const coreAtEnd = coreNow();
  // Clock ticks are 1/100 s on Linux (USER_HZ).
  const coreWindowS = coreAtWindowStart && coreAtEnd ? (coreAtEnd.at - coreAtWindowStart.at) / 1000 : 0;
  const probeCoreBusy =
    coreAtWindowStart && coreAtEnd && coreWindowS > 0
      ? {
          probePercent: Math.round(((coreAtEnd.probe - coreAtWindowStart.probe) / 100 / coreWindowS) * 1000) / 10,
          othersPercent: Math.max(0, Math.round(((coreAtEnd.core - coreAtWindowStart.core - (coreAtEnd.probe - coreAtWindowStart.probe)) / 100 / coreWindowS) * 1000) / 10),
        }
      : null;
  await gcStartAsked;
  const gcEnd = options.fullGc ? await options.fullGc() : null;
  const stunProbe = prober ? await prober : null;
  const steps = Object.fromEntries(
    LOAD_STEPS.map((s) => {
      const sorted = latencies[s].sort((a, b) => a - b);
      return [s, { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }];
    }),
  ) as Record<LoadStep, StepLatency>;
  return {
    sessions: options.sessions,
    seconds: Math.round((elapsedS - (measureFrom - started) / 1000) * 10) / 10,
    warmupSeconds: Math.round((measureFrom - started) / 100) / 10,
    totalSeconds: Math.round(elapsedS * 10) / 10,
    cycleMs,
    sessionsCompleted: completed,
    sessionsPerSec: Math.round((completed / elapsedS) * 10) / 10,
    errors: Object.values(errorsByKind).reduce((a, b) => a + b, 0),
    errorsByKind,
    retransmits,
    probeCoreBusy,
    udpReceiveBufferDrops: rcvbufErrorsBefore === null ? null : (readUdpReceiveBufferErrors() ?? rcvbufErrorsBefore) - rcvbufErrorsBefore,
    steps,
    stunP99Ms: stunProbe?.p99Ms ?? steps.stun.p99Ms,
    stunProbe,
    warmupStunP99Ms: percentile(warmupStun.sort((a, b) => a - b), 99),
    generatorEventLoopDelay: { p50Ms: delayMs(loopDelay.percentile(50)), p99Ms: delayMs(loopDelay.percentile(99)), maxMs: delayMs(loopDelay.max) },
    rssStartMb: gcStart?.rssMb ?? rssStartMb,
    rssEndMb: gcEnd?.rssMb ?? rssSampledEndMb,
    rssSampledStartMb: rssStartMb,
    rssSampledEndMb,
    heapAfterGcStartMb: gcStart?.heapUsedMb ?? null,
    heapAfterGcEndMb: gcEnd?.heapUsedMb ?? null,
    rssSamples,
    probeSamples,
  };
}

/**
 * Ports of the load test's probe. The listeners and the media-peer range are in 41000–41999 (the range tests may
 * bind); the relay range cannot be: 1,000 concurrent sessions need 1,000 relay ports on top of them. It lies below
 * the kernel's ephemeral range (32768–60999 here), so the generator's 1,000 client sockets (port 0) never take a
 * relay port, and the bench runs only under the exclusive lock, so no other test binds it meanwhile.
 */
export const LOAD_PORTS = {
  http: 41001,
  https: 41002,
  turn: 41003,
  tls: 41004,
  alt: 41005,
  ops: 41006,
  iceTcp: 41007,
  mtu: 41010,
  peerMin: 41020,
  peerMax: 41029,
  relayMin: 31000,
  relayMax: 32199,
} as const;

/**
 * The probe configuration of the load test: every client comes from 127.0.0.1, so the per-client limits that
 * protect a real deployment (60 sessions a minute, 64 allocations per address) are raised here, and said so in
 * the output. Credentials — and so test sessions — live 30 s (the shortest `turn.credentialTtlS` allows, not 600 s)
 * so that live sessions level off early: a live session is state the probe must keep, and the RSS figure is meant
 * to show leaks, not the growth of live state before the first sessions expire.
 */
export const LOAD_PROBE_CONFIG = {
  name: 'netready load test',
  probe: {
    maxSessionsPerMinute: 100_000,
    maxSessionsPerMinutePerSubnet: 1_000_000,
    maxLiveSessions: 1_000_000,
    // The HTTP API's connections from one address (default 256 / 128 in handshake): 1,000 clients share one here.
    connections: { maxPerAddress: 8192, maxHandshakesPerAddress: 8192 },
  },
  turn: { maxAllocationsPerClient: 1000, credentialTtlS: 30 },
} as const;

/**
 * The warm-up of a load run, ms: the first full session lifetime at full concurrency. Clients start staggered over
 * one cycle (`cycleMs`), so concurrency is full after one cycle; the sessions opened from then on expire after
 * `credentialTtlS`, and from that moment sessions expire as fast as they are opened: live sessions, allocations and
 * the probe's tables hold a constant level, and RSS after it measures leaks rather than live state.
 */
export function loadWarmupMs(cycleMs: number, credentialTtlS: number = LOAD_PROBE_CONFIG.turn.credentialTtlS): number {
  return cycleMs + credentialTtlS * 1000;
}

/**
 * Asks the probe (pid) for a full garbage collection (SIGUSR2, bench/load-probe-preload.cjs) and resolves with its
 * memory right after, or null when no answer came within 10 s.
 */
async function collectProbeGarbage(pid: number, gcFile: string): Promise<ProbeMemory | null> {
  const lines = (): string[] => {
    try {
      return readFileSync(gcFile, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const before = lines().length;
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const all = lines();
    if (all.length > before) {
      const memory = JSON.parse(all[all.length - 1]!) as { rss: number; heapUsed: number };
      const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
      return { rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

/** The load test's probe process, its log file, and how to stop it. */
interface LoadProbe {
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `tsx server/main.ts` in its own process group with its log lines going to a file, and resolves once its API
 * answers. Not through a pipe to this process (as e2e/support/stack.ts's startProbe does): the probe logs
 * synchronously (pino, server/ops/logger.ts), so when the pipe is full it busy-waits until the reader drains it — and
 * the reader here is the load generator, whose event loop is busy with 1,000 clients. Measured: one such wait froze
 * the probe for ≈ 0.8 s at 15 s into a run and cost 2,789 retransmits, 286 errors and a STUN p99 of 1,550 ms. A
 * deployment's stdout goes to journald or a container runtime that drains it; a file stands for that here.
 */
async function startLoadProbe(env: NodeJS.ProcessEnv, probeUrl: string, logFile: string): Promise<LoadProbe> {
  const fd = openSync(logFile, 'a');
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['server/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    // Longer than startProbe's 5 s: a profiled probe writes its CPU profile on the way out.
    const killer = setTimeout(() => signal('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + 40_000;
  for (;;) {
    const tail = (): string => readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    if (child.exitCode !== null) throw new Error(`the load test's probe exited with code ${child.exitCode} before it answered:\n${tail()}`);
    if ((await fetch(`${probeUrl}/v1/health`).catch(() => null))?.status === 200) return { child, logFile, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the load test's probe did not answer ${probeUrl}/v1/health within 40 s:\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Most concurrent allocations the load test's relay port range holds. */
export const LOAD_MAX_SESSIONS = LOAD_PORTS.relayMax - LOAD_PORTS.relayMin + 1;

/**
 * Starts one probe process (`tsx server/main.ts`, as the bench's stack does) with {@link LOAD_PROBE_CONFIG} on
 * {@link LOAD_PORTS}, runs {@link runLoad} against it, stops it, and resolves with the report plus the limits it
 * raised. `sessions` above {@link LOAD_MAX_SESSIONS} (the relay ports the allowed port range holds) is capped, and
 * the report says so.
 */
export async function measureLoad(options: {
  sessions: number;
  seconds: number;
  cycleMs?: number;
  /** Write a V8 CPU profile of the probe process (node --cpu-prof) into this directory; none: no profile. */
  cpuProfileDir?: string;
  /** Write a sampling allocation profile of the probe process into this directory; none: no profile. */
  heapProfileDir?: string;
  /** Warm-up, ms. Default {@link loadWarmupMs} (a unit test's short smoke run passes 0). */
  warmupMs?: number;
  /** The probe's relay port range. Default LOAD_PORTS' (a unit test, not under the bench's lock, stays in 41000–41999). */
  relayPorts?: { min: number; max: number };
  log: (line: string) => void;
}): Promise<Record<string, unknown>> {
  const relay = options.relayPorts ?? { min: LOAD_PORTS.relayMin, max: LOAD_PORTS.relayMax };
  const relayPortCount = relay.max - relay.min + 1;
  const sessions = Math.min(options.sessions, relayPortCount);
  const cycleMs = options.cycleMs ?? 3000;
  const warmupMs = options.warmupMs ?? loadWarmupMs(cycleMs);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-load-'));
  const configFile = path.join(dataDir, 'load-config.json');
  const gcFile = path.join(dataDir, 'gc.jsonl');
  writeFileSync(configFile, JSON.stringify(LOAD_PROBE_CONFIG));
  const env = {
    ...stackEnv({ ...portsFrom(41000), ...LOAD_PORTS, relayMin: relay.min, relayMax: relay.max }, dataDir),
    NETREADY_CONFIG: configFile,
    // No MTU ladder listeners: the load test does not use them.
    NETREADY_MTU_ENABLED: 'false',
    // bench/load-probe-preload.cjs: a full collection on SIGUSR2 (rssStartMb/rssEndMb), and with --load-cpu-prof the
    // probe's CPU profile, written when it exits on SIGTERM (Node 20 refuses --cpu-prof in NODE_OPTIONS).
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(REPO_ROOT, 'bench', 'load-probe-preload.cjs')}`.trim(),
    NETREADY_LOAD_GC_FILE: gcFile,
    ...(options.cpuProfileDir ? { NETREADY_CPU_PROFILE_DIR: options.cpuProfileDir } : {}),
    ...(options.heapProfileDir ? { NETREADY_HEAP_PROFILE_DIR: options.heapProfileDir } : {}),
  };
  const probeUrl = `http://127.0.0.1:${LOAD_PORTS.http}`;
  const logFile = path.join(dataDir, 'probe.log');
  const probe = await startLoadProbe(env, probeUrl, logFile);
  try {
    // tsx starts the server in a child node process: sample the biggest process of the group (the server).
    const pids = execFileSync('pgrep', ['-g', String(probe.child.pid)]).toString().trim().split('\n').map(Number);
    const probePid = pids.map((pid) => ({ pid, mb: readRssMb(pid) ?? 0 })).sort((a, b) => b.mb - a.mb)[0]?.pid;
    // The bench pins itself (the load generator) to core 1 and its children inherit that: give the probe's event loop
    // (its main thread) core 0, so the two never share one core, and let the probe's V8 and libuv helper threads
    // (concurrent marking and sweeping, the thread pool) run on either core, as they do on any multi-core server.
    // Pinned with them to core 0 too, every collection's helper work queued behind the event loop: STUN p99 under
    // load 13.9 / 14.1 ms that way, 10.0 / 6.4 ms this way (same --load, issue 16).
    const probePinned = pids.every(
      (pid) => spawnSync('taskset', ['-a', '-cp', '0-1', String(pid)], { stdio: 'ignore' }).status === 0 && spawnSync('taskset', ['-cp', '0', String(pid)], { stdio: 'ignore' }).status === 0,
    );
    const report = await runLoad({
      probeUrl,
      turnPort: LOAD_PORTS.turn,
      echoPort: LOAD_PORTS.peerMin,
      sessions,
      durationMs: options.seconds * 1000,
      warmupMs,
      cycleMs,
      metricsUrl: `http://127.0.0.1:${LOAD_PORTS.ops}/metrics`,
      ...(probePid !== undefined ? { probePid, fullGc: () => collectProbeGarbage(probePid, gcFile) } : {}),
      ...(probePinned ? { probeCore: 0 } : {}),
      log: options.log,
    });
    return {
      ...report,
      warmup: `the first full session lifetime at full concurrency: one cycle (${cycleMs} ms, all clients started) + the credential lifetime (${LOAD_PROBE_CONFIG.turn.credentialTtlS} s), after which sessions expire as fast as they open`,
      ...(sessions < options.sessions ? { sessionsRequested: options.sessions, cappedBecause: `the relay port range ${relay.min}-${relay.max} holds ${relayPortCount} allocations` } : {}),
      relayPorts: relay,
      probeConfig: { ...LOAD_PROBE_CONFIG, note: 'per-client limits raised: every simulated client comes from 127.0.0.1' },
      probePinnedToCore0: probePinned,
      probePinning: probePinned ? 'the probe\'s main thread (event loop) on core 0, its V8/libuv helper threads on cores 0-1; the load generator on core 1' : 'not pinned (taskset failed)',
      // Logged as in production (info), to a file (see startLoadProbe): the lines written, to show the logging load.
      probeLogLines: readFileSync(logFile, 'utf8').split('\n').length - 1,
    };
  } finally {
    await probe.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
