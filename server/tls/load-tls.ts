/**
 * Which certificate the probe's TLS listeners (HTTPS/TLS mirror and TURN over TLS) serve: the operator's files
 * (`tls.certFile`/`keyFile`), or the development certificate made by server/tls/dev-ca.ts. (ACME certificates are
 * obtained by server/acme/ and handed to the listeners by the probe server.)
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../lib/config/schema';
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
  return { hostNames, ipAddresses, ...(zone ? { zone } : {}), caScope: { hostNames: [...hostNames, ...(zone ? [zone] : [])], ipAddresses } };
}

/**
 * Makes or reuses the development CA and leaves for this configuration (what the probe serves without
 * `tls.certFile`). `netready trust` calls it too, so the CA it installs is the one the probe will use.
 */
export async function ensureDevTls(config: Config): Promise<{ main: DevCertificate; zone?: DevCertificate }> {
  const names = devTlsNames(config);
  const main = await ensureDevCertificate({ dataDir: config.dataDir, hostNames: names.hostNames, ipAddresses: names.ipAddresses, caScope: names.caScope });
  if (!names.zone) return { main };
  // Every probe name is one label under the zone (`nr-….<zone>`), so one wildcard covers them.
  const zone = await ensureDevCertificate({
    dataDir: config.dataDir,
    hostNames: [names.zone, `*.${names.zone}`],
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
export async function loadTls(config: Config): Promise<TlsMaterial> {
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
