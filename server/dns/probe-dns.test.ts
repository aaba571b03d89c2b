/**
 * The DNS parts of the probe server wired together on loopback: the authoritative server started from config,
 * the session's DNS section, `/v1/dns/ping` over HTTPS on a probe name (wildcard dev certificate), and
 * `/v1/dns/labels/:label` reporting the resolver that asked.
 */
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { SessionSchema, type Session } from '../../lib/schema/session';
import { loadConfig } from '../config/load';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';

const ZONE = 'probe.netready.test';

/** GET over HTTPS to `https://<name>:<port><path>`, connecting to 127.0.0.1 but verifying the certificate for `name`. */
function getOnName(name: string, port: number, pathname: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', servername: name, port, path: pathname, method: 'GET', ca, headers: { host: `${name}:${port}`, origin: 'http://localhost:3000' } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('probe server with a DNS zone', () => {
  let dataDir: string;
  let server: ProbeServer;
  let info: ProbeServerInfo;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-dns-'));
    const config = ConfigSchema.parse({
      dataDir,
      probe: loopbackProbeSection([41000, 41099], [41100, 41199]),
      dns: { zone: ZONE, listen: { port: 0 }, answerIp: '127.0.0.1' },
    });
    server = new ProbeServer(config, { info: (m) => logs.push(m), error: (m) => logs.push(m) });
    info = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands out lookup URLs and TURN URLs by name in the session, next to the IP literals', async () => {
    const response = await fetch(`${info.httpUrl}/v1/sessions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const session: Session = SessionSchema.parse(await response.json());
    expect(session.turn.map((t) => t.url)).toEqual([expect.stringMatching(/^turn:127\.0\.0\.1:/), expect.stringMatching(/^turn:127\.0\.0\.1:/), expect.stringMatching(/^turns:127\.0\.0\.1:/)]);
    expect(session.dns).toMatchObject({ zone: ZONE, labelsPath: '/v1/dns/labels' });
    expect(session.dns?.lookupUrl).toBe(`https://{label}.${ZONE}:${new URL(info.httpsUrl).port}/v1/dns/ping?session=${session.sessionId}`);
    expect(session.dns?.turnByName.map((t) => `${t.transport} ${t.url}`)).toEqual([
      `udp turn:turn.${ZONE}:${info.endpoints.turnUdpPort}?transport=udp`,
      `tcp turn:turn.${ZONE}:${info.endpoints.turnTcpPort}?transport=tcp`,
      `tls turns:turn.${ZONE}:${info.endpoints.turnTlsPort}?transport=tcp`,
    ]);
    expect(session.dns?.turnByName[0]?.username).toBe(session.turn[0]?.username);
  });

  it('answers /v1/dns/ping on a fresh probe name over HTTPS with Timing-Allow-Origin and CORS', async () => {
    const label = 'nr-aaaabbbbccccdddd';
    const response = await getOnName(`${label}.${ZONE}`, Number(new URL(info.httpsUrl).port), '/v1/dns/ping', info.tls.devCaPem!);
    expect(response.status).toBe(200);
    expect(response.headers['timing-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(response.body)).toEqual({ ok: true, host: `${label}.${ZONE}`, connectionServerName: `${label}.${ZONE}` });
  });

  it('says when a ping for a zone name arrives on an HTTP/2 connection opened for something else (connection pooling)', async () => {
    const port = Number(new URL(info.httpsUrl).port);
    // What Chromium would reuse: a connection opened to the address (no TLS server name), carrying a zone name.
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: info.tls.devCaPem! });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/v1/dns/ping', ':authority': `nr-second00000.${ZONE}:${port}` });
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
        stream.end();
      });
      expect(JSON.parse(body)).toEqual({ ok: true, host: `nr-second00000.${ZONE}`, connectionServerName: null });
    } finally {
      session.close();
    }
  });

  it('serves the zone its own wildcard certificate, and addresses one that does not cover the zone (so Chromium cannot pool them)', async () => {
    const port = Number(new URL(info.httpsUrl).port);
    const sansFor = (servername: string | undefined): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: info.tls.devCaPem!, ALPNProtocols: ['http/1.1'], ...(servername ? { servername } : {}) }, () => {
          resolve(socket.getPeerCertificate().subjectaltname ?? '');
          socket.destroy();
        });
        socket.on('error', reject);
      });
    expect(await sansFor(`nr-0123456789ab.${ZONE}`)).toContain(`DNS:*.${ZONE}`);
    const main = await sansFor(undefined);
    expect(main).toContain('IP Address:127.0.0.1');
    expect(main).toContain(`DNS:turn.${ZONE}`);
    expect(main).not.toContain(`*.${ZONE}`);
  });

  it('reports which resolver asked for a label, and the caller’s own address', async () => {
    const label = 'nr-0123456789abcdef';
    const resolver = new Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([`127.0.0.1:${info.dns!.port}`]);
    expect(await resolver.resolve4(`${label}.${ZONE}`)).toEqual(['127.0.0.1']);
    const response = await fetch(`${info.httpUrl}/v1/dns/labels/${label.toUpperCase()}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      label,
      queries: [expect.objectContaining({ resolverIp: '127.0.0.1', transport: 'udp', qtype: 'A' })],
      resolvers: [{ ip: '127.0.0.1', geo: { status: 'unknown', reason: expect.stringContaining('dns.geoipMmdb') } }],
      httpClient: { ip: '127.0.0.1', geo: { status: 'unknown' } },
    });
    const empty = (await (await fetch(`${info.httpUrl}/v1/dns/labels/nr-neverasked00`)).json()) as Record<string, unknown>;
    expect(empty).toMatchObject({ queries: [], resolvers: [] });
    expect((await fetch(`${info.httpUrl}/v1/dns/labels/turn`)).status).toBe(400);
  });

  it('logs where the DNS server listens', () => {
    expect(logs.join('\n')).toContain(`netready DNS: authoritative for ${ZONE} on 127.0.0.1:${info.dns!.port}`);
  });
});

describe('dns configuration', () => {
  it('defaults to no zone, port 5300, TTL 5 s and 100 queries/s per source', () => {
    const config = loadConfig({ env: {}, cwd: os.tmpdir() });
    expect(config.dns).toEqual({ listen: { port: 5300 }, ttlS: 5, maxQueriesPerSecondPerSource: 100 });
  });

  it('takes the zone, listener and answer address from NETREADY_DNS_* variables', () => {
    const config = loadConfig({
      env: { NETREADY_DNS_ZONE: ZONE, NETREADY_DNS_IP: '192.0.2.53', NETREADY_DNS_PORT: '53', NETREADY_DNS_ANSWER_IP: '192.0.2.10', NETREADY_GEOIP_MMDB: 'geo.mmdb' },
      cwd: '/srv/netready',
    });
    expect(config.dns).toMatchObject({ zone: ZONE, listen: { ip: '192.0.2.53', port: 53 }, answerIp: '192.0.2.10', geoipMmdb: '/srv/netready/geo.mmdb' });
  });

  it('rejects a one-label zone and a DNS port that collides with a STUN port', () => {
    expect(() => loadConfig({ env: { NETREADY_DNS_ZONE: 'localhost' }, cwd: os.tmpdir() })).toThrow(/dns\.zone/);
    expect(() => loadConfig({ env: { NETREADY_DNS_ZONE: ZONE, NETREADY_DNS_PORT: '3479' }, cwd: os.tmpdir() })).toThrow(/UDP port 3479 is used twice/);
  });
});
