/**
 * The development certificate authority: on first start netready makes its own CA and a server certificate
 * signed by it, so the probe's HTTPS and TURN-TLS listeners work without a real certificate. The CLI trusts the CA
 * for its own runs (ca.pem); `netready trust` installs it into the user's browser and system stores.
 *
 * With `caScope` the CA carries X.509 name constraints (server/tls/name-constraints.ts): it may only sign for
 * localhost, the loopback addresses and this installation's names, so trusting it cannot expose other sites.
 *
 * Files under `<dataDir>/tls/`:
 *   ca.pem      the CA certificate (ECDSA P-256, 10 years)
 *   ca-key.pem  the CA private key (PKCS#8, mode 0600)
 *   cert.pem    the leaf certificate followed by the CA certificate (the chain a TLS server sends)
 *   key.pem     the leaf private key (PKCS#8, mode 0600)
 *   retired/ca-<id>.pem  CAs replaced by a new one (certificate only, its key is deleted), kept so that
 *               `netready untrust` can still remove them from the stores they were trusted in
 */
// @peculiar/x509 2.x resolves its algorithm providers through tsyringe, which throws at import time unless a
// Reflect metadata polyfill is loaded first (see the package's README, "Reflect Polyfill Required").
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import {
  decodeNameConstraints,
  describeSubtrees,
  encodeNameConstraints,
  OID_NAME_CONSTRAINTS,
  permitsDnsName,
  permitsIp,
  type PermittedSubtrees,
} from './name-constraints';

// @peculiar/x509 keeps its WebCrypto provider in a library-wide slot; Node's webcrypto is the only one we use,
// so setting it once at import is idempotent. Every call below also passes `crypto` explicitly.
x509.cryptoProvider.set(webcrypto as Crypto);
const crypto = webcrypto as Crypto;

const DAY_MS = 24 * 60 * 60 * 1000;
/** CA lifetime: 10 years. */
const CA_VALIDITY_MS = 3650 * DAY_MS;
/** Leaf lifetime: 397 days, inside the CA/Browser Forum's 398-day limit that Chromium and Safari enforce. */
const LEAF_VALIDITY_MS = 397 * DAY_MS;
/** Re-issue the leaf when it expires within 7 days. */
const LEAF_RENEW_BEFORE_MS = 7 * DAY_MS;
/** Backdate notBefore by an hour so clients with a slightly slow clock accept a fresh certificate. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** What every constrained dev CA may sign for besides the installation's own names: this machine. */
const LOOPBACK_SCOPE: PermittedSubtrees = {
  dns: ['localhost'],
  ip: [
    { ip: '127.0.0.0', prefixLength: 8 },
    { ip: '::1', prefixLength: 128 },
  ],
};

const EC_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** What to put in the leaf certificate. `localhost`, `127.0.0.1` and `::1` are always added. */
export interface DevCertificateOptions {
  /** Folder for generated state; files go to `<dataDir>/tls/`. */
  dataDir: string;
  /** DNS names for the leaf's SANs, e.g. `probe.example.org` or a wildcard `*.probe.example.org`. */
  hostNames: string[];
  /** IP addresses (v4 or v6) for the leaf's SANs. */
  ipAddresses: string[];
  /**
   * Which leaf, for a CA that signs several: files `<prefix>cert.pem` / `<prefix>key.pem` (e.g. `zone-` for the
   * probe zone's wildcard leaf). Default '' (cert.pem, key.pem).
   */
  filePrefix?: string;
  /**
   * Names and addresses a new CA may ever sign for (X.509 name constraints), besides `localhost`, 127.0.0.0/8
   * and ::1, which are always permitted. A DNS name also permits every name below it (`probe.example.org` covers
   * `turn.probe.example.org`). An existing constrained CA that does not cover the requested names or this scope is
   * retired and replaced (`notice` says so); an existing CA without constraints (made before they existed) is kept.
   * Default: none — a new CA is unconstrained.
   */
  caScope?: { hostNames: string[]; ipAddresses: string[] };
  /** Current time; tests pass a fixed one. Default: the system clock. */
  now?: Date;
}

/** The dev CA and leaf, as PEM text and as file paths. */
export interface DevCertificate {
  /** Leaf certificate followed by the CA certificate. */
  certPem: string;
  /** Leaf private key (PKCS#8 PEM). */
  keyPem: string;
  /** CA certificate PEM: what clients trust. */
  caPem: string;
  /** Absolute path of ca.pem. */
  caCertFile: string;
  /** Absolute path of cert.pem (leaf + CA chain). */
  certFile: string;
  /** Absolute path of key.pem. */
  keyFile: string;
  /** True when this call wrote a new leaf (and possibly a new CA); false when the files on disk were reused. */
  created: boolean;
  /** True when this call made a new CA (first start, or the old one was unusable or too narrow). */
  caCreated: boolean;
  /** The CA's name constraints, or null for an unconstrained CA. */
  caNameConstraints: PermittedSubtrees | null;
  /** A message for the operator when something they may have relied on changed (a CA was replaced). */
  notice?: string;
}

/** Why `ensureDevCertificate` could not produce a certificate. */
export type DevCaErrorCode = 'invalid-name' | 'io-failed';

/** Error of this module. */
export class DevCaError extends Error {
  override readonly name = 'DevCaError';
  constructor(
    readonly code: DevCaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface LoadedCa {
  cert: x509.X509Certificate;
  pem: string;
  privateKey: CryptoKey;
  /** Its name constraints; null when it has none. */
  constraints: PermittedSubtrees | null;
}

/**
 * Returns a usable dev certificate for the given names, creating or refreshing files under `<dataDir>/tls/`.
 * The CA is made once and kept (a browser that trusts it keeps working); the leaf is re-issued by the same CA
 * when its DNS names are not exactly the requested ones (a name too many matters: a certificate that also covers
 * the probe zone lets Chromium share its connections with the zone's fresh names), when a requested IP is missing,
 * when it expires within 7 days, or when it was not signed by the current CA. A missing or unreadable CA is replaced by a new one, with a new leaf.
 */
export async function ensureDevCertificate(options: DevCertificateOptions): Promise<DevCertificate> {
  const now = options.now ?? new Date();
  const hostNames = normalizeHostNames([...options.hostNames, 'localhost']);
  const ipAddresses = normalizeIps(['127.0.0.1', '::1', ...options.ipAddresses]);
  const scope = options.caScope ? scopeFor(options.caScope, hostNames, ipAddresses) : null;

  const tlsDir = path.resolve(options.dataDir, 'tls');
  const files = {
    caCertFile: path.join(tlsDir, 'ca.pem'),
    caKeyFile: path.join(tlsDir, 'ca-key.pem'),
    certFile: path.join(tlsDir, `${options.filePrefix ?? ''}cert.pem`),
    keyFile: path.join(tlsDir, `${options.filePrefix ?? ''}key.pem`),
  };
  await mkdir(tlsDir, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
    throw new DevCaError('io-failed', `cannot create ${tlsDir}`, { cause });
  });

  let ca = await loadCa(files.caCertFile, files.caKeyFile, now);
  let notice: string | undefined;
  if (ca !== null && ca.constraints !== null) {
    const uncovered = [
      ...[...hostNames, ...(scope?.dns ?? [])].filter((name) => !permitsDnsName(ca!.constraints!, name)),
      ...[...ipAddresses, ...(scope?.ip.map((subtree) => subtree.ip) ?? [])].filter((ip) => !permitsIp(ca!.constraints!, ip)),
    ];
    if (uncovered.length > 0) {
      const retired = await retireCa(tlsDir, files.caCertFile);
      notice =
        `the development CA may only sign for ${describeSubtrees(ca.constraints)}, not ${[...new Set(uncovered)].join(', ')}; ` +
        `made a new development CA${retired ? ` (the old one is kept in ${path.relative(options.dataDir, retired)} so \`netready untrust\` can remove it)` : ''}. ` +
        'Browsers that trusted the old CA must trust the new one: npx netready trust';
      ca = null;
    }
  }
  let caCreated = false;
  if (ca === null) {
    if (notice === undefined) await retireCa(tlsDir, files.caCertFile);
    ca = await createCa(now, scope);
    await writeAtomic(files.caKeyFile, await exportPrivateKeyPem(ca.privateKey), 0o600);
    await writeAtomic(files.caCertFile, ca.pem, 0o644);
    caCreated = true;
  }
  const caInfo = { caPem: ca.pem, caCreated, caNameConstraints: ca.constraints, ...(notice ? { notice } : {}) };

  if (!caCreated) {
    const existing = await loadLeaf(files.certFile, files.keyFile);
    if (existing !== null && (await leafIsUsable(existing.cert, ca, hostNames, ipAddresses, now))) {
      return { ...files, ...caInfo, certPem: existing.certPem, keyPem: existing.keyPem, created: false };
    }
  }

  const leaf = await createLeaf(ca, hostNames, ipAddresses, now);
  const certPem = leaf.cert.toString('pem') + '\n' + ca.pem;
  const keyPem = await exportPrivateKeyPem(leaf.privateKey);
  // Key first: a reader that sees the new cert.pem also finds the matching key.pem.
  await writeAtomic(files.keyFile, keyPem, 0o600);
  await writeAtomic(files.certFile, certPem, 0o644);
  return { ...files, ...caInfo, certPem, keyPem, created: true };
}

/**
 * A short identifier of a CA certificate: the first 16 hex digits of its SHA-256 fingerprint. `netready trust`
 * names what it installs after it (NSS nickname, system store file), so `untrust` removes exactly that CA.
 */
export function devCaId(caPem: string): string {
  const der = x509.PemConverter.decodeFirst(caPem);
  return createHash('sha256').update(new Uint8Array(der)).digest('hex').slice(0, 16);
}

/** CA certificates (PEM) that an earlier start replaced, from `<dataDir>/tls/retired/`; [] when there are none. */
export async function readRetiredCas(dataDir: string): Promise<string[]> {
  const dir = path.resolve(dataDir, 'tls', 'retired');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /^ca-[0-9a-f]{16}\.pem$/.test(name)).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new DevCaError('io-failed', `cannot read ${dir}`, { cause });
  }
  return Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
}

/** The permitted subtrees of a new CA: this machine, the scope, and the requested leaf names. */
function scopeFor(caScope: { hostNames: string[]; ipAddresses: string[] }, hostNames: string[], ipAddresses: string[]): PermittedSubtrees {
  // A wildcard's subtree is its parent name: `*.zone.example.org` → `zone.example.org`.
  const dns = normalizeHostNames([...caScope.hostNames, ...hostNames]).map((name) => name.replace(/^\*\./, ''));
  const scoped: PermittedSubtrees = { dns: [...LOOPBACK_SCOPE.dns], ip: [...LOOPBACK_SCOPE.ip] };
  for (const name of dns) if (!permitsDnsName(scoped, name)) scoped.dns.push(name);
  for (const ip of normalizeIps([...caScope.ipAddresses, ...ipAddresses])) {
    if (!permitsIp(scoped, ip)) scoped.ip.push({ ip, prefixLength: isIP(ip) === 4 ? 32 : 128 });
  }
  return scoped;
}

/**
 * Moves a parseable ca.pem to `retired/ca-<id>.pem` before it is replaced, so `netready untrust` can still remove
 * it from the stores it was trusted in. Returns the new path, or null when there was nothing worth keeping.
 */
async function retireCa(tlsDir: string, caCertFile: string): Promise<string | null> {
  const pem = await readTextOrNull(caCertFile);
  if (pem === null) return null;
  let id: string;
  try {
    new x509.X509Certificate(pem);
    id = devCaId(pem);
  } catch {
    return null; // not a certificate: nothing could have trusted it
  }
  const retiredDir = path.join(tlsDir, 'retired');
  const target = path.join(retiredDir, `ca-${id}.pem`);
  try {
    await mkdir(retiredDir, { recursive: true, mode: 0o700 });
    await rename(caCertFile, target);
  } catch (cause) {
    throw new DevCaError('io-failed', `cannot move ${caCertFile} to ${target}`, { cause });
  }
  return target;
}

async function createCa(now: Date, scope: PermittedSubtrees | null): Promise<LoadedCa> {
  const keys = await crypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: [`netready dev CA ${randomBytes(4).toString('hex')}`] }, { O: ['netready (development only)'] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        // RFC 5280 §4.2.1.10: "Conforming CAs MUST mark this extension as critical".
        ...(scope ? [new x509.Extension(OID_NAME_CONSTRAINTS, true, encodeNameConstraints(scope))] : []),
      ],
    },
    crypto,
  );
  return { cert, pem: cert.toString('pem') + '\n', privateKey: keys.privateKey, constraints: scope };
}

async function createLeaf(
  ca: LoadedCa,
  hostNames: string[],
  ipAddresses: string[],
  now: Date,
): Promise<{ cert: x509.X509Certificate; privateKey: CryptoKey }> {
  const keys = await crypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const notAfter = new Date(Math.min(notBefore.getTime() + LEAF_VALIDITY_MS, ca.cert.notAfter.getTime()));
  const commonName = hostNames.find((name) => !name.startsWith('*.')) ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ CN: [commonName] }, { O: ['netready (development only)'] }],
      issuer: ca.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [
            ...hostNames.map((value) => ({ type: 'dns' as const, value })),
            ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
          ],
          false,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, privateKey: keys.privateKey };
}

/** Reads the CA; null when it is missing, unreadable, not a usable CA, or expires within the leaf renewal window. */
async function loadCa(certFile: string, keyFile: string, now: Date): Promise<LoadedCa | null> {
  const [pem, keyPem] = await Promise.all([readTextOrNull(certFile), readTextOrNull(keyFile)]);
  if (pem === null || keyPem === null) return null;
  try {
    const cert = new x509.X509Certificate(pem);
    const privateKey = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), EC_KEY_ALGORITHM, true, ['sign']);
    if (cert.notAfter.getTime() - now.getTime() < LEAF_RENEW_BEFORE_MS) return null;
    // The key must belong to the certificate: sign a probe value and verify it with the certificate's public key.
    const probe = new Uint8Array([1, 2, 3, 4]);
    const signature = await crypto.subtle.sign(SIGNING_ALGORITHM, privateKey, probe);
    const publicKey = await cert.publicKey.export(EC_KEY_ALGORITHM, ['verify'], crypto);
    if (!(await crypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe))) return null;
    const extension = cert.getExtension(OID_NAME_CONSTRAINTS);
    const constraints = extension ? decodeNameConstraints(extension.value) : null;
    return { cert, pem: pem.endsWith('\n') ? pem : pem + '\n', privateKey, constraints };
  } catch {
    // Corrupt or foreign files: a fresh CA is the only useful answer for a development certificate.
    return null;
  }
}

async function loadLeaf(
  certFile: string,
  keyFile: string,
): Promise<{ cert: x509.X509Certificate; certPem: string; keyPem: string } | null> {
  const [certPem, keyPem] = await Promise.all([readTextOrNull(certFile), readTextOrNull(keyFile)]);
  if (certPem === null || keyPem === null) return null;
  try {
    const cert = new x509.X509Certificate(x509.PemConverter.decodeFirst(certPem));
    const privateKey = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), EC_KEY_ALGORITHM, true, ['sign']);
    const probe = new Uint8Array([5, 6, 7, 8]);
    const signature = await crypto.subtle.sign(SIGNING_ALGORITHM, privateKey, probe);
    const publicKey = await cert.publicKey.export(EC_KEY_ALGORITHM, ['verify'], crypto);
    if (!(await crypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe))) return null;
    return { cert, certPem, keyPem };
  } catch {
    return null;
  }
}

/** The leaf is kept only if the current CA signed it, it lives more than 7 more days, and it covers every name. */
async function leafIsUsable(
  leaf: x509.X509Certificate,
  ca: LoadedCa,
  hostNames: string[],
  ipAddresses: string[],
  now: Date,
): Promise<boolean> {
  if (leaf.notAfter.getTime() - now.getTime() < LEAF_RENEW_BEFORE_MS) return false;
  if (leaf.notBefore.getTime() > now.getTime()) return false;
  if (!(await leaf.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }, crypto))) return false;
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  if (san === null) return false;
  const sanDns = new Set<string>();
  const sanIps = new Set<string>();
  for (const name of san.names.items) {
    if (name.type === 'dns') sanDns.add(name.value.toLowerCase());
    else if (name.type === 'ip') sanIps.add(canonicalIp(name.value) ?? name.value);
  }
  return sanDns.size === hostNames.length && hostNames.every((name) => sanDns.has(name)) && ipAddresses.every((ip) => sanIps.has(ip));
}

function normalizeHostNames(names: string[]): string[] {
  const out = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '');
    // A DNS SAN: labels of letters, digits and hyphens; a wildcard only as the whole left-most label.
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) {
      throw new DevCaError('invalid-name', `not a DNS name for a certificate: ${JSON.stringify(raw)}`);
    }
    out.add(name);
  }
  return [...out];
}

function normalizeIps(ips: string[]): string[] {
  const out = new Set<string>();
  for (const raw of ips) {
    const ip = canonicalIp(raw.trim());
    if (ip === null) throw new DevCaError('invalid-name', `not an IP address: ${JSON.stringify(raw)}`);
    out.add(ip);
  }
  return [...out];
}

/** One spelling per address, so `::1` and `0:0:0:0:0:0:0:1` compare equal. Null when not an IP address. */
function canonicalIp(value: string): string | null {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4) return bare;
  // The WHATWG URL parser serialises IPv6 hosts in RFC 5952 canonical form.
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return null;
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01; // high bit clear: positive; non-zero: no DER padding
  return bytes.toString('hex');
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DevCaError('io-failed', `cannot read ${file}`, { cause });
  }
}

/** Writes via a temporary file and rename, so another process never reads a half-written PEM. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await chmod(temporary, mode); // the umask may have narrowed or the mode option been ignored
    await rename(temporary, file);
  } catch (cause) {
    throw new DevCaError('io-failed', `cannot write ${file}`, { cause });
  }
}
