// ProbeMetrics from the events the servers emit (the loopback traffic tests are in probe-ops.test.ts), and the ACME
// renewal-failure hook it counts.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AcmeCertificates } from '../acme/acme-certificates';
import { ProbeMetrics, statusClassOf } from './probe-metrics';
import { sampleValue } from './testing/prometheus-text';

const client = { ip: '192.0.2.10', port: 40000 };

describe('ProbeMetrics', () => {
  it('names allocation refusals by reason and keeps unknown codes apart', async () => {
    const metrics = new ProbeMetrics();
    for (const code of [486, 486, 508, 442, 599]) metrics.observeTurnEvent({ type: 'allocation-refused', sessionId: 's', transport: 'tcp', client, code, reason: 'x' });
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'netready_turn_allocations_refused_total', { transport: 'tcp', reason: 'quota-reached' })).toBe(2);
    expect(sampleValue(text, 'netready_turn_allocations_refused_total', { transport: 'tcp', reason: 'insufficient-capacity' })).toBe(1);
    expect(sampleValue(text, 'netready_turn_allocations_refused_total', { transport: 'tcp', reason: 'unsupported-transport' })).toBe(1);
    expect(sampleValue(text, 'netready_turn_allocations_refused_total', { transport: 'tcp', reason: 'error-599' })).toBe(1);
  });

  it('follows a media peer from creation to close, and sessions refused apart from connection limits', async () => {
    const metrics = new ProbeMetrics();
    metrics.observePeerEvent({ type: 'peer-created', peerId: 'p', sessionId: 's', localAddress: '203.0.113.1', localPort: 60000, answerMs: 3 });
    metrics.observePeerEvent({ type: 'peer-connected', peerId: 'p', sessionId: 's', remoteAddress: '203.0.113.1', remotePort: 49200, remoteCandidateType: 'relay', connectMs: 40 });
    let text = await metrics.registry.metrics();
    expect(sampleValue(text, 'netready_media_peers_active')).toBe(1);
    metrics.observePeerEvent({ type: 'peer-closed', peerId: 'p', sessionId: 's', reason: 'channel-closed', echoedMessages: 5, echoedBytes: 500, droppedMessages: 0, lifetimeMs: 900 });
    metrics.observeLimit({ scope: 'sessions', reason: 'sessions-per-address', address: '192.0.2.10' });
    metrics.observeLimit({ scope: 'https', reason: 'handshake-timeout', address: '192.0.2.10' });
    text = await metrics.registry.metrics();
    expect(sampleValue(text, 'netready_media_peers_created_total')).toBe(1);
    expect(sampleValue(text, 'netready_media_peer_connections_total', { candidate_type: 'relay' })).toBe(1);
    expect(sampleValue(text, 'netready_media_peers_closed_total', { reason: 'channel-closed' })).toBe(1);
    expect(sampleValue(text, 'netready_media_peers_active')).toBe(0);
    expect(sampleValue(text, 'netready_sessions_refused_total', { reason: 'sessions-per-address' })).toBe(1);
    expect(sampleValue(text, 'netready_connection_limit_events_total', { listener: 'https', reason: 'handshake-timeout' })).toBe(1);
    expect(sampleValue(text, 'netready_connection_limit_events_total', { listener: 'sessions' })).toBeUndefined();
  });

  it.each([
    [200, '2xx'],
    [204, '2xx'],
    [404, '4xx'],
    [503, '5xx'],
    [99, 'other'],
  ])('puts status %i in class %s', (status, cls) => {
    expect(statusClassOf(status)).toBe(cls);
  });
});

describe('ACME renewal failures', () => {
  it('are reported to onRenewalFailed, after the retry is scheduled, when the CA cannot be reached', async () => {
    // A port nobody listens on: the directory request is refused at once.
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-acme-failure-'));
    const metrics = new ProbeMetrics();
    const failures: string[] = [];
    const acme = new AcmeCertificates({
      acme: { directoryUrl: `https://127.0.0.1:${closed}/dir`, termsOfServiceAgreed: true, challenge: 'dns-01', http01Port: 0, renewDaysBefore: 30 },
      dataDir,
      orders: [{ name: 'main', domains: ['probe.example.org'] }],
      dns01: { addAcmeChallenge: () => undefined, removeAcmeChallenge: () => undefined },
      onCertificate: () => undefined,
      onRenewalFailed: (name) => {
        failures.push(name);
        metrics.acmeRenewalFailed(name);
      },
      log: { info: () => undefined, error: () => undefined },
    });
    try {
      await expect(acme.renew('main')).rejects.toThrow();
      expect(failures).toEqual(['main']);
      expect(sampleValue(await metrics.registry.metrics(), 'netready_acme_renewal_failures_total', { certificate: 'main' })).toBe(1);
    } finally {
      acme.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
