import { describe, expect, it } from 'vitest';
import type { MonitorRun } from './history';
import { MonitorMetrics } from './metrics';

const T = Date.parse('2026-12-07T08:00:00Z');
const open: MonitorRun = { site: 'Berlin office', runId: 'r1', atMs: T, verdict: 'ready', findings: [], durationMs: 3250, probes: { 'stun-udp': 'pass', 'turn-udp': 'pass' }, rttMs: 21.5, jitterMs: 1.5, lossRatio: 0 };
const blocked: MonitorRun = { ...open, runId: 'r2', atMs: T + 60_000, verdict: 'degraded', findings: [{ code: 'udp-blocked', severity: 'blocker' }, { code: 'relay-only', severity: 'warning' }], probes: { 'stun-udp': 'fail', 'turn-udp': 'fail' }, durationMs: 6100 };
delete (blocked as Partial<MonitorRun>).rttMs;

describe('MonitorMetrics', () => {
  it('shows the latest check under the issue\'s names, drops what no longer holds, and counts checks by verdict', async () => {
    const metrics = new MonitorMetrics();
    metrics.schedule('Berlin office', 300_000);
    metrics.record(open);
    metrics.record(blocked);
    const text = await metrics.text();
    const line = (l: string): void => expect(text.split('\n')).toContain(l);
    line('netready_monitor_verdict{site="Berlin office",verdict="degraded"} 1');
    line('netready_monitor_verdict{site="Berlin office",verdict="ready"} 0');
    line('netready_monitor_probe_status{site="Berlin office",probe="stun-udp",status="fail"} 1');
    expect(text).not.toContain('status="pass"');
    line('netready_monitor_finding{site="Berlin office",code="udp-blocked",severity="blocker"} 1');
    line('netready_monitor_finding{site="Berlin office",code="relay-only",severity="warning"} 1');
    // The second check measured no round trip: no stale value from the first.
    expect(text).not.toMatch(/^netready_monitor_rtt_ms\{/m);
    line('netready_monitor_jitter_ms{site="Berlin office"} 1.5');
    line('netready_monitor_loss_ratio{site="Berlin office"} 0');
    line('netready_monitor_run_duration_seconds{site="Berlin office"} 6.1');
    line(`netready_monitor_last_run_timestamp_seconds{site="Berlin office"} ${T / 1000 + 60}`);
    line('netready_monitor_runs_total{site="Berlin office",verdict="ready"} 1');
    line('netready_monitor_runs_total{site="Berlin office",verdict="degraded"} 1');
    line('netready_monitor_interval_seconds{site="Berlin office"} 300');
  });
});
