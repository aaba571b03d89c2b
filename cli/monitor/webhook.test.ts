import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeGroup } from '../../lib/monitor/changes';
import { alertBody, WebhookSender, webhookKind } from './webhook';

const T = Date.parse('2026-12-07T08:00:00Z');
const event = (code: string): ChangeGroup => ({
  appeared: [{ code, severity: 'blocker' }],
  disappeared: [],
  before: { runId: 'r2', atMs: T, resultUrl: 'https://nr.example/r/r2' },
  after: { runId: 'r3', atMs: T + 60_000, resultUrl: 'https://nr.example/r/r3' },
  confirmedAt: { runId: 'r4', atMs: T + 120_000 },
});

let server: http.Server;
let url: string;
let received: unknown[];
/** Statuses the receiver answers with, in turn (then 200). */
let answers: number[];

beforeEach(async () => {
  received = [];
  answers = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) received.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('webhookKind and alertBody', () => {
  it('gives Slack and Teams their incoming-webhook shapes, everyone else the change as JSON', () => {
    expect(webhookKind('https://hooks.slack.com/services/T/B/X')).toBe('slack');
    expect(webhookKind('https://acme.webhook.office.com/webhookb2/x')).toBe('teams');
    expect(webhookKind('https://alerts.example.com/netready')).toBe('json');
    const alert = { site: 'Berlin office', change: event('udp-blocked') };
    expect(alertBody(alert, 'slack')).toEqual({ text: 'netready monitor, Berlin office: udp-blocked (blocker) appeared; changed between 2026-12-07T08:00:00.000Z and 2026-12-07T08:01:00.000Z\nbefore: https://nr.example/r/r2 · after: https://nr.example/r/r3' });
    expect(alertBody(alert, 'teams')).toMatchObject({ '@type': 'MessageCard', title: 'netready monitor: Berlin office' });
    expect(alertBody(alert, 'json')).toMatchObject({ type: 'netready.monitor.change', site: 'Berlin office', change: { appeared: [{ code: 'udp-blocked' }] } });
  });
});

describe('WebhookSender', () => {
  it('retries a failing receiver and delivers each alert exactly once, in order', async () => {
    answers = [500, 503];
    const delivered: number[] = [];
    const logs: string[] = [];
    const sender = new WebhookSender({ url, firstRetryMs: 10, onDelivered: (id) => delivered.push(id), log: (m) => logs.push(m) });
    sender.send(1, { site: 'Berlin office', change: event('udp-blocked') });
    sender.send(2, { site: 'Berlin office', change: event('relay-only') });
    await sender.idle();
    expect(received.map((r) => (r as { change: ChangeGroup }).change.appeared[0]!.code)).toEqual(['udp-blocked', 'relay-only']);
    expect(delivered).toEqual([1, 2]);
    expect(logs).toEqual(['webhook: try 1 failed (HTTP 500); retrying in 10 ms', 'webhook: try 2 failed (HTTP 503); retrying in 20 ms']);
  });

  it('gives an alert up after its tries, says so, and goes on with the next', async () => {
    answers = [500, 500, 500];
    const delivered: number[] = [];
    const logs: string[] = [];
    const sender = new WebhookSender({ url, maxAttempts: 3, firstRetryMs: 5, onDelivered: (id) => delivered.push(id), log: (m) => logs.push(m) });
    sender.send(1, { site: 'Berlin office', change: event('udp-blocked') });
    sender.send(2, { site: 'Berlin office', change: event('relay-only') });
    await sender.idle();
    expect(delivered).toEqual([2]);
    expect(logs.at(-1)).toMatch(/gave up on the alert "udp-blocked \(blocker\) appeared;.*after 3 tries \(HTTP 500\)/);
  });

  it('keeps at most maxQueue alerts, dropping the oldest waiting one and saying so', async () => {
    answers = [500];
    const logs: string[] = [];
    const sender = new WebhookSender({ url, maxQueue: 2, firstRetryMs: 50, log: (m) => logs.push(m) });
    for (const [i, code] of ['a', 'b', 'c', 'd'].entries()) sender.send(i, { site: 'x', change: event(code) });
    await sender.idle();
    // The queue holds 2, the one being sent ('a', retried) among them: 'b' and 'c' were dropped as 'c' and 'd' came.
    expect(received.map((r) => (r as { change: ChangeGroup }).change.appeared[0]!.code)).toEqual(['a', 'd']);
    expect(logs.filter((m) => m.includes('queue full'))).toHaveLength(2);
  });

  it('says why an unreachable receiver failed', async () => {
    // A port nothing listens on: bind one, then close it.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const logs: string[] = [];
    const sender = new WebhookSender({ url: `http://127.0.0.1:${closedPort}/hook`, maxAttempts: 2, firstRetryMs: 5, log: (m) => logs.push(m) });
    sender.send(1, { site: 'x', change: event('udp-blocked') });
    await sender.idle();
    expect(logs[0]).toBe(`webhook: try 1 failed (connect ECONNREFUSED 127.0.0.1:${closedPort}); retrying in 5 ms`);
  });
});
