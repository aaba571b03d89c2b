/**
 * A dedicated STUN latency prober for the load test (issue 16 item 5): a process of its own that sends one Binding
 * request every `intervalMs` to the probe's STUN/TURN UDP port and times each answer with nothing else on its event
 * loop. The load generator times its STUN step too, but it drives 1,000 simulated sessions from one event loop, and
 * its own delay (p99 5–11 ms measured) lands in every latency it records; this process measures the probe, not the
 * generator. Its own event-loop delay is reported alongside, so a reader sees how much of the figure is the
 * instrument.
 *
 * Run as a child: `tsx bench/stun-prober.ts <port> <durationMs> [intervalMs]`; prints one JSON line
 * ({@link StunProbeReport}) and exits. Loopback only.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { METHOD_BINDING } from '../lib/protocol/stun/constants';
import { encodeMessage } from '../lib/protocol/stun/message';

/** What the prober measured. */
export interface StunProbeReport {
  /** Binding requests sent and answered (an answer later than `lostAfterMs` counts as lost). */
  sent: number;
  answered: number;
  lost: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** The prober's own event-loop delay over the run, ms (the instrument's error). */
  proberEventLoopDelay: { p99Ms: number; maxMs: number };
}

/** An answer slower than this is counted lost (RFC 8489's first retransmission would have gone by then). */
const LOST_AFTER_MS = 500;

/** The `p`-th percentile (nearest rank) of sorted values, or null for none. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Sends Binding requests to 127.0.0.1:`port` for `durationMs` and resolves with the latencies. */
export async function probeStunLatency(port: number, durationMs: number, intervalMs = 5): Promise<StunProbeReport> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const pending = new Map<string, number>();
  const rtts: number[] = [];
  let sent = 0;
  socket.on('message', (message) => {
    if (message.length < 20) return;
    const key = message.subarray(8, 20).toString('hex');
    const at = pending.get(key);
    if (at === undefined) return;
    pending.delete(key);
    const rtt = performance.now() - at;
    if (rtt <= LOST_AFTER_MS) rtts.push(rtt);
  });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const start = performance.now();
  try {
    // Paced against the clock: a late timer sends what is due, so a pause of this process shows as its own delay.
    for (let n = 0; performance.now() - start < durationMs; n++) {
      const wait = start + n * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const transactionId = new Uint8Array(randomBytes(12));
      const bytes = encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId, attributes: [] }, { fingerprint: true });
      pending.set(Buffer.from(transactionId).toString('hex'), performance.now());
      socket.send(bytes, port, '127.0.0.1');
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, LOST_AFTER_MS));
  } finally {
    delay.disable();
    socket.close();
  }
  const sorted = rtts.sort((a, b) => a - b);
  const ms = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);
  // The histogram records the time between 10 ms timer ticks: the delay is what exceeds the resolution.
  const loopMs = (ns: number): number => Math.max(0, Math.round((ns - 10e6) / 1e4) / 100);
  return {
    sent,
    answered: sorted.length,
    lost: sent - sorted.length,
    p50Ms: ms(nearestRank(sorted, 50)),
    p99Ms: ms(nearestRank(sorted, 99)),
    maxMs: ms(sorted.at(-1) ?? null),
    proberEventLoopDelay: { p99Ms: loopMs(delay.percentile(99)), maxMs: loopMs(delay.max) },
  };
}

/**
 * Runs the prober as a process of its own (through the repository's tsx) and resolves with its report, or null with
 * the reason logged when it could not run.
 */
export function runStunProberProcess(port: number, durationMs: number, log: (line: string) => void = () => {}): Promise<StunProbeReport | null> {
  const root = path.resolve(import.meta.dirname, '..');
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'bench', 'stun-prober.ts'), String(port), String(Math.round(durationMs))], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      log(`stun prober could not start: ${error.message}`);
      resolve(null);
    });
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}: ${err.trim().slice(0, 200)}`);
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as StunProbeReport);
      } catch (error) {
        log(`stun prober failed: ${error instanceof Error ? error.message : String(error)}`);
        resolve(null);
      }
    });
  });
}

if (process.argv[1]?.endsWith('stun-prober.ts')) {
  const [port, durationMs, intervalMs] = process.argv.slice(2).map(Number);
  if (!Number.isInteger(port) || !(durationMs! > 0)) {
    process.stderr.write('usage: tsx bench/stun-prober.ts <port> <durationMs> [intervalMs]\n');
    process.exit(2);
  }
  probeStunLatency(port!, durationMs!, intervalMs || 5).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (error: unknown) => {
      process.stderr.write(`stun-prober: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
