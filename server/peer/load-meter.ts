/**
 * How busy this probe process (and host) was during a throughput burst, so a media peer that could not keep up —
 * netready's own capacity — is never read as a slow network: process CPU time over wall time, the worst lateness
 * of a 10 ms timer (a blocked event loop delays werift's packet handling), and, on Linux, the UDP datagrams the
 * kernel dropped for full receive buffers (`RcvbufErrors` in /proc/net/snmp: packets that reached this host but
 * never this process).
 */
import { readFileSync } from 'node:fs';
import type { ServerLoad } from '../../lib/protocol/media-quality/wire';

/** Interval of the lag-measuring timer, ms. */
const TICK_MS = 10;

/** `Udp: … RcvbufErrors …` of /proc/net/snmp (host-wide for this network namespace), or null where unavailable. */
export function readUdpReceiveBufferErrors(file = '/proc/net/snmp'): number | null {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('Udp:'));
    if (lines.length < 2) return null;
    const names = lines[0]!.trim().split(/\s+/);
    const values = lines[1]!.trim().split(/\s+/);
    const at = names.indexOf('RcvbufErrors');
    const value = at > 0 ? Number(values[at]) : Number.NaN;
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** A running measurement; `stop()` ends it. */
export interface LoadMeter {
  /** Stops the timer and returns what it measured (`concurrentBursts` is the caller's to fill in). */
  stop(): Omit<ServerLoad, 'concurrentBursts'>;
}

/** Starts measuring now. The timer is unref'd: it never keeps the process alive. */
export function startLoadMeter(): LoadMeter {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const udp0 = readUdpReceiveBufferErrors();
  let expected = t0 + TICK_MS;
  let lagMax = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - expected);
    expected = now + TICK_MS;
  }, TICK_MS);
  timer.unref();
  let stopped: Omit<ServerLoad, 'concurrentBursts'> | undefined;
  return {
    stop() {
      if (stopped) return stopped;
      clearInterval(timer);
      // A tick still due now is late too (the loop may have been blocked right up to this call).
      lagMax = Math.max(lagMax, performance.now() - expected);
      const wallMs = Math.max(1, performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      const udp1 = readUdpReceiveBufferErrors();
      stopped = {
        cpuBusyRatio: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
        loopLagMaxMs: Math.round(Math.max(0, lagMax) * 10) / 10,
        udpReceiveErrors: udp0 === null || udp1 === null ? null : Math.max(0, udp1 - udp0),
      };
      return stopped;
    },
  };
}

/** Combines the loads of several bursts: the worst of each figure, errors summed. */
export function mergeLoads(loads: ServerLoad[]): ServerLoad | null {
  if (loads.length === 0) return null;
  const errors = loads.map((l) => l.udpReceiveErrors);
  return {
    cpuBusyRatio: Math.max(...loads.map((l) => l.cpuBusyRatio)),
    loopLagMaxMs: Math.max(...loads.map((l) => l.loopLagMaxMs)),
    udpReceiveErrors: errors.some((e) => e === null) ? null : errors.reduce<number>((sum, e) => sum + (e ?? 0), 0),
    concurrentBursts: Math.max(...loads.map((l) => l.concurrentBursts)),
  };
}
