/**
 * Certificates from an ACME CA (RFC 8555: Let's Encrypt or any other) with `acme-client`: obtained when none is
 * stored, renewed in the background when due, handed to the TLS listeners through `onCertificate` without a restart.
 *
 * Files under `<dataDir>/acme/`:
 *   account-key.pem         the ACME account key (ECDSA P-256, mode 0600), made once
 *   accounts.json           the account URL at each directory this key registered with
 *   <name>/cert.pem         the certificate chain as the CA sent it (leaf first)
 *   <name>/key.pem          its private key (ECDSA P-256, mode 0600)
 *   <name>/meta.json        directory URL and names it was ordered for: a change in either orders a new one
 * where <name> is `main` (tls.acme.domains) or `zone` (`<dns.zone>` and `*.<dns.zone>`, with dns-01).
 *
 * Challenges: HTTP-01 through server/acme/http01-responder.ts, DNS-01 through the probe's own authoritative DNS
 * server (DnsAuthority.addAcmeChallenge). Nothing happens in the constructor; `start()` does the work.
 */
import * as acme from 'acme-client';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { AcmeConfig } from '../../lib/config/schema';
import type { Http01Responder } from './http01-responder';

const DAY_MS = 24 * 60 * 60 * 1000;
/** After a failed renewal, try again this much later (CAs limit failed validations per hour). */
const RETRY_AFTER_FAILURE_MS = 60 * 60 * 1000;
/** Longest single timer: Node's setTimeout overflows past 2^31-1 ms, and a daily look costs nothing. */
const MAX_TIMER_MS = DAY_MS;
/** Deadline of each request to the CA. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Which certificate: the main one (probe host names) or the probe zone's wildcard. */
export type AcmeCertificateName = 'main' | 'zone';

/** A certificate chain and key with what callers need to know about it. */
export interface AcmeCertificate {
  certPem: string;
  keyPem: string;
  /** Serial number of the leaf, upper-case hex (as node:crypto prints it). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Names it was ordered for. */
  domains: string[];
}

/** Why ACME could not produce a certificate. */
export type AcmeErrorCode = 'directory-failed' | 'account-failed' | 'order-failed' | 'challenge-failed' | 'finalize-failed' | 'io-failed';

/** Error of this module; the message names the ACME problem and the name it concerns. */
export class AcmeError extends Error {
  override readonly name = 'AcmeError';
  constructor(
    readonly code: AcmeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where DNS-01 TXT records are published: the probe's authoritative DNS server. */
export interface DnsChallengeSink {
  addAcmeChallenge(name: string, value: string): void;
  removeAcmeChallenge(name: string, value: string): void;
}

/** Options of AcmeCertificates. */
export interface AcmeCertificatesOptions {
  acme: AcmeConfig;
  dataDir: string;
  /** What to order: `main` always, `zone` with dns-01 and a probe zone. */
  orders: { name: AcmeCertificateName; domains: string[] }[];
  /** Answers HTTP-01 challenges (challenge "http-01"). */
  http01?: Http01Responder;
  /** Publishes DNS-01 records (challenge "dns-01"). */
  dns01?: DnsChallengeSink;
  /** A new certificate (first or renewed) to serve from now on. */
  onCertificate(name: AcmeCertificateName, certificate: AcmeCertificate): void;
  log: { info(message: string): void; error(message: string, error?: unknown): void };
  /** Told of every failed renewal (metrics), after it is logged and the retry scheduled; the current certificate stays in use. */
  onRenewalFailed?(name: AcmeCertificateName, error: unknown): void;
  /** Clock, ms since the epoch; tests move it forward to make a renewal due. Default Date.now. */
  now?: () => number;
  /** Polling of pending challenges and orders (acme-client's backoff). Default 10 attempts, 0.5 – 8 s. */
  polling?: { attempts: number; minMs: number; maxMs: number };
}

/** The names a certificate was ordered for (from meta.json) and its directory. */
interface StoredMeta {
  directoryUrl: string;
  domains: string[];
}

/** Reads a PEM chain's leaf: serial and validity. Throws when it is not a certificate. */
export function describeCertificate(certPem: string, keyPem: string, domains: string[]): AcmeCertificate {
  const leaf = new X509Certificate(certPem);
  return { certPem, keyPem, serialNumber: leaf.serialNumber, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), domains };
}

/**
 * When a certificate should be renewed: `renewDaysBefore` days before it expires, but not within its first day
 * (or first half, for a shorter-lived one), so a `renewDaysBefore` longer than the lifetime cannot renew in a loop.
 */
export function renewalTime(certificate: Pick<AcmeCertificate, 'notBefore' | 'notAfter'>, renewDaysBefore: number): number {
  const notBefore = certificate.notBefore.getTime();
  const notAfter = certificate.notAfter.getTime();
  return Math.max(notAfter - renewDaysBefore * DAY_MS, notBefore + Math.min(DAY_MS, (notAfter - notBefore) / 2));
}

function sameNames(a: string[], b: string[]): boolean {
  const norm = (names: string[]): string => [...new Set(names.map((n) => n.toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
}

/** Writes via a temporary file and rename, so a reader never sees half a PEM. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (cause) {
    throw new AcmeError('io-failed', `cannot write ${file}: ${(cause as Error).message}`, { cause });
  }
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AcmeError('io-failed', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The stored certificate `name` when it can be served now: same directory and names as configured, not expired at
 * `nowMs`. Null otherwise (none yet, another CA or other names, expired, or unreadable).
 */
export async function readStoredCertificate(dataDir: string, name: AcmeCertificateName, directoryUrl: string, domains: string[], nowMs: number): Promise<AcmeCertificate | null> {
  const dir = path.join(dataDir, 'acme', name);
  const [certPem, keyPem, metaText] = await Promise.all(['cert.pem', 'key.pem', 'meta.json'].map((file) => readTextOrNull(path.join(dir, file))));
  if (!certPem || !keyPem || !metaText) return null;
  try {
    const meta = JSON.parse(metaText) as StoredMeta;
    if (meta.directoryUrl !== directoryUrl || !Array.isArray(meta.domains) || !sameNames(meta.domains, domains)) return null;
    tls.createSecureContext({ cert: certPem, key: keyPem }); // the key matches the certificate
    const certificate = describeCertificate(certPem, keyPem, meta.domains);
    return certificate.notAfter.getTime() > nowMs ? certificate : null;
  } catch {
    return null; // damaged files: order a new certificate
  }
}

/** The first line of an error, without acme-client's or axios' noise. */
function reasonOf(error: unknown): string {
  const axiosCode = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] ?? message;
  return axiosCode && !line.includes(axiosCode) ? `${line} (${axiosCode})` : line;
}

/** Obtains, keeps and renews the configured ACME certificates. */
export class AcmeCertificates {
  private readonly options: AcmeCertificatesOptions;
  private readonly now: () => number;
  private readonly current = new Map<AcmeCertificateName, AcmeCertificate>();
  private readonly timers = new Map<AcmeCertificateName, ReturnType<typeof setTimeout>>();
  private readonly renewing = new Map<AcmeCertificateName, Promise<void>>();
  private stopped = false;

  constructor(options: AcmeCertificatesOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Uses each stored certificate that can be served now (a due one is renewed in the background), obtains the
   * missing ones before resolving (progress lines through `log.info`), and schedules renewals. Rejects with an
   * AcmeError naming the ACME problem when a missing certificate cannot be obtained.
   */
  async start(): Promise<Map<AcmeCertificateName, AcmeCertificate>> {
    const { acme: config, dataDir, orders } = this.options;
    for (const order of orders) {
      const stored = await readStoredCertificate(dataDir, order.name, config.directoryUrl, order.domains, this.now());
      if (stored) {
        this.current.set(order.name, stored);
        this.options.log.info(`ACME: using the stored ${order.name} certificate for ${order.domains.join(', ')} (serial ${stored.serialNumber}, valid until ${stored.notAfter.toISOString()})`);
      } else {
        const obtained = await this.obtain(order.name, order.domains);
        this.current.set(order.name, obtained);
        this.options.onCertificate(order.name, obtained);
      }
      this.schedule(order.name);
    }
    return new Map(this.current);
  }

  /** The certificate now served as `name`. */
  certificate(name: AcmeCertificateName): AcmeCertificate | undefined {
    return this.current.get(name);
  }

  /**
   * Orders a new certificate for `name` now and swaps it in (onCertificate). On failure the old certificate stays
   * and another attempt is scheduled; the returned promise rejects with the AcmeError.
   */
  async renew(name: AcmeCertificateName): Promise<void> {
    const running = this.renewing.get(name);
    if (running) return running;
    const order = this.options.orders.find((o) => o.name === name);
    if (!order) throw new AcmeError('order-failed', `no ACME order named ${name}`);
    const attempt = (async () => {
      try {
        const renewed = await this.obtain(name, order.domains);
        if (this.stopped) return;
        this.current.set(name, renewed);
        this.options.onCertificate(name, renewed);
        this.schedule(name);
      } catch (error) {
        this.options.log.error(`ACME: renewing the ${name} certificate failed; serving the current one and trying again in ${RETRY_AFTER_FAILURE_MS / 60_000} minutes: ${reasonOf(error)}`);
        this.schedule(name, this.now() + RETRY_AFTER_FAILURE_MS);
        this.options.onRenewalFailed?.(name, error);
        throw error;
      } finally {
        this.renewing.delete(name);
      }
    })();
    this.renewing.set(name, attempt);
    return attempt;
  }

  /** Stops the renewal timers; an order in flight finishes but is not swapped in. Safe to call twice. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Arms the timer of `name` for its renewal time (or `atMs`), looking again at most a day later. */
  private schedule(name: AcmeCertificateName, atMs?: number): void {
    if (this.stopped) return;
    const certificate = this.current.get(name);
    if (!certificate) return;
    clearTimeout(this.timers.get(name));
    const due = atMs ?? renewalTime(certificate, this.options.acme.renewDaysBefore);
    const delay = Math.max(0, due - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(name);
      if (this.now() < due) this.schedule(name, atMs);
      else {
        this.options.log.info(`ACME: the ${name} certificate (serial ${certificate.serialNumber}) is due for renewal`);
        this.renew(name).catch(() => undefined); // logged and rescheduled by renew()
      }
    }, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(name, timer);
  }

  /** Account, order, challenges, finalize, download, store: one certificate from the CA. */
  private async obtain(name: AcmeCertificateName, domains: string[]): Promise<AcmeCertificate> {
    const { acme: config, dataDir, log } = this.options;
    await this.configureHttpClient();
    const accountKey = await this.accountKey();
    const polling = this.options.polling ?? { attempts: 10, minMs: 500, maxMs: 8000 };
    log.info(`ACME: ordering the ${name} certificate for ${domains.join(', ')} from ${config.directoryUrl} (${config.challenge})`);
    await this.checkDirectory();
    const client = await this.accountClient(accountKey, polling);
    let order;
    let authorizations;
    try {
      order = await client.createOrder({ identifiers: domains.map((value) => ({ type: 'dns', value })) });
      authorizations = await client.getAuthorizations(order);
    } catch (error) {
      throw new AcmeError('order-failed', `ACME: the CA refused an order for ${domains.join(', ')}: ${reasonOf(error)}`, { cause: error });
    }
    // One at a time: the zone and its wildcard share one DNS-01 record name, and a CA may check all values there.
    for (const authorization of authorizations) await this.authorize(client, authorization);
    const certificateKey = await acme.crypto.createPrivateEcdsaKey('P-256');
    // The CN is deprecated but still read by some clients; it may hold at most 64 characters (RFC 5280 ub-common-name).
    const commonName = domains.find((domain) => domain.length <= 64);
    const [, csr] = await acme.crypto.createCsr({ ...(commonName ? { commonName } : {}), altNames: domains }, certificateKey);
    let certPem: string;
    try {
      const finalized = await client.finalizeOrder(order, csr);
      certPem = await client.getCertificate(finalized);
    } catch (error) {
      throw new AcmeError('finalize-failed', `ACME: the CA did not issue the certificate for ${domains.join(', ')}: ${reasonOf(error)}`, { cause: error });
    }
    const keyPem = certificateKey.toString();
    const certificate = describeCertificate(certPem, keyPem, domains);
    const dir = path.join(dataDir, 'acme', name);
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
      throw new AcmeError('io-failed', `cannot create ${dir}: ${(cause as Error).message}`, { cause });
    });
    // Key first, meta last: a reader that finds meta.json for these names also finds the matching pair.
    await writeAtomic(path.join(dir, 'key.pem'), keyPem, 0o600);
    await writeAtomic(path.join(dir, 'cert.pem'), certPem, 0o644);
    await writeAtomic(path.join(dir, 'meta.json'), `${JSON.stringify({ directoryUrl: config.directoryUrl, domains } satisfies StoredMeta, null, 2)}\n`, 0o644);
    log.info(`ACME: issued the ${name} certificate for ${domains.join(', ')}: serial ${certificate.serialNumber}, valid until ${certificate.notAfter.toISOString()}`);
    return certificate;
  }

  /** Answers one authorization's challenge of the configured type and waits until the CA has checked it. */
  private async authorize(client: acme.Client, authorization: acme.Authorization): Promise<void> {
    const { acme: config, log } = this.options;
    const name = `${authorization.wildcard ? '*.' : ''}${authorization.identifier.value}`;
    if (authorization.status === 'valid') {
      log.info(`ACME: ${name} is already validated for this account`);
      return;
    }
    const challenge = authorization.challenges.find((c) => c.type === config.challenge);
    if (!challenge) {
      throw new AcmeError('challenge-failed', `ACME: the CA offers no ${config.challenge} challenge for ${name} (it offers ${authorization.challenges.map((c) => c.type).join(', ') || 'none'})`);
    }
    // For dns-01 acme-client returns the record value: base64url(SHA-256(key authorization)) (RFC 8555 §8.4).
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
    const recordName = authorization.identifier.value;
    let withdraw: () => void;
    if (challenge.type === 'http-01') {
      const responder = this.options.http01;
      if (!responder) throw new AcmeError('challenge-failed', 'ACME: http-01 needs the HTTP-01 listener, which is not running');
      responder.add(challenge.token, keyAuthorization);
      withdraw = () => responder.remove(challenge.token);
      log.info(`ACME: answering http-01 for ${name} at /.well-known/acme-challenge/${challenge.token}`);
    } else {
      const sink = this.options.dns01;
      if (!sink) throw new AcmeError('challenge-failed', 'ACME: dns-01 needs the probe DNS server (dns.zone), which is not running');
      try {
        sink.addAcmeChallenge(recordName, keyAuthorization);
      } catch (error) {
        throw new AcmeError('challenge-failed', `ACME: cannot publish _acme-challenge.${recordName}: ${reasonOf(error)}`, { cause: error });
      }
      withdraw = () => sink.removeAcmeChallenge(recordName, keyAuthorization);
      log.info(`ACME: answering dns-01 for ${name} with TXT _acme-challenge.${recordName}`);
    }
    try {
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
    } catch (error) {
      throw new AcmeError('challenge-failed', `ACME: the CA could not validate ${name} with ${challenge.type}: ${reasonOf(error)}`, { cause: error });
    } finally {
      withdraw();
    }
    log.info(`ACME: ${name} validated (${challenge.type})`);
  }

  /**
   * An ACME client bound to this key's account at the directory: the stored account URL, else a new account
   * (RFC 8555 §7.3), whose URL is stored. A key the CA already knows answers 200 with its URL (§7.3.1).
   */
  private async accountClient(accountKey: string, polling: { attempts: number; minMs: number; maxMs: number }): Promise<acme.Client> {
    const { acme: config, dataDir, log } = this.options;
    const accountsFile = path.join(dataDir, 'acme', 'accounts.json');
    let accounts: Record<string, string> = {};
    try {
      accounts = JSON.parse((await readTextOrNull(accountsFile)) ?? '{}') as Record<string, string>;
    } catch {
      accounts = {}; // damaged: the CA tells us the URL again
    }
    const known = accounts[config.directoryUrl];
    const client = new acme.Client({
      directoryUrl: config.directoryUrl,
      accountKey,
      ...(known ? { accountUrl: known } : {}),
      backoffAttempts: polling.attempts,
      backoffMin: polling.minMs,
      backoffMax: polling.maxMs,
    });
    if (known) return client;
    try {
      await client.createAccount({ termsOfServiceAgreed: true, ...(config.email ? { contact: [`mailto:${config.email}`] } : {}) });
    } catch (error) {
      // acme-client follows a 200 ("this key has an account") with an update the CA may refuse as empty; the account
      // URL is known by then, which is all we need.
      let url: string | null = null;
      try {
        url = client.getAccountUrl();
      } catch {
        url = null;
      }
      if (url === null) throw new AcmeError('account-failed', `ACME: could not open an account at ${config.directoryUrl}: ${reasonOf(error)}`, { cause: error });
    }
    accounts[config.directoryUrl] = client.getAccountUrl();
    await writeAtomic(accountsFile, `${JSON.stringify(accounts, null, 2)}\n`, 0o644);
    log.info(`ACME: account ${accounts[config.directoryUrl]}`);
    return client;
  }

  /**
   * Fetches the directory once with a short deadline, so an unreachable CA or an untrusted certificate fails at once
   * with a clear message (acme-client would retry such errors for half a minute).
   */
  private async checkDirectory(): Promise<void> {
    const url = this.options.acme.directoryUrl;
    const agent = acme.axios.defaults.httpsAgent as https.Agent | undefined;
    const failure = await new Promise<string | null>((resolve) => {
      const request = https.get(url, { timeout: 10_000, ...(agent ? { agent } : {}) }, (response) => {
        response.resume();
        resolve(response.statusCode === 200 ? null : `HTTP ${response.statusCode ?? '?'}`);
      });
      request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const tlsProblem = /certificate|self.signed|CERT_|UNABLE_TO_VERIFY/i.test(`${error.code ?? ''} ${error.message}`);
        resolve(`${error.message}${tlsProblem ? ' (a private ACME CA needs its CA certificate in tls.acme.caFile)' : ''}`);
      });
    });
    if (failure !== null) throw new AcmeError('directory-failed', `ACME: cannot reach the directory ${url}: ${failure}`);
  }

  /** The account key, made once into `<dataDir>/acme/account-key.pem`. */
  private async accountKey(): Promise<string> {
    const dir = path.join(this.options.dataDir, 'acme');
    const file = path.join(dir, 'account-key.pem');
    const existing = await readTextOrNull(file);
    if (existing) return existing;
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
      throw new AcmeError('io-failed', `cannot create ${dir}: ${(cause as Error).message}`, { cause });
    });
    const key = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    await writeAtomic(file, key, 0o600);
    this.options.log.info(`ACME: made a new account key in ${file}`);
    return key;
  }

  /**
   * acme-client sends every request through one axios instance per process: give it a deadline and, with
   * `tls.acme.caFile`, trust that CA besides Node's public roots.
   */
  private async configureHttpClient(): Promise<void> {
    const caFile = this.options.acme.caFile;
    acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
    if (!caFile) {
      acme.axios.defaults.httpsAgent = undefined;
      return;
    }
    const extra = await readTextOrNull(caFile);
    if (extra === null) throw new AcmeError('io-failed', `tls.acme.caFile ${caFile} does not exist`);
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...tls.rootCertificates, extra] });
  }
}
