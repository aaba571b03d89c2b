/**
 * Operator-supplied certificate files reloaded when they change on disk: the watcher alone, and the probe server
 * serving the new pair on HTTPS and TURN over TLS without a restart (read back over real TLS connections).
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { ProbeServer } from '../probe-server';
import { CertificateFileWatcher } from './certificate-files';
import { ensureDevCertificate, type DevCertificate } from './dev-ca';
import { loopbackProbeSection } from './testing/loopback-probe';

let dir: string;
let first: DevCertificate;
let second: DevCertificate;
let certFile: string;
let keyFile: string;
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-cert-files-'));
  first = await ensureDevCertificate({ dataDir: dir, hostNames: [], ipAddresses: [], filePrefix: 'first-' });
  second = await ensureDevCertificate({ dataDir: dir, hostNames: [], ipAddresses: [], filePrefix: 'second-' });
  certFile = path.join(dir, 'fullchain.pem');
  keyFile = path.join(dir, 'privkey.pem');
  writeFileSync(certFile, first.certPem);
  writeFileSync(keyFile, first.keyPem);
  // As deployed, the files were written long before they are replaced. Written just now, a replacement within the same
  // tick of the file system's coarse clock has the same mtime, size and inode, and a stat poll cannot see it (CI's
  // fresh clone hit that: the watcher never fired, the test timed out).
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const file of [certFile, keyFile]) utimesSync(file, anHourAgo, anHourAgo);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

/** Collects events; next() resolves with the next one not read yet (waiting for it if need be), so none is missed. */
function eventQueue<T>() {
  const seen: T[] = [];
  let read = 0;
  let waiting: ((value: T) => void) | undefined;
  return {
    seen,
    push: (value: T): void => {
      seen.push(value);
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(seen[read++]!);
      }
    },
    next: (): Promise<T> => (read < seen.length ? Promise.resolve(seen[read++]!) : new Promise((resolve) => (waiting = resolve))),
    /** Marks everything so far as read. */
    skipSeen: (): void => {
      read = seen.length;
    },
  };
}

describe('CertificateFileWatcher', () => {
  it('reports a new pair once both files have changed, and not a certificate whose key has not arrived yet', async () => {
    const changes = eventQueue<{ cert: string; key: string }>();
    const problems = eventQueue<string>();
    const watcher = new CertificateFileWatcher({ certFile, keyFile, current: { cert: first.certPem, key: first.keyPem }, intervalMs: 20, onChange: changes.push, onProblem: problems.push });
    watcher.start();
    cleanups.push(() => watcher.stop());

    writeFileSync(certFile, second.certPem); // the key still belongs to the old certificate
    expect(await problems.next()).toMatch(/does not form a usable pair with .*privkey\.pem .*still serving the previous certificate/);
    expect(changes.seen).toEqual([]);

    writeFileSync(keyFile, second.keyPem);
    expect(await changes.next()).toEqual({ cert: second.certPem, key: second.keyPem });
  });
});

describe('probe server with tls.certFile', () => {
  it('serves the replaced certificate files on HTTPS and TURN over TLS without a restart', async () => {
    const config = ConfigSchema.parse({
      dataDir: path.join(dir, 'data'),
      probe: loopbackProbeSection([41420, 41449], [41450, 41499]),
      tls: { certFile, keyFile },
    });
    const lines = eventQueue<string>();
    const server = new ProbeServer(config, { info: lines.push, error: lines.push }, { certificateWatchIntervalMs: 20 });
    cleanups.push(() => server.stop());
    const info = await server.start();
    const httpsPort = Number(new URL(info.httpsUrl).port);
    const servedSerial = (port: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: first.caPem }, () => {
          resolve(socket.getPeerCertificate().serialNumber);
          socket.destroy();
        });
        socket.once('error', reject);
      });
    expect(await servedSerial(httpsPort)).toBe(serialOf(first.certPem));

    lines.skipSeen(); // start-up lines
    writeFileSync(keyFile, second.keyPem);
    writeFileSync(certFile, second.certPem);
    // The key may be seen alone first (one problem line); wait for the swap itself.
    let line = await lines.next();
    while (!line.startsWith('netready: now serving')) line = await lines.next();
    expect(line).toBe(`netready: now serving the main certificate with serial ${serialOf(second.certPem)} (HTTPS and TURN over TLS)`);
    expect(await servedSerial(httpsPort)).toBe(serialOf(second.certPem));
    expect(await servedSerial(info.endpoints.turnTlsPort)).toBe(serialOf(second.certPem));
  });
});
