/**
 * `setCertificate` of the two TLS listeners (TlsMirrorServer for HTTPS, TurnServer for TURN over TLS): a new
 * certificate is served to new connections without a restart, and an unusable one is refused while the old one
 * keeps being served. Real TLS connections on loopback, port 0.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TlsMirrorServer } from '../tls-mirror/tls-mirror-server';
import { TurnServer } from '../turn/turn-server';
import { ensureDevCertificate, type DevCertificate } from './dev-ca';

let dataDir: string;
let first: DevCertificate;
let second: DevCertificate;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-swap-'));
  first = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], filePrefix: 'first-' });
  second = await ensureDevCertificate({ dataDir, hostNames: [], ipAddresses: [], filePrefix: 'second-' });
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** The serial of the certificate served on 127.0.0.1:port (verified against the dev CA) and the negotiated ALPN. */
function served(port: number): Promise<{ serial: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: first.caPem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const result = { serial: socket.getPeerCertificate().serialNumber, alpn: socket.alpnProtocol ?? false };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

const serialOf = (certificate: DevCertificate): string => new X509Certificate(certificate.certPem).serialNumber;

describe('setCertificate', () => {
  it('TlsMirrorServer serves the new certificate to new connections and still negotiates h2', async () => {
    const mirror = new TlsMirrorServer({ cert: first.certPem, key: first.keyPem, onRequest: (_req, res) => res.end() });
    const { port } = await mirror.listen(0, '127.0.0.1');
    closers.push(() => mirror.close());
    expect(await served(port)).toEqual({ serial: serialOf(first), alpn: 'h2' });
    mirror.setCertificate({ cert: second.certPem, key: second.keyPem });
    expect(await served(port)).toEqual({ serial: serialOf(second), alpn: 'h2' });
  });

  it('TurnServer serves the new certificate to new TURN-over-TLS connections', async () => {
    const turn = new TurnServer({
      realm: 'netready',
      secret: 'a-test-secret-of-enough-length',
      udp: [],
      tcp: [{ ip: '127.0.0.1', port: 0 }],
      tls: { cert: first.certPem, key: first.keyPem },
      relayIp: '127.0.0.1',
      relayPortMin: 41400,
      relayPortMax: 41410,
    });
    await turn.listen();
    closers.push(() => turn.close());
    const port = turn.addresses().tcp[0]!.port;
    expect((await served(port)).serial).toBe(serialOf(first));
    turn.setCertificate({ cert: second.certPem, key: second.keyPem });
    expect((await served(port)).serial).toBe(serialOf(second));
  });

  it('refuses a key that does not match the certificate and keeps serving the old pair', async () => {
    const mirror = new TlsMirrorServer({ cert: first.certPem, key: first.keyPem, onRequest: (_req, res) => res.end() });
    const { port } = await mirror.listen(0, '127.0.0.1');
    closers.push(() => mirror.close());
    const turn = new TurnServer({ realm: 'r', secret: 'a-test-secret-of-enough-length', udp: [], tcp: [{ ip: '127.0.0.1', port: 0 }], tls: { cert: first.certPem, key: first.keyPem }, relayIp: '127.0.0.1', relayPortMin: 41411, relayPortMax: 41420 });
    await turn.listen();
    closers.push(() => turn.close());
    const mismatched = { cert: second.certPem, key: first.keyPem };
    expect(() => mirror.setCertificate(mismatched)).toThrow();
    expect(() => turn.setCertificate(mismatched)).toThrow();
    expect((await served(port)).serial).toBe(serialOf(first));
    expect((await served(turn.addresses().tcp[0]!.port)).serial).toBe(serialOf(first));
  });
});
