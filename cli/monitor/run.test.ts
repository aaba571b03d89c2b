import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../lib/schema/result';
import type { MonitorOptions } from './args';
import { MonitorHistory } from './history';
import { runMonitor, type MonitorDeps } from './run';

const T0 = Date.parse('2026-12-07T08:00:00Z');
let dir: string;
let hook: http.Server;
let hookUrl: string;
let alerts: unknown[];

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-monitor-run-'));
  alerts = [];
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      alerts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
});
afterEach(async () => {
  hook.closeAllConnections();
  await new Promise((resolve) => hook.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

let ids = 0;
function result(verdict: Result['verdict'], codes: string[]): Result {
  ids++;
  return {
    schemaVersion: 1,
    id: `run-${ids}`,
    startedAt: new Date(T0).toISOString(),
    durationMs: 3000,
    config: { name: 'test', probeUrl: 'http://127.0.0.1:8080', budgetMs: 10000 },
    client: { userAgent: 'x', browser: 'Chrome', browserVersion: '156', os: 'Linux', engine: 'blink' },
    verdict,
    findings: codes.map((code) => ({ code, severity: code === 'udp-blocked' ? 'blocker' : 'warning', title: code, detail: code, remediation: code, evidence: [] })),
    probes: { 'stun-udp': { status: codes.includes('udp-blocked') ? 'fail' : 'pass', durationMs: 100, data: {}, evidence: [] }, 'media-quality': { status: 'pass', durationMs: 2000, data: { rttMs: 12.5, jitterMs: 1.1, lossRatio: 0 }, evidence: [] } },
  } as unknown as Result;
}

/** A fake clock and checks: each check takes 3 s; sleeping moves the clock. */
function deps(plan: Array<[Result['verdict'], string[]]>, lines: string[]): MonitorDeps & { clock: { now: number }; sleeps: number[] } {
  const clock = { now: T0 };
  const sleeps: number[] = [];
  let i = 0;
  return {
    clock,
    sleeps,
    async check() {
      const [verdict, codes] = plan[i++ % plan.length]!;
      clock.now += 3000;
      return { result: result(verdict, codes), resultUrl: `https://nr.example/r/${ids + 1}` };
    },
    now: () => clock.now,
    async sleep(ms) {
      sleeps.push(ms);
      clock.now += ms;
    },
    out: (line) => lines.push(line),
    err: () => undefined,
  };
}

const OPTIONS = (over: Partial<MonitorOptions> = {}): MonitorOptions => ({ command: 'monitor', url: 'http://127.0.0.1:3000', site: 'Berlin office', intervalMs: 30_000, browser: 'chromium', dataDir: dir, confirmRuns: 2, timeoutMs: 45_000, ...over });

describe('runMonitor', () => {
  it('two open checks, two with UDP dropped: one change event naming udp-blocked with its window, in /metrics, one alert', async () => {
    const lines: string[] = [];
    const d = deps([['ready', []], ['ready', []], ['degraded', ['udp-blocked', 'relay-only']], ['degraded', ['udp-blocked', 'relay-only']]], lines);
    const summary = await runMonitor(OPTIONS({ runs: 4, webhook: hookUrl, metrics: { host: '127.0.0.1', port: 0 } }), d, new AbortController().signal);
    expect(summary.checks).toBe(4);
    expect(summary.events).toHaveLength(1);
    expect(summary.events[0]).toMatchObject({ verdict: { from: 'ready', to: 'degraded' }, appeared: expect.arrayContaining([{ code: 'udp-blocked', severity: 'blocker' }]), before: { runId: 'run-2' }, after: { runId: 'run-3' } });
    // A check every 30 s: 3 s checks, 27 s pauses.
    expect(d.sleeps).toEqual([27_000, 27_000, 27_000]);
    // One JSON line per check, one per change.
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['check', 'check', 'check', 'check', 'change']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'netready.monitor.change', site: 'Berlin office', change: { appeared: expect.arrayContaining([{ code: 'udp-blocked', severity: 'blocker' }]) } });
    expect(summary.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // The metrics server is closed when the monitor ends; the history holds the event as alerted.
    await expect(fetch(summary.metricsUrl!)).rejects.toThrow();
    const history = MonitorHistory.open(dir);
    expect(history.events('Berlin office').map((e) => e.alerted)).toEqual([true]);
    expect(history.runs('Berlin office').map((r) => [r.verdict, r.rttMs])).toEqual([['ready', 12.5], ['ready', 12.5], ['degraded', 12.5], ['degraded', 12.5]]);
    history.close();
  });

  it('serves /metrics while it runs, continues the schedule and the detection after a restart, and never runs two checks at once', async () => {
    const lines: string[] = [];
    const first = deps([['ready', []]], lines);
    await runMonitor(OPTIONS({ runs: 2 }), first, new AbortController().signal);
    // Restarted 10 s after the last check: the next one is due 30 s after that check's start, so it waits 17 s.
    const second = deps([['degraded', ['udp-blocked']]], lines);
    second.clock.now = first.clock.now + 10_000;
    let running = 0;
    let most = 0;
    const check = second.check;
    let scraped = '';
    let metricsUrl: string | undefined;
    const controller = new AbortController();
    const summary = await runMonitor(
      OPTIONS({ runs: 2, metrics: { host: '127.0.0.1', port: 0 } }),
      {
        ...second,
        async check() {
          running++;
          most = Math.max(most, running);
          // While the first check after the restart runs, /metrics already shows the stored last check.
          if (metricsUrl && !scraped) scraped = await (await fetch(metricsUrl)).text();
          const out = await check();
          running--;
          return out;
        },
        err: (line) => {
          metricsUrl ??= /metrics on (\S+)/.exec(line)?.[1];
        },
      },
      controller.signal,
    );
    expect(second.sleeps[0]).toBe(17_000);
    expect(most).toBe(1);
    // The stored open checks count: the two blocked ones confirm the change at once.
    expect(summary.events).toHaveLength(1);
    expect(scraped).toContain('netready_monitor_verdict{site="Berlin office",verdict="ready"} 1');
  });

  it('stops at once when aborted while waiting, and records a check that could not run without failing', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    const d = deps([['ready', []]], lines);
    const summary = await runMonitor(
      OPTIONS(),
      {
        ...d,
        check: async () => ({ error: 'no result within 45000 ms' }),
        async sleep() {
          controller.abort();
        },
      },
      controller.signal,
    );
    expect(summary).toMatchObject({ checks: 1, failedChecks: 1, events: [] });
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'check', site: 'Berlin office', error: 'no result within 45000 ms' });
  });

  it('with a token, stores each check on the server first: the change event and the alert carry the server\'s share links', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const d = deps([['ready', []], ['ready', []], ['blocked', ['udp-blocked']], ['blocked', ['udp-blocked']]], lines);
    const uploaded: string[] = [];
    let refuseNext = false;
    const summary = await runMonitor(
      OPTIONS({ runs: 4, webhook: hookUrl, token: 'nrs_test_token_0123456789' }),
      {
        ...d,
        err: (line) => errors.push(line),
        async upload(stored) {
          uploaded.push(stored.id);
          if (refuseNext) return { error: 'the server did not store the check (HTTP 401 site_token_invalid: no)', status: 401 };
          // The first check is filed under the server's name for the token; the monitor says so once.
          return { url: `https://central.example/r/share-${stored.id}`, site: 'Berlin HQ' };
        },
      },
      new AbortController().signal,
    );
    expect(uploaded).toEqual(['run-' + (ids - 3), 'run-' + (ids - 2), 'run-' + (ids - 1), 'run-' + ids]);
    expect(summary.failedUploads).toBe(0);
    expect(summary.events[0]).toMatchObject({ before: { resultUrl: `https://central.example/r/share-run-${ids - 2}` }, after: { resultUrl: `https://central.example/r/share-run-${ids - 1}` } });
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0])).toContain(`https://central.example/r/share-run-${ids - 1}`);
    expect(errors.filter((line) => line.includes('"Berlin HQ"'))).toHaveLength(1);

    // A refused upload is logged and counted; the check itself still counts, without a link.
    refuseNext = true;
    lines.length = 0;
    const after = await runMonitor(OPTIONS({ runs: 1, token: 'nrs_test_token_0123456789' }), { ...d, err: (line) => errors.push(line), upload: async () => ({ error: 'the server did not store the check (HTTP 401 site_token_invalid: no)', status: 401 }) }, new AbortController().signal);
    expect(after).toMatchObject({ checks: 1, failedChecks: 0, failedUploads: 1 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'check', uploadError: expect.stringContaining('site_token_invalid') });
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('resultUrl', expect.stringContaining('central.example'));
    expect(errors.at(-1)).toContain('not stored on the server');
  });
});
