import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TurnServer } from '../turn/turn-server';
import { classifyHandshakeError, TlsHandshakeLog } from './handshake-log';
import { TlsMirrorServer } from './tls-mirror-server';

describe('classifyHandshakeError', () => {
  const openSslError = (code: string, alert: number): Error =>
    Object.assign(new Error(`error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:…:SSL alert number ${alert}`), { code });

  it.each([
    [openSslError('ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 46), 'certificate-rejected', 'certificate_unknown'],
    [openSslError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 48), 'certificate-rejected', 'unknown_ca'],
    [openSslError('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 42), 'certificate-rejected', 'bad_certificate'],
    [openSslError('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 45), 'certificate-rejected', 'certificate_expired'],
    [openSslError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 70), 'failed', 'protocol_version'],
    [openSslError('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 120), 'failed', 'no_application_protocol'],
  ])('reads %s as %s (%s)', (error, outcome, alert) => {
    expect(classifyHandshakeError(error)).toMatchObject({ outcome, alert });
  });

  it('calls a reset or garbage without an alert a plain failure', () => {
    expect(classifyHandshakeError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toEqual({ outcome: 'failed', errorCode: 'ECONNRESET' });
    expect(classifyHandshakeError('weird')).toEqual({ outcome: 'failed' });
  });
});

describe('TlsHandshakeLog', () => {
  it('returns the records of one address since a time, and forgets them after the TTL', () => {
    let now = 1_000_000;
    const log = new TlsHandshakeLog({ ttlMs: 10_000, now: () => now });
    log.completed('192.0.2.1', 'https');
    now += 1000;
    log.failed('192.0.2.1', 'turn-tls', Object.assign(new Error('SSL alert number 46'), {}));
    log.completed('192.0.2.2', 'https');
    expect(log.since('192.0.2.1', 0).map((r) => r.outcome)).toEqual(['completed', 'certificate-rejected']);
    expect(log.since('192.0.2.1', 1_000_500).map((r) => r.outcome)).toEqual(['certificate-rejected']);
    now += 10_001;
    expect(log.since('192.0.2.1', 0)).toEqual([]);
  });

  it('records the SNI a handshake named, null when it named none, nothing when the listener did not say', () => {
    const log = new TlsHandshakeLog({ now: () => 5 });
    log.completed('192.0.2.1', 'turn-tls', 'turn.example.test');
    log.completed('192.0.2.1', 'turn-tls', null);
    log.failed('192.0.2.1', 'turn-tls', new Error('SSL alert number 46'), '');
    log.completed('192.0.2.1', 'https');
    expect(log.since('192.0.2.1', 0).map((r) => r.serverName)).toEqual(['turn.example.test', null, null, undefined]);
  });

  it('keeps at most maxPerAddress records per address and maxAddresses addresses', () => {
    const log = new TlsHandshakeLog({ maxPerAddress: 3, maxAddresses: 2 });
    for (let i = 0; i < 10; i++) log.completed('192.0.2.1', 'https');
    expect(log.since('192.0.2.1', 0)).toHaveLength(3);
    log.completed('192.0.2.2', 'https');
    log.completed('192.0.2.3', 'https');
    // 192.0.2.1 was the least recently active: dropped for the third address.
    expect(log.since('192.0.2.1', 0)).toEqual([]);
    expect(log.since('192.0.2.3', 0)).toHaveLength(1);
  });
});

describe('the TLS listeners record how a real TLS client ended its handshake', () => {
  let dir: string;
  let cert: string;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'netready-handshake-log-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=handshake test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * One handshake with OpenSSL's own client, which like a browser aborts with an alert when it does not trust the
   * server's certificate (`-verify_return_error`). With `trust`, it trusts our self-signed certificate.
   */
  function handshake(port: number, trust: boolean): Promise<void> {
    return new Promise((resolve) => {
      const child = execFile(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-verify_return_error', ...(trust ? ['-CAfile', path.join(dir, 'cert.pem')] : ['-no-CAfile', '-no-CApath', '-no-CAstore'])],
        { timeout: 10_000 },
        () => resolve(),
      );
      child.stdin?.end();
    });
  }

  it('HTTPS listener: an untrusting client is a certificate rejection, a trusting one a completed handshake', async () => {
    const log = new TlsHandshakeLog();
    const mirror = new TlsMirrorServer({ cert, key, onRequest: (_req, res) => res.end(), handshakes: log });
    const { port } = await mirror.listen(0, '127.0.0.1');
    try {
      await handshake(port, false);
      await vi.waitFor(() => expect(log.since('127.0.0.1', 0)).toHaveLength(1), { timeout: 5000 });
      expect(log.since('127.0.0.1', 0)[0]).toMatchObject({ listener: 'https', outcome: 'certificate-rejected', alert: expect.stringMatching(/unknown_ca|bad_certificate|certificate_unknown/) });
      await handshake(port, true);
      await vi.waitFor(() => expect(log.since('127.0.0.1', 0)).toHaveLength(2), { timeout: 5000 });
      expect(log.since('127.0.0.1', 0)[1]).toMatchObject({ listener: 'https', outcome: 'completed' });
    } finally {
      await mirror.close();
    }
  });

  it('TURN over TLS: an untrusting client is a certificate rejection, a trusting one a completed handshake', async () => {
    const log = new TlsHandshakeLog();
    const turn = new TurnServer({
      realm: 'netready',
      secret: 'handshake-test-secret-0123456789',
      udp: [],
      tcp: [{ ip: '127.0.0.1', port: 0 }],
      tls: { cert, key },
      relayIp: '127.0.0.1',
      relayPortMin: 45000,
      relayPortMax: 45100,
      tlsHandshakes: log,
    });
    await turn.listen();
    try {
      const port = turn.addresses().tcp[0]!.port;
      await handshake(port, false);
      await vi.waitFor(() => expect(log.since('127.0.0.1', 0)).toHaveLength(1), { timeout: 5000 });
      expect(log.since('127.0.0.1', 0)[0]).toMatchObject({ listener: 'turn-tls', outcome: 'certificate-rejected' });
      await handshake(port, true);
      await vi.waitFor(() => expect(log.since('127.0.0.1', 0)).toHaveLength(2), { timeout: 5000 });
      expect(log.since('127.0.0.1', 0)[1]).toMatchObject({ listener: 'turn-tls', outcome: 'completed' });
    } finally {
      await turn.close();
    }
  });
});
