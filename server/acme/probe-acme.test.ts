/**
 * The probe server with `tls.acme` against a real ACME server (pebble): start-up obtains the certificates through
 * netready's own DNS server (DNS-01), the HTTPS listener and TURN over TLS serve them, a due renewal is swapped in
 * without a restart (read back as the served certificate's serial over real TLS connections), and a failing
 * challenge stops start-up with the ACME problem named.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type ConfigInput } from '../../lib/config/schema';
import { ProbeServer, type ProbeServerInfo } from '../probe-server';
import { loopbackProbeSection } from '../tls/testing/loopback-probe';
import { startPebble, type Pebble } from './testing/pebble';

const ZONE = 'probe-acme.netready.test';
/** The probe's public host is the zone apex, as in the README's example (the HTTPS listener serves the zone certificate to names below it). */
const HOST = ZONE;
const DAY_MS = 86_400_000;

/** Two ports of 41900–41999 (pebble must know them before the probe starts). */
const HTTP01_PORT = 41900 + Math.floor(Math.random() * 50);
const DNS_PORT = HTTP01_PORT + 50;

let pebble: Pebble;
let dataDir: string;
let rootPem: string;

beforeAll(async () => {
  pebble = await startPebble({ httpPort: HTTP01_PORT, dnsServer: `127.0.0.1:${DNS_PORT}` });
  rootPem = await pebble.rootPem();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-probe-acme-'));
}, 30_000);

afterAll(async () => {
  await pebble?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function config(acme: Record<string, unknown>) {
  const input: ConfigInput = {
    dataDir,
    probe: loopbackProbeSection([41600, 41649], [41650, 41699], { publicHost: HOST }),
    dns: { zone: ZONE, listen: { port: DNS_PORT }, answerIp: '127.0.0.1' },
    tls: { acme: { directoryUrl: pebble.directoryUrl, termsOfServiceAgreed: true, caFile: pebble.caFile, ...acme } },
  };
  return ConfigSchema.parse(input);
}

/** A probe server whose log lines are kept, with a way to wait for a line. */
function probe(acme: Record<string, unknown>, now?: () => number) {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const note = (line: string): void => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  };
  const server = new ProbeServer(config(acme), { info: note, error: (m) => note(`ERROR ${m}`) }, now ? { now } : {});
  const lineMatching = (pattern: RegExp): Promise<string> =>
    new Promise((resolve) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) resolve(seen);
      else waiters.push({ pattern, resolve });
    });
  return { server, lines, lineMatching };
}

/**
 * Opens TLS to 127.0.0.1:port (offering h2 and http/1.1) trusting only pebble's root; returns the served leaf's
 * serial (upper-case hex) and the negotiated ALPN. Rejects when the chain does not verify for `servername`.
 */
function served(port: number, servername: string): Promise<{ serial: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: rootPem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const result = { serial: socket.getPeerCertificate().serialNumber, alpn: socket.alpnProtocol ?? false };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

const servedSerial = async (port: number, servername: string): Promise<string> => (await served(port, servername)).serial;

describe('probe server with tls.acme (pebble)', () => {
  let first: ProbeServerInfo;
  let mainSerial: string;
  let zoneSerial: string;

  it('obtains the main and zone certificates over DNS-01 before it is ready, and serves them on HTTPS, zone names and TURN over TLS', async () => {
    const { server, lines } = probe({ challenge: 'dns-01' });
    try {
      first = await server.start();
      mainSerial = new X509Certificate(first.tls.certPem).serialNumber;
      zoneSerial = new X509Certificate(first.tls.zone!.certPem).serialNumber;
      expect(first.tls.devCaPem).toBeNull();
      expect(lines).toEqual(
        expect.arrayContaining([
          'netready: ACME: no stored certificate yet; obtaining one before the probe is ready',
          `netready: ACME: ordering the main certificate for ${HOST} from ${pebble.directoryUrl} (dns-01)`,
          `netready: ACME: answering dns-01 for ${HOST} with TXT _acme-challenge.${HOST}`,
          `netready: ACME: ${HOST} validated (dns-01)`,
          `netready: ACME: *.${ZONE} validated (dns-01)`,
          `netready: now serving the main certificate with serial ${mainSerial} (HTTPS and TURN over TLS)`,
          `netready: now serving the zone certificate with serial ${zoneSerial} (HTTPS, probe zone names)`,
        ]),
      );
      const httpsPort = Number(new URL(first.httpsUrl).port);
      expect(await servedSerial(httpsPort, HOST)).toBe(mainSerial);
      expect(await servedSerial(httpsPort, `nr-0123456789.${ZONE}`)).toBe(zoneSerial);
      expect(await servedSerial(first.endpoints.turnTlsPort, HOST)).toBe(mainSerial);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('uses the stored certificates at once on restart, renews them in the background when due and serves the renewed ones without a restart', async () => {
    const notAfter = new X509Certificate(first.tls.certPem).validTo;
    // 10 days before expiry (renewDaysBefore defaults to 30): both certificates are due.
    const skewMs = new Date(notAfter).getTime() - 10 * DAY_MS - Date.now();
    const { server, lines, lineMatching } = probe({ challenge: 'dns-01' }, () => Date.now() + skewMs);
    try {
      const renewedMain = lineMatching(/^netready: now serving the main certificate with serial /);
      const renewedZone = lineMatching(/^netready: now serving the zone certificate with serial /);
      const info = await server.start();
      // Started with what was stored: no order before ready.
      expect(new X509Certificate(info.tls.certPem).serialNumber).toBe(mainSerial);
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^netready: ACME: using the stored main certificate for ${HOST.replace(/\./g, '\\.')} \\(serial ${mainSerial},`))]));
      expect(lines).not.toContain('netready: ACME: no stored certificate yet; obtaining one before the probe is ready');

      const newMain = /serial ([0-9A-F]+)/.exec(await renewedMain)![1]!;
      const newZone = /serial ([0-9A-F]+)/.exec(await renewedZone)![1]!;
      expect(newMain).not.toBe(mainSerial);
      expect(newZone).not.toBe(zoneSerial);
      const httpsPort = Number(new URL(info.httpsUrl).port);
      // The swap keeps the listener's TLS settings: h2 for the host, http/1.1 for zone names (server/tls-mirror).
      expect(await served(httpsPort, HOST)).toEqual({ serial: newMain, alpn: 'h2' });
      expect(await served(httpsPort, `nr-abcdef0123.${ZONE}`)).toEqual({ serial: newZone, alpn: 'http/1.1' });
      expect(await servedSerial(info.endpoints.turnTlsPort, HOST)).toBe(newMain);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('stops start-up with an error naming the name and the CA\'s reason when the HTTP-01 challenge fails', async () => {
    // The listener binds a port pebble does not connect to: pebble finds nothing listening on HTTP01_PORT.
    rmSync(path.join(dataDir, 'acme', 'main'), { recursive: true, force: true });
    const { server } = probe({ challenge: 'http-01', http01Port: 0, domains: [`fail.${ZONE}`] });
    const started = server.start();
    await expect(started).rejects.toMatchObject({ name: 'AcmeError', code: 'challenge-failed' });
    await expect(started).rejects.toThrow(new RegExp(`^ACME: the CA could not validate fail\\.${ZONE.replace(/\./g, '\\.')} with http-01: .*connection refused`, 'i'));
  }, 60_000);
});
