/**
 * `netready monitor` (issue 19): the full check on a schedule from a machine inside the network. One check at a time —
 * never two at once, each in a browser started for it and closed after — at the times its history keeps (a restart
 * continues the schedule and the change detection, whose state it rebuilds by replaying the stored runs). Each check
 * is stored, shown in `/metrics` when asked, logged as one JSON line on standard output; each change confirmed over
 * `--confirm-runs` checks is stored, logged, and sent to `--webhook`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeDetector, describeGroup, groupChanges, type ChangeGroup } from '../../lib/monitor/changes';
import type { Result } from '../../lib/schema/result';
import { MonitorHistory, type MonitorRun } from './history';
import { MonitorMetrics } from './metrics';
import type { MonitorOptions } from './args';
import type { UploadOutcome } from './upload';
import { WebhookSender } from './webhook';

/** What the monitor needs from the outside world (injected: the CLI passes the real ones, tests their own). */
export interface MonitorDeps {
  /** Runs one check in a browser started and closed for it. */
  check(): Promise<{ result: Result; resultUrl?: string } | { error: string }>;
  /** Stores a check on the server under the site (`--token`); absent without a token. */
  upload?(result: Result): Promise<UploadOutcome>;
  now(): number;
  /** Waits `ms`, or less when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** One JSON line per check and per change (standard output). */
  out(line: string): void;
  /** Problems and progress for people (standard error). */
  err(line: string): void;
}

/** What a finished monitor did. */
export interface MonitorSummary {
  checks: number;
  failedChecks: number;
  /** Checks the server refused or could not be reached for (with `--token`). */
  failedUploads: number;
  events: ChangeGroup[];
  /** Where `/metrics` was served, when it was. */
  metricsUrl?: string;
}

/** The figures of a check the monitor keeps. */
export function toMonitorRun(site: string, result: Result, atMs: number, resultUrl: string | undefined): MonitorRun {
  const quality = result.probes['media-quality']?.data as { rttMs?: unknown; rttMedianMs?: unknown; jitterMs?: unknown; lossRatio?: unknown } | undefined;
  const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const run: MonitorRun = {
    site,
    runId: result.id,
    atMs,
    verdict: result.verdict,
    findings: result.findings.map((f) => ({ code: f.code, severity: f.severity })),
    durationMs: result.durationMs,
    probes: Object.fromEntries(Object.entries(result.probes).map(([id, outcome]) => [id, outcome.status])),
  };
  if (resultUrl) run.resultUrl = resultUrl;
  const rtt = num(quality?.rttMs) ?? num(quality?.rttMedianMs);
  if (rtt !== undefined) run.rttMs = rtt;
  const jitter = num(quality?.jitterMs);
  if (jitter !== undefined) run.jitterMs = jitter;
  const loss = num(quality?.lossRatio);
  if (loss !== undefined) run.lossRatio = loss;
  return run;
}

/** Serves the metrics at `/metrics` (404 elsewhere) until closed. */
async function serveMetrics(metrics: MonitorMetrics, host: string, port: number): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the monitor serves /metrics only\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics` };
}

/** Runs the monitor until `options.runs` checks are done or `signal` aborts (see the module comment). */
export async function runMonitor(options: MonitorOptions, deps: MonitorDeps, signal: AbortSignal): Promise<MonitorSummary> {
  const history = MonitorHistory.open(options.dataDir);
  const detector = new ChangeDetector({ confirmRuns: options.confirmRuns });
  const past = history.runs(options.site);
  for (const run of past) detector.observe(run);
  const metrics = new MonitorMetrics();
  metrics.schedule(options.site, options.intervalMs);
  const last = past.at(-1);
  if (last) metrics.record(last);
  const summary: MonitorSummary = { checks: 0, failedChecks: 0, failedUploads: 0, events: [] };
  let siteNamed = false;
  let metricsServer: http.Server | undefined;
  let webhook: WebhookSender | undefined;
  try {
    if (options.metrics) {
      const served = await serveMetrics(metrics, options.metrics.host, options.metrics.port);
      metricsServer = served.server;
      summary.metricsUrl = served.url;
      deps.err(`netready monitor: metrics on ${served.url}`);
    }
    if (options.webhook) {
      webhook = new WebhookSender({ url: options.webhook, onDelivered: (id) => history.markAlerted(id), log: (m) => deps.err(`netready monitor: ${m}`) });
      // Alerts a stopped monitor had not sent yet go out first.
      for (const stored of history.unalerted(options.site)) webhook.send(stored.id, { site: options.site, change: stored.event });
    }
    deps.err(`netready monitor: ${options.site} — a check every ${options.intervalMs / 1000} s against ${options.url}${past.length > 0 ? ` (continuing after ${past.length} stored checks)` : ''}`);
    while (!signal.aborted && (options.runs === undefined || summary.checks < options.runs)) {
      const due = history.nextRunAt(options.site) ?? deps.now();
      if (due > deps.now()) await deps.sleep(due - deps.now(), signal);
      if (signal.aborted) break;
      const startedAt = deps.now();
      // The next start is fixed before this check runs: the rhythm holds whatever one check costs (a check that
      // overruns its interval is followed at once by the next, never overlapped).
      history.setNextRunAt(options.site, startedAt + options.intervalMs);
      const outcome = await deps.check();
      summary.checks++;
      if ('error' in outcome) {
        summary.failedChecks++;
        deps.out(JSON.stringify({ type: 'check', site: options.site, atMs: deps.now(), error: outcome.error }));
        continue;
      }
      // Stored on the server first, so the history, the change events and the alerts carry the share link.
      const uploaded = deps.upload ? await deps.upload(outcome.result) : undefined;
      if (uploaded && 'error' in uploaded) {
        summary.failedUploads++;
        deps.err(`netready monitor: check ${outcome.result.id} not stored on the server: ${uploaded.error}`);
      } else if (uploaded && uploaded.site !== options.site && !siteNamed) {
        siteNamed = true;
        deps.err(`netready monitor: the server files this token's checks under site "${uploaded.site}", not "${options.site}" (the name in --site is this machine's, for metrics and alerts)`);
      }
      const resultUrl = uploaded && 'url' in uploaded ? uploaded.url : outcome.resultUrl;
      const run = toMonitorRun(options.site, outcome.result, deps.now(), resultUrl);
      history.addRun(run);
      metrics.record(run);
      const events = groupChanges(detector.observe(run));
      deps.out(
        JSON.stringify({
          type: 'check',
          site: options.site,
          runId: run.runId,
          atMs: run.atMs,
          verdict: run.verdict,
          findings: run.findings.map((f) => f.code),
          durationMs: run.durationMs,
          ...(run.resultUrl ? { resultUrl: run.resultUrl } : {}),
          ...(uploaded && 'error' in uploaded ? { uploadError: uploaded.error } : {}),
          changes: events.length,
        }),
      );
      if (events.length === 0) continue;
      const ids = history.addEvents(options.site, events, webhook === undefined);
      events.forEach((event, i) => {
        summary.events.push(event);
        deps.out(JSON.stringify({ type: 'change', site: options.site, summary: describeGroup(event), change: event }));
        webhook?.send(ids[i]!, { site: options.site, change: event });
      });
    }
    // Alerts of the last checks go out before a bounded monitor (--runs) ends.
    if (!signal.aborted) await webhook?.idle();
    return summary;
  } finally {
    await webhook?.stop();
    if (metricsServer) {
      metricsServer.closeAllConnections();
      await new Promise((resolve) => metricsServer!.close(resolve));
    }
    history.close();
  }
}
