/**
 * `npm run bench`: prints JSON with
 *  - startToVerdict: median time from Start to verdict of a full run in real headless Chromium against a real
 *    local stack (probe server + built web app), over ≥ 5 runs (the page's own `durationMs`, and the wall time
 *    from page load to the reported result);
 *  - cliCheck: the same against the same stack through `netready check --json` (a fresh headless Chromium per
 *    run, watched over the DevTools protocol for proxy sign-ins): medians of the process's wall time and of the
 *    page's start→verdict, so the CLI's own cost shows next to startToVerdict;
 *  - stunBinding: STUN Binding responses per second of netready's server and of coturn on the same machine in
 *    the same run, each pinned to one core (taskset), driven by the same load generator pinned to the other
 *    core; medians of several rounds, with each server's CPU time per answer, and the netready/coturn ratio of
 *    answers per CPU-second (what one fully busy core answers: the generator's pace no longer decides it).
 *  - qualityStage: the media-quality probe's duration in the startToVerdict runs (median; issue 10: ≤ 3 s on an
 *    open network), and what it measured;
 *  - mediaPeer: the media peer's CPU cost and throughput per concurrent session: 1, 4 and 8 pages of one Chromium
 *    running the media-quality probe at once against the same stack's probe server (bench/media-peer-load.ts), with
 *    probe.quality.maxConcurrentBursts raised to 8 so no burst is refused.
 *  - firstLoadJs: per route (`/`, `/embed`), the gzipped size of every script headless Chromium fetched on a first
 *    load without autostart (bench/first-load-js.ts); runChunk: the scripts pressing Start then fetches (the
 *    run's engine, probes and result view); embedLoader: the size of the loader `/embed.js` (issue 14: ≤ 5 KB
 *    gzipped; built into public/ by scripts/build-embed.mjs, null with the reason when the server does not have it).
 *  - relay: TURN ChannelData relay throughput (bench/relay-throughput.ts): one UDP allocation, a channel bound to a
 *    loopback peer socket, data blasted through it client→peer (ChannelData in), peer→client (`fromPeer`,
 *    ChannelData out) and both through an echoing peer (`echo`); payload Gbit/s and datagrams/s delivered to the receiving socket (kernel-counted: the receiver
 *    does not read, so the one-core generator only sends), netready and coturn each pinned to one core like
 *    stunBinding, medians of rounds, at 1200-byte packets (a media packet) and at 8192 bytes (`bySize`), with the
 *    generator's own ceiling (`generator`: the same sender straight to a sink).
 *  - load: N simulated sessions against one probe process (bench/load.ts), with the probe's per-client limits
 *    raised (all clients are 127.0.0.1): p50/p99 per step, errors by kind, sessions/s, RSS after warm-up (the first
 *    full session lifetime at full concurrency, `loadWarmupMs`) and at the end, the probe's live state over time;
 *  - lab: the slowest row of the last network-lab report (e2e/lab/report.json; null with a reason when none).
 *  - support: the support view on 100,000 stored results (bench/support.ts), SQLite and PostgreSQL (when installed):
 *    medians over --runs of the first page, a filtered page (finding code + seven days), the counts per finding code
 *    and a CSV export of that filter.
 * Everything stays on loopback. Options: --runs N (default 5), --rounds N (default 3), --seconds S (default 3),
 * --only stun,verdict,media-peer,first-load,relay,load,support (default: all; `verdict` includes the CLI and the quality stage).
 * `--load`: the load test only, `--sessions N` (default 1000) for `--seconds S` after warm-up (default 60 with --load;
 * without --load the load part runs `--load-seconds S`, default 60), each client starting a session every `--cycle-ms`
 * (default 3000, one page run); `--load-cpu-prof DIR` / `--load-heap-prof DIR` write the load probe's CPU /
 * allocation profile there. `--quick`: 2 runs, 1 round of 2 s, the relay at 1200 B only for 1 s per direction, no
 * load, no media peer — under 2 minutes. `--monitor`: only `netready monitor` for `--monitor-checks N` checks (default
 * 30) at 30 s (bench/monitor-soak.ts: browsers left behind, RSS after the first and the last check) — 15 minutes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, trustNssCa } from '../cli/chromium';
import { runCli } from '../e2e/support/cli';
import { startCoturn } from '../e2e/support/coturn';
import { portsFrom, REPO_ROOT, spawnManaged, startStack, waitUntil } from '../e2e/support/stack';
import { measureMonitorSoak } from './monitor-soak';
import { median } from '../lib/probes/webrtc';
import { ResultSchema } from '../lib/schema/result';
import type { MediaQualityData } from '../lib/probes/media-quality';
import { measureEmbedLoader, measureFirstLoadJs, measureRunChunk } from './first-load-js';
import { readLabWorst } from './lab-worst';
import { measureLoad, readProcessTicks } from './load';
import { measureMediaPeerLoad } from './media-peer-load';
import { measureGeneratorCeiling, measureRelayThroughput, type RelayDirection } from './relay-throughput';
import { measureStunBindingRps } from './stun-load';
import { measureSupportQueries } from './support';

/** The media-quality stage must end within this on an open network (issue 10), ms. */
const QUALITY_STAGE_BUDGET_MS = 3000;
/** Concurrent sessions of the media-peer measurement. */
const MEDIA_PEER_LEVELS = [1, 4, 8];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Pins every thread of a process to one CPU core (no-op where taskset is missing; reported). */
function pin(pid: number, core: number): boolean {
  const result = spawnSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
  return result.status === 0;
}

/** `runs` CLI checks against a running stack: wall time of the whole process and the page's start→verdict. */
async function measureCliCheck(webUrl: string, runs: number): Promise<Record<string, unknown>> {
  const walls: number[] = [];
  const durations: number[] = [];
  const watched: number[] = [];
  // Issue 16: the CLI's own cost per run (process wall time − the page's start→verdict).
  const overheads: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const run = await runCli(['check', '--url', webUrl, '--json']);
    if (run.code === null || run.code > 2) throw new Error(`netready check could not run (exit ${run.code}): ${run.stderr.trim()}`);
    const result = ResultSchema.parse(JSON.parse(run.stdout));
    walls.push(run.elapsedMs);
    durations.push(result.durationMs);
    overheads.push(run.elapsedMs - result.durationMs);
    const requests = result.probes['proxy-auth']?.data.requestsWatched;
    if (typeof requests === 'number') watched.push(requests);
    log(`cli ${i}/${runs}: verdict ${result.verdict}, process ${run.elapsedMs} ms, start→verdict ${result.durationMs} ms`);
  }
  return { runs, wallMedianMs: median(walls), wallSamplesMs: walls, startToVerdictMedianMs: median(durations), requestsWatchedMedian: median(watched), overheadMedianMs: median(overheads), overheadSamplesMs: overheads };
}

/** One media-quality outcome of a start→verdict run, reduced to what the bench reports. */
function qualitySample(outcome: { status: string; durationMs: number; data: Record<string, unknown> } | undefined): Record<string, unknown> {
  if (!outcome) return { status: 'absent' };
  const d = outcome.data as Partial<MediaQualityData>;
  return {
    status: outcome.status,
    durationMs: outcome.durationMs,
    lossUp: d.up?.lossRatio,
    lossDown: d.down?.lossRatio,
    rttMedianMs: d.rttMedianMs,
    throughputUpKbps: d.throughput?.up?.kbps,
    throughputDownKbps: d.throughput?.down?.kbps,
    phaseStartsMs: d.phaseStartsMs,
  };
}

/** Start→verdict in a browser, the CLI, the quality stage, and the media peer's cost, against one local stack. */
async function measureStack(runs: number, parts: Set<string>): Promise<Record<string, unknown>> {
  if (!existsSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'))) throw new Error('the web app is not built: run `npm run build` first');
  // So that 8 concurrent sessions all get their bursts measured (the default, 4, refuses the rest as busy).
  process.env.NETREADY_QUALITY_MAX_CONCURRENT_BURSTS = String(Math.max(...MEDIA_PEER_LEVELS));
  const stack = await startStack(portsFrom(25000));
  const home = mkdtempSync(path.join(os.tmpdir(), 'netready-bench-home-'));
  const profile = mkdtempSync(path.join(os.tmpdir(), 'netready-bench-profile-'));
  const out: Record<string, unknown> = {};
  try {
    if (parts.has('verdict')) {
      trustNssCa(home, readFileSync(path.join(stack.dataDir, 'tls', 'ca.pem'), 'utf8'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        env: { ...process.env, HOME: home },
      });
      const durations: number[] = [];
      const connectivity: number[] = [];
      const walls: number[] = [];
      const verdicts: string[] = [];
      const quality: Array<Record<string, unknown>> = [];
      // Issue 15: the regions probe on this one-region stack — skipped at once, so it must cost the run nothing.
      const regions: Array<{ status: string; durationMs: number }> = [];
      try {
        // One warm-up run (first page load compiles/caches), not counted.
        for (let i = 0; i <= runs; i++) {
          const page = await context.newPage();
          let report: (value: unknown) => void = () => undefined;
          const reported = new Promise<unknown>((resolve) => (report = resolve));
          await page.exposeFunction('__netreadyReport', (value: unknown) => report(value));
          const started = performance.now();
          await page.goto(`${stack.webUrl}/?autostart=1`);
          const result = ResultSchema.parse(await Promise.race([reported, new Promise((_, reject) => setTimeout(() => reject(new Error('no result in 60 s')), 60_000))]));
          const wall = performance.now() - started;
          await page.close();
          if (i === 0) continue;
          durations.push(result.durationMs);
          // Issue 16: when the transports proved the connectivity verdict, before quality refined it.
          if (result.connectivity) connectivity.push(result.connectivity.atMs);
          walls.push(Math.round(wall));
          verdicts.push(result.verdict);
          quality.push(qualitySample(result.probes['media-quality']));
          const regionsOutcome = result.probes.regions;
          regions.push({ status: regionsOutcome?.status ?? 'absent', durationMs: regionsOutcome?.durationMs ?? 0 });
          log(`run ${i}/${runs}: verdict ${result.verdict}, start→verdict ${result.durationMs} ms, media-quality ${result.probes['media-quality']?.durationMs ?? '-'} ms, load→verdict ${Math.round(wall)} ms`);
        }
      } finally {
        await context.close();
      }
      out.startToVerdict = {
        runs,
        medianMs: median(durations),
        samplesMs: durations,
        connectivityMedianMs: median(connectivity),
        connectivitySamplesMs: connectivity,
        loadToVerdictMedianMs: median(walls),
        verdicts,
        // Issue 15: one region — the regions probe skipped in every run, and how long it took (0 ms: no extra time).
        oneRegion: { regionsStatuses: [...new Set(regions.map((r) => r.status))], regionsMaxMs: Math.max(0, ...regions.map((r) => r.durationMs)) },
      };
      const qualityMs = quality.map((q) => q.durationMs).filter((x): x is number => typeof x === 'number');
      const qualityMedian = median(qualityMs);
      out.qualityStage = {
        runs,
        budgetMs: QUALITY_STAGE_BUDGET_MS,
        medianMs: qualityMedian,
        samplesMs: qualityMs,
        withinBudget: qualityMedian !== undefined && qualityMedian <= QUALITY_STAGE_BUDGET_MS,
        samples: quality,
      };
      // Issue 16: the CLI runs as a person runs it, on every core — not on the one core the bench (the STUN load
      // generator) pins itself and so its children to; pinned back afterwards.
      const cpus = `0-${os.cpus().length - 1}`;
      const unpinned = spawnSync('taskset', ['-cp', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0;
      try {
        out.cliCheck = { ...(await measureCliCheck(stack.webUrl, runs)), cpus: unpinned ? cpus : 'as the bench (taskset failed)' };
      } finally {
        if (unpinned) pin(process.pid, 1);
      }
    }
    if (parts.has('first-load')) {
      // Issue 16: first-load JS per route, as the browser fetched it from the production build.
      const browser = await chromium.launch({ executablePath: process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        const routes = await measureFirstLoadJs({ browser, baseUrl: stack.webUrl, routes: ['/', '/embed'] });
        for (const [route, r] of Object.entries(routes)) log(`first load of ${route}: ${r.gzipBytes} bytes gzipped over ${r.scripts} scripts`);
        out.firstLoadJs = routes;
        out.embedLoader = await measureEmbedLoader(stack.webUrl);
        const run = await measureRunChunk({ browser, baseUrl: stack.webUrl });
        log(`pressing Start fetched ${run.gzipBytes} bytes gzipped over ${run.scripts} scripts`);
        out.runChunk = run;
      } finally {
        await browser.close();
      }
    }
    if (parts.has('media-peer')) {
      const browser = await chromium.launch({ executablePath: process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        const rounds = await measureMediaPeerLoad({ browser, probeUrl: stack.probeUrl, probePgid: stack.probe.child.pid!, levels: MEDIA_PEER_LEVELS });
        for (const r of rounds) log(`media peer, ${r.sessions} session(s) at once: ${r.cpuSeconds} CPU s over ${r.sessionSeconds} session-s (${r.cpuSecondsPerSessionSecond} per session-second), down ${r.throughputKbps.downMedian ?? '-'} kbit/s median each`);
        out.mediaPeer = { maxConcurrentBursts: Math.max(...MEDIA_PEER_LEVELS), rounds };
      } finally {
        await browser.close();
      }
    }
    return out;
  } finally {
    await stack.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** One STUN round of one server: answers per second, and what they cost it in CPU. */
interface StunRound {
  responsesPerSec: number;
  /** Answers per CPU-second of the server's process: what one core fully busy with it would answer. */
  responsesPerCpuSecond: number | null;
  /** Share of its core the server used (near 1: the server was the limit; well below: the generator was). */
  coreBusy: number | null;
}

/** Runs the generator against a server whose threads are `pids`, reading their CPU time around it. */
async function stunRound(host: string, port: number, durationMs: number, inFlight: number, pids: number[]): Promise<StunRound & { errors: number }> {
  const ticks = (): number | null => {
    const each = pids.map(readProcessTicks);
    return each.every((t) => t !== null) ? (each as number[]).reduce((a, b) => a + b, 0) : null;
  };
  const before = ticks();
  const r = await measureStunBindingRps({ host, port, durationMs, inFlight });
  const after = ticks();
  const cpuS = before !== null && after !== null ? (after - before) / CLOCK_TICKS_PER_SECOND : null;
  return {
    responsesPerSec: Math.round(r.responsesPerSec),
    responsesPerCpuSecond: cpuS && cpuS > 0 ? Math.round(r.received / cpuS) : null,
    coreBusy: cpuS !== null ? Math.round((cpuS / (r.elapsedMs / 1000)) * 100) / 100 : null,
    errors: r.errors,
  };
}

/** Median of the rounds' figures (nulls left out). */
function summariseStun(rounds: StunRound[]): Record<string, unknown> {
  const perCpu = rounds.map((r) => r.responsesPerCpuSecond).filter((x): x is number => x !== null);
  const busy = rounds.map((r) => r.coreBusy).filter((x): x is number => x !== null);
  return {
    medianResponsesPerSec: median(rounds.map((r) => r.responsesPerSec)) ?? 0,
    samples: rounds.map((r) => r.responsesPerSec),
    medianResponsesPerCpuSecond: median(perCpu) ?? null,
    samplesPerCpuSecond: perCpu,
    medianCoreBusy: median(busy) ?? null,
  };
}

/**
 * STUN Binding: netready's server and coturn, each pinned to core 0, the same generator (this process) on core 1,
 * `rounds` alternating rounds. The generator is one Node socket; when both servers answer as fast as it asks (each
 * server's `medianCoreBusy` well below 1), answers per second only measure the generator, so the ratio is taken of
 * answers per CPU-second of each server's process (/proc/<pid>/stat around the round): what one core fully busy with
 * it answers — "on one core", independent of the generator. `throughputRatio` keeps the plain ratio of answers per
 * second, and `generatorBound` says when that one measured the generator.
 */
async function measureStun(rounds: number, seconds: number): Promise<Record<string, unknown>> {
  const inFlight = 64;
  const durationMs = seconds * 1000;
  const secret = 'bench-secret-0123456789abcdef';
  const netready: StunRound[] = [];
  const coturn: StunRound[] = [];
  const floor: StunRound[] = [];
  let pinned = true;
  for (let round = 1; round <= rounds; round++) {
    const port = 26478;
    const server = spawnManaged('netready-stun', path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['server/turn/standalone.ts', '--ip', '127.0.0.1', '--port', String(port), '--secret', secret], process.env);
    try {
      await waitUntil('the netready STUN server', () => server.output.some((l) => /listening|ready/i.test(l)), 20_000, server);
      // tsx runs the server in a child node process: pin the whole process group's threads.
      const pids = execFileSync('pgrep', ['-g', String(server.child.pid)]).toString().trim().split('\n').map(Number);
      pinned = pids.every((pid) => pin(pid, 0)) && pinned;
      const r = await stunRound('127.0.0.1', port, durationMs, inFlight, pids);
      netready.push(r);
      log(`round ${round}: netready ${r.responsesPerSec} responses/s at ${r.coreBusy ?? '-'} of a core, ${r.responsesPerCpuSecond ?? '-'} per CPU-second (errors ${r.errors})`);
    } finally {
      await server.stop();
    }
    const bare = spawnManaged('stun-floor', path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bench/stun-floor.ts', String(port + 2)], process.env);
    try {
      await waitUntil('the bare Node STUN responder', () => bare.output.some((l) => /ready/.test(l)), 20_000, bare);
      const pids = execFileSync('pgrep', ['-g', String(bare.child.pid)]).toString().trim().split('\n').map(Number);
      pinned = pids.every((pid) => pin(pid, 0)) && pinned;
      const r = await stunRound('127.0.0.1', port + 2, durationMs, inFlight, pids);
      floor.push(r);
      log(`round ${round}: bare Node responder ${r.responsesPerSec} responses/s at ${r.coreBusy ?? '-'} of a core, ${r.responsesPerCpuSecond ?? '-'} per CPU-second (errors ${r.errors})`);
    } finally {
      await bare.stop();
    }
    const cot = await startCoturn({ listeningIp: '127.0.0.1', port: port + 1, secret, realm: 'netready', relayIp: '127.0.0.1', minPort: 27000, maxPort: 27100, allowLoopbackPeers: false });
    try {
      pinned = pin(cot.pid, 0) && pinned;
      const r = await stunRound('127.0.0.1', port + 1, durationMs, inFlight, [cot.pid]);
      coturn.push(r);
      log(`round ${round}: coturn ${r.responsesPerSec} responses/s at ${r.coreBusy ?? '-'} of a core, ${r.responsesPerCpuSecond ?? '-'} per CPU-second (errors ${r.errors})`);
    } finally {
      await cot.stop();
    }
  }
  const n = summariseStun(netready);
  const c = summariseStun(coturn);
  const f = summariseStun(floor);
  const ratio = (a: unknown, b: unknown): number | null => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
  const busy = [n.medianCoreBusy, c.medianCoreBusy];
  return {
    rounds,
    durationMsPerRound: durationMs,
    inFlight,
    pinnedToOneCore: pinned,
    netready: n,
    coturn: c,
    // bench/stun-floor.ts: a Node `dgram` responder that does nothing but flip the type — what any server on this
    // runtime costs per datagram at least.
    nodeFloor: f,
    ratioNetreadyToCoturn: ratio(n.medianResponsesPerCpuSecond, c.medianResponsesPerCpuSecond),
    ratioNetreadyToNodeFloor: ratio(n.medianResponsesPerCpuSecond, f.medianResponsesPerCpuSecond),
    ratioNodeFloorToCoturn: ratio(f.medianResponsesPerCpuSecond, c.medianResponsesPerCpuSecond),
    ratioBy: 'responses per CPU-second of each server (one core fully busy)',
    throughputRatio: ratio(n.medianResponsesPerSec, c.medianResponsesPerSec),
    // Both servers had CPU to spare: their answers per second were the generator's pace, not theirs.
    generatorBound: busy.every((b) => typeof b === 'number' && b < 0.9),
  };
}

/** ChannelData payload sizes of the relay measurement; the first is the headline figure. */
const RELAY_PACKET_BYTES = [1200, 8192];
/** Directions of the relay measurement; the first is the headline figure (the one measured before issue 16's rework). */
const RELAY_DIRECTIONS: RelayDirection[] = ['to-peer', 'from-peer', 'echo'];

type RelayFigure = { gbps: number; packetsPerSecond: number };

/** Median figures of netready and coturn for one size and direction, with their ratio. */
function summariseRelay(packetBytes: number, direction: RelayDirection, n: RelayFigure[], c: RelayFigure[]): Record<string, unknown> {
  const gbps = median(n.map((r) => r.gbps)) ?? 0;
  const coturnGbps = median(c.map((r) => r.gbps));
  return {
    direction,
    packetBytes,
    gbps,
    packetsPerSecond: median(n.map((r) => r.packetsPerSecond)) ?? 0,
    samplesGbps: n.map((r) => r.gbps),
    coturn: coturnGbps === undefined ? null : { gbps: coturnGbps, packetsPerSecond: median(c.map((r) => r.packetsPerSecond)), samplesGbps: c.map((r) => r.gbps) },
    ratioNetreadyToCoturn: coturnGbps ? Math.round((gbps / coturnGbps) * 1000) / 1000 : null,
  };
}

/**
 * Relay throughput of netready's TURN server and coturn, each pinned to core 0, the generator (this process) on
 * core 1 (issue 16): per round one server of each, warmed up for 0.5 s per direction (not counted), and on it every
 * size in each direction; the generator's own
 * ceiling (no relay) at the headline size once per round, so a figure near it is known to measure the generator.
 */
async function measureRelay(rounds: number, seconds: number, sizes: number[]): Promise<Record<string, unknown>> {
  const secret = 'bench-secret-0123456789abcdef';
  const port = 26490;
  const peerPort = 26600;
  const durationMs = seconds * 1000;
  let pinned = true;
  const cases = sizes.flatMap((packetBytes) => RELAY_DIRECTIONS.map((direction) => ({ packetBytes, direction })));
  const netready = cases.map((): RelayFigure[] => []);
  const coturn = cases.map((): RelayFigure[] => []);
  const ceiling: RelayFigure[] = [];
  // Each server is fresh per round: half a second through it in each direction first, not counted, so the figure
  // is the steady state (netready's JIT-compiled hot path), for coturn the same way.
  const warmUp = async (serverPort: number): Promise<void> => {
    for (const direction of RELAY_DIRECTIONS) await measureRelayThroughput({ server: { ip: '127.0.0.1', port: serverPort }, secret, peerPort, durationMs: 500, packetBytes: sizes[0], direction });
  };
  for (let round = 1; round <= rounds; round++) {
    ceiling.push(await measureGeneratorCeiling({ durationMs, packetBytes: sizes[0] }));
    log(`relay round ${round}: the generator alone (no relay) ${ceiling.at(-1)!.gbps} Gbit/s (${ceiling.at(-1)!.packetsPerSecond} datagrams/s) at ${sizes[0]} B`);
    const args = ['server/turn/standalone.ts', '--ip', '127.0.0.1', '--port', String(port), '--secret', secret, '--relay-min', '27200', '--relay-max', '27300', '--allow-peer', `127.0.0.1:${peerPort}-${peerPort}`];
    const server = spawnManaged('netready-turn', path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), args, process.env);
    try {
      await waitUntil('the netready TURN server', () => server.output.some((l) => /listening|ready/i.test(l)), 20_000, server);
      const pids = execFileSync('pgrep', ['-g', String(server.child.pid)]).toString().trim().split('\n').map(Number);
      pinned = pids.every((pid) => pin(pid, 0)) && pinned;
      await warmUp(port);
      for (const [i, { packetBytes, direction }] of cases.entries()) {
        const r = await measureRelayThroughput({ server: { ip: '127.0.0.1', port }, secret, peerPort, durationMs, packetBytes, direction });
        netready[i]!.push(r);
        log(`relay ${direction} ${packetBytes} B round ${round}: netready ${r.gbps} Gbit/s (${r.packetsPerSecond} datagrams/s, ${r.sent} sent)`);
      }
    } finally {
      await server.stop();
    }
    try {
      const cot = await startCoturn({ listeningIp: '127.0.0.1', port: port + 1, secret, realm: 'netready', relayIp: '127.0.0.1', minPort: 27400, maxPort: 27500, allowLoopbackPeers: true });
      try {
        pinned = pin(cot.pid, 0) && pinned;
        await warmUp(port + 1);
        for (const [i, { packetBytes, direction }] of cases.entries()) {
          const r = await measureRelayThroughput({ server: { ip: '127.0.0.1', port: port + 1 }, secret, peerPort, durationMs, packetBytes, direction });
          coturn[i]!.push(r);
          log(`relay ${direction} ${packetBytes} B round ${round}: coturn ${r.gbps} Gbit/s (${r.packetsPerSecond} datagrams/s, ${r.sent} sent)`);
        }
      } finally {
        await cot.stop();
      }
    } catch (error) {
      log(`relay round ${round}: coturn could not be measured: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const bySize = cases.map(({ packetBytes, direction }, i) => summariseRelay(packetBytes, direction, netready[i]!, coturn[i]!));
  // The headline keys (relay.gbps …) stay client→peer at the first size, as before; fromPeer is the other direction.
  const headline = bySize[0]!;
  const fromPeer = bySize.find((r) => r.direction === 'from-peer' && r.packetBytes === sizes[0])!;
  const echo = bySize.find((r) => r.direction === 'echo' && r.packetBytes === sizes[0])!;
  return {
    rounds,
    durationMsPerRound: durationMs,
    pinnedToOneCore: pinned,
    direction: headline.direction,
    gbps: headline.gbps,
    packetsPerSecond: headline.packetsPerSecond,
    packetBytes: headline.packetBytes,
    coturn: headline.coturn,
    ratioNetreadyToCoturn: headline.ratioNetreadyToCoturn,
    fromPeer,
    echo,
    generator: { packetBytes: sizes[0], gbps: median(ceiling.map((r) => r.gbps)), packetsPerSecond: median(ceiling.map((r) => r.packetsPerSecond)), samplesGbps: ceiling.map((r) => r.gbps) },
    bySize,
  };
}

/**
 * `--load-cpu-prof <dir>` / `--load-heap-prof <dir>`: the load test's probe writes a V8 CPU profile / a sampling
 * allocation profile there (to find where its latency and its garbage come from).
 */
function loadProfileOption(): { cpuProfileDir?: string; heapProfileDir?: string } {
  const dirOf = (flag: string): string | undefined => {
    const at = process.argv.indexOf(flag);
    const dir = at >= 0 ? process.argv[at + 1] : undefined;
    if (at >= 0 && (!dir || dir.startsWith('--'))) throw new Error(`${flag} takes a directory`);
    return dir ? path.resolve(dir) : undefined;
  };
  const cpu = dirOf('--load-cpu-prof');
  const heap = dirOf('--load-heap-prof');
  return { ...(cpu ? { cpuProfileDir: cpu } : {}), ...(heap ? { heapProfileDir: heap } : {}) };
}

async function main(): Promise<void> {
  // Issue 16: --quick (fewer runs and rounds, no load, no media peer) and --load (the load test only).
  const quick = process.argv.includes('--quick');
  const loadOnly = process.argv.includes('--load');
  // Issue 19: --monitor runs the monitor soak only (15 minutes).
  if (process.argv.includes('--monitor')) return benchMonitor();
  const runs = quick ? option('runs', 2) : Math.max(5, option('runs', 5));
  const rounds = option('rounds', quick ? 1 : 3);
  const seconds = loadOnly ? 3 : option('seconds', quick ? 2 : 3);
  const onlyAt = process.argv.indexOf('--only');
  const known = ['stun', 'verdict', 'media-peer', 'first-load', 'relay', 'load', 'support'];
  const defaults = loadOnly ? ['load'] : quick ? ['stun', 'verdict', 'first-load', 'relay'] : known;
  const parts = new Set(onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : defaults);
  const unknown = [...parts].filter((p) => !known.includes(p));
  if (unknown.length > 0 || parts.size === 0) throw new Error(`--only takes a comma-separated list of ${known.join(', ')}; got ${JSON.stringify(process.argv[onlyAt + 1] ?? '')}`);
  // The load generator (this process) runs on core 1; servers are pinned to core 0.
  const selfPinned = pin(process.pid, 1);
  const chromiumVersion = spawnSync(process.env.NETREADY_CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const coturnVersion = spawnSync('turnserver', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const stunBinding = parts.has('stun') ? await measureStun(rounds, seconds) : undefined;
  // Issue 13: the support view's queries on 100,000 stored results (no browser, no stack).
  const support = parts.has('support') ? await measureSupportQueries({ runs, log }) : undefined;
  // Issue 16: --quick measures the relay at the headline size only (1 round), every direction.
  const relay = parts.has('relay') ? await measureRelay(rounds, quick ? 1 : seconds, quick ? RELAY_PACKET_BYTES.slice(0, 1) : RELAY_PACKET_BYTES) : undefined;
  const stack = parts.has('verdict') || parts.has('media-peer') || parts.has('first-load') ? await measureStack(runs, parts) : {};
  // Issue 16: the load test, on its own probe process after the others (so it does not share the cores with them).
  const load = parts.has('load')
    ? await measureLoad({ sessions: option('sessions', 1000), seconds: loadOnly ? option('seconds', 60) : option('load-seconds', 60), cycleMs: option('cycle-ms', 3000), ...loadProfileOption(), log })
    : undefined;
  // Issue 16: the slowest row of the last lab report (the bench does not run the lab: it needs root and the lock).
  const lab = readLabWorst(path.join(REPO_ROOT, 'e2e', 'lab', 'report.json'));
  const report = {
    benchmark: 'netready',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, chromium: chromiumVersion, coturn: coturnVersion, loadGeneratorPinned: selfPinned },
    ...stack,
    ...(stunBinding ? { stunBinding } : {}),
    ...(relay ? { relay } : {}),
    ...(load ? { load } : {}),
    ...(support ? { support } : {}),
    lab,
    ...(quick ? { quick: { runs, rounds, secondsPerRound: seconds, parts: [...parts] } } : {}),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/**
 * `--monitor` (issue 19): `netready monitor` for `--monitor-checks N` checks (default 30) at its 30 s minimum interval
 * against a local stack — browsers left behind, and RSS after the first and the last check.
 */
async function benchMonitor(): Promise<void> {
  if (!existsSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'))) throw new Error('the web app is not built: run `npm run build` first');
  const checks = option('monitor-checks', 30);
  const stack = await startStack(portsFrom(25000));
  try {
    const monitor = await measureMonitorSoak({ webUrl: stack.webUrl, checks, intervalS: 30, log });
    const report = { benchmark: 'netready', at: new Date().toISOString(), machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version }, monitor };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
