/**
 * `deploy/` (issue 19): what the repository ships for running `netready monitor` in production is checked by the tools
 * that will read it — Prometheus's promtool (rule syntax, and rule unit tests: the alerts fire when they should),
 * systemd-analyze (the unit), and the dashboard JSON against the metrics the monitor really serves.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MonitorMetrics } from '../cli/monitor/metrics';

const DEPLOY = path.dirname(new URL(import.meta.url).pathname);

function run(command: string, args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} could not run (scripts/install-system-deps.sh installs it): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The metric names the monitor serves (a check recorded, so every family has a sample). */
async function monitorMetricNames(): Promise<Set<string>> {
  const metrics = new MonitorMetrics();
  metrics.schedule('x', 300_000);
  metrics.record({ site: 'x', runId: 'r', atMs: 0, verdict: 'ready', findings: [{ code: 'c', severity: 'info' }], durationMs: 1, probes: { p: 'pass' }, rttMs: 1, jitterMs: 1, lossRatio: 0 });
  return new Set([...(await metrics.text()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
}

const namesIn = (text: string): string[] => [...new Set(text.match(/netready_monitor_[a-z_]+/g) ?? [])];

describe('deploy/prometheus', () => {
  it('has alerting rules promtool accepts, whose unit tests pass, on metrics the monitor serves', async () => {
    const dir = path.join(DEPLOY, 'prometheus');
    const check = run('promtool', ['check', 'rules', 'netready-monitor-alerts.yml'], dir);
    expect(check.output).toContain('SUCCESS: 2 rules found');
    expect(check.status).toBe(0);
    const tests = run('promtool', ['test', 'rules', 'netready-monitor-alerts.test.yml'], dir);
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
    const served = await monitorMetricNames();
    const used = namesIn(readFileSync(path.join(dir, 'netready-monitor-alerts.yml'), 'utf8'));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !served.has(name))).toEqual([]);
  });
});

describe('deploy/grafana', () => {
  it('is a dashboard with a site variable whose every query uses metrics the monitor serves', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana', 'netready-monitor-dashboard.json'), 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      templating: { list: Array<{ name: string; query: unknown }> };
      panels: Array<{ id: number; title: string; type: string; gridPos: Record<string, number>; targets: Array<{ expr: string; refId: string }> }>;
    };
    expect(dashboard).toMatchObject({ uid: 'netready-monitor', title: 'netready monitor' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'site']);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const served = await monitorMetricNames();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.expr, panel.title).toContain('site="$site"');
        const used = namesIn(target.expr);
        expect(used.length, panel.title).toBeGreaterThan(0);
        expect(used.filter((name) => !served.has(name)), panel.title).toEqual([]);
      }
    }
    // Every metric the monitor serves is on the dashboard.
    const shown = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => namesIn(t.expr))));
    expect([...served].filter((name) => !shown.has(name) && name !== 'netready_monitor_interval_seconds')).toEqual([]);
  });
});

describe('deploy/systemd', () => {
  it('has a unit systemd-analyze verifies without a word of complaint: its own user, a state folder, restart on failure', () => {
    const unit = path.join(DEPLOY, 'systemd', 'netready-monitor.service');
    const verify = run('systemd-analyze', ['verify', unit], DEPLOY);
    expect(verify.output.split('\n').filter((line) => line.includes('netready-monitor.service'))).toEqual([]);
    expect(verify.status).toBe(0);
    const text = readFileSync(unit, 'utf8');
    for (const line of ['DynamicUser=yes', 'StateDirectory=netready-monitor', 'Restart=on-failure', 'ProtectSystem=strict', 'NoNewPrivileges=yes']) expect(text).toContain(line);
    // The environment file's example names every variable the unit uses.
    const example = readFileSync(path.join(DEPLOY, 'systemd', 'monitor.env.example'), 'utf8');
    for (const variable of text.match(/\$\{(NETREADY_[A-Z_]+)\}/g) ?? []) expect(example).toContain(`${variable.slice(2, -1)}=`);
  });
});
