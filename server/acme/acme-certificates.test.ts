/**
 * AcmeCertificates against a real ACME server — Let's Encrypt's pebble (server/acme/testing/pebble.ts) — with
 * netready's own DNS server (names, and DNS-01 records) and HTTP-01 listener on loopback. Never a mock.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AcmeConfig } from '../../lib/config/schema';
import dnsPacket from 'dns-packet';
import { DnsAuthority, type DnsAction, type DnsSource } from '../../lib/protocol/dns/authority';
import { DnsServer } from '../dns/dns-server';
import { AcmeCertificates, AcmeError, renewalTime, type AcmeCertificate, type AcmeCertificateName, type AcmeCertificatesOptions } from './acme-certificates';
import { Http01Responder } from './http01-responder';
import { startPebble, type Pebble } from './testing/pebble';

const ZONE = 'acme.netready.test';
const DAY_MS = 86_400_000;
/** Fast polling: pebble with PEBBLE_VA_NOSLEEP validates at once. */
const POLLING = { attempts: 20, minMs: 100, maxMs: 500 };

let pebble: Pebble;
/** The real authority, noting each question it is asked (what pebble's validator looked up). */
class RecordingAuthority extends DnsAuthority {
  readonly questions: { name: string; type: string }[] = [];
  override handle(bytes: Uint8Array, source: DnsSource, nowMs: number): DnsAction {
    try {
      for (const q of dnsPacket.decode(Buffer.from(bytes)).questions ?? []) this.questions.push({ name: q.name.toLowerCase(), type: q.type });
    } catch {
      // not decodable: the authority answers it as it would anyway
    }
    return super.handle(bytes, source, nowMs);
  }
}

let authority: RecordingAuthority;
let dns: DnsServer;
let http01: Http01Responder;
const http01Requests: { token: string; answered: boolean }[] = [];
let dataDir: string;
const managers: AcmeCertificates[] = [];

beforeAll(async () => {
  authority = new RecordingAuthority({ zone: ZONE, ipv4: ['127.0.0.1'], ttlS: 1 });
  dns = new DnsServer({ authority, ip: '127.0.0.1', port: 0 });
  await dns.listen();
  http01 = new Http01Responder({ ip: '127.0.0.1', port: 0, onRequest: (token, answered) => http01Requests.push({ token, answered }) });
  const httpPort = (await http01.listen()).port;
  pebble = await startPebble({ httpPort, dnsServer: `127.0.0.1:${dns.address().port}` });
}, 30_000);

afterAll(async () => {
  await pebble?.stop();
  await http01?.close();
  await dns?.close();
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'netready-acme-'));
  http01Requests.length = 0;
});
afterEach(() => {
  for (const manager of managers.splice(0)) manager.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function acmeConfig(overrides: Partial<AcmeConfig> = {}): AcmeConfig {
  return { directoryUrl: pebble.directoryUrl, termsOfServiceAgreed: true, challenge: 'http-01', http01Port: 0, renewDaysBefore: 30, caFile: pebble.caFile, ...overrides };
}

/** A manager with collected log lines and certificates; stopped after each test. */
function manager(overrides: Partial<AcmeCertificatesOptions> & { acme: AcmeConfig; orders: AcmeCertificatesOptions['orders'] }) {
  const lines: string[] = [];
  const delivered: { name: AcmeCertificateName; certificate: AcmeCertificate }[] = [];
  let onDelivered: () => void = () => undefined;
  const instance = new AcmeCertificates({
    dataDir,
    http01,
    dns01: authority,
    polling: POLLING,
    log: { info: (message) => lines.push(message), error: (message) => lines.push(`ERROR ${message}`) },
    onCertificate: (name, certificate) => {
      delivered.push({ name, certificate });
      onDelivered();
    },
    ...overrides,
  });
  managers.push(instance);
  /** Resolves when `count` certificates have been delivered in total. */
  const deliveredCount = (count: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (delivered.length >= count) resolve();
      };
      onDelivered = check;
      check();
    });
  return { instance, lines, delivered, deliveredCount };
}

/** The certificates of a PEM chain, leaf first. */
function chainOf(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/** Checks each link of the chain and that the last one was issued by pebble's root. */
async function expectChainToPebbleRoot(pem: string): Promise<void> {
  const chain = chainOf(pem);
  expect(chain.length).toBeGreaterThanOrEqual(2);
  for (let i = 0; i + 1 < chain.length; i++) expect(chain[i]!.verify(chain[i + 1]!.publicKey)).toBe(true);
  const root = new X509Certificate(await pebble.rootPem());
  expect(chain.at(-1)!.verify(root.publicKey)).toBe(true);
}

describe('AcmeCertificates with pebble', () => {
  it('obtains a certificate over HTTP-01 through our listener, stores it, and delivers it', async () => {
    const domain = `probe.${ZONE}`;
    const { instance, lines, delivered } = manager({ acme: acmeConfig(), orders: [{ name: 'main', domains: [domain] }] });
    const current = await instance.start();
    const certificate = current.get('main')!;
    expect(delivered.map((d) => d.certificate.serialNumber)).toEqual([certificate.serialNumber]);
    expect(new X509Certificate(certificate.certPem).subjectAltName).toBe(`DNS:${domain}`);
    await expectChainToPebbleRoot(certificate.certPem);
    // Pebble's validator fetched the token from our HTTP-01 listener, and got the answer.
    expect(http01Requests.some((r) => r.answered)).toBe(true);
    expect(lines).toEqual(
      expect.arrayContaining([
        `ACME: ordering the main certificate for ${domain} from ${pebble.directoryUrl} (http-01)`,
        expect.stringMatching(new RegExp(`^ACME: answering http-01 for ${domain} at /\\.well-known/acme-challenge/`)),
        `ACME: ${domain} validated (http-01)`,
        expect.stringMatching(new RegExp(`^ACME: issued the main certificate for ${domain}: serial ${certificate.serialNumber}, valid until `)),
      ]),
    );
    const stored = path.join(dataDir, 'acme', 'main');
    expect(readFileSync(path.join(stored, 'cert.pem'), 'utf8')).toBe(certificate.certPem);
    expect(statSync(path.join(stored, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'acme', 'account-key.pem')).mode & 0o777).toBe(0o600);
  }, 30_000);

  it('obtains the zone and wildcard certificate over DNS-01 answered by our own DNS server', async () => {
    const { instance, lines } = manager({ acme: acmeConfig({ challenge: 'dns-01' }), orders: [{ name: 'zone', domains: [ZONE, `*.${ZONE}`] }] });
    authority.questions.length = 0;
    const current = await instance.start();
    const certificate = current.get('zone')!;
    expect(new X509Certificate(certificate.certPem).subjectAltName?.split(', ').sort()).toEqual([`DNS:${ZONE}`, `DNS:*.${ZONE}`].sort());
    await expectChainToPebbleRoot(certificate.certPem);
    // Pebble's validator asked our DNS server for the TXT record.
    expect(authority.questions).toContainEqual({ name: `_acme-challenge.${ZONE}`, type: 'TXT' });
    expect(lines).toEqual(expect.arrayContaining([`ACME: answering dns-01 for *.${ZONE} with TXT _acme-challenge.${ZONE}`, `ACME: *.${ZONE} validated (dns-01)`]));
    expect(http01Requests).toEqual([]);
    // The record is withdrawn once validated: TXT at that name answers nothing.
    const txt = authority.handle(Buffer.from(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'TXT', name: `_acme-challenge.${ZONE}` }] })), { ip: '127.0.0.1', port: 1, transport: 'udp' }, Date.now());
    expect(txt.type === 'send' ? dnsPacket.decode(Buffer.from(txt.bytes)).answers : null).toEqual([]);
  }, 30_000);

  it('uses a stored certificate at once on the next start, without ordering', async () => {
    const orders = [{ name: 'main' as const, domains: [`stored.${ZONE}`] }];
    const first = await manager({ acme: acmeConfig(), orders }).instance.start();
    const { instance, lines, delivered } = manager({ acme: acmeConfig(), orders });
    const second = await instance.start();
    expect(second.get('main')!.serialNumber).toBe(first.get('main')!.serialNumber);
    expect(delivered).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^ACME: using the stored main certificate for stored\.acme\.netready\.test \(serial [0-9A-F]+, valid until /)]);
  }, 30_000);

  it('orders again when the configured names change', async () => {
    await manager({ acme: acmeConfig(), orders: [{ name: 'main', domains: [`a.${ZONE}`] }] }).instance.start();
    const { instance, delivered } = manager({ acme: acmeConfig(), orders: [{ name: 'main', domains: [`a.${ZONE}`, `b.${ZONE}`] }] });
    await instance.start();
    expect(delivered).toHaveLength(1);
    expect(new X509Certificate(delivered[0]!.certificate.certPem).subjectAltName).toBe(`DNS:a.${ZONE}, DNS:b.${ZONE}`);
  }, 30_000);

  it('renews a stored certificate in the background when due (clock moved forward) and delivers the new one', async () => {
    const orders = [{ name: 'main' as const, domains: [`renew.${ZONE}`] }];
    const first = (await manager({ acme: acmeConfig(), orders }).instance.start()).get('main')!;
    // 10 days before expiry, with renewDaysBefore 30: due.
    const skewMs = first.notAfter.getTime() - 10 * DAY_MS - Date.now();
    const { instance, delivered, deliveredCount, lines } = manager({ acme: acmeConfig(), orders, now: () => Date.now() + skewMs });
    const started = await instance.start();
    expect(started.get('main')!.serialNumber).toBe(first.serialNumber); // served at once, renewed afterwards
    await deliveredCount(1);
    const renewed = delivered[0]!.certificate;
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect(instance.certificate('main')!.serialNumber).toBe(renewed.serialNumber);
    expect(lines).toContain(`ACME: the main certificate (serial ${first.serialNumber}) is due for renewal`);
    expect(readFileSync(path.join(dataDir, 'acme', 'main', 'cert.pem'), 'utf8')).toBe(renewed.certPem);
  }, 30_000);

  it('fails with an error naming the name, the challenge and the CA\'s reason when validation fails, and stores nothing', async () => {
    // Our listener answers pebble, but this manager publishes its token elsewhere: pebble gets a 404.
    const elsewhere = new Http01Responder({ ip: '127.0.0.1', port: 0 });
    const { instance } = manager({ acme: acmeConfig(), orders: [{ name: 'main', domains: [`fail.${ZONE}`] }], http01: elsewhere });
    const failure = instance.start();
    await expect(failure).rejects.toBeInstanceOf(AcmeError);
    await expect(failure).rejects.toMatchObject({ code: 'challenge-failed', message: expect.stringMatching(/^ACME: the CA could not validate fail\.acme\.netready\.test with http-01: .*404/) });
    expect(existsSync(path.join(dataDir, 'acme', 'main', 'cert.pem'))).toBe(false);
    expect(http01Requests.some((r) => !r.answered)).toBe(true);
  }, 30_000);

  it('fails naming tls.acme.caFile when the directory\'s certificate is not trusted', async () => {
    const { caFile: _caFile, ...withoutCa } = acmeConfig();
    const { instance } = manager({ acme: withoutCa as AcmeConfig, orders: [{ name: 'main', domains: [`ca.${ZONE}`] }] });
    await expect(instance.start()).rejects.toMatchObject({
      code: 'directory-failed',
      message: expect.stringMatching(/^ACME: cannot reach the directory https:\/\/127\.0\.0\.1:\d+\/dir: self-signed certificate in certificate chain \(a private ACME CA needs its CA certificate in tls\.acme\.caFile\)$/),
    });
  }, 30_000);
});

describe('renewalTime', () => {
  const at = (iso: string): Date => new Date(iso);
  it.each<[string, string, number, string]>([
    ['90-day certificate, 30 days before', '2025-01-01T00:00:00Z', 30, '2025-03-02T00:00:00.000Z'],
    ['renewDaysBefore longer than the lifetime: a day after issue', '2025-01-01T00:00:00Z', 3650, '2025-01-02T00:00:00.000Z'],
  ])('%s', (_name, notBefore, days, expected) => {
    const start = at(notBefore);
    expect(new Date(renewalTime({ notBefore: start, notAfter: new Date(start.getTime() + 90 * DAY_MS) }, days)).toISOString()).toBe(expected);
  });
  it('a 6-hour certificate is renewed after half its life, never in a loop', () => {
    const notBefore = at('2025-01-01T00:00:00Z');
    expect(new Date(renewalTime({ notBefore, notAfter: new Date(notBefore.getTime() + 6 * 3_600_000) }, 30)).toISOString()).toBe('2025-01-01T03:00:00.000Z');
  });
});
