/**
 * The probe's metrics and operations listener after real traffic on loopback: a STUN Binding, a session opened over
 * the API and two TURN allocations relaying data between them, a connection refused by the per-address limit, TLS
 * handshakes rejected by OpenSSL's client for an untrusted certificate, DNS queries to the probe zone. The scrape
 * must parse for Prometheus's own `promtool`, and /readyz must follow the listeners and the shutdown.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../lib/config/schema';
import { attr } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { DATA, REQUESTED_TRANSPORT, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS } from '../../lib/protocol/turn/attributes';
import * as T from '../../lib/protocol/turn/constants';
import { TurnMessageFactory } from '../../lib/protocol/turn/testing/turn-client';
import type { Session } from '../../lib/schema/session';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { nodeStunCrypto } from '../turn/node-crypto';
import { connectUdp, exchange, type SocketClient } from '../turn/testing/socket-client';
import { createLogger } from './logger';
import { OpsServer } from './ops-server';
import { promtoolCheck, sampleValue } from './testing/prometheus-text';

const ZONE = 'probe.example.org';
/** Connections one address may hold in this test; the flood address opens one more. */
const MAX_PER_ADDRESS = 6;
const FLOOD_ADDRESS = '127.0.0.3';

let dataDir: string;
let config: Config;
let server: ProbeServer;
let info: ProbeServerInfo;
let ops: OpsServer;
let opsUrl: string;
const clients: SocketClient[] = [];
const floodSockets: net.Socket[] = [];

/** A GET on the operations listener, from `localAddress` (default 127.0.0.1). */
function get(pathname: string, localAddress = '127.0.0.1'): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${opsUrl}${pathname}`, { localAddress, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

/** One TLS handshake by OpenSSL's client trusting no CA: it aborts with an alert, as an untrusting browser does. */
function untrustedHandshake(port: number): Promise<void> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-verify_return_error', '-no-CAfile', '-no-CApath', '-no-CAstore'], { timeout: 10_000 }, () =>
      resolve(),
    );
    child.stdin?.end();
  });
}

/** Opens a session over the probe's HTTP API, as the page does. */
async function openSession(): Promise<Session> {
  const response = await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(response.status).toBe(201);
  return (await response.json()) as Session;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-ops-'));
  config = ConfigSchema.parse({
    dataDir,
    probe: loopbackProbeSection([41600, 41699], [41700, 41799], {
      ops: { port: 0 },
      connections: { maxPerAddress: MAX_PER_ADDRESS, maxHandshakesPerAddress: MAX_PER_ADDRESS },
    }),
    dns: { zone: ZONE, listen: { port: 0 }, answerIp: '127.0.0.1' },
  });
  server = new ProbeServer(config, { info: () => undefined, error: () => undefined });
  // As server/main.ts does: the scrape promtool checks then includes prom-client's process metrics too.
  server.metrics.addProcessMetrics();
  ops = new OpsServer({ ...config.probe.ops, allowFrom: config.ops.allowFrom, metrics: server.metrics.registry, readiness: () => server.readiness(), logger: silentLogger() });
  const address = await ops.listen();
  opsUrl = `http://127.0.0.1:${address.port}`;
  info = await server.start();
});

afterAll(async () => {
  for (const socket of floodSockets) socket.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.stop();
  await ops?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Lines are not what these tests are about (log-redaction.test.ts reads them). */
function silentLogger() {
  return createLogger({ service: 'probe', level: 'silent', clientAddresses: 'truncated' });
}

describe('the probe operations listener', () => {
  it('answers /healthz and says why /readyz is not ready while the probe is still starting', async () => {
    const starting = new ProbeServer(config, { info: () => undefined, error: () => undefined });
    const early = new OpsServer({ ip: '127.0.0.1', port: 0, allowFrom: ['127.0.0.0/8'], metrics: starting.metrics.registry, readiness: () => starting.readiness(), logger: silentLogger() });
    const { port } = await early.listen();
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, checks: [{ name: 'lifecycle', ok: false, detail: 'starting' }] });
    } finally {
      await early.close();
    }
  });

  it('counts a STUN Binding, a session, two TURN allocations and the data relayed between them', async () => {
    const session = await openSession();
    const udp = session.turn.find((t) => t.transport === 'udp')!;
    const target = { ip: '127.0.0.1', port: info.endpoints.turnUdpPort };
    const alice = await connectUdp(target);
    const bob = await connectUdp(target);
    clients.push(alice, bob);
    const factory = (seed: number) => new TurnMessageFactory({ crypto: nodeStunCrypto, username: udp.username, password: udp.credential, seed });
    const fa = factory(1);
    const fb = factory(2);
    expect((await exchange(alice, fa, METHOD_BINDING)).errorCode).toBeNull();
    const allocate = [attr(REQUESTED_TRANSPORT, T.TRANSPORT_UDP)];
    const relayA = (await exchange(alice, fa, T.METHOD_ALLOCATE, allocate)).get(XOR_RELAYED_ADDRESS)!;
    const relayB = (await exchange(bob, fb, T.METHOD_ALLOCATE, allocate)).get(XOR_RELAYED_ADDRESS)!;
    expect((await exchange(alice, fa, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayB)])).errorCode).toBeNull();
    expect((await exchange(bob, fb, T.METHOD_CREATE_PERMISSION, [attr(XOR_PEER_ADDRESS, relayA)])).errorCode).toBeNull();
    alice.send(fa.indication(T.METHOD_SEND, [attr(XOR_PEER_ADDRESS, relayB), attr(DATA, new Uint8Array(100))]));
    await bob.next((r) => r.kind === 'stun' && r.response.message.method === T.METHOD_DATA);

    const { status, body, contentType } = await get('/metrics');
    expect(status).toBe(200);
    expect(contentType).toContain('text/plain');
    expect(sampleValue(body, 'netready_sessions_created_total')).toBe(1);
    expect(sampleValue(body, 'netready_sessions_live')).toBe(1);
    expect(sampleValue(body, 'netready_probe_http_responses_total', { listener: 'http', route: '/v1/sessions', status_class: '2xx' })).toBe(1);
    expect(sampleValue(body, 'netready_stun_requests_total', { transport: 'udp', class: 'request', method: 'Binding', response: 'success' })).toBe(1);
    // Each client's first Allocate is challenged (401), then succeeds.
    expect(sampleValue(body, 'netready_stun_requests_total', { transport: 'udp', method: 'Allocate', response: '401' })).toBe(2);
    expect(sampleValue(body, 'netready_stun_requests_total', { transport: 'udp', method: 'Allocate', response: 'success' })).toBe(2);
    expect(sampleValue(body, 'netready_stun_requests_total', { transport: 'udp', class: 'indication', method: 'Send', response: 'none' })).toBe(1);
    expect(sampleValue(body, 'netready_turn_allocations_created_total', { transport: 'udp' })).toBe(2);
    expect(sampleValue(body, 'netready_turn_allocations_active', { transport: 'udp' })).toBe(2);
    expect(sampleValue(body, 'netready_turn_relayed_bytes_total', { transport: 'udp', direction: 'client_to_peer' })).toBe(100);
    expect(sampleValue(body, 'netready_turn_relayed_bytes_total', { transport: 'udp', direction: 'peer_to_client' })).toBe(100);
    expect(sampleValue(body, 'netready_turn_relayed_datagrams_total', { transport: 'udp', direction: 'peer_to_client' })).toBe(1);
    const notAfterS = Math.floor(new Date(new X509Certificate(info.tls.certPem).validTo).getTime() / 1000);
    expect(sampleValue(body, 'netready_certificate_expiry_timestamp_seconds', { certificate: 'main' })).toBe(notAfterS);
  });

  it('counts a connection refused by the per-address limit, by listener and reason', async () => {
    const port = info.endpoints.turnTcpPort;
    // Silent connections from one address: the guard admits MAX_PER_ADDRESS and refuses the next.
    for (let i = 0; i <= MAX_PER_ADDRESS; i++) {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: FLOOD_ADDRESS });
      socket.on('error', () => undefined);
      floodSockets.push(socket);
    }
    await expect.poll(() => server.limits.count('per-address', 'turn-tcp'), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const { body } = await get('/metrics');
    expect(sampleValue(body, 'netready_connection_limit_events_total', { listener: 'turn-tcp', reason: 'per-address' })).toBe(server.limits.count('per-address', 'turn-tcp'));
    for (const socket of floodSockets.splice(0)) socket.destroy();
  });

  it('counts TLS handshakes an untrusting client rejects as certificate-rejected, per listener', async () => {
    await untrustedHandshake(info.endpoints.turnTlsPort);
    await untrustedHandshake(Number(new URL(info.httpsUrl).port));
    await expect
      .poll(async () => {
        const { body } = await get('/metrics');
        return [
          sampleValue(body, 'netready_tls_handshakes_total', { listener: 'turn-tls', outcome: 'certificate-rejected' }),
          sampleValue(body, 'netready_tls_handshakes_total', { listener: 'https', outcome: 'certificate-rejected' }),
        ];
      }, { timeout: 10_000 })
      .toEqual([1, 1]);
  });

  it('counts DNS queries to the probe zone by answer', async () => {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${info.dns!.port}`]);
    expect(await resolver.resolve4(`nr-0123456789.${ZONE}`)).toEqual(['127.0.0.1']);
    await expect(resolver.resolve4(`a.b.${ZONE}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
    const { body } = await get('/metrics');
    expect(sampleValue(body, 'netready_dns_queries_total', { answer: 'noerror' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(body, 'netready_dns_queries_total', { answer: 'nxdomain' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(body, 'netready_dns_queries_total', { answer: 'refused' })).toBeGreaterThanOrEqual(1);
  });

  it('serves a scrape that promtool accepts as Prometheus text', async () => {
    const { body } = await get('/metrics');
    const check = await promtoolCheck(body);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('answers /metrics and /readyz only to ops.allowFrom, and /healthz to everybody', async () => {
    const outsider = new OpsServer({ ip: '127.0.0.1', port: 0, allowFrom: ['127.0.0.2/32', '::1'], metrics: server.metrics.registry, readiness: () => server.readiness(), logger: silentLogger() });
    const { port } = await outsider.listen();
    const at = (pathname: string, from: string) => new Promise<number>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}${pathname}`, { localAddress: from, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    try {
      expect([await at('/metrics', '127.0.0.1'), await at('/readyz', '127.0.0.1'), await at('/healthz', '127.0.0.1')]).toEqual([404, 404, 200]);
      expect([await at('/metrics', '127.0.0.2'), await at('/readyz', '127.0.0.2')]).toEqual([200, 200]);
    } finally {
      await outsider.close();
    }
  });

  it('is ready with every listener bound and a valid certificate, and answers 503 naming a listener that closed', async () => {
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    const report = JSON.parse(ready.body) as { ready: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ready).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['lifecycle', 'listener turn-tcp', 'listener turn-tls', 'listener http', 'listener https', 'listener dns', 'certificate main']));
    // Close the HTTPS listener behind the server's back, as a crashed socket would leave it.
    await server['mirror']!.close();
    const broken = await get('/readyz');
    expect(broken.status).toBe(503);
    expect(JSON.parse(broken.body)).toMatchObject({ ready: false, checks: expect.arrayContaining([{ name: 'listener https', ok: false, detail: 'not listening' }]) });
  });

  it('answers /readyz 503 "shutting down" once the probe stops', async () => {
    await server.stop();
    const stopped = await get('/readyz');
    expect(stopped.status).toBe(503);
    expect(JSON.parse(stopped.body)).toEqual({ ready: false, checks: [{ name: 'lifecycle', ok: false, detail: 'shutting down' }] });
    expect((await get('/healthz')).status).toBe(200);
  });
});
