/**
 * Test tooling: the squid configurations netready's tests run (the loopback squid of e2e/proxy.spec.ts and the
 * lab's router squids), written in one place — an explicit proxy, the same asking every client for a sign-in
 * (407), and ssl-bump TLS inspection with its own CA, optionally tunnelling what is not TLS — plus that CA.
 * Where squid resolves, which address it sends from and whom it serves differ per setting and come in as lines.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Squid's certificate generator (squid-openssl), which ssl-bump needs. */
export const SQUID_CERTGEN = '/usr/lib/squid/security_file_certgen';

/** How the proxy behaves. */
export type SquidMode = 'explicit' | 'auth' | 'bump' | 'bump-tunnel';

/** What one squid configuration needs. */
export interface SquidConfigOptions {
  mode: SquidMode;
  /** `ip:port` to listen on. */
  listen: string;
  /** Folder for the pid file, logs and (ssl-bump) the certificate DB; owned by the `proxy` user. */
  dir: string;
  /** `visible_hostname`, which also appears in the Via header squid adds. */
  name: string;
  /** Realm of the sign-in squid asks for (`auth`). */
  realm?: string;
  /** CA that signs the certificates squid shows browsers (`bump`, `bump-tunnel`). */
  inspectionCa?: { cert: string; key: string };
  /** Resolver, outgoing address and access rules before the sign-in rule (e.g. `http_access deny !Safe_ports`). */
  network: string[];
  /** The last access rules (e.g. `http_access allow localhost`, `http_access deny all`). */
  finalAccess: string[];
}

/** squid.conf text for `options`. Throws when a bumping mode has no inspection CA. */
export function squidConfigText(options: SquidConfigOptions): string {
  const { mode, dir } = options;
  const bump = mode === 'bump' || mode === 'bump-tunnel';
  if (bump && !options.inspectionCa) throw new Error(`squid mode ${mode} needs an inspection CA`);
  const ca = options.inspectionCa;
  const lines = [
    `# netready test squid (${mode})`,
    bump && ca
      ? `http_port ${options.listen} ssl-bump tls-cert=${ca.cert} tls-key=${ca.key} generate-host-certificates=on dynamic_cert_mem_cache_size=4MB`
      : `http_port ${options.listen}`,
    `pid_filename ${path.join(dir, 'squid.pid')}`,
    `cache_log ${path.join(dir, 'cache.log')}`,
    `access_log stdio:${path.join(dir, 'access.log')}`,
    'cache_store_log none',
    'cache deny all',
    `coredump_dir ${dir}`,
    `visible_hostname ${options.name}`,
    'shutdown_lifetime 0 seconds',
    'pinger_enable off',
    'forwarded_for on',
    ...options.network,
  ];
  if (mode === 'auth') {
    lines.push(
      // Any user/password is accepted — what matters is that a browser without credentials gets 407.
      'auth_param basic program /usr/lib/squid/basic_fake_auth',
      `auth_param basic realm ${options.realm ?? 'netready test proxy'}`,
      'acl signedin proxy_auth REQUIRED',
      'http_access deny !signedin',
    );
  }
  if (bump) {
    lines.push(
      `sslcrtd_program ${SQUID_CERTGEN} -s ${path.join(dir, 'ssl_db')} -M 4MB`,
      'sslcrtd_children 2 startup=1 idle=1',
      'acl step1 at_step SslBump1',
      'ssl_bump peek step1',
      'ssl_bump bump all',
      // Else squid mints certificates with IP-in-DNS SANs that Chromium rejects (shared/LAB.md).
      'sslproxy_cert_error allow all',
      'tls_outgoing_options flags=DONT_VERIFY_PEER',
    );
    // bump-tunnel: non-TLS bytes in a CONNECT (plain TURN over TCP) are tunnelled, as many inspection proxies do;
    // bump: refused (squid's default, an error response), so nothing but TLS passes.
    if (mode === 'bump-tunnel') lines.push('on_unsupported_protocol tunnel all');
  }
  lines.push(...options.finalAccess);
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/**
 * Creates an "Example Corp" TLS-inspection CA (RSA 2048, 2 days) in `dir` with openssl, as a corporate gateway has;
 * `whose` ends up in its name. Returns the PEM file paths.
 */
export function makeInspectionCa(dir: string, whose: string): { cert: string; key: string } {
  const cert = path.join(dir, 'inspection-ca.pem');
  const key = path.join(dir, 'inspection-ca.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/O=Example Corp/CN=Example Corp TLS Inspection CA (${whose})`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { stdio: 'pipe' });
  return { cert, key };
}
