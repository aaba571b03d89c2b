/**
 * `netready trust` and `netready untrust`: install this installation's development CA (`<dataDir>/tls/ca.pem`) into
 * the user's browser stores and the system store, or remove it again (cli/trust-stores.ts has the stores). One line
 * per store; running either twice changes nothing the second time.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../server/config/load';
import { devCaId, readRetiredCas } from '../server/tls/dev-ca';
import { ensureDevTls } from '../server/tls/load-tls';
import { describeSubtrees } from '../server/tls/name-constraints';
import { applyTrust, commandOnPath, formatStoreLine, runCommand, type CaCertificate, type RunCommand, type StoreLine, type TrustContext } from './trust-stores';

/** Exit code: the CA is where it should be (or gone) in every store found. */
export const EXIT_TRUST_DONE = 0;
/** Exit code: at least one store was skipped for lack of rights or tools; its line says what to run. */
export const EXIT_TRUST_PARTLY = 1;
/** Exit code: nothing was done (bad usage, bad configuration, the CA could not be read or made). */
export const EXIT_TRUST_COULD_NOT_RUN = 3;

/**
 * For tests only: a folder that stands in for the system store (files `netready-dev-ca-<id>.crt`, no update
 * command, no root), so a test never touches the real one. Not a user-facing option.
 */
export const TEST_SYSTEM_STORE_ENV = 'NETREADY_TRUST_TEST_SYSTEM_STORE';

/** Usage text of both commands. */
export const TRUST_USAGE = `Usage: netready trust
       netready untrust

trust    installs this installation's development CA (<dataDir>/tls/ca.pem, made now if it does not exist)
         so browsers trust netready's development certificate:
           - Chromium/Chrome on Linux: ~/.pki/nssdb (created if missing), with certutil (libnss3-tools)
           - every Firefox profile (~/.mozilla/firefox, snap Firefox, macOS profiles)
           - the system store (Debian/Ubuntu, Fedora/RHEL, Arch, openSUSE, macOS System keychain,
             Windows ROOT store), as root or through sudo
untrust  removes exactly what trust added (named after the CA's SHA-256 fingerprint) and nothing else.

The data folder comes from the normal configuration (netready.config.json, NETREADY_DATA_DIR, ...).
Prints one line per store: added / already there / removed / not there / skipped: why (and the command to run).

Exit codes: 0 done in every store found, 1 some store skipped (its line says what to run),
3 could not run (bad configuration, CA unreadable).`;

/** What the trust commands read from the process; tests pass their own. */
export interface TrustIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  platform?: NodeJS.Platform;
  isRoot?: boolean;
  interactive?: boolean;
  run?: RunCommand;
}

/** The certificate's subject common name, for messages. */
function commonNameOf(pem: string): string {
  return /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? 'netready dev CA';
}

/** Runs `netready trust` or `netready untrust` with the arguments after the command name. */
export async function runTrustCommand(command: 'trust' | 'untrust', argv: string[], io: TrustIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(TRUST_USAGE);
    return EXIT_TRUST_DONE;
  }
  if (argv.length > 0) {
    io.err(`netready: ${command} takes no arguments, got "${argv.join(' ')}"\n\n${TRUST_USAGE}`);
    return EXIT_TRUST_COULD_NOT_RUN;
  }
  let config;
  try {
    config = loadConfig({ env: io.env, cwd: io.cwd });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`netready: ${error.message}`);
      return EXIT_TRUST_COULD_NOT_RUN;
    }
    throw error;
  }
  const home = io.env.HOME ?? io.env.USERPROFILE ?? os.homedir();
  const platform = io.platform ?? process.platform;
  const isRoot = io.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  const systemStoreDir = io.env[TEST_SYSTEM_STORE_ENV];
  const context: TrustContext = {
    platform,
    home,
    isRoot,
    interactive: io.interactive ?? Boolean(process.stdin.isTTY),
    ...(systemStoreDir ? { systemStoreDir: path.resolve(io.cwd, systemStoreDir) } : {}),
    run: io.run ?? runCommand,
    hasCommand: (name) => commandOnPath(name, io.env.PATH),
  };
  if (isRoot && io.env.SUDO_USER) {
    io.out(
      `note: running as root through sudo, so the browser stores changed are those of HOME=${home}. ` +
        `Run "npx netready ${command}" as ${io.env.SUDO_USER} instead: it asks for sudo only for the system store.`,
    );
  }

  const pems: string[] = [];
  const caFile = path.join(config.dataDir, 'tls', 'ca.pem');
  if (command === 'trust') {
    if (config.tls.certFile) {
      io.out(`netready serves the configured certificate ${config.tls.certFile} (tls.certFile), not the development CA: nothing to trust.`);
      return EXIT_TRUST_DONE;
    }
    if (config.tls.acme) {
      io.out(`netready serves certificates from the ACME CA ${config.tls.acme.directoryUrl} (tls.acme), not the development CA: nothing to trust.`);
      return EXIT_TRUST_DONE;
    }
    let dev;
    try {
      dev = await ensureDevTls(config);
    } catch (error) {
      io.err(`netready: cannot make or read the development CA in ${path.dirname(caFile)}: ${(error as Error).message}`);
      return EXIT_TRUST_COULD_NOT_RUN;
    }
    const { main } = dev;
    if (main.notice) io.out(`note: ${main.notice}`);
    const constraints = main.caNameConstraints;
    io.out(
      `Development CA "${commonNameOf(main.caPem)}" (${devCaId(main.caPem)}), ${main.caCertFile}${main.caCreated ? ' (made now)' : ''}` +
        (constraints ? `; it may only sign for ${describeSubtrees(constraints)}` : ''),
    );
    if (!constraints) {
      io.out(
        'note: this CA was made before netready constrained its CAs to their own names, so it could sign for any site. ' +
          `To replace it: npx netready untrust, stop netready, delete ${path.dirname(caFile)}, start netready, npx netready trust.`,
      );
    }
    pems.push(main.caPem);
  } else {
    try {
      pems.push(readFileSync(caFile, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        io.err(`netready: cannot read ${caFile}: ${(error as Error).message}`);
        return EXIT_TRUST_COULD_NOT_RUN;
      }
    }
    // CAs replaced by a later start were trusted under their own names; remove those too.
    pems.push(...(await readRetiredCas(config.dataDir)));
    if (pems.length === 0) {
      io.out(`No development CA in ${path.dirname(caFile)}: nothing to remove.`);
      return EXIT_TRUST_DONE;
    }
  }

  // certutil, security and sudo read the CA from a file; a private copy per CA keeps retired ones apart.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netready-trust-'));
  const lines: StoreLine[] = [];
  try {
    for (const [index, pem] of pems.entries()) {
      let id: string;
      try {
        id = devCaId(pem);
      } catch (error) {
        io.err(`netready: ${index === 0 ? caFile : 'a retired CA'} is not a certificate: ${(error as Error).message}`);
        return EXIT_TRUST_COULD_NOT_RUN;
      }
      const file = path.join(scratch, `netready-dev-ca-${id}.pem`);
      writeFileSync(file, pem, { mode: 0o644 });
      const ca: CaCertificate = { pem, file, id };
      if (pems.length > 1) io.out(`CA ${id}${index === 0 && command === 'untrust' ? ' (current)' : ''}:`);
      for (const line of await applyTrust(context, ca, command === 'trust')) {
        lines.push(line);
        io.out(`  ${formatStoreLine(line, home)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (lines.some((line) => line.restartBrowser)) io.out('Restart Chromium/Chrome and Firefox so they pick up the change.');
  if (command === 'trust' && !lines.some((line) => line.problem)) io.out('Undo with: npx netready untrust');
  return lines.some((line) => line.problem) ? EXIT_TRUST_PARTLY : EXIT_TRUST_DONE;
}
