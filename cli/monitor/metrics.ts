/**
 * The monitor's Prometheus metrics (issue 19), by the names the issue gives and `deploy/`'s alerting rules and
 * dashboard use: the current verdict, each probe's status and each finding of the latest check (1 while it holds),
 * the path's round trip, jitter and loss, the check's duration and time, a count of checks by verdict, and the interval
 * (so "no check for three intervals" can alert).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Verdict } from '../../lib/schema/result';
import type { MonitorRun } from './history';

const VERDICTS: readonly Verdict[] = ['ready', 'degraded', 'blocked', 'inconclusive'];

/** The monitor's metrics on their own registry. */
export class MonitorMetrics {
  readonly registry = new Registry();
  readonly #verdict = new Gauge({ name: 'netready_monitor_verdict', help: 'The latest check\'s verdict: 1 for the current one, 0 for the others.', labelNames: ['site', 'verdict'], registers: [this.registry] });
  readonly #probe = new Gauge({ name: 'netready_monitor_probe_status', help: 'Each probe\'s status in the latest check (1 for its status).', labelNames: ['site', 'probe', 'status'], registers: [this.registry] });
  readonly #finding = new Gauge({ name: 'netready_monitor_finding', help: 'Findings of the latest check (1 while present).', labelNames: ['site', 'code', 'severity'], registers: [this.registry] });
  readonly #rtt = new Gauge({ name: 'netready_monitor_rtt_ms', help: 'Median round trip of the latest check\'s media path, ms.', labelNames: ['site'], registers: [this.registry] });
  readonly #jitter = new Gauge({ name: 'netready_monitor_jitter_ms', help: 'Worst RFC 3550 jitter of the latest check, ms.', labelNames: ['site'], registers: [this.registry] });
  readonly #loss = new Gauge({ name: 'netready_monitor_loss_ratio', help: 'Worst packet loss of the latest check, 0–1.', labelNames: ['site'], registers: [this.registry] });
  readonly #duration = new Gauge({ name: 'netready_monitor_run_duration_seconds', help: 'How long the latest check took, seconds.', labelNames: ['site'], registers: [this.registry] });
  readonly #last = new Gauge({ name: 'netready_monitor_last_run_timestamp_seconds', help: 'When the latest check ended, Unix time.', labelNames: ['site'], registers: [this.registry] });
  readonly #interval = new Gauge({ name: 'netready_monitor_interval_seconds', help: 'Time between the starts of two checks, seconds (deploy/ alerts after three without a check).', labelNames: ['site'], registers: [this.registry] });
  readonly #runs = new Counter({ name: 'netready_monitor_runs_total', help: 'Checks run, by verdict.', labelNames: ['site', 'verdict'], registers: [this.registry] });

  /** Shows the monitor's schedule: the interval between checks. */
  schedule(site: string, intervalMs: number): void {
    this.#interval.set({ site }, intervalMs / 1000);
  }

  /** Shows a finished check. Findings and probe statuses of earlier checks that no longer hold are removed. */
  record(run: MonitorRun): void {
    const site = run.site;
    for (const verdict of VERDICTS) this.#verdict.set({ site, verdict }, verdict === run.verdict ? 1 : 0);
    this.#probe.reset();
    for (const [probe, status] of Object.entries(run.probes)) this.#probe.set({ site, probe, status }, 1);
    this.#finding.reset();
    for (const f of run.findings) this.#finding.set({ site, code: f.code, severity: f.severity }, 1);
    for (const [gauge, value] of [[this.#rtt, run.rttMs], [this.#jitter, run.jitterMs], [this.#loss, run.lossRatio]] as const) {
      // A check that could not measure the path leaves no stale figure behind.
      if (value === undefined) gauge.remove({ site });
      else gauge.set({ site }, value);
    }
    this.#duration.set({ site }, run.durationMs / 1000);
    this.#last.set({ site }, Math.round(run.atMs / 1000));
    this.#runs.inc({ site, verdict: run.verdict });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
