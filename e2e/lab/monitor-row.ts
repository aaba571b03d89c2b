/**
 * The lab's `monitor-udp-change` row (issue 19's Done-when): the real `netready monitor` in the client namespace at its
 * 30 s interval — two checks on the open network, then two with UDP dropped (the `no-udp` row's router). After the first
 * check each next one is asked for with SIGUSR2 ("check now", as `systemctl reload` does) as soon as the previous one is
 * recorded, so the row takes four checks' time (≈ 40 s), not three intervals (≈ 95 s). It must record
 * exactly one change event naming `udp-blocked` appearing, with the window from the last open check to the first
 * blocked one; `/metrics` must show it; the webhook receiver (a local test server in the client namespace) must get
 * exactly one alert; a SIGTERM stops the monitor cleanly with no browser left behind.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nsCurl, REPO_ROOT, startDnsmasq, stopDnsmasq, WEB_URL } from './daemons';
import { namespacePids, nsRun, spawnInNs, stopPids, stopProcess, waitFor, type LabProcess } from './sys';
import { applyNetwork, NS, type NetworkSpec } from './topology';

/** The row's id (selectable with `--only`). */
export const MONITOR_ROW_ID = 'monitor-udp-change';
/** The monitor's interval: its minimum. The row asks for checks 2–4 early (SIGUSR2), so it waits out none. */
const INTERVAL = '30s';
const METRICS_PORT = 9479;
const HOOK_PORT = 9480;
const SITE = 'Lab office';

/** One assertion of the row. */
export interface MonitorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the row saw and concluded. */
export interface MonitorRowResult {
  status: 'pass' | 'fail';
  ms: number;
  checks: MonitorCheck[];
  /** The monitor's JSON lines (checks and changes). */
  lines: unknown[];
  alerts: unknown[];
  metrics: string | null;
}

/** The webhook receiver: every POST body appended as one line to `file`, answered 204. */
function receiverScript(file: string): string {
  return `const http=require('node:http'),fs=require('node:fs');
http.createServer((q,s)=>{let b='';q.on('data',c=>b+=c);q.on('end',()=>{fs.appendFileSync(${JSON.stringify(file)},b.replace(/\\n/g,' ')+'\\n');s.writeHead(204).end();});}).listen(${HOOK_PORT},'127.0.0.1',()=>console.log('listening'));`;
}

interface CheckLine {
  type: 'check';
  runId?: string;
  verdict?: string;
  findings?: string[];
  error?: string;
}
interface ChangeLine {
  type: 'change';
  change: { before: { runId: string }; after: { runId: string }; appeared: Array<{ code: string }>; disappeared: Array<{ code: string }>; verdict?: { from: string; to: string } };
}

/** Runs the row: `open` and `blocked` are the networks of the `open` and `no-udp` rows. */
export async function runMonitorRow(runDir: string, outDir: string, open: NetworkSpec, blocked: NetworkSpec, log: (line: string) => void): Promise<MonitorRowResult> {
  const t0 = Date.now();
  const checks: MonitorCheck[] = [];
  const check = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  const hookFile = path.join(runDir, 'monitor-alerts.jsonl');
  const stdoutFile = path.join(outDir, `${MONITOR_ROW_ID}.stdout.jsonl`);
  writeFileSync(hookFile, '');
  writeFileSync(stdoutFile, '');
  applyNetwork(open);
  nsRun(NS.router, ['conntrack', '-F'], { allowFail: true });
  const dnsmasq = await startDnsmasq(runDir, open.dns, MONITOR_ROW_ID);
  let receiver: LabProcess | undefined;
  let monitor: LabProcess | undefined;
  // Whole lines only: the monitor may be half-way through writing the last one.
  const lines = (): Array<CheckLine | ChangeLine> =>
    readFileSync(stdoutFile, 'utf8')
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as CheckLine | ChangeLine);
  const checkLines = (): CheckLine[] => lines().filter((line): line is CheckLine => line.type === 'check');
  let metrics: string | null = null;
  try {
    receiver = spawnInNs('webhook-receiver', NS.client, [process.execPath, '-e', receiverScript(hookFile)], { logFile: path.join(outDir, `${MONITOR_ROW_ID}.receiver.log`) });
    await waitFor('the webhook receiver', () => receiver!.output.includes('listening'), 10_000, receiver);
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: path.join(runDir, 'tmp') };
    for (const key of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(key) || key.startsWith('NETREADY_')) delete env[key];
    const args = [process.execPath, path.join(REPO_ROOT, 'bin', 'netready.mjs'), 'monitor', '--url', WEB_URL, '--site', SITE, '--interval', INTERVAL];
    args.push('--metrics', `127.0.0.1:${METRICS_PORT}`, '--webhook', `http://127.0.0.1:${HOOK_PORT}/alerts`, '--data-dir', path.join(runDir, 'monitor'));
    monitor = spawnInNs('monitor', NS.client, args, { env, cwd: REPO_ROOT, logFile: path.join(outDir, `${MONITOR_ROW_ID}.stderr.log`), stdoutFile });
    // Each check after the first is asked for as soon as the one before it is recorded: SIGUSR2, the monitor's "check
    // now". The monitor's pid is `ip netns exec`'s (it execs the command).
    const checkNow = async (count: number, what: string): Promise<void> => {
      await waitFor(what, () => checkLines().length >= count, 60_000, monitor);
      process.kill(monitor!.pid, 'SIGUSR2');
    };
    await checkNow(1, 'the first check on the open network');
    await checkNow(2, 'two checks on the open network');
    log(`   ${MONITOR_ROW_ID}: two checks on the open network (${checkLines().map((c) => c.verdict ?? c.error).join(', ')}); dropping UDP`);
    applyNetwork(blocked);
    nsRun(NS.router, ['conntrack', '-F'], { allowFail: true });
    await checkNow(3, 'the first check with UDP dropped');
    await waitFor('two checks with UDP dropped and the change they confirm', () => checkLines().length >= 4 && lines().some((line) => line.type === 'change'), 60_000, monitor);
    metrics = nsCurl(NS.client, `http://127.0.0.1:${METRICS_PORT}/metrics`);
    // The alert goes out right after the change is logged; wait for it, then stop the monitor as systemd would.
    await waitFor('the webhook alert', () => readFileSync(hookFile, 'utf8').trim() !== '', 15_000, monitor);
    // A check in progress is finished first (up to its 45 s deadline); the alert came right after the fourth check,
    // so the fifth (due 30 s after the fourth began, nobody asked for it early) has not started.
    await stopProcess(monitor, 60_000);
    const exit = await monitor.exited;
    check('the monitor stops cleanly on SIGTERM', exit === 0, `exit ${exit}`);
  } catch (error) {
    check('the monitor ran its checks and alerted in time', false, error instanceof Error ? error.message : String(error));
  } finally {
    if (monitor) await stopProcess(monitor, 2000);
    if (receiver) await stopProcess(receiver, 2000);
    await stopDnsmasq(dnsmasq);
  }
  const leftovers = namespacePids(NS.client);
  check('no browser or other process is left in the client namespace', leftovers.length === 0, leftovers.length === 0 ? 'none' : `left: ${leftovers.join(' ')}`);
  if (leftovers.length > 0) stopPids(leftovers, 2000);

  const all = existsSync(stdoutFile) ? lines() : [];
  const checksSeen = all.filter((line): line is CheckLine => line.type === 'check');
  const changes = all.filter((line): line is ChangeLine => line.type === 'change');
  const alerts = readFileSync(hookFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
  check('four checks, none failed to run', checksSeen.length === 4 && checksSeen.every((c) => c.error === undefined), checksSeen.map((c) => `${c.verdict ?? c.error}[${(c.findings ?? []).join(',')}]`).join(' · '));
  check(
    'the open checks have no udp-blocked, the blocked ones have it',
    checksSeen.length === 4 && checksSeen.slice(0, 2).every((c) => !c.findings?.includes('udp-blocked')) && checksSeen.slice(2).every((c) => c.findings?.includes('udp-blocked')),
    checksSeen.map((c) => (c.findings ?? []).join(',') || '—').join(' · '),
  );
  const change = changes[0]?.change;
  check('exactly one change event', changes.length === 1, `${changes.length} change line(s)`);
  check('the change names udp-blocked appearing', change?.appeared.some((f) => f.code === 'udp-blocked') === true, JSON.stringify(change?.appeared ?? null));
  check(
    'its window runs from the last open check to the first blocked one',
    change !== undefined && change.before.runId === checksSeen[1]?.runId && change.after.runId === checksSeen[2]?.runId,
    change ? `${change.before.runId} → ${change.after.runId} (checks ${checksSeen.map((c) => c.runId).join(', ')})` : 'no change',
  );
  check('the webhook got exactly one alert, naming udp-blocked', alerts.length === 1 && JSON.stringify(alerts[0]).includes('udp-blocked'), `${alerts.length} alert(s)`);
  const finding = /^netready_monitor_finding\{site="Lab office",code="udp-blocked",severity="[a-z]+"\} 1$/m;
  check('/metrics shows udp-blocked and four runs', metrics !== null && finding.test(metrics) && /^netready_monitor_runs_total\{[^}]*\} /m.test(metrics) && sumRuns(metrics) === 4, metrics === null ? 'no answer' : `udp-blocked gauge ${finding.test(metrics) ? 'present' : 'missing'}, runs_total ${sumRuns(metrics)}`);
  appendFileSync(path.join(outDir, `${MONITOR_ROW_ID}.metrics.txt`), metrics ?? '(no answer)\n');
  return { status: checks.every((c) => c.ok) ? 'pass' : 'fail', ms: Date.now() - t0, checks, lines: all, alerts, metrics };
}

/** The sum of `netready_monitor_runs_total` over its verdict labels. */
function sumRuns(metrics: string): number {
  return [...metrics.matchAll(/^netready_monitor_runs_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}
