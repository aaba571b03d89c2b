/**
 * `npx netready check` end to end: the CLI drives headless Chromium through a real run against a real stack,
 * prints a schemaVersion 1 result with exit code 0 (ready); with the probe server stopped it reports
 * `inconclusive` + `server-unreachable` within the time budget and exits 3. `--browser firefox` (issue 18) drives
 * Debian's Firefox ESR through the same run.
 * No browser fixture: the CLI launches its own, so this spec runs once, in the chromium project.
 */
import { expect, test } from '@playwright/test';
import { exitCodeFor } from '../cli/args';
import { ResultSchema, type Result } from '../lib/schema/result';
import { runCli } from './support/cli';
import { portsFrom, startProbe, startStack, type Stack } from './support/stack';

let stack: Stack;

test.beforeAll(async () => {
  stack = await startStack(portsFrom(24000));
});

test.afterAll(async () => {
  await stack?.stop();
});

/**
 * What an open loopback run must show: ready with srflx, UDP, TCP and TLS relays carrying data, the quality stream
 * clean, and what the servers saw for its session.
 */
async function expectOpenLoopbackRun(result: Result): Promise<void> {
  expect(result.schemaVersion).toBe(1);
  expect(result.verdict).toBe('ready');
  expect(result.findings).toEqual([]);
  // The CLI watched the browser's requests for a proxy's 407 (the page cannot), and there was none.
  expect(result.probes['proxy-auth']?.status).toBe('pass');
  const stun = result.probes['stun-udp']!;
  expect(stun.status).toBe('pass');
  expect((stun.data.ports as Array<{ srflx?: unknown }>).every((p) => p.srflx)).toBe(true);
  for (const transport of ['udp', 'tcp', 'tls']) {
    const probe = result.probes[`turn-${transport}`]!;
    expect(probe.status, `${transport}: ${probe.reason}`).toBe('pass');
    const data = probe.data as { relay?: { relayProtocol: string }; dataChannel?: { sent: number; echoed: number }; selectedPair?: { local?: { candidateType?: string } } };
    expect(data.relay?.relayProtocol).toBe(transport);
    expect(data.dataChannel?.echoed).toBe(data.dataChannel?.sent);
    expect(data.dataChannel?.echoed).toBeGreaterThan(0);
    expect(data.selectedPair?.local?.candidateType).toBe('relay');
  }
  // The quality stream went over the direct path on loopback: nothing lost, sub-100 ms round trips.
  const quality = result.probes['media-quality']!;
  expect(quality.status, quality.reason).toBe('pass');
  expect(quality.data).toMatchObject({ lossRatio: 0, stage: 'done' });
  expect(quality.data.rttMedianMs as number).toBeLessThan(100);
  // What the servers saw for this session: one allocation per transport and three media-peer connections.
  const sessionId = result.probes.session!.data.sessionId as string;
  const seen = (await (await fetch(`${stack.probeUrl}/v1/sessions/${sessionId}/observations`)).json()) as {
    observations: Array<{ source: string; kind: string; data: Record<string, unknown> }>;
  };
  const allocations = seen.observations.filter((o) => o.source === 'turn' && o.kind === 'allocation-created');
  expect(new Set(allocations.map((o) => o.data.transport))).toEqual(new Set(['udp', 'tcp', 'tls']));
  // The mtu probe's upstream check connects a media peer of its own (label mtu-upstream); count it apart.
  const mtuPeers = new Set(seen.observations.filter((o) => o.source === 'peer' && o.kind === 'peer-created' && o.data.label === 'mtu-upstream').map((o) => o.data.peerId));
  const connected = seen.observations.filter((o) => o.source === 'peer' && o.kind === 'peer-connected');
  // three relays, the quality stream, ICE-TCP, and the interfaces probe's own connection (issue 11)
  expect(connected.filter((o) => !mtuPeers.has(o.data.peerId)).length).toBe(6);
  expect(connected.filter((o) => mtuPeers.has(o.data.peerId)).length).toBe(1);
  // On loopback every size of the MTU ladder arrives and the largest DataChannel packet goes upstream.
  expect(result.probes.mtu?.status, result.probes.mtu?.reason).toBe('pass');
  // ICE-TCP (issue 10): the echo went over the browser's TCP pair to the passive endpoint, which saw one connection.
  const iceTcp = result.probes['ice-tcp']!;
  expect(iceTcp.status, iceTcp.reason).toBe('pass');
  expect(iceTcp.data).toMatchObject({ stage: 'done', selectedPair: { local: { protocol: 'tcp' }, remote: { protocol: 'tcp', tcpType: 'passive' } } });
  expect(seen.observations.filter((o) => o.source === 'peer' && o.kind === 'ice-tcp-accepted')).toHaveLength(1);
}

test('check prints a readable summary without --json', async () => {
  const run = await runCli(['check', '--url', stack.webUrl]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('READY');
  expect(run.stdout).toMatch(/turn-tls\s+pass/);
});

// One CLI run serves both claims (a full check in Chromium costs ≈ 8 s of the suite): each of the two JSON lines is a
// complete open-network result, and --repeat ran them in one browser.
test('check --json reports ready with srflx and UDP, TCP and TLS relays carrying data, exit 0; --repeat 2 runs two such checks in one Chromium, one JSON line and a fresh session each', async () => {
  const run = await runCli(['check', '--url', stack.webUrl, '--json', '--repeat', '2', '--timings']);
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(2);
  const results = lines.map((line) => ResultSchema.parse(JSON.parse(line)) as Result);
  expect(results.map((r) => r.verdict)).toEqual(['ready', 'ready']);
  for (const result of results) await expectOpenLoopbackRun(result);
  const sessions = results.map((r) => r.probes.session!.data.sessionId as string);
  expect(new Set(sessions).size).toBe(2);
  // One browser for both runs: Chromium launched once, a page loaded and a result per run (--timings, issue 16).
  const timings = /timings \(ms since the process started\): (.*)/.exec(run.stderr)?.[1] ?? '';
  expect(timings.match(/chromium launched \d+/g)).toHaveLength(1);
  expect(timings.match(/page loaded \d+/g)).toHaveLength(2);
  expect(timings.match(/result \d+/g)).toHaveLength(2);
});

test('check --browser firefox --repeat 2 runs two checks in one Firefox and prints results of the same shape, exit of the verdict', async () => {
  const run = await runCli(['check', '--url', stack.webUrl, '--browser', 'firefox', '--json', '--repeat', '2', '--timings']);
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(2);
  const results = lines.map((line) => ResultSchema.parse(JSON.parse(line)) as Result);
  expect(run.code, run.stderr).toBe(Math.max(...results.map((r) => exitCodeFor(r.verdict))));
  // The page ran in Firefox (its own User-Agent), a fresh session each run.
  for (const result of results) expect(result.client.userAgent).toMatch(/Firefox\/\d+/);
  expect(new Set(results.map((r) => r.probes.session!.data.sessionId as string)).size).toBe(2);
  const result = results[0]!;
  // UDP and TCP relays carry data in Firefox as in Chromium (the loopback ICE preference is set: cli/firefox.ts).
  for (const transport of ['udp', 'tcp']) {
    const probe = result.probes[`turn-${transport}`]!;
    expect(probe.status, `${transport}: ${probe.reason}`).toBe('pass');
    expect((probe.data as { dataChannel?: { echoed: number } }).dataChannel?.echoed).toBeGreaterThan(0);
  }
  // This stack gives TURN over TLS by IP address (`turns:127.0.0.1:…`, no probe.publicHost) and Firefox never tries
  // such a URL: no relay, and the server saw no TLS allocation — only UDP and TCP ones.
  expect(result.probes['turn-tls']!.status).not.toBe('pass');
  const sessionId = result.probes.session!.data.sessionId as string;
  const seen = (await (await fetch(`${stack.probeUrl}/v1/sessions/${sessionId}/observations`)).json()) as {
    observations: Array<{ source: string; kind: string; data: Record<string, unknown> }>;
  };
  const allocations = seen.observations.filter((o) => o.source === 'turn' && o.kind === 'allocation-created');
  expect(new Set(allocations.map((o) => o.data.transport))).toEqual(new Set(['udp', 'tcp']));
  // One Firefox for both runs (--repeat reuses the browser), a page loaded and a result per run.
  const timings = /timings \(ms since the process started\): (.*)/.exec(run.stderr)?.[1] ?? '';
  expect(timings.match(/firefox launched \d+/g)).toHaveLength(1);
  expect(timings.match(/page loaded \d+/g)).toHaveLength(2);
  expect(timings.match(/result \d+/g)).toHaveLength(2);
});

test('check --browser firefox with NETREADY_FIREFOX naming no browser says what to install, exit 3', async () => {
  const run = await runCli(['check', '--url', stack.webUrl, '--browser', 'firefox'], { ...process.env, NETREADY_FIREFOX: '/nonexistent/firefox' });
  expect(run.code).toBe(3);
  expect(run.stderr).toContain('NETREADY_FIREFOX=/nonexistent/firefox is not an executable file');
  expect(run.stdout).toBe('');
});

test('with the probe server stopped, check reports inconclusive + server-unreachable within the budget, exit 3', async () => {
  await stack.probe.stop();
  try {
    const run = await runCli(['check', '--url', stack.webUrl, '--json']);
    expect(run.code, run.stderr).toBe(3);
    const result = ResultSchema.parse(JSON.parse(run.stdout));
    expect(result.verdict).toBe('inconclusive');
    expect(result.findings.map((f) => f.code)).toEqual(['server-unreachable']);
    expect(result.durationMs).toBeLessThan(result.config.budgetMs ?? 10_000);
    expect(run.elapsedMs).toBeLessThan(30_000);
  } finally {
    stack.probe = await startProbe(stack.env, stack.probeUrl);
  }
});

test('check against an address where nothing listens says it could not run, exit 3', async () => {
  const run = await runCli(['check', '--url', 'http://127.0.0.1:24999', '--timeout-ms', '10000']);
  expect(run.code).toBe(3);
  expect(run.stderr).toContain('could not run the check');
  expect(run.stdout).toBe('');
});
