/**
 * Which certificate the probe's TLS listeners (HTTPS/TLS mirror and TURN over TLS) serve at start: the operator's
 * files (`tls.certFile`/`keyFile`), the stored ACME certificates (`tls.acme`; server/acme/ obtains and renews them and
 * the probe server swaps them in), or the development certificate made by server/tls/dev-ca.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../lib/config/schema';
import { GEO_LABEL } from '../../lib/protocol/dns/authority';
import { regionHttpsIp } from '../../lib/regions/deployment';
import { readStoredCertificate, type AcmeCertificateName } from '../acme/acme-certificates';
import { ensureDevCertificate, type DevCertificate } from './dev-ca';

/** TLS material in use. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** The dev CA when the dev certificate is in use (clients may trust it); null for a configured cert. */
  devCaPem: string | null;
  certFile: string;
  /**
   * Certificate for the probe zone's names (`*.<dns.zone>`), served when the TLS server name is in the zone; absent
   * when the main certificate serves them too (configured certFile without zoneCertFile, or no zone).
   */
  zone?: { certPem: string; keyPem: string; certFile: string };
  /** Messages for the operator (e.g. the dev CA was replaced and must be trusted again). */
  notices?: string[];
  /**
   * With `tls.acme`: true when no stored ACME certificate could be served yet and the material is a stand-in (the
   * development certificate) until the first one is obtained at start-up.
   */
  acmePending?: boolean;
}

/** What ACME orders: the main certificate, and with dns-01 and a probe zone the zone's own (`<zone>`, `*.<zone>`). */
export function acmeOrders(config: Config): { name: AcmeCertificateName; domains: string[] }[] {
  const acme = config.tls.acme;
  if (!acme) return [];
  const main = acme.domains ?? (config.probe.publicHost ? [config.probe.publicHost] : []);
  const zone = config.dns.zone?.toLowerCase();
  // The zone's names need a wildcard, which only dns-01 can prove; with http-01 they get the stand-in zone leaf.
  return [{ name: 'main', domains: main }, ...(zone && acme.challenge === 'dns-01' ? [{ name: 'zone' as const, domains: zoneNames(config, zone) }] : [])];
}

/**
 * The zone certificate's names: the apex and its wildcard (every probe label), and with regions (issue 15) the GeoDNS
 * name's wildcard (`*.media.<zone>`: a wildcard covers one label only).
 */
function zoneNames(config: Pick<Config, 'regions'>, zone: string): string[] {
  return [zone, `*.${zone}`, ...(config.regions.length > 0 ? [`*.${GEO_LABEL}.${zone}`] : [])];
}

/** The names of the development certificates and the scope of the dev CA, derived from the configuration. */
export interface DevTlsNames {
  /** DNS SANs of the main leaf (besides localhost): `probe.publicHost`, `turn.<dns.zone>`. */
  hostNames: string[];
  /** IP SANs of the main leaf (besides the loopback addresses): public, bind and listener addresses. */
  ipAddresses: string[];
  /** The probe zone (lower case), whose wildcard leaf is made separately. */
  zone?: string;
  /** What the dev CA may sign for (name constraints): the leaf names plus the whole zone. */
  caScope: { hostNames: string[]; ipAddresses: string[] };
}

/** The development certificates' names for this configuration. */
export function devTlsNames(config: Config): DevTlsNames {
  const zone = config.dns.zone?.toLowerCase();
  const hostNames = config.probe.publicHost ? [config.probe.publicHost] : [];
  if (zone) hostNames.push(`turn.${zone}`);
  const listenerIps = [config.probe.http, config.probe.https, config.probe.turnTls].map((l) => l.ip).filter((ip): ip is string => Boolean(ip));
  const ipAddresses = [...new Set([config.probe.publicIp, config.probe.bindIp, ...listenerIps].filter((ip) => ip !== '0.0.0.0'))];
  // Every region's node may sign its own leaf with this CA (a copy of it): the scope names their addresses too (issue 15).
  const regionIps = config.regions.flatMap((r) => [r.publicIp, regionHttpsIp(r)]);
  const caIps = [...new Set([...ipAddresses, ...regionIps])];
  return { hostNames, ipAddresses, ...(zone ? { zone } : {}), caScope: { hostNames: [...hostNames, ...(zone ? [zone] : [])], ipAddresses: caIps } };
}

/**
 * Makes or reuses the development CA and leaves for this configuration (what the probe serves without
 * `tls.certFile`). `netready trust` calls it too, so the CA it installs is the one the probe will use.
 */
export async function ensureDevTls(config: Config): Promise<{ main: DevCertificate; zone?: DevCertificate }> {
  const names = devTlsNames(config);
  const main = await ensureDevCertificate({ dataDir: config.dataDir, hostNames: names.hostNames, ipAddresses: names.ipAddresses, caScope: names.caScope });
  if (!names.zone) return { main };
  // Every probe name is one label under the zone (`nr-….<zone>`) or under its GeoDNS name, so wildcards cover them.
  const zone = await ensureDevCertificate({
    dataDir: config.dataDir,
    hostNames: zoneNames(config, names.zone),
    ipAddresses: [],
    filePrefix: 'zone-',
    caScope: names.caScope,
  });
  return { main, zone };
}

/**
 * Loads the configured certificates, or makes/reuses the dev certificates. With a probe zone the dev setup has two
 * leaves from one CA: the main one (IPs, public host, `turn.<zone>` for TURN over TLS by name) and the zone's
 * wildcard, so no connection opened to an IP or the public host is valid for a fresh zone name (Chromium would
 * otherwise send the lookup-timing requests over it and measure no lookup).
 */
export async function loadTls(config: Config, nowMs = Date.now()): Promise<TlsMaterial> {
  if (config.tls.acme) return loadAcmeTls(config, nowMs);
  if (config.tls.certFile && config.tls.keyFile) {
    const material: TlsMaterial = {
      certPem: readFileSync(config.tls.certFile, 'utf8'),
      keyPem: readFileSync(config.tls.keyFile, 'utf8'),
      devCaPem: null,
      certFile: config.tls.certFile,
    };
    if (config.tls.zoneCertFile && config.tls.zoneKeyFile) {
      material.zone = { certPem: readFileSync(config.tls.zoneCertFile, 'utf8'), keyPem: readFileSync(config.tls.zoneKeyFile, 'utf8'), certFile: config.tls.zoneCertFile };
    }
    return material;
  }
  return loadDevTls(config);
}

async function loadDevTls(config: Config): Promise<TlsMaterial> {
  const dev = await ensureDevTls(config);
  const notices = [dev.main.notice, dev.zone?.notice].filter((notice): notice is string => notice !== undefined);
  return {
    certPem: dev.main.certPem,
    keyPem: dev.main.keyPem,
    devCaPem: dev.main.caPem,
    certFile: dev.main.certFile,
    ...(dev.zone ? { zone: { certPem: dev.zone.certPem, keyPem: dev.zone.keyPem, certFile: dev.zone.certFile } } : {}),
    ...(notices.length > 0 ? { notices } : {}),
  };
}

/** The stored ACME certificates, or the development ones standing in until start-up has obtained them. */
async function loadAcmeTls(config: Config, nowMs: number): Promise<TlsMaterial> {
  const acme = config.tls.acme!;
  const stored = new Map<AcmeCertificateName, { certPem: string; keyPem: string; certFile: string }>();
  for (const order of acmeOrders(config)) {
    const certificate = await readStoredCertificate(config.dataDir, order.name, acme.directoryUrl, order.domains, nowMs);
    if (certificate) stored.set(order.name, { certPem: certificate.certPem, keyPem: certificate.keyPem, certFile: path.join(config.dataDir, 'acme', order.name, 'cert.pem') });
  }
  const zoneOrdered = acmeOrders(config).some((order) => order.name === 'zone');
  const main = stored.get('main');
  if (main && (!zoneOrdered || stored.has('zone'))) {
    return { ...main, devCaPem: null, ...(stored.get('zone') ? { zone: stored.get('zone')! } : {}) };
  }
  // Listeners need some certificate to bind with; the dev certificate serves until ACME delivers (before ready).
  const dev = await loadDevTls(config);
  return {
    ...(main ?? { certPem: dev.certPem, keyPem: dev.keyPem, certFile: dev.certFile }),
    devCaPem: null,
    ...(stored.get('zone') ?? dev.zone ? { zone: stored.get('zone') ?? dev.zone! } : {}),
    acmePending: true,
  };
}

