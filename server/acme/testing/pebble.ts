/**
 * Test harness:  Let's Encrypt's `pebble` ACME test server (Debian package `pebble`) on loopback, ports in
 * 41500–41889, with its HTTP-01 port pointed at our listener and `-dnsserver` at netready's own DNS server. Its
 * HTTPS certificate comes from a throwaway dev CA (`caFile`, what tls.acme.caFile names). Stopped by PID.
 * Never a mock: the ACME protocol, the validation and the issuance are pebble's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCertificate } from '../../tls/dev-ca';

/** Where pebble lives once `apt-get install pebble` has run (scripts/install-system-deps.sh installs it). */
export const PEBBLE_PATH = '/usr/bin/pebble';

/** A running pebble. */
export interface Pebble {
  /** The ACME directory URL. */
  directoryUrl: string;
  /** PEM file of the CA that signed pebble's HTTPS certificate (for tls.acme.caFile). */
  caFile: string;
  /** Pebble's root CA (regenerated on every start), which issued certificates chain to. */
  rootPem(): Promise<string>;
  /** Lines pebble printed (its validation attempts are in there). */
  output: string[];
  stop(): Promise<void>;
}

/** Options of startPebble. */
export interface PebbleOptions {
  /** Port pebble's validator connects to for HTTP-01 (our Http01Responder's port). */
  httpPort: number;
  /** `ip:port` of the DNS server pebble resolves names (and DNS-01 TXT records) with. */
  dnsServer: string;
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

/** Starts pebble; resolves once its directory answers. Fails saying what to install when pebble is missing. */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  if (!existsSync(PEBBLE_PATH)) throw new Error(`pebble not found at ${PEBBLE_PATH}: apt-get install -y --no-install-recommends pebble (npm test installs it as root).`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'netready-pebble-'));
  const tlsCert = await ensureDevCertificate({ dataDir: dir, hostNames: [], ipAddresses: [] });
  for (let attempt = 0; attempt < 5; attempt++) {
    const base = 41500 + Math.floor(Math.random() * 130) * 3;
    const [listenPort, managementPort, tlsAlpnPort] = [base, base + 1, base + 2];
    const configFile = path.join(dir, `pebble-config-${attempt}.json`);
    await writeFile(
      configFile,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${listenPort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: tlsCert.certFile,
          privateKey: tlsCert.keyFile,
          httpPort: options.httpPort,
          // tls-alpn-01 is not used by netready; a port nobody listens on.
          tlsPort: tlsAlpnPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    const child = spawn(PEBBLE_PATH, ['-config', configFile, '-dnsserver', options.dnsServer], {
      // No sleeps before validation, no rejected nonces, and a fresh validation for every order (no authz reuse),
      // so every order exercises the challenge.
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const ready = await new Promise<boolean>((resolve) => {
      const onLine = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          output.push(line);
          if (line.includes('ACME directory available at')) resolve(true);
        }
      };
      child.stdout!.on('data', onLine);
      child.stderr!.on('data', onLine);
      child.once('exit', () => resolve(false));
      child.once('error', () => resolve(false));
    });
    if (!ready) {
      if (output.some((line) => /address already in use/.test(line))) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`pebble did not start:\n${output.join('\n')}`);
    }
    const directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
    // "available at" is printed just before the listener is up: ask until it answers (bounded).
    for (let i = 0; ; i++) {
      try {
        if ((await get(directoryUrl, tlsCert.caPem)).status === 200) break;
      } catch (error) {
        if (i >= 50) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      directoryUrl,
      caFile: tlsCert.caCertFile,
      output,
      rootPem: async () => (await get(`https://127.0.0.1:${managementPort}/roots/0`, tlsCert.caPem)).body,
      stop: () => stopChild(child).then(() => rm(dir, { recursive: true, force: true })),
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('pebble could not bind ports in 41500–41889 after 5 attempts');
}

/** SIGTERM by PID, SIGKILL if it has not exited within 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
