/**
 * STUN Binding load generator: keeps `inFlight` Binding requests outstanding against one loopback server,
 * matches responses by transaction ID, and counts responses per second. Bounded in time (`durationMs`, at most
 * 60 s) and count (`maxRequests`); requests unanswered after `requestTimeoutMs` count as errors and are replaced,
 * so a lossy server cannot stall the window. Loopback only: it refuses any other host.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

/** Options of {@link measureStunBindingRps}. */
export interface StunLoadOptions {
  /** Server IP: 127.0.0.0/8 or ::1 only. */
  host: string;
  /** Server UDP port. */
  port: number;
  /** How long to measure, milliseconds (1–60000). */
  durationMs: number;
  /** Requests kept outstanding (1–4096). */
  inFlight: number;
  /** Stop sending after this many requests. Default 10,000,000. */
  maxRequests?: number;
  /** A request unanswered for this long counts as an error and is replaced. Default 500 ms. */
  requestTimeoutMs?: number;
}

/** What one measurement saw. */
export interface StunLoadResult {
  /** Matching Binding success responses per second of measured time. */
  responsesPerSec: number;
  /** Requests sent. */
  sent: number;
  /** Matching success responses received. */
  received: number;
  /** Timeouts, error responses, unmatched or malformed datagrams, and socket errors. */
  errors: number;
  /** Measured time, ms (from the first request to the end). */
  elapsedMs: number;
}

const MAX_DURATION_MS = 60_000;
const MAGIC_COOKIE = 0x2112a442;

function isLoopback(host: string): boolean {
  if (host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/** Runs one measurement; rejects on invalid options (non-loopback host, out-of-range numbers). */
export async function measureStunBindingRps(options: StunLoadOptions): Promise<StunLoadResult> {
  if (!isLoopback(options.host)) throw new RangeError(`stun-load only targets loopback, not ${options.host}`);
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError(`bad port ${options.port}`);
  if (!(options.durationMs >= 1 && options.durationMs <= MAX_DURATION_MS)) throw new RangeError(`durationMs must be 1-${MAX_DURATION_MS}`);
  if (!Number.isInteger(options.inFlight) || options.inFlight < 1 || options.inFlight > 4096) throw new RangeError('inFlight must be 1-4096');
  const maxRequests = options.maxRequests ?? 10_000_000;
  const timeoutMs = options.requestTimeoutMs ?? 500;

  const socket = dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Transaction ID = 8 random bytes fixed for the run ‖ 32-bit sequence number; outstanding maps seq → sent time.
  const prefix = randomBytes(8);
  const outstanding = new Map<number, number>();
  let sequence = 0;
  let sent = 0;
  let received = 0;
  let errors = 0;
  let running = true;

  const sendOne = (): void => {
    if (!running || sent >= maxRequests) return;
    const request = Buffer.allocUnsafe(20);
    request.writeUInt32BE(0x00010000, 0); // Binding request, length 0 (RFC 8489 §5)
    request.writeUInt32BE(MAGIC_COOKIE, 4);
    prefix.copy(request, 8);
    const seq = (sequence = (sequence + 1) >>> 0);
    request.writeUInt32BE(seq, 16);
    outstanding.set(seq, performance.now());
    sent++;
    socket.send(request, options.port, options.host, (error) => {
      if (error) {
        errors++;
        outstanding.delete(seq);
      }
    });
  };

  socket.on('error', () => errors++);
  socket.on('message', (message) => {
    if (message.length < 20 || message.readUInt32BE(4) !== MAGIC_COOKIE || !message.subarray(8, 16).equals(prefix)) {
      errors++;
      return;
    }
    const seq = message.readUInt32BE(16);
    if (!outstanding.delete(seq)) {
      errors++;
      return;
    }
    if (message.readUInt16BE(0) === 0x0101) received++;
    else errors++;
    sendOne();
  });

  const started = performance.now();
  for (let i = 0; i < options.inFlight; i++) sendOne();
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [seq, at] of outstanding) {
      if (now - at > timeoutMs) {
        outstanding.delete(seq);
        errors++;
        sendOne();
      }
    }
  }, Math.max(10, Math.min(100, timeoutMs / 2)));
  try {
    await new Promise<void>((resolve) => setTimeout(resolve, options.durationMs));
  } finally {
    running = false;
    clearInterval(sweeper);
  }
  const elapsedS = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { responsesPerSec: received / elapsedS, sent, received, errors, elapsedMs: Math.round(elapsedS * 1000) };
}
