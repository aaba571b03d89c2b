import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devCaId, DevCaError, ensureDevCertificate, readRetiredCas, type DevCertificate } from './dev-ca';
import { signLeafWithDevCa } from './testing/sign-leaf';

const execFileAsync = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'netready-dev-ca-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The leaf's DNS and IP SANs. */
function sansOf(cert: DevCertificate): { dns: string[]; ip: string[] } {
  const leaf = new x509.X509Certificate(x509.PemConverter.decodeFirst(cert.certPem));
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return {
    dns: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ip: items.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

/** Starts a TLS server with the certificate on 127.0.0.1, port 0; returns its port and a close function. */
async function startTlsServer(cert: DevCertificate): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('TLS server has no port');
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Connects trusting only `caPem`; resolves with the bytes the server sent, rejects with the TLS error. */
function connectTrustingOnly(caPem: string, port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: [caPem], ...(servername ? { servername } : {}) });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('ensureDevCertificate', () => {
  it('creates the CA and leaf files with private keys readable only by the owner', async () => {
    const cert = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    expect(cert.created).toBe(true);
    const tlsDir = path.join(dataDir, 'tls');
    expect(cert.caCertFile).toBe(path.join(tlsDir, 'ca.pem'));
    expect(cert.certFile).toBe(path.join(tlsDir, 'cert.pem'));
    expect(cert.keyFile).toBe(path.join(tlsDir, 'key.pem'));
    expect((await stat(path.join(tlsDir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(cert.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(cert.caCertFile)).mode & 0o077).toBe(0o044);
    expect(await readFile(cert.certFile, 'utf8')).toBe(cert.certPem);
    expect(await readFile(cert.keyFile, 'utf8')).toBe(cert.keyPem);
    expect(await readFile(cert.caCertFile, 'utf8')).toBe(cert.caPem);
  });

  it('makes a P-256 CA named "netready dev CA <random>" valid for 10 years, allowed to sign certificates', async () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const cert = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], now });
    const ca = new x509.X509Certificate(cert.caPem);
    expect(ca.subject).toMatch(/CN=netready dev CA [0-9a-f]{8}/);
    expect(ca.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect((ca.getExtension(x509.KeyUsagesExtension)?.usages ?? 0) & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    const years = (ca.notAfter.getTime() - ca.notBefore.getTime()) / (365 * DAY_MS);
    expect(years).toBeGreaterThanOrEqual(9.99);
    expect(years).toBeLessThan(10.1);
  });

  it('issues a P-256 serverAuth leaf for at most 397 days with localhost, loopback IPs and the requested names', async () => {
    const cert = await ensureDevCertificate({
      dataDir,
      hostNames: ['probe.example.org', '*.dns.example.org'],
      ipAddresses: ['192.0.2.10', '2001:db8::10'],
    });
    const leaf = new x509.X509Certificate(x509.PemConverter.decodeFirst(cert.certPem));
    expect(leaf.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBeLessThanOrEqual(397 * DAY_MS);
    const sans = sansOf(cert);
    expect(sans.dns).toEqual(expect.arrayContaining(['localhost', 'probe.example.org', '*.dns.example.org']));
    expect(sans.ip).toEqual(expect.arrayContaining(['127.0.0.1', '::1', '192.0.2.10', '2001:db8::10']));
    // cert.pem is the chain: the leaf, then the CA.
    expect(x509.PemConverter.decode(cert.certPem)).toHaveLength(2);
    expect(cert.certPem.endsWith(cert.caPem)).toBe(true);
  });

  it('reuses the files on a second call with the same names', async () => {
    const first = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: ['192.0.2.10'] });
    const second = await ensureDevCertificate({ dataDir, hostNames: ['PROBE.example.org.'], ipAddresses: [] });
    expect(second.created).toBe(false);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
    expect(second.caPem).toBe(first.caPem);
  });

  it('re-issues the leaf from the same CA when a requested name is not covered', async () => {
    const first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    const second = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [] });
    expect(second.created).toBe(true);
    expect(second.caPem).toBe(first.caPem);
    expect(second.certPem).not.toBe(first.certPem);
    expect(second.keyPem).not.toBe(first.keyPem);
    expect(sansOf(second).dns).toContain('probe.example.org');

    const third = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: ['198.51.100.7'] });
    expect(third.created).toBe(true);
    expect(third.caPem).toBe(first.caPem);
    expect(sansOf(third).ip).toContain('198.51.100.7');
  });

  it('re-issues the leaf when it covers a name no longer asked for (an old zone wildcard must not linger)', async () => {
    await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org', '*.zone.example.org'], ipAddresses: [] });
    const narrowed = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [] });
    expect(narrowed.created).toBe(true);
    expect(sansOf(narrowed).dns).not.toContain('*.zone.example.org');
  });

  it('keeps a second leaf from the same CA in its own files (filePrefix)', async () => {
    const main = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [] });
    const zone = await ensureDevCertificate({ dataDir, hostNames: ['*.zone.example.org'], ipAddresses: [], filePrefix: 'zone-' });
    expect(path.basename(zone.certFile)).toBe('zone-cert.pem');
    expect(path.basename(zone.keyFile)).toBe('zone-key.pem');
    expect(zone.caPem).toBe(main.caPem);
    expect(sansOf(zone).dns).toContain('*.zone.example.org');
    // Both stay usable side by side: neither call re-issues the other's leaf.
    expect((await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [] })).created).toBe(false);
    expect((await ensureDevCertificate({ dataDir, hostNames: ['*.zone.example.org'], ipAddresses: [], filePrefix: 'zone-' })).created).toBe(false);
  });

  it('re-issues the leaf from the same CA when it expires within 7 days', async () => {
    const issuedAt = new Date(Date.now() - 391 * DAY_MS);
    const first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], now: issuedAt });
    const second = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    expect(second.created).toBe(true);
    expect(second.caPem).toBe(first.caPem);
    const leaf = new x509.X509Certificate(x509.PemConverter.decodeFirst(second.certPem));
    expect(leaf.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * DAY_MS);
  });

  it('keeps a leaf that still has more than 7 days left', async () => {
    const issuedAt = new Date(Date.now() - 380 * DAY_MS);
    const first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], now: issuedAt });
    const second = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    expect(second.created).toBe(false);
    expect(second.certPem).toBe(first.certPem);
  });

  it('replaces a corrupt CA with a new CA and leaf', async () => {
    const first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    await writeFile(first.caCertFile, 'not a certificate\n');
    const second = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
    expect(second.created).toBe(true);
    expect(second.caPem).not.toBe(first.caPem);
    expect(second.certPem.endsWith(second.caPem)).toBe(true);
  });

  it('rejects a host name that cannot be a DNS SAN', async () => {
    await expect(ensureDevCertificate({ dataDir, hostNames: ['bad name'], ipAddresses: [] })).rejects.toBeInstanceOf(DevCaError);
    await expect(ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: ['999.1.1.1'] })).rejects.toMatchObject({
      code: 'invalid-name',
    });
  });

  describe('with a Node TLS server using the certificate', () => {
    let cert: DevCertificate;
    let server: { port: number; close: () => Promise<void> };
    beforeEach(async () => {
      cert = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [] });
      server = await startTlsServer(cert);
    });
    afterEach(async () => {
      await server.close();
    });

    it('is trusted by a client that trusts only ca.pem, for servername localhost', async () => {
      await expect(connectTrustingOnly(cert.caPem, server.port, 'localhost')).resolves.toBe('hello');
    });

    it('is trusted for the IP address 127.0.0.1', async () => {
      await expect(connectTrustingOnly(cert.caPem, server.port, undefined)).resolves.toBe('hello');
    });

    it('is rejected for a name not in its SANs', async () => {
      await expect(connectTrustingOnly(cert.caPem, server.port, 'other.example.org')).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });

    it('is rejected by a client that trusts only a different dev CA', async () => {
      const otherDir = await mkdtemp(path.join(tmpdir(), 'netready-dev-ca-other-'));
      try {
        const other = await ensureDevCertificate({ dataDir: otherDir, hostNames: [], ipAddresses: [] });
        await expect(connectTrustingOnly(other.caPem, server.port, 'localhost')).rejects.toMatchObject({
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        });
      } finally {
        await rm(otherDir, { recursive: true, force: true });
      }
    });
  });

  describe('with a CA scope (name constraints)', () => {
    const scope = { hostNames: ['probe.example.org', 'zone.example.org'], ipAddresses: ['192.0.2.10'] };

    it('makes a CA constrained to localhost, loopback and the scope, and says so in the result', async () => {
      const cert = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: ['192.0.2.10'], caScope: scope });
      expect(cert.caCreated).toBe(true);
      expect(cert.caNameConstraints).toEqual({
        dns: ['localhost', 'probe.example.org', 'zone.example.org'],
        ip: [
          { ip: '127.0.0.0', prefixLength: 8 },
          { ip: '::1', prefixLength: 128 },
          { ip: '192.0.2.10', prefixLength: 32 },
        ],
      });
      const ca = new x509.X509Certificate(cert.caPem);
      expect(ca.getExtension('2.5.29.30')?.critical).toBe(true);
    });

    it('keeps a CA made before name constraints existed (an installation already trusted keeps working)', async () => {
      const legacy = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [] });
      const again = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [], caScope: scope });
      expect(again.caPem).toBe(legacy.caPem);
      expect(again.caNameConstraints).toBeNull();
      expect(again.notice).toBeUndefined();
    });

    it('replaces a constrained CA that does not cover a new name, keeps the old one in retired/ and says what to do', async () => {
      const first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], caScope: { hostNames: [], ipAddresses: [] } });
      const second = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [], caScope: scope });
      expect(second.caCreated).toBe(true);
      expect(second.caPem).not.toBe(first.caPem);
      expect(second.notice).toMatch(/may only sign for localhost, 127\.0\.0\.0\/8, ::1\/128, not probe\.example\.org.*npx netready trust/);
      expect(await readRetiredCas(dataDir)).toEqual([first.caPem]);
      expect(existsSync(path.join(dataDir, 'tls', 'retired', `ca-${devCaId(first.caPem)}.pem`))).toBe(true);
      // The new CA covers the new name; a third start reuses everything.
      const third = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: [], caScope: scope });
      expect(third.caCreated).toBe(false);
      expect(third.created).toBe(false);
    });

    it('passes openssl verify for its own leaf and fails a leaf outside the constraints signed with the CA key', async () => {
      const cert = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: ['192.0.2.10'], caScope: scope });
      const ok = await execFileAsync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', cert.caCertFile, cert.certFile]);
      expect(ok.stdout.trim()).toBe(`${cert.certFile}: OK`);
      const evil = await signLeafWithDevCa(dataDir, ['evil.example']);
      const evilFile = path.join(dataDir, 'evil.pem');
      await writeFile(evilFile, evil.certPem);
      await expect(execFileAsync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', cert.caCertFile, evilFile])).rejects.toMatchObject({
        stderr: expect.stringMatching(/permitted subtree violation/),
      });
    });

    it('is refused by a Node TLS client for a leaf outside the constraints, even when the name matches', async () => {
      await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], caScope: scope });
      const evil = await signLeafWithDevCa(dataDir, ['evil.example']);
      const caPem = await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
      const server = await startTlsServer({ certPem: evil.certPem, keyPem: evil.keyPem } as DevCertificate);
      try {
        await expect(connectTrustingOnly(caPem, server.port, 'evil.example')).rejects.toThrow('permitted subtree violation');
      } finally {
        await server.close();
      }
    });
  });

  it('passes `openssl verify -CAfile ca.pem cert.pem` (strict X.509, TLS server purpose)', async () => {
    const openssl = (process.env.PATH ?? '/usr/bin')
      .split(path.delimiter)
      .map((dir) => path.join(dir, 'openssl'))
      .find((file) => existsSync(file));
    if (openssl === undefined) {
      throw new Error('openssl is not installed; install it (Debian/Ubuntu: apt-get install openssl) to run this test');
    }
    const cert = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: ['192.0.2.10'] });
    const { stdout } = await execFileAsync(openssl, [
      'verify',
      '-x509_strict',
      '-purpose',
      'sslserver',
      '-CAfile',
      cert.caCertFile,
      cert.certFile,
    ]);
    expect(stdout.trim()).toBe(`${cert.certFile}: OK`);
  });
});
