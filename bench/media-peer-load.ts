/**
 * The media peer's cost: N pages of one headless Chromium run the real media-quality probe (bundled,
 * lib/probes/testing/quality-page-entry.ts) at once against a running probe server, and the probe process's CPU
 * time (/proc/<pid>/stat of its whole process group) is read before and after. Reports, per N: CPU seconds per
 * session-second (a session-second is one second of one media-quality probe running), the throughput each session
 * measured each way, what the server reported about its own load, and any burst it refused as busy.
 */
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { MediaQualityData } from '../lib/probes/media-quality';
import { median } from '../lib/probes/webrtc';
import type { ProbeOutcome } from '../lib/schema/result';
import { qualityPageScript } from '../server/peer/testing/quality-page';

/** Clock ticks per second of /proc/<pid>/stat's utime/stime. */
function clockTicks(): number {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim();
  const ticks = Number(out);
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** CPU seconds (user + system) used so far by every process of a process group. */
export function processGroupCpuSeconds(pgid: number, ticks = clockTicks()): number {
  const pids = execFileSync('pgrep', ['-g', String(pgid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  let total = 0;
  for (const pid of pids) {
    try {
      // Fields after the ")" that ends the command name: state is the 1st, utime the 12th, stime the 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // Exited between pgrep and the read.
    }
  }
  return total;
}

/** One concurrency level's figures. */
export interface MediaPeerLoadRound {
  sessions: number;
  wallMs: number;
  statuses: string[];
  cpuSeconds: number;
  sessionSeconds: number;
  cpuSecondsPerSessionSecond: number;
  qualityMedianMs: number | undefined;
  throughputKbps: { upMedian: number | undefined; downMedian: number | undefined; downSum: number };
  serverCpuBusyRatioMax: number | undefined;
  refusedBursts: number;
}

/** Runs the levels one after another. `probePgid`: the probe server's process group. */
export async function measureMediaPeerLoad(options: { browser: Browser; probeUrl: string; probePgid: number; levels: number[] }): Promise<MediaPeerLoadRound[]> {
  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>netready media peer bench</title>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  const script = qualityPageScript();
  const rounds: MediaPeerLoadRound[] = [];
  try {
    for (const sessions of options.levels) {
      const pages = await Promise.all(Array.from({ length: sessions }, () => options.browser.newPage()));
      try {
        for (const page of pages) {
          await page.goto(siteUrl);
          await page.addScriptTag({ content: script });
        }
        const cpu0 = processGroupCpuSeconds(options.probePgid);
        const t0 = performance.now();
        const outcomes = (await Promise.all(
          pages.map((page) =>
            page.evaluate((probeUrl) => (globalThis as unknown as { __netreadyQuality(o: unknown): Promise<unknown> }).__netreadyQuality({ probeUrl }), options.probeUrl),
          ),
        )) as Array<ProbeOutcome | undefined>;
        const wallMs = Math.round(performance.now() - t0);
        const cpuSeconds = processGroupCpuSeconds(options.probePgid) - cpu0;
        const data = outcomes.map((o) => (o?.data ?? {}) as Partial<MediaQualityData>);
        const durations = outcomes.map((o) => o?.durationMs ?? 0);
        const sessionSeconds = durations.reduce((a, b) => a + b, 0) / 1000;
        const up = data.map((d) => d.throughput?.up?.kbps).filter((x): x is number => x !== undefined);
        const down = data.map((d) => d.throughput?.down?.kbps).filter((x): x is number => x !== undefined);
        const loads = data.map((d) => d.serverLoad?.cpuBusyRatio).filter((x): x is number => x !== undefined);
        rounds.push({
          sessions,
          wallMs,
          statuses: outcomes.map((o) => o?.status ?? 'absent'),
          cpuSeconds: Math.round(cpuSeconds * 100) / 100,
          sessionSeconds: Math.round(sessionSeconds * 100) / 100,
          cpuSecondsPerSessionSecond: sessionSeconds > 0 ? Math.round((cpuSeconds / sessionSeconds) * 1000) / 1000 : 0,
          qualityMedianMs: median(durations),
          throughputKbps: { upMedian: median(up), downMedian: median(down), downSum: down.reduce((a, b) => a + b, 0) },
          serverCpuBusyRatioMax: loads.length > 0 ? Math.max(...loads) : undefined,
          refusedBursts: data.filter((d) => d.refused?.some((r) => r.startsWith('bulk: busy'))).length,
        });
      } finally {
        await Promise.all(pages.map((page) => page.close()));
      }
    }
  } finally {
    await new Promise<void>((resolve) => site.close(() => resolve()));
  }
  return rounds;
}
