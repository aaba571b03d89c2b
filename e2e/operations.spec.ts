/**
 * Operations end to end, on a stack of its own (base port 26000): the web app answers /healthz, /metrics and /readyz
 * from loopback with the security headers, and only to `ops.allowFrom`; the probe's operations listener answers and
 * its metrics count the `netready check` run just made against the stack; the probe's JSON log lines name that
 * run's session and never its TURN credential.
 */
import http from 'node:http';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ResultSchema } from '../lib/schema/result';
import { promtoolCheck, sampleValue } from '../server/ops/testing/prometheus-text';
import { runCli } from './support/cli';
import { assertPortFree, portsFrom, REPO_ROOT, spawnManaged, startStack, stackEnv, waitUntil, type ManagedProcess, type Stack } from './support/stack';

const BASE_PORT = 26000;
let stack: Stack;
let opsUrl: string;

test.beforeAll(async () => {
  stack = await startStack(portsFrom(BASE_PORT));
  opsUrl = `http://127.0.0.1:${stack.ports.ops}`;
});

test.afterAll(async () => {
  await stack?.stop();
});

/** The headers proxy.ts puts on every non-page answer (server/api/security-headers.ts). */
function expectNonPageSecurityHeaders(headers: Record<string, string>): void {
  expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-robots-tag']).toBe('noindex');
  expect(headers['permissions-policy']).toContain('camera=()');
}

test('the web app answers /healthz, /metrics and /readyz from loopback, with the security headers and a request id', async ({ request }) => {
  const health = await request.get(`${stack.webUrl}/healthz`, { headers: { 'x-request-id': 'e2e-health-1' } });
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  expectNonPageSecurityHeaders(health.headers());
  expect(health.headers()['x-request-id']).toBe('e2e-health-1');

  const ready = await request.get(`${stack.webUrl}/readyz`);
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'config', ok: true }, { name: 'result store', ok: true, detail: 'writable' }] });
  expectNonPageSecurityHeaders(ready.headers());

  const metrics = await request.get(`${stack.webUrl}/metrics`);
  expect(metrics.status()).toBe(200);
  expect(metrics.headers()['content-type']).toContain('text/plain');
  expectNonPageSecurityHeaders(metrics.headers());
  const text = await metrics.text();
  // The answers above were counted by the request observer installed from instrumentation.ts.
  expect(sampleValue(text, 'netready_web_http_responses_total', { route: '/healthz', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
  expect(sampleValue(text, 'netready_web_http_responses_total', { route: '/readyz', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
  expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  const check = await promtoolCheck(text);
  expect(check.output).toBe('');
  expect(check.code).toBe(0);
});

test('the probe operations listener counts the netready check run it just served', async ({ request }) => {
  const before = await (await request.get(`${opsUrl}/metrics`)).text();
  const run = await runCli(['check', '--url', stack.webUrl, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const result = ResultSchema.parse(JSON.parse(run.stdout));
  const sessionId = result.probes.session!.data.sessionId as string;

  expect((await request.get(`${opsUrl}/healthz`)).status()).toBe(200);
  const ready = await request.get(`${opsUrl}/readyz`);
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, checks: expect.arrayContaining([{ name: 'listener turn-tls', ok: true }, expect.objectContaining({ name: 'certificate main', ok: true })]) });

  const metrics = await request.get(`${opsUrl}/metrics`);
  expect(metrics.status()).toBe(200);
  const after = await metrics.text();
  const grew = (name: string, labels: Record<string, string> = {}) => (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
  expect(grew('netready_sessions_created_total')).toBe(1);
  for (const transport of ['udp', 'tcp', 'tls']) {
    expect(grew('netready_turn_allocations_created_total', { transport }), transport).toBeGreaterThanOrEqual(1);
    expect(grew('netready_turn_relayed_bytes_total', { transport, direction: 'client_to_peer' }), transport).toBeGreaterThan(0);
    expect(grew('netready_turn_relayed_bytes_total', { transport, direction: 'peer_to_client' }), transport).toBeGreaterThan(0);
  }
  expect(grew('netready_stun_requests_total', { transport: 'udp', method: 'Binding', response: 'success' })).toBeGreaterThanOrEqual(1);
  // Three relays and the quality stream reached the media peer.
  expect(grew('netready_media_peer_connections_total')).toBeGreaterThanOrEqual(4);
  // The CLI trusts the development CA for its run: TLS to the probe completed on both listeners.
  expect(grew('netready_tls_handshakes_total', { listener: 'https', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
  expect(grew('netready_tls_handshakes_total', { listener: 'turn-tls', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
  // The POST alone: it goes as text/plain, so the browser sends no CORS preflight before it (issue 16).
  expect(grew('netready_probe_http_responses_total', { listener: 'http', route: '/v1/sessions', status_class: '2xx' })).toBe(1);
  const check = await promtoolCheck(after);
  expect(check.output).toBe('');
  expect(check.code).toBe(0);

  // The probe's JSON log lines of this run name its session, and hold neither the credential nor the full address.
  const entries = stack.probe.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(entries.find((e) => e.msg === 'session created' && e.sessionId === sessionId)).toMatchObject({ level: 'info', clientAddress: '127.0.0.0/24' });
  expect(entries.filter((e) => e.msg === 'turn allocation created' && e.sessionId === sessionId).map((e) => e.transport)).toEqual(expect.arrayContaining(['udp', 'tcp', 'tls']));
  // A session's credential (the result never carries one): opening another shows what would have to stay out.
  const another = (await (await request.post(`${stack.probeUrl}/v1/sessions`, { data: {} })).json()) as { sessionId: string; turn: Array<{ credential: string }> };
  await expect.poll(() => stack.probe.output.some((line) => line.includes('"session created"') && line.includes(another.sessionId))).toBe(true);
  const everything = stack.probe.output.join('\n');
  expect(everything).not.toContain(another.turn[0]!.credential);
  expect(everything).not.toContain('"clientAddress":"127.0.0.1"');
});

test.describe('a web app whose ops.allowFrom names another address', () => {
  // Its own port inside this stack's block (base … base+6 and base+100 … are taken), sharing the stack's data folder.
  const port = BASE_PORT + 50;
  let web: ManagedProcess | undefined;

  test.beforeAll(async () => {
    await assertPortFree(port);
    web = spawnManaged('web-allow-from', path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
      ...stackEnv(portsFrom(BASE_PORT), stack.dataDir),
      NETREADY_OPS_ALLOW_FROM: '127.0.0.2/32',
    });
    await waitUntil('the second web app', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200, 60_000, web);
  });
  test.afterAll(async () => {
    await web?.stop();
  });

  /** GET from a chosen loopback source address (the `request` fixture cannot pick one). */
  const getFrom = (pathname: string, localAddress: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${port}${pathname}`, { localAddress, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });

  test('answers /metrics and /readyz 404 to other addresses, 200 to the named one, and /healthz to everybody', async () => {
    const outsider = await Promise.all(['/metrics', '/readyz', '/healthz'].map((p) => getFrom(p, '127.0.0.1')));
    expect(outsider.map((r) => r.status)).toEqual([404, 404, 200]);
    expect(JSON.parse(outsider[0]!.body)).toEqual({ error: { code: 'not_found', message: 'not found' } });
    const named = await Promise.all(['/metrics', '/readyz'].map((p) => getFrom(p, '127.0.0.2')));
    expect(named.map((r) => r.status)).toEqual([200, 200]);
    expect(named[0]!.body).toContain('netready_web_http_responses_total');
  });
});
